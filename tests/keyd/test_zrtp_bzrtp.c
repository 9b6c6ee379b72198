// SPDX-License-Identifier: GPL-2.0
/*
 * keyd's ZRTP engine (userspace-keyd/keyd/zrtp_engine.c) against Belledonne's
 * bzrtp (zrtp_bzrtp_peer.h): for each key agreement both
 * have (X255, DH3k, DH2k), ciphers AES1 and AES3, auth tags HS32 and HS80,
 * hashes S256 and S384, the call reaches SECURE on both sides with the
 * same SAS, keyd's SRTP master keys and salts equal bzrtp's each way, and
 * the suite bzrtp reports is the one keyd's engine chose or took. keyd as
 * responder (passive: bzrtp commits) and as initiator (bzrtp is made to
 * wait for our Commit); six calls where both commit at once (§4.2's
 * contention), each completing whoever wins. A Hello bzrtp sent, altered, is dropped by keyd's
 * engine (its CRC) and the call still completes on bzrtp's resend; a
 * Confirm1 altered with its CRC made good fails the exchange.
 * Multistream: a second channel of bzrtp's context against a second
 * engine keyed from the first stream's ZRTPSess, either side committing.
 * The secrets beside the DH (rs1/rs2, auxsecret, pbxsecret): test_zrtp_secrets.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzrtp/bzrtp.h>

#include "ktap.h"
#include "zrtp_bzrtp_peer.h"

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

static const struct ktap_test tests[] = {
	KTAP_TEST(test_responder_x255),
	KTAP_TEST(test_responder_dh3k_aes3_hs32),
	KTAP_TEST(test_responder_dh2k_s384),
	KTAP_TEST(test_initiator_x255),
	KTAP_TEST(test_initiator_dh3k),
	KTAP_TEST(test_initiator_dh2k),
	KTAP_TEST(test_multistream_bzrtp_commits),
	KTAP_TEST(test_multistream_keyd_commits),
	KTAP_TEST(test_ping_goclear_sasrelay),
	KTAP_TEST(test_b256),
	KTAP_TEST(test_contention),
	KTAP_TEST(test_bad_crc_dropped),
	KTAP_TEST(test_tampered_confirm),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
