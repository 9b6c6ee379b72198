// SPDX-License-Identifier: GPL-2.0
/*
 * The parts of a MIKEY exchange every mode shares (RFC 3830 §4.1, §5):
 * messages built payload by payload and MACed; a responder's checks of an
 * I_MESSAGE; the error message HDR, T, {ERR}, [V]; an initiator's checks
 * of the answer's head and V payload.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mikey_exch.h"
#include "mikey_kdf.h"

int mx_fail(struct mikey_fail *f, uint8_t err_no, const char *fmt, ...)
{
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->err_no = err_no;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return -1;
}

void mikey_keys_wipe(struct mikey_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void mx_t_bytes(uint64_t t, uint8_t b[8])
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(t >> (56 - 8 * i));
}

bool mx_in_window(uint64_t t, uint64_t now, uint32_t skew)
{
	uint64_t d = t > now ? t - now : now - t;

	return d <= (uint64_t)skew << 32;
}

int mx_psk_keys(const uint8_t *psk, size_t plen, uint32_t csb, const uint8_t *rand,
		size_t rlen, uint8_t ek[16], uint8_t salt[14], uint8_t ak[20])
{
	return mikey_derive(psk, plen, MIKEY_C_ENC, MIKEY_CS_ID_NONE, csb, rand, rlen, ek, 16) ||
	       mikey_derive(psk, plen, MIKEY_C_SALT, MIKEY_CS_ID_NONE, csb, rand, rlen, salt, 14) ||
	       mikey_derive(psk, plen, MIKEY_C_AUTH, MIKEY_CS_ID_NONE, csb, rand, rlen, ak, 20);
}

/*
 * From a TGK (a DH secret is one, §4.1.5) by §4.1.3, a TGK's own salt used
 * as is; or a TEK used as the master key itself (with its salt, or
 * GStreamer's 30-byte key||salt).
 */
int mx_ctx_master(const struct mikey_keydata *k, uint32_t csb, const uint8_t *rand,
		  size_t rlen, uint8_t cs_id, const struct suite *s, uint8_t *master)
{
	size_t kl = s->key_len, sl = s->salt_len;

	if (k->type == MIKEY_KEY_TGK || k->type == MIKEY_KEY_TGK_SALT) {
		if (mikey_derive(k->key.p, k->key.len, MIKEY_C_TEK, cs_id, csb, rand, rlen,
				 master, kl))
			return -1;
		if (k->type == MIKEY_KEY_TGK_SALT && k->salt.len == sl) {
			memcpy(master + kl, k->salt.p, sl);
			return 0;
		}
		return mikey_derive(k->key.p, k->key.len, MIKEY_C_TGK_SALT, cs_id, csb, rand,
				    rlen, master + kl, sl);
	}
	if (k->type == MIKEY_KEY_TEK_SALT && k->key.len == kl && k->salt.len == sl) {
		memcpy(master, k->key.p, kl);
		memcpy(master + kl, k->salt.p, sl);
		return 0;
	}
	if (k->type == MIKEY_KEY_TEK && k->key.len == kl + sl) {
		memcpy(master, k->key.p, kl + sl);
		return 0;
	}
	return -1;
}

/* Encode m; its last payload (KEMAC or V) gets the MAC over what precedes
 * the MAC field, plus extra (the V payload's identities and T).
 */
size_t mx_encode_maced(const struct mikey_msg *m, uint8_t mac_alg, const uint8_t *ak,
		       const uint8_t *extra, size_t elen, uint8_t *out, size_t cap,
		       struct mikey_fail *f)
{
	const char *why = NULL;
	uint8_t buf[MIKEY_PSK_MAX_MSG + 160];
	size_t n;

	n = mikey_encode(m, out, cap, &why);
	if (!n)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "cannot encode the message: %s", why), 0;
	if (mac_alg == MIKEY_MAC_NULL)
		return n;
	if (n < MIKEY_HMAC_SHA1_LEN || n - MIKEY_HMAC_SHA1_LEN + elen > sizeof(buf))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "message too long to MAC"), 0;
	memcpy(buf, out, n - MIKEY_HMAC_SHA1_LEN);
	if (elen)
		memcpy(buf + n - MIKEY_HMAC_SHA1_LEN, extra, elen);
	if (mikey_mac(mac_alg, ak, 20, buf, n - MIKEY_HMAC_SHA1_LEN + elen,
		      out + n - MIKEY_HMAC_SHA1_LEN) != MIKEY_HMAC_SHA1_LEN)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "MAC computation failed"), 0;
	return n;
}

