// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/replay.h: RFC 3711 Appendix A index estimation and
 * the sliding replay window, including a randomized differential test
 * against the reference model in model.h.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "ktap.h"
#include "model.h"

/* ---- helpers ---- */

static u64 rng_state;

static u64 rng(void)	/* splitmix64 */
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rng_below(u64 n)
{
	return n ? rng() % n : 0;
}

static struct ksrtp_replay *replay_new(u32 window, u64 ref)
{
	struct ksrtp_replay *r;

	r = malloc(sizeof(*r) + ksrtp_replay_words(window) * sizeof(u64));
	if (!r)
		abort();
	ksrtp_replay_init(r, window, ref);
	return r;
}

static u64 nbits_of(u32 window)
{
	return (u64)ksrtp_replay_words(window) * 64;
}

static u64 idx_of(u32 roc, u16 seq)
{
	return ((u64)roc << 16) | seq;
}

/* ---- ksrtp_replay_words ---- */

static void replay_words_sizes(void)
{
	u32 w, n;

	KTAP_EXPECT_EQ(ksrtp_replay_words(64), 2);
	KTAP_EXPECT_EQ(ksrtp_replay_words(128), 4);
	KTAP_EXPECT_EQ(ksrtp_replay_words(1000), 32);
	KTAP_EXPECT_EQ(ksrtp_replay_words(32768), 1024);
	/* smallest power of two with n * 64 >= window + 64 */
	for (w = 0; w <= 70000; w++) {
		n = ksrtp_replay_words(w);
		if (!KTAP_EXPECT(n && !(n & (n - 1)) && (u64)n * 64 >= w + 64 &&
				 (n == 1 || (u64)n * 32 < w + 64)))
			ktap_diag("window %u: %u words", w, n);
	}
}

/* ---- ksrtp_index_guess ---- */

static void index_guess_same_roc(void)
{
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(5, 1000), 1000),
			 idx_of(5, 1000));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(5, 1000), 1001),
			 idx_of(5, 1001));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(5, 1000), 999),
			 idx_of(5, 999));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(5, 40000), 40001),
			 idx_of(5, 40001));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(5, 40000), 39999),
			 idx_of(5, 39999));
}

static void index_guess_wrap_forward(void)
{
	/* 65535 -> 0 raises the ROC */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0, 65535), 0), idx_of(1, 0));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(3, 65535), 5), idx_of(4, 5));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0, 65000), 100),
			 idx_of(1, 100));
	/* s_l >= 2^15: ROC+1 iff s_l - 2^15 > SEQ */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 40000), 7232),
			 idx_of(7, 7232));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 40000), 7231),
			 idx_of(8, 7231));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 32768), 0), idx_of(7, 0));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 32769), 0), idx_of(8, 0));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 32769), 1), idx_of(7, 1));
	/* s_l 65535: 32767 is 2^15 either way, a tie keeps the ROC */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 65535), 32766),
			 idx_of(8, 32766));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 65535), 32767),
			 idx_of(7, 32767));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(7, 65535), 32768),
			 idx_of(7, 32768));
}

static void index_guess_late_after_wrap(void)
{
	/* a packet from the previous ROC arriving after the wrap */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(1, 2), 65534),
			 idx_of(0, 65534));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 0), 65535),
			 idx_of(8, 65535));
	/* s_l < 2^15: ROC-1 iff SEQ - s_l > 2^15 */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 0), 32768),
			 idx_of(9, 32768));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 0), 32769),
			 idx_of(8, 32769));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 100), 32868),
			 idx_of(9, 32868));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 100), 32869),
			 idx_of(8, 32869));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(9, 32767), 65535),
			 idx_of(9, 65535));
}

