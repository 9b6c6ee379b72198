// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ZRTP codec (userspace-keyd/keyd/zrtp_msg.c):
 * each input is decoded as it is and again with its CRC made good (so the
 * mutations reach the message layouts, not only the CRC check). Anything
 * accepted must encode back to exactly its bytes, its message bytes must
 * lie inside it, and a Confirm's (SASrelay's) encrypted part goes through
 * the Confirm (SASrelay) body decoder, whose accepted bodies must re-encode
 * exactly.
 * Seeds: the bzrtp packets and one packet of each type
 * (test_zrtp --corpus DIR).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "zrtp_msg.h"

static uint8_t in[ZRTP_HDR_LEN + ZRTP_MAX_MSG + 8], out[sizeof(in)];

static void body(struct zrtp_bytes enc, bool relay)
{
	struct zrtp_confirm_body b;
	struct zrtp_relay_body r;
	size_t n;

	if (relay) {
		if (zrtp_relay_body_decode(enc.p, enc.len, &r, NULL))
			return;
		n = zrtp_relay_body_encode(&r, out, sizeof(out), NULL);
		FUZZ_CHECK(n == enc.len && !memcmp(out, enc.p, n));
		return;
	}
	if (zrtp_confirm_body_decode(enc.p, enc.len, &b, NULL))
		return;
	n = zrtp_confirm_body_encode(&b, out, sizeof(out), NULL);
	FUZZ_CHECK(n == enc.len && !memcmp(out, enc.p, n));
}

static void one(const uint8_t *data, size_t size)
{
	struct zrtp_packet p;
	size_t n;

	if (zrtp_decode(data, size, &p, NULL))
		return;
	FUZZ_CHECK(zrtp_is_packet(data, size));
	FUZZ_CHECK(p.raw.p == data + ZRTP_HDR_LEN && p.raw.len + ZRTP_HDR_LEN + 4 == size);
	n = zrtp_encode(&p, out, sizeof(out), NULL);
	FUZZ_CHECK(n == size && !memcmp(out, data, size));
	if (p.msg.type == ZRTP_CONFIRM1 || p.msg.type == ZRTP_CONFIRM2 ||
	    p.msg.type == ZRTP_SASRELAY)
		body(p.msg.u.sealed.enc, p.msg.type == ZRTP_SASRELAY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t c;

	one(data, size);
	if (size < 4 || size > sizeof(in))
		return 0;
	memcpy(in, data, size);
	c = zrtp_crc32c(in, size - 4);
	in[size - 4] = (uint8_t)c;
	in[size - 3] = (uint8_t)(c >> 8);
	in[size - 2] = (uint8_t)(c >> 16);
	in[size - 1] = (uint8_t)(c >> 24);
	one(in, size);
	return 0;
}
