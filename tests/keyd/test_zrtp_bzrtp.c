// SPDX-License-Identifier: GPL-2.0
/*
 * keyd's ZRTP engine (userspace-keyd/keyd/zrtp_engine.c) against Belledonne's
 * bzrtp (Debian libbzrtp, the ZRTP of linphone) in one process, packets
 * passed in memory with a simulated clock: for each key agreement both
 * have (X255, DH3k, DH2k), ciphers AES1 and AES3, auth tags HS32 and HS80,
 * hashes S256 and S384, the call reaches SECURE on both sides with the
 * same SAS, keyd's SRTP master keys and salts equal bzrtp's each way, and
 * the suite bzrtp reports is the one keyd's engine chose or took. keyd as
 * responder (passive: bzrtp commits) and as initiator (bzrtp is made to
 * wait for our Commit); six calls where both commit at once (§4.2's
 * contention), each completing whoever wins. A Hello bzrtp sent, altered, is dropped by keyd's
 * engine (its CRC) and the call still completes on bzrtp's resend; a
 * Confirm1 altered with its CRC made good fails the exchange. Retained
 * secrets (bzrtp with its sqlite ZID cache, keyd's engine with an entry
 * kept by the test): a second call keys with rs1 on both sides, the SAS
 * verified flag crosses in the Confirms, and an entry that matches
 * nothing is a cache mismatch while the call still agrees on its keys.
 * Multistream: a second channel of bzrtp's context against a second
 * engine keyed from the first stream's ZRTPSess, either side committing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzrtp/bzrtp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "ktap.h"
#include "zrtp_engine.h"

#define QMAX 32

struct queue {
	uint8_t b[QMAX][1500];
	size_t len[QMAX], n;
};

struct bz {
	bzrtpContext_t *ctx;
	uint32_t ssrc;
	struct queue *out;
	bool secure;
	char sas[ZRTP_SAS_MAX];
	uint8_t key[32], salt[14], pkey[32], psalt[14];
	size_t klen;
	uint8_t cipher, auth, hash, ka;
	bool verified;		/* bzrtp's SAS verified flag for this call */
	uint8_t aux;		/* bzrtp's auxsecret outcome (BZRTP_AUXSECRET_*) */
};

static void *bz_db;	/* bzrtp's ZID cache (an sqlite3 *); NULL: cacheless */
static uint8_t bz_sas;	/* the one SAS type bzrtp offers; 0: its defaults */

/* bzrtp's B256 rendering (exported by libbzrtp, not in its header) */
void bzrtp_base256(uint32_t sas, char *output, int outputSize);

static int cb_send(void *cd, const uint8_t *p, uint16_t len)
{
	struct bz *b = cd;

	if (b->out->n == QMAX)
		return -1;
	memcpy(b->out->b[b->out->n], p, len);
	b->out->len[b->out->n++] = len;
	return 0;
}

static int cb_secrets(void *cd, const bzrtpSrtpSecrets_t *s, uint8_t part)
{
	struct bz *b = cd;

	if (part & ZRTP_SRTP_SECRETS_FOR_SENDER) {
		memcpy(b->key, s->selfSrtpKey, s->selfSrtpKeyLength);
		memcpy(b->salt, s->selfSrtpSalt, s->selfSrtpSaltLength);
		b->klen = s->selfSrtpKeyLength;
	}
	if (part & ZRTP_SRTP_SECRETS_FOR_RECEIVER) {
		memcpy(b->pkey, s->peerSrtpKey, s->peerSrtpKeyLength);
		memcpy(b->psalt, s->peerSrtpSalt, s->peerSrtpSaltLength);
	}
	return 0;
}

static int cb_start(void *cd, const bzrtpSrtpSecrets_t *s, int32_t verified)
{
	struct bz *b = cd;

	b->verified = verified;
	b->aux = s->auxSecretMismatch;
	b->secure = true;
	snprintf(b->sas, sizeof(b->sas), "%s", s->sas ? s->sas : "");
	b->cipher = s->cipherAlgo;
	b->auth = s->authTagAlgo;
	b->hash = s->hashAlgo;
	b->ka = s->keyAgreementAlgo;
	return 0;
}

static int cb_status(void *cd, const uint8_t lvl, const uint8_t id, const char *msg)
{
	(void)cd;
	(void)lvl;
	(void)id;
	(void)msg;
	return 0;
}

