// SPDX-License-Identifier: GPL-2.0
/*
 * The ksrtp generic netlink family: registration, info and socket commands,
 * notifications and upcalls (contexts and keys: ctx_nl.c; the relay:
 * fwd_nl.c). Policies and the op table are generated from
 * netlink/ksrtp.yaml; handlers check what policies cannot (required and
 * mutually exclusive attributes) with an extack message each.
 */

#include <linux/module.h>
#include <linux/udp.h>
#include <crypto/algapi.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "context.h"
#include "crypto.h"
#include "main.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "socket.h"

#define KSRTP_FEATURES_ALL (KSRTP_FEATURE_INFO | KSRTP_FEATURE_SOCK |	\
			    KSRTP_FEATURE_CTX | KSRTP_FEATURE_MKI |	\
			    KSRTP_FEATURE_SSRC_ANY |			\
			    KSRTP_FEATURE_REMOTE_BIND |			\
			    KSRTP_FEATURE_UPCALL | KSRTP_FEATURE_IPV6 |	\
			    KSRTP_FEATURE_SOCK_SET | KSRTP_FEATURE_FWD |	\
			    (KSRTP_RX_ASYNC ? KSRTP_FEATURE_RX_ASYNC : 0))

#define KSRTP_MAX_LEARNED_DEFAULT	256

int ksrtp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &ksrtp_nl_family, 0,
				KSRTP_CMD_INFO_GET);
	if (!hdr)
		goto nospace;

	if (nla_put_u32(msg, KSRTP_A_INFO_VERSION, KSRTP_FAMILY_VERSION) ||
	    nla_put_string(msg, KSRTP_A_INFO_MODULE_VERSION, KSRTP_VERSION) ||
	    nla_put_u32(msg, KSRTP_A_INFO_FEATURES, KSRTP_FEATURES_ALL) ||
	    nla_put_u32(msg, KSRTP_A_INFO_SUITES, ksrtp_suites_available()) ||
	    nla_put_string(msg, KSRTP_A_INFO_GCM_DRIVER,
			   ksrtp_crypto_driver(KSRTP_CIPHER_GCM)) ||
	    nla_put_string(msg, KSRTP_A_INFO_CTR_DRIVER,
			   ksrtp_crypto_driver(KSRTP_CIPHER_CTR)) ||
	    nla_put_string(msg, KSRTP_A_INFO_F8_DRIVER,
			   ksrtp_crypto_driver(KSRTP_CIPHER_F8)))
		goto nospace;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ------------------------------------------------------------- sockets */

int ksrtp_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 upcall = 0, max_learned = KSRTP_MAX_LEARNED_DEFAULT, plain_rtp = 0;
	struct nlattr **attrs = info->attrs;
	struct sk_buff *msg;
	u64 cookie;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_FD))
		return -EINVAL;
	if (attrs[KSRTP_A_SOCK_UPCALL])
		upcall = nla_get_u32(attrs[KSRTP_A_SOCK_UPCALL]);
	if (attrs[KSRTP_A_SOCK_MAX_LEARNED])
		max_learned = nla_get_u32(attrs[KSRTP_A_SOCK_MAX_LEARNED]);
	if (attrs[KSRTP_A_SOCK_PLAIN_RTP])
		plain_rtp = nla_get_u32(attrs[KSRTP_A_SOCK_PLAIN_RTP]);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = ksrtp_sock_attach(genl_info_net(info),
				nla_get_u32(attrs[KSRTP_A_SOCK_FD]),
				info->snd_portid, upcall, max_learned, plain_rtp, &cookie,
				info->extack);
	if (err)
		goto err_free;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &ksrtp_nl_family, 0,
				KSRTP_CMD_SOCK_ATTACH);
	if (!hdr || nla_put_u64_64bit(msg, KSRTP_A_SOCK_COOKIE, cookie,
				      KSRTP_A_SOCK_PAD)) {
		ksrtp_sock_detach(genl_info_net(info), cookie);
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

int ksrtp_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_COOKIE))
		return -EINVAL;
	err = ksrtp_sock_detach(genl_info_net(info),
				nla_get_u64(info->attrs[KSRTP_A_SOCK_COOKIE]));
	if (err)
		KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_SOCK_COOKIE],
			       "no attached socket with this cookie");
	return err;
}

