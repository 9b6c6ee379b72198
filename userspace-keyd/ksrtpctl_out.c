// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl's output: replies and events as JSON objects (-j prints them),
 * and the text rendered from those objects.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ksrtpctl.h"

/* Printed, never parsed: indexed by value. */
static const char *const origin_names[] = {
	[KSRTP_CTX_ORIGIN_EXPLICIT] = "explicit",
	[KSRTP_CTX_ORIGIN_TEMPLATE] = "template",
	[KSRTP_CTX_ORIGIN_LEARNED] = "learned",
};
static const char *const reason_names[] = {
	[KSRTP_DETACH_REASON_REQUEST] = "request",
	[KSRTP_DETACH_REASON_CLOSED] = "closed",
	[KSRTP_DETACH_REASON_UNLOAD] = "unload",
};
static const char *const limit_names[] = {
	[KSRTP_LIMIT_SOFT] = "soft", [KSRTP_LIMIT_HARD] = "hard",
};

/* ------------------------------------------------------------ output */

void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
}

void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

void jadd_u64(struct json_object *o, const char *key, uint64_t v)
{
	jadd(o, key, json_object_new_uint64(v));
}

void jadd_str(struct json_object *o, const char *key, const char *s)
{
	jadd(o, key, json_object_new_string(s));
}

struct json_object *jflags(uint32_t v, const char *const *names, size_t n)
{
	struct json_object *arr = json_object_new_array();
	char buf[16];
	size_t i;

	for (i = 0; i < 32; i++) {
		if (!(v & (1u << i)))
			continue;
		snprintf(buf, sizeof(buf), "0x%x", 1u << i);
		json_object_array_add(arr, json_object_new_string(i < n ? names[i] : buf));
	}
	return arr;
}

/* Counter names are attribute names; JSON keys have '_' for '-'. */
static const char *jkey(const char *name)
{
	static char buf[64];

	return knl_json_key(name, buf, sizeof(buf));
}

/* A counter of 2, 4 or 8 bytes (knl_parse checked which). */
static uint64_t nla_uint(struct nlattr *a)
{
	if (nla_len(a) == 8)
		return nla_get_u64(a);
	if (nla_len(a) == 4)
		return nla_get_u32(a);
	return nla_get_u16(a);
}

/* PREFIX_addr and PREFIX_port */
void jadd_addr(struct json_object *o, const char *prefix,
	       struct nlattr *addr, struct nlattr *port)
{
	char buf[INET6_ADDRSTRLEN], key[32];
	int len = addr ? nla_len(addr) : 0;

	if (len != 4 && len != 16)
		return;
	inet_ntop(len == 4 ? AF_INET : AF_INET6, nla_data(addr), buf, sizeof(buf));
	snprintf(key, sizeof(key), "%s_addr", prefix);
	jadd_str(o, key, buf);
	snprintf(key, sizeof(key), "%s_port", prefix);
	if (port)
		jadd_u64(o, key, nla_get_u16(port));
}

void jadd_remote(struct json_object *o, struct nlattr *addr, struct nlattr *port)
{
	jadd_addr(o, "remote", addr, port);
}

/* Display order: see struct counters. */
#define SS(a) KSRTP_A_SOCK_STATS_##a
static const int sock_counter_attrs[] = {
	SS(RX_PACKETS), SS(RX_SRTP), SS(RX_SRTCP), SS(RX_STUN), SS(RX_DTLS),
	SS(RX_ZRTP), SS(RX_TURN), SS(RX_OTHER), SS(RX_NO_CTX), SS(RX_MALFORMED),
	SS(RX_UPCALL), SS(RX_UPCALL_DROPS), SS(RX_LEARN_DROPS), 0,
	SS(TX_PACKETS), SS(TX_SRTP), SS(TX_SRTCP), SS(TX_PASSTHROUGH),
	SS(TX_NO_CTX), SS(TX_REFUSED),
};
#undef SS

#define CS(a) KSRTP_A_CTX_STATS_##a
static const int ctx_counter_attrs[] = {
	CS(PACKETS), CS(BYTES), CS(AUTH_FAIL), CS(REPLAY_DROP), CS(MALFORMED),
	CS(UNKNOWN_MKI), CS(ROC_ROLLOVER), CS(INDEX_REUSE), CS(LIMIT_DROP),
	CS(LIMIT_EVENTS), CS(KDR_PENDING), CS(HIGHEST_INDEX), 0,
	CS(RTCP_PACKETS), CS(RTCP_BYTES), CS(RTCP_AUTH_FAIL),
	CS(RTCP_REPLAY_DROP), CS(RTCP_INDEX),
};
#undef CS

#define FS(a) KSRTP_A_FWD_STATS_##a
static const int fwd_counter_attrs[] = {
	FS(PACKETS), FS(BYTES), FS(RTCP_PACKETS), FS(RTCP_BYTES), FS(IDLE_MS), 0,
	FS(DEST_PACKETS), 0, FS(PT_DROP), FS(TX_NO_CTX), FS(TX_DROP), FS(SRC_MISMATCH),
};
#undef FS

