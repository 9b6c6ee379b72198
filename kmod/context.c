// SPDX-License-Identifier: GPL-2.0
/*
 * Crypto contexts and their master keys.
 *
 * A context is per socket, direction and SSRC (or an any-SSRC template),
 * optionally bound to a remote address; it lives in the socket's rhashtable
 * and is read under RCU. Its keys live in a keyring that templates share
 * with the contexts they learn. Freeing is deferred past an RCU grace
 * period, and crypto transforms are freed from a workqueue.
 */

#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "context.h"
#include "objects.h"
#include "op.h"
#include "socket.h"

struct workqueue_struct *ksrtp_wq;

/*
 * Keys: a cache of their own, not kmalloc-1k; with HMAC pad states after
 * them (~600 B) or, for AEAD suites, without (~210 B).
 */
static struct kmem_cache *ksrtp_key_cache;
static struct kmem_cache *ksrtp_key_aead_cache;
static struct kmem_cache *ksrtp_ctx_cache;

/* Deferred frees still to run: module exit waits for them all. */
static atomic_t ksrtp_deferred = ATOMIC_INIT(0);

/* Run a free after an RCU grace period, in process context. */
void ksrtp_defer_free(struct rcu_work *work)
{
	atomic_inc(&ksrtp_deferred);
	queue_rcu_work(ksrtp_wq, work);
}

void ksrtp_defer_done(void)
{
	atomic_dec(&ksrtp_deferred);
}

/*
 * Contexts hash by SSRC, direction and template flag only, and compare
 * field by field: every packet does a lookup, and hashing and memcmp()ing
 * the whole 28-byte id cost several times more. The few contexts that
 * share an SSRC (bound to different remotes) share a bucket.
 */
static u32 ksrtp_ctx_hash(const void *data, u32 len, u32 seed)
{
	const struct ksrtp_ctx_id *id = data;

	return jhash_2words(id->ssrc, id->dir | id->any << 8, seed);
}

static int ksrtp_ctx_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct ksrtp_ctx_id *a = arg->key;
	const struct ksrtp_ctx_id *b = &((const struct ksrtp_ctx *)obj)->id;

	if (a->ssrc != b->ssrc || a->dir != b->dir || a->any != b->any ||
	    a->family != b->family)
		return 1;
	return a->family && (a->port != b->port ||
			     !ipv6_addr_equal(&a->addr, &b->addr));
}

const struct rhashtable_params ksrtp_ctx_params = {
	.key_len		= sizeof(struct ksrtp_ctx_id),
	.key_offset		= offsetof(struct ksrtp_ctx, id),
	.head_offset		= offsetof(struct ksrtp_ctx, node),
	.hashfn			= ksrtp_ctx_hash,
	.obj_cmpfn		= ksrtp_ctx_cmp,
	.automatic_shrinking	= true,
};

/* TX contexts by SSRC alone, for the two-time-pad check of ctx-new. */
const struct rhashtable_params ksrtp_tx_ssrc_params = {
	.key_len		= sizeof(u32),
	.key_offset		= offsetof(struct ksrtp_ctx, id.ssrc),
	.head_offset		= offsetof(struct ksrtp_ctx, tx_node),
	.automatic_shrinking	= true,
};

static struct kmem_cache *
ksrtp_key_cache_of(const struct ksrtp_suite_info *suite)
{
	return ksrtp_suite_has_hmac(suite) ? ksrtp_key_cache : ksrtp_key_aead_cache;
}

static void ksrtp_key_free(struct ksrtp_key *key)
{
	struct kmem_cache *cache = ksrtp_key_cache_of(key->crypto.suite);

	/* a packet may still be in its transform's asynchronous hands */
	ksrtp_async_wait();
	ksrtp_crypto_free(&key->crypto);
	memzero_explicit(key, sizeof(*key));
	kmem_cache_free(cache, key);
	ksrtp_obj_gone(KSRTP_OBJ_KEY);
}

