// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method (RFC 5763, RFC 5764): no keys in the SDP, only our
 * certificate's a=fingerprint and the a=setup role. The media socket is
 * attached with the "dtls" upcall: the kernel hands every DTLS datagram it
 * receives to keyd, and keyd answers through sock-send from the same
 * socket.
 *
 * Associations. A session holds one *link* per remote transport address
 * (RFC 5763 §6.3, forking: an offer answered by several peers, each with
 * its own handshake from its own address). Each link installs its own TX
 * and RX any-SSRC templates bound to that address, so every fork has its
 * own keys on the one socket: the kernel picks RX contexts by source and
 * TX contexts by destination. TX = our write key: client_write as the
 * client, server_write as the server.
 *
 * Roles: an offer says actpass; until the answer comes we accept
 * ClientHellos as the server, from any address unless the session is bound
 * to one (RFC 5763 §5). Each answer resolves the role towards its fork. An
 * answerer prefers active (it starts the handshake at once) when it knows
 * the peer's address, else passive.
 *
 * Rekeying (the rekey op, or a peer's new ClientHello): a fresh handshake
 * on a second association for the same link, make-before-break. DTLS 1.2
 * renegotiation stays disabled (SSL_OP_NO_RENEGOTIATION; RFC 5746-era
 * renegotiation is what OpenSSL 3 refuses by default and what deployed
 * DTLS-SRTP stacks never use). When the new handshake is done its keys are
 * *added* to the existing templates (key-add): RX tries the new key first
 * and still has the old one for packets in flight; TX switches (key-swap)
 * only when the peer can decrypt: the client at once (the server finished
 * first), the server when the peer's new key has authenticated a packet
 * (kernel per-key counters) or answer_rekey_delay_ms later. The old RX key
 * is deleted rx_key_grace_ms after the new one is seen in use. Only a
 * client can start a handshake: our server links are rekeyed by one
 * re-offer swapping the roles (RFC 5763 §6.6), signalled to each of their
 * peers (forks: one dialog each); each passive answer makes us the client
 * of that link's new association.
 *
 * Early media (RFC 5763 §6.2, §7.1): an offerer's handshake may complete
 * before the answer brings the fingerprint to verify. With the session's
 * dtls_verify = strict nothing is installed until then; with early_media
 * the RX template goes in at once (the peer's media is decrypted, "verify"
 * stays pending), TX only once the fingerprint matched, and a mismatch
 * deletes the RX template in the same call.
 *
 * Certificates: dtls_identity.c (generated at the first DTLS session, never
 * written to disk, renewed before expiry; a session keeps its own for life).
 * RTCP must be muxed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "dtls.h"
#include "dtls_identity.h"
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

static struct dmstate *state_of(struct session *s)
{
	return s->mstate;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       !memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr));
}

static size_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static const char *link_addr(const struct link *l, char *buf, size_t len)
{
	return proto_format_addr(&l->peer, buf, len);
}

/* ---------------------------------------------------------------- links */

static struct link *link_find(struct dmstate *st, const struct sockaddr_storage *addr)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && same_addr(&st->links[i].peer, addr))
			return &st->links[i];
	return NULL;
}

static void link_release(struct link *l);

static void link_evict(struct link *l, const char *why);

/*
 * Has the signalling vouched for this peer: an answer named its address
 * or fingerprint, it was verified or adopted, or we started it (dtls_slots.h)?
 */
static bool link_vouched(const struct link *l)
{
	return l->have_fps || l->restored || l->role == DTLS_ROLE_CLIENT || l->expect_hello ||
	       l->flip_out || l->rekeys || (l->installed && !l->rx_only) ||
	       (l->a && dtls_assoc_verify_state(l->a) == DTLS_VERIFY_OK);
}

static void slot_view(const struct dmstate *st, struct slot_info *v)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		const struct link *l = &st->links[i];

		v[i].kind = !l->used ? SLOT_FREE : l->failed ? SLOT_FAILED :
			    link_vouched(l) ? SLOT_VOUCHED : SLOT_UNVOUCHED;
		v[i].born = l->born;
		v[i].peer = l->peer;
	}
}

/* Empty slot i for a newcomer: a failed link is released, an unvouched one evicted. */
static struct link *slot_take(struct dmstate *st, int i, const char *why)
{
	struct link *l;

	if (i < 0)
		return NULL;
	l = &st->links[i];
	if (l->used && !l->failed)
		link_evict(l, why);
	else if (l->used)
		link_release(l);
	return l;
}

/*
 * A slot for a peer the signalling names (an answer's address, a restored
 * link): a free one, a failed one, else the oldest unvouched peer's.
 */
static struct link *link_alloc(struct dmstate *st, const struct sockaddr_storage *addr,
			       enum dtls_role role)
{
	struct slot_info v[DTLS_MAX_ASSOCS];
	struct link *l;

	slot_view(st, v);
	l = slot_take(st, slots_pick(v, DTLS_MAX_ASSOCS, addr, 0),
		      "its slot went to a peer the signalling names");
	if (l) {
		memset(l, 0, sizeof(*l));
		l->used = true;
		l->st = st;
		l->peer = *addr;
		l->role = role;
		l->born = now_ms();
	}
	return l;
}

static void link_release(struct link *l)
{
	unsigned int i;

	for (i = 0; i < l->nheld; i++)
		free(l->held[i].data);
	if (l->next_a)
		dtls_assoc_free(l->next_a);
	if (l->a)
		dtls_assoc_free(l->a);
	OPENSSL_cleanse(l, sizeof(*l));
}

static size_t links_alive(const struct dmstate *st)
{
	size_t i, n = 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		n += st->links[i].used && !st->links[i].failed;
	return n;
}

/* The first installed link: what session-level fields (suite) report. */
static const struct link *primary(const struct dmstate *st)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && st->links[i].installed)
			return &st->links[i];
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			return &st->links[i];
	return NULL;
}

/* ---------------------------------------------------------------- kernel */

static void link_ctx(const struct link *l, uint32_t dir, struct kn_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cookie = l->st->s->cookie[0];
	c->dir = dir;
	c->has_remote = true;
	c->remote = l->peer;
}

static void ctx_del(struct link *l, uint32_t dir)
{
	struct keyd *kd = l->st->kd;
	struct kn_ctx c;
	int err;

	link_ctx(l, dir, &c);
	err = kn_ctx_del(&kd->kn, &c);
	if (err && err != -ENOENT)
		log_warn("ctx-del failed", "session=%s dir=%s err=%s extack=%s", l->st->s->id,
			 kn_dir_name(dir), log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
}

static void key_op(struct link *l, uint32_t dir, uint32_t kid, bool swap)
{
	struct keyd *kd = l->st->kd;
	struct kn_ctx c;
	int err;

	link_ctx(l, dir, &c);
	err = swap ? kn_key_swap(&kd->kn, &c, kid) : kn_key_del(&kd->kn, &c, kid);
	if (err)
		log_warn(swap ? "key-swap failed" : "key-del failed",
			 "session=%s dir=%s key_id=%u err=%s extack=%s", l->st->s->id,
			 kn_dir_name(dir), kid, log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
}

static void link_teardown(struct link *l)
{
	if (l->rx_only) {
		ctx_del(l, KSRTP_DIR_RX);
		l->rx_only = false;
	}
	if (!l->installed)
		return;
	ctx_del(l, KSRTP_DIR_TX);
	ctx_del(l, KSRTP_DIR_RX);
	l->installed = false;
	l->tx_pending = l->rx_old = 0;
}

/*
 * Turn away a peer nobody signalled: its association (close_notify) and any
 * early-media RX template go, its slot is free. Logged at info: an
 * operator sees who was refused and why.
 */
static void link_evict(struct link *l, const char *why)
{
	struct session *s = l->st->s;
	char addr[80];

	log_info("DTLS association of an unverified peer dropped", "session=%s peer=%s "
		 "state=%s age_ms=%llu reason=%s", s->id, link_addr(l, addr, sizeof(addr)),
		 l->a ? dtls_state_name(dtls_assoc_state(l->a)) : "none",
		 (unsigned long long)(now_ms() - l->born), log_q(why));
	link_teardown(l);
	if (l->a)
		dtls_assoc_close(l->a);
	link_release(l);
	session_changed(s);
}

static void dtls_teardown(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);
	size_t i;

	(void)kd;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			link_teardown(&st->links[i]);
}

static struct json_object *link_event(struct link *l, const char *name)
{
	struct json_object *ev = proto_event(name, l->st->s->id);
	char addr[80];

	if (!ev)
		return NULL;
	json_object_object_add(ev, "method", json_object_new_string("dtls"));
	json_object_object_add(ev, "peer", json_object_new_string(link_addr(l, addr, sizeof(addr))));
	return ev;
}

/* Everything stops: every association closed, every context deleted. */
static void session_fail(struct keyd *kd, struct session *s, const char *why)
{
	struct dmstate *st = state_of(s);
	struct json_object *ev;
	size_t i;

	if (s->state == SS_FAILED)
		return;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used)
			continue;
		link_teardown(l);
		if (l->a && !l->failed)
			dtls_assoc_close(l->a);
		if (l->next_a)
			dtls_assoc_close(l->next_a);
	}
	s->state = SS_FAILED;
	s->exch = EX_NONE;
	snprintf(s->fail_reason, sizeof(s->fail_reason), "%s", why);
	session_changed(s);
	log_warn("DTLS session failed; contexts removed", "session=%s reason=%s", s->id,
		 log_q(why));
	ev = proto_event("failed", s->id);
	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("dtls"));
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(kd, s, ev);
}

