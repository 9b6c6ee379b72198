// SPDX-License-Identifier: GPL-2.0
/*
 * The secrets ZRTP mixes into s0 beside the DH result (RFC 6189 §4.3),
 * keyd's engine against bzrtp (zrtp_bzrtp_peer.h) in one process:
 * retained secrets (bzrtp with its sqlite ZID cache, keyd's engine with
 * an entry kept by the test): a second call keys with rs1 on both sides,
 * the SAS verified flag crosses in the Confirms, and an entry that matches
 * nothing is a cache mismatch while the call still agrees on its keys. The
 * auxsecret both ways, matching or not; the pbxsecret of an enrolled PBX
 * (written into both caches) matching or not. Version negotiation (§4.1.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzrtp/bzrtp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "ktap.h"
#include "zrtp_bzrtp_peer.h"

/* ---------------------------------------------------------------- retained secrets */

static struct zrtp_retained mine;	/* keyd's cache entry for bzrtp */
static bool mine_set;

static int cache_get(void *arg, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *out)
{
	(void)arg;
	(void)zid;
	if (!mine_set)
		return -1;
	*out = mine;
	return 0;
}

/*
 * One call with both caches: SECURE, the same SAS, bzrtp's keys ours each
 * way; then keyd's entry updated as keyd_method would (rs2 = rs1, rs1 =
 * the new one) and, if asked, bzrtp told the users verified the SAS.
 */
