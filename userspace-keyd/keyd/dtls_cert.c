// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP engine's identity: an ECDSA P-256 key with a self-signed
 * certificate, generated or loaded from PEM, and its fingerprints.
 */
#include "dtls_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

static int cert_der(X509 *x, uint8_t **der)
{
	*der = NULL;
	return i2d_X509(x, der);
}

int dtls_cert_fingerprint_hash(const struct dtls_cert *c, enum fp_hash h,
			       struct fingerprint *out)
{
	uint8_t *der;
	int n, rc;

	if (!c)
		return -1;
	n = cert_der(c->x509, &der);
	if (n <= 0)
		return -1;
	rc = fp_compute(h, der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

static int cert_finish(struct dtls_cert *c, char *err, size_t errlen)
{
	struct fingerprint fp;

	if (dtls_cert_fingerprint_hash(c, FP_SHA256, &fp) ||
	    fp_format(&fp, c->fp, sizeof(c->fp)) < 0) {
		dtls_seterr(err, errlen, "cannot fingerprint the certificate");
		return -1;
	}
	return 0;
}

struct dtls_cert *dtls_cert_generate(const char *cn, unsigned int days,
				     char *err, size_t errlen)
{
	if (!days)
		days = 30;
	if (days > 36500)
		days = 36500;
	return dtls_cert_generate_secs(cn, days * 86400U, err, errlen);
}

struct dtls_cert *dtls_cert_generate_secs(const char *cn, unsigned int secs,
					  char *err, size_t errlen)
{
	struct dtls_cert *c = calloc(1, sizeof(*c));
	char rnd_cn[32];
	uint8_t rnd[8];
	BIGNUM *serial = NULL;
	X509_NAME *name;
	int i;

	if (!c) {
		dtls_seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (!secs)
		secs = 30 * 86400U;
	if (!cn || !*cn) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			goto fail;
		for (i = 0; i < 8; i++)
			snprintf(rnd_cn + 6 + 2 * i, 3, "%02x", rnd[i]);
		memcpy(rnd_cn, "ksrtp-", 6);
		cn = rnd_cn;
	}

	c->pkey = EVP_EC_gen("P-256");
	c->x509 = X509_new();
	serial = BN_new();
	if (!c->pkey || !c->x509 || !serial)
		goto fail;
	if (!X509_set_version(c->x509, X509_VERSION_3) ||
	    !BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(c->x509)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c->x509), -86400L) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c->x509), (long)secs))
		goto fail;
	name = X509_get_subject_name(c->x509);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(c->x509, name) ||
	    !X509_set_pubkey(c->x509, c->pkey) ||
	    X509_sign(c->x509, c->pkey, EVP_sha256()) <= 0)
		goto fail;
	BN_free(serial);
	if (cert_finish(c, err, errlen)) {
		dtls_cert_free(c);
		return NULL;
	}
	return c;
fail:
	dtls_seterr(err, errlen, "certificate generation failed: %s", dtls_ossl_reason());
	BN_free(serial);
	dtls_cert_free(c);
	return NULL;
}

/* The PEM file what (certificate, key) opened for reading, or NULL and err. */
static FILE *open_pem(const char *file, const char *what, char *err, size_t errlen)
{
	FILE *f = file ? fopen(file, "r") : NULL;

	if (!f)
		dtls_seterr(err, errlen, "cannot open %s %s", what, file ? file : "(null)");
	return f;
}

struct dtls_cert *dtls_cert_load_pem(const char *cert_file,
				     const char *key_file, char *err,
				     size_t errlen)
{
	struct dtls_cert *c = calloc(1, sizeof(*c));
	FILE *f;

	if (!c) {
		dtls_seterr(err, errlen, "out of memory");
		return NULL;
	}
	f = open_pem(cert_file, "certificate", err, errlen);
	if (!f)
		goto out;
	c->x509 = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = open_pem(key_file, "key", err, errlen);
	if (!f)
		goto out;
	c->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!c->x509 || !c->pkey) {
		dtls_seterr(err, errlen, "cannot read PEM: %s", dtls_ossl_reason());
		goto out;
	}
	if (X509_check_private_key(c->x509, c->pkey) != 1) {
		dtls_seterr(err, errlen, "key does not match the certificate");
		goto out;
	}
	if (cert_finish(c, err, errlen))
		goto out;
	ERR_clear_error();
	return c;
out:
	ERR_clear_error();
	dtls_cert_free(c);
	return NULL;
}

void dtls_cert_free(struct dtls_cert *c)
{
	if (!c)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->pkey);
	free(c);
}

const char *dtls_cert_fingerprint(const struct dtls_cert *c)
{
	return c ? c->fp : "";
}

int dtls_cert_pem(const struct dtls_cert *c, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = -1;

	if (!b || !c || !buf || !size)
		goto out;
	if (!PEM_write_bio_X509(b, c->x509))
		goto out;
	n = BIO_get_mem_data(b, &data);
	if (n <= 0 || (size_t)n + 1 > size)
		goto out;
	memcpy(buf, data, (size_t)n);
	buf[n] = '\0';
	rc = 0;
out:
	BIO_free(b);
	return rc;
}
