// SPDX-License-Identifier: GPL-2.0
/*
 * fwd-add, fwd-del, fwd-get: the relay's netlink commands. Policies are
 * generated from netlink/ksrtp.yaml; what they cannot check (required
 * attributes, address families, the sockets) is checked here, with an
 * extack message each.
 */

#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "fwd.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "socket.h"

/* An attached socket of the request's namespace, held. */
static struct ksrtp_sock *ksrtp_nl_fwd_sock(struct genl_info *info, int attr)
{
	struct ksrtp_sock *ks;

	ks = ksrtp_sock_get(genl_info_net(info),
			    nla_get_u64(info->attrs[attr]));
	if (!ks)
		KSRTP_ERR_ATTR(info->extack, info->attrs[attr],
			       "no attached socket with this cookie");
	return ks;
}

/* An address attribute of 4 or 16 bytes into id (v4-mapped as IPv4). */
static int ksrtp_nl_fwd_addr(struct genl_info *info, struct nlattr *a,
			     struct ksrtp_ctx_id *id)
{
	if (nla_len(a) == 4) {
		id->family = AF_INET;
		nla_memcpy(&id->addr, a, 4);
		return 0;
	}
	if (nla_len(a) != 16) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	nla_memcpy(&id->addr, a, 16);
	id->family = AF_INET6;
	if (ipv6_addr_v4mapped(&id->addr)) {
		id->family = AF_INET;
		memmove(&id->addr, &id->addr.s6_addr32[3], 4);
		memset(&id->addr.s6_addr[4], 0, 12);
	}
	return 0;
}

/*
 * plain-in: the source the plain stream is taken from, bound here (both
 * rx-remote attributes) or latched from the first packet (latch).
 */
static int ksrtp_nl_fwd_src(struct genl_info *info, struct ksrtp_fwd *f)
{
	struct nlattr *addr = info->attrs[KSRTP_A_FWD_RX_REMOTE_ADDR];
	struct nlattr *port = info->attrs[KSRTP_A_FWD_RX_REMOTE_PORT];
	bool plain_in = f->flags & KSRTP_FWD_FLAGS_PLAIN_IN;
	bool latch = f->flags & KSRTP_FWD_FLAGS_LATCH;

	if (!plain_in && (addr || port || latch)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "rx-remote and latch are for a plain-in forward");
		return -EINVAL;
	}
	if (!plain_in)
		return 0;
	if (!!addr != !!port || latch == !!addr) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a plain-in forward takes rx-remote-addr and rx-remote-port, or latch");
		return -EINVAL;
	}
	if (latch)
		return 0;
	f->src.port = htons(nla_get_u16(port));
	f->src_set = true;
	return ksrtp_nl_fwd_addr(info, addr, &f->src);
}

/* The destination: an address the TX socket can send to, and a port. */
static int ksrtp_nl_fwd_dst(struct genl_info *info, struct ksrtp_fwd *f)
{
	struct nlattr *a = info->attrs[KSRTP_A_FWD_REMOTE_ADDR];
	struct sock *sk = f->tx->sk;
	struct ksrtp_ctx_id *d = &f->dst;

	d->port = htons(nla_get_u16(info->attrs[KSRTP_A_FWD_REMOTE_PORT]));
	if (!d->port) {
		KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_FWD_REMOTE_PORT],
			       "remote-port 0");
		return -EINVAL;
	}
	if (ksrtp_nl_fwd_addr(info, a, d))
		return -EINVAL;
	if (!ksrtp_fwd_can_reach(sk, d)) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "the TX socket cannot send to this address family");
		return -EAFNOSUPPORT;
	}
	if (!inet_sk(sk)->inet_num) {
		KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_FWD_TX_SOCK_COOKIE],
			       "the TX socket is not bound to a port");
		return -EINVAL;
	}
	return 0;
}

