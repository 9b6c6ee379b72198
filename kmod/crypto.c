// SPDX-License-Identifier: GPL-2.0
/*
 * SRTP/SRTCP packet transforms over the kernel crypto API: AES-CM with
 * HMAC-SHA1 (RFC 3711, RFC 6188), AES-GCM (RFC 7714) and the NULL cipher,
 * plus the RFC 3711 section 4.3 key derivation (KDR 0).
 *
 * Only synchronous transforms are used, so a packet is done when the call
 * returns; AEAD requests live in a preallocated per-CPU scratch area, so the
 * datapath never allocates.
 *
 * The fast AES-NI/AVX drivers of x86 are registered only behind the async
 * SIMD wrapper (crypto/simd.c); their inner algorithm is an internal one,
 * "__" + the wrapper's driver name, synchronous, that does its own
 * kernel_fpu_begin/end and may be called whenever crypto_simd_usable().
 * ksrtp finds it at load as crypto/simd.c does and uses it directly; when
 * SIMD is not usable (a softirq that interrupted a kernel FPU section, which
 * kernel_fpu_begin() does not prevent on 6.1/6.12), the packet is done in C
 * with the AES library and gf128mul from the session key.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <asm/simd.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/gcm.h>
#include <crypto/gf128mul.h>
#include <crypto/internal/simd.h>
#include <crypto/sha1.h>

#include "compat.h"
#include "crypto.h"
#include "portable.h"

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

/* Test only: do every packet as if SIMD were unusable. */
static bool crypto_fallback;
module_param(crypto_fallback, bool, 0644);
MODULE_PARM_DESC(crypto_fallback,
		 "Test only: never use the SIMD drivers, as when the FPU is not usable");

/*
 * The implementation of a cipher that sessions allocate: by name with
 * type/mask; simd says it is an internal SIMD driver.
 */
struct ksrtp_impl {
	char name[CRYPTO_MAX_ALG_NAME];
	u32 type, mask;
	bool simd;
};

static struct ksrtp_impl ksrtp_gcm_impl, ksrtp_ctr_impl;

const char *ksrtp_crypto_driver(enum ksrtp_cipher cipher)
{
	if (cipher == KSRTP_CIPHER_GCM)
		return ksrtp_gcm_impl.name;
	if (cipher == KSRTP_CIPHER_CTR)
		return ksrtp_ctr_impl.name;
	return "";
}

static void ksrtp_impl_set(struct ksrtp_impl *impl, const char *name,
			   bool simd)
{
	strscpy(impl->name, name, sizeof(impl->name));
	impl->simd = simd;
	impl->type = simd ? CRYPTO_ALG_INTERNAL : 0;
	impl->mask = CRYPTO_ALG_ASYNC | (simd ? CRYPTO_ALG_INTERNAL : 0);
}

static struct crypto_aead *ksrtp_impl_aead(const struct ksrtp_impl *impl)
{
	return crypto_alloc_aead(impl->name, impl->type, impl->mask);
}

static struct crypto_sync_skcipher *
ksrtp_impl_ctr(const struct ksrtp_impl *impl)
{
	return crypto_alloc_sync_skcipher(impl->name, impl->type, impl->mask);
}

/*
 * The driver to use for gcm(aes): the preferred one if it is synchronous,
 * else the internal algorithm behind its SIMD wrapper, else the best
 * synchronous one. name is the preferred driver's name, async its flag.
 */
static void ksrtp_discover(struct ksrtp_impl *impl, const char *name,
			   bool async, bool gcm)
{
	char inner[CRYPTO_MAX_ALG_NAME];
	int err;

	if (!async) {
		ksrtp_impl_set(impl, name, false);
		return;
	}
	if (snprintf(inner, sizeof(inner), "__%s", name) < (int)sizeof(inner)) {
		ksrtp_impl_set(impl, inner, true);
		if (gcm) {
			struct crypto_aead *t = ksrtp_impl_aead(impl);

			err = PTR_ERR_OR_ZERO(t);
			if (!err)
				crypto_free_aead(t);
		} else {
			struct crypto_sync_skcipher *t = ksrtp_impl_ctr(impl);

			err = PTR_ERR_OR_ZERO(t);
			if (!err)
				crypto_free_sync_skcipher(t);
		}
		if (!err)
			return;
	}
	/* no usable internal algorithm: the synchronous choice, by cra_name */
	ksrtp_impl_set(impl, gcm ? "gcm(aes)" : "ctr(aes)", false);
}

