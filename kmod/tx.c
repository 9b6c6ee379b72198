// SPDX-License-Identifier: GPL-2.0
/*
 * TX: SRTP/SRTCP protect in the socket's sendmsg. The datagram is copied
 * into the socket's bounce buffer, protected there and sent by UDP's own
 * sendmsg; the caller's msghdr is left as UDP would leave it.
 */

#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/ipv6.h>
#include <net/udp.h>

#include "compat.h"
#include "context.h"
#include "netlink.h"
#include "op.h"
#include "socket.h"
#include "tx.h"

#ifndef MSG_SPLICE_PAGES
#define MSG_SPLICE_PAGES 0
#endif

/* The destination of a send, for contexts bound to a remote. */
static void ksrtp_msg_remote(struct sock *sk, struct msghdr *msg,
			     struct ksrtp_ctx_id *r)
{
	memset(r, 0, sizeof(*r));
	if (msg->msg_name) {
		struct sockaddr_in *sin = msg->msg_name;
		struct sockaddr_in6 *sin6 = msg->msg_name;

		if (sin->sin_family == AF_INET &&
		    msg->msg_namelen >= sizeof(*sin)) {
			r->family = AF_INET;
			memcpy(&r->addr, &sin->sin_addr, 4);
			r->port = sin->sin_port;
		} else if (sin6->sin6_family == AF_INET6 &&
			   msg->msg_namelen >= sizeof(*sin6)) {
			r->port = sin6->sin6_port;
			if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
				r->family = AF_INET;
				memcpy(&r->addr, &sin6->sin6_addr.s6_addr32[3], 4);
			} else {
				r->family = AF_INET6;
				r->addr = sin6->sin6_addr;
			}
		}
		return;
	}
	if (sk->sk_state != TCP_ESTABLISHED)
		return;
	r->port = inet_sk(sk)->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		r->family = AF_INET6;
		r->addr = sk->sk_v6_daddr;
		return;
	}
#endif
	r->family = AF_INET;
	memcpy(&r->addr, &inet_sk(sk)->inet_daddr, 4);
}

/* A learned context for ssrc from a template's ring (its reference taken). */
static struct ksrtp_ctx *ksrtp_tx_learn_alloc(struct ksrtp_sock *ks,
					      struct ksrtp_keyring *ring,
					      const struct ksrtp_ctx_id *tid,
					      u32 window, u32 roc, u32 ssrc,
					      gfp_t gfp)
{
	struct ksrtp_ctx_id id = *tid;
	struct ksrtp_ctx *ctx;

	if (atomic_inc_return(&ks->n_learned) > READ_ONCE(ks->max_learned)) {
		atomic_dec(&ks->n_learned);
		ksrtp_keyring_put(ring);
		return ERR_PTR(-ENOSPC);
	}
	id.any = 0;
	id.ssrc = ssrc;
	ctx = ksrtp_ctx_alloc(&id, ring, KSRTP_CTX_ORIGIN_LEARNED, window, roc,
			      -1, gfp);
	if (!ctx) {
		atomic_dec(&ks->n_learned);
		ksrtp_keyring_put(ring);
		return ERR_PTR(-ENOMEM);
	}
	return ctx;
}

/*
 * A TX context learned from a template when the application first sends.
 * Drops RCU and bottom halves to allocate.
 */
static struct ksrtp_ctx *ksrtp_tx_learn(struct ksrtp_sock *ks,
					struct ksrtp_ctx *tmpl, u32 ssrc)
	__releases(RCU) __acquires(RCU)
{
	struct ksrtp_keyring *ring = tmpl->ring;
	struct ksrtp_ctx_id id = tmpl->id;
	u32 window = tmpl->window, roc = (u32)(tmpl->rtp->top >> 16);
	struct ksrtp_ctx *ctx, *old;

	if (!refcount_inc_not_zero(&ring->refs))
		return NULL;
	rcu_read_unlock();
	local_bh_enable();
	ctx = ksrtp_tx_learn_alloc(ks, ring, &id, window, roc, ssrc,
				   GFP_KERNEL_ACCOUNT);
	local_bh_disable();
	rcu_read_lock();
	if (IS_ERR(ctx))
		return ctx;
	old = ksrtp_ctx_learn_insert(ks, ctx);
	return old ? old : ctx;
}

/* The same in softirq (a forward's TX leg): nothing is dropped, nor sleeps. */
static struct ksrtp_ctx *ksrtp_tx_learn_atomic(struct ksrtp_sock *ks,
					       struct ksrtp_ctx *tmpl, u32 ssrc)
{
	struct ksrtp_ctx *ctx, *old;

