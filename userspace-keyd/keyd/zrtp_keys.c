// SPDX-License-Identifier: GPL-2.0
/*
 * ZRTP's s0, derived keys, SAS and Confirm protection (zrtp_keys.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "zrtp_keys.h"
#include "zrtp_words.h"

size_t zrtp_cipher_key_len(zrtp_alg cipher)
{
	if (cipher == ZRTP_ALG("AES1"))
		return 16;
	if (cipher == ZRTP_ALG("AES3"))
		return 32;
	return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int s0_dh(zrtp_alg hash, const uint8_t *dhresult, size_t rlen, const uint8_t *ctx,
		 size_t ctxlen, const struct zrtp_shared *sh, uint8_t *s0)
{
	static const char algid[] = "ZRTP-HMAC-KDF";
	uint8_t buf[4 + ZRTP_PV_MAX_RESULT + sizeof(algid) - 1 + 2 * ZRTP_ZID_LEN + ZRTP_HASH_MAX +
		    12 + ZRTP_RS_LEN + ZRTP_AUX_MAX + ZRTP_PBX_MAX];
	size_t n = 0;
	int rc;

	if (rlen > ZRTP_PV_MAX_RESULT || sh->s1len > ZRTP_RS_LEN || sh->s2len > ZRTP_AUX_MAX ||
	    sh->s3len > ZRTP_PBX_MAX)
		return -1;
	be32(buf, 1);
	memcpy(buf + 4, dhresult, rlen);
	n = 4 + rlen;
	memcpy(buf + n, algid, sizeof(algid) - 1);
	n += sizeof(algid) - 1;
	memcpy(buf + n, ctx, ctxlen);	/* ZIDi || ZIDr || total_hash */
	n += ctxlen;
	be32(buf + n, (uint32_t)sh->s1len);	/* len(s1) || s1: the retained secret */
	if (sh->s1len)
		memcpy(buf + n + 4, sh->s1, sh->s1len);
	n += 4 + sh->s1len;
	be32(buf + n, (uint32_t)sh->s2len);	/* len(s2) || s2: the auxsecret */
	if (sh->s2len)
		memcpy(buf + n + 4, sh->s2, sh->s2len);
	n += 4 + sh->s2len;
	be32(buf + n, (uint32_t)sh->s3len);	/* len(s3) || s3: the pbxsecret */
	if (sh->s3len)
		memcpy(buf + n + 4, sh->s3, sh->s3len);
	n += 4 + sh->s3len;
	rc = zrtp_hash2(hash, buf, n, NULL, 0, s0);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* KDF_Context = ZIDi || ZIDr || total_hash (§4.5.1, §4.4.3.2). */
struct kdf_ctx {
	uint8_t b[2 * ZRTP_ZID_LEN + ZRTP_HASH_MAX];
	size_t len;
};

static void kdf_ctx(const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
		    const uint8_t *total_hash, size_t hlen, struct kdf_ctx *c)
{
	memcpy(c->b, zidi, ZRTP_ZID_LEN);
	memcpy(c->b + ZRTP_ZID_LEN, zidr, ZRTP_ZID_LEN);
	memcpy(c->b + 2 * ZRTP_ZID_LEN, total_hash, hlen);
	c->len = 2 * ZRTP_ZID_LEN + hlen;
}

/* Every key §4.5 derives from s0 (already in k); the SAS and the next rs1 only in DH mode. */
static int keys_from_s0(const struct zrtp_suite *s, const struct kdf_ctx *c, bool dh,
			struct zrtp_keys *k)
{
	const uint8_t *ctx = c->b;
	size_t cl = c->len;
	unsigned int hb = (unsigned int)(8 * k->hlen), kb = (unsigned int)(8 * k->klen);
	uint8_t sash[32];
	int rc;

