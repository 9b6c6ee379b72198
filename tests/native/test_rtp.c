// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/rtp.h: RFC 7983 classification and the RTP/RTCP
 * header parsers. Every parse runs on a heap copy of exactly len bytes, so
 * ASan reports any read past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "rtp.h"
#include "ktap.h"
#include "model.h"

/* Heap copy of exactly len bytes (len 0: a zero-size allocation). */
static u8 *dup_exact(const u8 *src, unsigned int len)
{
	u8 *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, src, len);
	return p;
}

static enum ksrtp_class classify(const u8 *src, unsigned int len)
{
	u8 *p = dup_exact(src, len);
	enum ksrtp_class c = ksrtp_classify(p, len);

	free(p);
	return c;
}

static int rtp_parse(const u8 *src, unsigned int len, struct ksrtp_rtp_hdr *h)
{
	u8 *p = dup_exact(src, len);
	int ret = ksrtp_rtp_parse(p, len, h);

	free(p);
	return ret;
}

static int rtcp_parse(const u8 *src, unsigned int len, u32 *ssrc)
{
	u8 *p = dup_exact(src, len);
	int ret = ksrtp_rtcp_parse(p, len, ssrc);

	free(p);
	return ret;
}

/* A 12-byte RTP header: V=2, given flags/CC, PT 96, seq, ts, SSRC. */
static void rtp_fixed(u8 *p, u8 b0_low, u16 seq, u32 ssrc)
{
	p[0] = 0x80 | b0_low;
	p[1] = 96;
	p[2] = seq >> 8;
	p[3] = seq & 0xff;
	ksrtp_put_be32(p + 4, 0x11223344);
	ksrtp_put_be32(p + 8, ssrc);
}

/* ---- ksrtp_classify ---- */

static void classify_first_byte_boundaries(void)
{
	static const struct {
		u8 b;
		enum ksrtp_class want;
	} cases[] = {
		{ 0, KSRTP_CLASS_STUN },   { 3, KSRTP_CLASS_STUN },
		{ 4, KSRTP_CLASS_OTHER },  { 15, KSRTP_CLASS_OTHER },
		{ 16, KSRTP_CLASS_ZRTP },  { 19, KSRTP_CLASS_ZRTP },
		{ 20, KSRTP_CLASS_DTLS },  { 63, KSRTP_CLASS_DTLS },
		{ 64, KSRTP_CLASS_TURN },  { 79, KSRTP_CLASS_TURN },
		{ 80, KSRTP_CLASS_OTHER }, { 127, KSRTP_CLASS_OTHER },
		{ 128, KSRTP_CLASS_RTP },  { 191, KSRTP_CLASS_RTP },
		{ 192, KSRTP_CLASS_OTHER }, { 255, KSRTP_CLASS_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* second byte 0x00: an RTP payload type for 128..191 */
		u8 pkt[12] = { cases[i].b, 0x00 };
		unsigned int len;

		for (len = 2; len <= sizeof(pkt); len += 10)
			if (!KTAP_EXPECT_EQ(classify(pkt, len), cases[i].want))
				ktap_diag("first byte %u, len %u", cases[i].b,
					  len);
	}
}

static void classify_rtcp_by_second_byte(void)
{
	static const struct {
		u8 b1;
		enum ksrtp_class want;
	} cases[] = {
		{ 0xc8, KSRTP_CLASS_RTCP },	/* SR = 200 */
		{ 0xc9, KSRTP_CLASS_RTCP },	/* RR = 201 */
		{ 0xcb, KSRTP_CLASS_RTCP },	/* BYE = 203 */
		{ 0xc0, KSRTP_CLASS_RTCP },	/* 192, first RTCP range value */
		{ 0xdf, KSRTP_CLASS_RTCP },	/* 223, last */
		{ 0x40, KSRTP_CLASS_RTCP },	/* PT 64, marker clear */
		{ 0x48, KSRTP_CLASS_RTCP },	/* PT 72, marker clear */
		{ 0x5f, KSRTP_CLASS_RTCP },	/* PT 95, marker clear */
		{ 0x00, KSRTP_CLASS_RTP },	/* PCMU */
		{ 0x3f, KSRTP_CLASS_RTP },	/* PT 63 */
		{ 0x60, KSRTP_CLASS_RTP },	/* PT 96, dynamic */
		{ 0x7f, KSRTP_CLASS_RTP },	/* PT 127 */
		{ 0x80, KSRTP_CLASS_RTP },	/* PT 0 with marker */
		{ 0xbf, KSRTP_CLASS_RTP },	/* PT 63 with marker */
		{ 0xe0, KSRTP_CLASS_RTP },	/* PT 96 with marker */
		{ 0xff, KSRTP_CLASS_RTP },	/* PT 127 with marker */
	};
	static const u8 first[] = { 0x80, 0x81, 0x90, 0xa0, 0xbf };
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < sizeof(first); j++) {
			u8 pkt[2] = { first[j], cases[i].b1 };

			if (!KTAP_EXPECT_EQ(classify(pkt, 2), cases[i].want))
				ktap_diag("bytes %#04x %#04x", first[j],
					  cases[i].b1);
		}
	}
}

