// SPDX-License-Identifier: GPL-2.0
/*
 * SRTP/SRTCP packet transforms over the kernel crypto API: AES-CM with
 * HMAC-SHA1 (RFC 3711, RFC 6188), AES-f8 with HMAC-SHA1 (RFC 3711 4.1.2, by
 * the module's "f8" template), AES-GCM (RFC 7714) and the NULL cipher, plus
 * the RFC 3711 section 4.3 key derivation (KDR 0 here; other rates in
 * crypto_kdr.c).
 *
 * Sessions allocate "gcm(aes)" and "ctr(aes)" as any in-kernel user does,
 * asynchronous implementations allowed: on x86 before 6.15 the fast AES-NI
 * drivers exist only behind the SIMD wrapper, which completes a request
 * from cryptd when the FPU is not usable. Such a request returns
 * -EINPROGRESS and finishes in ksrtp_crypto_done(); the caller's op
 * carries everything the packet needs meanwhile. HMAC-SHA1 runs on one
 * unkeyed sha1 shash that all sessions share, from each session's exported
 * pad states (what hmac(sha1) keeps per transform, without a transform per
 * session); export and import are always by that one transform.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/gcm.h>
#include <crypto/sha1.h>

#include "compat.h"
#include "crypto.h"
#include "crypto_f8.h"
#include "crypto_kdr.h"
#include "portable.h"
#include "crypto_iv.h"

static const struct ksrtp_suite_info ksrtp_suites[] = {
	[KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80] = {
		"AES_CM_128_HMAC_SHA1_80", 16, 14, KSRTP_CIPHER_CTR, 10, 10 },
	[KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32] = {
		"AES_CM_128_HMAC_SHA1_32", 16, 14, KSRTP_CIPHER_CTR, 4, 10 },
	[KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80] = {
		"AES_192_CM_HMAC_SHA1_80", 24, 14, KSRTP_CIPHER_CTR, 10, 10 },
	[KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32] = {
		"AES_192_CM_HMAC_SHA1_32", 24, 14, KSRTP_CIPHER_CTR, 4, 10 },
	[KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80] = {
		"AES_256_CM_HMAC_SHA1_80", 32, 14, KSRTP_CIPHER_CTR, 10, 10 },
	[KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32] = {
		"AES_256_CM_HMAC_SHA1_32", 32, 14, KSRTP_CIPHER_CTR, 4, 10 },
	[KSRTP_SUITE_AEAD_AES_128_GCM] = {
		"AEAD_AES_128_GCM", 16, 12, KSRTP_CIPHER_GCM, 16, 16 },
	[KSRTP_SUITE_AEAD_AES_256_GCM] = {
		"AEAD_AES_256_GCM", 32, 12, KSRTP_CIPHER_GCM, 16, 16 },
	[KSRTP_SUITE_NULL_HMAC_SHA1_80] = {
		"NULL_HMAC_SHA1_80", 16, 14, KSRTP_CIPHER_NULL, 10, 10 },
	[KSRTP_SUITE_NULL_HMAC_SHA1_32] = {
		"NULL_HMAC_SHA1_32", 16, 14, KSRTP_CIPHER_NULL, 4, 10 },
	[KSRTP_SUITE_F8_128_HMAC_SHA1_80] = {
		"F8_128_HMAC_SHA1_80", 16, 14, KSRTP_CIPHER_F8, 10, 10 },
	[KSRTP_SUITE_F8_128_HMAC_SHA1_32] = {
		"F8_128_HMAC_SHA1_32", 16, 14, KSRTP_CIPHER_F8, 4, 10 },
};

const struct ksrtp_suite_info *ksrtp_suite_get(u32 id)
{
	if (id >= ARRAY_SIZE(ksrtp_suites) || !ksrtp_suites[id].name)
		return NULL;
	return &ksrtp_suites[id];
}

u32 ksrtp_suite_id(const struct ksrtp_suite_info *suite)
{
	return suite - ksrtp_suites;
}

/* Suites whose transforms this kernel provides (checked at load). */
static u32 ksrtp_suites_mask;

u32 ksrtp_suites_available(void)
{
	return ksrtp_suites_mask;
}

/*
 * Test only: wrap every transform in cryptd, so that every packet
 * completes asynchronously, as when the FPU is busy. Read at load.
 */
