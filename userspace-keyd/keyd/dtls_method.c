// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method (RFC 5763, RFC 5764): no keys in the SDP, only our
 * certificate's a=fingerprint and the a=setup role. The media socket is
 * attached with the "dtls" upcall: the kernel hands every DTLS datagram it
 * receives to keyd, and keyd answers through sock-send from the same
 * socket.
 *
 * Associations. A session holds one *link* per remote transport address
 * (RFC 5763 §6.3, forking: an offer answered by several peers, each with
 * its own handshake from its own address). Each link installs its own TX
 * and RX any-SSRC templates bound to that address, so every fork has its
 * own keys on the one socket: the kernel picks RX contexts by source and
 * TX contexts by destination. TX = our write key: client_write as the
 * client, server_write as the server.
 *
 * Roles: an offer says actpass; until the answer comes we accept
 * ClientHellos as the server, from any address unless the session is bound
 * to one (RFC 5763 §5). Each answer resolves the role towards its fork. An
 * answerer prefers active (it starts the handshake at once) when it knows
 * the peer's address, else passive.
 *
 * Rekeying (the rekey op, or a peer's new ClientHello): a fresh handshake
 * on a second association for the same link, make-before-break. DTLS 1.2
 * renegotiation stays disabled (SSL_OP_NO_RENEGOTIATION; RFC 5746-era
 * renegotiation is what OpenSSL 3 refuses by default and what deployed
 * DTLS-SRTP stacks never use). When the new handshake is done its keys are
 * *added* to the existing templates (key-add): RX tries the new key first
 * and still has the old one for packets in flight; TX switches (key-swap)
 * only when the peer can decrypt: the client at once (the server finished
 * first), the server when the peer's new key has authenticated a packet
 * (kernel per-key counters) or answer_rekey_delay_ms later. The old RX key
 * is deleted rx_key_grace_ms after the new one is seen in use. Only a
 * client can start a handshake: our server links are rekeyed by one
 * re-offer swapping the roles (RFC 5763 §6.6), signalled to each of their
 * peers (forks: one dialog each); each passive answer makes us the client
 * of that link's new association.
 *
 * Early media (RFC 5763 §6.2, §7.1): an offerer's handshake may complete
 * before the answer brings the fingerprint to verify. With the session's
 * dtls_verify = strict nothing is installed until then; with early_media
 * the RX template goes in at once (the peer's media is decrypted, "verify"
 * stays pending), TX only once the fingerprint matched, and a mismatch
 * deletes the RX template in the same call.
 *
 * Certificates: dtls_identity.c (generated at the first DTLS session, never
 * written to disk, renewed before expiry; a session keeps its own for life).
 * RTCP must be muxed.
 *
 * Files: dtls_method.c (the method's operations, timers, status),
 * dtls_link.c (links), dtls_keys.c (kernel templates), dtls_handshake.c
 * (associations, upcalls), dtls_sdp.c (attributes), dtls_persist.c
 * (restarts); dtls_method.h is what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/crypto.h>

#include "dtls_identity.h"
#include "dtls_method.h"

/* ---------------------------------------------------------------- timers */

/* Server links after a rekey: has the peer's new key authenticated a packet? */
static void rx_check(struct keyd *kd, struct session *s, uint64_t now)
{
	struct dmstate *st = state_of(s);
	struct kn_ctx_info *ci = NULL;
	size_t n = 0, i, j, k;
	bool need = false;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		need |= st->links[i].used && st->links[i].rx_old && !st->links[i].rx_retire_at &&
			st->links[i].rx_check_at && st->links[i].rx_check_at <= now;
	if (!need)
		return;
	if (kn_ctx_dump(&kd->kn, s->cookie[0], &ci, &n)) {
		n = 0;
		ci = NULL;
	}
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];
		bool used = false;

		if (!l->used || !l->rx_old || l->rx_retire_at || !l->rx_check_at ||
		    l->rx_check_at > now)
			continue;
		for (j = 0; j < n; j++) {
			if (ci[j].dir != KSRTP_DIR_RX || ci[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
			    !ci[j].has_remote || !same_addr(&ci[j].remote, &l->peer))
				continue;
			for (k = 0; k < ci[j].nkeys; k++)
				if (ci[j].keys[k].id == l->kid)
					used = ci[j].keys[k].srtp_packets +
					       ci[j].keys[k].srtcp_packets > 0;
		}
		if (!used) {
			l->rx_check_at = now + RX_CHECK_MS;
			continue;
		}
		l->rx_check_at = 0;
		l->rx_retire_at = now + kd->cfg.rx_key_grace_ms + 1;
		link_tx_switch(l, "the peer's new key is in use");
	}
	free(ci);
}

/* Unvouched peers older than dtls_unverified_timeout go (dtls_slots.h). */
static void expire_unvouched(struct dmstate *st, uint64_t now)
{
	uint64_t t = st->kd->cfg.dtls_unverified_timeout * 1000ULL;
	struct slot_info v[DTLS_MAX_ASSOCS];
	int i;

	if (!t || now < t)
		return;
	for (;;) {
		dm_slot_view(st, v);
		i = slots_oldest_unvouched(v, DTLS_MAX_ASSOCS, now - t);
		if (i < 0)
			return;
		link_evict(&st->links[i], "dtls_unverified_timeout passed");
	}
}

static uint64_t dtls_timer(struct keyd *kd, struct session *s, uint64_t now)
{
	struct dmstate *st = state_of(s);
	size_t i;
	long t;

	if (s->state == SS_FAILED)
		return 0;
	rx_check(kd, s, now);
	expire_unvouched(st, now);
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || l->failed)
			continue;
		if (l->a && (t = dtls_next_timeout_ms(l->a)) == 0)
			link_handle(l, dtls_on_timeout(l->a));
		if (s->state == SS_FAILED)
			return 0;
		if (l->failed)
			continue;
		if (l->next_a && (t = dtls_next_timeout_ms(l->next_a)) == 0)
			link_handle_next(l, dtls_on_timeout(l->next_a));
		if (l->tx_switch_at && l->tx_switch_at <= now)
			link_tx_switch(l, "answer_rekey_delay_ms passed");
		if (l->rx_retire_at && l->rx_retire_at <= now)
			link_rx_drop_old(l);
		link_arm(l);
	}
	return 0;	/* link_arm() armed what is due next */
}

