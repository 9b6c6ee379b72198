// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method's signalling: a=fingerprint and a=setup in offers
 * and answers (RFC 5763 §5, §6.3 forks, §6.6 role changes).
 */
#include <stdio.h>
#include <strings.h>

#include "dtls_method.h"

static const char *strip_a(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncmp(p, "a=", 2))
		p += 2;
	return p;
}

static int parse_attrs(const struct request *req, struct fp_set *fps, enum sdp_setup *setup,
		       struct opres *r)
{
	const char *p, *why = NULL;
	size_t i;
	int rc;

	fp_set_init(fps);
	*setup = SDP_SETUP_NONE;
	for (i = 0; i < req->nattrs; i++) {
		p = strip_a(req->attrs[i]);
		if (!strncasecmp(p, "fingerprint:", 12)) {
			rc = fp_set_add_value(fps, p + 12, strlen(p + 12), &why);
			if (rc == FP_E_HASH)
				continue;	/* RFC 8122: skip hash functions we do not know */
			if (rc)
				return op_fail(r, E_BAD_REQUEST, "a=fingerprint: %s",
					       why ? why : "not understood");
		} else if (!strncasecmp(p, "setup:", 6)) {
			if (setup_parse(p + 6, strlen(p + 6), setup))
				return op_fail(r, E_BAD_REQUEST, "a=setup: \"%s\" not understood",
					       p + 6);
		}
	}
	if (!fps->n)
		return op_fail(r, E_NO_CRYPTO,
			       "no usable a=fingerprint among the %zu attributes given",
			       req->nattrs);
	return 0;
}

void dm_reply_attrs(struct session *s, struct opres *r, enum sdp_setup setup,
		    enum sdp_type type)
{
	struct json_object *arr = json_object_new_array();
	char line[FP_STR_MAX + 32];

	snprintf(line, sizeof(line), "a=fingerprint:%s",
		 dtls_engine_fingerprint(state_of(s)->eng));
	json_object_array_add(arr, json_object_new_string(line));
	snprintf(line, sizeof(line), "a=setup:%s", setup_name(setup));
	json_object_array_add(arr, json_object_new_string(line));
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string(sdp_type_name(type)));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
}

static enum sdp_setup role_setup(struct dmstate *st)
{
	return st->role == DTLS_ROLE_CLIENT ? SDP_SETUP_ACTIVE : SDP_SETUP_PASSIVE;
}

int dtls_local(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st = state_of(s);
	const char *why = NULL;
	struct link *l;
	bool first;

	(void)kd;
	if (s->exch == EX_REMOTE_OFFER) {
		first = !st->have_role;
		if (first) {
			/* active starts the handshake at once; it needs the peer's address */
			st->local_setup = setup_answer(st->remote_setup,
						       s->has_remote ? SDP_SETUP_ACTIVE :
								       SDP_SETUP_PASSIVE);
			if (dtls_role_resolve(false, st->local_setup, st->remote_setup,
					      &st->role, &why))
				return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
			st->have_role = true;
		}
		s->exch = EX_NONE;
		session_changed(s);
		dm_reply_attrs(s, r, role_setup(st), SDP_ANSWER);
		if (st->flip_start) {
			st->flip_start = false;
			return dm_rekey_all_as_client(st, r);
		}
		if (first && st->role == DTLS_ROLE_CLIENT) {
			if (!s->has_remote)
				return op_fail(r, E_BAD_REQUEST,
					       "we are the DTLS client but the peer's address is "
					       "unknown: pass \"remote\"");
			l = link_alloc(st, &s->remote, DTLS_ROLE_CLIENT);
			if (!l)
				return op_fail(r, E_INTERNAL, "no association slot left");
			l->fps = st->offer_fps;
			l->have_fps = st->have_offer_fps;
			if (link_start_client(l, r))
				return -1;
		}
		return 0;
	}
	switch (s->state) {
	case SS_NEW:
		st->local_setup = SDP_SETUP_ACTPASS;
		s->state = SS_OFFERED;
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		dm_reply_attrs(s, r, SDP_SETUP_ACTPASS, SDP_OFFER);
		return 0;
	case SS_OFFERED:
		if (s->exch == EX_LOCAL_OFFER) {
			dm_reply_attrs(s, r, SDP_SETUP_ACTPASS, SDP_OFFER);
			return 0;
		}
		break;
	case SS_SECURE:
		/* a re-offer keeps the roles (RFC 5763 §5) */
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		dm_reply_attrs(s, r, role_setup(st), SDP_OFFER);
		return 0;
	default:
		break;
	}
	return op_fail(r, E_STATE, "no attributes to produce in state %s",
		       session_state_name(s->state));
}

