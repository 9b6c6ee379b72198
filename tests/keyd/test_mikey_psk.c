// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY-PSK and MIKEY-NULL end to end, both ends in one process
 * (userspace-keyd/keyd/mikey_psk.c, mikey_sp.c, mikey_replay.c,
 * mikey_pskfile.c): the exchange with and without the verification message;
 * keys checked against a derivation done here from the KEMAC by hand; each
 * refusal (wrong PSK, tampered MAC or body, replay, stale or future
 * timestamp, unknown identity, F8, KDR, suite not accepted, MIKEY-NULL or a
 * NULL-encrypted KEMAC without allow_insecure) answered with the right ERR
 * code, no keys, and the initiator reading that ERR back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "mikey_foreign.h"
#include "mikey_kdf.h"
#include "mikey_msg.h"
#include "mikey_psk.h"
#include "mikey_pskfile.h"

#define NOW	(0xEB000000ull << 32)	/* some NTP time in 2025 */

static const char psk_text[] =
	"# identity key\n"
	"sip:alice@example.org 000102030405060708090a0b0c0d0e0f\n"
	"\n"
	"- 000102030405060708090a0b0c0d0e0f\n"
	"  sip:carol@example.org\t00112233445566778899aabbccddeeff00112233  # longer\n";
static struct pskfile pf;		/* the responder's keys */
static struct mikey_replay rcache;
static const uint8_t alice_psk[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t wrong_psk[16] = { 1 };
static struct mikey_init st;
static struct mikey_keys rk;
static struct mikey_fail f, f2;
static uint8_t imsg[MIKEY_PSK_MAX_MSG], rmsg[MIKEY_PSK_MAX_MSG];
static size_t ilen, rlen;
static struct mikey_msg dm;

static const struct suite *S(const char *n)
{
	return suite_by_name(n, strlen(n));
}

static struct mikey_policy pol(const uint8_t *psk, bool insecure, uint64_t now)
{
	return (struct mikey_policy){ .psk = psk, .psk_len = psk ? 16 : 0,
				      .allow_insecure = insecure, .suites_ok = 0x3f | 0x300,
				      .now = now, .skew = MIKEY_SKEW_DEFAULT };
}

static void setup(void)
{
	char err[128];

	memset(&rcache, 0, sizeof(rcache));
	if (!pf.n && pskfile_parse(&pf, psk_text, strlen(psk_text), err, sizeof(err)))
		ktap_diag("psk_text: %s", err);
}

/* Two crypto sessions, the second with ROC 7 and a 32-bit tag. */
static bool kw;	/* offer() and craft(): AES-KW-128 KEMACs */

static size_t offer(const uint8_t *psk, bool insecure, uint64_t now, bool null_enc,
		    bool want_v)
{
	struct mikey_offer_cs cs[2] = {
		{ 0x11111111, 0, S("AES_CM_128_HMAC_SHA1_80") },
		{ 0x22222222, 7, S("AES_CM_128_HMAC_SHA1_32") },
	};
	struct mikey_ids ids = { "sip:alice@example.org", "sip:bob@example.org" };
	struct mikey_policy p = pol(psk, insecure, now);

	p.kemac_kw = kw;
	ilen = mikey_psk_initiate(&p, &ids, cs, 2, null_enc, want_v, &st, imsg, sizeof(imsg), &f);
	return ilen;
}

static int respond(bool insecure, uint64_t now)
{
	struct mikey_policy p = pol(NULL, insecure, now);

	return mikey_psk_respond(&p, pskfile_lookup, &pf, "sip:bob@example.org", &rcache,
				 imsg, ilen, &rk, rmsg, sizeof(rmsg), &rlen, &f);
}

/* respond() with F8_128_HMAC_SHA1_80 accepted too. */
static int respond_f8(void)
{
	struct mikey_policy p = pol(NULL, false, NOW);

	p.suites_ok |= suite_bit(S("F8_128_HMAC_SHA1_80"));
	return mikey_psk_respond(&p, pskfile_lookup, &pf, "sip:bob@example.org", &rcache,
				 imsg, ilen, &rk, rmsg, sizeof(rmsg), &rlen, &f);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* A refused I_MESSAGE: -1, the code, no keys, and an error message that
 * the initiator reads back as the same code.
 */
static void expect_refused(int rc, uint8_t err_no, bool authentic)
{
	struct mikey_policy p = pol(alice_psk, true, NOW);

	KTAP_EXPECT_EQ(rc, -1);
	KTAP_EXPECT_EQ(f.err_no, err_no);
	KTAP_EXPECT_EQ(rk.n, 0);
	KTAP_EXPECT(all_zero(&rk, sizeof(rk)));
	KTAP_ASSERT(rlen > 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_ERROR);
	KTAP_ASSERT(mikey_find(&dm, MIKEY_PT_ERR) != NULL);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_ERR)->u.err.err_no, err_no);
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), -1);
	KTAP_EXPECT(f2.remote);
	KTAP_EXPECT_EQ(f2.err_no, err_no);
	KTAP_EXPECT_EQ(f2.authentic, authentic);
}