static bool force_async;
module_param(force_async, bool, 0444);
MODULE_PARM_DESC(force_async,
		 "Test only: every transform through cryptd (asynchronous completion)");

/* The algorithm names sessions allocate, and the drivers they got at load. */
static char ksrtp_gcm_name[CRYPTO_MAX_ALG_NAME] = "gcm(aes)";
static char ksrtp_ctr_name[CRYPTO_MAX_ALG_NAME] = "ctr(aes)";
static char ksrtp_f8_name[CRYPTO_MAX_ALG_NAME] = "f8(aes)";
static char ksrtp_gcm_driver[CRYPTO_MAX_ALG_NAME];
static char ksrtp_ctr_driver[CRYPTO_MAX_ALG_NAME];
static char ksrtp_f8_driver[CRYPTO_MAX_ALG_NAME];

const char *ksrtp_crypto_driver(enum ksrtp_cipher cipher)
{
	if (cipher == KSRTP_CIPHER_GCM)
		return ksrtp_gcm_driver;
	if (cipher == KSRTP_CIPHER_CTR)
		return ksrtp_ctr_driver;
	if (cipher == KSRTP_CIPHER_F8)
		return ksrtp_f8_driver;
	return "";
}

/* The largest request a session's transform needs: ops are sized by it. */
unsigned int ksrtp_reqsize_max;

void ksrtp_crypto_op_init(struct ksrtp_crypto_op *op, unsigned int req_cap)
{
	op->req_cap = req_cap;
	/* per packet only the buffers change */
	sg_init_table(op->sg1, ARRAY_SIZE(op->sg1));
	sg_init_table(op->sg2, ARRAY_SIZE(op->sg2));
}

static void ksrtp_reqsize_see(unsigned int n)
{
	unsigned int old = READ_ONCE(ksrtp_reqsize_max);

	while (n > old) {
		unsigned int cur = cmpxchg(&ksrtp_reqsize_max, old, n);

		if (cur == old)
			break;
		old = cur;
	}
}

/* The one sha1 transform, unkeyed: HMAC keys live in the sessions. */
static struct crypto_shash *ksrtp_sha1;
static unsigned int ksrtp_sha1_statesize;

unsigned int ksrtp_crypto_tail_size(void)
{
	/* ipad and opad for SRTP and for SRTCP */
	return 4 * ALIGN(ksrtp_sha1_statesize, 8);
}

unsigned int ksrtp_hmac_pads_size(void)
{
	return 2 * ALIGN(ksrtp_sha1_statesize, 8);
}

/*
 * The AES-CM PRF: x = (label << 48 | r) XOR master salt, keystream of
 * AES-CTR(master key, x * 2^16), i.e. zeros encrypted in CTR mode from that
 * IV; r = index >> log2(KDR), 0 with KDR 0. A 12-byte (AEAD) salt is
 * zero-padded to 14. kdf is a synchronous ctr(aes) keyed with the master key.
 */
static int ksrtp_kdf(struct crypto_sync_skcipher *kdf, const u8 *msalt,
		     unsigned int msalt_len, u8 label, u64 r, u8 *out,
		     unsigned int out_len)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, kdf);
	u8 iv[AES_BLOCK_SIZE];
	struct scatterlist sg;
	int err;

	memset(iv, 0, sizeof(iv));
	memcpy(iv, msalt, msalt_len);
	iv[7] ^= label;
	put_unaligned_be16(get_unaligned_be16(iv + 8) ^ (u16)(r >> 32), iv + 8);
	put_unaligned_be32(get_unaligned_be32(iv + 10) ^ (u32)r, iv + 10);
	memset(out, 0, out_len);
	sg_init_one(&sg, out, out_len);
	skcipher_request_set_sync_tfm(req, kdf);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, out_len, iv);
	err = crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
	return err;
}

void ksrtp_session_free(struct ksrtp_session *s)
{
	if (s->aead)
		crypto_free_aead(s->aead);
	if (s->skc)
		crypto_free_skcipher(s->skc);
	if (s->ipad)
		memzero_explicit(s->ipad, ksrtp_hmac_pads_size());
	memzero_explicit(s, sizeof(*s));
}

