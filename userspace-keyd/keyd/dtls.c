// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS-SRTP engine: OpenSSL 3 DTLS 1.2 over a datagram-preserving memory
 * BIO, use_srtp, RFC 5764 key export, certificate fingerprint checks.
 * See dtls.h for the API and Documentation/keyd-dtls.md for how keyd uses it.
 */
#include "dtls.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/*
 * ECDHE only (PFS, RFC 5763 §8.8), AEAD first; ECDSA since our certs are
 * ECDSA, RSA for peers with RSA certificates. The CBC suites are a fallback
 * for old peers and run MAC-then-encrypt (SSL_OP_NO_ENCRYPT_THEN_MAC):
 * OpenSSL 3.0's DTLS code kills the association on one forged record with
 * a bad encrypt-then-MAC tag, but silently drops it with MAC-then-encrypt.
 */
#define DTLS_CIPHERS							\
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"	\
	"ECDHE-ECDSA-CHACHA20-POLY1305:"				\
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"	\
	"ECDHE-RSA-CHACHA20-POLY1305:"					\
	"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:"		\
	"ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"
#define DTLS_GROUPS		"X25519:P-256:P-384"
#define EXPORTER_LABEL		"EXTRACTOR-dtls_srtp"
#define COOKIE_LEN		32
#define SECRET_MAX		64
#define ERROR_MAX		192
#define MAX_HS_MESSAGE		65536	/* sanity cap for epoch-0 handshake messages */

/* content types and handshake types we look at */
#define CT_CCS		20
#define CT_ALERT	21
#define CT_HANDSHAKE	22
#define CT_APPDATA	23
#define HT_CLIENT_HELLO	1
#define REC_HDR		13
#define HS_HDR		12

/* ---------------------------------------------------------------- profiles */

static const struct dtls_profile_info profiles[DTLS_PROFILE_MAX] = {
	{ DTLS_PROFILE_AES128_CM_SHA1_80, "SRTP_AES128_CM_SHA1_80",
	  "SRTP_AES128_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80", 16, 14 },
	{ DTLS_PROFILE_AES128_CM_SHA1_32, "SRTP_AES128_CM_SHA1_32",
	  "SRTP_AES128_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32", 16, 14 },
	{ DTLS_PROFILE_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM",
	  "SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM", 16, 12 },
	{ DTLS_PROFILE_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM",
	  "SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM", 32, 12 },
};

const enum dtls_profile DTLS_DEFAULT_PROFILES[DTLS_PROFILE_MAX] = {
	DTLS_PROFILE_AEAD_AES_256_GCM,
	DTLS_PROFILE_AEAD_AES_128_GCM,
	DTLS_PROFILE_AES128_CM_SHA1_80,
	DTLS_PROFILE_AES128_CM_SHA1_32,
};

const struct dtls_profile_info *dtls_profile_info(enum dtls_profile p)
{
	size_t i;

	for (i = 0; i < DTLS_PROFILE_MAX; i++)
		if (profiles[i].id == p)
			return &profiles[i];
	return NULL;
}

const struct dtls_profile_info *dtls_profile_by_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < DTLS_PROFILE_MAX; i++)
		if (!strcmp(name, profiles[i].openssl_name) ||
		    !strcmp(name, profiles[i].rfc_name) ||
		    !strcmp(name, profiles[i].suite))
			return &profiles[i];
	return NULL;
}

/* "A:B:C" in OpenSSL names; -1 if a profile is unknown or repeated. */
static int profile_list(const enum dtls_profile *p, size_t n, char *buf,
			size_t size, enum dtls_profile *copy)
{
	size_t i, j, pos = 0;

	if (!n || n > DTLS_PROFILE_MAX)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct dtls_profile_info *pi = dtls_profile_info(p[i]);
		size_t l;

		if (!pi)
			return -1;
		for (j = 0; j < i; j++)
			if (p[j] == p[i])
				return -1;
		l = strlen(pi->openssl_name);
		if (pos + l + 2 > size)
			return -1;
		if (i)
			buf[pos++] = ':';
		memcpy(buf + pos, pi->openssl_name, l + 1);
		pos += l;
		copy[i] = p[i];
	}
	return 0;
}

/* ---------------------------------------------------------------- small helpers */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The first queued OpenSSL error as text (and the queue cleared). */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown OpenSSL error";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------------- certificates */

struct dtls_cert {
	X509 *x509;
	EVP_PKEY *pkey;
	char fp[FP_STR_MAX];	/* sha-256, SDP form */
};

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
		seterr(err, errlen, "cannot fingerprint the certificate");
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
		seterr(err, errlen, "out of memory");
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
	seterr(err, errlen, "certificate generation failed: %s", ossl_reason());
	BN_free(serial);
	dtls_cert_free(c);
	return NULL;
}