/* New fingerprints for a link (re-offer, re-answer, addressed answer). */
static void link_set_fps(struct link *l, const struct fp_set *fps)
{
	char addr[80];

	l->fps = *fps;
	l->have_fps = true;
	if (!l->a || l->failed)
		return;
	/*
	 * A verified association whose peer now signals another certificate
	 * (a restarted keyd has a new one): that is for the next association
	 * (RFC 8842 §5), which a rekey starts; this one keeps its keys.
	 */
	if (l->installed && dtls_assoc_verify_state(l->a) == DTLS_VERIFY_OK &&
	    !dm_cert_matches(l->a, fps)) {
		log_info("the peer signals a new certificate: it applies from the next "
			 "handshake", "session=%s peer=%s", l->st->s->id,
			 link_addr(l, addr, sizeof(addr)));
		return;
	}
	link_handle(l, dtls_assoc_set_peer_fingerprints(l->a, &l->fps));
}

/*
 * An answer to our initial offer: the first, or one more fork's
 * (RFC 5763 §6.3). addr: the fork's address if known.
 */
static int apply_answer(struct dmstate *st, const struct fp_set *fps, enum sdp_setup setup,
			const struct sockaddr_storage *addr, struct opres *r)
{
	enum dtls_role role;
	const char *why = NULL;
	struct link *l;
	size_t i;

	if (dtls_role_resolve(true, SDP_SETUP_ACTPASS, setup, &role, &why))
		return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
	l = addr ? link_find(st, addr) : NULL;
	if (l && l->role != role)
		return op_fail(r, E_NO_CRYPTO,
			       "a=setup: the peer at that address already runs DTLS as the %s",
			       dtls_role_name(l->role));
	if (!st->have_role) {
		st->role = role;
		st->have_role = true;
		st->remote_setup = setup;
	}
	if (role == DTLS_ROLE_CLIENT && !addr)
		return op_fail(r, E_BAD_REQUEST,
			       "the answer makes us the DTLS client but names no address: "
			       "pass \"remote\"");
	if (addr) {
		if (l) {
			link_set_fps(l, fps);
			return 0;
		}
		l = link_alloc(st, addr, role);
		if (!l)
			return op_fail(r, E_LIMIT, "at most %d DTLS associations per session",
				       DTLS_MAX_ASSOCS);
		l->fps = *fps;
		l->have_fps = true;
		/* a server's link waits for its ClientHello, still to come */
		return role == DTLS_ROLE_CLIENT ? link_start_client(l, r) : 0;
	}
	if (st->nanswers == DTLS_MAX_ANSWERS)
		return op_fail(r, E_LIMIT, "at most %d answers without an address", DTLS_MAX_ANSWERS);
	st->answers[st->nanswers++].fps = *fps;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && !st->links[i].failed && st->links[i].role == DTLS_ROLE_SERVER)
			link_match_answers(&st->links[i]);
	return 0;
}

static size_t flips_out(const struct dmstate *st)
{
	size_t i, n = 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		n += st->links[i].used && !st->links[i].failed && st->links[i].flip_out;
	return n;
}

/*
 * An answer to our re-offer: for the fork at addr, or for every fork whose
 * certificate matches its fingerprints (or the one fork there is). After a
 * server-side rekey (roles swapped: flip_out) it must say passive: we then
 * start the new handshake as that peer's client. Our offer stays open until
 * every peer it went to has answered.
 */