const struct counters sock_counters = {
	knl_sock_stats_name, KSRTP_A_SOCK_STATS_MAX, knl_sock_stats_policy,
	sock_counter_attrs, ARRAY_SIZE(sock_counter_attrs)
};
const struct counters ctx_counters = {
	knl_ctx_stats_name, KSRTP_A_CTX_STATS_MAX, knl_ctx_stats_policy,
	ctx_counter_attrs, ARRAY_SIZE(ctx_counter_attrs)
};

const struct counters fwd_counters = {
	knl_fwd_stats_name, KSRTP_A_FWD_STATS_MAX, knl_fwd_stats_policy,
	fwd_counter_attrs, ARRAY_SIZE(fwd_counter_attrs)
};

#define COUNTERS_TB 32
_Static_assert(KSRTP_A_SOCK_STATS_MAX < COUNTERS_TB &&
	       KSRTP_A_CTX_STATS_MAX < COUNTERS_TB &&
	       KSRTP_A_FWD_STATS_MAX < COUNTERS_TB, "raise COUNTERS_TB");

/* Unknown attributes (pad, newer counters) are skipped. */
static bool counter_listed(const struct counters *c, int attr)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->attr[i] == attr)
			return true;
	return false;
}

struct json_object *counters_json(struct nlattr *nest, const struct counters *c)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *tb[COUNTERS_TB];
	size_t i;
	int a;

	if (!nest || knl_parse_nested(tb, c->max, nest, c->pol))
		return o;
	for (i = 0; i < c->n; i++)
		if (c->attr[i] && tb[c->attr[i]])
			jadd_u64(o, jkey(c->name(c->attr[i])), nla_uint(tb[c->attr[i]]));
	for (a = 1; a <= c->max; a++)
		if (tb[a] && c->name(a) && !counter_listed(c, a))
			jadd_u64(o, jkey(c->name(a)), nla_uint(tb[a]));
	return o;
}

struct json_object *sock_json(struct nlattr **tb)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *a;

	if ((a = tb[KSRTP_A_SOCK_COOKIE]))
		jadd_u64(o, "cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_SOCK_FAMILY])) {
		uint16_t f = nla_get_u16(a);

		if (f == AF_INET || f == AF_INET6)
			jadd_str(o, "family", f == AF_INET ? "inet" : "inet6");
		else
			jadd_u64(o, "family", f);
	}
	if ((a = tb[KSRTP_A_SOCK_LOCAL_PORT]))
		jadd_u64(o, "local_port", nla_get_u16(a));
	if ((a = tb[KSRTP_A_SOCK_N_CTX]))
		jadd_u64(o, "n_ctx", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_UPCALL]))
		jadd(o, "upcall", jflags(nla_get_u32(a), upcall_names,
					 ARRAY_SIZE(upcall_names)));
	if ((a = tb[KSRTP_A_SOCK_MAX_LEARNED]))
		jadd_u64(o, "max_learned", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_UPCALL_PORTID]))
		jadd_u64(o, "upcall_portid", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_PLAIN_RTP]))
		jadd_str(o, "plain_rtp", NAME(plain_rtp_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_SOCK_REASON]))
		jadd_str(o, "reason", NAME(reason_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_SOCK_STATS]))
		jadd(o, "stats", counters_json(a, &sock_counters));
	return o;
}

static struct json_object *key_json(struct nlattr *nest)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *tb[KSRTP_A_KEY_MAX + 1], *a;
	char hex[2 * KSRTP_MAX_MKI_LEN + 1] = "";
	int i;

	if (knl_parse_nested(tb, KSRTP_A_KEY_MAX, nest, knl_key_policy))
		return o;
	if ((a = tb[KSRTP_A_KEY_ID]))
		jadd_u64(o, "id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_KEY_MKI])) {
		for (i = 0; i < nla_len(a) && i < KSRTP_MAX_MKI_LEN; i++)
			sprintf(hex + 2 * i, "%02x", ((uint8_t *)nla_data(a))[i]);
		jadd_str(o, "mki", hex);
	}
	jadd(o, "active", json_object_new_boolean(!!tb[KSRTP_A_KEY_ACTIVE]));
	if ((a = tb[KSRTP_A_KEY_SRTP_PACKETS]))
		jadd_u64(o, "srtp_packets", nla_uint(a));
	if ((a = tb[KSRTP_A_KEY_SRTCP_PACKETS]))
		jadd_u64(o, "srtcp_packets", nla_uint(a));
	return o;
}

/* Replies carry one KSRTP_A_CTX_KEY nest per key: walk them all. */
static struct json_object *keys_json(struct nl_msg *msg)
{
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));
	struct json_object *keys = json_object_new_array();
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
		if (nla_type(a) == KSRTP_A_CTX_KEY)
			json_object_array_add(keys, key_json(a));
	return keys;
}

