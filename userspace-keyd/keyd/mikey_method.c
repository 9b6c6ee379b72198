// SPDX-License-Identifier: GPL-2.0
/*
 * The mikey method: every mode of mikey_modes.c (PSK, NULL, DHHMAC, PK,
 * RSA-R, DH-SIGN; create's "mikey_mode") carried in SDP as
 * a=key-mgmt:mikey <base64> (RFC 4567). The offerer is the MIKEY initiator:
 * its I_MESSAGE keys every crypto session of the CS ID map (its own SSRCs,
 * then the peer's it was told), and always sets the V flag, so the answer
 * carries the R_MESSAGE (or an error message). The engines (mikey_psk.c,
 * mikey_dhhmac.c, mikey_pk.c) do the messages; this file the control API's flow,
 * mikey_ctx.c the kernel. A rekey is a new exchange: new CSB ID, RAND and
 * TGK. A responder takes the mode the I_MESSAGE's data type names, and the
 * call keeps it for its rekeys. Where the initiator learns its keys only from
 * the answer (DHHMAC, DH-SIGN, RSA-R), its rekey installs them there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "b64.h"
#include "harden.h"
#include "log.h"
#include "mikey_method.h"
#include "mikey_pki.h"
#include "mikey_pskfile.h"

#define ATTR_PREFIX "a=key-mgmt:mikey "

/*
 * Messages already accepted, for every session: a replay is refused
 * anywhere. Kept in the state directory across restarts; if that copy
 * cannot be read, offers are refused until a clock-skew window has passed
 * (RFC 3830 §5.4: a host that lost track of what it accepted).
 */
static struct mikey_replay replay_cache;
static bool replay_loaded;
static uint64_t replay_hold_until;	/* ms */

/* What a mode needs from keyd's configuration; 0, or -1 with r. */
static int mode_configured(struct keyd *kd, const struct mikey_mode *md, bool any,
			   struct opres *r)
{
	bool psk = kd->cfg.mikey_psk_file[0];
	bool cert = kd->cfg.mikey_cert[0] && kd->cfg.mikey_key[0] && kd->cfg.mikey_ca[0];

	if (md == &mikey_mode_null && !kd->cfg.allow_insecure_signalling)
		return op_fail(r, E_INSECURE, "MIKEY-NULL sends the keys in clear: it needs "
			       "allow_insecure_signalling = yes");
	if (any && !psk && !cert)	/* no mode asked: an answerer takes the offer's */
		return op_fail(r, E_UNSUPPORTED, "MIKEY needs mikey_psk_file, or mikey_cert, "
			       "mikey_key and mikey_ca, in keyd's configuration (or "
			       "\"mikey_mode\": \"null\")");
	if (!any && md->cred == MIKEY_CRED_PSK && !psk)
		return op_fail(r, E_UNSUPPORTED, "%s needs mikey_psk_file in keyd's "
			       "configuration", md->title);
	if (!any && md->cred == MIKEY_CRED_CERT && !cert)
		return op_fail(r, E_UNSUPPORTED, "%s needs mikey_cert, mikey_key and mikey_ca in "
			       "keyd's configuration", md->title);
	return 0;
}

static int mikey_init(struct keyd *kd, struct session *s, const struct request *req,
		      struct opres *r)
{
	struct mikey_state *st;
	const char *name = req && req->mikey_mode ? req->mikey_mode : "psk";
	const struct mikey_mode *md = mikey_mode_by_name(name);