	rc = zrtp_kdf(s->hash, k->s0, k->hlen, "Initiator SRTP master key", ctx, cl, kb,
		      k->srtp_key_i) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Initiator SRTP master salt", ctx, cl, 112,
		      k->srtp_salt_i) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Responder SRTP master key", ctx, cl, kb,
		      k->srtp_key_r) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Responder SRTP master salt", ctx, cl, 112,
		      k->srtp_salt_r) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Initiator HMAC key", ctx, cl, hb, k->mackey_i) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Responder HMAC key", ctx, cl, hb, k->mackey_r) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Initiator ZRTP key", ctx, cl, kb, k->zrtpkey_i) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "Responder ZRTP key", ctx, cl, kb, k->zrtpkey_r) ||
	     zrtp_kdf(s->hash, k->s0, k->hlen, "ZRTP Session Key", ctx, cl, hb, k->zrtpsess) ? -1 : 0;
	if (!rc && dh)
		rc = zrtp_kdf(s->hash, k->s0, k->hlen, "SAS", ctx, cl, 256, sash) ||
		     zrtp_kdf(s->hash, k->s0, k->hlen, "retained secret", ctx, cl,
			      8 * ZRTP_RS_LEN, k->rs1_new) ? -1 : 0;
	if (!rc && dh) {
		memcpy(k->sashash, sash, sizeof(sash));
		k->sasvalue = (uint32_t)sash[0] << 24 | (uint32_t)sash[1] << 16 |
			      (uint32_t)sash[2] << 8 | sash[3];
		rc = zrtp_sas_render(s->sas, k->sasvalue, k->sas, sizeof(k->sas));
	}
	OPENSSL_cleanse(sash, sizeof(sash));
	return rc;
}

static int keys_begin(const struct zrtp_suite *s, struct zrtp_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->hlen = zrtp_hash_len(s->hash);
	k->klen = zrtp_cipher_key_len(s->cipher);
	return k->hlen && k->klen ? 0 : -1;
}

int zrtp_keys_dh(const struct zrtp_suite *s, const uint8_t *dhresult, size_t rlen,
		 const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
		 const uint8_t *total_hash, const struct zrtp_shared *sh, struct zrtp_keys *k)
{
	struct kdf_ctx c;
	int rc;

	if (keys_begin(s, k))
		return -1;
	kdf_ctx(zidi, zidr, total_hash, k->hlen, &c);
	rc = s0_dh(s->hash, dhresult, rlen, c.b, c.len, sh, k->s0) ||
	     keys_from_s0(s, &c, true, k);
	if (rc)
		OPENSSL_cleanse(k, sizeof(*k));
	return rc;
}

/* s0 = KDF(ki, label, KDF_Context, hash length), then the keys (§4.4.2.4, §4.4.3.2). */
static int keys_by_kdf(const struct zrtp_suite *s, const uint8_t *ki, const char *label,
		       const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
		       const uint8_t *total_hash, bool sas, struct zrtp_keys *k)
{
	struct kdf_ctx c;
	int rc;

	if (keys_begin(s, k))
		return -1;
	kdf_ctx(zidi, zidr, total_hash, k->hlen, &c);
	rc = zrtp_kdf(s->hash, ki, k->hlen, label, c.b, c.len, (unsigned int)(8 * k->hlen),
		      k->s0) ||
	     keys_from_s0(s, &c, sas, k);
	if (rc)
		OPENSSL_cleanse(k, sizeof(*k));
	return rc;
}

int zrtp_keys_multistream(const struct zrtp_suite *s, const uint8_t *zrtpsess,
			  const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
			  const uint8_t *total_hash, struct zrtp_keys *k)
{
	return keys_by_kdf(s, zrtpsess, "ZRTP MSK", zidi, zidr, total_hash, false, k);
}

