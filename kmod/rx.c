// SPDX-License-Identifier: GPL-2.0
/*
 * RX: RFC 7983 demultiplexing of received datagrams and SRTP/SRTCP
 * unprotect in the UDP encap_rcv hook.
 *
 * RX rewrites the skb in place and lets UDP queue it to the application;
 * packets that fail are dropped and counted. Replay and ROC state change
 * only after a packet authenticates, and contexts are learned from any-SSRC
 * templates only then. A packet whose crypto completes asynchronously is
 * finished, and queued to the socket, by the completion.
 */

#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/udp.h>

#include "compat.h"
#include "context.h"
#include "fwd.h"
#include "netlink.h"
#include "op.h"
#include "socket.h"

/* Where the packet's MKI sits, given the suite's layout. */
static const u8 *ksrtp_mki_ptr(const struct ksrtp_keyring *ring, const u8 *p,
			       unsigned int len, bool rtcp)
{
	const struct ksrtp_suite_info *s = ring->suite;
	unsigned int tag = rtcp ? s->srtcp_tag : s->srtp_tag;

	/* an unauthenticated SRTP packet has no tag (RFC 3711 3.1) */
	if (s->cipher == KSRTP_CIPHER_GCM ||
	    (!rtcp && (ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP)))
		tag = 0;
	return p + len - ring->mki_len - tag;
}

static u8 *ksrtp_op_data(const struct ksrtp_op *op)
{
	return op->skb->data + sizeof(struct udphdr);
}

static unsigned int ksrtp_op_len(const struct ksrtp_op *op)
{
	return op->skb->len - sizeof(struct udphdr);
}

/*
 * Submit the packet to op->key's crypto. Inlined, like the other per-packet
 * helpers below: each call and return costs ~13 instructions with the
 * return-thunk mitigations of distribution kernels (benchmarks.md).
 */
static __always_inline int ksrtp_rx_crypt(struct ksrtp_op *op)
{
	struct ksrtp_keyring *ring = op->ring;
	bool enc = !(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP);
	bool auth = !(ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP);
	unsigned int mki_len = op->by_mki ? ring->mki_len : 0;
	struct ksrtp_pkt *pkt = &op->pkt;

	atomic_set(&op->pending, 2);
	if (pkt->rtcp)
		return ksrtp_srtcp_unprotect(&op->key->crypto, &op->cop,
					     ksrtp_op_data(op), ksrtp_op_len(op),
					     pkt->ssrc, (u32)op->idx,
					     pkt->encrypted, mki_len);
	return ksrtp_srtp_unprotect(&op->key->crypto, &op->cop,
				    ksrtp_op_data(op), pkt->h.hdr_len,
				    ksrtp_op_len(op), pkt->ssrc, op->idx, enc,
				    auth, mki_len);
}

/*
 * The next key to try after a failed one (op->trial: -1 the active key, else
 * keys[trial]), with the packet as received back in place; NULL when none
 * is left. The key skipped is the one tried first, not the active one now:
 * a key-swap meanwhile must not hide the packet's key. RCU held.
 */
static struct ksrtp_key *ksrtp_rx_next_key(struct ksrtp_op *op)
{
	struct ksrtp_keyring *ring = op->ring;
	struct ksrtp_key *key;

	if (op->by_mki)
		return NULL;
	while (++op->trial < KSRTP_MAX_KEYS) {
		key = rcu_dereference(ring->keys[op->trial]);
		if (!key || key == op->first)
			continue;
		if (op->copy)
			memcpy(ksrtp_op_data(op), op->copy, ksrtp_op_len(op));
		return key;
	}
	return NULL;
}

/*
 * Authenticate and decrypt with the packet's key: the one its MKI names,
 * else the active key first and then the others. Returns the plain length,
 * -EBADMSG, -ENOKEY for an unknown MKI, -EKEYREJECTED for a KDR epoch not
 * derived yet, or -EINPROGRESS. RCU held.
 */
