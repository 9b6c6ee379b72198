// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's Diffie-Hellman modes, initiator and responder: DHHMAC (RFC 4650)
 *   I_MESSAGE = HDR, T, RAND, IDi, IDr, {SP}, DHi, KEMAC
 *   R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC
 * and DH-SIGN (RFC 3830 §3.3), the same exchange signed instead of MACed:
 *   I_MESSAGE = HDR, T, RAND, [IDi], CERTi, [IDr], {SP}, DHi, SIGNi
 *   R_MESSAGE = HDR, T, [IDr], CERTr, IDi, DHr, DHi, SIGNr
 * (RFC 4650 §3: the initiator names both ends; the responder echoes IDi,
 * and keyd accepts an I_MESSAGE without IDs, whose key is the PSK file's
 * "-".)
 * A KEMAC here carries no key (NULL encryption, empty) and the HMAC-SHA-1
 * of its message up to the MAC, keyed by the auth_key §4.1.4 derives from
 * the PSK with the I_MESSAGE's CSB ID and RAND, in both directions. The
 * TGK is the DH secret g^(xi*xr) at the group's full length (§4.1.5); each
 * crypto session's keys come from it by §4.1.3. Refusals are answered with
 * the error message of mikey_exch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mikey_dhhmac.h"
#include "mikey_exch.h"
#include "mikey_kdf.h"

/* KEMAC and DH payloads as DHHMAC sends them; the MAC is filled by encode. */
static void add_dh(struct mikey_msg *m, uint8_t group, const uint8_t *value,
		   const struct mikey_kv *kv)
{
	mx_add_pl(m, MIKEY_PT_DH);
	mx_last_pl(m)->u.dh = (struct mikey_dh){ .group = group,
		.value = { value, (size_t)mikey_dh_len(group) } };
	if (kv)
		mx_last_pl(m)->u.dh.kv = *kv;
}

/* The last payload and the encoding: DHHMAC's KEMAC, or DH-SIGN's SIGN. */
static size_t add_auth_encode(struct mikey_msg *m, const struct mikey_policy *pol,
			      const uint8_t *ak, uint8_t *out, size_t cap, struct mikey_fail *f)
{
	static const uint8_t zero[MIKEY_HMAC_SHA1_LEN];

	if (!ak) {
		mx_add_sign(m, pol->pki);
		return mx_encode_signed(m, pol->pki, NULL, 0, out, cap, f);
	}
	mx_add_pl(m, MIKEY_PT_KEMAC);
	mx_last_pl(m)->u.kemac = (struct mikey_kemac){ .enc_alg = MIKEY_ENC_NULL,
		.mac_alg = MIKEY_MAC_HMAC_SHA1_160, .mac = { zero, sizeof(zero) } };
	return mx_encode_maced(m, MIKEY_MAC_HMAC_SHA1_160, ak, NULL, 0, out, cap, f);
}

static int init_state(const struct mikey_policy *pol, const struct mikey_ids *ids,
		      const struct mikey_offer_cs *cs, size_t ncs, bool sign,
		      struct mikey_init *st, struct mikey_kv *kv, struct mikey_fail *f)
{
	uint8_t ek[16], salt[14];
	int rc = 0;

	if (mx_init_check(pol, cs, ncs, f))
		return -1;
	if (sign && (!pol->pki || !ids || !ids->id_i))
		return mx_fail(f, MIKEY_ERR_CERT, "DH-SIGN needs our certificate, key and "
			       "identity (IDi, which the responder echoes)");
	if (!sign && !pol->psk)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "DHHMAC needs a pre-shared key");
	if (!sign && (!ids || !ids->id_i || !ids->id_r))
		return mx_fail(f, MIKEY_ERR_ID, "a DHHMAC I_MESSAGE names both ends (IDi, IDr)");
	if (!mikey_dh_group_ok(pol->dh_group))
		return mx_fail(f, MIKEY_ERR_DH, "DH group %u is not offered (OAKLEY 5 or 2)",
			       pol->dh_group);
	st->dh = true;
	st->dh_group = pol->dh_group;
	st->t = pol->now;
	st->kdr = pol->kdr;
	st->noffer = ncs;
	memcpy(st->offer, cs, ncs * sizeof(*cs));
	if (mx_init_mki(pol, st, kv, f))
		return -1;
	if (RAND_bytes((uint8_t *)&st->csb_id, 4) != 1 ||
	    RAND_bytes(st->rand, MIKEY_RAND_LEN) != 1 ||
	    mikey_dh_keygen(st->dh_group, st->dh_priv, st->dh_pub) ||
	    (!sign && mx_psk_keys(pol->psk, pol->psk_len, st->csb_id, st->rand, MIKEY_RAND_LEN,
				  ek, salt, st->auth_key)))
		rc = mx_fail(f, MIKEY_ERR_UNSPEC, "no randomness, or DH key generation failed");
	OPENSSL_cleanse(ek, sizeof(ek));
	OPENSSL_cleanse(salt, sizeof(salt));
	return rc;
}

