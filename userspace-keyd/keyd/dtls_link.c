// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method's links, one per peer transport address: finding,
 * allocating (dtls_slots.h decides whose slot), eviction, failure.
 */
#include <stdio.h>
#include <openssl/crypto.h>

#include "dtls_method.h"

struct link *link_find(struct dmstate *st, const struct sockaddr_storage *addr)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && same_addr(&st->links[i].peer, addr))
			return &st->links[i];
	return NULL;
}

/*
 * Has the signalling vouched for this peer: an answer named its address
 * or fingerprint, it was verified or adopted, or we started it (dtls_slots.h)?
 */
bool link_vouched(const struct link *l)
{
	return l->have_fps || l->restored || l->role == DTLS_ROLE_CLIENT || l->expect_hello ||
	       l->flip_out || l->rekeys || (l->installed && !l->rx_only) ||
	       (l->a && dtls_assoc_verify_state(l->a) == DTLS_VERIFY_OK);
}

void dm_slot_view(const struct dmstate *st, struct slot_info *v)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		const struct link *l = &st->links[i];

		v[i].kind = !l->used ? SLOT_FREE : l->failed ? SLOT_FAILED :
			    link_vouched(l) ? SLOT_VOUCHED : SLOT_UNVOUCHED;
		v[i].born = l->born;
		v[i].peer = l->peer;
	}
}

/* Empty slot i for a newcomer: a failed link is released, an unvouched one evicted. */
struct link *dm_slot_take(struct dmstate *st, int i, const char *why)
{
	struct link *l;

	if (i < 0)
		return NULL;
	l = &st->links[i];
	if (l->used && !l->failed)
		link_evict(l, why);
	else if (l->used)
		link_release(l);
	return l;
}

/*
 * A slot for a peer the signalling names (an answer's address, a restored
 * link): a free one, a failed one, else the oldest unvouched peer's.
 */
struct link *link_alloc(struct dmstate *st, const struct sockaddr_storage *addr,
			enum dtls_role role)
{
	struct slot_info v[DTLS_MAX_ASSOCS];
	struct link *l;

	dm_slot_view(st, v);
	l = dm_slot_take(st, slots_pick(v, DTLS_MAX_ASSOCS, addr, 0),
			 "its slot went to a peer the signalling names");
	if (l) {
		memset(l, 0, sizeof(*l));
		l->used = true;
		l->st = st;
		l->peer = *addr;
		l->role = role;
		l->born = now_ms();
	}
	return l;
}

void link_release(struct link *l)
{
	unsigned int i;

	for (i = 0; i < l->nheld; i++)
		free(l->held[i].data);
	if (l->next_a)
		dtls_assoc_free(l->next_a);
	if (l->a)
		dtls_assoc_free(l->a);
	OPENSSL_cleanse(l, sizeof(*l));
}

size_t links_alive(const struct dmstate *st)
{
	size_t i, n = 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		n += st->links[i].used && !st->links[i].failed;
	return n;
}

/* The first installed link: what session-level fields (suite) report. */
const struct link *link_primary(const struct dmstate *st)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && st->links[i].installed)
			return &st->links[i];
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			return &st->links[i];
	return NULL;
}

/*
 * Turn away a peer nobody signalled: its association (close_notify) and any
 * early-media RX template go, its slot is free. Logged at info: an
 * operator sees who was refused and why.
 */
void link_evict(struct link *l, const char *why)
{
	struct session *s = l->st->s;
	char addr[80];

	log_info("DTLS association of an unverified peer dropped", "session=%s peer=%s "
		 "state=%s age_ms=%llu reason=%s", s->id, link_addr(l, addr, sizeof(addr)),
		 l->a ? dtls_state_name(dtls_assoc_state(l->a)) : "none",
		 (unsigned long long)(now_ms() - l->born), log_q(why));
	link_teardown(l);
	if (l->a)
		dtls_assoc_close(l->a);
	link_release(l);
	session_changed(s);
}

struct json_object *link_event(struct link *l, const char *name)
{
	struct json_object *ev = proto_event(name, l->st->s->id);
	char addr[80];

	if (!ev)
		return NULL;
	json_object_object_add(ev, "method", json_object_new_string("dtls"));
	json_object_object_add(ev, "peer", json_object_new_string(link_addr(l, addr, sizeof(addr))));
	return ev;
}

/* Everything stops: every association closed, every context deleted. */
static void session_fail(struct keyd *kd, struct session *s, const char *why)
{
	struct dmstate *st = state_of(s);
	struct json_object *ev;
	size_t i;

	if (s->state == SS_FAILED)
		return;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used)
			continue;
		link_teardown(l);
		if (l->a && !l->failed)
			dtls_assoc_close(l->a);
		if (l->next_a)
			dtls_assoc_close(l->next_a);
	}
	s->state = SS_FAILED;
	s->exch = EX_NONE;
	snprintf(s->fail_reason, sizeof(s->fail_reason), "%s", why);
	session_changed(s);
	log_warn("DTLS session failed; contexts removed", "session=%s reason=%s", s->id,
		 log_q(why));
	ev = proto_event("failed", s->id);
	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("dtls"));
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(kd, s, ev);
}

/*
 * One association failed (mismatch, alert, timeout, close_notify): its
 * contexts go at once. The session fails with it unless another fork is
 * still alive; then only "association_failed" is reported.
 */
void link_fail(struct link *l, const char *why)
{
	struct dmstate *st = l->st;
	struct session *s = st->s;
	struct json_object *ev;
	char addr[80];

	if (l->failed || s->state == SS_FAILED)
		return;
	link_teardown(l);
	if (l->a)
		dtls_assoc_close(l->a);
	if (l->next_a) {
		dtls_assoc_free(l->next_a);
		l->next_a = NULL;
	}
	l->failed = true;
	snprintf(l->reason, sizeof(l->reason), "%s", why);
	/*
	 * The session fails with its last association, except for an offerer
	 * open to any address whose offer has not made it secure yet: other
	 * forks may still answer (and a stray ClientHello must not end the call).
	 */
	if (!links_alive(st) &&
	    !(s->role == ROLE_OFFERER && !s->has_remote && s->state == SS_OFFERED)) {
		session_fail(st->kd, s, why);
		return;
	}
	session_changed(s);
	log_warn("DTLS association failed; its contexts removed", "session=%s peer=%s reason=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), log_q(why));
	ev = link_event(l, "association_failed");
	if (!ev)
		return;
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(st->kd, s, ev);
}