static const u16 ksrtp_sock_stat_attr[KSRTP_SS_MAX] = {
	[KSRTP_SS_RX_PACKETS] = KSRTP_A_SOCK_STATS_RX_PACKETS,
	[KSRTP_SS_RX_SRTP] = KSRTP_A_SOCK_STATS_RX_SRTP,
	[KSRTP_SS_RX_SRTCP] = KSRTP_A_SOCK_STATS_RX_SRTCP,
	[KSRTP_SS_RX_STUN] = KSRTP_A_SOCK_STATS_RX_STUN,
	[KSRTP_SS_RX_DTLS] = KSRTP_A_SOCK_STATS_RX_DTLS,
	[KSRTP_SS_RX_ZRTP] = KSRTP_A_SOCK_STATS_RX_ZRTP,
	[KSRTP_SS_RX_TURN] = KSRTP_A_SOCK_STATS_RX_TURN,
	[KSRTP_SS_RX_OTHER] = KSRTP_A_SOCK_STATS_RX_OTHER,
	[KSRTP_SS_RX_NO_CTX] = KSRTP_A_SOCK_STATS_RX_NO_CTX,
	[KSRTP_SS_RX_MALFORMED] = KSRTP_A_SOCK_STATS_RX_MALFORMED,
	[KSRTP_SS_RX_UPCALL] = KSRTP_A_SOCK_STATS_RX_UPCALL,
	[KSRTP_SS_RX_UPCALL_DROPS] = KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS,
	[KSRTP_SS_RX_LEARN_DROPS] = KSRTP_A_SOCK_STATS_RX_LEARN_DROPS,
	[KSRTP_SS_TX_PACKETS] = KSRTP_A_SOCK_STATS_TX_PACKETS,
	[KSRTP_SS_TX_SRTP] = KSRTP_A_SOCK_STATS_TX_SRTP,
	[KSRTP_SS_TX_SRTCP] = KSRTP_A_SOCK_STATS_TX_SRTCP,
	[KSRTP_SS_TX_PASSTHROUGH] = KSRTP_A_SOCK_STATS_TX_PASSTHROUGH,
	[KSRTP_SS_TX_NO_CTX] = KSRTP_A_SOCK_STATS_TX_NO_CTX,
	[KSRTP_SS_TX_REFUSED] = KSRTP_A_SOCK_STATS_TX_REFUSED,
	[KSRTP_SS_RX_ASYNC] = KSRTP_A_SOCK_STATS_RX_ASYNC,
	[KSRTP_SS_RX_ASYNC_DROPS] = KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS,
	[KSRTP_SS_TX_ASYNC] = KSRTP_A_SOCK_STATS_TX_ASYNC,
	[KSRTP_SS_RX_FORWARDED] = KSRTP_A_SOCK_STATS_RX_FORWARDED,
	[KSRTP_SS_RX_PLAIN] = KSRTP_A_SOCK_STATS_RX_PLAIN,
};

static int ksrtp_nl_fill_sock(struct sk_buff *msg, struct ksrtp_sock *ks,
			      u32 portid, u32 seq, int flags)
{
	u64 st[KSRTP_SS_MAX];
	struct nlattr *nest;
	void *hdr;
	int i;

	hdr = genlmsg_put(msg, portid, seq, &ksrtp_nl_family, flags,
			  KSRTP_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, KSRTP_A_SOCK_COOKIE, ks->cookie,
			      KSRTP_A_SOCK_PAD) ||
	    nla_put_u16(msg, KSRTP_A_SOCK_FAMILY, ks->sk->sk_family) ||
	    nla_put_u16(msg, KSRTP_A_SOCK_LOCAL_PORT, inet_sk(ks->sk)->inet_num) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_UPCALL, READ_ONCE(ks->upcall)) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_MAX_LEARNED,
			READ_ONCE(ks->max_learned)) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_UPCALL_PORTID,
			READ_ONCE(ks->upcall_portid)) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_N_CTX, atomic_read(&ks->n_ctx)) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_PLAIN_RTP, READ_ONCE(ks->plain_rtp)))
		goto cancel;
	nest = nla_nest_start(msg, KSRTP_A_SOCK_STATS);
	if (!nest)
		goto cancel;
	ksrtp_sock_stats_read(ks, st);
	for (i = 0; i < KSRTP_SS_MAX; i++)
		if (nla_put_u64_64bit(msg, ksrtp_sock_stat_attr[i], st[i],
				      KSRTP_A_SOCK_STATS_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int ksrtp_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ksrtp_sock *ks;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_COOKIE))
		return -EINVAL;
	ks = ksrtp_sock_get(genl_info_net(info),
			    nla_get_u64(info->attrs[KSRTP_A_SOCK_COOKIE]));
	if (!ks) {
		KSRTP_ERR_ATTR(info->extack, info->attrs[KSRTP_A_SOCK_COOKIE],
			       "no attached socket with this cookie");
		return -ENOENT;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (msg) {
		err = ksrtp_nl_fill_sock(msg, ks, info->snd_portid, info->snd_seq, 0);
		if (err)
			nlmsg_free(msg);
		else
			err = genlmsg_reply(msg, info);
	}
	ksrtp_sock_put(ks);
	return err;
}

