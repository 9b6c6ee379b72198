// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/rtp.h: classify the input and parse it as RTP
 * and as RTCP, checking each result against model.h and the invariants a
 * caller relies on (a parsed header lies within the datagram).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rtp.h"
#include "model.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	return 0;
}
