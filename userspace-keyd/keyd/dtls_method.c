// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP method (RFC 5763, RFC 5764): no keys in the SDP, only our
 * certificate's a=fingerprint and the a=setup role. The media socket is
 * attached with the "dtls" upcall: the kernel hands every DTLS datagram it
 * receives to keyd, and keyd answers through sock-send from the same
 * socket. Once the handshake is done and the peer's certificate matched the
 * fingerprint it signalled, the exported keys go into one TX and one RX
 * any-SSRC template (TX = our write key: client_write as the client,
 * server_write as the server).
 *
 * One certificate per daemon (generated at the first DTLS session, never
 * written to disk), one association per session; RTCP must be muxed.
 * Roles: an offer says actpass; until the answer comes we accept a
 * ClientHello as the server (RFC 5763 §5). An answerer prefers active (it
 * starts the handshake at once) when it knows the peer's address, else
 * passive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "dtls.h"
#include "fingerprint.h"
#include "log.h"
#include "session.h"

struct dmstate {
	struct keyd *kd;
	struct session *s;
	struct dtls_assoc *a;
	enum dtls_profile profiles[DTLS_PROFILE_MAX];
	size_t nprofiles;
	enum sdp_setup local_setup, remote_setup;
	bool have_role;
	enum dtls_role role;
	bool have_fps;
	struct fp_set fps;		/* the peer's a=fingerprint values */
	bool has_peer;			/* where DTLS datagrams go */
	struct sockaddr_storage peer;
	const struct suite *suite;
	bool tx_installed, rx_installed;
	char peer_fp[FP_STR_MAX];	/* the peer certificate's, once verified */
};

static struct dtls_engine *engine;

static struct dmstate *state_of(struct session *s)
{
	return s->mstate;
}

