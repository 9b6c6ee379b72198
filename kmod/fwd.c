// SPDX-License-Identifier: GPL-2.0
/*
 * Relay: streams forwarded from one attached socket to a destination
 * through another, inside the kernel. A packet RX accepted (plain by now)
 * is rewritten, protected with the TX socket's context for the new SSRC and
 * sent as that socket's datagram with the UDP tunnel helpers, so the
 * application never wakes for it. Replay and authentication were checked
 * on the way in exactly as for the application's own packets.
 */

#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/xarray.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "fwd.h"
#include "objects.h"
#include "op.h"
#include "socket.h"
#include "tx.h"

/* Writers of every forward table, and the list of all forwards. */
static DEFINE_MUTEX(ksrtp_fwd_lock);
static LIST_HEAD(ksrtp_fwds);
static DEFINE_XARRAY_ALLOC1(ksrtp_fwd_ids);
static u32 ksrtp_fwd_next_id;
/* Forwards with an idle timeout; the scan runs while there are any. */
static unsigned int ksrtp_fwd_timed;
static void ksrtp_fwd_idle_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(ksrtp_fwd_idle_work, ksrtp_fwd_idle_scan);
#define KSRTP_FWD_IDLE_TICK	(HZ / 4)

const struct rhashtable_params ksrtp_fwd_params = {
	.key_len		= sizeof(u32),
	.key_offset		= offsetof(struct ksrtp_fwd, rw.ssrc_in),
	.head_offset		= offsetof(struct ksrtp_fwd, node),
	.automatic_shrinking	= true,
};

static void ksrtp_fwd_free_work(struct work_struct *work)
{
	struct ksrtp_fwd *f = container_of(to_rcu_work(work), struct ksrtp_fwd,
					   free_work);

	ksrtp_async_wait();	/* a protect completing asynchronously uses it */
	ksrtp_fwd_free(f);
	ksrtp_defer_done();
}

struct ksrtp_fwd *ksrtp_fwd_alloc(void)
{
	struct ksrtp_fwd *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (!f)
		return NULL;
	f->stats = __netdev_alloc_pcpu_stats(struct ksrtp_fwd_stats,
					     GFP_KERNEL_ACCOUNT);
	if (!f->stats) {
		kfree(f);
		return NULL;
	}
	ksrtp_obj_new(KSRTP_OBJ_FWD);
	INIT_RCU_WORK(&f->free_work, ksrtp_fwd_free_work);
	spin_lock_init(&f->latch_lock);
	f->last = jiffies;
	return f;
}

/* Never inserted, or unlinked and past its readers: drop what it holds. */
void ksrtp_fwd_free(struct ksrtp_fwd *f)
{
	if (f->rx)
		ksrtp_sock_put(f->rx);
	if (f->tx)
		ksrtp_sock_put(f->tx);
	kfree(rcu_dereference_protected(f->dests, 1));
	free_percpu(f->stats);
	kfree(f);
	ksrtp_obj_gone(KSRTP_OBJ_FWD);
}

static void ksrtp_fwd_unlink(struct ksrtp_fwd *f)
{
	lockdep_assert_held(&ksrtp_fwd_lock);
	if (f->any)
		list_del_rcu(&f->any_node);
	else
		rhltable_remove(&f->rx->fwds, &f->node, ksrtp_fwd_params);
	atomic_dec(&f->rx->n_fwd);
	list_del(&f->list);
	xa_erase(&ksrtp_fwd_ids, f->id);
	if (f->idle_timeout_ms)
		ksrtp_fwd_timed--;
	ksrtp_defer_free(&f->free_work);
}

/*
 * Every tick while forwards have an idle timeout: fwd-idle-ntf once per
 * idle period (traffic again re-arms it). Under the lock, so neither the
 * forward nor its sockets go meanwhile.
 */