static int ksrtp_rx_unprotect(struct ksrtp_op *op)
{
	struct ksrtp_keyring *ring = op->ring;
	unsigned int len = ksrtp_op_len(op);
	u8 *p = ksrtp_op_data(op);
	int n = -EBADMSG;

	op->copy = NULL;
	op->trial = -1;
	op->by_mki = ring->mki_len;
	if (op->by_mki) {
		op->key = ksrtp_keyring_find_mki(ring, ksrtp_mki_ptr(ring, p, len,
								     op->pkt.rtcp));
		return op->key ? ksrtp_rx_crypt(op) : -ENOKEY;
	}
	/* a failed AEAD try scrambles the packet: keep it for the next */
	if (ring->suite->cipher == KSRTP_CIPHER_GCM && READ_ONCE(ring->nkeys) > 1) {
		op->copy = ksrtp_pkt_copy_buf();
		memcpy(op->copy, p, len);
	}
	/* without MKI the active key first, then the others (rekey) */
	op->key = rcu_dereference(ring->active);
	op->first = op->key;
	if (op->key)
		n = ksrtp_rx_crypt(op);
	/* a key without its KDR epoch's keys yet (-EKEYREJECTED) may be another's */
	while ((n == -EBADMSG || n == -EKEYREJECTED) &&
	       (op->key = ksrtp_rx_next_key(op)))
		n = ksrtp_rx_crypt(op);
	return n;
}

static void ksrtp_key_count(struct ksrtp_sock *ks, struct ksrtp_ctx *ctx,
			    struct ksrtp_key *key, bool rtcp)
{
	u64 n = atomic64_inc_return(rtcp ? &key->srtcp_packets :
				    &key->srtp_packets);
	u64 soft = ctx->ring->soft_limit;

	if (soft && n >= soft && !test_and_set_bit(KSRTP_KEY_SOFT_SENT, &key->flags)) {
		ctx->st.limit_events++;
		ksrtp_nl_notify_limit(ks, ctx, key->id, KSRTP_LIMIT_SOFT);
	}
}

static int ksrtp_pkt_parse(struct ksrtp_keyring *ring, const u8 *p,
			   unsigned int len, struct ksrtp_pkt *pkt)
{
	const struct ksrtp_suite_info *s = ring->suite;
	unsigned int tail;
	u32 v;

	if (!pkt->rtcp) {
		unsigned int tag = (ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP) &&
				   s->cipher != KSRTP_CIPHER_GCM ? 0 : s->srtp_tag;

		return len < pkt->h.hdr_len + tag + ring->mki_len ? -EINVAL : 0;
	}
	/* E+index sits before the MKI, and before the tag unless AEAD */
	tail = 4 + ring->mki_len + (s->cipher == KSRTP_CIPHER_GCM ? 0 : s->srtcp_tag);
	if (len < KSRTP_RTCP_MIN_HDR + tail +
	    (s->cipher == KSRTP_CIPHER_GCM ? s->srtcp_tag : 0))
		return -EINVAL;
	v = ksrtp_get_be32(p + len - tail);
	pkt->encrypted = v >> 31;
	pkt->rtcp_index = v & 0x7fffffff;
	return 0;
}

/* Why a packet failed to unprotect, on the context whose keys it tried. */
static void ksrtp_rx_fail_count(struct ksrtp_ctx *ctx, int err, bool rtcp)
{
	spin_lock(&ctx->lock);
	if (err == -ENOKEY)
		ctx->st.unknown_mki++;
	else if (err == -EKEYREJECTED)
		ctx->st.kdr_pending++;
	else if (rtcp)
		ctx->st.rtcp_auth_fail++;
	else
		ctx->st.auth_fail++;
	spin_unlock(&ctx->lock);
}

static void ksrtp_replay_drop_count(struct ksrtp_ctx *ctx, bool rtcp)
{
	if (rtcp)
		ctx->st.rtcp_replay_drop++;
	else
		ctx->st.replay_drop++;
}

/* Before the crypto: the index, and a replay check. */
static int ksrtp_rx_ctx_start(struct ksrtp_ctx *ctx, struct ksrtp_op *op)
{
	struct ksrtp_pkt *pkt = &op->pkt;
	struct ksrtp_replay *r = pkt->rtcp ? ctx->rtcp : ctx->rtp;
	int err = 0;

	spin_lock(&ctx->lock);
	op->idx = pkt->rtcp ? pkt->rtcp_index : ksrtp_ctx_index(ctx, pkt->h.seq);
	if (ksrtp_replay_check(r, op->idx) != KSRTP_REPLAY_OK) {
		ksrtp_replay_drop_count(ctx, pkt->rtcp);
		err = -EALREADY;
	}
	spin_unlock(&ctx->lock);
	return err;
}

