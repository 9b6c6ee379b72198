/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mikey method's state, shared by its two files: mikey_method.c (the
 * exchanges) and mikey_ctx.c (the kernel contexts, status, persistence).
 */
#ifndef KEYD_MIKEY_METHOD_H
#define KEYD_MIKEY_METHOD_H

#include "method.h"
#include "mikey_modes.h"
#include "session.h"

/* One explicit-SSRC context (on every socket of the session). */
struct mk_ctx {
	uint32_t ssrc, roc, dir;	/* roc: the initial one, from the CS ID map */
	uint32_t kid;			/* active key */
	uint32_t next_kid;		/* added by a rekey, not yet active (0: none) */
	uint32_t old_kid;		/* superseded RX key, removed at retire_at */
};

struct mikey_state {
	const struct mikey_mode *mode;	/* the call's exchanges' (a rekey keeps it) */
	char peer_id[64];		/* the peer's identity: IDr of our offers, its PSK */
	uint32_t ours[PROTO_MAX_SSRCS], theirs[PROTO_MAX_SSRCS];
	size_t nours, ntheirs;
	uint32_t roc;			/* initial ROC of our streams */
	const struct suite *suite;
	uint32_t kdr;			/* key derivation rate the policy set */
	uint8_t mki_len;		/* the keys' MKI length (the TGKs' SPI), 0: none */
	uint32_t mki;			/* the newest key's MKI */
	uint32_t csb_id;
	uint32_t next_kid;		/* one key id per exchange */
	struct mk_ctx ctx[MIKEY_PSK_MAX_CS];
	size_t nctx;
	/* the exchange in progress */
	bool initiating;		/* st.init holds our I_MESSAGE's secrets */
	struct mikey_init init;
	uint8_t msg[MIKEY_PSK_MAX_MSG];	/* our I_MESSAGE, or our answer */
	size_t msg_len;
	bool err_pending;		/* msg is an error message to send back */
	enum session_state err_back;	/* the state after sending it */
	uint64_t tx_switch_at;		/* responder: TX to the new keys (ms) */
	uint64_t retire_at;		/* old RX keys go (ms) */
	uint64_t exchanges, refusals;	/* for status */
	char last_error[256];
};

static inline struct mikey_state *mk_state(struct session *s)
{
	return s->mstate;
}

/* mikey_ctx.c: the kernel side. Each returns 0 or -1 with r set. */
int mk_install(struct keyd *kd, struct session *s, const struct mikey_keys *k,
	       struct opres *r);
int mk_add_keys(struct keyd *kd, struct session *s, const struct mikey_keys *k,
		bool rx_first, struct opres *r);
void mk_drop_next(struct keyd *kd, struct session *s);
void mk_switch(struct keyd *kd, struct session *s, uint32_t dir);
void mk_retire(struct keyd *kd, struct session *s);
void mk_teardown(struct keyd *kd, struct session *s);
bool mk_is_ours(const struct mikey_state *st, uint32_t ssrc);
void mk_status(struct keyd *kd, struct session *s, struct json_object *out);
struct json_object *mk_save(struct session *s);
int mk_restore_state(struct session *s, struct json_object *saved,
		     const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen);

/* mikey_replay_file.c: the replay cache in the state directory. Load: 0
 * (also when there is none to load), or -1 with why if it cannot be read.
 */
void mk_replay_save(struct keyd *kd, const struct mikey_replay *rc);
int mk_replay_load(struct keyd *kd, struct mikey_replay *rc, char *why, size_t whylen);

#endif /* KEYD_MIKEY_METHOD_H */
