// SPDX-License-Identifier: GPL-2.0
/*
 * The mikey method's kernel contexts: one explicit-SSRC context per crypto
 * session of the CS ID map, with the map's initial ROC, on every socket of
 * the session. Our SSRCs are TX, the others RX. A rekey adds the new
 * exchange's keys beside the old ones (key-add) and switches with key-swap,
 * as the SDES method does; also status and persistence (never keys).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mikey_method.h"

bool mk_is_ours(const struct mikey_state *st, uint32_t ssrc)
{
	size_t i;

	for (i = 0; i < st->nours; i++)
		if (st->ours[i] == ssrc)
			return true;
	return false;
}

static void name(const struct session *s, unsigned int sock, const struct mk_ctx *c,
		 struct kn_ctx *out)
{
	session_ctx_name(s, sock, c->dir, out);
	out->has_ssrc = true;
	out->ssrc = c->ssrc;
}

static void to_key(const struct mikey_ctx *m, uint32_t kid, struct kn_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = kid;
	k->key = m->master;
	k->key_len = m->suite->key_len;
	k->salt = m->master + m->suite->key_len;
	k->salt_len = m->suite->salt_len;
	k->mki = m->mki;
	k->mki_len = m->mki_len;
}

static int kfail(struct keyd *kd, struct opres *r, const char *what, uint32_t ssrc, int err)
{
	const char *ext = kn_err(&kd->kn);

	return op_fail(r, E_KERNEL, "%s (SSRC %u): %s%s%s", what, ssrc, strerror(-err),
		       ext[0] ? ": " : "", ext);
}

static void del_ctx(struct keyd *kd, struct session *s, const struct mk_ctx *c)
{
	struct kn_ctx n;
	unsigned int i;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		name(s, i, c, &n);
		err = kn_ctx_del(&kd->kn, &n);
		if (err && err != -ENOENT)
			log_warn("ctx-del failed", "session=%s ssrc=%u err=%s", s->id, c->ssrc,
				 log_q(strerror(-err)));
	}
}

static int new_ctx(struct keyd *kd, struct session *s, const struct mk_ctx *c,
		   const struct kn_ctx_params *p, const struct kn_key *key, struct opres *r)
{
	struct kn_ctx n;
	unsigned int i;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		name(s, i, c, &n);
		err = kn_ctx_new(&kd->kn, &n, p, key);
		if (err) {
			while (i--) {
				name(s, i, c, &n);
				kn_ctx_del(&kd->kn, &n);
			}
			return kfail(kd, r, c->dir == KSRTP_DIR_TX ? "TX ctx-new" : "RX ctx-new",
				     c->ssrc, err);
		}
	}
	return 0;
}

/* The first exchange: a context per crypto session. */
int mk_install(struct keyd *kd, struct session *s, const struct mikey_keys *k,
	       struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	uint32_t kid = st->next_kid++;
	struct kn_ctx_params p;
	struct kn_key key;
	size_t i;

	st->nctx = 0;
	for (i = 0; i < k->n; i++) {
		struct mk_ctx *c = &st->ctx[i];

		memset(c, 0, sizeof(*c));
		c->ssrc = k->cs[i].ssrc;
		c->roc = k->cs[i].roc;
		c->dir = mk_is_ours(st, c->ssrc) ? KSRTP_DIR_TX : KSRTP_DIR_RX;
		c->kid = kid;
		memset(&p, 0, sizeof(p));
		p.suite = k->cs[i].suite->id;
		p.roc = c->roc;
		p.kdr = k->cs[i].kdr;
		if (c->dir == KSRTP_DIR_RX)
			p.window = kd->cfg.window;
		to_key(&k->cs[i], kid, &key);
		if (new_ctx(kd, s, c, &p, &key, r)) {
			mk_teardown(kd, s);
			return -1;
		}
		st->nctx = i + 1;
	}
	st->suite = k->n ? k->cs[0].suite : st->suite;
	st->kdr = k->n ? k->cs[0].kdr : st->kdr;
	st->mki_len = k->n ? k->cs[0].mki_len : 0;
	st->mki = k->n ? k->cs[0].mki : 0;
	st->csb_id = k->csb_id;
	return 0;
}