static int ksrtp_nl_fwd_parse(struct genl_info *info, struct ksrtp_fwd *f)
{
	struct nlattr **attrs = info->attrs;

	f->rx = ksrtp_nl_fwd_sock(info, KSRTP_A_FWD_RX_SOCK_COOKIE);
	if (!f->rx)
		return -ENOENT;
	f->tx = ksrtp_nl_fwd_sock(info, KSRTP_A_FWD_TX_SOCK_COOKIE);
	if (!f->tx)
		return -ENOENT;
	f->any = nla_get_flag(attrs[KSRTP_A_FWD_SSRC_ANY]);
	if (f->any == !!attrs[KSRTP_A_FWD_SSRC]) {
		NL_SET_ERR_MSG_MOD(info->extack, "give ssrc or ssrc-any, one of them");
		return -EINVAL;
	}
	if (f->any && attrs[KSRTP_A_FWD_SSRC_OUT]) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_FWD_SSRC_OUT],
			       "an ssrc-any forward keeps each stream's SSRC");
		return -EINVAL;
	}
	if (!f->any)
		f->rw.ssrc_in = nla_get_u32(attrs[KSRTP_A_FWD_SSRC]);
	f->rw.ssrc_out = attrs[KSRTP_A_FWD_SSRC_OUT] ?
			 nla_get_u32(attrs[KSRTP_A_FWD_SSRC_OUT]) : f->rw.ssrc_in;
	if (attrs[KSRTP_A_FWD_SEQ_OFFSET])
		f->rw.seq_offset = nla_get_u16(attrs[KSRTP_A_FWD_SEQ_OFFSET]);
	if (attrs[KSRTP_A_FWD_TS_OFFSET])
		f->rw.ts_offset = nla_get_u32(attrs[KSRTP_A_FWD_TS_OFFSET]);
	if (attrs[KSRTP_A_FWD_FLAGS])
		f->flags = nla_get_u32(attrs[KSRTP_A_FWD_FLAGS]);
	if (attrs[KSRTP_A_FWD_IDLE_TIMEOUT_MS])
		f->idle_timeout_ms = nla_get_u32(attrs[KSRTP_A_FWD_IDLE_TIMEOUT_MS]);
	if (attrs[KSRTP_A_FWD_PT_FILTER]) {
		f->pt_filter = true;
		nla_memcpy(f->pt_allow, attrs[KSRTP_A_FWD_PT_FILTER],
			   sizeof(f->pt_allow));
	}
	return ksrtp_nl_fwd_src(info, f) ?: ksrtp_nl_fwd_dst(info, f);
}

int ksrtp_nl_fwd_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ksrtp_fwd *f;
	struct sk_buff *msg;
	void *hdr;
	int err;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_RX_SOCK_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_TX_SOCK_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_REMOTE_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_REMOTE_PORT))
		return -EINVAL;
	f = ksrtp_fwd_alloc();
	if (!f)
		return -ENOMEM;
	err = ksrtp_nl_fwd_parse(info, f);
	if (err)
		goto err_free;
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto err_free;
	err = ksrtp_fwd_insert(f, info->extack);
	if (err) {
		nlmsg_free(msg);
		goto err_free;
	}
	id = f->id;	/* f is the table's now: a detach may free it */
	hdr = genlmsg_put_reply(msg, info, &ksrtp_nl_family, 0,
				KSRTP_CMD_FWD_ADD);
	if (!hdr || nla_put_u32(msg, KSRTP_A_FWD_ID, id)) {
		ksrtp_fwd_delete(genl_info_net(info), id);
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	ksrtp_fwd_free(f);
	return err;
}

int ksrtp_nl_fwd_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_ID))
		return -EINVAL;
	if (ksrtp_fwd_delete(genl_info_net(info),
			     nla_get_u32(info->attrs[KSRTP_A_FWD_ID]))) {
		KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_FWD_ID],
			       "no forward with this id");
		return -ENOENT;
	}
	return 0;
}

static const u16 ksrtp_fwd_stat_attr[KSRTP_FS_MAX] = {
	[KSRTP_FS_PACKETS] = KSRTP_A_FWD_STATS_PACKETS,
	[KSRTP_FS_BYTES] = KSRTP_A_FWD_STATS_BYTES,
	[KSRTP_FS_RTCP_PACKETS] = KSRTP_A_FWD_STATS_RTCP_PACKETS,
	[KSRTP_FS_RTCP_BYTES] = KSRTP_A_FWD_STATS_RTCP_BYTES,
	[KSRTP_FS_PT_DROP] = KSRTP_A_FWD_STATS_PT_DROP,
	[KSRTP_FS_TX_NO_CTX] = KSRTP_A_FWD_STATS_TX_NO_CTX,
	[KSRTP_FS_TX_DROP] = KSRTP_A_FWD_STATS_TX_DROP,
	[KSRTP_FS_SRC_MISMATCH] = KSRTP_A_FWD_STATS_SRC_MISMATCH,
	[KSRTP_FS_DEST_PACKETS] = KSRTP_A_FWD_STATS_DEST_PACKETS,
};

