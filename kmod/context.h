/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_CONTEXT_H
#define _KSRTP_CONTEXT_H

#include <linux/bits.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/in6.h>
#include <linux/workqueue.h>

#include "crypto.h"
#include "replay.h"

struct ksrtp_sock;
struct netlink_ext_ack;
struct sk_buff;

#define KSRTP_KEY_SOFT_SENT	0	/* soft-limit notification sent */
#define KSRTP_KEY_HARD_SENT	1	/* hard-limit notification sent */

#define KSRTP_SRTP_HARD_LIMIT	BIT_ULL(48)
#define KSRTP_SRTCP_HARD_LIMIT	BIT_ULL(31)

/* One master key with its derived session keys; read under RCU. */
struct ksrtp_key {
	struct rcu_work free_work;
	u32 id;
	u8 mki[KSRTP_MAX_MKI_LEN];
	struct ksrtp_crypto crypto;
	atomic64_t srtp_packets;
	atomic64_t srtcp_packets;
	unsigned long flags;
	u8 crypto_tail[] __aligned(8);	/* ksrtp_crypto_tail_size() */
};

/*
 * The master keys of a context. A template shares its ring with the
 * contexts it learns, so a rekey of the template rekeys them all. Writers
 * hold the socket's conf_lock.
 */
struct ksrtp_keyring {
	refcount_t refs;
	spinlock_t learn_lock;	/* learning against the template's ctx-del */
	struct rcu_work free_work;
	const struct ksrtp_suite_info *suite;
	bool dead;		/* template deleted: learn nothing more */
	bool rx;		/* an RX keyring: its transforms run in softirq */
	u8 mki_len;
	u8 kdr_log2;		/* KDR 2^kdr_log2, 0: KDR 0 */
	u32 flags;		/* enum ksrtp_ctx_flags */
	u64 soft_limit;
	u8 nkeys;		/* keys[] in use: RX keeps a copy to try several */
	struct ksrtp_key __rcu *keys[KSRTP_MAX_KEYS];
	struct ksrtp_key __rcu *active;
};

/* Hash key of a context. */
struct ksrtp_ctx_id {
	u32 ssrc;
	u8 dir;
	u8 any;		/* an any-SSRC template */
	u8 family;	/* AF_INET/AF_INET6 if bound to a remote, else 0 */
	u8 pad;
	__be16 port;
	u8 pad2[2];
	struct in6_addr addr;	/* IPv4 as the first four bytes */
};

struct ksrtp_ctx_stats {
	u64 packets, bytes, rtcp_packets, rtcp_bytes;
	u64 auth_fail, replay_drop, rtcp_auth_fail, rtcp_replay_drop;
	u64 malformed, unknown_mki, roc_rollover, index_reuse;
	u64 limit_drop, limit_events;
	u64 kdr_pending;	/* the KDR epoch's keys were not derived yet */
};

struct ksrtp_ctx {
	struct rhash_head node;
	struct rhlist_head tx_node;	/* TX contexts by SSRC (ks->tx_ssrc) */
	struct ksrtp_ctx_id id;
	struct ksrtp_keyring *ring;
	u8 origin;		/* enum ksrtp_ctx_origin */
	bool seq_known;		/* the first packet's SEQ need not be guessed */
	bool cached;		/* from ksrtp_ctx_cache (the default window) */
	u32 window;
	spinlock_t lock;	/* replay state, TX indices and stats */
	struct ksrtp_ctx_stats st;
	u32 rtcp_tx_index;
	struct ksrtp_replay *rtp;
	struct ksrtp_replay *rtcp;
	struct rcu_head rcu;
	u64 replay_mem[];
};

extern const struct rhashtable_params ksrtp_ctx_params;
extern const struct rhashtable_params ksrtp_tx_ssrc_params;

struct ksrtp_keyring *ksrtp_keyring_new(const struct ksrtp_suite_info *suite,
					bool rx, u8 mki_len, u32 flags,
					u64 soft_limit, u8 kdr_log2);
void ksrtp_keyring_put(struct ksrtp_keyring *ring);
int ksrtp_keyring_add(struct ksrtp_keyring *ring, u32 id, const u8 *mkey,
		      unsigned int mkey_len, const u8 *msalt,
		      unsigned int msalt_len, const u8 *mki,
		      unsigned int mki_len, const struct ksrtp_kdr_params *at,
		      struct netlink_ext_ack *extack);
int ksrtp_keyring_swap(struct ksrtp_keyring *ring, u32 id,
		       struct netlink_ext_ack *extack);
int ksrtp_keyring_del(struct ksrtp_keyring *ring, u32 id,
		      struct netlink_ext_ack *extack);
struct ksrtp_key *ksrtp_keyring_find_mki(struct ksrtp_keyring *ring,
					 const u8 *mki);
void ksrtp_keyring_kill(struct ksrtp_keyring *ring);

struct ksrtp_ctx *ksrtp_ctx_alloc(const struct ksrtp_ctx_id *id,
				  struct ksrtp_keyring *ring, u8 origin,
				  u32 window, u32 roc, int seq, gfp_t gfp);
void ksrtp_ctx_free_rcu(struct ksrtp_ctx *ctx);
void ksrtp_ctx_free_now(void *ptr, void *arg);
void ksrtp_ctx_kdr_at(struct ksrtp_ctx *ctx, struct ksrtp_kdr_params *at);
struct ksrtp_ctx *ksrtp_ctx_learn_insert(struct ksrtp_sock *ks,
					 struct ksrtp_ctx *ctx);

/* The SRTP index of a packet with this SEQ; ctx->lock held. */
static inline u64 ksrtp_ctx_index(const struct ksrtp_ctx *ctx, u16 seq)
{
	if (!ctx->rtp->any && !ctx->seq_known)
		return (ctx->rtp->top & ~0xffffULL) | seq;
	return ksrtp_index_guess(ctx->rtp->top, seq);
}

void ksrtp_skb_remote(const struct sk_buff *skb, struct ksrtp_ctx_id *r);
struct ksrtp_ctx *ksrtp_ctx_lookup(struct ksrtp_sock *ks, u8 dir, u32 ssrc,
				   const struct ksrtp_ctx_id *remote);

void ksrtp_defer_free(struct rcu_work *work);
void ksrtp_defer_done(void);
int ksrtp_wq_init(void);
void ksrtp_wq_exit(void);
extern struct workqueue_struct *ksrtp_wq;

#endif /* _KSRTP_CONTEXT_H */
