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
 * is not used for Preshared. PBX enrollment (§7.3.1) and the SASrelay
 * of an enrolled PBX (§7.3), the PBX side played by an engine with the M
 * and E flags and a SASrelay built here.
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

	memset(s, 0, sizeof(*s));	/* no cache entry yet */
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
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b));
	hang_up(&a, &b);
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && !zrtp_is_preshared(a.c) && a.co.s1_matched);
	hang_up(&a, &b);
}

/* ---------------------------------------------------------------- PBX */

/*
 * A SASrelay from side "from" (sealed with its keys, as its Confirm was)
 * into the other's engine; whether a RelayACK came back. flip: one bit of
 * the sealed part altered (the MAC must catch it).
 */
static bool relay(struct side *from, struct side *to, zrtp_alg scheme, const uint8_t *sashash,
		  bool flip)
{
	const struct zrtp_keys *k = zrtp_result(from->c);
	struct zrtp_relay_body b = { .scheme = scheme, .sas_verified = true };
	struct zrtp_packet p = { .ssrc = 0xb2b2b2b2, .msg = { .type = ZRTP_SASRELAY } };
	uint8_t plain[64], enc[64], pkt[256], out[256];
	struct zrtp_packet r;
	size_t n, m;
	bool acked = false;

	if (!KTAP_EXPECT(k != NULL))
		return false;
	memcpy(b.sashash, sashash, 32);
	n = zrtp_relay_body_encode(&b, plain, sizeof(plain), NULL);
	if (!KTAP_EXPECT(n == 40 && RAND_bytes(p.msg.u.sealed.iv, ZRTP_IV_LEN) == 1) ||
	    !KTAP_EXPECT(!zrtp_confirm_seal(zrtp_suite(from->c), k, zrtp_is_initiator(from->c),
					    p.msg.u.sealed.iv, plain, n, enc, p.msg.u.sealed.mac)))
		return false;
	enc[5] ^= flip ? 0x10 : 0;
	p.msg.u.sealed.enc = (struct zrtp_bytes){ enc, n };
	n = zrtp_encode(&p, pkt, sizeof(pkt), NULL);
	if (!KTAP_EXPECT(n > 0))
		return false;
	KTAP_EXPECT_EQ(zrtp_input(to->c, pkt, n, 9000), 0);
	while ((m = zrtp_output(to->c, out, sizeof(out))))
		acked |= !zrtp_decode(out, m, &r, NULL) && r.msg.type == ZRTP_RELAYACK;
	return acked;
}

/* Every packet from one engine to the other; how many there were. */
static int deliver(struct side *from, struct side *to, uint64_t now)
{
	uint8_t pkt[1500];
	size_t n;
	int k = 0;

	for (; (n = zrtp_output(from->c, pkt, sizeof(pkt))); k++)
		if (to)
			zrtp_input(to->c, pkt, n, now);
	return k;
}

/*
 * Bob, the PBX, relays a far leg's SAS himself (zrtp_send_sasrelay): Alice
 * shows it; her RelayACK stops his resends. Unanswered, it is resent on T2
 * and then given up, counted, the call still secure.
 */
static void pbx_sends(struct side *a, struct side *b)
{
	uint8_t far[32];
	char want[ZRTP_SAS_MAX];
	int sent = 0;
	uint64_t t;

	KTAP_ASSERT(RAND_bytes(far, sizeof(far)) == 1);
	far[0] |= 2;
	KTAP_ASSERT(!zrtp_sas_render(ZRTP_ALG("B32 "), (uint32_t)far[0] << 24 |
				     (uint32_t)far[1] << 16 | (uint32_t)far[2] << 8 | far[3],
				     want, sizeof(want)));
	KTAP_EXPECT_EQ(zrtp_send_sasrelay(b->c, ZRTP_ALG("B32 "), far, false, 10000), 0);
	KTAP_EXPECT_EQ(deliver(b, a, 10000), 1);
	KTAP_EXPECT_EQ(deliver(a, b, 10000), 1);		/* the RelayACK */
	KTAP_EXPECT(zrtp_relayed(a->c)->trusted && !strcmp(zrtp_relayed(a->c)->sas, want) &&
		    !zrtp_relayed(a->c)->peer_verified);
	KTAP_EXPECT_EQ(zrtp_timer(b->c, 20000), 0);	/* acknowledged: nothing more */
	KTAP_EXPECT_EQ(deliver(b, NULL, 20000), 0);
	KTAP_EXPECT_EQ(zrtp_send_sasrelay(b->c, ZRTP_ALG("B32 "), far, true, 30000), 0);
	for (t = 30000; t < 60000; t += 50) {
		zrtp_timer(b->c, t);
		sent += deliver(b, NULL, t);
	}
	ktap_diag("an unanswered SASrelay went %d times", sent);
	KTAP_EXPECT(sent == 11 && zrtp_stats(b->c)->sasrelay_sent == 2 &&
		    zrtp_stats(b->c)->sasrelay_unacked == 1 && zrtp_state(b->c) == ZS_SECURE);
	KTAP_EXPECT(zrtp_send_sasrelay(a->c, ZRTP_ALG("B32 "), far, false, 70000) == -1);
}

