// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY-DHHMAC (RFC 4650) end to end, both ends in one process
 * (userspace-keyd/keyd/mikey_dhhmac.c, mikey_dh.c, mikey_exch.c): OpenSSL's
 * DH against values computed by tests/keyd/mikey_ref.py with the groups'
 * primes built from pi as their RFCs define them; the exchange in OAKLEY 5
 * and 2 with the same keys at both ends and fresh ones each time (PFS);
 * each refusal (wrong PSK, altered message or answer, replay, stale
 * timestamp, OAKLEY 1, a DH value of 1, a key-carrying KEMAC, PSK's
 * responder given DHHMAC) with its ERR code and no keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "mikey_dhhmac.h"
#include "mikey_exch.h"
#include "mikey_kdf.h"
#include "mikey_pskfile.h"
#include "mikey_vectors.h"

#define NOW	(0xEB000000ull << 32)	/* some NTP time in 2025 */

static const char psk_text[] = "sip:alice@example.org 000102030405060708090a0b0c0d0e0f\n";
static const uint8_t alice_psk[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t wrong_psk[16] = { 1 };
static struct pskfile pf;
static struct mikey_replay rcache;
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

static struct mikey_policy pol(const uint8_t *psk, uint64_t now, uint8_t group)
{
	return (struct mikey_policy){ .psk = psk, .psk_len = psk ? 16 : 0,
				      .suites_ok = 0x3f | 0x300, .now = now,
				      .skew = MIKEY_SKEW_DEFAULT, .dh_group = group };
}

static void setup(void)
{
	char err[128];

	memset(&rcache, 0, sizeof(rcache));
	if (!pf.n && pskfile_parse(&pf, psk_text, strlen(psk_text), err, sizeof(err)))
		ktap_diag("psk_text: %s", err);
}

/* Two crypto sessions, the second with ROC 7 and a 32-bit tag. */
static size_t offer(const uint8_t *psk, uint8_t group)
{
	struct mikey_offer_cs cs[2] = {
		{ 0x11111111, 0, S("AES_CM_128_HMAC_SHA1_80") },
		{ 0x22222222, 7, S("AES_CM_128_HMAC_SHA1_32") },
	};
	struct mikey_ids ids = { "sip:alice@example.org", "sip:bob@example.org" };
	struct mikey_policy p = pol(psk, NOW, group);

	ilen = mikey_dhhmac_initiate(&p, &ids, cs, 2, &st, imsg, sizeof(imsg), &f);
	return ilen;
}

static int respond(uint64_t now)
{
	struct mikey_policy p = pol(NULL, now, 0);

	return mikey_dhhmac_respond(&p, pskfile_lookup, &pf, "sip:bob@example.org", &rcache,
				    imsg, ilen, &rk, rmsg, sizeof(rmsg), &rlen, &f);
}

static int answer(void)
{
	struct mikey_policy p = pol(alice_psk, NOW, 0);

	return mikey_dhhmac_answer(&p, &st, rmsg, rlen, &f2);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* A refused I_MESSAGE: the code, no keys, and an error message the
 * initiator reads back with the same code.
 */
static void expect_refused(int rc, uint8_t err_no, bool authentic)
{
	KTAP_EXPECT_EQ(rc, -1);
	KTAP_EXPECT_EQ(f.err_no, err_no);
	KTAP_EXPECT(all_zero(&rk, sizeof(rk)));
	KTAP_ASSERT(rlen > 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_ERROR);
	KTAP_ASSERT(mikey_find(&dm, MIKEY_PT_ERR) != NULL);
	KTAP_EXPECT_EQ(mikey_find(&dm, MIKEY_PT_ERR)->u.err.err_no, err_no);
	KTAP_EXPECT_EQ(answer(), -1);
	KTAP_EXPECT(f2.remote);
	KTAP_EXPECT_EQ(f2.err_no, err_no);
	KTAP_EXPECT_EQ(f2.authentic, authentic);
	KTAP_EXPECT_EQ(st.keys.n, 0);
}

static void test_dh_vectors(void)
{
	uint8_t out[192], tek[16];
	size_t i;

	for (i = 0; i < sizeof(ref_dhs) / sizeof(ref_dhs[0]); i++) {
		const struct ref_dh *v = &ref_dhs[i];

		KTAP_EXPECT_EQ(mikey_dh_len(v->group), (int)v->len);
		KTAP_ASSERT_EQ(mikey_dh_secret(v->group, v->priv_a, v->pub_a, v->pub_b, out), 0);
		KTAP_EXPECT(!memcmp(out, v->secret, v->len));
		KTAP_ASSERT_EQ(mikey_dh_secret(v->group, v->priv_b, v->pub_b, v->pub_a, out), 0);
		KTAP_EXPECT(!memcmp(out, v->secret, v->len));
		KTAP_ASSERT_EQ(mikey_derive(out, v->len, MIKEY_C_TEK, 1, REF_CSB, ref_rand,
					    sizeof(ref_rand), tek, sizeof(tek)), 0);
		KTAP_EXPECT(!memcmp(tek, v->tek, sizeof(tek)));
	}
}

static void test_dh_bad_values(void)
{
	const struct ref_dh *v = &ref_dhs[0];
	uint8_t peer[192], out[192], priv[192], pub[192];

	memset(peer, 0, sizeof(peer));
	KTAP_EXPECT_EQ(mikey_dh_secret(v->group, v->priv_a, v->pub_a, peer, out), -1);
	peer[191] = 1;
	KTAP_EXPECT_EQ(mikey_dh_secret(v->group, v->priv_a, v->pub_a, peer, out), -1);
	memset(peer, 0xff, sizeof(peer));	/* above p */
	KTAP_EXPECT_EQ(mikey_dh_secret(v->group, v->priv_a, v->pub_a, peer, out), -1);
	KTAP_EXPECT(!mikey_dh_group_ok(MIKEY_DH_OAKLEY1));
	KTAP_EXPECT_EQ(mikey_dh_keygen(MIKEY_DH_OAKLEY1, priv, pub), -1);
	KTAP_EXPECT_EQ(mikey_dh_keygen(7, priv, pub), -1);
	KTAP_ASSERT_EQ(mikey_dh_keygen(MIKEY_DH_OAKLEY2, priv, pub), 0);
	KTAP_EXPECT(!all_zero(pub, 128));
}

static void expect_exchange(uint8_t group)
{
	const struct mikey_payload *dh, *km;
	size_t i;

	setup();
	KTAP_ASSERT(offer(alice_psk, group) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_DHHMAC_INIT);
	dh = mikey_find(&dm, MIKEY_PT_DH);
	km = mikey_find(&dm, MIKEY_PT_KEMAC);
	KTAP_ASSERT(dh && km);
	KTAP_EXPECT_EQ(dh->u.dh.group, group);
	KTAP_EXPECT_EQ(km->u.kemac.enc_alg, MIKEY_ENC_NULL);
	KTAP_EXPECT_EQ(km->u.kemac.enc.len, 0);
	KTAP_EXPECT_EQ(st.keys.n, 0);		/* not before the answer */
	KTAP_ASSERT_EQ(respond(NOW), 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_DHHMAC_RESP);
	KTAP_EXPECT_EQ_U(dm.hdr.csb_id, st.csb_id);
	KTAP_ASSERT_EQ(answer(), 0);
	KTAP_ASSERT_EQ(rk.n, 2);
	KTAP_ASSERT_EQ(st.keys.n, 2);
	for (i = 0; i < 2; i++) {
		KTAP_EXPECT_EQ_U(rk.cs[i].ssrc, st.keys.cs[i].ssrc);
		KTAP_EXPECT_EQ_U(rk.cs[i].roc, st.keys.cs[i].roc);
		KTAP_EXPECT(rk.cs[i].suite == st.keys.cs[i].suite);
		KTAP_EXPECT(!memcmp(rk.cs[i].master, st.keys.cs[i].master, 30));
	}
	KTAP_EXPECT_EQ_U(rk.cs[1].roc, 7);
	KTAP_EXPECT(memcmp(rk.cs[0].master, rk.cs[1].master, 30));
}

static void test_exchange_oakley5(void)
{
	expect_exchange(MIKEY_DH_OAKLEY5);
}

static void test_exchange_oakley2(void)
{
	expect_exchange(MIKEY_DH_OAKLEY2);
}

/* The same PSK twice: new DH values, new keys. */
static void test_fresh_keys(void)
{
	uint8_t first[30];

	expect_exchange(MIKEY_DH_OAKLEY5);
	memcpy(first, rk.cs[0].master, sizeof(first));
	expect_exchange(MIKEY_DH_OAKLEY5);
	KTAP_EXPECT(memcmp(first, rk.cs[0].master, sizeof(first)));
}

static void test_wrong_psk(void)
{
	setup();
	KTAP_ASSERT(offer(wrong_psk, MIKEY_DH_OAKLEY5) > 0);
	expect_refused(respond(NOW), MIKEY_ERR_AUTH, false);
}

static void test_tampered(void)
{
	const struct mikey_payload *dh;

	setup();
	KTAP_ASSERT(offer(alice_psk, MIKEY_DH_OAKLEY5) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	dh = mikey_find(&dm, MIKEY_PT_DH);
	imsg[dh->u.dh.value.p - imsg + 5] ^= 1;	/* a man in the middle's DH value */
	expect_refused(respond(NOW), MIKEY_ERR_AUTH, false);

	/* an answer whose DHr was replaced */
	setup();
	KTAP_ASSERT(offer(alice_psk, MIKEY_DH_OAKLEY5) > 0);
	KTAP_ASSERT_EQ(respond(NOW), 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	dh = mikey_find(&dm, MIKEY_PT_DH);
	rmsg[dh->u.dh.value.p - rmsg + 9] ^= 0x40;
	KTAP_EXPECT_EQ(answer(), -1);
	KTAP_EXPECT_EQ(f2.err_no, MIKEY_ERR_AUTH);
	KTAP_EXPECT(!f2.remote);
	KTAP_EXPECT_EQ(st.keys.n, 0);
}

static void test_replay_and_stale(void)
{
	setup();
	KTAP_ASSERT(offer(alice_psk, MIKEY_DH_OAKLEY5) > 0);
	KTAP_ASSERT_EQ(respond(NOW), 0);
	memset(&rk, 0, sizeof(rk));
	expect_refused(respond(NOW), MIKEY_ERR_TS, true);
	setup();
	KTAP_ASSERT(offer(alice_psk, MIKEY_DH_OAKLEY5) > 0);
	expect_refused(respond(NOW + (3600ull << 32)), MIKEY_ERR_TS, true);
}

/* An authentic I_MESSAGE built here: DH payload (group, value) and KEMAC
 * (encryption enc_alg with key bytes klen), MACed with alice's PSK.
 */
static void craft(uint8_t group, const uint8_t *value, uint8_t enc_alg, size_t klen)
{
	static const uint8_t zero[20], key[32] = { 9 };
	struct mikey_msg *m = calloc(1, sizeof(*m));
	uint8_t rnd[16] = { 1, 2, 3 }, ek[16], salt[14], ak[20];

	m->hdr = (struct mikey_hdr){ .version = 1, .data_type = MIKEY_DT_DHHMAC_INIT,
				     .csb_id = 0x5eed, .ncs = 1, .map_type = MIKEY_MAP_SRTP };
	m->hdr.cs[0] = (struct mikey_cs_srtp){ 0, 0x11111111, 0 };
	mx_add_pl(m, MIKEY_PT_T);
	mx_last_pl(m)->u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, NOW };
	mx_add_pl(m, MIKEY_PT_RAND);
	mx_last_pl(m)->u.rand = (struct mikey_bytes){ rnd, sizeof(rnd) };
	mx_add_pl(m, MIKEY_PT_ID);
	mx_last_pl(m)->u.id = (struct mikey_typed){ MIKEY_ID_TYPE_URI,
		{ (const uint8_t *)"sip:alice@example.org", 21 } };
	mx_add_pl(m, MIKEY_PT_DH);
	mx_last_pl(m)->u.dh = (struct mikey_dh){ .group = group,
		.value = { value, (size_t)mikey_dh_len(group) } };
	mx_add_pl(m, MIKEY_PT_KEMAC);
	mx_last_pl(m)->u.kemac = (struct mikey_kemac){ .enc_alg = enc_alg, .enc = { key, klen },
		.mac_alg = MIKEY_MAC_HMAC_SHA1_160, .mac = { zero, 20 } };
	mx_psk_keys(alice_psk, 16, 0x5eed, rnd, sizeof(rnd), ek, salt, ak);
	ilen = mx_encode_maced(m, MIKEY_MAC_HMAC_SHA1_160, ak, NULL, 0, imsg, sizeof(imsg), &f);
	free(m);
	/* the initiator's side of these: an exchange of ours with this CSB ID */
	memset(&st, 0, sizeof(st));
	st.dh = true;
	st.dt = MIKEY_DT_DHHMAC_INIT;
	st.csb_id = 0x5eed;
	st.t = NOW;
	memcpy(st.auth_key, ak, sizeof(ak));
	memcpy(st.id_i, "sip:alice@example.org", 21);
	st.id_i_len = 21;
}

static void test_refused_groups_and_values(void)
{
	uint8_t v[192];
	struct mikey_policy p = pol(alice_psk, NOW, MIKEY_DH_OAKLEY1);
	struct mikey_offer_cs cs = { 1, 0, S("AES_CM_128_HMAC_SHA1_80") };
	struct mikey_ids ids = { "sip:alice@example.org", "sip:bob@example.org" };

	KTAP_EXPECT_EQ(mikey_dhhmac_initiate(&p, &ids, &cs, 1, &st, imsg, sizeof(imsg), &f), 0);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_DH);
	ids.id_r = NULL;	/* RFC 4650 §3: the recipient is always named */
	p.dh_group = MIKEY_DH_OAKLEY5;
	KTAP_EXPECT_EQ(mikey_dhhmac_initiate(&p, &ids, &cs, 1, &st, imsg, sizeof(imsg), &f), 0);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_ID);
	setup();
	memset(v, 0x5a, sizeof(v));
	craft(MIKEY_DH_OAKLEY1, v, MIKEY_ENC_NULL, 0);
	KTAP_ASSERT(ilen > 0);
	expect_refused(respond(NOW), MIKEY_ERR_DH, true);
	setup();
	memset(v, 0, sizeof(v));
	v[191] = 1;
	craft(MIKEY_DH_OAKLEY5, v, MIKEY_ENC_NULL, 0);
	expect_refused(respond(NOW), MIKEY_ERR_DH, true);
	setup();
	memcpy(v, ref_dhs[0].pub_a, sizeof(v));
	craft(MIKEY_DH_OAKLEY5, v, MIKEY_ENC_AES_CM_128, 20);
	expect_refused(respond(NOW), MIKEY_ERR_EA, false);
	setup();
	craft(MIKEY_DH_OAKLEY5, v, MIKEY_ENC_NULL, 0);
	KTAP_EXPECT_EQ(respond(NOW), 0);	/* the same, well formed */
	KTAP_EXPECT_EQ(rk.n, 1);
}

/* Each mode's responder refuses the other's I_MESSAGE by its data type. */
static void test_modes_apart(void)
{
	struct mikey_policy p = pol(NULL, NOW, 0);

	setup();
	KTAP_ASSERT(offer(alice_psk, MIKEY_DH_OAKLEY5) > 0);
	KTAP_EXPECT_EQ(mikey_psk_respond(&p, pskfile_lookup, &pf, NULL, &rcache, imsg, ilen,
					 &rk, rmsg, sizeof(rmsg), &rlen, &f), -1);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_DT);
	KTAP_EXPECT_EQ(rk.n, 0);
	imsg[1] = MIKEY_DT_PSK_INIT;
	expect_refused(respond(NOW), MIKEY_ERR_DT, false);
}