static struct mk_ctx *find(struct mikey_state *st, uint32_t ssrc)
{
	size_t i;

	for (i = 0; i < st->nctx; i++)
		if (st->ctx[i].ssrc == ssrc)
			return &st->ctx[i];
	return NULL;
}

static int key_op(struct keyd *kd, struct session *s, const struct mk_ctx *c, uint32_t kid,
		  int op)
{
	struct kn_ctx n;
	unsigned int i;
	int err, ret = 0;

	for (i = 0; i < s->nsocks; i++) {
		name(s, i, c, &n);
		err = op ? kn_key_swap(&kd->kn, &n, kid) : kn_key_del(&kd->kn, &n, kid);
		if (err && !(err == -ENOENT && !op)) {
			log_warn(op ? "key-swap failed" : "key-del failed",
				 "session=%s ssrc=%u key_id=%u err=%s extack=%s", s->id, c->ssrc,
				 kid, log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
			ret = err;
		}
	}
	return ret;
}

/*
 * A rekey: the new exchange's keys beside the current ones (next_kid). A
 * crypto session the contexts lack, or another suite, is refused: a rekey
 * is not a renegotiation. rx_first: RX tries the new key first at once.
 */
int mk_add_keys(struct keyd *kd, struct session *s, const struct mikey_keys *k,
		bool rx_first, struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	uint32_t kid = st->next_kid++;
	struct kn_key key;
	struct kn_ctx n;
	struct mk_ctx *c;
	unsigned int j;
	size_t i;
	int err;

	for (i = 0; i < k->n; i++)
		if (!find(st, k->cs[i].ssrc) || k->cs[i].suite != st->suite ||
		    k->cs[i].kdr != st->kdr || k->cs[i].mki_len != st->mki_len)
			return op_fail(r, E_NO_CRYPTO, "the new exchange changes the streams, "
				       "the suite, the KDR or the MKI length (SSRC %u): a MIKEY "
				       "rekey keeps them", k->cs[i].ssrc);
	/* the kernel picks an RX key by its MKI: the new one must differ */
	if (st->mki_len && k->n && k->cs[0].mki == st->mki)
		return op_fail(r, E_NO_CRYPTO, "the new exchange reuses MKI %u, the current "
			       "key's", st->mki);
	for (i = 0; i < k->n; i++) {
		c = find(st, k->cs[i].ssrc);
		to_key(&k->cs[i], kid, &key);
		for (j = 0; j < s->nsocks; j++) {
			name(s, j, c, &n);
			err = kn_key_add(&kd->kn, &n, &key);
			if (err) {
				kfail(kd, r, "key-add", c->ssrc, err);
				while (j--) {
					name(s, j, c, &n);
					kn_key_del(&kd->kn, &n, kid);
				}
				mk_drop_next(kd, s);
				return -1;
			}
		}
		c->next_kid = kid;
	}
	st->csb_id = k->csb_id;
	st->mki = k->n ? k->cs[0].mki : st->mki;
	if (rx_first)
		mk_switch(kd, s, KSRTP_DIR_RX);
	return 0;
}

/* Undo mk_add_keys (the exchange failed). */
void mk_drop_next(struct keyd *kd, struct session *s)
{
	struct mikey_state *st = mk_state(s);
	size_t i;

	for (i = 0; i < st->nctx; i++)
		if (st->ctx[i].next_kid) {
			key_op(kd, s, &st->ctx[i], st->ctx[i].next_kid, 0);
			st->ctx[i].next_kid = 0;
		}
}

/*
 * Make the added keys of one direction active. TX drops its old key at
 * once (the kernel switches between two packets); RX keeps it until
 * retire_at for packets the peer sent before switching.
 */
void mk_switch(struct keyd *kd, struct session *s, uint32_t dir)
{
	struct mikey_state *st = mk_state(s);
	struct mk_ctx *c;
	size_t i;

	for (i = 0; i < st->nctx; i++) {
		c = &st->ctx[i];
		if (c->dir != dir || !c->next_kid || key_op(kd, s, c, c->next_kid, 1))
			continue;
		if (dir == KSRTP_DIR_TX) {
			key_op(kd, s, c, c->kid, 0);
		} else {
			if (c->old_kid)
				key_op(kd, s, c, c->old_kid, 0);
			c->old_kid = c->kid;
		}
		c->kid = c->next_kid;
		c->next_kid = 0;
	}
	if (dir == KSRTP_DIR_RX) {
		st->retire_at = now_ms() + kd->cfg.answer_rekey_delay_ms +
				kd->cfg.rx_key_grace_ms + 1000;
		session_arm(s, st->retire_at);
	}
	session_changed(s);
}

/* The old RX keys' grace period is over. */
void mk_retire(struct keyd *kd, struct session *s)
{
	struct mikey_state *st = mk_state(s);
	size_t i;

	for (i = 0; i < st->nctx; i++)
		if (st->ctx[i].old_kid) {
			key_op(kd, s, &st->ctx[i], st->ctx[i].old_kid, 0);
			st->ctx[i].old_kid = 0;
		}
	st->retire_at = 0;
	session_changed(s);
}

void mk_teardown(struct keyd *kd, struct session *s)
{
	struct mikey_state *st = mk_state(s);
	size_t i;

	for (i = 0; i < st->nctx; i++)
		del_ctx(kd, s, &st->ctx[i]);
	st->nctx = 0;
}

/* ---------------------------------------------------------------- status, state */

static struct json_object *ctx_json(const struct mk_ctx *c, bool with_keys)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ssrc", json_object_new_int64(c->ssrc));
	json_object_object_add(o, "dir", json_object_new_string(kn_dir_name(c->dir)));
	json_object_object_add(o, "roc", json_object_new_int64(c->roc));
	json_object_object_add(o, "key_id", json_object_new_int64(c->kid));
	if (with_keys && c->next_kid)
		json_object_object_add(o, "pending_key_id", json_object_new_int64(c->next_kid));
	if (with_keys && c->old_kid)
		json_object_object_add(o, "retiring_key_id", json_object_new_int64(c->old_kid));
	return o;
}