static void ksrtp_crypto_discover(void)
{
	struct crypto_skcipher *ctr;
	struct crypto_aead *gcm;

	gcm = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (!IS_ERR(gcm)) {
		ksrtp_discover(&ksrtp_gcm_impl,
			       crypto_tfm_alg_driver_name(crypto_aead_tfm(gcm)),
			       crypto_aead_alg(gcm)->base.cra_flags & CRYPTO_ALG_ASYNC,
			       true);
		crypto_free_aead(gcm);
	} else {
		ksrtp_impl_set(&ksrtp_gcm_impl, "gcm(aes)", false);
	}
	ctr = crypto_alloc_skcipher("ctr(aes)", 0, 0);
	if (!IS_ERR(ctr)) {
		ksrtp_discover(&ksrtp_ctr_impl,
			       crypto_tfm_alg_driver_name(crypto_skcipher_tfm(ctr)),
			       crypto_skcipher_alg(ctr)->base.cra_flags & CRYPTO_ALG_ASYNC,
			       false);
		crypto_free_skcipher(ctr);
	} else {
		ksrtp_impl_set(&ksrtp_ctr_impl, "ctr(aes)", false);
	}
}

/* RFC 3711 section 4.3 labels */
enum {
	KDF_RTP_ENC, KDF_RTP_AUTH, KDF_RTP_SALT,
	KDF_RTCP_ENC, KDF_RTCP_AUTH, KDF_RTCP_SALT,
};

/*
 * The AES-CM PRF with KDR 0: x = label << 48 XOR master salt, keystream of
 * AES-CTR(master key, x * 2^16). A 12-byte (AEAD) salt is zero-padded to 14.
 * aes is the expanded master key.
 */
static void ksrtp_kdf(const struct crypto_aes_ctx *aes, const u8 *msalt,
		      unsigned int msalt_len, u8 label, u8 *out,
		      unsigned int out_len)
{
	u8 iv[AES_BLOCK_SIZE], ks[AES_BLOCK_SIZE];
	unsigned int off, n;

	memset(iv, 0, sizeof(iv));
	memcpy(iv, msalt, msalt_len);
	iv[7] ^= label;
	for (off = 0; off < out_len; off += n) {
		aes_encrypt(aes, ks, iv);
		n = min_t(unsigned int, out_len - off, AES_BLOCK_SIZE);
		memcpy(out + off, ks, n);
		/* 16-bit block counter in the last two bytes */
		if (++iv[15] == 0)
			iv[14]++;
	}
	memzero_explicit(ks, sizeof(ks));
}

static void ksrtp_session_free(struct ksrtp_session *s)
{
	if (s->aead)
		crypto_free_aead(s->aead);
	if (s->ctr)
		crypto_free_sync_skcipher(s->ctr);
	memzero_explicit(s, sizeof(*s));
}

/* Scratch for one AEAD operation; requests must fit (checked at setup). */
#define KSRTP_AEAD_REQ_MAX	1024

struct ksrtp_scratch {
	u8 req[KSRTP_AEAD_REQ_MAX] __aligned(CRYPTO_MINALIGN);
	struct scatterlist sg1[1];	/* end-marked once at allocation */
	struct scatterlist sg2[2];
	u8 aad[16];		/* SRTCP: header and E+index, contiguous */
	u8 iv[GCM_AES_IV_SIZE];
	struct crypto_aes_ctx aes;	/* the no-SIMD fallback's key */
};

static DEFINE_PER_CPU(struct ksrtp_scratch *, ksrtp_scratch);

/*
 * A failed AEAD decryption leaves the buffer scrambled, so trying a second
 * key (a rekey without MKI) needs the packet as received: one copy per CPU.
 */
static DEFINE_PER_CPU(u8 *, ksrtp_pkt_copy);