	if (!md)
		return op_fail(r, E_BAD_REQUEST, "mikey_mode: expected one of %s",
			       PROTO_MIKEY_MODES);
	if (req && mode_configured(kd, md, !req->mikey_mode, r))
		return -1;
	if (req && req->nssrcs + req->nremote_ssrcs > MIKEY_PSK_MAX_CS)
		return op_fail(r, E_BAD_REQUEST, "at most %d SSRCs in all", MIKEY_PSK_MAX_CS);
	st = keyd_secret_alloc(sizeof(*st));
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
	st->mode = md;
	s->pfs = md->pfs;
	if (md == &mikey_mode_null)	/* the keys cross the signalling in clear */
		s->verified = false;
	if (req && req->mikey_peer)
		snprintf(st->peer_id, sizeof(st->peer_id), "%s", req->mikey_peer);
	st->next_kid = 1;
	if (req) {
		memcpy(st->ours, req->ssrcs, sizeof(st->ours));
		st->nours = req->nssrcs;
		memcpy(st->theirs, req->remote_ssrcs, sizeof(st->theirs));
		st->ntheirs = req->nremote_ssrcs;
		st->roc = req->roc;
	}
	s->mstate = st;
	return 0;
}

static void mikey_release(struct session *s)
{
	keyd_secret_free(s->mstate, sizeof(struct mikey_state));
	s->mstate = NULL;
}

/* ---------------------------------------------------------------- helpers */

static void reply_attr(struct session *s, struct opres *r, const uint8_t *msg, size_t len,
		       enum sdp_type type)
{
	struct json_object *arr = json_object_new_array();
	char buf[sizeof(ATTR_PREFIX) + B64_ENCODED_LEN(MIKEY_PSK_MAX_MSG) + 1];
	size_t n = strlen(ATTR_PREFIX);

	if (len) {
		memcpy(buf, ATTR_PREFIX, n);
		n += b64_encode(msg, len, buf + n, sizeof(buf) - n);
		json_object_array_add(arr, json_object_new_string_len(buf, (int)n));
	}
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string(sdp_type_name(type)));
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
}

/* The PSK file, loaded for each exchange (so an edit needs no restart). */
static int load_psks(struct keyd *kd, struct pskfile *pf, struct opres *r)
{
	char err[300];

	memset(pf, 0, sizeof(*pf));
	if (pskfile_load(pf, kd->cfg.mikey_psk_file, err, sizeof(err))) {
		pskfile_wipe(pf);
		return op_fail(r, E_NO_CRYPTO, "mikey_psk_file %s", err);
	}
	return 0;
}

static struct mikey_policy policy(struct keyd *kd, struct session *s)
{
	struct mikey_state *st = mk_state(s);
	/* a rekey keeps the session's KDR and MKI length, whoever offered it; its
	 * MKI is the next one after the newest key's
	 */
	struct mikey_policy p = { .allow_insecure = st->mode == &mikey_mode_null,
				  .now = mikey_ntp_now(), .skew = kd->cfg.mikey_clock_skew,
				  .kdr = st->nctx ? st->kdr : kd->cfg.mikey_kdr,
				  .mki_len = (uint8_t)(st->nctx ? st->mki_len : s->mki_len),
				  .mki = st->nctx ? st->mki + 1 : 1,
				  .dh_group = (uint8_t)kd->cfg.mikey_dh_group,
				  .kemac_kw = kd->cfg.mikey_kemac_kw };
	size_t i;

	for (i = 0; i < s->nsuites; i++)
		p.suites_ok |= suite_bit(s->suites[i]);
	return p;
}

static int refused(struct session *s, struct opres *r, const struct mikey_fail *f,
		   const char *what)
{
	struct mikey_state *st = mk_state(s);

	st->refusals++;
	snprintf(st->last_error, sizeof(st->last_error), "%s: %s (%u): %s", what,
		 mikey_err_name(f->err_no), f->err_no, f->why);
	log_info("MIKEY exchange refused", "session=%s what=%s err=%u why=%s", s->id, what,
		 f->err_no, log_q(f->why));
	session_changed(s);
	return op_fail(r, E_NO_CRYPTO, "%s: MIKEY error %s (%u)%s: %s", what,
		       mikey_err_name(f->err_no), f->err_no,
		       f->remote ? (f->authentic ? ", authenticated" : ", unauthenticated") : "",
		       f->why);
}