/* The ctx set, as replies and notifications use it: only what is present. */
struct json_object *ctx_json(struct nl_msg *msg)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1], *a;
	struct json_object *o;

	if (knl_parse(msg, tb, KSRTP_A_CTX_MAX, knl_ctx_policy))
		return NULL;
	o = json_object_new_object();
	if ((a = tb[KSRTP_A_CTX_SOCK_COOKIE]))
		jadd_u64(o, "sock_cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_CTX_DIR]))
		jadd_str(o, "dir", NAME(dir_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_CTX_SSRC]))
		jadd_u64(o, "ssrc", nla_get_u32(a));
	jadd(o, "ssrc_any", json_object_new_boolean(!!tb[KSRTP_A_CTX_SSRC_ANY]));
	if ((a = tb[KSRTP_A_CTX_SUITE]))
		jadd_str(o, "suite", suite_name(nla_get_u32(a)));
	if ((a = tb[KSRTP_A_CTX_ORIGIN]))
		jadd_str(o, "origin", NAME(origin_names, nla_get_u32(a)));
	jadd_remote(o, tb[KSRTP_A_CTX_REMOTE_ADDR], tb[KSRTP_A_CTX_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_CTX_WINDOW]))
		jadd_u64(o, "window", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_ROC]))
		jadd_u64(o, "roc", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_FLAGS]))
		jadd(o, "flags", jflags(nla_get_u32(a), option_names,
					ARRAY_SIZE(option_names)));
	if ((a = tb[KSRTP_A_CTX_SOFT_LIMIT]))
		jadd_u64(o, "soft_limit", nla_get_u64(a));
	if ((a = tb[KSRTP_A_CTX_KDR]) && nla_get_u32(a))
		jadd_u64(o, "kdr", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_KEY_ID]))
		jadd_u64(o, "key_id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_LIMIT]))
		jadd_str(o, "limit", NAME(limit_names, nla_get_u32(a)));
	if (tb[KSRTP_A_CTX_KEY])
		jadd(o, "keys", keys_json(msg));
	if ((a = tb[KSRTP_A_CTX_STATS]))
		jadd(o, "stats", counters_json(a, &ctx_counters));
	return o;
}

struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

size_t jlen(struct json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ?
		json_object_array_length(arr) : 0;
}

/* Scalars as JSON prints them (without quotes); arrays joined by sep. */
static void tvalue(struct json_object *v, const char *sep)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array)) {
		fputs(json_object_get_string(v), stdout);
		return;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? sep : "",
		       json_object_get_string(json_object_array_get_idx(v, i)));
}

static void tfield(struct json_object *o, const struct tfield *f, bool *first)
{
	struct json_object *v = jget(o, f->key);
	const char *sep = *first ? "" : " ";

	if (f->kind == T_SSRC) {
		if (v)
			printf("%s%s 0x%08" PRIx64, sep, f->label, json_object_get_uint64(v));
		else if (json_object_get_boolean(jget(o, "ssrc_any")))
			printf("%s%s any", sep, f->label);
		else
			return;
	} else if (!v || (f->kind == T_FLAG && !json_object_get_boolean(v)) ||
		   (json_object_is_type(v, json_type_array) &&
		    !json_object_array_length(v))) {
		return;
	} else if (f->kind == T_FLAG) {
		printf("%s%s", sep, f->label);
	} else if (f->kind == T_REMOTE) {
		const char *addr = json_object_get_string(v);
		bool v6 = strchr(addr, ':');
		char port[32];

		/* "remote_addr" goes with "remote_port", "rx_remote_addr" with ... */
		snprintf(port, sizeof(port), "%.*s_port",
			 (int)(strlen(f->key) - strlen("_addr")), f->key);
		printf("%s%s %s%s%s:%" PRIu64, sep, f->label, v6 ? "[" : "", addr,
		       v6 ? "]" : "", json_object_get_uint64(jget(o, port)));
	} else {
		printf("%s%s ", sep, f->label);
		tvalue(v, ",");
	}
	*first = false;
}

/* One line: indent, then the fields present. */
void tline(const char *indent, struct json_object *o, const struct tfield *f, size_t n)
{
	bool first = true;
	size_t i;

	fputs(indent, stdout);
	for (i = 0; i < n; i++)
		tfield(o, &f[i], &first);
	putchar('\n');
}

static void tcounter(const char *indent, struct json_object *st, const char *name,
		     bool *open)
{
	struct json_object *v = jget(st, jkey(name));

	if (!v)
		return;
	printf("%s%s %s", *open ? " " : indent, name, json_object_get_string(v));
	*open = true;
}

void tcounters(const char *indent, struct json_object *st, const struct counters *c)
{
	bool open = false;
	size_t i;
	int a;

	for (i = 0; i <= c->n; i++) {
		if (i == c->n || !c->attr[i]) {
			if (open)
				putchar('\n');
			open = false;
			continue;
		}
		tcounter(indent, st, c->name(c->attr[i]), &open);
	}
	for (a = 1; a <= c->max; a++)
		if (c->name(a) && !counter_listed(c, a))
			tcounter(indent, st, c->name(a), &open);
	if (open)
		putchar('\n');
}
