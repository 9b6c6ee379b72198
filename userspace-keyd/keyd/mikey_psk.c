// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY-PSK and MIKEY-NULL, initiator and responder (RFC 3830 §3.1, §5).
 * Messages are I_MESSAGE = HDR, T, RAND, [IDi, [IDr]], {SP}, KEMAC and
 * R_MESSAGE = HDR, T, [IDr], V; an error message is HDR, T, {ERR}, [V].
 * The KEMAC carries one TGK; each crypto session's master key and salt
 * come from it (§4.1.3), so every SSRC gets its own keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mikey_kdf.h"
#include "mikey_psk.h"

#define ID_TYPE_URI	1	/* §6.7 */

static int fail(struct mikey_fail *f, uint8_t err_no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct mikey_fail *f, uint8_t err_no, const char *fmt, ...)
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

static void t_bytes(uint64_t t, uint8_t b[8])
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(t >> (56 - 8 * i));
}

static bool in_window(uint64_t t, uint64_t now, uint32_t skew)
{
	uint64_t d = t > now ? t - now : now - t;

	return d <= (uint64_t)skew << 32;
}

/* §4.1.4: the KEMAC's encryption, salting and authentication keys. */
static int psk_keys(const uint8_t *psk, size_t plen, uint32_t csb, const uint8_t *rand,
		    size_t rlen, uint8_t ek[16], uint8_t salt[14], uint8_t ak[20])
{
	return mikey_derive(psk, plen, MIKEY_C_ENC, MIKEY_CS_ID_NONE, csb, rand, rlen, ek, 16) ||
	       mikey_derive(psk, plen, MIKEY_C_SALT, MIKEY_CS_ID_NONE, csb, rand, rlen, salt, 14) ||
	       mikey_derive(psk, plen, MIKEY_C_AUTH, MIKEY_CS_ID_NONE, csb, rand, rlen, ak, 20);
}

/*
 * One crypto session's master key || salt: from a TGK by §4.1.3 (a TGK's
 * own salt is used as is), or a TEK used as the master key itself (with
 * its salt, or GStreamer's 30-byte key||salt).
 */
static int ctx_master(const struct mikey_keydata *k, uint32_t csb, const uint8_t *rand,
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
static size_t encode_maced(const struct mikey_msg *m, uint8_t mac_alg, const uint8_t *ak,
			   const uint8_t *extra, size_t elen, uint8_t *out, size_t cap,
			   struct mikey_fail *f)
{
	const char *why = NULL;
	uint8_t buf[MIKEY_PSK_MAX_MSG + 160];
	size_t n;

	n = mikey_encode(m, out, cap, &why);
	if (!n)
		return fail(f, MIKEY_ERR_UNSPEC, "cannot encode the message: %s", why), 0;
	if (mac_alg == MIKEY_MAC_NULL)
		return n;
	if (n < MIKEY_HMAC_SHA1_LEN || n - MIKEY_HMAC_SHA1_LEN + elen > sizeof(buf))
		return fail(f, MIKEY_ERR_UNSPEC, "message too long to MAC"), 0;
	memcpy(buf, out, n - MIKEY_HMAC_SHA1_LEN);
	if (elen)
		memcpy(buf + n - MIKEY_HMAC_SHA1_LEN, extra, elen);
	if (mikey_mac(mac_alg, ak, 20, buf, n - MIKEY_HMAC_SHA1_LEN + elen,
		      out + n - MIKEY_HMAC_SHA1_LEN) != MIKEY_HMAC_SHA1_LEN)
		return fail(f, MIKEY_ERR_UNSPEC, "MAC computation failed"), 0;
	return n;
}

/* §5.2: the V payload's MAC also covers IDi, IDr and the initiator's T. */
static size_t v_extra(const uint8_t *idi, size_t il, const uint8_t *idr, size_t rl,
		      uint64_t t_i, uint8_t *out)
{
	if (il)
		memcpy(out, idi, il);
	if (rl)
		memcpy(out + il, idr, rl);
	t_bytes(t_i, out + il + rl);
	return il + rl + 8;
}

static void add_pl(struct mikey_msg *m, uint8_t type)
{
	memset(&m->pl[m->npl], 0, sizeof(m->pl[0]));
	m->pl[m->npl++].type = type;
}

static struct mikey_payload *last_pl(struct mikey_msg *m)
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
			add_pl(m, MIKEY_PT_SP);
			mikey_sp_build(cs[i].suite, kdr, (uint8_t)np, &last_pl(m)->u.sp,
				       vals[np]);
			np++;
		}
		m->hdr.cs[i] = (struct mikey_cs_srtp){ (uint8_t)j, cs[i].ssrc, cs[i].roc };
	}
}

