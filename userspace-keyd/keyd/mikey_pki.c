// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's certificates, signatures and envelope keys (mikey_pki.h), all by
 * OpenSSL. A certificate is trusted when it chains to the configured
 * anchors and is in its validity period; it speaks for an identity when a
 * subjectAltName URI or email is that identity byte for byte (a
 * certificate without either: its common name). Keys are RSA of at least
 * 2048 bits, ours and the peers'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "harden.h"
#include "mikey_pki.h"
#include "mikey_psk.h"

#define KEY_FILE_MAX	(64 << 10)
#define RSA_BITS_MIN	2048

struct mikey_pki {
	EVP_PKEY *key;
	STACK_OF(X509) *chain;	/* ours, leaf first */
	X509_STORE *store;
	STACK_OF(X509) *peers;	/* may be empty */
	uint8_t *der[MIKEY_PKI_MAX_CHAIN];
	size_t der_len[MIKEY_PKI_MAX_CHAIN], nder;
	bool pss;
};

static STACK_OF(X509) *read_certs(const char *file, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b = BIO_new_file(file, "r");
	X509 *x;

	if (!sk || !b) {
		snprintf(err, errlen, "%s: cannot be read", file);
		goto fail;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			snprintf(err, errlen, "%s: out of memory", file);
			goto fail;
		}
	ERR_clear_error();	/* the end of the file */
	if (!sk_X509_num(sk)) {
		snprintf(err, errlen, "%s: no PEM certificate in it", file);
		goto fail;
	}
	BIO_free(b);
	return sk;
fail:
	BIO_free(b);
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

static EVP_PKEY *read_key(const char *file, char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;
	off_t size;
	FILE *fp;
	int fd = keyd_secret_file_open(file, KEY_FILE_MAX, &size, err, errlen);

	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		snprintf(err, errlen, "%s: cannot be read", file);
		return NULL;
	}
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	ERR_clear_error();
	if (!k)
		snprintf(err, errlen, "%s: no PEM private key in it (or one with a passphrase)",
			 file);
	return k;
}

static bool rsa_ok(EVP_PKEY *k)
{
	return k && EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) >= RSA_BITS_MIN &&
	       (size_t)EVP_PKEY_get_size(k) <= MIKEY_SIG_MAX;
}

/* leaf chains to our anchors through untrusted; NULL, or why not */
static const char *chain_error(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	const char *why = "out of memory";

	if (ctx && X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1)
		why = X509_verify_cert(ctx) == 1 ? NULL :
		      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return why;
}

/* One identity of a certificate: copied to first if it is the first seen;
 * true if it is id.
 */
static bool name_is(const ASN1_STRING *s, const uint8_t *id, size_t idlen, char *first,
		    size_t cap, bool *seen)
{
	const uint8_t *p = ASN1_STRING_get0_data(s);
	size_t n = (size_t)ASN1_STRING_length(s);

	if (first && !*seen && n < cap && !memchr(p, 0, n)) {
		memcpy(first, p, n);
		first[n] = 0;
	}
	*seen = true;
	return idlen && n == idlen && !memcmp(p, id, n);
}

/*
 * Whether x speaks for id (its SAN URIs and emails; without those, its
 * CN), and the first of those identities into first (cap bytes; may be NULL).
 */
static bool cert_names(X509 *x, const uint8_t *id, size_t idlen, char *first, size_t cap)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool seen = false, match = false;
	int i;

	if (first && cap)
		first[0] = 0;
	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_URI || g->type == GEN_EMAIL)
			match |= name_is(g->type == GEN_URI ? g->d.uniformResourceIdentifier :
					 g->d.rfc822Name, id, idlen, first, cap, &seen);
	}
	GENERAL_NAMES_free(gens);
	if (!seen) {
		X509_NAME *nm = X509_get_subject_name(x);
		int at = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);

		if (at >= 0)
			match = name_is(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, at)),
					id, idlen, first, cap, &seen);
	}
	return match;
}

