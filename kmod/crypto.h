/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_CRYPTO_H
#define _KSRTP_CRYPTO_H

#include <linux/types.h>
#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <linux/scatterlist.h>
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
	KSRTP_CIPHER_F8,	/* AES-f8, RFC 3711 4.1.2 (crypto_f8.c) */
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
 * Session keys of one direction of one master key, for SRTP or SRTCP: a
 * gcm(aes), ctr(aes) or f8(aes) transform as the crypto API hands it out (possibly
 * asynchronous), and for HMAC-SHA1 the states of the module's one sha1
 * transform after the keyed inner and outer pads (RFC 2104), sized by
 * crypto_shash_statesize().
 */
struct ksrtp_session {
	struct crypto_aead *aead;
	struct crypto_skcipher *skc;	/* ctr(aes) or f8(aes) */
	unsigned int reqsize;	/* request + its context, for this transform */
	u8 salt[KSRTP_SALT_MAX];
	u8 *ipad;		/* in the key's tail, see ksrtp_crypto_tail_size() */
	u8 *opad;
};

struct ksrtp_kdr;

/*
 * The crypto state of one master key: SRTP and SRTCP session keys, or with
 * a key derivation rate (RFC 3711 4.3.1) the keys of the epochs around the
 * stream's index (crypto_kdr.c).
 */
struct ksrtp_crypto {
	const struct ksrtp_suite_info *suite;
	struct ksrtp_session rtp;
	struct ksrtp_session rtcp;
	struct ksrtp_kdr *kdr;	/* NULL with KDR 0 */
};

/*
 * KDR 2^log2 (log2 0: KDR 0, keys derived once), and the SRTP and SRTCP
 * indices the key's first packets will have: their epochs are derived
 * before the key is used.
 */
struct ksrtp_kdr_params {
	u8 log2;
	u64 rtp_index;
	u32 rtcp_index;
};

/* The KDRs the module supports: 2^16 to 2^24 (see crypto_kdr.c). */
#define KSRTP_KDR_LOG2_MIN	16
#define KSRTP_KDR_LOG2_MAX	24

const struct ksrtp_session *ksrtp_kdr_session(struct ksrtp_kdr *k, bool rtcp,
					      u64 index);
void ksrtp_kdr_seen(struct ksrtp_kdr *k, bool rtcp, u64 index);

/*
 * The session keys for a packet with this index, NULL if its epoch's are
 * not derived (yet). RCU held.
 */
static inline const struct ksrtp_session *
ksrtp_crypto_session(const struct ksrtp_crypto *c, bool rtcp, u64 index)
{
	if (likely(!c->kdr))
		return rtcp ? &c->rtcp : &c->rtp;
	return ksrtp_kdr_session(c->kdr, rtcp, index);
}

/*
 * A packet with this index authenticated (RX) or was protected (TX): with
 * a KDR, derive the next epoch's keys ahead of the stream.
 */
static inline void ksrtp_crypto_seen(const struct ksrtp_crypto *c, bool rtcp,
				     u64 index)
{
	if (unlikely(c->kdr))
		ksrtp_kdr_seen(c->kdr, rtcp, index);
}

/*
 * Bytes a struct ksrtp_crypto needs after it for the HMAC pad states: only
 * suites with HMAC-SHA1 (not AEAD) use them.
 */
unsigned int ksrtp_crypto_tail_size(void);

static inline bool ksrtp_suite_has_hmac(const struct ksrtp_suite_info *suite)
{
	return suite->cipher != KSRTP_CIPHER_GCM;
}

int ksrtp_crypto_init(struct ksrtp_crypto *c, const struct ksrtp_suite_info *suite,
		      bool rx, const u8 *master_key, const u8 *master_salt,
		      u8 *tail, const struct ksrtp_kdr_params *kdr);
void ksrtp_crypto_free(struct ksrtp_crypto *c);