static void cache_call(bool we_initiate, bool bz_verify, struct zrtp_cache_outcome *co,
		       bool *bz_verified)
{
	struct call *c = calloc(1, sizeof(*c));
	const struct zrtp_keys *k;
	struct zrtp_cfg cfg;
	bool init;

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", !we_initiate);
	cfg.cache_get = cache_get;
	KTAP_ASSERT_EQ(run(c, &cfg, we_initiate), 0);
	k = zrtp_result(c->us);
	memset(co, 0, sizeof(*co));
	if (KTAP_EXPECT(k && c->bz.secure)) {
		init = zrtp_is_initiator(c->us);
		KTAP_EXPECT_EQ(init, we_initiate);
		KTAP_EXPECT(!strcmp(k->sas, c->bz.sas));
		KTAP_EXPECT(!memcmp(c->bz.key, init ? k->srtp_key_r : k->srtp_key_i, k->klen));
		KTAP_EXPECT(!memcmp(c->bz.pkey, init ? k->srtp_key_i : k->srtp_key_r, k->klen));
		zrtp_cache_outcome(c->us, co);
		*bz_verified = c->bz.verified;
		if (co->expiry && !co->mismatch) {
			memcpy(mine.rs2, mine.rs1, ZRTP_RS_LEN);
			mine.have_rs2 = mine.have_rs1;
			memcpy(mine.rs1, k->rs1_new, ZRTP_RS_LEN);
			mine.have_rs1 = mine_set = true;
			mine.verified = co->verified;
		}
		if (bz_verify)
			bzrtp_SASVerified(c->bz.ctx);
	} else {
		ktap_diag("keyd %d (%s), bzrtp secure %d", zrtp_state(c->us), zrtp_why(c->us),
			  c->bz.secure);
	}
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

/* Both caches empty: bzrtp's a new sqlite one in memory (bz_db), keyd's entry unset. */
static sqlite3 *caches_fresh(void)
{
	sqlite3 *db = NULL;
	int rc;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	rc = bzrtp_initCache_lock(db, NULL);
	if (rc && rc != BZRTP_CACHE_SETUP) {
		sqlite3_close(db);
		return NULL;
	}
	bz_db = db;
	mine_set = false;
	memset(&mine, 0, sizeof(mine));
	return db;
}

static void test_retained_secrets(void)
{
	struct zrtp_cache_outcome co;
	sqlite3 *db;
	bool bzv = false;

	db = caches_fresh();
	KTAP_ASSERT(db != NULL);
	/* 1: a first call; both keep rs1; the users compare the SAS */
	cache_call(false, true, &co, &bzv);
	ktap_diag("call 1: entry %d s1 %d mismatch %d expiry 0x%x", co.had_entry, co.s1_matched,
		  co.mismatch, co.expiry);
	KTAP_EXPECT(!co.had_entry && !co.s1_matched && !co.mismatch && co.expiry == 0xffffffffu);
	KTAP_EXPECT(mine_set && !bzv);
	mine.verified = true;		/* what the verify_sas operation records */
	/* 2: keyd commits; rs1 keys the call on both sides, both say verified */
	cache_call(true, false, &co, &bzv);
	ktap_diag("call 2: entry %d s1 %d mismatch %d verified %d peer_verified %d bzrtp %d",
		  co.had_entry, co.s1_matched, co.mismatch, co.verified, co.peer_verified, bzv);
	KTAP_EXPECT(co.had_entry && co.s1_matched && !co.mismatch);
	KTAP_EXPECT(co.verified && co.peer_verified && bzv);
	/* 3: bzrtp commits; rs1 (call 2's) still matches */
	cache_call(false, false, &co, &bzv);
	KTAP_EXPECT(co.s1_matched && !co.mismatch && co.verified);
	/* 4: keyd's secrets are not bzrtp's: a cache mismatch, nothing verified */
	KTAP_ASSERT(RAND_bytes(mine.rs1, ZRTP_RS_LEN) == 1 && RAND_bytes(mine.rs2, ZRTP_RS_LEN) == 1);
	cache_call(true, false, &co, &bzv);
	ktap_diag("call 4: entry %d s1 %d mismatch %d verified %d bzrtp %d", co.had_entry,
		  co.s1_matched, co.mismatch, co.verified, bzv);
	KTAP_EXPECT(co.had_entry && !co.s1_matched && co.mismatch && !co.verified);
	bz_db = NULL;
	sqlite3_close(db);
}

/*
 * auxsecret (§4.3): one call with the aux secrets given (NULL: none); both
 * sides must agree on the keys and SAS, and report the outcome wanted.
 */
static void aux_call(const char *ours, const char *theirs, bool we_initiate,
		     enum zrtp_aux want_us, uint8_t want_bz)
{
	struct call *c = calloc(1, sizeof(*c));
	const struct zrtp_keys *k;
	struct zrtp_cache_outcome co;
	struct zrtp_cfg cfg;

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	if (theirs)
		bzrtp_setAuxiliarySharedSecret(c->bz.ctx, (const uint8_t *)theirs, strlen(theirs));
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", !we_initiate);
	if (ours) {
		memcpy(cfg.aux, ours, strlen(ours));
		cfg.aux_len = strlen(ours);
	}
	KTAP_ASSERT_EQ(run(c, &cfg, we_initiate), 0);
	k = zrtp_result(c->us);
	if (KTAP_EXPECT(k && c->bz.secure)) {
		zrtp_cache_outcome(c->us, &co);
		ktap_diag("aux %s/%s, keyd %s: keyd %d bzrtp %d, SAS %s %s", ours ? ours : "-",
			  theirs ? theirs : "-", we_initiate ? "initiator" : "responder", co.aux,
			  c->bz.aux, k->sas, c->bz.sas);
		KTAP_EXPECT_EQ(co.aux, want_us);
		KTAP_EXPECT_EQ(c->bz.aux, want_bz);
		KTAP_EXPECT(!strcmp(k->sas, c->bz.sas));
		/* s2 went into s0 on both sides or on neither: the same keys */
		KTAP_EXPECT(!memcmp(c->bz.pkey, zrtp_is_initiator(c->us) ? k->srtp_key_i :
					k->srtp_key_r, k->klen));
	}
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

static void test_aux_secret(void)
{
	aux_call("call-secret-7", "call-secret-7", true, ZRTP_AUX_MATCH, BZRTP_AUXSECRET_MATCH);
	aux_call("call-secret-7", "call-secret-7", false, ZRTP_AUX_MATCH, BZRTP_AUXSECRET_MATCH);
	aux_call("call-secret-7", "call-secret-8", true, ZRTP_AUX_MISMATCH,
		 BZRTP_AUXSECRET_MISMATCH);
	aux_call("call-secret-7", NULL, false, ZRTP_AUX_MISMATCH, BZRTP_AUXSECRET_UNSET);
	aux_call(NULL, "call-secret-7", true, ZRTP_AUX_UNSET, BZRTP_AUXSECRET_MISMATCH);
}

/* ---------------------------------------------------------------- pbxsecret */

/* bzrtp's pbxsecret for keyd (every row of its cache), NULL: none. */
static void bz_pbx(sqlite3 *db, const uint8_t *pbx, size_t len)
{
	sqlite3_stmt *st = NULL;

	KTAP_ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE zrtp SET pbx=?;", -1, &st, NULL), SQLITE_OK);
	if (pbx)
		sqlite3_bind_blob(st, 1, pbx, (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	KTAP_EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
	KTAP_EXPECT_EQ(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
}

/*
 * pbxsecret (§4.3, §7.3.1): as if both had enrolled, the same secret in
 * both caches keys the call as s3 (bzrtp reads its from its sqlite
 * cache); a different one, or only one side's, is no s3 on either side.
 * cache_call checks each time that the keys and SAS are bzrtp's.
 */
static void test_pbx_secret(void)
{
	struct zrtp_cache_outcome co;
	uint8_t pbx[32], other[32];
	sqlite3 *db;
	bool bzv = false;

	db = caches_fresh();
	KTAP_ASSERT(db != NULL);
	KTAP_ASSERT(RAND_bytes(pbx, sizeof(pbx)) == 1 && RAND_bytes(other, sizeof(other)) == 1);
	cache_call(false, false, &co, &bzv);	/* the first call makes both entries */
	KTAP_EXPECT(co.pbx == ZRTP_AUX_UNSET && mine_set);
	memcpy(mine.pbx, pbx, sizeof(pbx));
	mine.pbx_len = sizeof(pbx);
	bz_pbx(db, pbx, sizeof(pbx));
	cache_call(true, false, &co, &bzv);
	ktap_diag("same pbxsecret, keyd initiator: pbx %d s1 %d", co.pbx, co.s1_matched);
	KTAP_EXPECT(co.pbx == ZRTP_AUX_MATCH && co.s1_matched);
	cache_call(false, false, &co, &bzv);
	KTAP_EXPECT(co.pbx == ZRTP_AUX_MATCH && co.s1_matched);
	bz_pbx(db, other, sizeof(other));
	cache_call(true, false, &co, &bzv);
	ktap_diag("another pbxsecret: pbx %d", co.pbx);
	KTAP_EXPECT(co.pbx == ZRTP_AUX_MISMATCH && co.s1_matched);
	bz_pbx(db, NULL, 0);
	cache_call(false, false, &co, &bzv);
	KTAP_EXPECT(co.pbx == ZRTP_AUX_MISMATCH);
	mine.pbx_len = 0;
	bz_pbx(db, pbx, sizeof(pbx));
	cache_call(true, false, &co, &bzv);
	KTAP_EXPECT(co.pbx == ZRTP_AUX_UNSET && co.s1_matched);
	bz_db = NULL;
	sqlite3_close(db);
}

/* ---------------------------------------------------------------- versions */

/* A Hello from "the peer" with the version given, into a fresh engine's hands. */
static int hello_of(struct zrtp_conn *us, const char *version, struct zrtp_packet *reply,
		    size_t *replies)
{
	struct zrtp_packet p = { .ssrc = 0xb2b2b2b2, .msg = { .type = ZRTP_HELLO } };
	struct zrtp_hello *h = &p.msg.u.hello;
	uint8_t pkt[1500], out[1500];
	size_t n, m;
	int rc;

	memcpy(h->version, version, 4);
	memcpy(h->cid, "test peer       ", 16);
	memcpy(h->zid, "peer-zid-002", ZRTP_ZID_LEN);
	n = zrtp_encode(&p, pkt, sizeof(pkt), NULL);
	if (!KTAP_EXPECT(n > 0))
		return -2;
	rc = zrtp_input(us, pkt, n, 2000);
	*replies = 0;
	while ((m = zrtp_output(us, out, sizeof(out))))
		if (!zrtp_decode(out, m, reply, NULL))
			(*replies)++;
	return rc;
}

/*
 * §4.1.1: a Hello of a later version is ignored (no HelloACK; ours go on),
 * one of 1.10 after it is answered; an older version is an Error 0x30
 * (unsupported ZRTP version) and the end of the exchange.
 */
static void test_version_negotiation(void)
{
	struct zrtp_packet r;
	struct zrtp_cfg cfg;
	struct zrtp_conn *us;
	size_t n;

	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", true);
	us = zrtp_new(&cfg, 0xa1a1a1a1);
	KTAP_ASSERT(us && !zrtp_start(us, 1000));
	while (zrtp_output(us, (uint8_t[1500]){ 0 }, 1500))
		;
	KTAP_EXPECT_EQ(hello_of(us, "2.00", &r, &n), 0);
	KTAP_EXPECT(n == 0 && zrtp_stats(us)->hellos_newer == 1 && zrtp_state(us) == ZS_HELLO);
	KTAP_EXPECT_EQ(hello_of(us, "1.11", &r, &n), 0);
	KTAP_EXPECT(n == 0 && zrtp_stats(us)->hellos_newer == 2);
	KTAP_EXPECT(zrtp_timer(us, 1060) != 0);		/* our Hello is resent */
	KTAP_EXPECT(zrtp_output(us, (uint8_t[1500]){ 0 }, 1500) > 0);
	KTAP_EXPECT_EQ(hello_of(us, "1.10", &r, &n), 0);
	KTAP_EXPECT(n == 1 && r.msg.type == ZRTP_HELLOACK);
	zrtp_free(us);

	us = zrtp_new(&cfg, 0xa1a1a1a1);
	KTAP_ASSERT(us && !zrtp_start(us, 1000));
	while (zrtp_output(us, (uint8_t[1500]){ 0 }, 1500))
		;
	KTAP_EXPECT_EQ(hello_of(us, "1.00", &r, &n), -1);
	KTAP_EXPECT(n == 1 && r.msg.type == ZRTP_ERROR && r.msg.u.error == 0x30);
	KTAP_EXPECT(zrtp_state(us) == ZS_FAILED && strstr(zrtp_why(us), "version"));
	KTAP_EXPECT_EQ(zrtp_timer(us, 5000), 0);	/* no Hello after it */
	zrtp_free(us);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_retained_secrets),
	KTAP_TEST(test_aux_secret),
	KTAP_TEST(test_pbx_secret),
	KTAP_TEST(test_version_negotiation),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