static void expect_same_keys(void)
{
	size_t i;

	KTAP_ASSERT_EQ(rk.n, 2);
	KTAP_EXPECT_EQ_U(rk.csb_id, st.csb_id);
	for (i = 0; i < 2; i++) {
		KTAP_EXPECT_EQ_U(rk.cs[i].ssrc, st.keys.cs[i].ssrc);
		KTAP_EXPECT_EQ_U(rk.cs[i].roc, st.keys.cs[i].roc);
		KTAP_EXPECT(rk.cs[i].suite == st.keys.cs[i].suite);
		KTAP_EXPECT(!memcmp(rk.cs[i].master, st.keys.cs[i].master, 30));
		KTAP_EXPECT(!all_zero(rk.cs[i].master, 30));
	}
	KTAP_EXPECT_EQ_U(rk.cs[1].roc, 7);
	KTAP_EXPECT_EQ_U(rk.cs[1].ssrc, 0x22222222);
	KTAP_EXPECT(rk.cs[1].suite == S("AES_CM_128_HMAC_SHA1_32"));
	KTAP_EXPECT(rk.cs[0].suite == S("AES_CM_128_HMAC_SHA1_80"));
	KTAP_EXPECT(memcmp(rk.cs[0].master, rk.cs[1].master, 30));
}

/* An initiator that states a KDR: both sides' contexts get it. */
static void test_initiator_kdr(void)
{
	struct mikey_offer_cs cs[1] = { { 0x33333333, 2, S("AES_CM_128_HMAC_SHA1_80") } };
	struct mikey_ids ids = { "sip:alice@example.org", "sip:bob@example.org" };
	struct mikey_policy p = pol(alice_psk, false, NOW);

	setup();
	p.kdr = 1u << 20;
	ilen = mikey_psk_initiate(&p, &ids, cs, 1, false, true, &st, imsg, sizeof(imsg), &f);
	KTAP_ASSERT(ilen > 0);
	KTAP_EXPECT_EQ_U(st.keys.cs[0].kdr, 1u << 20);
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ_U(rk.cs[0].kdr, 1u << 20);
	KTAP_EXPECT(rk.cs[0].suite == S("AES_CM_128_HMAC_SHA1_80"));
	KTAP_EXPECT(!memcmp(rk.cs[0].master, st.keys.cs[0].master, 30));
}

static void test_psk_with_verification(void)
{
	struct mikey_policy p = pol(alice_psk, false, NOW + (5ull << 32));

	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	KTAP_ASSERT_EQ(respond(false, NOW + (3ull << 32)), 0);
	expect_same_keys();
	KTAP_ASSERT(rlen > 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_PSK_RESP);
	KTAP_EXPECT_EQ_U(dm.hdr.csb_id, st.csb_id);
	KTAP_ASSERT(mikey_find(&dm, MIKEY_PT_V) != NULL);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_V)->u.v.mac_alg, MIKEY_MAC_HMAC_SHA1_160);
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), 0);
	/* a tampered R_MESSAGE does not verify */
	rmsg[rlen - 1] ^= 1;
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), -1);
	KTAP_EXPECT_EQ(f2.err_no, MIKEY_ERR_AUTH);
	KTAP_EXPECT(!f2.remote);
	/* nor does one that is too old for the initiator */
	rmsg[rlen - 1] ^= 1;
	p.now = NOW + (200ull << 32);
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), -1);
	KTAP_EXPECT_EQ(f2.err_no, MIKEY_ERR_TS);
}

static void test_psk_without_verification(void)
{
	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, false) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT(!dm.hdr.v);
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ(rlen, 0);
	expect_same_keys();
}

