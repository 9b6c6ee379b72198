// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY messages: the common header (RFC 3830 §6.1, CS ID maps SRTP-ID and
 * RFC 4563's empty map), the payload chain, the key data sub-payloads a
 * KEMAC carries (§6.13) and the range a MAC or signature covers. The
 * payload bodies are in mikey_payload.c.
 */
#include "mikey_wire.h"

static void hdr_read(struct mikey_rd *r, struct mikey_hdr *h, uint8_t *next)
{
	uint8_t b;
	size_t i;

	h->version = (uint8_t)rd_be(r, 1, "truncated HDR");
	h->data_type = (uint8_t)rd_be(r, 1, "truncated HDR");
	*next = (uint8_t)rd_be(r, 1, "truncated HDR");
	b = (uint8_t)rd_be(r, 1, "truncated HDR");
	h->v = b >> 7;
	h->prf = b & 0x7f;
	h->csb_id = rd_be(r, 4, "truncated HDR");
	h->ncs = (uint8_t)rd_be(r, 1, "truncated HDR");
	h->map_type = (uint8_t)rd_be(r, 1, "truncated HDR");
	if (r->why)
		return;
	if (h->version != 1) {
		r->why = "MIKEY version is not 1";
		return;
	}
	if (h->map_type == MIKEY_MAP_EMPTY)
		return;
	if (h->map_type != MIKEY_MAP_SRTP) {
		r->why = "unknown CS ID map type";
		return;
	}
	for (i = 0; i < h->ncs && !r->why; i++) {
		h->cs[i].policy_no = (uint8_t)rd_be(r, 1, "truncated CS ID map");
		h->cs[i].ssrc = rd_be(r, 4, "truncated CS ID map");
		h->cs[i].roc = rd_be(r, 4, "truncated CS ID map");
	}
}

static void hdr_write(struct mikey_wr *w, const struct mikey_hdr *h, uint8_t next)
{
	size_t i;

	if (h->version != 1 || h->prf > 0x7f)
		wr_fail(w, "HDR version must be 1 and PRF fit 7 bits");
	if (h->map_type != MIKEY_MAP_SRTP && h->map_type != MIKEY_MAP_EMPTY)
		wr_fail(w, "unknown CS ID map type");
	wr_be(w, h->version, 1);
	wr_be(w, h->data_type, 1);
	wr_be(w, next, 1);
	wr_be(w, (uint32_t)h->v << 7 | h->prf, 1);
	wr_be(w, h->csb_id, 4);
	wr_be(w, h->ncs, 1);
	wr_be(w, h->map_type, 1);
	if (h->map_type != MIKEY_MAP_SRTP)
		return;
	for (i = 0; i < h->ncs; i++) {
		wr_be(w, h->cs[i].policy_no, 1);
		wr_be(w, h->cs[i].ssrc, 4);
		wr_be(w, h->cs[i].roc, 4);
	}
}

int mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, const char **why)
{
	struct mikey_rd r = { .p = buf, .len = len };
	uint8_t next;

	memset(m, 0, sizeof(*m));
	hdr_read(&r, &m->hdr, &next);
	while (!r.why && next != MIKEY_PT_LAST) {
		struct mikey_payload *pl;

		if (m->npl == MIKEY_MAX_PAYLOADS) {
			r.why = "too many payloads";
			break;
		}
		pl = &m->pl[m->npl++];
		pl->type = next;
		pl->off = r.off;
		/* the next payload byte; SIGN has none (its first byte is its own) */
		next = (uint8_t)rd_be(&r, 1, "truncated payload");
		if (r.why || mikey_pl_decode(&r, pl))
			break;
		if (pl->type == MIKEY_PT_SIGN)
			next = MIKEY_PT_LAST;	/* always the last payload (§6.5) */
		if (next == MIKEY_PT_KEYDATA)
			r.why = "key data outside a KEMAC";
		pl->len = r.off - pl->off;
	}
	if (!r.why && r.off != len)
		r.why = "bytes after the last payload";
	if (r.why) {
		if (why)
			*why = r.why;
		return -1;
	}
	return 0;
}

size_t mikey_encode(const struct mikey_msg *m, uint8_t *out, size_t cap, const char **why)
{
	struct mikey_wr w = { .p = out, .cap = cap };
	size_t i;

	if (m->npl > MIKEY_MAX_PAYLOADS)
		wr_fail(&w, "too many payloads");
	hdr_write(&w, &m->hdr, m->npl && !w.why ? m->pl[0].type : MIKEY_PT_LAST);
	for (i = 0; i < m->npl && !w.why; i++) {
		const struct mikey_payload *pl = &m->pl[i];

		if (pl->type == MIKEY_PT_SIGN) {
			if (i + 1 != m->npl)
				wr_fail(&w, "SIGN is not the last payload");
		} else {
			wr_be(&w, i + 1 < m->npl ? m->pl[i + 1].type : MIKEY_PT_LAST, 1);
		}
		if (pl->type == MIKEY_PT_KEYDATA || pl->type == MIKEY_PT_LAST)
			wr_fail(&w, "key data or last payload in the message chain");
		mikey_pl_encode(&w, pl);
	}
	if (w.why) {
		*why = w.why;
		return 0;
	}
	return w.off;
}