/*
 * One association failed (mismatch, alert, timeout, close_notify): its
 * contexts go at once. The session fails with it unless another fork is
 * still alive; then only "association_failed" is reported.
 */
static void link_fail(struct link *l, const char *why)
{
	struct dmstate *st = l->st;
	struct session *s = st->s;
	struct json_object *ev;
	char addr[80];

	if (l->failed || s->state == SS_FAILED)
		return;
	link_teardown(l);
	if (l->a)
		dtls_assoc_close(l->a);
	if (l->next_a) {
		dtls_assoc_free(l->next_a);
		l->next_a = NULL;
	}
	l->failed = true;
	snprintf(l->reason, sizeof(l->reason), "%s", why);
	/*
	 * The session fails with its last association, except for an offerer
	 * open to any address whose offer has not made it secure yet: other
	 * forks may still answer (and a stray ClientHello must not end the call).
	 */
	if (!links_alive(st) &&
	    !(s->role == ROLE_OFFERER && !s->has_remote && s->state == SS_OFFERED)) {
		session_fail(st->kd, s, why);
		return;
	}
	session_changed(s);
	log_warn("DTLS association failed; its contexts removed", "session=%s peer=%s reason=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), log_q(why));
	ev = link_event(l, "association_failed");
	if (!ev)
		return;
	json_object_object_add(ev, "reason", json_object_new_string(why));
	session_emit(st->kd, s, ev);
}

/*
 * The keys of a connected association, checked against the kernel; unless
 * unverified (early media, RX only), its peer certificate must have matched.
 */
static int get_keys(struct link *l, struct dtls_assoc *a, struct dtls_srtp_keys *k,
		    const struct suite **suite, bool unverified, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	const char *reason = NULL;

	if (dtls_assoc_get_keys(a, k, unverified, &reason)) {
		snprintf(why, whylen, "no DTLS-SRTP keys: %s", reason ? reason : "?");
		return -1;
	}
	*suite = suite_by_name(k->suite, strlen(k->suite));
	if (!*suite || !(kd->kn.suites & suite_bit(*suite)) ||
	    suite_keysalt_len(*suite) != (unsigned int)(k->key_len + k->salt_len)) {
		snprintf(why, whylen, "negotiated profile %s has no usable kernel suite",
			 k->profile_name);
		dtls_srtp_keys_wipe(k);
		return -1;
	}
	return 0;
}

static void set_key(struct kn_key *kk, uint32_t id, const struct dtls_srtp_keys *k,
		    const uint8_t *ks)
{
	memset(kk, 0, sizeof(*kk));
	kk->id = id;
	kk->key_len = k->key_len;
	kk->salt_len = k->salt_len;
	kk->key = ks;
	kk->salt = ks + k->key_len;
}

/*
 * The first handshake of a link: one RX and one TX template bound to the
 * peer. rx_only (early media): the RX template alone, from keys whose peer
 * is not verified yet; TX follows once it is (the RX template stays).
 */
static int install(struct link *l, bool rx_only, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	struct dtls_srtp_keys k;
	struct kn_ctx_params p = { 0 };
	struct kn_key kk;
	struct kn_ctx c;
	struct fingerprint fp;
	const struct suite *suite;
	int err = 0;

	if (get_keys(l, l->a, &k, &suite, rx_only, why, whylen))
		return -1;
	l->suite = suite;
	l->profile = k.profile;
	l->kid = 1;
	p.suite = suite->id;
	if (!l->rx_only) {
		p.window = kd->cfg.window;	/* the peer's key: no soft limit of ours */
		set_key(&kk, l->kid, &k, k.rx);
		link_ctx(l, KSRTP_DIR_RX, &c);
		err = kn_ctx_new(&kd->kn, &c, &p, &kk);
		OPENSSL_cleanse(&kk, sizeof(kk));
		if (err) {
			dtls_srtp_keys_wipe(&k);
			snprintf(why, whylen, "RX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
			return -1;
		}
		l->rx_only = true;	/* link_teardown() deletes it if TX fails */
	}
	if (!rx_only) {
		p.window = 0;
		p.soft_limit = DTLS_SOFT_LIMIT;
		set_key(&kk, l->kid, &k, k.tx);
		link_ctx(l, KSRTP_DIR_TX, &c);
		err = kn_ctx_new(&kd->kn, &c, &p, &kk);
		OPENSSL_cleanse(&kk, sizeof(kk));
	}
	dtls_srtp_keys_wipe(&k);
	if (err) {
		snprintf(why, whylen, "TX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	if (!rx_only) {
		l->rx_only = false;
		l->installed = true;
	}
	if (!dtls_assoc_peer_fingerprint(l->a, l->have_fps ? fp_set_best_hash(&l->fps) :
							     FP_SHA256, &fp))
		fp_format(&fp, l->peer_fp, sizeof(l->peer_fp));
	return 0;
}

static void emit_secure(struct link *l)
{
	struct session *s = l->st->s;
	struct json_object *ev = link_event(l, "secure");
	char addr[80];

	log_info("session secure", "session=%s peer=%s suite=%s role=%s peer_fingerprint=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), l->suite->name,
		 dtls_role_name(l->role), log_q(l->peer_fp));
	if (!ev)
		return;
	json_object_object_add(ev, "suite", json_object_new_string(l->suite->name));
	json_object_object_add(ev, "fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(ev, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(ev, "verified", json_object_new_boolean(s->verified));
	json_object_object_add(ev, "pfs", json_object_new_boolean(1));
	session_emit(l->st->kd, s, ev);
}

/*
 * Early media (dtls_verify = early_media): the peer's media is decrypted
 * before the answer has verified its certificate; we send nothing to it yet.
 */
static void emit_early_media(struct link *l)
{
	struct json_object *ev = link_event(l, "early_media");
	char addr[80];

	log_info("early media: RX installed, peer not verified yet; no TX until it is",
		 "session=%s peer=%s suite=%s peer_fingerprint=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)), l->suite->name, log_q(l->peer_fp));
	if (!ev)
		return;
	json_object_object_add(ev, "suite", json_object_new_string(l->suite->name));
	json_object_object_add(ev, "fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(ev, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(ev, "verified", json_object_new_boolean(0));
	json_object_object_add(ev, "pfs", json_object_new_boolean(1));
	session_emit(l->st->kd, l->st->s, ev);
}

static void emit_rekeyed(struct link *l, const char *dir)
{
	struct json_object *ev = link_event(l, "rekeyed");

	if (!ev)
		return;
	json_object_object_add(ev, "direction", json_object_new_string(dir));
	json_object_object_add(ev, "key_id", json_object_new_int64(l->kid));
	session_emit(l->st->kd, l->st->s, ev);
}

/* Server after a rekey: TX goes to the new key (the peer has it). */
static void tx_switch(struct link *l, const char *why)
{
	uint32_t old = l->kid - 1;
	char addr[80];

	if (!l->tx_pending)
		return;
	key_op(l, KSRTP_DIR_TX, l->tx_pending, true);
	key_op(l, KSRTP_DIR_TX, old, false);
	l->tx_pending = 0;
	l->tx_switch_at = 0;
	log_info("TX rekeyed", "session=%s peer=%s key_id=%u because=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)), l->kid, log_q(why));
	emit_rekeyed(l, "tx");
	session_changed(l->st->s);
}

static void rx_drop_old(struct link *l)
{
	if (!l->rx_old)
		return;
	key_op(l, KSRTP_DIR_RX, l->rx_old, false);
	l->rx_old = 0;
	l->rx_retire_at = l->rx_check_at = 0;
	session_changed(l->st->s);
}

/*
 * A rekey handshake finished: add its keys to the link's templates. RX
 * takes the new key first and keeps the old one; TX switches now if we are
 * the client (the server completed before us and has the new RX key), else
 * once the peer's new key is seen.
 */
static int rekey_install(struct link *l, char *why, size_t whylen)
{
	struct keyd *kd = l->st->kd;
	struct dtls_srtp_keys k;
	const struct suite *suite;
	struct kn_key kk;
	struct kn_ctx c;
	uint32_t nk = l->kid + 1, old = l->kid;
	enum dtls_role nr = dtls_assoc_role(l->next_a);
	char addr[80];
	int err;

	if (get_keys(l, l->next_a, &k, &suite, false, why, whylen))
		return -1;
	if (suite != l->suite) {
		dtls_srtp_keys_wipe(&k);
		snprintf(why, whylen, "the new handshake negotiated %s, not %s", suite->name,
			 l->suite->name);
		return -1;
	}
	/* a rekey still settling is finished first: at most two keys each way */
	if (l->tx_pending)
		tx_switch(l, "another rekey");
	rx_drop_old(l);
	set_key(&kk, nk, &k, k.rx);
	link_ctx(l, KSRTP_DIR_RX, &c);
	err = kn_key_add(&kd->kn, &c, &kk);
	if (err) {
		dtls_srtp_keys_wipe(&k);
		OPENSSL_cleanse(&kk, sizeof(kk));
		snprintf(why, whylen, "RX key-add: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	set_key(&kk, nk, &k, k.tx);
	link_ctx(l, KSRTP_DIR_TX, &c);
	err = kn_key_add(&kd->kn, &c, &kk);
	dtls_srtp_keys_wipe(&k);
	OPENSSL_cleanse(&kk, sizeof(kk));
	if (err) {
		snprintf(why, whylen, "TX key-add: %s: %s", strerror(-err), kn_err(&kd->kn));
		key_op(l, KSRTP_DIR_RX, nk, false);
		return -1;
	}
	/* RX: the new key is tried first, the old one still works */
	key_op(l, KSRTP_DIR_RX, nk, true);
	l->rx_old = old;
	l->rx_retire_at = 0;
	l->rx_check_at = now_ms() + RX_CHECK_MS;
	session_arm(l->st->s, l->rx_check_at);
	dtls_assoc_free(l->a);		/* no close_notify: the peer moved on too */
	l->a = l->next_a;
	l->next_a = NULL;
	l->kid = nk;
	l->rekeys++;
	l->role = nr;			/* a role change by re-offer ends here */
	l->expect_hello = false;
	l->restored = false;		/* adopted: a live association again */
	log_info("RX rekeyed by a new DTLS handshake", "session=%s peer=%s key_id=%u role=%s",
		 l->st->s->id, link_addr(l, addr, sizeof(addr)), nk, dtls_role_name(l->role));
	emit_rekeyed(l, "rx");
	if (l->role == DTLS_ROLE_CLIENT) {
		l->tx_pending = nk;
		tx_switch(l, "client: the server finished first");
	} else {
		l->tx_pending = nk;
		l->tx_switch_at = now_ms() + kd->cfg.answer_rekey_delay_ms;
		session_arm(l->st->s, l->tx_switch_at);
	}
	session_changed(l->st->s);
	return 0;
}

/* Does the peer certificate of a connected association match fps? */
static bool cert_matches(struct dtls_assoc *a, const struct fp_set *fps)
{
	struct fingerprint fp;
	enum fp_hash h = fp_set_best_hash(fps);
	size_t i;

	if (dtls_assoc_peer_fingerprint(a, h, &fp))
		return false;
	for (i = 0; i < fps->n; i++)
		if (fp_equal(&fps->fp[i], &fp))
			return true;
	return false;
}

static void arm_link(struct link *l)
{
	struct session *s = l->st->s;
	long t;

	if (l->a && (t = dtls_next_timeout_ms(l->a)) >= 0)
		session_arm(s, now_ms() + (uint64_t)(t ? t : 1));
	if (l->next_a && (t = dtls_next_timeout_ms(l->next_a)) >= 0)
		session_arm(s, now_ms() + (uint64_t)(t ? t : 1));
	if (l->tx_switch_at)
		session_arm(s, l->tx_switch_at);
	if (l->rx_check_at)
		session_arm(s, l->rx_check_at);
	if (l->rx_retire_at)
		session_arm(s, l->rx_retire_at);
	if (l->st->kd->cfg.dtls_unverified_timeout && l->born && !link_vouched(l))
		session_arm(s, l->born + l->st->kd->cfg.dtls_unverified_timeout * 1000ULL);
}

static void handle(struct link *l, unsigned int ev);

/*
 * A server association of the offerer whose answer named no address: it is
 * verified by whichever answer's fingerprint its certificate matches (forks
 * answer separately). Not matching any answer yet is not a failure: that
 * fork's answer may still come.
 */
static void match_answers(struct link *l)
{
	struct dmstate *st = l->st;
	size_t i;

	if (l->have_fps || !l->a || dtls_assoc_state(l->a) != DTLS_STATE_CONNECTED)
		return;
	for (i = 0; i < st->nanswers; i++) {
		if (!cert_matches(l->a, &st->answers[i].fps))
			continue;
		l->fps = st->answers[i].fps;
		l->have_fps = true;
		handle(l, dtls_assoc_set_peer_fingerprints(l->a, &l->fps));
		return;
	}
}

/* What dtls_* returned for the link's current association. */
static void handle(struct link *l, unsigned int ev)
{
	struct dmstate *st = l->st;
	struct session *s = st->s;
	char why[256];

	if (!l->a || l->failed || s->state == SS_FAILED)
		return;
	if (ev & DTLS_EV_FAILED) {
		snprintf(why, sizeof(why), "DTLS: %s", dtls_assoc_error(l->a));
		link_fail(l, why);
		return;
	}
	if (ev & DTLS_EV_CLOSED) {
		link_fail(l, "DTLS: the peer closed the association");
		return;
	}
	if (!l->installed && dtls_assoc_state(l->a) == DTLS_STATE_CONNECTED) {
		if (!l->have_fps && (ev & DTLS_EV_CONNECTED)) {
			match_answers(l);	/* calls back here when it matched */
			if (l->have_fps || l->failed || s->state == SS_FAILED)
				return;
		}
		if (dtls_assoc_verify_state(l->a) == DTLS_VERIFY_PENDING &&
		    s->dtls_verify == VERIFY_EARLY_MEDIA && !l->rx_only) {
			/* RFC 5763 §7.1: receive now, send once the answer verified it */
			if (install(l, true, why, sizeof(why))) {
				link_fail(l, why);
				return;
			}
			session_changed(s);
			emit_early_media(l);
		}
		if (dtls_assoc_verify_state(l->a) != DTLS_VERIFY_OK)
			goto out;
		if (!st->have_role) {
			st->have_role = true;
			st->role = l->role;
		}
		if (install(l, false, why, sizeof(why))) {
			link_fail(l, why);
			return;
		}
		s->state = SS_SECURE;
		session_changed(s);
		emit_secure(l);
	}
out:
	arm_link(l);
}

/* What dtls_* returned for the link's rekey association. */
static void handle_next(struct link *l, unsigned int ev)
{
	struct session *s = l->st->s;
	char why[256], addr[80];
	struct json_object *e;

	if (!l->next_a || l->failed || s->state == SS_FAILED)
		return;
	if (ev & (DTLS_EV_FAILED | DTLS_EV_CLOSED)) {
		snprintf(why, sizeof(why), "DTLS: %s", ev & DTLS_EV_FAILED ?
			 dtls_assoc_error(l->next_a) : "the peer closed the new association");
		goto failed;
	}
	if (dtls_assoc_state(l->next_a) == DTLS_STATE_CONNECTED &&
	    dtls_assoc_verify_state(l->next_a) == DTLS_VERIFY_OK) {
		if (rekey_install(l, why, sizeof(why)))
			goto failed;
	}
	arm_link(l);
	return;
failed:
	/* the old keys keep working: media is not affected */
	log_warn("DTLS rekey failed; the current keys stay", "session=%s peer=%s reason=%s",
		 s->id, link_addr(l, addr, sizeof(addr)), log_q(why));
	if (l->next_a) {
		dtls_assoc_close(l->next_a);
		dtls_assoc_free(l->next_a);
		l->next_a = NULL;
	}
	e = link_event(l, "rekey_failed");
	if (!e)
		return;
	json_object_object_add(e, "reason", json_object_new_string(why));
	session_emit(l->st->kd, s, e);
}

/* ---------------------------------------------------------------- associations */

static int send_cb(void *ctx, const uint8_t *data, size_t len)
{
	struct link *l = ctx;
	struct keyd *kd = l->st->kd;
	int err;

	if (l->hold && l->nheld < HELD_MAX) {
		l->held[l->nheld].data = malloc(len);
		if (l->held[l->nheld].data) {
			memcpy(l->held[l->nheld].data, data, len);
			l->held[l->nheld++].len = len;
			return 0;
		}
	}
	err = kn_sock_send(&kd->kn, l->st->s->cookie[0], &l->peer, data, len);
	if (err) {
		log_debug("sock-send failed", "session=%s err=%s extack=%s", l->st->s->id,
			  log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
		return -1;
	}
	return 0;
}

/* Send what send_cb held back (or drop it: the link is gone). */
static void flush_held(struct link *l, bool send)
{
	struct keyd *kd = l->st->kd;
	unsigned int i;

	l->hold = false;
	for (i = 0; i < l->nheld; i++) {
		if (send && kn_sock_send(&kd->kn, l->st->s->cookie[0], &l->peer,
					 l->held[i].data, l->held[i].len))
			log_debug("sock-send failed", "session=%s extack=%s", l->st->s->id,
				  log_q(kn_err(&kd->kn)));
		free(l->held[i].data);
	}
	l->nheld = 0;
}

static struct dtls_assoc_config assoc_config(struct link *l, enum dtls_role role)
{
	struct dmstate *st = l->st;
	bool rekey = l->installed && l->profile != DTLS_PROFILE_NONE;

	/* a rekey keeps the profile: the new keys go into the same contexts */
	return (struct dtls_assoc_config){
		.role = role, .send = send_cb, .send_ctx = l,
		.peer_addr = &l->peer, .peer_addr_len = addr_len(&l->peer),
		.peer_fps = l->have_fps ? &l->fps : NULL,
		.profiles = rekey ? &l->profile : st->profiles,
		.n_profiles = rekey ? 1 : st->nprofiles,
	};
}

/* We are the client towards this link: start its (first) handshake. */
static int start_client(struct link *l, struct opres *r)
{
	struct dtls_assoc_config cfg = assoc_config(l, DTLS_ROLE_CLIENT);
	char err[256], addr[80];

	l->a = dtls_assoc_new(l->st->eng, &cfg, err, sizeof(err));
	if (!l->a)
		return op_fail(r, E_INTERNAL, "DTLS association: %s", err);
	log_info("DTLS handshake started", "session=%s role=client peer=%s", l->st->s->id,
		 link_addr(l, addr, sizeof(addr)));
	handle(l, dtls_assoc_start(l->a));
	return 0;
}

/* A new handshake as the client on an installed link (make-before-break). */
static int rekey_client(struct link *l, struct opres *r)
{
	struct dtls_assoc_config cfg;
	char err[256], addr[80];

	if (l->next_a)		/* one is running already */
		return 0;
	cfg = assoc_config(l, DTLS_ROLE_CLIENT);
	l->next_a = dtls_assoc_new(l->st->eng, &cfg, err, sizeof(err));
	if (!l->next_a)
		return op_fail(r, E_INTERNAL, "DTLS association: %s", err);
	log_info("DTLS rekey: new handshake started", "session=%s role=client peer=%s",
		 l->st->s->id, link_addr(l, addr, sizeof(addr)));
	handle_next(l, dtls_assoc_start(l->next_a));
	return 0;
}

/* Every live installed link becomes the client of a new association. */
static int rekey_all_as_client(struct dmstate *st, struct opres *r)
{
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (l->used && !l->failed && l->installed && (!l->restored || st->upcalls) &&
		    rekey_client(l, r))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- attributes */

static const char *strip_a(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncmp(p, "a=", 2))
		p += 2;
	return p;
}

static int parse_attrs(const struct request *req, struct fp_set *fps, enum sdp_setup *setup,
		       struct opres *r)
{
	const char *p, *why = NULL;
	size_t i;
	int rc;

	fp_set_init(fps);
	*setup = SDP_SETUP_NONE;
	for (i = 0; i < req->nattrs; i++) {
		p = strip_a(req->attrs[i]);
		if (!strncasecmp(p, "fingerprint:", 12)) {
			rc = fp_set_add_value(fps, p + 12, strlen(p + 12), &why);
			if (rc == FP_E_HASH)
				continue;	/* RFC 8122: skip hash functions we do not know */
			if (rc)
				return op_fail(r, E_BAD_REQUEST, "a=fingerprint: %s",
					       why ? why : "not understood");
		} else if (!strncasecmp(p, "setup:", 6)) {
			if (setup_parse(p + 6, strlen(p + 6), setup))
				return op_fail(r, E_BAD_REQUEST, "a=setup: \"%s\" not understood",
					       p + 6);
		}
	}
	if (!fps->n)
		return op_fail(r, E_NO_CRYPTO,
			       "no usable a=fingerprint among the %zu attributes given",
			       req->nattrs);
	return 0;
}

static void reply_attrs(struct session *s, struct opres *r, enum sdp_setup setup,
			enum sdp_type type)
{
	struct json_object *arr = json_object_new_array();
	char line[FP_STR_MAX + 32];

	snprintf(line, sizeof(line), "a=fingerprint:%s",
		 dtls_engine_fingerprint(state_of(s)->eng));
	json_object_array_add(arr, json_object_new_string(line));
	snprintf(line, sizeof(line), "a=setup:%s", setup_name(setup));
	json_object_array_add(arr, json_object_new_string(line));
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string(sdp_type_name(type)));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
}

static enum sdp_setup role_setup(struct dmstate *st)
{
	return st->role == DTLS_ROLE_CLIENT ? SDP_SETUP_ACTIVE : SDP_SETUP_PASSIVE;
}

static int dtls_local(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st = state_of(s);
	const char *why = NULL;
	struct link *l;
	bool first;

	(void)kd;
	if (s->exch == EX_REMOTE_OFFER) {
		first = !st->have_role;
		if (first) {
			/* active starts the handshake at once; it needs the peer's address */
			st->local_setup = setup_answer(st->remote_setup,
						       s->has_remote ? SDP_SETUP_ACTIVE :
								       SDP_SETUP_PASSIVE);
			if (dtls_role_resolve(false, st->local_setup, st->remote_setup,
					      &st->role, &why))
				return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
			st->have_role = true;
		}
		s->exch = EX_NONE;
		session_changed(s);
		reply_attrs(s, r, role_setup(st), SDP_ANSWER);
		if (st->flip_start) {
			st->flip_start = false;
			return rekey_all_as_client(st, r);
		}
		if (first && st->role == DTLS_ROLE_CLIENT) {
			if (!s->has_remote)
				return op_fail(r, E_BAD_REQUEST,
					       "we are the DTLS client but the peer's address is "
					       "unknown: pass \"remote\"");
			l = link_alloc(st, &s->remote, DTLS_ROLE_CLIENT);
			if (!l)
				return op_fail(r, E_INTERNAL, "no association slot left");
			l->fps = st->offer_fps;
			l->have_fps = st->have_offer_fps;
			if (start_client(l, r))
				return -1;
		}
		return 0;
	}
	switch (s->state) {
	case SS_NEW:
		st->local_setup = SDP_SETUP_ACTPASS;
		s->state = SS_OFFERED;
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		reply_attrs(s, r, SDP_SETUP_ACTPASS, SDP_OFFER);
		return 0;
	case SS_OFFERED:
		if (s->exch == EX_LOCAL_OFFER) {
			reply_attrs(s, r, SDP_SETUP_ACTPASS, SDP_OFFER);
			return 0;
		}
		break;
	case SS_SECURE:
		/* a re-offer keeps the roles (RFC 5763 §5) */
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		reply_attrs(s, r, role_setup(st), SDP_OFFER);
		return 0;
	default:
		break;
	}
	return op_fail(r, E_STATE, "no attributes to produce in state %s",
		       session_state_name(s->state));
}

/* New fingerprints for a link (re-offer, re-answer, addressed answer). */
static void link_set_fps(struct link *l, const struct fp_set *fps)
{
	char addr[80];

	l->fps = *fps;
	l->have_fps = true;
	if (!l->a || l->failed)
		return;
	/*
	 * A verified association whose peer now signals another certificate
	 * (a restarted keyd has a new one): that is for the next association
	 * (RFC 8842 §5), which a rekey starts; this one keeps its keys.
	 */
	if (l->installed && dtls_assoc_verify_state(l->a) == DTLS_VERIFY_OK &&
	    !cert_matches(l->a, fps)) {
		log_info("the peer signals a new certificate: it applies from the next "
			 "handshake", "session=%s peer=%s", l->st->s->id,
			 link_addr(l, addr, sizeof(addr)));
		return;
	}
	handle(l, dtls_assoc_set_peer_fingerprints(l->a, &l->fps));
}

/*
 * An answer to our initial offer: the first, or one more fork's
 * (RFC 5763 §6.3). addr: the fork's address if known.
 */
static int apply_answer(struct dmstate *st, const struct fp_set *fps, enum sdp_setup setup,
			const struct sockaddr_storage *addr, struct opres *r)
{
	enum dtls_role role;
	const char *why = NULL;
	struct link *l;
	size_t i;

	if (dtls_role_resolve(true, SDP_SETUP_ACTPASS, setup, &role, &why))
		return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
	l = addr ? link_find(st, addr) : NULL;
	if (l && l->role != role)
		return op_fail(r, E_NO_CRYPTO,
			       "a=setup: the peer at that address already runs DTLS as the %s",
			       dtls_role_name(l->role));
	if (!st->have_role) {
		st->role = role;
		st->have_role = true;
		st->remote_setup = setup;
	}
	if (role == DTLS_ROLE_CLIENT) {
		if (!addr)
			return op_fail(r, E_BAD_REQUEST,
				       "the answer makes us the DTLS client but names no address: "
				       "pass \"remote\"");
		if (l) {
			link_set_fps(l, fps);
			return 0;
		}
		l = link_alloc(st, addr, DTLS_ROLE_CLIENT);
		if (!l)
			return op_fail(r, E_LIMIT, "at most %d DTLS associations per session",
				       DTLS_MAX_ASSOCS);
		l->fps = *fps;
		l->have_fps = true;
		return start_client(l, r);
	}
	if (addr) {
		if (l) {
			link_set_fps(l, fps);
			return 0;
		}
		/* its ClientHello is still to come: a link waiting for it */
		l = link_alloc(st, addr, DTLS_ROLE_SERVER);
		if (!l)
			return op_fail(r, E_LIMIT, "at most %d DTLS associations per session",
				       DTLS_MAX_ASSOCS);
		l->fps = *fps;
		l->have_fps = true;
		return 0;
	}
	if (st->nanswers == DTLS_MAX_ANSWERS)
		return op_fail(r, E_LIMIT, "at most %d answers without an address", DTLS_MAX_ANSWERS);
	st->answers[st->nanswers++].fps = *fps;
	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used && !st->links[i].failed && st->links[i].role == DTLS_ROLE_SERVER)
			match_answers(&st->links[i]);
	return 0;
}

static size_t flips_out(const struct dmstate *st)
{
	size_t i, n = 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		n += st->links[i].used && !st->links[i].failed && st->links[i].flip_out;
	return n;
}

/*
 * An answer to our re-offer: for the fork at addr, or for every fork whose
 * certificate matches its fingerprints (or the one fork there is). After a
 * server-side rekey (roles swapped: flip_out) it must say passive: we then
 * start the new handshake as that peer's client. Our offer stays open until
 * every peer it went to has answered.
 */
static int apply_reanswer(struct dmstate *st, const struct fp_set *fps, enum sdp_setup setup,
			  const struct sockaddr_storage *addr, struct opres *r)
{
	struct session *s = st->s;
	struct link *l = addr ? link_find(st, addr) : NULL, *to[DTLS_MAX_ASSOCS];
	size_t i, n = 0, nflip = flips_out(st), alive = links_alive(st);
	bool flip = nflip > 0;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *x = &st->links[i];

		if (!x->used || x->failed || (l && x != l) || (flip && !x->flip_out))
			continue;
		if (l || (flip ? nflip : alive) == 1 || (x->a && cert_matches(x->a, fps)))
			to[n++] = x;
	}
	if (!flip)
		s->exch = EX_NONE;
	if (flip && !n)
		return op_fail(r, E_NO_CRYPTO, "%s", addr ?
			       "our re-offer did not go to the peer at that address" :
			       "the answer's a=fingerprint matches none of the peers our re-offer "
			       "went to: pass \"remote\"");
	if (flip && setup != SDP_SETUP_PASSIVE) {
		for (i = 0; i < n; i++)
			to[i]->flip_out = false;
		if (!flips_out(st))
			s->exch = EX_NONE;
		return op_fail(r, E_NO_CRYPTO,
			       "a=setup: the peer answered %s to our a=setup:active re-offer: no "
			       "role change, no rekey", setup_name(setup));
	}
	for (i = 0; i < n; i++) {
		link_set_fps(to[i], fps);
		if (!flip || to[i]->failed)
			continue;
		to[i]->flip_out = false;
		if (to[i] == primary(st))
			st->role = DTLS_ROLE_CLIENT;
		if (rekey_client(to[i], r))
			return -1;
	}
	if (!flips_out(st))
		s->exch = EX_NONE;
	return 0;
}

static int dtls_remote(struct keyd *kd, struct session *s, const struct request *req,
		       enum sdp_type type, struct opres *r)
{
	struct dmstate *st = state_of(s);
	const struct sockaddr_storage *addr = NULL;
	const struct link *p;
	struct fp_set fps;
	enum sdp_setup setup;
	size_t i;

	(void)kd;
	if (parse_attrs(req, &fps, &setup, r))
		return -1;
	if (req->has_remote)
		addr = &req->remote;
	else if (s->has_remote)
		addr = &s->remote;
	if (type == SDP_OFFER) {
		st->offer_fps = fps;
		st->have_offer_fps = true;
		if (s->state == SS_NEW) {
			st->remote_setup = setup;
			s->state = SS_ANSWERING;
		} else {
			for (i = 0; i < DTLS_MAX_ASSOCS; i++)
				if (st->links[i].used && !st->links[i].failed)
					link_set_fps(&st->links[i], &fps);
			/* a re-offer that swaps the roles: a new association (RFC 5763 §6.6) */
			if (st->have_role && setup == SDP_SETUP_ACTIVE &&
			    st->role == DTLS_ROLE_CLIENT) {
				st->role = DTLS_ROLE_SERVER;
				for (i = 0; i < DTLS_MAX_ASSOCS; i++)
					st->links[i].expect_hello = st->links[i].used &&
								    st->links[i].installed;
			} else if (st->have_role && setup == SDP_SETUP_PASSIVE &&
				   st->role == DTLS_ROLE_SERVER) {
				st->role = DTLS_ROLE_CLIENT;
				st->flip_start = true;
			}
		}
		s->exch = EX_REMOTE_OFFER;
	} else {
		/* the answer to a re-offer of ours, or to our initial offer (a fork's) */
		if (s->exch == EX_LOCAL_OFFER && s->state == SS_SECURE) {
			if (apply_reanswer(st, &fps, setup, addr, r))
				return -1;
		} else {
			s->exch = EX_NONE;
			if (apply_answer(st, &fps, setup, addr, r))
				return -1;
		}
	}
	session_changed(s);
	if (s->state == SS_FAILED)
		return op_fail(r, E_NO_CRYPTO, "%s", s->fail_reason);
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (st->have_role)
		json_object_object_add(r->reply, "role",
				       json_object_new_string(dtls_role_name(st->role)));
	p = primary(st);
	if (p && p->suite)
		json_object_object_add(r->reply, "suite", json_object_new_string(p->suite->name));
	return 0;
}

/* ---------------------------------------------------------------- upcalls, timers */

/* May a ClientHello from an address without a link create one? */
static bool accepts_new_peer(struct dmstate *st)
{
	struct session *s = st->s;

	if (s->role == ROLE_OFFERER)	/* forks: until the session is deleted */
		return s->state == SS_OFFERED || s->state == SS_SECURE;
	/* an answerer has one peer: the one its offer came from */
	return st->have_role && st->role == DTLS_ROLE_SERVER && links_alive(st) == 0 &&
	       s->state == SS_ANSWERING;
}

/* A ClientHello for a link without association, or a rekey's first one. */
static void listen_on(struct link *l, const struct kn_event *ev, bool rekey)
{
	struct dtls_assoc_config cfg = assoc_config(l, DTLS_ROLE_SERVER);
	struct dtls_assoc *a = NULL;
	unsigned int events = 0;
	char addr[80];

	switch (dtls_listen(l->st->eng, &cfg, ev->data, ev->len, &a, &events)) {
	case DTLS_LISTEN_ACCEPTED:
		log_info(rekey ? "DTLS rekey handshake accepted" : "DTLS handshake accepted",
			 "session=%s role=server peer=%s", l->st->s->id,
			 link_addr(l, addr, sizeof(addr)));
		if (rekey) {
			l->next_a = a;
			handle_next(l, events);
		} else {
			l->a = a;
			handle(l, events);
		}
		break;
	case DTLS_LISTEN_ERROR:
		log_warn("dtls_listen failed", "session=%s", l->st->s->id);
		break;
	default:
		break;
	}
}

/*
 * A ClientHello from an address without a link. Nothing is kept until it
 * carries a valid cookie (dtls_listen, RFC 6347 §4.2.1): a spoofed source
 * can neither take a slot nor push anyone out. Then dtls_slots.h decides
 * whose slot it gets.
 */
static void accept_new_peer(struct dmstate *st, const struct kn_event *ev)
{
	struct session *s = st->s;
	struct slot_info v[DTLS_MAX_ASSOCS];
	struct dtls_assoc_config cfg;
	struct dtls_assoc *a = NULL;
	unsigned int events = 0;
	struct link tmp, *l;
	char addr[80];
	int i;

	memset(&tmp, 0, sizeof(tmp));
	tmp.used = true;
	tmp.st = st;
	tmp.peer = ev->remote;
	tmp.role = DTLS_ROLE_SERVER;
	if (s->role == ROLE_ANSWERER) {
		tmp.fps = st->offer_fps;
		tmp.have_fps = st->have_offer_fps;
	}
	cfg = assoc_config(&tmp, DTLS_ROLE_SERVER);
	switch (dtls_listen(st->eng, &cfg, ev->data, ev->len, &a, &events)) {
	case DTLS_LISTEN_ACCEPTED:
		break;
	case DTLS_LISTEN_ERROR:
		log_warn("dtls_listen failed", "session=%s", s->id);
		return;
	default:
		return;		/* a HelloVerifyRequest went out, or not a ClientHello */
	}
	slot_view(st, v);
	i = slots_pick(v, DTLS_MAX_ASSOCS, &ev->remote,
		       tmp.have_fps ? 0 : st->kd->cfg.dtls_unverified_per_source);
	if (i < 0) {
		log_info("DTLS ClientHello refused: every association slot holds a verified peer",
			 "session=%s peer=%s", s->id, link_addr(&tmp, addr, sizeof(addr)));
		dtls_assoc_free(a);
		return;
	}
	l = slot_take(st, i, v[i].kind == SLOT_UNVOUCHED &&
		      slots_same_host(&v[i].peer, &ev->remote) ?
		      "dtls_unverified_per_source reached by its address" :
		      "every slot was used: the oldest unverified peer makes room");
	*l = tmp;
	l->born = now_ms();
	dtls_assoc_set_send_ctx(a, l);	/* it was created pointing at tmp */
	l->a = a;
	log_info("DTLS handshake accepted", "session=%s role=server peer=%s", s->id,
		 link_addr(l, addr, sizeof(addr)));
	handle(l, events);
}

static void upcall(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct dmstate *st = state_of(s);
	struct link *l;
	unsigned int e;

	(void)kd;
	if (s->state == SS_FAILED || ev->cookie != s->cookie[0] ||
	    !dtls_is_dtls(ev->data, ev->len))
		return;
	if (s->has_remote && !same_addr(&s->remote, &ev->remote)) {
		log_debug("DTLS datagram from another address dropped", "session=%s", s->id);
		return;
	}
	l = link_find(st, &ev->remote);
	if (l) {
		if (l->failed)
			return;
		if (l->next_a) {
			l->hold = dtls_assoc_role(l->next_a) == DTLS_ROLE_SERVER;
			handle_next(l, dtls_input(l->next_a, ev->data, ev->len));
			flush_held(l, l->used && !l->failed);
			return;
		}
		if (!l->a) {
			/* installed without one: adopted after a restart, a rekey */
			if (l->role == DTLS_ROLE_SERVER || l->expect_hello)
				listen_on(l, ev, l->installed);
			return;
		}
		if (l->expect_hello && l->installed &&
		    dtls_is_client_hello(ev->data, ev->len)) {
			listen_on(l, ev, true);	/* the new association of a role change */
			return;
		}
		e = dtls_input(l->a, ev->data, ev->len);
		if ((e & DTLS_EV_NEW_HANDSHAKE) && l->role == DTLS_ROLE_SERVER && l->installed) {
			/* the client rekeys: a new association, the old keys stay */
			listen_on(l, ev, true);
			return;
		}
		if (e & DTLS_EV_NEW_HANDSHAKE)
			log_info("peer started a new DTLS handshake before this one was "
				 "verified; ignored", "session=%s", s->id);
		handle(l, e);
		return;
	}
	if (!accepts_new_peer(st) || !dtls_is_client_hello(ev->data, ev->len))
		return;
	accept_new_peer(st, ev);
}

/* Server links after a rekey: has the peer's new key authenticated a packet? */
static void rx_check(struct keyd *kd, struct session *s, uint64_t now)
{
	struct dmstate *st = state_of(s);
	struct kn_ctx_info *ci = NULL;
	size_t n = 0, i, j, k;
	bool need = false;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		need |= st->links[i].used && st->links[i].rx_old && !st->links[i].rx_retire_at &&
			st->links[i].rx_check_at && st->links[i].rx_check_at <= now;
	if (!need)
		return;
	if (kn_ctx_dump(&kd->kn, s->cookie[0], &ci, &n)) {
		n = 0;
		ci = NULL;
	}
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];
		bool used = false;

		if (!l->used || !l->rx_old || l->rx_retire_at || !l->rx_check_at ||
		    l->rx_check_at > now)
			continue;
		for (j = 0; j < n; j++) {
			if (ci[j].dir != KSRTP_DIR_RX || ci[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
			    !ci[j].has_remote || !same_addr(&ci[j].remote, &l->peer))
				continue;
			for (k = 0; k < ci[j].nkeys; k++)
				if (ci[j].keys[k].id == l->kid)
					used = ci[j].keys[k].srtp_packets +
					       ci[j].keys[k].srtcp_packets > 0;
		}
		if (!used) {
			l->rx_check_at = now + RX_CHECK_MS;
			continue;
		}
		l->rx_check_at = 0;
		l->rx_retire_at = now + kd->cfg.rx_key_grace_ms + 1;
		tx_switch(l, "the peer's new key is in use");
	}
	free(ci);
}

/* Unvouched peers older than dtls_unverified_timeout go (dtls_slots.h). */
static void expire_unvouched(struct dmstate *st, uint64_t now)
{
	uint64_t t = st->kd->cfg.dtls_unverified_timeout * 1000ULL;
	struct slot_info v[DTLS_MAX_ASSOCS];
	int i;

	if (!t || now < t)
		return;
	for (;;) {
		slot_view(st, v);
		i = slots_oldest_unvouched(v, DTLS_MAX_ASSOCS, now - t);
		if (i < 0)
			return;
		link_evict(&st->links[i], "dtls_unverified_timeout passed");
	}
}

static uint64_t dtls_timer(struct keyd *kd, struct session *s, uint64_t now)
{
	struct dmstate *st = state_of(s);
	size_t i;
	long t;

	if (s->state == SS_FAILED)
		return 0;
	rx_check(kd, s, now);
	expire_unvouched(st, now);
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || l->failed)
			continue;
		if (l->a && (t = dtls_next_timeout_ms(l->a)) == 0)
			handle(l, dtls_on_timeout(l->a));
		if (s->state == SS_FAILED)
			return 0;
		if (l->failed)
			continue;
		if (l->next_a && (t = dtls_next_timeout_ms(l->next_a)) == 0)
			handle_next(l, dtls_on_timeout(l->next_a));
		if (l->tx_switch_at && l->tx_switch_at <= now)
			tx_switch(l, "answer_rekey_delay_ms passed");
		if (l->rx_retire_at && l->rx_retire_at <= now)
			rx_drop_old(l);
		arm_link(l);
	}
	return 0;	/* arm_link() armed what is due next */
}

/* ---------------------------------------------------------------- rekey */

static int dtls_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st = state_of(s);
	struct json_object *arr, *peers;
	size_t i, started = 0, flips = 0;
	char addr[80];

	(void)kd;
	for (i = 0; i < DTLS_MAX_ASSOCS && !st->upcalls; i++)
		if (st->links[i].used && !st->links[i].failed && st->links[i].installed &&
		    st->links[i].restored)
			return op_fail(r, E_UNSUPPORTED, "associations adopted after a restart "
				       "cannot be rekeyed: their DTLS datagrams do not reach this "
				       "keyd (%s)", st->no_upcalls);
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || l->failed || !l->installed)
			continue;
		if (l->role == DTLS_ROLE_CLIENT && !l->restored) {
			if (rekey_client(l, r))
				return -1;
			started++;
		} else if (l->restored || !l->expect_hello) {
			/* (expect_hello: the peer's ClientHello is coming already) */
			l->flip_out = true;
			flips++;
		}
	}
	if (!started && !flips)
		return op_fail(r, E_STATE, "no DTLS association with keys to rekey");
	if (flips) {
		/*
		 * A server cannot start a handshake (no renegotiation): it
		 * re-offers with the roles swapped (RFC 5763 §6.6, a role change
		 * means a new association), to every peer it serves (forks: one
		 * re-offer per dialog, the same attributes); each passive answer
		 * makes us the client of that peer's new association. An
		 * association adopted after a restart does the same whatever its
		 * role: the re-offer carries this keyd's new certificate, which
		 * the peer must know first.
		 */
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		reply_attrs(s, r, SDP_SETUP_ACTIVE, SDP_OFFER);
		peers = json_object_new_array();
		for (i = 0; i < DTLS_MAX_ASSOCS; i++)
			if (st->links[i].used && !st->links[i].failed && st->links[i].flip_out)
				json_object_array_add(peers, json_object_new_string(
					link_addr(&st->links[i], addr, sizeof(addr))));
		json_object_object_add(r->reply, "peers", peers);
		json_object_object_add(r->reply, "handshakes",
				       json_object_new_int64((int64_t)started));
		return 0;
	}
	/* nothing to signal: same certificates, same roles, same transport */
	arr = json_object_new_array();
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string("none"));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	json_object_object_add(r->reply, "handshakes", json_object_new_int64((int64_t)started));
	return 0;
}

