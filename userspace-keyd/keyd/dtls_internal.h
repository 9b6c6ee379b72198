/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the DTLS-SRTP engine (dtls*.c): the state of a certificate, an
 * engine and an association, and the helpers the engine's files share.
 * Not an API: keyd uses dtls.h.
 */
#ifndef KEYD_DTLS_INTERNAL_H
#define KEYD_DTLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dtls.h"

#define SECRET_MAX		64
#define ERROR_MAX		192
#define REC_HDR		13	/* DTLS record header */
#define HS_HDR		12	/* DTLS handshake message header */

struct dtls_cert {
	X509 *x509;
	EVP_PKEY *pkey;
	char fp[FP_STR_MAX];	/* sha-256, SDP form */
};

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

static inline unsigned int rd16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static inline size_t rd24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* dtls_engine.c */
void dtls_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *dtls_ossl_reason(void);
int dtls_profile_list(const enum dtls_profile *p, size_t n, char *buf,
		      size_t size, enum dtls_profile *copy);

/* dtls.c */
void dtls_set_reason(struct dtls_assoc *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* dtls_bio.c: the datagram BIO method (made once; NULL if it cannot be) */
BIO_METHOD *dtls_bio_method(void);

/* dtls_record.c */
bool dtls_dgram_plausible(enum dtls_role we, size_t min_enc,
			  const uint8_t *p, size_t len);

/* dtls_callbacks.c */
void dtls_ctx_set_callbacks(SSL_CTX *ctx, struct dtls_engine *e);
void dtls_ssl_set_callbacks(SSL *ssl, struct dtls_assoc *a);
int dtls_keep_peer_cert(struct dtls_assoc *a, X509 *x);
enum fp_match dtls_check_fps(struct dtls_assoc *a);

#endif
