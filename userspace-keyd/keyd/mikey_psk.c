// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY-PSK and MIKEY-NULL, initiator and responder (RFC 3830 §3.1, §5).
 * Messages are I_MESSAGE = HDR, T, RAND, [IDi, [IDr]], {SP}, KEMAC and
 * R_MESSAGE = HDR, T, [IDr], V; an error message is HDR, T, {ERR}, [V].
 * The KEMAC carries one TGK; each crypto session's master key and salt
 * come from it (§4.1.3), so every SSRC gets its own keys. What the modes
 * share is in mikey_exch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mikey_exch.h"
#include "mikey_kdf.h"

static int init_check(const struct mikey_policy *pol, const struct mikey_offer_cs *cs,
		      size_t ncs, bool null_enc, struct mikey_fail *f)
{
	if (mx_init_check(pol, cs, ncs, f))
		return -1;
	if ((!pol->psk || null_enc) && !pol->allow_insecure)
		return mx_fail(f, MIKEY_ERR_EA, "%s needs allow_insecure_signalling",
			       pol->psk ? "a NULL-encrypted KEMAC" : "MIKEY-NULL");
	return 0;
}

/*
 * AES-KW wraps 8-byte blocks: a TGK whose key data sub-payload (4 bytes of
 * header, the key, an SPI's length byte and bytes) fills them, at least 16.
 */
static size_t kw_tgk_len(const struct mikey_kv *kv)
{
	size_t head = 4 + (kv->type == MIKEY_KV_SPI ? 1 + kv->spi.len : 0), k = 16;

	while ((head + k) % 8)
		k++;
	return k;
}

/* The KEMAC encryption an initiator uses. */
static uint8_t init_enc_alg(const struct mikey_policy *pol, bool null_enc)
{
	if (!pol->psk || null_enc)
		return MIKEY_ENC_NULL;
	return pol->kemac_kw ? MIKEY_ENC_AES_KW_128 : MIKEY_ENC_AES_CM_128;
}

/* The KEMAC of an I_MESSAGE: the TGK (k), encrypted unless NULL. */
static int init_kemac(const struct mikey_policy *pol, struct mikey_init *st, bool null_enc,
		      const struct mikey_keydata *k, uint8_t *enc, struct mikey_kemac *km,
		      struct mikey_fail *f)
{
	uint8_t plain[64], ek[16], salt[14], tb[8];
	const char *why;
	size_t n, elen = 0;
	int rc = 0;

	n = mikey_keydata_encode(k, 1, plain, sizeof(plain), &why);
	km->enc_alg = init_enc_alg(pol, null_enc);
	km->mac_alg = pol->psk ? MIKEY_MAC_HMAC_SHA1_160 : MIKEY_MAC_NULL;
	mx_t_bytes(st->t, tb);
	if (!n || (pol->psk && mx_psk_keys(pol->psk, pol->psk_len, st->csb_id, st->rand,
					    MIKEY_RAND_LEN, ek, salt, st->auth_key)) ||
	    mikey_kemac_encrypt(km->enc_alg, ek, salt, st->csb_id, tb, plain, n, enc, &elen))
		rc = mx_fail(f, MIKEY_ERR_UNSPEC, "cannot build the KEMAC");
	km->enc = (struct mikey_bytes){ enc, elen };
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(ek, sizeof(ek));
	return rc;
}

size_t mikey_psk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			  const struct mikey_offer_cs *cs, size_t ncs, bool null_enc,
			  bool want_v, struct mikey_init *st, uint8_t *out, size_t cap,
			  struct mikey_fail *f)
{
	uint8_t tgk[MIKEY_TGK_KW_LEN + 8], enc[64], zero[20] = { 0 };
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, MIKEY_TGK_LEN } };
	struct mikey_msg *m;
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	if (init_check(pol, cs, ncs, null_enc, f))
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return mx_fail(f, MIKEY_ERR_UNSPEC, "out of memory"), 0;
	st->null_mode = !pol->psk;
	st->want_v = want_v;
	st->t = pol->now;
	if (mx_init_mki(pol, st, &k.kv, f))
		goto out;
	if (init_enc_alg(pol, null_enc) == MIKEY_ENC_AES_KW_128)
		k.key.len = kw_tgk_len(&k.kv);
	if (RAND_bytes((uint8_t *)&st->csb_id, 4) != 1 || RAND_bytes(st->rand, MIKEY_RAND_LEN) != 1 ||
	    RAND_bytes(tgk, k.key.len) != 1 || mx_init_keys(st, cs, ncs, pol->kdr, &k)) {
		mx_fail(f, MIKEY_ERR_UNSPEC, "no randomness or key derivation failed");
		goto out;
	}
	mx_init_head(m, st, MIKEY_DT_PSK_INIT, want_v, ids, NULL, cs, ncs, pol->kdr);
	mx_add_pl(m, MIKEY_PT_KEMAC);
	if (init_kemac(pol, st, null_enc, &k, enc, &mx_last_pl(m)->u.kemac, f))
		goto out;
	mx_last_pl(m)->u.kemac.mac = (struct mikey_bytes){ zero, pol->psk ? 20 : 0 };
	n = mx_encode_maced(m, mx_last_pl(m)->u.kemac.mac_alg, st->auth_key, NULL, 0, out, cap,
			    f);
