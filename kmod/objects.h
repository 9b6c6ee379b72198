/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_OBJECTS_H
#define _KSRTP_OBJECTS_H

#include <linux/atomic.h>

/*
 * Live objects by kind, allocated and not yet freed (RCU-deferred frees
 * included until they run), read from debugfs (ksrtp/objects): how tests
 * see that teardown left nothing behind on kernels without kmemleak.
 */
enum ksrtp_obj {
	KSRTP_OBJ_SOCK,
	KSRTP_OBJ_KEYRING,
	KSRTP_OBJ_CTX,
	KSRTP_OBJ_KEY,
	KSRTP_OBJ_FWD,
	__KSRTP_OBJ_MAX
};

extern atomic_long_t ksrtp_objects[__KSRTP_OBJ_MAX];

static inline void ksrtp_obj_new(enum ksrtp_obj kind)
{
	atomic_long_inc(&ksrtp_objects[kind]);
}

static inline void ksrtp_obj_gone(enum ksrtp_obj kind)
{
	atomic_long_dec(&ksrtp_objects[kind]);
}

void ksrtp_debugfs_init(void);
void ksrtp_debugfs_exit(void);

#endif /* _KSRTP_OBJECTS_H */