static void ksrtp_fwd_idle_scan(struct work_struct *work)
{
	unsigned long now = jiffies;
	struct ksrtp_fwd *f;
	bool idle;

	mutex_lock(&ksrtp_fwd_lock);
	list_for_each_entry(f, &ksrtp_fwds, list) {
		if (!f->idle_timeout_ms)
			continue;
		idle = time_after_eq(now, READ_ONCE(f->last) +
				     msecs_to_jiffies(f->idle_timeout_ms));
		if (idle && !f->idle_sent)
			ksrtp_nl_notify_fwd_idle(f);
		f->idle_sent = idle;
	}
	if (ksrtp_fwd_timed)
		queue_delayed_work(ksrtp_wq, &ksrtp_fwd_idle_work,
				   KSRTP_FWD_IDLE_TICK);
	mutex_unlock(&ksrtp_fwd_lock);
}

/* Module exit, every socket detached: no forward is left to scan. */
void ksrtp_fwd_exit(void)
{
	cancel_delayed_work_sync(&ksrtp_fwd_idle_work);
}

/*
 * Publish a forward whose sockets the caller holds. A socket detached
 * before this sees attached false; one detached after finds the forward in
 * the list (ksrtp_fwd_sock_gone takes the lock after clearing attached).
 */
int ksrtp_fwd_insert(struct ksrtp_fwd *f, struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&ksrtp_fwd_lock);
	err = -ENOENT;
	if (!READ_ONCE(f->rx->attached) || !READ_ONCE(f->tx->attached)) {
		NL_SET_ERR_MSG_MOD(extack, "a socket of the forward was detached");
		goto out;
	}
	err = -ENOSPC;
	if (atomic_read(&f->rx->n_fwd) >= KSRTP_FWD_MAX_PER_SOCK) {
		NL_SET_ERR_MSG_MOD(extack, "too many forwards on the receiving socket");
		goto out;
	}
	err = xa_alloc_cyclic(&ksrtp_fwd_ids, &f->id, f, xa_limit_32b,
			      &ksrtp_fwd_next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto out;
	if (f->any) {
		list_add_tail_rcu(&f->any_node, &f->rx->fwd_any);
	} else {
		err = rhltable_insert(&f->rx->fwds, &f->node, ksrtp_fwd_params);
		if (err) {
			xa_erase(&ksrtp_fwd_ids, f->id);
			goto out;
		}
	}
	err = 0;
	atomic_inc(&f->rx->n_fwd);
	list_add_tail(&f->list, &ksrtp_fwds);
	if (f->idle_timeout_ms && !ksrtp_fwd_timed++)
		queue_delayed_work(ksrtp_wq, &ksrtp_fwd_idle_work,
				   KSRTP_FWD_IDLE_TICK);
out:
	mutex_unlock(&ksrtp_fwd_lock);
	return err;
}

static bool ksrtp_fwd_in_net(const struct ksrtp_fwd *f, const struct net *net)
{
	return net_eq(sock_net(f->rx->sk), net);
}

int ksrtp_fwd_delete(struct net *net, u32 id)
{
	struct ksrtp_fwd *f;
	int err = -ENOENT;

	mutex_lock(&ksrtp_fwd_lock);
	f = xa_load(&ksrtp_fwd_ids, id);
	if (f && ksrtp_fwd_in_net(f, net)) {
		ksrtp_fwd_unlink(f);
		err = 0;
	}
	mutex_unlock(&ksrtp_fwd_lock);
	return err;
}

/* Whether sk can send to d's address family (and is bound to a port). */
bool ksrtp_fwd_can_reach(const struct sock *sk, const struct ksrtp_ctx_id *d)
{
	if (d->family == AF_INET6 && sk->sk_family != AF_INET6)
		return false;
	if (d->family == AF_INET && sk->sk_family == AF_INET6 &&
	    ipv6_only_sock(sk))
		return false;
	return true;
}

