// SPDX-License-Identifier: GPL-2.0
/*
 * The ZRTP method (RFC 6189): keys agreed on the media path itself, by
 * Diffie-Hellman, authenticated by the users comparing the SAS. The
 * signalling carries at most a=zrtp-hash (§8.1), which binds the peer's
 * Hello to the SDP; keys never cross it.
 *
 *   offerer:  local (offer: a=zrtp-hash) -> remote (answer) -> Hello out
 *   answerer: remote (offer) -> local (answer) -> Hello out
 *
 * A Hello from the peer starts us at once too, whatever the signalling
 * did: ZRTP only needs the media path. The media socket is attached with
 * the "zrtp" upcall: the kernel hands keyd every ZRTP packet (RFC 7983),
 * and keyd sends its own from the same socket (sock-send). When the
 * exchange is SECURE, the SRTP keys go into one TX and one RX any-SSRC
 * template per socket (zrtp_stream.c), and the "secure" event carries the
 * SAS for the media server's UI.
 *
 * Retained secrets (§4.3, §4.6.1) live in state_dir (zrtp_cache.c): a
 * call to a peer keyd has talked to before keys with rs1 too, and the
 * SAS verified flag the users set (verify_sas) carries to its next calls.
 * Not yet: Multistream, rekeying (ZRTP has none short of a new
 * exchange); see Documentation/keyd-zrtp.md.
 *
 * Files: zrtp_method.c (the operations, status, restarts), zrtp_stream.c
 * (packets, timers, kernel templates); zrtp_method.h is what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "b64.h"
#include "harden.h"
#include "state.h"
#include "zrtp_method.h"

#define ZID_FILE "zrtp-zid"

/* ---------------------------------------------------------------- setup */

/*
 * Our ZID: made once and kept in state_dir, because a peer's retained
 * secrets are filed under it (§4.9). Without state_dir, one per run.
 */
static int zid_get(struct keyd *kd, uint8_t zid[ZRTP_ZID_LEN])
{
	struct json_object *o, *v;
	char h[2 * ZRTP_ZID_LEN + 1];
	int err;

	if (kd->have_zrtp_zid)
		goto out;
	o = state_read_named(kd, ZID_FILE);
	if (o && json_object_object_get_ex(o, "zid", &v) &&
	    !hex_decode(json_object_get_string(v), kd->zrtp_zid, ZRTP_ZID_LEN)) {
		json_object_put(o);
		kd->have_zrtp_zid = true;
		goto out;
	}
	json_object_put(o);
	if (RAND_bytes(kd->zrtp_zid, ZRTP_ZID_LEN) != 1)
		return -1;
	hex_encode(kd->zrtp_zid, ZRTP_ZID_LEN, h);
	o = json_object_new_object();
	json_object_object_add(o, "zid", json_object_new_string(h));
	err = state_write_named(kd, ZID_FILE, o);
	json_object_put(o);
	if (err)
		log_warn("ZRTP ZID not saved: a restart makes a new one", "err=%s",
			 log_q(strerror(-err)));
	kd->have_zrtp_zid = true;
out:
	memcpy(zid, kd->zrtp_zid, ZRTP_ZID_LEN);
	return 0;
}

/* A configured list ("X255 DH3k") into a Hello's list of that kind. */
static void algs_from(struct zrtp_cfg *cfg, enum zrtp_kind k, const char *list)
{
	const char *p = list;
	char name[5];
	size_t n;

	cfg->n[k] = 0;
	while (*p && cfg->n[k] < ZRTP_MAX_ALGS) {
		n = strcspn(p, " ,");
		if (n) {
			snprintf(name, sizeof(name), "%-4.*s", (int)n, p);
			cfg->alg[k][cfg->n[k]++] = ZRTP_ALG(name);
		}
		p += n + (p[n] != 0);
	}
}

static void add_alg(struct zrtp_cfg *cfg, enum zrtp_kind k, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n[k]; i++)
		if (cfg->alg[k][i] == ZRTP_ALG(name))
			return;
	if (cfg->n[k] < ZRTP_MAX_ALGS)
		cfg->alg[k][cfg->n[k]++] = ZRTP_ALG(name);
}

