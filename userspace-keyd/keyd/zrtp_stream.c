// SPDX-License-Identifier: GPL-2.0
/*
 * The ZRTP method's media path: the engine (zrtp_engine.h) fed by the
 * kernel's ZRTP upcalls, its packets sent from the media socket by
 * sock-send, its retransmission timer, and the SRTP keys it produces
 * installed as one TX and one RX any-SSRC template per socket.
 *
 * The peer's address: the session's remote if the signalling gave one,
 * else the source of the first Hello the engine accepted (and that
 * matched a=zrtp-hash, if the signalling carried one). Until then nothing
 * but Hellos reaches the engine, so a stray packet cannot move it.
 *
 * SRTP is never sent before the exchange is done (RFC 6189 §4.6): the
 * templates go in when the engine is SECURE, which for the initiator is
 * Conf2ACK and for the responder a Confirm2 that authenticated.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "b64.h"
#include "zrtp_method.h"

const char *zm_alg_name(zrtp_alg a, char out[5])
{
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (char)(a >> (24 - 8 * i));
	out[4] = 0;
	for (i = 3; i > 0 && out[i] == ' '; i--)
		out[i] = 0;	/* "B32 " is "B32" in status and events */
	return out;
}

/* Send what the engine queued, to the peer. */
static void flush(struct zmstate *st)
{
	struct session *s = st->s;
	uint8_t pkt[1024];
	size_t n;
	int err;

	while ((n = zrtp_output(st->zc, pkt, sizeof(pkt))) > 0) {
		if (!s->has_remote)
			continue;	/* nowhere to send yet: the peer's Hello will tell */
		err = kn_sock_send(&st->kd->kn, s->cookie[0], &s->remote, pkt, n);
		if (err) {
			st->tx_errors++;
			log_debug("sock-send failed", "session=%s err=%s extack=%s", s->id,
				  log_q(strerror(-err)), log_q(kn_err(&st->kd->kn)));
		} else {
			st->tx_packets++;
		}
	}
}

void zm_teardown(struct zmstate *st)
{
	struct session *s = st->s;
	struct kn_ctx c;
	unsigned int i, d;
	int err;

	if (!st->installed)
		return;
	for (i = 0; i < s->nsocks; i++)
		for (d = 0; d < 2; d++) {
			session_ctx_name(s, i, d ? KSRTP_DIR_TX : KSRTP_DIR_RX, &c);
			err = kn_ctx_del(&st->kd->kn, &c);
			if (err && err != -ENOENT)
				log_warn("ctx-del failed", "session=%s err=%s extack=%s", s->id,
					 log_q(strerror(-err)), log_q(kn_err(&st->kd->kn)));
		}
	st->installed = false;
}

void zm_fail(struct zmstate *st, const char *why)
{
	struct session *s = st->s;
	struct json_object *ev;

	if (s->state == SS_FAILED)
		return;
	zm_teardown(st);
	s->state = SS_FAILED;
	s->exch = EX_NONE;
	snprintf(s->fail_reason, sizeof(s->fail_reason), "%s", why);
	session_changed(s);
	log_warn("ZRTP session failed; contexts removed", "session=%s reason=%s", s->id,
		 log_q(why));
	ev = proto_event("failed", s->id);
	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("zrtp"));
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(st->kd, s, ev);
}

/* The kernel suite of the SRTP cipher and tag the Commit chose. */
static const struct suite *suite_of(const struct zrtp_suite *a)
{
	bool a256 = a->cipher == ZRTP_ALG("AES3"), t32 = a->auth == ZRTP_ALG("HS32");

	return suite_by_id(a256 ? (t32 ? KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32 :
					 KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80) :
				  (t32 ? KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32 :
					 KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80));
}

static int install_one(struct zmstate *st, unsigned int sock, uint32_t dir,
		       const uint8_t *key, const uint8_t *salt, char *why, size_t whylen)
{
	struct kn_ctx_params p = { .suite = st->suite->id };
	struct kn_key kk = { .id = 1, .key = key, .key_len = st->suite->key_len,
			     .salt = salt, .salt_len = st->suite->salt_len };
	struct kn_ctx c;
	int err;

	if (dir == KSRTP_DIR_RX)
		p.window = st->kd->cfg.window;
	session_ctx_name(st->s, sock, dir, &c);
	err = kn_ctx_new(&st->kd->kn, &c, &p, &kk);
	OPENSSL_cleanse(&kk, sizeof(kk));
	if (err)
		snprintf(why, whylen, "%s ctx-new: %s: %s", kn_dir_name(dir), strerror(-err),
			 kn_err(&st->kd->kn));
	return err;
}

