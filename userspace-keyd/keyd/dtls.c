// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS-SRTP associations: OpenSSL 3 DTLS 1.2 over a datagram-preserving
 * memory BIO, use_srtp, RFC 5764 key export, fingerprint checks; the
 * engine's other parts are dtls_engine.c, dtls_cert.c, dtls_bio.c,
 * dtls_record.c and dtls_callbacks.c (dtls_internal.h).
 * See dtls.h for the API and Documentation/keyd-dtls.md for how keyd uses it.
 */
#include "dtls_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>

#define EXPORTER_LABEL		"EXTRACTOR-dtls_srtp"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void dtls_set_reason(struct dtls_assoc *a, const char *fmt, ...)
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
	dtls_set_reason(a, "%s", fallback);
	a->state = DTLS_STATE_FAILED;
	wipe_keys(a);
	ERR_clear_error();
	return DTLS_EV_FAILED;
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
	rbio = BIO_new(dtls_bio_method());
	wbio = BIO_new(dtls_bio_method());
	if (!a->ssl || !rbio || !wbio) {
		BIO_free(rbio);
		BIO_free(wbio);
		return -1;
	}
	BIO_set_data(rbio, a);
	BIO_set_data(wbio, a);
	SSL_set_bio(a->ssl, rbio, wbio);
	dtls_ssl_set_callbacks(a->ssl, a);
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
		dtls_seterr(err, errlen, "missing engine, config or send callback");
		return NULL;
	}
	if (cfg->role != DTLS_ROLE_CLIENT && cfg->role != DTLS_ROLE_SERVER) {
		dtls_seterr(err, errlen, "invalid DTLS role");
		return NULL;
	}
	if (cfg->peer_addr_len > DTLS_PEER_ADDR_MAX ||
	    (cfg->peer_addr_len && !cfg->peer_addr)) {
		dtls_seterr(err, errlen, "peer address longer than %d bytes",
			    DTLS_PEER_ADDR_MAX);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		dtls_seterr(err, errlen, "out of memory");
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
		if (dtls_profile_list(cfg->profiles, cfg->n_profiles, a->profile_str,
				      sizeof(a->profile_str), a->profiles)) {
			dtls_seterr(err, errlen, "invalid SRTP profile list");
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
		dtls_seterr(err, errlen, "SSL setup failed: %s", dtls_ossl_reason());
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
	if (!a->peer_der && dtls_keep_peer_cert(a, peer))
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

	if (a->fps.n && dtls_check_fps(a) == FP_MATCH_MISMATCH) {
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
			dtls_set_reason(a, "peer closed the association (close_notify)");
			a->state = DTLS_STATE_CLOSED;
			wipe_keys(a);
			ERR_clear_error();
			return DTLS_EV_CLOSED;
		}
		dtls_set_reason(a, "DTLS error after the handshake (%d): %s", e,
				dtls_ossl_reason());
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
					dtls_set_reason(a, "handshake failed: %s",
							dtls_ossl_reason());
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
	    !dtls_dgram_plausible(a->role, min_encrypted(a->ssl), data, len))
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
		dtls_set_reason(a, "handshake timeout (%u ms)",
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
			dtls_set_reason(a, "handshake timeout: no answer to %llu retransmissions",
					(unsigned long long)a->stats.retransmits);
		else
			dtls_set_reason(a, "handshake failed: %s", dtls_ossl_reason());
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
	if (dtls_check_fps(a) == FP_MATCH_MISMATCH) {
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
	    !dtls_dgram_plausible(DTLS_ROLE_SERVER, SIZE_MAX, data, len))
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
		dtls_set_reason(a, "SSL setup failed: %s", dtls_ossl_reason());
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
		dtls_set_reason(a, "closed locally");
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