/*
 * PBX enrollment (§7.3.1): Bob is a PBX (M) whose Confirm sets E; Alice
 * sees the offer and both derive the same pbxsecret. In the next call it
 * matches on both sides (s3), and Bob's SASrelay (§5.13) is believed: the
 * far leg's SAS in the relayed scheme, its V flag. A repeat changes
 * nothing; an altered one is dropped without a RelayACK. Unenrolled, Alice
 * takes only the scheme, for her own SAS; from a peer that is no PBX she
 * takes nothing, yet acknowledges. Bob's own SASrelay (pbx_sends).
 */
static void test_pbx_enroll_and_relay(void)
{
	const struct zrtp_relayed *rl;
	struct side a, b;
	uint8_t sa[32], sb[32], hash[32];
	char want[ZRTP_SAS_MAX];

	side_init(&a, "zid-alice-01", false, false);
	side_init(&b, "zid-pbx-0001", false, true);
	b.cfg.mitm = b.cfg.pbx_enroll = true;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b));
	KTAP_EXPECT(a.co.pbx_enroll_offered && !b.co.pbx_enroll_offered);
	KTAP_ASSERT(!zrtp_pbx_secret(a.c, sa) && !zrtp_pbx_secret(b.c, sb));
	KTAP_EXPECT(!memcmp(sa, sb, 32));
	memcpy(a.ret.pbx, sa, 32);
	memcpy(b.ret.pbx, sb, 32);
	a.ret.pbx_len = b.ret.pbx_len = 32;
	hang_up(&a, &b);

	b.cfg.pbx_enroll = false;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && !a.co.pbx_enroll_offered);
	KTAP_EXPECT(a.co.pbx == ZRTP_AUX_MATCH && b.co.pbx == ZRTP_AUX_MATCH);
	KTAP_ASSERT(RAND_bytes(hash, sizeof(hash)) == 1);
	hash[0] |= 1;
	KTAP_EXPECT(relay(&b, &a, ZRTP_ALG("B256"), hash, false));
	rl = zrtp_relayed(a.c);
	KTAP_ASSERT(!zrtp_sas_render(ZRTP_ALG("B256"), (uint32_t)hash[0] << 24 |
				     (uint32_t)hash[1] << 16 | (uint32_t)hash[2] << 8 | hash[3],
				     want, sizeof(want)));
	ktap_diag("relayed SAS %s (trusted %d), wanted %s", rl->sas, rl->trusted, want);
	KTAP_EXPECT(rl->gen == 1 && rl->trusted && rl->peer_verified && !strcmp(rl->sas, want));
	KTAP_EXPECT(relay(&b, &a, ZRTP_ALG("B256"), hash, false) && rl->gen == 1);
	KTAP_EXPECT(!relay(&b, &a, ZRTP_ALG("B256"), hash, true) && rl->gen == 1);
	KTAP_EXPECT(zrtp_stats(a.c)->sasrelay_rendered == 2 && zrtp_stats(a.c)->sasrelay_ignored == 0);
	pbx_sends(&a, &b);
	hang_up(&a, &b);

	a.ret.pbx_len = 0;	/* Alice never enrolled */
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b));
	KTAP_EXPECT(a.co.pbx == ZRTP_AUX_UNSET && b.co.pbx == ZRTP_AUX_MISMATCH);
	KTAP_EXPECT(relay(&b, &a, ZRTP_ALG("B256"), hash, false));
	rl = zrtp_relayed(a.c);
	KTAP_ASSERT(!zrtp_sas_render(ZRTP_ALG("B256"), zrtp_result(a.c)->sasvalue, want,
				     sizeof(want)));
	KTAP_EXPECT(rl->gen == 1 && !rl->trusted && !rl->peer_verified && !strcmp(rl->sas, want));
	KTAP_EXPECT(zrtp_stats(a.c)->sasrelay_ignored == 1);
	hang_up(&a, &b);

	b.cfg.mitm = false;	/* no PBX: no SASrelay is anything to Alice */
	a.ret.pbx_len = 32;
	call(&a, &b);
	KTAP_EXPECT(agreed(&a, &b) && a.co.pbx == ZRTP_AUX_MATCH);
	KTAP_EXPECT(relay(&b, &a, ZRTP_ALG("B256"), hash, false));
	KTAP_EXPECT(zrtp_relayed(a.c)->gen == 0 && zrtp_stats(a.c)->sasrelay_ignored == 1);
	hang_up(&a, &b);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_preshared),
	KTAP_TEST(test_preshared_aux_pbx),
	KTAP_TEST(test_preshared_unmatched),
	KTAP_TEST(test_preshared_contention),
	KTAP_TEST(test_preshared_needs_verified),
	KTAP_TEST(test_pbx_enroll_and_relay),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