/*
 * One packet's crypto request and what it needs while in flight. The
 * transforms may complete asynchronously (the x86 SIMD wrapper hands a
 * request to cryptd when the FPU is not usable): a call then returns
 * -EINPROGRESS and done() is called later, from process context, with what
 * the call would have returned. Any other return is the result, and done()
 * is not called. Callers embed this last in their own state, followed by
 * room for the request (ksrtp_crypto_reqsize()).
 */
struct ksrtp_crypto_op {
	void (*done)(struct ksrtp_crypto_op *op, int res);
	u32 req_flags;		/* CRYPTO_TFM_REQ_MAY_BACKLOG where we may wait */
	unsigned int req_cap;	/* bytes of req[] */
	int res;		/* the result when the transform succeeds */
	/* encrypt-then-MAC: the tag to append once the cipher is done */
	const struct ksrtp_session *mac;
	u8 *mac_buf;
	unsigned int mac_len, tag_off;
	u8 mac_tail[4];
	u8 mac_tail_len, tag_len;
	struct scatterlist sg1[1];	/* end-marked once (ksrtp_crypto_op_init) */
	struct scatterlist sg2[2];
	u8 iv[AES_BLOCK_SIZE];
	u8 aad[16];		/* SRTCP: header and E+index, contiguous */
	u8 req[] __aligned(CRYPTO_MINALIGN);
};

/* Set up a new op (zeroed, req_cap bytes of request). */
void ksrtp_crypto_op_init(struct ksrtp_crypto_op *op, unsigned int req_cap);

/*
 * Request bytes a new op should have room for: it grows as transforms
 * with larger requests are allocated, and a call with an op too small for
 * its session's transform fails with -ENOBUFS.
 */
extern unsigned int ksrtp_reqsize_max;

/* The request room an op needs for every transform installed so far. */
static inline unsigned int ksrtp_crypto_reqsize(void)
{
	return READ_ONCE(ksrtp_reqsize_max);
}

/*
 * The packet transforms work in place on a linear, writable buffer that has
 * room for the trailer (KSRTP_TRAILER_MAX). buf must stay valid until the
 * operation completes.
 *
 * SRTP: buf = header (hdr_len) | payload; protect appends MKI and tag in the
 * suite's order and gives the new length; unprotect takes the whole packet
 * (the caller has used the MKI to pick the key) and gives the plain length,
 * or -EBADMSG if authentication fails. All four give -EKEYREJECTED when the
 * keys of the index's KDR epoch are not derived.
 */
int ksrtp_srtp_protect(const struct ksrtp_crypto *c, struct ksrtp_crypto_op *op,
		       u8 *buf, unsigned int hdr_len, unsigned int len, u32 ssrc,
		       u64 index, bool encrypt, bool auth, const u8 *mki,
		       unsigned int mki_len);
int ksrtp_srtp_unprotect(const struct ksrtp_crypto *c,
			 struct ksrtp_crypto_op *op, u8 *buf,
			 unsigned int hdr_len, unsigned int len, u32 ssrc,
			 u64 index, bool encrypt, bool auth,
			 unsigned int mki_len);

/*
 * SRTCP: buf = RTCP compound packet; protect appends E+index, MKI and tag
 * in the suite's order. Unprotect takes the whole packet and gives the
 * plain length, or -EBADMSG.
 */
int ksrtp_srtcp_protect(const struct ksrtp_crypto *c, struct ksrtp_crypto_op *op,
			u8 *buf, unsigned int len, u32 ssrc, u32 index,
			bool encrypt, const u8 *mki, unsigned int mki_len);
int ksrtp_srtcp_unprotect(const struct ksrtp_crypto *c,
			  struct ksrtp_crypto_op *op, u8 *buf,
			  unsigned int len, u32 ssrc, u32 index, bool encrypted,
			  unsigned int mki_len);

/* The drivers in use, for info-get: "" when none. */
const char *ksrtp_crypto_driver(enum ksrtp_cipher cipher);

int ksrtp_crypto_load(void);
void ksrtp_crypto_unload(void);

#endif /* _KSRTP_CRYPTO_H */
