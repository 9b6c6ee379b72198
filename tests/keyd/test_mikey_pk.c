// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's certificate modes end to end, both ends in one process
 * (userspace-keyd/keyd/mikey_pk.c, mikey_dhhmac.c's DH-SIGN, mikey_sign.c,
 * mikey_pki.c) with certificates pki_fixture.h makes: loading refuses a
 * world-readable key, a key that is not the certificate's and a chain to
 * another CA; PK, RSA-R and DH-SIGN complete with the same keys at both
 * ends (PKCS#1 v1.5 and PSS signatures); each refusal (an altered byte, a
 * self-signed impersonator, an expired certificate, a replay, a stale
 * offer, an offer sealed to another certificate, with and without a CHASH
 * saying so, a
 * re-signed offer whose envelope does not open, an answer from someone
 * else) with its ERR code and no keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "mikey_dhhmac.h"
#include "mikey_exch.h"
#include "mikey_pk.h"
#include "mikey_pki.h"
#include "pki_fixture.h"

#define NOW	(0xEB000000ull << 32)
#define ALICE	"sip:alice@example.org"
#define BOB	"sip:bob@example.org"

typedef size_t (*initiate_fn)(const struct mikey_policy *, const struct mikey_ids *,
			      const struct mikey_offer_cs *, size_t, struct mikey_init *,
			      uint8_t *, size_t, struct mikey_fail *);
typedef int (*respond_fn)(const struct mikey_policy *, mikey_psk_lookup, void *, const char *,
			  struct mikey_replay *, const uint8_t *, size_t, struct mikey_keys *,
			  uint8_t *, size_t, size_t *, struct mikey_fail *);
typedef int (*answer_fn)(const struct mikey_policy *, struct mikey_init *, const uint8_t *,
			 size_t, struct mikey_fail *);

struct mode {
	const char *name;
	initiate_fn initiate;
	respond_fn respond;
	answer_fn answer;
};

static const struct mode PK = { "PK", mikey_pk_initiate, mikey_pk_respond, mikey_pk_answer };
static const struct mode RSAR = { "RSA-R", mikey_rsar_initiate, mikey_rsar_respond,
				  mikey_rsar_answer };
static const struct mode DHSIGN = { "DH-SIGN", mikey_dhsign_initiate, mikey_dhsign_respond,
				    mikey_dhsign_answer };

static struct mikey_pki *alice, *bob, *mallory, *eve, *alice_pss;
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

static struct mikey_pki *load(const char *who, bool pss, char *err, size_t errlen)
{
	char cert[64], key[64];
	struct mikey_pki_cfg c = { cert, key, pki_path("ca.pem"), pki_path("peers.pem"), pss };

	snprintf(cert, sizeof(cert), "%s.pem", who);
	snprintf(key, sizeof(key), "%s.key", who);
	c.cert_file = pki_path(cert);
	c.key_file = pki_path(key);
	return mikey_pki_load(&c, err, errlen);
}

static struct mikey_policy pol(const struct mikey_pki *pki)
{
	return (struct mikey_policy){ .pki = pki, .suites_ok = 0x7e, .now = NOW,
				      .skew = MIKEY_SKEW_DEFAULT, .dh_group = MIKEY_DH_OAKLEY2 };
}

static size_t offer(const struct mode *md, const struct mikey_pki *pki, const char *id_r)
{
	struct mikey_offer_cs cs[2] = {
		{ 0x11111111, 0, S("AES_CM_128_HMAC_SHA1_80") },
		{ 0x22222222, 7, S("AES_256_CM_HMAC_SHA1_32") },
	};
	struct mikey_ids ids = { ALICE, id_r };
	struct mikey_policy p = pol(pki);

	memset(&rk, 0, sizeof(rk));
	ilen = md->initiate(&p, &ids, cs, 2, &st, imsg, sizeof(imsg), &f);
	if (!ilen)
		ktap_diag("%s offer: %s", md->name, f.why);
	return ilen;
}

static uint64_t rx_late;	/* the responder's clock this far after NOW */

static int respond(const struct mode *md)
{
	struct mikey_policy p = pol(bob);

	p.now += rx_late;
	return md->respond(&p, NULL, NULL, BOB, &rcache, imsg, ilen, &rk, rmsg, sizeof(rmsg),
			   &rlen, &f);
}

