// SPDX-License-Identifier: GPL-2.0
/*
 * The SDES method (RFC 4568): keys travel in a=crypto attributes, one key
 * per direction. The key in a line is the sender's: our line keys TX, the
 * peer's keys RX. SDES keys are not per SSRC, so each direction is one
 * any-SSRC template on every media socket; RX may be bound to the peer.
 *
 * Rekeying is make-before-break:
 *  - our new key is added to TX at once but TX switches to it only when the
 *    peer's answer to our re-offer arrives, since the peer installed it
 *    before answering (zero loss). A new key in our answer to the peer's
 *    re-offer switches after answer_rekey_delay_ms, as nothing tells us when
 *    the peer read the answer.
 *  - a new peer key is added to RX and made the one tried first. The old
 *    one is superseded but stays until the kernel's per-key counters show
 *    the new one authenticating packets (the peer switches when it sees our
 *    answer, whenever that is), then rx_key_grace_ms longer for packets
 *    still in flight.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "harden.h"
#include "log.h"
#include "sdes.h"
#include "session.h"

/* One of the peer's keys in the RX template; the key itself is not kept. */
struct rx_key {
	bool used;
	uint32_t kid;
	uint8_t fp[32];		/* SHA-256 of key, salt and MKI: tells keys apart */
	uint64_t lifetime;
	bool superseded;	/* not in the peer's line; kept until the new key works */
	uint64_t retire_at;	/* then removed at this time (ms) */
};

struct sdes_state {
	struct sdes_crypto offered[SUITE_COUNT];	/* initial offer, until answered */
	size_t noffered;
	const struct suite *suite;	/* negotiated */
	uint32_t tag;
	uint32_t flags;
	uint32_t next_kid;
	uint64_t next_mki;
	uint8_t tx_mki_len;
	/* TX: our key */
	bool tx_installed;
	bool tx_known;			/* material in memory; false after a restart */
	bool tx_rebuild;		/* the peer's re-offer changed the transform */
	struct sdes_key tx;
	uint32_t tx_kid;
	bool tx_pending;		/* added to TX, not yet active */
	struct sdes_key tx_next;
	uint32_t tx_next_kid;
	uint64_t tx_switch_at;		/* ms; 0: when the answer comes */
	/* RX: the peer's keys */
	bool rx_installed;
	uint8_t rx_mki_len;
	uint32_t rx_window;
	uint32_t rx_active;
	struct rx_key rx[KSRTP_MAX_KEYS];
	uint64_t rx_check_at;		/* poll the new key's counters then */
	/* what the templates learned, for status */
	uint32_t learned[2][16];
	unsigned int nlearned[2];
};

static struct sdes_state *state_of(struct session *s)
{
	return s->mstate;
}

static int kernel_fail(struct keyd *kd, struct opres *r, const char *what, int err)
{
	const char *ext = kn_err(&kd->kn);

	return op_fail(r, E_KERNEL, "%s: %s%s%s", what, strerror(-err),
		       ext[0] ? ": " : "", ext);
}

/* ---------------------------------------------------------------- kernel, all sockets */

static void to_kn_key(const struct sdes_key *k, const struct suite *su, uint32_t kid,
		      struct kn_key *out)
{
	out->id = kid;
	out->key = k->material;
	out->key_len = su->key_len;
	out->salt = k->material + su->key_len;
	out->salt_len = su->salt_len;
	out->mki = k->mki;
	out->mki_len = k->mki_len;
}

static int ctx_del_all(struct keyd *kd, struct session *s, uint32_t dir)
{
	struct kn_ctx c;
	unsigned int i;
	int err, ret = 0;

	for (i = 0; i < s->nsocks; i++) {
		session_ctx_name(s, i, dir, &c);
		err = kn_ctx_del(&kd->kn, &c);
		if (err && err != -ENOENT) {
			log_warn("ctx-del failed", "session=%s dir=%s err=%s extack=%s", s->id,
				 kn_dir_name(dir), log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
			ret = err;
		}
	}
	return ret;
}

/* ctx-new on every socket with keys[0], then key-add the others. */
static int ctx_new_all(struct keyd *kd, struct session *s, uint32_t dir,
		       const struct kn_ctx_params *p, const struct kn_key *keys,
		       unsigned int nkeys, struct opres *r)
{
	struct kn_ctx c;
	unsigned int i, j;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		session_ctx_name(s, i, dir, &c);
		err = kn_ctx_new(&kd->kn, &c, p, &keys[0]);
		for (j = 1; !err && j < nkeys; j++)
			err = kn_key_add(&kd->kn, &c, &keys[j]);
		if (err) {
			kernel_fail(kd, r, dir == KSRTP_DIR_TX ? "TX ctx-new" : "RX ctx-new", err);
			if (j > 1)
				kn_ctx_del(&kd->kn, &c);
			while (i--) {
				session_ctx_name(s, i, dir, &c);
				kn_ctx_del(&kd->kn, &c);
			}
			return -1;
		}
	}
	return 0;
}

