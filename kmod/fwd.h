/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_FWD_H
#define _KSRTP_FWD_H

#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "context.h"
#include "rtp.h"

struct ksrtp_sock;
struct netlink_ext_ack;
struct sk_buff;

/* Forwards per receiving socket: fan-out of 64 per SSRC for 1,000 SSRCs */
#define KSRTP_FWD_MAX_PER_SOCK	65536

enum ksrtp_fwd_stat {
	KSRTP_FS_PACKETS, KSRTP_FS_BYTES, KSRTP_FS_RTCP_PACKETS,
	KSRTP_FS_RTCP_BYTES, KSRTP_FS_PT_DROP, KSRTP_FS_TX_NO_CTX,
	KSRTP_FS_TX_DROP, KSRTP_FS_SRC_MISMATCH, KSRTP_FS_DEST_PACKETS,
	KSRTP_FS_MAX
};

struct ksrtp_fwd_stats {
	struct u64_stats_sync syncp;
	u64_stats_t c[KSRTP_FS_MAX];
};

/* Encrypt-once: more destinations of the packet protected once. */
#define KSRTP_FWD_MAX_DESTS	1024
/* ... and in one fwd-dest-add or fwd-dest-del */
#define KSRTP_FWD_DESTS_PER_REQ	64

struct ksrtp_fwd_dests {
	struct rcu_head rcu;
	unsigned int n;
	struct ksrtp_ctx_id d[];
};

/*
 * One stream (or, any, every stream without a forward of its own) relayed
 * from an RX socket to a destination through a TX socket. Both sockets are
 * held; either one's detach deletes the forward (ksrtp_fwd_sock_gone). Read
 * under RCU by RX; written under ksrtp_fwd_lock.
 */
struct ksrtp_fwd {
	struct rhlist_head node;	/* rx->fwds, by SSRC */
	struct list_head any_node;	/* rx->fwd_any, an any-SSRC forward's */
	struct list_head list;		/* every forward, under ksrtp_fwd_lock */
	u32 id;
	u32 flags;			/* enum ksrtp_fwd_flags */
	bool any;			/* every SSRC no forward of its own takes */
	struct ksrtp_sock *rx;
	struct ksrtp_sock *tx;
	struct ksrtp_ctx_id dst;	/* family, addr and port */
	struct ksrtp_fwd_dests __rcu *dests;	/* fwd-dest-add's, or NULL */
	struct ksrtp_rewrite rw;	/* rw.ssrc_in: the SSRC it forwards */
	bool pt_filter;
	u8 pt_allow[16];		/* bit pt % 8 of byte pt / 8 */
	/* plain-in: the source taken, bound at fwd-add or latched */
	spinlock_t latch_lock;
	bool src_set;
	struct ksrtp_ctx_id src;
	unsigned long last;		/* jiffies: the last packet, or the add */
	u32 idle_timeout_ms;		/* fwd-idle-ntf after this long, 0: never */
	bool idle_sent;			/* for this idle period (ksrtp_fwd_lock) */
	struct ksrtp_fwd_stats __percpu *stats;
	struct rcu_work free_work;
};

extern const struct rhashtable_params ksrtp_fwd_params;

struct ksrtp_fwd *ksrtp_fwd_alloc(void);
void ksrtp_fwd_free(struct ksrtp_fwd *f);
int ksrtp_fwd_insert(struct ksrtp_fwd *f, struct netlink_ext_ack *extack);
int ksrtp_fwd_delete(struct net *net, u32 id);
bool ksrtp_fwd_can_reach(const struct sock *sk, const struct ksrtp_ctx_id *d);
int ksrtp_fwd_dest_change(struct net *net, u32 id, const struct ksrtp_ctx_id *d,
			  unsigned int n, bool add, struct netlink_ext_ack *extack);
void ksrtp_fwd_sock_gone(struct ksrtp_sock *ks);
void ksrtp_fwd_stats_read(struct ksrtp_fwd *f, u64 *out);
/* Call fn for the forwards of net (of one RX socket if rx_cookie), skipping
 * the first skip, under ksrtp_fwd_lock; stop on nonzero.
 */
int ksrtp_fwd_for_each(struct net *net, u64 rx_cookie, unsigned long skip,
		       int (*fn)(struct ksrtp_fwd *f, void *arg), void *arg);
int ksrtp_fwd_get(struct net *net, u32 id,
		  int (*fn)(struct ksrtp_fwd *f, void *arg), void *arg);

void ksrtp_fwd_exit(void);
void ksrtp_nl_notify_fwd_idle(struct ksrtp_fwd *f);

/*
 * RX, softirq: true if forwards consumed the datagram, which authenticated
 * (plain false) or which no RX context matched (plain: plain-in forwards).
 */
bool ksrtp_fwd_rx(struct ksrtp_sock *ks, struct sk_buff *skb, bool rtcp,
		  bool plain);

#endif /* _KSRTP_FWD_H */
