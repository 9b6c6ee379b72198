// SPDX-License-Identifier: GPL-2.0
/*
 * The bodies of MIKEY's payloads (RFC 3830 §6.2-§6.15), each after its
 * next payload byte: a decoder and an encoder per type. Lengths a type
 * fixes (DH value, MAC, hash, timestamp) are taken from the type, and an
 * unknown value there is refused: its length cannot be known.
 */
#include "mikey_wire.h"

int mikey_mac_len(uint8_t mac_alg)
{
	switch (mac_alg) {
	case MIKEY_MAC_NULL: return 0;
	case MIKEY_MAC_HMAC_SHA1_160: return MIKEY_HMAC_SHA1_LEN;
	}
	return -1;
}

/* OAKLEY 5: 1536 bits, 1: 768, 2: 1024 (§6.4) */
int mikey_dh_len(uint8_t group)
{
	switch (group) {
	case MIKEY_DH_OAKLEY5: return 192;
	case MIKEY_DH_OAKLEY1: return 96;
	case MIKEY_DH_OAKLEY2: return 128;
	}
	return -1;
}

static int chash_len(uint8_t func)
{
	switch (func) {
	case MIKEY_CHASH_SHA1: return 20;
	case MIKEY_CHASH_MD5: return 16;
	}
	return -1;
}

static int ts_len(uint8_t type)
{
	switch (type) {
	case MIKEY_TS_NTP_UTC:
	case MIKEY_TS_NTP: return 8;
	case MIKEY_TS_COUNTER: return 4;
	}
	return -1;
}

void mikey_kv_read(struct mikey_rd *r, uint8_t type, struct mikey_kv *kv)
{
	memset(kv, 0, sizeof(*kv));
	kv->type = type;
	switch (type) {
	case MIKEY_KV_NULL:
		return;
	case MIKEY_KV_SPI:
		kv->spi = rd_bytes(r, rd_be(r, 1, "truncated SPI length"), "truncated SPI");
		return;
	case MIKEY_KV_INTERVAL:
		kv->from = rd_bytes(r, rd_be(r, 1, "truncated valid-from length"),
				    "truncated valid-from");
		kv->to = rd_bytes(r, rd_be(r, 1, "truncated valid-to length"), "truncated valid-to");
		return;
	}
	if (!r->why)
		r->why = "unknown key validity type";
}

void mikey_kv_write(struct mikey_wr *w, const struct mikey_kv *kv)
{
	switch (kv->type) {
	case MIKEY_KV_NULL:
		return;
	case MIKEY_KV_SPI:
		wr_lv(w, kv->spi, 1, "SPI longer than 255 bytes");
		return;
	case MIKEY_KV_INTERVAL:
		wr_lv(w, kv->from, 1, "valid-from longer than 255 bytes");
		wr_lv(w, kv->to, 1, "valid-to longer than 255 bytes");
		return;
	}
	wr_fail(w, "unknown key validity type");
}

/* A field whose length the preceding type byte fixes. */
static struct mikey_bytes rd_fixed(struct mikey_rd *r, int len, const char *unknown,
				   const char *trunc)
{
	struct mikey_bytes none = { NULL, 0 };

	if (len < 0) {
		if (!r->why)
			r->why = unknown;
		return none;
	}
	return rd_bytes(r, (size_t)len, trunc);
}

static void wr_fixed(struct mikey_wr *w, struct mikey_bytes b, int len, const char *bad)
{
	if (len < 0 || b.len != (size_t)len) {
		wr_fail(w, bad);
		return;
	}
	wr_bytes(w, b);
}

