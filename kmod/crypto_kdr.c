// SPDX-License-Identifier: GPL-2.0
/*
 * Key derivation rate != 0 (RFC 3711 4.3.1): a stream's session keys change
 * every 2^n packets, r = index >> n being part of their derivation.
 *
 * The packet path must not allocate or sleep, and a transform must not be
 * rekeyed while a request (possibly asynchronous) uses it, so each epoch's
 * keys are transforms of their own, derived ahead of the stream by a work
 * item. A key holds epochs r - 1, r and r + 1 of its SRTP and of its SRTCP
 * stream, r being the newest epoch a packet authenticated in (RX) or was
 * sent in (TX), each in slot r mod 3 under RCU. With n >= 16 a receiver's
 * index estimate lies within 2^15 of the highest index seen, so no SRTP
 * packet inside the replay window needs an epoch outside these three; a
 * packet whose epoch is not there is dropped and counted (kdr-pending).
 * A replaced epoch goes like a deleted key: after a grace period and the
 * asynchronous requests in flight.
 */

#include <linux/slab.h>
#include <linux/workqueue.h>

#include "context.h"
#include "crypto_kdr.h"
#include "op.h"

#define KSRTP_KDR_SLOTS	3

struct ksrtp_epoch {
	struct rcu_work free_work;
	u64 r;
	struct ksrtp_session s;
	u8 pads[] __aligned(8);	/* ksrtp_hmac_pads_size() */
};

struct ksrtp_kdr_stream {
	struct ksrtp_epoch __rcu *slot[KSRTP_KDR_SLOTS];
	atomic64_t top;		/* 1 + the newest epoch used; 0: none yet */
	atomic64_t join;	/* RX, none used yet: 1 + a packet's epoch */
	u64 start;		/* the epoch of the context's first index */
	u64 last;		/* the last epoch of the index space */
};

struct ksrtp_kdr {
	struct work_struct work;
	const struct ksrtp_suite_info *suite;
	struct crypto_sync_skcipher *kdf;	/* keyed with the master key */
	bool rx;
	u8 log2;
	u8 msalt[KSRTP_SALT_MAX];
	struct ksrtp_kdr_stream st[2];		/* SRTP, SRTCP */
};

static void ksrtp_epoch_free(struct ksrtp_epoch *e)
{
	ksrtp_session_free(&e->s);	/* zeroes the pads */
	kfree_sensitive(e);
}

static void ksrtp_epoch_free_work(struct work_struct *work)
{
	struct ksrtp_epoch *e = container_of(to_rcu_work(work),
					     struct ksrtp_epoch, free_work);

	ksrtp_async_wait();	/* a packet may still be in its transform */
	ksrtp_epoch_free(e);
	ksrtp_defer_done();
}

static struct ksrtp_epoch *ksrtp_epoch_new(struct ksrtp_kdr *k, bool rtcp,
					   u64 r)
{
	unsigned int pads = ksrtp_suite_has_hmac(k->suite) ?
			    ksrtp_hmac_pads_size() : 0;
	struct ksrtp_epoch *e;
	int err;

	e = kzalloc(sizeof(*e) + pads, GFP_KERNEL_ACCOUNT);
	if (!e)
		return ERR_PTR(-ENOMEM);
	INIT_RCU_WORK(&e->free_work, ksrtp_epoch_free_work);
	e->r = r;
	if (pads) {
		e->s.ipad = e->pads;
		e->s.opad = e->pads + pads / 2;
	}
	err = ksrtp_session_init(&e->s, k->suite, k->rx, k->kdf, k->msalt,
				 rtcp ? KDF_RTCP_ENC : KDF_RTP_ENC, r);
	if (err) {
		ksrtp_epoch_free(e);
		return ERR_PTR(err);
	}
	return e;
}

/* Slots r - 1, r and r + 1 of a stream hold those epochs. Worker or setup. */
static int ksrtp_kdr_fill(struct ksrtp_kdr *k, bool rtcp, u64 r)
{
	struct ksrtp_kdr_stream *st = &k->st[rtcp];
	u64 e = r ? r - 1 : 0;

	for (; e <= r + 1 && e <= st->last; e++) {
		struct ksrtp_epoch __rcu **slot = &st->slot[e % KSRTP_KDR_SLOTS];
		struct ksrtp_epoch *old = rcu_dereference_protected(*slot, 1);
		struct ksrtp_epoch *new;

		if (old && old->r == e)
			continue;
		new = ksrtp_epoch_new(k, rtcp, e);
		if (IS_ERR(new))
			return PTR_ERR(new);
		rcu_assign_pointer(*slot, new);
		if (old)
			ksrtp_defer_free(&old->free_work);
	}
	return 0;
}