/* Ciphers and tags from the session's suites, in their order. */
static int algs_from_suites(struct zrtp_cfg *cfg, const struct session *s)
{
	size_t i;

	for (i = 0; i < s->nsuites; i++) {
		const char *n = s->suites[i]->name;

		if (!strncmp(n, "AES_CM_128_HMAC_SHA1_", 21))
			add_alg(cfg, ZRTP_CIPHER, "AES1");
		else if (!strncmp(n, "AES_256_CM_HMAC_SHA1_", 21))
			add_alg(cfg, ZRTP_CIPHER, "AES3");
		else
			continue;
		add_alg(cfg, ZRTP_AUTH, strstr(n, "_80") ? "HS80" : "HS32");
	}
	return cfg->n[ZRTP_CIPHER] ? 0 : -1;
}

/*
 * Multistream (§4.4.3): a further stream of a call keys from the ZRTP
 * session of its first, secure stream (same owner, same peer), with its
 * algorithms; it shows the first stream's SAS.
 */
static int ms_from(struct keyd *kd, struct session *s, struct zmstate *st, const char *id,
		   struct opres *r)
{
	struct session *f = session_find(kd, id);
	const struct zrtp_keys *k;
	struct zmstate *fs;

	if (!f || f->method != &zrtp_method || f->owner_uid != s->owner_uid)
		return op_fail(r, E_NO_SESSION, "zrtp_multistream_of: no ZRTP session \"%s\"", id);
	fs = zm_of(f);
	k = fs->zc ? zrtp_result(fs->zc) : NULL;
	if (f->state != SS_SECURE || !k || !fs->have_peer_zid)
		return op_fail(r, E_STATE, "zrtp_multistream_of: %s is not a secure ZRTP stream "
			       "of this keyd (yet)", id);
	if (fs->multistream) {
		st->ms = fs->ms;	/* the call's DH stream's session key */
	} else {
		memcpy(st->ms.zrtpsess, k->zrtpsess, k->hlen);
		memcpy(st->ms.peer_zid, fs->peer_zid, ZRTP_ZID_LEN);
		st->ms.hash = fs->algs.hash;
		st->ms.cipher = fs->algs.cipher;
		st->ms.auth = fs->algs.auth;
	}
	st->multistream = true;
	st->cfg.ms = &st->ms;
	snprintf(st->ms_of, sizeof(st->ms_of), "%s", fs->multistream ? fs->ms_of : f->id);
	snprintf(st->sas, sizeof(st->sas), "%s", fs->sas);
	st->sas_verified = fs->sas_verified;
	return 0;
}

/* The auxsecret (§4.3) the media server shares with the peer; into the secure heap. */
static int aux_from(struct zmstate *st, const struct request *req, struct opres *r)
{
	if (st->multistream)
		return op_fail(r, E_BAD_REQUEST, "zrtp_aux_secret: not with zrtp_multistream_of "
			       "(a Multistream stream has no DH exchange to mix it into)");
	if (!OPENSSL_hexstr2buf_ex(st->cfg.aux, sizeof(st->cfg.aux), &st->cfg.aux_len,
				   req->zrtp_aux_hex, '\0'))
		return op_fail(r, E_BAD_REQUEST, "zrtp_aux_secret: not hex");
	return 0;
}

/*
 * keyd as a PBX on this leg (§7.3): M in our Hello (zrtp_pbx); for an
 * enrollment call also E in our Confirm (zrtp_pbx_enroll).
 */
static int pbx_from(struct keyd *kd, struct zmstate *st, const struct request *req,
		    struct opres *r)
{
	const char *f = req->zrtp_pbx_enroll ? "zrtp_pbx_enroll" : "zrtp_pbx";

	if (req->zrtp_ms_of)
		return op_fail(r, E_BAD_REQUEST, "%s: not with zrtp_multistream_of (a PBX leg is "
			       "the call's first stream)", f);
	if (!zcache_enabled(kd))
		return op_fail(r, E_UNSUPPORTED, "%s: keyd runs ZRTP without a cache (no "
			       "state_dir), where the pbxsecret is kept", f);
	st->cfg.mitm = true;
	st->cfg.pbx_enroll = req->zrtp_pbx_enroll;
	return 0;
}

