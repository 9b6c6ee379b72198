// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP engine: SRTP protection profiles, the SSL_CTX with our
 * certificate, ciphers and timers, and the cookie secret.
 * See dtls.h for the API and Documentation/keyd-dtls.md for how keyd uses it.
 */
#include "dtls_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

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
int dtls_profile_list(const enum dtls_profile *p, size_t n, char *buf,
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

void dtls_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The first queued OpenSSL error as text (and the queue cleared). */
const char *dtls_ossl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown OpenSSL error";
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

/* The profile list, MTU, timers and cookie secret from cfg (defaults, clamps). */
static int engine_settings(struct dtls_engine *e,
			   const struct dtls_engine_config *cfg, char *list,
			   size_t listlen, char *err, size_t errlen)
{
	if (cfg->n_profiles ?
	    dtls_profile_list(cfg->profiles, cfg->n_profiles, list, listlen,
			      e->profiles) :
	    dtls_profile_list(DTLS_DEFAULT_PROFILES, DTLS_PROFILE_MAX, list,
			      listlen, e->profiles)) {
		dtls_seterr(err, errlen, "invalid SRTP profile list");
		return -1;
	}
	e->n_profiles = cfg->n_profiles ? cfg->n_profiles : DTLS_PROFILE_MAX;
	e->mtu = cfg->mtu ? cfg->mtu : 1200;
	if (e->mtu < 256 || e->mtu > 4096) {
		dtls_seterr(err, errlen, "mtu %u out of range 256..4096", e->mtu);
		return -1;
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
			dtls_seterr(err, errlen, "cookie secret must be 1..%d bytes",
				    SECRET_MAX);
			return -1;
		}
		memcpy(e->secret[0], cfg->cookie_secret, cfg->cookie_secret_len);
		e->secret_len[0] = cfg->cookie_secret_len;
	} else if (engine_new_secret(e)) {
		dtls_seterr(err, errlen, "no randomness for the cookie secret");
		return -1;
	}
	return 0;
}

/* The SSL_CTX: DTLS 1.2 only, our certificate, ciphers, use_srtp `list`. */
static int engine_ssl_ctx(struct dtls_engine *e,
			  const struct dtls_engine_config *cfg, const char *list)
{
	e->ctx = SSL_CTX_new(DTLS_method());
	if (!e->ctx)
		return -1;
	if (!SSL_CTX_set_min_proto_version(e->ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(e->ctx, DTLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(e->ctx, cfg->cert->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(e->ctx, cfg->cert->pkey) != 1 ||
	    SSL_CTX_check_private_key(e->ctx) != 1 ||
	    SSL_CTX_set_cipher_list(e->ctx, DTLS_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(e->ctx, DTLS_GROUPS) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(e->ctx, list) != 0)
		return -1;
	SSL_CTX_set_options(e->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
			    SSL_OP_NO_COMPRESSION | SSL_OP_NO_ENCRYPT_THEN_MAC);
	SSL_CTX_set_session_cache_mode(e->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(e->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   NULL);
	dtls_ctx_set_callbacks(e->ctx, e);
	return 0;
}

struct dtls_engine *dtls_engine_new(const struct dtls_engine_config *cfg,
				    char *err, size_t errlen)
{
	struct dtls_engine *e;
	char list[128];

	if (!cfg || !cfg->cert) {
		dtls_seterr(err, errlen, "no certificate");
		return NULL;
	}
	if (!dtls_bio_method()) {
		dtls_seterr(err, errlen, "cannot create the datagram BIO method");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		dtls_seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (engine_settings(e, cfg, list, sizeof(list), err, errlen))
		goto fail;
	memcpy(e->fp, cfg->cert->fp, sizeof(e->fp));
	if (engine_ssl_ctx(e, cfg, list)) {
		dtls_seterr(err, errlen, "SSL_CTX setup failed: %s",
			    dtls_ossl_reason());
		goto fail;
	}
	ERR_clear_error();
	return e;
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