static size_t dh_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			  const struct mikey_offer_cs *cs, size_t ncs, uint8_t dt,
			  struct mikey_init *st, uint8_t *out, size_t cap, struct mikey_fail *f)
{
	bool sign = dt == MIKEY_DT_DH_INIT;
	struct mikey_msg *m;
	struct mikey_kv kv;	/* DHi's: the TGK's MKI */
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	if (init_state(pol, ids, cs, ncs, sign, st, &kv, f))
		goto out;
	m = calloc(1, sizeof(*m));
	if (!m) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
		goto out;
	}
	/* V: RFC 3830 §6.1 has the DH modes always answer; set as a courtesy */
	mx_init_head(m, st, dt, true, ids, sign ? pol->pki : NULL, cs, ncs, pol->kdr);
	add_dh(m, st->dh_group, st->dh_pub, &kv);
	n = add_auth_encode(m, pol, sign ? NULL : st->auth_key, out, cap, f);
	free(m);
out:
	if (!n)
		OPENSSL_cleanse(st, sizeof(*st));
	return n;
}

size_t mikey_dhhmac_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			     const struct mikey_offer_cs *cs, size_t ncs,
			     struct mikey_init *st, uint8_t *out, size_t cap,
			     struct mikey_fail *f)
{
	return dh_initiate(pol, ids, cs, ncs, MIKEY_DT_DHHMAC_INIT, st, out, cap, f);
}

size_t mikey_dhsign_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			     const struct mikey_offer_cs *cs, size_t ncs,
			     struct mikey_init *st, uint8_t *out, size_t cap,
			     struct mikey_fail *f)
{
	return dh_initiate(pol, ids, cs, ncs, MIKEY_DT_DH_INIT, st, out, cap, f);
}

/* ---- responder ---- */

/* DH-SIGN: the initiator's signature, by its certificate. */
static int rx_sig(struct mx_rx *x, const struct mikey_policy *pol, const uint8_t *msg,
		  struct mikey_fail *f)
{
	char who[64];
	EVP_PKEY *k = mx_sig_check(pol->pki, &x->m, msg, x->idi ? &x->idi->u.id.data : NULL,
				   NULL, 0, who, f);

	EVP_PKEY_free(k);
	x->authentic = k != NULL;
	return k ? 0 : -1;
}

/* The KEMAC carries only the MAC; then the PSK's MAC itself. */
static int rx_auth(struct mx_rx *x, const struct mikey_policy *pol, mikey_psk_lookup lookup,
		   void *arg, const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_kemac *km;

	if (x->sig)
		return rx_sig(x, pol, msg, f);
	km = &x->kemac->u.kemac;

	if (km->enc_alg != MIKEY_ENC_NULL || km->enc.len)
		return mx_fail(f, MIKEY_ERR_EA, "a DHHMAC KEMAC carries no key data "
			       "(encryption %u, %zu bytes)", km->enc_alg, km->enc.len);
	if (km->mac_alg != MIKEY_MAC_HMAC_SHA1_160)
		return mx_fail(f, MIKEY_ERR_MAC, "DHHMAC needs an HMAC-SHA-1-160 KEMAC, not MAC "
			       "%u", km->mac_alg);
	return mx_rx_mac(x, lookup, arg, msg, f);
}

/* Our DH half and the TGK, then each crypto session's keys. */
static int rx_dh_keys(const struct mx_rx *x, const struct mikey_payload *dhi,
		      const struct mikey_policy *pol, uint8_t *priv, uint8_t *pub,
		      struct mikey_keys *keys, struct mikey_fail *f)
{
	uint8_t g = dhi->u.dh.group, tgk[MIKEY_DH_MAX_LEN];
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK,
				   .key = { tgk, (size_t)mikey_dh_len(g) } };
	int rc;

	if (!mikey_dh_group_ok(g))
		return mx_fail(f, MIKEY_ERR_DH, "DH group %u: keyd takes OAKLEY 5 (0) and "
			       "OAKLEY 2 (2)", g);
	if (mikey_dh_keygen(g, priv, pub))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "DH key generation failed");
	if (mikey_dh_secret(g, priv, pub, dhi->u.dh.value.p, tgk))
		return mx_fail(f, MIKEY_ERR_DH, "the initiator's DH value is refused (not in "
			       "1 < y < p - 1)");
	rc = mx_rx_cs_keys(x, pol, &k, &dhi->u.dh.kv, keys, f);
	OPENSSL_cleanse(tgk, sizeof(tgk));
	return rc;
}

