/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SRTP index estimation (RFC 3711 Appendix A) and a sliding replay window
 * (RFC 3711 section 3.3.2). Plain C (see portable.h): also built natively
 * for unit tests and libFuzzer. Callers serialise access per context.
 *
 * The window is a circular bitmap of nbits (a power of two, at least
 * window + 64) indexed by index mod nbits; advancing the top clears the
 * words it moves into, so each packet costs O(1) amortised.
 */
#ifndef _KSRTP_REPLAY_H
#define _KSRTP_REPLAY_H

#include "portable.h"

#define KSRTP_INDEX_MAX		((1ULL << 48) - 1)
#define KSRTP_REPLAY_WINDOW_MAX	1048576	/* far above what policy allows */

struct ksrtp_replay {
	u64 top;	/* highest accepted index, or the estimation reference */
	u32 window;	/* indices top - window + 1 .. top are tracked */
	u32 nwords;	/* bitmap size in 64-bit words, a power of two */
	bool any;	/* an index has been accepted */
	u64 bits[];
};

/* Words of bitmap a window of this size needs. */
static inline u32 ksrtp_replay_words(u32 window)
{
	u32 n = 1;

	if (window > KSRTP_REPLAY_WINDOW_MAX)
		window = KSRTP_REPLAY_WINDOW_MAX;
	while (n * 64 < window + 64)
		n <<= 1;
	return n;
}

/* Initialise; ref is the index estimation starts from (ROC << 16 | SEQ). */
static inline void ksrtp_replay_init(struct ksrtp_replay *r, u32 window,
				     u64 ref)
{
	r->window = window;
	r->nwords = ksrtp_replay_words(window);
	r->top = ref;
	r->any = false;
	memset(r->bits, 0, r->nwords * sizeof(u64));
}

/*
 * RFC 3711 Appendix A: the index of a packet with sequence number seq,
 * given the highest index so far. The ROC never goes below zero.
 */
static inline u64 ksrtp_index_guess(u64 top, u16 seq)
{
	u32 roc = (u32)(top >> 16);
	u32 s_l = (u32)(top & 0xffff);
	u32 v = roc;

	if (s_l < 32768) {
		if (seq > s_l && seq - s_l > 32768 && roc > 0)
			v = roc - 1;
	} else if (s_l - 32768 > seq && roc < 0xffffffffu) {
		v = roc + 1;
	}
	return ((u64)v << 16) | seq;
}

enum ksrtp_replay_verdict {
	KSRTP_REPLAY_OK,
	KSRTP_REPLAY_DUP,	/* seen before */
	KSRTP_REPLAY_OLD,	/* left of the window */
};

static inline enum ksrtp_replay_verdict
ksrtp_replay_check(const struct ksrtp_replay *r, u64 idx)
{
	u64 bit;

	if (!r->any || idx > r->top)
		return KSRTP_REPLAY_OK;
	if (r->top - idx >= r->window)
		return KSRTP_REPLAY_OLD;
	bit = idx & ((u64)r->nwords * 64 - 1);
	return (r->bits[bit / 64] >> (bit % 64)) & 1 ?
		KSRTP_REPLAY_DUP : KSRTP_REPLAY_OK;
}

/* Record idx as accepted; only after ksrtp_replay_check() said OK. */
static inline void ksrtp_replay_commit(struct ksrtp_replay *r, u64 idx)
{
	u64 mask = (u64)r->nwords * 64 - 1;
	u64 bit;

	if (!r->any) {
		memset(r->bits, 0, r->nwords * sizeof(u64));
		r->any = true;
		r->top = idx;
	} else if (idx > r->top) {
		u64 cur = r->top / 64, next = idx / 64, i, n;

		n = next - cur;
		if (n > r->nwords)
			n = r->nwords;
		for (i = 1; i <= n; i++)
			r->bits[(cur + i) & (r->nwords - 1)] = 0;
		r->top = idx;
	}
	bit = idx & mask;
	r->bits[bit / 64] |= 1ULL << (bit % 64);
}

/*
 * Make idx usable again: TX committed it for a datagram that never left.
 * The top stays; only the bit goes, so a retry of the same packet passes.
 */
static inline void ksrtp_replay_forget(struct ksrtp_replay *r, u64 idx)
{
	u64 bit;

	if (!r->any || idx > r->top || r->top - idx >= r->window)
		return;
	bit = idx & ((u64)r->nwords * 64 - 1);
	r->bits[bit / 64] &= ~(1ULL << (bit % 64));
}

#endif /* _KSRTP_REPLAY_H */