/*
 * Change an attached socket. upcall also moves the upcalls to the requester's
 * netlink port: a restarted key daemon takes over its predecessor's sockets
 * (that port died with it). Writers serialise on conf_lock; the datapath
 * reads each field once, locklessly, so a datagram received during the
 * change may still see the previous flags or port.
 */
int ksrtp_nl_sock_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct ksrtp_sock *ks;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_COOKIE))
		return -EINVAL;
	if (!attrs[KSRTP_A_SOCK_UPCALL] && !attrs[KSRTP_A_SOCK_MAX_LEARNED] &&
	    !attrs[KSRTP_A_SOCK_PLAIN_RTP]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "nothing to set: give upcall, max-learned or plain-rtp");
		return -EINVAL;
	}
	ks = ksrtp_sock_get(genl_info_net(info),
			    nla_get_u64(attrs[KSRTP_A_SOCK_COOKIE]));
	if (!ks) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_SOCK_COOKIE],
			       "no attached socket with this cookie");
		return -ENOENT;
	}
	mutex_lock(&ks->conf_lock);
	if (attrs[KSRTP_A_SOCK_UPCALL]) {
		WRITE_ONCE(ks->upcall_portid, info->snd_portid);
		WRITE_ONCE(ks->upcall, nla_get_u32(attrs[KSRTP_A_SOCK_UPCALL]));
	}
	if (attrs[KSRTP_A_SOCK_MAX_LEARNED])
		WRITE_ONCE(ks->max_learned,
			   nla_get_u32(attrs[KSRTP_A_SOCK_MAX_LEARNED]));
	if (attrs[KSRTP_A_SOCK_PLAIN_RTP])
		WRITE_ONCE(ks->plain_rtp, nla_get_u32(attrs[KSRTP_A_SOCK_PLAIN_RTP]));
	mutex_unlock(&ks->conf_lock);
	ksrtp_sock_put(ks);
	return 0;
}

struct ksrtp_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned long done;
};

static int ksrtp_nl_dump_one_sock(struct ksrtp_sock *ks, void *arg)
{
	struct ksrtp_dump_ctx *d = arg;
	int err;

	err = ksrtp_nl_fill_sock(d->skb, ks, NETLINK_CB(d->cb->skb).portid,
				 d->cb->nlh->nlmsg_seq, NLM_F_MULTI);
	if (!err)
		d->done++;
	return err;
}

/* Dumps resume by skipping the sockets already sent (cb->args[0]). */
int ksrtp_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksrtp_dump_ctx d = { .skb = skb, .cb = cb };

	ksrtp_sock_for_each(sock_net(skb->sk), cb->args[0],
			    ksrtp_nl_dump_one_sock, &d);
	cb->args[0] += d.done;
	return d.done ? skb->len : 0;
}

int ksrtp_nl_sock_send_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct sockaddr_storage ss;
	int alen;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_REMOTE_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_REMOTE_PORT) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_SOCK_DATA))
		return -EINVAL;
	if (!nla_len(attrs[KSRTP_A_SOCK_DATA])) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_SOCK_DATA],
			       "empty datagram");
		return -EINVAL;
	}
	memset(&ss, 0, sizeof(ss));
	alen = nla_len(attrs[KSRTP_A_SOCK_REMOTE_ADDR]);
	if (alen == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(nla_get_u16(attrs[KSRTP_A_SOCK_REMOTE_PORT]));
		nla_memcpy(&sin->sin_addr, attrs[KSRTP_A_SOCK_REMOTE_ADDR], 4);
	} else if (alen == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(nla_get_u16(attrs[KSRTP_A_SOCK_REMOTE_PORT]));
		nla_memcpy(&sin6->sin6_addr, attrs[KSRTP_A_SOCK_REMOTE_ADDR], 16);
	} else {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_SOCK_REMOTE_ADDR],
			       "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	return ksrtp_sock_send(genl_info_net(info),
			       nla_get_u64(attrs[KSRTP_A_SOCK_COOKIE]), &ss,
			       nla_data(attrs[KSRTP_A_SOCK_DATA]),
			       nla_len(attrs[KSRTP_A_SOCK_DATA]), info->extack);
}

/* ------------------------------------------------ notifications, upcalls */

/* A context's identity: its socket's cookie, direction, SSRC, peer. */
int ksrtp_nl_put_id(struct sk_buff *msg, u64 cookie, const struct ksrtp_ctx_id *id)
{
	if (nla_put_u64_64bit(msg, KSRTP_A_CTX_SOCK_COOKIE, cookie,
			      KSRTP_A_CTX_PAD) ||
	    nla_put_u32(msg, KSRTP_A_CTX_DIR, id->dir))
		return -EMSGSIZE;
	if (id->any ? nla_put_flag(msg, KSRTP_A_CTX_SSRC_ANY) :
		      nla_put_u32(msg, KSRTP_A_CTX_SSRC, id->ssrc))
		return -EMSGSIZE;
	if (id->family &&
	    (nla_put(msg, KSRTP_A_CTX_REMOTE_ADDR,
		     id->family == AF_INET ? 4 : 16, &id->addr) ||
	     nla_put_u16(msg, KSRTP_A_CTX_REMOTE_PORT, ntohs(id->port))))
		return -EMSGSIZE;
	return 0;
}

