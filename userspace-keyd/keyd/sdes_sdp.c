// SPDX-License-Identifier: GPL-2.0
/*
 * The SDES method's signalling: our a=crypto offers and answers, and the
 * peer's applied to the keys (RFC 4568 §7).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "sdes_method.h"

static struct sdes_policy policy_for(struct keyd *kd, struct session *s,
				     const struct suite *keep)
{
	struct sdes_policy p = { .kernel_suites = kd->kn.suites,
				 .allow_unauthenticated = kd->cfg.allow_unauthenticated_srtp,
				 .keep = keep };

	memcpy(p.prefs, s->suites, sizeof(p.prefs));
	p.nprefs = s->nsuites;
	return p;
}

static int add_line(struct keyd *kd, struct json_object *arr, uint32_t tag,
		    const struct suite *su, uint32_t flags, const struct sdes_key *key,
		    struct opres *r)
{
	struct sdes_crypto c = { .tag = tag, .suite = su, .nkeys = 1, .flags = flags,
				 .wsh = kd->cfg.wsh };
	char line[512];
	int n;

	c.keys[0] = *key;
	n = sdes_format(&c, line, sizeof(line));
	sdes_wipe(&c);
	if (n < 0)
		return op_fail(r, E_INTERNAL, "a=crypto line does not fit");
	json_object_array_add(arr, json_object_new_string_len(line, n));
	OPENSSL_cleanse(line, sizeof(line));
	return 0;
}

static void reply_attrs(struct session *s, struct opres *r, struct json_object *arr,
			enum sdp_type type)
{
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string(sdp_type_name(type)));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
}

static int initial_offer(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct json_object *arr = json_object_new_array();
	size_t i, j;

	for (i = 0; i < s->noffer_suites; i++) {
		struct sdes_crypto *c = &st->offered[i];

		memset(c, 0, sizeof(*c));
		c->tag = (uint32_t)i + 1;
		c->suite = s->offer_suites[i];
		snprintf(c->suite_name, sizeof(c->suite_name), "%s", c->suite->name);
		c->nkeys = 1;
		if (sm_fresh_key(kd, st, c->suite, &c->keys[0], r) ||
		    add_line(kd, arr, c->tag, c->suite, 0, &c->keys[0], r)) {
			for (j = 0; j <= i; j++)
				sdes_wipe(&st->offered[j]);
			proto_wipe_strings(arr);
			json_object_put(arr);
			return -1;
		}
	}
	st->noffered = s->noffer_suites;
	s->state = SS_OFFERED;
	s->exch = EX_LOCAL_OFFER;
	session_changed(s);
	reply_attrs(s, r, arr, SDP_OFFER);
	return 0;
}

static int repeat_offer(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < st->noffered; i++)
		if (add_line(kd, arr, st->offered[i].tag, st->offered[i].suite,
			     st->offered[i].flags, &st->offered[i].keys[0], r)) {
			proto_wipe_strings(arr);
			json_object_put(arr);
			return -1;
		}
	reply_attrs(s, r, arr, SDP_OFFER);
	return 0;
}

/* Our line for a re-offer or an answer: the pending key if a rekey is on. */
static int current_line(struct keyd *kd, struct session *s, struct opres *r,
			enum sdp_type type)
{
	struct sdes_state *st = state_of(s);
	struct json_object *arr = json_object_new_array();

	if (add_line(kd, arr, st->tag, st->suite, st->flags,
		     st->tx_pending ? &st->tx_next : &st->tx, r)) {
		json_object_put(arr);
		return -1;
	}
	reply_attrs(s, r, arr, type);
	return 0;
}