static int answer(const struct mode *md)
{
	struct mikey_policy p = pol(alice);

	memset(&f2, 0, sizeof(f2));
	return md->answer(&p, &st, rmsg, rlen, &f2);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static void expect_same_keys(void)
{
	size_t i;

	KTAP_ASSERT_EQ(st.keys.n, 2);
	KTAP_ASSERT_EQ(rk.n, 2);
	KTAP_EXPECT_EQ(rk.cs[1].roc, 7);
	KTAP_EXPECT(!strcmp(rk.cs[1].suite->name, "AES_256_CM_HMAC_SHA1_32"));
	KTAP_EXPECT(!strcmp(rk.peer_id, ALICE));
	for (i = 0; i < 2; i++) {
		KTAP_EXPECT_EQ(st.keys.cs[i].ssrc, rk.cs[i].ssrc);
		KTAP_EXPECT_EQ(st.keys.cs[i].suite, rk.cs[i].suite);
		KTAP_EXPECT(!memcmp(st.keys.cs[i].master, rk.cs[i].master, SUITE_KEYSALT_MAX));
		KTAP_EXPECT(!all_zero(rk.cs[i].master, 16));
	}
	KTAP_EXPECT(memcmp(rk.cs[0].master, rk.cs[1].master, 16));
}

static void expect_exchange(const struct mode *md, const struct mikey_pki *pki,
			    uint8_t resp_dt)
{
	memset(&rcache, 0, sizeof(rcache));
	KTAP_ASSERT(offer(md, pki, BOB) > 0);
	KTAP_EXPECT_EQ(respond(md), 0);
	KTAP_ASSERT(rlen > 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, resp_dt);
	KTAP_EXPECT_EQ(answer(md), 0);
	if (f2.why[0])
		ktap_diag("%s answer: %s", md->name, f2.why);
	expect_same_keys();
}

/* A refused I_MESSAGE: the code, no keys, and an error message back. */
static void expect_refused(const struct mode *md, uint8_t err_no)
{
	KTAP_EXPECT_EQ(respond(md), -1);
	KTAP_EXPECT_EQ(f.err_no, err_no);
	if (f.err_no != err_no)
		ktap_diag("%s: %s", md->name, f.why);
	KTAP_EXPECT(all_zero(&rk, sizeof(rk)));
	KTAP_ASSERT(rlen > 0);
	KTAP_ASSERT_EQ(mikey_decode(rmsg, rlen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.hdr.data_type, MIKEY_DT_ERROR);
	KTAP_EXPECT_EQ(answer(md), -1);
	KTAP_EXPECT(f2.remote);
	KTAP_EXPECT_EQ(f2.err_no, err_no);
}

static void test_load(void)
{
	char err[300], key[300];

	KTAP_ASSERT(alice != NULL && bob != NULL && alice_pss != NULL);
	KTAP_EXPECT(mikey_pki_is_ours(alice, ALICE));
	KTAP_EXPECT(!mikey_pki_is_ours(alice, BOB));
	KTAP_EXPECT_EQ(mikey_pki_sig_len(alice), 256);
	KTAP_EXPECT_EQ(mikey_pki_sig_type(alice_pss), MIKEY_SIGN_PSS);
	snprintf(key, sizeof(key), "%s", pki_path("carol.key"));
	KTAP_ASSERT_EQ(chmod(key, 0644), 0);
	KTAP_EXPECT(load("carol", false, err, sizeof(err)) == NULL);
	KTAP_EXPECT(strstr(err, "mode 0644") != NULL);
	KTAP_ASSERT_EQ(chmod(key, 0600), 0);
	/* a self-signed certificate does not chain to the CA */
	KTAP_EXPECT(load("mallory", false, err, sizeof(err)) == NULL);
	KTAP_EXPECT(strstr(err, "does not chain") != NULL);
	{	/* bob's certificate with carol's key */
		struct mikey_pki_cfg c = { pki_path("bob.pem"), pki_path("carol.key"),
					   pki_path("ca.pem"), NULL, false };
		KTAP_EXPECT(mikey_pki_load(&c, err, sizeof(err)) == NULL);
		KTAP_EXPECT(strstr(err, "matching") != NULL);
	}
}

static void test_pk(void)
{
	expect_exchange(&PK, alice, MIKEY_DT_PK_RESP);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_CERT) != NULL);
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_CHASH) == NULL);	/* optional; not sent */
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_PKE) != NULL);
	KTAP_EXPECT_EQ(dm.pl[dm.npl - 1].type, MIKEY_PT_SIGN);
	KTAP_EXPECT_EQ(dm.pl[dm.npl - 1].u.sign.s_type, MIKEY_SIGN_PKCS1);
	/* a replay of the same I_MESSAGE */
	expect_refused(&PK, MIKEY_ERR_TS);
}

