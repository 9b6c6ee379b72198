// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's public-key transport, initiator and responder:
 * PK (RFC 3830 §3.2)
 *   I_MESSAGE = HDR, T, RAND, IDi, CERTi, IDr, {SP}, KEMAC, [CHASH], PKE, SIGNi
 *   R_MESSAGE = HDR, T, [IDr], V
 * RSA-R (RFC 4738 §3)
 *   I_MESSAGE = HDR, T, RAND, IDi, CERTi, [IDr], {SP}, SIGNi
 *   R_MESSAGE = HDR, T, [RAND], IDr, CERTr, {SP}, KEMAC, PKE, SIGNr
 * The sender of the TGK picks an envelope key, seals it to the other end's
 * certificate (PKE) and derives from it (§4.1.4) the keys that encrypt and
 * MAC the KEMAC, whose plaintext is the sender's ID then the TGK; the MAC
 * covers only the KEMAC payload, its next payload byte taken as zero
 * (§5.2). RSA-R's SIGNr also covers IDi || IDr || T (RFC 4738 §3.6).
 * keyd sends no CHASH (optional: it names which of several responder keys
 * was used, and Wireshark cannot dissect past one) but checks one it gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mikey_exch.h"
#include "mikey_kdf.h"
#include "mikey_pk.h"

#define PLAIN_MAX	512

/* The envelope, its derived keys and the KEMAC it protects. */
struct envelope {
	uint8_t env[MIKEY_ENV_KEY_LEN], ek[16], salt[14], ak[20];
	uint8_t enc[PLAIN_MAX + MIKEY_KW_OVERHEAD], mac[MIKEY_HMAC_SHA1_LEN];
	uint8_t pke[MIKEY_SIG_MAX];
	size_t enc_len, pke_len;
};

/* The bytes the KEMAC's MAC covers: the payload with next payload 0. */
static bool kemac_mac(const struct mikey_kemac *km, const uint8_t *ak, uint8_t *mac)
{
	uint8_t *buf = malloc(km->enc.len + 5);
	bool ok;

	if (!buf)
		return false;
	buf[0] = 0;
	buf[1] = km->enc_alg;
	buf[2] = (uint8_t)(km->enc.len >> 8);
	buf[3] = (uint8_t)km->enc.len;
	if (km->enc.len)
		memcpy(buf + 4, km->enc.p, km->enc.len);
	buf[4 + km->enc.len] = km->mac_alg;
	ok = mikey_mac(MIKEY_MAC_HMAC_SHA1_160, ak, 20, buf, km->enc.len + 5, mac) ==
	     MIKEY_HMAC_SHA1_LEN;
	free(buf);
	return ok;
}

/*
 * Seal: a fresh envelope key under peer, its KEMAC keys, and the KEMAC of
 * id || k (AES-KW: zero bytes pad it to 8-byte blocks).
 */