static int ksrtp_nl_put_fwd_stats(struct sk_buff *msg, struct ksrtp_fwd *f)
{
	u64 st[KSRTP_FS_MAX];
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, KSRTP_A_FWD_STATS);
	if (!nest)
		return -EMSGSIZE;
	ksrtp_fwd_stats_read(f, st);
	for (i = 0; i < KSRTP_FS_MAX; i++)
		if (nla_put_u64_64bit(msg, ksrtp_fwd_stat_attr[i], st[i],
				      KSRTP_A_FWD_STATS_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, KSRTP_A_FWD_STATS_IDLE_MS,
			      jiffies_to_msecs(jiffies - READ_ONCE(f->last)),
			      KSRTP_A_FWD_STATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int ksrtp_nl_put_fwd_ssrc(struct sk_buff *msg, struct ksrtp_fwd *f)
{
	return f->any ? nla_put_flag(msg, KSRTP_A_FWD_SSRC_ANY) :
			nla_put_u32(msg, KSRTP_A_FWD_SSRC, f->rw.ssrc_in);
}

/* The bound or latched source of a plain-in forward, once there is one. */
static int ksrtp_nl_put_fwd_src(struct sk_buff *msg, struct ksrtp_fwd *f)
{
	/* pairs with the latch's store: src is whole once src_set is seen */
	if (!smp_load_acquire(&f->src_set))
		return 0;
	return nla_put(msg, KSRTP_A_FWD_RX_REMOTE_ADDR,
		       f->src.family == AF_INET ? 4 : 16, &f->src.addr) ||
	       nla_put_u16(msg, KSRTP_A_FWD_RX_REMOTE_PORT, ntohs(f->src.port));
}

/* The encrypt-once destinations, one dest nest each; ksrtp_fwd_lock held. */
static int ksrtp_nl_put_fwd_dests(struct sk_buff *msg, struct ksrtp_fwd *f)
{
	const struct ksrtp_fwd_dests *ds = rcu_dereference_protected(f->dests, 1);
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; ds && i < ds->n; i++) {
		nest = nla_nest_start(msg, KSRTP_A_FWD_DEST);
		if (!nest ||
		    nla_put(msg, KSRTP_A_FWD_DEST_ADDR,
			    ds->d[i].family == AF_INET ? 4 : 16, &ds->d[i].addr) ||
		    nla_put_u16(msg, KSRTP_A_FWD_DEST_PORT, ntohs(ds->d[i].port)))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

struct ksrtp_fwd_fill {
	struct sk_buff *msg;
	u32 portid, seq;
	int flags;
	unsigned long done;
};

static int ksrtp_nl_fill_fwd(struct ksrtp_fwd *f, void *arg)
{
	struct ksrtp_fwd_fill *d = arg;
	struct sk_buff *msg = d->msg;
	void *hdr;

	hdr = genlmsg_put(msg, d->portid, d->seq, &ksrtp_nl_family, d->flags,
			  KSRTP_CMD_FWD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KSRTP_A_FWD_ID, f->id) ||
	    nla_put_u64_64bit(msg, KSRTP_A_FWD_RX_SOCK_COOKIE, f->rx->cookie,
			      KSRTP_A_FWD_PAD) ||
	    ksrtp_nl_put_fwd_ssrc(msg, f) ||
	    nla_put_u64_64bit(msg, KSRTP_A_FWD_TX_SOCK_COOKIE, f->tx->cookie,
			      KSRTP_A_FWD_PAD) ||
	    nla_put(msg, KSRTP_A_FWD_REMOTE_ADDR,
		    f->dst.family == AF_INET ? 4 : 16, &f->dst.addr) ||
	    nla_put_u16(msg, KSRTP_A_FWD_REMOTE_PORT, ntohs(f->dst.port)) ||
	    nla_put_u32(msg, KSRTP_A_FWD_SSRC_OUT, f->rw.ssrc_out) ||
	    nla_put_u16(msg, KSRTP_A_FWD_SEQ_OFFSET, f->rw.seq_offset) ||
	    nla_put_u32(msg, KSRTP_A_FWD_TS_OFFSET, f->rw.ts_offset) ||
	    nla_put_u32(msg, KSRTP_A_FWD_FLAGS, f->flags) ||
	    nla_put_u32(msg, KSRTP_A_FWD_IDLE_TIMEOUT_MS, f->idle_timeout_ms) ||
	    (f->pt_filter && nla_put(msg, KSRTP_A_FWD_PT_FILTER,
				     sizeof(f->pt_allow), f->pt_allow)) ||
	    ksrtp_nl_put_fwd_src(msg, f) || ksrtp_nl_put_fwd_dests(msg, f) ||
	    ksrtp_nl_put_fwd_stats(msg, f)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	d->done++;
	return 0;
}

int ksrtp_nl_fwd_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ksrtp_fwd_fill d = {
		.portid = info->snd_portid, .seq = info->snd_seq,
	};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_ID))
		return -EINVAL;
	d.msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!d.msg)
		return -ENOMEM;
	err = ksrtp_fwd_get(genl_info_net(info),
			    nla_get_u32(info->attrs[KSRTP_A_FWD_ID]),
			    ksrtp_nl_fill_fwd, &d);
	if (err) {
		if (err == -ENOENT)
			KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_FWD_ID],
				       "no forward with this id");
		nlmsg_free(d.msg);
		return err;
	}
	return genlmsg_reply(d.msg, info);
}