static void sp_read(struct mikey_rd *r, struct mikey_sp *sp)
{
	struct mikey_rd in;
	size_t plen;

	sp->policy_no = (uint8_t)rd_be(r, 1, "truncated SP");
	sp->prot_type = (uint8_t)rd_be(r, 1, "truncated SP");
	plen = rd_be(r, 2, "truncated SP");
	in = (struct mikey_rd){ .p = r->p + r->off, .len = plen };
	if (rd_need(r, plen, "SP parameters past the message"))
		return;
	r->off += plen;
	sp->nparams = 0;
	while (in.off < in.len && !in.why) {
		struct mikey_sp_param *pp;

		if (sp->nparams == MIKEY_MAX_SP_PARAMS) {
			r->why = "too many SP parameters";
			return;
		}
		pp = &sp->params[sp->nparams++];
		pp->type = (uint8_t)rd_be(&in, 1, "truncated SP parameter");
		pp->value = rd_bytes(&in, rd_be(&in, 1, "truncated SP parameter"),
				     "SP parameter past its payload");
	}
	if (in.why)
		r->why = in.why;
}

static void sp_write(struct mikey_wr *w, const struct mikey_sp *sp)
{
	size_t i, plen = 0;

	if (sp->nparams > MIKEY_MAX_SP_PARAMS) {
		wr_fail(w, "too many SP parameters");
		return;
	}
	for (i = 0; i < sp->nparams; i++)
		plen += 2 + sp->params[i].value.len;
	if (plen > 0xffff) {
		wr_fail(w, "SP parameters longer than 65535 bytes");
		return;
	}
	wr_be(w, sp->policy_no, 1);
	wr_be(w, sp->prot_type, 1);
	wr_be(w, (uint32_t)plen, 2);
	for (i = 0; i < sp->nparams; i++) {
		wr_be(w, sp->params[i].type, 1);
		wr_lv(w, sp->params[i].value, 1, "SP parameter longer than 255 bytes");
	}
}

static void kemac_read(struct mikey_rd *r, struct mikey_kemac *k)
{
	k->enc_alg = (uint8_t)rd_be(r, 1, "truncated KEMAC");
	k->enc = rd_bytes(r, rd_be(r, 2, "truncated KEMAC"), "KEMAC data past the message");
	k->mac_alg = (uint8_t)rd_be(r, 1, "truncated KEMAC");
	if (!r->why)
		k->mac = rd_fixed(r, mikey_mac_len(k->mac_alg), "unknown KEMAC MAC algorithm",
				  "truncated KEMAC MAC");
}

static void dh_read(struct mikey_rd *r, struct mikey_dh *dh)
{
	uint8_t b;

	dh->group = (uint8_t)rd_be(r, 1, "truncated DH");
	if (r->why)
		return;
	dh->value = rd_fixed(r, mikey_dh_len(dh->group), "unknown DH group", "truncated DH value");
	b = (uint8_t)rd_be(r, 1, "truncated DH key validity");
	if (r->why)
		return;
	dh->reserved = b >> 4;
	mikey_kv_read(r, b & 0x0f, &dh->kv);
}

static void typed_read(struct mikey_rd *r, struct mikey_typed *t, const char *what)
{
	t->type = (uint8_t)rd_be(r, 1, what);
	t->data = rd_bytes(r, rd_be(r, 2, what), what);
}

/* RFC 4563 §4: Key ID entries, each type (8), length (16), Key ID. */
int mikey_key_id_decode(struct mikey_bytes data, struct mikey_key_id *ids, size_t max,
			size_t *nids, const char **why)
{
	struct mikey_rd r = { .p = data.p, .len = data.len };

	*nids = 0;
	if (!data.len)
		r.why = "empty Key ID extension";
	while (!r.why && r.off < r.len) {
		if (*nids == max) {
			r.why = "too many Key IDs";
			break;
		}
		ids[*nids].type = (uint8_t)rd_be(&r, 1, "truncated Key ID");
		ids[*nids].id = rd_bytes(&r, rd_be(&r, 2, "truncated Key ID"),
					 "Key ID past its extension");
		(*nids)++;
	}
	if (r.why) {
		*why = r.why;
		return -1;
	}
	return 0;
}

