/* SPDX-License-Identifier: GPL-2.0 */
/* The per-packet IVs of the suites (crypto.c): AES-CM, AES-GCM and AES-f8. */
#ifndef _KSRTP_CRYPTO_IV_H
#define _KSRTP_CRYPTO_IV_H

#include "compat.h"
#include "crypto.h"

/* AES-CM IV: salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16 */
static inline void ksrtp_cm_iv(u8 *iv, const u8 *salt, u32 ssrc, u64 index)
{
	put_unaligned_be32(get_unaligned_be32(salt), iv);
	put_unaligned_be32(get_unaligned_be32(salt + 4) ^ ssrc, iv + 4);
	put_unaligned_be16(get_unaligned_be16(salt + 8) ^ (u16)(index >> 32),
			   iv + 8);
	put_unaligned_be32(get_unaligned_be32(salt + 10) ^ (u32)index, iv + 10);
	put_unaligned_be16(0, iv + 14);
}

/*
 * AES-f8 IVs: SRTP 0x00 || M || PT || SEQ || TS || SSRC || ROC (4.1.2.2),
 * i.e. the fixed header with its first byte zeroed, then the ROC; SRTCP
 * 0..0 (32 bits) || E || SRTCP index || the first 8 header bytes (4.1.2.3).
 */
static inline void ksrtp_f8_rtp_iv(u8 *iv, const u8 *hdr, u64 index)
{
	iv[0] = 0;
	memcpy(iv + 1, hdr + 1, 11);
	put_unaligned_be32((u32)(index >> 16), iv + 12);
}

static inline void ksrtp_f8_rtcp_iv(u8 *iv, const u8 *hdr, u32 eidx)
{
	put_unaligned_be32(0, iv);
	put_unaligned_be32(eidx, iv + 4);
	memcpy(iv + 8, hdr, 8);
}

/*
 * AES-GCM IV (RFC 7714 8.1, 9.1): salt XOR 00 00 || SSRC || index, the 48-bit
 * SRTP index (ROC || SEQ) or the 31-bit SRTCP index, which leaves the two
 * bytes before it zero.
 */
static inline void ksrtp_gcm_iv(u8 *iv, const u8 *salt, u32 ssrc, u64 index)
{
	put_unaligned_be16(get_unaligned_be16(salt), iv);
	put_unaligned_be32(get_unaligned_be32(salt + 2) ^ ssrc, iv + 2);
	put_unaligned_be16(get_unaligned_be16(salt + 6) ^ (u16)(index >> 32),
			   iv + 6);
	put_unaligned_be32(get_unaligned_be32(salt + 8) ^ (u32)index, iv + 8);
}

/* The stream cipher's IV into op->iv; false for the NULL cipher. */
static inline bool ksrtp_rtp_iv(const struct ksrtp_suite_info *suite,
				const struct ksrtp_session *s,
				struct ksrtp_crypto_op *op, const u8 *buf,
				u32 ssrc, u64 index)
{
	if (suite->cipher == KSRTP_CIPHER_CTR)
		ksrtp_cm_iv(op->iv, s->salt, ssrc, index);
	else if (suite->cipher == KSRTP_CIPHER_F8)
		ksrtp_f8_rtp_iv(op->iv, buf, index);
	else
		return false;
	return true;
}

static inline bool ksrtp_rtcp_iv(const struct ksrtp_suite_info *suite,
				 const struct ksrtp_session *s,
				 struct ksrtp_crypto_op *op, const u8 *buf,
				 u32 ssrc, u32 eidx)
{
	if (suite->cipher == KSRTP_CIPHER_CTR)
		ksrtp_cm_iv(op->iv, s->salt, ssrc, eidx & 0x7fffffff);
	else if (suite->cipher == KSRTP_CIPHER_F8)
		ksrtp_f8_rtcp_iv(op->iv, buf, eidx);
	else
		return false;
	return true;
}

#endif /* _KSRTP_CRYPTO_IV_H */