static bool ksrtp_fwd_same_dst(const struct ksrtp_ctx_id *a,
			       const struct ksrtp_ctx_id *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* A copy of old with d added or removed, or an ERR_PTR (NULL: none left). */
static struct ksrtp_fwd_dests *ksrtp_fwd_dests_edit(const struct ksrtp_fwd_dests *old,
						    const struct ksrtp_ctx_id *d,
						    bool add,
						    struct netlink_ext_ack *extack)
{
	unsigned int n = old ? old->n : 0, i, at = n;
	struct ksrtp_fwd_dests *new;

	for (i = 0; i < n; i++)
		if (ksrtp_fwd_same_dst(&old->d[i], d))
			at = i;
	if (add && at < n) {
		NL_SET_ERR_MSG_MOD(extack, "the forward has this destination");
		return ERR_PTR(-EEXIST);
	}
	if (!add && at == n) {
		NL_SET_ERR_MSG_MOD(extack, "the forward has no such destination");
		return ERR_PTR(-ENOENT);
	}
	if (add && n >= KSRTP_FWD_MAX_DESTS) {
		NL_SET_ERR_MSG_MOD(extack, "too many destinations on the forward");
		return ERR_PTR(-ENOSPC);
	}
	if (!add && n == 1)
		return NULL;
	new = kmalloc(struct_size(new, d, add ? n + 1 : n - 1), GFP_KERNEL_ACCOUNT);
	if (!new)
		return ERR_PTR(-ENOMEM);
	new->n = 0;
	for (i = 0; i < n; i++)
		if (i != at)
			new->d[new->n++] = old->d[i];
	if (add)
		new->d[new->n++] = *d;
	return new;
}

/* old with the n destinations d added or removed, all or none. */
static struct ksrtp_fwd_dests *ksrtp_fwd_dests_apply(struct ksrtp_fwd_dests *old,
						     const struct ksrtp_ctx_id *d,
						     unsigned int n, bool add,
						     struct netlink_ext_ack *extack)
{
	struct ksrtp_fwd_dests *cur = old, *next;
	unsigned int i;

	for (i = 0; i < n; i++) {
		next = ksrtp_fwd_dests_edit(cur, &d[i], add, extack);
		if (cur != old)
			kfree(cur);
		if (IS_ERR(next))
			return next;
		cur = next;
	}
	return cur;
}

/*
 * fwd-dest-add, fwd-dest-del of n destinations, all or none: readers see
 * the old list or the new one.
 */
int ksrtp_fwd_dest_change(struct net *net, u32 id, const struct ksrtp_ctx_id *d,
			  unsigned int n, bool add, struct netlink_ext_ack *extack)
{
	struct ksrtp_fwd_dests *old, *new;
	struct ksrtp_fwd *f;
	unsigned int i;
	int err = -ENOENT;

	mutex_lock(&ksrtp_fwd_lock);
	f = xa_load(&ksrtp_fwd_ids, id);
	if (!f || !ksrtp_fwd_in_net(f, net)) {
		NL_SET_ERR_MSG_MOD(extack, "no forward with this id");
		goto out;
	}
	err = -EAFNOSUPPORT;
	for (i = 0; add && i < n; i++) {
		if (!ksrtp_fwd_can_reach(f->tx->sk, &d[i])) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the TX socket cannot send to this address family");
			goto out;
		}
	}
	old = rcu_dereference_protected(f->dests, lockdep_is_held(&ksrtp_fwd_lock));
	new = ksrtp_fwd_dests_apply(old, d, n, add, extack);
	err = PTR_ERR_OR_ZERO(new);
	if (err)
		goto out;
	if (new == old)
		goto out;	/* n == 0: not reached, the request has one */
	rcu_assign_pointer(f->dests, new);
	if (old)
		kfree_rcu(old, rcu);
out:
	mutex_unlock(&ksrtp_fwd_lock);
	return err;
}

/* A socket is detaching: the forwards from it and through it go. */
void ksrtp_fwd_sock_gone(struct ksrtp_sock *ks)
{
	struct ksrtp_fwd *f, *tmp;

	mutex_lock(&ksrtp_fwd_lock);
	list_for_each_entry_safe(f, tmp, &ksrtp_fwds, list)
		if (f->rx == ks || f->tx == ks)
			ksrtp_fwd_unlink(f);
	mutex_unlock(&ksrtp_fwd_lock);
}