/*
 * §5.2: the V payload's MAC also covers IDi, IDr and the initiator's T as
 * its T payload carries it (4 bytes for a COUNTER, else 8).
 */
size_t mx_v_extra(const uint8_t *idi, size_t il, const uint8_t *idr, size_t rl,
		  struct mikey_t t_i, uint8_t *out)
{
	uint8_t tb[8];
	size_t tl = t_i.ts_type == MIKEY_TS_COUNTER ? 4 : 8;

	if (il)
		memcpy(out, idi, il);
	if (rl)
		memcpy(out + il, idr, rl);
	mx_t_bytes(t_i.value, tb);
	memcpy(out + il + rl, tb + 8 - tl, tl);
	return il + rl + tl;
}

void mx_add_pl(struct mikey_msg *m, uint8_t type)
{
	memset(&m->pl[m->npl], 0, sizeof(m->pl[0]));
	m->pl[m->npl++].type = type;
}

struct mikey_payload *mx_last_pl(struct mikey_msg *m)
{
	return &m->pl[m->npl - 1];
}

/* The suites of cs[] as SP payloads, one policy per distinct suite. */
static void offer_policies(struct mikey_msg *m, const struct mikey_offer_cs *cs, size_t ncs,
		       uint32_t kdr, uint8_t vals[][MIKEY_MAX_SP_PARAMS])
{
	const struct suite *pol[SUITE_COUNT];
	size_t np = 0, i, j;

	for (i = 0; i < ncs; i++) {
		for (j = 0; j < np && pol[j] != cs[i].suite; j++)
			;
		if (j == np) {
			pol[np] = cs[i].suite;
			mx_add_pl(m, MIKEY_PT_SP);
			mikey_sp_build(cs[i].suite, kdr, (uint8_t)np, &mx_last_pl(m)->u.sp,
				       vals[np]);
			np++;
		}
		m->hdr.cs[i] = (struct mikey_cs_srtp){ (uint8_t)j, cs[i].ssrc, cs[i].roc };
	}
}

static void add_ids(struct mikey_msg *m, struct mikey_init *st, const struct mikey_ids *ids,
		    const struct mikey_pki *pki)
{
	if (ids && ids->id_i) {
		st->id_i_len = strnlen(ids->id_i, sizeof(st->id_i));
		memcpy(st->id_i, ids->id_i, st->id_i_len);
		mx_add_pl(m, MIKEY_PT_ID);
		mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI,
							    { st->id_i, st->id_i_len } };
	}
	if (pki)	/* §3.2: [IDi|CERTi], [IDr] */
		mx_add_certs(m, pki);
	if (ids && ids->id_i) {
		if (ids->id_r) {
			st->id_r_len = strnlen(ids->id_r, sizeof(st->id_r));
			memcpy(st->id_r, ids->id_r, st->id_r_len);
			mx_add_pl(m, MIKEY_PT_ID);
			mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI,
								    { st->id_r, st->id_r_len } };
		}
	}
}

void mx_init_head(struct mikey_msg *m, struct mikey_init *st, uint8_t dt, bool v,
		  const struct mikey_ids *ids, const struct mikey_pki *pki,
		  const struct mikey_offer_cs *cs, size_t ncs, uint32_t kdr)
{
	static uint8_t vals[SUITE_COUNT][MIKEY_MAX_SP_PARAMS];

	st->dt = dt;
	m->hdr = (struct mikey_hdr){ .version = 1, .data_type = dt, .v = v,
				     .csb_id = st->csb_id, .ncs = (uint8_t)ncs,
				     .map_type = MIKEY_MAP_SRTP };
	mx_add_pl(m, MIKEY_PT_T);
	mx_last_pl(m)->u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, st->t };
	mx_add_pl(m, MIKEY_PT_RAND);
	mx_last_pl(m)->u.rand = (struct mikey_bytes){ st->rand, MIKEY_RAND_LEN };
	add_ids(m, st, ids, pki);
	offer_policies(m, cs, ncs, kdr, vals);
}

