/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the ZRTP method (zrtp_method.c, zrtp_stream.c): a session's state
 * and what the two files share. Not an API: keyd sees struct method.
 */
#ifndef KEYD_ZRTP_METHOD_H
#define KEYD_ZRTP_METHOD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "kernel.h"
#include "keyd.h"
#include "log.h"
#include "method.h"
#include "session.h"
#include "suites.h"
#include "zrtp_cache.h"
#include "zrtp_engine.h"

struct zmstate {
	struct keyd *kd;
	struct session *s;
	struct zrtp_cfg cfg;
	struct zrtp_conn *zc;		/* NULL once adopted after a restart */
	uint32_t ssrc;			/* in our ZRTP packets' headers */
	bool go;			/* the signalling is done: start when the peer is known */
	bool started;			/* our Hello went out */
	bool installed;			/* TX and RX templates in the kernel */
	bool adopted;			/* installed by the keyd before a restart */
	const struct suite *suite;
	struct zrtp_suite algs;		/* what the Commit chose */
	bool initiator;
	char sas[ZRTP_SAS_MAX];
	uint8_t peer_zid[ZRTP_ZID_LEN];
	bool have_peer_zid;
	struct zrtp_cache_outcome co;	/* how the call stood with the cache */
	bool sas_verified;		/* ours for this peer, as the cache now says */
	bool rs1_pending;		/* a mismatch: rs1 waits for the users' verdict */
	uint8_t rs1_new[ZRTP_RS_LEN];
	bool multistream;		/* keyed from the call's first stream (§4.4.3) */
	struct zrtp_ms_source ms;
	char ms_of[PROTO_MAX_ID_LEN + 1];
	bool pbx_enrolled;		/* the pbxsecret is in the cache (either side, §7.3.1) */
	struct zrtp_relayed relayed;	/* the last SASrelay's SAS (gen 0: none) */
	uint64_t rx_packets, tx_packets, rx_dropped, tx_errors;
};

static inline struct zmstate *zm_of(struct session *s)
{
	return s->mstate;
}

/* zrtp_stream.c */
/* Our Hello out, if the signalling is done and the peer's address known. */
void zm_maybe_start(struct zmstate *st);
void zm_upcall(struct zmstate *st, const struct kn_event *ev);
uint64_t zm_timer(struct zmstate *st, uint64_t now);
void zm_teardown(struct zmstate *st);
/* Contexts out, the session failed, the "failed" event. */
void zm_fail(struct zmstate *st, const char *why);
const char *zm_alg_name(zrtp_alg a, char out[5]);
/* st's session was bridged to far's (both ZRTP): relay far's SAS if st is a PBX leg. */
void zm_bridged(struct zmstate *st, struct zmstate *far);
/*
 * The secrets beside the DH into o (status, the secure event): aux_secret
 * and pbx_secret ("match" / "mismatch", when the session had one), a PBX's
 * enrollment offer, our enrollment as the PBX, the relayed SAS.
 */
void zm_add_secrets(const struct zmstate *st, struct json_object *o);

#endif /* KEYD_ZRTP_METHOD_H */