int ksrtp_fwd_for_each(struct net *net, u64 rx_cookie, unsigned long skip,
		       int (*fn)(struct ksrtp_fwd *f, void *arg), void *arg)
{
	struct ksrtp_fwd *f;
	int err = 0;

	mutex_lock(&ksrtp_fwd_lock);
	list_for_each_entry(f, &ksrtp_fwds, list) {
		if (!ksrtp_fwd_in_net(f, net) ||
		    (rx_cookie && f->rx->cookie != rx_cookie))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		err = fn(f, arg);
		if (err)
			break;
	}
	mutex_unlock(&ksrtp_fwd_lock);
	return err;
}

int ksrtp_fwd_get(struct net *net, u32 id,
		  int (*fn)(struct ksrtp_fwd *f, void *arg), void *arg)
{
	struct ksrtp_fwd *f;
	int err = -ENOENT;

	mutex_lock(&ksrtp_fwd_lock);
	f = xa_load(&ksrtp_fwd_ids, id);
	if (f && ksrtp_fwd_in_net(f, net))
		err = fn(f, arg);
	mutex_unlock(&ksrtp_fwd_lock);
	return err;
}

void ksrtp_fwd_stats_read(struct ksrtp_fwd *f, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * KSRTP_FS_MAX);
	for_each_possible_cpu(cpu) {
		struct ksrtp_fwd_stats *s = per_cpu_ptr(f->stats, cpu);
		u64 v[KSRTP_FS_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < KSRTP_FS_MAX; i++)
				v[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < KSRTP_FS_MAX; i++)
			out[i] += v[i];
	}
}

/* Add n to counter i, and m to counter j if j is not KSRTP_FS_MAX. */
static void ksrtp_fwd_count2(struct ksrtp_fwd *f, enum ksrtp_fwd_stat i, u64 n,
			     enum ksrtp_fwd_stat j, u64 m)
{
	struct ksrtp_fwd_stats *s = get_cpu_ptr(f->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->c[i], n);
	if (j < KSRTP_FS_MAX)
		u64_stats_add(&s->c[j], m);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(f->stats);
}

static void ksrtp_fwd_count(struct ksrtp_fwd *f, enum ksrtp_fwd_stat i, u64 n)
{
	ksrtp_fwd_count2(f, i, n, KSRTP_FS_MAX, 0);
}

/* IPv4 out of sk (an IPv4 or a dual-stack IPv6 socket); consumes skb. */
static int ksrtp_fwd_send4(const struct ksrtp_ctx_id *dst, struct sock *sk,
			   struct sk_buff *skb)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct flowi4 fl4 = {};
	struct rtable *rt;
	int err;

	if (sk->sk_family == AF_INET)
		fl4.saddr = inet->inet_rcv_saddr;
#if IS_ENABLED(CONFIG_IPV6)
	else if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))
		fl4.saddr = sk->sk_v6_rcv_saddr.s6_addr32[3];
#endif
	memcpy(&fl4.daddr, &dst->addr, 4);
	fl4.flowi4_oif = sk->sk_bound_dev_if;
	fl4.flowi4_mark = READ_ONCE(sk->sk_mark);
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.flowi4_uid = sock_net_uid(net, sk);
	fl4.fl4_sport = inet->inet_sport;
	fl4.fl4_dport = dst->port;
	rt = ip_route_output_flow(net, &fl4, sk);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			   rt->dst.header_len + sizeof(struct iphdr) +
			   sizeof(struct udphdr));
	if (err) {
		ip_rt_put(rt);
		kfree_skb(skb);
		return err;
	}
	ksrtp_udp_tunnel_xmit4(rt, sk, skb, fl4.saddr, fl4.daddr,
			       READ_ONCE(inet->tos), ip4_dst_hoplimit(&rt->dst),
			       inet->inet_sport, dst->port, sk->sk_no_check_tx);
	return 0;
}