static void classify_short_lengths(void)
{
	static const u8 pkt[2] = { 0x80, 0xc8 };
	u8 b;

	/* len 0 must not read the buffer at all: NULL is acceptable */
	KTAP_EXPECT_EQ(ksrtp_classify(NULL, 0), KSRTP_CLASS_OTHER);
	KTAP_EXPECT_EQ(classify(pkt, 0), KSRTP_CLASS_OTHER);
	/* RTP/RTCP need the second byte: len 1 is OTHER */
	KTAP_EXPECT_EQ(classify(pkt, 1), KSRTP_CLASS_OTHER);
	KTAP_EXPECT_EQ(classify((const u8 *)"\xbf", 1), KSRTP_CLASS_OTHER);
	KTAP_EXPECT_EQ(classify(pkt, 2), KSRTP_CLASS_RTCP);
	/* the other classes only need one byte */
	KTAP_EXPECT_EQ(classify((const u8 *)"\x00", 1), KSRTP_CLASS_STUN);
	KTAP_EXPECT_EQ(classify((const u8 *)"\x13", 1), KSRTP_CLASS_ZRTP);
	KTAP_EXPECT_EQ(classify((const u8 *)"\x16", 1), KSRTP_CLASS_DTLS);
	KTAP_EXPECT_EQ(classify((const u8 *)"\x40", 1), KSRTP_CLASS_TURN);
	/* every single-byte datagram against the model */
	b = 0;
	do {
		if (!KTAP_EXPECT_EQ(classify(&b, 1), model_classify(&b, 1)))
			ktap_diag("byte %#04x", b);
	} while (++b);
}

static void classify_all_two_byte_prefixes(void)
{
	unsigned int b0, b1;

	for (b0 = 0; b0 < 256; b0++) {
		for (b1 = 0; b1 < 256; b1++) {
			u8 pkt[2] = { (u8)b0, (u8)b1 };

			if (!KTAP_EXPECT_EQ(ksrtp_classify(pkt, 2),
					    model_classify(pkt, 2)))
				ktap_diag("bytes %#04x %#04x", b0, b1);
		}
	}
}

/* ---- ksrtp_rtp_parse ---- */

static void rtp_parse_minimum_header(void)
{
	u8 pkt[12];
	struct ksrtp_rtp_hdr h;
	unsigned int len;

	rtp_fixed(pkt, 0, 0x1234, 0xdeadbeef);
	for (len = 0; len < 12; len++)
		if (!KTAP_EXPECT_EQ(rtp_parse(pkt, len, &h), -EINVAL))
			ktap_diag("len %u", len);
	memset(&h, 0xa5, sizeof(h));
	KTAP_ASSERT_EQ(rtp_parse(pkt, 12, &h), 0);
	KTAP_EXPECT_EQ(h.seq, 0x1234);
	KTAP_EXPECT_EQ_U(h.ssrc, 0xdeadbeef);
	KTAP_EXPECT_EQ(h.hdr_len, 12);
}