static void index_guess_roc_zero_floor(void)
{
	u32 seq;
	u64 g;

	/* with ROC 0 there is no previous ROC: the guess stays in ROC 0 */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0, 5), 65535), 65535);
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0, 0), 40000), 40000);
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(0, 32769), 32769);
	for (seq = 0; seq <= 0xffff; seq++) {
		g = ksrtp_index_guess(idx_of(0, 10), (u16)seq);
		if (!KTAP_EXPECT_EQ_U(g >> 16, 0))
			ktap_diag("seq %u", seq);
	}
}

static void index_guess_roc_max_ceiling(void)
{
	u32 seq;
	u64 g;

	/* with ROC 2^32-1 there is no next ROC: no 49-bit index */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0xffffffff, 65535), 0),
			 idx_of(0xffffffff, 0));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0xffffffff, 65000), 3),
			 idx_of(0xffffffff, 3));
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(KSRTP_INDEX_MAX, 65535),
			 KSRTP_INDEX_MAX);
	for (seq = 0; seq <= 0xffff; seq++) {
		g = ksrtp_index_guess(idx_of(0xffffffff, 60000), (u16)seq);
		if (!KTAP_EXPECT_EQ_U(g >> 16, 0xffffffff))
			ktap_diag("seq %u", seq);
	}
	/* ROC 2^32-2 still moves up to 2^32-1 */
	KTAP_EXPECT_EQ_U(ksrtp_index_guess(idx_of(0xfffffffe, 65535), 0),
			 idx_of(0xffffffff, 0));
}

static void index_guess_against_model(void)
{
	static const u32 rocs[] = { 0, 1, 2, 0x7fffffff, 0x80000000,
				    0xfffffffe, 0xffffffff };
	static const u16 s_ls[] = { 0, 1, 100, 16384, 32766, 32767, 32768,
				    32769, 40000, 65534, 65535 };
	size_t i, j, k, n = 0;
	u32 seq;
	u64 top, g;

	rng_state = 0x1234;
	for (k = 0; k < 40; k++) {
		for (i = 0; i < sizeof(rocs) / sizeof(rocs[0]); i++) {
			for (j = 0; j < sizeof(s_ls) / sizeof(s_ls[0]); j++) {
				if (k == 0)
					top = idx_of(rocs[i], s_ls[j]);
				else if (j == 0 && i == 0)
					top = rng() & KSRTP_INDEX_MAX;
				else
					continue;
				for (seq = 0; seq <= 0xffff; seq++) {
					g = ksrtp_index_guess(top, (u16)seq);
					n++;
					if (KTAP_EXPECT_EQ_U(g, model_index_guess(top, (u16)seq)) &&
					    KTAP_EXPECT_EQ_U(g & 0xffff, seq) &&
					    KTAP_EXPECT(g <= KSRTP_INDEX_MAX))
						continue;
					ktap_diag("top %#llx seq %u",
						  (unsigned long long)top, seq);
				}
			}
		}
	}
	ktap_diag("%zu guesses compared", n);
}

/*
 * A sender's stream across several ROC wraps, delivered reordered (up to
 * 100 packets late), with losses and duplicates: the receiver's guess from
 * the window's top must be the sender's index, first copies must pass the
 * window and duplicates must not.
 */
static void index_guess_follows_reordered_stream(u64 start)
{
	enum { DEPTH = 100, PKTS = 300000 };
	struct ksrtp_replay *r = replay_new(128, start);
	u64 pend[DEPTH], sent = start, idx, g;
	unsigned int npend = 0, i, bad = 0, dups = 0, accepted = 0;

	rng_state = start ^ 0xfeed;
	while (sent < start + PKTS || npend) {
		while (npend < DEPTH && sent < start + PKTS) {
			if (rng_below(100) == 0)	/* lost */
				sent++;
			else
				pend[npend++] = sent++;
		}
		i = (unsigned int)rng_below(npend);
		/* nothing arrives more than about DEPTH packets late */
		if (pend[0] + DEPTH <= sent)
			i = 0;
		idx = pend[i];
		g = ksrtp_index_guess(r->top, (u16)idx);
		if (!KTAP_EXPECT_EQ_U(g, idx) && ++bad > 4)
			break;
		if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, g), KSRTP_REPLAY_OK))
			break;
		ksrtp_replay_commit(r, g);
		accepted++;
		if (rng_below(50) == 0) {		/* duplicated */
			dups++;
			g = ksrtp_index_guess(r->top, (u16)idx);
			KTAP_EXPECT_EQ_U(g, idx);
			KTAP_EXPECT_EQ(ksrtp_replay_check(r, g),
				       KSRTP_REPLAY_DUP);
		}
		/* keep the queue ordered oldest first */
		memmove(pend + i, pend + i + 1, (npend - i - 1) * sizeof(*pend));
		npend--;
	}
	KTAP_EXPECT(accepted > PKTS * 9 / 10);
	KTAP_EXPECT(dups > 0);
	KTAP_EXPECT((r->top >> 16) >= (start >> 16) + 4);
	free(r);
}