static int init_check(const struct mikey_policy *pol, const struct mikey_offer_cs *cs,
		      size_t ncs, bool null_enc, struct mikey_fail *f)
{
	size_t i;

	if (!ncs || ncs > MIKEY_PSK_MAX_CS)
		return fail(f, MIKEY_ERR_UNSPEC, "1 to %d crypto sessions, not %zu",
			    MIKEY_PSK_MAX_CS, ncs);
	for (i = 0; i < ncs; i++)
		if (!cs[i].suite || cs[i].suite->aead || !(pol->suites_ok & suite_bit(cs[i].suite)))
			return fail(f, MIKEY_ERR_SP, "crypto session %zu: suite not usable", i + 1);
	if ((!pol->psk || null_enc) && !pol->allow_insecure)
		return fail(f, MIKEY_ERR_EA, "%s needs allow_insecure_signalling",
			    pol->psk ? "a NULL-encrypted KEMAC" : "MIKEY-NULL");
	if (pol->psk && !pol->psk_len)
		return fail(f, MIKEY_ERR_UNSPEC, "empty pre-shared key");
	return 0;
}

static void add_ids(struct mikey_msg *m, struct mikey_init *st, const struct mikey_ids *ids)
{
	if (ids && ids->id_i) {
		st->id_i_len = strnlen(ids->id_i, sizeof(st->id_i));
		memcpy(st->id_i, ids->id_i, st->id_i_len);
		add_pl(m, MIKEY_PT_ID);
		last_pl(m)->u.id = (struct mikey_typed){ ID_TYPE_URI, { st->id_i, st->id_i_len } };
		if (ids->id_r) {
			st->id_r_len = strnlen(ids->id_r, sizeof(st->id_r));
			memcpy(st->id_r, ids->id_r, st->id_r_len);
			add_pl(m, MIKEY_PT_ID);
			last_pl(m)->u.id = (struct mikey_typed){ ID_TYPE_URI,
								{ st->id_r, st->id_r_len } };
		}
	}
}

/* The KEMAC of an I_MESSAGE: the TGK, encrypted unless NULL. */
static int init_kemac(const struct mikey_policy *pol, struct mikey_init *st, bool null_enc,
		      const uint8_t *tgk, uint8_t *enc, struct mikey_kemac *km,
		      struct mikey_fail *f)
{
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, MIKEY_TGK_LEN } };
	uint8_t plain[64], ek[16], salt[14], tb[8];
	const char *why;
	size_t n, elen = 0;
	int rc = 0;

	n = mikey_keydata_encode(&k, 1, plain, sizeof(plain), &why);
	km->enc_alg = pol->psk && !null_enc ? MIKEY_ENC_AES_CM_128 : MIKEY_ENC_NULL;
	km->mac_alg = pol->psk ? MIKEY_MAC_HMAC_SHA1_160 : MIKEY_MAC_NULL;
	t_bytes(st->t, tb);
	if (!n || (pol->psk && psk_keys(pol->psk, pol->psk_len, st->csb_id, st->rand,
					 MIKEY_RAND_LEN, ek, salt, st->auth_key)) ||
	    mikey_kemac_encrypt(km->enc_alg, ek, salt, st->csb_id, tb, plain, n, enc, &elen))
		rc = fail(f, MIKEY_ERR_UNSPEC, "cannot build the KEMAC");
	km->enc = (struct mikey_bytes){ enc, elen };
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(ek, sizeof(ek));
	return rc;
}

static int init_keys(struct mikey_init *st, const struct mikey_offer_cs *cs, size_t ncs,
		     uint32_t kdr, const uint8_t *tgk)
{
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, MIKEY_TGK_LEN } };
	size_t i;

	st->keys.csb_id = st->csb_id;
	st->keys.n = ncs;
	for (i = 0; i < ncs; i++) {
		struct mikey_ctx *c = &st->keys.cs[i];

		*c = (struct mikey_ctx){ .cs_id = (uint8_t)(i + 1), .ssrc = cs[i].ssrc,
					 .roc = cs[i].roc, .suite = cs[i].suite, .kdr = kdr };
		if (ctx_master(&k, st->csb_id, st->rand, MIKEY_RAND_LEN, c->cs_id, c->suite,
			       c->master))
			return -1;
	}
	return 0;
}

