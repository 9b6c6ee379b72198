/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY-DHHMAC (RFC 4650), both ends, with no I/O: a Diffie-Hellman
 * exchange whose messages a pre-shared key authenticates by HMAC, so the
 * keys have perfect forward secrecy and need no certificates. Same flow,
 * types and refusals as mikey_psk.h; the initiator learns its keys only
 * from the answer.
 */
#ifndef KEYD_MIKEY_DHHMAC_H
#define KEYD_MIKEY_DHHMAC_H

#include "mikey_psk.h"

/*
 * Initiator: an I_MESSAGE (data type 7) offering ncs crypto sessions, DH
 * group pol->dh_group, authenticated by pol->psk. Fresh CSB ID, RAND and
 * DH key pair, kept in st; st->keys stays empty until the answer. Returns
 * the length, or 0 with f->why.
 */
size_t mikey_dhhmac_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			     const struct mikey_offer_cs *cs, size_t ncs,
			     struct mikey_init *st, uint8_t *out, size_t cap,
			     struct mikey_fail *f);

/*
 * Responder: check msg (MAC, window, replay cache, DH group and value,
 * Security Policy, CS ID map), derive its contexts into keys and put the
 * R_MESSAGE in out. On refusal -1 with f set, keys->n 0, and the error
 * message to send in out (*outlen).
 */
int mikey_dhhmac_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f);

/*
 * Initiator: the peer's R_MESSAGE (or error message). 0 with st->keys
 * derived; -1 with f (f->remote for the peer's ERR payloads).
 */
int mikey_dhhmac_answer(const struct mikey_policy *pol, struct mikey_init *st,
			const uint8_t *msg, size_t len, struct mikey_fail *f);

/*
 * MIKEY-DH-SIGN (RFC 3830 §3.3): the same exchange (data types 4 and 5),
 * each message signed by its sender (pol->pki) and carrying its
 * certificate chain; no pre-shared key (lookup is not used).
 */
size_t mikey_dhsign_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			     const struct mikey_offer_cs *cs, size_t ncs,
			     struct mikey_init *st, uint8_t *out, size_t cap,
			     struct mikey_fail *f);
int mikey_dhsign_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f);
int mikey_dhsign_answer(const struct mikey_policy *pol, struct mikey_init *st,
			const uint8_t *msg, size_t len, struct mikey_fail *f);

#endif /* KEYD_MIKEY_DHHMAC_H */
