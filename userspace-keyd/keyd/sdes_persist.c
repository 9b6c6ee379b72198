// SPDX-License-Identifier: GPL-2.0
/*
 * The SDES method across a keyd restart: what a session saves (never a
 * key), and adopting its kernel templates afterwards.
 */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "sdes_method.h"

#define JADD(o, k, v) json_object_object_add(o, k, v)

struct json_object *sdes_save(struct session *s)
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
		hex_encode(st->rx[i].fp, 32, fp);
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

/* The saved session-level fields (no keys: those stay in the kernel). */
static void restore_fields(struct sdes_state *st, struct json_object *saved)
{
	struct json_object *v;

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
}

/* The peer's saved RX keys that the kernel's RX template rx still holds. */
static void restore_rx_keys(struct session *s, struct json_object *saved,
			    const struct kn_ctx_info *rx)
{
	struct sdes_state *st = state_of(s);
	struct json_object *arr, *ko, *v;
	uint64_t now = now_ms();
	unsigned int j = 0;
	size_t i;

	if (json_object_object_get_ex(saved, "rx_keys", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		for (i = 0; i < json_object_array_length(arr) && j < KSRTP_MAX_KEYS; i++) {
			struct rx_key *k = &st->rx[j];

			ko = json_object_array_get_idx(arr, i);
			k->kid = (uint32_t)jint(ko, "key_id");
			/* keep only what the kernel still holds */
			if (!rx || !has_key(rx, k->kid, NULL) ||
			    !json_object_object_get_ex(ko, "fingerprint", &v) ||
			    hex_decode(json_object_get_string(v), k->fp, 32)) {
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
}

int sdes_restore(struct keyd *kd, struct session *s, struct json_object *saved,
		 const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct sdes_state *st;
	const struct kn_ctx_info *tx, *rx;
	struct opres r = { 0 };
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
	restore_fields(st, saved);
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
		sm_key_op_all(kd, s, KSRTP_DIR_TX, (uint32_t)jint(saved, "tx_pending_key_id"), false);
		log_info("unfinished TX rekey abandoned", "session=%s", s->id);
	}
	restore_rx_keys(s, saved, rx);
	/* the kernel's view of which RX key is tried first wins */
	for (i = 0; rx && i < rx->nkeys; i++)
		if (rx->keys[i].active)
			st->rx_active = rx->keys[i].id;
	st->tx_known = false;
	return 0;
}