int mx_init_check(const struct mikey_policy *pol, const struct mikey_offer_cs *cs,
		  size_t ncs, struct mikey_fail *f)
{
	size_t i;

	if (!ncs || ncs > MIKEY_PSK_MAX_CS)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "1 to %d crypto sessions, not %zu",
			       MIKEY_PSK_MAX_CS, ncs);
	for (i = 0; i < ncs; i++)
		if (!cs[i].suite || cs[i].suite->aead || !(pol->suites_ok & suite_bit(cs[i].suite)))
			return mx_fail(f, MIKEY_ERR_SP, "crypto session %zu: suite not usable",
				       i + 1);
	if (pol->psk && !pol->psk_len)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "empty pre-shared key");
	return 0;
}

int mx_init_mki(const struct mikey_policy *pol, struct mikey_init *st, struct mikey_kv *kv,
		struct mikey_fail *f)
{
	uint8_t i;

	memset(kv, 0, sizeof(*kv));
	if (!pol->mki_len)
		return 0;
	if (pol->mki_len > sizeof(st->spi))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "MKI of %u bytes: at most 4", pol->mki_len);
	st->mki_len = pol->mki_len;
	st->mki = pol->mki & (uint32_t)(0xffffffffull >> (32 - 8 * pol->mki_len));
	for (i = 0; i < st->mki_len; i++)
		st->spi[i] = (uint8_t)(st->mki >> (8 * (st->mki_len - 1 - i)));
	*kv = (struct mikey_kv){ .type = MIKEY_KV_SPI, .spi = { st->spi, st->mki_len } };
	return 0;
}

int mx_init_keys(struct mikey_init *st, const struct mikey_offer_cs *cs, size_t ncs,
		 uint32_t kdr, const struct mikey_keydata *k)
{
	size_t i;

	st->keys.csb_id = st->csb_id;
	st->keys.n = ncs;
	for (i = 0; i < ncs; i++) {
		struct mikey_ctx *c = &st->keys.cs[i];

		*c = (struct mikey_ctx){ .cs_id = (uint8_t)(i + 1), .ssrc = cs[i].ssrc,
					 .roc = cs[i].roc, .suite = cs[i].suite, .kdr = kdr,
					 .mki_len = st->mki_len, .mki = st->mki };
		if (mx_ctx_master(k, st->csb_id, st->rand, MIKEY_RAND_LEN, c->cs_id, c->suite,
				  c->master))
			return -1;
	}
	return 0;
}

/* ---- responder ---- */

static int rx_header(const struct mikey_msg *m, uint8_t data_type, struct mikey_fail *f)
{
	if (m->hdr.data_type != data_type)
		return mx_fail(f, MIKEY_ERR_DT, "data type %u where %u was expected",
			       m->hdr.data_type, data_type);
	if (m->hdr.prf != 0)
		return mx_fail(f, MIKEY_ERR_PRF, "PRF %u: only MIKEY-1", m->hdr.prf);
	if (m->hdr.map_type != MIKEY_MAP_SRTP || !m->hdr.ncs)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "no SRTP CS ID map: keyd needs each "
			       "stream's SSRC and ROC");
	if (m->hdr.ncs > MIKEY_PSK_MAX_CS)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "%u crypto sessions: at most %d",
			       m->hdr.ncs, MIKEY_PSK_MAX_CS);
	return 0;
}

static int rx_find(struct mx_rx *x, struct mikey_fail *f)
{
	size_t i;

	for (i = 0; i < x->m.npl; i++) {
		const struct mikey_payload *p = &x->m.pl[i];

		if (p->type == MIKEY_PT_ID && !x->idi)
			x->idi = p;
		else if (p->type == MIKEY_PT_ID && !x->idr)
			x->idr = p;
	}
	x->t = mikey_find(&x->m, MIKEY_PT_T);
	x->rand = mikey_find(&x->m, MIKEY_PT_RAND);
	x->kemac = mikey_find(&x->m, MIKEY_PT_KEMAC);
	x->sign = mikey_find(&x->m, MIKEY_PT_SIGN);
	x->pke = mikey_find(&x->m, MIKEY_PT_PKE);
	x->chash = mikey_find(&x->m, MIKEY_PT_CHASH);
	if (!x->t)
		return mx_fail(f, MIKEY_ERR_TS, "I_MESSAGE without a timestamp");
	if (x->t->u.t.ts_type > MIKEY_TS_COUNTER)
		return mx_fail(f, MIKEY_ERR_TS, "timestamp type %u unknown", x->t->u.t.ts_type);
	/* RFC 4738 §3.4: RSA-R's RAND may come from the responder instead */
	if ((!x->rand || !x->rand->u.rand.len) && x->m.hdr.data_type != MIKEY_DT_RSAR_INIT)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE without RAND");
	if (x->sig && !x->sign)
		return mx_fail(f, MIKEY_ERR_AUTH, "I_MESSAGE without a signature (SIGN)");
	if (!x->sig && (!x->kemac || x->kemac != &x->m.pl[x->m.npl - 1]))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE without a KEMAC as last payload");
	mx_t_bytes(x->t->u.t.value, x->tb);
	return 0;
}