static void emit(struct keyd *kd, struct session *s, const char *name, const char *dir)
{
	struct mikey_state *st = mk_state(s);
	struct json_object *ev = proto_event(name, s->id);

	if (!ev)
		return;
	if (dir) {
		json_object_object_add(ev, "direction", json_object_new_string(dir));
	} else {
		json_object_object_add(ev, "method", json_object_new_string("mikey"));
		json_object_object_add(ev, "suite", json_object_new_string(st->suite->name));
		json_object_object_add(ev, "verified",
				       json_object_new_boolean(st->mode != &mikey_mode_null));
		json_object_object_add(ev, "pfs", json_object_new_boolean(st->mode->pfs));
	}
	session_emit(kd, s, ev);
}

/* ---------------------------------------------------------------- initiator */

/* The first suite we offer that a MIKEY SP can name (no GCM). */
static const struct suite *offer_suite(struct session *s)
{
	size_t i;

	for (i = 0; i < s->noffer_suites; i++)
		if (!s->offer_suites[i]->aead)
			return s->offer_suites[i];
	return NULL;
}

/*
 * The initiator's PSK: the key of the peer's identity when the session
 * knows it (mikey_peer_identity, or the IDi of the peer's last offer), else
 * our own identity's ("-" without one).
 */
static int initiator_psk(struct keyd *kd, struct mikey_state *st, struct pskfile *pf,
			 struct mikey_policy *pol, struct opres *r)
{
	const char *who = st->peer_id[0] ? st->peer_id : kd->cfg.mikey_identity;

	if (load_psks(kd, pf, r))
		return -1;
	if (!pskfile_lookup(pf, (const uint8_t *)who, strlen(who), &pol->psk, &pol->psk_len))
		return 0;
	pskfile_wipe(pf);
	return op_fail(r, E_NO_CRYPTO, "mikey_psk_file has no key for %s identity \"%s\"",
		       st->peer_id[0] ? "the peer's" : "our", who[0] ? who : "-");
}

/*
 * Our certificate, key, trust anchors and peers' certificates, loaded for
 * each exchange (so a renewed certificate needs no restart).
 */
static int load_pki(struct keyd *kd, struct mikey_pki **pki, struct opres *r)
{
	const struct config *c = &kd->cfg;
	struct mikey_pki_cfg pc = { c->mikey_cert, c->mikey_key, c->mikey_ca,
				    c->mikey_peer_certs, c->mikey_sign_pss };
	char err[300];

	*pki = mikey_pki_load(&pc, err, sizeof(err));
	if (!*pki)
		return op_fail(r, E_NO_CRYPTO, "MIKEY certificates: %s", err);
	if (c->mikey_identity[0] && !mikey_pki_is_ours(*pki, c->mikey_identity)) {
		mikey_pki_free(*pki);
		*pki = NULL;
		return op_fail(r, E_NO_CRYPTO, "mikey_cert %s does not name mikey_identity \"%s\" "
			       "(as a subjectAltName URI or email)", c->mikey_cert,
			       c->mikey_identity);
	}
	return 0;
}

/* The credentials md needs into pol (PSK: held in pf); 0 or -1 with r. */
static int credentials(struct keyd *kd, struct mikey_state *st, const struct mikey_mode *md,
		       struct pskfile *pf, struct mikey_pki **pki, struct mikey_policy *pol,
		       bool initiator, struct opres *r)
{
	memset(pf, 0, sizeof(*pf));
	*pki = NULL;
	if (md->cred == MIKEY_CRED_PSK)
		return initiator ? initiator_psk(kd, st, pf, pol, r) : load_psks(kd, pf, r);
	if (md->cred == MIKEY_CRED_CERT && load_pki(kd, pki, r))
		return -1;
	pol->pki = *pki;
	return 0;
}

static void credentials_drop(struct pskfile *pf, struct mikey_pki *pki)
{
	pskfile_wipe(pf);
	mikey_pki_free(pki);
}