static void dtls_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct json_object *e;

	if (ev->type == KN_EV_UPCALL) {
		upcall(kd, s, ev);
		return;
	}
	if (ev->type != KN_EV_LIMIT || ev->dir != KSRTP_DIR_TX)
		return;
	e = proto_event("rekey_needed", s->id);
	if (!e)
		return;
	json_object_object_add(e, "reason", json_object_new_string("key lifetime"));
	json_object_object_add(e, "limit", json_object_new_string(
		ev->limit == KSRTP_LIMIT_HARD ? "hard" : "soft"));
	session_emit(kd, s, e);
}

/* ---------------------------------------------------------------- lifecycle */

static int dtls_init(struct keyd *kd, struct session *s, const struct request *req,
		     struct opres *r)
{
	struct dmstate *st;
	const struct dtls_profile_info *pi;
	char err[256];
	size_t i, j;

	(void)req;	/* dtls_verify is already in the session */

	if (!s->rtcp_mux)
		return op_fail(r, E_UNSUPPORTED, "the dtls method needs rtcp_mux (one socket)");
	st = calloc(1, sizeof(*st));
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
	st->eng = dident_get(kd, err, sizeof(err));
	if (!st->eng) {
		free(st);
		return op_fail(r, E_INTERNAL, "DTLS certificate: %s", err);
	}
	st->kd = kd;
	st->s = s;
	for (i = 0; i < s->nsuites; i++) {
		pi = dtls_profile_by_name(s->suites[i]->name);
		if (!pi)
			continue;
		for (j = 0; j < st->nprofiles && st->profiles[j] != pi->id; j++)
			;
		if (j == st->nprofiles && st->nprofiles < DTLS_PROFILE_MAX)
			st->profiles[st->nprofiles++] = pi->id;
	}
	if (!st->nprofiles) {
		dident_put(st->eng);
		free(st);
		return op_fail(r, E_NO_CRYPTO, "none of the session's suites is a DTLS-SRTP profile");
	}
	s->mstate = st;
	return 0;
}