/* Every mode: an offer read two clock-skew windows late is stale (Invalid TS). */
static void test_stale(void)
{
	const struct mode *md[] = { &PK, &RSAR, &DHSIGN };
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&rcache, 0, sizeof(rcache));
		KTAP_ASSERT(offer(md[i], alice, BOB) > 0);
		rx_late = (uint64_t)2 * MIKEY_SKEW_DEFAULT << 32;
		KTAP_EXPECT_EQ(respond(md[i]), -1);
		rx_late = 0;
		KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_TS);
		KTAP_EXPECT(all_zero(&rk, sizeof(rk)));
	}
}

static void test_pk_pss(void)
{
	expect_exchange(&PK, alice_pss, MIKEY_DT_PK_RESP);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	KTAP_EXPECT_EQ(dm.pl[dm.npl - 1].u.sign.s_type, MIKEY_SIGN_PSS);
}

static void test_rsar(void)
{
	expect_exchange(&RSAR, alice, MIKEY_DT_RSAR_RESP);
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_RAND) == NULL);	/* ours went out */
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_SP) != NULL);
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_PKE) != NULL);
}

static void test_dhsign(void)
{
	expect_exchange(&DHSIGN, alice, MIKEY_DT_DH_RESP);
	KTAP_EXPECT(mikey_find(&dm, MIKEY_PT_CERT) != NULL);
	expect_exchange(&DHSIGN, alice_pss, MIKEY_DT_DH_RESP);
}

/* Every mode: a flipped byte in the signed part is refused (Auth). */
static void test_tampered(void)
{
	const struct mode *md[] = { &PK, &RSAR, &DHSIGN };
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&rcache, 0, sizeof(rcache));
		KTAP_ASSERT(offer(md[i], alice, BOB) > 0);
		imsg[ilen / 2] ^= 0x01;
		KTAP_EXPECT_EQ(respond(md[i]), -1);
		KTAP_EXPECT(f.err_no == MIKEY_ERR_AUTH || f.err_no == MIKEY_ERR_UNSPEC ||
			    f.err_no == MIKEY_ERR_CERT);
		KTAP_EXPECT(all_zero(&rk, sizeof(rk)));
	}
	/* an altered answer: the initiator has no keys */
	for (i = 1; i < 3; i++) {
		memset(&rcache, 0, sizeof(rcache));
		KTAP_ASSERT(offer(md[i], alice, BOB) > 0);
		KTAP_ASSERT_EQ(respond(md[i]), 0);
		rmsg[rlen - 10] ^= 0x80;	/* inside the signature */
		KTAP_EXPECT_EQ(answer(md[i]), -1);
		KTAP_EXPECT_EQ(f2.err_no, MIKEY_ERR_AUTH);
		KTAP_EXPECT_EQ(st.keys.n, 0);
	}
}

/* Certificates that must not be taken. */
static void test_untrusted(void)
{
	const struct mode *md[] = { &PK, &RSAR, &DHSIGN };
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&rcache, 0, sizeof(rcache));
		KTAP_ASSERT(offer(md[i], mallory, BOB) > 0);	/* "alice", self-signed */
		expect_refused(md[i], MIKEY_ERR_CERT);
		KTAP_EXPECT(strstr(f.why, "not trusted") != NULL);
		KTAP_ASSERT(offer(md[i], eve, BOB) > 0);	/* expired */
		expect_refused(md[i], MIKEY_ERR_CERT);
		KTAP_EXPECT(strstr(f.why, "expired") != NULL);
	}
}

