/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_CRYPTO_H
#define _KSRTP_CRYPTO_H

#include <linux/types.h>
#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <crypto/skcipher.h>

#include "main.h"

#define KSRTP_SALT_MAX		14
#define KSRTP_AUTH_KEY_LEN	20	/* HMAC-SHA1 session key, RFC 3711 */
#define KSRTP_TAG_MAX		16
#define KSRTP_TRAILER_MAX	(KSRTP_TAG_MAX + KSRTP_MAX_MKI_LEN + 4)

enum ksrtp_cipher {
	KSRTP_CIPHER_NULL,
	KSRTP_CIPHER_CTR,	/* AES-CM, RFC 3711 / 6188 */
	KSRTP_CIPHER_GCM,	/* AEAD, RFC 7714 */
};

struct ksrtp_suite_info {
	const char *name;
	u8 key_len;		/* master and session encryption key */
	u8 salt_len;		/* master and session salt */
	u8 cipher;		/* enum ksrtp_cipher */
	u8 srtp_tag;		/* SRTP authentication tag length */
	u8 srtcp_tag;		/* SRTCP authentication tag length */
};

const struct ksrtp_suite_info *ksrtp_suite_get(u32 id);
u32 ksrtp_suites_available(void);
u32 ksrtp_suite_id(const struct ksrtp_suite_info *suite);

/*
 * Session keys of one direction of one master key, for SRTP or SRTCP.
 * With simd set, aead or ctr is an internal SIMD driver, usable only when
 * crypto_simd_usable(); otherwise the packet is done in C from key. HMAC
 * runs on one unkeyed sha1 transform that all sessions share, from the
 * session's precomputed pad states (what hmac(sha1) keeps per transform).
 */
struct ksrtp_session {
	struct crypto_aead *aead;
	struct crypto_sync_skcipher *ctr;
	bool simd;
	u8 key_len;
	u8 salt[KSRTP_SALT_MAX];
	u8 key[AES_MAX_KEY_SIZE];	/* for the no-SIMD fallback */
	/* HMAC-SHA1: the hash states after the keyed inner and outer pads */
	u8 ipad[sizeof(struct sha1_state)] __aligned(8);
	u8 opad[sizeof(struct sha1_state)] __aligned(8);
};

/* The crypto state of one master key: SRTP and SRTCP session keys. */
struct ksrtp_crypto {
	const struct ksrtp_suite_info *suite;
	struct ksrtp_session rtp;
	struct ksrtp_session rtcp;
};

int ksrtp_crypto_init(struct ksrtp_crypto *c, const struct ksrtp_suite_info *suite,
		      const u8 *master_key, const u8 *master_salt);
void ksrtp_crypto_free(struct ksrtp_crypto *c);

/*
 * The packet transforms work in place on a linear, writable buffer that has
 * room for the trailer (KSRTP_TRAILER_MAX), with bottom halves off: they use
 * per-CPU scratch, and an FPU section that our RX must not interrupt.
 *
 * SRTP: buf = header (hdr_len) | payload; protect appends MKI and tag in the
 * suite's order and returns the new length; unprotect takes the whole packet
 * (the caller has used the MKI to pick the key) and returns the plain
 * length, or -EBADMSG if authentication fails.
 */
int ksrtp_srtp_protect(const struct ksrtp_crypto *c, u8 *buf,
		       unsigned int hdr_len, unsigned int len, u32 ssrc,
		       u64 index, bool encrypt, bool auth, const u8 *mki,
		       unsigned int mki_len);
int ksrtp_srtp_unprotect(const struct ksrtp_crypto *c, u8 *buf,
			 unsigned int hdr_len, unsigned int len, u32 ssrc,
			 u64 index, bool encrypt, bool auth,
			 unsigned int mki_len);

/*
 * SRTCP: buf = RTCP compound packet; protect appends E+index, MKI and tag
 * in the suite's order. Unprotect takes the whole packet and returns the
 * plain length, or -EBADMSG.
 */
int ksrtp_srtcp_protect(const struct ksrtp_crypto *c, u8 *buf,
			unsigned int len, u32 ssrc, u32 index, bool encrypt,
			const u8 *mki, unsigned int mki_len);
int ksrtp_srtcp_unprotect(const struct ksrtp_crypto *c, u8 *buf,
			  unsigned int len, u32 ssrc, u32 index, bool encrypted,
			  unsigned int mki_len);

/* This CPU's room for a copy of a packet; bottom halves off. */
u8 *ksrtp_pkt_copy_buf(void);

/* The drivers in use, for info-get: "" when none. */
const char *ksrtp_crypto_driver(enum ksrtp_cipher cipher);

int ksrtp_crypto_percpu_init(void);
void ksrtp_crypto_percpu_free(void);

#endif /* _KSRTP_CRYPTO_H */