static void ext_read(struct mikey_rd *r, struct mikey_typed *ext)
{
	struct mikey_key_id ids[MIKEY_MAX_KEY_IDS];
	size_t n;
	const char *why;

	typed_read(r, ext, "truncated General Extension");
	/* the known types are checked; others are carried through unread */
	if (!r->why && ext->type == MIKEY_EXT_KEY_ID &&
	    mikey_key_id_decode(ext->data, ids, MIKEY_MAX_KEY_IDS, &n, &why))
		r->why = why;
}

static void sign_read(struct mikey_rd *r, struct mikey_sign *s, uint8_t first)
{
	uint32_t len = (uint32_t)(first & 0x0f) << 8 | rd_be(r, 1, "truncated SIGN");

	s->s_type = first >> 4;
	s->sig = rd_bytes(r, len, "signature past the message");
}

/*
 * The body of pl->type at r, after the next payload byte. SIGN has no such
 * byte: the one just read is its S type and the top of its length.
 */
int mikey_pl_decode(struct mikey_rd *r, struct mikey_payload *pl)
{
	struct mikey_t *t = &pl->u.t;
	int n;

	switch (pl->type) {
	case MIKEY_PT_KEMAC: kemac_read(r, &pl->u.kemac); break;
	case MIKEY_PT_PKE:
		n = (int)rd_be(r, 2, "truncated PKE");
		pl->u.pke.cache = (uint8_t)(n >> 14);
		pl->u.pke.data = rd_bytes(r, (size_t)(n & 0x3fff), "PKE data past the message");
		break;
	case MIKEY_PT_DH: dh_read(r, &pl->u.dh); break;
	case MIKEY_PT_SIGN: sign_read(r, &pl->u.sign, r->p[r->off - 1]); break;
	case MIKEY_PT_T:
		t->ts_type = (uint8_t)rd_be(r, 1, "truncated T");
		n = r->why ? 0 : ts_len(t->ts_type);
		if (n < 0)
			r->why = "unknown timestamp type";
		else if (n == 8)
			t->value = (uint64_t)rd_be(r, 4, "truncated timestamp") << 32;
		else
			t->value = 0;
		if (n > 0)
			t->value |= rd_be(r, 4, "truncated timestamp");
		break;
	case MIKEY_PT_ID: typed_read(r, &pl->u.id, "truncated ID"); break;
	case MIKEY_PT_CERT: typed_read(r, &pl->u.cert, "truncated CERT"); break;
	case MIKEY_PT_CHASH:
		pl->u.chash.func = (uint8_t)rd_be(r, 1, "truncated CHASH");
		if (!r->why)
			pl->u.chash.hash = rd_fixed(r, chash_len(pl->u.chash.func),
						    "unknown CHASH function", "truncated CHASH");
		break;
	case MIKEY_PT_V:
		pl->u.v.mac_alg = (uint8_t)rd_be(r, 1, "truncated V");
		if (!r->why)
			pl->u.v.mac = rd_fixed(r, mikey_mac_len(pl->u.v.mac_alg),
					       "unknown V MAC algorithm", "truncated V MAC");
		break;
	case MIKEY_PT_SP: sp_read(r, &pl->u.sp); break;
	case MIKEY_PT_RAND:
		pl->u.rand = rd_bytes(r, rd_be(r, 1, "truncated RAND"), "RAND past the message");
		break;
	case MIKEY_PT_ERR:
		pl->u.err.err_no = (uint8_t)rd_be(r, 1, "truncated ERR");
		pl->u.err.reserved = (uint16_t)rd_be(r, 2, "truncated ERR");
		break;
	case MIKEY_PT_GENEXT: ext_read(r, &pl->u.ext); break;
	default:
		if (!r->why)
			r->why = "unknown payload type";
	}
	return r->why ? -1 : 0;
}

