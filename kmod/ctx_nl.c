// SPDX-License-Identifier: GPL-2.0
/*
 * ctx-new, ctx-del, ctx-get and key-add, key-swap, key-del: the netlink
 * commands of SRTP contexts and their keys. Policies are generated from
 * netlink/ksrtp.yaml; what they cannot check (required and mutually
 * exclusive attributes, key sizes against the suite) is checked here, with
 * an extack message each. Keys are write-only: nothing here puts one in a
 * reply.
 */

#include <linux/module.h>
#include <linux/udp.h>
#include <crypto/algapi.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "context.h"
#include "crypto.h"
#include "main.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "socket.h"

static bool allow_unauthenticated_srtp;
module_param(allow_unauthenticated_srtp, bool, 0644);
MODULE_PARM_DESC(allow_unauthenticated_srtp,
		 "Accept the UNAUTHENTICATED_SRTP session parameter (default: refuse)");

/* The context a request names: socket, direction, SSRC or any, remote. */
static int ksrtp_nl_ctx_id(struct genl_info *info, struct ksrtp_ctx_id *id)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *addr = attrs[KSRTP_A_CTX_REMOTE_ADDR];

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_SOCK_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_DIR))
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	id->dir = nla_get_u32(attrs[KSRTP_A_CTX_DIR]);
	if (!!attrs[KSRTP_A_CTX_SSRC] == !!attrs[KSRTP_A_CTX_SSRC_ANY]) {
		NL_SET_ERR_MSG_MOD(info->extack, "give exactly one of ssrc and ssrc-any");
		return -EINVAL;
	}
	if (attrs[KSRTP_A_CTX_SSRC])
		id->ssrc = nla_get_u32(attrs[KSRTP_A_CTX_SSRC]);
	else
		id->any = 1;
	if (!addr && !attrs[KSRTP_A_CTX_REMOTE_PORT])
		return 0;
	if (!addr || !attrs[KSRTP_A_CTX_REMOTE_PORT]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "remote-addr and remote-port go together");
		return -EINVAL;
	}
	if (nla_len(addr) == 4) {
		id->family = AF_INET;
		nla_memcpy(&id->addr, addr, 4);
	} else if (nla_len(addr) == 16) {
		id->family = AF_INET6;
		nla_memcpy(&id->addr, addr, 16);
		if (ipv6_addr_v4mapped(&id->addr)) {
			/* a dual-stack socket sees these peers as IPv4 */
			id->family = AF_INET;
			memmove(&id->addr, &id->addr.s6_addr32[3], 4);
			memset((u8 *)&id->addr + 4, 0, 12);
		}
	} else {
		KSRTP_ERR_ATTR(info->extack, addr,
			       "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	id->port = htons(nla_get_u16(attrs[KSRTP_A_CTX_REMOTE_PORT]));
	return 0;
}

static struct ksrtp_sock *ksrtp_nl_ctx_sock(struct genl_info *info)
{
	struct nlattr *a = info->attrs[KSRTP_A_CTX_SOCK_COOKIE];
	struct ksrtp_sock *ks = ksrtp_sock_get(genl_info_net(info),
					       nla_get_u64(a));

	if (!ks)
		KSRTP_ERR_ATTR(info->extack, a,
			       "no attached socket with this cookie");
	return ks;
}

/*
 * Refuse a TX context that would reuse a master key for the same SSRC: only
 * the TX contexts of that SSRC are looked at (ks->tx_ssrc). RCU held.
 */
static bool ksrtp_tx_key_reused(struct ksrtp_sock *ks,
				const struct ksrtp_ctx_id *id,
				const struct ksrtp_key *key)
{
	struct rhlist_head *list, *pos;
	struct ksrtp_ctx *ctx;

	if (id->dir != KSRTP_DIR_TX || (!atomic_read(&ks->n_bound) && !id->family))
		return false;
	list = rhltable_lookup(&ks->tx_ssrc, &id->ssrc, ksrtp_tx_ssrc_params);
	rhl_for_each_entry_rcu(ctx, pos, list, tx_node) {
		int i;

		if (ctx->id.any != id->any)
			continue;
		for (i = 0; i < KSRTP_MAX_KEYS; i++) {
			struct ksrtp_key *k = rcu_dereference(ctx->ring->keys[i]);

			/* equal session salts: the same master key and salt */
			if (k && ctx->ring->suite == key->crypto.suite &&
			    !crypto_memneq(k->crypto.rtp.salt, key->crypto.rtp.salt,
					   KSRTP_SALT_MAX))
				return true;
		}
	}
	return false;
}

static int ksrtp_nl_key_parse(struct genl_info *info, struct nlattr *nest,
			      struct nlattr **tb)
{
	int err;

	err = nla_parse_nested(tb, KSRTP_A_KEY_MAX, nest, ksrtp_key_nl_policy,
			       info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, KSRTP_A_KEY_MASTER_KEY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, KSRTP_A_KEY_MASTER_SALT))
		return -EINVAL;
	return 0;
}