static void dtls_release(struct session *s)
{
	struct dmstate *st = state_of(s);
	size_t i;

	for (i = 0; i < DTLS_MAX_ASSOCS; i++)
		if (st->links[i].used)
			link_release(&st->links[i]);
	dident_put(st->eng);	/* after its associations: they use it */
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	s->mstate = NULL;
}

static struct json_object *link_status(struct link *l)
{
	struct json_object *o = json_object_new_object();
	char addr[80];

	json_object_object_add(o, "peer", json_object_new_string(link_addr(l, addr, sizeof(addr))));
	json_object_object_add(o, "role", json_object_new_string(dtls_role_name(l->role)));
	json_object_object_add(o, "handshake", json_object_new_string(
		l->failed ? "failed" : l->a ? dtls_state_name(dtls_assoc_state(l->a)) :
		l->restored ? "adopted" : "none"));
	if (l->a)
		json_object_object_add(o, "verify", json_object_new_string(
			dtls_verify_name(dtls_assoc_verify_state(l->a))));
	if (l->suite)
		json_object_object_add(o, "suite", json_object_new_string(l->suite->name));
	if (l->peer_fp[0])
		json_object_object_add(o, "peer_fingerprint", json_object_new_string(l->peer_fp));
	json_object_object_add(o, "installed", json_object_new_boolean(l->installed));
	if (l->rx_only)
		json_object_object_add(o, "early_media", json_object_new_boolean(1));
	if (l->installed || l->rx_only)
		json_object_object_add(o, "key_id", json_object_new_int64(l->kid));
	if (l->flip_out)
		json_object_object_add(o, "reoffered", json_object_new_boolean(1));
	json_object_object_add(o, "rekeys", json_object_new_int64(l->rekeys));
	json_object_object_add(o, "rekeying", json_object_new_boolean(l->next_a != NULL));
	if (l->tx_pending)
		json_object_object_add(o, "tx_pending_key_id", json_object_new_int64(l->tx_pending));
	if (l->rx_old)
		json_object_object_add(o, "rx_old_key_id", json_object_new_int64(l->rx_old));
	if (l->a) {
		const struct dtls_stats *ds = dtls_assoc_stats(l->a);

		json_object_object_add(o, "rx_datagrams", json_object_new_uint64(ds->rx_datagrams));
		json_object_object_add(o, "tx_datagrams", json_object_new_uint64(ds->tx_datagrams));
		json_object_object_add(o, "retransmits", json_object_new_uint64(ds->retransmits));
	}
	if (l->failed)
		json_object_object_add(o, "reason", json_object_new_string(l->reason));
	return o;
}