/* SRTP keys each way: the initiator sends with its own (§4.5.3). */
static int install(struct zmstate *st, const struct zrtp_keys *k, char *why, size_t whylen)
{
	const uint8_t *tk = st->initiator ? k->srtp_key_i : k->srtp_key_r;
	const uint8_t *ts = st->initiator ? k->srtp_salt_i : k->srtp_salt_r;
	const uint8_t *rk = st->initiator ? k->srtp_key_r : k->srtp_key_i;
	const uint8_t *rs = st->initiator ? k->srtp_salt_r : k->srtp_salt_i;
	unsigned int i;

	st->suite = suite_of(&st->algs);
	if (!st->suite || !(st->kd->kn.suites & suite_bit(st->suite)) ||
	    st->suite->key_len != k->klen) {
		snprintf(why, whylen, "the negotiated cipher and tag have no kernel suite");
		return -1;
	}
	st->installed = true;	/* zm_teardown() removes what went in if one fails */
	for (i = 0; i < st->s->nsocks; i++)
		if (install_one(st, i, KSRTP_DIR_RX, rk, rs, why, whylen) ||
		    install_one(st, i, KSRTP_DIR_TX, tk, ts, why, whylen))
			return -1;
	return 0;
}

static void emit_secure(struct zmstate *st)
{
	struct session *s = st->s;
	struct json_object *ev = proto_event("secure", s->id);
	char peer[80], n[5];

	log_info("session secure", "session=%s peer=%s suite=%s role=%s key_agreement=%s "
		 "sas=%s", s->id, proto_format_addr(&s->remote, peer, sizeof(peer)),
		 st->suite->name, st->initiator ? "initiator" : "responder",
		 zm_alg_name(st->algs.ka, n), st->sas);
	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("zrtp"));
	json_object_object_add(ev, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(ev, "peer", json_object_new_string(peer));
	json_object_object_add(ev, "role", json_object_new_string(
		st->initiator ? "initiator" : "responder"));
	json_object_object_add(ev, "sas", json_object_new_string(st->sas));
	json_object_object_add(ev, "sas_type", json_object_new_string(
		zm_alg_name(st->algs.sas, n)));
	/* verified: the SAS was compared in an earlier call of this lineage */
	json_object_object_add(ev, "verified", json_object_new_boolean(st->sas_verified));
	json_object_object_add(ev, "peer_verified", json_object_new_boolean(st->co.peer_verified));
	json_object_object_add(ev, "cache_mismatch", json_object_new_boolean(st->co.mismatch));
	json_object_object_add(ev, "retained_secret", json_object_new_boolean(st->co.s1_matched));
	zm_add_secrets(st, ev);
	json_object_object_add(ev, "key_agreement", json_object_new_string(
		zm_alg_name(st->algs.ka, n)));
	if (st->multistream)
		json_object_object_add(ev, "multistream_of", json_object_new_string(st->ms_of));
	json_object_object_add(ev, "pfs", json_object_new_boolean(s->pfs));
	session_emit(st->kd, s, ev);
}

/*
 * The cache after a secure exchange (§4.6.1): rs2 = the old rs1, rs1 =
 * the new one, unless either side asked not to cache (expiry 0). After a
 * cache mismatch the new rs1 waits for the users to verify the SAS
 * (§4.6.1.1: verify_sas), and the call is flagged.
 */
static void cache_update(struct zmstate *st, const struct zrtp_keys *k)
{
	struct zrtp_retained e;
	char z[2 * ZRTP_ZID_LEN + 1];

	if (st->multistream)
		return;		/* neither used nor updated (§4.4.3); the SAS is the first stream's */
	zrtp_cache_outcome(st->zc, &st->co);
	st->sas_verified = st->co.verified;
	if (!zcache_enabled(st->kd) || !st->have_peer_zid || !st->co.expiry)
		return;
	if (st->co.mismatch) {
		memcpy(st->rs1_new, k->rs1_new, ZRTP_RS_LEN);
		st->rs1_pending = true;
		hex_encode(st->peer_zid, ZRTP_ZID_LEN, z);
		log_warn("ZRTP cache mismatch: the peer does not hold the secret we share with "
			 "it; compare the SAS (possible man in the middle)", "session=%s "
			 "peer_zid=%s", st->s->id, z);
		return;
	}
	if (zcache_get(st->kd, st->peer_zid, &e))
		memset(&e, 0, sizeof(e));
	memcpy(e.rs2, e.rs1, ZRTP_RS_LEN);
	e.have_rs2 = e.have_rs1;
	memcpy(e.rs1, k->rs1_new, ZRTP_RS_LEN);
	e.have_rs1 = true;
	e.verified = st->co.verified;
	zcache_put(st->kd, st->peer_zid, &e, st->co.expiry);
	OPENSSL_cleanse(&e, sizeof(e));
}

