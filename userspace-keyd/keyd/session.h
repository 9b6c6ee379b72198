/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Secure media sessions: one per media stream a media server protects.
 *
 *   new --local_attributes--> offered --remote_attributes(answer)--> secure
 *   new --remote_attributes(offer)--> answering --local_attributes--> secure
 *   secure --(re-offer / re-answer, rekey)--> secure
 *   any --socket closed / module gone--> (failed event, session removed)
 *
 * A session owns the cookies of the sockets it attached (not the sockets:
 * the media server keeps those) and a method's state. It outlives the
 * control connection that created it: after a reconnect, "watch" sends
 * its events to the new connection.
 */
#ifndef KEYD_SESSION_H
#define KEYD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "bridge.h"
#include "keyd.h"
#include "method.h"
#include "metrics.h"
#include "proto.h"

struct conn;

enum session_state {
	SS_NEW,		/* sockets attached, nothing negotiated */
	SS_OFFERED,	/* our offer is out, no answer yet */
	SS_ANSWERING,	/* the peer's offer is applied (RX ready), our answer is next */
	SS_SECURE,	/* both directions installed */
	SS_FAILED,	/* kept only to report why (restore found no contexts) */
};

/* Which offer/answer exchange is in progress. */
enum exchange { EX_NONE, EX_LOCAL_OFFER, EX_REMOTE_OFFER };

#define SESSION_MAX_SOCKS 2

struct session {
	struct session *next;
	char id[PROTO_MAX_ID_LEN + 1];
	enum role role;
	const struct method *method;
	void *mstate;
	enum session_state state;
	enum exchange exch;
	char fail_reason[160];
	unsigned int nsocks;
	uint64_t cookie[SESSION_MAX_SOCKS];	/* [0] RTP (or muxed), [1] RTCP */
	uint16_t local_port[SESSION_MAX_SOCKS];
	bool rtcp_mux;
	bool has_remote;
	struct sockaddr_storage remote;
	bool signalling_secure;		/* create's default for later ops */
	bool verified;			/* every key crossed secure signalling */
	bool pfs;			/* the keys have forward secrecy (method->pfs, or
					 * the method's mode for this call) */
	const struct suite *suites[SUITE_COUNT];	/* accepted, best first */
	size_t nsuites;
	const struct suite *offer_suites[SUITE_COUNT];
	size_t noffer_suites;
	unsigned int mki_len;		/* of the keys we send */
	enum verify_policy dtls_verify;	/* DTLS: keys before the answer's fingerprint */
	struct conn *owner;		/* gets the events; NULL if gone */
	uid_t owner_uid;		/* who created it: who may act on it (authz.h) */
	uint64_t timer;			/* next method deadline, 0: none */
	int64_t created;		/* unix time */
	bool restored;			/* rebuilt from the state dir */
	bool dirty;			/* state file needs writing */
	struct session_metrics m;	/* metrics.c's bookkeeping */
	struct session_bridge bridge;	/* bridge.c: joined to another session */
};

/* Handle one validated request; returns the reply object. */
struct json_object *session_dispatch(struct keyd *kd, struct conn *c,
				     struct request *req);

/* Whether c gets a session's events (watches it): not an idle client. */
bool session_conn_watching(struct keyd *kd, const struct conn *c);

/* The connection went away: its sessions keep running, without events. */
void session_conn_closed(struct keyd *kd, struct conn *c);

/* Kernel events (socket detached, key limits, learned SSRCs). */
void session_kernel_event(const struct kn_event *ev, void *kd);

/* Run due timers; returns ms until the next one, or -1. */
int session_run_timers(struct keyd *kd);

/* Reconcile with the kernel at start: restore saved sessions whose
 * sockets and contexts still exist; never detach or delete anything.
 */
void session_restore_all(struct keyd *kd);

/* Shutdown: save and free every session; kernel state stays. */
void session_free_all(struct keyd *kd);

/* For methods: a session by id (NULL: none). */
struct session *session_find(struct keyd *kd, const char *id);
/* For methods: an event to the session's owner. */
void session_emit(struct keyd *kd, struct session *s, struct json_object *ev);
/* For methods: the session changed; persist it. */
void session_changed(struct session *s);
/* For methods: whether keys may cross the signalling of this request. */
bool session_signalling_ok(struct keyd *kd, struct session *s,
			   enum tristate req_secure);

const char *session_state_name(enum session_state st);
const char *session_exchange_name(enum exchange e);

/* session_status.c: "status" (common, method, kernel and bridge fields)
 * and the common fields "list" shows.
 */
int session_op_status(struct keyd *kd, struct session *s, struct opres *r);
void session_status_common(struct session *s, struct json_object *o);
/* Counters 1..max of a stats nest into o, named as the spec names them ('_' for '-'). */
void session_add_counters(struct json_object *o, const uint64_t *stats, int max,
			  const char *(*name)(int));

/* A saved session's common fields (session_load.c); NULL if the JSON is not
 * a session of ours. The result is restored (s->restored), without mstate.
 */
struct session *session_load(const char *id, struct json_object *o);

#endif /* KEYD_SESSION_H */

/* For methods: run method->timer no later than deadline (ms, monotonic). */
static inline void session_arm(struct session *s, uint64_t deadline)
{
	if (!s->timer || deadline < s->timer)
		s->timer = deadline;
}

/* For methods: a TX key limit event becomes "rekey_needed" (others: nothing). */
struct kn_event;
void session_tx_limit_event(struct keyd *kd, struct session *s, const struct kn_event *ev);

/* The RTCP socket's peer from the RTP peer: one port up (RFC 3550 §11). */
void session_rtcp_peer(struct sockaddr_storage *ss);

/* For methods: apply fn to the context of direction dir on every socket. */
struct kn_ctx;
void session_ctx_name(const struct session *s, unsigned int sock, uint32_t dir,
		      struct kn_ctx *out);