static size_t rx_answer(const struct mx_rx *x, const struct mikey_payload *dhi,
			const struct mikey_policy *pol, const char *id_r, const uint8_t *pub,
			uint8_t *out, size_t cap, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	size_t n;

	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory"), 0;
	m->hdr = (struct mikey_hdr){ .version = 1, .data_type = (uint8_t)(x->m.hdr.data_type + 1),
				     .csb_id = x->m.hdr.csb_id, .ncs = x->m.hdr.ncs,
				     .map_type = MIKEY_MAP_SRTP };
	memcpy(m->hdr.cs, x->m.hdr.cs, sizeof(m->hdr.cs));
	mx_add_pl(m, MIKEY_PT_T);
	mx_last_pl(m)->u.t = mx_reply_t(x, pol);
	if (id_r && *id_r) {
		mx_add_pl(m, MIKEY_PT_ID);
		mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI,
			{ (const uint8_t *)id_r, strlen(id_r) } };
	} else if (x->idr) {	/* the name the initiator gave us */
		mx_add_pl(m, MIKEY_PT_ID);
		mx_last_pl(m)->u.id = x->idr->u.id;
	}
	if (x->sig)	/* [IDr|CERTr] */
		mx_add_certs(m, pol->pki);
	if (x->idi) {
		mx_add_pl(m, MIKEY_PT_ID);
		mx_last_pl(m)->u.id = x->idi->u.id;
	}
	add_dh(m, dhi->u.dh.group, pub, NULL);
	add_dh(m, dhi->u.dh.group, dhi->u.dh.value.p, &dhi->u.dh.kv);	/* DHi as sent */
	n = add_auth_encode(m, pol, x->sig ? NULL : x->ak, out, cap, f);
	free(m);
	return n;
}

/* The DH modes' checks, keys and R_MESSAGE (they always answer). */
static int dh_rx(struct mx_rx *x, const struct mx_req *q, size_t *outlen, struct mikey_fail *f)
{
	uint8_t priv[MIKEY_DH_MAX_LEN], pub[MIKEY_DH_MAX_LEN];
	const struct mikey_payload *dhi = mikey_find(&x->m, MIKEY_PT_DH);
	int r = -1;

	if (!dhi)
		mx_fail(f, MIKEY_ERR_UNSPEC, "DH I_MESSAGE without a DH payload");
	else if (!rx_auth(x, q->pol, q->lookup, q->arg, q->msg, f) &&
		 !mx_rx_fresh(x, q->pol, q->rc, q->msg, q->len, f) &&
		 !rx_dh_keys(x, dhi, q->pol, priv, pub, q->keys, f))
		r = (*outlen = rx_answer(x, dhi, q->pol, q->id_r, pub, q->out, q->cap, f)) ? 0 : -1;
	OPENSSL_cleanse(priv, sizeof(priv));
	return r;
}

int mikey_dhhmac_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f)
{
	const struct mx_req q = { pol, lookup, arg, id_r, rc, msg, len, keys, out, cap };

	return mx_respond(&q, MIKEY_DT_DHHMAC_INIT, dh_rx, outlen, f);
}

int mikey_dhsign_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f)
{
	const struct mx_req q = { pol, lookup, arg, id_r, rc, msg, len, keys, out, cap };

	return mx_respond(&q, MIKEY_DT_DH_INIT, dh_rx, outlen, f);
}

/* ---- initiator: the answer ---- */