/*
 * The PBX of an enrollment call stores the pbxsecret for the phone at
 * once (§7.3.1: the phone's user decides on its side), in the entry the
 * call just updated; none (the phone asked not to cache, or a cache
 * mismatch): not stored, and said.
 */
static void pbx_store(struct zmstate *st)
{
	struct zrtp_retained e;

	if (!st->have_peer_zid || !st->co.expiry || st->rs1_pending ||
	    zcache_get(st->kd, st->peer_zid, &e)) {
		log_warn("ZRTP PBX enrollment: no cache entry for the phone to keep the pbxsecret "
			 "in (it asked not to cache, or a cache mismatch)", "session=%s", st->s->id);
		return;
	}
	if (!zrtp_pbx_secret(st->zc, e.pbx)) {
		e.pbx_len = 32;
		st->pbx_enrolled = !zcache_put(st->kd, st->peer_zid, &e, st->co.expiry);
	}
	OPENSSL_cleanse(&e, sizeof(e));
	if (st->pbx_enrolled)
		log_info("ZRTP PBX enrollment: pbxsecret kept for the phone", "session=%s",
			 st->s->id);
}

/* A SASrelay changed the SAS to show (§7.3): "sas_relayed". */
static void relayed(struct zmstate *st)
{
	struct json_object *ev = proto_event("sas_relayed", st->s->id);
	char n[5];

	st->relayed = *zrtp_relayed(st->zc);
	log_info("ZRTP SAS relayed by the PBX", "session=%s trusted=%d sas=%s", st->s->id,
		 st->relayed.trusted, st->relayed.sas);
	session_changed(st->s);
	if (!ev)
		return;
	json_object_object_add(ev, "sas", json_object_new_string(st->relayed.sas));
	json_object_object_add(ev, "sas_type", json_object_new_string(
		zm_alg_name(st->relayed.scheme, n)));
	json_object_object_add(ev, "trusted", json_object_new_boolean(st->relayed.trusted));
	json_object_object_add(ev, "peer_verified", json_object_new_boolean(
		st->relayed.peer_verified));
	session_emit(st->kd, st->s, ev);
}

/* What the engine's last step changed: packets out, failure, keys. */
static void after_engine(struct zmstate *st)
{
	const struct zrtp_keys *k;
	char why[256];

	flush(st);
	if (!st->have_peer_zid)
		st->have_peer_zid = zrtp_peer_zid(st->zc, st->peer_zid);
	if (zrtp_state(st->zc) == ZS_FAILED) {
		snprintf(why, sizeof(why), "ZRTP: %s", zrtp_why(st->zc));
		zm_fail(st, why);
		return;
	}
	k = zrtp_result(st->zc);
	if (k && st->installed && zrtp_relayed(st->zc)->gen != st->relayed.gen)
		relayed(st);
	if (!k || st->installed || st->s->state == SS_SECURE)
		return;
	st->algs = *zrtp_suite(st->zc);
	st->initiator = zrtp_is_initiator(st->zc);
	st->s->pfs = !zrtp_is_preshared(st->zc);	/* Preshared: no DH (§4.4.2) */
	if (!st->multistream)
		snprintf(st->sas, sizeof(st->sas), "%s", k->sas);
	if (install(st, k, why, sizeof(why))) {
		zm_fail(st, why);
		return;
	}
	cache_update(st, k);
	if (st->cfg.pbx_enroll)
		pbx_store(st);
	st->s->state = SS_SECURE;
	st->s->exch = EX_NONE;
	session_changed(st->s);
	emit_secure(st);
}

static void arm(struct zmstate *st, uint64_t next)
{
	if (next)
		session_arm(st->s, next);
}

void zm_maybe_start(struct zmstate *st)
{
	struct session *s = st->s;

	if (!st->zc || st->started || !st->go || !s->has_remote || s->state == SS_FAILED)
		return;
	st->started = true;
	log_info("ZRTP Hello sent", "session=%s", s->id);
	zrtp_start(st->zc, now_ms());
	after_engine(st);
	arm(st, zrtp_timer(st->zc, now_ms()));
}