/* The epoch a stream's keys should be around now. */
static u64 ksrtp_kdr_target(struct ksrtp_kdr_stream *st)
{
	u64 top = atomic64_read(&st->top), join = atomic64_read(&st->join);

	if (top)
		return top - 1;
	return join ? join - 1 : st->start;
}

/*
 * A failed derivation (memory) leaves the slots as they were: packets of
 * the missing epoch are dropped and counted, and the next one asks again.
 */
static void ksrtp_kdr_work(struct work_struct *work)
{
	struct ksrtp_kdr *k = container_of(work, struct ksrtp_kdr, work);

	ksrtp_kdr_fill(k, false, ksrtp_kdr_target(&k->st[0]));
	ksrtp_kdr_fill(k, true, ksrtp_kdr_target(&k->st[1]));
}

static bool ksrtp_kdr_has(struct ksrtp_kdr_stream *st, u64 r)
{
	struct ksrtp_epoch *e = rcu_dereference(st->slot[r % KSRTP_KDR_SLOTS]);

	return e && e->r == r;
}

const struct ksrtp_session *ksrtp_kdr_session(struct ksrtp_kdr *k, bool rtcp,
					      u64 index)
{
	struct ksrtp_kdr_stream *st = &k->st[rtcp];
	u64 r = index >> k->log2;
	struct ksrtp_epoch *e;

	e = rcu_dereference(st->slot[r % KSRTP_KDR_SLOTS]);
	if (likely(e && e->r == r))
		return &e->s;
	/*
	 * Before any packet authenticated, a receiver may join a stream in
	 * another epoch than the one set up (an SRTCP index is not known in
	 * advance). After, only authenticated packets move the epochs, so a
	 * forged one cannot evict the keys the stream uses.
	 */
	if (k->rx && !atomic64_read(&st->top) && r <= st->last) {
		atomic64_set(&st->join, r + 1);
		queue_work(ksrtp_wq, &k->work);
	}
	return NULL;
}

void ksrtp_kdr_seen(struct ksrtp_kdr *k, bool rtcp, u64 index)
{
	struct ksrtp_kdr_stream *st = &k->st[rtcp];
	u64 r = index >> k->log2, top = atomic64_read(&st->top);
	bool ahead;

	while (r + 1 > top) {
		u64 cur = atomic64_cmpxchg(&st->top, top, r + 1);

		if (cur == top)
			break;
		top = cur;
	}
	rcu_read_lock();
	ahead = r >= st->last || ksrtp_kdr_has(st, r + 1);
	rcu_read_unlock();
	if (!ahead)
		queue_work(ksrtp_wq, &k->work);
}

struct ksrtp_kdr *ksrtp_kdr_new(const struct ksrtp_suite_info *suite, bool rx,
				struct crypto_sync_skcipher *kdf,
				const u8 *msalt,
				const struct ksrtp_kdr_params *p)
{
	struct ksrtp_kdr *k;
	int err;

	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k) {
		crypto_free_sync_skcipher(kdf);
		return ERR_PTR(-ENOMEM);
	}
	INIT_WORK(&k->work, ksrtp_kdr_work);
	k->suite = suite;
	k->kdf = kdf;
	k->rx = rx;
	k->log2 = p->log2;
	memcpy(k->msalt, msalt, suite->salt_len);
	k->st[0].start = p->rtp_index >> p->log2;
	k->st[0].last = (BIT_ULL(48) - 1) >> p->log2;
	k->st[1].start = p->rtcp_index >> p->log2;
	k->st[1].last = (BIT_ULL(31) - 1) >> p->log2;
	err = ksrtp_kdr_fill(k, false, k->st[0].start);
	if (!err)
		err = ksrtp_kdr_fill(k, true, k->st[1].start);
	if (err) {
		ksrtp_kdr_free(k);
		return ERR_PTR(err);
	}
	return k;
}

/* Unpublished, a grace period and the asynchronous requests ago. */
void ksrtp_kdr_free(struct ksrtp_kdr *k)
{
	int i, j;

	cancel_work_sync(&k->work);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < KSRTP_KDR_SLOTS; j++) {
			struct ksrtp_epoch *e;

			e = rcu_dereference_protected(k->st[i].slot[j], 1);
			if (e)
				ksrtp_epoch_free(e);
		}
	}
	crypto_free_sync_skcipher(k->kdf);	/* frees the master key sensitively */
	kfree_sensitive(k);
}