static int initiate(struct keyd *kd, struct session *s, struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	struct mikey_offer_cs cs[MIKEY_PSK_MAX_CS];
	struct mikey_policy pol = policy(kd, s);
	struct mikey_ids ids = { .id_i = kd->cfg.mikey_identity[0] ? kd->cfg.mikey_identity : NULL,
				 .id_r = st->peer_id[0] ? st->peer_id : NULL };
	const struct suite *su = st->suite ? st->suite : offer_suite(s);
	struct mikey_fail f = { 0 };
	struct mikey_pki *pki;
	struct pskfile pf;
	size_t i, n = 0;

	if (!su)
		return op_fail(r, E_NO_CRYPTO, "no offered suite a MIKEY policy can carry "
			       "(AES-CM or NULL with HMAC-SHA1)");
	if (!st->nctx && !st->nours && !st->ntheirs)
		return op_fail(r, E_BAD_REQUEST, "MIKEY keys streams by SSRC: create the session "
			       "with \"ssrcs\" (ours) and/or \"remote_ssrcs\"");
	/* a rekey keys the call's crypto sessions, whoever offered first */
	for (i = 0; i < st->nctx; i++)
		cs[n++] = (struct mikey_offer_cs){ st->ctx[i].ssrc, st->ctx[i].roc, su };
	for (i = 0; !st->nctx && i < st->nours; i++)
		cs[n++] = (struct mikey_offer_cs){ st->ours[i], st->roc, su };
	for (i = 0; !st->nctx && i < st->ntheirs; i++)
		cs[n++] = (struct mikey_offer_cs){ st->theirs[i], 0, su };
	/* RFC 4650 §3: DHHMAC names both ends; PK seals to the recipient's certificate */
	if (st->mode->names_peer && (!ids.id_i || !ids.id_r))
		return op_fail(r, E_BAD_REQUEST, "%s names both ends: it needs mikey_identity in "
			       "keyd's configuration and the peer's \"mikey_peer_identity\" in "
			       "create", st->mode->title);
	if (credentials(kd, st, st->mode, &pf, &pki, &pol, true, r))
		return -1;
	st->msg_len = st->mode->initiate(&pol, &ids, cs, n, &st->init, st->msg, sizeof(st->msg),
					 &f);
	credentials_drop(&pf, pki);
	if (!st->msg_len)
		return op_fail(r, E_INTERNAL, "building the I_MESSAGE: %s", f.why);
	st->initiating = true;
	st->csb_id = st->init.csb_id;	/* status: the exchange in progress */
	st->exchanges++;
	return 0;
}

/*
 * Our offer (first or rekey): a new I_MESSAGE; on a secure session its keys
 * go in now (PSK; DHHMAC's come with the answer).
 */
static int offer(struct keyd *kd, struct session *s, struct opres *r)
{
	struct mikey_state *st = mk_state(s);

	if (initiate(kd, s, r))
		return -1;
	if (s->state == SS_SECURE && !st->mode->keys_at_answer &&
	    mk_add_keys(kd, s, &st->init.keys, false, r)) {
		st->initiating = false;
		return -1;
	}
	if (s->state == SS_NEW)
		s->state = SS_OFFERED;
	s->exch = EX_LOCAL_OFFER;
	session_changed(s);
	reply_attr(s, r, st->msg, st->msg_len, SDP_OFFER);
	return 0;
}

/* The first line a=key-mgmt:mikey among the attributes, decoded. */
static ssize_t find_msg(const struct request *req, uint8_t *out, size_t cap)
{
	const char *p;
	size_t i;

	for (i = 0; i < req->nattrs; i++) {
		p = req->attrs[i];
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "a=", 2))
			p += 2;
		if (strncmp(p, "key-mgmt:mikey ", 15))
			continue;
		p += 15;
		while (*p == ' ')
			p++;
		return b64_decode(p, strlen(p), out, cap);
	}
	return -2;
}

