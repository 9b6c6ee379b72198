// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP engine's OpenSSL callbacks: cookies (HelloVerifyRequest),
 * the ClientHello's use_srtp check, peer certificate verification against
 * the signalled fingerprints, alerts and the retransmit timer.
 */
#include "dtls_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/srtp.h>

#define COOKIE_LEN		32

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
		dtls_set_reason(a, "no SRTP profile in common: peer did not offer use_srtp");
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
	dtls_set_reason(a, "no SRTP profile in common: peer offered %zu profile(s), none of ours",
			plen / 2);
	*al = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
}

/* Keeps a copy of the peer's certificate; 0 or -1 (out of memory). */
int dtls_keep_peer_cert(struct dtls_assoc *a, X509 *x)
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
enum fp_match dtls_check_fps(struct dtls_assoc *a)
{
	enum fp_hash used;
	enum fp_match m;

	m = fp_set_match_der(&a->fps, a->peer_der, a->peer_der_len, &used);
	if (m == FP_MATCH_OK) {
		a->verify = DTLS_VERIFY_OK;
	} else if (m == FP_MATCH_MISMATCH) {
		a->verify = DTLS_VERIFY_MISMATCH;
		dtls_set_reason(a, "fingerprint mismatch: the peer certificate's %s does not match a=fingerprint",
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
	if (dtls_keep_peer_cert(a, leaf)) {
		dtls_set_reason(a, "out of memory");
		X509_STORE_CTX_set_error(xs, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	if (a->role == DTLS_ROLE_CLIENT && !SSL_get_selected_srtp_profile(ssl)) {
		dtls_set_reason(a, "no SRTP profile in common: the server selected none");
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (a->fps.n && dtls_check_fps(a) == FP_MATCH_MISMATCH) {
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
		dtls_set_reason(a, "peer sent alert: %s", SSL_alert_desc_string_long(ret));
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

void dtls_ctx_set_callbacks(SSL_CTX *ctx, struct dtls_engine *e)
{
	SSL_CTX_set_cert_verify_callback(ctx, cert_verify_cb, e);
	SSL_CTX_set_cookie_generate_cb(ctx, cookie_generate_cb);
	SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify_cb);
	SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, e);
	SSL_CTX_set_info_callback(ctx, info_cb);
}

/* ssl_assoc() finds a through the SSL's app data. */
void dtls_ssl_set_callbacks(SSL *ssl, struct dtls_assoc *a)
{
	SSL_set_app_data(ssl, a);
	DTLS_set_timer_cb(ssl, timer_cb);
}
