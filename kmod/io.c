// SPDX-License-Identifier: GPL-2.0
/*
 * The datapath: RFC 7983 demultiplexing of received datagrams, SRTP/SRTCP
 * unprotect in the UDP encap_rcv hook, protect in the socket's sendmsg.
 *
 * RX rewrites the skb in place and lets UDP queue it to the application;
 * packets that fail are dropped and counted. Replay and ROC state change
 * only after a packet authenticates, and contexts are learned from any-SSRC
 * templates only then.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/ipv6.h>
#include <net/udp.h>

#include "context.h"
#include "netlink.h"
#include "rtp.h"
#include "socket.h"

#ifndef MSG_SPLICE_PAGES
#define MSG_SPLICE_PAGES 0
#endif

/* Where the packet's MKI sits, given the suite's layout. */
static const u8 *ksrtp_mki_ptr(const struct ksrtp_keyring *ring, const u8 *p,
			       unsigned int len, bool rtcp)
{
	const struct ksrtp_suite_info *s = ring->suite;

	if (s->cipher == KSRTP_CIPHER_GCM)
		return p + len - ring->mki_len;
	return p + len - ring->mki_len - (rtcp ? s->srtcp_tag : s->srtp_tag);
}

/*
 * Authenticate and decrypt with the packet's key: the one its MKI names,
 * else the active key first and then the others (rekey without MKI).
 * Returns the plain length, -EBADMSG, or -ENOKEY for an unknown MKI.
 */
static int ksrtp_rx_unprotect(struct ksrtp_keyring *ring, u8 *p,
			      unsigned int len, unsigned int hdr_len, u32 ssrc,
			      u64 index, bool rtcp, bool encrypted,
			      struct ksrtp_key **used)
{
	bool enc = !(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP);
	bool auth = !(ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP);
	struct ksrtp_key *key, *active;
	int i, n = -EBADMSG;
	bool keep;
	u8 *copy = NULL;

	if (ring->mki_len) {
		key = ksrtp_keyring_find_mki(ring, ksrtp_mki_ptr(ring, p, len, rtcp));
		if (!key)
			return -ENOKEY;
		*used = key;
		if (rtcp)
			return ksrtp_srtcp_unprotect(&key->crypto, p, len, ssrc,
						     (u32)index, encrypted,
						     ring->mki_len);
		return ksrtp_srtp_unprotect(&key->crypto, p, hdr_len, len, ssrc,
					    index, enc, auth, ring->mki_len);
	}

	active = rcu_dereference(ring->active);
	keep = ring->suite->cipher == KSRTP_CIPHER_GCM && READ_ONCE(ring->nkeys) > 1;
	for (i = -1; i < KSRTP_MAX_KEYS; i++) {
		key = i < 0 ? active : rcu_dereference(ring->keys[i]);
		if (!key || (i >= 0 && key == active))
			continue;
		if (keep) {
			/* a failed try scrambles the packet: keep it for the next */
			if (!copy) {
				copy = ksrtp_pkt_copy_buf();
				memcpy(copy, p, len);
			} else {
				memcpy(p, copy, len);
			}
		}
		if (rtcp)
			n = ksrtp_srtcp_unprotect(&key->crypto, p, len, ssrc,
						  (u32)index, encrypted, 0);
		else
			n = ksrtp_srtp_unprotect(&key->crypto, p, hdr_len, len,
						 ssrc, index, enc, auth, 0);
		if (n != -EBADMSG) {
			*used = key;
			return n;
		}
	}
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

/*
 * The header fields of an SRTP or SRTCP packet that decide its context:
 * the header is parsed once, before the lookup (h), the rest with the
 * context's suite (ksrtp_pkt_parse).
 */
struct ksrtp_pkt {
	bool rtcp;
	u32 ssrc;
	struct ksrtp_rtp_hdr h;	/* SRTP */
	u32 rtcp_index;		/* SRTCP, without the E bit */
	bool encrypted;		/* SRTCP E bit */
};

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
	lockdep_assert_held(&ctx->lock);
	if (err == -ENOKEY)
		ctx->st.unknown_mki++;
	else if (rtcp)
		ctx->st.rtcp_auth_fail++;
	else
		ctx->st.auth_fail++;
}

