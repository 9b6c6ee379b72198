// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS association slots: which one a newcomer gets (dtls_slots.h).
 */
#include <string.h>
#include <netinet/in.h>

#include "dtls_slots.h"

bool slots_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a->ss_family == AF_INET6 &&
	       !memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr));
}

/* The oldest unvouched slot of host (NULL: any host); -1 if none. */
static int oldest(const struct slot_info *v, size_t n, const struct sockaddr_storage *host,
		  uint64_t before)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].kind != SLOT_UNVOUCHED || v[i].born > before ||
		    (host && !slots_same_host(&v[i].peer, host)))
			continue;
		if (best < 0 || v[i].born < v[best].born)
			best = (int)i;
	}
	return best;
}

int slots_oldest_unvouched(const struct slot_info *v, size_t n, uint64_t before)
{
	return oldest(v, n, NULL, before);
}

int slots_pick(const struct slot_info *v, size_t n, const struct sockaddr_storage *src,
	       unsigned int per_source)
{
	unsigned int mine = 0;
	size_t i;

	if (per_source) {
		for (i = 0; i < n; i++)
			mine += v[i].kind == SLOT_UNVOUCHED && slots_same_host(&v[i].peer, src);
		if (mine >= per_source)
			return oldest(v, n, src, UINT64_MAX);
	}
	for (i = 0; i < n; i++)
		if (v[i].kind == SLOT_FREE)
			return (int)i;
	for (i = 0; i < n; i++)
		if (v[i].kind == SLOT_FAILED)
			return (int)i;
	return oldest(v, n, NULL, UINT64_MAX);
}