/* The exported sha1 state after one block, from a zeroed descriptor. */
static int ksrtp_sha1_block_state(const u8 *block, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, ksrtp_sha1);
	int err;

	desc->tfm = ksrtp_sha1;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, block, SHA1_BLOCK_SIZE);
	if (!err)
		err = crypto_shash_export(desc, out);
	shash_desc_zero(desc);
	return err;
}

/* The sha1 states after the inner and outer pads (RFC 2104). */
static int ksrtp_hmac_setkey(struct ksrtp_session *s, const u8 *key,
			     unsigned int key_len)
{
	u8 pad[SHA1_BLOCK_SIZE];
	unsigned int i;
	int err;

	memset(pad, 0x36, sizeof(pad));
	crypto_xor(pad, key, key_len);
	err = ksrtp_sha1_block_state(pad, s->ipad);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	if (!err)
		err = ksrtp_sha1_block_state(pad, s->opad);
	memzero_explicit(pad, sizeof(pad));
	return err;
}

/*
 * ctr(aes) keyed with the session key, or f8(aes) keyed with k_e || m, the
 * masking key m = k_s || 0x55.. (RFC 3711 4.1.2.1; crypto_f8.c's contract).
 */
static int ksrtp_session_skcipher(struct ksrtp_session *s,
				  const struct ksrtp_suite_info *suite,
				  bool sync, const u8 *key)
{
	bool f8 = suite->cipher == KSRTP_CIPHER_F8;
	const char *name = f8 ? ksrtp_f8_name : ksrtp_ctr_name;
	unsigned int n = suite->key_len;
	u8 km[F8_MAX_KEY];
	int err;

	if (sync)
		name = f8 ? "f8(aes)" : "ctr(aes)";
	s->skc = crypto_alloc_skcipher(name, 0, sync ? CRYPTO_ALG_ASYNC : 0);
	if (IS_ERR(s->skc)) {
		err = PTR_ERR(s->skc);
		s->skc = NULL;
		return err;
	}
	s->reqsize = sizeof(struct skcipher_request) +
		     crypto_skcipher_reqsize(s->skc);
	if (!f8)
		return crypto_skcipher_setkey(s->skc, key, n);
	if (2 * n > sizeof(km) || suite->salt_len > n)
		return -EINVAL;
	memcpy(km, key, n);
	memset(km + n, 0x55, n);
	memcpy(km + n, s->salt, suite->salt_len);
	err = crypto_skcipher_setkey(s->skc, km, 2 * n);
	memzero_explicit(km, sizeof(km));
	return err;
}

/*
 * The session's transform by name, asynchronous implementations allowed
 * unless it is for RX on a kernel where RX cannot finish a packet
 * asynchronously (compat.h): then the API hands out a synchronous one.
 */
static int ksrtp_session_cipher(struct ksrtp_session *s,
				const struct ksrtp_suite_info *suite, bool rx,
				const u8 *key)
{
	bool sync = rx && !KSRTP_RX_ASYNC;
	u32 mask = sync ? CRYPTO_ALG_ASYNC : 0;
	int err;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		s->aead = crypto_alloc_aead(sync ? "gcm(aes)" : ksrtp_gcm_name, 0,
					    mask);
		if (IS_ERR(s->aead)) {
			err = PTR_ERR(s->aead);
			s->aead = NULL;
			return err;
		}
		s->reqsize = sizeof(struct aead_request) +
			     crypto_aead_reqsize(s->aead);
		err = crypto_aead_setkey(s->aead, key, suite->key_len);
		if (!err)
			err = crypto_aead_setauthsize(s->aead, suite->srtp_tag);
	} else {
		err = ksrtp_session_skcipher(s, suite, sync, key);
	}
	ksrtp_reqsize_see(s->reqsize);
	return err;
}

