/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY-PSK and MIKEY-NULL (RFC 3830 §3.1, §5), both ends, with no I/O:
 * the initiator builds an I_MESSAGE and checks the answer (R_MESSAGE with
 * its V payload, or an error message); the responder checks an I_MESSAGE
 * (MAC, clock-skew window, replay cache, KEMAC, Security Policy, CS ID map)
 * and answers with R_MESSAGE or an ERR payload. The result is one SRTP
 * context per crypto session: SSRC, initial ROC, ksrtp suite, master key.
 */
#ifndef KEYD_MIKEY_PSK_H
#define KEYD_MIKEY_PSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey_dh.h"
#include "mikey_msg.h"
#include "suites.h"

#define MIKEY_PSK_MAX_CS	16	/* crypto sessions in one exchange */
#define MIKEY_PSK_MAX_MSG	4096	/* with a certificate chain too */
#define MIKEY_SKEW_DEFAULT	60	/* s: RFC 3830 §5.4 leaves it to us */
#define MIKEY_RAND_LEN		16	/* §6.11: at least 128 bits */
#define MIKEY_TGK_LEN		16
#define MIKEY_TGK_KW_LEN	20	/* key data 24 bytes: AES-KW's 8-byte blocks, no padding */
#define MIKEY_REPLAY_MAX	1024
#define MIKEY_COUNTER_PEERS	256	/* identities whose COUNTER timestamps we track */

/* ERR payload codes, RFC 3830 §6.12. */
enum mikey_err_no {
	MIKEY_ERR_AUTH = 0, MIKEY_ERR_TS = 1, MIKEY_ERR_PRF = 2, MIKEY_ERR_MAC = 3,
	MIKEY_ERR_EA = 4, MIKEY_ERR_HA = 5, MIKEY_ERR_DH = 6, MIKEY_ERR_ID = 7,
	MIKEY_ERR_CERT = 8, MIKEY_ERR_SP = 9, MIKEY_ERR_SPPAR = 10, MIKEY_ERR_DT = 11,
	MIKEY_ERR_UNSPEC = 12,
};
const char *mikey_err_name(unsigned int err_no);

/* One SRTP context a crypto session gives (explicit SSRC, initial ROC). */
struct mikey_ctx {
	uint8_t cs_id;		/* 1-based index in the CS ID map */
	uint8_t policy_no;
	uint32_t ssrc, roc;
	const struct suite *suite;
	uint32_t kdr;		/* key derivation rate: 0, or 2^16..2^24 */
	uint8_t mki_len;	/* 0, or 1..4: the TGK's SPI/MKI (RFC 3830 §6.13) */
	uint32_t mki;
	uint8_t master[SUITE_KEYSALT_MAX];	/* key || salt */
};

struct mikey_keys {
	uint32_t csb_id;
	char peer_id[64];	/* responder: the I_MESSAGE's IDi ("" if none) */
	size_t n;
	struct mikey_ctx cs[MIKEY_PSK_MAX_CS];
};

/* A refusal: the ERR code sent or received, and why in words. */
struct mikey_fail {
	uint8_t err_no;
	bool remote;		/* the peer's ERR message, not our check */
	bool authentic;		/* remote: its V payload verified */
	char why[200];
};

/*
 * Messages already accepted within the clock-skew window (§5.4); and for
 * COUNTER timestamps, which no window bounds, each identity's highest
 * accepted counter: a message must count higher than the last one.
 */
struct mikey_replay {
	size_t n;
	struct {
		uint8_t digest[20];	/* SHA-1 of the whole I_MESSAGE */
		uint64_t t;		/* its timestamp, to expire it */
	} e[MIKEY_REPLAY_MAX];
	size_t nc;
	struct {
		uint8_t id[20];		/* SHA-1 of the IDi ("" when none) */
		uint32_t last;
	} c[MIKEY_COUNTER_PEERS];
};

struct mikey_pki;

/* What one end's configuration allows, and the clock. */
struct mikey_policy {
	const uint8_t *psk;		/* NULL with mode NULL */
	const struct mikey_pki *pki;	/* PK, RSA-R, DH-SIGN: certificates and our key */
	size_t psk_len;
	bool allow_insecure;	/* MIKEY-NULL and NULL-encrypted KEMACs */
	uint32_t suites_ok;	/* suite_bit() mask keyd accepts */
	uint64_t now;		/* NTP-UTC, 32.32 fixed point */
	uint32_t skew;		/* s either side of now */
	uint32_t kdr;		/* initiator: the key derivation rate our SPs state */
	uint8_t dh_group;	/* initiator, DHHMAC: enum mikey_dh_group */
	bool kemac_kw;		/* initiator, PSK: KEMAC by AES-KW-128, not AES-CM-128 */
	uint8_t mki_len;	/* initiator: the TGK's MKI (SPI) length, 0: none */
	uint32_t mki;		/* and its value */
};