static int ksrtp_nl_ring_add(struct genl_info *info, struct ksrtp_keyring *ring,
			     struct nlattr **tb, const struct ksrtp_kdr_params *at)
{
	struct nlattr *mki = tb[KSRTP_A_KEY_MKI];

	return ksrtp_keyring_add(ring,
				 tb[KSRTP_A_KEY_ID] ? nla_get_u32(tb[KSRTP_A_KEY_ID]) : 0,
				 nla_data(tb[KSRTP_A_KEY_MASTER_KEY]),
				 nla_len(tb[KSRTP_A_KEY_MASTER_KEY]),
				 nla_data(tb[KSRTP_A_KEY_MASTER_SALT]),
				 nla_len(tb[KSRTP_A_KEY_MASTER_SALT]),
				 mki ? nla_data(mki) : NULL,
				 mki ? nla_len(mki) : 0, at, info->extack);
}

/*
 * The key derivation rate as log2, 0 for KDR 0. RFC 3711 allows 2^0..2^24;
 * crypto_kdr.c explains why the module takes 2^16 and above.
 */
static int ksrtp_nl_kdr(struct genl_info *info, const struct ksrtp_ctx_id *id,
			const struct ksrtp_suite_info *suite, u8 *log2)
{
	struct nlattr *a = info->attrs[KSRTP_A_CTX_KDR];
	u32 kdr = a ? nla_get_u32(a) : 0;

	*log2 = 0;
	if (!kdr)
		return 0;
	if (!is_power_of_2(kdr) || kdr > BIT(KSRTP_KDR_LOG2_MAX)) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "KDR must be 0 or a power of two up to 2^24 (RFC 3711 4.3.1)");
		return -EINVAL;
	}
	if (kdr < BIT(KSRTP_KDR_LOG2_MIN)) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "KDR below 2^16 is not supported");
		return -EOPNOTSUPP;
	}
	if (suite->cipher == KSRTP_CIPHER_GCM) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "KDR is supported with the AES-CM, AES-f8 and NULL suites only");
		return -EOPNOTSUPP;
	}
	if (id->any) {
		KSRTP_ERR_ATTR(info->extack, a,
			       "KDR needs an explicit SSRC: each stream has its own epochs");
		return -EOPNOTSUPP;
	}
	*log2 = ilog2(kdr);
	return 0;
}

