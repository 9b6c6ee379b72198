/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked big-endian reading and writing for the MIKEY codec
 * (mikey_msg.c, mikey_payload.c). Internal: not for other modules.
 * A failed read or write latches the first reason; later calls do nothing.
 */
#ifndef KEYD_MIKEY_WIRE_H
#define KEYD_MIKEY_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mikey_msg.h"

struct mikey_rd {
	const uint8_t *p;
	size_t len, off;
	const char *why;	/* NULL while all reads fitted */
};

struct mikey_wr {
	uint8_t *p;
	size_t cap, off;
	const char *why;
};

static inline int rd_need(struct mikey_rd *r, size_t n, const char *what)
{
	if (r->why)
		return -1;
	if (r->len - r->off < n) {
		r->why = what;
		return -1;
	}
	return 0;
}

static inline uint32_t rd_be(struct mikey_rd *r, size_t n, const char *what)
{
	uint32_t v = 0;
	size_t i;

	if (rd_need(r, n, what))
		return 0;
	for (i = 0; i < n; i++)
		v = v << 8 | r->p[r->off + i];
	r->off += n;
	return v;
}

static inline struct mikey_bytes rd_bytes(struct mikey_rd *r, size_t n, const char *what)
{
	struct mikey_bytes b = { NULL, 0 };

	if (rd_need(r, n, what))
		return b;
	b.p = r->p + r->off;
	b.len = n;
	r->off += n;
	return b;
}

static inline void wr_be(struct mikey_wr *w, uint32_t v, size_t n)
{
	size_t i;

	if (w->why)
		return;
	if (w->cap - w->off < n) {
		w->why = "output buffer too small";
		return;
	}
	for (i = 0; i < n; i++)
		w->p[w->off + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	w->off += n;
}

static inline void wr_bytes(struct mikey_wr *w, struct mikey_bytes b)
{
	if (w->why)
		return;
	if (w->cap - w->off < b.len) {
		w->why = "output buffer too small";
		return;
	}
	if (b.len)
		memcpy(w->p + w->off, b.p, b.len);
	w->off += b.len;
}

/* A length field of nbytes bytes, then the bytes. */
static inline void wr_lv(struct mikey_wr *w, struct mikey_bytes b, size_t nbytes,
			 const char *too_long)
{
	if (!w->why && b.len >> (8 * nbytes)) {
		w->why = too_long;
		return;
	}
	wr_be(w, (uint32_t)b.len, nbytes);
	wr_bytes(w, b);
}

static inline void wr_fail(struct mikey_wr *w, const char *why)
{
	if (!w->why)
		w->why = why;
}

/* Per-payload bodies, after the next payload byte (mikey_payload.c). */
int mikey_pl_decode(struct mikey_rd *r, struct mikey_payload *pl);
void mikey_pl_encode(struct mikey_wr *w, const struct mikey_payload *pl);
void mikey_kv_read(struct mikey_rd *r, uint8_t type, struct mikey_kv *kv);
void mikey_kv_write(struct mikey_wr *w, const struct mikey_kv *kv);

#endif /* KEYD_MIKEY_WIRE_H */
