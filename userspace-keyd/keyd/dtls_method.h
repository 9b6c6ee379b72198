/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the DTLS-SRTP method (dtls_method.c and the files it is split
 * into): a session's state, its links (one per peer transport address) and
 * the functions those files share. Not an API: keyd sees struct method.
 */
#ifndef KEYD_DTLS_METHOD_H
#define KEYD_DTLS_METHOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "dtls.h"
#include "dtls_slots.h"
#include "fingerprint.h"
#include "log.h"
#include "session.h"

#define DTLS_MAX_ASSOCS	8	/* associations (forks) per session */
#define DTLS_MAX_ANSWERS	8	/* answers without an address, kept for matching */
#define RX_CHECK_MS	250	/* how often the kernel's per-key counters are read */
#define HELD_MAX	8	/* datagrams of one flight held back (see link.hold) */
/* RFC 5764 §4.4: at most 2^31 packets per key; warn (rekey_needed) at 15/16 */
#define DTLS_SOFT_LIMIT	((1ULL << 31) / 16 * 15)

struct dmstate;

/* One peer transport address on the session's socket: one DTLS flow. */
struct link {
	bool used;
	struct dmstate *st;
	struct sockaddr_storage peer;
	enum dtls_role role;
	struct dtls_assoc *a;		/* the association whose keys are installed (or coming) */
	struct dtls_assoc *next_a;	/* a rekey's new handshake (make-before-break) */
	bool have_fps;
	struct fp_set fps;		/* the fingerprints this peer must match */
	const struct suite *suite;
	enum dtls_profile profile;
	bool installed;			/* TX and RX templates exist */
	bool rx_only;			/* only the RX template exists: early media
					 * before verification (or TX still to come) */
	bool expect_hello;		/* a role change makes us the server: the peer's
					 * ClientHello starts the new association */
	bool flip_out;			/* our re-offer asks this peer to become the
					 * server (a server-side rekey) */
	bool failed;
	bool restored;			/* adopted after a restart: no association until
					 * a rekey (needs st->upcalls) */
	uint32_t kid;			/* active key id (TX and RX) */
	uint32_t tx_pending;		/* server after a rekey: new TX key, not active yet */
	uint64_t tx_switch_at;		/* ... switched at the latest then */
	uint32_t rx_old;		/* previous RX key, deleted once the new one works */
	uint64_t rx_retire_at;		/* 0: the new key has not authenticated a packet yet */
	uint64_t rx_check_at;
	uint32_t rekeys;		/* completed rekeys */
	uint64_t born;			/* ms: its association was accepted (dtls_slots.h) */
	char peer_fp[FP_STR_MAX];	/* the peer certificate's, once verified */
	char reason[160];		/* why it failed */
	/*
	 * A rekeying server holds back what OpenSSL sends while it processes a
	 * datagram: its final flight must not reach the client before the new
	 * RX key is in the kernel, or the client's first packets with its new
	 * key would arrive first and fail.
	 */
	bool hold;
	unsigned int nheld;
	struct { uint8_t *data; size_t len; } held[HELD_MAX];
};

/* An answer's fingerprints, for forks whose address the answer did not name. */
struct answer {
	struct fp_set fps;
};

struct dmstate {
	struct keyd *kd;
	struct session *s;
	enum dtls_profile profiles[DTLS_PROFILE_MAX];
	size_t nprofiles;
	enum sdp_setup local_setup, remote_setup;
	bool have_role;
	enum dtls_role role;		/* towards the first peer */
	bool have_offer_fps;
	struct fp_set offer_fps;	/* answerer: the offer's a=fingerprint values */
	struct answer answers[DTLS_MAX_ANSWERS];
	size_t nanswers;
	bool flip_start;		/* the peer's re-offer made us the client: start
					 * the new handshake once our answer is out */
	bool upcalls;			/* restored: the socket's upcalls come to us */
	char no_upcalls[200];		/* restored: why they do not (sock-set failed) */
	struct dtls_engine *eng;	/* our certificate for this session's whole life */
	struct link links[DTLS_MAX_ASSOCS];
};

static inline struct dmstate *state_of(struct session *s)
{
	return s->mstate;
}

static inline size_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static inline const char *link_addr(const struct link *l, char *buf, size_t len)
{
	return proto_format_addr(&l->peer, buf, len);
}

/* dtls_link.c */
struct link *link_find(struct dmstate *st, const struct sockaddr_storage *addr);
bool link_vouched(const struct link *l);
void dm_slot_view(const struct dmstate *st, struct slot_info *v);
struct link *dm_slot_take(struct dmstate *st, int i, const char *why);
struct link *link_alloc(struct dmstate *st, const struct sockaddr_storage *addr,
			enum dtls_role role);
void link_release(struct link *l);
size_t links_alive(const struct dmstate *st);
const struct link *link_primary(const struct dmstate *st);
void link_evict(struct link *l, const char *why);
struct json_object *link_event(struct link *l, const char *name);
void link_fail(struct link *l, const char *why);

/* dtls_keys.c */
void link_teardown(struct link *l);
int link_install(struct link *l, bool rx_only, char *why, size_t whylen);
void link_emit_secure(struct link *l);
void link_emit_early_media(struct link *l);
void link_tx_switch(struct link *l, const char *why);
void link_rx_drop_old(struct link *l);
int link_rekey_install(struct link *l, char *why, size_t whylen);

/* dtls_handshake.c */
bool dm_cert_matches(struct dtls_assoc *a, const struct fp_set *fps);
void link_arm(struct link *l);
void link_match_answers(struct link *l);
void link_handle(struct link *l, unsigned int ev);
void link_handle_next(struct link *l, unsigned int ev);
int link_start_client(struct link *l, struct opres *r);
int link_rekey_client(struct link *l, struct opres *r);
int dm_rekey_all_as_client(struct dmstate *st, struct opres *r);
void dm_upcall(struct keyd *kd, struct session *s, const struct kn_event *ev);

/* dtls_sdp.c */
void dm_reply_attrs(struct session *s, struct opres *r, enum sdp_setup setup,
		    enum sdp_type type);
int dtls_local(struct keyd *kd, struct session *s, struct opres *r);
int dtls_remote(struct keyd *kd, struct session *s, const struct request *req,
		enum sdp_type type, struct opres *r);

/* dtls_method.c */
int dtls_init(struct keyd *kd, struct session *s, const struct request *req, struct opres *r);

/* dtls_persist.c */
struct json_object *dtls_save(struct session *s);
int dtls_restore(struct keyd *kd, struct session *s, struct json_object *saved,
		 const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen);

#endif