static void pke_write(struct mikey_wr *w, const struct mikey_pke *p)
{
	if (p->cache > 3 || p->data.len > 0x3fff) {
		wr_fail(w, "PKE cache or length out of range");
		return;
	}
	wr_be(w, (uint32_t)p->cache << 14 | (uint32_t)p->data.len, 2);
	wr_bytes(w, p->data);
}

static void dh_write(struct mikey_wr *w, const struct mikey_dh *dh)
{
	wr_be(w, dh->group, 1);
	wr_fixed(w, dh->value, mikey_dh_len(dh->group), "DH value does not fit its group");
	if (dh->reserved > 15 || dh->kv.type > 15)
		wr_fail(w, "DH reserved or key validity out of range");
	wr_be(w, (uint32_t)dh->reserved << 4 | dh->kv.type, 1);
	mikey_kv_write(w, &dh->kv);
}

static void t_write(struct mikey_wr *w, const struct mikey_t *t)
{
	int n = ts_len(t->ts_type);

	if (n < 0 || (n == 4 && t->value >> 32)) {
		wr_fail(w, "bad timestamp type or value");
		return;
	}
	wr_be(w, t->ts_type, 1);
	if (n == 8)
		wr_be(w, (uint32_t)(t->value >> 32), 4);
	wr_be(w, (uint32_t)t->value, 4);
}

static void typed_write(struct mikey_wr *w, const struct mikey_typed *t)
{
	wr_be(w, t->type, 1);
	wr_lv(w, t->data, 2, "ID, CERT or extension longer than 65535 bytes");
}

/* Everything after the next payload byte (SIGN: the whole payload). */
void mikey_pl_encode(struct mikey_wr *w, const struct mikey_payload *pl)
{
	const struct mikey_sign *s = &pl->u.sign;

	switch (pl->type) {
	case MIKEY_PT_KEMAC:
		wr_be(w, pl->u.kemac.enc_alg, 1);
		wr_lv(w, pl->u.kemac.enc, 2, "KEMAC data longer than 65535 bytes");
		wr_be(w, pl->u.kemac.mac_alg, 1);
		wr_fixed(w, pl->u.kemac.mac, mikey_mac_len(pl->u.kemac.mac_alg),
			 "KEMAC MAC does not fit its algorithm");
		break;
	case MIKEY_PT_PKE: pke_write(w, &pl->u.pke); break;
	case MIKEY_PT_DH: dh_write(w, &pl->u.dh); break;
	case MIKEY_PT_SIGN:
		if (s->s_type > 15 || s->sig.len > 0xfff)
			wr_fail(w, "SIGN type or length out of range");
		wr_be(w, (uint32_t)s->s_type << 12 | (uint32_t)s->sig.len, 2);
		wr_bytes(w, s->sig);
		break;
	case MIKEY_PT_T: t_write(w, &pl->u.t); break;
	case MIKEY_PT_ID: typed_write(w, &pl->u.id); break;
	case MIKEY_PT_CERT: typed_write(w, &pl->u.cert); break;
	case MIKEY_PT_GENEXT: typed_write(w, &pl->u.ext); break;
	case MIKEY_PT_CHASH:
		wr_be(w, pl->u.chash.func, 1);
		wr_fixed(w, pl->u.chash.hash, chash_len(pl->u.chash.func),
			 "CHASH does not fit its function");
		break;
	case MIKEY_PT_V:
		wr_be(w, pl->u.v.mac_alg, 1);
		wr_fixed(w, pl->u.v.mac, mikey_mac_len(pl->u.v.mac_alg),
			 "V MAC does not fit its algorithm");
		break;
	case MIKEY_PT_SP: sp_write(w, &pl->u.sp); break;
	case MIKEY_PT_RAND: wr_lv(w, pl->u.rand, 1, "RAND longer than 255 bytes"); break;
	case MIKEY_PT_ERR:
		wr_be(w, pl->u.err.err_no, 1);
		wr_be(w, pl->u.err.reserved, 2);
		break;
	default:
		wr_fail(w, "unknown payload type");
	}
}