/* IDi echoed; DHr and DHi: ours echoed byte for byte, theirs in our group. */
static int answer_dh(const struct mikey_init *st, const struct mikey_msg *m,
		     const struct mikey_payload **dhr, struct mikey_fail *f)
{
	const struct mikey_payload *dh[2] = { NULL, NULL };
	size_t i, n = 0, len = (size_t)mikey_dh_len(st->dh_group);
	bool idi = false;

	for (i = 0; i < m->npl; i++) {
		const struct mikey_bytes *id = &m->pl[i].u.id.data;

		if (m->pl[i].type == MIKEY_PT_DH && n < 2)
			dh[n++] = &m->pl[i];
		if (m->pl[i].type == MIKEY_PT_ID && id->len == st->id_i_len &&
		    !memcmp(id->p, st->id_i, id->len))
			idi = true;
	}
	if (!idi)
		return mx_fail(f, MIKEY_ERR_ID, "R_MESSAGE does not name us (IDi)");
	if (n != 2)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "R_MESSAGE without DHr and DHi");
	if (dh[1]->u.dh.group != st->dh_group || dh[1]->u.dh.value.len != len ||
	    CRYPTO_memcmp(dh[1]->u.dh.value.p, st->dh_pub, len))
		return mx_fail(f, MIKEY_ERR_AUTH, "R_MESSAGE's DHi is not our DH value");
	if (dh[0]->u.dh.group != st->dh_group)
		return mx_fail(f, MIKEY_ERR_DH, "R_MESSAGE's DHr is in group %u, not %u",
			       dh[0]->u.dh.group, st->dh_group);
	*dhr = dh[0];
	return 0;
}

static int answer_keys(struct mikey_init *st, const struct mikey_payload *dhr,
		       struct mikey_fail *f)
{
	uint8_t tgk[MIKEY_DH_MAX_LEN];
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK,
				   .key = { tgk, (size_t)mikey_dh_len(st->dh_group) } };
	int rc = 0;

	if (mikey_dh_secret(st->dh_group, st->dh_priv, st->dh_pub, dhr->u.dh.value.p, tgk))
		rc = mx_fail(f, MIKEY_ERR_DH, "the responder's DH value is refused");
	else if (mx_init_keys(st, st->offer, st->noffer, st->kdr, &k))
		rc = mx_fail(f, MIKEY_ERR_UNSPEC, "key derivation failed");
	OPENSSL_cleanse(tgk, sizeof(tgk));
	if (rc)
		mikey_keys_wipe(&st->keys);
	return rc;
}

/* The answer's authentication: DHHMAC's KEMAC, or DH-SIGN's SIGNr. */
static int answer_auth(const struct mikey_policy *pol, const struct mikey_init *st,
		       const struct mikey_msg *m, const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_payload *km = mikey_find(m, MIKEY_PT_KEMAC);
	char who[64];
	EVP_PKEY *k;

	if (st->dt == MIKEY_DT_DH_INIT) {
		/* the responder named in our IDr, by the certificate it sent */
		k = mx_sig_check(pol->pki, m, msg, st->id_r_len ?
				 &(struct mikey_bytes){ st->id_r, st->id_r_len } : NULL,
				 NULL, 0, who, f);
		EVP_PKEY_free(k);
		return k ? 0 : -1;
	}
	if (!km || km != &m->pl[m->npl - 1] || km->u.kemac.enc_alg != MIKEY_ENC_NULL ||
	    km->u.kemac.enc.len || km->u.kemac.mac_alg != MIKEY_MAC_HMAC_SHA1_160 ||
	    !mikey_mac_ok(MIKEY_MAC_HMAC_SHA1_160, st->auth_key, 20, msg,
			  mikey_auth_len(m, (size_t)(km - m->pl)), km->u.kemac.mac.p,
			  km->u.kemac.mac.len))
		return mx_fail(f, MIKEY_ERR_AUTH, "R_MESSAGE's KEMAC does not verify (wrong "
			       "pre-shared key or altered message)");
	return 0;
}

static int dh_answer(const struct mikey_policy *pol, struct mikey_init *st, uint8_t dt,
		     const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	const struct mikey_payload *dhr = NULL;
	int r = -1;

	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	if (!st->dh || st->dt != dt) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "no DH exchange of ours in this mode is in progress");
		goto out;
	}
	if (!mx_answer_head(pol, st, msg, len, (uint8_t)(dt + 1), m, f) &&
	    !answer_auth(pol, st, m, msg, f) && !answer_dh(st, m, &dhr, f) &&
	    !answer_keys(st, dhr, f))
		r = 0;
out:
	free(m);
	return r;
}

int mikey_dhhmac_answer(const struct mikey_policy *pol, struct mikey_init *st,
			const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	return dh_answer(pol, st, MIKEY_DT_DHHMAC_INIT, msg, len, f);
}

int mikey_dhsign_answer(const struct mikey_policy *pol, struct mikey_init *st,
			const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	return dh_answer(pol, st, MIKEY_DT_DH_INIT, msg, len, f);
}