u8 *ksrtp_pkt_copy_buf(void)
{
	return *this_cpu_ptr(&ksrtp_pkt_copy);
}

/* The one sha1 transform, unkeyed: HMAC keys live in the sessions. */
static struct crypto_shash *ksrtp_sha1;

/*
 * The transform that computes the sessions' pad states at install:
 * sha1-generic when it keeps its state as ksrtp_sha1 does (checked at
 * load), else ksrtp_sha1. For one block, the SIMD drivers' FPU section
 * costs more than the block itself, and emulated (TCG) it costs far more.
 */
static struct crypto_shash *ksrtp_sha1_setup;

/* The exported sha1 state after one block, from a zeroed descriptor. */
static int ksrtp_sha1_block_state(struct crypto_shash *tfm, const u8 *block,
				  u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	memset(desc, 0, sizeof(*desc) + crypto_shash_descsize(tfm));
	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, block, SHA1_BLOCK_SIZE);
	if (!err)
		err = crypto_shash_export(desc, out);
	shash_desc_zero(desc);
	return err;
}

/* The state after one block of 0x36: what the two drivers must agree on. */
static int ksrtp_sha1_probe_state(struct crypto_shash *tfm, u8 *out)
{
	u8 block[SHA1_BLOCK_SIZE];

	memset(block, 0x36, sizeof(block));
	return ksrtp_sha1_block_state(tfm, block, out);
}

static struct crypto_shash *ksrtp_sha1_setup_find(void)
{
	u8 a[sizeof(struct sha1_state)], b[sizeof(struct sha1_state)];
	struct crypto_shash *gen;

	gen = crypto_alloc_shash("sha1-generic", 0, 0);
	if (IS_ERR(gen))
		return ksrtp_sha1;
	if (crypto_shash_statesize(gen) == crypto_shash_statesize(ksrtp_sha1) &&
	    crypto_shash_statesize(gen) <= sizeof(a) &&
	    !ksrtp_sha1_probe_state(gen, a) &&
	    !ksrtp_sha1_probe_state(ksrtp_sha1, b) &&
	    !memcmp(a, b, crypto_shash_statesize(gen)))
		return gen;
	crypto_free_shash(gen);
	return ksrtp_sha1;
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
	err = ksrtp_sha1_block_state(ksrtp_sha1_setup, pad, s->ipad);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	if (!err)
		err = ksrtp_sha1_block_state(ksrtp_sha1_setup, pad, s->opad);
	memzero_explicit(pad, sizeof(pad));
	return err;
}

/* An internal SIMD driver needs the key again for the no-SIMD fallback. */
static void ksrtp_session_keep_key(struct ksrtp_session *s,
				   const struct ksrtp_impl *impl, const u8 *key,
				   unsigned int key_len)
{
	s->simd = impl->simd;
	if (!s->simd)
		return;
	memcpy(s->key, key, key_len);
	s->key_len = key_len;
}

/* May this packet use the session's SIMD driver? Bottom halves off. */
static bool ksrtp_use_simd(const struct ksrtp_session *s)
{
	return !s->simd || (crypto_simd_usable() && !READ_ONCE(crypto_fallback));
}

