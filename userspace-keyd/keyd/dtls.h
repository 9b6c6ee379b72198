/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DTLS-SRTP engine (RFC 5763 / RFC 5764) for ksrtp-keyd.
 *
 * The engine never owns a socket and never reads a clock for anything but
 * its own deadlines. keyd feeds it the DTLS datagrams the kernel punts up
 * (first byte 20..63, RFC 7983) and gets the datagrams to send back through
 * a callback, to pass on as netlink "sock-send". Retransmissions are driven
 * by keyd's timer loop through dtls_next_timeout_ms() / dtls_on_timeout().
 *
 *   struct dtls_cert    our identity: ECDSA P-256 key + self-signed cert
 *   struct dtls_engine  per daemon (or per call for ephemeral certificates):
 *                       the cert, the SSL_CTX, SRTP profiles, timers, the
 *                       cookie secret
 *   struct dtls_assoc   one DTLS association = one flow (local socket,
 *                       peer transport address); one per RTP/RTCP component
 *
 * Typical use (see Documentation/keyd-dtls.md):
 *
 *	eng = dtls_engine_new(&(struct dtls_engine_config){ .cert = c }, ...);
 *	sdp: "a=fingerprint:" + dtls_engine_fingerprint(eng)
 *	client:  a = dtls_assoc_new(eng, &cfg, ...); dtls_assoc_start(a);
 *	server:  dtls_listen(eng, &cfg, dgram, len, &a, &ev) for datagrams of
 *	         unknown peers (stateless HelloVerifyRequest), then
 *	both:    ev = dtls_input(a, dgram, len);  on upcalls
 *	         ev = dtls_on_timeout(a);         when dtls_next_timeout_ms() ran out
 *	         ev = dtls_assoc_set_peer_fingerprints(a, &fps); when the SDP arrives
 *	         if (ev & DTLS_EV_CONNECTED) dtls_assoc_get_keys(a, &k, ...)
 *
 * Every function returning events returns a mask of DTLS_EV_* for what
 * happened during that call; nothing is called back except `send`. After
 * DTLS_EV_FAILED, dtls_assoc_error() says why in words.
 *
 * Not thread-safe: use an engine and its associations from one thread
 * (keyd's event loop). Free all associations before their engine.
 */
#ifndef KEYD_DTLS_H
#define KEYD_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

/* ---------------------------------------------------------------- profiles */

/* use_srtp protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2). */
enum dtls_profile {
	DTLS_PROFILE_NONE = 0,
	DTLS_PROFILE_AES128_CM_SHA1_80 = 0x0001,
	DTLS_PROFILE_AES128_CM_SHA1_32 = 0x0002,
	DTLS_PROFILE_AEAD_AES_128_GCM = 0x0007,
	DTLS_PROFILE_AEAD_AES_256_GCM = 0x0008,
};

#define DTLS_PROFILE_MAX	4	/* profiles this engine knows */

struct dtls_profile_info {
	enum dtls_profile id;
	const char *openssl_name;	/* "SRTP_AES128_CM_SHA1_80" */
	const char *rfc_name;		/* "SRTP_AES128_CM_HMAC_SHA1_80" */
	const char *suite;		/* SDES/ksrtp name: "AES_CM_128_HMAC_SHA1_80" */
	uint8_t key_len;		/* master key bytes */
	uint8_t salt_len;		/* master salt bytes */
};

/* NULL if unknown. */
const struct dtls_profile_info *dtls_profile_info(enum dtls_profile p);
/* Any of the three names (case-sensitive); NULL if unknown. */
const struct dtls_profile_info *dtls_profile_by_name(const char *name);

/* ---------------------------------------------------------------- certificates */

struct dtls_cert;

/*
 * A fresh ECDSA P-256 key and a self-signed X.509v3 certificate, signed
 * with ECDSA-SHA256, valid from a day ago for `days` days (0 = 30), with a
 * random serial. `cn` is the subject CN; NULL gives a random neutral one
 * ("ksrtp-<16 hex>") that identifies nobody (RFC 5763 §6.1, anonymous
 * calls). NULL on failure, with the reason in err.
 */
struct dtls_cert *dtls_cert_generate(const char *cn, unsigned int days,
				     char *err, size_t errlen);
/* The same, valid until `secs` seconds from now (0 = 30 days). */
struct dtls_cert *dtls_cert_generate_secs(const char *cn, unsigned int secs,
					  char *err, size_t errlen);
/* A long-term identity from PEM files (any key type OpenSSL can sign with). */
struct dtls_cert *dtls_cert_load_pem(const char *cert_file,
				     const char *key_file, char *err,
				     size_t errlen);
void dtls_cert_free(struct dtls_cert *c);
/* "sha-256 AB:CD:..." of the certificate (the a=fingerprint value). */
const char *dtls_cert_fingerprint(const struct dtls_cert *c);
int dtls_cert_fingerprint_hash(const struct dtls_cert *c, enum fp_hash h,
			       struct fingerprint *out);
/* The certificate (not the key) as PEM; 0, or -1 if it does not fit. */
int dtls_cert_pem(const struct dtls_cert *c, char *buf, size_t size);

/* ---------------------------------------------------------------- engine */

struct dtls_engine_config {
	const struct dtls_cert *cert;	/* required; may be freed after dtls_engine_new() */
	/* use_srtp profiles in preference order; NULL/0 = DTLS_DEFAULT_PROFILES.
	 * As the server, our order decides; as the client, the server's does.
	 */
	const enum dtls_profile *profiles;
	size_t n_profiles;
	unsigned int mtu;			/* max datagram; 0 = 1200 */
	unsigned int retransmit_ms;		/* first retransmission; 0 = 1000 (RFC 6347);
						 * at least 20 (OpenSSL fires timers
						 * with < 15 ms left at once) */
	unsigned int retransmit_max_ms;		/* backoff cap; 0 = 60000 */
	unsigned int handshake_timeout_ms;	/* whole handshake; 0 = 30000 */
	/* HMAC key for cookies; NULL = 32 random bytes (normal case). Set it
	 * only to share cookies between processes or for reproducible tests.
	 */
	const uint8_t *cookie_secret;
	size_t cookie_secret_len;
};

/* AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, _32 */
extern const enum dtls_profile DTLS_DEFAULT_PROFILES[DTLS_PROFILE_MAX];

struct dtls_engine;

struct dtls_engine *dtls_engine_new(const struct dtls_engine_config *cfg,
				    char *err, size_t errlen);
void dtls_engine_free(struct dtls_engine *e);
/* Our a=fingerprint value, "sha-256 AB:...". */
const char *dtls_engine_fingerprint(const struct dtls_engine *e);
/*
 * New cookie secret; cookies made with the previous one stay valid until
 * the next rotation. Call it every few minutes.
 */
void dtls_engine_rotate_cookie_secret(struct dtls_engine *e);

/* ---------------------------------------------------------------- associations */

/*
 * Sends one datagram to the peer; called from inside dtls_* calls. A
 * negative return counts as a lost datagram (DTLS retransmits).
 */
typedef int (*dtls_send_fn)(void *ctx, const uint8_t *data, size_t len);

#define DTLS_PEER_ADDR_MAX	128

struct dtls_assoc_config {
	enum dtls_role role;
	dtls_send_fn send;
	void *send_ctx;
	/* The peer's transport address as opaque bytes (e.g. the sockaddr
	 * of the upcall, or local socket id + sockaddr); cookies are bound to
	 * it. At most DTLS_PEER_ADDR_MAX bytes; may be empty for a client.
	 */
	const void *peer_addr;
	size_t peer_addr_len;
	/* The peer's a=fingerprint values if already known, else NULL. */
	const struct fp_set *peer_fps;
	/* Overrides the engine's profile list when n_profiles > 0. */
	const enum dtls_profile *profiles;
	size_t n_profiles;
	/* Server: skip the HelloVerifyRequest round trip (e.g. the peer was
	 * already validated by ICE). dtls_listen() ignores it.
	 */
	bool no_cookie;
};

enum dtls_state {
	DTLS_STATE_NEW = 0,	/* nothing sent or received yet */
	DTLS_STATE_HANDSHAKING,
	DTLS_STATE_CONNECTED,	/* handshake done, keys exported */
	DTLS_STATE_FAILED,	/* dtls_assoc_error() says why; keys wiped */
	DTLS_STATE_CLOSED,	/* close_notify sent or received; keys wiped */
};

enum dtls_verify {
	DTLS_VERIFY_PENDING = 0,	/* no peer certificate or no fingerprint yet */
	DTLS_VERIFY_OK,			/* the peer cert matches the signalled fingerprint */
	DTLS_VERIFY_MISMATCH,		/* it does not: the association has failed */
};

/* Events returned by dtls_input() and friends (a bit mask). */
#define DTLS_EV_CONNECTED	0x01u	/* handshake completed: keys available */
#define DTLS_EV_VERIFIED	0x02u	/* connected and the peer cert matched the
					 * fingerprint (once; may come with
					 * DTLS_EV_CONNECTED or later) */
#define DTLS_EV_FAILED		0x04u	/* association failed; see dtls_assoc_error() */
#define DTLS_EV_CLOSED		0x08u	/* peer closed the association (close_notify) */
#define DTLS_EV_IGNORED		0x10u	/* datagram dropped: not DTLS, malformed, oversized, stale */
#define DTLS_EV_NEW_HANDSHAKE	0x20u	/* a connected server got a fresh ClientHello:
					 * the peer started a new association; see
					 * dtls_listen() / dtls_assoc_restart() */

struct dtls_assoc;

/*
 * A client starts sending on dtls_assoc_start(); a server waits for a
 * ClientHello (with a cookie round trip unless cfg->no_cookie). cfg and
 * everything it points to are copied. NULL on failure, reason in err.
 */
struct dtls_assoc *dtls_assoc_new(struct dtls_engine *e,
				  const struct dtls_assoc_config *cfg,
				  char *err, size_t errlen);
void dtls_assoc_free(struct dtls_assoc *a);
/* The send callback's ctx from now on (the caller moved what it points to). */
void dtls_assoc_set_send_ctx(struct dtls_assoc *a, void *send_ctx);

/* Client: sends the first ClientHello and starts the handshake deadline.
 * Server: does nothing (its deadline starts with the first ClientHello).
 * Returns events (DTLS_EV_FAILED on internal errors).
 */
unsigned int dtls_assoc_start(struct dtls_assoc *a);

/*
 * One datagram from the peer. Anything is accepted; malformed, truncated,
 * oversized (> DTLS_MAX_DATAGRAM) or non-DTLS datagrams give
 * DTLS_EV_IGNORED and change nothing.
 */
#define DTLS_MAX_DATAGRAM	(16384 + 2048)
unsigned int dtls_input(struct dtls_assoc *a, const uint8_t *data, size_t len);

/*
 * Milliseconds until dtls_on_timeout() must be called (0 = now), or -1 if
 * no timer runs (not handshaking). Includes the whole-handshake deadline.
 */
long dtls_next_timeout_ms(struct dtls_assoc *a);
/* Retransmits if due; fails the association on the handshake deadline or
 * when OpenSSL gives up. Harmless if called early.
 */
unsigned int dtls_on_timeout(struct dtls_assoc *a);

/*
 * The peer's a=fingerprint values (replacing earlier ones). If the peer
 * certificate is already known it is checked now: DTLS_EV_VERIFIED, or
 * DTLS_EV_FAILED ("fingerprint mismatch": keys wiped, close_notify sent).
 * Otherwise it is checked during the handshake, which then fails with a
 * bad_certificate alert on mismatch. An empty set only clears.
 */
unsigned int dtls_assoc_set_peer_fingerprints(struct dtls_assoc *a,
					      const struct fp_set *fps);

/*
 * Stateless server side for a datagram from a peer without association:
 * a ClientHello without a valid cookie gets a HelloVerifyRequest through
 * cfg->send and nothing is kept; one with a valid cookie for
 * cfg->peer_addr creates the association (*out), which answers at once.
 * cfg->role is forced to server.
 */
enum dtls_listen_result {
	DTLS_LISTEN_ACCEPTED = 0,	/* *out is a new association; *events set */
	DTLS_LISTEN_VERIFY_SENT,	/* HelloVerifyRequest sent, no state kept */
	DTLS_LISTEN_IGNORED,		/* not a ClientHello: drop it */
	DTLS_LISTEN_ERROR,		/* out of memory / internal error */
};
enum dtls_listen_result dtls_listen(struct dtls_engine *e,
				    const struct dtls_assoc_config *cfg,
				    const uint8_t *data, size_t len,
				    struct dtls_assoc **out,
				    unsigned int *events);

/*
 * Throws the DTLS session away (keys wiped) and starts a new handshake on
 * the same association, same role and peer fingerprints: a client sends a
 * new ClientHello at once, a server waits for one. Returns events.
 * For make-before-break rekeying, create a second association instead and
 * free the old one once the new one is connected (Documentation/keyd-dtls.md).
 */
unsigned int dtls_assoc_restart(struct dtls_assoc *a);

/* Sends close_notify if a session exists, wipes keys, state CLOSED. */
void dtls_assoc_close(struct dtls_assoc *a);

/* ---------------------------------------------------------------- results */

#define DTLS_KEYSALT_MAX	44	/* AES-256 key (32) + GCM salt (12) */

struct dtls_srtp_keys {
	enum dtls_profile profile;
	const char *profile_name;	/* OpenSSL name, "SRTP_AES128_CM_SHA1_80" */
	const char *suite;		/* ksrtp/SDES name, "AES_CM_128_HMAC_SHA1_80" */
	uint8_t key_len, salt_len;	/* tx/rx hold key_len + salt_len bytes */
	enum dtls_role role;
	bool verified;			/* peer fingerprint checked and matched */
	/* key || salt per direction. A client sends with client_write_* and
	 * receives with server_write_*, a server the reverse (RFC 5764 §4.2).
	 */
	uint8_t tx[DTLS_KEYSALT_MAX];
	uint8_t rx[DTLS_KEYSALT_MAX];
};

/*
 * The SRTP keys of a connected association. Unless allow_unverified,
 * fails (-1) while the peer fingerprint is not verified: keys are only
 * usable once the certificate matches the signalled fingerprint. 0 or -1
 * (not connected / unverified; the reason goes to *why if not NULL).
 */
int dtls_assoc_get_keys(struct dtls_assoc *a, struct dtls_srtp_keys *out,
			bool allow_unverified, const char **why);
/* OPENSSL_cleanse()s the whole struct. */
void dtls_srtp_keys_wipe(struct dtls_srtp_keys *k);

enum dtls_state dtls_assoc_state(const struct dtls_assoc *a);
enum dtls_verify dtls_assoc_verify_state(const struct dtls_assoc *a);
enum dtls_role dtls_assoc_role(const struct dtls_assoc *a);
/* Why the association failed or closed ("fingerprint mismatch", "no SRTP
 * profile in common", "handshake timeout", "peer sent alert: ..."); "" if
 * it did not.
 */
const char *dtls_assoc_error(const struct dtls_assoc *a);
/* The negotiated profile; DTLS_PROFILE_NONE before CONNECTED. */
enum dtls_profile dtls_assoc_profile(const struct dtls_assoc *a);
/* The peer certificate's fingerprint once it was received; 0 or -1. */
int dtls_assoc_peer_fingerprint(const struct dtls_assoc *a, enum fp_hash h,
				struct fingerprint *out);

struct dtls_stats {
	uint64_t rx_datagrams;		/* given to dtls_input() */
	uint64_t rx_ignored;		/* of which dropped before OpenSSL */
	uint64_t tx_datagrams;
	uint64_t tx_bytes;
	uint64_t tx_errors;		/* send callback returned < 0 */
	uint64_t retransmits;		/* timer-driven flight resends */
	uint32_t handshakes;		/* started (1 + restarts) */
};
const struct dtls_stats *dtls_assoc_stats(const struct dtls_assoc *a);

const char *dtls_state_name(enum dtls_state s);
const char *dtls_verify_name(enum dtls_verify v);

/*
 * Datagram helpers for demultiplexing in keyd: the RFC 7983 range check
 * (first byte 20..63), and whether the datagram starts with an epoch-0
 * ClientHello (what may create a server association).
 */
bool dtls_is_dtls(const uint8_t *data, size_t len);
bool dtls_is_client_hello(const uint8_t *data, size_t len);

#endif /* KEYD_DTLS_H */