static int key_add_all(struct keyd *kd, struct session *s, uint32_t dir,
		       const struct kn_key *key, struct opres *r)
{
	struct kn_ctx c;
	unsigned int i;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		session_ctx_name(s, i, dir, &c);
		err = kn_key_add(&kd->kn, &c, key);
		if (err) {
			kernel_fail(kd, r, "key-add", err);
			while (i--) {
				session_ctx_name(s, i, dir, &c);
				kn_key_del(&kd->kn, &c, key->id);
			}
			return -1;
		}
	}
	return 0;
}

static int key_op_all(struct keyd *kd, struct session *s, uint32_t dir, uint32_t kid,
		      bool swap)
{
	struct kn_ctx c;
	unsigned int i;
	int err, ret = 0;

	for (i = 0; i < s->nsocks; i++) {
		session_ctx_name(s, i, dir, &c);
		err = swap ? kn_key_swap(&kd->kn, &c, kid) : kn_key_del(&kd->kn, &c, kid);
		if (err && !(err == -ENOENT && !swap)) {
			log_warn(swap ? "key-swap failed" : "key-del failed",
				 "session=%s dir=%s key_id=%u err=%s extack=%s", s->id,
				 kn_dir_name(dir), kid, log_q(strerror(-err)),
				 log_q(kn_err(&kd->kn)));
			ret = err;
		}
	}
	return ret;
}

/* ---------------------------------------------------------------- helpers */

static void fingerprint(const struct sdes_key *k, uint8_t fp[32])
{
	uint8_t buf[sizeof(k->material) + 9];
	unsigned int len = 32, i;

	memcpy(buf, k->material, k->len);
	for (i = 0; i < 8; i++)
		buf[k->len + i] = (uint8_t)(k->mki >> (56 - 8 * i));
	buf[k->len + 8] = k->mki_len;
	if (!EVP_Digest(buf, k->len + 9u, fp, &len, EVP_sha256(), NULL))
		memset(fp, 0, 32);
	OPENSSL_cleanse(buf, sizeof(buf));
}

static uint32_t rx_window_for(struct keyd *kd, uint32_t wsh)
{
	uint32_t w = kd->cfg.window;

	/* WSH is the sender's hint for our replay window (RFC 4568 §6.3.7) */
	if (wsh > w)
		w = wsh;
	return w < KSRTP_WINDOW_MIN ? KSRTP_WINDOW_MIN :
	       w > KSRTP_WINDOW_MAX ? KSRTP_WINDOW_MAX : w;
}

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

/* A fresh local key with our lifetime and the next MKI. */
static int fresh_key(struct keyd *kd, struct sdes_state *st, const struct suite *su,
		     struct sdes_key *k, struct opres *r)
{
	memset(k, 0, sizeof(*k));
	k->lifetime = kd->cfg.key_lifetime;
	if (st->tx_mki_len) {
		uint64_t space = st->tx_mki_len >= 8 ? UINT64_MAX : 1ULL << (8 * st->tx_mki_len);

		k->mki_len = st->tx_mki_len;
		k->mki = st->next_mki % space;
		st->next_mki = st->next_mki + 1 >= space ? 1 : st->next_mki + 1;
	}
	if (sdes_new_key(k, su))
		return op_fail(r, E_INTERNAL, "RAND_bytes failed: no fresh key");
	return 0;
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

static struct kn_ctx_params tx_params(struct keyd *kd, struct sdes_state *st)
{
	struct kn_ctx_params p = { .suite = st->suite->id, .flags = st->flags };

