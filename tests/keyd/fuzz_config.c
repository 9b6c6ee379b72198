// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the configuration reader (userspace-keyd/keyd/
 * config.c): the input is the file. A refused file says where and why; an
 * accepted one leaves a configuration keyd can run with.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config c;
	char err[512];

	if (fd < 0) {
		log_set_level(LOG_ERR);
		fd = memfd_create("keyd.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	config_defaults(&c);
	err[0] = 0;
	if (config_load(&c, path, err, sizeof(err))) {
		if (!err[0] || !strstr(err, path))
			abort();	/* every refusal names the file */
		return 0;
	}
	if (!c.nsuites || c.nsuites > SUITE_COUNT || !c.noffer_suites ||
	    c.noffer_suites > SUITE_COUNT || !c.socket_path[0] ||
	    !memchr(c.socket_path, 0, sizeof(c.socket_path)) ||
	    !memchr(c.state_dir, 0, sizeof(c.state_dir)) || c.socket_mode > 0777 ||
	    c.window < 64 || c.max_clients < 1)
		abort();
	return 0;
}
