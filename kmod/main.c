// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp: SRTP/SRTCP for UDP sockets owned by userspace.
 *
 * Module entry points only; each concern lives in its own file.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "main.h"
#include "netlink.h"

static int __init ksrtp_init(void)
{
	int err;

	err = ksrtp_nl_register();
	if (err)
		return err;

	pr_info("ksrtp %s loaded (netlink family %s v%d)\n", KSRTP_VERSION,
		KSRTP_FAMILY_NAME, KSRTP_FAMILY_VERSION);
	return 0;
}

static void __exit ksrtp_exit(void)
{
	ksrtp_nl_unregister();
}

module_init(ksrtp_init);
module_exit(ksrtp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ksrtp developers");
MODULE_DESCRIPTION("SRTP/SRTCP (RFC 3711, 6188, 7714) on userspace UDP sockets");
MODULE_VERSION(KSRTP_VERSION);
MODULE_ALIAS_GENL_FAMILY(KSRTP_FAMILY_NAME);