static void rtp_parse_values_with_payload(void)
{
	u8 pkt[172] = { 0 };
	struct ksrtp_rtp_hdr h;

	/* marker, padding and PT do not matter to the parser */
	rtp_fixed(pkt, 0x20, 0xffff, 0x01020304);
	pkt[1] = 0xe0;
	KTAP_ASSERT_EQ(rtp_parse(pkt, sizeof(pkt), &h), 0);
	KTAP_EXPECT_EQ(h.seq, 0xffff);
	KTAP_EXPECT_EQ_U(h.ssrc, 0x01020304);
	KTAP_EXPECT_EQ(h.hdr_len, 12);

	rtp_fixed(pkt, 0, 0, 0);
	KTAP_ASSERT_EQ(rtp_parse(pkt, sizeof(pkt), &h), 0);
	KTAP_EXPECT_EQ(h.seq, 0);
	KTAP_EXPECT_EQ_U(h.ssrc, 0);

	rtp_fixed(pkt, 0, 0x8000, 0xffffffff);
	KTAP_ASSERT_EQ(rtp_parse(pkt, sizeof(pkt), &h), 0);
	KTAP_EXPECT_EQ(h.seq, 0x8000);
	KTAP_EXPECT_EQ_U(h.ssrc, 0xffffffff);
}

static void rtp_parse_rejects_other_versions(void)
{
	u8 pkt[64];
	struct ksrtp_rtp_hdr h;
	unsigned int v;

	for (v = 0; v < 4; v++) {
		rtp_fixed(pkt, 0, 1, 2);
		pkt[0] = (u8)(v << 6);
		if (!KTAP_EXPECT_EQ(rtp_parse(pkt, sizeof(pkt), &h),
				    v == 2 ? 0 : -EINVAL))
			ktap_diag("version %u", v);
	}
}

static void rtp_parse_csrc_counts(void)
{
	u8 pkt[12 + 60];
	struct ksrtp_rtp_hdr h;
	unsigned int cc, need;

	for (cc = 0; cc <= 15; cc++) {
		memset(pkt, 0x5a, sizeof(pkt));
		rtp_fixed(pkt, (u8)cc, 7, 9);
		need = 12 + 4 * cc;
		if (cc && !KTAP_EXPECT_EQ(rtp_parse(pkt, need - 1, &h), -EINVAL))
			ktap_diag("cc %u len %u", cc, need - 1);
		if (!KTAP_EXPECT_EQ(rtp_parse(pkt, need, &h), 0)) {
			ktap_diag("cc %u len %u", cc, need);
			continue;
		}
		KTAP_EXPECT_EQ(h.hdr_len, need);
		KTAP_EXPECT_EQ(h.seq, 7);
		KTAP_EXPECT_EQ_U(h.ssrc, 9);
	}
	/* CC 15 needs all 72 bytes */
	rtp_fixed(pkt, 15, 7, 9);
	KTAP_EXPECT_EQ(rtp_parse(pkt, 71, &h), -EINVAL);
	KTAP_EXPECT_EQ(rtp_parse(pkt, 72, &h), 0);
	KTAP_EXPECT_EQ(h.hdr_len, 72);
}

/* RTP header with X set, cc CSRCs and an extension of words 32-bit words. */
static unsigned int rtp_with_ext(u8 *pkt, unsigned int cc, u16 words)
{
	unsigned int off = 12 + 4 * cc;

	rtp_fixed(pkt, 0x10 | (u8)cc, 0x4242, 0xcafef00d);
	pkt[off] = 0xbe;	/* RFC 8285 one-byte header profile */
	pkt[off + 1] = 0xde;
	pkt[off + 2] = words >> 8;
	pkt[off + 3] = words & 0xff;
	return off + 4 + 4 * words;
}