int ksrtp_session_init(struct ksrtp_session *s,
		       const struct ksrtp_suite_info *suite, bool rx,
		       struct crypto_sync_skcipher *kdf, const u8 *msalt,
		       u8 label_base, u64 r)
{
	u8 key[AES_MAX_KEY_SIZE], auth[KSRTP_AUTH_KEY_LEN];
	int err;

	err = ksrtp_kdf(kdf, msalt, suite->salt_len, label_base + 2, r, s->salt,
			suite->salt_len);
	if (err)
		return err;
	if (suite->cipher != KSRTP_CIPHER_NULL) {
		err = ksrtp_kdf(kdf, msalt, suite->salt_len, label_base, r, key,
				suite->key_len);
		if (!err)
			err = ksrtp_session_cipher(s, suite, rx, key);
		memzero_explicit(key, sizeof(key));
		if (err || suite->cipher == KSRTP_CIPHER_GCM)
			return err;
	}
	err = ksrtp_kdf(kdf, msalt, suite->salt_len, label_base + 1, r, auth,
			sizeof(auth));
	if (!err)
		err = ksrtp_hmac_setkey(s, auth, sizeof(auth));
	memzero_explicit(auth, sizeof(auth));
	return err;
}

int ksrtp_crypto_init(struct ksrtp_crypto *c,
		      const struct ksrtp_suite_info *suite, bool rx,
		      const u8 *master_key, const u8 *master_salt, u8 *tail,
		      const struct ksrtp_kdr_params *kdr)
{
	unsigned int ss = ALIGN(ksrtp_sha1_statesize, 8);
	struct crypto_sync_skcipher *kdf;
	int err;

	memset(c, 0, sizeof(*c));
	c->suite = suite;
	if (ksrtp_suite_has_hmac(suite)) {
		c->rtp.ipad = tail;
		c->rtp.opad = tail + ss;
		c->rtcp.ipad = tail + 2 * ss;
		c->rtcp.opad = tail + 3 * ss;
	}
	/* the master key is expanded once for all six derivations */
	kdf = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(kdf))
		return PTR_ERR(kdf);
	err = crypto_sync_skcipher_setkey(kdf, master_key, suite->key_len);
	if (!err && kdr && kdr->log2) {
		/* the epochs' keys come later too: the KDR state keeps kdf */
		c->kdr = ksrtp_kdr_new(suite, rx, kdf, master_salt, kdr);
		if (!IS_ERR(c->kdr))
			return 0;
		err = PTR_ERR(c->kdr);
		c->kdr = NULL;
		ksrtp_crypto_free(c);
		return err;
	}
	if (!err)
		err = ksrtp_session_init(&c->rtp, suite, rx, kdf, master_salt,
					 KDF_RTP_ENC, 0);
	if (!err)
		err = ksrtp_session_init(&c->rtcp, suite, rx, kdf, master_salt,
					 KDF_RTCP_ENC, 0);
	crypto_free_sync_skcipher(kdf);	/* frees its key sensitively */
	if (err)
		ksrtp_crypto_free(c);
	return err;
}

void ksrtp_crypto_free(struct ksrtp_crypto *c)
{
	if (c->kdr)
		ksrtp_kdr_free(c->kdr);
	c->kdr = NULL;
	ksrtp_session_free(&c->rtp);
	ksrtp_session_free(&c->rtcp);
}

/* HMAC-SHA1 over data || tail (ROC for SRTP, nothing for SRTCP). */
static int ksrtp_hmac(const struct ksrtp_session *s, const u8 *data,
		      unsigned int len, const u8 *tail, unsigned int tail_len,
		      u8 *out)
{
	SHASH_DESC_ON_STACK(desc, ksrtp_sha1);
	u8 inner[SHA1_DIGEST_SIZE];
	int err;

	desc->tfm = ksrtp_sha1;
	err = crypto_shash_import(desc, s->ipad);
	if (!err)
		err = crypto_shash_update(desc, data, len);
	if (!err && tail_len)
		err = crypto_shash_update(desc, tail, tail_len);
	if (!err)
		err = crypto_shash_final(desc, inner);
	if (!err)
		err = crypto_shash_import(desc, s->opad);
	if (!err)
		err = crypto_shash_finup(desc, inner, sizeof(inner), out);
	memzero_explicit(inner, sizeof(inner));
	shash_desc_zero(desc);
	return err;
}

/* encrypt-then-MAC: the tag the op was told to append after its cipher */
static int ksrtp_op_mac(struct ksrtp_crypto_op *op)
{
	u8 tag[SHA1_DIGEST_SIZE];
	int err;

	err = ksrtp_hmac(op->mac, op->mac_buf, op->mac_len, op->mac_tail,
			 op->mac_tail_len, tag);
	if (!err)
		memcpy(op->mac_buf + op->tag_off, tag, op->tag_len);
	memzero_explicit(tag, sizeof(tag));
	return err;
}

