// SPDX-License-Identifier: GPL-2.0
/*
 * The ZRTP engine (zrtp_engine.h): Hello/HelloACK, the initiator's DH
 * Commit (its DHPart2 built first, for hvi), DHPart1/DHPart2, s0 and the
 * keys, Confirm1/Confirm2/Conf2ACK, Error/ErrorACK. Each message from the
 * peer is checked against its hash chain as it unfolds (§9): H2 against
 * the Hello's H3 and the Hello's MAC, H1 against H2 and the Commit's MAC,
 * H0 (inside the Confirm) against H1 and the DHPart's MAC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zrtp_engine_int.h"

/* ---------------------------------------------------------------- output */

/* Frame a message as a packet on the output queue. */
int zi_send(struct zrtp_conn *c, const struct msgbuf *m)
{
	if (c->nout == NOUT)
		return -1;
	memcpy(c->out[c->nout] + ZRTP_HDR_LEN, m->b, m->len);
	c->out_len[c->nout] = zrtp_frame(c->out[c->nout], 0, c->seq++, c->ssrc, m->len);
	c->nout++;
	return 0;
}

/* Encode msg into m (the codec frames a packet; keep only the message). */
int zi_build(struct zrtp_conn *c, const struct zrtp_msg *msg, struct msgbuf *m)
{
	struct zrtp_packet p = { .ssrc = c->ssrc, .msg = *msg };
	uint8_t pkt[MSG_MAX + ZRTP_HDR_LEN + ZRTP_CRC_LEN];
	size_t n = zrtp_encode(&p, pkt, sizeof(pkt), NULL);

	if (!n)
		return -1;
	m->len = n - ZRTP_HDR_LEN - ZRTP_CRC_LEN;
	memcpy(m->b, pkt + ZRTP_HDR_LEN, m->len);
	return 0;
}

int zi_send_simple(struct zrtp_conn *c, enum zrtp_type t, uint32_t error)
{
	struct zrtp_msg msg = { .type = t, .u.error = error };
	struct msgbuf m;

	return zi_build(c, &msg, &m) || zi_send(c, &m);
}

/* Send m now and again until answered (T1 for Hello, T2 for the rest). */
int zi_send_rtx(struct zrtp_conn *c, const struct msgbuf *m, uint64_t now, bool t1)
{
	c->rtx = m;
	c->tx_ms = t1 ? T1_MS : T2_MS;
	c->tx_max_ms = t1 ? T1_MAX_MS : T2_MAX_MS;
	c->tx_left = t1 ? 20 : 10;
	c->next_tx = now + c->tx_ms;
	return zi_send(c, m);
}

static void stop_rtx(struct zrtp_conn *c)
{
	c->rtx = NULL;
	c->next_tx = 0;
}

int zi_fail(struct zrtp_conn *c, uint32_t code, const char *why)
{
	snprintf(c->why, sizeof(c->why), "%s", why);
	c->st = ZS_FAILED;
	stop_rtx(c);
	if (code)
		zi_send_simple(c, ZRTP_ERROR, code);
	return -1;
}

/* ---------------------------------------------------------------- setup */

/* Our Hello, built once: a=zrtp-hash names it before it is ever sent. */
static int build_hello(struct zrtp_conn *c)
{
	struct zrtp_msg msg = { .type = ZRTP_HELLO };
	struct zrtp_hello *h = &msg.u.hello;

	memcpy(h->version, ZRTP_VERSION, 4);
	memcpy(h->cid, "ksrtp-keyd      ", 16);
	memcpy(h->h3, c->chain.h[3], ZRTP_H_LEN);
	memcpy(h->zid, c->cfg->zid, ZRTP_ZID_LEN);
	h->passive = c->cfg->passive;
	h->mitm = c->cfg->mitm;
	memcpy(h->n, c->cfg->n, sizeof(h->n));
	memcpy(h->alg, c->cfg->alg, sizeof(h->alg));
	if (h->n[ZRTP_KA] < ZRTP_MAX_ALGS)	/* we do Multistream (§5.1.5) */
		h->alg[ZRTP_KA][h->n[ZRTP_KA]++] = ZRTP_ALG("Mult");
	return zi_build(c, &msg, &c->hello) ||
	       zrtp_msg_mac_set(c->hello.b, c->hello.len, c->chain.h[2]);
}

