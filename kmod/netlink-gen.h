/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#ifndef _KSRTP_NETLINK_GEN_H
#define _KSRTP_NETLINK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/ksrtp.h>

int ksrtp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	KSRTP_NLGRP_EVENTS,
};

extern const struct genl_ops ksrtp_nl_ops[1];
extern const struct genl_multicast_group ksrtp_nl_mcgrps[1];

#endif /* _KSRTP_NETLINK_GEN_H */