static void zrtp_bridged(struct keyd *kd, struct session *s, struct session *other)
{
	(void)kd;
	if (other->method == &zrtp_method)
		zm_bridged(zm_of(s), zm_of(other));
}

static int zrtp_init(struct keyd *kd, struct session *s, const struct request *req,
		     struct opres *r)
{
	struct zmstate *st;

	(void)req;
	st = keyd_secret_alloc(sizeof(*st));
	if (!st)
		return op_fail(r, E_INTERNAL, "out of memory");
	st->kd = kd;
	st->s = s;
	if (algs_from_suites(&st->cfg, s)) {
		op_fail(r, E_NO_CRYPTO, "none of the session's suites is one ZRTP keys "
			"(AES_CM_128_HMAC_SHA1_80/32, AES_256_CM_HMAC_SHA1_80/32)");
		goto fail;
	}
	algs_from(&st->cfg, ZRTP_KA, kd->cfg.zrtp_key_agreements);
	algs_from(&st->cfg, ZRTP_HASH, kd->cfg.zrtp_hashes);
	algs_from(&st->cfg, ZRTP_SAS, kd->cfg.zrtp_sas_types);
	if (zcache_enabled(kd)) {
		st->cfg.cache_get = zcache_get;
		st->cfg.cache_arg = kd;
	}
	if (req && (req->zrtp_pbx || req->zrtp_pbx_enroll) && pbx_from(kd, st, req, r))
		goto fail;
	if (req && req->zrtp_ms_of && ms_from(kd, s, st, req->zrtp_ms_of, r))
		goto fail;
	if (req && req->zrtp_aux_hex && aux_from(st, req, r))
		goto fail;
	if (zid_get(kd, st->cfg.zid) || RAND_bytes((uint8_t *)&st->ssrc, 4) != 1) {
		op_fail(r, E_INTERNAL, "no random bytes");
		goto fail;
	}
	st->zc = zrtp_new(&st->cfg, st->ssrc);
	if (!st->zc) {
		op_fail(r, E_INTERNAL, "cannot set up the ZRTP engine");
		goto fail;
	}
	s->mstate = st;
	return 0;
fail:
	keyd_secret_free(st, sizeof(*st));
	return -1;
}

static void zrtp_release(struct session *s)
{
	struct zmstate *st = zm_of(s);

	if (!st)
		return;
	zrtp_free(st->zc);
	keyd_secret_free(st, sizeof(*st));
	s->mstate = NULL;
}

/* ---------------------------------------------------------------- attributes */

static void reply_attrs(struct zmstate *st, struct opres *r, enum sdp_type type)
{
	struct json_object *arr = json_object_new_array();
	char h[65], line[96];

	if (st->zc && !zrtp_hello_hash(st->zc, h)) {
		snprintf(line, sizeof(line), "a=zrtp-hash:1.10 %s", h);
		json_object_array_add(arr, json_object_new_string(line));
	}
	json_object_object_add(r->reply, "attributes", arr);
	json_object_object_add(r->reply, "type", json_object_new_string(sdp_type_name(type)));
}

static int zrtp_local(struct keyd *kd, struct session *s, struct opres *r)
{
	struct zmstate *st = zm_of(s);

	(void)kd;
	if (s->exch == EX_REMOTE_OFFER) {
		s->exch = EX_NONE;
		st->go = true;
		session_changed(s);
		reply_attrs(st, r, SDP_ANSWER);
		zm_maybe_start(st);
		return 0;
	}
	if (s->state == SS_NEW || (s->state == SS_OFFERED && s->exch == EX_LOCAL_OFFER)) {
		s->state = SS_OFFERED;
		s->exch = EX_LOCAL_OFFER;
		session_changed(s);
		reply_attrs(st, r, SDP_OFFER);
		return 0;
	}
	if (s->state == SS_SECURE) {
		/* a re-offer: the same media path, the same keys; a=zrtp-hash again */
		s->exch = EX_LOCAL_OFFER;
		reply_attrs(st, r, SDP_OFFER);
		return 0;
	}
	return op_fail(r, E_STATE, "no attributes to produce in state %s",
		       session_state_name(s->state));
}

