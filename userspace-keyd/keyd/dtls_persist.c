// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method across a keyd restart: what a session saves, and
 * adopting its kernel templates afterwards (the associations died).
 */
#include <errno.h>
#include <stdio.h>

#include "dtls_method.h"

struct json_object *dtls_save(struct session *s)
{
	struct dmstate *st = state_of(s);
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *lo;
	char addr[80];
	size_t i;

	if (st->have_role)
		json_object_object_add(o, "role", json_object_new_string(dtls_role_name(st->role)));
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || !l->installed)
			continue;
		lo = json_object_new_object();
		json_object_object_add(lo, "peer", json_object_new_string(
			link_addr(l, addr, sizeof(addr))));
		json_object_object_add(lo, "role", json_object_new_string(dtls_role_name(l->role)));
		json_object_object_add(lo, "suite", json_object_new_string(l->suite->name));
		json_object_object_add(lo, "key_id", json_object_new_int64(l->kid));
		json_object_object_add(lo, "rekeys", json_object_new_int64(l->rekeys));
		if (l->peer_fp[0])
			json_object_object_add(lo, "peer_fingerprint",
					       json_object_new_string(l->peer_fp));
		json_object_array_add(arr, lo);
	}
	json_object_object_add(o, "associations", arr);
	return o;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/*
 * An adopted link's keys in the kernel: an RX key other than the active one
 * was being retired (a new grace period); a TX key a server's rekey added
 * but had not switched to yet is switched to answer_rekey_delay_ms later.
 */
static void restore_keys(struct link *l, const struct kn_ctx_info *ctxs, size_t n)
{
	uint64_t now = now_ms();
	size_t j, k;

	for (j = 0; j < n; j++) {
		const struct kn_ctx_info *c = &ctxs[j];

		if (!c->any || c->origin != KSRTP_CTX_ORIGIN_TEMPLATE || !c->has_remote ||
		    !same_addr(&c->remote, &l->peer))
			continue;
		for (k = 0; k < c->nkeys; k++) {
			if (c->keys[k].id == l->kid)
				continue;
			if (c->dir == KSRTP_DIR_RX && !l->rx_old) {
				l->rx_old = c->keys[k].id;
				l->rx_retire_at = now + l->st->kd->cfg.rx_key_grace_ms + 1;
				session_arm(l->st->s, l->rx_retire_at);
			} else if (c->dir == KSRTP_DIR_TX && c->keys[k].active &&
				   c->keys[k].id == l->kid - 1) {
				l->tx_pending = l->kid;
				l->tx_switch_at = now + l->st->kd->cfg.answer_rekey_delay_ms;
				session_arm(l->st->s, l->tx_switch_at);
			}
		}
	}
}

/*
 * The socket's upcalls went to the previous keyd's netlink socket: take them
 * over (sock-set), so adopted associations can be rekeyed and a new session
 * can run its handshake. Without it (an older module) they run on as they
 * are, and a rekey says why not.
 */
static void take_upcalls(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);
	int err;

	err = kn_take_upcalls(&kd->kn, s->cookie[0], KSRTP_UPCALL_DTLS);
	if (!err) {
		st->upcalls = true;
		log_info("DTLS upcalls taken over", "session=%s cookie=%llu", s->id,
			 (unsigned long long)s->cookie[0]);
		return;
	}
	snprintf(st->no_upcalls, sizeof(st->no_upcalls), "sock-set: %s%s%s", strerror(-err),
		 *kn_err(&kd->kn) ? ": " : "", kn_err(&kd->kn));
	log_warn("DTLS upcalls not taken over; adopted associations cannot be rekeyed",
		 "session=%s reason=%s", s->id, log_q(st->no_upcalls));
}

/*
 * A fork's templates that no adopted association owns: RX-only early media
 * from a peer whose certificate no answer verified yet. The handshake that
 * made them died with the previous keyd, so nothing could verify the peer
 * or remove them any more: they go now, with what they learned.
 */