/* Dumps resume by skipping the forwards already sent (cb->args[0]). */
int ksrtp_nl_fwd_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *rx = ksrtp_dump_attrs(cb)[KSRTP_A_FWD_RX_SOCK_COOKIE];
	struct ksrtp_fwd_fill d = {
		.msg = skb, .portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq, .flags = NLM_F_MULTI,
	};

	ksrtp_fwd_for_each(sock_net(skb->sk), rx ? nla_get_u64(rx) : 0,
			   cb->args[0], ksrtp_nl_fill_fwd, &d);
	cb->args[0] += d.done;
	return d.done ? skb->len : 0;
}

/* The idle scan found f silent for its timeout; ksrtp_fwd_lock held. */
void ksrtp_nl_notify_fwd_idle(struct ksrtp_fwd *f)
{
	struct net *net = sock_net(f->rx->sk);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&ksrtp_nl_family, net, KSRTP_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ksrtp_nl_family, 0, KSRTP_CMD_FWD_IDLE_NTF);
	if (!hdr || nla_put_u32(msg, KSRTP_A_FWD_ID, f->id) ||
	    nla_put_u64_64bit(msg, KSRTP_A_FWD_RX_SOCK_COOKIE, f->rx->cookie,
			      KSRTP_A_FWD_PAD) ||
	    ksrtp_nl_put_fwd_ssrc(msg, f) ||
	    nla_put_u64_64bit(msg, KSRTP_A_FWD_TX_SOCK_COOKIE, f->tx->cookie,
			      KSRTP_A_FWD_PAD) ||
	    ksrtp_nl_put_fwd_stats(msg, f)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	ksrtp_nl_multicast(net, msg);
}

/* One dest nest of a request into d. */
static int ksrtp_nl_fwd_dest_parse(struct genl_info *info, struct nlattr *a,
				   struct ksrtp_ctx_id *d)
{
	struct nlattr *tb[KSRTP_A_FWD_DEST_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KSRTP_A_FWD_DEST_MAX, a,
			       ksrtp_fwd_dest_nl_policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, a, tb, KSRTP_A_FWD_DEST_ADDR) ||
	    NL_REQ_ATTR_CHECK(info->extack, a, tb, KSRTP_A_FWD_DEST_PORT))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->port = htons(nla_get_u16(tb[KSRTP_A_FWD_DEST_PORT]));
	if (!d->port) {
		KSRTP_ERR_ATTR(info->extack, tb[KSRTP_A_FWD_DEST_PORT], "port 0");
		return -EINVAL;
	}
	return ksrtp_nl_fwd_addr(info, tb[KSRTP_A_FWD_DEST_ADDR], d) ? -EINVAL : 0;
}

/* fwd-dest-add, fwd-dest-del: every dest nest of the request, all or none. */
static int ksrtp_nl_fwd_dest(struct genl_info *info, bool add)
{
	struct ksrtp_ctx_id *d;
	unsigned int n = 0;
	struct nlattr *a;
	int rem, err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_FWD_DEST))
		return -EINVAL;
	d = kcalloc(KSRTP_FWD_DESTS_PER_REQ, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != KSRTP_A_FWD_DEST)
			continue;
		if (n == KSRTP_FWD_DESTS_PER_REQ) {
			KSRTP_ERR_ATTR(info->extack, a, "more than 64 destinations");
			err = -E2BIG;
			break;
		}
		err = ksrtp_nl_fwd_dest_parse(info, a, &d[n++]);
		if (err)
			break;
	}
	if (!err)
		err = ksrtp_fwd_dest_change(genl_info_net(info),
					    nla_get_u32(info->attrs[KSRTP_A_FWD_ID]),
					    d, n, add, info->extack);
	kfree(d);
	return err;
}

int ksrtp_nl_fwd_dest_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ksrtp_nl_fwd_dest(info, true);
}

int ksrtp_nl_fwd_dest_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ksrtp_nl_fwd_dest(info, false);
}