int zrtp_preshared_key(zrtp_alg hash, const struct zrtp_shared *sh, uint8_t *psk,
		       uint8_t key_id[ZRTP_ID_LEN])
{
	uint8_t len[3][4];
	struct zrtp_bytes parts[6] = {
		{ len[0], 4 }, { sh->s1, sh->s1len }, { len[1], 4 }, { sh->s2, sh->s2len },
		{ len[2], 4 }, { sh->s3, sh->s3len },
	};
	static const char label[] = "Prsh";

	if (!sh->s1len)
		return -1;	/* no rs1, no Preshared mode */
	be32(len[0], (uint32_t)sh->s1len);
	be32(len[1], (uint32_t)sh->s2len);
	be32(len[2], (uint32_t)sh->s3len);
	return zrtp_hashv(hash, parts, 6, psk) ||
	       zrtp_hmac(hash, psk, zrtp_hash_len(hash), (const uint8_t *)label,
			 sizeof(label) - 1, key_id, ZRTP_ID_LEN);
}

int zrtp_keys_preshared(const struct zrtp_suite *s, const uint8_t *psk,
			const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
			const uint8_t *total_hash, struct zrtp_keys *k)
{
	return keys_by_kdf(s, psk, "ZRTP PSK", zidi, zidr, total_hash, true, k);
}

int zrtp_sas_render(zrtp_alg sas, uint32_t v, char *out, size_t cap)
{
	static const char b32[] = "ybndrfg8ejkmcpqxot1uwisza345h769";
	int i, shift;

	if (sas == ZRTP_ALG("B256")) {
		/* the leftmost 16 bits as two PGP words, as bzrtp writes them */
		int n = snprintf(out, cap, "%s:%s", zrtp_pgp_even[v >> 24],
				 zrtp_pgp_odd[v >> 16 & 255]);

		return n > 0 && (size_t)n < cap ? 0 : -1;
	}
	if (sas != ZRTP_ALG("B32 ") || cap < 5)
		return -1;
	for (i = 0, shift = 27; i < 4; i++, shift -= 5)
		out[i] = b32[v >> shift & 31];
	out[4] = 0;
	return 0;
}

static const EVP_CIPHER *cfb_of(zrtp_alg cipher)
{
	if (cipher == ZRTP_ALG("AES1"))
		return EVP_aes_128_cfb128();
	if (cipher == ZRTP_ALG("AES3"))
		return EVP_aes_256_cfb128();
	return NULL;
}

static int cfb(const struct zrtp_suite *s, const uint8_t *key, const uint8_t iv[ZRTP_IV_LEN],
	       const uint8_t *in, size_t len, uint8_t *out, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *c = cfb_of(s->cipher);
	int n = 0, f = 0, rc = -1;

	if (ctx && c && EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, out + n, &f) == 1 && (size_t)(n + f) == len)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int zrtp_confirm_seal(const struct zrtp_suite *s, const struct zrtp_keys *k, bool initiator,
		      const uint8_t iv[ZRTP_IV_LEN], const uint8_t *plain, size_t len,
		      uint8_t *enc, uint8_t mac[ZRTP_MAC_LEN])
{
	if (cfb(s, initiator ? k->zrtpkey_i : k->zrtpkey_r, iv, plain, len, enc, 1))
		return -1;
	return zrtp_hmac(s->hash, initiator ? k->mackey_i : k->mackey_r, k->hlen, enc, len, mac,
			 ZRTP_MAC_LEN);
}

int zrtp_confirm_open(const struct zrtp_suite *s, const struct zrtp_keys *k, bool initiator,
		      const struct zrtp_sealed *sealed, uint8_t *plain)
{
	uint8_t mac[ZRTP_MAC_LEN];

	if (zrtp_hmac(s->hash, initiator ? k->mackey_i : k->mackey_r, k->hlen, sealed->enc.p,
		      sealed->enc.len, mac, sizeof(mac)) ||
	    CRYPTO_memcmp(mac, sealed->mac, sizeof(mac)))
		return -1;
	return cfb(s, initiator ? k->zrtpkey_i : k->zrtpkey_r, sealed->iv, sealed->enc.p,
		   sealed->enc.len, plain, 0);
}