static int seal(EVP_PKEY *peer, const struct mikey_policy *pol, uint32_t csb,
		const uint8_t *rand, size_t rlen, uint64_t t, const uint8_t *id, size_t idlen,
		const struct mikey_keydata *k, struct envelope *e, struct mikey_kemac *km)
{
	uint8_t plain[PLAIN_MAX], tb[8];
	const char *why;
	size_t n;
	int rc = -1;

	*km = (struct mikey_kemac){ .enc_alg = pol->kemac_kw ? MIKEY_ENC_AES_KW_128 :
				    MIKEY_ENC_AES_CM_128, .mac_alg = MIKEY_MAC_HMAC_SHA1_160 };
	if (idlen > 255)
		return -1;
	plain[0] = MIKEY_PT_KEYDATA;	/* the ID sub-payload, then the key data */
	plain[1] = MIKEY_ID_TYPE_URI;
	plain[2] = 0;
	plain[3] = (uint8_t)idlen;
	memcpy(plain + 4, id, idlen);
	n = mikey_keydata_encode(k, 1, plain + 4 + idlen, sizeof(plain) - 4 - idlen - 8, &why);
	if (!n)
		goto out;
	n += 4 + idlen;
	while (km->enc_alg == MIKEY_ENC_AES_KW_128 && n % 8)
		plain[n++] = 0;
	mx_t_bytes(t, tb);
	if (RAND_bytes(e->env, sizeof(e->env)) != 1 ||
	    mx_psk_keys(e->env, sizeof(e->env), csb, rand, rlen, e->ek, e->salt, e->ak) ||
	    mikey_kemac_encrypt(km->enc_alg, e->ek, e->salt, csb, tb, plain, n, e->enc,
				&e->enc_len) ||
	    mikey_pki_seal(peer, e->env, sizeof(e->env), e->pke, sizeof(e->pke), &e->pke_len))
		goto out;
	km->enc = (struct mikey_bytes){ e->enc, e->enc_len };
	if (kemac_mac(km, e->ak, e->mac)) {
		km->mac = (struct mikey_bytes){ e->mac, sizeof(e->mac) };
		rc = 0;
	}
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/*
 * Open: the envelope key from pke with our key, the KEMAC's MAC, then its
 * plaintext: the sender's ID (must be id) and one key data sub-payload.
 * ek, salt and ak are left in e (the V payload's key).
 */
static int open_kemac(const struct mikey_pki *pki, const struct mikey_pke *pke,
		      const struct mikey_kemac *km, uint32_t csb, const uint8_t *rand,
		      size_t rlen, const uint8_t tb[8], const struct mikey_bytes *id,
		      struct envelope *e, uint8_t *plain, struct mikey_keydata *k,
		      struct mikey_fail *f)
{
	size_t plen = 0, l, nk = 0, pad;
	uint8_t mac[MIKEY_HMAC_SHA1_LEN];
	const char *why = "no key";

	if (km->enc_alg != MIKEY_ENC_AES_CM_128 && km->enc_alg != MIKEY_ENC_AES_KW_128)
		return mx_fail(f, MIKEY_ERR_EA, "KEMAC encryption %u: PK modes take AES-CM-128 "
			       "or AES-KW-128", km->enc_alg);
	if (km->mac_alg != MIKEY_MAC_HMAC_SHA1_160 || km->mac.len != sizeof(mac))
		return mx_fail(f, MIKEY_ERR_MAC, "KEMAC MAC %u: PK modes take HMAC-SHA-1-160",
			       km->mac_alg);
	if (km->enc.len > PLAIN_MAX || mikey_pki_open(pki, pke->data.p, pke->data.len, e->env,
						      sizeof(e->env)) ||
	    mx_psk_keys(e->env, sizeof(e->env), csb, rand, rlen, e->ek, e->salt, e->ak))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "the envelope cannot be opened");
	/* a PKE that did not open gives a random envelope key: it fails here */
	if (!kemac_mac(km, e->ak, mac) || CRYPTO_memcmp(mac, km->mac.p, sizeof(mac)))
		return mx_fail(f, MIKEY_ERR_AUTH, "KEMAC MAC does not verify (the envelope was "
			       "not sealed to our certificate, or the message was altered)");
	if (mikey_kemac_decrypt(km->enc_alg, e->ek, e->salt, csb, tb, km->enc.p, km->enc.len,
				plain, &plen))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "KEMAC cannot be decrypted");
	l = plen >= 4 ? (size_t)plain[2] << 8 | plain[3] : 0;
	if (plen < 4 || plain[0] != MIKEY_PT_KEYDATA || 4 + l > plen)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "KEMAC does not hold an ID then key data");
	if (id->len != l || memcmp(id->p, plain + 4, l))
		return mx_fail(f, MIKEY_ERR_AUTH, "the identity inside the KEMAC is not the "
			       "sender's (RFC 3830 §3.2)");
	for (pad = 0; pad < 7 && 4 + l + pad < plen && !plain[plen - pad - 1] &&
	     mikey_keydata_decode(plain + 4 + l, plen - 4 - l - pad, k, 1, &nk, &why); pad++)
		;
	if (mikey_keydata_decode(plain + 4 + l, plen - 4 - l - pad, k, 1, &nk, &why) || !nk)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "KEMAC key data: %s", why);
	return 0;
}

/* ---- PK ---- */

static int pk_init_state(const struct mikey_policy *pol, const struct mikey_ids *ids,
			 const struct mikey_offer_cs *cs, size_t ncs, uint8_t dt,
			 struct mikey_init *st, struct mikey_fail *f)
{
	memset(st, 0, sizeof(*st));
	if (mx_init_check(pol, cs, ncs, f))
		return -1;
	if (!pol->pki || !ids || !ids->id_i)
		return mx_fail(f, MIKEY_ERR_CERT, "MIKEY-%s needs our certificate, key and "
			       "identity", dt == MIKEY_DT_PK_INIT ? "PK" : "RSA-R");
	st->dt = dt;
	st->want_v = true;
	st->t = pol->now;
	st->kdr = pol->kdr;
	st->noffer = ncs;
	memcpy(st->offer, cs, ncs * sizeof(*cs));
	if (RAND_bytes((uint8_t *)&st->csb_id, 4) != 1 || RAND_bytes(st->rand, MIKEY_RAND_LEN) != 1)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "no randomness");
	return 0;
}