	/* ask for a rekey a little before the lifetime we announced runs out */
	if (kd->cfg.key_lifetime)
		p.soft_limit = kd->cfg.key_lifetime - kd->cfg.key_lifetime / 16;
	return p;
}

static void emit_simple(struct keyd *kd, struct session *s, const char *name,
			const char *key, const char *value)
{
	struct json_object *ev = proto_event(name, s->id);

	if (!ev)
		return;
	if (key)
		json_object_object_add(ev, key, json_object_new_string(value));
	session_emit(kd, s, ev);
}

static void emit_secure(struct keyd *kd, struct session *s)
{
	struct sdes_state *st = state_of(s);
	struct json_object *ev = proto_event("secure", s->id);

	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("sdes"));
	json_object_object_add(ev, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(ev, "verified", json_object_new_boolean(s->verified));
	json_object_object_add(ev, "pfs", json_object_new_boolean(0));
	log_info("session secure", "session=%s suite=%s tag=%u", s->id, st->suite->name,
		 st->tag);
	session_emit(kd, s, ev);
}

/* ---------------------------------------------------------------- TX */

static int tx_install(struct keyd *kd, struct session *s, const struct sdes_key *key,
		      struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct kn_ctx_params p = tx_params(kd, st);
	struct kn_key kk;
	uint32_t kid = st->next_kid++;

	to_kn_key(key, st->suite, kid, &kk);
	if (ctx_new_all(kd, s, KSRTP_DIR_TX, &p, &kk, 1, r))
		return -1;
	st->tx = *key;
	st->tx_kid = kid;
	st->tx_known = true;
	st->tx_installed = true;
	return 0;
}

/* Add a new key to TX without using it yet. */
static int tx_start_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct sdes_key k;
	struct kn_key kk;
	uint32_t kid;

	if (st->tx_pending)
		return 0;
	if (fresh_key(kd, st, st->suite, &k, r))
		return -1;
	kid = st->next_kid++;
	to_kn_key(&k, st->suite, kid, &kk);
	if (key_add_all(kd, s, KSRTP_DIR_TX, &kk, r)) {
		OPENSSL_cleanse(&k, sizeof(k));
		return -1;
	}
	st->tx_next = k;
	st->tx_next_kid = kid;
	st->tx_pending = true;
	st->tx_switch_at = 0;
	OPENSSL_cleanse(&k, sizeof(k));
	log_info("TX key added", "session=%s key_id=%u", s->id, kid);
	session_changed(s);
	return 0;
}

/* Switch TX to the pending key, between two packets, and drop the old one. */
static void tx_switch(struct keyd *kd, struct session *s)
{
	struct sdes_state *st = state_of(s);
	uint32_t old = st->tx_kid;

	if (!st->tx_pending)
		return;
	if (key_op_all(kd, s, KSRTP_DIR_TX, st->tx_next_kid, true)) {
		/* the old key keeps working; try again shortly */
		st->tx_switch_at = now_ms() + 1000;
		session_arm(s, st->tx_switch_at);
		return;
	}
	key_op_all(kd, s, KSRTP_DIR_TX, old, false);
	OPENSSL_cleanse(&st->tx, sizeof(st->tx));
	st->tx = st->tx_next;
	st->tx_kid = st->tx_next_kid;
	st->tx_known = true;
	OPENSSL_cleanse(&st->tx_next, sizeof(st->tx_next));
	st->tx_pending = false;
	st->tx_switch_at = 0;
	session_changed(s);
	log_info("TX rekeyed", "session=%s key_id=%u old_key_id=%u", s->id, st->tx_kid, old);
	emit_simple(kd, s, "rekeyed", "direction", "tx");
}

/* ---------------------------------------------------------------- RX */

static int rx_install(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		      struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct kn_ctx_params p = { .suite = c->suite->id, .flags = c->flags };
	struct kn_key kk[SDES_MAX_KEYS];
	unsigned int i;

	st->rx_window = rx_window_for(kd, c->wsh);
	p.window = st->rx_window;
	for (i = 0; i < c->nkeys; i++)
		to_kn_key(&c->keys[i], c->suite, st->next_kid + i, &kk[i]);
	if (ctx_new_all(kd, s, KSRTP_DIR_RX, &p, kk, c->nkeys, r))
		return -1;
	memset(st->rx, 0, sizeof(st->rx));
	for (i = 0; i < c->nkeys; i++) {
		st->rx[i].used = true;
		st->rx[i].kid = st->next_kid++;
		st->rx[i].lifetime = c->keys[i].lifetime;
		fingerprint(&c->keys[i], st->rx[i].fp);
	}
	st->rx_active = st->rx[0].kid;
	st->rx_mki_len = c->keys[0].mki_len;
	st->rx_installed = true;
	return 0;
}

static struct rx_key *rx_find_current(struct sdes_state *st, const uint8_t fp[32])
{
	unsigned int i;

	for (i = 0; i < KSRTP_MAX_KEYS; i++)
		if (st->rx[i].used && !st->rx[i].superseded && !st->rx[i].retire_at &&
		    !memcmp(st->rx[i].fp, fp, 32))
			return &st->rx[i];
	return NULL;
}