int mx_rx_start(struct mx_rx **xp, const uint8_t *msg, size_t len, uint8_t dt,
		struct mikey_keys *keys, size_t *outlen, bool *decoded, struct mikey_fail *f)
{
	struct mx_rx *x = calloc(1, sizeof(*x));
	const char *why = NULL;

	memset(keys, 0, sizeof(*keys));
	*outlen = 0;
	*decoded = false;
	*xp = x;
	if (!x)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	x->sig = dt == MIKEY_DT_PK_INIT || dt == MIKEY_DT_DH_INIT || dt == MIKEY_DT_RSAR_INIT;
	*decoded = !mikey_decode(msg, len, &x->m, &why);
	if (!*decoded)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE does not decode: %s", why);
	return rx_header(&x->m, dt, f) || rx_find(x, f) ? -1 : 0;
}

void mx_rx_end(struct mx_rx *x)
{
	if (x)
		OPENSSL_cleanse(x, sizeof(*x));
	free(x);
}

int mx_rx_mac(struct mx_rx *x, mikey_psk_lookup lookup, void *arg, const uint8_t *msg,
	      struct mikey_fail *f)
{
	const struct mikey_kemac *km = &x->kemac->u.kemac;
	const struct mikey_bytes *r = &x->rand->u.rand;
	size_t cov;

	if (lookup(arg, x->idi ? x->idi->u.id.data.p : NULL, x->idi ? x->idi->u.id.data.len : 0,
		   &x->psk, &x->psk_len) || !x->psk_len)
		return mx_fail(f, MIKEY_ERR_ID, "no pre-shared key for identity \"%.*s\"",
			       x->idi ? (int)x->idi->u.id.data.len : 0,
			       x->idi ? (const char *)x->idi->u.id.data.p : "");
	if (mx_psk_keys(x->psk, x->psk_len, x->m.hdr.csb_id, r->p, r->len, x->ek, x->salt,
			x->ak))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "key derivation failed");
	cov = mikey_auth_len(&x->m, (size_t)(x->kemac - x->m.pl));
	if (!mikey_mac_ok(km->mac_alg, x->ak, 20, msg, cov, km->mac.p, km->mac.len))
		return mx_fail(f, MIKEY_ERR_AUTH, "KEMAC MAC does not verify (wrong pre-shared "
			       "key or altered message)");
	x->authentic = x->ak_set = true;
	return 0;
}

/* COUNTER: above the last one this identity's messages carried. */
static int rx_counter(const struct mx_rx *x, struct mikey_replay *rc, struct mikey_fail *f)
{
	const struct mikey_bytes *id = x->idi ? &x->idi->u.id.data : NULL;
	int r = mikey_counter_check(rc, id ? id->p : (const uint8_t *)"", id ? id->len : 0,
				    (uint32_t)x->t->u.t.value);

	if (r > 0)
		return mx_fail(f, MIKEY_ERR_TS, "COUNTER %u is not above the last one accepted "
			       "from this identity (a replay)", (uint32_t)x->t->u.t.value);
	if (r < 0)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "COUNTER table full or digest failed");
	return 0;
}

/*
 * NTP-UTC and NTP (both 64-bit NTP format; RFC 3830 recommends UTC, and
 * keyd compares either with its UTC clock): inside the window, not seen.
 */