/* One key data sub-payload after its next payload byte (§6.13). */
static void keydata_read(struct mikey_rd *r, struct mikey_keydata *k)
{
	uint8_t b = (uint8_t)rd_be(r, 1, "truncated key data");

	memset(k, 0, sizeof(*k));
	k->type = b >> 4;
	k->key = rd_bytes(r, rd_be(r, 2, "truncated key data"), "key past its key data");
	if (r->why)
		return;
	if (k->type > MIKEY_KEY_TEK_SALT) {
		r->why = "unknown key data type";
		return;
	}
	if (k->type == MIKEY_KEY_TGK_SALT || k->type == MIKEY_KEY_TEK_SALT)
		k->salt = rd_bytes(r, rd_be(r, 2, "truncated salt length"), "salt past its key data");
	mikey_kv_read(r, b & 0x0f, &k->kv);
}

int mikey_keydata_decode(const uint8_t *buf, size_t len, struct mikey_keydata *keys,
			 size_t max, size_t *nkeys, const char **why)
{
	struct mikey_rd r = { .p = buf, .len = len };
	uint8_t next = MIKEY_PT_KEYDATA;

	*nkeys = 0;
	while (!r.why && next != MIKEY_PT_LAST) {
		if (next != MIKEY_PT_KEYDATA) {
			r.why = "a KEMAC holds only key data sub-payloads";
			break;
		}
		if (*nkeys == max) {
			r.why = "too many key data sub-payloads";
			break;
		}
		next = (uint8_t)rd_be(&r, 1, "truncated key data");
		keydata_read(&r, &keys[(*nkeys)++]);
	}
	if (!r.why && r.off != len)
		r.why = "bytes after the last key data";
	if (r.why) {
		*why = r.why;
		return -1;
	}
	return 0;
}

size_t mikey_keydata_encode(const struct mikey_keydata *keys, size_t nkeys,
			    uint8_t *out, size_t cap, const char **why)
{
	struct mikey_wr w = { .p = out, .cap = cap };
	size_t i;

	if (!nkeys)
		wr_fail(&w, "no key data");
	for (i = 0; i < nkeys && !w.why; i++) {
		const struct mikey_keydata *k = &keys[i];
		bool salted = k->type == MIKEY_KEY_TGK_SALT || k->type == MIKEY_KEY_TEK_SALT;

		if (k->type > MIKEY_KEY_TEK_SALT || k->kv.type > 15 || (!salted && k->salt.len))
			wr_fail(&w, "bad key data type, key validity or salt");
		wr_be(&w, i + 1 < nkeys ? MIKEY_PT_KEYDATA : MIKEY_PT_LAST, 1);
		wr_be(&w, (uint32_t)k->type << 4 | k->kv.type, 1);
		wr_lv(&w, k->key, 2, "key longer than 65535 bytes");
		if (salted)
			wr_lv(&w, k->salt, 2, "salt longer than 65535 bytes");
		mikey_kv_write(&w, &k->kv);
	}
	if (w.why) {
		*why = w.why;
		return 0;
	}
	return w.off;
}

size_t mikey_auth_len(const struct mikey_msg *m, size_t i)
{
	const struct mikey_payload *pl;

	if (i >= m->npl)
		return 0;
	pl = &m->pl[i];
	switch (pl->type) {
	case MIKEY_PT_KEMAC:
		return pl->off + pl->len - pl->u.kemac.mac.len;
	case MIKEY_PT_V:
		return pl->off + pl->len - pl->u.v.mac.len;
	case MIKEY_PT_SIGN:	/* the S type and length are signed too */
		return pl->off + 2;
	}
	return 0;
}

const struct mikey_payload *mikey_find(const struct mikey_msg *m, uint8_t type)
{
	size_t i;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

bool mikey_sp_get(const struct mikey_sp *sp, uint8_t type, uint32_t *val)
{
	size_t i, j;

	for (i = 0; i < sp->nparams; i++) {
		const struct mikey_bytes *v = &sp->params[i].value;

		if (sp->params[i].type != type)
			continue;
		if (v->len < 1 || v->len > 4)
			return false;
		*val = 0;
		for (j = 0; j < v->len; j++)
			*val = *val << 8 | v->p[j];
		return true;
	}
	return false;
}
