// SPDX-License-Identifier: GPL-2.0
/*
 * ZRTP's key agreements through OpenSSL's EVP (zrtp_ka.h): the groups by
 * the names OpenSSL knows them by, the peer's value made a public key of
 * the same group, EVP_PKEY_derive with its peer check.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>

#include "zrtp_ka.h"

struct ka {
	const char *block;	/* the type block */
	const char *type;	/* OpenSSL's key type */
	const char *group;	/* its group, NULL for X25519 */
	size_t pv, result;
};

static const struct ka kas[] = {
	{ "DH3k", "DH", "modp_3072", 384, 384 },
	{ "DH2k", "DH", "modp_2048", 256, 256 },
	{ "EC25", "EC", "P-256", 64, 32 },
	{ "EC38", "EC", "P-384", 96, 48 },
	{ "X255", "X25519", NULL, 32, 32 },
	/* Curve25519 again, under GNU ZRTP's name: the same X25519 on the wire */
	{ "E255", "X25519", NULL, 32, 32 },
};

static const struct ka *ka_of(zrtp_alg a)
{
	size_t i;

	for (i = 0; i < sizeof(kas) / sizeof(kas[0]); i++)
		if (ZRTP_ALG(kas[i].block) == a)
			return &kas[i];
	return NULL;
}

size_t zrtp_ka_pv_len(zrtp_alg ka)
{
	const struct ka *k = ka_of(ka);

	return k ? k->pv : 0;
}

size_t zrtp_ka_result_len(zrtp_alg ka)
{
	const struct ka *k = ka_of(ka);

	return k ? k->result : 0;
}

/* Our public value in ZRTP's form. */
static int public_value(const struct ka *k, EVP_PKEY *pk, uint8_t *pv)
{
	uint8_t pt[1 + 2 * 48];
	BIGNUM *y = NULL;
	size_t n = k->pv;
	int ok;

	if (!k->group)
		return EVP_PKEY_get_raw_public_key(pk, pv, &n) == 1 && n == k->pv ? 0 : -1;
	if (!strcmp(k->type, "DH")) {
		ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
		     BN_bn2binpad(y, pv, (int)k->pv) == (int)k->pv;
		BN_free(y);
		return ok ? 0 : -1;
	}
	/* EC: the uncompressed point 0x04 || X || Y, sent without its 0x04 */
	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) != 1 ||
	    n != 1 + k->pv || pt[0] != 4)
		return -1;
	memcpy(pv, pt + 1, k->pv);
	return 0;
}

EVP_PKEY *zrtp_ka_keygen(zrtp_alg ka, uint8_t *pv)
{
	const struct ka *k = ka_of(ka);
	EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new_from_name(NULL, k->type, NULL) : NULL;
	OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
	EVP_PKEY *pk = NULL;

	if (k && k->group)
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							     (char *)k->group, 0);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &pk) != 1 || public_value(k, pk, pv)) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* The peer's value as a public key of our group. */
static EVP_PKEY *peer_key(const struct ka *k, const uint8_t *pv)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, k->type, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	uint8_t pt[1 + 2 * 48];
	EVP_PKEY *pk = NULL;
	BIGNUM *y = NULL;
	int ok;

	if (!k->group) {
		EVP_PKEY_CTX_free(ctx);
		OSSL_PARAM_BLD_free(bld);
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pv, k->pv);
	}
	ok = ctx && bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
							   k->group, 0);
	if (ok && !strcmp(k->type, "DH")) {
		ok = (y = BN_bin2bn(pv, (int)k->pv, NULL)) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y);
	} else if (ok) {
		pt[0] = 4;	/* uncompressed: 0x04 || X || Y */
		memcpy(pt + 1, pv, k->pv);
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + k->pv);
	}
	if (ok && (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

int zrtp_ka_result(zrtp_alg ka, EVP_PKEY *ours, const uint8_t *peer_pv, uint8_t *result)
{
	const struct ka *k = ka_of(ka);
	EVP_PKEY *peer = k ? peer_key(k, peer_pv) : NULL;
	EVP_PKEY_CTX *ctx = peer ? EVP_PKEY_CTX_new(ours, NULL) : NULL;
	size_t n = k ? k->result : 0;
	int rc = -1;

	if (ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	    (strcmp(k->type, "DH") || EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1) &&
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) == 1 &&
	    EVP_PKEY_derive(ctx, result, &n) == 1 && n == k->result)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}