static void dtls_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct dmstate *st = state_of(s);
	struct json_object *d = json_object_new_object(), *arr = json_object_new_array(), *lo;
	const struct link *p = primary(st);
	bool tx = false, rx = false;
	size_t i;

	(void)kd;
	json_object_object_add(d, "fingerprint",
			       json_object_new_string(dtls_engine_fingerprint(st->eng)));
	json_object_object_add(d, "dtls_verify",
			       json_object_new_string(verify_policy_name(s->dtls_verify)));
	if (st->have_role)
		json_object_object_add(d, "role", json_object_new_string(dtls_role_name(st->role)));
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used)
			continue;
		tx |= l->installed;
		rx |= l->installed || l->rx_only;
		lo = link_status(l);
		json_object_array_add(arr, lo);
		if (l != p)
			continue;
		/* the first association's fields, as before forking existed */
		json_object_object_foreach(lo, key, val) {
			if (!strcmp(key, "handshake") || !strcmp(key, "verify") ||
			    !strcmp(key, "peer") || !strcmp(key, "peer_fingerprint") ||
			    !strcmp(key, "rx_datagrams") || !strcmp(key, "tx_datagrams") ||
			    !strcmp(key, "retransmits"))
				json_object_object_add(d, key, json_object_get(val));
		}
	}
	if (!p)
		json_object_object_add(d, "handshake", json_object_new_string("none"));
	json_object_object_add(d, "associations", arr);
	json_object_object_add(out, "dtls", d);
	if (p && p->suite)
		json_object_object_add(out, "suite", json_object_new_string(p->suite->name));
	json_object_object_add(out, "tx", json_object_new_boolean(tx));
	json_object_object_add(out, "rx", json_object_new_boolean(rx));
}