/* An asynchronous request finished: report what the call would have. */
void ksrtp_crypto_done(void *data, int err)
{
	struct ksrtp_crypto_op *op = data;

	/* a backlogged request is first only accepted */
	if (err == -EINPROGRESS)
		return;
	if (!err && op->mac)
		err = ksrtp_op_mac(op);
	op->done(op, err ? err : op->res);
}

/* The result of a submitted request, or -EINPROGRESS (done() follows). */
static int ksrtp_crypto_result(struct ksrtp_crypto_op *op, int err)
{
	if (err == -EINPROGRESS ||
	    (err == -EBUSY && (op->req_flags & CRYPTO_TFM_REQ_MAY_BACKLOG)))
		return -EINPROGRESS;
	if (!err && op->mac)
		err = ksrtp_op_mac(op);
	return err ? err : op->res;
}

/* The session's stream cipher over len bytes at data from op->iv, then op->mac. */
static int ksrtp_skc_crypt(const struct ksrtp_session *s,
			   struct ksrtp_crypto_op *op, u8 *data,
			   unsigned int len)
{
	struct skcipher_request *req = (struct skcipher_request *)op->req;

	if (!len)
		return ksrtp_crypto_result(op, 0);
	if (unlikely(op->req_cap < s->reqsize))
		return -ENOBUFS;	/* a larger transform came meanwhile */
	sg_set_buf(op->sg1, data, len);
	skcipher_request_set_tfm(req, s->skc);
	skcipher_request_set_callback(req, op->req_flags, ksrtp_crypto_completion,
				      op);
	skcipher_request_set_crypt(req, op->sg1, op->sg1, len, op->iv);
	return ksrtp_crypto_result(op, crypto_skcipher_encrypt(req));
}

/* Have the op append an HMAC-SHA1 tag over buf[0, len) || tail. */
static void ksrtp_op_set_mac(struct ksrtp_crypto_op *op,
			     const struct ksrtp_session *s, u8 *buf,
			     unsigned int len, u32 tail, unsigned int tail_len,
			     unsigned int tag_off, unsigned int tag_len)
{
	op->mac = s;
	op->mac_buf = buf;
	op->mac_len = len;
	ksrtp_put_be32(op->mac_tail, tail);
	op->mac_tail_len = tail_len;
	op->tag_off = tag_off;
	op->tag_len = tag_len;
}

/*
 * AES-GCM in place: aad_len bytes of AAD at buf (plus aad_tail's four if
 * given), then text_len bytes of text at text; on encrypt the tag follows
 * the text. The AAD is one piece (the SIMD drivers of 6.1 allocate
 * otherwise): the packet's own when the text follows it, else a copy in
 * the op. Inlined into its four callers: one call less per packet.
 */
static __always_inline int
ksrtp_gcm_crypt(const struct ksrtp_session *s, struct ksrtp_crypto_op *op,
		bool enc, u8 *buf, unsigned int aad_len, const u8 *aad_tail,
		u8 *text, unsigned int text_len)
{
	struct aead_request *req = (struct aead_request *)op->req;
	unsigned int tag = enc ? crypto_aead_authsize(s->aead) : 0;
	struct scatterlist *sg;
	const u8 *aad = buf;
	int err;

	/* the op was sized before a larger transform came: the next one fits */
	if (unlikely(op->req_cap < s->reqsize))
		return -ENOBUFS;
	if (aad_tail) {
		/* SRTCP: 8-byte header and E+index */
		memcpy(op->aad, buf, aad_len);
		memcpy(op->aad + aad_len, aad_tail, 4);
		aad = op->aad;
		aad_len += 4;
	}
	if (aad == buf && text == buf + aad_len) {
		sg = op->sg1;
		sg_set_buf(&sg[0], buf, aad_len + text_len + tag);
	} else {
		sg = op->sg2;
		sg_set_buf(&sg[0], aad, aad_len);
		sg_set_buf(&sg[1], text, text_len + tag);
	}
	aead_request_set_tfm(req, s->aead);
	aead_request_set_callback(req, op->req_flags, ksrtp_crypto_completion, op);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, sg, sg, text_len, op->iv);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	return ksrtp_crypto_result(op, err);
}

