// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl's forwards: SRTP relayed between attached sockets in the kernel
 * (fwd add, del, dest-add, dest-del, show).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "ksrtpctl.h"

/* ------------------------------------------------------------ forwards */

static int put_fwd(struct nl_msg *m, const struct args *a)
{
	return nla_put_u64(m, KSRTP_A_FWD_RX_SOCK_COOKIE, a->rx_cookie) ||
	       (a->ssrc_any ? nla_put_flag(m, KSRTP_A_FWD_SSRC_ANY) :
			      nla_put_u32(m, KSRTP_A_FWD_SSRC, a->ssrc)) ||
	       nla_put_u64(m, KSRTP_A_FWD_TX_SOCK_COOKIE, a->tx_cookie) ||
	       put_remote(m, KSRTP_A_FWD_REMOTE_ADDR, KSRTP_A_FWD_REMOTE_PORT, &a->to) ||
	       ((a->seen & A_SSRC_OUT) &&
		nla_put_u32(m, KSRTP_A_FWD_SSRC_OUT, a->ssrc_out)) ||
	       ((a->seen & A_SEQ_OFFSET) &&
		nla_put_u16(m, KSRTP_A_FWD_SEQ_OFFSET, a->seq_offset)) ||
	       ((a->seen & A_TS_OFFSET) &&
		nla_put_u32(m, KSRTP_A_FWD_TS_OFFSET, a->ts_offset)) ||
	       ((a->seen & A_PT) &&
		nla_put(m, KSRTP_A_FWD_PT_FILTER, sizeof(a->pt), a->pt)) ||
	       ((a->seen & A_FWD_FLAGS) &&
		nla_put_u32(m, KSRTP_A_FWD_FLAGS, a->fwd_flags)) ||
	       ((a->seen & A_IDLE_TIMEOUT) &&
		nla_put_u32(m, KSRTP_A_FWD_IDLE_TIMEOUT_MS, a->idle_timeout)) ||
	       ((a->seen & A_FROM) &&
		put_remote(m, KSRTP_A_FWD_RX_REMOTE_ADDR, KSRTP_A_FWD_RX_REMOTE_PORT,
			   &a->from));
}

static int fwd_add_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_FWD_MAX, knl_fwd_policy) ||
	    !tb[KSRTP_A_FWD_ID])
		return -1;
	*(uint32_t *)arg = nla_get_u32(tb[KSRTP_A_FWD_ID]);
	return 0;
}

int cmd_fwd_add(int argc, char **argv)
{
	struct json_object *o;
	struct nl_msg *msg;
	struct args a;
	uint32_t id = 0;
	int rc;

	rc = parse_args(argc, argv, &a,
			A_RX | A_SSRC | A_TX | A_TO | A_SSRC_OUT | A_SEQ_OFFSET |
			A_TS_OFFSET | A_PT | A_FWD_FLAGS | A_FROM | A_IDLE_TIMEOUT,
			A_RX | A_SSRC | A_TX | A_TO);
	if (rc)
		return rc;
	if (a.ssrc_any && (a.seen & A_SSRC_OUT))
		return usage_err("ssrc-out: an 'ssrc any' forward keeps each stream's SSRC");
	msg = request(KSRTP_CMD_FWD_ADD, 0);
	if (!msg)
		return 1;
	if (put_fwd(msg, &a))
		return build_err(msg);
	rc = run(msg, fwd_add_reply, &id);
	if (rc)
		return rc;
	if (json_out) {
		o = json_object_new_object();
		jadd_u64(o, "id", id);
		print_json(o);
		json_object_put(o);
	} else {
		printf("fwd %" PRIu32 "\n", id);
	}
	return 0;
}

/* fwd dest-add / dest-del: one destination of the encrypt-once fan-out. */
static int fwd_dest_cmd(int argc, char **argv, int cmd)
{
	struct nlattr *nest;
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID | A_TO, A_ID | A_TO);
	if (rc)
		return rc;
	msg = request(cmd, 0);
	if (!msg)
		return 1;
	if (nla_put_u32(msg, KSRTP_A_FWD_ID, a.id) ||
	    !(nest = nla_nest_start(msg, KSRTP_A_FWD_DEST)) ||
	    put_remote(msg, KSRTP_A_FWD_DEST_ADDR, KSRTP_A_FWD_DEST_PORT, &a.to))
		return build_err(msg);
	nla_nest_end(msg, nest);
	return run(msg, NULL, NULL);
}

int cmd_fwd_dest_add(int argc, char **argv)
{
	return fwd_dest_cmd(argc, argv, KSRTP_CMD_FWD_DEST_ADD);
}

int cmd_fwd_dest_del(int argc, char **argv)
{
	return fwd_dest_cmd(argc, argv, KSRTP_CMD_FWD_DEST_DEL);
}

int cmd_fwd_del(int argc, char **argv)
{
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID, A_ID);
	if (rc)
		return rc;
	msg = request(KSRTP_CMD_FWD_DEL, 0);
	if (!msg)
		return 1;
	if (nla_put_u32(msg, KSRTP_A_FWD_ID, a.id))
		return build_err(msg);
	return run(msg, NULL, NULL);
}

/* The filter's payload types as numbers. */
static struct json_object *pt_json(struct nlattr *a)
{
	struct json_object *arr = json_object_new_array();
	const uint8_t *bits = nla_data(a);
	int pt;

	for (pt = 0; pt < 128; pt++)
		if (bits[pt / 8] & (1u << (pt % 8)))
			json_object_array_add(arr, json_object_new_int(pt));
	return arr;
}