static void rtp_parse_extension_bounds(void)
{
	u8 pkt[12 + 60 + 4 + 4 * 300 + 1];
	struct ksrtp_rtp_hdr h;
	static const u16 words[] = { 0, 1, 2, 3, 256, 300 };
	unsigned int cc, i, need, len;

	for (cc = 0; cc <= 15; cc += 15) {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			memset(pkt, 0, sizeof(pkt));
			need = rtp_with_ext(pkt, cc, words[i]);
			/* ext header itself truncated: 0..3 of its 4 bytes */
			for (len = 12 + 4 * cc; len < 12 + 4 * cc + 4; len++)
				if (!KTAP_EXPECT_EQ(rtp_parse(pkt, len, &h),
						    -EINVAL))
					ktap_diag("cc %u ext header cut at %u",
						  cc, len);
			/* ext length points past the end by 1..4 bytes */
			for (len = need - 4; len < need; len++)
				if (len >= 12 + 4 * cc + 4 &&
				    !KTAP_EXPECT_EQ(rtp_parse(pkt, len, &h),
						    -EINVAL))
					ktap_diag("cc %u words %u len %u", cc,
						  words[i], len);
			/* exact fit, and with payload after it */
			for (len = need; len <= need + 1; len++) {
				if (!KTAP_EXPECT_EQ(rtp_parse(pkt, len, &h), 0)) {
					ktap_diag("cc %u words %u len %u", cc,
						  words[i], len);
					continue;
				}
				KTAP_EXPECT_EQ(h.hdr_len, need);
				KTAP_EXPECT_EQ(h.seq, 0x4242);
				KTAP_EXPECT_EQ_U(h.ssrc, 0xcafef00d);
			}
		}
	}
}

static void rtp_parse_extension_length_is_big_endian(void)
{
	static u8 pkt[16 + 4 * 0x0102];
	struct ksrtp_rtp_hdr h;
	unsigned int need = rtp_with_ext(pkt, 0, 0x0102);

	KTAP_EXPECT_EQ(need, sizeof(pkt));
	KTAP_EXPECT_EQ(rtp_parse(pkt, need - 1, &h), -EINVAL);
	KTAP_ASSERT_EQ(rtp_parse(pkt, need, &h), 0);
	KTAP_EXPECT_EQ(h.hdr_len, 16 + 4 * 0x0102);
}

static void rtp_parse_extension_max_length(void)
{
	/* ext length 0xffff words never fits a 65535-byte datagram */
	static u8 pkt[65535];
	struct ksrtp_rtp_hdr h;

	rtp_with_ext(pkt, 15, 0xffff);
	KTAP_EXPECT_EQ(rtp_parse(pkt, sizeof(pkt), &h), -EINVAL);
	rtp_with_ext(pkt, 0, 0xffff);
	KTAP_EXPECT_EQ(rtp_parse(pkt, sizeof(pkt), &h), -EINVAL);
}

static void rtp_parse_largest_datagrams(void)
{
	/* the largest headers a UDP datagram can carry fit hdr_len */
	static u8 pkt[65535];
	struct ksrtp_rtp_hdr h;
	unsigned int need;

	/* 12 + 60 + 4 + 4 * 16357 = 65504 <= 65507, the IPv4 UDP maximum */
	need = rtp_with_ext(pkt, 15, 16357);
	KTAP_EXPECT_EQ(need, 65504);
	KTAP_EXPECT_EQ(rtp_parse(pkt, 65503, &h), -EINVAL);
	KTAP_ASSERT_EQ(rtp_parse(pkt, 65507, &h), 0);
	KTAP_EXPECT_EQ(h.hdr_len, 65504);
	/* 12 + 4 + 4 * 16379 = 65532 in a 65535-byte datagram */
	need = rtp_with_ext(pkt, 0, 16379);
	KTAP_EXPECT_EQ(need, 65532);
	KTAP_ASSERT_EQ(rtp_parse(pkt, 65535, &h), 0);
	KTAP_EXPECT_EQ(h.hdr_len, 65532);
}