struct dtls_cert *dtls_cert_load_pem(const char *cert_file,
				     const char *key_file, char *err,
				     size_t errlen)
{
	struct dtls_cert *c = calloc(1, sizeof(*c));
	FILE *f;

	if (!c) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	f = cert_file ? fopen(cert_file, "r") : NULL;
	if (!f) {
		seterr(err, errlen, "cannot open certificate %s",
		       cert_file ? cert_file : "(null)");
		goto out;
	}
	c->x509 = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = key_file ? fopen(key_file, "r") : NULL;
	if (!f) {
		seterr(err, errlen, "cannot open key %s",
		       key_file ? key_file : "(null)");
		goto out;
	}
	c->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!c->x509 || !c->pkey) {
		seterr(err, errlen, "cannot read PEM: %s", ossl_reason());
		goto out;
	}
	if (X509_check_private_key(c->x509, c->pkey) != 1) {
		seterr(err, errlen, "key does not match the certificate");
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

/* ---------------------------------------------------------------- engine */

struct dtls_engine {
	SSL_CTX *ctx;
	char fp[FP_STR_MAX];
	enum dtls_profile profiles[DTLS_PROFILE_MAX];
	size_t n_profiles;
	unsigned int mtu;
	unsigned int retransmit_ms;
	unsigned int retransmit_max_ms;
	unsigned int handshake_timeout_ms;
	uint8_t secret[2][SECRET_MAX];	/* [0] current, [1] previous */
	size_t secret_len[2];
};

struct dtls_assoc {
	struct dtls_engine *eng;
	SSL *ssl;
	enum dtls_role role;
	enum dtls_state state;
	enum dtls_verify verify;
	dtls_send_fn send;
	void *send_ctx;
	uint8_t peer_addr[DTLS_PEER_ADDR_MAX];
	size_t peer_addr_len;
	struct fp_set fps;
	enum dtls_profile profiles[DTLS_PROFILE_MAX];
	size_t n_profiles;		/* our list (engine's or override) */
	bool own_profiles;		/* override: set on each SSL */
	char profile_str[128];
	bool no_cookie;
	bool deadline_armed;
	uint64_t deadline;
	uint8_t *peer_der;		/* the peer's end-entity certificate */
	size_t peer_der_len;
	bool have_keys;
	bool verify_reported;		/* DTLS_EV_VERIFIED returned */
	struct dtls_srtp_keys keys;
	enum dtls_profile profile;
	/* the datagram dtls_input() hands to the BIO; read at most once */
	const uint8_t *in;
	size_t in_len;
	bool wrote;			/* the BIO sent something (dtls_listen) */
	char error[ERROR_MAX];
	struct dtls_stats stats;
};

static void set_reason(struct dtls_assoc *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first reason wins: later errors are consequences of it. */
static void set_reason(struct dtls_assoc *a, const char *fmt, ...)
{
	va_list ap;

	if (a->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
}

static void wipe_keys(struct dtls_assoc *a)
{
	OPENSSL_cleanse(&a->keys, sizeof(a->keys));
	a->have_keys = false;
}

/* Moves to FAILED (once); returns the events for the caller to report. */
static unsigned int fail(struct dtls_assoc *a, const char *fallback)
{
	if (a->state == DTLS_STATE_FAILED || a->state == DTLS_STATE_CLOSED)
		return 0;
	set_reason(a, "%s", fallback);
	a->state = DTLS_STATE_FAILED;
	wipe_keys(a);
	ERR_clear_error();
	return DTLS_EV_FAILED;
}

/* ---------------------------------------------------------------- datagram BIO */

/*
 * One BIO_write = one datagram out (through the send callback). One
 * BIO_read = the one datagram dtls_input() is handling, or "retry".
 */
static BIO_METHOD *dgram_method;
static CRYPTO_ONCE dgram_once = CRYPTO_ONCE_STATIC_INIT;

static int dgram_write(BIO *b, const char *data, int len)
{
	struct dtls_assoc *a = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (!a || len < 0)
		return -1;
	a->wrote = true;
	a->stats.tx_datagrams++;
	a->stats.tx_bytes += (uint64_t)len;
	if (a->send(a->send_ctx, (const uint8_t *)data, (size_t)len) < 0)
		a->stats.tx_errors++;	/* lost datagram: DTLS retransmits */
	return len;
}

static int dgram_read(BIO *b, char *out, int outl)
{
	struct dtls_assoc *a = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!a || !a->in || outl <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = a->in_len < (size_t)outl ? a->in_len : (size_t)outl;
	memcpy(out, a->in, n);
	a->in = NULL;
	a->in_len = 0;
	return (int)n;
}

static long dgram_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	case BIO_CTRL_PENDING:
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
	case BIO_CTRL_DGRAM_MTU_EXCEEDED:
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
	case BIO_CTRL_DGRAM_GET_PEER:
	default:
		return 0;
	}
}

static int dgram_create(BIO *b)
{
	BIO_set_init(b, 1);
	BIO_set_data(b, NULL);
	return 1;
}

static int dgram_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

static void dgram_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				     "ksrtp dtls datagram");

	if (!m)
		return;
	if (!BIO_meth_set_write(m, dgram_write) ||
	    !BIO_meth_set_read(m, dgram_read) ||
	    !BIO_meth_set_ctrl(m, dgram_ctrl) ||
	    !BIO_meth_set_create(m, dgram_create) ||
	    !BIO_meth_set_destroy(m, dgram_destroy)) {
		BIO_meth_free(m);
		return;
	}
	dgram_method = m;
}

/* ---------------------------------------------------------------- datagram checks */

bool dtls_is_dtls(const uint8_t *data, size_t len)
{
	return data && len && data[0] >= 20 && data[0] <= 63;
}

static unsigned int rd16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static size_t rd24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

bool dtls_is_client_hello(const uint8_t *data, size_t len)
{
	size_t rlen;

	if (!data || len < REC_HDR + HS_HDR + 2 + 32)
		return false;
	if (data[0] != CT_HANDSHAKE || data[1] != 0xfe || data[3] || data[4])
		return false;
	rlen = rd16(data + 11);
	if (rlen < HS_HDR + 2 + 32 || REC_HDR + rlen > len)
		return false;
	/* type 1, fragment offset 0, version + random in this fragment */
	return data[REC_HDR] == HT_CLIENT_HELLO && !rd24(data + REC_HDR + 6) &&
	       rd24(data + REC_HDR + 9) >= 2 + 32 &&
	       rd24(data + REC_HDR + 9) <= rlen - HS_HDR;
}

/* Handshake messages a peer in the other role sends in epoch 0. */
static bool hs_type_ok(enum dtls_role we, unsigned int t)
{
	if (we == DTLS_ROLE_SERVER)	/* from a client */
		return t == 1 || t == 11 || t == 15 || t == 16;
	/* from a server: ServerHello, HelloVerifyRequest, NewSessionTicket,
	 * Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone
	 */
	return t == 2 || t == 3 || t == 4 || (t >= 11 && t <= 14);
}

