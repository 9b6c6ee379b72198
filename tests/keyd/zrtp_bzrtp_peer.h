/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Belledonne's bzrtp (Debian libbzrtp, linphone's ZRTP; a test peer only)
 * against keyd's ZRTP engine in one process: packets passed in memory
 * with a simulated clock. Shared by test_zrtp_bzrtp.c (the algorithm
 * matrix, Multistream, the messages besides the exchange) and
 * test_zrtp_secrets.c (retained secrets, auxsecret, pbxsecret, versions).
 */
#ifndef TEST_ZRTP_BZRTP_PEER_H
#define TEST_ZRTP_BZRTP_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <bzrtp/bzrtp.h>

#include "zrtp_engine.h"

#define QMAX 32

struct queue {
	uint8_t b[QMAX][1500];
	size_t len[QMAX], n;
};

struct bz {
	bzrtpContext_t *ctx;
	uint32_t ssrc;
	struct queue *out;
	bool secure;
	char sas[ZRTP_SAS_MAX];
	uint8_t key[32], salt[14], pkey[32], psalt[14];
	size_t klen;
	uint8_t cipher, auth, hash, ka;
	bool verified;		/* bzrtp's SAS verified flag for this call */
	uint8_t aux;		/* bzrtp's auxsecret outcome (BZRTP_AUXSECRET_*) */
};

extern void *bz_db;	/* bzrtp's ZID cache (an sqlite3 *); NULL: cacheless */
extern uint8_t bz_sas;	/* the one SAS type bzrtp offers; 0: its defaults */

/* bzrtp's B256 rendering (exported by libbzrtp, not in its header) */
void bzrtp_base256(uint32_t sas, char *output, int outputSize);

struct call {
	struct queue to_us, to_bz;
	struct bz bz;
	struct zrtp_conn *us;
	uint64_t now;
	const char *tamper;	/* the first bzrtp message of this type is altered */
	bool fix_crc;		/* and its CRC made good again */
	bool hold_ack;		/* our HelloACKs lost until our Commit is out */
};

/* A bzrtp context with one algorithm of each kind (and bz_db, bz_sas). */
void bz_setup(struct bz *b, struct queue *out, uint8_t ka, uint8_t cipher, uint8_t auth,
	      uint8_t hash);
/* Our engine's configuration: the case's algorithms first. */
void our_cfg(struct zrtp_cfg *cfg, const char *ka, const char *cipher, const char *auth,
	     const char *hash, bool passive);
/* One round: bzrtp's packets to us, ours to bzrtp, 10 ms of time. */
void round_trip(struct call *c, bool start_bz);
/* A call to its end (both secure, or keyd failed); -1 if it cannot start. */
int run(struct call *c, const struct zrtp_cfg *cfg, bool we_initiate);
/* The ZRTP name of a bzrtp algorithm id. */
const char *name_of(uint8_t id);
/* One packet built by the codec, fed to our engine; what it sent back, decoded. */
size_t poke(struct zrtp_conn *us, const struct zrtp_msg *msg, uint32_t ssrc,
	    struct zrtp_packet *reply);

#endif /* TEST_ZRTP_BZRTP_PEER_H */