static int ksrtp_session_init(struct ksrtp_session *s,
			      const struct ksrtp_suite_info *suite,
			      const struct crypto_aes_ctx *aes, const u8 *msalt,
			      u8 label_base)
{
	u8 key[32], auth[KSRTP_AUTH_KEY_LEN];
	int err;

	ksrtp_kdf(aes, msalt, suite->salt_len, label_base + 2, s->salt,
		  suite->salt_len);

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		s->aead = ksrtp_impl_aead(&ksrtp_gcm_impl);
		if (IS_ERR(s->aead)) {
			err = PTR_ERR(s->aead);
			s->aead = NULL;
			return err;
		}
		if (sizeof(struct aead_request) + crypto_aead_reqsize(s->aead) >
		    KSRTP_AEAD_REQ_MAX)
			return -EOPNOTSUPP;
		ksrtp_kdf(aes, msalt, suite->salt_len, label_base, key,
			  suite->key_len);
		err = crypto_aead_setkey(s->aead, key, suite->key_len);
		if (!err)
			err = crypto_aead_setauthsize(s->aead, suite->srtp_tag);
		ksrtp_session_keep_key(s, &ksrtp_gcm_impl, key, suite->key_len);
		memzero_explicit(key, sizeof(key));
		return err;
	}

	if (suite->cipher == KSRTP_CIPHER_CTR) {
		s->ctr = ksrtp_impl_ctr(&ksrtp_ctr_impl);
		if (IS_ERR(s->ctr)) {
			err = PTR_ERR(s->ctr);
			s->ctr = NULL;
			return err;
		}
		ksrtp_kdf(aes, msalt, suite->salt_len, label_base, key,
			  suite->key_len);
		err = crypto_sync_skcipher_setkey(s->ctr, key, suite->key_len);
		ksrtp_session_keep_key(s, &ksrtp_ctr_impl, key, suite->key_len);
		memzero_explicit(key, sizeof(key));
		if (err)
			return err;
	}

	ksrtp_kdf(aes, msalt, suite->salt_len, label_base + 1, auth,
		  sizeof(auth));
	err = ksrtp_hmac_setkey(s, auth, sizeof(auth));
	memzero_explicit(auth, sizeof(auth));
	return err;
}

int ksrtp_crypto_init(struct ksrtp_crypto *c,
		      const struct ksrtp_suite_info *suite,
		      const u8 *master_key, const u8 *master_salt)
{
	struct crypto_aes_ctx *aes;
	int err;

	memset(c, 0, sizeof(*c));
	c->suite = suite;
	/* the master key is expanded once for all six derivations */
	aes = kmalloc(sizeof(*aes), GFP_KERNEL);
	if (!aes)
		return -ENOMEM;
	err = aes_expandkey(aes, master_key, suite->key_len);
	if (!err)
		err = ksrtp_session_init(&c->rtp, suite, aes, master_salt,
					 KDF_RTP_ENC);
	if (!err)
		err = ksrtp_session_init(&c->rtcp, suite, aes, master_salt,
					 KDF_RTCP_ENC);
	kfree_sensitive(aes);
	if (err)
		ksrtp_crypto_free(c);
	return err;
}

void ksrtp_crypto_free(struct ksrtp_crypto *c)
{
	ksrtp_session_free(&c->rtp);
	ksrtp_session_free(&c->rtcp);
}

/* AES-CM IV: salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16 */
static void ksrtp_cm_iv(u8 *iv, const u8 *salt, u32 ssrc, u64 index)
{
	put_unaligned_be32(get_unaligned_be32(salt), iv);
	put_unaligned_be32(get_unaligned_be32(salt + 4) ^ ssrc, iv + 4);
	put_unaligned_be16(get_unaligned_be16(salt + 8) ^ (u16)(index >> 32),
			   iv + 8);
	put_unaligned_be32(get_unaligned_be32(salt + 10) ^ (u32)index, iv + 10);
	put_unaligned_be16(0, iv + 14);
}

/* AES-CTR in C with an expanded key: the no-SIMD fallback. */
static void ksrtp_ctr_c(const struct crypto_aes_ctx *aes, u8 *data,
			unsigned int len, u8 *ctr)
{
	u8 ks[AES_BLOCK_SIZE];
	unsigned int n;

	for (; len; len -= n, data += n) {
		n = min_t(unsigned int, len, AES_BLOCK_SIZE);
		aes_encrypt(aes, ks, ctr);
		crypto_xor(data, ks, n);
		crypto_inc(ctr, AES_BLOCK_SIZE);
	}
	memzero_explicit(ks, sizeof(ks));
}

