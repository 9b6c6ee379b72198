/* SPDX-License-Identifier: GPL-2.0 */
/* "A.B.C.D:PORT" on the command lines of the keyd test programs. */
#ifndef _KSRTP_INET_ADDR_H
#define _KSRTP_INET_ADDR_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

#endif /* _KSRTP_INET_ADDR_H */
