/* SPDX-License-Identifier: GPL-2.0 */
/* Differences between the kernels ksrtp supports (6.1 and later). */
#ifndef _KSRTP_COMPAT_H
#define _KSRTP_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/crypto.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* The request attributes of a dump. */
static inline struct nlattr **ksrtp_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* sendpage would bypass sendmsg; without it, it falls back to sendmsg */
static inline void ksrtp_proto_clear_sendpage(struct proto *p)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	p->sendpage = NULL;
#endif
}

/*
 * 6.3 made crypto_completion_t take the request's data pointer instead of
 * the request.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
typedef void ksrtp_crypto_done_arg_t;

static inline void *ksrtp_crypto_done_data(void *arg)
{
	return arg;
}
#else
typedef struct crypto_async_request ksrtp_crypto_done_arg_t;

static inline void *ksrtp_crypto_done_data(struct crypto_async_request *req)
{
	return req->data;
}
#endif

#endif /* _KSRTP_COMPAT_H */