int ksrtp_nl_ctx_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 flags = 0, window = KSRTP_WINDOW_DEFAULT, roc = 0;
	struct nlattr *ktb[KSRTP_A_KEY_MAX + 1];
	struct ksrtp_kdr_params at = {};
	struct nlattr **attrs = info->attrs;
	const struct ksrtp_suite_info *suite;
	struct ksrtp_keyring *ring;
	struct ksrtp_ctx_id id;
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;
	u64 soft_limit = 0;
	u32 suite_id;
	int seq = -1, err;

	err = ksrtp_nl_ctx_id(info, &id);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_SUITE) ||
	    GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_KEY))
		return -EINVAL;
	suite_id = nla_get_u32(attrs[KSRTP_A_CTX_SUITE]);
	suite = ksrtp_suite_get(suite_id);
	if (!suite || !(ksrtp_suites_available() & BIT(suite_id))) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_CTX_SUITE],
			       "suite's crypto is not available in this kernel");
		return -EOPNOTSUPP;
	}
	if (attrs[KSRTP_A_CTX_FLAGS])
		flags = nla_get_u32(attrs[KSRTP_A_CTX_FLAGS]);
	if (flags && suite->cipher == KSRTP_CIPHER_GCM) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_CTX_FLAGS],
			       "session parameters apply to AES-CM and NULL suites only");
		return -EINVAL;
	}
	if ((flags & KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP) &&
	    !allow_unauthenticated_srtp) {
		KSRTP_ERR_ATTR(info->extack, attrs[KSRTP_A_CTX_FLAGS],
			       "UNAUTHENTICATED_SRTP refused (module parameter allow_unauthenticated_srtp)");
		return -EPERM;
	}
	err = ksrtp_nl_kdr(info, &id, suite, &at.log2);
	if (err)
		return err;
	if (attrs[KSRTP_A_CTX_WINDOW])
		window = round_up(nla_get_u32(attrs[KSRTP_A_CTX_WINDOW]), 64);
	if (attrs[KSRTP_A_CTX_ROC])
		roc = nla_get_u32(attrs[KSRTP_A_CTX_ROC]);
	if (attrs[KSRTP_A_CTX_SEQ])
		seq = nla_get_u16(attrs[KSRTP_A_CTX_SEQ]);
	if (attrs[KSRTP_A_CTX_SOFT_LIMIT])
		soft_limit = nla_get_u64(attrs[KSRTP_A_CTX_SOFT_LIMIT]);
	err = ksrtp_nl_key_parse(info, attrs[KSRTP_A_CTX_KEY], ktb);
	if (err)
		return err;

	ks = ksrtp_nl_ctx_sock(info);
	if (!ks)
		return -ENOENT;
	err = -ENOMEM;
	ring = ksrtp_keyring_new(suite, id.dir == KSRTP_DIR_RX,
				 ktb[KSRTP_A_KEY_MKI] ?
				 nla_len(ktb[KSRTP_A_KEY_MKI]) : 0,
				 flags, soft_limit, at.log2);
	if (!ring)
		goto out;
	at.rtp_index = ((u64)roc << 16) | (seq >= 0 ? seq : 0);
	err = ksrtp_nl_ring_add(info, ring, ktb, &at);
	if (err)
		goto out_ring;
	ctx = ksrtp_ctx_alloc(&id, ring, id.any ? KSRTP_CTX_ORIGIN_TEMPLATE :
			      KSRTP_CTX_ORIGIN_EXPLICIT, window, roc, seq,
			      GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!ctx)
		goto out_ring;

	mutex_lock(&ks->conf_lock);
	rcu_read_lock();
	if (ksrtp_tx_key_reused(ks, &id, rcu_dereference(ring->active))) {
		rcu_read_unlock();
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a TX context for this SSRC already uses this master key");
		err = -EEXIST;
		goto out_unlock;
	}
	rcu_read_unlock();
	err = rhashtable_lookup_insert_fast(&ks->ctxs, &ctx->node,
					    ksrtp_ctx_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG_MOD(info->extack, "context already exists");
		else
			NL_SET_ERR_MSG_MOD(info->extack,
					   "cannot add the context to the socket's table");
		goto out_unlock;
	}
	if (id.dir == KSRTP_DIR_TX) {
		err = rhltable_insert(&ks->tx_ssrc, &ctx->tx_node,
				      ksrtp_tx_ssrc_params);
		if (err) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "cannot add the context to the socket's table");
			rhashtable_remove_fast(&ks->ctxs, &ctx->node,
					       ksrtp_ctx_params);
			mutex_unlock(&ks->conf_lock);
			ksrtp_ctx_free_rcu(ctx);
			goto out;
		}
	}
	atomic_inc(&ks->n_ctx);
	if (id.dir == KSRTP_DIR_RX)
		WRITE_ONCE(ks->rx_keyed, true);	/* plain-rtp until-keyed ends */
	if (id.family)
		atomic_inc(&ks->n_bound);
	if (id.any)
		atomic_inc(&ks->n_any);
	mutex_unlock(&ks->conf_lock);
	ksrtp_sock_put(ks);
	return 0;

out_unlock:
	mutex_unlock(&ks->conf_lock);
	ksrtp_ctx_free_now(ctx, NULL);
	goto out;
out_ring:
	ksrtp_keyring_put(ring);
out:
	ksrtp_sock_put(ks);
	return err;
}