/* Our chain verifies, our key is its leaf's, and the leaf's DER is kept. */
static int load_check(struct mikey_pki *p, const struct mikey_pki_cfg *c, char *err,
		      size_t errlen)
{
	X509 *leaf = sk_X509_value(p->chain, 0);
	STACK_OF(X509) *rest = sk_X509_dup(p->chain);
	const char *why;
	int i, n;

	if (!rest)
		return snprintf(err, errlen, "out of memory"), -1;
	(void)sk_X509_shift(rest);
	why = chain_error(p->store, leaf, rest);
	sk_X509_free(rest);
	if (why)
		return snprintf(err, errlen, "%s: our certificate does not chain to %s: %s",
				c->cert_file, c->ca_file, why), -1;
	if (!rsa_ok(p->key) || X509_check_private_key(leaf, p->key) != 1) {
		ERR_clear_error();
		return snprintf(err, errlen, "%s: not an RSA key of %d to 8192 bits matching %s",
				c->key_file, RSA_BITS_MIN, c->cert_file), -1;
	}
	for (i = 0; i < sk_X509_num(p->chain) && i < MIKEY_PKI_MAX_CHAIN; i++) {
		p->der[i] = NULL;
		n = i2d_X509(sk_X509_value(p->chain, i), &p->der[i]);
		if (n <= 0 || n > 65535)
			return snprintf(err, errlen, "%s: certificate %d cannot be encoded",
					c->cert_file, i + 1), -1;
		p->der_len[i] = (size_t)n;
		p->nder++;
	}
	return 0;
}

struct mikey_pki *mikey_pki_load(const struct mikey_pki_cfg *c, char *err, size_t errlen)
{
	struct mikey_pki *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->pss = c->pss;
	p->store = X509_STORE_new();
	if (!p->store || X509_STORE_load_file(p->store, c->ca_file) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s: no trust anchors could be read", c->ca_file);
		goto fail;
	}
	p->chain = read_certs(c->cert_file, err, errlen);
	if (!p->chain)
		goto fail;
	if (c->peer_file && *c->peer_file)
		p->peers = read_certs(c->peer_file, err, errlen);
	else
		p->peers = sk_X509_new_null();
	if (!p->peers)
		goto fail;
	p->key = read_key(c->key_file, err, errlen);
	if (!p->key || load_check(p, c, err, errlen))
		goto fail;
	return p;
fail:
	mikey_pki_free(p);
	return NULL;
}

void mikey_pki_free(struct mikey_pki *p)
{
	size_t i;

	if (!p)
		return;
	EVP_PKEY_free(p->key);
	sk_X509_pop_free(p->chain, X509_free);
	sk_X509_pop_free(p->peers, X509_free);
	X509_STORE_free(p->store);
	for (i = 0; i < p->nder; i++)
		OPENSSL_free(p->der[i]);
	free(p);
}

size_t mikey_pki_chain(const struct mikey_pki *p, struct mikey_bytes *der, size_t max)
{
	size_t i;

	for (i = 0; i < p->nder && i < max; i++)
		der[i] = (struct mikey_bytes){ p->der[i], p->der_len[i] };
	return i;
}

bool mikey_pki_is_ours(const struct mikey_pki *p, const char *id)
{
	return cert_names(sk_X509_value(p->chain, 0), (const uint8_t *)id, strlen(id), NULL, 0);
}

uint8_t mikey_pki_sig_type(const struct mikey_pki *p)
{
	return p->pss ? MIKEY_SIGN_PSS : MIKEY_SIGN_PKCS1;
}

size_t mikey_pki_sig_len(const struct mikey_pki *p)
{
	return (size_t)EVP_PKEY_get_size(p->key);
}

/* PKCS#1 v1.5 or PSS (salt as long as the digest; any on verification). */
static int sig_padding(EVP_PKEY_CTX *pctx, uint8_t s_type, bool signing)
{
	if (s_type == MIKEY_SIGN_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 ? 0 : -1;
	if (s_type != MIKEY_SIGN_PSS ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, signing ? RSA_PSS_SALTLEN_DIGEST :
					     RSA_PSS_SALTLEN_AUTO) <= 0)
		return -1;
	return 0;
}

int mikey_pki_sign(const struct mikey_pki *p, const uint8_t *data, size_t len,
		   uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = siglen;
	int rc = -1;

	if (ctx && EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, p->key) == 1 &&
	    !sig_padding(pctx, mikey_pki_sig_type(p), true) &&
	    EVP_DigestSign(ctx, sig, &n, data, len) == 1 && n == siglen)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