int mx_rx_fresh(const struct mx_rx *x, const struct mikey_policy *pol,
		struct mikey_replay *rc, const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	uint64_t t = x->t->u.t.value;
	int r;

	if (x->t->u.t.ts_type == MIKEY_TS_COUNTER)
		return rx_counter(x, rc, f);
	if (!mx_in_window(t, pol->now, pol->skew))
		return mx_fail(f, MIKEY_ERR_TS, "timestamp outside the %u s clock-skew window",
			       pol->skew);
	r = mikey_replay_check(rc, msg, len, t, pol->now, pol->skew);
	if (r > 0)
		return mx_fail(f, MIKEY_ERR_TS, "replayed I_MESSAGE (seen within the window)");
	if (r < 0)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "replay cache full or digest failed");
	return 0;
}

static const struct mikey_sp *rx_policy(const struct mikey_msg *m, uint8_t no)
{
	size_t i;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == MIKEY_PT_SP && m->pl[i].u.sp.policy_no == no)
			return &m->pl[i].u.sp;
	return NULL;	/* §6.10: the defaults */
}

int mx_kv_mki(const struct mikey_kv *kv, uint8_t *len, uint32_t *mki, struct mikey_fail *f)
{
	size_t i;

	*len = 0;
	*mki = 0;
	if (!kv || kv->type == MIKEY_KV_NULL)
		return 0;
	if (kv->type != MIKEY_KV_SPI)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "key validity by interval (From-To): keyd keys "
			       "SRTP by MKI (an SPI) or by nothing");
	if (!kv->spi.len || kv->spi.len > 4)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "an SPI/MKI of %zu bytes: SRTP's MKI is 1 to 4 "
			       "here", kv->spi.len);
	for (i = 0; i < kv->spi.len; i++)
		*mki = *mki << 8 | kv->spi.p[i];
	*len = (uint8_t)kv->spi.len;
	return 0;
}

int mx_rx_cs_keys(const struct mx_rx *x, const struct mikey_policy *pol,
		  const struct mikey_keydata *k, const struct mikey_kv *kv,
		  struct mikey_keys *keys, struct mikey_fail *f)
{
	const struct mikey_bytes *r = &x->rand->u.rand;
	uint8_t err_no, mki_len;
	char spwhy[160];
	uint32_t mki;
	size_t i;

	if (mx_kv_mki(kv, &mki_len, &mki, f))
		return -1;
	keys->csb_id = x->m.hdr.csb_id;
	if (x->idi && x->idi->u.id.data.len < sizeof(keys->peer_id) &&
	    !memchr(x->idi->u.id.data.p, 0, x->idi->u.id.data.len))
		memcpy(keys->peer_id, x->idi->u.id.data.p, x->idi->u.id.data.len);
	for (i = 0; i < x->m.hdr.ncs; i++) {
		const struct mikey_cs_srtp *cs = &x->m.hdr.cs[i];
		struct mikey_ctx *c = &keys->cs[i];

		*c = (struct mikey_ctx){ .cs_id = (uint8_t)(i + 1), .policy_no = cs->policy_no,
					 .ssrc = cs->ssrc, .roc = cs->roc, .mki_len = mki_len,
					 .mki = mki };
		c->suite = mikey_sp_suite(rx_policy(&x->m, cs->policy_no), pol->suites_ok,
					  &c->kdr, &err_no, spwhy, sizeof(spwhy));
		if (!c->suite)
			return mx_fail(f, err_no, "crypto session %zu (policy %u): %s", i + 1,
				       cs->policy_no, spwhy);
		if (mx_ctx_master(k, keys->csb_id, r->p, r->len, c->cs_id, c->suite, c->master))
			return mx_fail(f, MIKEY_ERR_UNSPEC, "key data does not fit suite %s",
				       c->suite->name);
	}
	keys->n = x->m.hdr.ncs;
	return 0;
}

/* RFC 3830 §5.2: the responder does not create a new timestamp but uses the
 * initiator's (now, in NTP-UTC, if the message had none we can use).
 */
struct mikey_t mx_reply_t(const struct mx_rx *x, const struct mikey_policy *pol)
{
	if (x->t && x->t->u.t.ts_type <= MIKEY_TS_COUNTER)
		return x->t->u.t;
	return (struct mikey_t){ MIKEY_TS_NTP_UTC, pol->now };
}