/* A ZRTP packet the kernel punted up from the media socket. */
void zm_upcall(struct zmstate *st, const struct kn_event *ev)
{
	struct session *s = st->s;
	struct zrtp_packet p;
	uint64_t now = now_ms();
	char addr[80];

	if (!st->zc || s->state == SS_FAILED || ev->cookie != s->cookie[0] ||
	    !zrtp_is_packet(ev->data, ev->len))
		return;
	st->rx_packets++;
	if (!s->has_remote) {
		/* a new peer: only a Hello the engine takes may name it */
		if (zrtp_decode(ev->data, ev->len, &p, NULL) || p.msg.type != ZRTP_HELLO) {
			st->rx_dropped++;
			return;
		}
		zrtp_input(st->zc, ev->data, ev->len, now);
		if (!zrtp_peer_zid(st->zc, st->peer_zid)) {
			st->rx_dropped++;
			return;
		}
		s->remote = ev->remote;
		s->has_remote = true;
		session_changed(s);
		log_info("ZRTP peer learned from its Hello", "session=%s peer=%s", s->id,
			 proto_format_addr(&s->remote, addr, sizeof(addr)));
	} else if (!same_addr(&s->remote, &ev->remote)) {
		st->rx_dropped++;
		return;
	} else {
		zrtp_input(st->zc, ev->data, ev->len, now);
	}
	/* the peer is talking ZRTP to us: answer even before the signalling is done */
	if (!st->started) {
		st->go = true;
		zm_maybe_start(st);
	}
	after_engine(st);
	if (s->state != SS_FAILED)
		arm(st, zrtp_timer(st->zc, now));
}

uint64_t zm_timer(struct zmstate *st, uint64_t now)
{
	uint64_t next;

	if (!st->zc || st->s->state == SS_FAILED)
		return 0;
	next = zrtp_timer(st->zc, now);
	after_engine(st);
	return st->s->state == SS_FAILED ? 0 : next;
}

/*
 * As a PBX bridging two ZRTP legs (§7.3): the leg whose phone enrolled with
 * us (its pbxsecret matched) is shown the other leg's SAS, in that leg's
 * scheme, with the far party's V flag. Both enrolled: only one is, the one
 * that is not itself a PBX, else the one with the lower session id.
 */
void zm_bridged(struct zmstate *st, struct zmstate *far)
{
	const struct zrtp_keys *k = far->zc ? zrtp_result(far->zc) : NULL;
	bool ours_pbx, far_pbx;

	if (!st->cfg.mitm || !st->zc || !zrtp_result(st->zc) || !k || st->multistream ||
	    far->multistream || st->co.pbx != ZRTP_AUX_MATCH)
		return;
	if (far->cfg.mitm && far->co.pbx == ZRTP_AUX_MATCH) {
		ours_pbx = zrtp_peer_is_pbx(st->zc);
		far_pbx = zrtp_peer_is_pbx(far->zc);
		if (ours_pbx != far_pbx ? ours_pbx : strcmp(st->s->id, far->s->id) > 0)
			return;		/* the far leg's phone is shown ours instead */
	}
	if (zrtp_send_sasrelay(st->zc, far->algs.sas, k->sashash, far->co.peer_verified,
			       now_ms())) {
		log_warn("ZRTP SAS not relayed", "session=%s from=%s", st->s->id, far->s->id);
		return;
	}
	log_info("ZRTP SAS of the far leg relayed to the enrolled phone", "session=%s from=%s",
		 st->s->id, far->s->id);
	flush(st);
	arm(st, zrtp_timer(st->zc, now_ms()));
}

void zm_add_secrets(const struct zmstate *st, struct json_object *o)
{
	char n[5];

	/* only when we had one: "unset" would say nothing to a media server */
	if (st->co.aux != ZRTP_AUX_UNSET)
		json_object_object_add(o, "aux_secret", json_object_new_string(
			st->co.aux == ZRTP_AUX_MATCH ? "match" : "mismatch"));
	/* likewise the pbxsecret of a PBX we enrolled with (§7.3.1) */
	if (st->co.pbx != ZRTP_AUX_UNSET)
		json_object_object_add(o, "pbx_secret", json_object_new_string(
			st->co.pbx == ZRTP_AUX_MATCH ? "match" : "mismatch"));
	if (st->co.pbx_enroll_offered)
		json_object_object_add(o, "pbx_enrollment", json_object_new_boolean(1));
	if (st->pbx_enrolled)
		json_object_object_add(o, "pbx_enrolled", json_object_new_boolean(1));
	if (st->relayed.gen) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "sas", json_object_new_string(st->relayed.sas));
		json_object_object_add(r, "sas_type", json_object_new_string(
			zm_alg_name(st->relayed.scheme, n)));
		json_object_object_add(r, "trusted", json_object_new_boolean(st->relayed.trusted));
		json_object_object_add(o, "sas_relayed", r);
	}
}
