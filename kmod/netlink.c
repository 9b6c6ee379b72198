// SPDX-License-Identifier: GPL-2.0
/*
 * The ksrtp generic netlink family: registration and command handlers.
 * Policies and the op table are generated from netlink/ksrtp.yaml.
 */

#include <net/genetlink.h>

#include "main.h"
#include "netlink.h"
#include "netlink-gen.h"

/* Features this build implements, reported by info-get. */
#define KSRTP_FEATURES_ALL	(KSRTP_FEATURE_INFO)

static struct genl_family ksrtp_nl_family;

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
	    nla_put_u32(msg, KSRTP_A_INFO_FEATURES, KSRTP_FEATURES_ALL))
		goto nospace;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static struct genl_family ksrtp_nl_family __ro_after_init = {
	.name		= KSRTP_FAMILY_NAME,
	.version	= KSRTP_FAMILY_VERSION,
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