static void ksrtp_key_free_work(struct work_struct *work)
{
	/* crypto_free_*() may sleep in some drivers: not from RCU. */
	ksrtp_key_free(container_of(to_rcu_work(work), struct ksrtp_key,
				    free_work));
	ksrtp_defer_done();
}

static void ksrtp_keyring_free_work(struct work_struct *work)
{
	struct ksrtp_keyring *ring;
	int i;

	ring = container_of(to_rcu_work(work), struct ksrtp_keyring, free_work);
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct ksrtp_key *key = rcu_dereference_protected(ring->keys[i], 1);

		if (key)
			ksrtp_key_free(key);
	}
	kfree(ring);
	ksrtp_obj_gone(KSRTP_OBJ_KEYRING);
	ksrtp_defer_done();
}

struct ksrtp_keyring *ksrtp_keyring_new(const struct ksrtp_suite_info *suite,
					bool rx, u8 mki_len, u32 flags,
					u64 soft_limit, u8 kdr_log2)
{
	struct ksrtp_keyring *ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);

	if (!ring)
		return NULL;
	ksrtp_obj_new(KSRTP_OBJ_KEYRING);
	refcount_set(&ring->refs, 1);
	spin_lock_init(&ring->learn_lock);
	INIT_RCU_WORK(&ring->free_work, ksrtp_keyring_free_work);
	ring->suite = suite;
	ring->rx = rx;
	ring->mki_len = mki_len;
	ring->flags = flags;
	ring->soft_limit = soft_limit;
	ring->kdr_log2 = kdr_log2;
	return ring;
}

void ksrtp_keyring_put(struct ksrtp_keyring *ring)
{
	if (ring && refcount_dec_and_test(&ring->refs))
		ksrtp_defer_free(&ring->free_work);
}

static struct ksrtp_key *ksrtp_keyring_slot(struct ksrtp_keyring *ring,
					    int i)
{
	return rcu_dereference_check(ring->keys[i], 1);
}

int ksrtp_keyring_add(struct ksrtp_keyring *ring, u32 id, const u8 *mkey,
		      unsigned int mkey_len, const u8 *msalt,
		      unsigned int msalt_len, const u8 *mki,
		      unsigned int mki_len, const struct ksrtp_kdr_params *at,
		      struct netlink_ext_ack *extack)
{
	const struct ksrtp_suite_info *suite = ring->suite;
	struct ksrtp_kdr_params kdr = *at;
	struct ksrtp_key *key;
	int i, free = -1, err;

	if (mkey_len != suite->key_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "master key length does not match the suite (16, 24 or 32 bytes)");
		return -EINVAL;
	}
	if (msalt_len != suite->salt_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "master salt length does not match the suite (14 bytes, 12 for AEAD)");
		return -EINVAL;
	}
	if (mki_len != ring->mki_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MKI length must match the context's first key");
		return -EINVAL;
	}
	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct ksrtp_key *k = ksrtp_keyring_slot(ring, i);

		if (!k) {
			if (free < 0)
				free = i;
			continue;
		}
		if (k->id == id) {
			NL_SET_ERR_MSG_MOD(extack, "key id already in use");
			return -EEXIST;
		}
		if (mki_len && !memcmp(k->mki, mki, mki_len)) {
			NL_SET_ERR_MSG_MOD(extack, "MKI already in use");
			return -EEXIST;
		}
	}
	if (free < 0) {
		NL_SET_ERR_MSG_MOD(extack, "context already has the most keys allowed");
		return -ENOSPC;
	}

	key = kmem_cache_zalloc(ksrtp_key_cache_of(suite), GFP_KERNEL_ACCOUNT);
	if (!key)
		return -ENOMEM;
	ksrtp_obj_new(KSRTP_OBJ_KEY);
	key->id = id;
	INIT_RCU_WORK(&key->free_work, ksrtp_key_free_work);
	if (mki_len)
		memcpy(key->mki, mki, mki_len);
	kdr.log2 = ring->kdr_log2;
	err = ksrtp_crypto_init(&key->crypto, suite, ring->rx, mkey, msalt,
				key->crypto_tail, &kdr);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "cannot set up the suite's crypto transforms");
		memzero_explicit(key, sizeof(*key));
		kmem_cache_free(ksrtp_key_cache_of(suite), key);
		ksrtp_obj_gone(KSRTP_OBJ_KEY);
		return err;
	}
	WRITE_ONCE(ring->nkeys, ring->nkeys + 1);
	rcu_assign_pointer(ring->keys[free], key);
	if (!rcu_access_pointer(ring->active))
		rcu_assign_pointer(ring->active, key);
	return 0;
}