/* The responder's keys, derived here from the I_MESSAGE (RFC 3830 §4.1). */
static void test_psk_keys_by_hand(void)
{
	uint8_t ek[16], salt[14], tb[8], plain[64], tek[16], tsalt[14];
	const struct mikey_payload *km, *rnd, *t;
	struct mikey_keydata kd[2];
	size_t plen, nk;
	int i;

	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, false) > 0);
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	km = mikey_find(&dm, MIKEY_PT_KEMAC);
	rnd = mikey_find(&dm, MIKEY_PT_RAND);
	t = mikey_find(&dm, MIKEY_PT_T);
	KTAP_ASSERT(km && rnd && t);
	KTAP_EXPECT_EQ(km->u.kemac.enc_alg, MIKEY_ENC_AES_CM_128);
	for (i = 0; i < 8; i++)
		tb[i] = (uint8_t)(t->u.t.value >> (56 - 8 * i));
	KTAP_ASSERT_EQ(mikey_derive(alice_psk, 16, MIKEY_C_ENC, 0xff, dm.hdr.csb_id,
				    rnd->u.rand.p, rnd->u.rand.len, ek, 16), 0);
	KTAP_ASSERT_EQ(mikey_derive(alice_psk, 16, MIKEY_C_SALT, 0xff, dm.hdr.csb_id,
				    rnd->u.rand.p, rnd->u.rand.len, salt, 14), 0);
	KTAP_ASSERT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_CM_128, ek, salt, dm.hdr.csb_id, tb,
					   km->u.kemac.enc.p, km->u.kemac.enc.len, plain, &plen), 0);
	KTAP_ASSERT_EQ(mikey_keydata_decode(plain, plen, kd, 2, &nk, NULL), 0);
	KTAP_ASSERT_EQ(nk, 1);
	KTAP_EXPECT_EQ(kd[0].type, MIKEY_KEY_TGK);
	KTAP_ASSERT_EQ(kd[0].key.len, 16);
	/* crypto session 2 (CS ID 2) */
	KTAP_ASSERT_EQ(mikey_derive(kd[0].key.p, 16, MIKEY_C_TEK, 2, dm.hdr.csb_id,
				    rnd->u.rand.p, rnd->u.rand.len, tek, 16), 0);
	KTAP_ASSERT_EQ(mikey_derive(kd[0].key.p, 16, MIKEY_C_TGK_SALT, 2, dm.hdr.csb_id,
				    rnd->u.rand.p, rnd->u.rand.len, tsalt, 14), 0);
	KTAP_EXPECT(!memcmp(rk.cs[1].master, tek, 16));
	KTAP_EXPECT(!memcmp(rk.cs[1].master + 16, tsalt, 14));
}

static void test_wrong_psk(void)
{
	setup();
	KTAP_ASSERT(offer(wrong_psk, false, NOW, false, true) > 0);
	expect_refused(respond(false, NOW), MIKEY_ERR_AUTH, false);
}

static void test_tampered_mac_and_body(void)
{
	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	imsg[ilen - 3] ^= 0x40;		/* in the MAC */
	expect_refused(respond(false, NOW), MIKEY_ERR_AUTH, false);
	imsg[ilen - 3] ^= 0x40;
	imsg[12] ^= 1;			/* the first SSRC in the CS ID map */
	expect_refused(respond(false, NOW), MIKEY_ERR_AUTH, false);
	imsg[12] ^= 1;
	KTAP_EXPECT_EQ(respond(false, NOW), 0);	/* the original still passes */
}

static void test_replay(void)
{
	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	expect_refused(respond(false, NOW + (1ull << 32)), MIKEY_ERR_TS, true);
	KTAP_EXPECT(strstr(f.why, "replayed") != NULL);
	KTAP_EXPECT_EQ(rcache.n, 1);
	/* past the window the cache forgets it: the T check refuses it */
	expect_refused(respond(false, NOW + (61ull << 32)), MIKEY_ERR_TS, true);
	KTAP_EXPECT(strstr(f.why, "window") != NULL);
	KTAP_EXPECT_EQ(rcache.n, 1);
	/* and drops it when the next message comes in */
	KTAP_ASSERT(offer(alice_psk, false, NOW + (61ull << 32), false, true) > 0);
	KTAP_EXPECT_EQ(respond(false, NOW + (61ull << 32)), 0);
	KTAP_EXPECT_EQ(rcache.n, 1);
}

static void test_stale_and_future_timestamps(void)
{
	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW - (61ull << 32), false, true) > 0);
	expect_refused(respond(false, NOW), MIKEY_ERR_TS, true);
	KTAP_ASSERT(offer(alice_psk, false, NOW + (61ull << 32), false, true) > 0);
	expect_refused(respond(false, NOW), MIKEY_ERR_TS, true);
	KTAP_ASSERT(offer(alice_psk, false, NOW - (59ull << 32), false, true) > 0);
	KTAP_EXPECT_EQ(respond(false, NOW), 0);
}