/* ---------------------------------------------------------------- rekey */

static int dtls_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st = state_of(s);
	struct json_object *arr, *peers;
	size_t i, started = 0, flips = 0;
	char addr[80];

	(void)kd;
	for (i = 0; i < DTLS_MAX_ASSOCS && !st->upcalls; i++)
		if (st->links[i].used && !st->links[i].failed && st->links[i].installed &&
		    st->links[i].restored)
			return op_fail(r, E_UNSUPPORTED, "associations adopted after a restart "
				       "cannot be rekeyed: their DTLS datagrams do not reach this "
				       "keyd (%s)", st->no_upcalls);
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || l->failed || !l->installed)
			continue;
		if (l->role == DTLS_ROLE_CLIENT && !l->restored) {
			if (link_rekey_client(l, r))
				return -1;
			started++;
		} else if (l->restored || !l->expect_hello) {
			/* (expect_hello: the peer's ClientHello is coming already) */
			l->flip_out = true;
			flips++;
		}
	}
	if (!started && !flips)
		return op_fail(r, E_STATE, "no DTLS association with keys to rekey");
	if (flips) {
		/*
		 * A server cannot start a handshake (no renegotiation): it
		 * re-offers with the roles swapped (RFC 5763 §6.6, a role change
		 * means a new association), to every peer it serves (forks: one
		 * re-offer per dialog, the same attributes); each passive answer
		 * makes us the client of that peer's new association. An
		 * association adopted after a restart does the same whatever its
		 * role: the re-offer carries this keyd's new certificate, which
		 * the peer must know first.
		 */
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		dm_reply_attrs(s, r, SDP_SETUP_ACTIVE, SDP_OFFER);
		peers = json_object_new_array();
		for (i = 0; i < DTLS_MAX_ASSOCS; i++)
			if (st->links[i].used && !st->links[i].failed && st->links[i].flip_out)
				json_object_array_add(peers, json_object_new_string(
					link_addr(&st->links[i], addr, sizeof(addr))));
		json_object_object_add(r->reply, "peers", peers);
		json_object_object_add(r->reply, "handshakes",
				       json_object_new_int64((int64_t)started));
		return 0;
	}
	/* nothing to signal: same certificates, same roles, same transport */
	arr = json_object_new_array();
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string("none"));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	json_object_object_add(r->reply, "handshakes", json_object_new_int64((int64_t)started));
	return 0;
}

static void dtls_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	if (ev->type == KN_EV_UPCALL)
		dm_upcall(kd, s, ev);
	else
		session_tx_limit_event(kd, s, ev);
}

/* ---------------------------------------------------------------- lifecycle */

int dtls_init(struct keyd *kd, struct session *s, const struct request *req, struct opres *r)
{
	struct dmstate *st;
	const struct dtls_profile_info *pi;
	char err[256];
	size_t i, j;

	(void)req;	/* dtls_verify is already in the session */
	if (!s->rtcp_mux)
		return op_fail(r, E_UNSUPPORTED, "the dtls method needs rtcp_mux (one socket)");
	st = calloc(1, sizeof(*st));
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
	st->eng = dident_get(kd, err, sizeof(err));
	if (!st->eng) {
		free(st);
		return op_fail(r, E_INTERNAL, "DTLS certificate: %s", err);
	}
	st->kd = kd;
	st->s = s;
	for (i = 0; i < s->nsuites; i++) {
		pi = dtls_profile_by_name(s->suites[i]->name);
		if (!pi)
			continue;
		for (j = 0; j < st->nprofiles && st->profiles[j] != pi->id; j++)
			;
		if (j == st->nprofiles && st->nprofiles < DTLS_PROFILE_MAX)
			st->profiles[st->nprofiles++] = pi->id;
	}
	if (!st->nprofiles) {
		dident_put(st->eng);
		free(st);
		return op_fail(r, E_NO_CRYPTO, "none of the session's suites is a DTLS-SRTP profile");
	}
	s->mstate = st;
	return 0;
}

