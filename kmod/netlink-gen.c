// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from netlink/ksrtp.yaml by netlink/ynl-gen.py */

#include "netlink-gen.h"

static const struct nla_policy ksrtp_info_get_nl_policy[KSRTP_A_INFO_MAX + 1] = {
};

const struct genl_ops ksrtp_nl_ops[1] = {
	{
		.cmd		= KSRTP_CMD_INFO_GET,
		.doit		= ksrtp_nl_info_get_doit,
		.policy		= ksrtp_info_get_nl_policy,
		.maxattr	= KSRTP_A_INFO_MAX,
	},
};

const struct genl_multicast_group ksrtp_nl_mcgrps[1] = {
	[KSRTP_NLGRP_EVENTS] = { .name = KSRTP_MCGRP_EVENTS, },
};
