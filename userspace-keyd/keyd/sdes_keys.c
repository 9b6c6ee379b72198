// SPDX-License-Identifier: GPL-2.0
/*
 * The SDES method's keys in the kernel: one any-SSRC template per direction
 * on every media socket; our TX key and its make-before-break rekey, the
 * peer's RX keys as its lines change, and their retirement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sdes_method.h"

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

int sm_ctx_del_all(struct keyd *kd, struct session *s, uint32_t dir)
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

int sm_key_op_all(struct keyd *kd, struct session *s, uint32_t dir, uint32_t kid,
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

/* A fresh local key with our lifetime and the next MKI. */
int sm_fresh_key(struct keyd *kd, struct sdes_state *st, const struct suite *su,
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

static struct kn_ctx_params tx_params(struct keyd *kd, struct sdes_state *st)
{
	struct kn_ctx_params p = { .suite = st->suite->id, .flags = st->flags };

	/* ask for a rekey a little before the lifetime we announced runs out */
	if (kd->cfg.key_lifetime)
		p.soft_limit = kd->cfg.key_lifetime - kd->cfg.key_lifetime / 16;
	return p;
}

/* ---------------------------------------------------------------- TX */

int sm_tx_install(struct keyd *kd, struct session *s, const struct sdes_key *key,
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
int sm_tx_start_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	struct sdes_state *st = state_of(s);
	struct sdes_key k;
	struct kn_key kk;
	uint32_t kid;

	if (st->tx_pending)
		return 0;
	if (sm_fresh_key(kd, st, st->suite, &k, r))
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
void sm_tx_switch(struct keyd *kd, struct session *s)
{
	struct sdes_state *st = state_of(s);
	uint32_t old = st->tx_kid;

	if (!st->tx_pending)
		return;
	if (sm_key_op_all(kd, s, KSRTP_DIR_TX, st->tx_next_kid, true)) {
		/* the old key keeps working; try again shortly */
		st->tx_switch_at = now_ms() + 1000;
		session_arm(s, st->tx_switch_at);
		return;
	}
	sm_key_op_all(kd, s, KSRTP_DIR_TX, old, false);
	OPENSSL_cleanse(&st->tx, sizeof(st->tx));
	st->tx = st->tx_next;
	st->tx_kid = st->tx_next_kid;
	st->tx_known = true;
	OPENSSL_cleanse(&st->tx_next, sizeof(st->tx_next));
	st->tx_pending = false;
	st->tx_switch_at = 0;
	session_changed(s);
	log_info("TX rekeyed", "session=%s key_id=%u old_key_id=%u", s->id, st->tx_kid, old);
	sm_emit_simple(kd, s, "rekeyed", "direction", "tx");
}

/* ---------------------------------------------------------------- RX */

int sm_rx_install(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
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

void sm_rx_drop(struct keyd *kd, struct session *s, struct rx_key *k)
{
	sm_key_op_all(kd, s, KSRTP_DIR_RX, k->kid, false);
	log_info("RX key removed", "session=%s key_id=%u", s->id, k->kid);
	memset(k, 0, sizeof(*k));
	session_changed(s);
}

/*
 * The peer sent its line again (re-offer or re-answer): keep what is the
 * same, add what is new, retire what is gone. Returns 1 if the keys
 * changed, 0 if not, -1 on error.
 */
int sm_rx_update(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
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
			sm_rx_drop(kd, s, &st->rx[j]);
			nfree++;
		}
	for (j = 0; j < KSRTP_MAX_KEYS && nfree < nfresh; j++)
		if (st->rx[j].used && st->rx[j].superseded && st->rx[j].kid != st->rx_active) {
			sm_rx_drop(kd, s, &st->rx[j]);
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
	if (primary != st->rx_active && !sm_key_op_all(kd, s, KSRTP_DIR_RX, primary, true))
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
uint64_t sm_rx_check_superseded(struct keyd *kd, struct session *s, uint64_t now)
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
			sm_rx_drop(kd, s, k);
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
int sm_rx_rebuild(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		  struct opres *r)
{
	struct sdes_state *st = state_of(s);

	log_warn("peer changed the SRTP transform; reinstalling (packets may be lost)",
		 "session=%s suite=%s", s->id, c->suite->name);
	sm_ctx_del_all(kd, s, KSRTP_DIR_RX);
	st->rx_installed = false;
	memset(st->rx, 0, sizeof(st->rx));
	return sm_rx_install(kd, s, c, r);
}