static void dtls_release(struct session *s)
{
	struct dmstate *st = state_of(s);
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			link_release(&st->links[i]);
	dident_put(st->eng);	/* after its associations: they use it */
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	s->mstate = NULL;
}

static struct json_object *link_status(struct link *l)
{
	struct json_object *o = json_object_new_object();
	char addr[80];

	json_object_object_add(o, "peer", json_object_new_string(link_addr(l, addr, sizeof(addr))));
	json_object_object_add(o, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(o, "handshake", json_object_new_string(
		l->failed ? "failed" : l->a ? dtls_state_name(dtls_assoc_state(l->a)) :
		l->restored ? "adopted" : "none"));
	if (l->a)
		json_object_object_add(o, "verify", json_object_new_string(
			dtls_verify_name(dtls_assoc_verify_state(l->a))));
	if (l->suite)
		json_object_object_add(o, "suite", json_object_new_string(l->suite->name));
	if (l->peer_fp[0])
		json_object_object_add(o, "peer_fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(o, "installed", json_object_new_boolean(l->installed));
	if (l->rx_only)
		json_object_object_add(o, "early_media", json_object_new_boolean(1));
	if (l->installed || l->rx_only)
		json_object_object_add(o, "key_id", json_object_new_int64(l->kid));
	if (l->flip_out)
		json_object_object_add(o, "reoffered", json_object_new_boolean(1));
	json_object_object_add(o, "rekeys", json_object_new_int64(l->rekeys));
	json_object_object_add(o, "rekeying", json_object_new_boolean(l->next_a != NULL));
	if (l->tx_pending)
		json_object_object_add(o, "tx_pending_key_id", json_object_new_int64(l->tx_pending));
	if (l->rx_old)
		json_object_object_add(o, "rx_old_key_id", json_object_new_int64(l->rx_old));
	if (l->a) {
		const struct dtls_stats *ds = dtls_assoc_stats(l->a);

		json_object_object_add(o, "rx_datagrams", json_object_new_uint64(ds->rx_datagrams));
		json_object_object_add(o, "tx_datagrams", json_object_new_uint64(ds->tx_datagrams));
		json_object_object_add(o, "retransmits", json_object_new_uint64(ds->retransmits));
	}
	if (l->failed)
		json_object_object_add(o, "reason", json_object_new_string(l->reason));
	return o;
}

static void dtls_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct dmstate *st = state_of(s);
	struct json_object *d = json_object_new_object(), *arr = json_object_new_array(), *lo;
	const struct link *p = link_primary(st);
	bool tx = false, rx = false;
	size_t i;

	(void)kd;
	json_object_object_add(d, "fingerprint",
			       json_object_new_string(dtls_engine_fingerprint(st->eng)));
	json_object_object_add(d, "dtls_verify",
			       json_object_new_string(verify_policy_name(s->dtls_verify)));
	if (st->have_role)
		json_object_object_add(d, "role", json_object_new_string(dtls_role_name(st->role)));
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used)
			continue;
		tx |= l->installed;
		rx |= l->installed || l->rx_only;
		lo = link_status(l);
		json_object_array_add(arr, lo);
		if (l != p)
			continue;
		/* the first association's fields, as before forking existed */
		json_object_object_foreach(lo, key, val) {
			if (!strcmp(key, "handshake") || !strcmp(key, "verify") ||
			    !strcmp(key, "peer") || !strcmp(key, "peer_fingerprint") ||
			    !strcmp(key, "rx_datagrams") || !strcmp(key, "tx_datagrams") ||
			    !strcmp(key, "retransmits"))
				json_object_object_add(d, key, json_object_get(val));
		}
	}
	if (!p)
		json_object_object_add(d, "handshake", json_object_new_string("none"));
	json_object_object_add(d, "associations", arr);
	json_object_object_add(out, "dtls", d);
	if (p && p->suite)
		json_object_object_add(out, "suite", json_object_new_string(p->suite->name));
	json_object_object_add(out, "tx", json_object_new_boolean(tx));
	json_object_object_add(out, "rx", json_object_new_boolean(rx));
}

static void dtls_teardown(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);
	size_t i;

	(void)kd;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			link_teardown(&st->links[i]);
}

const struct method dtls_method = {
	.name = "dtls",
	.pfs = true,
	.forks = true,
	.upcall = KSRTP_UPCALL_DTLS,
	.req_fields = REQF_DTLS_VERIFY,
	.init = dtls_init,
	.release = dtls_release,
	.local_attributes = dtls_local,
	.remote_attributes = dtls_remote,
	.rekey = dtls_rekey,
	.status = dtls_status,
	.timer = dtls_timer,
	.kernel_event = dtls_kernel_event,
	.teardown = dtls_teardown,
	.save = dtls_save,
	.restore = dtls_restore,
};
