// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp: SRTP/SRTCP for UDP sockets owned by userspace.
 *
 * Module entry points only; each concern lives in its own file.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "context.h"
#include "crypto.h"
#include "fwd.h"
#include "main.h"
#include "op.h"
#include "netlink.h"
#include "objects.h"
#include "socket.h"

static int __init ksrtp_init(void)
{
	int err;

	err = ksrtp_crypto_load();
	if (err) {
		pr_err("ksrtp: the kernel's crypto cannot run SRTP (%d)\n", err);
		return err;
	}
	err = ksrtp_wq_init();
	if (err)
		goto err_crypto;
	err = ksrtp_ops_init();
	if (err)
		goto err_wq;
	err = ksrtp_nl_register();
	if (err)
		goto err_ops;
	ksrtp_debugfs_init();

	pr_info("ksrtp %s loaded (netlink family %s v%d, suites 0x%x)\n",
		KSRTP_VERSION, KSRTP_FAMILY_NAME, KSRTP_FAMILY_VERSION,
		ksrtp_suites_available());
	return 0;

err_ops:
	ksrtp_ops_exit();
err_wq:
	ksrtp_wq_exit();
err_crypto:
	ksrtp_crypto_unload();
	pr_err("ksrtp: not loaded (%d)\n", err);
	return err;
}

static void __exit ksrtp_exit(void)
{
	/* no new sockets, then none left and no CPU in our hooks */
	ksrtp_debugfs_exit();
	ksrtp_nl_unregister();
	ksrtp_sock_detach_all();
	ksrtp_fwd_exit();
	ksrtp_wq_exit();
	ksrtp_ops_exit();
	ksrtp_crypto_unload();
}

module_init(ksrtp_init);
module_exit(ksrtp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ksrtp developers");
MODULE_DESCRIPTION("SRTP/SRTCP (RFC 3711, 6188, 7714) on userspace UDP sockets");
MODULE_VERSION(KSRTP_VERSION);
MODULE_ALIAS_GENL_FAMILY(KSRTP_FAMILY_NAME);