/* imsg with a CHASH of the certificate in file before its PKE, re-signed by alice */
static void add_chash(const char *file)
{
	uint8_t h[MIKEY_CHASH_LEN], *der = NULL;
	struct mikey_msg *m = calloc(1, sizeof(*m));
	FILE *fp = fopen(pki_path(file), "r");
	X509 *x = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	int n = x ? i2d_X509(x, &der) : -1;
	size_t i;

	KTAP_ASSERT(m && n > 0);
	KTAP_ASSERT_EQ(mikey_pki_chash(&(struct mikey_bytes){ der, (size_t)n }, h), 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, m, NULL), 0);
	for (i = 0; i < m->npl && m->pl[i].type != MIKEY_PT_PKE; i++)
		;
	KTAP_ASSERT(i + 2 == m->npl);	/* PKE, SIGN */
	m->pl[i + 1] = m->pl[i];
	m->pl[i] = (struct mikey_payload){ .type = MIKEY_PT_CHASH,
		.u.chash = { MIKEY_CHASH_SHA1, { h, sizeof(h) } } };
	m->npl = i + 2;
	mx_add_sign(m, alice);
	ilen = mx_encode_signed(m, alice, NULL, 0, rmsg, sizeof(rmsg), &f);
	KTAP_ASSERT(ilen > 0);
	memcpy(imsg, rmsg, ilen);
	OPENSSL_free(der);
	X509_free(x);
	fclose(fp);
	free(m);
}

/* PK: an offer sealed to carol's certificate reaches bob. */
static void test_pk_wrong_recipient(void)
{
	memset(&rcache, 0, sizeof(rcache));
	KTAP_ASSERT(offer(&PK, alice, "sip:carol@example.org") > 0);
	expect_refused(&PK, MIKEY_ERR_AUTH);	/* the envelope does not open */
	KTAP_EXPECT(strstr(f.why, "KEMAC MAC") != NULL);
	/* with a CHASH saying so, bob tells at once */
	KTAP_ASSERT(offer(&PK, alice, "sip:carol@example.org") > 0);
	add_chash("carol.pem");
	expect_refused(&PK, MIKEY_ERR_CERT);
	KTAP_EXPECT(strstr(f.why, "CHASH") != NULL);
	/* a CHASH of bob's own certificate is taken */
	KTAP_ASSERT(offer(&PK, alice, BOB) > 0);
	add_chash("bob.pem");
	KTAP_EXPECT_EQ(respond(&PK), 0);
	KTAP_EXPECT_EQ(answer(&PK), 0);
	expect_same_keys();
	/* the responder's certificate must be known beforehand */
	KTAP_EXPECT_EQ(offer(&PK, alice, "sip:dave@example.org"), 0);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_CERT);
}

/*
 * PK: alice re-signs an offer whose PKE she altered: the envelope opens to
 * a stand-in key, the KEMAC's MAC fails.
 */
static void test_pk_bad_envelope(void)
{
	struct mikey_payload *pke = NULL;
	uint8_t data[MIKEY_SIG_MAX];
	size_t i, n = 0;

	memset(&rcache, 0, sizeof(rcache));
	KTAP_ASSERT(offer(&PK, alice, BOB) > 0);
	KTAP_ASSERT_EQ(mikey_decode(imsg, ilen, &dm, NULL), 0);
	for (i = 0; i < dm.npl; i++)
		if (dm.pl[i].type == MIKEY_PT_PKE)
			pke = &dm.pl[i];
	KTAP_ASSERT(pke != NULL && pke->u.pke.data.len <= sizeof(data));
	memcpy(data, pke->u.pke.data.p, pke->u.pke.data.len);
	data[5] ^= 0x40;
	pke->u.pke.data.p = data;
	dm.npl--;	/* the old SIGN, re-added and signed */
	mx_add_sign(&dm, alice);
	n = mx_encode_signed(&dm, alice, NULL, 0, rmsg, sizeof(rmsg), &f);
	KTAP_ASSERT(n > 0);
	memcpy(imsg, rmsg, n);
	ilen = n;
	expect_refused(&PK, MIKEY_ERR_AUTH);
	KTAP_EXPECT(strstr(f.why, "KEMAC MAC") != NULL);
}

/* RSA-R and DH-SIGN: an answer signed by someone other than the IDr named. */
static void test_answer_from_other(void)
{
	const struct mode *md[] = { &RSAR, &DHSIGN };
	size_t i;

	for (i = 0; i < 2; i++) {
		memset(&rcache, 0, sizeof(rcache));
		KTAP_ASSERT(offer(md[i], alice, "sip:carol@example.org") > 0);
		KTAP_ASSERT_EQ(respond(md[i]), 0);	/* bob answers */
		KTAP_EXPECT_EQ(answer(md[i]), -1);
		KTAP_EXPECT_EQ(f2.err_no, MIKEY_ERR_ID);
		KTAP_EXPECT_EQ(st.keys.n, 0);
	}
}