/* IPv6 out of an IPv6 socket; consumes skb. */
static int ksrtp_fwd_send6(const struct ksrtp_ctx_id *dst, struct sock *sk,
			   struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct net *net = sock_net(sk);
	struct flowi6 fl6 = {};
	struct dst_entry *rt;
	int err;

	fl6.saddr = sk->sk_v6_rcv_saddr;
	fl6.daddr = dst->addr;
	fl6.flowi6_oif = sk->sk_bound_dev_if;
	fl6.flowi6_mark = READ_ONCE(sk->sk_mark);
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.flowi6_uid = sock_net_uid(net, sk);
	fl6.fl6_sport = inet_sk(sk)->inet_sport;
	fl6.fl6_dport = dst->port;
	rt = ip6_dst_lookup_flow(net, sk, &fl6, NULL);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dev) + rt->header_len +
			   sizeof(struct ipv6hdr) + sizeof(struct udphdr));
	if (err) {
		dst_release(rt);
		kfree_skb(skb);
		return err;
	}
	ksrtp_udp_tunnel_xmit6(rt, sk, skb, &fl6.saddr, &fl6.daddr,
			       ip6_dst_hoplimit(rt), inet_sk(sk)->inet_sport,
			       dst->port, udp_get_no_check6_tx(sk));
	return 0;
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

/*
 * The datagram (data at its protected payload) leaves as the TX socket's:
 * its addresses, mark and priority; nothing of the receive is kept (the
 * receive timestamp would read as a departure time to fq).
 */
static int ksrtp_fwd_send(struct ksrtp_fwd *f, struct sk_buff *skb,
			  const struct ksrtp_ctx_id *dst)
{
	struct sock *sk = f->tx->sk;

	skb_orphan(skb);
	skb_clear_tstamp(skb);
	/*
	 * skb->dev is still the device the packet came in on. udp_tunnel's
	 * xmit counts a non-NULL skb->dev as the tunnel device in its per-CPU
	 * tstats, which loopback, veth and NICs do not have: an out-of-bounds
	 * per-CPU write up to 6.12, a WARN in 7.x. The relay is no device.
	 */
	skb->dev = NULL;
	skb->mark = READ_ONCE(sk->sk_mark);
	skb->priority = READ_ONCE(sk->sk_priority);
	if (dst->family == AF_INET)
		return ksrtp_fwd_send4(dst, sk, skb);
	return ksrtp_fwd_send6(dst, sk, skb);
}

/* Encrypt-once: the protected packet to every fwd-dest-add destination. */
static void ksrtp_fwd_send_dests(struct ksrtp_fwd *f, struct sk_buff *skb)
{
	const struct ksrtp_fwd_dests *dests = rcu_dereference(f->dests);
	unsigned int i, sent = 0;
	struct sk_buff *c;

	for (i = 0; dests && i < dests->n; i++) {
		c = skb_copy(skb, GFP_ATOMIC);
		if (c && !ksrtp_fwd_send(f, c, &dests->d[i]))
			sent++;
		else
			ksrtp_fwd_count(f, KSRTP_FS_TX_DROP, 1);
	}
	if (sent)
		ksrtp_fwd_count(f, KSRTP_FS_DEST_PACKETS, sent);
}

/* The protect gave n (the new length, or -errno): send, count. */
static void ksrtp_fwd_sent(struct ksrtp_fwd *f, struct sk_buff *skb,
			   unsigned int plain, bool rtcp, int n)
{
	unsigned long now = jiffies;

	if (n < 0) {
		/* out of resources, or a TX context that would not protect */
		ksrtp_fwd_count(f, n == -ENOMEM || n == -EBUSY || n == -ENOBUFS ?
				KSRTP_FS_TX_DROP : KSRTP_FS_TX_NO_CTX, 1);
		kfree_skb(skb);
		return;
	}
	__skb_put(skb, n - skb->len);
	ksrtp_fwd_send_dests(f, skb);
	if (ksrtp_fwd_send(f, skb, &f->dst)) {
		ksrtp_fwd_count(f, KSRTP_FS_TX_DROP, 1);
		return;
	}
	/* one update section a packet: this is the relay's hot path */
	ksrtp_fwd_count2(f, rtcp ? KSRTP_FS_RTCP_PACKETS : KSRTP_FS_PACKETS, 1,
			 rtcp ? KSRTP_FS_RTCP_BYTES : KSRTP_FS_BYTES, plain);
	if (READ_ONCE(f->last) != now)
		WRITE_ONCE(f->last, now);
}