/* The PK I_MESSAGE's tail: KEMAC, PKE and the signature. */
static size_t pk_tail(struct mikey_msg *m, const struct mikey_policy *pol,
		      const struct envelope *e, const struct mikey_kemac *km, uint8_t *out,
		      size_t cap, struct mikey_fail *f)
{
	mx_add_pl(m, MIKEY_PT_KEMAC);
	mx_last_pl(m)->u.kemac = *km;
	mx_add_pl(m, MIKEY_PT_PKE);
	mx_last_pl(m)->u.pke = (struct mikey_pke){ 0, { e->pke, e->pke_len } };
	mx_add_sign(m, pol->pki);
	return mx_encode_signed(m, pol->pki, NULL, 0, out, cap, f);
}

size_t mikey_pk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			 const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			 uint8_t *out, size_t cap, struct mikey_fail *f)
{
	uint8_t tgk[MIKEY_TGK_LEN], err_no;
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, sizeof(tgk) } };
	struct envelope *e = calloc(1, sizeof(*e));
	struct mikey_msg *m = calloc(1, sizeof(*m));
	EVP_PKEY *peer = NULL;
	struct mikey_kemac km;
	char why[160];
	size_t n = 0;

	if (!e || !m) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
		goto out;
	}
	if (pk_init_state(pol, ids, cs, ncs, MIKEY_DT_PK_INIT, st, f))
		goto out;
	if (!ids->id_r) {
		mx_fail(f, MIKEY_ERR_ID, "MIKEY-PK seals the keys to the responder's certificate: "
			"it needs the responder's identity");
		goto out;
	}
	peer = mikey_pki_peer(pol->pki, NULL, 0, (const uint8_t *)ids->id_r, strlen(ids->id_r),
			      &err_no, why, sizeof(why));
	if (!peer) {
		mx_fail(f, err_no, "%s", why);
		goto out;
	}
	if (mx_init_mki(pol, st, &k.kv, f))
		goto out;
	if (RAND_bytes(tgk, sizeof(tgk)) != 1 || mx_init_keys(st, cs, ncs, pol->kdr, &k) ||
	    seal(peer, pol, st->csb_id, st->rand, MIKEY_RAND_LEN, st->t,
		 (const uint8_t *)ids->id_i, strlen(ids->id_i), &k, e, &km)) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "key generation or sealing failed");
		goto out;
	}
	memcpy(st->auth_key, e->ak, sizeof(st->auth_key));
	mx_init_head(m, st, MIKEY_DT_PK_INIT, true, ids, pol->pki, cs, ncs, pol->kdr);
	n = pk_tail(m, pol, e, &km, out, cap, f);
out:
	OPENSSL_cleanse(tgk, sizeof(tgk));
	if (e)
		OPENSSL_cleanse(e, sizeof(*e));
	free(e);
	free(m);
	EVP_PKEY_free(peer);
	if (!n)
		OPENSSL_cleanse(st, sizeof(*st));
	return n;
}

/* The initiator's signature, by its certificate; its identity into who. */
static EVP_PKEY *rx_signer(struct mx_rx *x, const struct mikey_policy *pol,
			   const uint8_t *msg, char who[64], struct mikey_fail *f)
{
	EVP_PKEY *k = mx_sig_check(pol->pki, &x->m, msg, x->idi ? &x->idi->u.id.data : NULL,
				   NULL, 0, who, f);

	x->authentic = k != NULL;
	return k;
}

