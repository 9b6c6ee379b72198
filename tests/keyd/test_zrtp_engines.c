// SPDX-License-Identifier: GPL-2.0
/*
 * Two of keyd's ZRTP engines against each other, in memory with a
 * simulated clock, for what no independent peer on Debian does: Preshared
 * mode (RFC 6189 §4.4.2; bzrtp 5.1 lists Prsh but has no code for it).
 * After a DH call both hold rs1; with Prsh offered and the SAS verified
 * the next call commits Preshared: no DH, equal keys and SAS each way, the
 * auxsecret and pbxsecret folded into preshared_key (or dropped by the
 * responder to match, §4.4.2.3). A responder whose rs1 differs answers
 * with a DH Commit and the call goes on in DH mode (a cache mismatch);
 * a passive one sends Error 0x56. Both committing Preshared: the higher
 * nonce wins; Preshared against DH: DH wins (§4.2). An rs1 never verified
 * is not used for Preshared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ktap.h"
#include "zrtp_engine.h"

struct side {
	struct zrtp_cfg cfg;
	struct zrtp_retained ret;	/* its cache entry for the other */
	bool have;
	struct zrtp_conn *c;
	struct zrtp_cache_outcome co;
};

static int cache_get(void *arg, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *out)
{
	struct side *s = arg;

	(void)zid;
	if (!s->have)
		return -1;
	*out = s->ret;
	return 0;
}

static void side_init(struct side *s, const char *zid, bool prsh, bool passive)
{
	struct zrtp_cfg *cfg = &s->cfg;
	int n = 0;

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->zid, zid, ZRTP_ZID_LEN);
	cfg->passive = passive;
	cfg->cache_get = cache_get;
	cfg->cache_arg = s;
	cfg->n[ZRTP_HASH] = 1;
	cfg->alg[ZRTP_HASH][0] = ZRTP_ALG("S256");
	cfg->n[ZRTP_CIPHER] = 1;
	cfg->alg[ZRTP_CIPHER][0] = ZRTP_ALG("AES1");
	cfg->n[ZRTP_AUTH] = 1;
	cfg->alg[ZRTP_AUTH][0] = ZRTP_ALG("HS80");
	if (prsh)
		cfg->alg[ZRTP_KA][n++] = ZRTP_ALG("Prsh");
	cfg->alg[ZRTP_KA][n++] = ZRTP_ALG("X255");
	cfg->n[ZRTP_KA] = (uint8_t)n;
	cfg->n[ZRTP_SAS] = 1;
	cfg->alg[ZRTP_SAS][0] = ZRTP_ALG("B32 ");
}

/* Each one's packets to the other, 10 ms a round, until both are done. */
static void call(struct side *a, struct side *b)
{
	uint8_t pkt[1500];
	uint64_t now = 1000;
	size_t n;
	int i;

	a->c = zrtp_new(&a->cfg, 0xa1a1a1a1);
	b->c = zrtp_new(&b->cfg, 0xb2b2b2b2);
	KTAP_ASSERT(a->c && b->c && !zrtp_start(a->c, now) && !zrtp_start(b->c, now));
	for (i = 0; i < 400; i++) {
		while ((n = zrtp_output(a->c, pkt, sizeof(pkt))))
			zrtp_input(b->c, pkt, n, now);
		while ((n = zrtp_output(b->c, pkt, sizeof(pkt))))
			zrtp_input(a->c, pkt, n, now);
		if ((zrtp_state(a->c) == ZS_SECURE && zrtp_state(b->c) == ZS_SECURE) ||
		    zrtp_state(a->c) == ZS_FAILED || zrtp_state(b->c) == ZS_FAILED)
			break;
		now += 10;
		zrtp_timer(a->c, now);
		zrtp_timer(b->c, now);
	}
	/* the last packets (an Error) still reach the other side */
	while ((n = zrtp_output(a->c, pkt, sizeof(pkt))))
		zrtp_input(b->c, pkt, n, now);
	while ((n = zrtp_output(b->c, pkt, sizeof(pkt))))
		zrtp_input(a->c, pkt, n, now);
	zrtp_cache_outcome(a->c, &a->co);
	zrtp_cache_outcome(b->c, &b->co);
}

