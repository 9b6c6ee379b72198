/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the ZRTP engine (zrtp_engine.c, zrtp_negotiate.c,
 * zrtp_multistream.c, zrtp_preshared.c, zrtp_ancillary.c): a stream's state and the helpers those files share.
 * Not an API: callers see zrtp_engine.h.
 */
#ifndef KEYD_ZRTP_ENGINE_INT_H
#define KEYD_ZRTP_ENGINE_INT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zrtp_engine.h"

#define ZRTP_VERSION	"1.10"	/* the one version keyd speaks (§4.1.1) */
#define MSG_MAX		600	/* our longest: DHPart with DH3k, 468 bytes */
#define T1_MS		50	/* §6: T1 starts at 50 ms, doubles to 200 ms, 20 tries */
#define T1_MAX_MS	200
#define T2_MS		150	/* T2: 150 ms, doubling to 1200 ms, 10 tries */
#define T2_MAX_MS	1200
#define NOUT		4

struct msgbuf {
	uint8_t b[MSG_MAX];	/* the message (no packet header or CRC) */
	size_t len;
};

struct zrtp_conn {
	const struct zrtp_cfg *cfg;
	uint32_t ssrc;
	uint16_t seq;
	enum zrtp_state st;
	bool initiator, hello_rx, hello_acked;
	bool multi;				/* this exchange is Multistream */
	bool prsh;				/* this exchange is Preshared */
	uint8_t psk[ZRTP_HASH_MAX];		/* Preshared: preshared_key until s0 */
	struct zrtp_stats stats;
	struct zrtp_relayed relayed;
	struct zrtp_chain chain;		/* our H0..H3 */
	struct msgbuf hello, commit, dhpart, confirm, relay;	/* ours */
	struct msgbuf p_hello, p_commit, p_dhpart;	/* the peer's */
	bool want_hash;				/* the signalling gave its Hello's hash */
	uint8_t p_hash[ZRTP_H_LEN];
	unsigned int hash_mismatches;
	struct zrtp_packet ph;			/* the peer's Hello, decoded into p_hello */
	struct zrtp_commit pc;			/* the peer's Commit, decoded */
	uint8_t p_h1[ZRTP_H_LEN];		/* the peer's H1, from its DHPart */
	struct zrtp_retained ret;		/* our cache entry for the peer */
	struct zrtp_cache_outcome co;
	uint8_t hvi[ZRTP_H_LEN];		/* our Commit's (a Multistream one: its nonce) */
	struct zrtp_suite suite;
	EVP_PKEY *dh;
	struct zrtp_keys keys;
	/* retransmission of our last message until answered */
	const struct msgbuf *rtx;
	uint64_t next_tx;
	unsigned int tx_left, tx_ms, tx_max_ms;
	uint8_t out[NOUT][MSG_MAX + ZRTP_HDR_LEN + ZRTP_CRC_LEN];
	size_t out_len[NOUT], nout;
	char why[160];
};

/* zrtp_engine.c */
/* A message onto the output queue, framed as a packet. */
int zi_send(struct zrtp_conn *c, const struct msgbuf *m);
/* A Commit's hash image, ZID and algorithms: ours, and c->suite. */
void zi_commit_head(const struct zrtp_conn *c, struct zrtp_commit *cm);
/* Encode msg into m (the message only, no packet framing). */
int zi_build(struct zrtp_conn *c, const struct zrtp_msg *msg, struct msgbuf *m);
/* HelloACK, Conf2ACK, ErrorACK, RelayACK, ...: no fields but an Error's code. */
int zi_send_simple(struct zrtp_conn *c, enum zrtp_type t, uint32_t error);
/* Send m now and again until answered (T1 for Hello, T2 for the rest). */
int zi_send_rtx(struct zrtp_conn *c, const struct msgbuf *m, uint64_t now, bool t1);
/* The exchange failed; an Error with code is sent unless code is 0. -1. */
int zi_fail(struct zrtp_conn *c, uint32_t code, const char *why);
/* Whether a list of a Hello (or ours) has a, the mandatory one implied. */
bool zi_lists(const uint8_t *n, const zrtp_alg (*alg)[ZRTP_MAX_ALGS], enum zrtp_kind k,
	      zrtp_alg a);
/* The peer's H2 opens its Hello: H3 and the Hello's MAC. */
bool zi_hello_verified(const struct zrtp_conn *c, const uint8_t *h2);
int zi_build_confirm(struct zrtp_conn *c, enum zrtp_type t, struct msgbuf *m);

/* zrtp_negotiate.c */
/* The Error code (§5.9) for a Commit choosing what we do not offer or have; 0 if fine. */
uint32_t zi_commit_refused(const struct zrtp_conn *c, const struct zrtp_commit *pc);
void zi_choose_suite(struct zrtp_conn *c);

/* zrtp_multistream.c (§4.4.3) */
int zi_send_commit_multi(struct zrtp_conn *c, uint64_t now);
int zi_keys_multi(struct zrtp_conn *c);
int zi_multi_confirm1(struct zrtp_conn *c);
bool zi_multi_chain_ok(const struct zrtp_conn *c, const uint8_t *h0);

/* zrtp_preshared.c (§4.4.2) */
bool zi_prsh_possible(const struct zrtp_conn *c);
int zi_send_commit_prsh(struct zrtp_conn *c, uint64_t now);
void zi_prsh_drop(struct zrtp_conn *c);
int zi_keys_prsh(struct zrtp_conn *c);
int zi_prsh_respond(struct zrtp_conn *c);

/* zrtp_ancillary.c: what is not the key exchange */
int zi_on_ping(struct zrtp_conn *c, const struct zrtp_packet *p);
int zi_on_goclear(struct zrtp_conn *c, const struct zrtp_packet *p);
int zi_on_sasrelay(struct zrtp_conn *c, const struct zrtp_packet *p);

#endif /* KEYD_ZRTP_ENGINE_INT_H */