static int ksrtp_ctr_crypt(const struct ksrtp_session *s, u8 *data,
			   unsigned int len, u32 ssrc, u64 index)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, s->ctr);
	struct scatterlist sg;
	u8 iv[AES_BLOCK_SIZE];
	int err = 0;

	if (!len)
		return 0;
	ksrtp_cm_iv(iv, s->salt, ssrc, index);
	if (ksrtp_use_simd(s)) {
		sg_init_one(&sg, data, len);
		skcipher_request_set_sync_tfm(req, s->ctr);
		skcipher_request_set_callback(req, 0, NULL, NULL);
		skcipher_request_set_crypt(req, &sg, &sg, len, iv);
		err = crypto_skcipher_encrypt(req);
		skcipher_request_zero(req);
	} else {
		struct crypto_aes_ctx *aes = &(*this_cpu_ptr(&ksrtp_scratch))->aes;

		err = aes_expandkey(aes, s->key, s->key_len);
		if (!err)
			ksrtp_ctr_c(aes, data, len, iv);
		memzero_explicit(aes, sizeof(*aes));
	}
	return err;
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

/* GHASH of len bytes, the last block zero-padded. */
static void ksrtp_ghash(be128 *acc, const be128 *h, const u8 *p,
			unsigned int len)
{
	unsigned int n;

	for (; len; len -= n, p += n) {
		n = min_t(unsigned int, len, AES_BLOCK_SIZE);
		crypto_xor((u8 *)acc, p, n);
		gf128mul_lle(acc, h);
	}
}

/*
 * AES-GCM in C with the session key (as lib/crypto/aesgcm.c, which 6.1
 * lacks): the no-SIMD fallback. A decryption is authenticated before the
 * text is touched.
 */
static int ksrtp_gcm_fallback(const struct ksrtp_session *s,
			      struct crypto_aes_ctx *aes, bool enc,
			      const u8 *aad, unsigned int aad_len, u8 *text,
			      unsigned int len, const u8 *iv)
{
	unsigned int taglen = s->aead->authsize;
	u8 ctr[AES_BLOCK_SIZE], tag[AES_BLOCK_SIZE];
	be128 h = {}, acc = {}, lens;
	int err = 0;

	if (!enc)
		len -= taglen;
	err = aes_expandkey(aes, s->key, s->key_len);
	if (err)
		goto out;
	aes_encrypt(aes, (u8 *)&h, (u8 *)&h);
	memcpy(ctr, iv, GCM_AES_IV_SIZE);
	ksrtp_put_be32(ctr + GCM_AES_IV_SIZE, 2);
	if (enc)
		ksrtp_ctr_c(aes, text, len, ctr);
	ksrtp_ghash(&acc, &h, aad, aad_len);
	ksrtp_ghash(&acc, &h, text, len);
	lens.a = cpu_to_be64((u64)aad_len * 8);
	lens.b = cpu_to_be64((u64)len * 8);
	ksrtp_ghash(&acc, &h, (u8 *)&lens, sizeof(lens));
	ksrtp_put_be32(ctr + GCM_AES_IV_SIZE, 1);
	aes_encrypt(aes, tag, ctr);
	crypto_xor(tag, (u8 *)&acc, AES_BLOCK_SIZE);
	if (enc) {
		memcpy(text + len, tag, taglen);
	} else if (crypto_memneq(tag, text + len, taglen)) {
		err = -EBADMSG;
	} else {
		ksrtp_put_be32(ctr + GCM_AES_IV_SIZE, 2);
		ksrtp_ctr_c(aes, text, len, ctr);
	}
out:
	memzero_explicit(&h, sizeof(h));
	memzero_explicit(tag, sizeof(tag));
	memzero_explicit(aes, sizeof(*aes));
	return err;
}

/*
 * AES-GCM in place: aad_len bytes of AAD at buf (plus aad_tail's four if
 * given), then text_len bytes of text at text; on encrypt the tag follows
 * the text. The AAD is one piece (the SIMD drivers of 6.1 allocate
 * otherwise): the packet's own when the text follows it, else a copy in the
 * scratch.
 */