static void bz_setup(struct bz *b, struct queue *out, uint8_t ka, uint8_t cipher, uint8_t auth,
		     uint8_t hash)
{
	bzrtpCallbacks_t cbs = { 0 };
	uint8_t k[7];

	memset(b, 0, sizeof(*b));
	b->ssrc = 0xb2b2b2b2;
	b->out = out;
	b->ctx = bzrtp_createBzrtpContext();
	cbs.bzrtp_statusMessage = cb_status;
	cbs.bzrtp_messageLevel = BZRTP_MESSAGE_ERROR;
	cbs.bzrtp_sendData = cb_send;
	cbs.bzrtp_srtpSecretsAvailable = cb_secrets;
	cbs.bzrtp_startSrtpSession = cb_start;
	bzrtp_setCallbacks(b->ctx, &cbs);
	k[0] = ka;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_KEYAGREEMENT_TYPE, k, 1);
	k[0] = cipher;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_CIPHERBLOCK_TYPE, k, 1);
	k[0] = auth;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_AUTHTAG_TYPE, k, 1);
	k[0] = hash;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_HASH_TYPE, k, 1);
	k[0] = bz_sas;
	if (bz_sas)
		bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_SAS_TYPE, k, 1);
	bzrtp_setZIDCache(b->ctx, bz_db, "sip:bz@example.org", "sip:keyd@example.org");
	bzrtp_initBzrtpContext(b->ctx, b->ssrc);
	bzrtp_setClientData(b->ctx, b->ssrc, b);
}

/* Our engine's configuration: the case's algorithms first. */
static void our_cfg(struct zrtp_cfg *cfg, const char *ka, const char *cipher, const char *auth,
		    const char *hash, bool passive)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->zid, "keyd-zid-001", ZRTP_ZID_LEN);
	cfg->passive = passive;
	cfg->n[ZRTP_HASH] = 1;
	cfg->alg[ZRTP_HASH][0] = ZRTP_ALG(hash);
	cfg->n[ZRTP_CIPHER] = 1;
	cfg->alg[ZRTP_CIPHER][0] = ZRTP_ALG(cipher);
	cfg->n[ZRTP_AUTH] = 1;
	cfg->alg[ZRTP_AUTH][0] = ZRTP_ALG(auth);
	cfg->n[ZRTP_KA] = 1;
	cfg->alg[ZRTP_KA][0] = ZRTP_ALG(ka);
	cfg->n[ZRTP_SAS] = 1;
	cfg->alg[ZRTP_SAS][0] = ZRTP_ALG("B32 ");
}

struct call {
	struct queue to_us, to_bz;
	struct bz bz;
	struct zrtp_conn *us;
	uint64_t now;
	const char *tamper;	/* the first bzrtp message of this type is altered */
	bool fix_crc;		/* and its CRC made good again */
	bool hold_ack;		/* our HelloACKs lost until our Commit is out */
};

static void tamper(struct call *c, uint8_t *p, size_t n)
{
	uint32_t crc;

	if (!c->tamper || n < 40 || memcmp(p + 16, c->tamper, 8))
		return;
	p[n - 10] ^= 0x01;	/* in the MAC or the encrypted part */
	c->tamper = NULL;
	if (!c->fix_crc)
		return;
	crc = zrtp_crc32c(p, n - 4);
	p[n - 4] = (uint8_t)crc;
	p[n - 3] = (uint8_t)(crc >> 8);
	p[n - 2] = (uint8_t)(crc >> 16);
	p[n - 1] = (uint8_t)(crc >> 24);
}

/* One round: bzrtp's packets to us, ours to bzrtp, 10 ms of time. */
static void round_trip(struct call *c, bool start_bz)
{
	uint8_t pkt[1500];
	size_t i, n;

	for (i = 0; i < c->to_us.n; i++) {
		tamper(c, c->to_us.b[i], c->to_us.len[i]);
		zrtp_input(c->us, c->to_us.b[i], c->to_us.len[i], c->now);
	}
	c->to_us.n = 0;
	while ((n = zrtp_output(c->us, pkt, sizeof(pkt)))) {
		if (c->hold_ack && !memcmp(pkt + 16, "HelloACK", 8))
			continue;
		if (!memcmp(pkt + 16, "Commit  ", 8))
			c->hold_ack = false;
		if (start_bz)
			bzrtp_processMessage(c->bz.ctx, c->bz.ssrc, pkt, n);
	}
	c->now += 10;
	zrtp_timer(c->us, c->now);
	if (start_bz)
		bzrtp_iterate(c->bz.ctx, c->bz.ssrc, c->now);
}