static int pk_rx(struct mx_rx *x, const struct mx_req *q, size_t *outlen, struct mikey_fail *f)
{
	const struct mikey_policy *pol = q->pol;
	struct mikey_keys *keys = q->keys;
	const struct mikey_bytes *r = &x->rand->u.rand;
	struct mikey_keydata k;
	struct envelope e;
	uint8_t plain[PLAIN_MAX + MIKEY_KW_OVERHEAD];
	char who[64];
	EVP_PKEY *key;
	int rc = -1;

	if (!x->kemac || !x->pke)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "PK I_MESSAGE without KEMAC or PKE");
	(void)outlen;	/* the frame's R_MESSAGE, with its V */
	key = rx_signer(x, pol, q->msg, who, f);
	EVP_PKEY_free(key);
	if (!key)
		return -1;
	if (x->chash && (x->chash->u.chash.func != MIKEY_CHASH_SHA1 ||
			 !mikey_pki_chash_is_ours(pol->pki, &x->chash->u.chash.hash)))
		return mx_fail(f, MIKEY_ERR_CERT, "the offer's CHASH is not our certificate's");
	if (mx_rx_fresh(x, pol, q->rc, q->msg, q->len, f))
		return -1;
	if (!open_kemac(pol->pki, &x->pke->u.pke, &x->kemac->u.kemac, x->m.hdr.csb_id, r->p,
			r->len, x->tb, &(struct mikey_bytes){ (const uint8_t *)who, strlen(who) },
			&e, plain, &k, f)) {
		memcpy(x->ak, e.ak, sizeof(x->ak));
		x->ak_set = true;
		rc = mx_rx_cs_keys(x, pol, &k, &k.kv, keys, f);
		if (!rc && !keys->peer_id[0])
			snprintf(keys->peer_id, sizeof(keys->peer_id), "%s", who);
	}
	OPENSSL_cleanse(&e, sizeof(e));
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

int mikey_pk_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		     const char *id_r, struct mikey_replay *rc, const uint8_t *msg, size_t len,
		     struct mikey_keys *keys, uint8_t *out, size_t cap, size_t *outlen,
		     struct mikey_fail *f)
{
	const struct mx_req q = { pol, lookup, arg, id_r, rc, msg, len, keys, out, cap };

	return mx_respond(&q, MIKEY_DT_PK_INIT, pk_rx, outlen, f);
}

int mikey_pk_answer(const struct mikey_policy *pol, struct mikey_init *st,
		    const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	if (st->dt != MIKEY_DT_PK_INIT)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "no MIKEY-PK exchange of ours is in progress");
	return mx_answer_v(pol, st, msg, len, MIKEY_DT_PK_RESP, f);
}

/* ---- RSA-R ---- */

size_t mikey_rsar_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			   const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			   uint8_t *out, size_t cap, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	size_t n = 0;

	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory"), 0;
	/* RFC 4738 §3.4: V set (an answer is mandatory), RAND sent by us */
	if (!pk_init_state(pol, ids, cs, ncs, MIKEY_DT_RSAR_INIT, st, f)) {
		mx_init_head(m, st, MIKEY_DT_RSAR_INIT, true, ids, pol->pki, cs, ncs, pol->kdr);
		mx_add_sign(m, pol->pki);
		n = mx_encode_signed(m, pol->pki, NULL, 0, out, cap, f);
	}
	free(m);
	if (!n)
		OPENSSL_cleanse(st, sizeof(*st));
	return n;
}

/* What the responder's R_MESSAGE is made of. */
struct rsar_out {
	struct envelope e;
	struct mikey_init tmp;		/* our MKI's bytes */
	struct mikey_payload rand;	/* ours, when the initiator sent none */
	uint8_t rnd[MIKEY_RAND_LEN], tgk[MIKEY_TGK_LEN], extra[300];
	struct mikey_keydata k;
	struct mikey_kemac km;
	struct mikey_msg m;
};

static size_t rsar_reply(struct mx_rx *x, const struct mikey_policy *pol, struct mikey_bytes idr,
			 struct rsar_out *o, bool own_rand, uint8_t *out, size_t cap,
			 struct mikey_fail *f)
{
	struct mikey_msg *m = &o->m;
	struct mikey_bytes idi = x->idi ? x->idi->u.id.data : (struct mikey_bytes){ NULL, 0 };
	size_t i, el;