static int ksrtp_gcm_crypt(const struct ksrtp_session *s, bool enc, u8 *buf,
			   unsigned int aad_len, const u8 *aad_tail,
			   u8 *text, unsigned int text_len, const u8 *iv)
{
	unsigned int tag = enc ? s->aead->authsize : 0;
	struct ksrtp_scratch *sc;
	struct aead_request *req;
	struct scatterlist *sg;
	const u8 *aad = buf;

	sc = *this_cpu_ptr(&ksrtp_scratch);
	if (aad_tail) {
		/* SRTCP: 8-byte header and E+index */
		memcpy(sc->aad, buf, aad_len);
		memcpy(sc->aad + aad_len, aad_tail, 4);
		aad = sc->aad;
		aad_len += 4;
	}
	if (!ksrtp_use_simd(s)) {
		return ksrtp_gcm_fallback(s, &sc->aes, enc, aad, aad_len, text,
					  text_len, iv);
	}
	req = (struct aead_request *)sc->req;
	memcpy(sc->iv, iv, GCM_AES_IV_SIZE);
	if (aad == buf && text == buf + aad_len) {
		sg = sc->sg1;
		sg_set_buf(&sg[0], buf, aad_len + text_len + tag);
	} else {
		sg = sc->sg2;
		sg_set_buf(&sg[0], aad, aad_len);
		sg_set_buf(&sg[1], text, text_len + tag);
	}
	aead_request_set_tfm(req, s->aead);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, sg, sg, text_len, sc->iv);
	/* the request holds no key material: reused as is by the next packet */
	return enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
}

/*
 * AES-GCM IV (RFC 7714 8.1, 9.1): salt XOR 00 00 || SSRC || index, the 48-bit
 * SRTP index (ROC || SEQ) or the 31-bit SRTCP index, which leaves the two
 * bytes before it zero.
 */
static void ksrtp_gcm_iv(u8 *iv, const u8 *salt, u32 ssrc, u64 index)
{
	put_unaligned_be16(get_unaligned_be16(salt), iv);
	put_unaligned_be32(get_unaligned_be32(salt + 2) ^ ssrc, iv + 2);
	put_unaligned_be16(get_unaligned_be16(salt + 6) ^ (u16)(index >> 32),
			   iv + 6);
	put_unaligned_be32(get_unaligned_be32(salt + 8) ^ (u32)index, iv + 8);
}

int ksrtp_srtp_protect(const struct ksrtp_crypto *c, u8 *buf,
		       unsigned int hdr_len, unsigned int len, u32 ssrc,
		       u64 index, bool encrypt, bool auth, const u8 *mki,
		       unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	u8 tag[SHA1_DIGEST_SIZE], roc[4];
	int err;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		u8 iv[GCM_AES_IV_SIZE];

		ksrtp_gcm_iv(iv, c->rtp.salt, ssrc, index);
		err = ksrtp_gcm_crypt(&c->rtp, true, buf, hdr_len, NULL,
				      buf + hdr_len, len - hdr_len, iv);
		if (err)
			return err;
		/* header | ciphertext | tag | MKI */
		len += suite->srtp_tag;
		if (mki_len)
			memcpy(buf + len, mki, mki_len);
		return len + mki_len;
	}

	if (encrypt && suite->cipher == KSRTP_CIPHER_CTR) {
		err = ksrtp_ctr_crypt(&c->rtp, buf + hdr_len, len - hdr_len,
				      ssrc, index);
		if (err)
			return err;
	}
	/* header | payload | MKI | tag; the tag covers header and payload */
	if (mki_len)
		memcpy(buf + len, mki, mki_len);
	if (!auth)
		return len + mki_len;
	ksrtp_put_be32(roc, (u32)(index >> 16));
	err = ksrtp_hmac(&c->rtp, buf, len, roc, 4, tag);
	if (err)
		return err;
	memcpy(buf + len + mki_len, tag, suite->srtp_tag);
	memzero_explicit(tag, sizeof(tag));
	return len + mki_len + suite->srtp_tag;
}