	if (!refcount_inc_not_zero(&tmpl->ring->refs))
		return NULL;
	ctx = ksrtp_tx_learn_alloc(ks, tmpl->ring, &tmpl->id, tmpl->window,
				   (u32)(tmpl->rtp->top >> 16), ssrc,
				   GFP_ATOMIC);
	if (IS_ERR(ctx))
		return ctx;
	old = ksrtp_ctx_learn_insert(ks, ctx);
	return old ? old : ctx;
}

static void ksrtp_tx_done(struct ksrtp_crypto_op *cop, int res)
{
	struct ksrtp_op *op = container_of(cop, struct ksrtp_op, cop);

	op->async_res = res;
	/* async_res before the flag: the waiter reads it once it sees the flag */
	smp_store_release(&op->tx_done, true);
	wake_up_var(&op->tx_done);
}

/* Protect with key by this CPU's op; -EINPROGRESS hands the op to *async. */
static int ksrtp_tx_crypt(struct ksrtp_keyring *ring, struct ksrtp_key *key,
			  u8 *buf, unsigned int hdr_len, unsigned int len,
			  u32 ssrc, u64 idx, bool rtcp,
			  const struct ksrtp_tx_how *how, struct ksrtp_op **async)
{
	struct ksrtp_op *op = ksrtp_op_get();
	int n;

	if (!op)
		return -ENOMEM;
	op->cop.done = how->done;
	op->cop.req_flags = how->req_flags;
	op->tx_done = false;
	/* a forward's submitter and completion: the last one sends */
	atomic_set(&op->pending, 2);
	if (rtcp)
		n = ksrtp_srtcp_protect(&key->crypto, &op->cop, buf, len, ssrc,
					(u32)idx,
					!(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTCP),
					key->mki, ring->mki_len);
	else
		n = ksrtp_srtp_protect(&key->crypto, &op->cop, buf, hdr_len, len,
				       ssrc, idx,
				       !(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP),
				       !(ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP),
				       key->mki, ring->mki_len);
	if (n == -EINPROGRESS) {
		/* under RCU: the key is alive until ksrtp_async_end() */
		ksrtp_op_detach(op);
		ksrtp_async_begin();
		*async = op;
	}
	return n;
}

/*
 * Protect buf in place for the TX context of its SSRC (and of remote rp,
 * if bound); returns the new length, -errno, or -EINPROGRESS with the op
 * to wait for in *async; *spent is the SRTP index it used. RCU held and
 * bottom halves off: the context's lock and this CPU's op, which our RX
 * must not interrupt. buf has room for the trailer (KSRTP_TRAILER_MAX).
 */
int ksrtp_tx_protect(struct ksrtp_sock *ks, const struct ksrtp_ctx_id *rp,
		     u8 *buf, unsigned int len, bool rtcp,
		     const struct ksrtp_tx_how *how, struct ksrtp_op **async,
		     u64 *spent)
{
	struct ksrtp_keyring *ring;
	struct ksrtp_rtp_hdr h;
	struct ksrtp_ctx *ctx;
	struct ksrtp_key *key;
	u64 idx, old_top, n;
	u32 ssrc;

	if (rtcp ? ksrtp_rtcp_parse(buf, len, &ssrc) : ksrtp_rtp_parse(buf, len, &h))
		return -EINVAL;
	if (!rtcp)
		ssrc = h.ssrc;
	ctx = ksrtp_ctx_lookup(ks, KSRTP_DIR_TX, ssrc, rp);
	if (ctx && ctx->id.any)
		ctx = how->atomic ? ksrtp_tx_learn_atomic(ks, ctx, ssrc) :
				    ksrtp_tx_learn(ks, ctx, ssrc);
	if (IS_ERR_OR_NULL(ctx)) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_NO_CTX);
		return ctx ? PTR_ERR(ctx) : -ENOKEY;
	}
	ring = ctx->ring;
	key = rcu_dereference(ring->active);
	if (!key)
		return -ENOKEY;

	spin_lock(&ctx->lock);
	if (rtcp) {
		idx = ctx->rtcp_tx_index;
		if (unlikely(!ksrtp_crypto_session(&key->crypto, true, idx)))
			goto kdr_pending;
		n = atomic64_inc_return(&key->srtcp_packets);
		if (idx > 0x7fffffff || n > KSRTP_SRTCP_HARD_LIMIT)
			goto hard_limit;
		ctx->rtcp_tx_index++;
		ctx->rtcp->top = idx;
		ctx->st.rtcp_packets++;
		ctx->st.rtcp_bytes += len;
	} else {
		idx = ksrtp_ctx_index(ctx, h.seq);
		if (ksrtp_replay_check(ctx->rtp, idx) != KSRTP_REPLAY_OK) {
			ctx->st.index_reuse++;
			spin_unlock(&ctx->lock);
			return -EALREADY;
		}
		if (unlikely(!ksrtp_crypto_session(&key->crypto, false, idx)))
			goto kdr_pending;
		n = atomic64_inc_return(&key->srtp_packets);
		if (n > KSRTP_SRTP_HARD_LIMIT)
			goto hard_limit;
		old_top = ctx->rtp->any ? ctx->rtp->top : idx;
		ksrtp_replay_commit(ctx->rtp, idx);
		*spent = idx;
		if (ctx->rtp->top >> 16 > old_top >> 16)
			ctx->st.roc_rollover++;
		ctx->st.packets++;
		ctx->st.bytes += len;
	}
	if (ring->soft_limit && n >= ring->soft_limit &&
	    !test_and_set_bit(KSRTP_KEY_SOFT_SENT, &key->flags)) {
		ctx->st.limit_events++;
		ksrtp_nl_notify_limit(ks, ctx, key->id, KSRTP_LIMIT_SOFT);
	}
	spin_unlock(&ctx->lock);

	ksrtp_crypto_seen(&key->crypto, rtcp, idx);
	return ksrtp_tx_crypt(ring, key, buf, rtcp ? 0 : h.hdr_len, len, ssrc,
			      idx, rtcp, how, async);