static void rx_drop(struct keyd *kd, struct session *s, struct rx_key *k)
{
	key_op_all(kd, s, KSRTP_DIR_RX, k->kid, false);
	log_info("RX key removed", "session=%s key_id=%u", s->id, k->kid);
	memset(k, 0, sizeof(*k));
	session_changed(s);
}

/*
 * The peer sent its line again (re-offer or re-answer): keep what is the
 * same, add what is new, retire what is gone. Returns 1 if the keys
 * changed, 0 if not, -1 on error.
 */
static int rx_update(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		     struct opres *r)
{
	struct sdes_state *st = state_of(s);
	bool keep[KSRTP_MAX_KEYS] = { false }, added[KSRTP_MAX_KEYS] = { false };
	int slot[SDES_MAX_KEYS];
	uint8_t fp[SDES_MAX_KEYS][32];
	unsigned int i, j, nfresh = 0, nfree = 0, nstale = 0;
	uint32_t primary;
	struct kn_key kk;
	struct rx_key *k;

	for (i = 0; i < c->nkeys; i++) {
		fingerprint(&c->keys[i], fp[i]);
		k = rx_find_current(st, fp[i]);
		slot[i] = k ? (int)(k - st->rx) : -1;
		if (k)
			keep[k - st->rx] = true;
		else
			nfresh++;
	}
	for (j = 0; j < KSRTP_MAX_KEYS; j++)
		nstale += st->rx[j].used && !st->rx[j].superseded && !st->rx[j].retire_at &&
			  !keep[j];
	if (!nfresh && !nstale)
		return 0;		/* the same keys */
	/* make room: keys already retiring go first, then superseded ones */
	for (j = 0; j < KSRTP_MAX_KEYS; j++)
		nfree += !st->rx[j].used;
	for (j = 0; j < KSRTP_MAX_KEYS && nfree < nfresh; j++)
		if (st->rx[j].used && st->rx[j].retire_at) {
			rx_drop(kd, s, &st->rx[j]);
			nfree++;
		}
	for (j = 0; j < KSRTP_MAX_KEYS && nfree < nfresh; j++)
		if (st->rx[j].used && st->rx[j].superseded && st->rx[j].kid != st->rx_active) {
			rx_drop(kd, s, &st->rx[j]);
			nfree++;
		}
	if (nfree < nfresh)
		return op_fail(r, E_NO_CRYPTO, "the peer's new keys do not fit in the kernel's %d",
			       KSRTP_MAX_KEYS);
	for (i = 0; i < c->nkeys; i++) {
		if (slot[i] >= 0)
			continue;
		for (j = 0; st->rx[j].used; j++)
			;
		to_kn_key(&c->keys[i], c->suite, st->next_kid, &kk);
		if (key_add_all(kd, s, KSRTP_DIR_RX, &kk, r))
			return -1;
		st->rx[j].used = true;
		st->rx[j].kid = st->next_kid++;
		st->rx[j].lifetime = c->keys[i].lifetime;
		memcpy(st->rx[j].fp, fp[i], 32);
		added[j] = true;
		slot[i] = (int)j;
		log_info("RX key added", "session=%s key_id=%u", s->id, st->rx[j].kid);
	}
	/* the line's first key is the one the peer sends with: try it first */
	primary = st->rx[slot[0]].kid;
	if (primary != st->rx_active && !key_op_all(kd, s, KSRTP_DIR_RX, primary, true))
		st->rx_active = primary;
	for (j = 0; j < KSRTP_MAX_KEYS; j++) {
		k = &st->rx[j];
		if (!k->used || k->superseded || k->retire_at || keep[j] || added[j] ||
		    k->kid == st->rx_active)
			continue;
		/* the peer may keep sending with it until it reads our answer */
		k->superseded = true;
		st->rx_check_at = now_ms() + 200;
		session_arm(s, st->rx_check_at);
	}
	session_changed(s);
	return 1;
}

/*
 * Superseded RX keys: once the active (newest) key has authenticated a
 * packet the peer has switched, and the old keys only need to cover
 * stragglers for rx_key_grace_ms. Returns when to look again, or 0.
 */
