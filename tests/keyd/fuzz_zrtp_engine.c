// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ZRTP engine's state machine
 * (userspace-keyd/keyd/zrtp_engine.c): the input is a sequence of packets
 * (each a 2-byte big-endian length, then its bytes, its CRC made good so
 * the engine looks past it) fed to a fresh engine, passive or not as the
 * first byte says (and with a cache entry for any peer, and as a PBX:
 * Preshared and enrollment), with time moving on between them. Checks: every packet
 * the engine sends decodes, and a peer that knows none of our secrets
 * never takes it to SECURE.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "zrtp_engine.h"

static uint8_t pkt[4096], out[1024];

/* A cache entry only we hold (verified, with a pbxsecret): Preshared is tried. */
static int cache_get(void *arg, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *r)
{
	(void)arg;
	(void)zid;
	memset(r, 0, sizeof(*r));
	memset(r->rs1, 0x5a, sizeof(r->rs1));
	memset(r->pbx, 0xa5, 32);
	r->pbx_len = 32;
	r->have_rs1 = r->verified = true;
	return 0;
}

static void drain(struct zrtp_conn *c)
{
	struct zrtp_packet p;
	size_t n;

	while ((n = zrtp_output(c, out, sizeof(out))))
		FUZZ_CHECK(!zrtp_decode(out, n, &p, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zrtp_cfg cfg = { .zid = "fuzz-zid-001" };
	struct zrtp_conn *c;
	uint64_t now = 1000;
	size_t off = 1, n;
	uint32_t crc;

	if (!size)
		return 0;
	cfg.passive = data[0] & 1;
	cfg.n[ZRTP_KA] = 3;
	cfg.alg[ZRTP_KA][0] = ZRTP_ALG("X255");
	cfg.alg[ZRTP_KA][1] = ZRTP_ALG("EC25");
	cfg.alg[ZRTP_KA][2] = ZRTP_ALG("Prsh");
	if (data[0] & 2)
		cfg.cache_get = cache_get;
	cfg.mitm = cfg.pbx_enroll = data[0] & 4;
	c = zrtp_new(&cfg, 0x12345678);
	FUZZ_CHECK(c && !zrtp_start(c, now));
	drain(c);
	while (off + 2 <= size) {
		n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off || n > sizeof(pkt))
			n = size - off < sizeof(pkt) ? size - off : sizeof(pkt);
		memcpy(pkt, data + off, n);
		off += n;
		if (n >= 4) {
			crc = zrtp_crc32c(pkt, n - 4);
			pkt[n - 4] = (uint8_t)crc;
			pkt[n - 3] = (uint8_t)(crc >> 8);
			pkt[n - 2] = (uint8_t)(crc >> 16);
			pkt[n - 1] = (uint8_t)(crc >> 24);
		}
		zrtp_input(c, pkt, n, now);
		drain(c);
		now += 60;
		zrtp_timer(c, now);
		drain(c);
	}
	FUZZ_CHECK(zrtp_state(c) != ZS_SECURE);
	zrtp_free(c);
	return 0;
}