static void ksrtp_fwd_done(struct ksrtp_crypto_op *cop, int res)
{
	struct ksrtp_op *op = container_of(cop, struct ksrtp_op, cop);

	op->async_res = res;
	if (!atomic_dec_and_test(&op->pending))
		return;		/* the submitter goes on */
	local_bh_disable();
	rcu_read_lock();
	ksrtp_fwd_sent(op->fwd, op->skb, op->plain_len, op->pkt.rtcp, res);
	rcu_read_unlock();
	local_bh_enable();
	ksrtp_op_put(op);
	ksrtp_async_end();
}

static bool ksrtp_fwd_pt_allowed(const struct ksrtp_fwd *f, const u8 *p)
{
	u8 pt = p[1] & 0x7f;

	return !f->pt_filter || (f->pt_allow[pt / 8] & BIT(pt % 8));
}

/* A plain stream's source: the bound one, or the first one seen (latch). */
static bool ksrtp_fwd_src_ok(struct ksrtp_fwd *f, const struct sk_buff *skb)
{
	struct ksrtp_ctx_id src;

	ksrtp_skb_remote(skb, &src);
	/* pairs with the release below: once src_set is seen, src is whole */
	if (!smp_load_acquire(&f->src_set)) {
		spin_lock(&f->latch_lock);
		if (!f->src_set) {
			f->src = src;
			/* src before the flag, for the lockless readers */
			smp_store_release(&f->src_set, true);
		}
		spin_unlock(&f->latch_lock);
	}
	if (src.family == f->src.family && src.port == f->src.port &&
	    !memcmp(&src.addr, &f->src.addr, sizeof(src.addr)))
		return true;
	ksrtp_fwd_count(f, KSRTP_FS_SRC_MISMATCH, 1);
	return false;
}

/* Rewrite, protect and send the plain datagram (data at its UDP header). */
static void ksrtp_fwd_out(struct ksrtp_fwd *f, struct sk_buff *skb, bool rtcp,
			  u32 ssrc)
{
	struct ksrtp_rewrite rw = f->rw;
	static const struct ksrtp_tx_how how = {
		.done = ksrtp_fwd_done,
		.atomic = true,	/* and no backlog: a full cryptd queue drops */
	};
	struct ksrtp_op *op = NULL;
	unsigned int plain;
	u64 spent;
	int n;

	__skb_pull(skb, sizeof(struct udphdr));
	if (!rtcp && !ksrtp_fwd_pt_allowed(f, skb->data)) {
		ksrtp_fwd_count(f, KSRTP_FS_PT_DROP, 1);
		consume_skb(skb);
		return;
	}
	if (!READ_ONCE(f->tx->attached) ||
	    (skb_tailroom(skb) < KSRTP_TRAILER_MAX &&
	     pskb_expand_head(skb, 0, KSRTP_TRAILER_MAX, GFP_ATOMIC))) {
		ksrtp_fwd_count(f, KSRTP_FS_TX_DROP, 1);
		kfree_skb(skb);
		return;
	}
	if (f->any) {	/* each stream keeps its SSRC */
		rw.ssrc_in = ssrc;
		rw.ssrc_out = ssrc;
	}
	if (rtcp)
		ksrtp_rtcp_rewrite(skb->data, skb->len, &rw);
	else
		ksrtp_rtp_rewrite(skb->data, &rw);
	plain = skb->len;
	if (f->flags & KSRTP_FWD_FLAGS_PLAIN_OUT) {
		ksrtp_fwd_sent(f, skb, plain, rtcp, plain);
		return;
	}
	n = ksrtp_tx_protect(f->tx, &f->dst, skb->data, plain, rtcp, &how, &op,
			     &spent);
	if (n == -EINPROGRESS) {
		ksrtp_sock_stat_inc(f->tx, KSRTP_SS_TX_ASYNC);
		op->skb = skb;
		op->fwd = f;
		op->plain_len = plain;
		op->pkt.rtcp = rtcp;
		if (!atomic_dec_and_test(&op->pending))
			return;		/* the completion sends it */
		n = op->async_res;
		ksrtp_fwd_sent(f, skb, plain, rtcp, n);
		ksrtp_op_put(op);
		ksrtp_async_end();
		return;
	}
	ksrtp_fwd_sent(f, skb, plain, rtcp, n);
}