static void test_unknown_identity(void)
{
	struct mikey_offer_cs cs = { 1, 0, S("AES_CM_128_HMAC_SHA1_80") };
	struct mikey_ids ids = { "sip:mallory@example.org", NULL };
	struct mikey_policy p = pol(alice_psk, false, NOW);

	setup();
	ilen = mikey_psk_initiate(&p, &ids, &cs, 1, false, true, &st, imsg, sizeof(imsg), &f);
	KTAP_ASSERT(ilen > 0);
	expect_refused(respond(false, NOW), MIKEY_ERR_ID, false);
	KTAP_EXPECT(strstr(f.why, "mallory") != NULL);
}

/* Refused by policy after authentication: the ERR carries a V. */
static void test_suite_not_accepted(void)
{
	struct mikey_policy p = pol(NULL, false, NOW);

	setup();
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	p.suites_ok = suite_bit(S("AES_CM_128_HMAC_SHA1_80"));
	expect_refused(mikey_psk_respond(&p, pskfile_lookup, &pf, NULL, &rcache, imsg, ilen, &rk,
					 rmsg, sizeof(rmsg), &rlen, &f), MIKEY_ERR_SP, true);
	KTAP_EXPECT(strstr(f.why, "AES_CM_128_HMAC_SHA1_32") != NULL);
}

/* An I_MESSAGE made here with the codec, one SP parameter as given. */
/* craft()'s timestamp (NTP-UTC NOW unless a test sets another) and TGK key validity */
static struct mikey_t craft_t = { MIKEY_TS_NTP_UTC, NOW };
static struct mikey_kv craft_kv;

static void craft(uint8_t sp_type, uint32_t sp_val)
{
	static uint8_t val[4];
	size_t vlen = sp_val < 256 ? 1 : 4;
	static const uint8_t rnd[16] = "random-random-16", tgk[16] = "TGK-TGK-TGK-TGK!";
	static const uint8_t zero[20];
	static struct mikey_msg m;
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, 16 }, .kv = craft_kv };
	uint8_t plain[64], ek[16], salt[14], tb[8], enc[64];
	size_t n, elen = 0;
	const char *why;

	memset(&st, 0, sizeof(st));
	st.csb_id = 0x0badcafe;
	st.t = craft_t.value;
	for (n = 0; n < 8; n++)	/* the KEMAC IV's T: a COUNTER zero-padded to 64 bits */
		tb[n] = (uint8_t)(craft_t.value >> (56 - 8 * n));
	n = mikey_keydata_encode(&k, 1, plain, sizeof(plain), &why);
	KTAP_ASSERT(n > 0);
	while (kw && n % 8)	/* 20 bytes: zero-padded to AES-KW's blocks */
		plain[n++] = 0;
	KTAP_ASSERT_EQ(mikey_derive(alice_psk, 16, MIKEY_C_ENC, 0xff, st.csb_id, rnd, 16, ek, 16), 0);
	KTAP_ASSERT_EQ(mikey_derive(alice_psk, 16, MIKEY_C_SALT, 0xff, st.csb_id, rnd, 16, salt,
				    14), 0);
	KTAP_ASSERT_EQ(mikey_derive(alice_psk, 16, MIKEY_C_AUTH, 0xff, st.csb_id, rnd, 16,
				    st.auth_key, 20), 0);
	KTAP_ASSERT_EQ(mikey_kemac_encrypt(kw ? MIKEY_ENC_AES_KW_128 : MIKEY_ENC_AES_CM_128, ek,
					   salt, st.csb_id, tb, plain, n, enc, &elen), 0);
	memset(&m, 0, sizeof(m));
	m.hdr = (struct mikey_hdr){ .version = 1, .v = true, .csb_id = st.csb_id, .ncs = 1 };
	m.hdr.cs[0] = (struct mikey_cs_srtp){ 0, 0xabcdef01, 3 };
	m.npl = 4;
	m.pl[0].type = MIKEY_PT_T;
	m.pl[0].u.t = craft_t;
	m.pl[1].type = MIKEY_PT_RAND;
	m.pl[1].u.rand = (struct mikey_bytes){ rnd, 16 };
	m.pl[2].type = MIKEY_PT_SP;
	m.pl[2].u.sp.nparams = 1;
	for (n = 0; n < vlen; n++)
		val[n] = (uint8_t)(sp_val >> 8 * (vlen - 1 - n));
	m.pl[2].u.sp.params[0] = (struct mikey_sp_param){ sp_type, { val, vlen } };
	m.pl[3].type = MIKEY_PT_KEMAC;
	m.pl[3].u.kemac = (struct mikey_kemac){ kw ? MIKEY_ENC_AES_KW_128 : MIKEY_ENC_AES_CM_128,
						{ enc, elen },
						MIKEY_MAC_HMAC_SHA1_160, { zero, 20 } };
	ilen = mikey_encode(&m, imsg, sizeof(imsg), &why);
	KTAP_ASSERT(ilen > 20);
	KTAP_ASSERT_EQ(mikey_mac(MIKEY_MAC_HMAC_SHA1_160, st.auth_key, 20, imsg, ilen - 20,
				 imsg + ilen - 20), 20);
}