static uint64_t rx_check_superseded(struct keyd *kd, struct session *s, uint64_t now)
{
	struct sdes_state *st = state_of(s);
	struct kn_ctx_info *ci;
	bool waiting = false, in_use = false;
	unsigned int i, j;
	size_t n;

	for (i = 0; i < KSRTP_MAX_KEYS; i++)
		waiting |= st->rx[i].used && st->rx[i].superseded;
	if (!waiting)
		return 0;
	if (kn_ctx_dump(&kd->kn, s->cookie[0], &ci, &n))
		return now + 1000;
	for (i = 0; i < n; i++) {
		if (ci[i].dir != KSRTP_DIR_RX || ci[i].origin != KSRTP_CTX_ORIGIN_TEMPLATE)
			continue;
		for (j = 0; j < ci[i].nkeys; j++)
			if (ci[i].keys[j].id == st->rx_active)
				in_use = ci[i].keys[j].srtp_packets + ci[i].keys[j].srtcp_packets > 0;
	}
	free(ci);
	if (!in_use)
		return now + 250;
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct rx_key *k = &st->rx[i];

		if (!k->used || !k->superseded || k->kid == st->rx_active)
			continue;
		k->superseded = false;
		if (!kd->cfg.rx_key_grace_ms) {
			rx_drop(kd, s, k);
			continue;
		}
		k->retire_at = now + kd->cfg.rx_key_grace_ms;
		session_arm(s, k->retire_at);
	}
	log_info("peer uses its new key", "session=%s key_id=%u", s->id, st->rx_active);
	session_changed(s);
	return 0;
}

/* Rebuild RX for a new transform (suite, parameters, MKI length): not hitless. */
static int rx_rebuild(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		      struct opres *r)
{
	struct sdes_state *st = state_of(s);

	log_warn("peer changed the SRTP transform; reinstalling (packets may be lost)",
		 "session=%s suite=%s", s->id, c->suite->name);
	ctx_del_all(kd, s, KSRTP_DIR_RX);
	st->rx_installed = false;
	memset(st->rx, 0, sizeof(st->rx));
	return rx_install(kd, s, c, r);
}

/* ---------------------------------------------------------------- method ops */

static int sdes_init(struct keyd *kd, struct session *s, const struct request *req,
		     struct opres *r)
{
	/* our keys and the peer's: out of core dumps (harden.h) */
	struct sdes_state *st = keyd_secret_alloc(sizeof(*st));

	(void)req;	/* SDES takes no method-specific create fields */
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
	st->next_kid = 1;
	st->next_mki = 1;
	st->tx_mki_len = (uint8_t)s->mki_len;
	st->rx_window = kd->cfg.window;
	s->mstate = st;
	return 0;
}

static void sdes_release(struct session *s)
{
	struct sdes_state *st = state_of(s);
	size_t i;

	for (i = 0; i < st->noffered; i++)
		sdes_wipe(&st->offered[i]);
	keyd_secret_free(st, sizeof(*st));
	s->mstate = NULL;
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
		if (fresh_key(kd, st, c->suite, &c->keys[0], r) ||
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
		if (fresh_key(kd, st, st->suite, &k, r))
			return -1;
		if (st->tx_installed) {
			ctx_del_all(kd, s, KSRTP_DIR_TX);
			st->tx_installed = false;
			st->tx_pending = false;
			OPENSSL_cleanse(&st->tx_next, sizeof(st->tx_next));
		}
		if (tx_install(kd, s, &k, r)) {
			OPENSSL_cleanse(&k, sizeof(k));
			return -1;
		}
		OPENSSL_cleanse(&k, sizeof(k));
		st->tx_rebuild = false;
	} else if (!st->tx_known && tx_start_rekey(kd, s, r)) {
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
			tx_switch(kd, s);
		else
			session_arm(s, st->tx_switch_at);
	}
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (first)
		emit_secure(kd, s);
	return 0;
}