size_t mikey_psk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			  const struct mikey_offer_cs *cs, size_t ncs, bool null_enc,
			  bool want_v, struct mikey_init *st, uint8_t *out, size_t cap,
			  struct mikey_fail *f)
{
	static uint8_t vals[SUITE_COUNT][MIKEY_MAX_SP_PARAMS];
	uint8_t tgk[MIKEY_TGK_LEN], enc[64], zero[20] = { 0 };
	struct mikey_msg *m;
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	if (init_check(pol, cs, ncs, null_enc, f))
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(f, MIKEY_ERR_UNSPEC, "out of memory"), 0;
	st->null_mode = !pol->psk;
	st->want_v = want_v;
	st->t = pol->now;
	if (RAND_bytes((uint8_t *)&st->csb_id, 4) != 1 || RAND_bytes(st->rand, MIKEY_RAND_LEN) != 1 ||
	    RAND_bytes(tgk, sizeof(tgk)) != 1 || init_keys(st, cs, ncs, pol->kdr, tgk)) {
		fail(f, MIKEY_ERR_UNSPEC, "no randomness or key derivation failed");
		goto out;
	}
	m->hdr = (struct mikey_hdr){ .version = 1, .data_type = MIKEY_DT_PSK_INIT, .v = want_v,
				     .csb_id = st->csb_id, .ncs = (uint8_t)ncs,
				     .map_type = MIKEY_MAP_SRTP };
	add_pl(m, MIKEY_PT_T);
	last_pl(m)->u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, st->t };
	add_pl(m, MIKEY_PT_RAND);
	last_pl(m)->u.rand = (struct mikey_bytes){ st->rand, MIKEY_RAND_LEN };
	add_ids(m, st, ids);
	offer_policies(m, cs, ncs, pol->kdr, vals);
	add_pl(m, MIKEY_PT_KEMAC);
	if (init_kemac(pol, st, null_enc, tgk, enc, &last_pl(m)->u.kemac, f))
		goto out;
	last_pl(m)->u.kemac.mac = (struct mikey_bytes){ zero, pol->psk ? 20 : 0 };
	n = encode_maced(m, last_pl(m)->u.kemac.mac_alg, st->auth_key, NULL, 0, out, cap, f);
out:
	OPENSSL_cleanse(tgk, sizeof(tgk));
	if (!n)
		mikey_keys_wipe(&st->keys);
	free(m);
	return n;
}

/* ---- responder ---- */

/* An I_MESSAGE being checked. */
struct rx {
	struct mikey_msg m;
	const struct mikey_payload *t, *rand, *kemac, *idi, *idr;
	const uint8_t *psk;
	size_t psk_len;
	uint8_t ek[16], salt[14], ak[20], tb[8];
	bool authentic;		/* MAC verified: our reply may carry a V */
};

static int rx_find(struct rx *x, struct mikey_fail *f)
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
	if (!x->t)
		return fail(f, MIKEY_ERR_TS, "I_MESSAGE without a timestamp");
	if (x->t->u.t.ts_type != MIKEY_TS_NTP_UTC)
		return fail(f, MIKEY_ERR_TS, "timestamp type %u: only NTP-UTC is accepted",
			    x->t->u.t.ts_type);
	if (!x->rand || !x->rand->u.rand.len)
		return fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE without RAND");
	if (!x->kemac || x->kemac != &x->m.pl[x->m.npl - 1])
		return fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE without a KEMAC as last payload");
	t_bytes(x->t->u.t.value, x->tb);
	return 0;
}