/* a=zrtp-hash:1.10 <64 hex digits>, if the peer's SDP carries one (§8.1). */
static int parse_hash(const struct request *req, uint8_t h[32], bool *have, struct opres *r)
{
	static const char pfx[] = "a=zrtp-hash:";
	size_t i;

	*have = false;
	for (i = 0; i < req->nattrs; i++) {
		const char *a = req->attrs[i];

		if (strncmp(a, pfx, sizeof(pfx) - 1))
			continue;	/* other attributes of the media section */
		a += sizeof(pfx) - 1;
		if (strncmp(a, "1.1", 3) || !a[3] || a[4] != ' ')
			continue;	/* another version's Hello: not ours to check (§8.1) */
		if (hex_decode(a + 5, h, 32))
			return op_fail(r, E_BAD_REQUEST, "a=zrtp-hash: expected a version and "
				       "64 hex digits, got \"%s\"", req->attrs[i]);
		*have = true;
	}
	return 0;
}

static int zrtp_remote(struct keyd *kd, struct session *s, const struct request *req,
		       enum sdp_type type, struct opres *r)
{
	struct zmstate *st = zm_of(s);
	uint8_t h[32];
	bool have;

	(void)kd;
	if (parse_hash(req, h, &have, r))
		return -1;
	if (have && st->zc && zrtp_set_peer_hello_hash(st->zc, h)) {
		/* the Hello we took already is not the one the signalling names */
		zm_fail(st, "ZRTP: the peer's Hello does not match its a=zrtp-hash");
		return op_fail(r, E_NO_CRYPTO, "%s", s->fail_reason);
	}
	if (req->has_remote && !st->started && !s->has_remote) {
		s->remote = req->remote;
		s->has_remote = true;
	}
	if (type == SDP_OFFER) {
		if (s->state == SS_NEW)
			s->state = SS_ANSWERING;
		s->exch = EX_REMOTE_OFFER;
	} else {
		s->exch = EX_NONE;
		st->go = true;
	}
	session_changed(s);
	zm_maybe_start(st);
	if (s->state == SS_FAILED)
		return op_fail(r, E_NO_CRYPTO, "%s", s->fail_reason);
	json_object_object_add(r->reply, "state",
			       json_object_new_string(session_state_name(s->state)));
	if (st->suite)
		json_object_object_add(r->reply, "suite", json_object_new_string(st->suite->name));
	return 0;
}

static int zrtp_rekey(struct keyd *kd, struct session *s, struct opres *r)
{
	(void)kd;
	(void)s;
	return op_fail(r, E_UNSUPPORTED, "ZRTP keys a stream once per exchange; for new keys "
		       "delete the session and create another on the same socket");
}

/*
 * Enrolling with the peer as our PBX (§7.3.1) rides on verify_sas: only
 * when the peer offered it, only with the SAS verified (the RFC advises
 * against enrolling where a MiTM may sit), only in the keyd that ran the
 * exchange (the ZRTP session key is not kept across restarts).
 */
static int enroll_check(struct zmstate *st, const struct request *req, uint8_t pbx[32],
			struct opres *r)
{
	if (!req->enroll_pbx)
		return 0;
	if (!req->sas_verified)
		return op_fail(r, E_BAD_REQUEST, "enroll_pbx: only with verified true (enroll "
			       "with a PBX whose SAS the users compared)");
	if (!st->co.pbx_enroll_offered)
		return op_fail(r, E_STATE, "enroll_pbx: the peer offered no PBX enrollment "
			       "(no E flag in its Confirm, or no M flag in its Hello)");
	if (!st->zc || zrtp_pbx_secret(st->zc, pbx))
		return op_fail(r, E_STATE, "enroll_pbx: the ZRTP session key is gone");
	return 0;
}