struct zrtp_conn *zrtp_new(const struct zrtp_cfg *cfg, uint32_t ssrc)
{
	struct zrtp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = cfg;
	c->ssrc = ssrc;
	if (RAND_bytes(c->chain.h[0], ZRTP_H_LEN) != 1 || RAND_bytes((uint8_t *)&c->seq, 2) != 1 ||
	    zrtp_hash_chain(&c->chain) || build_hello(c)) {
		OPENSSL_cleanse(c, sizeof(*c));
		free(c);
		return NULL;
	}
	c->seq &= 0x7fff;
	return c;
}

void zrtp_free(struct zrtp_conn *c)
{
	if (!c)
		return;
	EVP_PKEY_free(c->dh);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

int zrtp_start(struct zrtp_conn *c, uint64_t now)
{
	if (c->st != ZS_IDLE)
		return c->st == ZS_FAILED ? -1 : 0;
	c->st = ZS_HELLO;
	return zi_send_rtx(c, &c->hello, now, true);
}

/* ---------------------------------------------------------------- DH messages */

/*
 * Our DHPart (1 or 2): our DH key, H1, the IDs of our retained secrets,
 * auxsecret and pbxsecret (random where we have none), MAC by H0.
 */
static int build_dhpart(struct zrtp_conn *c, enum zrtp_type t)
{
	struct zrtp_msg msg = { .type = t };
	struct zrtp_dhpart *d = &msg.u.dhpart;
	uint8_t pv[ZRTP_PV_MAX];

	EVP_PKEY_free(c->dh);
	c->dh = zrtp_ka_keygen(c->suite.ka, pv);
	if (!c->dh ||
	    zrtp_rs_ids(c->suite.hash, &c->ret, t == ZRTP_DHPART2, d->rs1id, d->rs2id) ||
	    (c->cfg->aux_len ? zrtp_aux_id(c->suite.hash, c->cfg->aux, c->cfg->aux_len,
					   c->chain.h[3], d->auxid) :
			       RAND_bytes(d->auxid, ZRTP_ID_LEN) != 1) ||
	    zrtp_pbx_id(c->suite.hash, &c->ret, t == ZRTP_DHPART2, d->pbxid))
		return -1;
	memcpy(d->h1, c->chain.h[1], ZRTP_H_LEN);
	d->pv = (struct zrtp_bytes){ pv, zrtp_ka_pv_len(c->suite.ka) };
	return zi_build(c, &msg, &c->dhpart) ||
	       zrtp_msg_mac_set(c->dhpart.b, c->dhpart.len, c->chain.h[0]);
}

void zi_commit_head(const struct zrtp_conn *c, struct zrtp_commit *cm)
{
	memcpy(cm->h2, c->chain.h[2], ZRTP_H_LEN);
	memcpy(cm->zid, c->cfg->zid, ZRTP_ZID_LEN);
	cm->hash = c->suite.hash;
	cm->cipher = c->suite.cipher;
	cm->auth = c->suite.auth;
	cm->ka = c->suite.ka;
	cm->sas = c->suite.sas;
	cm->kind = cm->ka == ZRTP_ALG("Mult") ? ZRTP_COMMIT_MULT :
		   cm->ka == ZRTP_ALG("Prsh") ? ZRTP_COMMIT_PRSH : ZRTP_COMMIT_DH;
}

/* The initiator's DH Commit: its DHPart2 first, whose hash with the
 * responder's Hello is hvi (§4.4.1.1).
 */
static int send_commit(struct zrtp_conn *c, uint64_t now)
{
	struct zrtp_msg msg = { .type = ZRTP_COMMIT };
	struct zrtp_commit *cm = &msg.u.commit;
	struct zrtp_bytes d2, hr = { c->p_hello.b, c->p_hello.len };

	zi_choose_suite(c);
	if (build_dhpart(c, ZRTP_DHPART2))
		return zi_fail(c, 0, "cannot build our DHPart2");
	d2 = (struct zrtp_bytes){ c->dhpart.b, c->dhpart.len };
	zi_commit_head(c, cm);
	if (zrtp_hvi(c->suite.hash, &d2, &hr, cm->hvi))
		return zi_fail(c, 0, "cannot compute hvi");
	memcpy(c->hvi, cm->hvi, ZRTP_H_LEN);
	if (zi_build(c, &msg, &c->commit) || zrtp_msg_mac_set(c->commit.b, c->commit.len, c->chain.h[1]))
		return zi_fail(c, 0, "cannot build our Commit");
	c->initiator = true;
	c->st = ZS_COMMIT_SENT;
	return zi_send_rtx(c, &c->commit, now, false);
}

static int maybe_commit(struct zrtp_conn *c, uint64_t now)
{
	const struct zrtp_hello *ph = &c->ph.msg.u.hello;

	if (c->st != ZS_HELLO || !c->hello_rx || !c->hello_acked || c->cfg->passive)
		return 0;
	if (zi_prsh_possible(c)) {	/* never on a Multistream stream */
		zi_choose_suite(c);
		return zi_send_commit_prsh(c, now);
	}
	if (!c->cfg->ms)
		return send_commit(c, now);
	if (!zi_lists(ph->n, (const zrtp_alg (*)[ZRTP_MAX_ALGS])ph->alg, ZRTP_KA, ZRTP_ALG("Mult")))
		return zi_fail(c, 0x53, "Multistream: the peer's Hello does not offer it");
	return zi_send_commit_multi(c, now);
}

/* ---------------------------------------------------------------- input */

static bool hash_is(const uint8_t *pre, const uint8_t *img)
{
	uint8_t h[ZRTP_H_LEN];

	return !zrtp_hash2(ZRTP_ALG("S256"), pre, ZRTP_H_LEN, NULL, 0, h) &&
	       !CRYPTO_memcmp(h, img, ZRTP_H_LEN);
}

static bool hash_is_msg(const struct zrtp_bytes *msg, const uint8_t *img)
{
	uint8_t h[ZRTP_H_LEN];

	return !zrtp_hash2(ZRTP_ALG("S256"), msg->p, msg->len, NULL, 0, h) &&
	       !CRYPTO_memcmp(h, img, ZRTP_H_LEN);
}

static void keep(struct msgbuf *m, const struct zrtp_bytes *raw)
{
	m->len = raw->len <= sizeof(m->b) ? raw->len : 0;
	memcpy(m->b, raw->p, m->len);
}

static int on_hello(struct zrtp_conn *c, const struct zrtp_packet *p, uint64_t now)
{
	const struct zrtp_hello *h = &p->msg.u.hello;

	if (memcmp(h->version, ZRTP_VERSION, 4) > 0) {
		c->stats.hellos_newer++;	/* §4.1.1: ignored; ours go on, the peer steps down */
		return 0;
	}
	if (memcmp(h->version, ZRTP_VERSION, 4))
		return zi_fail(c, 0x30, "the peer speaks an older ZRTP version than 1.10 only");
	if (!memcmp(h->zid, c->cfg->zid, ZRTP_ZID_LEN))
		return zi_fail(c, 0x90, "the peer's ZID is ours");
	if (!c->hello_rx && c->want_hash && !hash_is_msg(&p->raw, c->p_hash)) {
		c->hash_mismatches++;	/* §8.1: not the Hello the signalling named */
		return 0;
	}
	if (!c->hello_rx) {
		keep(&c->p_hello, &p->raw);
		c->ph = *p;
		c->ph.raw = (struct zrtp_bytes){ c->p_hello.b, c->p_hello.len };
		c->hello_rx = true;
		c->co.had_entry = c->cfg->cache_get &&
				  !c->cfg->cache_get(c->cfg->cache_arg, h->zid, &c->ret);
		if (!c->co.had_entry)
			OPENSSL_cleanse(&c->ret, sizeof(c->ret));
	}
	if (zi_send_simple(c, ZRTP_HELLOACK, 0))
		return 0;
	return maybe_commit(c, now);
}

static int on_helloack(struct zrtp_conn *c, uint64_t now)
{
	if (c->st != ZS_HELLO)
		return 0;
	c->hello_acked = true;
	stop_rtx(c);
	return maybe_commit(c, now);
}

/* The peer's H2 (in its Commit) opens its Hello: H3 and the Hello's MAC. */
bool zi_hello_verified(const struct zrtp_conn *c, const uint8_t *h2)
{
	return hash_is(h2, c->ph.msg.u.hello.h3) &&
	       zrtp_msg_mac_ok(c->p_hello.b, c->p_hello.len, h2);
}

/*
 * §4.2: both committed. A DH Commit trumps a Preshared one; of two
 * Preshared ones the PBX's (M flag) yields; else the higher hvi (or
 * nonce) is the initiator's. Whether ours stands (theirs is dropped).
 */
static bool our_commit_stands(const struct zrtp_conn *c, const struct zrtp_commit *pc)
{
	bool theirs_prsh = pc->kind == ZRTP_COMMIT_PRSH, dh = pc->kind == ZRTP_COMMIT_DH;

	if (c->prsh != theirs_prsh)
		return !c->prsh;
	if (c->prsh && c->ph.msg.u.hello.mitm != c->cfg->mitm)
		return c->ph.msg.u.hello.mitm;
	return memcmp(c->hvi, dh ? pc->hvi : pc->nonce, dh ? ZRTP_H_LEN : ZRTP_NONCE_LEN) > 0;
}

/* A Preshared Commit we cannot match: our DH Commit instead (§4.4.2.3). */
static int prsh_unmatched(struct zrtp_conn *c, uint64_t now)
{
	if (c->cfg->passive)
		return zi_fail(c, 0x56, "Preshared Commit without a shared secret, and we are "
			       "passive (no DH Commit of ours)");
	memset(&c->pc, 0, sizeof(c->pc));
	c->p_commit.len = 0;
	return send_commit(c, now);
}

static int on_commit(struct zrtp_conn *c, const struct zrtp_packet *p, uint64_t now)
{
	const struct zrtp_commit *pc = &p->msg.u.commit;
	bool no_dh = c->multi || c->prsh;
	uint32_t code;
	int rc;

	if ((c->st == ZS_DH1_SENT || (c->st == ZS_CONFIRM1_SENT && no_dh)) &&
	    p->raw.len == c->p_commit.len && !memcmp(p->raw.p, c->p_commit.b, c->p_commit.len))
		/* our DHPart1 (Multistream, Preshared: Confirm1) was lost */
		return zi_send(c, no_dh ? &c->confirm : &c->dhpart);
	if ((c->st != ZS_HELLO && c->st != ZS_COMMIT_SENT) || !c->hello_rx ||
	    !zi_hello_verified(c, pc->h2))
		return 0;	/* out of place, or a false packet (§9) */
	if (c->st == ZS_COMMIT_SENT && (pc->kind == ZRTP_COMMIT_MULT) != c->multi)
		return zi_fail(c, 0x53, "Commit contention between a Multistream Commit and a "
			       "DH or Preshared one");
	if (c->st == ZS_COMMIT_SENT && our_commit_stands(c, pc))
		return 0;
	code = zi_commit_refused(c, pc);
	if (code)
		return zi_fail(c, code, "the peer's Commit chose what we do not offer");
	stop_rtx(c);
	if (c->prsh)
		zi_prsh_drop(c);
	keep(&c->p_commit, &p->raw);
	c->pc = *pc;
	c->suite = (struct zrtp_suite){ pc->hash, pc->cipher, pc->auth, pc->ka, pc->sas };
	c->initiator = false;
	if (pc->kind == ZRTP_COMMIT_MULT)
		return zi_multi_confirm1(c);
	if (pc->kind == ZRTP_COMMIT_PRSH) {
		rc = zi_prsh_respond(c);
		return rc > 0 ? prsh_unmatched(c, now) : rc;
	}
	if (build_dhpart(c, ZRTP_DHPART1))
		return zi_fail(c, 0, "cannot build our DHPart1");
	c->st = ZS_DH1_SENT;
	return zi_send(c, &c->dhpart);
}

/*
 * DHResult, total_hash = hash(responder's Hello || Commit || DHPart1 ||
 * DHPart2) and every key (§4.4.1.4); the peer's DHPart is kept.
 */
/* s2: our auxsecret if the peer's DHPart proves it holds the same (§4.3). */
static int aux_match(struct zrtp_conn *c, const struct zrtp_dhpart *pd, struct zrtp_shared *sh)
{
	uint8_t id[ZRTP_ID_LEN];

	if (!c->cfg->aux_len)
		return 0;	/* ZRTP_AUX_UNSET */
	if (zrtp_aux_id(c->suite.hash, c->cfg->aux, c->cfg->aux_len, c->ph.msg.u.hello.h3, id))
		return -1;
	c->co.aux = CRYPTO_memcmp(id, pd->auxid, ZRTP_ID_LEN) ? ZRTP_AUX_MISMATCH : ZRTP_AUX_MATCH;
	if (c->co.aux == ZRTP_AUX_MATCH) {
		sh->s2 = c->cfg->aux;
		sh->s2len = c->cfg->aux_len;
	}
	return 0;
}

/* s3: the pbxsecret of a PBX we enrolled with, if the peer holds it too (§4.3). */
static void pbx_match(struct zrtp_conn *c, const struct zrtp_dhpart *pd, struct zrtp_shared *sh)
{
	c->co.pbx = zrtp_pbx_match(c->suite.hash, &c->ret, !c->initiator, pd->pbxid);
	if (c->co.pbx == ZRTP_AUX_MATCH) {
		sh->s3 = c->ret.pbx;
		sh->s3len = c->ret.pbx_len;
	}
}

static int keys_from(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	const struct msgbuf *hr = c->initiator ? &c->p_hello : &c->hello;
	const struct msgbuf *cm = c->initiator ? &c->commit : &c->p_commit;
	const struct msgbuf *d1 = c->initiator ? &c->p_dhpart : &c->dhpart;
	const struct msgbuf *d2 = c->initiator ? &c->dhpart : &c->p_dhpart;
	const struct zrtp_dhpart *pd = &p->msg.u.dhpart;
	uint8_t result[ZRTP_PV_MAX_RESULT], th[ZRTP_HASH_MAX], s1[ZRTP_RS_LEN];
	struct zrtp_shared sh = { .s1 = s1 };
	struct zrtp_bytes parts[4];
	int rc;

	keep(&c->p_dhpart, &p->raw);
	memcpy(c->p_h1, p->msg.u.dhpart.h1, ZRTP_H_LEN);
	parts[0] = (struct zrtp_bytes){ hr->b, hr->len };
	parts[1] = (struct zrtp_bytes){ cm->b, cm->len };
	parts[2] = (struct zrtp_bytes){ d1->b, d1->len };
	parts[3] = (struct zrtp_bytes){ d2->b, d2->len };
	pbx_match(c, pd, &sh);
	rc = zrtp_ka_result(c->suite.ka, c->dh, pd->pv.p, result) ||
	     zrtp_hashv(c->suite.hash, parts, 4, th) ||
	     zrtp_rs_match(c->suite.hash, &c->ret, c->initiator, pd->rs1id, pd->rs2id, s1,
			   &sh.s1len, &c->co.mismatch) ||
	     aux_match(c, pd, &sh) ||
	     zrtp_keys_dh(&c->suite, result, zrtp_ka_result_len(c->suite.ka),
			  c->initiator ? c->cfg->zid : c->pc.zid,
			  c->initiator ? c->ph.msg.u.hello.zid : c->cfg->zid, th, &sh, &c->keys);
	c->co.s1_matched = !rc && sh.s1len;
	c->co.verified = c->co.s1_matched && c->ret.verified;
	OPENSSL_cleanse(result, sizeof(result));
	OPENSSL_cleanse(s1, sizeof(s1));
	EVP_PKEY_free(c->dh);	/* forward secrecy: the DH secret goes now */
	c->dh = NULL;
	return rc;
}

/*
 * Our Confirm (1 or 2): H0, the V flag our cache holds (if it keyed this
 * call), the cache expiry (forever, or 0 when cacheless), sealed.
 */
int zi_build_confirm(struct zrtp_conn *c, enum zrtp_type t, struct msgbuf *m)
{
	struct zrtp_confirm_body body = {
		/* §4.9: Multistream says forever, and it is ignored */
		.cache_expiry = c->cfg->cache_get || c->multi ? 0xffffffffu : 0,
		.sas_verified = c->co.verified,
		/* a PBX's enrollment call (§7.3.1); E implies not A, and we never set A */
		.pbx_enroll = c->cfg->mitm && c->cfg->pbx_enroll && !c->multi,
	};
	struct zrtp_msg msg = { .type = t };
	uint8_t plain[64], enc[64];
	size_t n;

	memcpy(body.h0, c->chain.h[0], ZRTP_H_LEN);
	n = zrtp_confirm_body_encode(&body, plain, sizeof(plain), NULL);
	if (!n || RAND_bytes(msg.u.sealed.iv, ZRTP_IV_LEN) != 1 ||
	    zrtp_confirm_seal(&c->suite, &c->keys, c->initiator, msg.u.sealed.iv, plain, n, enc,
			      msg.u.sealed.mac))
		return -1;
	msg.u.sealed.enc = (struct zrtp_bytes){ enc, n };
	return zi_build(c, &msg, m);
}

static int on_dhpart1(struct zrtp_conn *c, const struct zrtp_packet *p, uint64_t now)
{
	const struct zrtp_dhpart *d = &p->msg.u.dhpart;
	uint8_t h2[ZRTP_H_LEN];

	if (c->st != ZS_COMMIT_SENT || d->pv.len != zrtp_ka_pv_len(c->suite.ka) ||
	    zrtp_hash2(ZRTP_ALG("S256"), d->h1, ZRTP_H_LEN, NULL, 0, h2) ||
	    !zi_hello_verified(c, h2))
		return 0;
	if (keys_from(c, p))
		return zi_fail(c, 0x61, "the responder's DH value is refused");
	c->st = ZS_DH2_SENT;
	return zi_send_rtx(c, &c->dhpart, now, false);
}

static int on_dhpart2(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	const struct zrtp_dhpart *d = &p->msg.u.dhpart;
	struct zrtp_bytes hr = { c->hello.b, c->hello.len };
	uint8_t hvi[ZRTP_H_LEN];

	if (c->st == ZS_CONFIRM1_SENT && p->raw.len == c->p_dhpart.len &&
	    !memcmp(p->raw.p, c->p_dhpart.b, c->p_dhpart.len))
		return zi_send(c, &c->confirm);	/* our Confirm1 was lost */
	if (c->st != ZS_DH1_SENT || d->pv.len != zrtp_ka_pv_len(c->suite.ka) ||
	    !hash_is(d->h1, c->pc.h2) || !zrtp_msg_mac_ok(c->p_commit.b, c->p_commit.len, d->h1))
		return 0;
	if (zrtp_hvi(c->suite.hash, &p->raw, &hr, hvi) || CRYPTO_memcmp(hvi, c->pc.hvi, ZRTP_H_LEN))
		return zi_fail(c, 0x61, "DHPart2 does not match the Commit's hash commitment (hvi)");
	if (keys_from(c, p))
		return zi_fail(c, 0x61, "the initiator's DH value is refused");
	if (zi_build_confirm(c, ZRTP_CONFIRM1, &c->confirm))
		return zi_fail(c, 0, "cannot build our Confirm1");
	c->st = ZS_CONFIRM1_SENT;
	return zi_send(c, &c->confirm);
}

/*
 * The peer's Confirm: its MAC, then H0, which must hash to the H1 of its
 * DHPart and open that DHPart's MAC.
 */
static int open_confirm(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	struct zrtp_confirm_body body;
	uint8_t plain[MSG_MAX];
	int rc = -1;

	if (p->msg.u.sealed.enc.len > sizeof(plain) ||
	    zrtp_confirm_open(&c->suite, &c->keys, !c->initiator, &p->msg.u.sealed, plain))
		return zi_fail(c, 0x70, "the peer's Confirm does not verify (confirm_mac)");
	if (!zrtp_confirm_body_decode(plain, p->msg.u.sealed.enc.len, &body, NULL) &&
	    (c->multi || c->prsh ? zi_multi_chain_ok(c, body.h0) :
	     hash_is(body.h0, c->p_h1) &&
	     zrtp_msg_mac_ok(c->p_dhpart.b, c->p_dhpart.len, body.h0))) {
		rc = 0;
		c->co.peer_verified = body.sas_verified;
		c->co.pbx_enroll_offered = body.pbx_enroll && c->ph.msg.u.hello.mitm && !c->multi;
		c->co.expiry = c->cfg->cache_get && !c->multi ? body.cache_expiry : 0;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc ? zi_fail(c, 0x70, "the peer's H0 does not open its DHPart") : 0;
}

static int on_confirm1(struct zrtp_conn *c, const struct zrtp_packet *p, uint64_t now)
{
	if (c->st == ZS_COMMIT_SENT && c->multi) {
		if (zi_keys_multi(c))
			return zi_fail(c, 0, "cannot key the Multistream exchange");
	} else if (c->st == ZS_COMMIT_SENT && c->prsh) {
		if (zi_keys_prsh(c))
			return zi_fail(c, 0, "cannot key the Preshared exchange");
	} else if (c->st != ZS_DH2_SENT) {
		return 0;
	}
	if (open_confirm(c, p))
		return -1;
	if (zi_build_confirm(c, ZRTP_CONFIRM2, &c->confirm))
		return zi_fail(c, 0, "cannot build our Confirm2");
	c->st = ZS_CONFIRM2_SENT;
	return zi_send_rtx(c, &c->confirm, now, false);
}

static int on_confirm2(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	if (c->st == ZS_SECURE && !c->initiator)
		return zi_send_simple(c, ZRTP_CONF2ACK, 0);	/* our Conf2ACK was lost */
	if (c->st != ZS_CONFIRM1_SENT)
		return 0;
	if (open_confirm(c, p))
		return -1;
	c->st = ZS_SECURE;
	return zi_send_simple(c, ZRTP_CONF2ACK, 0);
}

int zrtp_input(struct zrtp_conn *c, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct zrtp_packet p;

	if (c->st == ZS_FAILED || zrtp_decode(pkt, len, &p, NULL))
		return c->st == ZS_FAILED ? -1 : 0;	/* §5: a bad CRC is dropped silently */
	switch (p.msg.type) {
	case ZRTP_HELLO: return on_hello(c, &p, now);
	case ZRTP_HELLOACK: return on_helloack(c, now);
	case ZRTP_COMMIT: return on_commit(c, &p, now);
	case ZRTP_DHPART1: return c->initiator ? on_dhpart1(c, &p, now) : 0;
	case ZRTP_DHPART2: return c->initiator ? 0 : on_dhpart2(c, &p);
	case ZRTP_CONFIRM1: return c->initiator ? on_confirm1(c, &p, now) : 0;
	case ZRTP_CONFIRM2: return c->initiator ? 0 : on_confirm2(c, &p);
	case ZRTP_CONF2ACK:
		if (c->st == ZS_CONFIRM2_SENT) {
			stop_rtx(c);
			c->st = ZS_SECURE;
		}
		return 0;
	case ZRTP_ERROR:
		zi_send_simple(c, ZRTP_ERRORACK, 0);
		snprintf(c->why, sizeof(c->why), "the peer sent Error 0x%x", p.msg.u.error);
		c->st = ZS_FAILED;
		stop_rtx(c);
		return -1;
	case ZRTP_RELAYACK:
		if (c->rtx == &c->relay)
			stop_rtx(c);
		return 0;
	case ZRTP_PING: return zi_on_ping(c, &p);
	case ZRTP_GOCLEAR: return zi_on_goclear(c, &p);
	case ZRTP_SASRELAY: return zi_on_sasrelay(c, &p);
	default:	/* ErrorACK, ClearACK, PingACK: nothing to do */
		return 0;
	}
}

/* ---------------------------------------------------------------- time, results */

uint64_t zrtp_timer(struct zrtp_conn *c, uint64_t now)
{
	if (!c->rtx || !c->next_tx || now < c->next_tx)
		return c->next_tx;
	if (!c->tx_left) {
		if (c->rtx != &c->relay) {
			zi_fail(c, 0, "no answer from the peer (retransmissions exhausted)");
			return 0;
		}
		c->stats.sasrelay_unacked++;	/* a SAS not shown: not worth the call */
		stop_rtx(c);
		return 0;
	}
	c->tx_left--;
	zi_send(c, c->rtx);
	c->tx_ms = c->tx_ms * 2 > c->tx_max_ms ? c->tx_max_ms : c->tx_ms * 2;
	c->next_tx = now + c->tx_ms;
	return c->next_tx;
}

size_t zrtp_output(struct zrtp_conn *c, uint8_t *buf, size_t cap)
{
	size_t n;

	if (!c->nout || c->out_len[0] > cap)
		return 0;
	n = c->out_len[0];
	memcpy(buf, c->out[0], n);
	memmove(c->out, c->out[1], (c->nout - 1) * sizeof(c->out[0]));
	memmove(c->out_len, c->out_len + 1, (c->nout - 1) * sizeof(c->out_len[0]));
	c->nout--;
	return n;
}

enum zrtp_state zrtp_state(const struct zrtp_conn *c)
{
	return c->st;
}

const char *zrtp_why(const struct zrtp_conn *c)
{
	return c->why;
}

bool zrtp_is_initiator(const struct zrtp_conn *c)
{
	return c->initiator;
}

bool zrtp_is_multistream(const struct zrtp_conn *c)
{
	return c->multi;
}

bool zrtp_is_preshared(const struct zrtp_conn *c)
{
	return c->prsh;
}

const struct zrtp_suite *zrtp_suite(const struct zrtp_conn *c)
{
	return &c->suite;
}

const struct zrtp_keys *zrtp_result(const struct zrtp_conn *c)
{
	return c->st == ZS_SECURE ? &c->keys : NULL;
}

int zrtp_hello_hash(const struct zrtp_conn *c, char out[65])
{
	uint8_t h[ZRTP_H_LEN];
	int i;

	if (!c->hello.len || zrtp_hash2(ZRTP_ALG("S256"), c->hello.b, c->hello.len, NULL, 0, h))
		return -1;
	for (i = 0; i < ZRTP_H_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return 0;
}

int zrtp_set_peer_hello_hash(struct zrtp_conn *c, const uint8_t hash[32])
{
	struct zrtp_bytes m = { c->p_hello.b, c->p_hello.len };

	memcpy(c->p_hash, hash, ZRTP_H_LEN);
	c->want_hash = true;
	if (!c->hello_rx || hash_is_msg(&m, hash))
		return 0;
	c->hash_mismatches++;
	return zi_fail(c, 0, "the peer's Hello does not match its a=zrtp-hash");
}

unsigned int zrtp_hello_hash_mismatches(const struct zrtp_conn *c)
{
	return c->hash_mismatches;
}

bool zrtp_peer_zid(const struct zrtp_conn *c, uint8_t zid[ZRTP_ZID_LEN])
{
	if (!c->hello_rx)
		return false;
	memcpy(zid, c->ph.msg.u.hello.zid, ZRTP_ZID_LEN);
	return true;
}

bool zrtp_peer_client_id(const struct zrtp_conn *c, char out[17])
{
	if (!c->hello_rx)
		return false;
	memcpy(out, c->ph.msg.u.hello.cid, 16);
	out[16] = 0;
	return true;
}

bool zrtp_peer_is_pbx(const struct zrtp_conn *c)
{
	return c->hello_rx && c->ph.msg.u.hello.mitm;
}

void zrtp_cache_outcome(const struct zrtp_conn *c, struct zrtp_cache_outcome *out)
{
	*out = c->co;
}

const struct zrtp_stats *zrtp_stats(const struct zrtp_conn *c)
{
	return &c->stats;
}

const struct zrtp_relayed *zrtp_relayed(const struct zrtp_conn *c)
{
	return &c->relayed;
}

int zrtp_pbx_secret(const struct zrtp_conn *c, uint8_t out[32])
{
	uint8_t zids[2 * ZRTP_ZID_LEN];

	if (c->st != ZS_SECURE || c->multi)
		return -1;
	memcpy(zids, c->initiator ? c->cfg->zid : c->pc.zid, ZRTP_ZID_LEN);
	memcpy(zids + ZRTP_ZID_LEN, c->initiator ? c->ph.msg.u.hello.zid : c->cfg->zid,
	       ZRTP_ZID_LEN);
	return zrtp_kdf(c->suite.hash, c->keys.zrtpsess, c->keys.hlen, "Trusted MiTM key", zids,
			sizeof(zids), 256, out);
}