static void index_guess_follows_stream_from_0(void)
{
	index_guess_follows_reordered_stream(0);
}

static void index_guess_follows_stream_across_wraps(void)
{
	index_guess_follows_reordered_stream(idx_of(41, 65000));
}

/* ---- the replay window ---- */

static void replay_before_first_commit(void)
{
	struct ksrtp_replay *r = replay_new(64, idx_of(3, 1000));

	/* nothing accepted yet: anything passes, the ref is only for guessing */
	KTAP_EXPECT_EQ(r->any, false);
	KTAP_EXPECT_EQ_U(r->top, idx_of(3, 1000));
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 0), KSRTP_REPLAY_OK);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, idx_of(3, 1000)), KSRTP_REPLAY_OK);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, KSRTP_INDEX_MAX), KSRTP_REPLAY_OK);
	/* the first accepted index becomes the top, even below the ref */
	ksrtp_replay_commit(r, 5);
	KTAP_EXPECT_EQ(r->any, true);
	KTAP_EXPECT_EQ_U(r->top, 5);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 5), KSRTP_REPLAY_DUP);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 6), KSRTP_REPLAY_OK);
	/* top < window: index 0 is inside the window, not OLD */
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 0), KSRTP_REPLAY_OK);
	ksrtp_replay_commit(r, 0);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 0), KSRTP_REPLAY_DUP);
	KTAP_EXPECT_EQ_U(r->top, 5);
	free(r);
}

static void replay_in_order(u32 w)
{
	static const u64 starts[] = { 0, 1, 63, 64, 1000003, (77ULL << 16) | 65530 };
	u64 nbits = nbits_of(w), i, s;
	size_t k;

	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		struct ksrtp_replay *r = replay_new(w, starts[k]);

		s = starts[k];
		for (i = s; i < s + 3 * nbits + 7; i++) {
			KTAP_ASSERT_EQ(ksrtp_replay_check(r, i), KSRTP_REPLAY_OK);
			ksrtp_replay_commit(r, i);
			KTAP_ASSERT_EQ_U(r->top, i);
			KTAP_ASSERT_EQ(ksrtp_replay_check(r, i), KSRTP_REPLAY_DUP);
			/* the one the window just let go of */
			if (i - s >= w)
				KTAP_ASSERT_EQ(ksrtp_replay_check(r, i - w),
					       KSRTP_REPLAY_OLD);
		}
		free(r);
	}
}

static void replay_duplicates(u32 w)
{
	struct ksrtp_replay *r = replay_new(w, 0);
	u64 base = 10 * nbits_of(w) + 13, i;

	/* every other index of the window accepted */
	for (i = base; i < base + w; i += 2)
		ksrtp_replay_commit(r, i);
	for (i = base; i < base + w; i++)
		if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, i),
				    (i - base) % 2 ? KSRTP_REPLAY_OK :
						     KSRTP_REPLAY_DUP))
			ktap_diag("index base+%llu", (unsigned long long)(i - base));
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, r->top), KSRTP_REPLAY_DUP);
	/* fill the gaps: now all are duplicates */
	for (i = base + 1; i < base + w; i += 2)
		ksrtp_replay_commit(r, i);
	for (i = r->top + 1 - w; i <= r->top; i++)
		if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, i), KSRTP_REPLAY_DUP))
			ktap_diag("index top-%llu", (unsigned long long)(r->top - i));
	free(r);
}