static int rx_header(const struct mikey_msg *m, struct mikey_fail *f)
{
	if (m->hdr.data_type != MIKEY_DT_PSK_INIT)
		return fail(f, MIKEY_ERR_DT, "data type %u: keyd answers only PSK and NULL "
			    "initiator messages", m->hdr.data_type);
	if (m->hdr.prf != 0)
		return fail(f, MIKEY_ERR_PRF, "PRF %u: only MIKEY-1", m->hdr.prf);
	if (m->hdr.map_type != MIKEY_MAP_SRTP || !m->hdr.ncs)
		return fail(f, MIKEY_ERR_UNSPEC, "no SRTP CS ID map: keyd needs each stream's "
			    "SSRC and ROC");
	if (m->hdr.ncs > MIKEY_PSK_MAX_CS)
		return fail(f, MIKEY_ERR_UNSPEC, "%u crypto sessions: at most %d",
			    m->hdr.ncs, MIKEY_PSK_MAX_CS);
	return 0;
}

/* The PSK by IDi, the algorithms allowed, then the MAC (§5.1). */
static int rx_auth(struct rx *x, const struct mikey_policy *pol, mikey_psk_lookup lookup,
		   void *arg, const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_kemac *km = &x->kemac->u.kemac;
	const struct mikey_bytes *r = &x->rand->u.rand;
	size_t cov;

	if (km->enc_alg > MIKEY_ENC_AES_KW_128)
		return fail(f, MIKEY_ERR_EA, "KEMAC encryption %u unknown", km->enc_alg);
	if (km->mac_alg == MIKEY_MAC_NULL) {
		if (km->enc_alg != MIKEY_ENC_NULL || !pol->allow_insecure)
			return fail(f, MIKEY_ERR_MAC, "MIKEY-NULL (no MAC) is refused: it needs "
				    "allow_insecure_signalling and a NULL-encrypted KEMAC");
		return 0;
	}
	if (km->mac_alg != MIKEY_MAC_HMAC_SHA1_160)
		return fail(f, MIKEY_ERR_MAC, "KEMAC MAC %u unknown", km->mac_alg);
	if (km->enc_alg == MIKEY_ENC_NULL && !pol->allow_insecure)
		return fail(f, MIKEY_ERR_EA, "NULL-encrypted KEMAC needs "
			    "allow_insecure_signalling");
	if (km->enc_alg == MIKEY_ENC_AES_KW_128)
		return fail(f, MIKEY_ERR_EA, "KEMAC AES-KW-128 is not supported in PSK mode yet");
	if (lookup(arg, x->idi ? x->idi->u.id.data.p : NULL, x->idi ? x->idi->u.id.data.len : 0,
		   &x->psk, &x->psk_len) || !x->psk_len)
		return fail(f, MIKEY_ERR_ID, "no pre-shared key for identity \"%.*s\"",
			    x->idi ? (int)x->idi->u.id.data.len : 0,
			    x->idi ? (const char *)x->idi->u.id.data.p : "");
	if (psk_keys(x->psk, x->psk_len, x->m.hdr.csb_id, r->p, r->len, x->ek, x->salt, x->ak))
		return fail(f, MIKEY_ERR_UNSPEC, "key derivation failed");
	cov = mikey_auth_len(&x->m, (size_t)(x->kemac - x->m.pl));
	if (!mikey_mac_ok(km->mac_alg, x->ak, 20, msg, cov, km->mac.p, km->mac.len))
		return fail(f, MIKEY_ERR_AUTH, "KEMAC MAC does not verify (wrong pre-shared key "
			    "or altered message)");
	x->authentic = true;
	return 0;
}