	m->hdr = (struct mikey_hdr){ .version = 1, .data_type = MIKEY_DT_RSAR_RESP,
				     .csb_id = x->m.hdr.csb_id, .ncs = x->m.hdr.ncs,
				     .map_type = MIKEY_MAP_SRTP };
	memcpy(m->hdr.cs, x->m.hdr.cs, sizeof(m->hdr.cs));
	mx_add_pl(m, MIKEY_PT_T);
	mx_last_pl(m)->u.t = mx_reply_t(x, pol);
	if (own_rand)
		m->pl[m->npl++] = o->rand;
	mx_add_pl(m, MIKEY_PT_ID);
	mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI, idr };
	mx_add_certs(m, pol->pki);
	for (i = 0; i < x->m.npl; i++)	/* §3.6: the policies taken, as offered */
		if (x->m.pl[i].type == MIKEY_PT_SP && m->npl < MIKEY_MAX_PAYLOADS - 3)
			m->pl[m->npl++] = x->m.pl[i];
	mx_add_pl(m, MIKEY_PT_KEMAC);
	mx_last_pl(m)->u.kemac = o->km;
	mx_add_pl(m, MIKEY_PT_PKE);
	mx_last_pl(m)->u.pke = (struct mikey_pke){ 0, { o->e.pke, o->e.pke_len } };
	mx_add_sign(m, pol->pki);
	if (idi.len + idr.len + 8 > sizeof(o->extra))
		return mx_fail(f, MIKEY_ERR_ID, "identities too long"), 0;
	el = mx_v_extra(idi.p, idi.len, idr.p, idr.len, mx_reply_t(x, pol), o->extra);
	return mx_encode_signed(m, pol->pki, o->extra, el, out, cap, f);
}

static int rsar_rx(struct mx_rx *x, const struct mx_req *q, size_t *outlen,
		   struct mikey_fail *f)
{
	const struct mikey_policy *pol = q->pol;
	const char *id_r = q->id_r;
	struct mikey_keys *keys = q->keys;
	struct rsar_out *o = calloc(1, sizeof(*o));
	struct mikey_bytes idr = x->idr ? x->idr->u.id.data : (struct mikey_bytes){ NULL, 0 };
	bool own_rand = !x->rand || !x->rand->u.rand.len;
	EVP_PKEY *key = NULL;
	char who[64];
	int rc = -1;

	if (!o)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	if (id_r && *id_r)
		idr = (struct mikey_bytes){ (const uint8_t *)id_r, strlen(id_r) };
	o->k = (struct mikey_keydata){ .type = MIKEY_KEY_TGK, .key = { o->tgk, MIKEY_TGK_LEN } };
	o->rand = (struct mikey_payload){ .type = MIKEY_PT_RAND,
					  .u.rand = { o->rnd, MIKEY_RAND_LEN } };
	if (!idr.len) {
		mx_fail(f, MIKEY_ERR_ID, "RSA-R's answer names its sender: keyd needs "
			"mikey_identity");
		goto out;
	}
	key = rx_signer(x, pol, q->msg, who, f);
	if (!key || mx_rx_fresh(x, pol, q->rc, q->msg, q->len, f) ||
	    mx_init_mki(pol, &o->tmp, &o->k.kv, f))
		goto out;
	if (RAND_bytes(o->rnd, sizeof(o->rnd)) != 1 || RAND_bytes(o->tgk, MIKEY_TGK_LEN) != 1) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "no randomness");
		goto out;
	}
	if (own_rand)	/* RFC 4738 §3.6: then the responder's RAND */
		x->rand = &o->rand;
	if (mx_rx_cs_keys(x, pol, &o->k, &o->k.kv, keys, f))
		goto out;
	if (seal(key, pol, x->m.hdr.csb_id, x->rand->u.rand.p, x->rand->u.rand.len,
		 x->t->u.t.value, idr.p, idr.len, &o->k, &o->e, &o->km)) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "sealing the keys to the initiator's certificate "
			"failed");
		goto out;
	}
	*outlen = rsar_reply(x, pol, idr, o, own_rand, q->out, q->cap, f);
	rc = *outlen ? 0 : -1;
	if (!rc && !keys->peer_id[0])
		snprintf(keys->peer_id, sizeof(keys->peer_id), "%s", who);
out:
	if (own_rand)
		x->rand = NULL;
	EVP_PKEY_free(key);
	OPENSSL_cleanse(o, sizeof(*o));
	free(o);
	return rc;
}

int mikey_rsar_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		       const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		       size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		       size_t *outlen, struct mikey_fail *f)
{
	const struct mx_req q = { pol, lookup, arg, id_r, rc, msg, len, keys, out, cap };

	return mx_respond(&q, MIKEY_DT_RSAR_INIT, rsar_rx, outlen, f);
}

