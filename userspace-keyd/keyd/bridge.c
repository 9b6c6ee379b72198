// SPDX-License-Identifier: GPL-2.0
/*
 * Bridges between sessions (bridge.h): the forwards are planned from the
 * kernel's contexts, installed all or none, and removed with either side.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "authz.h"
#include "bridge.h"
#include "control.h"
#include "keyd.h"
#include "log.h"
#include "session.h"

static bool bridged(const struct session *s)
{
	return s->bridge.to[0] != 0;
}

/* One socket's contexts, for planning. */
struct sock_ctxs {
	struct kn_ctx_info *ci;
	size_t n;
};

static int ctx_dump(struct keyd *kd, uint64_t cookie, struct sock_ctxs *out, struct opres *r)
{
	int err = kn_ctx_dump(&kd->kn, cookie, &out->ci, &out->n);

	if (err)
		return op_fail(r, E_KERNEL, "ctx-get dump of socket %llu: %s",
			       (unsigned long long)cookie, strerror(-err));
	return 0;
}

/* The one peer the installed (not learned) contexts of dir are bound to:
 * 1 found, 0 none, -1 several.
 */
static int bound_peer(const struct sock_ctxs *c, uint32_t dir, struct sockaddr_storage *out)
{
	const struct kn_ctx_info *b = NULL;
	size_t j;

	for (j = 0; j < c->n; j++) {
		const struct kn_ctx_info *ci = &c->ci[j];

		if (ci->dir != dir || !ci->has_remote || ci->origin == KSRTP_CTX_ORIGIN_LEARNED)
			continue;
		if (b && !same_addr(&b->remote, &ci->remote))
			return -1;
		b = ci;
	}
	if (b)
		*out = b->remote;
	return b != NULL;
}

/*
 * Where socket i's peer is: what its TX keys are bound to (DTLS binds them
 * to the handshake's peer, and the kernel looks them up by it), else the
 * session's remote, else what its RX keys are bound to.
 */
static int peer_addr(const struct session *s, unsigned int i, const struct sock_ctxs *c,
		     struct sockaddr_storage *out, struct opres *r)
{
	int n = bound_peer(c, KSRTP_DIR_TX, out);

	if (!n && s->has_remote) {
		*out = s->remote;
		if (i)
			session_rtcp_peer(out);
		return 0;
	}
	if (!n)
		n = bound_peer(c, KSRTP_DIR_RX, out);
	if (n < 0)
		return op_fail(r, E_UNSUPPORTED, "session \"%s\" has keys for more than one peer "
			       "(DTLS forks): bridge it once one remains", s->id);
	if (!n)
		return op_fail(r, E_STATE, "the peer address of session \"%s\" is unknown: give "
			       "\"remote\" in create or remote_attributes", s->id);
	return 0;
}

/*
 * Which streams go from 'from' to 'to': all of them, as they are, when
 * to's TX keys are an any-SSRC template; else one SSRC with keys of its
 * own onto one (MIKEY's per-SSRC contexts).
 */
static int plan_ssrc(const struct session *from, const struct sock_ctxs *rx,
		     const struct session *to, const struct sock_ctxs *tx,
		     struct kn_fwd *f, struct opres *r)
{
	const struct kn_ctx_info *in = NULL, *out = NULL;
	unsigned int nin = 0, nout = 0;
	size_t j;

	for (j = 0; j < tx->n; j++) {
		if (tx->ci[j].dir != KSRTP_DIR_TX)
			continue;
		if (tx->ci[j].any) {
			f->ssrc_any = true;
			return 0;
		}
		if (tx->ci[j].origin == KSRTP_CTX_ORIGIN_EXPLICIT)
			out = &tx->ci[j], nout++;
	}
	if (!nout)
		return op_fail(r, E_STATE, "session \"%s\" has no TX keys to send with", to->id);
	for (j = 0; j < rx->n; j++)
		if (rx->ci[j].dir == KSRTP_DIR_RX && rx->ci[j].origin == KSRTP_CTX_ORIGIN_EXPLICIT)
			in = &rx->ci[j], nin++;
	if (nin != 1 || nout != 1)
		return op_fail(r, E_UNSUPPORTED, "session \"%s\" receives %u SSRCs with keys of "
			       "their own and \"%s\" sends %u: a bridge maps one onto one, or any "
			       "stream onto any-SSRC keys", from->id, nin, to->id, nout);
	f->ssrc = in->ssrc;
	f->ssrc_out = out->ssrc;
	return 0;
}