/* The packet authenticated as n plain bytes: commit its index, count it. */
static int ksrtp_rx_ctx_finish(struct ksrtp_ctx *ctx, struct ksrtp_op *op,
			       int n)
{
	struct ksrtp_pkt *pkt = &op->pkt;
	struct ksrtp_replay *r = pkt->rtcp ? ctx->rtcp : ctx->rtp;
	u64 old_top;

	spin_lock(&ctx->lock);
	/* another CPU may have accepted the same packet meanwhile */
	if (ksrtp_replay_check(r, op->idx) != KSRTP_REPLAY_OK) {
		ksrtp_replay_drop_count(ctx, pkt->rtcp);
		spin_unlock(&ctx->lock);
		return -EALREADY;
	}
	old_top = r->any ? r->top : op->idx;
	ksrtp_replay_commit(r, op->idx);
	if (pkt->rtcp) {
		ctx->st.rtcp_packets++;
		ctx->st.rtcp_bytes += n;
	} else {
		if (r->top >> 16 > old_top >> 16)
			ctx->st.roc_rollover++;
		ctx->st.packets++;
		ctx->st.bytes += n;
	}
	ksrtp_key_count(op->ks, ctx, op->key, pkt->rtcp);
	spin_unlock(&ctx->lock);
	ksrtp_crypto_seen(&op->key->crypto, pkt->rtcp, op->idx);
	return n;
}

/*
 * A packet for an SSRC only a template matched authenticated with the
 * template's keys: only now create the SSRC's own context.
 */
static int ksrtp_rx_learn(struct ksrtp_ctx *tmpl, struct ksrtp_op *op, int n)
{
	struct ksrtp_keyring *ring = tmpl->ring;
	struct ksrtp_pkt *pkt = &op->pkt;
	struct ksrtp_sock *ks = op->ks;
	struct ksrtp_ctx *ctx, *old;
	struct ksrtp_ctx_id id;

	if (atomic_inc_return(&ks->n_learned) > READ_ONCE(ks->max_learned)) {
		atomic_dec(&ks->n_learned);
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_LEARN_DROPS);
		return -ENOSPC;
	}
	id = tmpl->id;
	id.any = 0;
	id.ssrc = pkt->ssrc;
	if (!refcount_inc_not_zero(&ring->refs))
		goto fail;
	ctx = ksrtp_ctx_alloc(&id, ring, KSRTP_CTX_ORIGIN_LEARNED, tmpl->window,
			      (u32)(tmpl->rtp->top >> 16),
			      pkt->rtcp ? -1 : pkt->h.seq, GFP_ATOMIC);
	if (!ctx) {
		ksrtp_keyring_put(ring);
		goto fail;
	}
	if (pkt->rtcp)
		ksrtp_replay_commit(ctx->rtcp, op->idx);
	else
		ksrtp_replay_commit(ctx->rtp, op->idx);
	old = ksrtp_ctx_learn_insert(ks, ctx);
	if (old)	/* raced with another CPU or ctx-del, or the insert failed */
		return IS_ERR(old) ? PTR_ERR(old) : -EALREADY;
	if (pkt->rtcp) {
		ctx->st.rtcp_packets = 1;
		ctx->st.rtcp_bytes = n;
	} else {
		ctx->st.packets = 1;
		ctx->st.bytes = n;
	}
	atomic64_inc(pkt->rtcp ? &op->key->srtcp_packets : &op->key->srtp_packets);
	ksrtp_nl_notify_learned(ks, &ctx->id, &op->remote);
	return n;
fail:
	atomic_dec(&ks->n_learned);
	return -ENOMEM;
}

/* After the crypto, on the context (or template) the packet was for. */
static __always_inline int ksrtp_rx_finish(struct ksrtp_ctx *ctx,
					   struct ksrtp_op *op, int n)
{
	/* cryptd's queue was full, or the op too small: not the packet's fault */
	if (n == -EBUSY || n == -ENOBUFS) {
		ksrtp_sock_stat_inc(op->ks, KSRTP_SS_RX_ASYNC_DROPS);
		return n;
	}
	if (n < 0) {
		ksrtp_rx_fail_count(ctx, n, op->pkt.rtcp);
		return n;
	}
	if (op->learn)
		return ksrtp_rx_learn(ctx, op, n);
	return ksrtp_rx_ctx_finish(ctx, op, n);
}