static void replay_window_edge(u32 w)
{
	struct ksrtp_replay *r = replay_new(w, 0);
	u64 top = 7 * nbits_of(w) + 29;

	ksrtp_replay_commit(r, top);
	/* window - 1 behind the top is the oldest index still tracked */
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - (w - 1)), KSRTP_REPLAY_OK);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - w), KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - w - 1), KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - w - 64), KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 0), KSRTP_REPLAY_OLD);
	ksrtp_replay_commit(r, top - (w - 1));
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - (w - 1)), KSRTP_REPLAY_DUP);
	KTAP_EXPECT_EQ_U(r->top, top);
	/* one step forward and it falls out */
	ksrtp_replay_commit(r, top + 1);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - (w - 1)), KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, top - (w - 2)), KSRTP_REPLAY_OK);
	/* a huge gap behind the top is OLD, not an unsigned wrap */
	ksrtp_replay_commit(r, KSRTP_INDEX_MAX);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, 0), KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, KSRTP_INDEX_MAX - w),
		       KSRTP_REPLAY_OLD);
	KTAP_EXPECT_EQ(ksrtp_replay_check(r, KSRTP_INDEX_MAX - w + 1),
		       KSRTP_REPLAY_OK);
	free(r);
}

/*
 * Fill the bitmap with history (every index for two bitmaps' worth up to
 * t0), jump forward by d, then every index near the new window must read
 * exactly as the model says: no stale bits, no lost ones.
 */
static void replay_big_jumps(u32 w)
{
	u64 nbits = nbits_of(w);
	const u64 dists[] = {
		1, 2, 63, 64, 65, 127, 128, 129, w - 1, w, w + 1,
		nbits - 65, nbits - 64, nbits - 63, nbits - 1, nbits,
		nbits + 1, nbits + 64, 2 * nbits + 5, 1ULL << 32, 1ULL << 47,
	};
	static const u64 phase[] = { 0, 1, 31, 63 };
	size_t di, pi;
	u64 t0, t1, i, lo, want;

	for (pi = 0; pi < sizeof(phase) / sizeof(phase[0]); pi++) {
		for (di = 0; di < sizeof(dists) / sizeof(dists[0]); di++) {
			struct ksrtp_replay *r = replay_new(w, 0);
			unsigned int bad = 0;

			t0 = 4 * nbits + phase[pi];
			for (i = t0 - 2 * nbits; i <= t0; i++)
				ksrtp_replay_commit(r, i);
			t1 = t0 + dists[di];
			KTAP_EXPECT_EQ(ksrtp_replay_check(r, t1), KSRTP_REPLAY_OK);
			ksrtp_replay_commit(r, t1);
			KTAP_EXPECT_EQ_U(r->top, t1);
			lo = t1 >= w + 2 ? t1 - w - 2 : 0;
			for (i = lo; i <= t1 + 2; i++) {
				if (i > t1)
					want = KSRTP_REPLAY_OK;
				else if (t1 - i >= w)
					want = KSRTP_REPLAY_OLD;
				else if (i == t1 || i <= t0)
					want = KSRTP_REPLAY_DUP;
				else
					want = KSRTP_REPLAY_OK;
				if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, i), want)) {
					ktap_diag("t0 %llu jump %llu: index top-%lld",
						  (unsigned long long)t0,
						  (unsigned long long)dists[di],
						  (long long)(t1 - i));
					if (++bad > 3)
						break;
				}
			}
			/* and the freed-up positions accept new indices */
			for (i = t1 - w + 1 > t0 ? t1 - w + 1 : t0 + 1; i < t1; i++)
				ksrtp_replay_commit(r, i);
			KTAP_EXPECT_EQ(ksrtp_replay_check(r, t1 - w + 1),
				       KSRTP_REPLAY_DUP);
			KTAP_EXPECT_EQ(ksrtp_replay_check(r, t1 + 1),
				       KSRTP_REPLAY_OK);
			free(r);
		}
	}
}