/* MKI in DHi's key validity: both ends' keys carry it, the R_MESSAGE echoes DHi whole. */
static void test_mki(void)
{
	struct mikey_offer_cs cs = { 0x11111111, 0, S("AES_CM_128_HMAC_SHA1_80") };
	struct mikey_ids ids = { "sip:alice@example.org", "sip:bob@example.org" };
	struct mikey_policy p = pol(alice_psk, NOW, MIKEY_DH_OAKLEY2);
	const struct mikey_payload *dh;

	setup();
	p.mki_len = 1;
	p.mki = 9;
	ilen = mikey_dhhmac_initiate(&p, &ids, &cs, 1, &st, imsg, sizeof(imsg), &f);
	KTAP_ASSERT(ilen > 0);
	KTAP_ASSERT_EQ(respond(NOW), 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_ASSERT(dm.npl > 2);
	dh = &dm.pl[dm.npl - 2];	/* DHi, before the KEMAC */
	KTAP_ASSERT_EQ(dh->type, MIKEY_PT_DH);
	KTAP_EXPECT(dh->u.dh.kv.type == MIKEY_KV_SPI && dh->u.dh.kv.spi.len == 1 &&
		    dh->u.dh.kv.spi.p[0] == 9);
	KTAP_ASSERT_EQ(answer(), 0);
	KTAP_EXPECT(rk.cs[0].mki_len == 1 && rk.cs[0].mki == 9);
	KTAP_EXPECT(st.keys.cs[0].mki_len == 1 && st.keys.cs[0].mki == 9);
	KTAP_EXPECT(!memcmp(rk.cs[0].master, st.keys.cs[0].master, 30));
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_dh_vectors),
	KTAP_TEST(test_dh_bad_values),
	KTAP_TEST(test_exchange_oakley5),
	KTAP_TEST(test_exchange_oakley2),
	KTAP_TEST(test_fresh_keys),
	KTAP_TEST(test_wrong_psk),
	KTAP_TEST(test_tampered),
	KTAP_TEST(test_replay_and_stale),
	KTAP_TEST(test_refused_groups_and_values),
	KTAP_TEST(test_modes_apart),
	KTAP_TEST(test_mki),
};

/* A DHHMAC I_MESSAGE at NOW for fuzz_mikey_psk's corpus. */
static int seeds(const char *dir)
{
	char path[512];
	FILE *fp;

	setup();
	if (!offer(alice_psk, MIKEY_DH_OAKLEY5))
		return 1;
	snprintf(path, sizeof(path), "%s/dhhmac", dir);
	fp = fopen(path, "wb");
	if (!fp)
		return 1;
	fwrite(imsg, 1, ilen, fp);
	return fclose(fp) ? 1 : 0;
}

int main(void)
{
	const char *dir = getenv("TEST_MIKEY_DHHMAC_SEEDS");

	if (dir)
		return seeds(dir);
	return KTAP_MAIN(tests);
}