size_t mx_rx_reply(const struct mx_rx *x, bool decoded, const struct mikey_policy *pol,
		   const char *id_r, int err_no, uint8_t *out, size_t cap,
		   struct mikey_fail *f)
{
	struct mikey_fail f2;
	struct mikey_msg *m = calloc(1, sizeof(*m));
	uint8_t extra[300], zero[20] = { 0 }, mac_alg;
	struct mikey_bytes idi = { NULL, 0 }, idr = { NULL, 0 };
	/* DH-SIGN and RSA-R have no MAC key: their errors are signed */
	bool sign = err_no >= 0 && x->sig && x->authentic && !x->ak_set && pol->pki;
	size_t n, el;

	if (!m)
		return 0;
	m->hdr = (struct mikey_hdr){ .version = 1, .map_type = MIKEY_MAP_SRTP,
		.data_type = MIKEY_DT_ERROR };
	if (decoded) {
		m->hdr.csb_id = x->m.hdr.csb_id;
		if (err_no < 0) {	/* an error message names only the CSB */
			m->hdr.data_type = (uint8_t)(x->m.hdr.data_type + 1);	/* PSK, PK */
			m->hdr.ncs = x->m.hdr.ncs;
			memcpy(m->hdr.cs, x->m.hdr.cs, sizeof(m->hdr.cs));
		}
		idi = x->idi ? x->idi->u.id.data : idi;
		idr = x->idr ? x->idr->u.id.data : idr;
	}
	mx_add_pl(m, MIKEY_PT_T);
	mx_last_pl(m)->u.t = mx_reply_t(x, pol);
	if (err_no < 0 && id_r && *id_r) {
		mx_add_pl(m, MIKEY_PT_ID);
		mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI,
			{ (const uint8_t *)id_r, strlen(id_r) } };
	}
	if (err_no >= 0) {
		mx_add_pl(m, MIKEY_PT_ERR);
		mx_last_pl(m)->u.err.err_no = (uint8_t)err_no;
	}
	/* a V or SIGN only where it proves something, or R_MESSAGE's own V */
	mac_alg = x->authentic && x->ak_set ? MIKEY_MAC_HMAC_SHA1_160 : MIKEY_MAC_NULL;
	if (sign) {
		mx_add_sign(m, pol->pki);
	} else if (mac_alg || err_no < 0) {
		mx_add_pl(m, MIKEY_PT_V);
		mx_last_pl(m)->u.v = (struct mikey_v){ mac_alg, { zero, mac_alg ? 20 : 0 } };
	}
	el = idi.len + idr.len + 8 <= sizeof(extra) ?
		mx_v_extra(idi.p, idi.len, idr.p, idr.len, mx_reply_t(x, pol), extra) : 0;
	if (sign)
		n = mx_encode_signed(m, pol->pki, NULL, 0, out, cap, f ? f : &f2);
	else
		n = mx_encode_maced(m, mac_alg, x->ak, extra, el, out, cap, f ? f : &f2);
	free(m);
	return n;
}

int mx_respond(const struct mx_req *q, uint8_t dt, mx_rx_mode mode, size_t *outlen,
	       struct mikey_fail *f)
{
	struct mx_rx *x;
	bool decoded;
	int r = -1;

	if (!mx_rx_start(&x, q->msg, q->len, dt, q->keys, outlen, &decoded, f) &&
	    !mode(x, q, outlen, f))
		r = 0;
	if (!x)
		return -1;
	if (!r && !*outlen && x->m.hdr.v)
		*outlen = mx_rx_reply(x, true, q->pol, q->id_r, -1, q->out, q->cap, f);
	if (!r && x->m.hdr.v && !*outlen)
		r = -1;
	if (r) {
		mikey_keys_wipe(q->keys);
		*outlen = mx_rx_reply(x, decoded, q->pol, q->id_r, f->err_no, q->out, q->cap, NULL);
	}
	mx_rx_end(x);
	return r;
}

/* ---- initiator: the answer ---- */