/* One crypto session the initiator offers. */
struct mikey_offer_cs {
	uint32_t ssrc, roc;
	const struct suite *suite;
};

/* The initiator's half of an exchange, kept until the answer. */
struct mikey_init {
	uint8_t dt;		/* the I_MESSAGE's data type: the mode */
	bool null_mode, want_v;
	uint32_t csb_id;
	uint64_t t;
	uint8_t rand[MIKEY_RAND_LEN];
	uint8_t auth_key[20];	/* PSK, PK: the V payload's (§4.1.4) */
	uint8_t id_i[64], id_r[64];
	size_t id_i_len, id_r_len;
	struct mikey_keys keys;		/* DH modes, RSA-R: only once the answer came */
	/* DH modes: our DH key pair; DH modes and RSA-R: what the keys are for */
	uint8_t dh_group;
	bool dh;
	uint8_t dh_priv[MIKEY_DH_MAX_LEN], dh_pub[MIKEY_DH_MAX_LEN];
	struct mikey_offer_cs offer[MIKEY_PSK_MAX_CS];
	size_t noffer;
	uint32_t kdr;
	uint8_t mki_len;	/* the MKI the keys get */
	uint32_t mki;
	uint8_t spi[4];		/* its bytes, as the KV carries them */
};

/* The identities carried in ID payloads (IDi, IDr); either may be empty. */
struct mikey_ids {
	const char *id_i, *id_r;
};

/*
 * Initiator: an I_MESSAGE for ncs crypto sessions, MIKEY-PSK (pol->psk set;
 * KEMAC AES-CM-128, or NULL-encrypted if null_enc and pol allows it) or
 * MIKEY-NULL (pol->psk NULL; needs allow_insecure). want_v sets the V flag.
 * Fresh CSB ID, RAND and TGK; the keys are in st->keys. Returns the length,
 * or 0 with f->why.
 */
size_t mikey_psk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			  const struct mikey_offer_cs *cs, size_t ncs, bool null_enc,
			  bool want_v, struct mikey_init *st, uint8_t *out, size_t cap,
			  struct mikey_fail *f);

/* Finds the PSK for an identity (IDi; empty if the message has none). */
typedef int (*mikey_psk_lookup)(void *arg, const uint8_t *id, size_t idlen,
				const uint8_t **psk, size_t *psklen);

/*
 * Responder: check msg and derive its contexts into keys. On success,
 * returns 0 and puts the answer (R_MESSAGE if the V flag asks; else
 * nothing, *outlen 0) in out. On refusal returns -1 with f set, keys->n 0
 * (nothing to install) and the error message to send in out (*outlen).
 * pol->psk is ignored: lookup gives it.
 */
int mikey_psk_respond(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
		      const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
		      size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
		      size_t *outlen, struct mikey_fail *f);

/*
 * Initiator: the peer's answer (R_MESSAGE, or an error message). 0 if it
 * verifies; -1 with f (f->remote for the peer's ERR payloads).
 */
int mikey_psk_answer(const struct mikey_policy *pol, const struct mikey_init *st,
		     const uint8_t *msg, size_t len, struct mikey_fail *f);

/* Security Policy (mikey_sp.c): the ksrtp suite an SRTP policy selects and
 * its key derivation rate (*kdr), or NULL with *err_no and why (what ksrtp
 * cannot honour, e.g. a KDR below 2^16, is refused).
 */
const struct suite *mikey_sp_suite(const struct mikey_sp *sp, uint32_t suites_ok,
				   uint32_t *kdr, uint8_t *err_no, char *why,
				   size_t whylen);
/* Our SP payload for a suite and KDR; vals holds the parameter bytes. */
void mikey_sp_build(const struct suite *s, uint32_t kdr, uint8_t policy_no,
		    struct mikey_sp *sp, uint8_t vals[MIKEY_MAX_SP_PARAMS]);

/*
 * Replay cache (mikey_replay.c): 0 if msg (timestamp t) is new, now
 * remembered until t leaves the window; 1 if it was seen; -1 if the cache
 * is full of messages still inside the window.
 */
int mikey_replay_check(struct mikey_replay *rc, const uint8_t *msg, size_t len,
		       uint64_t t, uint64_t now, uint32_t skew);

/*
 * COUNTER timestamps (mikey_replay.c): 0 if counter is above the last one
 * accepted from identity id (then remembered), 1 if not, -1 if the table is
 * full or the digest failed.
 */
int mikey_counter_check(struct mikey_replay *rc, const uint8_t *id, size_t idlen,
			uint32_t counter);

/* The current time as NTP-UTC 32.32. */
uint64_t mikey_ntp_now(void);

/* Wipe keys and state. */
void mikey_keys_wipe(struct mikey_keys *k);

#endif /* KEYD_MIKEY_PSK_H */