static int sdes_local(struct keyd *kd, struct session *s, struct opres *r)
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
		if (!st->tx_known && !st->tx_pending && tx_start_rekey(kd, s, r))
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
		if (rx_install(kd, s, &c, r)) {
			sdes_wipe(&c);
			return -1;
		}
		s->state = SS_ANSWERING;
	} else if (c.suite != st->suite || c.flags != st->flags ||
		   c.keys[0].mki_len != st->rx_mki_len) {
		if (rx_rebuild(kd, s, &c, r)) {
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
		changed = rx_update(kd, s, &c, r);
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
		emit_simple(kd, s, "rekeyed", "direction", "rx");
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
		if (tx_install(kd, s, &st->offered[idx].keys[0], r)) {
			sdes_wipe(&c);
			return -1;
		}
		if (rx_install(kd, s, &c, r)) {
			sdes_wipe(&c);
			ctx_del_all(kd, s, KSRTP_DIR_TX);
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
		emit_secure(kd, s);
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
		changed = rx_rebuild(kd, s, &c, r) ? -1 : 1;
	} else {
		changed = rx_update(kd, s, &c, r);
	}
	sdes_wipe(&c);
	if (changed < 0)
		return -1;
	s->exch = EX_NONE;
	session_changed(s);
	reply_negotiated(s, r, changed);
	if (changed)
		emit_simple(kd, s, "rekeyed", "direction", "rx");
	/* the peer answered, so it holds our new key: switch now */
	if (st->tx_pending)
		tx_switch(kd, s);
	return 0;
}

static int sdes_remote(struct keyd *kd, struct session *s, const struct request *req,
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

static int sdes_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	if (tx_start_rekey(kd, s, r))
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

static const char *flags_text(uint32_t flags, char *buf, size_t len)
{
	uint32_t bit;
	size_t o = 0;

	buf[0] = 0;
	for (bit = 1; bit <= SDES_UNAUTHENTICATED_SRTP; bit <<= 1)
		if (flags & bit)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "",
					      sdes_flag_name(bit));
	return buf;
}

static void sdes_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct sdes_state *st = state_of(s);
	struct json_object *tx, *rx, *keys, *ko, *arr;
	uint64_t now = now_ms();
	char buf[80];
	unsigned int i, d;

	(void)kd;
	if (!st->suite)
		return;
	json_object_object_add(out, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(out, "tag", json_object_new_int64(st->tag));
	json_object_object_add(out, "session_params",
			       json_object_new_string(flags_text(st->flags, buf, sizeof(buf))));
	tx = json_object_new_object();
	json_object_object_add(tx, "installed", json_object_new_boolean(st->tx_installed));
	if (st->tx_installed) {
		json_object_object_add(tx, "key_id", json_object_new_int64(st->tx_kid));
		if (st->tx_pending)
			json_object_object_add(tx, "pending_key_id",
					       json_object_new_int64(st->tx_next_kid));
	}
	json_object_object_add(out, "tx", tx);
	rx = json_object_new_object();
	json_object_object_add(rx, "installed", json_object_new_boolean(st->rx_installed));
	json_object_object_add(rx, "window", json_object_new_int64(st->rx_window));
	keys = json_object_new_array();
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		if (!st->rx[i].used)
			continue;
		ko = json_object_new_object();
		json_object_object_add(ko, "key_id", json_object_new_int64(st->rx[i].kid));
		json_object_object_add(ko, "active",
				       json_object_new_boolean(st->rx[i].kid == st->rx_active));
		if (st->rx[i].lifetime)
			json_object_object_add(ko, "lifetime",
					       json_object_new_uint64(st->rx[i].lifetime));
		if (st->rx[i].superseded)
			json_object_object_add(ko, "superseded", json_object_new_boolean(1));
		if (st->rx[i].retire_at)
			json_object_object_add(ko, "retire_in_ms", json_object_new_int64(
				st->rx[i].retire_at > now ? (int64_t)(st->rx[i].retire_at - now) : 0));
		json_object_array_add(keys, ko);
	}
	json_object_object_add(rx, "keys", keys);
	json_object_object_add(out, "rx", rx);
	for (d = 0; d < 2; d++) {
		arr = json_object_new_array();
		for (i = 0; i < st->nlearned[d]; i++)
			json_object_array_add(arr, json_object_new_int64(st->learned[d][i]));
		json_object_object_add(d == KSRTP_DIR_RX ? rx : tx, "learned_ssrcs", arr);
	}
}

static uint64_t sdes_timer(struct keyd *kd, struct session *s, uint64_t now)
{
	struct sdes_state *st = state_of(s);
	uint64_t next = 0;
	unsigned int i;

	if (st->tx_pending && st->tx_switch_at) {
		if (st->tx_switch_at <= now)
			tx_switch(kd, s);
		if (st->tx_pending && st->tx_switch_at)
			next = st->tx_switch_at;
	}
	if (st->rx_check_at && st->rx_check_at <= now)
		st->rx_check_at = rx_check_superseded(kd, s, now);
	if (st->rx_check_at && (!next || st->rx_check_at < next))
		next = st->rx_check_at;
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct rx_key *k = &st->rx[i];

		if (!k->used || !k->retire_at)
			continue;
		if (k->retire_at <= now) {
			rx_drop(kd, s, k);
			continue;
		}
		if (!next || k->retire_at < next)
			next = k->retire_at;
	}
	return next;
}

