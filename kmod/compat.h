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
 * the request. Requests complete in ksrtp_crypto_done(data, err).
 */
void ksrtp_crypto_done(void *data, int err);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define ksrtp_crypto_completion ksrtp_crypto_done
#else
static inline void ksrtp_crypto_completion(struct crypto_async_request *req,
					   int err)
{
	ksrtp_crypto_done(req->data, err);
}
#endif

/*
 * RX finishes a packet whose crypto completed asynchronously by queueing it
 * to the socket as UDP does, with __udp_enqueue_schedule_skb() (exported
 * since 4.10). Since IPv6's helpers are exported only to a modular IPv6
 * (EXPORT_IPV6_MOD, 6.15), kernels with IPv6 built in (Debian's 7.3) do
 * not export it: Kbuild looks for it in the target's Module.symvers, and
 * without it RX asks the crypto API for synchronous transforms only.
 */
#ifdef KSRTP_HAVE_UDP_ENQUEUE
#define KSRTP_RX_ASYNC	true
#include <net/udp.h>

static inline int ksrtp_udp_enqueue(struct sock *sk, struct sk_buff *skb)
{
	return __udp_enqueue_schedule_skb(sk, skb);
}
#else
#define KSRTP_RX_ASYNC	false

static inline int ksrtp_udp_enqueue(struct sock *sk, struct sk_buff *skb)
{
	return -EOPNOTSUPP;	/* not reached: RX transforms are synchronous */
}
#endif

/*
 * The f8 template (crypto_f8.c) drives its block cipher by crypto_cipher,
 * which the API exports in the CRYPTO_INTERNAL namespace to templates, as
 * crypto/ctr.c imports it. 6.13 made MODULE_IMPORT_NS take a string. (The
 * lskcipher type of 6.7 changes nothing here: "aes" stays a cipher and
 * skcipher templates keep working.)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define KSRTP_IMPORT_CRYPTO_INTERNAL MODULE_IMPORT_NS("CRYPTO_INTERNAL")
#else
#define KSRTP_IMPORT_CRYPTO_INTERNAL MODULE_IMPORT_NS(CRYPTO_INTERNAL)
#endif

/*
 * Test only (force_async): the asynchronous wrappers to try, in order, for
 * an AEAD. 6.1's self-test of cryptd(gcm_base(...)) fails with a warning,
 * so 6.1 takes pcrypt; 6.12's passes, and cryptd comes first there because
 * pcrypt's padata makes lockdep report recursive locking on 6.12.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define KSRTP_AEAD_ASYNC_WRAPPERS { "cryptd", "pcrypt" }
#else
#define KSRTP_AEAD_ASYNC_WRAPPERS { "pcrypt" }
#endif

/*
 * A forward's datagram leaves by the UDP tunnel helpers. 6.17 gave both an
 * IP control-block flags argument (multicast routing of the underlay);
 * before 6.12 the IPv6 one took non-const addresses and returned an int.
 * No tunnel device: a NULL dev (and skb->dev, fwd.c) keeps them from
 * counting the packet in a device's per-CPU tunnel stats.
 */
#include <net/udp_tunnel.h>

static inline void ksrtp_udp_tunnel_xmit4(struct rtable *rt, struct sock *sk,
					  struct sk_buff *skb, __be32 src,
					  __be32 dst, u8 tos, u8 ttl,
					  __be16 sport, __be16 dport,
					  bool nocheck)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, 0, sport, dport,
			    false, nocheck, 0);
#else
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, 0, sport, dport,
			    false, nocheck);
#endif
}

#if IS_ENABLED(CONFIG_IPV6)
static inline void ksrtp_udp_tunnel_xmit6(struct dst_entry *dst,
					  struct sock *sk, struct sk_buff *skb,
					  struct in6_addr *saddr,
					  struct in6_addr *daddr, u8 ttl,
					  __be16 sport, __be16 dport,
					  bool nocheck)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	udp_tunnel6_xmit_skb(dst, sk, skb, NULL, saddr, daddr, 0, ttl, 0,
			     sport, dport, nocheck, 0);
#else
	udp_tunnel6_xmit_skb(dst, sk, skb, NULL, saddr, daddr, 0, ttl, 0,
			     sport, dport, nocheck);
#endif
}
#endif

#endif /* _KSRTP_COMPAT_H */
