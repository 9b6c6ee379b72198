/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ZRTP stream's protocol engine (RFC 6189 §4), without I/O: packets in
 * (zrtp_input), packets out (zrtp_output), a timer for retransmission
 * (zrtp_timer). DH mode, both roles, Commit contention, retained secrets
 * and the pbxsecret of an enrolled PBX from the caller's cache (s1, s3), the
 * caller's auxsecret (s2); no Preshared Commit or signatures; Multistream (zrtp_multistream.c); Ping
 * answered, GoClear refused, SASrelay acknowledged and, from an enrolled
 * PBX, rendered (zrtp_ancillary.c).
 * The result: the SAS, the SRTP master keys and salts each way, the next
 * rs1 and how the call stood with the cache.
 */
#ifndef KEYD_ZRTP_ENGINE_H
#define KEYD_ZRTP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zrtp_keys.h"

/*
 * Multistream (§4.4.3): this stream keys from the ZRTP session of an
 * earlier DH stream of the call, with that stream's peer and algorithms.
 */
struct zrtp_ms_source {
	uint8_t zrtpsess[ZRTP_HASH_MAX];
	uint8_t peer_zid[ZRTP_ZID_LEN];
	zrtp_alg hash, cipher, auth;
};

/* Our identity and algorithm preferences (each list in preference order). */
struct zrtp_cfg {
	uint8_t zid[ZRTP_ZID_LEN];
	uint8_t n[ZRTP_NKINDS];
	zrtp_alg alg[ZRTP_NKINDS][ZRTP_MAX_ALGS];
	bool passive;		/* never send a Commit (§5.2's P flag) */
	bool mitm;		/* we are a trusted MiTM, a PBX (§7.3): our Hello's M flag */
	bool pbx_enroll;	/* with mitm: our Confirm's E flag, an enrollment call (§7.3.1) */
	/*
	 * The retained-secret cache: our entry for a peer ZID, asked once its
	 * Hello came (0: found, else none). NULL: cacheless (§4.9.1: cache
	 * expiry 0, V false). Updating the cache is the caller's, from
	 * zrtp_result()'s rs1_new and zrtp_cache_outcome().
	 */
	int (*cache_get)(void *arg, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *out);
	void *cache_arg;
	/* Set: a Multistream stream (no DH, no SAS, no cache); NULL: DH mode. */
	const struct zrtp_ms_source *ms;
	/* auxsecret (§4.3): a secret both ends share from elsewhere (e.g. the
	 * signalling); aux_len 0: none. s2 if the peer proves the same one.
	 */
	uint8_t aux[ZRTP_AUX_MAX];
	size_t aux_len;
};

/* What came besides the exchange (zrtp_ancillary.c). */
struct zrtp_stats {
	unsigned int pings;		/* answered with PingACK */
	unsigned int goclear_refused;	/* GoClear: SRTP stays on */
	unsigned int sasrelay_ignored;	/* valid SASrelay, acknowledged, its sashash not believed */
	unsigned int sasrelay_rendered;	/* valid SASrelay from an enrolled PBX: its SAS shown */
	unsigned int sasrelay_sent;	/* ours (as a PBX), each first sending */
	unsigned int sasrelay_unacked;	/* ours that got no RelayACK after every resend */
	unsigned int hellos_newer;	/* Hellos of a later version than ours, ignored (§4.1.1) */
};

/* How the call stood with the cache, once secure. */
struct zrtp_cache_outcome {
	bool had_entry;		/* we held secrets for this peer */
	bool s1_matched;	/* a retained secret keyed this call: key continuity */
	bool mismatch;		/* we held rs1 and it matched nothing (§4.3.2) */
	bool verified;		/* our entry said the SAS was verified (and it matched) */
	bool peer_verified;	/* the peer's Confirm said the same of its cache */
	uint32_t expiry;	/* s the new rs1 may be kept: the lower of both Confirms' */
	enum zrtp_aux aux;	/* the auxsecret: unset (none of ours), match, mismatch */
	enum zrtp_aux pbx;	/* the pbxsecret (a PBX we enrolled with) likewise */
	bool pbx_enroll_offered;	/* the peer, a PBX (M), set E in its Confirm (§7.3.1) */
};

/*
 * The SAS a SASrelay (§5.13, §7.3) asks us to show: a PBX we enrolled with
 * (its Hello's M flag, the pbxsecret matched) relays the far leg's SAS
 * (trusted); any other PBX only its rendering scheme, in which we show our
 * own SAS (not trusted). gen counts the changes (0: none came).
 */