kdr_pending:
	/* derived ahead a whole epoch early: only a stalled worker gets here */
	ctx->st.kdr_pending++;
	spin_unlock(&ctx->lock);
	return -EAGAIN;

hard_limit:
	ctx->st.limit_drop++;
	if (!test_and_set_bit(KSRTP_KEY_HARD_SENT, &key->flags)) {
		ctx->st.limit_events++;
		ksrtp_nl_notify_limit(ks, ctx, key->id, KSRTP_LIMIT_HARD);
	}
	spin_unlock(&ctx->lock);
	return -EKEYEXPIRED;
}

/* Sends we cannot protect correctly: partial datagrams, GSO, zerocopy. */
static bool ksrtp_tx_refuse(struct sock *sk, struct msghdr *msg)
{
	struct cmsghdr *cmsg;

	if (msg->msg_flags & (MSG_MORE | MSG_ZEROCOPY) ||
	    udp_test_bit(CORK, sk) || READ_ONCE(udp_sk(sk)->pending))
		return true;
	if (msg->msg_controllen) {
		for_each_cmsghdr(cmsg, msg) {
			if (!CMSG_OK(msg, cmsg))
				return true;
			if (cmsg->cmsg_level == SOL_UDP)
				return true;
		}
	}
	return false;
}

/* The socket's bounce buffer, grown to hold len plus the trailer. */
static int ksrtp_txbuf_fit(struct ksrtp_sock *ks, size_t len)
{
	unsigned int order;
	u8 *b;

	if (ks->txbuf_size >= len + KSRTP_TRAILER_MAX)
		return 0;
	/*
	 * Grows rarely: to the largest datagram seen. Whole pages, not
	 * kmalloc: hardened usercopy then need not look the buffer up as a
	 * slab object on every send.
	 */
	order = get_order(len + KSRTP_TRAILER_MAX);
	b = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_COMP, order);
	if (!b)
		return -ENOBUFS;
	ksrtp_txbuf_free(ks);
	ks->txbuf = b;
	ks->txbuf_size = PAGE_SIZE << order;
	return 0;
}

/*
 * An SRTP datagram protected with index idx did not leave (the send failed,
 * e.g. -EAGAIN): free the index, so that the same packet sent again (as
 * io_uring retries) is not refused as a reuse. Its keystream never left.
 */
static void ksrtp_tx_unspend(struct ksrtp_sock *ks, struct sock *sk,
			     struct msghdr *msg, u64 idx, unsigned int len)
{
	struct ksrtp_ctx_id remote, *rp = NULL;
	struct ksrtp_rtp_hdr h;
	struct ksrtp_ctx *ctx;

	if (ksrtp_rtp_parse(ks->txbuf, len, &h))
		return;
	local_bh_disable();
	rcu_read_lock();
	if (atomic_read(&ks->n_bound)) {
		ksrtp_msg_remote(sk, msg, &remote);
		rp = &remote;
	}
	ctx = ksrtp_ctx_lookup(ks, KSRTP_DIR_TX, h.ssrc, rp);
	if (ctx && !ctx->id.any) {
		spin_lock(&ctx->lock);
		ksrtp_replay_forget(ctx->rtp, idx);
		ctx->st.packets--;
		ctx->st.bytes -= len;
		spin_unlock(&ctx->lock);
	}
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * Protect the datagram in the bounce buffer: its new length or -errno;
 * *what is the counter a successful send adds to.
 */
static int ksrtp_tx_prepare(struct ksrtp_sock *ks, struct sock *sk,
			    struct msghdr *msg, size_t len, u64 *spent,
			    enum ksrtp_sock_stat *what)
{
	static const struct ksrtp_tx_how how = {
		.done = ksrtp_tx_done,
		/* the sender waits for a busy cryptd rather than lose the packet */
		.req_flags = CRYPTO_TFM_REQ_MAY_BACKLOG,
	};
	enum ksrtp_class cls = ksrtp_classify(ks->txbuf, len);
	struct ksrtp_ctx_id remote, *rp = NULL;
	struct ksrtp_op *op = NULL;
	int n;