/* Remove one context; conf_lock held. */
static void ksrtp_ctx_remove(struct ksrtp_sock *ks, struct ksrtp_ctx *ctx)
{
	if (rhashtable_remove_fast(&ks->ctxs, &ctx->node, ksrtp_ctx_params))
		return;
	if (ctx->id.dir == KSRTP_DIR_TX)
		rhltable_remove(&ks->tx_ssrc, &ctx->tx_node,
				ksrtp_tx_ssrc_params);
	atomic_dec(&ks->n_ctx);
	if (ctx->origin == KSRTP_CTX_ORIGIN_LEARNED)
		atomic_dec(&ks->n_learned);
	else if (ctx->id.family)
		atomic_dec(&ks->n_bound);
	if (ctx->id.any)
		atomic_dec(&ks->n_any);
	ksrtp_ctx_free_rcu(ctx);
}

/* Find the context a request names and its socket; conf_lock taken. */
static struct ksrtp_ctx *ksrtp_nl_ctx_find(struct genl_info *info,
					   struct ksrtp_sock **ksp)
{
	struct ksrtp_ctx_id id;
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;

	if (ksrtp_nl_ctx_id(info, &id))
		return ERR_PTR(-EINVAL);
	ks = ksrtp_nl_ctx_sock(info);
	if (!ks)
		return ERR_PTR(-ENOENT);
	mutex_lock(&ks->conf_lock);
	ctx = rhashtable_lookup_fast(&ks->ctxs, &id, ksrtp_ctx_params);
	if (!ctx) {
		mutex_unlock(&ks->conf_lock);
		ksrtp_sock_put(ks);
		NL_SET_ERR_MSG_MOD(info->extack, "no such context");
		return ERR_PTR(-ENOENT);
	}
	*ksp = ks;
	return ctx;
}

static void ksrtp_nl_ctx_release(struct ksrtp_sock *ks)
{
	mutex_unlock(&ks->conf_lock);
	ksrtp_sock_put(ks);
}

int ksrtp_nl_ctx_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;

	ctx = ksrtp_nl_ctx_find(info, &ks);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (ctx->id.any) {
		/*
		 * A template takes the contexts it learned with it: none can
		 * be learned once its ring is dead, and all learned before
		 * are in the table for the walk.
		 */
		struct rhashtable_iter iter;
		struct ksrtp_ctx *c;

		ksrtp_keyring_kill(ctx->ring);
		rhashtable_walk_enter(&ks->ctxs, &iter);
		rhashtable_walk_start(&iter);
		while ((c = rhashtable_walk_next(&iter))) {
			if (!IS_ERR(c) && c->origin == KSRTP_CTX_ORIGIN_LEARNED &&
			    c->ring == ctx->ring)
				ksrtp_ctx_remove(ks, c);
		}
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);
	}
	ksrtp_ctx_remove(ks, ctx);
	ksrtp_nl_ctx_release(ks);
	return 0;
}

static int ksrtp_nl_put_ctx_stats(struct sk_buff *msg, struct ksrtp_ctx *ctx)
{
	struct ksrtp_ctx_stats st;
	struct nlattr *nest;
	u64 top;
	u32 rtcp_index;

	spin_lock_bh(&ctx->lock);
	st = ctx->st;
	top = ctx->rtp->top;
	rtcp_index = ctx->id.dir == KSRTP_DIR_TX ? ctx->rtcp_tx_index :
						  (u32)ctx->rtcp->top;
	spin_unlock_bh(&ctx->lock);

	nest = nla_nest_start(msg, KSRTP_A_CTX_STATS);
	if (!nest)
		return -EMSGSIZE;
#define PUT(a, v) nla_put_u64_64bit(msg, KSRTP_A_CTX_STATS_##a, v, KSRTP_A_CTX_STATS_PAD)
	if (PUT(PACKETS, st.packets) || PUT(BYTES, st.bytes) ||
	    PUT(RTCP_PACKETS, st.rtcp_packets) || PUT(RTCP_BYTES, st.rtcp_bytes) ||
	    PUT(AUTH_FAIL, st.auth_fail) || PUT(REPLAY_DROP, st.replay_drop) ||
	    PUT(RTCP_AUTH_FAIL, st.rtcp_auth_fail) ||
	    PUT(RTCP_REPLAY_DROP, st.rtcp_replay_drop) ||
	    PUT(MALFORMED, st.malformed) || PUT(UNKNOWN_MKI, st.unknown_mki) ||
	    PUT(ROC_ROLLOVER, st.roc_rollover) ||
	    PUT(INDEX_REUSE, st.index_reuse) || PUT(LIMIT_DROP, st.limit_drop) ||
	    PUT(LIMIT_EVENTS, st.limit_events) || PUT(HIGHEST_INDEX, top) ||
	    nla_put_u32(msg, KSRTP_A_CTX_STATS_RTCP_INDEX, rtcp_index) ||
	    PUT(KDR_PENDING, st.kdr_pending))
		return -EMSGSIZE;
#undef PUT
	nla_nest_end(msg, nest);
	return 0;
}