struct zrtp_relayed {
	bool trusted;
	bool peer_verified;	/* the far party's V flag, as relayed */
	zrtp_alg scheme;
	char sas[ZRTP_SAS_MAX];
	unsigned int gen;
};

enum zrtp_state {
	ZS_IDLE, ZS_HELLO, ZS_COMMIT_SENT, ZS_DH1_SENT, ZS_DH2_SENT, ZS_CONFIRM1_SENT,
	ZS_CONFIRM2_SENT, ZS_SECURE, ZS_FAILED,
};

struct zrtp_conn;

struct zrtp_conn *zrtp_new(const struct zrtp_cfg *cfg, uint32_t ssrc);
void zrtp_free(struct zrtp_conn *c);	/* wipes every secret */

/* Send our Hello (and keep resending it until acknowledged); once. */
int zrtp_start(struct zrtp_conn *c, uint64_t now_ms);
/* A received packet: 0 (taken, or dropped as §5 and §9 say), -1 if the
 * exchange failed (zrtp_why says why). */
int zrtp_input(struct zrtp_conn *c, const uint8_t *pkt, size_t len, uint64_t now_ms);
/* Retransmissions due by now; the time of the next one (0: none). */
uint64_t zrtp_timer(struct zrtp_conn *c, uint64_t now_ms);
/* The next packet to send into buf: its length, 0 if none. */
size_t zrtp_output(struct zrtp_conn *c, uint8_t *buf, size_t cap);

enum zrtp_state zrtp_state(const struct zrtp_conn *c);
const char *zrtp_why(const struct zrtp_conn *c);
bool zrtp_is_initiator(const struct zrtp_conn *c);
/* The exchange is (or was) a Multistream one. */
bool zrtp_is_multistream(const struct zrtp_conn *c);
/* The exchange is (or was) a Preshared one (no DH: no forward secrecy, §4.4.2). */
bool zrtp_is_preshared(const struct zrtp_conn *c);
const struct zrtp_suite *zrtp_suite(const struct zrtp_conn *c);
/* The keys once secure (NULL before). */
const struct zrtp_keys *zrtp_result(const struct zrtp_conn *c);
/* a=zrtp-hash (§8.1): SHA-256 of our Hello message, 64 hex digits. */
int zrtp_hello_hash(const struct zrtp_conn *c, char out[65]);

/*
 * The peer's a=zrtp-hash (§8.1): a Hello that does not hash to it is
 * dropped (and counted) as not the peer the signalling named. If the
 * peer's Hello was taken already and does not match, the exchange fails
 * (-1): the media path and the signalling disagree on who the peer is.
 */
int zrtp_set_peer_hello_hash(struct zrtp_conn *c, const uint8_t hash[32]);
unsigned int zrtp_hello_hash_mismatches(const struct zrtp_conn *c);
void zrtp_cache_outcome(const struct zrtp_conn *c, struct zrtp_cache_outcome *out);
const struct zrtp_stats *zrtp_stats(const struct zrtp_conn *c);
const struct zrtp_relayed *zrtp_relayed(const struct zrtp_conn *c);
/*
 * As a PBX (cfg mitm), on a secure DH or Preshared stream: relay the far
 * leg's SAS (its rendering scheme and sashash, and the far party's V flag)
 * in a SASrelay (§5.13), resent on T2 until a RelayACK; a relay never
 * acknowledged is counted, and the call goes on. 0, or -1.
 */
int zrtp_send_sasrelay(struct zrtp_conn *c, zrtp_alg scheme, const uint8_t sashash[32],
		       bool far_verified, uint64_t now);
/*
 * The pbxsecret of this call (§7.3.1): KDF(ZRTPSess, "Trusted MiTM key",
 * ZIDi || ZIDr, 256), what enrolling with a PBX (or, as one, a phone)
 * stores. Secure DH or Preshared streams only. 0, or -1.
 */
int zrtp_pbx_secret(const struct zrtp_conn *c, uint8_t out[32]);
/* From the peer's Hello, once one came: its ZID, its client identifier. */
bool zrtp_peer_zid(const struct zrtp_conn *c, uint8_t zid[ZRTP_ZID_LEN]);
bool zrtp_peer_client_id(const struct zrtp_conn *c, char out[17]);
/* The peer's Hello set M: it is a PBX (a trusted MiTM, §7.3). */
bool zrtp_peer_is_pbx(const struct zrtp_conn *c);

#endif /* KEYD_ZRTP_ENGINE_H */