/* The verdict and any enrollment into the peer's cache entry. */
static int verified_put(struct keyd *kd, struct zmstate *st, const uint8_t *pbx,
			struct opres *r)
{
	struct zrtp_retained e;
	int err;

	if (zcache_get(kd, st->peer_zid, &e)) {
		if (!st->rs1_pending)
			return op_fail(r, E_STATE, "no retained secret for this peer (it asked not "
				       "to cache this call's)");
		memset(&e, 0, sizeof(e));
	}
	if (st->rs1_pending) {
		memcpy(e.rs2, e.rs1, ZRTP_RS_LEN);
		e.have_rs2 = e.have_rs1;
		memcpy(e.rs1, st->rs1_new, ZRTP_RS_LEN);
		e.have_rs1 = true;
	}
	e.verified = true;
	if (pbx) {
		memcpy(e.pbx, pbx, 32);
		e.pbx_len = 32;
	}
	err = zcache_put(kd, st->peer_zid, &e, st->co.expiry ? st->co.expiry : 0xffffffffu);
	OPENSSL_cleanse(&e, sizeof(e));
	if (err)
		return op_fail(r, E_INTERNAL, "the cache entry was not written: %s", strerror(-err));
	return 0;
}

/*
 * The users compared the SAS (§7.1). Verified: the cache says so from now
 * on (its V flag goes to the peer in the next call's Confirm), and after a
 * cache mismatch the new rs1 is stored at last (§4.6.1.1); with
 * enroll_pbx, the PBX's pbxsecret too. Not verified: a man in the middle;
 * the peer's cache entry is erased.
 */
static int zrtp_verify_sas(struct keyd *kd, struct session *s, const struct request *req,
			   struct opres *r)
{
	struct zmstate *st = zm_of(s);
	uint8_t pbx[32];
	int rc;

	if (!st->installed || !st->have_peer_zid || st->adopted)
		return op_fail(r, E_STATE, "no SAS to verify: the ZRTP exchange is not done%s",
			       st->adopted ? " in this keyd (adopted after a restart)" : "");
	if (!zcache_enabled(kd))
		return op_fail(r, E_UNSUPPORTED, "keyd runs ZRTP without a cache (no state_dir): "
			       "there is nowhere to record the verdict");
	if (enroll_check(st, req, pbx, r))
		return -1;
	if (!req->sas_verified) {
		zcache_forget(kd, st->peer_zid);
		st->sas_verified = false;
		st->rs1_pending = false;
		OPENSSL_cleanse(st->rs1_new, sizeof(st->rs1_new));
		log_warn("ZRTP SAS reported different by the users: the peer's cache entry is "
			 "erased", "session=%s", s->id);
	} else {
		rc = verified_put(kd, st, req->enroll_pbx ? pbx : NULL, r);
		OPENSSL_cleanse(pbx, sizeof(pbx));
		if (rc)
			return rc;
		st->sas_verified = true;
		st->rs1_pending = false;
		st->pbx_enrolled |= req->enroll_pbx;
		OPENSSL_cleanse(st->rs1_new, sizeof(st->rs1_new));
		log_info("ZRTP SAS verified by the users", "session=%s pbx_enrolled=%d", s->id,
			 req->enroll_pbx);
	}
	session_changed(s);
	json_object_object_add(r->reply, "verified", json_object_new_boolean(st->sas_verified));
	if (req->enroll_pbx)
		json_object_object_add(r->reply, "pbx_enrolled", json_object_new_boolean(1));
	return 0;
}

/* ---------------------------------------------------------------- status */