static int answer(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct sdes_key k;
	bool first = s->state == SS_ANSWERING;

	if (!st->tx_installed || st->tx_rebuild) {
		if (sm_fresh_key(kd, st, st->suite, &k, r))
			return -1;
		if (st->tx_installed) {
			sm_ctx_del_all(kd, s, KSRTP_DIR_TX);
			st->tx_installed = false;
			st->tx_pending = false;
			OPENSSL_cleanse(&st->tx_next, sizeof(st->tx_next));
		}
		if (sm_tx_install(kd, s, &k, r)) {
			OPENSSL_cleanse(&k, sizeof(k));
			return -1;
		}
		OPENSSL_cleanse(&k, sizeof(k));
		st->tx_rebuild = false;
	} else if (!st->tx_known && sm_tx_start_rekey(kd, s, r)) {
		/* after a restart our key is not in memory: answer with a new one */
		return -1;
	}
	if (current_line(kd, s, r, SDP_ANSWER))
		return -1;
	s->exch = EX_NONE;
	if (first)
		s->state = SS_SECURE;
	session_changed(s);
	if (st->tx_pending) {
		st->tx_switch_at = now_ms() + kd->cfg.answer_rekey_delay_ms;
		if (!kd->cfg.answer_rekey_delay_ms)
			sm_tx_switch(kd, s);
		else
			session_arm(s, st->tx_switch_at);
	}
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (first)
		sm_emit_secure(kd, s);
	return 0;
}

int sdes_local(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);

	if (s->exch == EX_REMOTE_OFFER)
		return answer(kd, s, r);
	switch (s->state) {
	case SS_NEW:
		return initial_offer(kd, s, r);
	case SS_OFFERED:
		return repeat_offer(kd, s, r);
	case SS_SECURE:
		/* a re-offer repeats our key; after a restart it must be a new one */
		if (!st->tx_known && !st->tx_pending && sm_tx_start_rekey(kd, s, r))
			return -1;
		if (current_line(kd, s, r, SDP_OFFER))
			return -1;
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		return 0;
	default:
		return op_fail(r, E_STATE, "no attributes to produce in state %s",
			       session_state_name(s->state));
	}
}

/* Keep the a=crypto attributes, drop the others the caller passed along. */
static size_t crypto_lines(const struct request *req, const char **out)
{
	size_t i, n = 0;
	const char *p;

	for (i = 0; i < req->nattrs; i++) {
		p = req->attrs[i];
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "a=", 2))
			p += 2;
		if (!strncmp(p, "crypto:", 7))
			out[n++] = req->attrs[i];
	}
	return n;
}

