// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify over a Unix datagram socket. NOTIFY_SOCKET may be a path or,
 * with a leading '@', an abstract name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un addr;
static socklen_t addr_len;
static uint64_t watchdog_ms, watchdog_last;

void notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *wd = getenv("WATCHDOG_USEC");
	size_t n;

	if (path && (*path == '/' || *path == '@') &&
	    (n = strlen(path)) < sizeof(addr.sun_path)) {
		addr.sun_family = AF_UNIX;
		memcpy(addr.sun_path, path, n);
		if (*path == '@')
			addr.sun_path[0] = 0;
		addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	if (wd && addr_len) {
		unsigned long long us = strtoull(wd, NULL, 10);

		watchdog_ms = us / 1000;
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

void notify_send(const char *state)
{
	int fd;

	if (!addr_len)
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (struct sockaddr *)&addr, addr_len) < 0)
		log_warn("sd_notify failed", "err=%s", log_q(strerror(errno)));
	close(fd);
}

int notify_watchdog(uint64_t now)
{
	uint64_t half = watchdog_ms / 2;

	if (!watchdog_ms)
		return -1;
	if (now - watchdog_last >= half) {
		notify_send("WATCHDOG=1");
		watchdog_last = now;
	}
	return (int)(watchdog_last + half - now);
}