int ksrtp_srtp_protect(const struct ksrtp_crypto *c, struct ksrtp_crypto_op *op,
		       u8 *buf, unsigned int hdr_len, unsigned int len, u32 ssrc,
		       u64 index, bool encrypt, bool auth, const u8 *mki,
		       unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	const struct ksrtp_session *s = ksrtp_crypto_session(c, false, index);

	if (unlikely(!s))
		return -EKEYREJECTED;
	op->mac = NULL;
	if (suite->cipher == KSRTP_CIPHER_GCM) {
		/* header | ciphertext | tag | MKI */
		if (mki_len)
			memcpy(buf + len + suite->srtp_tag, mki, mki_len);
		op->res = len + suite->srtp_tag + mki_len;
		ksrtp_gcm_iv(op->iv, s->salt, ssrc, index);
		return ksrtp_gcm_crypt(s, op, true, buf, hdr_len, NULL,
				       buf + hdr_len, len - hdr_len);
	}

	/* header | payload | MKI | tag; the tag covers header and payload */
	if (mki_len)
		memcpy(buf + len, mki, mki_len);
	op->res = len + mki_len + (auth ? suite->srtp_tag : 0);
	if (auth)
		ksrtp_op_set_mac(op, s, buf, len, (u32)(index >> 16), 4,
				 len + mki_len, suite->srtp_tag);
	if (encrypt && ksrtp_rtp_iv(suite, s, op, buf, ssrc, index))
		return ksrtp_skc_crypt(s, op, buf + hdr_len, len - hdr_len);
	return ksrtp_crypto_result(op, 0);
}

/* Check the HMAC-SHA1 tag at rtag over buf[0, len) || tail. */
static int ksrtp_hmac_verify(const struct ksrtp_session *s, const u8 *buf,
			     unsigned int len, const u8 *tail,
			     unsigned int tail_len, const u8 *rtag,
			     unsigned int tag_len)
{
	u8 tag[SHA1_DIGEST_SIZE];
	int err;

	err = ksrtp_hmac(s, buf, len, tail, tail_len, tag);
	if (!err && crypto_memneq(tag, rtag, tag_len))
		err = -EBADMSG;
	memzero_explicit(tag, sizeof(tag));
	return err;
}

int ksrtp_srtp_unprotect(const struct ksrtp_crypto *c,
			 struct ksrtp_crypto_op *op, u8 *buf,
			 unsigned int hdr_len, unsigned int len, u32 ssrc,
			 u64 index, bool encrypt, bool auth,
			 unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	const struct ksrtp_session *s = ksrtp_crypto_session(c, false, index);
	u8 roc[4];
	int err;

	if (unlikely(!s))
		return -EKEYREJECTED;
	op->mac = NULL;
	if (suite->cipher == KSRTP_CIPHER_GCM) {
		if (len < hdr_len + suite->srtp_tag + mki_len)
			return -EINVAL;
		len -= mki_len;
		op->res = len - suite->srtp_tag;
		ksrtp_gcm_iv(op->iv, s->salt, ssrc, index);
		return ksrtp_gcm_crypt(s, op, false, buf, hdr_len, NULL,
				       buf + hdr_len, len - hdr_len);
	}

	if (auth) {
		if (len < hdr_len + suite->srtp_tag + mki_len)
			return -EINVAL;
		len -= suite->srtp_tag + mki_len;
		ksrtp_put_be32(roc, (u32)(index >> 16));
		err = ksrtp_hmac_verify(s, buf, len, roc, 4,
					buf + len + mki_len, suite->srtp_tag);
		if (err)
			return err;
	} else {
		if (len < hdr_len + mki_len)
			return -EINVAL;
		len -= mki_len;
	}
	op->res = len;
	if (encrypt && ksrtp_rtp_iv(suite, s, op, buf, ssrc, index))
		return ksrtp_skc_crypt(s, op, buf + hdr_len, len - hdr_len);
	return len;
}

