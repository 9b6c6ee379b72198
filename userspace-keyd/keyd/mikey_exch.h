/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the MIKEY modes' engines share (mikey_exch.c), for mikey_psk.c
 * (PSK, NULL), mikey_dhhmac.c (DHHMAC, DH-SIGN) and mikey_pk.c (PK,
 * RSA-R): building and MACing messages, the responder's checks of an
 * I_MESSAGE (header, payloads, the PSK's MAC, freshness, Security
 * Policies, per crypto session keys), the error message, and the
 * initiator's checks of an answer's head and V payload; and for the
 * signed modes (mikey_sign.c) CERT and SIGN payloads.
 */
#ifndef KEYD_MIKEY_EXCH_H
#define KEYD_MIKEY_EXCH_H

#include "mikey_pki.h"
#include "mikey_psk.h"

#define MIKEY_ID_TYPE_URI	1	/* §6.7 */

int mx_fail(struct mikey_fail *f, uint8_t err_no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mx_t_bytes(uint64_t t, uint8_t b[8]);
bool mx_in_window(uint64_t t, uint64_t now, uint32_t skew);

/* §4.1.4: the KEMAC's encryption, salting and authentication keys. */
int mx_psk_keys(const uint8_t *psk, size_t plen, uint32_t csb, const uint8_t *rand,
		size_t rlen, uint8_t ek[16], uint8_t salt[14], uint8_t ak[20]);

/* One crypto session's master key || salt from key data k (§4.1.3). */
int mx_ctx_master(const struct mikey_keydata *k, uint32_t csb, const uint8_t *rand,
		  size_t rlen, uint8_t cs_id, const struct suite *s, uint8_t *master);

/* Message building: payloads appended in order, the last one MACed. */
void mx_add_pl(struct mikey_msg *m, uint8_t type);
struct mikey_payload *mx_last_pl(struct mikey_msg *m);
/*
 * An I_MESSAGE's HDR (data type dt, V flag v, st's CSB ID, the CS ID map of
 * cs) and its T, RAND, IDi, our certificates (pki; NULL: none), IDr and
 * one SP per distinct suite; the mode adds the rest. The SPs' values point
 * into static storage (one I_MESSAGE at a time).
 */
void mx_init_head(struct mikey_msg *m, struct mikey_init *st, uint8_t dt, bool v,
		  const struct mikey_ids *ids, const struct mikey_pki *pki,
		  const struct mikey_offer_cs *cs, size_t ncs, uint32_t kdr);
size_t mx_encode_maced(const struct mikey_msg *m, uint8_t mac_alg, const uint8_t *ak,
		       const uint8_t *extra, size_t elen, uint8_t *out, size_t cap,
		       struct mikey_fail *f);
/* The crypto sessions an initiator offers, checked against its policy. */
int mx_init_check(const struct mikey_policy *pol, const struct mikey_offer_cs *cs,
		  size_t ncs, struct mikey_fail *f);
/*
 * The initiator's MKI (pol->mki_len, pol->mki) into st and as a key
 * validity kv (SPI; NULL type without one). 0, or -1 if over 4 bytes.
 */
int mx_init_mki(const struct mikey_policy *pol, struct mikey_init *st, struct mikey_kv *kv,
		struct mikey_fail *f);
/* The initiator's keys: one context per crypto session, from the TGK k. */
int mx_init_keys(struct mikey_init *st, const struct mikey_offer_cs *cs, size_t ncs,
		 uint32_t kdr, const struct mikey_keydata *k);

/* An I_MESSAGE being checked by a responder. */
struct mx_rx {
	struct mikey_msg m;
	const struct mikey_payload *t, *rand, *kemac, *idi, *idr;
	const struct mikey_payload *sign, *pke, *chash;	/* the signed modes' */
	bool sig;		/* a signed mode: SIGN last, errors signed once authentic */
	const uint8_t *psk;
	size_t psk_len;
	uint8_t ek[16], salt[14], ak[20], tb[8];
	bool ak_set;		/* ak is the KEMAC's auth key (PSK, PK) */
	bool authentic;		/* MAC or signature verified: our reply may carry a V
				 * (with ak) or a SIGN
				 */
};

/*
 * A responder's first steps: keys and *outlen cleared, *xp allocated (NULL
 * if out of memory), msg decoded (*decoded), its header (data type dt) and
 * payloads checked. 0, or -1 with f set. mx_rx_end() wipes and frees *xp.
 */
int mx_rx_start(struct mx_rx **xp, const uint8_t *msg, size_t len, uint8_t dt,
		struct mikey_keys *keys, size_t *outlen, bool *decoded, struct mikey_fail *f);
void mx_rx_end(struct mx_rx *x);
/* The PSK by IDi, the KEMAC's keys, then its MAC (§5.1). */
int mx_rx_mac(struct mx_rx *x, mikey_psk_lookup lookup, void *arg, const uint8_t *msg,
	      struct mikey_fail *f);
int mx_rx_fresh(const struct mx_rx *x, const struct mikey_policy *pol,
		struct mikey_replay *rc, const uint8_t *msg, size_t len, struct mikey_fail *f);
/*
 * Each crypto session's suite (its SP), master key from the TGK k, and MKI
 * from kv (the TGK's key validity: none, or an SPI of 1 to 4 bytes; an
 * interval is refused).
 */
int mx_rx_cs_keys(const struct mx_rx *x, const struct mikey_policy *pol,
		  const struct mikey_keydata *k, const struct mikey_kv *kv,
		  struct mikey_keys *keys, struct mikey_fail *f);
/* The MKI a TGK's key validity gives (§6.13, Appendix A.1): none, or an
 * SPI of 1 to 4 bytes; an interval is refused.
 */
int mx_kv_mki(const struct mikey_kv *kv, uint8_t *len, uint32_t *mki, struct mikey_fail *f);
/* What a responder's mode-specific checks are given (mx_respond). */
struct mx_req {
	const struct mikey_policy *pol;
	mikey_psk_lookup lookup;	/* PSK, DHHMAC */
	void *arg;
	const char *id_r;
	struct mikey_replay *rc;
	const uint8_t *msg;
	size_t len;
	struct mikey_keys *keys;
	uint8_t *out;
	size_t cap;
};

/*
 * A mode's checks and keys once mx_rx_start took the I_MESSAGE: 0, or -1
 * with f. It may write its own answer to q->out (*outlen); if it leaves
 * none and the I_MESSAGE asked for one (V), the answer is PSK's and PK's
 * R_MESSAGE, HDR, T, [IDr], V.
 */
typedef int (*mx_rx_mode)(struct mx_rx *x, const struct mx_req *q, size_t *outlen,
			  struct mikey_fail *f);

/*
 * A responder's frame around its mode: start, checks, the answer; on any
 * refusal no keys and the error message in q->out (*outlen). 0 or -1.
 */
int mx_respond(const struct mx_req *q, uint8_t dt, mx_rx_mode mode, size_t *outlen,
	       struct mikey_fail *f);

/* The T of a reply to x: the initiator's (RFC 3830 §5.2). */
struct mikey_t mx_reply_t(const struct mx_rx *x, const struct mikey_policy *pol);
/* The error message answering x (err_no), its V MACed (or, in a signed
 * mode, a SIGN by pol->pki) if x authenticated; with err_no < 0, the
 * R_MESSAGE HDR, T, [IDr], V of PSK and PK instead.
 */
size_t mx_rx_reply(const struct mx_rx *x, bool decoded, const struct mikey_policy *pol,
		   const char *id_r, int err_no, uint8_t *out, size_t cap,
		   struct mikey_fail *f);

/*
 * Initiator: decode an answer into m and check its head: an error message
 * (refused, f->remote), the data type resp_dt, our CSB ID, a fresh T.
 */
int mx_answer_head(const struct mikey_policy *pol, const struct mikey_init *st,
		   const uint8_t *msg, size_t len, uint8_t resp_dt, struct mikey_msg *m,
		   struct mikey_fail *f);
/* A V payload's MAC (§5.2), or NULL's in MIKEY-NULL. */
bool mx_v_ok(const struct mikey_init *st, const struct mikey_msg *m, const uint8_t *msg,
	     const struct mikey_payload *v);
/* PSK's and PK's answer: R_MESSAGE of type resp_dt whose V verifies. */
int mx_answer_v(const struct mikey_policy *pol, const struct mikey_init *st,
		const uint8_t *msg, size_t len, uint8_t resp_dt, struct mikey_fail *f);

/* ---- the signed modes (mikey_sign.c) ---- */

/* Our certificate chain as CERT payloads. */
void mx_add_certs(struct mikey_msg *m, const struct mikey_pki *pki);
/* SIGN as the last payload, its signature zero until mx_encode_signed. */
void mx_add_sign(struct mikey_msg *m, const struct mikey_pki *pki);
/*
 * Encode m (SIGN last) and sign it: everything before the signature field,
 * then extra (RSA-R's SIGNr also covers IDi || IDr || T). Length, or 0 with f.
 */
size_t mx_encode_signed(const struct mikey_msg *m, const struct mikey_pki *pki,
			const uint8_t *extra, size_t elen, uint8_t *out, size_t cap,
			struct mikey_fail *f);
/*
 * The signer's key and a signed message's check: the key from its CERT
 * payloads or, without them, from mikey_peer_certs by identity id (which
 * the certificate must name when given); then SIGN (the last payload) over
 * the message and extra. The key (caller frees), or NULL with f. peer_id
 * gets id, or the certificate's first identity.
 */
EVP_PKEY *mx_sig_check(const struct mikey_pki *pki, const struct mikey_msg *m,
		       const uint8_t *msg, const struct mikey_bytes *id, const uint8_t *extra,
		       size_t elen, char peer_id[64], struct mikey_fail *f);
/* A V payload's extra bytes: IDi || IDr || T (the T as its payload carries it). */
size_t mx_v_extra(const uint8_t *idi, size_t il, const uint8_t *idr, size_t rl,
		  struct mikey_t t_i, uint8_t *out);

#endif /* KEYD_MIKEY_EXCH_H */
