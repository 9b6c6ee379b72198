// SPDX-License-Identifier: GPL-2.0
/*
 * ZRTP's hashes, MACs and KDF (zrtp_crypto.h), through OpenSSL's EVP and
 * its HMAC. The implicit algorithms of version 1.10 are SHA-256 and
 * HMAC-SHA-256 (§5.1.2.2); the negotiated ones S256 or S384 (§5.1.2.1).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "zrtp_crypto.h"

static const EVP_MD *md_of(zrtp_alg hash)
{
	if (hash == ZRTP_ALG("S256"))
		return EVP_sha256();
	if (hash == ZRTP_ALG("S384"))
		return EVP_sha384();
	return NULL;
}

size_t zrtp_hash_len(zrtp_alg hash)
{
	const EVP_MD *md = md_of(hash);

	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

int zrtp_hash2(zrtp_alg hash, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	       uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = md_of(hash);
	int rc = -1;

	if (ctx && md && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 && (!blen || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, NULL) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int zrtp_hashv(zrtp_alg hash, const struct zrtp_bytes *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = md_of(hash);
	int rc = ctx && md && EVP_DigestInit_ex(ctx, md, NULL) == 1 ? 0 : -1;
	size_t i;

	for (i = 0; !rc && i < n; i++)
		if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			rc = -1;
	if (!rc && EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		rc = -1;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int zrtp_hash_chain(struct zrtp_chain *c)
{
	int i;

	for (i = 1; i < 4; i++)
		if (zrtp_hash2(ZRTP_ALG("S256"), c->h[i - 1], ZRTP_H_LEN, NULL, 0, c->h[i]))
			return -1;
	return 0;
}

int zrtp_hmac(zrtp_alg hash, const uint8_t *key, size_t klen, const uint8_t *data, size_t len,
	      uint8_t *out, size_t outlen)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const EVP_MD *md = md_of(hash);

	if (!md || !HMAC(md, key, (int)klen, data, len, full, &n) || outlen > n)
		return -1;
	memcpy(out, full, outlen);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

int zrtp_msg_mac_set(uint8_t *msg, size_t len, const uint8_t key[ZRTP_H_LEN])
{
	if (len < ZRTP_MAC_LEN + 12)
		return -1;
	return zrtp_hmac(ZRTP_ALG("S256"), key, ZRTP_H_LEN, msg, len - ZRTP_MAC_LEN,
			 msg + len - ZRTP_MAC_LEN, ZRTP_MAC_LEN);
}

bool zrtp_msg_mac_ok(const uint8_t *msg, size_t len, const uint8_t key[ZRTP_H_LEN])
{
	uint8_t mac[ZRTP_MAC_LEN];

	return len >= ZRTP_MAC_LEN + 12 &&
	       !zrtp_hmac(ZRTP_ALG("S256"), key, ZRTP_H_LEN, msg, len - ZRTP_MAC_LEN, mac,
			  sizeof(mac)) &&
	       !CRYPTO_memcmp(mac, msg + len - ZRTP_MAC_LEN, ZRTP_MAC_LEN);
}

int zrtp_kdf(zrtp_alg hash, const uint8_t *ki, size_t kilen, const char *label,
	     const uint8_t *ctx, size_t ctxlen, unsigned int l_bits, uint8_t *out)
{
	size_t ll = strlen(label), n = 4 + ll + 1 + ctxlen + 4;
	uint8_t buf[512];

	if (l_bits % 8 || !l_bits || l_bits / 8 > zrtp_hash_len(hash) || n > sizeof(buf))
		return -1;
	memcpy(buf, "\0\0\0\1", 4);
	memcpy(buf + 4, label, ll);
	buf[4 + ll] = 0;
	if (ctxlen)
		memcpy(buf + 5 + ll, ctx, ctxlen);
	buf[n - 4] = (uint8_t)(l_bits >> 24);
	buf[n - 3] = (uint8_t)(l_bits >> 16);
	buf[n - 2] = (uint8_t)(l_bits >> 8);
	buf[n - 1] = (uint8_t)l_bits;
	return zrtp_hmac(hash, ki, kilen, buf, n, out, l_bits / 8);
}

int zrtp_hvi(zrtp_alg hash, const struct zrtp_bytes *dhpart2, const struct zrtp_bytes *hello_r,
	     uint8_t hvi[ZRTP_H_LEN])
{
	uint8_t h[ZRTP_HASH_MAX];

	if (zrtp_hash2(hash, dhpart2->p, dhpart2->len, hello_r->p, hello_r->len, h))
		return -1;
	memcpy(hvi, h, ZRTP_H_LEN);	/* truncated to 256 bits */
	return 0;
}
