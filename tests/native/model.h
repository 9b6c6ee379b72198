/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deliberately simple reference models of the logic in kmod/rtp.h and
 * kmod/replay.h, written from the RFCs rather than from that code. The unit
 * tests and the fuzzers compare the real implementation against them.
 */
#ifndef KSRTP_TEST_MODEL_H
#define KSRTP_TEST_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"
#include "replay.h"

/* ---- RFC 7983 demultiplexing, RFC 5761 section 4 rtcp-mux ---- */

static inline enum ksrtp_class model_classify(const uint8_t *p, size_t len)
{
	static const struct {
		unsigned int lo, hi;
		enum ksrtp_class cls;
	} ranges[] = {
		{ 0, 3, KSRTP_CLASS_STUN },
		{ 16, 19, KSRTP_CLASS_ZRTP },
		{ 20, 63, KSRTP_CLASS_DTLS },
		{ 64, 79, KSRTP_CLASS_TURN },
		{ 128, 191, KSRTP_CLASS_RTP },	/* RTP or RTCP */
	};
	size_t i;

	if (len == 0)
		return KSRTP_CLASS_OTHER;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (p[0] < ranges[i].lo || p[0] > ranges[i].hi)
			continue;
		if (ranges[i].cls != KSRTP_CLASS_RTP)
			return ranges[i].cls;
		if (len < 2)
			return KSRTP_CLASS_OTHER;
		/* RTCP PT 192..223 = RTP PT 64..95 with or without the M bit */
		switch (p[1]) {
		case 64 ... 95:
		case 192 ... 223:
			return KSRTP_CLASS_RTCP;
		default:
			return KSRTP_CLASS_RTP;
		}
	}
	return KSRTP_CLASS_OTHER;
}

/* ---- RFC 3550 section 5.1 / 5.3.1: RTP header length ---- */

/* Header length (fixed + CSRC + extension), or -1 if it does not fit. */
static inline long long model_rtp_hdr_len(const uint8_t *p, size_t len)
{
	unsigned long long need = 12;

	if (len < 12 || (p[0] & 0xc0) != 0x80)
		return -1;
	need += 4ULL * (p[0] & 0x0f);		/* CC */
	if (need > len)
		return -1;
	if (p[0] & 0x10) {			/* X */
		if (need + 4 > len)
			return -1;
		/* "length" counts 32-bit words after the 4-byte ext header */
		need += 4 + 4ULL * (((unsigned int)p[need + 2] << 8) |
				    p[need + 3]);
		if (need > len)
			return -1;
	}
	return (long long)need;
}

/* ---- RFC 3711 Appendix A, stated as "nearest candidate index" ---- */

/*
 * The index with sequence number seq whose ROC is one of ROC-1, ROC, ROC+1
 * (those that exist) and which is nearest to top; a tie (distance exactly
 * 2^15) keeps the current ROC.
 */
static inline uint64_t model_index_guess(uint64_t top, uint16_t seq)
{
	uint64_t roc = top >> 16, best = (roc << 16) | seq, d_best, c, d;
	int k;

	d_best = best > top ? best - top : top - best;
	for (k = -1; k <= 1; k += 2) {
		if ((k < 0 && roc == 0) || (k > 0 && roc == 0xffffffffULL))
			continue;
		c = ((roc + k) << 16) | seq;
		d = c > top ? c - top : top - c;
		if (d < d_best) {
			best = c;
			d_best = d;
		}
	}
	return best;
}

/* ---- RFC 3711 section 3.3.2 replay list: a plain set of indices ---- */

struct model_set {
	uint64_t *slot;	/* index + 1, 0 = empty */
	size_t cap;	/* power of two */
	size_t n;
};

static inline uint64_t model_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static inline bool model_set_has(const struct model_set *s, uint64_t v)
{
	size_t i = model_hash(v) & (s->cap - 1);

	for (; s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == v + 1)
			return true;
	return false;
}

static inline void model_set_add(struct model_set *s, uint64_t v);

static inline void model_set_init(struct model_set *s, size_t cap)
{
	s->cap = cap;
	s->n = 0;
	s->slot = calloc(cap, sizeof(*s->slot));
	if (!s->slot)
		abort();
}

static inline void model_set_free(struct model_set *s)
{
	free(s->slot);
	s->slot = NULL;
}

static inline void model_set_add(struct model_set *s, uint64_t v)
{
	size_t i;

	if (model_set_has(s, v))
		return;
	if (2 * (s->n + 1) > s->cap) {
		struct model_set big;

		model_set_init(&big, s->cap * 2);
		for (i = 0; i < s->cap; i++)
			if (s->slot[i])
				model_set_add(&big, s->slot[i] - 1);
		model_set_free(s);
		*s = big;
	}
	i = model_hash(v) & (s->cap - 1);
	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = v + 1;
	s->n++;
}

struct model_replay {
	uint64_t top;
	uint32_t window;
	bool any;
	struct model_set seen;	/* every index ever accepted */
};

static inline void model_replay_init(struct model_replay *m, uint32_t window,
				     uint64_t ref)
{
	m->top = ref;
	m->window = window;
	m->any = false;
	model_set_init(&m->seen, 1024);
}

static inline void model_replay_free(struct model_replay *m)
{
	model_set_free(&m->seen);
}

static inline enum ksrtp_replay_verdict
model_replay_check(const struct model_replay *m, uint64_t idx)
{
	if (!m->any || idx > m->top)
		return KSRTP_REPLAY_OK;
	if (m->top - idx >= m->window)
		return KSRTP_REPLAY_OLD;
	return model_set_has(&m->seen, idx) ? KSRTP_REPLAY_DUP :
					      KSRTP_REPLAY_OK;
}

static inline void model_replay_commit(struct model_replay *m, uint64_t idx)
{
	if (!m->any || idx > m->top)
		m->top = idx;
	m->any = true;
	model_set_add(&m->seen, idx);
}

#endif /* KSRTP_TEST_MODEL_H */