/* Both secure with the same keys and SAS; each cache takes the new rs1. */
static bool agreed(struct side *a, struct side *b)
{
	const struct zrtp_keys *ka = zrtp_result(a->c), *kb = zrtp_result(b->c);
	bool ok;

	if (!ka || !kb) {
		ktap_diag("a %d (%s), b %d (%s)", zrtp_state(a->c), zrtp_why(a->c),
			  zrtp_state(b->c), zrtp_why(b->c));
		return false;
	}
	ok = !memcmp(ka->srtp_key_i, kb->srtp_key_i, 16) &&
	     !memcmp(ka->srtp_key_r, kb->srtp_key_r, 16) &&
	     !memcmp(ka->srtp_salt_i, kb->srtp_salt_i, 14) && !strcmp(ka->sas, kb->sas) &&
	     !memcmp(ka->rs1_new, kb->rs1_new, ZRTP_RS_LEN) &&
	     zrtp_is_initiator(a->c) != zrtp_is_initiator(b->c);
	ktap_diag("%s call, a %s, SAS %s %s", zrtp_is_preshared(a->c) ? "Preshared" : "DH",
		  zrtp_is_initiator(a->c) ? "initiator" : "responder", ka->sas, kb->sas);
	memcpy(a->ret.rs2, a->ret.rs1, ZRTP_RS_LEN);
	memcpy(a->ret.rs1, ka->rs1_new, ZRTP_RS_LEN);
	memcpy(b->ret.rs2, b->ret.rs1, ZRTP_RS_LEN);
	memcpy(b->ret.rs1, kb->rs1_new, ZRTP_RS_LEN);
	a->ret.have_rs2 = a->ret.have_rs1;
	b->ret.have_rs2 = b->ret.have_rs1;
	a->ret.have_rs1 = b->ret.have_rs1 = a->have = b->have = true;
	return ok;
}

static void hang_up(struct side *a, struct side *b)
{
	zrtp_free(a->c);
	zrtp_free(b->c);
	a->c = b->c = NULL;
}

/* A DH call, then the users verify the SAS on both sides. */
static void first_call(struct side *a, struct side *b)
{
	call(a, b);
	KTAP_EXPECT(agreed(a, b) && !zrtp_is_preshared(a->c));
	a->ret.verified = b->ret.verified = true;
	hang_up(a, b);
}

static void test_preshared(void)
{
	struct side a, b;

	side_init(&a, "zid-alice-01", true, false);
	side_init(&b, "zid-bob-0001", true, true);
	memset(&a.ret, 0, sizeof(a.ret));
	memset(&b.ret, 0, sizeof(b.ret));
	a.have = b.have = false;
	first_call(&a, &b);
	/* 2: Preshared, Alice commits; no DH, rs1 keyed it, the SAS is both's */
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && zrtp_is_preshared(a.c) && zrtp_is_preshared(b.c));
	KTAP_EXPECT(zrtp_is_initiator(a.c) && a.co.s1_matched && b.co.s1_matched);
	KTAP_EXPECT(a.co.verified && b.co.verified && b.co.peer_verified && !a.co.mismatch);
	KTAP_EXPECT(zrtp_suite(a.c)->ka == ZRTP_ALG("Prsh"));
	hang_up(&a, &b);
	/* 3: again, the cache moved on (rs1 of call 2) and still agrees */
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && zrtp_is_preshared(b.c));
	hang_up(&a, &b);
}

/* auxsecret and pbxsecret in preshared_key; the responder drops what the initiator lacks. */
static void test_preshared_aux_pbx(void)
{
	struct side a, b;

	side_init(&a, "zid-alice-01", true, false);
	side_init(&b, "zid-bob-0001", true, true);
	memset(&a.ret, 0, sizeof(a.ret));
	memset(&b.ret, 0, sizeof(b.ret));
	a.have = b.have = false;
	first_call(&a, &b);
	memcpy(a.cfg.aux, "aux-7", 5);
	memcpy(b.cfg.aux, "aux-7", 5);
	a.cfg.aux_len = b.cfg.aux_len = 5;
	KTAP_ASSERT(RAND_bytes(a.ret.pbx, 32) == 1);
	memcpy(b.ret.pbx, a.ret.pbx, 32);
	a.ret.pbx_len = b.ret.pbx_len = 32;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && zrtp_is_preshared(b.c));
	KTAP_EXPECT(a.co.aux == ZRTP_AUX_MATCH && b.co.aux == ZRTP_AUX_MATCH);
	KTAP_EXPECT(a.co.pbx == ZRTP_AUX_MATCH && b.co.pbx == ZRTP_AUX_MATCH);
	hang_up(&a, &b);
	/* Alice has neither: Bob matches rs1 alone */
	a.cfg.aux_len = 0;
	a.ret.pbx_len = 0;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && zrtp_is_preshared(b.c));
	KTAP_EXPECT(a.co.aux == ZRTP_AUX_UNSET && b.co.aux == ZRTP_AUX_MISMATCH);
	KTAP_EXPECT(a.co.pbx == ZRTP_AUX_UNSET && b.co.pbx == ZRTP_AUX_MISMATCH);
	hang_up(&a, &b);
}

