// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/rtp.h: classify the input and parse it as RTP
 * and as RTCP, checking each result against model.h and the invariants a
 * caller relies on (a parsed header lies within the datagram); rewrite it
 * as a relay does, which must stay within the datagram (ASan) and change
 * only the fields it names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"
#include "model.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A relay's RTCP rewrite on an exact-size copy: only SSRC words at packet
 * starts and SR timestamps may change, each to what the walk says.
 */
static void check_rtcp_rewrite(const uint8_t *data, unsigned int len)
{
	const struct ksrtp_rewrite rw = {
		.ssrc_in = ksrtp_get_be32(data + 4), .ssrc_out = 0xa5a5a5a5,
		.ts_offset = 0x01020304,
	};
	uint8_t *p = malloc(len);
	unsigned int off = 0, plen, i;

	FUZZ_CHECK(p);
	memcpy(p, data, len);
	ksrtp_rtcp_rewrite(p, len, &rw);
	while (len - off >= 8) {
		plen = 4 * (((unsigned int)data[off + 2] << 8 | data[off + 3]) + 1);
		if (plen > len - off)
			break;
		if (plen >= 8 && ksrtp_get_be32(data + off + 4) == rw.ssrc_in) {
			FUZZ_CHECK(ksrtp_get_be32(p + off + 4) == rw.ssrc_out);
			memcpy(p + off + 4, data + off + 4, 4);
			if (data[off + 1] == 200 && plen >= 28) {
				FUZZ_CHECK(ksrtp_get_be32(p + off + 16) ==
					   ksrtp_get_be32(data + off + 16) + rw.ts_offset);
				memcpy(p + off + 16, data + off + 16, 4);
			}
		}
		off += plen;
	}
	for (i = 0; i < len; i++)
		FUZZ_CHECK(p[i] == data[i]);
	free(p);
}

/* The RTP rewrite touches SEQ, timestamp and SSRC only. */
static void check_rtp_rewrite(const uint8_t *data, unsigned int len)
{
	const struct ksrtp_rewrite rw = {
		.ssrc_out = 0x5a5a5a5a, .ts_offset = 0xfffffff0, .seq_offset = 0xfff0,
	};
	uint8_t *p = malloc(len);
	unsigned int i;

	FUZZ_CHECK(p);
	memcpy(p, data, len);
	ksrtp_rtp_rewrite(p, &rw);
	FUZZ_CHECK(ksrtp_get_be16(p + 2) == (u16)(ksrtp_get_be16(data + 2) + 0xfff0));
	FUZZ_CHECK(ksrtp_get_be32(p + 4) == ksrtp_get_be32(data + 4) + 0xfffffff0u);
	FUZZ_CHECK(ksrtp_get_be32(p + 8) == 0x5a5a5a5a);
	for (i = 0; i < len; i++)
		FUZZ_CHECK(p[i] == data[i] || (i >= 2 && i < 12));
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int len = size > 0xffffffffu ? 0xffffffffu : (unsigned int)size;
	struct ksrtp_rtp_hdr h = { 0 };
	enum ksrtp_class cls;
	long long want;
	u32 ssrc = 0;
	int ret;

	cls = ksrtp_classify(data, len);
	FUZZ_CHECK(cls >= KSRTP_CLASS_OTHER && cls <= KSRTP_CLASS_RTCP);
	FUZZ_CHECK(cls == model_classify(data, len));
	if (cls == KSRTP_CLASS_RTP || cls == KSRTP_CLASS_RTCP)
		FUZZ_CHECK(len >= 2 && data[0] >= 128 && data[0] <= 191);

	ret = ksrtp_rtp_parse(data, len, &h);
	want = model_rtp_hdr_len(data, len);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK((ret == 0) == (want >= 0));
	if (ret == 0) {
		FUZZ_CHECK(h.hdr_len >= KSRTP_RTP_MIN_HDR);
		FUZZ_CHECK(h.hdr_len <= len);
		FUZZ_CHECK(h.hdr_len % 4 == 0);
		/* hdr_len is 16 bits: exact for any UDP payload (<= 65535) */
		if (len <= 0xffff)
			FUZZ_CHECK(h.hdr_len == want);
		FUZZ_CHECK(h.seq == ((data[2] << 8) | data[3]));
		FUZZ_CHECK(h.ssrc == ksrtp_get_be32(data + 8));
		/* a valid RTP header is classified as RTP or RTCP */
		FUZZ_CHECK(cls == KSRTP_CLASS_RTP || cls == KSRTP_CLASS_RTCP);
	}

	ret = ksrtp_rtcp_parse(data, len, &ssrc);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK((ret == 0) ==
		   (len >= KSRTP_RTCP_MIN_HDR && (data[0] & 0xc0) == 0x80));
	if (ret == 0) {
		FUZZ_CHECK(ssrc == ksrtp_get_be32(data + 4));
		FUZZ_CHECK(cls == KSRTP_CLASS_RTP || cls == KSRTP_CLASS_RTCP);
		check_rtcp_rewrite(data, len);
	}
	if (ksrtp_rtp_parse(data, len, &h) == 0)
		check_rtp_rewrite(data, len);
	return 0;
}