	if (cls != KSRTP_CLASS_RTP && cls != KSRTP_CLASS_RTCP) {
		*what = KSRTP_SS_TX_PASSTHROUGH;
		return len;
	}
	*what = cls == KSRTP_CLASS_RTCP ? KSRTP_SS_TX_SRTCP : KSRTP_SS_TX_SRTP;
	local_bh_disable();
	rcu_read_lock();
	if (atomic_read(&ks->n_bound)) {
		ksrtp_msg_remote(sk, msg, &remote);
		rp = &remote;
	}
	n = ksrtp_tx_protect(ks, rp, ks->txbuf, len, cls == KSRTP_CLASS_RTCP,
			     &how, &op, spent);
	rcu_read_unlock();
	local_bh_enable();
	if (n == -EINPROGRESS) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_ASYNC);
		/* pairs with ksrtp_tx_done(): async_res is set once the flag is */
		wait_var_event(&op->tx_done, smp_load_acquire(&op->tx_done));
		n = op->async_res;
		ksrtp_op_put(op);
		ksrtp_async_end();
	}
	return n;
}

static int ksrtp_tx(struct ksrtp_sock *ks, struct sock *sk, struct msghdr *msg,
		    size_t len)
{
	enum ksrtp_sock_stat what;
	u64 spent = U64_MAX;
	struct iov_iter sent;
	struct kvec kv;
	int n, ret;

	if (ksrtp_tx_refuse(sk, msg)) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_REFUSED);
		return -EOPNOTSUPP;
	}
	/* room for the trailer in the largest datagram of the socket's family */
	if (len > (sk->sk_family == AF_INET6 ? KSRTP_PKT_MAX : KSRTP_MAX_DATAGRAM) -
		  KSRTP_TRAILER_MAX) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_REFUSED);
		return -EMSGSIZE;
	}
	/* a non-blocking sender must not sleep behind another one */
	if (msg->msg_flags & MSG_DONTWAIT) {
		if (!mutex_trylock(&ks->tx_lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&ks->tx_lock)) {
		return -EINTR;
	}
	ret = ksrtp_txbuf_fit(ks, len);
	if (ret)
		goto out;
	/* a failed copy_from_iter_full() leaves the iterator where it was */
	ret = -EFAULT;
	if (!copy_from_iter_full(ks->txbuf, len, &msg->msg_iter))
		goto out;
	ret = ksrtp_tx_prepare(ks, sk, msg, len, &spent, &what);
	if (ret < 0)
		goto out_rewind;

	/*
	 * UDP sends from a kvec over the buffer; the caller's iterator (which
	 * io_uring keeps to retry an -EAGAIN send) goes back afterwards:
	 * consumed if the datagram went, as it was if not.
	 */
	n = ret;
	sent = msg->msg_iter;
	kv.iov_base = ks->txbuf;
	kv.iov_len = n;
	iov_iter_kvec(&msg->msg_iter, ITER_SOURCE, &kv, 1, n);
	msg->msg_flags &= ~MSG_SPLICE_PAGES;
	ret = ks->orig_prot->sendmsg(sk, msg, n);
	msg->msg_iter = sent;
	if (ret == n) {
		ret = len;
		/* counted once sent: an -EAGAIN send is retried, not lost */
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_PACKETS);
		ksrtp_sock_stat_inc(ks, what);
		goto out;
	}
	if (spent != U64_MAX)
		ksrtp_tx_unspend(ks, sk, msg, spent, len);
out_rewind:
	iov_iter_revert(&msg->msg_iter, len);
out:
	mutex_unlock(&ks->tx_lock);
	return ret;
}

int ksrtp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct ksrtp_sock *ks;
	int idx, ret;

	idx = ksrtp_hook_enter();
	rcu_read_lock();
	ks = rcu_dereference_sk_user_data(sk);
	if (ks && !refcount_inc_not_zero(&ks->refs))
		ks = NULL;
	rcu_read_unlock();
	if (ks) {
		ret = ksrtp_tx(ks, sk, msg, len);
		ksrtp_sock_put(ks);
	} else {
		/* detached meanwhile: plain UDP again */
		ret = ksrtp_base_proto(sk)->sendmsg(sk, msg, len);
	}
	ksrtp_hook_exit(idx);
	return ret;
}