/* RFC 4738 §3.7: the CS ID map and policies we offered, no RAND (we sent one). */
static int answer_policies(const struct mikey_policy *pol, const struct mikey_init *st,
			   const struct mikey_msg *m, struct mikey_fail *f)
{
	const struct suite *su;
	uint8_t err_no;
	uint32_t kdr;
	char why[160];
	size_t i, j;

	if (mikey_find(m, MIKEY_PT_RAND))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "R_MESSAGE with a RAND though we sent ours "
			       "(RFC 4738 §3.7)");
	if (m->hdr.ncs != st->noffer)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "R_MESSAGE maps %u crypto sessions, not our "
			       "%zu", m->hdr.ncs, st->noffer);
	for (i = 0; i < st->noffer; i++) {
		const struct mikey_cs_srtp *cs = &m->hdr.cs[i];
		const struct mikey_sp *sp = NULL;

		for (j = 0; j < m->npl && !sp; j++)
			if (m->pl[j].type == MIKEY_PT_SP && m->pl[j].u.sp.policy_no == cs->policy_no)
				sp = &m->pl[j].u.sp;
		su = mikey_sp_suite(sp, pol->suites_ok, &kdr, &err_no, why, sizeof(why));
		if (cs->ssrc != st->offer[i].ssrc || cs->roc != st->offer[i].roc ||
		    su != st->offer[i].suite || kdr != st->kdr)
			return mx_fail(f, MIKEY_ERR_SP, "R_MESSAGE's crypto session %zu is not the "
				       "one we offered (SSRC, ROC or policy)", i + 1);
	}
	return 0;
}

/* The TGK inside the answer's KEMAC, sealed to us by the responder idr. */
static int answer_tgk(const struct mikey_policy *pol, struct mikey_init *st,
		      const struct mikey_msg *m, const struct mikey_bytes *idr,
		      struct mikey_fail *f)
{
	const struct mikey_payload *km = mikey_find(m, MIKEY_PT_KEMAC);
	const struct mikey_payload *pke = mikey_find(m, MIKEY_PT_PKE);
	uint8_t plain[PLAIN_MAX + MIKEY_KW_OVERHEAD], tb[8];
	struct mikey_keydata k;
	struct envelope e;
	int rc = -1;

	if (!km || !pke)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "R_MESSAGE without KEMAC or PKE");
	mx_t_bytes(st->t, tb);
	if (!open_kemac(pol->pki, &pke->u.pke, &km->u.kemac, st->csb_id, st->rand,
			MIKEY_RAND_LEN, tb, idr, &e, plain, &k, f) &&
	    !mx_kv_mki(&k.kv, &st->mki_len, &st->mki, f)) {
		rc = mx_init_keys(st, st->offer, st->noffer, st->kdr, &k);
		if (rc)
			mx_fail(f, MIKEY_ERR_UNSPEC, "key derivation failed");
	}
	OPENSSL_cleanse(&e, sizeof(e));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc)
		mikey_keys_wipe(&st->keys);
	return rc;
}

int mikey_rsar_answer(const struct mikey_policy *pol, struct mikey_init *st,
		      const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	struct mikey_msg *m = calloc(1, sizeof(*m));
	const struct mikey_payload *id;
	struct mikey_bytes idr = { NULL, 0 };
	uint8_t extra[300];
	char who[64];
	EVP_PKEY *k = NULL;
	size_t el;
	int r = -1;

	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory");
	if (st->dt != MIKEY_DT_RSAR_INIT) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "no MIKEY-RSA-R exchange of ours is in progress");
		goto out;
	}
	if (mx_answer_head(pol, st, msg, len, MIKEY_DT_RSAR_RESP, m, f))
		goto out;
	id = mikey_find(m, MIKEY_PT_ID);
	idr = id ? id->u.id.data : idr;
	if (!idr.len || (st->id_r_len && (idr.len != st->id_r_len ||
					  memcmp(idr.p, st->id_r, idr.len)))) {
		mx_fail(f, MIKEY_ERR_ID, "R_MESSAGE is not from the responder we named (IDr)");
		goto out;
	}
	if (st->id_i_len + idr.len + 8 > sizeof(extra)) {
		mx_fail(f, MIKEY_ERR_ID, "identities too long");
		goto out;
	}
	el = mx_v_extra(st->id_i, st->id_i_len, idr.p, idr.len,
			(struct mikey_t){ MIKEY_TS_NTP_UTC, st->t }, extra);
	k = mx_sig_check(pol->pki, m, msg, &idr, extra, el, who, f);
	if (k && !answer_policies(pol, st, m, f) && !answer_tgk(pol, st, m, &idr, f))
		r = 0;
out:
	EVP_PKEY_free(k);
	free(m);
	return r;
}