bool mx_v_ok(const struct mikey_init *st, const struct mikey_msg *m, const uint8_t *msg,
	     const struct mikey_payload *v)
{
	uint8_t buf[MIKEY_PSK_MAX_MSG + 160];
	size_t cov = mikey_auth_len(m, (size_t)(v - m->pl));

	if (v->u.v.mac_alg == MIKEY_MAC_NULL)
		return st->null_mode;
	if (st->null_mode || v->u.v.mac_alg != MIKEY_MAC_HMAC_SHA1_160 ||
	    cov + st->id_i_len + st->id_r_len + 8 > sizeof(buf))
		return false;
	memcpy(buf, msg, cov);
	cov += mx_v_extra(st->id_i, st->id_i_len, st->id_r, st->id_r_len,
		       (struct mikey_t){ MIKEY_TS_NTP_UTC, st->t }, buf + cov);
	return mikey_mac_ok(v->u.v.mac_alg, st->auth_key, 20, buf, cov, v->u.v.mac.p,
			    v->u.v.mac.len);
}

/* A signed error message: by the responder our bundle knows as IDr. */
static bool err_signed(const struct mikey_policy *pol, const struct mikey_init *st,
		       const struct mikey_msg *m, const uint8_t *msg)
{
	struct mikey_msg bare = *m;
	struct mikey_fail f;
	char who[64];
	EVP_PKEY *k;
	size_t i;

	if (!pol->pki || !st->id_r_len)
		return false;
	/* the bundle's certificate, not one the message brings along */
	for (bare.npl = i = 0; i < m->npl; i++)
		if (m->pl[i].type != MIKEY_PT_CERT)
			bare.pl[bare.npl++] = m->pl[i];
	k = mx_sig_check(pol->pki, &bare, msg, &(struct mikey_bytes){ st->id_r, st->id_r_len },
			 NULL, 0, who, &f);
	EVP_PKEY_free(k);
	return k != NULL;
}

static int answer_err(const struct mikey_policy *pol, const struct mikey_init *st,
		      const struct mikey_msg *m, const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_payload *e = mikey_find(m, MIKEY_PT_ERR);
	const struct mikey_payload *v = mikey_find(m, MIKEY_PT_V);
	bool authentic = v ? v->u.v.mac_alg != MIKEY_MAC_NULL && mx_v_ok(st, m, msg, v) :
			 mikey_find(m, MIKEY_PT_SIGN) && err_signed(pol, st, m, msg);
	uint8_t no = e ? e->u.err.err_no : MIKEY_ERR_UNSPEC;

	mx_fail(f, no, "peer refused the exchange: %s (%u)%s", mikey_err_name(no), no,
		authentic ? "" : ", unauthenticated");
	f->remote = true;
	f->authentic = authentic;
	return -1;
}

int mx_answer_head(const struct mikey_policy *pol, const struct mikey_init *st,
		   const uint8_t *msg, size_t len, uint8_t resp_dt, struct mikey_msg *m,
		   struct mikey_fail *f)
{
	const struct mikey_payload *t;
	const char *why = NULL;

	if (mikey_decode(msg, len, m, &why))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "answer does not decode: %s", why);
	if (m->hdr.data_type == MIKEY_DT_ERROR)
		return answer_err(pol, st, m, msg, f);
	t = mikey_find(m, MIKEY_PT_T);
	if (m->hdr.data_type != resp_dt)
		return mx_fail(f, MIKEY_ERR_DT, "answer of data type %u, not %u",
			       m->hdr.data_type, resp_dt);
	if (m->hdr.csb_id != st->csb_id)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "answer for CSB ID %08x, not ours",
			       m->hdr.csb_id);
	if (!t || t->u.t.ts_type != MIKEY_TS_NTP_UTC ||
	    !mx_in_window(t->u.t.value, pol->now, pol->skew))
		return mx_fail(f, MIKEY_ERR_TS, "answer's timestamp missing or outside the "
			       "window");
	return 0;
}

int mx_answer_v(const struct mikey_policy *pol, const struct mikey_init *st,
		const uint8_t *msg, size_t len, uint8_t resp_dt, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	const struct mikey_payload *v;
	int r = -1;

	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	if (!mx_answer_head(pol, st, msg, len, resp_dt, m, f)) {
		v = mikey_find(m, MIKEY_PT_V);
		if (!v || v != &m->pl[m->npl - 1] || !mx_v_ok(st, m, msg, v))
			mx_fail(f, MIKEY_ERR_AUTH, "answer's verification (V) payload does not "
				"verify");
		else
			r = 0;
	}
	free(m);
	return r;
}