/* Blocks of 2 * window indices delivered in random order. */
static void replay_reordering(u32 w)
{
	struct ksrtp_replay *r = replay_new(w, 0);
	u64 *perm = malloc(2 * w * sizeof(*perm)), base, idx, tmp;
	u64 highest = 0;
	u32 n = 2 * w, i, j, blk;
	bool any = false;
	enum ksrtp_replay_verdict want;

	if (!perm)
		abort();
	rng_state = w;
	for (blk = 0; blk < 8; blk++) {
		base = 1000 + (u64)blk * n;
		for (i = 0; i < n; i++)
			perm[i] = base + i;
		/* keep the shuffle local so most packets are in the window */
		for (i = 0; i < n; i++) {
			j = i + (u32)rng_below(w / 2 < n - i ? w / 2 : n - i);
			tmp = perm[i];
			perm[i] = perm[j];
			perm[j] = tmp;
		}
		for (i = 0; i < n; i++) {
			idx = perm[i];
			want = !any || idx > highest || highest - idx < w ?
			       KSRTP_REPLAY_OK : KSRTP_REPLAY_OLD;
			if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, idx), want))
				break;
			if (want == KSRTP_REPLAY_OK) {
				ksrtp_replay_commit(r, idx);
				if (!any || idx > highest)
					highest = idx;
				any = true;
				KTAP_EXPECT_EQ(ksrtp_replay_check(r, idx),
					       KSRTP_REPLAY_DUP);
			}
			KTAP_EXPECT_EQ_U(r->top, highest);
		}
	}
	free(perm);
	free(r);
}

/*
 * Random operations against model.h: indices mostly near the top (both
 * sides of the window edge, duplicates), some jumps of up to several
 * bitmaps and a few huge ones. Commit on OK except for 1 in 10 (a packet
 * that then fails authentication). Verdicts must match the model exactly.
 */