static int ksrtp_keyring_find(struct ksrtp_keyring *ring, u32 id)
{
	int i;

	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct ksrtp_key *k = ksrtp_keyring_slot(ring, i);

		if (k && k->id == id)
			return i;
	}
	return -1;
}

int ksrtp_keyring_swap(struct ksrtp_keyring *ring, u32 id,
		       struct netlink_ext_ack *extack)
{
	int i = ksrtp_keyring_find(ring, id);

	if (i < 0) {
		NL_SET_ERR_MSG_MOD(extack, "no key with this id");
		return -ENOENT;
	}
	rcu_assign_pointer(ring->active, ksrtp_keyring_slot(ring, i));
	return 0;
}

int ksrtp_keyring_del(struct ksrtp_keyring *ring, u32 id,
		      struct netlink_ext_ack *extack)
{
	int i = ksrtp_keyring_find(ring, id);
	struct ksrtp_key *key;

	if (i < 0) {
		NL_SET_ERR_MSG_MOD(extack, "no key with this id");
		return -ENOENT;
	}
	key = ksrtp_keyring_slot(ring, i);
	if (rcu_access_pointer(ring->active) == key) {
		NL_SET_ERR_MSG_MOD(extack,
				   "key is the active TX key: swap to another first");
		return -EBUSY;
	}
	RCU_INIT_POINTER(ring->keys[i], NULL);
	WRITE_ONCE(ring->nkeys, ring->nkeys - 1);
	ksrtp_defer_free(&key->free_work);
	return 0;
}

struct ksrtp_key *ksrtp_keyring_find_mki(struct ksrtp_keyring *ring,
					 const u8 *mki)
{
	int i;

	for (i = 0; i < KSRTP_MAX_KEYS; i++) {
		struct ksrtp_key *k = rcu_dereference(ring->keys[i]);

		if (k && !memcmp(k->mki, mki, ring->mki_len))
			return k;
	}
	return NULL;
}

/*
 * A template is being deleted (ctx-del, conf_lock held): after this no
 * context can be learned from its ring (ksrtp_ctx_learn_insert()), and
 * every one learned before is in the socket's table for ctx-del's walk to
 * remove.
 */
void ksrtp_keyring_kill(struct ksrtp_keyring *ring)
{
	spin_lock_bh(&ring->learn_lock);
	ring->dead = true;
	spin_unlock_bh(&ring->learn_lock);
}

/* Bytes of one replay window's state for window. */
static size_t ksrtp_replay_size(u32 window)
{
	return sizeof(struct ksrtp_replay) +
	       ksrtp_replay_words(window) * sizeof(u64);
}

