/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_NETLINK_H
#define _KSRTP_NETLINK_H

#include <linux/types.h>
#include <net/genetlink.h>

/* NL_SET_ERR_MSG_ATTR with the module prefix NL_SET_ERR_MSG_MOD gives */
#define KSRTP_ERR_ATTR(extack, attr, msg) \
	NL_SET_ERR_MSG_ATTR(extack, attr, KBUILD_MODNAME ": " msg)

extern struct genl_family ksrtp_nl_family;

struct net;
struct sk_buff;
struct ksrtp_sock;
struct ksrtp_ctx;
struct ksrtp_ctx_id;

/* A context's identity into msg: its socket's cookie, direction, SSRC, peer. */
int ksrtp_nl_put_id(struct sk_buff *msg, u64 cookie, const struct ksrtp_ctx_id *id);

int ksrtp_nl_register(void);
void ksrtp_nl_unregister(void);

void ksrtp_nl_multicast(struct net *net, struct sk_buff *msg);
void ksrtp_nl_notify_detach(struct net *net, u64 cookie, u32 reason);
void ksrtp_nl_notify_limit(struct ksrtp_sock *ks, struct ksrtp_ctx *ctx,
			   u32 key_id, u32 limit);
void ksrtp_nl_notify_learned(struct ksrtp_sock *ks,
			     const struct ksrtp_ctx_id *id,
			     const struct ksrtp_ctx_id *remote);
int ksrtp_nl_upcall(struct ksrtp_sock *ks, struct sk_buff *skb);

#endif /* _KSRTP_NETLINK_H */