/* The forward of socket i: what from's peer sends, to to's peer. */
static int plan_leg(struct keyd *kd, const struct session *from, const struct session *to,
		    unsigned int i, struct kn_fwd *f, struct opres *r)
{
	struct sock_ctxs rx = { 0 }, tx = { 0 };
	int err;

	f->rx_cookie = from->cookie[i];
	f->tx_cookie = to->cookie[i];
	err = ctx_dump(kd, f->rx_cookie, &rx, r) || ctx_dump(kd, f->tx_cookie, &tx, r) ||
	      peer_addr(to, i, &tx, &f->remote, r) || plan_ssrc(from, &rx, to, &tx, f, r);
	free(rx.ci);
	free(tx.ci);
	return err ? -1 : 0;
}

/* Delete s's forwards that are still its own (ids are the kernel's to reuse). */
static void unlink_side(struct keyd *kd, struct session *s)
{
	struct kn_fwd_info fi;
	unsigned int i;
	int err;

	for (i = 0; i < s->bridge.nfwd; i++) {
		if (kn_fwd_get(&kd->kn, s->bridge.fwd[i], &fi) ||
		    fi.rx_cookie != s->cookie[i])
			continue;
		err = kn_fwd_del(&kd->kn, s->bridge.fwd[i]);
		if (err && err != -ENOENT)
			log_warn("fwd-del failed", "session=%s fwd=%u err=%s extack=%s", s->id,
				 s->bridge.fwd[i], log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
	}
	memset(&s->bridge, 0, sizeof(s->bridge));
	session_changed(s);
}

void bridge_end(struct keyd *kd, struct session *s, const char *why)
{
	struct json_object *ev;
	struct session *o;

	if (!bridged(s))
		return;
	o = session_find(kd, s->bridge.to);
	log_info("bridge ended", "session=%s bridge_to=%s reason=%s", s->id, s->bridge.to,
		 log_q(why));
	unlink_side(kd, s);
	if (!o || strcmp(o->bridge.to, s->id))
		return;
	unlink_side(kd, o);
	ev = proto_event("bridge_ended", o->id);
	json_object_object_add(ev, "bridge_to", json_object_new_string(s->id));
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(kd, o, ev);
}

static int fwd_failed(struct keyd *kd, const struct session *from, int err, struct opres *r)
{
	const char *ext = kn_err(&kd->kn);

	return op_fail(r, E_KERNEL, "fwd-add from session \"%s\": %s%s%s", from->id,
		       strerror(-err), *ext ? ": " : "", ext);
}

/* Plan every forward, then add them all or none; record them on each side. */
static int install(struct keyd *kd, struct session *side[2], const struct request *req,
		   struct opres *r)
{
	struct kn_fwd f[2][BRIDGE_MAX_FWDS];
	uint32_t ids[2][BRIDGE_MAX_FWDS] = { { 0 } };
	unsigned int d, i, n = side[0]->nsocks;
	int err = 0;

	memset(f, 0, sizeof(f));
	for (d = 0; d < 2; d++)
		for (i = 0; i < n; i++) {
			f[d][i].flags = req->copy_to_app ? KSRTP_FWD_FLAGS_COPY_TO_APP : 0;
			f[d][i].idle_timeout_ms = req->idle_timeout_ms;
			if (plan_leg(kd, side[d], side[!d], i, &f[d][i], r))
				return -1;
		}
	for (d = 0; d < 2 && !err; d++)
		for (i = 0; i < n && !err; i++) {
			err = kn_fwd_add(&kd->kn, &f[d][i], &ids[d][i]);
			if (err)
				fwd_failed(kd, side[d], err, r);
		}
	for (d = 0; d < 2; d++) {
		struct session_bridge *b = &side[d]->bridge;

		for (i = 0; i < n; i++)
			if (err && ids[d][i])
				kn_fwd_del(&kd->kn, ids[d][i]);
		if (err)
			continue;
		snprintf(b->to, sizeof(b->to), "%s", side[!d]->id);
		memcpy(b->fwd, ids[d], sizeof(b->fwd));
		b->nfwd = n;
		b->idle_timeout_ms = req->idle_timeout_ms;
		b->copy_to_app = req->copy_to_app;
		session_changed(side[d]);
	}
	return err ? -1 : 0;
}

/* Whether s may be bridged now; the reason in r if not. */
static int check_side(const struct session *s, struct opres *r)
{
	if (bridged(s))
		return op_fail(r, E_STATE, "session \"%s\" is already bridged to \"%s\": unbridge "
			       "it first", s->id, s->bridge.to);
	if (s->state != SS_SECURE)
		return op_fail(r, E_STATE, "session \"%s\" is %s: a bridge needs both directions "
			       "keyed (secure)", s->id, session_state_name(s->state));
	return 0;
}

int bridge_op(struct keyd *kd, struct conn *c, struct session *s,
	      const struct request *req, struct opres *r)
{
	struct session *side[2] = { s, session_find(kd, req->bridge_to) };
	struct json_object *arr;
	unsigned int i;

	if (!(kd->kn.features & KSRTP_FEATURE_FWD))
		return op_fail(r, E_UNSUPPORTED, "the loaded ksrtp module cannot forward (no "
			       "\"fwd\" feature): a bridge needs a module that has it");
	if (!side[1])
		return op_fail(r, E_NO_SESSION, "no session \"%s\"", req->bridge_to);
	if (!authz_may(conn_peer(c), side[1]->owner_uid))
		return op_fail(r, E_PERMISSION, "permission denied: session \"%s\" belongs to "
			       "another user", side[1]->id);
	if (side[1] == s)
		return op_fail(r, E_BAD_REQUEST, "a session cannot be bridged to itself");
	if (check_side(s, r) || check_side(side[1], r))
		return -1;
	if (s->nsocks != side[1]->nsocks)
		return op_fail(r, E_UNSUPPORTED, "session \"%s\" muxes RTCP and \"%s\" does not: "
			       "a bridge forwards socket to socket",
			       s->nsocks == 1 ? s->id : side[1]->id,
			       s->nsocks == 1 ? side[1]->id : s->id);
	if (install(kd, side, req, r))
		return -1;
	log_info("sessions bridged", "session=%s bridge_to=%s forwards=%u", s->id,
		 side[1]->id, 2 * s->nsocks);
	for (i = 0; i < 2; i++)
		if (side[i]->method->bridged)
			side[i]->method->bridged(kd, side[i], side[1 - i]);
	json_object_object_add(r->reply, "bridge_to", json_object_new_string(side[1]->id));
	arr = json_object_new_array();
	for (i = 0; i < s->bridge.nfwd; i++)
		json_object_array_add(arr, json_object_new_int64(s->bridge.fwd[i]));
	for (i = 0; i < side[1]->bridge.nfwd; i++)
		json_object_array_add(arr, json_object_new_int64(side[1]->bridge.fwd[i]));
	json_object_object_add(r->reply, "forwards", arr);
	return 0;
}

int unbridge_op(struct keyd *kd, struct session *s, struct opres *r)
{
	char why[PROTO_MAX_ID_LEN + 40];

	if (!bridged(s))
		return op_fail(r, E_STATE, "session \"%s\" is not bridged", s->id);
	snprintf(why, sizeof(why), "unbridged by a request on \"%s\"", s->id);
	bridge_end(kd, s, why);
	return 0;
}

static struct json_object *fwd_json(struct keyd *kd, uint32_t id, unsigned int sock)
{
	struct json_object *o = json_object_new_object();
	struct kn_fwd_info fi;

	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "socket", json_object_new_int((int)sock));
	if (kn_fwd_get(&kd->kn, id, &fi)) {
		json_object_object_add(o, "error", json_object_new_string(kn_err(&kd->kn)));
		return o;
	}
	session_add_counters(o, fi.stats, KSRTP_A_FWD_STATS_MAX, knl_fwd_stats_name);
	return o;
}

