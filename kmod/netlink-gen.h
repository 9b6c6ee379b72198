/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#ifndef _KSRTP_NETLINK_GEN_H
#define _KSRTP_NETLINK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/ksrtp.h>

extern const struct nla_policy ksrtp_key_nl_policy[KSRTP_A_KEY_MAX + 1];
extern const struct nla_policy ksrtp_fwd_dest_nl_policy[KSRTP_A_FWD_DEST_MAX + 1];

int ksrtp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_sock_get_dumpit(struct sk_buff *skb,
			     struct netlink_callback *cb);
int ksrtp_nl_sock_send_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_ctx_new_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_ctx_del_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_ctx_get_dumpit(struct sk_buff *skb,
			    struct netlink_callback *cb);
int ksrtp_nl_ctx_dump_done(struct netlink_callback *cb);
int ksrtp_nl_key_add_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_sock_set_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_fwd_add_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_fwd_del_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_fwd_get_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_fwd_get_dumpit(struct sk_buff *skb,
			    struct netlink_callback *cb);
int ksrtp_nl_fwd_dest_add_doit(struct sk_buff *skb, struct genl_info *info);
int ksrtp_nl_fwd_dest_del_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	KSRTP_NLGRP_EVENTS,
};

extern const struct genl_ops ksrtp_nl_ops[17];
extern const struct genl_multicast_group ksrtp_nl_mcgrps[1];

#endif /* _KSRTP_NETLINK_GEN_H */
