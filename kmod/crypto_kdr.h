/* SPDX-License-Identifier: GPL-2.0 */
/* What crypto.c and crypto_kdr.c share: deriving one session's keys. */
#ifndef _KSRTP_CRYPTO_KDR_H
#define _KSRTP_CRYPTO_KDR_H

#include "crypto.h"

/* RFC 3711 section 4.3 labels */
enum {
	KDF_RTP_ENC, KDF_RTP_AUTH, KDF_RTP_SALT,
	KDF_RTCP_ENC, KDF_RTCP_AUTH, KDF_RTCP_SALT,
};

/* Bytes of a session's HMAC pad states (ipad and opad). */
unsigned int ksrtp_hmac_pads_size(void);

/*
 * The session keys of epoch r (0 with KDR 0) from kdf, a synchronous
 * ctr(aes) keyed with the master key; s->ipad/opad point to the room for
 * the pads if the suite has HMAC.
 */
int ksrtp_session_init(struct ksrtp_session *s,
		       const struct ksrtp_suite_info *suite, bool rx,
		       struct crypto_sync_skcipher *kdf, const u8 *msalt,
		       u8 label_base, u64 r);
void ksrtp_session_free(struct ksrtp_session *s);

/* Takes kdf, also when it fails. */
struct ksrtp_kdr *ksrtp_kdr_new(const struct ksrtp_suite_info *suite, bool rx,
				struct crypto_sync_skcipher *kdf,
				const u8 *msalt,
				const struct ksrtp_kdr_params *p);
void ksrtp_kdr_free(struct ksrtp_kdr *k);

#endif /* _KSRTP_CRYPTO_KDR_H */