/* The sender of a received datagram, as a context binding. */
void ksrtp_skb_remote(const struct sk_buff *skb, struct ksrtp_ctx_id *r)
{
	memset(r, 0, sizeof(*r));
	r->port = udp_hdr(skb)->source;
	if (skb->protocol == htons(ETH_P_IP)) {
		r->family = AF_INET;
		memcpy(&r->addr, &ip_hdr(skb)->saddr, 4);
	} else {
		r->family = AF_INET6;
		r->addr = ipv6_hdr(skb)->saddr;
	}
}

/* The datagram now holds n plain bytes after its UDP header. */
static __always_inline int ksrtp_rx_trim(struct sk_buff *skb, int n)
{
	if (pskb_trim(skb, sizeof(struct udphdr) + n))
		return -ENOMEM;
	udp_hdr(skb)->len = htons(sizeof(struct udphdr) + n);
	/* the UDP checksum covered the ciphertext, which is gone */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return 0;
}

/*
 * Queue an asynchronously finished datagram (data at its UDP header) to
 * the socket as UDP does after encap_rcv: the socket filter, the header
 * pulled, then UDP's own queueing with its memory accounting.
 */
static int ksrtp_udp_deliver(struct sock *sk, struct sk_buff *skb)
{
	int err;

	if (!sk || sock_flag(sk, SOCK_DEAD)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	/* an int before 6.16, a drop reason since: nonzero drops either way */
	if (sk_filter_trim_cap(sk, skb, sizeof(struct udphdr))) {
		kfree_skb(skb);
		return -EPERM;
	}
	udp_csum_pull_header(skb);
	err = ksrtp_udp_enqueue(sk, skb);
	if (err)
		kfree_skb(skb);
	return err;
}

/*
 * The crypto went asynchronous: keep what the completion needs. Under RCU,
 * so everything the op points to is still alive here; whatever is freed
 * later waits for ksrtp_async_end().
 */
static void ksrtp_rx_detach(struct ksrtp_op *op)
{
	ksrtp_op_detach(op);
	ksrtp_async_begin();
	/* the context is looked up again: by the sender too, if bound */
	ksrtp_skb_remote(op->skb, &op->remote);
	if (!refcount_inc_not_zero(&op->sk->sk_refcnt))
		op->sk = NULL;
	if (!refcount_inc_not_zero(&op->ks->refs))
		op->ks = NULL;
	if (!refcount_inc_not_zero(&op->ring->refs))
		op->ring = NULL;
	/* the per-CPU copy is this CPU's next packet's */
	if (op->copy) {
		op->copy = kmemdup(op->copy, ksrtp_op_len(op), GFP_ATOMIC);
		op->copy_owned = op->copy;
	}
	/*
	 * UDP would fill IP_PKTINFO's spec_dst from the route now (not
	 * exported): the unicast answer, the local address; then the dst,
	 * which may be a noref one valid only in this softirq, goes.
	 */
	if (op->skb->protocol == htons(ETH_P_IP))
		PKTINFO_SKB_CB(op->skb)->ipi_spec_dst.s_addr = ip_hdr(op->skb)->daddr;
	skb_dst_drop(op->skb);
}

static void ksrtp_rx_release(struct ksrtp_op *op)
{
	/* the skb may be gone: kfree_sensitive() knows the copy's size */
	if (op->copy_owned)
		kfree_sensitive(op->copy);
	op->copy = NULL;
	op->copy_owned = false;
	if (op->ring)
		ksrtp_keyring_put(op->ring);
	if (op->ks)
		ksrtp_sock_put(op->ks);
	if (op->sk)
		sock_put(op->sk);
	ksrtp_op_put(op);
	ksrtp_async_end();
}

/*
 * An asynchronous packet's crypto gave res: try the next key if it failed
 * and one is left, else finish the packet and queue it to the socket.
 * Bottom halves off, RCU held.
 */
static void ksrtp_rx_resume(struct ksrtp_op *op, int res)
{
	struct ksrtp_ctx *ctx = NULL;
	struct sk_buff *skb = op->skb;

	for (;;) {
		/* only a failed AEAD try can come back: its next needs the copy */
		if (res != -EBADMSG || !op->ring || !op->copy)
			break;
		op->key = ksrtp_rx_next_key(op);
		if (!op->key)
			break;
		res = ksrtp_rx_crypt(op);
		if (res != -EINPROGRESS)
			continue;
		if (!atomic_dec_and_test(&op->pending))
			return;		/* the completion goes on */
		res = op->async_res;
	}
	if (op->ks && op->sk && op->ring) {
		ctx = ksrtp_ctx_lookup(op->ks, KSRTP_DIR_RX, op->pkt.ssrc,
				       atomic_read(&op->ks->n_bound) ? &op->remote : NULL);
		/* deleted or rekeyed meanwhile: the packet is nobody's now */
		if (ctx && ctx->ring != op->ring)
			ctx = NULL;
	}
	if (!ctx) {
		if (op->ks)
			ksrtp_sock_stat_inc(op->ks, KSRTP_SS_RX_NO_CTX);
		kfree_skb(skb);
	} else {
		/* another packet may have learned the SSRC meanwhile */
		op->learn = ctx->id.any;
		res = ksrtp_rx_finish(ctx, op, res);
		if (res >= 0)
			res = ksrtp_rx_trim(skb, res);
		if (res < 0)
			kfree_skb(skb);
		else if (atomic_read(&op->ks->n_fwd) &&
			 ksrtp_fwd_rx(op->ks, skb, op->pkt.rtcp, false))
			;	/* forwarded */
		else if (ksrtp_udp_deliver(op->sk, skb))
			ksrtp_sock_stat_inc(op->ks, KSRTP_SS_RX_ASYNC_DROPS);
	}
	ksrtp_rx_release(op);
}

static void ksrtp_rx_done(struct ksrtp_crypto_op *cop, int res)
{
	struct ksrtp_op *op = container_of(cop, struct ksrtp_op, cop);

	op->async_res = res;
	if (!atomic_dec_and_test(&op->pending))
		return;		/* the submitter goes on */
	local_bh_disable();
	rcu_read_lock();
	ksrtp_rx_resume(op, res);
	rcu_read_unlock();
	local_bh_enable();
}

static int ksrtp_rx_srtp(struct ksrtp_sock *ks, struct sock *sk,
			 struct sk_buff *skb, bool rtcp)
{
	struct ksrtp_ctx_id *rp = NULL;
	struct ksrtp_ctx *ctx;
	struct ksrtp_op *op;
	struct ksrtp_pkt *pkt;
	unsigned int len;
	u8 *p;
	int n;

	ksrtp_sock_stat_inc(ks, rtcp ? KSRTP_SS_RX_SRTCP : KSRTP_SS_RX_SRTP);
	op = ksrtp_op_get();
	if (!op) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_ASYNC_DROPS);
		return -ENOMEM;
	}
	pkt = &op->pkt;
	pkt->rtcp = rtcp;
	/* decrypt in place: linear, and our own copy if cloned */
	if (skb_ensure_writable(skb, skb->len))
		goto malformed;
	p = skb->data + sizeof(struct udphdr);
	len = skb->len - sizeof(struct udphdr);
	if (rtcp ? ksrtp_rtcp_parse(p, len, &pkt->ssrc) :
		   ksrtp_rtp_parse(p, len, &pkt->h))
		goto malformed;
	if (!rtcp)
		pkt->ssrc = pkt->h.ssrc;

	/* the sender matters only to bound contexts and to templates */
	if (atomic_read(&ks->n_bound)) {
		ksrtp_skb_remote(skb, &op->remote);
		rp = &op->remote;
	}
	ctx = ksrtp_ctx_lookup(ks, KSRTP_DIR_RX, pkt->ssrc, rp);
	if (!ctx)
		return -ENOENT;	/* plain RTP, or no key: ksrtp_rx_plain() */
	op->learn = ctx->id.any;
	if (op->learn && !rp)
		ksrtp_skb_remote(skb, &op->remote);
	if (ksrtp_pkt_parse(ctx->ring, p, len, pkt)) {
		spin_lock(&ctx->lock);
		ctx->st.malformed++;
		spin_unlock(&ctx->lock);
		return -EINVAL;
	}
	if (op->learn)
		op->idx = rtcp ? pkt->rtcp_index :
			  (ctx->rtp->top & ~0xffffULL) | pkt->h.seq;
	else if (ksrtp_rx_ctx_start(ctx, op))
		return -EALREADY;

	op->skb = skb;
	op->sk = sk;
	op->ks = ks;
	op->ring = ctx->ring;
	op->cop.done = ksrtp_rx_done;
	op->cop.req_flags = 0;	/* softirq: a full cryptd queue drops */
	n = ksrtp_rx_unprotect(op);
	if (n == -EINPROGRESS) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_ASYNC);
		ksrtp_rx_detach(op);
		/* the completion came first: go on with its result here */
		if (atomic_dec_and_test(&op->pending))
			ksrtp_rx_resume(op, op->async_res);
		return -EINPROGRESS;
	}
	n = ksrtp_rx_finish(ctx, op, n);
	if (n < 0)
		return n;
	return ksrtp_rx_trim(skb, n);