static int apply_answer(struct keyd *kd, struct session *s, const uint8_t *msg, size_t len,
			struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	struct mikey_policy pol = policy(kd, s);
	struct mikey_fail f = { 0 };
	bool first = s->state == SS_OFFERED, dh = st->mode->keys_at_answer;
	struct mikey_pki *pki = NULL;
	int rc;

	if (!st->initiating)
		return op_fail(r, E_STATE, "no MIKEY offer of ours is waiting for an answer");
	/* certificates: the responder's to check, our key to open RSA-R's envelope */
	if (st->mode->cred == MIKEY_CRED_CERT && load_pki(kd, &pki, r))
		return -1;
	pol.pki = pki;
	rc = st->mode->answer(&pol, &st->init, msg, len, &f);
	mikey_pki_free(pki);
	if (!rc)	/* DH modes' and RSA-R's rekey: their keys exist only now */
		rc = first ? mk_install(kd, s, &st->init.keys, r) :
		     dh ? mk_add_keys(kd, s, &st->init.keys, false, r) : 0;
	OPENSSL_cleanse(&st->init, sizeof(st->init));	/* keys, DH private key */
	st->initiating = false;
	s->exch = EX_NONE;
	if (rc) {
		if (first)
			s->state = SS_NEW;
		else if (!dh)
			mk_drop_next(kd, s);
		session_changed(s);
		return f.why[0] ? refused(s, r, &f, "the answer") : -1;
	}
	if (!first) {
		mk_switch(kd, s, KSRTP_DIR_RX);
		mk_switch(kd, s, KSRTP_DIR_TX);
	}
	s->state = SS_SECURE;
	session_changed(s);
	json_object_object_add(r->reply, "state", json_object_new_string("secure"));
	json_object_object_add(r->reply, "suite", json_object_new_string(st->suite->name));
	if (first) {
		emit(kd, s, "secure", NULL);
	} else {
		emit(kd, s, "rekeyed", "rx");
		emit(kd, s, "rekeyed", "tx");
	}
	return 0;
}

/* ---------------------------------------------------------------- responder */

/* Each of our SSRCs must be in the map, or our streams would go unkeyed. */
static int check_map(struct mikey_state *st, const struct mikey_keys *k, struct opres *r)
{
	size_t i, j;

	for (i = 0; i < st->nours; i++) {
		for (j = 0; j < k->n && k->cs[j].ssrc != st->ours[i]; j++)
			;
		if (j == k->n)
			return op_fail(r, E_NO_CRYPTO, "our SSRC %u is not in the offer's CS ID map "
				       "(the offerer needs it in its remote_ssrcs)", st->ours[i]);
	}
	return 0;
}

/* The peer's offer refused: keep the error message for our answer. */
static int offer_refused(struct session *s, struct opres *r, const struct mikey_fail *f,
			 size_t errlen)
{
	struct mikey_state *st = mk_state(s);

	st->msg_len = errlen;
	st->err_pending = errlen > 0;
	st->err_back = s->state;
	if (st->err_pending) {
		if (s->state == SS_NEW)
			s->state = SS_ANSWERING;
		s->exch = EX_REMOTE_OFFER;
	}
	return refused(s, r, f, "the offer");
}

static int replay_ready(struct keyd *kd, struct opres *r)
{
	char why[160];
	uint64_t now = now_ms();

	if (!replay_loaded) {
		replay_loaded = true;
		if (mk_replay_load(kd, &replay_cache, why, sizeof(why))) {
			replay_hold_until = now + kd->cfg.mikey_clock_skew * 1000ull;
			log_warn("MIKEY's replay cache is lost: offers refused for a window",
				 "why=%s seconds=%u", log_q(why), kd->cfg.mikey_clock_skew);
		}
	}
	if (now < replay_hold_until)
		return op_fail(r, E_NO_CRYPTO, "MIKEY's replay cache could not be read back at "
			       "start: offers are refused for %" PRIu64 " s more (RFC 3830 §5.4)",
			       (replay_hold_until - now + 999) / 1000);
	return 0;
}