int ksrtp_srtp_unprotect(const struct ksrtp_crypto *c, u8 *buf,
			 unsigned int hdr_len, unsigned int len, u32 ssrc,
			 u64 index, bool encrypt, bool auth,
			 unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	u8 tag[SHA1_DIGEST_SIZE], roc[4];
	int err;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		u8 iv[GCM_AES_IV_SIZE];

		if (len < hdr_len + suite->srtp_tag + mki_len)
			return -EINVAL;
		len -= mki_len;
		ksrtp_gcm_iv(iv, c->rtp.salt, ssrc, index);
		err = ksrtp_gcm_crypt(&c->rtp, false, buf, hdr_len, NULL,
				      buf + hdr_len, len - hdr_len, iv);
		if (err)
			return err;
		return len - suite->srtp_tag;
	}

	if (auth) {
		const u8 *rtag;

		if (len < hdr_len + suite->srtp_tag + mki_len)
			return -EINVAL;
		rtag = buf + len - suite->srtp_tag;
		len -= suite->srtp_tag + mki_len;
		ksrtp_put_be32(roc, (u32)(index >> 16));
		err = ksrtp_hmac(&c->rtp, buf, len, roc, 4, tag);
		if (err)
			return err;
		err = crypto_memneq(tag, rtag, suite->srtp_tag);
		memzero_explicit(tag, sizeof(tag));
		if (err)
			return -EBADMSG;
	} else {
		if (len < hdr_len + mki_len)
			return -EINVAL;
		len -= mki_len;
	}
	if (encrypt && suite->cipher == KSRTP_CIPHER_CTR) {
		err = ksrtp_ctr_crypt(&c->rtp, buf + hdr_len, len - hdr_len,
				      ssrc, index);
		if (err)
			return err;
	}
	return len;
}

int ksrtp_srtcp_protect(const struct ksrtp_crypto *c, u8 *buf,
			unsigned int len, u32 ssrc, u32 index, bool encrypt,
			const u8 *mki, unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	u8 tag[SHA1_DIGEST_SIZE], eidx[4];
	int err;

	/* E says whether the payload is encrypted: never with the NULL cipher */
	if (suite->cipher == KSRTP_CIPHER_NULL)
		encrypt = false;
	ksrtp_put_be32(eidx, (encrypt ? 0x80000000u : 0) | index);

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		u8 iv[GCM_AES_IV_SIZE];

		/* header | ciphertext | tag | E+index | MKI; AAD header+E+index */
		ksrtp_gcm_iv(iv, c->rtcp.salt, ssrc, index);
		err = ksrtp_gcm_crypt(&c->rtcp, true, buf, 8, eidx, buf + 8,
				      len - 8, iv);
		if (err)
			return err;
		len += suite->srtcp_tag;
		memcpy(buf + len, eidx, 4);
		if (mki_len)
			memcpy(buf + len + 4, mki, mki_len);
		return len + 4 + mki_len;
	}

	/* header | payload | E+index | MKI | tag; tag over header..E+index */
	if (encrypt && suite->cipher == KSRTP_CIPHER_CTR) {
		err = ksrtp_ctr_crypt(&c->rtcp, buf + 8, len - 8, ssrc, index);
		if (err)
			return err;
	}
	memcpy(buf + len, eidx, 4);
	len += 4;
	err = ksrtp_hmac(&c->rtcp, buf, len, NULL, 0, tag);
	if (err)
		return err;
	if (mki_len)
		memcpy(buf + len, mki, mki_len);
	memcpy(buf + len + mki_len, tag, suite->srtcp_tag);
	memzero_explicit(tag, sizeof(tag));
	return len + mki_len + suite->srtcp_tag;
}

int ksrtp_srtcp_unprotect(const struct ksrtp_crypto *c, u8 *buf,
			  unsigned int len, u32 ssrc, u32 index, bool encrypted,
			  unsigned int mki_len)
{
	const struct ksrtp_suite_info *suite = c->suite;
	u8 tag[SHA1_DIGEST_SIZE];
	unsigned int plen;
	int err;

	if (len < 8 + 4 + mki_len + suite->srtcp_tag)
		return -EINVAL;

	if (suite->cipher == KSRTP_CIPHER_GCM) {
		u8 iv[GCM_AES_IV_SIZE];
		u8 *eidx;

		plen = len - mki_len - 4 - suite->srtcp_tag;
		eidx = buf + plen + suite->srtcp_tag;
		if (!encrypted)
			return -EBADMSG;	/* refused at setup */
		ksrtp_gcm_iv(iv, c->rtcp.salt, ssrc, index);
		err = ksrtp_gcm_crypt(&c->rtcp, false, buf, 8, eidx, buf + 8,
				      plen - 8 + suite->srtcp_tag, iv);
		return err ? err : plen;
	}

	plen = len - mki_len - suite->srtcp_tag - 4;
	err = ksrtp_hmac(&c->rtcp, buf, plen + 4, NULL, 0, tag);
	if (err)
		return err;
	err = crypto_memneq(tag, buf + len - suite->srtcp_tag,
			    suite->srtcp_tag);
	memzero_explicit(tag, sizeof(tag));
	if (err)
		return -EBADMSG;
	if (encrypted && suite->cipher == KSRTP_CIPHER_CTR) {
		err = ksrtp_ctr_crypt(&c->rtcp, buf + 8, plen - 8, ssrc, index);
		if (err)
			return err;
	}
	return plen;
}