static void rtp_parse_against_model(void)
{
	/* every first byte x small lengths x small extension lengths */
	u8 pkt[12 + 60 + 4 + 4 * 4 + 3];
	struct ksrtp_rtp_hdr h;
	unsigned int b0, words, len;
	long long want;

	for (b0 = 0; b0 < 256; b0++) {
		for (words = 0; words <= 4; words++) {
			memset(pkt, 0x77, sizeof(pkt));
			rtp_fixed(pkt, 0, 0xabcd, 0x10203040);
			pkt[0] = (u8)b0;
			pkt[12 + 4 * (b0 & 15) + 2] = 0;
			pkt[12 + 4 * (b0 & 15) + 3] = (u8)words;
			for (len = 0; len <= sizeof(pkt); len++) {
				int ret = rtp_parse(pkt, len, &h);

				want = model_rtp_hdr_len(pkt, len);
				if (!KTAP_EXPECT_EQ(ret, want < 0 ? -EINVAL : 0)) {
					ktap_diag("b0 %#04x words %u len %u",
						  b0, words, len);
					continue;
				}
				if (!ret && !KTAP_EXPECT_EQ(h.hdr_len, want))
					ktap_diag("b0 %#04x words %u len %u",
						  b0, words, len);
			}
		}
	}
}

/* ---- ksrtp_rtcp_parse ---- */

static void rtcp_parse_sender_report(void)
{
	/* SR: V=2 RC=0, PT 200, length 6, SSRC, NTP, RTP ts, counts */
	static const u8 sr[28] = {
		0x80, 0xc8, 0x00, 0x06, 0x9a, 0xbc, 0xde, 0xf0,
		0xe8, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0xa0,
	};
	u32 ssrc = 0;
	unsigned int len;

	KTAP_EXPECT_EQ(rtcp_parse(sr, sizeof(sr), &ssrc), 0);
	KTAP_EXPECT_EQ_U(ssrc, 0x9abcdef0);
	/* only the common header and the SSRC are required */
	ssrc = 0;
	KTAP_EXPECT_EQ(rtcp_parse(sr, 8, &ssrc), 0);
	KTAP_EXPECT_EQ_U(ssrc, 0x9abcdef0);
	for (len = 0; len < 8; len++)
		if (!KTAP_EXPECT_EQ(rtcp_parse(sr, len, &ssrc), -EINVAL))
			ktap_diag("len %u", len);
}

static void rtcp_parse_versions_and_types(void)
{
	u8 pkt[8] = { 0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01 };
	u32 ssrc;
	unsigned int v;

	for (v = 0; v < 4; v++) {
		pkt[0] = (u8)(v << 6) | 1;
		if (!KTAP_EXPECT_EQ(rtcp_parse(pkt, 8, &ssrc),
				    v == 2 ? 0 : -EINVAL))
			ktap_diag("version %u", v);
	}
	/* padding bit, report count 31, BYE: still the SSRC at offset 4 */
	pkt[0] = 0xbf;
	pkt[1] = 0xcb;
	ksrtp_put_be32(pkt + 4, 0xffffffff);
	KTAP_EXPECT_EQ(rtcp_parse(pkt, 8, &ssrc), 0);
	KTAP_EXPECT_EQ_U(ssrc, 0xffffffff);
}

static void rtp_rewrite_wraps_seq_and_timestamp(void)
{
	u8 p[16] = { 0x80, 0x60, 0xff, 0xfe, 0xff, 0xff, 0xff, 0x00,
		     0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4 };
	const struct ksrtp_rewrite rw = {
		.ssrc_in = 0x11223344, .ssrc_out = 0xcafef00d,
		.ts_offset = 0x200, .seq_offset = 3,
	};

	ksrtp_rtp_rewrite(p, &rw);
	KTAP_EXPECT_EQ_U(ksrtp_get_be16(p + 2), 1);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 4), 0x100);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 8), 0xcafef00d);
	KTAP_EXPECT_EQ_U(p[0], 0x80);
	KTAP_EXPECT_EQ_U(p[1], 0x60);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 12), 0x01020304);
}