static void sdes_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct sdes_state *st = state_of(s);
	struct json_object *e;
	unsigned int d = ev->dir == KSRTP_DIR_TX, i;

	if (ev->type == KN_EV_LEARNED) {
		for (i = 0; i < st->nlearned[d]; i++)
			if (st->learned[d][i] == ev->ssrc)
				return;
		if (st->nlearned[d] < 16)
			st->learned[d][st->nlearned[d]++] = ev->ssrc;
		log_debug("SSRC learned", "session=%s dir=%s ssrc=%u", s->id,
			  kn_dir_name(ev->dir), ev->ssrc);
		return;
	}
	if (ev->type != KN_EV_LIMIT)
		return;
	log_info("key limit reached", "session=%s dir=%s key_id=%u limit=%s", s->id,
		 kn_dir_name(ev->dir), ev->key_id, ev->limit == KSRTP_LIMIT_HARD ? "hard" : "soft");
	/* only our own key is ours to replace; the peer rekeys its own */
	if (ev->dir != KSRTP_DIR_TX)
		return;
	e = proto_event("rekey_needed", s->id);
	if (!e)
		return;
	json_object_object_add(e, "reason", json_object_new_string("key lifetime"));
	json_object_object_add(e, "limit", json_object_new_string(
		ev->limit == KSRTP_LIMIT_HARD ? "hard" : "soft"));
	session_emit(kd, s, e);
}

static void sdes_teardown(struct keyd *kd, struct session *s)
{
	struct sdes_state *st = state_of(s);

	if (st->tx_installed)
		ctx_del_all(kd, s, KSRTP_DIR_TX);
	if (st->rx_installed)
		ctx_del_all(kd, s, KSRTP_DIR_RX);
	st->tx_installed = st->rx_installed = false;
}

/* ---------------------------------------------------------------- persistence */

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int v;

	if (!s || strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

#define JADD(o, k, v) json_object_object_add(o, k, v)

static struct json_object *sdes_save(struct session *s)
{
	struct sdes_state *st = state_of(s);
	struct json_object *o = json_object_new_object(), *arr, *ko;
	char fp[65];
	unsigned int i;

	if (st->suite)
		JADD(o, "suite", json_object_new_string(st->suite->name));
	JADD(o, "tag", json_object_new_int64(st->tag));
	JADD(o, "flags", json_object_new_int64(st->flags));
	JADD(o, "next_key_id", json_object_new_int64(st->next_kid));
	JADD(o, "next_mki", json_object_new_uint64(st->next_mki));
	JADD(o, "tx_mki_len", json_object_new_int(st->tx_mki_len));
	JADD(o, "tx_installed", json_object_new_boolean(st->tx_installed));
	JADD(o, "tx_key_id", json_object_new_int64(st->tx_kid));
	JADD(o, "tx_rebuild", json_object_new_boolean(st->tx_rebuild));
	if (st->tx_pending)
		JADD(o, "tx_pending_key_id", json_object_new_int64(st->tx_next_kid));
	JADD(o, "rx_installed", json_object_new_boolean(st->rx_installed));
	JADD(o, "rx_mki_len", json_object_new_int(st->rx_mki_len));
	JADD(o, "rx_window", json_object_new_int64(st->rx_window));
	JADD(o, "rx_active", json_object_new_int64(st->rx_active));
	arr = json_object_new_array();
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		if (!st->rx[i].used)
			continue;
		ko = json_object_new_object();
		hex(st->rx[i].fp, 32, fp);
		JADD(ko, "key_id", json_object_new_int64(st->rx[i].kid));
		JADD(ko, "fingerprint", json_object_new_string(fp));
		JADD(ko, "lifetime", json_object_new_uint64(st->rx[i].lifetime));
		JADD(ko, "retiring", json_object_new_boolean(st->rx[i].retire_at ||
							     st->rx[i].superseded));
		json_object_array_add(arr, ko);
	}
	JADD(o, "rx_keys", arr);
	return o;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool jtrue(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static const struct kn_ctx_info *find_template(const struct kn_ctx_info *ci, size_t n,
					       uint32_t dir)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ci[i].dir == dir && ci[i].any && ci[i].origin == KSRTP_CTX_ORIGIN_TEMPLATE)
			return &ci[i];
	return NULL;
}

static bool has_key(const struct kn_ctx_info *ci, uint32_t kid, bool *active)
{
	unsigned int i;

	for (i = 0; i < ci->nkeys; i++)
		if (ci->keys[i].id == kid) {
			if (active)
				*active = ci->keys[i].active;
			return true;
		}
	return false;
}