int ksrtp_crypto_percpu_init(void)
{
	static const u8 zero[32];
	struct ksrtp_crypto probe;
	int cpu;
	u32 i;

	for_each_possible_cpu(cpu) {
		struct ksrtp_scratch *sc;

		sc = kzalloc_node(sizeof(*sc), GFP_KERNEL, cpu_to_node(cpu));
		if (!sc) {
			ksrtp_crypto_percpu_free();
			return -ENOMEM;
		}
		sg_init_table(sc->sg1, 1);
		sg_init_table(sc->sg2, 2);
		per_cpu(ksrtp_scratch, cpu) = sc;
		per_cpu(ksrtp_pkt_copy, cpu) = kvmalloc_node(KSRTP_MAX_DATAGRAM,
							     GFP_KERNEL,
							     cpu_to_node(cpu));
		if (!per_cpu(ksrtp_pkt_copy, cpu)) {
			ksrtp_crypto_percpu_free();
			return -ENOMEM;
		}
	}

	ksrtp_crypto_discover();
	ksrtp_sha1 = crypto_alloc_shash("sha1", 0, 0);
	if (IS_ERR(ksrtp_sha1) ||
	    crypto_shash_statesize(ksrtp_sha1) > sizeof(probe.rtp.ipad)) {
		if (!IS_ERR(ksrtp_sha1))
			crypto_free_shash(ksrtp_sha1);
		ksrtp_sha1 = NULL;
		ksrtp_crypto_percpu_free();
		return -ENOENT;
	}
	ksrtp_sha1_setup = ksrtp_sha1_setup_find();
	pr_info("ksrtp: gcm(aes) by %s%s, ctr(aes) by %s%s, sha1 by %s (pads by %s)\n",
		ksrtp_gcm_impl.name,
		ksrtp_gcm_impl.simd ? " (SIMD, C fallback)" : "",
		ksrtp_ctr_impl.name,
		ksrtp_ctr_impl.simd ? " (SIMD, C fallback)" : "",
		crypto_shash_driver_name(ksrtp_sha1),
		crypto_shash_driver_name(ksrtp_sha1_setup));

	/* Which suites can this kernel run synchronously? */
	for (i = 0; i < ARRAY_SIZE(ksrtp_suites); i++) {
		if (!ksrtp_suites[i].name)
			continue;
		if (!ksrtp_crypto_init(&probe, &ksrtp_suites[i], zero, zero)) {
			ksrtp_suites_mask |= BIT(i);
			ksrtp_crypto_free(&probe);
		}
	}
	return 0;
}

void ksrtp_crypto_percpu_free(void)
{
	int cpu;

	if (ksrtp_sha1_setup && ksrtp_sha1_setup != ksrtp_sha1)
		crypto_free_shash(ksrtp_sha1_setup);
	ksrtp_sha1_setup = NULL;
	if (ksrtp_sha1)
		crypto_free_shash(ksrtp_sha1);
	ksrtp_sha1 = NULL;

	for_each_possible_cpu(cpu) {
		kfree_sensitive(per_cpu(ksrtp_scratch, cpu));
		per_cpu(ksrtp_scratch, cpu) = NULL;
		kvfree(per_cpu(ksrtp_pkt_copy, cpu));
		per_cpu(ksrtp_pkt_copy, cpu) = NULL;
	}
}