/* SR + RR + SDES of the stream, and a BYE of another SSRC. */
static void rtcp_rewrite_compound(void)
{
	u8 p[28 + 8 + 12 + 8], want[sizeof(p)];
	const struct ksrtp_rewrite rw = {
		.ssrc_in = 0x01010101, .ssrc_out = 0x02020202, .ts_offset = 10,
	};
	unsigned int i;

	for (i = 0; i < sizeof(p); i++)
		p[i] = (u8)i;
	p[0] = 0x80; p[1] = 200; p[2] = 0; p[3] = 6;
	ksrtp_put_be32(p + 4, rw.ssrc_in);
	ksrtp_put_be32(p + 16, 0xfffffffa);
	p[28] = 0x80; p[29] = 201; p[30] = 0; p[31] = 1;
	ksrtp_put_be32(p + 32, rw.ssrc_in);
	p[36] = 0x81; p[37] = 202; p[38] = 0; p[39] = 2;
	ksrtp_put_be32(p + 40, rw.ssrc_in);
	p[48] = 0x81; p[49] = 203; p[50] = 0; p[51] = 1;
	ksrtp_put_be32(p + 52, 0x03030303);
	memcpy(want, p, sizeof(p));
	ksrtp_put_be32(want + 4, rw.ssrc_out);
	ksrtp_put_be32(want + 16, 4);
	ksrtp_put_be32(want + 32, rw.ssrc_out);
	ksrtp_put_be32(want + 40, rw.ssrc_out);
	ksrtp_rtcp_rewrite(p, sizeof(p), &rw);
	KTAP_EXPECT_EQ(memcmp(p, want, sizeof(p)), 0);
}

/* A length field past the datagram stops the walk; a short SR keeps its bytes. */
static void rtcp_rewrite_stops_at_bad_length(void)
{
	u8 p[28 + 8];
	const struct ksrtp_rewrite rw = {
		.ssrc_in = 0x01010101, .ssrc_out = 0x02020202, .ts_offset = 10,
	};

	memset(p, 0, sizeof(p));
	p[0] = 0x80; p[1] = 200; p[2] = 0; p[3] = 1;	/* an SR of 8 bytes */
	ksrtp_put_be32(p + 4, rw.ssrc_in);
	p[8] = 0x80; p[9] = 201; p[10] = 0; p[11] = 9;	/* 40 bytes: too long */
	ksrtp_put_be32(p + 12, rw.ssrc_in);
	ksrtp_rtcp_rewrite(p, sizeof(p), &rw);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 4), rw.ssrc_out);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 12), rw.ssrc_in);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 16), 0);
}

/* A 4-byte packet (length 0) has no SSRC: the next packet's header stays. */
static void rtcp_rewrite_empty_packet_has_no_ssrc(void)
{
	u8 p[4 + 8] = { 0x80, 201, 0, 0, 0x80, 201, 0, 1 };
	const struct ksrtp_rewrite rw = {
		.ssrc_in = 0x80c90001, .ssrc_out = 0x02020202,
	};

	ksrtp_put_be32(p + 8, rw.ssrc_in);
	ksrtp_rtcp_rewrite(p, sizeof(p), &rw);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 4), 0x80c90001);
	KTAP_EXPECT_EQ_U(ksrtp_get_be32(p + 8), rw.ssrc_out);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(classify_first_byte_boundaries),
	KTAP_TEST(classify_rtcp_by_second_byte),
	KTAP_TEST(classify_short_lengths),
	KTAP_TEST(classify_all_two_byte_prefixes),
	KTAP_TEST(rtp_parse_minimum_header),
	KTAP_TEST(rtp_parse_values_with_payload),
	KTAP_TEST(rtp_parse_rejects_other_versions),
	KTAP_TEST(rtp_parse_csrc_counts),
	KTAP_TEST(rtp_parse_extension_bounds),
	KTAP_TEST(rtp_parse_extension_length_is_big_endian),
	KTAP_TEST(rtp_parse_extension_max_length),
	KTAP_TEST(rtp_parse_largest_datagrams),
	KTAP_TEST(rtp_parse_against_model),
	KTAP_TEST(rtcp_parse_sender_report),
	KTAP_TEST(rtcp_parse_versions_and_types),
	KTAP_TEST(rtp_rewrite_wraps_seq_and_timestamp),
	KTAP_TEST(rtcp_rewrite_compound),
	KTAP_TEST(rtcp_rewrite_stops_at_bad_length),
	KTAP_TEST(rtcp_rewrite_empty_packet_has_no_ssrc),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