static int respond(struct keyd *kd, struct session *s, const uint8_t *msg, size_t len,
		   struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	struct mikey_policy pol = policy(kd, s);
	struct mikey_keys *k = &st->init.keys;	/* scratch: the responder has no init */
	struct mikey_fail f = { 0 };
	struct mikey_pki *pki;
	struct pskfile pf;
	size_t outlen = 0;
	int rc;
	const char *id = kd->cfg.mikey_identity[0] ? kd->cfg.mikey_identity : NULL;
	/* the I_MESSAGE's data type (HDR's second byte) names its mode; PSK's
	 * engine answers the unknown ones with an error message
	 */
	const struct mikey_mode *md = len > 1 ? mikey_mode_by_dt(msg[1]) : NULL;

	if (!md || (md == &mikey_mode_psk && st->mode == &mikey_mode_null))
		md = st->mode == &mikey_mode_null ? st->mode : &mikey_mode_psk;
	if (replay_ready(kd, r))
		return -1;
	if (s->state != SS_NEW && md->init_dt != st->mode->init_dt)
		return op_fail(r, E_NO_CRYPTO, "the offer is %s, the call's exchanges are %s: a "
			       "MIKEY rekey keeps its mode", md->title, st->mode->title);
	if (credentials(kd, st, md, &pf, &pki, &pol, false, r))
		return -1;
	rc = md->respond(&pol, pskfile_lookup, &pf, id, &replay_cache, msg, len, k, st->msg,
			 sizeof(st->msg), &outlen, &f);
	credentials_drop(&pf, pki);
	mk_replay_save(kd, &replay_cache);
	st->exchanges++;
	if (rc)
		return offer_refused(s, r, &f, outlen);
	st->mode = md;
	s->pfs = md->pfs;
	if (!st->peer_id[0])	/* for our own rekeys' IDr and PSK */
		snprintf(st->peer_id, sizeof(st->peer_id), "%s", k->peer_id);
	if (check_map(st, k, r) ||
	    (s->state == SS_NEW ? mk_install(kd, s, k, r) : mk_add_keys(kd, s, k, true, r))) {
		mikey_keys_wipe(k);
		return -1;
	}
	mikey_keys_wipe(k);
	st->msg_len = outlen;
	st->err_pending = false;
	if (s->state == SS_NEW)
		s->state = SS_ANSWERING;
	s->exch = EX_REMOTE_OFFER;
	session_changed(s);
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	json_object_object_add(r->reply, "suite", json_object_new_string(st->suite->name));
	return 0;
}

/* Our answer: the R_MESSAGE (none if the offer had no V flag), or the error. */
static int answer(struct keyd *kd, struct session *s, struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	bool first = s->state == SS_ANSWERING;

	s->exch = EX_NONE;
	if (st->err_pending) {
		s->state = st->err_back;
		st->err_pending = false;
		session_changed(s);
		reply_attr(s, r, st->msg, st->msg_len, SDP_ANSWER);
		return 0;
	}
	s->state = SS_SECURE;
	session_changed(s);
	reply_attr(s, r, st->msg, st->msg_len, SDP_ANSWER);
	if (first) {
		emit(kd, s, "secure", NULL);
		return 0;
	}
	emit(kd, s, "rekeyed", "rx");
	/* the peer switches when it reads this answer: give it time */
	st->tx_switch_at = now_ms() + kd->cfg.answer_rekey_delay_ms;
	session_arm(s, st->tx_switch_at);
	return 0;
}

/* ---------------------------------------------------------------- method ops */

static int mikey_local(struct keyd *kd, struct session *s, struct opres *r)
{
	struct mikey_state *st = mk_state(s);

	if (s->exch == EX_REMOTE_OFFER)
		return answer(kd, s, r);
	switch (s->state) {
	case SS_NEW:
		return offer(kd, s, r);
	case SS_OFFERED:
		/* the same message again: a new one would be a new exchange */
		reply_attr(s, r, st->msg, st->msg_len, SDP_OFFER);
		return 0;
	case SS_SECURE:
		if (s->exch == EX_LOCAL_OFFER && st->initiating) {
			reply_attr(s, r, st->msg, st->msg_len, SDP_OFFER);
			return 0;
		}
		/* a MIKEY message cannot be sent twice (replay cache): a re-offer rekeys */
		return offer(kd, s, r);
	default:
		return op_fail(r, E_STATE, "no attributes to produce in state %s",
			       session_state_name(s->state));
	}
}