void ksrtp_nl_multicast(struct net *net, struct sk_buff *msg)
{
	genlmsg_multicast_netns(&ksrtp_nl_family, net, msg, 0,
				KSRTP_NLGRP_EVENTS, GFP_ATOMIC);
}

void ksrtp_nl_notify_detach(struct net *net, u64 cookie, u32 reason)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&ksrtp_nl_family, net, KSRTP_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ksrtp_nl_family, 0,
			  KSRTP_CMD_SOCK_DETACH_NTF);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KSRTP_A_SOCK_COOKIE, cookie, KSRTP_A_SOCK_PAD) ||
	    nla_put_u32(msg, KSRTP_A_SOCK_REASON, reason)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	ksrtp_nl_multicast(net, msg);
}

void ksrtp_nl_notify_limit(struct ksrtp_sock *ks, struct ksrtp_ctx *ctx,
			   u32 key_id, u32 limit)
{
	struct net *net = sock_net(ks->sk);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&ksrtp_nl_family, net, KSRTP_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ksrtp_nl_family, 0,
			  KSRTP_CMD_CTX_LIMIT_NTF);
	if (!hdr || ksrtp_nl_put_id(msg, ks->cookie, &ctx->id) ||
	    nla_put_u32(msg, KSRTP_A_CTX_KEY_ID, key_id) ||
	    nla_put_u32(msg, KSRTP_A_CTX_LIMIT, limit)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	ksrtp_nl_multicast(net, msg);
}

void ksrtp_nl_notify_learned(struct ksrtp_sock *ks,
			     const struct ksrtp_ctx_id *id,
			     const struct ksrtp_ctx_id *remote)
{
	struct net *net = sock_net(ks->sk);
	struct ksrtp_ctx_id r = *id;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&ksrtp_nl_family, net, KSRTP_NLGRP_EVENTS))
		return;
	/* report where the packet came from, bound or not */
	r.family = remote->family;
	r.port = remote->port;
	r.addr = remote->addr;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ksrtp_nl_family, 0,
			  KSRTP_CMD_SSRC_LEARNED_NTF);
	if (!hdr || ksrtp_nl_put_id(msg, ks->cookie, &r)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	ksrtp_nl_multicast(net, msg);
}

/* Hand a DTLS/ZRTP datagram to ks's upcall port (sock-attach, sock-set). */
int ksrtp_nl_upcall(struct ksrtp_sock *ks, struct sk_buff *skb)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	struct ksrtp_ctx_id r;
	struct sk_buff *msg;
	struct nlattr *data;
	void *hdr;

	ksrtp_skb_remote(skb, &r);
	msg = genlmsg_new(nla_total_size(len) + 128, GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &ksrtp_nl_family, 0, KSRTP_CMD_UPCALL_NTF);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KSRTP_A_SOCK_COOKIE, ks->cookie, KSRTP_A_SOCK_PAD) ||
	    nla_put(msg, KSRTP_A_SOCK_REMOTE_ADDR, r.family == AF_INET ? 4 : 16,
		    &r.addr) ||
	    nla_put_u16(msg, KSRTP_A_SOCK_REMOTE_PORT, ntohs(r.port)))
		goto nospace;
	data = nla_reserve(msg, KSRTP_A_SOCK_DATA, len);
	if (!data || skb_copy_bits(skb, sizeof(struct udphdr), nla_data(data), len))
		goto nospace;
	genlmsg_end(msg, hdr);
	/* a port that is gone (its process died) fails: counted as a drop */
	return genlmsg_unicast(sock_net(ks->sk), msg,
			       READ_ONCE(ks->upcall_portid));

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

struct genl_family ksrtp_nl_family __ro_after_init = {
	.name		= KSRTP_FAMILY_NAME,
	.version	= KSRTP_FAMILY_VERSION,
	.maxattr	= 0,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ksrtp_nl_ops,
	.n_ops		= ARRAY_SIZE(ksrtp_nl_ops),
	.mcgrps		= ksrtp_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ksrtp_nl_mcgrps),
};

int __init ksrtp_nl_register(void)
{
	return genl_register_family(&ksrtp_nl_family);
}

void ksrtp_nl_unregister(void)
{
	genl_unregister_family(&ksrtp_nl_family);
}
