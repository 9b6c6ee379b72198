// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's Diffie-Hellman groups through OpenSSL's EVP "DH" keys. The
 * groups' primes come from OpenSSL's own tables (BN_get_rfc*); keys are
 * carried between calls as bytes, so a pending exchange is plain memory
 * that keyd wipes with the rest of its secrets.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "mikey_dh.h"
#include "mikey_msg.h"

bool mikey_dh_group_ok(uint8_t group)
{
	return group == MIKEY_DH_OAKLEY5 || group == MIKEY_DH_OAKLEY2;
}

static BIGNUM *group_prime(uint8_t group)
{
	switch (group) {
	case MIKEY_DH_OAKLEY5: return BN_get_rfc3526_prime_1536(NULL);
	case MIKEY_DH_OAKLEY2: return BN_get_rfc2409_prime_1024(NULL);
	}
	return NULL;
}

/*
 * An EVP_PKEY of the group: domain parameters only (priv and pub NULL),
 * or a public key (pub), or a key pair (both). len: the group's length.
 */
static EVP_PKEY *dh_pkey(uint8_t group, const uint8_t *priv, const uint8_t *pub, int len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = group_prime(group), *g = BN_new(), *x = NULL, *y = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	int sel = priv ? EVP_PKEY_KEYPAIR : pub ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;

	if (!bld || !p || !g || !ctx || !BN_set_word(g, 2) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g))
		goto out;
	if (pub && (!(y = BN_bin2bn(pub, len, NULL)) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y)))
		goto out;
	if (priv && (!(x = BN_secure_new()) || !BN_bin2bn(priv, len, x) ||
		     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, sel, params) != 1)
		pk = NULL;
out:
	OSSL_PARAM_free(params);	/* priv (a secure BN) went to secure memory: cleared */
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	BN_free(y);
	BN_clear_free(x);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static int get_bn(const EVP_PKEY *pk, const char *name, uint8_t *out, int len)
{
	BIGNUM *bn = NULL;
	int ok = EVP_PKEY_get_bn_param(pk, name, &bn) == 1 && BN_bn2binpad(bn, out, len) == len;

	BN_clear_free(bn);
	return ok ? 0 : -1;
}

int mikey_dh_keygen(uint8_t group, uint8_t *priv, uint8_t *pub)
{
	int len = mikey_dh_len(group), rc = -1;
	EVP_PKEY *dom, *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (!mikey_dh_group_ok(group))
		return -1;
	dom = dh_pkey(group, NULL, NULL, len);
	if (dom && (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL)) &&
	    EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_generate(ctx, &pk) == 1 &&
	    !get_bn(pk, OSSL_PKEY_PARAM_PRIV_KEY, priv, len) &&
	    !get_bn(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, len))
		rc = 0;
	EVP_PKEY_free(pk);
	EVP_PKEY_free(dom);
	EVP_PKEY_CTX_free(ctx);
	if (rc)
		OPENSSL_cleanse(priv, (size_t)(len > 0 ? len : 0));
	return rc;
}

int mikey_dh_secret(uint8_t group, const uint8_t *priv, const uint8_t *pub,
		    const uint8_t *peer, uint8_t *secret)
{
	int len = mikey_dh_len(group), rc = -1;
	EVP_PKEY *ours = NULL, *theirs = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = (size_t)len;

	if (!mikey_dh_group_ok(group))
		return -1;
	ours = dh_pkey(group, priv, pub, len);
	theirs = dh_pkey(group, NULL, peer, len);
	/* set_peer_ex(validate): OpenSSL's public-key check of the peer's value;
	 * pad: the secret at the group's full length
	 */
	if (ours && theirs && (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL)) &&
	    EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1 &&
	    EVP_PKEY_derive_set_peer_ex(ctx, theirs, 1) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &n) == 1 && n == (size_t)len)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(ours);
	EVP_PKEY_free(theirs);
	if (rc && len > 0)
		OPENSSL_cleanse(secret, (size_t)len);
	return rc;
}