/*
 * Pre-check of a whole datagram before OpenSSL sees it: every record has a
 * DTLS header and fits; epoch-0 (plaintext) records carry well-formed
 * content a peer in the other role could send; encrypted records are at
 * least min_enc bytes. RFC 6347 §4.1.2.7 wants invalid records discarded
 * without killing the association, but OpenSSL 3.0 treats some of them as
 * fatal: malformed plaintext handshake fragments, and encrypted records
 * shorter than the AEAD nonce + tag (one spoofed 14-byte datagram would
 * tear down an established association). Such datagrams never reach it.
 */
static bool dgram_plausible(enum dtls_role we, size_t min_enc,
			    const uint8_t *p, size_t len)
{
	if (len < REC_HDR)
		return false;
	while (len) {
		unsigned int type, epoch;
		size_t rlen;
		const uint8_t *body;

		if (len < REC_HDR)
			return false;
		type = p[0];
		epoch = rd16(p + 3);
		rlen = rd16(p + 11);
		if (p[1] != 0xfe || (p[2] != 0xff && p[2] != 0xfd))
			return false;
		if (rlen == 0 || REC_HDR + rlen > len)
			return false;
		body = p + REC_HDR;
		/* encrypted: at least nonce + tag / IV + block of our cipher */
		if (epoch && rlen < min_enc)
			return false;
		switch (type) {
		case CT_CCS:
			if (!epoch && (rlen != 1 || body[0] != 1))
				return false;
			break;
		case CT_ALERT:
			if (!epoch && (rlen != 2 || body[0] < 1 || body[0] > 2))
				return false;
			break;
		case CT_HANDSHAKE:
			if (epoch)
				break;
			while (rlen) {
				size_t mlen, foff, flen;

				if (rlen < HS_HDR || !hs_type_ok(we, body[0]))
					return false;
				mlen = rd24(body + 1);
				foff = rd24(body + 6);
				flen = rd24(body + 9);
				if (mlen > MAX_HS_MESSAGE || foff + flen > mlen ||
				    HS_HDR + flen > rlen)
					return false;
				body += HS_HDR + flen;
				rlen -= HS_HDR + flen;
			}
			break;
		case CT_APPDATA:
			if (!epoch)
				return false;
			break;
		default:
			return false;
		}
		rlen = rd16(p + 11);
		p += REC_HDR + rlen;
		len -= REC_HDR + rlen;
	}
	return true;
}

/* ---------------------------------------------------------------- OpenSSL callbacks */

static struct dtls_assoc *ssl_assoc(const SSL *ssl)
{
	return ssl ? SSL_get_app_data(ssl) : NULL;
}

static void make_cookie(const struct dtls_engine *e, int gen,
			const struct dtls_assoc *a, uint8_t out[COOKIE_LEN])
{
	static const char label[] = "ksrtp dtls cookie v1";
	uint8_t msg[sizeof(label) + 1 + DTLS_PEER_ADDR_MAX];
	unsigned int n = COOKIE_LEN;
	size_t m = 0;

	memcpy(msg, label, sizeof(label));
	m += sizeof(label);
	msg[m++] = (uint8_t)a->peer_addr_len;
	memcpy(msg + m, a->peer_addr, a->peer_addr_len);
	m += a->peer_addr_len;
	if (!HMAC(EVP_sha256(), e->secret[gen], (int)e->secret_len[gen], msg, m,
		  out, &n))
		memset(out, 0, COOKIE_LEN);
}

static int cookie_generate_cb(SSL *ssl, unsigned char *cookie,
			      unsigned int *len)
{
	struct dtls_assoc *a = ssl_assoc(ssl);

	if (!a)
		return 0;
	make_cookie(a->eng, 0, a, cookie);
	*len = COOKIE_LEN;
	return 1;
}