static void zrtp_status(struct keyd *kd, struct session *s, struct json_object *out)
{
	struct zmstate *st = zm_of(s);
	struct json_object *z = json_object_new_object();
	static const char *const names[] = { "idle", "hello", "commit_sent", "dhpart1_sent",
		"dhpart2_sent", "confirm1_sent", "confirm2_sent", "secure", "failed" };
	char h[65], n[5], cid[17];

	(void)kd;
	json_object_object_add(z, "exchange", json_object_new_string(
		st->adopted ? "adopted" : names[zrtp_state(st->zc)]));
	hex_encode(st->cfg.zid, ZRTP_ZID_LEN, h);
	json_object_object_add(z, "zid", json_object_new_string(h));
	if (st->cfg.mitm)
		json_object_object_add(z, "pbx", json_object_new_boolean(1));
	if (st->multistream)
		json_object_object_add(z, "multistream_of", json_object_new_string(st->ms_of));
	if (st->zc && !zrtp_hello_hash(st->zc, h))
		json_object_object_add(z, "hello_hash", json_object_new_string(h));
	if (st->have_peer_zid) {
		hex_encode(st->peer_zid, ZRTP_ZID_LEN, h);
		json_object_object_add(z, "peer_zid", json_object_new_string(h));
	}
	if (st->zc && zrtp_peer_client_id(st->zc, cid))
		json_object_object_add(z, "peer_client", json_object_new_string(cid));
	if (st->installed) {
		json_object_object_add(z, "role", json_object_new_string(
			st->initiator ? "initiator" : "responder"));
		json_object_object_add(z, "sas", json_object_new_string(st->sas));
		json_object_object_add(z, "sas_type", json_object_new_string(
			zm_alg_name(st->algs.sas, n)));
		json_object_object_add(z, "verified", json_object_new_boolean(st->sas_verified));
		json_object_object_add(z, "cache_mismatch", json_object_new_boolean(
			st->co.mismatch));
		json_object_object_add(z, "retained_secret", json_object_new_boolean(
			st->co.s1_matched));
		zm_add_secrets(st, z);
		json_object_object_add(z, "key_agreement", json_object_new_string(
			zm_alg_name(st->algs.ka, n)));
		json_object_object_add(z, "hash", json_object_new_string(
			zm_alg_name(st->algs.hash, n)));
		json_object_object_add(z, "cipher", json_object_new_string(
			zm_alg_name(st->algs.cipher, n)));
		json_object_object_add(z, "auth_tag", json_object_new_string(
			zm_alg_name(st->algs.auth, n)));
	}
	json_object_object_add(z, "rx_packets", json_object_new_uint64(st->rx_packets));
	json_object_object_add(z, "rx_dropped", json_object_new_uint64(st->rx_dropped));
	json_object_object_add(z, "tx_packets", json_object_new_uint64(st->tx_packets));
	json_object_object_add(z, "tx_errors", json_object_new_uint64(st->tx_errors));
	if (st->zc) {
		const struct zrtp_stats *zs = zrtp_stats(st->zc);

		json_object_object_add(z, "hello_hash_mismatches", json_object_new_int64(
			zrtp_hello_hash_mismatches(st->zc)));
		json_object_object_add(z, "pings", json_object_new_int64(zs->pings));
		json_object_object_add(z, "goclear_refused", json_object_new_int64(
			zs->goclear_refused));
		json_object_object_add(z, "sasrelay_ignored", json_object_new_int64(
			zs->sasrelay_ignored));
		json_object_object_add(z, "sasrelay_rendered", json_object_new_int64(
			zs->sasrelay_rendered));
		json_object_object_add(z, "sasrelay_sent", json_object_new_int64(zs->sasrelay_sent));
		json_object_object_add(z, "sasrelay_unacked", json_object_new_int64(
			zs->sasrelay_unacked));
		json_object_object_add(z, "hellos_newer_version", json_object_new_int64(
			zs->hellos_newer));
	}
	json_object_object_add(out, "zrtp", z);
	if (st->suite)
		json_object_object_add(out, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(out, "tx", json_object_new_boolean(st->installed));
	json_object_object_add(out, "rx", json_object_new_boolean(st->installed));
}

/* ---------------------------------------------------------------- events, timers */

static uint64_t zrtp_timer_op(struct keyd *kd, struct session *s, uint64_t now)
{
	(void)kd;
	return zm_timer(zm_of(s), now);
}

static void zrtp_kernel_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	if (ev->type == KN_EV_UPCALL)
		zm_upcall(zm_of(s), ev);
	else
		session_tx_limit_event(kd, s, ev);
}

