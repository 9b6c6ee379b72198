/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 7983 first-byte demultiplexing and bounds-checked RTP (RFC 3550) and
 * RTCP header parsing. Plain C (see portable.h): also built natively for
 * unit tests and libFuzzer.
 */
#ifndef _KSRTP_RTP_H
#define _KSRTP_RTP_H

#include "portable.h"

enum ksrtp_class {
	KSRTP_CLASS_OTHER,
	KSRTP_CLASS_STUN,	/* 0..3 */
	KSRTP_CLASS_ZRTP,	/* 16..19 */
	KSRTP_CLASS_DTLS,	/* 20..63 */
	KSRTP_CLASS_TURN,	/* 64..79: TURN channel data */
	KSRTP_CLASS_RTP,	/* 128..191, PT not 64..95 */
	KSRTP_CLASS_RTCP,	/* 128..191, PT 64..95 (RFC 5761 rtcp-mux) */
};

#define KSRTP_RTP_MIN_HDR	12
#define KSRTP_RTCP_MIN_HDR	8

/* Classify a datagram by its first bytes (RFC 7983, RFC 5761 section 4). */
static inline enum ksrtp_class ksrtp_classify(const u8 *p, unsigned int len)
{
	u8 b;

	if (!len)
		return KSRTP_CLASS_OTHER;
	b = p[0];
	/* RTP/RTCP first: nearly every packet is */
	if ((b & 0xc0) == 0x80) {
		if (len < 2)
			return KSRTP_CLASS_OTHER;
		/* RTCP packet types 192..223 are RTP PTs 64..95 with M set */
		if ((p[1] & 0x7f) >= 64 && (p[1] & 0x7f) <= 95)
			return KSRTP_CLASS_RTCP;
		return KSRTP_CLASS_RTP;
	}
	if (b <= 3)
		return KSRTP_CLASS_STUN;
	if (b >= 16 && b <= 19)
		return KSRTP_CLASS_ZRTP;
	if (b >= 20 && b <= 63)
		return KSRTP_CLASS_DTLS;
	if (b >= 64 && b <= 79)
		return KSRTP_CLASS_TURN;
	return KSRTP_CLASS_OTHER;
}

struct ksrtp_rtp_hdr {
	u32 ssrc;
	u16 seq;
	u32 hdr_len;	/* fixed header + CSRCs + extension */
};

/*
 * Parse an RTP header; the whole header, CSRC list and extension must lie
 * within len. Returns 0 or -EINVAL.
 */
static inline int ksrtp_rtp_parse(const u8 *p, unsigned int len,
				  struct ksrtp_rtp_hdr *h)
{
	unsigned int hl;

	if (len < KSRTP_RTP_MIN_HDR || (p[0] >> 6) != 2)
		return -EINVAL;
	hl = KSRTP_RTP_MIN_HDR + 4 * (p[0] & 0x0f);
	if (hl > len)
		return -EINVAL;
	if (p[0] & 0x10) {
		/* extension: 16-bit profile, 16-bit length in 32-bit words */
		if (hl + 4 > len)
			return -EINVAL;
		hl += 4 + 4 * (unsigned int)ksrtp_get_be16(p + hl + 2);
		if (hl > len)
			return -EINVAL;
	}
	h->seq = ksrtp_get_be16(p + 2);
	h->ssrc = ksrtp_get_be32(p + 8);
	h->hdr_len = hl;
	return 0;
}

/* Parse the first RTCP header of a compound packet: version and sender SSRC. */
static inline int ksrtp_rtcp_parse(const u8 *p, unsigned int len, u32 *ssrc)
{
	if (len < KSRTP_RTCP_MIN_HDR || (p[0] >> 6) != 2)
		return -EINVAL;
	*ssrc = ksrtp_get_be32(p + 4);
	return 0;
}

/* How a relay rewrites a stream it forwards (RTP and its RTCP). */
struct ksrtp_rewrite {
	u32 ssrc_in, ssrc_out;
	u32 ts_offset;
	u16 seq_offset;
};

/* Rewrite a plain RTP packet that ksrtp_rtp_parse() accepted. */
static inline void ksrtp_rtp_rewrite(u8 *p, const struct ksrtp_rewrite *rw)
{
	ksrtp_put_be16(p + 2, (u16)(ksrtp_get_be16(p + 2) + rw->seq_offset));
	ksrtp_put_be32(p + 4, ksrtp_get_be32(p + 4) + rw->ts_offset);
	ksrtp_put_be32(p + 8, rw->ssrc_out);
}

#define KSRTP_RTCP_SR		200
#define KSRTP_RTCP_SR_MIN	28	/* header, SSRC, NTP, RTP ts, counts */

/*
 * Rewrite a plain compound RTCP packet: every packet whose sender SSRC is
 * the stream's gets the new SSRC, a sender report also the offset RTP
 * timestamp. Report blocks (about other streams) stay. Stops at the first
 * packet whose length field does not fit.
 */
static inline void ksrtp_rtcp_rewrite(u8 *p, unsigned int len,
				      const struct ksrtp_rewrite *rw)
{
	unsigned int off = 0, plen;

	while (len - off >= KSRTP_RTCP_MIN_HDR) {
		plen = 4 * ((unsigned int)ksrtp_get_be16(p + off + 2) + 1);
		if (plen > len - off)
			break;
		/* a 4-byte packet has no SSRC: those bytes are the next one's */
		if (plen >= KSRTP_RTCP_MIN_HDR &&
		    ksrtp_get_be32(p + off + 4) == rw->ssrc_in) {
			ksrtp_put_be32(p + off + 4, rw->ssrc_out);
			if (p[off + 1] == KSRTP_RTCP_SR && plen >= KSRTP_RTCP_SR_MIN)
				ksrtp_put_be32(p + off + 16,
					       ksrtp_get_be32(p + off + 16) +
					       rw->ts_offset);
		}
		off += plen;
	}
}

#endif /* _KSRTP_RTP_H */
