// SPDX-License-Identifier: GPL-2.0
/*
 * A session's "status" and "list" fields: the common ones, then what the
 * kernel holds for its sockets (sock-get, ctx-get dump), never a key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"

const char *session_exchange_name(enum exchange e)
{
	return e == EX_LOCAL_OFFER ? "local_offer" :
	       e == EX_REMOTE_OFFER ? "remote_offer" : "none";
}

void session_add_counters(struct json_object *o, const uint64_t *stats, int max,
			  const char *(*name)(int))
{
	char key[64];
	int a;

	for (a = 1; a <= max; a++)
		if (name(a))
			json_object_object_add(o, knl_json_key(name(a), key, sizeof(key)),
					       json_object_new_uint64(stats[a]));
}

static void add_stats(struct json_object *o, const uint64_t *stats, int max,
		      const char *(*name)(int))
{
	struct json_object *st = json_object_new_object();

	session_add_counters(st, stats, max, name);
	json_object_object_add(o, "stats", st);
}

static struct json_object *ctx_json(const struct kn_ctx_info *ci)
{
	const struct suite *su = suite_by_id(ci->suite);
	struct json_object *o = json_object_new_object(), *keys;
	char addr[80], mki[16];
	unsigned int i, j;

	json_object_object_add(o, "dir", json_object_new_string(kn_dir_name(ci->dir)));
	json_object_object_add(o, "origin", json_object_new_string(kn_origin_name(ci->origin)));
	if (ci->any)
		json_object_object_add(o, "ssrc_any", json_object_new_boolean(1));
	else
		json_object_object_add(o, "ssrc", json_object_new_int64(ci->ssrc));
	json_object_object_add(o, "suite", json_object_new_string(su ? su->name : "?"));
	if (ci->has_remote)
		json_object_object_add(o, "remote", json_object_new_string(
			proto_format_addr(&ci->remote, addr, sizeof(addr))));
	json_object_object_add(o, "window", json_object_new_int64(ci->window));
	keys = json_object_new_array();
	for (i = 0; i < ci->nkeys; i++) {
		const struct kn_key_info *k = &ci->keys[i];
		struct json_object *ko = json_object_new_object();

		json_object_object_add(ko, "id", json_object_new_int64(k->id));
		if (k->mki_len) {
			for (j = 0; j < k->mki_len; j++)
				snprintf(mki + 2 * j, 3, "%02x", k->mki[j]);
			json_object_object_add(ko, "mki", json_object_new_string(mki));
		}
		json_object_object_add(ko, "active", json_object_new_boolean(k->active));
		json_object_object_add(ko, "srtp_packets", json_object_new_uint64(k->srtp_packets));
		json_object_object_add(ko, "srtcp_packets", json_object_new_uint64(k->srtcp_packets));
		json_object_array_add(keys, ko);
	}
	json_object_object_add(o, "keys", keys);
	add_stats(o, ci->stats, KSRTP_A_CTX_STATS_MAX, knl_ctx_stats_name);
	return o;
}

/* Totals over every context of one direction: what a dashboard wants. */
struct totals {
	uint64_t packets, rtcp_packets, auth_fail, replay_drop;
};

static void add_totals(struct json_object *o, const char *prefix, const struct totals *t)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_packets", prefix);
	json_object_object_add(o, key, json_object_new_uint64(t->packets));
	snprintf(key, sizeof(key), "%s_rtcp_packets", prefix);
	json_object_object_add(o, key, json_object_new_uint64(t->rtcp_packets));
	if (!strcmp(prefix, "rx")) {
		json_object_object_add(o, "rx_auth_fail", json_object_new_uint64(t->auth_fail));
		json_object_object_add(o, "rx_replay_drop", json_object_new_uint64(t->replay_drop));
	}
}

static void status_kernel(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct json_object *socks = json_object_new_array(), *counters, *so, *ctxs;
	struct totals tot[2] = { { 0 } };
	struct kn_sock_info si;
	struct kn_ctx_info *ci;
	size_t n, j;
	unsigned int i;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		so = json_object_new_object();
		json_object_object_add(so, "cookie", json_object_new_uint64(s->cookie[i]));
		json_object_object_add(so, "local_port", json_object_new_int(s->local_port[i]));
		err = kn_sock_get(&kd->kn, s->cookie[i], &si);
		if (err) {
			json_object_object_add(so, "error", json_object_new_string(strerror(-err)));
			json_object_array_add(socks, so);
			continue;
		}
		add_stats(so, si.stats, KSRTP_A_SOCK_STATS_MAX, knl_sock_stats_name);
		ctxs = json_object_new_array();
		if (!kn_ctx_dump(&kd->kn, s->cookie[i], &ci, &n)) {
			for (j = 0; j < n; j++) {
				struct totals *t = &tot[ci[j].dir == KSRTP_DIR_TX];

				json_object_array_add(ctxs, ctx_json(&ci[j]));
				t->packets += ci[j].stats[KSRTP_A_CTX_STATS_PACKETS];
				t->rtcp_packets += ci[j].stats[KSRTP_A_CTX_STATS_RTCP_PACKETS];
				t->auth_fail += ci[j].stats[KSRTP_A_CTX_STATS_AUTH_FAIL] +
						ci[j].stats[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL];
				t->replay_drop += ci[j].stats[KSRTP_A_CTX_STATS_REPLAY_DROP] +
						  ci[j].stats[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP];
			}
			free(ci);
		}
		json_object_object_add(so, "contexts", ctxs);
		json_object_array_add(socks, so);
	}
	json_object_object_add(out, "sockets", socks);
	counters = json_object_new_object();
	add_totals(counters, "tx", &tot[1]);
	add_totals(counters, "rx", &tot[0]);
	json_object_object_add(out, "counters", counters);
}

void session_status_common(struct session *s, struct json_object *o)
{
	char addr[80];

	json_object_object_add(o, "session", json_object_new_string(s->id));
	json_object_object_add(o, "method", json_object_new_string(s->method->name));
	json_object_object_add(o, "role", json_object_new_string(role_name(s->role)));
	json_object_object_add(o, "state", json_object_new_string(session_state_name(s->state)));
	json_object_object_add(o, "exchange", json_object_new_string(session_exchange_name(s->exch)));
	if (s->state == SS_FAILED)
		json_object_object_add(o, "reason", json_object_new_string(s->fail_reason));
	json_object_object_add(o, "verified", json_object_new_boolean(s->verified &&
								       s->state == SS_SECURE));
	json_object_object_add(o, "pfs", json_object_new_boolean(s->pfs));
	json_object_object_add(o, "rtcp_mux", json_object_new_boolean(s->rtcp_mux));
	if (s->has_remote)
		json_object_object_add(o, "remote", json_object_new_string(
			proto_format_addr(&s->remote, addr, sizeof(addr))));
	json_object_object_add(o, "restored", json_object_new_boolean(s->restored));
	json_object_object_add(o, "events", json_object_new_boolean(s->owner != NULL));
	if (s->bridge.to[0])
		json_object_object_add(o, "bridge_to", json_object_new_string(s->bridge.to));
}

int session_op_status(struct keyd *kd, struct session *s, struct opres *r)
{
	session_status_common(s, r->reply);
	if (s->method->status)
		s->method->status(kd, s, r->reply);
	status_kernel(kd, s, r->reply);
	bridge_status(kd, s, r->reply);
	return 0;
}