/*
 * A call. For keyd to initiate, bzrtp must not commit first: it commits
 * once our Hello is acknowledged, so our HelloACKs are lost until our
 * Commit (which acknowledges its Hello, §4.1) is on its way.
 */
static int run(struct call *c, const struct zrtp_cfg *cfg, bool we_initiate)
{
	int i;

	c->now = 1000;
	c->hold_ack = we_initiate;
	c->us = zrtp_new(cfg, 0xa1a1a1a1);
	if (!c->us || zrtp_start(c->us, c->now))
		return -1;
	bzrtp_startChannelEngine(c->bz.ctx, c->bz.ssrc);
	for (i = 0; i < 600 && !(c->bz.secure && zrtp_state(c->us) == ZS_SECURE) &&
	     zrtp_state(c->us) != ZS_FAILED; i++)
		round_trip(c, true);
	return 0;
}

static const char *name_of(uint8_t id)
{
	switch (id) {
	case ZRTP_KEYAGREEMENT_X255: return "X255";
	case ZRTP_KEYAGREEMENT_DH3k: return "DH3k";
	case ZRTP_KEYAGREEMENT_DH2k: return "DH2k";
	case ZRTP_CIPHER_AES1: return "AES1";
	case ZRTP_CIPHER_AES3: return "AES3";
	case ZRTP_AUTHTAG_HS32: return "HS32";
	case ZRTP_AUTHTAG_HS80: return "HS80";
	case ZRTP_HASH_S256: return "S256";
	case ZRTP_HASH_S384: return "S384";
	}
	return "?";
}

static void one_case_as(uint8_t ka, uint8_t cipher, uint8_t auth, uint8_t hash, bool passive,
			bool contend, int *initiated)
{
	struct call *c = calloc(1, sizeof(*c));
	const struct zrtp_keys *k;
	struct zrtp_cfg cfg;
	bool init;

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ka, cipher, auth, hash);
	our_cfg(&cfg, name_of(ka), name_of(cipher), name_of(auth), name_of(hash), passive);
	KTAP_ASSERT_EQ(run(c, &cfg, !passive && !contend), 0);
	k = zrtp_result(c->us);
	if (!KTAP_EXPECT(k && c->bz.secure)) {
		ktap_diag("%s/%s/%s/%s: keyd %d (%s), bzrtp secure %d", name_of(ka),
			  name_of(cipher), name_of(auth), name_of(hash), zrtp_state(c->us),
			  zrtp_why(c->us), c->bz.secure);
		goto out;
	}
	init = zrtp_is_initiator(c->us);
	ktap_diag("%s/%s/%s/%s: keyd %s, SAS keyd %s bzrtp %s", name_of(ka), name_of(cipher),
		  name_of(auth), name_of(hash), init ? "initiator" : "responder", k->sas, c->bz.sas);
	if (!contend)
		KTAP_EXPECT_EQ(init, !passive);
	*initiated += init;
	KTAP_EXPECT(!strcmp(k->sas, c->bz.sas));
	KTAP_EXPECT_EQ(c->bz.klen, k->klen);
	/* bzrtp's own TX key is our RX key, and the other way round */
	KTAP_EXPECT(!memcmp(c->bz.key, init ? k->srtp_key_r : k->srtp_key_i, k->klen));
	KTAP_EXPECT(!memcmp(c->bz.salt, init ? k->srtp_salt_r : k->srtp_salt_i, 14));
	KTAP_EXPECT(!memcmp(c->bz.pkey, init ? k->srtp_key_i : k->srtp_key_r, k->klen));
	KTAP_EXPECT(!memcmp(c->bz.psalt, init ? k->srtp_salt_i : k->srtp_salt_r, 14));
	KTAP_EXPECT(c->bz.ka == ka && c->bz.cipher == cipher && c->bz.auth == auth &&
		    c->bz.hash == hash);
out:
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