static void zrtp_teardown(struct keyd *kd, struct session *s)
{
	(void)kd;
	zm_teardown(zm_of(s));
}

/* ---------------------------------------------------------------- restarts */

/* Never a key: what status shows, and whether templates were installed. */
static struct json_object *zrtp_save(struct session *s)
{
	struct zmstate *st = zm_of(s);
	struct json_object *o = json_object_new_object();
	char n[5];

	json_object_object_add(o, "installed", json_object_new_boolean(st->installed));
	if (!st->installed)
		return o;
	json_object_object_add(o, "suite", json_object_new_string(st->suite->name));
	json_object_object_add(o, "initiator", json_object_new_boolean(st->initiator));
	json_object_object_add(o, "sas", json_object_new_string(st->sas));
	json_object_object_add(o, "verified", json_object_new_boolean(st->sas_verified));
	json_object_object_add(o, "key_agreement", json_object_new_string(
		zm_alg_name(st->algs.ka, n)));
	json_object_object_add(o, "sas_type", json_object_new_string(
		zm_alg_name(st->algs.sas, n)));
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/*
 * A secure session's templates are adopted (media goes on; the engine is
 * gone, and with it nothing but the chance to answer a late Confirm2
 * repeat). An exchange cut short by the restart cannot be resumed.
 */
static int zrtp_restore(struct keyd *kd, struct session *s, struct json_object *saved,
			const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen)
{
	struct zmstate *st;
	struct json_object *v;
	const char *suite = jstr(saved, "suite"), *sas = jstr(saved, "sas"),
		   *ka = jstr(saved, "key_agreement");
	char name[5];
	size_t i, found = 0;

	if (!json_object_object_get_ex(saved, "installed", &v) || !json_object_get_boolean(v)) {
		snprintf(why, whylen, "the ZRTP exchange was not done when keyd stopped");
		return -1;
	}
	for (i = 0; i < n; i++)
		found += ctxs[i].origin == KSRTP_CTX_ORIGIN_TEMPLATE &&
			 ctxs[i].cookie == s->cookie[0];
	if (found < 2 || !suite || !suite_by_name(suite, strlen(suite))) {
		snprintf(why, whylen, "its TX and RX templates are gone from the kernel");
		return -1;
	}
	st = keyd_secret_alloc(sizeof(*st));
	if (!st) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	st->kd = kd;
	st->s = s;
	st->installed = st->adopted = true;
	st->suite = suite_by_name(suite, strlen(suite));
	st->initiator = json_object_object_get_ex(saved, "initiator", &v) &&
			json_object_get_boolean(v);
	snprintf(st->sas, sizeof(st->sas), "%s", sas ? sas : "");
	snprintf(name, sizeof(name), "%-4.4s", ka ? ka : "");
	st->algs.ka = ZRTP_ALG(name);
	s->pfs = st->algs.ka != ZRTP_ALG("Prsh");
	snprintf(name, sizeof(name), "%-4.4s", jstr(saved, "sas_type") ? jstr(saved, "sas_type") :
						"B32");
	st->algs.sas = ZRTP_ALG(name);
	st->sas_verified = json_object_object_get_ex(saved, "verified", &v) &&
			   json_object_get_boolean(v);
	zid_get(kd, st->cfg.zid);
	s->mstate = st;
	s->state = SS_SECURE;
	return 0;
}

const struct method zrtp_method = {
	.name = "zrtp",
	.pfs = true,
	.upcall = KSRTP_UPCALL_ZRTP,
	.req_fields = REQF_ZRTP_MS | REQF_ZRTP_AUX | REQF_ZRTP_PBX,
	.init = zrtp_init,
	.release = zrtp_release,
	.local_attributes = zrtp_local,
	.remote_attributes = zrtp_remote,
	.rekey = zrtp_rekey,
	.verify_sas = zrtp_verify_sas,
	.bridged = zrtp_bridged,
	.status = zrtp_status,
	.timer = zrtp_timer_op,
	.kernel_event = zrtp_kernel_event,
	.teardown = zrtp_teardown,
	.save = zrtp_save,
	.restore = zrtp_restore,
};