void mk_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct mikey_state *st = mk_state(s);
	struct json_object *arr = json_object_new_array();
	size_t i;

	json_object_object_add(out, "mikey_mode", json_object_new_string(st->mode->name));
	if (kd->cfg.mikey_identity[0])
		json_object_object_add(out, "identity",
				       json_object_new_string(kd->cfg.mikey_identity));
	if (st->peer_id[0])
		json_object_object_add(out, "peer_identity", json_object_new_string(st->peer_id));
	if (st->suite)
		json_object_object_add(out, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(out, "csb_id", json_object_new_int64(st->csb_id));
	if (st->mki_len)
		json_object_object_add(out, "mki_len", json_object_new_int(st->mki_len));
	json_object_object_add(out, "exchanges", json_object_new_uint64(st->exchanges));
	json_object_object_add(out, "refusals", json_object_new_uint64(st->refusals));
	if (st->last_error[0])
		json_object_object_add(out, "last_error", json_object_new_string(st->last_error));
	for (i = 0; i < st->nctx; i++)
		json_object_array_add(arr, ctx_json(&st->ctx[i], true));
	json_object_object_add(out, "contexts", arr);
}

static struct json_object *ssrc_array(const uint32_t *v, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64(v[i]));
	return arr;
}

struct json_object *mk_save(struct session *s)
{
	struct mikey_state *st = mk_state(s);
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	size_t i;