/* Describe a context: never key material, only ids, MKIs and counts. */
static int ksrtp_nl_fill_ctx(struct sk_buff *msg, struct ksrtp_sock *ks,
			     struct ksrtp_ctx *ctx, u32 portid, u32 seq,
			     int flags)
{
	struct ksrtp_keyring *ring = ctx->ring;
	struct ksrtp_key *active;
	void *hdr;
	int i;

	hdr = genlmsg_put(msg, portid, seq, &ksrtp_nl_family, flags,
			  KSRTP_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (ksrtp_nl_put_id(msg, ks->cookie, &ctx->id) ||
	    nla_put_u32(msg, KSRTP_A_CTX_SUITE, ksrtp_suite_id(ring->suite)) ||
	    nla_put_u32(msg, KSRTP_A_CTX_ROC, (u32)(ctx->rtp->top >> 16)) ||
	    nla_put_u32(msg, KSRTP_A_CTX_WINDOW, ctx->window) ||
	    nla_put_u32(msg, KSRTP_A_CTX_FLAGS, ring->flags) ||
	    nla_put_u32(msg, KSRTP_A_CTX_KDR,
			ring->kdr_log2 ? BIT(ring->kdr_log2) : 0) ||
	    nla_put_u64_64bit(msg, KSRTP_A_CTX_SOFT_LIMIT, ring->soft_limit,
			      KSRTP_A_CTX_PAD) ||
	    nla_put_u32(msg, KSRTP_A_CTX_ORIGIN, ctx->origin))
		goto cancel;

	rcu_read_lock();
	active = rcu_dereference(ring->active);
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct ksrtp_key *key = rcu_dereference(ring->keys[i]);
		struct nlattr *nest;

		if (!key)
			continue;
		nest = nla_nest_start(msg, KSRTP_A_CTX_KEY);
		if (!nest ||
		    nla_put_u32(msg, KSRTP_A_KEY_ID, key->id) ||
		    (ring->mki_len &&
		     nla_put(msg, KSRTP_A_KEY_MKI, ring->mki_len, key->mki)) ||
		    (key == active && nla_put_flag(msg, KSRTP_A_KEY_ACTIVE)) ||
		    nla_put_u64_64bit(msg, KSRTP_A_KEY_SRTP_PACKETS,
				      atomic64_read(&key->srtp_packets),
				      KSRTP_A_KEY_PAD) ||
		    nla_put_u64_64bit(msg, KSRTP_A_KEY_SRTCP_PACKETS,
				      atomic64_read(&key->srtcp_packets),
				      KSRTP_A_KEY_PAD)) {
			rcu_read_unlock();
			goto cancel;
		}
		nla_nest_end(msg, nest);
	}
	rcu_read_unlock();
	if (ksrtp_nl_put_ctx_stats(msg, ctx))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int ksrtp_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;
	struct sk_buff *msg;
	int err;

	ctx = ksrtp_nl_ctx_find(info, &ks);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (msg) {
		err = ksrtp_nl_fill_ctx(msg, ks, ctx, info->snd_portid,
					info->snd_seq, 0);
		if (err)
			nlmsg_free(msg);
	}
	ksrtp_nl_ctx_release(ks);
	return err ? err : genlmsg_reply(msg, info);
}

/*
 * A dump keeps its socket and a table walker from call to call (cb->args[0]),
 * so it costs O(contexts) in all; ksrtp_nl_ctx_dump_done() lets them go.
 */
struct ksrtp_ctx_dump {
	struct ksrtp_sock *ks;
	struct rhashtable_iter iter;
};