static void test_security_policy(void)
{
	craft(MIKEY_SP_ENC_KEY_LEN, 16);	/* the defaults otherwise */
	setup();
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_ASSERT_EQ(rk.n, 1);
	KTAP_EXPECT_EQ_U(rk.cs[0].ssrc, 0xabcdef01);
	KTAP_EXPECT_EQ_U(rk.cs[0].roc, 3);
	KTAP_EXPECT(rk.cs[0].suite == S("AES_CM_128_HMAC_SHA1_80"));
	KTAP_EXPECT_EQ_U(rk.cs[0].kdr, 0);
	craft(MIKEY_SP_ENC_ALG, 2);		/* AES-F8: where the configuration allows it */
	expect_refused(respond(false, NOW), MIKEY_ERR_SP, true);
	KTAP_EXPECT(strstr(f.why, "F8_128_HMAC_SHA1_80") != NULL);
	setup();				/* the same message again: not a replay here */
	KTAP_ASSERT_EQ(respond_f8(), 0);
	KTAP_EXPECT(rk.cs[0].suite == S("F8_128_HMAC_SHA1_80"));
	craft(MIKEY_SP_KDR, 1u << 16);		/* the rate itself, four bytes */
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ_U(rk.cs[0].kdr, 1u << 16);
	craft(MIKEY_SP_KDR, 1u << 24);
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ_U(rk.cs[0].kdr, 1u << 24);
	craft(MIKEY_SP_KDR, 1u << 10);		/* RFC 3711 allows it, ksrtp does not */
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	KTAP_EXPECT(strstr(f.why, "below 2^16") != NULL);
	craft(MIKEY_SP_KDR, 24);		/* not a power of two */
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	KTAP_EXPECT(strstr(f.why, "key derivation rate") != NULL);
	craft(MIKEY_SP_KDR, 1u << 25);
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	craft(MIKEY_SP_FEC, 1);
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	craft(MIKEY_SP_TAG_LEN, 8);
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	craft(13, 0);				/* no such parameter */
	expect_refused(respond(false, NOW), MIKEY_ERR_SPPAR, true);
	craft(MIKEY_SP_ENC_KEY_LEN, 32);	/* AES-256 */
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT(rk.cs[0].suite == S("AES_256_CM_HMAC_SHA1_80"));
}

static void test_mikey_null(void)
{
	struct mikey_policy p = pol(NULL, false, NOW);
	struct mikey_offer_cs cs = { 5, 0, S("AES_CM_128_HMAC_SHA1_80") };

	setup();
	/* the initiator itself needs allow_insecure */
	KTAP_EXPECT_EQ(mikey_psk_initiate(&p, NULL, &cs, 1, false, true, &st, imsg,
					  sizeof(imsg), &f), 0);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_EA);
	KTAP_ASSERT(offer(NULL, true, NOW, false, true) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_KEMAC)->u.kemac.mac_alg, MIKEY_MAC_NULL);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_KEMAC)->u.kemac.enc_alg, MIKEY_ENC_NULL);
	expect_refused(respond(false, NOW), MIKEY_ERR_MAC, false);
	setup();	/* refused before the replay check, but start clean */
	KTAP_ASSERT_EQ(respond(true, NOW), 0);
	expect_same_keys();
	p = pol(NULL, true, NOW);
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), 0);
}

static void test_null_encrypted_kemac(void)
{
	struct mikey_policy p = pol(alice_psk, true, NOW);

	setup();
	KTAP_ASSERT(offer(alice_psk, true, NOW, true, true) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_KEMAC)->u.kemac.enc_alg, MIKEY_ENC_NULL);
	expect_refused(respond(false, NOW), MIKEY_ERR_EA, false);
	setup();
	KTAP_ASSERT_EQ(respond(true, NOW), 0);
	expect_same_keys();
	KTAP_EXPECT_EQ(mikey_psk_answer(&p, &st, rmsg, rlen, &f2), 0);
}

static void test_garbage_and_other_modes(void)
{
	static const uint8_t junk[] = { 1, 0, 3, 0, 0, 0, 0, 1 };

	setup();
	memcpy(imsg, junk, sizeof(junk));
	ilen = sizeof(junk);
	expect_refused(respond(true, NOW), MIKEY_ERR_UNSPEC, false);
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	imsg[1] = MIKEY_DT_DH_INIT;	/* the header is not MACed before this check */
	expect_refused(respond(true, NOW), MIKEY_ERR_DT, false);
}

