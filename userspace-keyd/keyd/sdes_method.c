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
 *
 * Files: sdes_method.c (the method's operations, timers, status, events),
 * sdes_keys.c (the kernel templates), sdes_sdp.c (offers and answers),
 * sdes_persist.c (restarts); sdes_method.h is what they share.
 */
#include <stdio.h>

#include "harden.h"
#include "sdes_method.h"

/* ---------------------------------------------------------------- events */

void sm_emit_simple(struct keyd *kd, struct session *s, const char *name,
		    const char *key, const char *value)
{
	struct json_object *ev = proto_event(name, s->id);

	if (!ev)
		return;
	if (key)
		json_object_object_add(ev, key, json_object_new_string(value));
	session_emit(kd, s, ev);
}

void sm_emit_secure(struct keyd *kd, struct session *s)
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

/* ---------------------------------------------------------------- method ops */

int sdes_init(struct keyd *kd, struct session *s, const struct request *req, struct opres *r)
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
			sm_tx_switch(kd, s);
		if (st->tx_pending && st->tx_switch_at)
			next = st->tx_switch_at;
	}
	if (st->rx_check_at && st->rx_check_at <= now)
		st->rx_check_at = sm_rx_check_superseded(kd, s, now);
	if (st->rx_check_at && (!next || st->rx_check_at < next))
		next = st->rx_check_at;
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct rx_key *k = &st->rx[i];

		if (!k->used || !k->retire_at)
			continue;
		if (k->retire_at <= now) {
			sm_rx_drop(kd, s, k);
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
	e = proto_event_rekey_needed(s->id, ev->limit == KSRTP_LIMIT_HARD);
	if (e)
		session_emit(kd, s, e);
}

static void sdes_teardown(struct keyd *kd, struct session *s)
{
	struct sdes_state *st = state_of(s);

	if (st->tx_installed)
		sm_ctx_del_all(kd, s, KSRTP_DIR_TX);
	if (st->rx_installed)
		sm_ctx_del_all(kd, s, KSRTP_DIR_RX);
	st->tx_installed = st->rx_installed = false;
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
