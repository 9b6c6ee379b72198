// SPDX-License-Identifier: GPL-2.0
/*
 * Counts of live objects, in debugfs for tests and debugging: not an API
 * (the netlink family is), and absent where debugfs is.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "objects.h"

atomic_long_t ksrtp_objects[__KSRTP_OBJ_MAX];

static struct dentry *ksrtp_debugfs_dir;

static const char *const ksrtp_obj_names[__KSRTP_OBJ_MAX] = {
	[KSRTP_OBJ_SOCK] = "sockets",
	[KSRTP_OBJ_KEYRING] = "keyrings",
	[KSRTP_OBJ_CTX] = "contexts",
	[KSRTP_OBJ_KEY] = "keys",
	[KSRTP_OBJ_FWD] = "forwards",
};

static int ksrtp_objects_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < __KSRTP_OBJ_MAX; i++)
		seq_printf(m, "%s %ld\n", ksrtp_obj_names[i],
			   atomic_long_read(&ksrtp_objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ksrtp_objects);

void ksrtp_debugfs_init(void)
{
	/* debugfs failures are not errors: the module works without it */
	ksrtp_debugfs_dir = debugfs_create_dir("ksrtp", NULL);
	debugfs_create_file("objects", 0400, ksrtp_debugfs_dir, NULL,
			    &ksrtp_objects_fops);
}

void ksrtp_debugfs_exit(void)
{
	debugfs_remove_recursive(ksrtp_debugfs_dir);
}