struct ksrtp_ctx *ksrtp_ctx_alloc(const struct ksrtp_ctx_id *id,
				  struct ksrtp_keyring *ring, u8 origin,
				  u32 window, u32 roc, int seq, gfp_t gfp)
{
	size_t rsz = ksrtp_replay_size(window);
	struct ksrtp_ctx *ctx;

	/* most contexts have the default window: a cache that fits them */
	if (rsz == ksrtp_replay_size(KSRTP_WINDOW_DEFAULT))
		ctx = kmem_cache_zalloc(ksrtp_ctx_cache, gfp);
	else
		ctx = kzalloc(sizeof(*ctx) + 2 * rsz, gfp);
	if (!ctx)
		return NULL;
	ksrtp_obj_new(KSRTP_OBJ_CTX);
	ctx->cached = rsz == ksrtp_replay_size(KSRTP_WINDOW_DEFAULT);
	ctx->id = *id;
	ctx->ring = ring;
	ctx->origin = origin;
	ctx->window = window;
	ctx->seq_known = seq >= 0;
	spin_lock_init(&ctx->lock);
	ctx->rtp = (struct ksrtp_replay *)ctx->replay_mem;
	ctx->rtcp = (struct ksrtp_replay *)((u8 *)ctx->replay_mem + rsz);
	ksrtp_replay_init(ctx->rtp, window,
			  ((u64)roc << 16) | (seq >= 0 ? seq : 0));
	ksrtp_replay_init(ctx->rtcp, window, 0);
	return ctx;
}

static void ksrtp_ctx_free(struct ksrtp_ctx *ctx)
{
	ksrtp_keyring_put(ctx->ring);
	if (ctx->cached)
		kmem_cache_free(ksrtp_ctx_cache, ctx);
	else
		kfree(ctx);
	ksrtp_obj_gone(KSRTP_OBJ_CTX);
}

static void ksrtp_ctx_free_cb(struct rcu_head *head)
{
	ksrtp_ctx_free(container_of(head, struct ksrtp_ctx, rcu));
}

/*
 * Where a key added to the context now starts: its KDR epochs are derived
 * around the context's SRTP and SRTCP indices.
 */
void ksrtp_ctx_kdr_at(struct ksrtp_ctx *ctx, struct ksrtp_kdr_params *at)
{
	spin_lock_bh(&ctx->lock);
	at->rtp_index = ctx->rtp->top;
	at->rtcp_index = ctx->id.dir == KSRTP_DIR_TX ? ctx->rtcp_tx_index :
			 (u32)ctx->rtcp->top;
	spin_unlock_bh(&ctx->lock);
}

void ksrtp_ctx_free_rcu(struct ksrtp_ctx *ctx)
{
	call_rcu(&ctx->rcu, ksrtp_ctx_free_cb);
}

/*
 * Publish a context learned from a template (ctx->ring is the template's):
 * in the socket's table and, for TX, in the SSRC index, unless the template
 * has been deleted (ksrtp_keyring_kill()). Both happen under the ring's
 * learn_lock, so a learn that raced with ctx-del either finished before
 * ctx-del's walk starts, which removes it, or sees the ring dead.
 *
 * Returns NULL once published; otherwise ctx is freed and its learn slot
 * (ks->n_learned) given back, and the result is the context another CPU
 * published first for the same id, ERR_PTR(-ENOKEY) if the template is
 * gone, or the table's error. RCU held, bottom halves off.
 */
struct ksrtp_ctx *ksrtp_ctx_learn_insert(struct ksrtp_sock *ks,
					 struct ksrtp_ctx *ctx)
{
	struct ksrtp_keyring *ring = ctx->ring;
	struct ksrtp_ctx *old;
	bool seen = false;

	spin_lock(&ring->learn_lock);
	if (ring->dead) {
		old = ERR_PTR(-ENOKEY);
		goto out;
	}
	old = rhashtable_lookup_get_insert_fast(&ks->ctxs, &ctx->node,
						ksrtp_ctx_params);
	if (old)
		goto out;
	if (ctx->id.dir == KSRTP_DIR_TX &&
	    rhltable_insert(&ks->tx_ssrc, &ctx->tx_node, ksrtp_tx_ssrc_params)) {
		/* unindexed, ctx-new could not see it: do without it */
		rhashtable_remove_fast(&ks->ctxs, &ctx->node, ksrtp_ctx_params);
		old = ERR_PTR(-ENOMEM);
		seen = true;
		goto out;
	}
	atomic_inc(&ks->n_ctx);
out:
	spin_unlock(&ring->learn_lock);
	if (!old)
		return NULL;
	atomic_dec(&ks->n_learned);
	if (seen)	/* was in the table: readers may hold it */
		ksrtp_ctx_free_rcu(ctx);
	else
		ksrtp_ctx_free_now(ctx, NULL);
	return old;
}

