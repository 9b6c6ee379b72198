// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's replay cache (RFC 3830 §5.4): every I_MESSAGE accepted while its
 * timestamp is inside the clock-skew window is remembered by its digest;
 * once the timestamp leaves the window the T check refuses it anyway. A
 * COUNTER timestamp has no window: each identity's counter must grow.
 */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "mikey_psk.h"

static bool expired(uint64_t t, uint64_t now, uint32_t skew)
{
	uint64_t w = (uint64_t)skew << 32;

	return t < now && now - t > w;
}

static void purge(struct mikey_replay *rc, uint64_t now, uint32_t skew)
{
	size_t i = 0;

	while (i < rc->n) {
		if (expired(rc->e[i].t, now, skew))
			rc->e[i] = rc->e[--rc->n];
		else
			i++;
	}
}

int mikey_replay_check(struct mikey_replay *rc, const uint8_t *msg, size_t len,
		       uint64_t t, uint64_t now, uint32_t skew)
{
	uint8_t d[20];
	unsigned int dl = 0;
	size_t i;

	if (!EVP_Digest(msg, len, d, &dl, EVP_sha1(), NULL) || dl != sizeof(d))
		return -1;
	purge(rc, now, skew);
	for (i = 0; i < rc->n; i++)
		if (!memcmp(rc->e[i].digest, d, sizeof(d)))
			return 1;
	if (rc->n == MIKEY_REPLAY_MAX)
		return -1;
	memcpy(rc->e[rc->n].digest, d, sizeof(d));
	rc->e[rc->n].t = t;
	rc->n++;
	return 0;
}

int mikey_counter_check(struct mikey_replay *rc, const uint8_t *id, size_t idlen,
			uint32_t counter)
{
	uint8_t d[20];
	unsigned int dl = 0;
	size_t i;

	if (!EVP_Digest(id, idlen, d, &dl, EVP_sha1(), NULL) || dl != sizeof(d))
		return -1;
	for (i = 0; i < rc->nc && memcmp(rc->c[i].id, d, sizeof(d)); i++)
		;
	if (i < rc->nc) {
		if (counter <= rc->c[i].last)
			return 1;
		rc->c[i].last = counter;
		return 0;
	}
	if (rc->nc == MIKEY_COUNTER_PEERS)
		return -1;
	memcpy(rc->c[i].id, d, sizeof(d));
	rc->c[i].last = counter;
	rc->nc++;
	return 0;
}

uint64_t mikey_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* NTP counts from 1900; 2208988800 s before the Unix epoch */
	return ((uint64_t)ts.tv_sec + 2208988800u) << 32 |
	       (((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}