/* Unprotect with an established context. */
static int ksrtp_rx_ctx(struct ksrtp_sock *ks, struct ksrtp_ctx *ctx, u8 *p,
			unsigned int len, struct ksrtp_pkt *pkt)
{
	struct ksrtp_replay *r = pkt->rtcp ? ctx->rtcp : ctx->rtp;
	struct ksrtp_key *key = NULL;
	enum ksrtp_replay_verdict v;
	u64 idx, old_top;
	int n;

	if (ksrtp_pkt_parse(ctx->ring, p, len, pkt)) {
		spin_lock(&ctx->lock);
		ctx->st.malformed++;
		spin_unlock(&ctx->lock);
		return -EINVAL;
	}

	spin_lock(&ctx->lock);
	idx = pkt->rtcp ? pkt->rtcp_index : ksrtp_ctx_index(ctx, pkt->h.seq);
	v = ksrtp_replay_check(r, idx);
	if (v != KSRTP_REPLAY_OK) {
		if (pkt->rtcp)
			ctx->st.rtcp_replay_drop++;
		else
			ctx->st.replay_drop++;
		spin_unlock(&ctx->lock);
		return -EALREADY;
	}
	spin_unlock(&ctx->lock);

	n = ksrtp_rx_unprotect(ctx->ring, p, len, pkt->h.hdr_len, pkt->ssrc, idx,
			       pkt->rtcp, pkt->encrypted, &key);

	spin_lock(&ctx->lock);
	if (n < 0) {
		ksrtp_rx_fail_count(ctx, n, pkt->rtcp);
		spin_unlock(&ctx->lock);
		return n;
	}
	/* another CPU may have accepted the same packet meanwhile */
	if (ksrtp_replay_check(r, idx) != KSRTP_REPLAY_OK) {
		if (pkt->rtcp)
			ctx->st.rtcp_replay_drop++;
		else
			ctx->st.replay_drop++;
		spin_unlock(&ctx->lock);
		return -EALREADY;
	}
	old_top = r->any ? r->top : idx;
	ksrtp_replay_commit(r, idx);
	if (pkt->rtcp) {
		ctx->st.rtcp_packets++;
		ctx->st.rtcp_bytes += n;
	} else {
		if (r->top >> 16 > old_top >> 16)
			ctx->st.roc_rollover++;
		ctx->st.packets++;
		ctx->st.bytes += n;
	}
	ksrtp_key_count(ks, ctx, key, pkt->rtcp);
	spin_unlock(&ctx->lock);
	return n;
}

/*
 * A packet for an SSRC only a template matches: authenticate it with the
 * template's keys first, and only then create the SSRC's own context.
 */
static int ksrtp_rx_learn(struct ksrtp_sock *ks, struct ksrtp_ctx *tmpl,
			  u8 *p, unsigned int len, struct ksrtp_pkt *pkt,
			  const struct ksrtp_ctx_id *remote)
{
	struct ksrtp_keyring *ring = tmpl->ring;
	struct ksrtp_ctx *ctx, *old;
	struct ksrtp_key *key = NULL;
	struct ksrtp_ctx_id id;
	u64 idx;
	int n;

	if (ksrtp_pkt_parse(ring, p, len, pkt))
		return -EINVAL;
	idx = pkt->rtcp ? pkt->rtcp_index :
	      (tmpl->rtp->top & ~0xffffULL) | pkt->h.seq;
	n = ksrtp_rx_unprotect(ring, p, len, pkt->h.hdr_len, pkt->ssrc, idx,
			       pkt->rtcp, pkt->encrypted, &key);
	if (n < 0) {
		spin_lock(&tmpl->lock);
		ksrtp_rx_fail_count(tmpl, n, pkt->rtcp);
		spin_unlock(&tmpl->lock);
		return n;
	}

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
		ksrtp_replay_commit(ctx->rtcp, idx);
	else
		ksrtp_replay_commit(ctx->rtp, idx);
	old = rhashtable_lookup_get_insert_fast(&ks->ctxs, &ctx->node,
						ksrtp_ctx_params);
	if (old) {
		/* raced with another CPU, or the insert failed */
		atomic_dec(&ks->n_learned);
		ksrtp_ctx_free_now(ctx, NULL);
		return IS_ERR(old) ? PTR_ERR(old) : -EALREADY;
	}
	atomic_inc(&ks->n_ctx);
	if (pkt->rtcp) {
		ctx->st.rtcp_packets = 1;
		ctx->st.rtcp_bytes = n;
	} else {
		ctx->st.packets = 1;
		ctx->st.bytes = n;
	}
	atomic64_inc(pkt->rtcp ? &key->srtcp_packets : &key->srtp_packets);
	ksrtp_nl_notify_learned(ks, &ctx->id, remote);
	return n;
fail:
	atomic_dec(&ks->n_learned);
	return -ENOMEM;
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

static int ksrtp_rx_srtp(struct ksrtp_sock *ks, struct sk_buff *skb, bool rtcp)
{
	struct ksrtp_pkt pkt = { .rtcp = rtcp };
	struct ksrtp_ctx_id remote, *rp = NULL;
	struct ksrtp_ctx *ctx;
	unsigned int len;
	u8 *p;
	int n;

	ksrtp_sock_stat_inc(ks, rtcp ? KSRTP_SS_RX_SRTCP : KSRTP_SS_RX_SRTP);
	/* decrypt in place: linear, and our own copy if cloned */
	if (skb_ensure_writable(skb, skb->len))
		goto malformed;
	p = skb->data + sizeof(struct udphdr);
	len = skb->len - sizeof(struct udphdr);
	if (rtcp ? ksrtp_rtcp_parse(p, len, &pkt.ssrc) :
		   ksrtp_rtp_parse(p, len, &pkt.h))
		goto malformed;
	if (!rtcp)
		pkt.ssrc = pkt.h.ssrc;

	/* the sender matters only to bound contexts and to templates */
	if (atomic_read(&ks->n_bound)) {
		ksrtp_skb_remote(skb, &remote);
		rp = &remote;
	}
	ctx = ksrtp_ctx_lookup(ks, KSRTP_DIR_RX, pkt.ssrc, rp);
	if (!ctx) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_NO_CTX);
		return -ENOKEY;
	}
	if (ctx->id.any) {
		if (!rp)
			ksrtp_skb_remote(skb, &remote);
		n = ksrtp_rx_learn(ks, ctx, p, len, &pkt, &remote);
	} else {
		n = ksrtp_rx_ctx(ks, ctx, p, len, &pkt);
	}
	if (n < 0)
		return n;

	if (pskb_trim(skb, sizeof(struct udphdr) + n))
		return -ENOMEM;
	udp_hdr(skb)->len = htons(sizeof(struct udphdr) + n);
	/* the UDP checksum covered the ciphertext, which is gone */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return 0;

