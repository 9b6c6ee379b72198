// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method's associations: what the engine reports for a link,
 * datagrams in (upcalls) and out (sock-send), starting handshakes as the
 * client, accepting them as the server.
 */
#include <stdlib.h>

#include "dtls_method.h"

/* Does the peer certificate of a connected association match fps? */
bool dm_cert_matches(struct dtls_assoc *a, const struct fp_set *fps)
{
	struct fingerprint fp;
	enum fp_hash h = fp_set_best_hash(fps);
	size_t i;

	if (dtls_assoc_peer_fingerprint(a, h, &fp))
		return false;
	for (i = 0; i < fps->n; i++)
		if (fp_equal(&fps->fp[i], &fp))
			return true;
	return false;
}

void link_arm(struct link *l)
{
	struct session *s = l->st->s;
	long t;

	if (l->a && (t = dtls_next_timeout_ms(l->a)) >= 0)
		session_arm(s, now_ms() + (uint64_t)(t ? t : 1));
	if (l->next_a && (t = dtls_next_timeout_ms(l->next_a)) >= 0)
		session_arm(s, now_ms() + (uint64_t)(t ? t : 1));
	if (l->tx_switch_at)
		session_arm(s, l->tx_switch_at);
	if (l->rx_check_at)
		session_arm(s, l->rx_check_at);
	if (l->rx_retire_at)
		session_arm(s, l->rx_retire_at);
	if (l->st->kd->cfg.dtls_unverified_timeout && l->born && !link_vouched(l))
		session_arm(s, l->born + l->st->kd->cfg.dtls_unverified_timeout * 1000ULL);
}

/*
 * A server association of the offerer whose answer named no address: it is
 * verified by whichever answer's fingerprint its certificate matches (forks
 * answer separately). Not matching any answer yet is not a failure: that
 * fork's answer may still come.
 */
void link_match_answers(struct link *l)
{
	struct dmstate *st = l->st;
	size_t i;

	if (l->have_fps || !l->a || dtls_assoc_state(l->a) != DTLS_STATE_CONNECTED)
		return;
	for (i = 0; i < st->nanswers; i++) {
		if (!dm_cert_matches(l->a, &st->answers[i].fps))
			continue;
		l->fps = st->answers[i].fps;
		l->have_fps = true;
		link_handle(l, dtls_assoc_set_peer_fingerprints(l->a, &l->fps));
		return;
	}
}

/* What dtls_* returned for the link's current association. */
void link_handle(struct link *l, unsigned int ev)
{
	struct dmstate *st = l->st;
	struct session *s = st->s;
	char why[256];

	if (!l->a || l->failed || s->state == SS_FAILED)
		return;
	if (ev & DTLS_EV_FAILED) {
		snprintf(why, sizeof(why), "DTLS: %s", dtls_assoc_error(l->a));
		link_fail(l, why);
		return;
	}
	if (ev & DTLS_EV_CLOSED) {
		link_fail(l, "DTLS: the peer closed the association");
		return;
	}
	if (!l->installed && dtls_assoc_state(l->a) == DTLS_STATE_CONNECTED) {
		if (!l->have_fps && (ev & DTLS_EV_CONNECTED)) {
			link_match_answers(l);	/* calls back here when it matched */
			if (l->have_fps || l->failed || s->state == SS_FAILED)
				return;
		}
		if (dtls_assoc_verify_state(l->a) == DTLS_VERIFY_PENDING &&
		    s->dtls_verify == VERIFY_EARLY_MEDIA && !l->rx_only) {
			/* RFC 5763 §7.1: receive now, send once the answer verified it */
			if (link_install(l, true, why, sizeof(why))) {
				link_fail(l, why);
				return;
			}
			session_changed(s);
			link_emit_early_media(l);
		}
		if (dtls_assoc_verify_state(l->a) != DTLS_VERIFY_OK)
			goto out;
		if (!st->have_role) {
			st->have_role = true;
			st->role = l->role;
		}
		if (link_install(l, false, why, sizeof(why))) {
			link_fail(l, why);
			return;
		}
		s->state = SS_SECURE;
		session_changed(s);
		link_emit_secure(l);
	}
out:
	link_arm(l);
}