/* Another destination of a fanned-out packet gets its own copy. */
static void ksrtp_fwd_copy_out(struct ksrtp_fwd *f, struct sk_buff *skb,
			       bool rtcp, u32 ssrc)
{
	struct sk_buff *c = skb_copy_expand(skb, skb_headroom(skb),
					    KSRTP_TRAILER_MAX, GFP_ATOMIC);

	if (!c) {
		ksrtp_fwd_count(f, KSRTP_FS_TX_DROP, 1);
		return;
	}
	ksrtp_fwd_out(f, c, rtcp, ssrc);
}

/* Whether f takes this packet: its kind (plain or not) and source. */
static bool ksrtp_fwd_takes(struct ksrtp_fwd *f, const struct sk_buff *skb,
			    bool plain)
{
	/* an authenticated stream's forward never takes plain packets */
	if (!!(f->flags & KSRTP_FWD_FLAGS_PLAIN_IN) != plain)
		return false;
	return !plain || ksrtp_fwd_src_ok(f, skb);
}

/* Fan-out state of one packet: every taker but the last gets a copy. */
struct ksrtp_fwd_walk {
	struct ksrtp_fwd *last;
	bool to_app;
};

static void ksrtp_fwd_walk_one(struct ksrtp_fwd_walk *w, struct ksrtp_fwd *f,
			       struct sk_buff *skb, bool rtcp, u32 ssrc)
{
	if (f->flags & KSRTP_FWD_FLAGS_COPY_TO_APP)
		w->to_app = true;
	if (w->last)
		ksrtp_fwd_copy_out(w->last, skb, rtcp, ssrc);
	w->last = f;
}

/*
 * RX, under RCU: the datagram authenticated (or, plain, matched no RX
 * context) and is plain now (data at its UDP header, linear, ours). The
 * forwards of its SSRC take it, else the socket's any-SSRC forwards. The
 * last one takes the skb itself unless the application is to read it too.
 */
bool ksrtp_fwd_rx(struct ksrtp_sock *ks, struct sk_buff *skb, bool rtcp,
		  bool plain)
{
	const u8 *p = skb->data + sizeof(struct udphdr);
	struct ksrtp_fwd_walk w = { NULL, false };
	struct rhlist_head *list, *pos;
	struct ksrtp_fwd *f;
	u32 ssrc;

	/* RX parsed it: an RTP header has 12 bytes, RTCP at least 8 */
	ssrc = ksrtp_get_be32(p + (rtcp ? 4 : 8));
	list = rhltable_lookup(&ks->fwds, &ssrc, ksrtp_fwd_params);
	rhl_for_each_entry_rcu(f, pos, list, node)
		if (ksrtp_fwd_takes(f, skb, plain))
			ksrtp_fwd_walk_one(&w, f, skb, rtcp, ssrc);
	if (!w.last)
		list_for_each_entry_rcu(f, &ks->fwd_any, any_node)
			if (ksrtp_fwd_takes(f, skb, plain))
				ksrtp_fwd_walk_one(&w, f, skb, rtcp, ssrc);
	if (!w.last)
		return false;
	if (w.to_app) {
		ksrtp_fwd_copy_out(w.last, skb, rtcp, ssrc);
		return false;
	}
	if (!plain)
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_FORWARDED);
	ksrtp_fwd_out(w.last, skb, rtcp, ssrc);
	return true;
}