static int apply_reanswer(struct dmstate *st, const struct fp_set *fps, enum sdp_setup setup,
			  const struct sockaddr_storage *addr, struct opres *r)
{
	struct session *s = st->s;
	struct link *l = addr ? link_find(st, addr) : NULL, *to[DTLS_MAX_ASSOCS];
	size_t i, n = 0, nflip = flips_out(st), alive = links_alive(st);
	bool flip = nflip > 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *x = &st->links[i];

		if (!x->used || x->failed || (l && x != l) || (flip && !x->flip_out))
			continue;
		if (l || (flip ? nflip : alive) == 1 || (x->a && dm_cert_matches(x->a, fps)))
			to[n++] = x;
	}
	if (!flip)
		s->exch = EX_NONE;
	if (flip && !n)
		return op_fail(r, E_NO_CRYPTO, "%s", addr ?
			       "our re-offer did not go to the peer at that address" :
			       "the answer's a=fingerprint matches none of the peers our re-offer "
			       "went to: pass \"remote\"");
	if (flip && setup != SDP_SETUP_PASSIVE) {
		for (i = 0; i < n; i++)
			to[i]->flip_out = false;
		if (!flips_out(st))
			s->exch = EX_NONE;
		return op_fail(r, E_NO_CRYPTO,
			       "a=setup: the peer answered %s to our a=setup:active re-offer: no "
			       "role change, no rekey", setup_name(setup));
	}
	for (i = 0; i < n; i++) {
		link_set_fps(to[i], fps);
		if (!flip || to[i]->failed)
			continue;
		to[i]->flip_out = false;
		if (to[i] == link_primary(st))
			st->role = DTLS_ROLE_CLIENT;
		if (link_rekey_client(to[i], r))
			return -1;
	}
	if (!flips_out(st))
		s->exch = EX_NONE;
	return 0;
}

int dtls_remote(struct keyd *kd, struct session *s, const struct request *req,
		enum sdp_type type, struct opres *r)
{
	struct dmstate *st = state_of(s);
	const struct sockaddr_storage *addr = NULL;
	const struct link *p;
	struct fp_set fps;
	enum sdp_setup setup;
	size_t i;

	(void)kd;
	if (parse_attrs(req, &fps, &setup, r))
		return -1;
	if (req->has_remote)
		addr = &req->remote;
	else if (s->has_remote)
		addr = &s->remote;
	if (type == SDP_OFFER) {
		st->offer_fps = fps;
		st->have_offer_fps = true;
		if (s->state == SS_NEW) {
			st->remote_setup = setup;
			s->state = SS_ANSWERING;
		} else {
			for (i = 0; i < DTLS_MAX_ASSOCS; i++)
				if (st->links[i].used && !st->links[i].failed)
					link_set_fps(&st->links[i], &fps);
			/* a re-offer that swaps the roles: a new association (RFC 5763 §6.6) */
			if (st->have_role && setup == SDP_SETUP_ACTIVE &&
			    st->role == DTLS_ROLE_CLIENT) {
				st->role = DTLS_ROLE_SERVER;
				for (i = 0; i < DTLS_MAX_ASSOCS; i++)
					st->links[i].expect_hello = st->links[i].used &&
								    st->links[i].installed;
			} else if (st->have_role && setup == SDP_SETUP_PASSIVE &&
				   st->role == DTLS_ROLE_SERVER) {
				st->role = DTLS_ROLE_CLIENT;
				st->flip_start = true;
			}
		}
		s->exch = EX_REMOTE_OFFER;
	} else {
		/* the answer to a re-offer of ours, or to our initial offer (a fork's) */
		if (s->exch == EX_LOCAL_OFFER && s->state == SS_SECURE) {
			if (apply_reanswer(st, &fps, setup, addr, r))
				return -1;
		} else {
			s->exch = EX_NONE;
			if (apply_answer(st, &fps, setup, addr, r))
				return -1;
		}
	}
	session_changed(s);
	if (s->state == SS_FAILED)
		return op_fail(r, E_NO_CRYPTO, "%s", s->fail_reason);
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (st->have_role)
		json_object_object_add(r->reply, "role",
				       json_object_new_string(dtls_role_name(st->role)));
	p = link_primary(st);
	if (p && p->suite)
		json_object_object_add(r->reply, "suite", json_object_new_string(p->suite->name));
	return 0;
}