/* What dtls_* returned for the link's rekey association. */
void link_handle_next(struct link *l, unsigned int ev)
{
	struct session *s = l->st->s;
	char why[256], addr[80];
	struct json_object *e;

	if (!l->next_a || l->failed || s->state == SS_FAILED)
		return;
	if (ev & (DTLS_EV_FAILED | DTLS_EV_CLOSED)) {
		snprintf(why, sizeof(why), "DTLS: %s", ev & DTLS_EV_FAILED ?
			 dtls_assoc_error(l->next_a) : "the peer closed the new association");
		goto failed;
	}
	if (dtls_assoc_state(l->next_a) == DTLS_STATE_CONNECTED &&
	    dtls_assoc_verify_state(l->next_a) == DTLS_VERIFY_OK) {
		if (link_rekey_install(l, why, sizeof(why)))
			goto failed;
	}
	link_arm(l);
	return;
failed:
	/* the old keys keep working: media is not affected */
	log_warn("DTLS rekey failed; the current keys stay", "session=%s peer=%s reason=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), log_q(why));
	if (l->next_a) {
		dtls_assoc_close(l->next_a);
		dtls_assoc_free(l->next_a);
		l->next_a = NULL;
	}
	e = link_event(l, "rekey_failed");
	if (!e)
		return;
	json_object_object_add(e, "reason", json_object_new_string(why));
	session_emit(l->st->kd, s, e);
}

/* ---------------------------------------------------------------- associations */

static int send_cb(void *ctx, const uint8_t *data, size_t len)
{
	struct link *l = ctx;
	struct keyd *kd = l->st->kd;
	int err;

	if (l->hold && l->nheld < HELD_MAX) {
		l->held[l->nheld].data = malloc(len);
		if (l->held[l->nheld].data) {
			memcpy(l->held[l->nheld].data, data, len);
			l->held[l->nheld++].len = len;
			return 0;
		}
	}
	err = kn_sock_send(&kd->kn, l->st->s->cookie[0], &l->peer, data, len);
	if (err) {
		log_debug("sock-send failed", "session=%s err=%s extack=%s", l->st->s->id,
			  log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
		return -1;
	}
	return 0;
}

/* Send what send_cb held back (or drop it: the link is gone). */
static void flush_held(struct link *l, bool send)
{
	struct keyd *kd = l->st->kd;
	unsigned int i;

	l->hold = false;
	for (i = 0; i < l->nheld; i++) {
		if (send && kn_sock_send(&kd->kn, l->st->s->cookie[0], &l->peer,
					 l->held[i].data, l->held[i].len))
			log_debug("sock-send failed", "session=%s extack=%s", l->st->s->id,
				  log_q(kn_err(&kd->kn)));
		free(l->held[i].data);
	}
	l->nheld = 0;
}

static struct dtls_assoc_config assoc_config(struct link *l, enum dtls_role role)
{
	struct dmstate *st = l->st;
	bool rekey = l->installed && l->profile != DTLS_PROFILE_NONE;

	/* a rekey keeps the profile: the new keys go into the same contexts */
	return (struct dtls_assoc_config){
		.role = role, .send = send_cb, .send_ctx = l,
		.peer_addr = &l->peer, .peer_addr_len = addr_len(&l->peer),
		.peer_fps = l->have_fps ? &l->fps : NULL,
		.profiles = rekey ? &l->profile : st->profiles,
		.n_profiles = rekey ? 1 : st->nprofiles,
	};
}

/* We are the client towards this link: start its (first) handshake. */
int link_start_client(struct link *l, struct opres *r)
{
	struct dtls_assoc_config cfg = assoc_config(l, DTLS_ROLE_CLIENT);
	char err[256], addr[80];

	l->a = dtls_assoc_new(l->st->eng, &cfg, err, sizeof(err));
	if (!l->a)
		return op_fail(r, E_INTERNAL, "DTLS association: %s", err);
	log_info("DTLS handshake started", "session=%s role=client peer=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)));
	link_handle(l, dtls_assoc_start(l->a));
	return 0;
}

/* A new handshake as the client on an installed link (make-before-break). */
int link_rekey_client(struct link *l, struct opres *r)
{
	struct dtls_assoc_config cfg;
	char err[256], addr[80];

	if (l->next_a)		/* one is running already */
		return 0;
	cfg = assoc_config(l, DTLS_ROLE_CLIENT);
	l->next_a = dtls_assoc_new(l->st->eng, &cfg, err, sizeof(err));
	if (!l->next_a)
		return op_fail(r, E_INTERNAL, "DTLS association: %s", err);
	log_info("DTLS rekey: new handshake started", "session=%s role=client peer=%s",
		 l->st->s->id, link_addr(l, addr, sizeof(addr)));
	link_handle_next(l, dtls_assoc_start(l->next_a));
	return 0;
}

/* Every live installed link becomes the client of a new association. */
int dm_rekey_all_as_client(struct dmstate *st, struct opres *r)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (l->used && !l->failed && l->installed && (!l->restored || st->upcalls) &&
		    link_rekey_client(l, r))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- upcalls */

/* May a ClientHello from an address without a link create one? */
static bool accepts_new_peer(struct dmstate *st)
{
	struct session *s = st->s;

	if (s->role == ROLE_OFFERER)	/* forks: until the session is deleted */
		return s->state == SS_OFFERED || s->state == SS_SECURE;
	/* an answerer has one peer: the one its offer came from */
	return st->have_role && st->role == DTLS_ROLE_SERVER && links_alive(st) == 0 &&
	       s->state == SS_ANSWERING;
}

/* A ClientHello for a link without association, or a rekey's first one. */
static void listen_on(struct link *l, const struct kn_event *ev, bool rekey)
{
	struct dtls_assoc_config cfg = assoc_config(l, DTLS_ROLE_SERVER);
	struct dtls_assoc *a = NULL;
	unsigned int events = 0;
	char addr[80];

	switch (dtls_listen(l->st->eng, &cfg, ev->data, ev->len, &a, &events)) {
	case DTLS_LISTEN_ACCEPTED:
		log_info(rekey ? "DTLS rekey handshake accepted" : "DTLS handshake accepted",
			 "session=%s role=server peer=%s", l->st->s->id,
			 link_addr(l, addr, sizeof(addr)));
		if (rekey) {
			l->next_a = a;
			link_handle_next(l, events);
		} else {
			l->a = a;
			link_handle(l, events);
		}
		break;
	case DTLS_LISTEN_ERROR:
		log_warn("dtls_listen failed", "session=%s", l->st->s->id);
		break;
	default:
		break;
	}
}

/*
 * A ClientHello from an address without a link. Nothing is kept until it
 * carries a valid cookie (dtls_listen, RFC 6347 §4.2.1): a spoofed source
 * can neither take a slot nor push anyone out. Then dtls_slots.h decides
 * whose slot it gets.
 */
static void accept_new_peer(struct dmstate *st, const struct kn_event *ev)
{
	struct session *s = st->s;
	struct slot_info v[DTLS_MAX_ASSOCS];
	struct dtls_assoc_config cfg;
	struct dtls_assoc *a = NULL;
	unsigned int events = 0;
	struct link tmp, *l;
	char addr[80];
	int i;

	memset(&tmp, 0, sizeof(tmp));
	tmp.used = true;
	tmp.st = st;
	tmp.peer = ev->remote;
	tmp.role = DTLS_ROLE_SERVER;
	if (s->role == ROLE_ANSWERER) {
		tmp.fps = st->offer_fps;
		tmp.have_fps = st->have_offer_fps;
	}
	cfg = assoc_config(&tmp, DTLS_ROLE_SERVER);
	switch (dtls_listen(st->eng, &cfg, ev->data, ev->len, &a, &events)) {
	case DTLS_LISTEN_ACCEPTED:
		break;
	case DTLS_LISTEN_ERROR:
		log_warn("dtls_listen failed", "session=%s", s->id);
		return;
	default:
		return;		/* a HelloVerifyRequest went out, or not a ClientHello */
	}
	dm_slot_view(st, v);
	i = slots_pick(v, DTLS_MAX_ASSOCS, &ev->remote,
		       tmp.have_fps ? 0 : st->kd->cfg.dtls_unverified_per_source);
	if (i < 0) {
		log_info("DTLS ClientHello refused: every association slot holds a verified peer",
			 "session=%s peer=%s", s->id, link_addr(&tmp, addr, sizeof(addr)));
		dtls_assoc_free(a);
		return;
	}
	l = dm_slot_take(st, i, v[i].kind == SLOT_UNVOUCHED &&
			 slots_same_host(&v[i].peer, &ev->remote) ?
			 "dtls_unverified_per_source reached by its address" :
			 "every slot was used: the oldest unverified peer makes room");
	*l = tmp;
	l->born = now_ms();
	dtls_assoc_set_send_ctx(a, l);	/* it was created pointing at tmp */
	l->a = a;
	log_info("DTLS handshake accepted", "session=%s role=server peer=%s", s->id,
		 link_addr(l, addr, sizeof(addr)));
	link_handle(l, events);
}

void dm_upcall(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct dmstate *st = state_of(s);
	struct link *l;
	unsigned int e;

	(void)kd;
	if (s->state == SS_FAILED || ev->cookie != s->cookie[0] ||
	    !dtls_is_dtls(ev->data, ev->len))
		return;
	if (s->has_remote && !same_addr(&s->remote, &ev->remote)) {
		log_debug("DTLS datagram from another address dropped", "session=%s", s->id);
		return;
	}
	l = link_find(st, &ev->remote);
	if (l) {
		if (l->failed)
			return;
		if (l->next_a) {
			l->hold = dtls_assoc_role(l->next_a) == DTLS_ROLE_SERVER;
			link_handle_next(l, dtls_input(l->next_a, ev->data, ev->len));
			flush_held(l, l->used && !l->failed);
			return;
		}
		if (!l->a) {
			/* installed without one: adopted after a restart, a rekey */
			if (l->role == DTLS_ROLE_SERVER || l->expect_hello)
				listen_on(l, ev, l->installed);
			return;
		}
		if (l->expect_hello && l->installed &&
		    dtls_is_client_hello(ev->data, ev->len)) {
			listen_on(l, ev, true);	/* the new association of a role change */
			return;
		}
		e = dtls_input(l->a, ev->data, ev->len);
		if ((e & DTLS_EV_NEW_HANDSHAKE) && l->role == DTLS_ROLE_SERVER && l->installed) {
			/* the client rekeys: a new association, the old keys stay */
			listen_on(l, ev, true);
			return;
		}
		if (e & DTLS_EV_NEW_HANDSHAKE)
			log_info("peer started a new DTLS handshake before this one was "
				 "verified; ignored", "session=%s", s->id);
		link_handle(l, e);
		return;
	}
	if (!accepts_new_peer(st) || !dtls_is_client_hello(ev->data, ev->len))
		return;
	accept_new_peer(st, ev);
}