static void one_case(uint8_t ka, uint8_t cipher, uint8_t auth, uint8_t hash, bool passive)
{
	int n = 0;

	one_case_as(ka, cipher, auth, hash, passive, false, &n);
}

/* Both commit at once (§4.2): whoever's hvi wins, the same keys and SAS. */
static void test_contention(void)
{
	int i, n = 0;

	for (i = 0; i < 6; i++)
		one_case_as(ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS32,
			    ZRTP_HASH_S256, false, true, &n);
	ktap_diag("keyd was the initiator in %d of 6 contended calls", n);
}

static void test_responder_x255(void)
{
	one_case(ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80, ZRTP_HASH_S256, true);
}

static void test_responder_dh3k_aes3_hs32(void)
{
	one_case(ZRTP_KEYAGREEMENT_DH3k, ZRTP_CIPHER_AES3, ZRTP_AUTHTAG_HS32, ZRTP_HASH_S256, true);
}

static void test_responder_dh2k_s384(void)
{
	one_case(ZRTP_KEYAGREEMENT_DH2k, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS32, ZRTP_HASH_S384, true);
}

static void test_initiator_x255(void)
{
	one_case(ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES3, ZRTP_AUTHTAG_HS80, ZRTP_HASH_S384, false);
}

static void test_initiator_dh3k(void)
{
	one_case(ZRTP_KEYAGREEMENT_DH3k, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80, ZRTP_HASH_S256, false);
}

/*
 * (Not run: bzrtp 5.1.64 offering DH2k alone, sent a Commit choosing DH3k,
 * which RFC 6189 §5.2 implies in every Hello, reads 384 bytes from its
 * 256-byte DH2k DHPart (AddressSanitizer, bzrtp_turnIntoResponder) and
 * sends a DHPart1 the exchange then fails on. Deployed bzrtp (linphone)
 * always lists DH3k.)
 */
static void test_initiator_dh2k(void)
{
	one_case(ZRTP_KEYAGREEMENT_DH2k, ZRTP_CIPHER_AES3, ZRTP_AUTHTAG_HS32, ZRTP_HASH_S256, false);
}

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

static void test_retained_secrets(void)
{
	struct zrtp_cache_outcome co;
	sqlite3 *db = NULL;
	bool bzv = false;
	int rc;

	KTAP_ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
	rc = bzrtp_initCache_lock(db, NULL);
	KTAP_ASSERT(rc == 0 || rc == BZRTP_CACHE_SETUP);
	bz_db = db;
	mine_set = false;
	memset(&mine, 0, sizeof(mine));
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

/* ---------------------------------------------------------------- Multistream */

/*
 * A DH call (bzrtp commits), then a second stream of the same call:
 * bzrtp's second channel in the same context, our second engine keyed from
 * the first's ZRTPSess (§4.4.3), committed by us or by bzrtp. Its keys
 * equal bzrtp's and differ from the first stream's.
 */
static void multistream_case(bool we_initiate)
{
	struct call *c = calloc(1, sizeof(*c)), *c2 = calloc(1, sizeof(*c2));
	const struct zrtp_keys *k, *k2;
	struct zrtp_ms_source ms;
	struct zrtp_cfg cfg, cfg2;

	KTAP_ASSERT(c && c2);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", true);
	KTAP_ASSERT_EQ(run(c, &cfg, false), 0);
	k = zrtp_result(c->us);
	KTAP_ASSERT(k && c->bz.secure);
	memcpy(ms.zrtpsess, k->zrtpsess, k->hlen);
	KTAP_ASSERT(zrtp_peer_zid(c->us, ms.peer_zid));
	ms.hash = ZRTP_ALG("S256");
	ms.cipher = ZRTP_ALG("AES1");
	ms.auth = ZRTP_ALG("HS80");
	c2->bz = c->bz;
	c2->bz.ssrc = 0xb3b3b3b3;
	c2->bz.out = &c2->to_us;
	c2->bz.secure = false;
	KTAP_ASSERT_EQ(bzrtp_addChannel(c->bz.ctx, c2->bz.ssrc), 0);
	bzrtp_setClientData(c->bz.ctx, c2->bz.ssrc, &c2->bz);
	cfg2 = cfg;
	cfg2.passive = !we_initiate;
	cfg2.ms = &ms;
	KTAP_ASSERT_EQ(run(c2, &cfg2, we_initiate), 0);
	k2 = zrtp_result(c2->us);
	if (!KTAP_EXPECT(k2 && c2->bz.secure)) {
		ktap_diag("second stream: keyd %d (%s), bzrtp secure %d", zrtp_state(c2->us),
			  zrtp_why(c2->us), c2->bz.secure);
	} else {
		bool init = zrtp_is_initiator(c2->us);

		ktap_diag("Multistream: keyd %s", init ? "initiator" : "responder");
		KTAP_EXPECT(zrtp_is_multistream(c2->us));
		KTAP_EXPECT_EQ(init, we_initiate);
		KTAP_EXPECT(!memcmp(c2->bz.key, init ? k2->srtp_key_r : k2->srtp_key_i, 16));
		KTAP_EXPECT(!memcmp(c2->bz.pkey, init ? k2->srtp_key_i : k2->srtp_key_r, 16));
		KTAP_EXPECT(!memcmp(c2->bz.salt, init ? k2->srtp_salt_r : k2->srtp_salt_i, 14));
		KTAP_EXPECT(memcmp(k2->srtp_key_i, k->srtp_key_i, 16) &&
			    memcmp(k2->srtp_key_r, k->srtp_key_r, 16));
	}
	zrtp_free(c2->us);
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c2->bz.ssrc);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c2);
	free(c);
}