/* ---------------------------------------------------------------- persistence */

static struct json_object *dtls_save(struct session *s)
{
	struct dmstate *st = state_of(s);
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *lo;
	char addr[80];
	size_t i;

	if (st->have_role)
		json_object_object_add(o, "role", json_object_new_string(dtls_role_name(st->role)));
	for (i = 0; i < DTLS_MAX_ASSOCS; i++) {
		struct link *l = &st->links[i];

		if (!l->used || !l->installed)
			continue;
		lo = json_object_new_object();
		json_object_object_add(lo, "peer", json_object_new_string(
			link_addr(l, addr, sizeof(addr))));
		json_object_object_add(lo, "role", json_object_new_string(dtls_role_name(l->role)));
		json_object_object_add(lo, "suite", json_object_new_string(l->suite->name));
		json_object_object_add(lo, "key_id", json_object_new_int64(l->kid));
		json_object_object_add(lo, "rekeys", json_object_new_int64(l->rekeys));
		if (l->peer_fp[0])
			json_object_object_add(lo, "peer_fingerprint",
					       json_object_new_string(l->peer_fp));
		json_object_array_add(arr, lo);
	}
	json_object_object_add(o, "associations", arr);
	return o;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/*
 * An adopted link's keys in the kernel: an RX key other than the active one
 * was being retired (a new grace period); a TX key a server's rekey added
 * but had not switched to yet is switched to answer_rekey_delay_ms later.
 */
static void restore_keys(struct link *l, const struct kn_ctx_info *ctxs, size_t n)
{
	uint64_t now = now_ms();
	size_t j, k;

	for (j = 0; j < n; j++) {
		const struct kn_ctx_info *c = &ctxs[j];

		if (!c->any || c->origin != KSRTP_CTX_ORIGIN_TEMPLATE || !c->has_remote ||
		    !same_addr(&c->remote, &l->peer))
			continue;
		for (k = 0; k < c->nkeys; k++) {
			if (c->keys[k].id == l->kid)
				continue;
			if (c->dir == KSRTP_DIR_RX && !l->rx_old) {
				l->rx_old = c->keys[k].id;
				l->rx_retire_at = now + l->st->kd->cfg.rx_key_grace_ms + 1;
				session_arm(l->st->s, l->rx_retire_at);
			} else if (c->dir == KSRTP_DIR_TX && c->keys[k].active &&
				   c->keys[k].id == l->kid - 1) {
				l->tx_pending = l->kid;
				l->tx_switch_at = now + l->st->kd->cfg.answer_rekey_delay_ms;
				session_arm(l->st->s, l->tx_switch_at);
			}
		}
	}
}

/*
 * The socket's upcalls went to the previous keyd's netlink socket: take them
 * over (sock-set), so adopted associations can be rekeyed and a new session
 * can run its handshake. Without it (an older module) they run on as they
 * are, and a rekey says why not.
 */
static void take_upcalls(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);
	int err;

