/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_SOCKET_H
#define _KSRTP_SOCKET_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/u64_stats_sync.h>
#include <net/sock.h>

/* Our value in udp_sk(sk)->encap_type; any value no other user takes. */
#define KSRTP_UDP_ENCAP		0xb7

enum ksrtp_sock_stat {
	KSRTP_SS_RX_PACKETS, KSRTP_SS_RX_SRTP, KSRTP_SS_RX_SRTCP,
	KSRTP_SS_RX_STUN, KSRTP_SS_RX_DTLS, KSRTP_SS_RX_ZRTP, KSRTP_SS_RX_TURN,
	KSRTP_SS_RX_OTHER, KSRTP_SS_RX_NO_CTX, KSRTP_SS_RX_MALFORMED,
	KSRTP_SS_RX_UPCALL, KSRTP_SS_RX_UPCALL_DROPS, KSRTP_SS_RX_LEARN_DROPS,
	KSRTP_SS_TX_PACKETS, KSRTP_SS_TX_SRTP, KSRTP_SS_TX_SRTCP,
	KSRTP_SS_TX_PASSTHROUGH, KSRTP_SS_TX_NO_CTX, KSRTP_SS_TX_REFUSED,
	KSRTP_SS_RX_ASYNC, KSRTP_SS_RX_ASYNC_DROPS, KSRTP_SS_TX_ASYNC,
	KSRTP_SS_RX_FORWARDED, KSRTP_SS_RX_PLAIN,
	KSRTP_SS_MAX
};

struct ksrtp_sock_stats {
	struct u64_stats_sync syncp;
	u64_stats_t c[KSRTP_SS_MAX];
};

struct ksrtp_sock {
	struct sock *sk;	/* held (sock_hold) until ks is freed */
	u64 cookie;
	struct proto *orig_prot;
	/* set by sock-attach and sock-set (conf_lock), read locklessly */
	u32 upcall;		/* enum ksrtp_upcall */
	u32 upcall_portid;
	u32 max_learned;
	u32 plain_rtp;		/* enum ksrtp_plain_rtp */
	bool rx_keyed;		/* an RX context was installed once */
	atomic_t n_learned;
	atomic_t n_ctx;
	atomic_t n_bound;	/* contexts bound to a remote address */
	atomic_t n_any;		/* any-SSRC templates */
	struct rhashtable ctxs;
	struct rhltable tx_ssrc;	/* TX contexts by SSRC */
	struct rhltable fwds;		/* forwards of received SSRCs */
	struct list_head fwd_any;	/* any-SSRC forwards (RCU) */
	atomic_t n_fwd;
	struct mutex conf_lock;	/* contexts and keys: writers */
	struct mutex tx_lock;	/* the TX bounce buffer */
	struct mutex send_lock;	/* sock-send against detach */
	u8 *txbuf;
	unsigned int txbuf_size;
	struct ksrtp_sock_stats __percpu *stats;
	refcount_t refs;
	bool attached;		/* set under ksrtp_socks_lock and send_lock */
	struct hlist_node hnode;
	struct rcu_work free_work;
};

static inline void ksrtp_sock_stat_add(struct ksrtp_sock *ks,
				       enum ksrtp_sock_stat i, u64 n)
{
	struct ksrtp_sock_stats *s = get_cpu_ptr(ks->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->c[i], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(ks->stats);
}

static inline void ksrtp_sock_stat_inc(struct ksrtp_sock *ks,
				       enum ksrtp_sock_stat i)
{
	ksrtp_sock_stat_add(ks, i, 1);
}

void ksrtp_sock_stats_read(struct ksrtp_sock *ks, u64 *out);

int ksrtp_sock_attach(struct net *net, int fd, u32 portid, u32 upcall,
		      u32 max_learned, u32 plain_rtp, u64 *cookie,
		      struct netlink_ext_ack *extack);
int ksrtp_sock_detach(struct net *net, u64 cookie);
struct ksrtp_sock *ksrtp_sock_get(struct net *net, u64 cookie);
void ksrtp_sock_put(struct ksrtp_sock *ks);
/* Call fn for each socket of net but the first skip, under the table
 * lock; stop on nonzero.
 */
int ksrtp_sock_for_each(struct net *net, unsigned long skip,
			int (*fn)(struct ksrtp_sock *ks, void *arg), void *arg);
void ksrtp_sock_detach_all(void);
int ksrtp_sock_send(struct net *net, u64 cookie, struct sockaddr_storage *to,
		    const void *data, unsigned int len,
		    struct netlink_ext_ack *extack);

int ksrtp_udp_encap_recv(struct sock *sk, struct sk_buff *skb);
int ksrtp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
const struct proto *ksrtp_base_proto(const struct sock *sk);
void ksrtp_txbuf_free(struct ksrtp_sock *ks);
int ksrtp_hook_enter(void);
void ksrtp_hook_exit(int idx);

#endif /* _KSRTP_SOCKET_H */