static void test_multistream_bzrtp_commits(void)
{
	multistream_case(false);
}

static void test_multistream_keyd_commits(void)
{
	multistream_case(true);
}

/*
 * B256 (§5.1.6): every word of both PGP lists as bzrtp renders it (byte i
 * in both positions), then a call whose SAS is B256 on both sides.
 */
static void test_b256(void)
{
	struct call *c = calloc(1, sizeof(*c));
	const struct zrtp_keys *k;
	char ours[ZRTP_SAS_MAX], theirs[64];
	struct zrtp_cfg cfg;
	unsigned int i, bad = 0;

	KTAP_ASSERT(c != NULL);
	for (i = 0; i < 256; i++) {
		uint32_t v = i << 24 | i << 16 | 0xffff;

		bzrtp_base256(v, theirs, sizeof(theirs));
		if (zrtp_sas_render(ZRTP_ALG("B256"), v, ours, sizeof(ours)) || strcmp(ours, theirs))
			bad++;
	}
	KTAP_EXPECT_EQ(bad, 0u);
	bz_sas = ZRTP_SAS_B256;
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	bz_sas = 0;
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", false);
	cfg.alg[ZRTP_SAS][0] = ZRTP_ALG("B256");
	KTAP_ASSERT_EQ(run(c, &cfg, true), 0);
	k = zrtp_result(c->us);
	if (KTAP_EXPECT(k && c->bz.secure)) {
		ktap_diag("B256 SAS: keyd %s, bzrtp %s", k->sas, c->bz.sas);
		KTAP_EXPECT(!strcmp(k->sas, c->bz.sas) && strchr(k->sas, ':'));
		KTAP_EXPECT(zrtp_suite(c->us)->sas == ZRTP_ALG("B256"));
	}
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

/* One packet built by the codec, fed to our engine; what it sent back, decoded. */
static size_t poke(struct zrtp_conn *us, const struct zrtp_msg *msg, uint32_t ssrc,
		   struct zrtp_packet *reply)
{
	struct zrtp_packet p = { .ssrc = ssrc, .msg = *msg };
	uint8_t pkt[1500], out[1500];
	size_t n = zrtp_encode(&p, pkt, sizeof(pkt), NULL), got = 0, m;

	if (!KTAP_EXPECT(n > 0))
		return 99;
	KTAP_EXPECT_EQ(zrtp_input(us, pkt, n, 5000), 0);
	while ((m = zrtp_output(us, out, sizeof(out)))) {
		KTAP_EXPECT_EQ(zrtp_decode(out, m, reply, NULL), 0);
		got++;
	}
	return got;
}

/*
 * After a call: a Ping gets a PingACK naming it (§5.16), GoClear is
 * refused without a ClearACK and SRTP stays on, a SASrelay whose MAC is
 * wrong is dropped.
 */
static void test_ping_goclear_sasrelay(void)
{
	struct call *c = calloc(1, sizeof(*c));
	struct zrtp_msg ping = { .type = ZRTP_PING }, gc = { .type = ZRTP_GOCLEAR };
	struct zrtp_msg relay = { .type = ZRTP_SASRELAY };
	struct zrtp_packet r;
	struct zrtp_cfg cfg;
	uint8_t enc[40] = { 0 };

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", true);
	KTAP_ASSERT_EQ(run(c, &cfg, false), 0);
	KTAP_ASSERT(zrtp_state(c->us) == ZS_SECURE);
	while (zrtp_output(c->us, (uint8_t[1500]){ 0 }, 1500))
		;
	memcpy(ping.u.ping.version, "1.10", 4);
	memcpy(ping.u.ping.ep, "endpoint", 8);
	KTAP_EXPECT_EQ(poke(c->us, &ping, 0x12345678, &r), 1);
	KTAP_EXPECT(r.msg.type == ZRTP_PINGACK && !memcmp(r.msg.u.ping.ep_rx, "endpoint", 8) &&
		    r.msg.u.ping.ssrc == 0x12345678 && !memcmp(r.msg.u.ping.version, "1.10", 4));
	KTAP_EXPECT(!memcmp(r.msg.u.ping.ep, "keyd-zid", 8));
	KTAP_EXPECT_EQ(poke(c->us, &gc, 0xb2b2b2b2, &r), 0);
	relay.u.sealed.enc = (struct zrtp_bytes){ enc, sizeof(enc) };
	KTAP_EXPECT_EQ(poke(c->us, &relay, 0xb2b2b2b2, &r), 0);
	KTAP_EXPECT(zrtp_state(c->us) == ZS_SECURE && zrtp_result(c->us) != NULL);
	KTAP_EXPECT(zrtp_stats(c->us)->pings == 1 && zrtp_stats(c->us)->goclear_refused == 1 &&
		    zrtp_stats(c->us)->sasrelay_ignored == 0);
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

/* A Hello whose CRC fails is dropped; bzrtp resends it and the call goes on. */
static void test_bad_crc_dropped(void)
{
	struct call *c = calloc(1, sizeof(*c));
	struct zrtp_cfg cfg;

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", true);
	c->tamper = "Hello   ";
	KTAP_ASSERT_EQ(run(c, &cfg, false), 0);
	KTAP_EXPECT(c->tamper == NULL);
	KTAP_EXPECT(zrtp_result(c->us) != NULL && c->bz.secure);
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
}

/* A Confirm1 altered with its CRC made good: keyd's initiator refuses it. */
static void test_tampered_confirm(void)
{
	struct call *c = calloc(1, sizeof(*c));
	struct zrtp_cfg cfg;

	KTAP_ASSERT(c != NULL);
	bz_setup(&c->bz, &c->to_us, ZRTP_KEYAGREEMENT_X255, ZRTP_CIPHER_AES1, ZRTP_AUTHTAG_HS80,
		 ZRTP_HASH_S256);
	our_cfg(&cfg, "X255", "AES1", "HS80", "S256", false);
	c->tamper = "Confirm1";
	c->fix_crc = true;
	KTAP_ASSERT_EQ(run(c, &cfg, true), 0);
	KTAP_EXPECT_EQ(zrtp_state(c->us), ZS_FAILED);
	KTAP_EXPECT(strstr(zrtp_why(c->us), "confirm_mac") != NULL);
	KTAP_EXPECT(zrtp_result(c->us) == NULL);
	zrtp_free(c->us);
	bzrtp_destroyBzrtpContext(c->bz.ctx, c->bz.ssrc);
	free(c);
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

static const struct ktap_test tests[] = {
	KTAP_TEST(test_responder_x255),
	KTAP_TEST(test_responder_dh3k_aes3_hs32),
	KTAP_TEST(test_responder_dh2k_s384),
	KTAP_TEST(test_initiator_x255),
	KTAP_TEST(test_initiator_dh3k),
	KTAP_TEST(test_initiator_dh2k),
	KTAP_TEST(test_retained_secrets),
	KTAP_TEST(test_multistream_bzrtp_commits),
	KTAP_TEST(test_multistream_keyd_commits),
	KTAP_TEST(test_ping_goclear_sasrelay),
	KTAP_TEST(test_b256),
	KTAP_TEST(test_contention),
	KTAP_TEST(test_bad_crc_dropped),
	KTAP_TEST(test_tampered_confirm),
	KTAP_TEST(test_aux_secret),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