	json_object_object_add(o, "mode", json_object_new_string(st->mode->name));
	if (st->peer_id[0])
		json_object_object_add(o, "peer_identity", json_object_new_string(st->peer_id));
	json_object_object_add(o, "ssrcs", ssrc_array(st->ours, st->nours));
	json_object_object_add(o, "remote_ssrcs", ssrc_array(st->theirs, st->ntheirs));
	json_object_object_add(o, "roc", json_object_new_int64(st->roc));
	if (st->suite)
		json_object_object_add(o, "suite", json_object_new_string(st->suite->name));
	if (st->kdr)
		json_object_object_add(o, "kdr", json_object_new_int64(st->kdr));
	if (st->mki_len) {
		json_object_object_add(o, "mki_len", json_object_new_int(st->mki_len));
		json_object_object_add(o, "mki", json_object_new_int64(st->mki));
	}
	json_object_object_add(o, "csb_id", json_object_new_int64(st->csb_id));
	json_object_object_add(o, "next_key_id", json_object_new_int64(st->next_kid));
	for (i = 0; i < st->nctx; i++)
		json_object_array_add(arr, ctx_json(&st->ctx[i], false));
	json_object_object_add(o, "contexts", arr);
	return o;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static size_t load_ssrcs(struct json_object *o, const char *key, uint32_t *out)
{
	struct json_object *arr;
	size_t i, n = 0;

	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(arr) && n < PROTO_MAX_SSRCS; i++)
		out[n++] = (uint32_t)json_object_get_int64(json_object_array_get_idx(arr, i));
	return n;
}

/* The kernel holds this explicit-SSRC context with key kid active. */
static bool in_kernel(const struct kn_ctx_info *ci, size_t n, const struct mk_ctx *c)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < n; i++) {
		if (ci[i].any || ci[i].ssrc != c->ssrc || ci[i].dir != c->dir)
			continue;
		for (j = 0; j < ci[i].nkeys; j++)
			if (ci[i].keys[j].id == c->kid && ci[i].keys[j].active)
				return true;
	}
	return false;
}

int mk_restore_state(struct session *s, struct json_object *saved,
		     const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct mikey_state *st = mk_state(s);
	struct json_object *arr, *o, *v;
	size_t i;

	if (json_object_object_get_ex(saved, "mode", &v)) {
		st->mode = mikey_mode_by_name(json_object_get_string(v));
	} else {	/* saved before the mode table: two booleans */
		st->mode = &mikey_mode_psk;
		if (json_object_object_get_ex(saved, "null_mode", &v) && json_object_get_boolean(v))
			st->mode = &mikey_mode_null;
		if (json_object_object_get_ex(saved, "dhhmac", &v) && json_object_get_boolean(v))
			st->mode = mikey_mode_by_name("dhhmac");
	}
	if (!st->mode) {
		snprintf(why, whylen, "saved MIKEY mode unknown to this keyd");
		return -1;
	}
	if (json_object_object_get_ex(saved, "peer_identity", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(st->peer_id, sizeof(st->peer_id), "%s", json_object_get_string(v));
	st->nours = load_ssrcs(saved, "ssrcs", st->ours);
	st->ntheirs = load_ssrcs(saved, "remote_ssrcs", st->theirs);
	st->roc = (uint32_t)jint(saved, "roc");
	st->kdr = (uint32_t)jint(saved, "kdr");
	st->mki_len = (uint8_t)jint(saved, "mki_len");
	st->mki = (uint32_t)jint(saved, "mki");
	if (st->mki_len > 4) {
		snprintf(why, whylen, "saved MKI length %u: at most 4", st->mki_len);
		return -1;
	}
	st->csb_id = (uint32_t)jint(saved, "csb_id");
	st->next_kid = (uint32_t)jint(saved, "next_key_id");
	if (json_object_object_get_ex(saved, "suite", &v))
		st->suite = suite_by_name(json_object_get_string(v),
					  (size_t)json_object_get_string_len(v));
	if (!json_object_object_get_ex(saved, "contexts", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(arr) && i < MIKEY_PSK_MAX_CS; i++) {
		struct mk_ctx *c = &st->ctx[i];

		o = json_object_array_get_idx(arr, i);
		c->ssrc = (uint32_t)jint(o, "ssrc");
		c->roc = (uint32_t)jint(o, "roc");
		c->kid = (uint32_t)jint(o, "key_id");
		c->dir = json_object_object_get_ex(o, "dir", &v) &&
			 !strcmp(json_object_get_string(v), "tx") ? KSRTP_DIR_TX : KSRTP_DIR_RX;
		if (!in_kernel(ctxs, n, c)) {
			snprintf(why, whylen, "the kernel has no %s context for SSRC %u with key %u",
				 kn_dir_name(c->dir), c->ssrc, c->kid);
			return -1;
		}
		st->nctx = i + 1;
	}
	return 0;
}