static void replay_differential(u32 w)
{
	enum { OPS = 200000 };
	struct ksrtp_replay *r = replay_new(w, 12345);
	struct model_replay m;
	u64 nbits = nbits_of(w), top, idx, i, lo, recent[64] = { 0 };
	unsigned int op, bad = 0, counts[3] = { 0 }, nrecent = 0;
	enum ksrtp_replay_verdict got, want;

	rng_state = 0x5eed0000ULL + w;
	model_replay_init(&m, w, 12345);
	for (op = 0; op < OPS && bad < 5; op++) {
		top = m.top;
		switch (rng_below(21)) {
		case 0 ... 7:	/* in order, small gaps */
			idx = top + 1 + rng_below(4);
			break;
		case 8 ... 12:	/* late, inside the window, or the top */
			idx = top - rng_below(w + 2 < top ? w + 2 : top + 1);
			break;
		case 13 ... 14:	/* at the window edge: top - w - 2 .. top - w + 3 */
			lo = top + 3 >= w ? top + 3 - w : 0;
			idx = lo - rng_below(lo < 6 ? lo + 1 : 6);
			break;
		case 15 ... 16:	/* forward by up to a few bitmaps */
			idx = top + rng_below(3 * nbits + 130);
			break;
		case 17:	/* far behind */
			idx = top - rng_below(4 * nbits < top ? 4 * nbits : top + 1);
			break;
		case 18:	/* far ahead */
			idx = top + rng_below(1ULL << 24);
			break;
		case 19:	/* one accepted lately: a replay */
			idx = nrecent ? recent[(nrecent - 1 -
						rng_below(nrecent < 4 ? nrecent : 4)) % 64] :
					top;
			break;
		default:	/* a hole somewhere in the bitmap's reach */
			idx = top - rng_below(nbits < top ? nbits : top + 1) +
			      rng_below(64);
			break;
		}
		got = ksrtp_replay_check(r, idx);
		want = model_replay_check(&m, idx);
		counts[want]++;
		if (!KTAP_EXPECT_EQ(got, want)) {
			bad++;
			ktap_diag("op %u: index %llu, top %llu", op,
				  (unsigned long long)idx,
				  (unsigned long long)top);
			continue;
		}
		if (want == KSRTP_REPLAY_OK && rng_below(10)) {
			ksrtp_replay_commit(r, idx);
			model_replay_commit(&m, idx);
			recent[nrecent++ % 64] = idx;
			KTAP_EXPECT_EQ_U(r->top, m.top);
			KTAP_EXPECT(ksrtp_replay_check(r, idx) != KSRTP_REPLAY_OK);
		}
		/* now and then, compare the whole window and its edges */
		if (op % 8192 == 0 && m.any) {
			lo = m.top >= w + 3 ? m.top - w - 3 : 0;
			for (i = lo; i <= m.top + 3; i++) {
				if (!KTAP_EXPECT_EQ(ksrtp_replay_check(r, i),
						    model_replay_check(&m, i))) {
					bad++;
					ktap_diag("sweep at op %u: index top-%lld",
						  op, (long long)(m.top - i));
					break;
				}
			}
		}
	}
	ktap_diag("window %u: %u ok, %u dup, %u old", w,
		  counts[KSRTP_REPLAY_OK], counts[KSRTP_REPLAY_DUP],
		  counts[KSRTP_REPLAY_OLD]);
	/* the generator must actually exercise every verdict */
	KTAP_EXPECT(counts[KSRTP_REPLAY_DUP] > OPS / 100);
	KTAP_EXPECT(counts[KSRTP_REPLAY_OLD] > OPS / 100);
	model_replay_free(&m);
	free(r);
}

#define PER_WINDOW(fn)							\
	static void fn##_w64(void) { fn(64); }				\
	static void fn##_w128(void) { fn(128); }			\
	static void fn##_w1000(void) { fn(1000); }			\
	static void fn##_w32768(void) { fn(32768); }
#define PER_WINDOW_TESTS(fn)						\
	KTAP_TEST(fn##_w64), KTAP_TEST(fn##_w128),			\
	KTAP_TEST(fn##_w1000), KTAP_TEST(fn##_w32768)

PER_WINDOW(replay_in_order)
PER_WINDOW(replay_duplicates)
PER_WINDOW(replay_window_edge)
PER_WINDOW(replay_big_jumps)
PER_WINDOW(replay_reordering)
PER_WINDOW(replay_differential)

/* odd sizes the netlink policy would not produce, but the code supports */
static void replay_differential_odd_windows(void)
{
	replay_differential(1);
	replay_differential(65);
	replay_differential(192);
	replay_differential(4095);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(replay_words_sizes),
	KTAP_TEST(index_guess_same_roc),
	KTAP_TEST(index_guess_wrap_forward),
	KTAP_TEST(index_guess_late_after_wrap),
	KTAP_TEST(index_guess_roc_zero_floor),
	KTAP_TEST(index_guess_roc_max_ceiling),
	KTAP_TEST(index_guess_against_model),
	KTAP_TEST(index_guess_follows_stream_from_0),
	KTAP_TEST(index_guess_follows_stream_across_wraps),
	KTAP_TEST(replay_before_first_commit),
	PER_WINDOW_TESTS(replay_in_order),
	PER_WINDOW_TESTS(replay_duplicates),
	PER_WINDOW_TESTS(replay_window_edge),
	PER_WINDOW_TESTS(replay_big_jumps),
	PER_WINDOW_TESTS(replay_reordering),
	PER_WINDOW_TESTS(replay_differential),
	KTAP_TEST(replay_differential_odd_windows),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