	err = kn_take_upcalls(&kd->kn, s->cookie[0], KSRTP_UPCALL_DTLS);
	if (!err) {
		st->upcalls = true;
		log_info("DTLS upcalls taken over", "session=%s cookie=%llu", s->id,
			 (unsigned long long)s->cookie[0]);
		return;
	}
	snprintf(st->no_upcalls, sizeof(st->no_upcalls), "sock-set: %s%s%s", strerror(-err),
		 *kn_err(&kd->kn) ? ": " : "", kn_err(&kd->kn));
	log_warn("DTLS upcalls not taken over; adopted associations cannot be rekeyed",
		 "session=%s reason=%s", s->id, log_q(st->no_upcalls));
}

/*
 * A fork's templates that no adopted association owns: RX-only early media
 * from a peer whose certificate no answer verified yet. The handshake that
 * made them died with the previous keyd, so nothing could verify the peer
 * or remove them any more: they go now, with what they learned.
 */
static void drop_unadopted(struct keyd *kd, struct session *s,
			   const struct kn_ctx_info *ctxs, size_t n)
{
	struct dmstate *st = state_of(s);
	char a[INET6_ADDRSTRLEN + 8];
	struct kn_ctx c;
	size_t j;
	int err;

	for (j = 0; j < n; j++) {
		if (!ctxs[j].any || ctxs[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
		    !ctxs[j].has_remote || link_find(st, &ctxs[j].remote))
			continue;
		memset(&c, 0, sizeof(c));
		c.cookie = s->cookie[0];
		c.dir = ctxs[j].dir;
		c.has_remote = true;
		c.remote = ctxs[j].remote;
		err = kn_ctx_del(&kd->kn, &c);
		log_warn("unverified DTLS keys of a fork not adopted: removed",
			 "session=%s peer=%s dir=%s err=%s", s->id,
			 proto_format_addr(&ctxs[j].remote, a, sizeof(a)),
			 kn_dir_name(ctxs[j].dir), err ? log_q(strerror(-err)) : "none");
	}
}

/*
 * The associations (and the certificate) died with the previous keyd: a
 * secure session keeps each fork's kernel contexts and runs on; the DTLS
 * upcalls are taken over, so a rekey (a re-offer with the new certificate,
 * then a new handshake) works. A negotiation in progress cannot resume.
 */
static int dtls_restore(struct keyd *kd, struct session *s, struct json_object *saved,
			const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct opres r = { 0 };
	struct dmstate *st;
	struct json_object *arr = NULL, *lo, *kv;
	struct sockaddr_storage addr;
	socklen_t alen;
	const char *v;
	size_t i, j, nl;
	struct link *l;

	if (dtls_init(kd, s, NULL, &r)) {
		snprintf(why, whylen, "%s", r.msg);
		return -1;
	}
	st = state_of(s);
	if (s->state == SS_NEW || s->state == SS_SECURE)
		take_upcalls(kd, s);
	if (s->state != SS_SECURE) {
		/* nothing was verified: whatever is installed is early media */
		drop_unadopted(kd, s, ctxs, n);
		if (s->state == SS_NEW)
			return 0;
		snprintf(why, whylen, "the DTLS handshake was lost with the previous keyd; "
			 "delete the session and create a new one");
		return -1;
	}
	if ((v = jstr(saved, "role"))) {
		st->have_role = true;
		st->role = !strcmp(v, "client") ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
	}
	if (saved)
		json_object_object_get_ex(saved, "associations", &arr);
	nl = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < nl; i++) {
		bool tx = false, rx = false;

		lo = json_object_array_get_idx(arr, i);
		v = jstr(lo, "peer");
		if (!v || proto_parse_addr(v, &addr, &alen))
			continue;
		for (j = 0; j < n; j++) {
			if (!ctxs[j].any || ctxs[j].origin != KSRTP_CTX_ORIGIN_TEMPLATE ||
			    !ctxs[j].has_remote || !same_addr(&ctxs[j].remote, &addr))
				continue;
			tx |= ctxs[j].dir == KSRTP_DIR_TX;
			rx |= ctxs[j].dir == KSRTP_DIR_RX;
		}
		if (!tx || !rx)
			continue;
		v = jstr(lo, "role");
		l = link_alloc(st, &addr, v && !strcmp(v, "client") ? DTLS_ROLE_CLIENT :
								       DTLS_ROLE_SERVER);
		if (!l)
			break;
		l->installed = l->restored = true;
		v = jstr(lo, "suite");
		l->suite = v ? suite_by_name(v, strlen(v)) : NULL;
		if (json_object_object_get_ex(lo, "key_id", &kv))
			l->kid = (uint32_t)json_object_get_int64(kv);
		if (json_object_object_get_ex(lo, "rekeys", &kv))
			l->rekeys = (uint32_t)json_object_get_int64(kv);
		if ((v = jstr(lo, "peer_fingerprint"))) {
			const char *bad = NULL;

			snprintf(l->peer_fp, sizeof(l->peer_fp), "%s", v);
			/* what the next handshake verifies, until a re-offer says more */
			fp_set_init(&l->fps);
			l->have_fps = !fp_set_add_value(&l->fps, v, strlen(v), &bad);
		}
		if (l->suite) {
			const struct dtls_profile_info *pi = dtls_profile_by_name(l->suite->name);

			if (pi)
				l->profile = pi->id;
		}
		restore_keys(l, ctxs, n);
	}
	drop_unadopted(kd, s, ctxs, n);
	if (!links_alive(st)) {
		snprintf(why, whylen, "the kernel has no TX and RX templates for the session's "
			 "DTLS associations");
		return -1;
	}
	return 0;
}

const struct method dtls_method = {
	.name = "dtls",
	.pfs = true,
	.forks = true,
	.upcall = KSRTP_UPCALL_DTLS,
	.req_fields = REQF_DTLS_VERIFY,
	.init = dtls_init,
	.release = dtls_release,
	.local_attributes = dtls_local,
	.remote_attributes = dtls_remote,
	.rekey = dtls_rekey,
	.status = dtls_status,
	.timer = dtls_timer,
	.kernel_event = dtls_kernel_event,
	.teardown = dtls_teardown,
	.save = dtls_save,
	.restore = dtls_restore,
};