static int rx_fresh(const struct rx *x, const struct mikey_policy *pol,
		    struct mikey_replay *rc, const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	uint64_t t = x->t->u.t.value;
	int r;

	if (!in_window(t, pol->now, pol->skew))
		return fail(f, MIKEY_ERR_TS, "timestamp outside the %u s clock-skew window",
			    pol->skew);
	r = mikey_replay_check(rc, msg, len, t, pol->now, pol->skew);
	if (r > 0)
		return fail(f, MIKEY_ERR_TS, "replayed I_MESSAGE (seen within the window)");
	if (r < 0)
		return fail(f, MIKEY_ERR_UNSPEC, "replay cache full or digest failed");
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

/* The KEMAC's key, the suites, and each crypto session's master key. */
static int rx_keys(struct rx *x, const struct mikey_policy *pol, struct mikey_keys *keys,
		   struct mikey_fail *f)
{
	const struct mikey_kemac *km = &x->kemac->u.kemac;
	const struct mikey_bytes *r = &x->rand->u.rand;
	struct mikey_keydata kd[MIKEY_MAX_KEYS];
	uint8_t plain[512], err_no;
	char spwhy[160];
	size_t plen = 0, nk, i;
	const char *why;
	int rc = -1;

	if (km->enc.len > sizeof(plain) ||
	    mikey_kemac_decrypt(km->enc_alg, x->ek, x->salt, x->m.hdr.csb_id, x->tb,
				km->enc.p, km->enc.len, plain, &plen))
		return fail(f, MIKEY_ERR_UNSPEC, "KEMAC cannot be decrypted");
	if (mikey_keydata_decode(plain, plen, kd, MIKEY_MAX_KEYS, &nk, &why) || !nk) {
		fail(f, MIKEY_ERR_UNSPEC, "KEMAC key data: %s", nk ? why : "no key");
		goto out;
	}
	keys->csb_id = x->m.hdr.csb_id;
	for (i = 0; i < x->m.hdr.ncs; i++) {
		const struct mikey_cs_srtp *cs = &x->m.hdr.cs[i];
		struct mikey_ctx *c = &keys->cs[i];

		*c = (struct mikey_ctx){ .cs_id = (uint8_t)(i + 1), .policy_no = cs->policy_no,
					 .ssrc = cs->ssrc, .roc = cs->roc };
		c->suite = mikey_sp_suite(rx_policy(&x->m, cs->policy_no), pol->suites_ok,
					  &c->kdr, &err_no, spwhy, sizeof(spwhy));
		if (!c->suite) {
			fail(f, err_no, "crypto session %zu (policy %u): %s", i + 1,
			     cs->policy_no, spwhy);
			goto out;
		}
		if (ctx_master(&kd[0], keys->csb_id, r->p, r->len, c->cs_id, c->suite, c->master)) {
			fail(f, MIKEY_ERR_UNSPEC, "key data does not fit suite %s", c->suite->name);
			goto out;
		}
	}
	keys->n = x->m.hdr.ncs;
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc)
		mikey_keys_wipe(keys);
	return rc;
}

/* R_MESSAGE (err_no < 0) or an error message answering x. */
static size_t rx_reply(const struct rx *x, bool decoded, const struct mikey_policy *pol,
		       const char *id_r, int err_no, uint8_t *out, size_t cap,
		       struct mikey_fail *f)
{
	struct mikey_fail f2;
	struct mikey_msg *m = calloc(1, sizeof(*m));
	uint8_t extra[300], zero[20] = { 0 }, mac_alg;
	struct mikey_bytes idi = { NULL, 0 }, idr = { NULL, 0 };
	size_t n, el;

	if (!m)
		return 0;
	m->hdr = (struct mikey_hdr){ .version = 1, .map_type = MIKEY_MAP_SRTP,
		.data_type = err_no < 0 ? MIKEY_DT_PSK_RESP : MIKEY_DT_ERROR };
	if (decoded) {
		m->hdr.csb_id = x->m.hdr.csb_id;
		if (err_no < 0) {	/* an error message names only the CSB */
			m->hdr.ncs = x->m.hdr.ncs;
			memcpy(m->hdr.cs, x->m.hdr.cs, sizeof(m->hdr.cs));
		}
		idi = x->idi ? x->idi->u.id.data : idi;
		idr = x->idr ? x->idr->u.id.data : idr;
	}
	add_pl(m, MIKEY_PT_T);
	last_pl(m)->u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, pol->now };
	if (err_no < 0 && id_r && *id_r) {
		add_pl(m, MIKEY_PT_ID);
		last_pl(m)->u.id = (struct mikey_typed){ ID_TYPE_URI,
			{ (const uint8_t *)id_r, strlen(id_r) } };
	}
	if (err_no >= 0) {
		add_pl(m, MIKEY_PT_ERR);
		last_pl(m)->u.err.err_no = (uint8_t)err_no;
	}
	/* a V only where it proves something, or R_MESSAGE's own (NULL) one */
	mac_alg = x->authentic ? MIKEY_MAC_HMAC_SHA1_160 : MIKEY_MAC_NULL;
	if (x->authentic || err_no < 0) {
		add_pl(m, MIKEY_PT_V);
		last_pl(m)->u.v = (struct mikey_v){ mac_alg, { zero, x->authentic ? 20 : 0 } };
	}
	el = idi.len + idr.len + 8 <= sizeof(extra) ?
		v_extra(idi.p, idi.len, idr.p, idr.len, x->t ? x->t->u.t.value : 0, extra) : 0;
	n = encode_maced(m, mac_alg, x->ak, extra, el, out, cap, f ? f : &f2);
	free(m);
	return n;
}

