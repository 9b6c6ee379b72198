/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping keys out of core dumps: keyd is not dumpable (no core, no
 * ptrace by other users), and what holds keys is allocated from
 * OpenSSL's secure heap (mlock()ed and MADV_DONTDUMP; OpenSSL also keeps
 * its private keys there once it exists).
 */
#ifndef KEYD_HARDEN_H
#define KEYD_HARDEN_H

#include <stddef.h>
#include <sys/types.h>

#define KEYD_SECURE_HEAP	(4u << 20)	/* bytes; a power of two */

/* Call first thing in main(); 0, or -1 with err (nothing is fatal but
 * PR_SET_DUMPABLE: without the secure heap, key allocations fall back to
 * the normal heap, still wiped on free).
 */
int keyd_harden(char *err, size_t errlen);

/* Zeroed memory for keys; free with keyd_secret_free (wiped). */
void *keyd_secret_alloc(size_t len);
void keyd_secret_free(void *p, size_t len);

/*
 * Open a file that holds keys (a PSK file, a private key): a regular file
 * owned by keyd's user, no access for group or others, at most max bytes.
 * Returns the fd and *size, or -1 with err saying which rule it broke.
 */
int keyd_secret_file_open(const char *path, off_t max, off_t *size, char *err,
			  size_t errlen);

#endif /* KEYD_HARDEN_H */
