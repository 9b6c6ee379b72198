/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY's public-key transport modes, both ends, with no I/O: PK (RFC 3830
 * §3.2; the initiator sends the TGK under an envelope key sealed to the
 * responder's certificate, and signs) and RSA-R (RFC 4738; the initiator
 * signs a request, the responder sends the TGK sealed to the initiator's
 * certificate, and signs). Same flow, types and refusals as mikey_psk.h;
 * pol->pki holds our key, the trust anchors and the peers' certificates.
 */
#ifndef KEYD_MIKEY_PK_H
#define KEYD_MIKEY_PK_H

#include "mikey_psk.h"

/*
 * PK initiator: an I_MESSAGE (data type 2) for ncs crypto sessions to the
 * responder ids->id_r, whose certificate must be in mikey_peer_certs.
 * Fresh CSB ID, RAND, TGK and envelope key; the keys are in st->keys now.
 */
size_t mikey_pk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			 const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			 uint8_t *out, size_t cap, struct mikey_fail *f);
/* PK responder: as mikey_psk_respond (lookup unused); R_MESSAGE = HDR, T, IDr, V. */
int mikey_pk_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		     const char *id_r, struct mikey_replay *rc, const uint8_t *msg, size_t len,
		     struct mikey_keys *keys, uint8_t *out, size_t cap, size_t *outlen,
		     struct mikey_fail *f);
/* PK initiator: the R_MESSAGE's V, or the peer's error message. */
int mikey_pk_answer(const struct mikey_policy *pol, struct mikey_init *st,
		    const uint8_t *msg, size_t len, struct mikey_fail *f);

/*
 * RSA-R initiator: a signed request (data type 9) with our certificate, the
 * CS ID map and SPs; st->keys stays empty until the answer.
 */
size_t mikey_rsar_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			   const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			   uint8_t *out, size_t cap, struct mikey_fail *f);
/* RSA-R responder: a fresh TGK sealed to the initiator's certificate. */
int mikey_rsar_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		       const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		       size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		       size_t *outlen, struct mikey_fail *f);
/* RSA-R initiator: the R_MESSAGE's signature, TGK and policies; st->keys. */
int mikey_rsar_answer(const struct mikey_policy *pol, struct mikey_init *st,
		      const uint8_t *msg, size_t len, struct mikey_fail *f);

#endif /* KEYD_MIKEY_PK_H */