static int sdes_restore(struct keyd *kd, struct session *s, struct json_object *saved,
			const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct sdes_state *st;
	const struct kn_ctx_info *tx, *rx;
	struct json_object *arr, *ko, *v;
	struct opres r = { 0 };
	uint64_t now = now_ms();
	unsigned int j = 0;
	bool active;
	size_t i;

	if (sdes_init(kd, s, NULL, &r)) {
		snprintf(why, whylen, "%s", r.msg);
		return -1;
	}
	st = state_of(s);
	if (s->state == SS_OFFERED) {
		snprintf(why, whylen, "the offer's keys were lost with the previous keyd; "
			 "delete the session and create a new one");
		return -1;
	}
	if (!saved)
		return s->state == SS_NEW ? 0 : (snprintf(why, whylen, "no SDES state saved"), -1);
	if (json_object_object_get_ex(saved, "suite", &v))
		st->suite = suite_by_name(json_object_get_string(v),
					  (size_t)json_object_get_string_len(v));
	st->tag = (uint32_t)jint(saved, "tag");
	st->flags = (uint32_t)jint(saved, "flags");
	st->next_kid = (uint32_t)jint(saved, "next_key_id");
	st->next_mki = (uint64_t)jint(saved, "next_mki");
	st->tx_mki_len = (uint8_t)jint(saved, "tx_mki_len");
	st->tx_installed = jtrue(saved, "tx_installed");
	st->tx_kid = (uint32_t)jint(saved, "tx_key_id");
	st->tx_rebuild = jtrue(saved, "tx_rebuild");
	st->tx.mki_len = st->tx_mki_len;
	st->rx_installed = jtrue(saved, "rx_installed");
	st->rx_mki_len = (uint8_t)jint(saved, "rx_mki_len");
	st->rx_window = (uint32_t)jint(saved, "rx_window");
	st->rx_active = (uint32_t)jint(saved, "rx_active");
	if (s->state == SS_NEW)
		return 0;
	if (!st->suite || !st->next_kid) {
		snprintf(why, whylen, "saved SDES state is incomplete");
		return -1;
	}
	tx = find_template(ctxs, n, KSRTP_DIR_TX);
	rx = find_template(ctxs, n, KSRTP_DIR_RX);
	if (st->tx_installed && (!tx || !has_key(tx, st->tx_kid, &active) || !active)) {
		snprintf(why, whylen, "the kernel has no TX template with key %u active", st->tx_kid);
		return -1;
	}
	if (st->rx_installed && !rx) {
		snprintf(why, whylen, "the kernel has no RX template");
		return -1;
	}
	/* a rekey in flight lost its key with the previous keyd: undo it */
	if (jint(saved, "tx_pending_key_id") && tx &&
	    has_key(tx, (uint32_t)jint(saved, "tx_pending_key_id"), NULL)) {
		key_op_all(kd, s, KSRTP_DIR_TX, (uint32_t)jint(saved, "tx_pending_key_id"), false);
		log_info("unfinished TX rekey abandoned", "session=%s", s->id);
	}
	if (json_object_object_get_ex(saved, "rx_keys", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		for (i = 0; i < json_object_array_length(arr) && j < KSRTP_MAX_KEYS; i++) {
			struct rx_key *k = &st->rx[j];

			ko = json_object_array_get_idx(arr, i);
			k->kid = (uint32_t)jint(ko, "key_id");
			/* keep only what the kernel still holds */
			if (!rx || !has_key(rx, k->kid, NULL) ||
			    !json_object_object_get_ex(ko, "fingerprint", &v) ||
			    unhex(json_object_get_string(v), k->fp, 32)) {
				memset(k, 0, sizeof(*k));
				continue;
			}
			k->used = true;
			k->lifetime = (uint64_t)jint(ko, "lifetime");
			/* check again whether the peer moved to its new key */
			if (jtrue(ko, "retiring")) {
				k->superseded = true;
				st->rx_check_at = now + 200;
				session_arm(s, st->rx_check_at);
			}
			j++;
		}
	}
	/* the kernel's view of which RX key is tried first wins */
	for (i = 0; rx && i < rx->nkeys; i++)
		if (rx->keys[i].active)
			st->rx_active = rx->keys[i].id;
	st->tx_known = false;
	return 0;
}

const struct method sdes_method = {
	.name = "sdes",
	.pfs = false,
	.init = sdes_init,
	.release = sdes_release,
	.local_attributes = sdes_local,
	.remote_attributes = sdes_remote,
	.rekey = sdes_rekey,
	.status = sdes_status,
	.timer = sdes_timer,
	.kernel_event = sdes_kernel_event,
	.teardown = sdes_teardown,
	.save = sdes_save,
	.restore = sdes_restore,
};