static void reply_negotiated(struct session *s, struct opres *r, bool rx_rekeyed)
{
	struct sdes_state *st = state_of(s);

	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	json_object_object_add(r->reply, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(r->reply, "tag", json_object_new_int64(st->tag));
	if (s->state == SS_SECURE)
		json_object_object_add(r->reply, "rx_rekeyed", json_object_new_boolean(rx_rekeyed));
}

static int apply_offer(struct keyd *kd, struct session *s, const char **lines, size_t n,
		       struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct sdes_policy pol = policy_for(kd, s, s->state == SS_SECURE ? st->suite : NULL);
	struct sdes_crypto c;
	char why[sizeof(r->msg) - 64];
	int changed = 0;

	if (sdes_select(lines, n, &pol, &c, why, sizeof(why)) < 0)
		return op_fail(r, E_NO_CRYPTO, "no acceptable a=crypto line: %s", why);
	if (s->state == SS_NEW) {
		st->suite = c.suite;
		st->flags = c.flags;
		if (sm_rx_install(kd, s, &c, r)) {
			sdes_wipe(&c);
			return -1;
		}
		s->state = SS_ANSWERING;
	} else if (c.suite != st->suite || c.flags != st->flags ||
		   c.keys[0].mki_len != st->rx_mki_len) {
		if (sm_rx_rebuild(kd, s, &c, r)) {
			sdes_wipe(&c);
			return -1;
		}
		/* our TX follows a new transform; an MKI length is only the peer's */
		if (c.suite != st->suite || c.flags != st->flags)
			st->tx_rebuild = true;
		st->suite = c.suite;
		st->flags = c.flags;
		changed = 1;
	} else {
		changed = sm_rx_update(kd, s, &c, r);
		if (changed < 0) {
			sdes_wipe(&c);
			return -1;
		}
	}
	st->tag = c.tag;
	sdes_wipe(&c);
	s->exch = EX_REMOTE_OFFER;
	session_changed(s);
	log_info("offer applied", "session=%s suite=%s tag=%u rx_rekeyed=%d", s->id,
		 st->suite->name, st->tag, changed);
	reply_negotiated(s, r, changed);
	if (changed)
		sm_emit_simple(kd, s, "rekeyed", "direction", "rx");
	return 0;
}

static int apply_answer(struct keyd *kd, struct session *s, const char **lines, size_t n,
			struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct sdes_policy pol = policy_for(kd, s, NULL);
	struct sdes_crypto c, mine;
	char why[sizeof(r->msg) - 64];
	int idx, changed = 0;
	size_t i;

	if (n != 1)
		return op_fail(r, E_NO_CRYPTO,
			       "an answer carries exactly one a=crypto line for the stream, got %zu",
			       n);
	if (s->state == SS_OFFERED) {
		idx = sdes_match_answer(st->offered, st->noffered, lines[0], &pol, &c,
					why, sizeof(why));
		if (idx < 0)
			return op_fail(r, E_NO_CRYPTO, "%s", why);
		st->suite = c.suite;
		st->tag = c.tag;
		st->flags = c.flags;
		if (sm_tx_install(kd, s, &st->offered[idx].keys[0], r)) {
			sdes_wipe(&c);
			return -1;
		}
		if (sm_rx_install(kd, s, &c, r)) {
			sdes_wipe(&c);
			sm_ctx_del_all(kd, s, KSRTP_DIR_TX);
			st->tx_installed = false;
			return -1;
		}
		sdes_wipe(&c);
		for (i = 0; i < st->noffered; i++)
			sdes_wipe(&st->offered[i]);
		st->noffered = 0;
		s->state = SS_SECURE;
		s->exch = EX_NONE;
		session_changed(s);
		reply_negotiated(s, r, false);
		sm_emit_secure(kd, s);
		return 0;
	}
	/* the answer to a re-offer: same tag and transform as we offered */
	memset(&mine, 0, sizeof(mine));
	mine.tag = st->tag;
	mine.suite = st->suite;
	mine.flags = st->flags;
	snprintf(mine.suite_name, sizeof(mine.suite_name), "%s", st->suite->name);
	if (sdes_match_answer(&mine, 1, lines[0], &pol, &c, why, sizeof(why)) < 0)
		return op_fail(r, E_NO_CRYPTO, "%s", why);
	if (c.keys[0].mki_len != st->rx_mki_len) {
		changed = sm_rx_rebuild(kd, s, &c, r) ? -1 : 1;
	} else {
		changed = sm_rx_update(kd, s, &c, r);
	}
	sdes_wipe(&c);
	if (changed < 0)
		return -1;
	s->exch = EX_NONE;
	session_changed(s);
	reply_negotiated(s, r, changed);
	if (changed)
		sm_emit_simple(kd, s, "rekeyed", "direction", "rx");
	/* the peer answered, so it holds our new key: switch now */
	if (st->tx_pending)
		sm_tx_switch(kd, s);
	return 0;
}

int sdes_remote(struct keyd *kd, struct session *s, const struct request *req,
		enum sdp_type type, struct opres *r)
{
	const char *lines[PROTO_MAX_ATTRS];
	size_t n = crypto_lines(req, lines);

	if (!n)
		return op_fail(r, E_NO_CRYPTO, "no a=crypto attribute among the %zu given",
			       req->nattrs);
	return type == SDP_ANSWER ? apply_answer(kd, s, lines, n, r) :
				    apply_offer(kd, s, lines, n, r);
}

int sdes_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	if (sm_tx_start_rekey(kd, s, r))
		return -1;
	/* answering the peer's re-offer: the new key goes in that answer */
	if (s->exch == EX_REMOTE_OFFER)
		return answer(kd, s, r);
	if (current_line(kd, s, r, SDP_OFFER))
		return -1;
	s->exch = EX_LOCAL_OFFER;
	session_changed(s);
	return 0;
}