int ksrtp_srtcp_protect(const struct ksrtp_crypto *c, struct ksrtp_crypto_op *op,
			u8 *buf, unsigned int len, u32 ssrc, u32 index,
			bool encrypt, const u8 *mki, unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	const struct ksrtp_session *s = ksrtp_crypto_session(c, true, index);
	u8 *eidx;

	if (unlikely(!s))
		return -EKEYREJECTED;
	/* E says whether the payload is encrypted: never with the NULL cipher */
	if (suite->cipher == KSRTP_CIPHER_NULL)
		encrypt = false;
	op->mac = NULL;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		/* header | ciphertext | tag | E+index | MKI; AAD header+E+index */
		eidx = buf + len + suite->srtcp_tag;
		ksrtp_put_be32(eidx, (encrypt ? 0x80000000u : 0) | index);
		if (mki_len)
			memcpy(eidx + 4, mki, mki_len);
		op->res = len + suite->srtcp_tag + 4 + mki_len;
		ksrtp_gcm_iv(op->iv, s->salt, ssrc, index);
		return ksrtp_gcm_crypt(s, op, true, buf, 8, eidx, buf + 8,
				       len - 8);
	}

	/* header | payload | E+index | MKI | tag; tag over header..E+index */
	ksrtp_put_be32(buf + len, (encrypt ? 0x80000000u : 0) | index);
	if (mki_len)
		memcpy(buf + len + 4, mki, mki_len);
	op->res = len + 4 + mki_len + suite->srtcp_tag;
	ksrtp_op_set_mac(op, s, buf, len + 4, 0, 0, len + 4 + mki_len,
			 suite->srtcp_tag);
	if (encrypt && ksrtp_rtcp_iv(suite, s, op, buf, ssrc, 0x80000000u | index))
		return ksrtp_skc_crypt(s, op, buf + 8, len - 8);
	return ksrtp_crypto_result(op, 0);
}

int ksrtp_srtcp_unprotect(const struct ksrtp_crypto *c,
			  struct ksrtp_crypto_op *op, u8 *buf,
			  unsigned int len, u32 ssrc, u32 index, bool encrypted,
			  unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	const struct ksrtp_session *s = ksrtp_crypto_session(c, true, index);
	unsigned int plen;
	int err;

	if (len < 8 + 4 + mki_len + suite->srtcp_tag)
		return -EINVAL;
	if (unlikely(!s))
		return -EKEYREJECTED;
	op->mac = NULL;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		u8 *eidx;

		plen = len - mki_len - 4 - suite->srtcp_tag;
		eidx = buf + plen + suite->srtcp_tag;
		if (!encrypted)
			return -EBADMSG;	/* refused at setup */
		op->res = plen;
		ksrtp_gcm_iv(op->iv, s->salt, ssrc, index);
		return ksrtp_gcm_crypt(s, op, false, buf, 8, eidx, buf + 8,
				       plen - 8 + suite->srtcp_tag);
	}

	plen = len - mki_len - suite->srtcp_tag - 4;
	err = ksrtp_hmac_verify(s, buf, plen + 4, NULL, 0,
				buf + len - suite->srtcp_tag, suite->srtcp_tag);
	if (err)
		return err;
	op->res = plen;
	if (encrypted && ksrtp_rtcp_iv(suite, s, op, buf, ssrc, 0x80000000u | index))
		return ksrtp_skc_crypt(s, op, buf + 8, plen - 8);
	return plen;
}

/* The driver the API gives for name (mask as given), or "" if none. */
static void ksrtp_driver_probe(const char *name, bool aead, u32 mask,
			       char *out)
{
	out[0] = 0;
	if (aead) {
		struct crypto_aead *t = crypto_alloc_aead(name, 0, mask);

		if (IS_ERR(t))
			return;
		strscpy(out, crypto_aead_driver_name(t), CRYPTO_MAX_ALG_NAME);
		crypto_free_aead(t);
	} else {
		struct crypto_skcipher *t = crypto_alloc_skcipher(name, 0, mask);

		if (IS_ERR(t))
			return;
		strscpy(out, crypto_skcipher_driver_name(t), CRYPTO_MAX_ALG_NAME);
		crypto_free_skcipher(t);
	}
}

/*
 * force_async: an asynchronous wrapper around the synchronous driver of
 * name: for an AEAD the kernel's choice (compat.h), else cryptd (7.x
 * kernels may have no cryptd). The wrappers keep their inner algorithm's
 * name, so they are found by driver name. Without one, name stays as it is
 * (synchronous).
 */