static void test_pskfile(void)
{
	struct pskfile p;
	const uint8_t *k;
	char err[160], path[] = "/tmp/test_mikey_psk.XXXXXX";
	size_t kl;
	int fd;

	setup();
	KTAP_ASSERT_EQ(pskfile_parse(&p, psk_text, strlen(psk_text), err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(p.n, 3);
	KTAP_ASSERT_EQ(pskfile_lookup(&p, (const uint8_t *)"sip:carol@example.org", 21, &k, &kl), 0);
	KTAP_EXPECT_EQ(kl, 20);
	KTAP_EXPECT_EQ(k[19], 0x33);
	KTAP_EXPECT_EQ(pskfile_lookup(&p, (const uint8_t *)"sip:carol", 9, &k, &kl), -1);
	KTAP_EXPECT_EQ(pskfile_parse(&p, "a 0011\n", 7, err, sizeof(err)), -1);
	KTAP_EXPECT(strstr(err, "line 1") && strstr(err, "16 to 64"));
	KTAP_EXPECT_EQ(pskfile_parse(&p, "\nb 00112233445566778899aabbccddeeXX\n", 36, err,
				     sizeof(err)), -1);
	KTAP_EXPECT(strstr(err, "line 2") != NULL);
	KTAP_EXPECT_EQ(pskfile_parse(&p, "a 000102030405060708090a0b0c0d0e0f\n"
				     "a 000102030405060708090a0b0c0d0e0f\n", 70, err, sizeof(err)), -1);
	KTAP_EXPECT(strstr(err, "twice") != NULL);
	fd = mkstemp(path);
	KTAP_ASSERT(fd >= 0);
	KTAP_EXPECT_EQ(write(fd, psk_text, strlen(psk_text)), (ssize_t)strlen(psk_text));
	close(fd);
	KTAP_EXPECT_EQ(chmod(path, 0640), 0);
	KTAP_EXPECT_EQ(pskfile_load(&p, path, err, sizeof(err)), -1);
	KTAP_EXPECT(strstr(err, "0640") && strstr(err, "0600"));
	KTAP_EXPECT_EQ(chmod(path, 0600), 0);
	/* another user's file: only root can make one here */
	if (geteuid() == 0) {
		KTAP_EXPECT_EQ(chown(path, 1, (gid_t)-1), 0);
		KTAP_EXPECT_EQ(pskfile_load(&p, path, err, sizeof(err)), -1);
		KTAP_EXPECT(strstr(err, "owned by uid 1, not by keyd's (0)") != NULL);
		KTAP_EXPECT_EQ(chown(path, 0, (gid_t)-1), 0);
	} else {
		ktap_diag("not root: the owner check is left to keyd_mikey.sh");
	}
	KTAP_EXPECT_EQ(pskfile_load(&p, path, err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(p.n, 3);
	unlink(path);
	KTAP_EXPECT_EQ(pskfile_load(&p, path, err, sizeof(err)), -1);
}

/*
 * MIKEY-NULL from outside this tree: sip_mikey.pcap's a=key-mgmt (PSK init
 * with NULL encryption and no MAC, a TEK+SALT, SP with the defaults stated)
 * is accepted where insecure keying is allowed, at its own timestamp; the
 * DH init from dhinit.pcap is refused with Invalid DT.
 */
static void test_foreign_messages(void)
{
	static const uint8_t key[30] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad };
	const uint64_t t = 0xeeae11fa4cc3d252ull;

	setup();
	memcpy(imsg, ext_sip_psk, sizeof(ext_sip_psk));
	ilen = sizeof(ext_sip_psk);
	expect_refused(respond(false, t), MIKEY_ERR_MAC, false);
	KTAP_ASSERT_EQ(respond(true, t), 0);
	KTAP_EXPECT_EQ(rlen, 0);	/* no V flag: no answer */
	KTAP_ASSERT_EQ(rk.n, 1);
	KTAP_EXPECT_EQ_U(rk.csb_id, 0x12345678);
	KTAP_EXPECT_EQ_U(rk.cs[0].ssrc, 0xdeadbeef);
	KTAP_EXPECT_EQ_U(rk.cs[0].roc, 0);
	KTAP_EXPECT(rk.cs[0].suite == S("AES_CM_128_HMAC_SHA1_80"));
	KTAP_EXPECT(!memcmp(rk.cs[0].master, key, 30));
	/* an hour later it is stale */
	setup();
	expect_refused(respond(true, t + (3600ull << 32)), MIKEY_ERR_TS, false);
	setup();
	memcpy(imsg, ext_dh_init, sizeof(ext_dh_init));
	ilen = sizeof(ext_dh_init);
	expect_refused(respond(true, t), MIKEY_ERR_DT, false);
}

/* Seeds for fuzz_mikey_psk (its FUZZ_NOW is this file's NOW). */
static void write_seed(const char *dir, const char *name)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (fp) {
		fwrite(imsg, 1, ilen, fp);
		fclose(fp);
	}
}

static void seeds(const char *dir)
{
	if (offer(alice_psk, false, NOW, false, true))
		write_seed(dir, "psk-v");
	if (offer(alice_psk, true, NOW, true, false))
		write_seed(dir, "psk-null-enc");
	if (offer(NULL, true, NOW, false, true))
		write_seed(dir, "null-v");
	kw = true;
	if (offer(alice_psk, false, NOW, false, true))
		write_seed(dir, "psk-kw");
	kw = false;
	craft(MIKEY_SP_ENC_ALG, 2);
	write_seed(dir, "sp-f8");
}

/* AES-KW-128 KEMACs: ours (a 20-byte TGK fills its blocks) and a foreign
 * layout (a 16-byte TGK zero-padded), the key from the TGK by hand.
 */
static void test_psk_aes_kw(void)
{
	static const uint8_t rnd[16] = "random-random-16", tgk[16] = "TGK-TGK-TGK-TGK!";
	const struct mikey_payload *km;
	uint8_t tek[16];

	setup();
	kw = true;
	KTAP_ASSERT(offer(alice_psk, false, NOW, false, true) > 0);
	kw = false;
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	km = mikey_find(&dm, MIKEY_PT_KEMAC);
	KTAP_ASSERT(km != NULL);
	KTAP_EXPECT_EQ(km->u.kemac.enc_alg, MIKEY_ENC_AES_KW_128);
	KTAP_EXPECT_EQ(km->u.kemac.enc.len, 32);	/* key data 24, wrapped 32 */
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	expect_same_keys();
	setup();
	kw = true;
	craft(MIKEY_SP_ENC_ALG, 1);
	kw = false;
	KTAP_ASSERT_EQ(respond(false, NOW), 0);
	KTAP_ASSERT_EQ(rk.n, 1);
	KTAP_ASSERT_EQ(mikey_derive(tgk, 16, MIKEY_C_TEK, 1, 0x0badcafe, rnd, 16, tek, 16), 0);
	KTAP_EXPECT(!memcmp(rk.cs[0].master, tek, 16));
	/* a wrapped byte changed after the MAC: RFC 3394's check refuses it */
	setup();
	kw = true;
	craft(MIKEY_SP_ENC_ALG, 1);
	kw = false;
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	km = mikey_find(&dm, MIKEY_PT_KEMAC);
	imsg[km->u.kemac.enc.p - imsg + 3] ^= 1;
	KTAP_ASSERT_EQ(mikey_mac(MIKEY_MAC_HMAC_SHA1_160, st.auth_key, 20, imsg, ilen - 20,
				 imsg + ilen - 20), 20);
	expect_refused(respond(false, NOW), MIKEY_ERR_UNSPEC, true);
}

/* NTP timestamps take the window like NTP-UTC; COUNTERs must grow per identity. */
static void test_ntp_and_counter_timestamps(void)
{
	setup();
	craft_t = (struct mikey_t){ MIKEY_TS_NTP, NOW };
	craft(MIKEY_SP_ENC_ALG, 1);
	KTAP_EXPECT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ(rk.n, 1);
	craft_t.value = NOW - (61ull << 32);
	craft(MIKEY_SP_ENC_ALG, 1);
	expect_refused(respond(false, NOW), MIKEY_ERR_TS, true);
	setup();
	craft_t = (struct mikey_t){ MIKEY_TS_COUNTER, 5 };
	craft(MIKEY_SP_ENC_ALG, 1);
	KTAP_EXPECT_EQ(respond(false, NOW), 0);
	KTAP_EXPECT_EQ(rk.n, 1);
	/* the R_MESSAGE carries the initiator's COUNTER (RFC 3830 §5.2) */
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_ASSERT(mikey_find(&dm, MIKEY_PT_T) != NULL);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_T)->u.t.ts_type, MIKEY_TS_COUNTER);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_T)->u.t.value, 5);
	KTAP_EXPECT_EQ(respond(false, NOW), -1);	/* the same again */
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_TS);
	KTAP_EXPECT_EQ(rk.n, 0);
	craft_t.value = 4;
	craft(MIKEY_SP_ENC_ALG, 1);
	KTAP_EXPECT_EQ(respond(false, NOW + (7200ull << 32)), -1);
	KTAP_EXPECT(strstr(f.why, "not above") != NULL);
	craft_t.value = 6;	/* hours later: no window for COUNTERs */
	craft(MIKEY_SP_ENC_ALG, 1);
	KTAP_EXPECT_EQ(respond(false, NOW + (7200ull << 32)), 0);
	KTAP_EXPECT_EQ(rk.n, 1);
	craft_t = (struct mikey_t){ MIKEY_TS_NTP_UTC, NOW };
}