static void drop_unadopted(struct keyd *kd, struct session *s,
			   const struct kn_ctx_info *ctxs, size_t n)
{
	struct dmstate *st = state_of(s);
	char a[INET6_ADDRSTRLEN + 8];
	struct kn_ctx c;
	size_t j;
	int err;

	for (j = 0; j < n; j++) {
		if (!ctxs[j].any || ctxs[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
		    !ctxs[j].has_remote || link_find(st, &ctxs[j].remote))
			continue;
		memset(&c, 0, sizeof(c));
		c.cookie = s->cookie[0];
		c.dir = ctxs[j].dir;
		c.has_remote = true;
		c.remote = ctxs[j].remote;
		err = kn_ctx_del(&kd->kn, &c);
		log_warn("unverified DTLS keys of a fork not adopted: removed",
			 "session=%s peer=%s dir=%s err=%s", s->id,
			 proto_format_addr(&ctxs[j].remote, a, sizeof(a)),
			 kn_dir_name(ctxs[j].dir), err ? log_q(strerror(-err)) : "none");
	}
}

/*
 * One saved association whose TX and RX templates the kernel still has:
 * adopted as a link. 0 (adopted or skipped), -1: no slot left.
 */
static int restore_link(struct dmstate *st, struct json_object *lo,
			const struct kn_ctx_info *ctxs, size_t n)
{
	struct sockaddr_storage addr;
	struct json_object *kv;
	bool tx = false, rx = false;
	socklen_t alen;
	const char *v;
	struct link *l;
	size_t j;

	v = jstr(lo, "peer");
	if (!v || proto_parse_addr(v, &addr, &alen))
		return 0;
	for (j = 0; j < n; j++) {
		if (!ctxs[j].any || ctxs[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
		    !ctxs[j].has_remote || !same_addr(&ctxs[j].remote, &addr))
			continue;
		tx |= ctxs[j].dir == KSRTP_DIR_TX;
		rx |= ctxs[j].dir == KSRTP_DIR_RX;
	}
	if (!tx || !rx)
		return 0;
	v = jstr(lo, "role");
	l = link_alloc(st, &addr, v && !strcmp(v, "client") ? DTLS_ROLE_CLIENT :
							       DTLS_ROLE_SERVER);
	if (!l)
		return -1;
	l->installed = l->restored = true;
	v = jstr(lo, "suite");
	l->suite = v ? suite_by_name(v, strlen(v)) : NULL;
	if (json_object_object_get_ex(lo, "key_id", &kv))
		l->kid = (uint32_t)json_object_get_int64(kv);
	if (json_object_object_get_ex(lo, "rekeys", &kv))
		l->rekeys = (uint32_t)json_object_get_int64(kv);
	if ((v = jstr(lo, "peer_fingerprint"))) {
		const char *bad = NULL;

		snprintf(l->peer_fp, sizeof(l->peer_fp), "%s", v);
		/* what the next handshake verifies, until a re-offer says more */
		fp_set_init(&l->fps);
		l->have_fps = !fp_set_add_value(&l->fps, v, strlen(v), &bad);
	}
	if (l->suite) {
		const struct dtls_profile_info *pi = dtls_profile_by_name(l->suite->name);

		if (pi)
			l->profile = pi->id;
	}
	restore_keys(l, ctxs, n);
	return 0;
}

/*
 * The associations (and the certificate) died with the previous keyd: a
 * secure session keeps each fork's kernel contexts and runs on; the DTLS
 * upcalls are taken over, so a rekey (a re-offer with the new certificate,
 * then a new handshake) works. A negotiation in progress cannot resume.
 */
int dtls_restore(struct keyd *kd, struct session *s, struct json_object *saved,
		 const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct opres r = { 0 };
	struct dmstate *st;
	struct json_object *arr = NULL;
	const char *v;
	size_t i, nl;

	if (dtls_init(kd, s, NULL, &r)) {
		snprintf(why, whylen, "%s", r.msg);
		return -1;
	}
	st = state_of(s);
	if (s->state == SS_NEW || s->state == SS_SECURE)
		take_upcalls(kd, s);
	if (s->state != SS_SECURE) {
		/* nothing was verified: whatever is installed is early media */
		drop_unadopted(kd, s, ctxs, n);
		if (s->state == SS_NEW)
			return 0;
		snprintf(why, whylen, "the DTLS handshake was lost with the previous keyd; "
			 "delete the session and create a new one");
		return -1;
	}
	if ((v = jstr(saved, "role"))) {
		st->have_role = true;
		st->role = !strcmp(v, "client") ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
	}
	if (saved)
		json_object_object_get_ex(saved, "associations", &arr);
	nl = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < nl; i++)
		if (restore_link(st, json_object_array_get_idx(arr, i), ctxs, n) < 0)
			break;
	drop_unadopted(kd, s, ctxs, n);
	if (!links_alive(st)) {
		snprintf(why, whylen, "the kernel has no TX and RX templates for the session's "
			 "DTLS associations");
		return -1;
	}
	return 0;
}