static void ksrtp_async_name(char *name, bool aead)
{
	static const char *const aead_wrappers[] = KSRTP_AEAD_ASYNC_WRAPPERS;
	static const char *const skcipher_wrappers[] = { "cryptd" };
	const char *const *wrappers = aead ? aead_wrappers : skcipher_wrappers;
	unsigned int i, n = aead ? ARRAY_SIZE(aead_wrappers) :
				   ARRAY_SIZE(skcipher_wrappers);
	char drv[CRYPTO_MAX_ALG_NAME], try[CRYPTO_MAX_ALG_NAME], got[CRYPTO_MAX_ALG_NAME];

	ksrtp_driver_probe(name, aead, CRYPTO_ALG_ASYNC, drv);
	for (i = 0; drv[0] && i < n; i++) {
		if (snprintf(try, sizeof(try), "%s(%s)", wrappers[i], drv) >=
		    sizeof(try))
			break;
		ksrtp_driver_probe(try, aead, 0, got);
		if (got[0]) {
			strscpy(name, try, CRYPTO_MAX_ALG_NAME);
			return;
		}
	}
	pr_warn("ksrtp: force_async: no asynchronous wrapper for %s\n", name);
}

int ksrtp_crypto_load(void)
{
	static const u8 zero[32];
	struct ksrtp_crypto probe;
	u8 *tail;
	int err;
	u32 i;

	err = ksrtp_f8_register();
	if (err) {
		pr_err("ksrtp: cannot register the f8 template (%d)\n", err);
		return err;
	}
	ksrtp_sha1 = crypto_alloc_shash("sha1", 0, 0);
	if (IS_ERR(ksrtp_sha1)) {
		pr_err("ksrtp: no sha1 transform (%ld)\n", PTR_ERR(ksrtp_sha1));
		ksrtp_sha1 = NULL;
		ksrtp_f8_unregister();
		return -ENOENT;
	}
	ksrtp_sha1_statesize = crypto_shash_statesize(ksrtp_sha1);
	if (force_async) {
		/* test only: production allocates by the plain names */
		ksrtp_async_name(ksrtp_gcm_name, true);
		ksrtp_async_name(ksrtp_ctr_name, false);
		ksrtp_async_name(ksrtp_f8_name, false);
	}
	ksrtp_driver_probe(ksrtp_gcm_name, true, 0, ksrtp_gcm_driver);
	ksrtp_driver_probe(ksrtp_ctr_name, false, 0, ksrtp_ctr_driver);
	ksrtp_driver_probe(ksrtp_f8_name, false, 0, ksrtp_f8_driver);

	/* Which suites can this kernel run? This also sizes the requests. */
	tail = kzalloc(ksrtp_crypto_tail_size(), GFP_KERNEL);
	if (!tail) {
		ksrtp_crypto_unload();
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(ksrtp_suites); i++) {
		if (!ksrtp_suites[i].name)
			continue;
		if (ksrtp_crypto_init(&probe, &ksrtp_suites[i], false, zero,
				      zero, tail, NULL))
			continue;
		ksrtp_crypto_free(&probe);
		if (ksrtp_crypto_init(&probe, &ksrtp_suites[i], true, zero,
				      zero, tail, NULL))
			continue;
		ksrtp_crypto_free(&probe);
		ksrtp_suites_mask |= BIT(i);
	}
	kfree_sensitive(tail);
	pr_info("ksrtp: gcm(aes) by %s, ctr(aes) by %s, f8(aes) by %s, sha1 by %s (state %u B), requests up to %u B%s%s\n",
		ksrtp_gcm_driver[0] ? ksrtp_gcm_driver : "(none)",
		ksrtp_ctr_driver[0] ? ksrtp_ctr_driver : "(none)",
		ksrtp_f8_driver[0] ? ksrtp_f8_driver : "(none)",
		crypto_shash_driver_name(ksrtp_sha1), ksrtp_sha1_statesize,
		ksrtp_crypto_reqsize(), force_async ? " (force_async)" : "",
		KSRTP_RX_ASYNC ? "" : "; RX synchronous only");
	return 0;
}

void ksrtp_crypto_unload(void)
{
	if (ksrtp_sha1)
		crypto_free_shash(ksrtp_sha1);
	ksrtp_sha1 = NULL;
	ksrtp_f8_unregister();
}