static int mikey_remote(struct keyd *kd, struct session *s, const struct request *req,
			enum sdp_type type, struct opres *r)
{
	struct mikey_state *st = mk_state(s);
	uint8_t msg[MIKEY_PSK_MAX_MSG];
	ssize_t len = find_msg(req, msg, sizeof(msg));

	if (len == -2)
		return op_fail(r, E_NO_CRYPTO, "no a=key-mgmt:mikey attribute among the %zu given",
			       req->nattrs);
	if (len <= 0)
		return op_fail(r, E_NO_CRYPTO, "a=key-mgmt:mikey: not base64, or longer than %d "
			       "bytes", MIKEY_PSK_MAX_MSG);
	if (type == SDP_ANSWER)
		return apply_answer(kd, s, msg, (size_t)len, r);
	if (st->initiating)
		return op_fail(r, E_STATE, "our MIKEY offer is still waiting for its answer");
	return respond(kd, s, msg, (size_t)len, r);
}

static int mikey_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	struct mikey_state *st = mk_state(s);

	if (s->exch == EX_REMOTE_OFFER)
		return op_fail(r, E_STATE, "answer the peer's MIKEY offer first "
			       "(local_attributes); a MIKEY answer carries no new key");
	if (st->initiating)
		return op_fail(r, E_STATE, "our MIKEY offer is still waiting for its answer");
	return offer(kd, s, r);
}

static void mikey_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	mk_status(kd, s, out);
}

static uint64_t mikey_timer(struct keyd *kd, struct session *s, uint64_t now)
{
	struct mikey_state *st = mk_state(s);
	uint64_t next = 0;

	if (st->tx_switch_at && st->tx_switch_at <= now) {
		st->tx_switch_at = 0;
		mk_switch(kd, s, KSRTP_DIR_TX);
		emit(kd, s, "rekeyed", "tx");
	}
	if (st->retire_at && st->retire_at <= now)
		mk_retire(kd, s);
	if (st->tx_switch_at)
		next = st->tx_switch_at;
	if (st->retire_at && (!next || st->retire_at < next))
		next = st->retire_at;
	return next;
}

static void mikey_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct json_object *e;

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

static void mikey_teardown(struct keyd *kd, struct session *s)
{
	mk_teardown(kd, s);
}

static struct json_object *mikey_save(struct session *s)
{
	return mk_save(s);
}

static int mikey_restore(struct keyd *kd, struct session *s, struct json_object *saved,
			 const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct opres r = { 0 };

	if (mikey_init(kd, s, NULL, &r)) {
		snprintf(why, whylen, "%s", r.msg);
		return -1;
	}
	if (s->state == SS_OFFERED || s->state == SS_ANSWERING) {
		snprintf(why, whylen, "the MIKEY exchange in progress was lost with the previous "
			 "keyd; delete the session and create a new one");
		return -1;
	}
	if (!saved)
		return s->state == SS_NEW ? 0 : (snprintf(why, whylen, "no MIKEY state saved"), -1);
	if (mk_restore_state(s, saved, ctxs, n, why, whylen))
		return -1;
	s->pfs = mk_state(s)->mode->pfs;
	return 0;
}

const struct method mikey_method = {
	.name = "mikey",
	.pfs = false,
	.req_fields = REQF_SSRCS | REQF_MIKEY_MODE,
	.init = mikey_init,
	.release = mikey_release,
	.local_attributes = mikey_local,
	.remote_attributes = mikey_remote,
	.rekey = mikey_rekey,
	.status = mikey_status,
	.timer = mikey_timer,
	.kernel_event = mikey_kernel_event,
	.teardown = mikey_teardown,
	.save = mikey_save,
	.restore = mikey_restore,
};