/* MKI: the initiator's TGK carries an SPI; every context of the exchange
 * gets it as MKI, with AES-CM and AES-KW KEMACs; lengths over 4 refused.
 */
static void test_mki(void)
{
	struct mikey_offer_cs cs[2] = {
		{ 0x11111111, 0, S("AES_CM_128_HMAC_SHA1_80") },
		{ 0x22222222, 7, S("AES_CM_128_HMAC_SHA1_32") },
	};
	struct mikey_ids ids = { "sip:alice@example.org", NULL };
	struct mikey_policy p = pol(alice_psk, false, NOW);
	const struct mikey_payload *km;
	size_t i, round;

	for (round = 0; round < 2; round++) {
		setup();
		p.mki_len = 2;
		p.mki = 0x10203;	/* two bytes of it: 0x0203 */
		p.kemac_kw = round == 1;
		ilen = mikey_psk_initiate(&p, &ids, cs, 2, false, true, &st, imsg, sizeof(imsg),
					  &f);
		KTAP_ASSERT(ilen > 0);
		KTAP_ASSERT_EQ(respond(false, NOW), 0);
		expect_same_keys();
		for (i = 0; i < 2; i++) {
			KTAP_EXPECT_EQ(rk.cs[i].mki_len, 2);
			KTAP_EXPECT_EQ_U(rk.cs[i].mki, 0x0203);
			KTAP_EXPECT_EQ(st.keys.cs[i].mki_len, 2);
			KTAP_EXPECT_EQ_U(st.keys.cs[i].mki, 0x0203);
		}
		KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
		km = mikey_find(&dm, MIKEY_PT_KEMAC);
		KTAP_ASSERT(km != NULL);
		if (round == 1)		/* 4 + 17 + 1 + 2 = 24 bytes of key data, wrapped 32 */
			KTAP_EXPECT_EQ(km->u.kemac.enc.len, 32);
	}
	p.mki_len = 5;
	KTAP_EXPECT_EQ(mikey_psk_initiate(&p, &ids, cs, 2, false, true, &st, imsg, sizeof(imsg),
					  &f), 0);
	/* what keyd cannot key SRTP by: an interval, a 5-byte SPI */
	{
		static const uint8_t from[4] = { 1 }, to[4] = { 2 }, spi5[5] = { 1, 2, 3, 4, 5 };

		setup();
		craft_kv = (struct mikey_kv){ .type = MIKEY_KV_INTERVAL, .from = { from, 4 },
					      .to = { to, 4 } };
		craft(MIKEY_SP_ENC_ALG, 1);
		expect_refused(respond(false, NOW), MIKEY_ERR_UNSPEC, true);
		KTAP_EXPECT(strstr(f.why, "interval") != NULL);
		setup();
		craft_kv = (struct mikey_kv){ .type = MIKEY_KV_SPI, .spi = { spi5, 5 } };
		craft(MIKEY_SP_ENC_ALG, 1);
		expect_refused(respond(false, NOW), MIKEY_ERR_UNSPEC, true);
		KTAP_EXPECT(strstr(f.why, "1 to 4") != NULL);
		craft_kv = (struct mikey_kv){ 0 };
	}
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_psk_with_verification),
	KTAP_TEST(test_psk_without_verification),
	KTAP_TEST(test_psk_keys_by_hand),
	KTAP_TEST(test_psk_aes_kw),
	KTAP_TEST(test_mki),
	KTAP_TEST(test_wrong_psk),
	KTAP_TEST(test_tampered_mac_and_body),
	KTAP_TEST(test_replay),
	KTAP_TEST(test_stale_and_future_timestamps),
	KTAP_TEST(test_ntp_and_counter_timestamps),
	KTAP_TEST(test_unknown_identity),
	KTAP_TEST(test_suite_not_accepted),
	KTAP_TEST(test_security_policy),
	KTAP_TEST(test_initiator_kdr),
	KTAP_TEST(test_mikey_null),
	KTAP_TEST(test_null_encrypted_kemac),
	KTAP_TEST(test_garbage_and_other_modes),
	KTAP_TEST(test_pskfile),
	KTAP_TEST(test_foreign_messages),
};

int main(void)
{
	const char *dir = getenv("TEST_MIKEY_PSK_SEEDS");

	if (dir) {
		setup();
		seeds(dir);
		return 0;
	}
	return KTAP_MAIN(tests);
}