int mikey_psk_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		      const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		      size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		      size_t *outlen, struct mikey_fail *f)
{
	struct rx *x = calloc(1, sizeof(*x));
	const char *why = NULL;
	bool decoded;
	int r = -1;

	memset(keys, 0, sizeof(*keys));
	*outlen = 0;
	if (!x)
		return fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	decoded = !mikey_decode(msg, len, &x->m, &why);
	if (!decoded)
		fail(f, MIKEY_ERR_UNSPEC, "I_MESSAGE does not decode: %s", why);
	else if (!rx_header(&x->m, f) && !rx_find(x, f) &&
		 !rx_auth(x, pol, lookup, arg, msg, f) && !rx_fresh(x, pol, rc, msg, len, f) &&
		 !rx_keys(x, pol, keys, f))
		r = 0;
	if (r)
		*outlen = rx_reply(x, decoded, pol, id_r, f->err_no, out, cap, NULL);
	else if (x->m.hdr.v)
		*outlen = rx_reply(x, true, pol, id_r, -1, out, cap, f);
	if (!r && x->m.hdr.v && !*outlen) {
		mikey_keys_wipe(keys);
		r = -1;
	}
	OPENSSL_cleanse(x, sizeof(*x));
	free(x);
	return r;
}

/* ---- initiator: the answer ---- */

static bool v_ok(const struct mikey_init *st, const struct mikey_msg *m, const uint8_t *msg,
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
	cov += v_extra(st->id_i, st->id_i_len, st->id_r, st->id_r_len, st->t, buf + cov);
	return mikey_mac_ok(v->u.v.mac_alg, st->auth_key, 20, buf, cov, v->u.v.mac.p,
			    v->u.v.mac.len);
}

static int answer_err(const struct mikey_init *st, const struct mikey_msg *m,
		      const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_payload *e = mikey_find(m, MIKEY_PT_ERR);
	const struct mikey_payload *v = mikey_find(m, MIKEY_PT_V);
	bool authentic = v && v->u.v.mac_alg != MIKEY_MAC_NULL && v_ok(st, m, msg, v);
	uint8_t no = e ? e->u.err.err_no : MIKEY_ERR_UNSPEC;

	fail(f, no, "peer refused the exchange: %s (%u)%s", mikey_err_name(no), no,
	     authentic ? "" : ", unauthenticated");
	f->remote = true;
	f->authentic = authentic;
	return -1;
}

int mikey_psk_answer(const struct mikey_policy *pol, const struct mikey_init *st,
		     const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	const struct mikey_payload *t, *v;
	const char *why = NULL;
	int r = -1;

	if (!m)
		return fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	if (mikey_decode(msg, len, m, &why)) {
		fail(f, MIKEY_ERR_UNSPEC, "answer does not decode: %s", why);
		goto out;
	}
	if (m->hdr.data_type == MIKEY_DT_ERROR) {
		answer_err(st, m, msg, f);
		goto out;
	}
	t = mikey_find(m, MIKEY_PT_T);
	v = mikey_find(m, MIKEY_PT_V);
	if (m->hdr.data_type != MIKEY_DT_PSK_RESP)
		fail(f, MIKEY_ERR_DT, "answer of data type %u, not a PSK response",
		     m->hdr.data_type);
	else if (m->hdr.csb_id != st->csb_id)
		fail(f, MIKEY_ERR_UNSPEC, "answer for CSB ID %08x, not ours", m->hdr.csb_id);
	else if (!t || t->u.t.ts_type != MIKEY_TS_NTP_UTC ||
		 !in_window(t->u.t.value, pol->now, pol->skew))
		fail(f, MIKEY_ERR_TS, "answer's timestamp missing or outside the window");
	else if (!v || v != &m->pl[m->npl - 1] || !v_ok(st, m, msg, v))
		fail(f, MIKEY_ERR_AUTH, "answer's verification (V) payload does not verify");
	else
		r = 0;
out:
	free(m);
	return r;
}