static int get_engine(struct opres *r)
{
	struct dtls_cert *cert;
	char err[256];

	if (engine)
		return 0;
	cert = dtls_cert_generate(NULL, 0, err, sizeof(err));
	if (!cert)
		return op_fail(r, E_INTERNAL, "DTLS certificate: %s", err);
	engine = dtls_engine_new(&(struct dtls_engine_config){ .cert = cert }, err, sizeof(err));
	dtls_cert_free(cert);
	if (!engine)
		return op_fail(r, E_INTERNAL, "DTLS engine: %s", err);
	log_info("DTLS certificate generated", "fingerprint=%s",
		 log_q(dtls_engine_fingerprint(engine)));
	return 0;
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

/* ---------------------------------------------------------------- kernel */

static void ctx_del(struct keyd *kd, struct session *s, uint32_t dir)
{
	struct kn_ctx c;
	int err;

	session_ctx_name(s, 0, dir, &c);
	err = kn_ctx_del(&kd->kn, &c);
	if (err && err != -ENOENT)
		log_warn("ctx-del failed", "session=%s dir=%s err=%s extack=%s", s->id,
			 kn_dir_name(dir), log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
}

static void dtls_teardown(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);

	if (st->tx_installed)
		ctx_del(kd, s, KSRTP_DIR_TX);
	if (st->rx_installed)
		ctx_del(kd, s, KSRTP_DIR_RX);
	st->tx_installed = st->rx_installed = false;
}

static void free_assoc(struct dmstate *st, bool close)
{
	if (!st->a)
		return;
	if (close)
		dtls_assoc_close(st->a);
	dtls_assoc_free(st->a);
	st->a = NULL;
}

/* The association failed or the peer closed it: nothing stays installed. */
static void fail(struct keyd *kd, struct session *s, const char *why)
{
	struct dmstate *st = state_of(s);
	struct json_object *ev;

	if (s->state == SS_FAILED)
		return;
	dtls_teardown(kd, s);
	free_assoc(st, true);
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

static int install(struct keyd *kd, struct session *s, char *why, size_t whylen)
{
	struct dmstate *st = state_of(s);
	struct dtls_srtp_keys k;
	struct kn_ctx_params p = { 0 };
	struct kn_key kk = { .id = 1 };
	struct kn_ctx c;
	struct fingerprint fp;
	const char *reason = NULL;
	int err;

	if (dtls_assoc_get_keys(st->a, &k, false, &reason)) {
		snprintf(why, whylen, "no DTLS-SRTP keys: %s", reason ? reason : "?");
		return -1;
	}
	st->suite = suite_by_name(k.suite, strlen(k.suite));
	if (!st->suite || !(kd->kn.suites & suite_bit(st->suite)) ||
	    suite_keysalt_len(st->suite) != (unsigned int)(k.key_len + k.salt_len)) {
		dtls_srtp_keys_wipe(&k);
		snprintf(why, whylen, "negotiated profile %s has no usable kernel suite",
			 k.profile_name);
		return -1;
	}
	/* the RX template only takes packets from the DTLS peer (RFC 5763 §6.3) */
	if (!s->has_remote && st->has_peer) {
		s->has_remote = true;
		s->remote = st->peer;
	}
	p.suite = st->suite->id;
	kk.key_len = k.key_len;
	kk.salt_len = k.salt_len;
	kk.key = k.tx;
	kk.salt = k.tx + k.key_len;
	session_ctx_name(s, 0, KSRTP_DIR_TX, &c);
	err = kn_ctx_new(&kd->kn, &c, &p, &kk);
	if (err) {
		dtls_srtp_keys_wipe(&k);
		snprintf(why, whylen, "TX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	st->tx_installed = true;
	p.window = kd->cfg.window;
	kk.key = k.rx;
	kk.salt = k.rx + k.key_len;
	session_ctx_name(s, 0, KSRTP_DIR_RX, &c);
	err = kn_ctx_new(&kd->kn, &c, &p, &kk);
	dtls_srtp_keys_wipe(&k);
	if (err) {
		snprintf(why, whylen, "RX ctx-new: %s: %s", strerror(-err), kn_err(&kd->kn));
		return -1;
	}
	st->rx_installed = true;
	if (!dtls_assoc_peer_fingerprint(st->a, fp_set_best_hash(&st->fps), &fp))
		fp_format(&fp, st->peer_fp, sizeof(st->peer_fp));
	return 0;
}

static void emit_secure(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);
	struct json_object *ev = proto_event("secure", s->id);

	log_info("session secure", "session=%s suite=%s role=%s peer_fingerprint=%s", s->id,
		 st->suite->name, dtls_role_name(st->role), log_q(st->peer_fp));
	if (!ev)
		return;
	json_object_object_add(ev, "method", json_object_new_string("dtls"));
	json_object_object_add(ev, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(ev, "fingerprint", json_object_new_string(st->peer_fp));
	json_object_object_add(ev, "role", json_object_new_string(dtls_role_name(st->role)));
	json_object_object_add(ev, "verified", json_object_new_boolean(s->verified));
	json_object_object_add(ev, "pfs", json_object_new_boolean(1));
	session_emit(kd, s, ev);
}

/* What dtls_* returned; may fail the session. */
static void handle(struct keyd *kd, struct session *s, unsigned int ev)
{
	struct dmstate *st = state_of(s);
	char why[256];
	long t;

	if (!st->a || s->state == SS_FAILED)
		return;
	if (ev & DTLS_EV_FAILED) {
		snprintf(why, sizeof(why), "DTLS: %s", dtls_assoc_error(st->a));
		fail(kd, s, why);
		return;
	}
	if (ev & DTLS_EV_CLOSED) {
		fail(kd, s, "DTLS: the peer closed the association");
		return;
	}
	if (ev & DTLS_EV_NEW_HANDSHAKE)
		log_info("peer started a new DTLS handshake; ignored", "session=%s", s->id);
	if (!st->tx_installed && dtls_assoc_state(st->a) == DTLS_STATE_CONNECTED &&
	    dtls_assoc_verify_state(st->a) == DTLS_VERIFY_OK) {
		if (!st->have_role) {
			st->have_role = true;
			st->role = dtls_assoc_role(st->a);
		}
		if (install(kd, s, why, sizeof(why))) {
			fail(kd, s, why);
			return;
		}
		s->state = SS_SECURE;
		session_changed(s);
		emit_secure(kd, s);
	}
	t = st->a ? dtls_next_timeout_ms(st->a) : -1;
	if (t >= 0)
		session_arm(s, now_ms() + (uint64_t)t);
}

/* ---------------------------------------------------------------- associations */

static int send_cb(void *ctx, const uint8_t *data, size_t len)
{
	struct dmstate *st = ctx;
	int err;

	if (!st->has_peer)
		return -1;
	err = kn_sock_send(&st->kd->kn, st->s->cookie[0], &st->peer, data, len);
	if (err) {
		log_debug("sock-send failed", "session=%s err=%s extack=%s", st->s->id,
			  log_q(strerror(-err)), log_q(kn_err(&st->kd->kn)));
		return -1;
	}
	return 0;
}

static struct dtls_assoc_config assoc_config(struct dmstate *st, enum dtls_role role)
{
	return (struct dtls_assoc_config){
		.role = role, .send = send_cb, .send_ctx = st,
		.peer_addr = st->has_peer ? (const void *)&st->peer : NULL,
		.peer_addr_len = st->has_peer ? addr_len(&st->peer) : 0,
		.peer_fps = st->have_fps ? &st->fps : NULL,
		.profiles = st->profiles, .n_profiles = st->nprofiles,
	};
}

/* We are the client: start the handshake now. */
static int start_client(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st = state_of(s);
	struct dtls_assoc_config cfg;
	char err[256];

	free_assoc(st, false);
	if (!st->has_peer)
		return op_fail(r, E_BAD_REQUEST,
			       "we are the DTLS client but the peer's address is unknown: "
			       "pass \"remote\"");
	cfg = assoc_config(st, DTLS_ROLE_CLIENT);
	st->a = dtls_assoc_new(engine, &cfg, err, sizeof(err));
	if (!st->a)
		return op_fail(r, E_INTERNAL, "DTLS association: %s", err);
	log_info("DTLS handshake started", "session=%s role=client", s->id);
	handle(kd, s, dtls_assoc_start(st->a));
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

	snprintf(line, sizeof(line), "a=fingerprint:%s", dtls_engine_fingerprint(engine));
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
	bool first;

	if (s->exch == EX_REMOTE_OFFER) {
		first = !st->have_role;
		if (first) {
			/* active starts the handshake at once; it needs the peer's address */
			st->local_setup = setup_answer(st->remote_setup,
						       st->has_peer ? SDP_SETUP_ACTIVE :
								      SDP_SETUP_PASSIVE);
			if (dtls_role_resolve(false, st->local_setup, st->remote_setup,
					      &st->role, &why))
				return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
			st->have_role = true;
		}
		s->exch = EX_NONE;
		session_changed(s);
		reply_attrs(s, r, role_setup(st), SDP_ANSWER);
		if (first && st->role == DTLS_ROLE_CLIENT && start_client(kd, s, r))
			return -1;
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
	return op_fail(r, E_STATE, "no attributes to produce in state %s (DTLS handshake %s)",
		       session_state_name(s->state),
		       st->a ? dtls_state_name(dtls_assoc_state(st->a)) : "not started");
}

/* New peer fingerprints for an existing association (re-offer, late answer). */
static void set_fps(struct keyd *kd, struct session *s)
{
	struct dmstate *st = state_of(s);

	if (st->a)
		handle(kd, s, dtls_assoc_set_peer_fingerprints(st->a, &st->fps));
}

static int dtls_remote(struct keyd *kd, struct session *s, const struct request *req,
		       enum sdp_type type, struct opres *r)
{
	struct dmstate *st = state_of(s);
	struct fp_set fps;
	enum sdp_setup setup;
	const char *why = NULL;

	if (parse_attrs(req, &fps, &setup, r))
		return -1;
	if (s->has_remote && !st->has_peer) {
		st->peer = s->remote;
		st->has_peer = true;
	}
	st->fps = fps;
	st->have_fps = true;
	if (type == SDP_OFFER) {
		if (s->state == SS_NEW) {
			st->remote_setup = setup;
			s->state = SS_ANSWERING;
		} else {
			set_fps(kd, s);
		}
		s->exch = EX_REMOTE_OFFER;
	} else if (s->state == SS_OFFERED && !st->have_role) {
		if (dtls_role_resolve(true, SDP_SETUP_ACTPASS, setup, &st->role, &why))
			return op_fail(r, E_NO_CRYPTO, "a=setup: %s", why);
		st->remote_setup = setup;
		st->have_role = true;
		s->exch = EX_NONE;
		if (st->role == DTLS_ROLE_CLIENT) {
			if (start_client(kd, s, r))
				return -1;
		} else {
			/* a ClientHello may have come before the answer */
			set_fps(kd, s);
		}
	} else {
		s->exch = EX_NONE;
		set_fps(kd, s);
	}
	session_changed(s);
	if (s->state == SS_FAILED)
		return op_fail(r, E_NO_CRYPTO, "%s", s->fail_reason);
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (st->have_role)
		json_object_object_add(r->reply, "role",
				       json_object_new_string(dtls_role_name(st->role)));
	if (st->suite)
		json_object_object_add(r->reply, "suite", json_object_new_string(st->suite->name));
	return 0;
}

/* ---------------------------------------------------------------- upcalls, timers */

static void upcall(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct dmstate *st = state_of(s);
	struct dtls_assoc_config cfg;
	struct dtls_assoc *a = NULL;
	unsigned int events = 0;

	if (s->state == SS_FAILED || ev->cookie != s->cookie[0] ||
	    !dtls_is_dtls(ev->data, ev->len))
		return;
	if (s->has_remote && !same_addr(&s->remote, &ev->remote)) {
		log_debug("DTLS datagram from another address dropped", "session=%s", s->id);
		return;
	}
	if (st->a) {
		if (st->has_peer && !same_addr(&st->peer, &ev->remote))
			return;
		handle(kd, s, dtls_input(st->a, ev->data, ev->len));
		return;
	}
	/* no association: a server (or an offerer without answer) takes a ClientHello */
	if ((st->have_role && st->role != DTLS_ROLE_SERVER) ||
	    (!st->have_role && s->state != SS_OFFERED))
		return;
	st->peer = ev->remote;
	st->has_peer = true;
	cfg = assoc_config(st, DTLS_ROLE_SERVER);
	switch (dtls_listen(engine, &cfg, ev->data, ev->len, &a, &events)) {
	case DTLS_LISTEN_ACCEPTED:
		st->a = a;
		log_info("DTLS handshake accepted", "session=%s role=server", s->id);
		handle(kd, s, events);
		break;
	case DTLS_LISTEN_ERROR:
		log_warn("dtls_listen failed", "session=%s", s->id);
		break;
	default:
		break;
	}
}

static void dtls_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	if (ev->type == KN_EV_UPCALL)
		upcall(kd, s, ev);
	else if (ev->type == KN_EV_LIMIT && ev->dir == KSRTP_DIR_TX)
		log_warn("key limit reached; DTLS rekeying is not implemented",
			 "session=%s limit=%s", s->id,
			 ev->limit == KSRTP_LIMIT_HARD ? "hard" : "soft");
}

static uint64_t dtls_timer(struct keyd *kd, struct session *s, uint64_t now)
{
	struct dmstate *st = state_of(s);
	long t;

	if (!st->a || s->state == SS_FAILED)
		return 0;
	t = dtls_next_timeout_ms(st->a);
	if (t < 0)
		return 0;
	if (t == 0) {
		handle(kd, s, dtls_on_timeout(st->a));
		if (!st->a || s->state == SS_FAILED)
			return 0;
		t = dtls_next_timeout_ms(st->a);
		if (t < 0)
			return 0;
	}
	return now + (uint64_t)(t ? t : 1);
}

/* ---------------------------------------------------------------- lifecycle */

static int dtls_init(struct keyd *kd, struct session *s, struct opres *r)
{
	struct dmstate *st;
	const struct dtls_profile_info *pi;
	size_t i, j;

	if (!s->rtcp_mux)
		return op_fail(r, E_UNSUPPORTED, "the dtls method needs rtcp_mux (one socket)");
	if (get_engine(r))
		return -1;
	st = calloc(1, sizeof(*st));
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
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
		free(st);
		return op_fail(r, E_NO_CRYPTO, "none of the session's suites is a DTLS-SRTP profile");
	}
	if (s->has_remote) {
		st->peer = s->remote;
		st->has_peer = true;
	}
	s->mstate = st;
	return 0;
}

static void dtls_release(struct session *s)
{
	struct dmstate *st = state_of(s);

	free_assoc(st, false);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	s->mstate = NULL;
}

static int dtls_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	(void)kd;
	(void)s;
	return op_fail(r, E_UNSUPPORTED, "rekeying a DTLS-SRTP session is not implemented");
}

static void dtls_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct dmstate *st = state_of(s);
	struct json_object *d = json_object_new_object();
	char addr[80];

	(void)kd;
	json_object_object_add(d, "fingerprint",
			       json_object_new_string(dtls_engine_fingerprint(engine)));
	if (st->have_role)
		json_object_object_add(d, "role", json_object_new_string(dtls_role_name(st->role)));
	json_object_object_add(d, "handshake", json_object_new_string(
		st->a ? dtls_state_name(dtls_assoc_state(st->a)) : "none"));
	if (st->a)
		json_object_object_add(d, "verify", json_object_new_string(
			dtls_verify_name(dtls_assoc_verify_state(st->a))));
	if (st->has_peer)
		json_object_object_add(d, "peer", json_object_new_string(
			proto_format_addr(&st->peer, addr, sizeof(addr))));
	if (st->peer_fp[0])
		json_object_object_add(d, "peer_fingerprint", json_object_new_string(st->peer_fp));
	if (st->a) {
		const struct dtls_stats *ds = dtls_assoc_stats(st->a);

		json_object_object_add(d, "rx_datagrams", json_object_new_uint64(ds->rx_datagrams));
		json_object_object_add(d, "tx_datagrams", json_object_new_uint64(ds->tx_datagrams));
		json_object_object_add(d, "retransmits", json_object_new_uint64(ds->retransmits));
	}
	json_object_object_add(out, "dtls", d);
	if (st->suite)
		json_object_object_add(out, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(out, "tx", json_object_new_boolean(st->tx_installed));
	json_object_object_add(out, "rx", json_object_new_boolean(st->rx_installed));
}

/* ---------------------------------------------------------------- persistence */

static struct json_object *dtls_save(struct session *s)
{
	struct dmstate *st = state_of(s);
	struct json_object *o = json_object_new_object();

	if (st->suite)
		json_object_object_add(o, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(o, "tx_installed", json_object_new_boolean(st->tx_installed));
	json_object_object_add(o, "rx_installed", json_object_new_boolean(st->rx_installed));
	if (st->have_role)
		json_object_object_add(o, "role", json_object_new_string(dtls_role_name(st->role)));
	if (st->peer_fp[0])
		json_object_object_add(o, "peer_fingerprint", json_object_new_string(st->peer_fp));
	return o;
}

/*
 * The association (and the certificate) died with the previous keyd: a
 * secure session keeps its kernel contexts and runs on without DTLS; a
 * negotiation in progress cannot resume.
 */
static int dtls_restore(struct keyd *kd, struct session *s, struct json_object *saved,
			const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct opres r = { 0 };
	struct dmstate *st;
	struct json_object *v;
	bool tx = false, rx = false;
	size_t i;

	if (dtls_init(kd, s, &r)) {
		snprintf(why, whylen, "%s", r.msg);
		return -1;
	}
	st = state_of(s);
	if (s->state == SS_NEW)
		return 0;
	if (s->state != SS_SECURE) {
		snprintf(why, whylen, "the DTLS handshake was lost with the previous keyd; "
			 "delete the session and create a new one");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!ctxs[i].any || ctxs[i].origin != KSRTP_CTX_ORIGIN_TEMPLATE)
			continue;
		tx |= ctxs[i].dir == KSRTP_DIR_TX;
		rx |= ctxs[i].dir == KSRTP_DIR_RX;
	}
	if (!tx || !rx) {
		snprintf(why, whylen, "the kernel has no TX and RX templates for the session");
		return -1;
	}
	st->tx_installed = st->rx_installed = true;
	if (saved && json_object_object_get_ex(saved, "suite", &v))
		st->suite = suite_by_name(json_object_get_string(v),
					  (size_t)json_object_get_string_len(v));
	if (saved && json_object_object_get_ex(saved, "role", &v)) {
		st->have_role = true;
		st->role = !strcmp(json_object_get_string(v), "client") ? DTLS_ROLE_CLIENT :
									  DTLS_ROLE_SERVER;
	}
	if (saved && json_object_object_get_ex(saved, "peer_fingerprint", &v))
		snprintf(st->peer_fp, sizeof(st->peer_fp), "%s", json_object_get_string(v));
	return 0;
}

const struct method dtls_method = {
	.name = "dtls",
	.pfs = true,
	.upcall = KSRTP_UPCALL_DTLS,
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
