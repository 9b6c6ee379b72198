/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MIKEY modes keyd runs, as peers behind one interface: what each
 * needs (a pre-shared key, certificates, nothing), what it gives (perfect
 * forward secrecy), when its initiator has keys (at once, or only from the
 * answer), and its engine's three steps. The mikey method (mikey_method.c)
 * picks a mode by name (create's "mikey_mode") or, as a responder, by the
 * I_MESSAGE's data type.
 */
#ifndef KEYD_MIKEY_MODES_H
#define KEYD_MIKEY_MODES_H

#include "mikey_psk.h"

enum mikey_cred { MIKEY_CRED_NONE, MIKEY_CRED_PSK, MIKEY_CRED_CERT };

struct mikey_mode {
	const char *name;	/* create's "mikey_mode", status, the state file */
	const char *title;	/* for messages: "MIKEY-PSK", ... */
	uint8_t init_dt;	/* the I_MESSAGE's data type */
	enum mikey_cred cred;
	bool pfs;		/* keys from a Diffie-Hellman exchange */
	bool keys_at_answer;	/* the initiator's keys come with the answer */
	bool names_peer;	/* the initiator must name the responder (IDr) */
	size_t (*initiate)(const struct mikey_policy *pol, const struct mikey_ids *ids,
			   const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			   uint8_t *out, size_t cap, struct mikey_fail *f);
	int (*respond)(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		       const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		       size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		       size_t *outlen, struct mikey_fail *f);
	int (*answer)(const struct mikey_policy *pol, struct mikey_init *st,
		      const uint8_t *msg, size_t len, struct mikey_fail *f);
};

extern const struct mikey_mode mikey_mode_psk, mikey_mode_null;

/* By name; NULL if keyd has no such mode. */
const struct mikey_mode *mikey_mode_by_name(const char *name);
/* The mode whose I_MESSAGE has data type dt (PSK for NULL's too); NULL if none. */
const struct mikey_mode *mikey_mode_by_dt(uint8_t dt);

#endif /* KEYD_MIKEY_MODES_H */