/* rhashtable_free_and_destroy() callback: no readers are left. */
void ksrtp_ctx_free_now(void *ptr, void *arg)
{
	ksrtp_ctx_free(ptr);
}

/*
 * Find the context for a packet: exact SSRC before template, bound to the
 * remote before unbound. Lookups that cannot match are skipped. RCU held.
 */
struct ksrtp_ctx *ksrtp_ctx_lookup(struct ksrtp_sock *ks, u8 dir, u32 ssrc,
				   const struct ksrtp_ctx_id *remote)
{
	bool bound = remote && remote->family && atomic_read(&ks->n_bound);
	struct ksrtp_ctx_id id;
	struct ksrtp_ctx *ctx;
	int any;

	memset(&id, 0, sizeof(id));
	id.dir = dir;
	for (any = 0; any <= 1; any++) {
		if (any && !atomic_read(&ks->n_any))
			break;
		id.any = any;
		id.ssrc = any ? 0 : ssrc;
		if (bound) {
			id.family = remote->family;
			id.port = remote->port;
			id.addr = remote->addr;
			ctx = rhashtable_lookup(&ks->ctxs, &id, ksrtp_ctx_params);
			if (ctx)
				return ctx;
			id.family = 0;
			id.port = 0;
			memset(&id.addr, 0, sizeof(id.addr));
		}
		ctx = rhashtable_lookup(&ks->ctxs, &id, ksrtp_ctx_params);
		if (ctx)
			return ctx;
	}
	return NULL;
}

int ksrtp_wq_init(void)
{
	/* the HMAC pad states follow the key, as large as the sha1 says */
	ksrtp_key_cache = kmem_cache_create("ksrtp_key", sizeof(struct ksrtp_key) +
					    ksrtp_crypto_tail_size(),
					    __alignof__(struct ksrtp_key), 0, NULL);
	ksrtp_key_aead_cache = kmem_cache_create("ksrtp_key_aead",
						 sizeof(struct ksrtp_key),
						 __alignof__(struct ksrtp_key), 0, NULL);
	/* a context with the default window's two replay states: ~340 B, not kmalloc-512 */
	ksrtp_ctx_cache = kmem_cache_create("ksrtp_ctx", sizeof(struct ksrtp_ctx) +
					    2 * ksrtp_replay_size(KSRTP_WINDOW_DEFAULT),
					    __alignof__(struct ksrtp_ctx), 0, NULL);
	ksrtp_wq = alloc_workqueue("ksrtp", WQ_UNBOUND, 0);
	if (!ksrtp_key_cache || !ksrtp_key_aead_cache || !ksrtp_ctx_cache ||
	    !ksrtp_wq) {
		if (ksrtp_wq)
			destroy_workqueue(ksrtp_wq);
		kmem_cache_destroy(ksrtp_ctx_cache);
		kmem_cache_destroy(ksrtp_key_aead_cache);
		kmem_cache_destroy(ksrtp_key_cache);
		return -ENOMEM;
	}
	return 0;
}

void ksrtp_wq_exit(void)
{
	/*
	 * A free can defer another (socket -> contexts -> keyring): wait for
	 * the RCU callbacks that queue them and the works themselves until
	 * none is left, then nothing can touch the workqueue again.
	 */
	rcu_barrier();		/* context frees put keyrings */
	while (atomic_read(&ksrtp_deferred)) {
		rcu_barrier();
		flush_workqueue(ksrtp_wq);
	}
	destroy_workqueue(ksrtp_wq);
	kmem_cache_destroy(ksrtp_ctx_cache);
	kmem_cache_destroy(ksrtp_key_aead_cache);
	kmem_cache_destroy(ksrtp_key_cache);
}
