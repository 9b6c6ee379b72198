// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's PRF, key derivations, KEMAC encryption and MAC (RFC 3830 §4.1,
 * §4.2), on OpenSSL: HMAC through EVP_MAC, AES-CM as AES-128-CTR, AES-KW
 * as EVP_aes_128_wrap. Nothing here hand-rolls a primitive.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mikey_kdf.h"
#include "mikey_msg.h"

#define SHA1_LEN	20
#define PRF_CHUNK	32	/* the in-key is split in 256-bit chunks (§4.1.2) */

static int hmac_sha1(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
		     const uint8_t *b, size_t blen, uint8_t out[SHA1_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t outlen = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, keylen, params) &&
		 EVP_MAC_update(ctx, a, alen) && (!blen || EVP_MAC_update(ctx, b, blen)) &&
		 EVP_MAC_final(ctx, out, &outlen, SHA1_LEN) && outlen == SHA1_LEN;

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

/* out ^= P(s, label, n) truncated to outlen: HMAC(s, A_i || label), with
 * A_0 = label and A_i = HMAC(s, A_i-1).
 */
static int p_sha1_xor(const uint8_t *s, size_t slen, const uint8_t *label, size_t llen,
		      uint8_t *out, size_t outlen)
{
	uint8_t a[SHA1_LEN], blk[SHA1_LEN];
	size_t done, i;
	int rc = hmac_sha1(s, slen, label, llen, NULL, 0, a);	/* A_1 */

	for (done = 0; !rc && done < outlen; done += SHA1_LEN) {
		rc = hmac_sha1(s, slen, a, SHA1_LEN, label, llen, blk);
		for (i = 0; !rc && i < SHA1_LEN && done + i < outlen; i++)
			out[done + i] ^= blk[i];
		if (!rc)
			rc = hmac_sha1(s, slen, a, SHA1_LEN, NULL, 0, a);
	}
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(blk, sizeof(blk));
	return rc;
}

int mikey_prf(const uint8_t *inkey, size_t inlen, const uint8_t *label, size_t llen,
	      uint8_t *out, size_t outlen)
{
	size_t off;

	if (!inlen || !llen || !outlen)
		return -1;
	memset(out, 0, outlen);
	for (off = 0; off < inlen; off += PRF_CHUNK) {
		size_t n = inlen - off < PRF_CHUNK ? inlen - off : PRF_CHUNK;

		if (p_sha1_xor(inkey + off, n, label, llen, out, outlen)) {
			OPENSSL_cleanse(out, outlen);
			return -1;
		}
	}
	return 0;
}

int mikey_derive(const uint8_t *inkey, size_t inlen, uint32_t constant, uint8_t cs_id,
		 uint32_t csb_id, const uint8_t *rand, size_t randlen,
		 uint8_t *out, size_t outlen)
{
	uint8_t label[4 + 1 + 4 + 255];
	size_t i;

	if (randlen > 255 || (randlen && !rand))
		return -1;
	for (i = 0; i < 4; i++) {
		label[i] = (uint8_t)(constant >> (24 - 8 * i));
		label[5 + i] = (uint8_t)(csb_id >> (24 - 8 * i));
	}
	label[4] = cs_id;
	if (randlen)
		memcpy(label + 9, rand, randlen);
	return mikey_prf(inkey, inlen, label, 9 + randlen, out, outlen);
}

static int aes_cm(const uint8_t *key, const uint8_t *salt, uint32_t csb_id,
		  const uint8_t t[8], const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t iv[16] = { 0 };
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;
	size_t i;

	/* (S XOR (0x0000 || CSB ID || T)) || 0x0000 */
	for (i = 0; i < 4; i++)
		iv[2 + i] = (uint8_t)(csb_id >> (24 - 8 * i));
	memcpy(iv + 6, t, 8);
	for (i = 0; i < MIKEY_SALT_KEY_LEN; i++)
		iv[i] ^= salt[i];
	if (len > INT32_MAX || !(ctx = EVP_CIPHER_CTX_new()))
		return -1;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) &&
	     (!len || EVP_EncryptUpdate(ctx, out, &n, in, (int)len)) &&
	     EVP_EncryptFinal_ex(ctx, out + n, &fin) && (size_t)(n + fin) == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/*
 * RFC 3394 with the IV S (RFC 3830 §4.2.3): the 64-bit salt §4.1.4 derives,
 * which is the first 8 bytes of the 112-bit one (same PRF output). OpenSSL
 * 3.0 wants the WRAP_ALLOW flag.
 */
static int aes_kw(int enc, const uint8_t *key, const uint8_t *iv, const uint8_t *in,
		  size_t len, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;

	if (len % 8 || len < (enc ? 16u : 24u) || len > 0xffff || !(ctx = EVP_CIPHER_CTX_new()))
		return -1;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_CipherInit_ex(ctx, EVP_aes_128_wrap(), NULL, key, iv, enc) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) > 0 &&
	     EVP_CipherFinal_ex(ctx, out + n, &fin) > 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok || (size_t)(n + fin) != (enc ? len + 8 : len - 8))
		return -1;
	*outlen = (size_t)(n + fin);
	return 0;
}

static int kemac_crypt(int enc, uint8_t alg, const uint8_t *key, const uint8_t *salt,
		       uint32_t csb_id, const uint8_t t[8], const uint8_t *in, size_t len,
		       uint8_t *out, size_t *outlen)
{
	switch (alg) {
	case MIKEY_ENC_NULL:
		if (len)
			memmove(out, in, len);
		*outlen = len;
		return 0;
	case MIKEY_ENC_AES_CM_128:
		*outlen = len;
		return aes_cm(key, salt, csb_id, t, in, len, out);
	case MIKEY_ENC_AES_KW_128:
		return aes_kw(enc, key, salt, in, len, out, outlen);
	}
	return -1;
}

int mikey_kemac_encrypt(uint8_t alg, const uint8_t key[MIKEY_ENC_KEY_LEN],
			const uint8_t salt[MIKEY_SALT_KEY_LEN], uint32_t csb_id,
			const uint8_t t[8], const uint8_t *in, size_t len,
			uint8_t *out, size_t *outlen)
{
	return kemac_crypt(1, alg, key, salt, csb_id, t, in, len, out, outlen);
}

int mikey_kemac_decrypt(uint8_t alg, const uint8_t key[MIKEY_ENC_KEY_LEN],
			const uint8_t salt[MIKEY_SALT_KEY_LEN], uint32_t csb_id,
			const uint8_t t[8], const uint8_t *in, size_t len,
			uint8_t *out, size_t *outlen)
{
	return kemac_crypt(0, alg, key, salt, csb_id, t, in, len, out, outlen);
}

int mikey_mac(uint8_t alg, const uint8_t *key, size_t keylen, const uint8_t *data,
	      size_t len, uint8_t *mac)
{
	switch (alg) {
	case MIKEY_MAC_NULL:
		return 0;
	case MIKEY_MAC_HMAC_SHA1_160:
		return hmac_sha1(key, keylen, data, len, NULL, 0, mac) ? -1 : SHA1_LEN;
	}
	return -1;
}

bool mikey_mac_ok(uint8_t alg, const uint8_t *key, size_t keylen, const uint8_t *data,
		  size_t len, const uint8_t *mac, size_t maclen)
{
	uint8_t want[SHA1_LEN];
	int n = mikey_mac(alg, key, keylen, data, len, want);
	bool ok = n >= 0 && (size_t)n == maclen && !CRYPTO_memcmp(want, mac, maclen);

	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