/* The encrypt-once destinations as "ADDR:PORT" strings. */
static struct json_object *dests_json(struct nl_msg *msg)
{
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));
	struct json_object *arr = json_object_new_array();
	struct nlattr *tb[KSRTP_A_FWD_DEST_MAX + 1], *a;
	char ip[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	int rem, len;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (nla_type(a) != KSRTP_A_FWD_DEST ||
		    knl_parse_nested(tb, KSRTP_A_FWD_DEST_MAX, a, knl_fwd_dest_policy) ||
		    !tb[KSRTP_A_FWD_DEST_ADDR] || !tb[KSRTP_A_FWD_DEST_PORT])
			continue;
		len = nla_len(tb[KSRTP_A_FWD_DEST_ADDR]);
		inet_ntop(len == 4 ? AF_INET : AF_INET6,
			  nla_data(tb[KSRTP_A_FWD_DEST_ADDR]), ip, sizeof(ip));
		snprintf(buf, sizeof(buf), len == 4 ? "%s:%u" : "[%s]:%u", ip,
			 nla_get_u16(tb[KSRTP_A_FWD_DEST_PORT]));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

/* The fwd set, as replies and notifications use it: only what is present. */
struct json_object *fwd_json(struct nl_msg *msg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1], *a;
	struct json_object *o;

	if (knl_parse(msg, tb, KSRTP_A_FWD_MAX, knl_fwd_policy))
		return NULL;
	o = json_object_new_object();
	if ((a = tb[KSRTP_A_FWD_ID]))
		jadd_u64(o, "id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_RX_SOCK_COOKIE]))
		jadd_u64(o, "rx_sock_cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_FWD_SSRC]))
		jadd_u64(o, "ssrc", nla_get_u32(a));
	jadd(o, "ssrc_any", json_object_new_boolean(!!tb[KSRTP_A_FWD_SSRC_ANY]));
	if ((a = tb[KSRTP_A_FWD_TX_SOCK_COOKIE]))
		jadd_u64(o, "tx_sock_cookie", nla_get_u64(a));
	jadd_remote(o, tb[KSRTP_A_FWD_REMOTE_ADDR], tb[KSRTP_A_FWD_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_FWD_SSRC_OUT]))
		jadd_u64(o, "ssrc_out", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_SEQ_OFFSET]))
		jadd_u64(o, "seq_offset", nla_get_u16(a));
	if ((a = tb[KSRTP_A_FWD_TS_OFFSET]))
		jadd_u64(o, "ts_offset", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_PT_FILTER]))
		jadd(o, "pt_filter", pt_json(a));
	if ((a = tb[KSRTP_A_FWD_FLAGS]))
		jadd(o, "flags", jflags(nla_get_u32(a), fwd_flag_names,
					ARRAY_SIZE(fwd_flag_names)));
	jadd_addr(o, "rx_remote", tb[KSRTP_A_FWD_RX_REMOTE_ADDR],
		  tb[KSRTP_A_FWD_RX_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_FWD_IDLE_TIMEOUT_MS]) && nla_get_u32(a))
		jadd_u64(o, "idle_timeout_ms", nla_get_u32(a));
	if (tb[KSRTP_A_FWD_DEST])
		jadd(o, "dests", dests_json(msg));
	if ((a = tb[KSRTP_A_FWD_STATS]))
		jadd(o, "stats", counters_json(a, &fwd_counters));
	return o;
}

static int fwd_reply(struct nl_msg *msg, void *arg)
{
	struct json_object *o = fwd_json(msg);

	if (!o)
		return -1;
	json_object_array_add(arg, o);
	return 0;
}

static const struct tfield fwd_fields[] = {
	{ "id", "fwd", T_VAL }, { "rx_sock_cookie", "rx", T_VAL },
	{ "ssrc", "ssrc", T_SSRC }, { "tx_sock_cookie", "tx", T_VAL },
	{ "remote_addr", "to", T_REMOTE }, { "ssrc_out", "ssrc-out", T_SSRC },
	{ "seq_offset", "seq-offset", T_VAL }, { "ts_offset", "ts-offset", T_VAL },
	{ "pt_filter", "pt", T_VAL }, { "flags", "flags", T_VAL },
	{ "rx_remote_addr", "from", T_REMOTE },
	{ "idle_timeout_ms", "idle-timeout", T_VAL }, { "dests", "dests", T_VAL },
};

int cmd_fwd_show(int argc, char **argv)
{
	struct json_object *fwds;
	struct nl_msg *msg;
	struct args a;
	size_t i;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID | A_RX, 0);
	if (rc)
		return rc;
	if ((a.seen & A_ID) && (a.seen & A_RX))
		return usage_err("give id or rx, not both");
	msg = request(KSRTP_CMD_FWD_GET, a.seen & A_ID ? 0 : NLM_F_DUMP);
	if (!msg)
		return 1;
	if (((a.seen & A_ID) && nla_put_u32(msg, KSRTP_A_FWD_ID, a.id)) ||
	    ((a.seen & A_RX) &&
	     nla_put_u64(msg, KSRTP_A_FWD_RX_SOCK_COOKIE, a.rx_cookie)))
		return build_err(msg);
	fwds = json_object_new_array();
	rc = run(msg, fwd_reply, fwds);
	if (!rc && json_out)
		print_json(fwds);
	for (i = 0; !rc && !json_out && i < jlen(fwds); i++) {
		struct json_object *f = json_object_array_get_idx(fwds, i);

		tline("", f, fwd_fields, ARRAY_SIZE(fwd_fields));
		tcounters("    ", jget(f, "stats"), &fwd_counters);
	}
	json_object_put(fwds);
	return rc;
}