void bridge_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct json_object *b, *arr;
	unsigned int i;

	if (!bridged(s))
		return;
	b = json_object_new_object();
	json_object_object_add(b, "to", json_object_new_string(s->bridge.to));
	if (s->bridge.idle_timeout_ms)
		json_object_object_add(b, "idle_timeout_ms",
				       json_object_new_int64(s->bridge.idle_timeout_ms));
	json_object_object_add(b, "copy_to_app", json_object_new_boolean(s->bridge.copy_to_app));
	arr = json_object_new_array();
	for (i = 0; i < s->bridge.nfwd; i++)
		json_object_array_add(arr, fwd_json(kd, s->bridge.fwd[i], i));
	json_object_object_add(b, "forwards", arr);
	json_object_object_add(out, "bridge", b);
}

struct json_object *bridge_save(const struct session *s)
{
	struct json_object *o, *arr;
	unsigned int i;

	if (!bridged(s))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "to", json_object_new_string(s->bridge.to));
	arr = json_object_new_array();
	for (i = 0; i < s->bridge.nfwd; i++)
		json_object_array_add(arr, json_object_new_int64(s->bridge.fwd[i]));
	json_object_object_add(o, "forwards", arr);
	json_object_object_add(o, "idle_timeout_ms",
			       json_object_new_int64(s->bridge.idle_timeout_ms));
	json_object_object_add(o, "copy_to_app", json_object_new_boolean(s->bridge.copy_to_app));
	return o;
}