int ksrtp_nl_ctx_dump_done(struct netlink_callback *cb)
{
	struct ksrtp_ctx_dump *d = (struct ksrtp_ctx_dump *)cb->args[0];

	if (d) {
		rhashtable_walk_exit(&d->iter);
		ksrtp_sock_put(d->ks);
		kfree(d);
		cb->args[0] = 0;
	}
	return 0;
}

int ksrtp_nl_ctx_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksrtp_ctx_dump *d = (struct ksrtp_ctx_dump *)cb->args[0];
	struct ksrtp_ctx *ctx;
	int err = 0, n = 0;

	if (!d) {
		struct nlattr *a = ksrtp_dump_attrs(cb)[KSRTP_A_CTX_SOCK_COOKIE];
		struct ksrtp_sock *ks;

		if (!a) {
			NL_SET_ERR_MSG_MOD(cb->extack, "dump needs sock-cookie");
			return -EINVAL;
		}
		ks = ksrtp_sock_get(sock_net(skb->sk), nla_get_u64(a));
		if (!ks) {
			NL_SET_ERR_MSG_MOD(cb->extack,
					   "no attached socket with this cookie");
			return -ENOENT;
		}
		d = kzalloc(sizeof(*d), GFP_KERNEL);
		if (!d) {
			ksrtp_sock_put(ks);
			return -ENOMEM;
		}
		d->ks = ks;
		rhashtable_walk_enter(&ks->ctxs, &d->iter);
		cb->args[0] = (long)d;
	}
	rhashtable_walk_start(&d->iter);
	/* peek: a context that did not fit is the first of the next call */
	for (ctx = rhashtable_walk_peek(&d->iter); ctx;
	     ctx = rhashtable_walk_next(&d->iter)) {
		if (IS_ERR(ctx)) {
			if (PTR_ERR(ctx) == -EAGAIN)
				continue;	/* resized: duplicates possible */
			err = PTR_ERR(ctx);
			break;
		}
		err = ksrtp_nl_fill_ctx(skb, d->ks, ctx,
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		n++;
	}
	rhashtable_walk_stop(&d->iter);
	if (err && !n)
		return err;	/* one context does not fit: give up */
	return skb->len;
}

/* --------------------------------------------------------------- keys */

static struct ksrtp_ctx *ksrtp_nl_key_ctx(struct genl_info *info,
					  struct ksrtp_sock **ksp)
{
	struct ksrtp_ctx *ctx = ksrtp_nl_ctx_find(info, ksp);

	if (!IS_ERR(ctx) && ctx->origin == KSRTP_CTX_ORIGIN_LEARNED) {
		ksrtp_nl_ctx_release(*ksp);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a learned context uses its template's keys: change those");
		return ERR_PTR(-EINVAL);
	}
	return ctx;
}

int ksrtp_nl_key_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ktb[KSRTP_A_KEY_MAX + 1];
	struct ksrtp_kdr_params at = {};
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_KEY))
		return -EINVAL;
	err = ksrtp_nl_key_parse(info, info->attrs[KSRTP_A_CTX_KEY], ktb);
	if (err)
		return err;
	ctx = ksrtp_nl_key_ctx(info, &ks);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ksrtp_ctx_kdr_at(ctx, &at);
	err = ksrtp_nl_ring_add(info, ctx->ring, ktb, &at);
	ksrtp_nl_ctx_release(ks);
	return err;
}

/* key-swap and key-del: a context, a key id, one keyring operation. */
static int ksrtp_nl_key_id_op(struct genl_info *info,
			      int (*op)(struct ksrtp_keyring *ring, u32 id,
					struct netlink_ext_ack *extack))
{
	struct ksrtp_sock *ks;
	struct ksrtp_ctx *ctx;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KSRTP_A_CTX_KEY_ID))
		return -EINVAL;
	ctx = ksrtp_nl_key_ctx(info, &ks);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	err = op(ctx->ring, nla_get_u32(info->attrs[KSRTP_A_CTX_KEY_ID]),
		 info->extack);
	ksrtp_nl_ctx_release(ks);
	return err;
}

int ksrtp_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ksrtp_nl_key_id_op(info, ksrtp_keyring_swap);
}

int ksrtp_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ksrtp_nl_key_id_op(info, ksrtp_keyring_del);
}