bool mikey_pki_verify(EVP_PKEY *key, uint8_t s_type, const uint8_t *data, size_t len,
		      const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, key) == 1 &&
		  !sig_padding(pctx, s_type, false) &&
		  EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static X509 *der_cert(const struct mikey_bytes *b)
{
	const uint8_t *q = b->p;
	X509 *x = b->len <= 65535 ? d2i_X509(NULL, &q, (long)b->len) : NULL;

	if (x && q != b->p + b->len) {	/* trailing bytes */
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

/* The bundle's certificate for identity id (a new reference), or NULL. */
static X509 *bundle_cert(const struct mikey_pki *p, const uint8_t *id, size_t idlen)
{
	int i;

	for (i = 0; idlen && i < sk_X509_num(p->peers); i++)
		if (cert_names(sk_X509_value(p->peers, i), id, idlen, NULL, 0)) {
			X509_up_ref(sk_X509_value(p->peers, i));
			return sk_X509_value(p->peers, i);
		}
	return NULL;
}

/* The message's certificates: the leaf, and the rest as untrusted. */
static X509 *msg_certs(const struct mikey_bytes *certs, size_t ncerts,
		       STACK_OF(X509) *untrusted)
{
	X509 *leaf = der_cert(&certs[0]), *x;
	size_t i;

	for (i = 1; leaf && i < ncerts; i++) {
		x = der_cert(&certs[i]);
		if (!x || !sk_X509_push(untrusted, x)) {
			X509_free(x);
			X509_free(leaf);
			return NULL;
		}
	}
	return leaf;
}

EVP_PKEY *mikey_pki_peer(const struct mikey_pki *p, const struct mikey_bytes *certs,
			 size_t ncerts, const uint8_t *id, size_t idlen, uint8_t *err_no,
			 char *why, size_t whylen)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	EVP_PKEY *key = NULL;
	const char *bad;
	X509 *leaf = NULL;

	*err_no = MIKEY_ERR_CERT;
	if (!untrusted)
		snprintf(why, whylen, "out of memory");
	else if (ncerts > MIKEY_PKI_MAX_CHAIN)
		snprintf(why, whylen, "%zu certificates: at most %d", ncerts, MIKEY_PKI_MAX_CHAIN);
	else if (!(leaf = ncerts ? msg_certs(certs, ncerts, untrusted) : bundle_cert(p, id, idlen)))
		snprintf(why, whylen, ncerts ? "a certificate does not decode (DER X.509)" :
			 "no certificate for identity \"%.*s\" (none in the message, none in "
			 "mikey_peer_certs)", (int)(idlen > 64 ? 64 : idlen), (const char *)id);
	else if ((bad = chain_error(p->store, leaf, untrusted)))
		snprintf(why, whylen, "the peer's certificate is not trusted: %s", bad);
	else if (idlen && !cert_names(leaf, id, idlen, NULL, 0)) {
		*err_no = MIKEY_ERR_ID;
		snprintf(why, whylen, "the peer's certificate does not name \"%.*s\"",
			 (int)(idlen > 64 ? 64 : idlen), (const char *)id);
	} else if (!rsa_ok(key = X509_get_pubkey(leaf))) {
		snprintf(why, whylen, "the peer's key is not RSA of %d to 8192 bits",
			 RSA_BITS_MIN);
		EVP_PKEY_free(key);
		key = NULL;
	}
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return key;
}

bool mikey_pki_peer_id(const struct mikey_bytes *leaf, char *out, size_t cap)
{
	X509 *x = der_cert(leaf);

	if (x)
		cert_names(x, NULL, 0, out, cap);
	X509_free(x);
	return x && out[0];
}

int mikey_pki_seal(EVP_PKEY *peer, const uint8_t *k, size_t klen, uint8_t *out,
		   size_t cap, size_t *outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(peer, NULL);
	int rc = -1;

	*outlen = cap;
	if (ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_encrypt(ctx, out, outlen, k, klen) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int mikey_pki_open(const struct mikey_pki *p, const uint8_t *in, size_t len, uint8_t *k,
		   size_t klen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(p->key, NULL);
	uint8_t buf[MIKEY_SIG_MAX];
	size_t n = sizeof(buf);
	int rc = -1;

	/* the stand-in first: whatever the PKE holds, k is klen bytes after */
	if (ctx && RAND_bytes(k, (int)klen) == 1) {
		rc = 0;
		if (EVP_PKEY_decrypt_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
		    EVP_PKEY_decrypt(ctx, buf, &n, in, len) == 1 && n == klen)
			memcpy(k, buf, klen);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int mikey_pki_chash(const struct mikey_bytes *der, uint8_t out[MIKEY_CHASH_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(der->p, der->len, out, &n, EVP_sha1(), NULL) == 1 &&
	       n == MIKEY_CHASH_LEN ? 0 : -1;
}

bool mikey_pki_chash_is_ours(const struct mikey_pki *p, const struct mikey_bytes *hash)
{
	struct mikey_bytes der = { p->der[0], p->der_len[0] };
	uint8_t h[MIKEY_CHASH_LEN];

	return hash->len == MIKEY_CHASH_LEN && !mikey_pki_chash(&der, h) &&
	       !memcmp(h, hash->p, MIKEY_CHASH_LEN);
}