malformed:
	ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_MALFORMED);
	return -EINVAL;
}

/*
 * RTP/RTCP that no RX context matched (linear and ours, its header parsed):
 * a plain-in forward's, the application's if the socket's plain-rtp policy
 * lets it through, else dropped. Returns encap_rcv's verdict.
 */
static int ksrtp_rx_plain(struct ksrtp_sock *ks, struct sk_buff *skb, bool rtcp)
{
	u32 policy = READ_ONCE(ks->plain_rtp);

	if (atomic_read(&ks->n_fwd) && ksrtp_fwd_rx(ks, skb, rtcp, true)) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_PLAIN);
		return 0;
	}
	if (policy == KSRTP_PLAIN_RTP_ALLOW ||
	    (policy == KSRTP_PLAIN_RTP_UNTIL_KEYED && !READ_ONCE(ks->rx_keyed))) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_PLAIN);
		return 1;
	}
	ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_NO_CTX);
	kfree_skb(skb);
	return 0;
}

/*
 * encap_rcv: > 0 hands the (possibly rewritten) datagram to the
 * application, 0 means we consumed it. skb->data is at the UDP header.
 */
int ksrtp_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct ksrtp_sock *ks = rcu_dereference_sk_user_data(sk);
	unsigned int len = skb->len - sizeof(struct udphdr);
	enum ksrtp_class cls = KSRTP_CLASS_OTHER;
	const u8 *first;
	u8 buf[2];
	int err;

	if (!ks || READ_ONCE(udp_sk(sk)->encap_type) != KSRTP_UDP_ENCAP)
		return 1;
	ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_PACKETS);
	first = skb_header_pointer(skb, sizeof(struct udphdr), min(2U, len), buf);
	if (first)
		cls = ksrtp_classify(first, len);

	switch (cls) {
	case KSRTP_CLASS_RTP:
	case KSRTP_CLASS_RTCP:
		err = ksrtp_rx_srtp(ks, sk, skb, cls == KSRTP_CLASS_RTCP);
		if (err == -EINPROGRESS)
			return 0;	/* the completion has it */
		if (err == -ENOENT)
			return ksrtp_rx_plain(ks, skb, cls == KSRTP_CLASS_RTCP);
		if (err)
			goto drop;
		if (atomic_read(&ks->n_fwd) &&
		    ksrtp_fwd_rx(ks, skb, cls == KSRTP_CLASS_RTCP, false))
			return 0;	/* forwarded, not for the application */
		return 1;
	case KSRTP_CLASS_DTLS:
	case KSRTP_CLASS_ZRTP: {
		u32 bit = cls == KSRTP_CLASS_DTLS ? KSRTP_UPCALL_DTLS :
						    KSRTP_UPCALL_ZRTP;

		ksrtp_sock_stat_inc(ks, cls == KSRTP_CLASS_DTLS ?
				    KSRTP_SS_RX_DTLS : KSRTP_SS_RX_ZRTP);
		if (!(READ_ONCE(ks->upcall) & bit))
			return 1;
		if (ksrtp_nl_upcall(ks, skb))
			ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_UPCALL_DROPS);
		else
			ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_UPCALL);
		consume_skb(skb);
		return 0;
	}
	case KSRTP_CLASS_STUN:
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_STUN);
		return 1;
	case KSRTP_CLASS_TURN:
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_TURN);
		return 1;
	default:
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_OTHER);
		return 1;
	}

drop:
	kfree_skb(skb);
	return 0;
}