/*
 * Bob's rs1 is not Alice's: he answers with a DH Commit, which trumps hers
 * (he initiates), and the call is DH with a cache mismatch. Passive, he
 * cannot: Error 0x56.
 */
static void test_preshared_unmatched(void)
{
	struct side a, b;

	side_init(&a, "zid-alice-01", true, false);
	side_init(&b, "zid-bob-0001", true, false);
	memset(&a.ret, 0, sizeof(a.ret));
	memset(&b.ret, 0, sizeof(b.ret));
	a.have = b.have = false;
	b.cfg.passive = true;
	first_call(&a, &b);
	b.cfg.passive = false;
	KTAP_ASSERT(RAND_bytes(b.ret.rs1, ZRTP_RS_LEN) == 1 &&
		    RAND_bytes(b.ret.rs2, ZRTP_RS_LEN) == 1);
	/* Alice commits first: Bob's HelloACKs reach her before he can commit */
	b.cfg.passive = false;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && !zrtp_is_preshared(a.c) && !zrtp_is_preshared(b.c));
	ktap_diag("mismatch a %d b %d", a.co.mismatch, b.co.mismatch);
	KTAP_EXPECT(a.co.mismatch && b.co.mismatch && !a.co.s1_matched);
	hang_up(&a, &b);
	KTAP_ASSERT(RAND_bytes(b.ret.rs1, ZRTP_RS_LEN) == 1 &&
		    RAND_bytes(b.ret.rs2, ZRTP_RS_LEN) == 1);
	b.cfg.passive = true;
	call(&a, &b);
	KTAP_EXPECT_EQ(zrtp_state(b.c), ZS_FAILED);
	KTAP_EXPECT_EQ(zrtp_state(a.c), ZS_FAILED);
	ktap_diag("b: %s; a: %s", zrtp_why(b.c), zrtp_why(a.c));
	KTAP_EXPECT(strstr(zrtp_why(a.c), "0x56") != NULL);
	hang_up(&a, &b);
}

/* Both commit at once (§4.2): Preshared both (nonces), or Preshared against DH. */
static void test_preshared_contention(void)
{
	struct side a, b;
	int i, a_init = 0;

	side_init(&a, "zid-alice-01", true, false);
	side_init(&b, "zid-bob-0001", true, true);
	memset(&a.ret, 0, sizeof(a.ret));
	memset(&b.ret, 0, sizeof(b.ret));
	a.have = b.have = false;
	first_call(&a, &b);
	b.cfg.passive = false;
	for (i = 0; i < 6; i++) {
		call(&a, &b);
		KTAP_EXPECT(agreed(&a, &b) && zrtp_is_preshared(a.c));
		a_init += zrtp_is_initiator(a.c);
		hang_up(&a, &b);
	}
	ktap_diag("Alice initiated %d of 6 contended Preshared calls", a_init);
	/*
	 * Bob's entry is not verified, so he commits DH while Alice commits
	 * Preshared: whatever the nonce and hvi, his DH Commit wins.
	 */
	for (i = 0; i < 4; i++) {
		b.ret.verified = false;
		call(&a, &b);
		KTAP_EXPECT(agreed(&a, &b) && !zrtp_is_preshared(a.c) && zrtp_is_initiator(b.c));
		hang_up(&a, &b);
	}
}

/* An rs1 whose SAS was never verified keys no Preshared call. */
static void test_preshared_needs_verified(void)
{
	struct side a, b;

	side_init(&a, "zid-alice-01", true, false);
	side_init(&b, "zid-bob-0001", true, true);
	memset(&a.ret, 0, sizeof(a.ret));
	memset(&b.ret, 0, sizeof(b.ret));
	a.have = b.have = false;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b));
	hang_up(&a, &b);
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && !zrtp_is_preshared(a.c) && a.co.s1_matched);
	hang_up(&a, &b);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_preshared),
	KTAP_TEST(test_preshared_aux_pbx),
	KTAP_TEST(test_preshared_unmatched),
	KTAP_TEST(test_preshared_contention),
	KTAP_TEST(test_preshared_needs_verified),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
