// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method's kernel side: a link's exported keys into its TX
 * and RX templates, rekeys by key-add and key-swap, and their events.
 */
#include <errno.h>
#include <stdio.h>
#include <openssl/crypto.h>

#include "dtls_method.h"

static void link_ctx(const struct link *l, uint32_t dir, struct kn_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cookie = l->st->s->cookie[0];
	c->dir = dir;
	c->has_remote = true;
	c->remote = l->peer;
}

static void ctx_del(struct link *l, uint32_t dir)
{
	struct keyd *kd = l->st->kd;
	struct kn_ctx c;
	int err;

	link_ctx(l, dir, &c);
	err = kn_ctx_del(&kd->kn, &c);
	if (err && err != -ENOENT)
		log_warn("ctx-del failed", "session=%s dir=%s err=%s extack=%s", l->st->s->id,
			 kn_dir_name(dir), log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
}

static void key_op(struct link *l, uint32_t dir, uint32_t kid, bool swap)
{
	struct keyd *kd = l->st->kd;
	struct kn_ctx c;
	int err;

	link_ctx(l, dir, &c);
	err = swap ? kn_key_swap(&kd->kn, &c, kid) : kn_key_del(&kd->kn, &c, kid);
	if (err)
		log_warn(swap ? "key-swap failed" : "key-del failed",
			 "session=%s dir=%s key_id=%u err=%s extack=%s", l->st->s->id,
			 kn_dir_name(dir), kid, log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
}

void link_teardown(struct link *l)
{
	if (l->rx_only) {
		ctx_del(l, KSRTP_DIR_RX);
		l->rx_only = false;
	}
	if (!l->installed)
		return;
	ctx_del(l, KSRTP_DIR_TX);
	ctx_del(l, KSRTP_DIR_RX);
	l->installed = false;
	l->tx_pending = l->rx_old = 0;
}

/*
 * The keys of a connected association, checked against the kernel; unless
 * unverified (early media, RX only), its peer certificate must have matched.
 */
static int get_keys(struct link *l, struct dtls_assoc *a, struct dtls_srtp_keys *k,
		    const struct suite **suite, bool unverified, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	const char *reason = NULL;

	if (dtls_assoc_get_keys(a, k, unverified, &reason)) {
		snprintf(why, whylen, "no DTLS-SRTP keys: %s", reason ? reason : "?");
		return -1;
	}
	*suite = suite_by_name(k->suite, strlen(k->suite));
	if (!*suite || !(kd->kn.suites & suite_bit(*suite)) ||
	    suite_keysalt_len(*suite) != (unsigned int)(k->key_len + k->salt_len)) {
		snprintf(why, whylen, "negotiated profile %s has no usable kernel suite",
			 k->profile_name);
		dtls_srtp_keys_wipe(k);
		return -1;
	}
	return 0;
}

static void set_key(struct kn_key *kk, uint32_t id, const struct dtls_srtp_keys *k,
		    const uint8_t *ks)
{
	memset(kk, 0, sizeof(*kk));
	kk->id = id;
	kk->key_len = k->key_len;
	kk->salt_len = k->salt_len;
	kk->key = ks;
	kk->salt = ks + k->key_len;
}

/*
 * The first handshake of a link: one RX and one TX template bound to the
 * peer. rx_only (early media): the RX template alone, from keys whose peer
 * is not verified yet; TX follows once it is (the RX template stays).
 */
int link_install(struct link *l, bool rx_only, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	struct dtls_srtp_keys k;
	struct kn_ctx_params p = { 0 };
	struct kn_key kk;
	struct kn_ctx c;
	struct fingerprint fp;
	const struct suite *suite;
	int err = 0;

	if (get_keys(l, l->a, &k, &suite, rx_only, why, whylen))
		return -1;
	l->suite = suite;
	l->profile = k.profile;
	l->kid = 1;
	p.suite = suite->id;
	if (!l->rx_only) {
		p.window = kd->cfg.window;	/* the peer's key: no soft limit of ours */
		set_key(&kk, l->kid, &k, k.rx);
		link_ctx(l, KSRTP_DIR_RX, &c);
		err = kn_ctx_new(&kd->kn, &c, &p, &kk);
		OPENSSL_cleanse(&kk, sizeof(kk));
		if (err) {
			dtls_srtp_keys_wipe(&k);
			snprintf(why, whylen, "RX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
			return -1;
		}
		l->rx_only = true;	/* link_teardown() deletes it if TX fails */
	}
	if (!rx_only) {
		p.window = 0;
		p.soft_limit = DTLS_SOFT_LIMIT;
		set_key(&kk, l->kid, &k, k.tx);
		link_ctx(l, KSRTP_DIR_TX, &c);
		err = kn_ctx_new(&kd->kn, &c, &p, &kk);
		OPENSSL_cleanse(&kk, sizeof(kk));
	}
	dtls_srtp_keys_wipe(&k);
	if (err) {
		snprintf(why, whylen, "TX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	if (!rx_only) {
		l->rx_only = false;
		l->installed = true;
	}
	if (!dtls_assoc_peer_fingerprint(l->a, l->have_fps ? fp_set_best_hash(&l->fps) :
							     FP_SHA256, &fp))
		fp_format(&fp, l->peer_fp, sizeof(l->peer_fp));
	return 0;
}

void link_emit_secure(struct link *l)
{
	struct session *s = l->st->s;
	struct json_object *ev = link_event(l, "secure");
	char addr[80];

	log_info("session secure", "session=%s peer=%s suite=%s role=%s peer_fingerprint=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), l->suite->name,
		 dtls_role_name(l->role), log_q(l->peer_fp));
	if (!ev)
		return;
	json_object_object_add(ev, "suite", json_object_new_string(l->suite->name));
	json_object_object_add(ev, "fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(ev, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(ev, "verified", json_object_new_boolean(s->verified));
	json_object_object_add(ev, "pfs", json_object_new_boolean(1));
	session_emit(l->st->kd, s, ev);
}

/*
 * Early media (dtls_verify = early_media): the peer's media is decrypted
 * before the answer has verified its certificate; we send nothing to it yet.
 */
void link_emit_early_media(struct link *l)
{
	struct json_object *ev = link_event(l, "early_media");
	char addr[80];

	log_info("early media: RX installed, peer not verified yet; no TX until it is",
		 "session=%s peer=%s suite=%s peer_fingerprint=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)), l->suite->name, log_q(l->peer_fp));
	if (!ev)
		return;
	json_object_object_add(ev, "suite", json_object_new_string(l->suite->name));
	json_object_object_add(ev, "fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(ev, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(ev, "verified", json_object_new_boolean(0));
	json_object_object_add(ev, "pfs", json_object_new_boolean(1));
	session_emit(l->st->kd, l->st->s, ev);
}

static void emit_rekeyed(struct link *l, const char *dir)
{
	struct json_object *ev = link_event(l, "rekeyed");

	if (!ev)
		return;
	json_object_object_add(ev, "direction", json_object_new_string(dir));
	json_object_object_add(ev, "key_id", json_object_new_int64(l->kid));
	session_emit(l->st->kd, l->st->s, ev);
}

/* Server after a rekey: TX goes to the new key (the peer has it). */
void link_tx_switch(struct link *l, const char *why)
{
	uint32_t old = l->kid - 1;
	char addr[80];

	if (!l->tx_pending)
		return;
	key_op(l, KSRTP_DIR_TX, l->tx_pending, true);
	key_op(l, KSRTP_DIR_TX, old, false);
	l->tx_pending = 0;
	l->tx_switch_at = 0;
	log_info("TX rekeyed", "session=%s peer=%s key_id=%u because=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)), l->kid, log_q(why));
	emit_rekeyed(l, "tx");
	session_changed(l->st->s);
}

void link_rx_drop_old(struct link *l)
{
	if (!l->rx_old)
		return;
	key_op(l, KSRTP_DIR_RX, l->rx_old, false);
	l->rx_old = 0;
	l->rx_retire_at = l->rx_check_at = 0;
	session_changed(l->st->s);
}

/*
 * A rekey handshake finished: add its keys to the link's templates. RX
 * takes the new key first and keeps the old one; TX switches now if we are
 * the client (the server completed before us and has the new RX key), else
 * once the peer's new key is seen.
 */
int link_rekey_install(struct link *l, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	struct dtls_srtp_keys k;
	const struct suite *suite;
	struct kn_key kk;
	struct kn_ctx c;
	uint32_t nk = l->kid + 1, old = l->kid;
	enum dtls_role nr = dtls_assoc_role(l->next_a);
	char addr[80];
	int err;

	if (get_keys(l, l->next_a, &k, &suite, false, why, whylen))
		return -1;
	if (suite != l->suite) {
		dtls_srtp_keys_wipe(&k);
		snprintf(why, whylen, "the new handshake negotiated %s, not %s", suite->name,
			 l->suite->name);
		return -1;
	}
	/* a rekey still settling is finished first: at most two keys each way */
	if (l->tx_pending)
		link_tx_switch(l, "another rekey");
	link_rx_drop_old(l);
	set_key(&kk, nk, &k, k.rx);
	link_ctx(l, KSRTP_DIR_RX, &c);
	err = kn_key_add(&kd->kn, &c, &kk);
	if (err) {
		dtls_srtp_keys_wipe(&k);
		OPENSSL_cleanse(&kk, sizeof(kk));
		snprintf(why, whylen, "RX key-add: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	set_key(&kk, nk, &k, k.tx);
	link_ctx(l, KSRTP_DIR_TX, &c);
	err = kn_key_add(&kd->kn, &c, &kk);
	dtls_srtp_keys_wipe(&k);
	OPENSSL_cleanse(&kk, sizeof(kk));
	if (err) {
		snprintf(why, whylen, "TX key-add: %s: %s", strerror(-err), kn_err(&kd->kn));
		key_op(l, KSRTP_DIR_RX, nk, false);
		return -1;
	}
	/* RX: the new key is tried first, the old one still works */
	key_op(l, KSRTP_DIR_RX, nk, true);
	l->rx_old = old;
	l->rx_retire_at = 0;
	l->rx_check_at = now_ms() + RX_CHECK_MS;
	session_arm(l->st->s, l->rx_check_at);
	dtls_assoc_free(l->a);		/* no close_notify: the peer moved on too */
	l->a = l->next_a;
	l->next_a = NULL;
	l->kid = nk;
	l->rekeys++;
	l->role = nr;			/* a role change by re-offer ends here */
	l->expect_hello = false;
	l->restored = false;		/* adopted: a live association again */
	log_info("RX rekeyed by a new DTLS handshake", "session=%s peer=%s key_id=%u role=%s",
		 l->st->s->id, link_addr(l, addr, sizeof(addr)), nk, dtls_role_name(l->role));
	emit_rekeyed(l, "rx");
	if (l->role == DTLS_ROLE_CLIENT) {
		l->tx_pending = nk;
		link_tx_switch(l, "client: the server finished first");
	} else {
		l->tx_pending = nk;
		l->tx_switch_at = now_ms() + kd->cfg.answer_rekey_delay_ms;
		session_arm(l->st->s, l->tx_switch_at);
	}
	session_changed(l->st->s);
	return 0;
}
