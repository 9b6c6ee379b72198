/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the SDES method (sdes_method.c and the files it is split into):
 * a session's keys per direction and the functions those files share.
 * Not an API: keyd sees struct method.
 */
#ifndef KEYD_SDES_METHOD_H
#define KEYD_SDES_METHOD_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "sdes.h"
#include "session.h"

/* One of the peer's keys in the RX template; the key itself is not kept. */
struct rx_key {
	bool used;
	uint32_t kid;
	uint8_t fp[32];		/* SHA-256 of key, salt and MKI: tells keys apart */
	uint64_t lifetime;
	bool superseded;	/* not in the peer's line; kept until the new key works */
	uint64_t retire_at;	/* then removed at this time (ms) */
};

struct sdes_state {
	struct sdes_crypto offered[SUITE_COUNT];	/* initial offer, until answered */
	size_t noffered;
	const struct suite *suite;	/* negotiated */
	uint32_t tag;
	uint32_t flags;
	uint32_t next_kid;
	uint64_t next_mki;
	uint8_t tx_mki_len;
	/* TX: our key */
	bool tx_installed;
	bool tx_known;			/* material in memory; false after a restart */
	bool tx_rebuild;		/* the peer's re-offer changed the transform */
	struct sdes_key tx;
	uint32_t tx_kid;
	bool tx_pending;		/* added to TX, not yet active */
	struct sdes_key tx_next;
	uint32_t tx_next_kid;
	uint64_t tx_switch_at;		/* ms; 0: when the answer comes */
	/* RX: the peer's keys */
	bool rx_installed;
	uint8_t rx_mki_len;
	uint32_t rx_window;
	uint32_t rx_active;
	struct rx_key rx[KSRTP_MAX_KEYS];
	uint64_t rx_check_at;		/* poll the new key's counters then */
	/* what the templates learned, for status */
	uint32_t learned[2][16];
	unsigned int nlearned[2];
};

static inline struct sdes_state *state_of(struct session *s)
{
	return s->mstate;
}

/* sdes_keys.c */
int sm_ctx_del_all(struct keyd *kd, struct session *s, uint32_t dir);
int sm_key_op_all(struct keyd *kd, struct session *s, uint32_t dir, uint32_t kid,
		  bool swap);
int sm_fresh_key(struct keyd *kd, struct sdes_state *st, const struct suite *su,
		 struct sdes_key *k, struct opres *r);
int sm_tx_install(struct keyd *kd, struct session *s, const struct sdes_key *key,
		  struct opres *r);
int sm_tx_start_rekey(struct keyd *kd, struct session *s, struct opres *r);
void sm_tx_switch(struct keyd *kd, struct session *s);
int sm_rx_install(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		  struct opres *r);
void sm_rx_drop(struct keyd *kd, struct session *s, struct rx_key *k);
int sm_rx_update(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		 struct opres *r);
uint64_t sm_rx_check_superseded(struct keyd *kd, struct session *s, uint64_t now);
int sm_rx_rebuild(struct keyd *kd, struct session *s, const struct sdes_crypto *c,
		  struct opres *r);

/* sdes_sdp.c */
int sdes_local(struct keyd *kd, struct session *s, struct opres *r);
int sdes_remote(struct keyd *kd, struct session *s, const struct request *req,
		enum sdp_type type, struct opres *r);
int sdes_rekey(struct keyd *kd, struct session *s, struct opres *r);

/* sdes_method.c */
void sm_emit_simple(struct keyd *kd, struct session *s, const char *name,
		    const char *key, const char *value);
void sm_emit_secure(struct keyd *kd, struct session *s);
int sdes_init(struct keyd *kd, struct session *s, const struct request *req, struct opres *r);

/* sdes_persist.c */
struct json_object *sdes_save(struct session *s);
int sdes_restore(struct keyd *kd, struct session *s, struct json_object *saved,
		 const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen);

#endif