/* Both sides restored and every forward still there, between their sockets. */
static bool intact(struct keyd *kd, struct session *s)
{
	struct session *o = session_find(kd, s->bridge.to);
	struct kn_fwd_info fi;
	unsigned int i;

	if (!o || strcmp(o->bridge.to, s->id) || s->state == SS_FAILED || o->state == SS_FAILED)
		return false;
	for (i = 0; i < s->bridge.nfwd; i++)
		if (kn_fwd_get(&kd->kn, s->bridge.fwd[i], &fi) || fi.rx_cookie != s->cookie[i] ||
		    fi.tx_cookie != o->cookie[i])
			return false;
	return true;
}

void bridge_restore_all(struct keyd *kd)
{
	struct session *s;

	for (s = kd->sessions; s; s = s->next) {
		if (!bridged(s))
			continue;
		if (intact(kd, s)) {
			log_info("bridge restored", "session=%s bridge_to=%s", s->id, s->bridge.to);
			continue;
		}
		log_warn("bridge not restored: a side or a forward is gone", "session=%s bridge_to=%s",
			 s->id, s->bridge.to);
		bridge_end(kd, s, "not restored after a keyd restart: a side or a forward was gone");
	}
}

void bridge_fwd_idle(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct json_object *e;
	unsigned int i;

	for (i = 0; i < s->bridge.nfwd; i++) {
		if (s->bridge.fwd[i] != ev->fwd_id)
			continue;
		e = proto_event("bridge_idle", s->id);
		json_object_object_add(e, "bridge_to", json_object_new_string(s->bridge.to));
		json_object_object_add(e, "forward", json_object_new_int64(ev->fwd_id));
		json_object_object_add(e, "socket", json_object_new_int((int)i));
		json_object_object_add(e, "idle_timeout_ms",
				       json_object_new_int64(s->bridge.idle_timeout_ms));
		log_info("bridge idle", "session=%s fwd=%u", s->id, ev->fwd_id);
		session_emit(kd, s, e);
		return;
	}
}