out:
	OPENSSL_cleanse(tgk, sizeof(tgk));
	if (!n)
		mikey_keys_wipe(&st->keys);
	free(m);
	return n;
}

/* ---- responder ---- */

/* The algorithms allowed, then the PSK's MAC (§5.1). */
static int rx_auth(struct mx_rx *x, const struct mikey_policy *pol, mikey_psk_lookup lookup,
		   void *arg, const uint8_t *msg, struct mikey_fail *f)
{
	const struct mikey_kemac *km = &x->kemac->u.kemac;

	if (km->enc_alg > MIKEY_ENC_AES_KW_128)
		return mx_fail(f, MIKEY_ERR_EA, "KEMAC encryption %u unknown", km->enc_alg);
	if (km->mac_alg == MIKEY_MAC_NULL) {
		if (km->enc_alg != MIKEY_ENC_NULL || !pol->allow_insecure)
			return mx_fail(f, MIKEY_ERR_MAC, "MIKEY-NULL (no MAC) is refused: it "
				       "needs allow_insecure_signalling and a NULL-encrypted KEMAC");
		return 0;
	}
	if (km->mac_alg != MIKEY_MAC_HMAC_SHA1_160)
		return mx_fail(f, MIKEY_ERR_MAC, "KEMAC MAC %u unknown", km->mac_alg);
	if (km->enc_alg == MIKEY_ENC_NULL && !pol->allow_insecure)
		return mx_fail(f, MIKEY_ERR_EA, "NULL-encrypted KEMAC needs "
			       "allow_insecure_signalling");
	return mx_rx_mac(x, lookup, arg, msg, f);
}

/* The KEMAC's key, the suites, and each crypto session's master key. */
static int rx_keys(struct mx_rx *x, const struct mikey_policy *pol, struct mikey_keys *keys,
		   struct mikey_fail *f)
{
	const struct mikey_kemac *km = &x->kemac->u.kemac;
	struct mikey_keydata kd[MIKEY_MAX_KEYS];
	uint8_t plain[512];
	size_t plen = 0, nk = 0, pad;
	const char *why;
	int rc;

	if (km->enc.len > sizeof(plain) ||
	    mikey_kemac_decrypt(km->enc_alg, x->ek, x->salt, x->m.hdr.csb_id, x->tb,
				km->enc.p, km->enc.len, plain, &plen))
		return mx_fail(f, MIKEY_ERR_UNSPEC, "KEMAC cannot be decrypted");
	/* AES-KW: RFC 3830 leaves the padding to 8-byte blocks open; up to 7 zero
	 * bytes after the key data are taken as that padding
	 */
	for (pad = 0; km->enc_alg == MIKEY_ENC_AES_KW_128 && pad < 7 && pad < plen &&
	     !plain[plen - pad - 1] &&
	     mikey_keydata_decode(plain, plen - pad, kd, MIKEY_MAX_KEYS, &nk, &why); pad++)
		;
	if (mikey_keydata_decode(plain, plen - pad, kd, MIKEY_MAX_KEYS, &nk, &why) || !nk)
		rc = mx_fail(f, MIKEY_ERR_UNSPEC, "KEMAC key data: %s", nk ? why : "no key");
	else
		rc = mx_rx_cs_keys(x, pol, &kd[0], &kd[0].kv, keys, f);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc)
		mikey_keys_wipe(keys);
	return rc;
}

static int psk_rx(struct mx_rx *x, const struct mx_req *q, size_t *outlen, struct mikey_fail *f)
{
	(void)outlen;	/* the frame's R_MESSAGE */
	return rx_auth(x, q->pol, q->lookup, q->arg, q->msg, f) ||
	       mx_rx_fresh(x, q->pol, q->rc, q->msg, q->len, f) || rx_keys(x, q->pol, q->keys, f) ?
	       -1 : 0;
}

int mikey_psk_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		      const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		      size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		      size_t *outlen, struct mikey_fail *f)
{
	const struct mx_req q = { pol, lookup, arg, id_r, rc, msg, len, keys, out, cap };

	return mx_respond(&q, MIKEY_DT_PSK_INIT, psk_rx, outlen, f);
}

/* ---- initiator: the answer ---- */

int mikey_psk_answer(const struct mikey_policy *pol, const struct mikey_init *st,
		     const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	return mx_answer_v(pol, st, msg, len, MIKEY_DT_PSK_RESP, f);
}