malformed:
	ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_MALFORMED);
	return -EINVAL;
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

	if (!ks || READ_ONCE(udp_sk(sk)->encap_type) != KSRTP_UDP_ENCAP)
		return 1;
	ksrtp_sock_stat_inc(ks, KSRTP_SS_RX_PACKETS);
	first = skb_header_pointer(skb, sizeof(struct udphdr), min(2U, len), buf);
	if (first)
		cls = ksrtp_classify(first, len);

	switch (cls) {
	case KSRTP_CLASS_RTP:
	case KSRTP_CLASS_RTCP:
		if (ksrtp_rx_srtp(ks, skb, cls == KSRTP_CLASS_RTCP))
			goto drop;
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

/* ------------------------------------------------------------------ TX */

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

/*
 * A TX context learned from a template when the application first sends.
 * Drops RCU and bottom halves to allocate.
 */
static struct ksrtp_ctx *ksrtp_tx_learn(struct ksrtp_sock *ks,
					struct ksrtp_ctx *tmpl, u32 ssrc)
	__releases(RCU) __acquires(RCU)
{
	struct ksrtp_keyring *ring = tmpl->ring;
	struct ksrtp_ctx *ctx, *old;
	struct ksrtp_ctx_id id = tmpl->id;
	u32 window = tmpl->window, roc = (u32)(tmpl->rtp->top >> 16);

	if (!refcount_inc_not_zero(&ring->refs))
		return NULL;
	rcu_read_unlock();
	local_bh_enable();
	if (atomic_inc_return(&ks->n_learned) > READ_ONCE(ks->max_learned)) {
		atomic_dec(&ks->n_learned);
		ksrtp_keyring_put(ring);
		local_bh_disable();
		rcu_read_lock();
		return ERR_PTR(-ENOSPC);
	}
	id.any = 0;
	id.ssrc = ssrc;
	ctx = ksrtp_ctx_alloc(&id, ring, KSRTP_CTX_ORIGIN_LEARNED, window, roc,
			      -1, GFP_KERNEL);
	local_bh_disable();
	rcu_read_lock();
	if (!ctx) {
		atomic_dec(&ks->n_learned);
		ksrtp_keyring_put(ring);
		return ERR_PTR(-ENOMEM);
	}
	old = rhashtable_lookup_get_insert_fast(&ks->ctxs, &ctx->node,
						ksrtp_ctx_params);
	if (old) {
		atomic_dec(&ks->n_learned);
		ksrtp_ctx_free_now(ctx, NULL);
		return old;
	}
	if (rhltable_insert(&ks->tx_ssrc, &ctx->tx_node, ksrtp_tx_ssrc_params)) {
		/* unindexed, ctx-new could not see it: do without it */
		rhashtable_remove_fast(&ks->ctxs, &ctx->node, ksrtp_ctx_params);
		atomic_dec(&ks->n_learned);
		ksrtp_ctx_free_rcu(ctx);
		return ERR_PTR(-ENOMEM);
	}
	atomic_inc(&ks->n_ctx);
	return ctx;
}

/*
 * Protect buf in place; returns the new length or -errno. RCU held and
 * bottom halves off: the context's lock, and the crypto's per-CPU scratch
 * and FPU section, which our RX must not interrupt.
 */
static int ksrtp_tx_protect(struct ksrtp_sock *ks, struct sock *sk,
			    struct msghdr *msg, u8 *buf, unsigned int len,
			    bool rtcp)
{
	struct ksrtp_ctx_id remote, *rp = NULL;
	struct ksrtp_keyring *ring;
	struct ksrtp_rtp_hdr h;
	struct ksrtp_ctx *ctx;
	struct ksrtp_key *key;
	bool enc, auth;
	u64 idx, old_top, n;
	u32 ssrc;

	if (rtcp ? ksrtp_rtcp_parse(buf, len, &ssrc) : ksrtp_rtp_parse(buf, len, &h))
		return -EINVAL;
	if (!rtcp)
		ssrc = h.ssrc;
	if (atomic_read(&ks->n_bound)) {
		ksrtp_msg_remote(sk, msg, &remote);
		rp = &remote;
	}
	ctx = ksrtp_ctx_lookup(ks, KSRTP_DIR_TX, ssrc, rp);
	if (ctx && ctx->id.any)
		ctx = ksrtp_tx_learn(ks, ctx, ssrc);
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
		n = atomic64_inc_return(&key->srtp_packets);
		if (n > KSRTP_SRTP_HARD_LIMIT)
			goto hard_limit;
		old_top = ctx->rtp->any ? ctx->rtp->top : idx;
		ksrtp_replay_commit(ctx->rtp, idx);
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

	if (rtcp)
		return ksrtp_srtcp_protect(&key->crypto, buf, len, ssrc, (u32)idx,
					   !(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTCP),
					   key->mki, ring->mki_len);
	enc = !(ring->flags & KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP);
	auth = !(ring->flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP);
	return ksrtp_srtp_protect(&key->crypto, buf, h.hdr_len, len, ssrc, idx,
				  enc, auth, key->mki, ring->mki_len);

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

static int ksrtp_tx(struct ksrtp_sock *ks, struct sock *sk, struct msghdr *msg,
		    size_t len)
{
	enum ksrtp_class cls;
	struct kvec kv;
	int n, ret;

	if (ksrtp_tx_refuse(sk, msg)) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_REFUSED);
		return -EOPNOTSUPP;
	}
	if (len > KSRTP_MAX_DATAGRAM - KSRTP_TRAILER_MAX) {
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_REFUSED);
		return -EMSGSIZE;
	}
	if (mutex_lock_interruptible(&ks->tx_lock))
		return -EINTR;
	if (ks->txbuf_size < len + KSRTP_TRAILER_MAX) {
		/*
		 * Grows rarely: to the largest datagram seen. Whole pages, not
		 * kmalloc: hardened usercopy then need not look the buffer up
		 * as a slab object on every send.
		 */
		unsigned int order = get_order(len + KSRTP_TRAILER_MAX);
		u8 *b = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_COMP, order);

		ret = -ENOBUFS;
		if (!b)
			goto out;
		ksrtp_txbuf_free(ks);
		ks->txbuf = b;
		ks->txbuf_size = PAGE_SIZE << order;
	}
	ret = -EFAULT;
	if (!copy_from_iter_full(ks->txbuf, len, &msg->msg_iter))
		goto out;

	cls = ksrtp_classify(ks->txbuf, len);
	if (cls == KSRTP_CLASS_RTP || cls == KSRTP_CLASS_RTCP) {
		local_bh_disable();
		rcu_read_lock();
		n = ksrtp_tx_protect(ks, sk, msg, ks->txbuf, len,
				     cls == KSRTP_CLASS_RTCP);
		rcu_read_unlock();
		local_bh_enable();
		ret = n;
		if (n < 0)
			goto out;
		ksrtp_sock_stat_inc(ks, cls == KSRTP_CLASS_RTCP ?
				    KSRTP_SS_TX_SRTCP : KSRTP_SS_TX_SRTP);
	} else {
		n = len;
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_PASSTHROUGH);
	}

	kv.iov_base = ks->txbuf;
	kv.iov_len = n;
	iov_iter_kvec(&msg->msg_iter, ITER_SOURCE, &kv, 1, n);
	msg->msg_flags &= ~MSG_SPLICE_PAGES;
	ret = ks->orig_prot->sendmsg(sk, msg, n);
	if (ret == n) {
		ret = len;
		ksrtp_sock_stat_inc(ks, KSRTP_SS_TX_PACKETS);
	}
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