static int cookie_verify_cb(SSL *ssl, const unsigned char *cookie,
			    unsigned int len)
{
	struct dtls_assoc *a = ssl_assoc(ssl);
	uint8_t want[COOKIE_LEN];
	int gen, ok = 0;

	if (!a || len != COOKIE_LEN)
		return 0;
	for (gen = 0; gen < 2 && !ok; gen++) {
		if (!a->eng->secret_len[gen])
			continue;
		make_cookie(a->eng, gen, a, want);
		ok = CRYPTO_memcmp(want, cookie, COOKIE_LEN) == 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* Server: refuse a ClientHello without a use_srtp profile we have. */
static int client_hello_cb(SSL *ssl, int *al, void *arg)
{
	struct dtls_assoc *a = ssl_assoc(ssl);
	const unsigned char *ext;
	size_t extlen, plen, i, j;

	(void)arg;
	if (!a)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_use_srtp, &ext,
				       &extlen)) {
		set_reason(a, "no SRTP profile in common: peer did not offer use_srtp");
		*al = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (extlen < 3)
		return SSL_CLIENT_HELLO_SUCCESS;	/* OpenSSL rejects it */
	plen = rd16(ext);
	if (plen < 2 || plen & 1 || 2 + plen + 1 > extlen)
		return SSL_CLIENT_HELLO_SUCCESS;
	for (i = 0; i < plen; i += 2) {
		unsigned int id = rd16(ext + 2 + i);

		for (j = 0; j < a->n_profiles; j++)
			if ((unsigned int)a->profiles[j] == id)
				return SSL_CLIENT_HELLO_SUCCESS;
	}
	set_reason(a, "no SRTP profile in common: peer offered %zu profile(s), none of ours",
		   plen / 2);
	*al = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
}

/* Keeps a copy of the peer's certificate; 0 or -1 (out of memory). */
static int keep_peer_cert(struct dtls_assoc *a, X509 *x)
{
	uint8_t *der = NULL;
	int n = i2d_X509(x, &der);

	if (n <= 0)
		return -1;
	free(a->peer_der);
	a->peer_der = malloc((size_t)n);
	if (!a->peer_der) {
		a->peer_der_len = 0;
		OPENSSL_free(der);
		return -1;
	}
	memcpy(a->peer_der, der, (size_t)n);
	a->peer_der_len = (size_t)n;
	OPENSSL_free(der);
	return 0;
}

/* Compares the kept peer certificate with the signalled fingerprints. */
static enum fp_match check_fps(struct dtls_assoc *a)
{
	enum fp_hash used;
	enum fp_match m;

	m = fp_set_match_der(&a->fps, a->peer_der, a->peer_der_len, &used);
	if (m == FP_MATCH_OK) {
		a->verify = DTLS_VERIFY_OK;
	} else if (m == FP_MATCH_MISMATCH) {
		a->verify = DTLS_VERIFY_MISMATCH;
		set_reason(a, "fingerprint mismatch: the peer certificate's %s does not match a=fingerprint",
			   fp_hash_name(used));
	}
	return m;
}

/*
 * Replaces X.509 path validation: the peer's certificate is trusted only
 * through the signalled fingerprint (self-signed is normal). Also where a
 * client notices that the server picked no SRTP profile.
 */
static int cert_verify_cb(X509_STORE_CTX *xs, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
					      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dtls_assoc *a = ssl_assoc(ssl);
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);

	(void)arg;
	if (!a || !leaf) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	if (keep_peer_cert(a, leaf)) {
		set_reason(a, "out of memory");
		X509_STORE_CTX_set_error(xs, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	if (a->role == DTLS_ROLE_CLIENT && !SSL_get_selected_srtp_profile(ssl)) {
		set_reason(a, "no SRTP profile in common: the server selected none");
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (a->fps.n && check_fps(a) == FP_MATCH_MISMATCH) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	struct dtls_assoc *a = ssl_assoc(ssl);

	if (!a || !(where & SSL_CB_ALERT) || !(where & SSL_CB_READ))
		return;
	if ((ret >> 8) == SSL3_AL_FATAL)
		set_reason(a, "peer sent alert: %s", SSL_alert_desc_string_long(ret));
}

static unsigned int timer_cb(SSL *ssl, unsigned int cur_us)
{
	struct dtls_assoc *a = ssl_assoc(ssl);
	unsigned long first = a ? a->eng->retransmit_ms * 1000UL : 1000000UL;
	unsigned long cap = a ? a->eng->retransmit_max_ms * 1000UL : 60000000UL;
	unsigned long next;

	if (!cur_us)
		return (unsigned int)first;
	next = (unsigned long)cur_us * 2;
	return (unsigned int)(next > cap ? cap : next);
}

/* ---------------------------------------------------------------- engine */

static int engine_new_secret(struct dtls_engine *e)
{
	memcpy(e->secret[1], e->secret[0], SECRET_MAX);
	e->secret_len[1] = e->secret_len[0];
	if (RAND_bytes(e->secret[0], 32) != 1)
		return -1;
	e->secret_len[0] = 32;
	return 0;
}

void dtls_engine_rotate_cookie_secret(struct dtls_engine *e)
{
	if (e && engine_new_secret(e))
		e->secret_len[0] = 0;	/* no cookie verifies: fail closed */
}

struct dtls_engine *dtls_engine_new(const struct dtls_engine_config *cfg,
				    char *err, size_t errlen)
{
	struct dtls_engine *e;
	char list[128];

	if (!cfg || !cfg->cert) {
		seterr(err, errlen, "no certificate");
		return NULL;
	}
	CRYPTO_THREAD_run_once(&dgram_once, dgram_method_init);
	if (!dgram_method) {
		seterr(err, errlen, "cannot create the datagram BIO method");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg->n_profiles ?
	    profile_list(cfg->profiles, cfg->n_profiles, list, sizeof(list),
			 e->profiles) :
	    profile_list(DTLS_DEFAULT_PROFILES, DTLS_PROFILE_MAX, list,
			 sizeof(list), e->profiles)) {
		seterr(err, errlen, "invalid SRTP profile list");
		goto fail;
	}
	e->n_profiles = cfg->n_profiles ? cfg->n_profiles : DTLS_PROFILE_MAX;
	e->mtu = cfg->mtu ? cfg->mtu : 1200;
	if (e->mtu < 256 || e->mtu > 4096) {
		seterr(err, errlen, "mtu %u out of range 256..4096", e->mtu);
		goto fail;
	}
	e->retransmit_ms = cfg->retransmit_ms ? cfg->retransmit_ms : 1000;
	e->retransmit_max_ms = cfg->retransmit_max_ms ? cfg->retransmit_max_ms :
							60000;
	/* OpenSSL treats a timer with < 15 ms left as expired */
	if (e->retransmit_ms < 20)
		e->retransmit_ms = 20;
	if (e->retransmit_ms > 60000)
		e->retransmit_ms = 60000;
	if (e->retransmit_max_ms < e->retransmit_ms)
		e->retransmit_max_ms = e->retransmit_ms;
	if (e->retransmit_max_ms > 600000)
		e->retransmit_max_ms = 600000;
	e->handshake_timeout_ms = cfg->handshake_timeout_ms ?
				  cfg->handshake_timeout_ms : 30000;
	if (cfg->cookie_secret) {
		if (!cfg->cookie_secret_len || cfg->cookie_secret_len > SECRET_MAX) {
			seterr(err, errlen, "cookie secret must be 1..%d bytes",
			       SECRET_MAX);
			goto fail;
		}
		memcpy(e->secret[0], cfg->cookie_secret, cfg->cookie_secret_len);
		e->secret_len[0] = cfg->cookie_secret_len;
	} else if (engine_new_secret(e)) {
		seterr(err, errlen, "no randomness for the cookie secret");
		goto fail;
	}
	memcpy(e->fp, cfg->cert->fp, sizeof(e->fp));

	e->ctx = SSL_CTX_new(DTLS_method());
	if (!e->ctx)
		goto ossl_fail;
	if (!SSL_CTX_set_min_proto_version(e->ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(e->ctx, DTLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(e->ctx, cfg->cert->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(e->ctx, cfg->cert->pkey) != 1 ||
	    SSL_CTX_check_private_key(e->ctx) != 1 ||
	    SSL_CTX_set_cipher_list(e->ctx, DTLS_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(e->ctx, DTLS_GROUPS) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(e->ctx, list) != 0)
		goto ossl_fail;
	SSL_CTX_set_options(e->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
			    SSL_OP_NO_COMPRESSION | SSL_OP_NO_ENCRYPT_THEN_MAC);
	SSL_CTX_set_session_cache_mode(e->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(e->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   NULL);
	SSL_CTX_set_cert_verify_callback(e->ctx, cert_verify_cb, e);
	SSL_CTX_set_cookie_generate_cb(e->ctx, cookie_generate_cb);
	SSL_CTX_set_cookie_verify_cb(e->ctx, cookie_verify_cb);
	SSL_CTX_set_client_hello_cb(e->ctx, client_hello_cb, e);
	SSL_CTX_set_info_callback(e->ctx, info_cb);
	ERR_clear_error();
	return e;

ossl_fail:
	seterr(err, errlen, "SSL_CTX setup failed: %s", ossl_reason());
fail:
	dtls_engine_free(e);
	return NULL;
}

void dtls_engine_free(struct dtls_engine *e)
{
	if (!e)
		return;
	SSL_CTX_free(e->ctx);
	OPENSSL_cleanse(e->secret, sizeof(e->secret));
	free(e);
}

const char *dtls_engine_fingerprint(const struct dtls_engine *e)
{
	return e ? e->fp : "";
}

/* ---------------------------------------------------------------- associations */

static int assoc_new_ssl(struct dtls_assoc *a)
{
	BIO *rbio, *wbio;

	/*
	 * Two BIO objects: OpenSSL may write (retransmit a flight) while a
	 * read is pending, and a shared BIO would lose the read-retry flag.
	 */
	a->ssl = SSL_new(a->eng->ctx);
	rbio = BIO_new(dgram_method);
	wbio = BIO_new(dgram_method);
	if (!a->ssl || !rbio || !wbio) {
		BIO_free(rbio);
		BIO_free(wbio);
		return -1;
	}
	BIO_set_data(rbio, a);
	BIO_set_data(wbio, a);
	SSL_set_bio(a->ssl, rbio, wbio);
	SSL_set_app_data(a->ssl, a);
	DTLS_set_timer_cb(a->ssl, timer_cb);
	if (SSL_set_mtu(a->ssl, (long)a->eng->mtu) <= 0)
		return -1;
	if (a->own_profiles && SSL_set_tlsext_use_srtp(a->ssl, a->profile_str))
		return -1;
	if (a->role == DTLS_ROLE_CLIENT) {
		SSL_set_connect_state(a->ssl);
	} else {
		SSL_set_accept_state(a->ssl);
		if (!a->no_cookie)
			SSL_set_options(a->ssl, SSL_OP_COOKIE_EXCHANGE);
	}
	return 0;
}

static void assoc_drop_ssl(struct dtls_assoc *a)
{
	if (a->ssl) {
		/* the BIOs must not reach us any more (SSL_free may send) */
		BIO *r = SSL_get_rbio(a->ssl), *w = SSL_get_wbio(a->ssl);

		if (r)
			BIO_set_data(r, NULL);
		/* the wbio may be a buffering BIO in front of ours */
		for (; w; w = BIO_next(w))
			if (BIO_method_type(w) == BIO_method_type(r))
				BIO_set_data(w, NULL);
		SSL_free(a->ssl);
		a->ssl = NULL;
	}
	free(a->peer_der);
	a->peer_der = NULL;
	a->peer_der_len = 0;
	wipe_keys(a);
	ERR_clear_error();
}

struct dtls_assoc *dtls_assoc_new(struct dtls_engine *e,
				  const struct dtls_assoc_config *cfg,
				  char *err, size_t errlen)
{
	struct dtls_assoc *a;

	if (!e || !cfg || !cfg->send) {
		seterr(err, errlen, "missing engine, config or send callback");
		return NULL;
	}
	if (cfg->role != DTLS_ROLE_CLIENT && cfg->role != DTLS_ROLE_SERVER) {
		seterr(err, errlen, "invalid DTLS role");
		return NULL;
	}
	if (cfg->peer_addr_len > DTLS_PEER_ADDR_MAX ||
	    (cfg->peer_addr_len && !cfg->peer_addr)) {
		seterr(err, errlen, "peer address longer than %d bytes",
		       DTLS_PEER_ADDR_MAX);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	a->eng = e;
	a->role = cfg->role;
	a->send = cfg->send;
	a->send_ctx = cfg->send_ctx;
	a->no_cookie = cfg->no_cookie;
	if (cfg->peer_addr_len)
		memcpy(a->peer_addr, cfg->peer_addr, cfg->peer_addr_len);
	a->peer_addr_len = cfg->peer_addr_len;
	if (cfg->peer_fps) {
		unsigned int i;

		for (i = 0; i < cfg->peer_fps->n && i < FP_SET_MAX; i++)
			fp_set_add(&a->fps, &cfg->peer_fps->fp[i]);
	}
	if (cfg->n_profiles) {
		if (profile_list(cfg->profiles, cfg->n_profiles, a->profile_str,
				 sizeof(a->profile_str), a->profiles)) {
			seterr(err, errlen, "invalid SRTP profile list");
			free(a);
			return NULL;
		}
		a->n_profiles = cfg->n_profiles;
		a->own_profiles = true;
	} else {
		memcpy(a->profiles, e->profiles, sizeof(a->profiles));
		a->n_profiles = e->n_profiles;
	}
	if (assoc_new_ssl(a)) {
		seterr(err, errlen, "SSL setup failed: %s", ossl_reason());
		dtls_assoc_free(a);
		return NULL;
	}
	return a;
}

void dtls_assoc_set_send_ctx(struct dtls_assoc *a, void *send_ctx)
{
	a->send_ctx = send_ctx;
}

void dtls_assoc_free(struct dtls_assoc *a)
{
	if (!a)
		return;
	assoc_drop_ssl(a);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

static void arm_deadline(struct dtls_assoc *a)
{
	if (a->deadline_armed)
		return;
	a->deadline_armed = true;
	a->deadline = now_ms() + a->eng->handshake_timeout_ms;
	a->stats.handshakes++;
}

/*
 * The shortest encrypted record the current (or pending) cipher can
 * produce; SIZE_MAX (drop all encrypted records) before one is chosen.
 */
static size_t min_encrypted(SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	if (!c)
		c = SSL_get_pending_cipher(ssl);
	if (!c)
		return SIZE_MAX;
	switch (SSL_CIPHER_get_cipher_nid(c)) {
	case NID_aes_128_gcm:
	case NID_aes_256_gcm:
		return 8 + 16 + 1;	/* explicit nonce, tag, >= 1 byte */
	case NID_chacha20_poly1305:
		return 16 + 1;		/* tag, >= 1 byte */
	default:
		return 16 + 32;		/* CBC: IV, MAC + padding blocks */
	}
}

/* OpenSSL's own "waiting for input" state, independent of stale entries
 * in the error queue (a dropped bad-MAC record leaves one behind).
 */
static bool ssl_waits_for_input(SSL *ssl)
{
	BIO *r = SSL_get_rbio(ssl);

	return SSL_want_read(ssl) && r && BIO_should_read(r) &&
	       !(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN);
}

/* DTLS_EV_VERIFIED once: when keys exist and the fingerprint matched. */
static unsigned int verified_event(struct dtls_assoc *a)
{
	if (a->state != DTLS_STATE_CONNECTED || a->verify != DTLS_VERIFY_OK ||
	    a->verify_reported)
		return 0;
	a->verify_reported = true;
	return DTLS_EV_VERIFIED;
}

/* The handshake finished: check the result, export and split the keys. */
static unsigned int on_connected(struct dtls_assoc *a)
{
	const SRTP_PROTECTION_PROFILE *sp = SSL_get_selected_srtp_profile(a->ssl);
	const struct dtls_profile_info *pi = NULL;
	uint8_t km[2 * DTLS_KEYSALT_MAX];
	unsigned int ev = DTLS_EV_CONNECTED;
	X509 *peer;
	size_t k, s, i;
	bool ours = false;

	if (sp) {
		pi = dtls_profile_info((enum dtls_profile)sp->id);
		for (i = 0; pi && i < a->n_profiles; i++)
			ours |= a->profiles[i] == pi->id;
	}
	if (!pi || !ours)
		return fail(a, "no SRTP profile in common");
	peer = SSL_get0_peer_certificate(a->ssl);
	if (!peer)
		return fail(a, "peer sent no certificate");
	if (!a->peer_der && keep_peer_cert(a, peer))
		return fail(a, "out of memory");

	k = pi->key_len;
	s = pi->salt_len;
	if (SSL_export_keying_material(a->ssl, km, 2 * (k + s), EXPORTER_LABEL,
				       strlen(EXPORTER_LABEL), NULL, 0, 0) != 1) {
		OPENSSL_cleanse(km, sizeof(km));
		return fail(a, "keying material export failed");
	}
	/* RFC 5764 §4.2: client key | server key | client salt | server salt */
	memset(&a->keys, 0, sizeof(a->keys));
	a->keys.profile = pi->id;
	a->keys.profile_name = pi->openssl_name;
	a->keys.suite = pi->suite;
	a->keys.key_len = (uint8_t)k;
	a->keys.salt_len = (uint8_t)s;
	a->keys.role = a->role;
	{
		uint8_t *cw = a->role == DTLS_ROLE_CLIENT ? a->keys.tx : a->keys.rx;
		uint8_t *sw = a->role == DTLS_ROLE_CLIENT ? a->keys.rx : a->keys.tx;

		memcpy(cw, km, k);
		memcpy(sw, km + k, k);
		memcpy(cw + k, km + 2 * k, s);
		memcpy(sw + k, km + 2 * k + s, s);
	}
	OPENSSL_cleanse(km, sizeof(km));
	a->have_keys = true;
	a->profile = pi->id;
	a->state = DTLS_STATE_CONNECTED;

	if (a->fps.n && check_fps(a) == FP_MATCH_MISMATCH) {
		SSL_shutdown(a->ssl);
		return fail(a, "fingerprint mismatch");
	}
	return ev | verified_event(a);
}

/* After the handshake: alerts, retransmitted flights, stray data. */
static unsigned int drain(struct dtls_assoc *a)
{
	uint8_t buf[2048];
	int i;

	for (i = 0; i < 64 && a->state == DTLS_STATE_CONNECTED; i++) {
		int r, e;

		ERR_clear_error();
		r = SSL_read(a->ssl, buf, sizeof(buf));
		if (r > 0)
			continue;	/* DTLS application data: not used with SRTP */
		if (ssl_waits_for_input(a->ssl))
			break;		/* maybe a record was dropped: fine */
		e = SSL_get_error(a->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		if (e == SSL_ERROR_ZERO_RETURN) {
			set_reason(a, "peer closed the association (close_notify)");
			a->state = DTLS_STATE_CLOSED;
			wipe_keys(a);
			ERR_clear_error();
			return DTLS_EV_CLOSED;
		}
		set_reason(a, "DTLS error after the handshake (%d): %s", e,
			   ossl_reason());
		return fail(a, "DTLS error");
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* Runs OpenSSL on whatever a->in holds (possibly nothing). */
static unsigned int step(struct dtls_assoc *a)
{
	unsigned int ev = 0;
	int r, e;

	if (a->state == DTLS_STATE_NEW || a->state == DTLS_STATE_HANDSHAKING) {
		a->state = DTLS_STATE_HANDSHAKING;
		ERR_clear_error();
		r = SSL_do_handshake(a->ssl);
		if (r == 1) {
			ev |= on_connected(a);
		} else if (!ssl_waits_for_input(a->ssl)) {
			e = SSL_get_error(a->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				if (e == SSL_ERROR_SSL)
					set_reason(a, "handshake failed: %s",
						   ossl_reason());
				return ev | fail(a, "handshake failed");
			}
		}
	}
	if (a->state == DTLS_STATE_CONNECTED)
		ev |= drain(a);
	ERR_clear_error();
	return ev;
}

unsigned int dtls_assoc_start(struct dtls_assoc *a)
{
	if (!a || a->state != DTLS_STATE_NEW || a->role != DTLS_ROLE_CLIENT)
		return 0;
	arm_deadline(a);
	return step(a);
}

unsigned int dtls_input(struct dtls_assoc *a, const uint8_t *data, size_t len)
{
	unsigned int ev;

	if (!a)
		return DTLS_EV_IGNORED;
	a->stats.rx_datagrams++;
	if (!data || len > DTLS_MAX_DATAGRAM || !dtls_is_dtls(data, len) ||
	    a->state == DTLS_STATE_FAILED || a->state == DTLS_STATE_CLOSED ||
	    !dgram_plausible(a->role, min_encrypted(a->ssl), data, len))
		goto ignored;
	if (a->state == DTLS_STATE_NEW &&
	    (a->role == DTLS_ROLE_CLIENT || !dtls_is_client_hello(data, len)))
		goto ignored;	/* a client speaks first; a server needs a hello */
	if (a->state == DTLS_STATE_CONNECTED && a->role == DTLS_ROLE_SERVER &&
	    dtls_is_client_hello(data, len)) {
		uint8_t cur[32];

		/* a late copy of this session's ClientHello, or a new session? */
		if (SSL_get_client_random(a->ssl, cur, sizeof(cur)) == sizeof(cur) &&
		    !memcmp(cur, data + REC_HDR + HS_HDR + 2, sizeof(cur)))
			goto ignored;
		return DTLS_EV_NEW_HANDSHAKE;
	}
	if (a->state == DTLS_STATE_NEW)
		arm_deadline(a);

	a->in = data;
	a->in_len = len;
	ev = step(a);
	a->in = NULL;
	a->in_len = 0;
	return ev;
ignored:
	a->stats.rx_ignored++;
	return DTLS_EV_IGNORED;
}

long dtls_next_timeout_ms(struct dtls_assoc *a)
{
	struct timeval tv;
	long t = -1;

	if (!a || a->state != DTLS_STATE_HANDSHAKING)
		return -1;
	if (DTLSv1_get_timeout(a->ssl, &tv) == 1)
		t = (long)tv.tv_sec * 1000 + (long)((tv.tv_usec + 999) / 1000);
	if (a->deadline_armed) {
		uint64_t now = now_ms();
		long d = a->deadline > now ? (long)(a->deadline - now) : 0;

		if (t < 0 || d < t)
			t = d;
	}
	return t;
}

unsigned int dtls_on_timeout(struct dtls_assoc *a)
{
	int r;

	if (!a || a->state != DTLS_STATE_HANDSHAKING)
		return 0;
	if (a->deadline_armed && now_ms() >= a->deadline) {
		set_reason(a, "handshake timeout (%u ms)",
			   a->eng->handshake_timeout_ms);
		return fail(a, "handshake timeout");
	}
	ERR_clear_error();
	r = DTLSv1_handle_timeout(a->ssl);
	if (r > 0) {
		a->stats.retransmits++;
	} else if (r < 0) {
		unsigned long e = ERR_peek_error();

		if (ERR_GET_REASON(e) == SSL_R_READ_TIMEOUT_EXPIRED)
			set_reason(a, "handshake timeout: no answer to %llu retransmissions",
				   (unsigned long long)a->stats.retransmits);
		else
			set_reason(a, "handshake failed: %s", ossl_reason());
		return fail(a, "handshake timeout");
	}
	ERR_clear_error();
	return 0;
}

unsigned int dtls_assoc_set_peer_fingerprints(struct dtls_assoc *a,
					      const struct fp_set *fps)
{
	unsigned int i;

	if (!a)
		return 0;
	fp_set_init(&a->fps);
	for (i = 0; fps && i < fps->n && i < FP_SET_MAX; i++)
		fp_set_add(&a->fps, &fps->fp[i]);
	if (a->state == DTLS_STATE_FAILED || a->state == DTLS_STATE_CLOSED)
		return 0;
	if (!a->fps.n) {
		a->verify = DTLS_VERIFY_PENDING;
		return 0;
	}
	if (!a->peer_der) {
		a->verify = DTLS_VERIFY_PENDING;
		return 0;
	}
	if (check_fps(a) == FP_MATCH_MISMATCH) {
		if (a->state == DTLS_STATE_CONNECTED) {
			ERR_clear_error();
			SSL_shutdown(a->ssl);	/* close_notify */
		}
		return fail(a, "fingerprint mismatch");
	}
	return verified_event(a);
}

enum dtls_listen_result dtls_listen(struct dtls_engine *e,
				    const struct dtls_assoc_config *cfg,
				    const uint8_t *data, size_t len,
				    struct dtls_assoc **out,
				    unsigned int *events)
{
	struct dtls_assoc_config c;
	struct dtls_assoc *a;
	BIO_ADDR *peer;
	int r;

	if (out)
		*out = NULL;
	if (events)
		*events = 0;
	if (!e || !cfg || !out || len > DTLS_MAX_DATAGRAM ||
	    !dtls_is_client_hello(data, len) ||
	    !dgram_plausible(DTLS_ROLE_SERVER, SIZE_MAX, data, len))
		return DTLS_LISTEN_IGNORED;
	c = *cfg;
	c.role = DTLS_ROLE_SERVER;
	c.no_cookie = false;
	a = dtls_assoc_new(e, &c, NULL, 0);
	if (!a)
		return DTLS_LISTEN_ERROR;
	peer = BIO_ADDR_new();
	if (!peer) {
		dtls_assoc_free(a);
		return DTLS_LISTEN_ERROR;
	}
	a->in = data;
	a->in_len = len;
	a->wrote = false;
	ERR_clear_error();
	r = DTLSv1_listen(a->ssl, peer);
	BIO_ADDR_free(peer);
	a->in = NULL;
	a->in_len = 0;
	if (r <= 0) {
		bool sent = a->wrote;

		dtls_assoc_free(a);
		ERR_clear_error();
		if (sent)
			return DTLS_LISTEN_VERIFY_SENT;
		return r < 0 ? DTLS_LISTEN_ERROR : DTLS_LISTEN_IGNORED;
	}
	/* the cookie was good: the ClientHello is buffered in the SSL */
	a->stats.rx_datagrams = 1;
	arm_deadline(a);
	a->state = DTLS_STATE_HANDSHAKING;
	r = (int)step(a);
	if (events)
		*events = (unsigned int)r;
	*out = a;
	return DTLS_LISTEN_ACCEPTED;
}

unsigned int dtls_assoc_restart(struct dtls_assoc *a)
{
	if (!a)
		return 0;
	assoc_drop_ssl(a);
	a->state = DTLS_STATE_NEW;
	a->verify = DTLS_VERIFY_PENDING;
	a->verify_reported = false;
	a->profile = DTLS_PROFILE_NONE;
	a->error[0] = '\0';
	a->deadline_armed = false;
	if (assoc_new_ssl(a)) {
		set_reason(a, "SSL setup failed: %s", ossl_reason());
		return fail(a, "SSL setup failed");
	}
	return a->role == DTLS_ROLE_CLIENT ? dtls_assoc_start(a) : 0;
}

void dtls_assoc_close(struct dtls_assoc *a)
{
	if (!a || a->state == DTLS_STATE_CLOSED)
		return;
	if (a->ssl && a->state == DTLS_STATE_CONNECTED) {
		ERR_clear_error();
		SSL_shutdown(a->ssl);
		ERR_clear_error();
	}
	if (a->state != DTLS_STATE_FAILED) {
		set_reason(a, "closed locally");
		a->state = DTLS_STATE_CLOSED;
	}
	wipe_keys(a);
}

/* ---------------------------------------------------------------- results */

int dtls_assoc_get_keys(struct dtls_assoc *a, struct dtls_srtp_keys *out,
			bool allow_unverified, const char **why)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!a || !out) {
		if (why)
			*why = "invalid arguments";
		return -1;
	}
	if (a->state != DTLS_STATE_CONNECTED || !a->have_keys) {
		if (why)
			*why = "no keys: the association is not connected";
		return -1;
	}
	if (a->verify != DTLS_VERIFY_OK && !allow_unverified) {
		if (why)
			*why = "no keys: the peer fingerprint is not verified yet";
		return -1;
	}
	*out = a->keys;
	out->verified = a->verify == DTLS_VERIFY_OK;
	if (why)
		*why = NULL;
	return 0;
}

void dtls_srtp_keys_wipe(struct dtls_srtp_keys *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
}

enum dtls_state dtls_assoc_state(const struct dtls_assoc *a)
{
	return a ? a->state : DTLS_STATE_FAILED;
}

enum dtls_verify dtls_assoc_verify_state(const struct dtls_assoc *a)
{
	return a ? a->verify : DTLS_VERIFY_PENDING;
}

enum dtls_role dtls_assoc_role(const struct dtls_assoc *a)
{
	return a ? a->role : DTLS_ROLE_CLIENT;
}

const char *dtls_assoc_error(const struct dtls_assoc *a)
{
	return a ? a->error : "no association";
}

enum dtls_profile dtls_assoc_profile(const struct dtls_assoc *a)
{
	return a && a->state == DTLS_STATE_CONNECTED ? a->profile :
						       DTLS_PROFILE_NONE;
}

int dtls_assoc_peer_fingerprint(const struct dtls_assoc *a, enum fp_hash h,
				struct fingerprint *out)
{
	if (!a || !a->peer_der)
		return -1;
	return fp_compute(h, a->peer_der, a->peer_der_len, out);
}

const struct dtls_stats *dtls_assoc_stats(const struct dtls_assoc *a)
{
	static const struct dtls_stats none;

	return a ? &a->stats : &none;
}

const char *dtls_state_name(enum dtls_state s)
{
	switch (s) {
	case DTLS_STATE_NEW:
		return "new";
	case DTLS_STATE_HANDSHAKING:
		return "handshaking";
	case DTLS_STATE_CONNECTED:
		return "connected";
	case DTLS_STATE_FAILED:
		return "failed";
	case DTLS_STATE_CLOSED:
		return "closed";
	}
	return "?";
}

const char *dtls_verify_name(enum dtls_verify v)
{
	switch (v) {
	case DTLS_VERIFY_PENDING:
		return "pending";
	case DTLS_VERIFY_OK:
		return "verified";
	case DTLS_VERIFY_MISMATCH:
		return "mismatch";
	}
	return "?";
}
