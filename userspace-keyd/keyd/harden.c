// SPDX-License-Identifier: GPL-2.0
/*
 * Process hardening for keys: no core dumps, keys in the secure heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "harden.h"
#include "log.h"

int keyd_harden(char *err, size_t errlen)
{
	/* no core file, /proc/PID/mem and ptrace for root only */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	/* 1: done; 2: done, but mlock() failed (no CAP_IPC_LOCK / RLIMIT_MEMLOCK):
	 * still MADV_DONTDUMP, pages may be swapped
	 */
	if (!CRYPTO_secure_malloc_initialized() &&
	    !CRYPTO_secure_malloc_init(KEYD_SECURE_HEAP, 32))
		log_warn("no OpenSSL secure heap: keys use the normal heap (still wiped)",
			 "bytes=%u", KEYD_SECURE_HEAP);
	return 0;
}

void *keyd_secret_alloc(size_t len)
{
	return OPENSSL_secure_zalloc(len);
}

void keyd_secret_free(void *p, size_t len)
{
	if (p)
		OPENSSL_secure_clear_free(p, len);
}

int keyd_secret_file_open(const char *path, off_t max, off_t *size, char *err,
			  size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (st.st_uid != geteuid())
		snprintf(err, errlen, "%s: owned by uid %u, not by keyd's (%u): refused", path,
			 (unsigned int)st.st_uid, (unsigned int)geteuid());
	else if (st.st_mode & 077)
		snprintf(err, errlen, "%s: mode %04o lets others read the keys; it must be 0600 "
			 "(or stricter)", path, (unsigned int)(st.st_mode & 07777));
	else if (st.st_size > max)
		snprintf(err, errlen, "%s: larger than %lld bytes", path, (long long)max);
	else {
		*size = st.st_size;
		return fd;
	}
	close(fd);
	return -1;
}