/* The modes do not take each other's messages. */
static void test_modes_apart(void)
{
	memset(&rcache, 0, sizeof(rcache));
	KTAP_ASSERT(offer(&PK, alice, BOB) > 0);
	KTAP_EXPECT_EQ(respond(&RSAR), -1);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_DT);
	KTAP_EXPECT_EQ(respond(&DHSIGN), -1);
	KTAP_EXPECT_EQ(f.err_no, MIKEY_ERR_DT);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_load),
	KTAP_TEST(test_pk),
	KTAP_TEST(test_pk_pss),
	KTAP_TEST(test_stale),
	KTAP_TEST(test_rsar),
	KTAP_TEST(test_dhsign),
	KTAP_TEST(test_tampered),
	KTAP_TEST(test_untrusted),
	KTAP_TEST(test_pk_wrong_recipient),
	KTAP_TEST(test_pk_bad_envelope),
	KTAP_TEST(test_answer_from_other),
	KTAP_TEST(test_modes_apart),
};

/* mallory signs as "alice" with a self-signed certificate (an anchor of
 * its own, so that it loads), eve with one that expires 2 s after it is made.
 */
static struct mikey_pki *load_attacker(const char *who)
{
	char cert[64], key[64], err[300];
	struct mikey_pki_cfg c = { cert, key, NULL, NULL, false };
	struct mikey_pki *p;

	snprintf(cert, sizeof(cert), "%s.pem", who);
	snprintf(key, sizeof(key), "%s.key", who);
	c.ca_file = pki_path("anchors.pem");
	c.cert_file = pki_path(cert);
	c.key_file = pki_path(key);
	c.peer_file = pki_path("peers.pem");
	p = mikey_pki_load(&c, err, sizeof(err));
	if (!p)
		ktap_diag("%s: %s", who, err);
	return p;
}

/* I_MESSAGEs of each mode at NOW, alice to bob with tests/keyd/pki's
 * certificates, for fuzz_mikey_psk's corpus.
 */
static int seeds(const char *dir, const char *pki)
{
	const struct mode *md[] = { &PK, &RSAR, &DHSIGN };
	const char *names[] = { "pk", "rsar", "dhsign" };
	char err[300], path[512];
	size_t i;
	FILE *fp;

	if (pki_static(pki) || !(alice = load("alice", false, err, sizeof(err)))) {
		fprintf(stderr, "%s: %s\n", pki, err);
		return 1;
	}
	for (i = 0; i < 3; i++) {
		if (!offer(md[i], alice, BOB))
			return 1;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fp = fopen(path, "wb");
		if (!fp || fwrite(imsg, 1, ilen, fp) != ilen || fclose(fp))
			return 1;
	}
	mikey_pki_free(alice);
	pki_cleanup();
	return 0;
}

int main(void)
{
	const char *dir = getenv("TEST_MIKEY_PK_SEEDS");
	char err[300];
	int rc;

	if (dir)
		return seeds(dir, getenv("TEST_MIKEY_PK_PKI") ? getenv("TEST_MIKEY_PK_PKI") :
			     "tests/keyd/pki");

	if (pki_fixture()) {
		fprintf(stderr, "cannot make the test certificates\n");
		return 1;
	}
	eve = load_attacker("eve");	/* first: it is valid for 2 s */
	alice = load("alice", false, err, sizeof(err));
	alice_pss = load("alice", true, err, sizeof(err));
	bob = load("bob", false, err, sizeof(err));
	mallory = load_attacker("mallory");
	if (!alice || !bob || !alice_pss || !mallory || !eve)
		fprintf(stderr, "loading: %s\n", err);
	sleep(3);	/* eve's certificate expires */
	rc = KTAP_MAIN(tests);
	mikey_pki_free(alice);
	mikey_pki_free(alice_pss);
	mikey_pki_free(bob);
	mikey_pki_free(mallory);
	mikey_pki_free(eve);
	pki_cleanup();
	return rc;
}
