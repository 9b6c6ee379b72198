// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keyd/fingerprint.c: a=fingerprint and a=setup parsing and
 * generation, RFC 8122 set matching, and the a=setup -> DTLS role table.
 */
#include <string.h>

#include "ktap.h"
#include "keyd/fingerprint.h"

static int parse(const char *s, struct fingerprint *fp)
{
	return fp_parse(s, strlen(s), fp, NULL);
}

static int parse_attr(const char *s, struct fingerprint *fp)
{
	return fp_parse_attr(s, strlen(s), fp, NULL);
}

static void fmt_expect(const struct fingerprint *fp, const char *want)
{
	char buf[FP_STR_MAX];
	int n = fp_format(fp, buf, sizeof(buf));

	KTAP_EXPECT_EQ(n, (intmax_t)strlen(want));
	if (strcmp(buf, want))
		ktap_diag("got  \"%s\"\n# want \"%s\"", buf, want);
	KTAP_EXPECT(!strcmp(buf, want));
}

/* RFC 5763 §7.1, messages 1 and 8 (the "\" continuation joined). */
static void test_rfc5763_examples(void)
{
	static const uint8_t alice[20] = {
		0x4A, 0xAD, 0xB9, 0xB1, 0x3F, 0x82, 0x18, 0x3B, 0x54, 0x02,
		0x12, 0xDF, 0x3E, 0x5D, 0x49, 0x6B, 0x19, 0xE5, 0x7C, 0xAB };
	struct fingerprint fp;

	KTAP_ASSERT_EQ(parse_attr("a=fingerprint: SHA-1 "
				  "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n",
				  &fp), FP_OK);
	KTAP_EXPECT_EQ(fp.hash, FP_SHA1);
	KTAP_EXPECT_EQ(fp.len, 20);
	KTAP_EXPECT(!memcmp(fp.digest, alice, 20));
	fmt_expect(&fp, "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");

	/* Bob's answer: the same value with FF:FF:FF in front */
	KTAP_ASSERT_EQ(parse_attr("a=fingerprint: SHA-1 "
				  "FF:FF:FF:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB",
				  &fp), FP_OK);
	KTAP_EXPECT_EQ(fp.digest[0], 0xFF);
	KTAP_EXPECT(!memcmp(fp.digest + 3, alice + 3, 17));
	/* the value alone, as keyd's SDP parser hands it over */
	KTAP_EXPECT_EQ(parse(" SHA-1 FF:FF:FF:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB",
			     &fp), FP_OK);
}

/* Lines as real peers print them (../shared/interop.md: openssl x509
 * -fingerprint -sha256 output in dtls_test.py / uac_dtls.xml; rtpengine).
 */
static void test_interop_lines(void)
{
	static const char *ok[] = {
		"a=fingerprint:sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
		"a=fingerprint:sha-256 ba:78:16:bf:8f:01:cf:ea:41:41:40:de:5d:ae:22:23:b0:03:61:a3:96:17:7a:9c:b4:10:ff:61:f2:00:15:ad\r\n",
		"a=fingerprint:SHA-256  Ba:78:16:bF:8f:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD \t",
		"fingerprint:Sha-256\tBA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD\n",
		"A=FINGERPRINT:SHA-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
	};
	struct fingerprint want, fp;
	size_t i;

	KTAP_ASSERT_EQ(fp_compute(FP_SHA256, (const uint8_t *)"abc", 3, &want), 0);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *why = "";
		int rc = fp_parse_attr(ok[i], strlen(ok[i]), &fp, &why);

		if (!KTAP_EXPECT_EQ(rc, FP_OK))
			ktap_diag("line %zu: %s", i, why);
		else
			KTAP_EXPECT(fp_equal(&fp, &want));
	}
}

/* fp_compute + fp_format against sha*("abc") from FIPS 180. */
static void test_compute_kat(void)
{
	static const struct {
		enum fp_hash h;
		const char *want;
	} kat[] = {
		{ FP_SHA1, "sha-1 A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D" },
		{ FP_SHA224, "sha-224 23:09:7D:22:34:05:D8:22:86:42:A4:77:BD:A2:55:B3:2A:AD:BC:E4:BD:A0:B3:F7:E3:6C:9D:A7" },
		{ FP_SHA256, "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD" },
		{ FP_SHA384, "sha-384 CB:00:75:3F:45:A3:5E:8B:B5:A0:3D:69:9A:C6:50:07:27:2C:32:AB:0E:DE:D1:63:1A:8B:60:5A:43:FF:5B:ED:80:86:07:2B:A1:E7:CC:23:58:BA:EC:A1:34:C8:25:A7" },
		{ FP_SHA512, "sha-512 DD:AF:35:A1:93:61:7A:BA:CC:41:73:49:AE:20:41:31:12:E6:FA:4E:89:A9:7E:A2:0A:9E:EE:E6:4B:55:D3:9A:21:92:99:2A:27:4F:C1:A8:36:BA:3C:23:A3:FE:EB:BD:45:4D:44:23:64:3C:E8:0E:2A:9A:C9:4F:A5:4C:A4:9F" },
	};
	struct fingerprint fp, back;
	size_t i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		KTAP_ASSERT_EQ(fp_compute(kat[i].h, (const uint8_t *)"abc", 3, &fp), 0);
		KTAP_EXPECT_EQ(fp.len, fp_hash_len(kat[i].h));
		fmt_expect(&fp, kat[i].want);
		KTAP_EXPECT_EQ(parse(kat[i].want, &back), FP_OK);
		KTAP_EXPECT(fp_equal(&fp, &back));
	}
	KTAP_EXPECT_EQ(fp_compute(FP_HASH_NONE, (const uint8_t *)"abc", 3, &fp), -1);
	KTAP_EXPECT_EQ(fp_compute(FP_SHA256, NULL, 0, &fp), -1);
	/* the longest one fits FP_STR_MAX exactly */
	KTAP_EXPECT_EQ(strlen(kat[4].want) + 1, FP_STR_MAX);
}

static void test_parse_errors(void)
{
	static const struct {
		const char *s;
		int rc;
	} bad[] = {
		{ "", FP_E_SYNTAX },
		{ "   \r\n", FP_E_SYNTAX },
		{ "sha-256", FP_E_SYNTAX },
		{ "sha-256   ", FP_E_SYNTAX },
		{ "sha-1 4A", FP_E_LENGTH },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C", FP_E_LENGTH },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:01", FP_E_LENGTH },
		{ "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", FP_E_LENGTH },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:", FP_E_SYNTAX },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02::12:DF:3E:5D:49:6B:19:E5:7C:AB", FP_E_SYNTAX },
		{ "sha-1 4AAD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", FP_E_SYNTAX },
		{ "sha-1 4AADB9B13F82183B540212DF3E5D496B19E57CAB", FP_E_SYNTAX },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AG", FP_E_SYNTAX },
		{ "sha-1 4A-AD-B9-B1-3F-82-18-3B-54-02-12-DF-3E-5D-49-6B-19-E5-7C-AB", FP_E_SYNTAX },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:A", FP_E_SYNTAX },
		{ "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB x", FP_E_SYNTAX },
		{ "sha-1 :4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", FP_E_SYNTAX },
		{ "sha-1 4A :AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", FP_E_SYNTAX },
		{ "md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B", FP_E_HASH },
		{ "MD2 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B", FP_E_HASH },
		{ "sha256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD", FP_E_HASH },
		{ "sha-3-256 BA:78", FP_E_HASH },
		{ "sha-1\x01 4A:AD", FP_E_HASH },
	};
	struct fingerprint fp;
	char big[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		int rc = fp_parse(bad[i].s, strlen(bad[i].s), &fp, &why);

		if (!KTAP_EXPECT_EQ(rc, bad[i].rc))
			ktap_diag("input %zu \"%s\"", i, bad[i].s);
		KTAP_EXPECT(why && *why);
	}
	/* an over-long digest stops at FP_DIGEST_MAX */
	strcpy(big, "sha-512 ");
	for (i = 0; i < 100; i++)
		strcat(big, i ? ":AB" : "AB");
	KTAP_EXPECT_EQ(parse(big, &fp), FP_E_LENGTH);
	/* length-bounded: a NUL-free prefix is all that is read */
	KTAP_EXPECT_EQ(fp_parse("sha-1 4A:AD", 8, &fp, NULL), FP_E_LENGTH);
	KTAP_EXPECT_EQ(fp_parse("sha-1 4A:AD", 9, &fp, NULL), FP_E_SYNTAX);
	KTAP_EXPECT_EQ(fp_parse(NULL, 5, &fp, NULL), FP_E_SYNTAX);
	/* not a fingerprint attribute */
	KTAP_EXPECT_EQ(parse_attr("a=setup:active", &fp), FP_E_SYNTAX);
	KTAP_EXPECT_EQ(parse_attr("a=fingerprints:sha-1 4A", &fp), FP_E_SYNTAX);
	KTAP_EXPECT_EQ(parse_attr("a=fingerprint", &fp), FP_E_SYNTAX);
	/* fp_format refuses short buffers and bad structs */
	KTAP_ASSERT_EQ(fp_compute(FP_SHA256, (const uint8_t *)"abc", 3, &fp), 0);
	KTAP_EXPECT_EQ(fp_format(&fp, big, 10), -1);
	KTAP_EXPECT_EQ(big[0], 0);
	KTAP_EXPECT_EQ(fp_format(&fp, big, 8 + 95), -1);
	KTAP_EXPECT_EQ(fp_format(&fp, big, 8 + 96), 8 + 95);
	fp.len = 20;
	KTAP_EXPECT_EQ(fp_format(&fp, big, sizeof(big)), -1);
}

static void test_hash_names(void)
{
	KTAP_EXPECT_EQ(fp_hash_by_name("SHA-512", 7), FP_SHA512);
	KTAP_EXPECT_EQ(fp_hash_by_name("sha-51", 6), FP_HASH_NONE);
	KTAP_EXPECT_EQ(fp_hash_by_name("sha-5121", 8), FP_HASH_NONE);
	KTAP_EXPECT_EQ(fp_hash_by_name("", 0), FP_HASH_NONE);
	KTAP_EXPECT(!strcmp(fp_hash_name(FP_SHA224), "sha-224"));
	KTAP_EXPECT(!strcmp(fp_hash_name((enum fp_hash)99), "none"));
	KTAP_EXPECT_EQ(fp_hash_len((enum fp_hash)-1), 0);
	KTAP_EXPECT(fp_hash_strength(FP_SHA512) > fp_hash_strength(FP_SHA384));
	KTAP_EXPECT(fp_hash_strength(FP_SHA256) > fp_hash_strength(FP_SHA1));
}

/* RFC 8122 §5: only the strongest hash function present counts. */
static void test_set_match(void)
{
	static const uint8_t der[] = "pretend this is a DER certificate";
	static const uint8_t other[] = "another certificate";
	struct fingerprint s1, s256, s512, wrong256;
	struct fp_set set;
	enum fp_hash used;
	int i;

	fp_compute(FP_SHA1, der, sizeof(der), &s1);
	fp_compute(FP_SHA256, der, sizeof(der), &s256);
	fp_compute(FP_SHA512, der, sizeof(der), &s512);
	fp_compute(FP_SHA256, other, sizeof(other), &wrong256);

	fp_set_init(&set);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, der, sizeof(der), &used), FP_MATCH_EMPTY);
	KTAP_EXPECT_EQ(fp_set_best_hash(&set), FP_HASH_NONE);
	fp_set_add(&set, &s1);
	fp_set_add(&set, &s1);		/* duplicate ignored */
	KTAP_EXPECT_EQ(set.n, 1);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, der, sizeof(der), &used), FP_MATCH_OK);
	KTAP_EXPECT_EQ(used, FP_SHA1);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, other, sizeof(other), NULL), FP_MATCH_MISMATCH);

	/* a wrong sha-256 beats a right sha-1 */
	fp_set_add(&set, &wrong256);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, der, sizeof(der), &used), FP_MATCH_MISMATCH);
	KTAP_EXPECT_EQ(used, FP_SHA256);
	/* two certificates under sha-256: either may be used */
	fp_set_add(&set, &s256);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, der, sizeof(der), NULL), FP_MATCH_OK);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, other, sizeof(other), NULL), FP_MATCH_OK);
	/* sha-512 now decides */
	fp_set_add(&set, &s512);
	KTAP_EXPECT_EQ(fp_set_best_hash(&set), FP_SHA512);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, der, sizeof(der), NULL), FP_MATCH_OK);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, other, sizeof(other), NULL), FP_MATCH_MISMATCH);

	/* fp_set_add_value: md5 is skipped, set unchanged */
	fp_set_init(&set);
	KTAP_EXPECT_EQ(fp_set_add_value(&set, "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", 51, NULL), FP_E_HASH);
	KTAP_EXPECT_EQ(set.n, 0);
	KTAP_EXPECT_EQ(fp_set_add_value(&set, "sha-1 A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", 65, NULL), FP_OK);
	KTAP_EXPECT_EQ(set.n, 1);
	KTAP_EXPECT_EQ(fp_set_match_der(&set, (const uint8_t *)"abc", 3, NULL), FP_MATCH_OK);
	/* full */
	for (i = 0; i < FP_SET_MAX + 2; i++) {
		struct fingerprint f;
		uint8_t b = (uint8_t)i;

		fp_compute(FP_SHA256, &b, 1, &f);
		if (fp_set_add(&set, &f) != FP_OK)
			break;
	}
	KTAP_EXPECT_EQ(set.n, FP_SET_MAX);
	KTAP_EXPECT_EQ(i, FP_SET_MAX - 1);
}

static void test_setup_parse(void)
{
	static const struct {
		const char *s;
		int rc;
		enum sdp_setup v;
	} t[] = {
		{ "actpass", 0, SDP_SETUP_ACTPASS },
		{ "active", 0, SDP_SETUP_ACTIVE },
		{ "passive", 0, SDP_SETUP_PASSIVE },
		{ "holdconn", 0, SDP_SETUP_HOLDCONN },
		{ " ACTIVE\r\n", 0, SDP_SETUP_ACTIVE },
		{ "\tPassive ", 0, SDP_SETUP_PASSIVE },
		{ "", -1, 0 },
		{ "act", -1, 0 },
		{ "actpas", -1, 0 },
		{ "actpassive", -1, 0 },
		{ "active passive", -1, 0 },
		{ "a=setup:active", -1, 0 },
	};
	enum sdp_setup v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = SDP_SETUP_NONE;
		if (!KTAP_EXPECT_EQ(setup_parse(t[i].s, strlen(t[i].s), &v), t[i].rc))
			ktap_diag("input \"%s\"", t[i].s);
		if (!t[i].rc)
			KTAP_EXPECT_EQ(v, t[i].v);
	}
	KTAP_EXPECT_EQ(setup_parse_attr("a=setup:actpass\r\n", 17, &v), 0);
	KTAP_EXPECT_EQ(v, SDP_SETUP_ACTPASS);
	KTAP_EXPECT_EQ(setup_parse_attr("setup:passive", 13, &v), 0);
	KTAP_EXPECT_EQ(v, SDP_SETUP_PASSIVE);
	KTAP_EXPECT_EQ(setup_parse_attr("a=setup: active", 15, &v), 0);
	KTAP_EXPECT_EQ(v, SDP_SETUP_ACTIVE);
	KTAP_EXPECT_EQ(setup_parse_attr("a=connection:new", 16, &v), -1);
	KTAP_EXPECT_EQ(setup_parse_attr("a=setup", 7, &v), -1);
	KTAP_EXPECT_EQ(setup_parse(NULL, 3, &v), -1);
	KTAP_EXPECT(!strcmp(setup_name(SDP_SETUP_HOLDCONN), "holdconn"));
	KTAP_EXPECT(!strcmp(setup_name(SDP_SETUP_NONE), ""));
	KTAP_EXPECT(!strcmp(setup_name((enum sdp_setup)42), ""));
}

static void test_setup_answer(void)
{
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_ACTPASS, SDP_SETUP_ACTIVE), SDP_SETUP_ACTIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_ACTPASS, SDP_SETUP_PASSIVE), SDP_SETUP_PASSIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_ACTPASS, SDP_SETUP_NONE), SDP_SETUP_ACTIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_ACTIVE, SDP_SETUP_ACTIVE), SDP_SETUP_PASSIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_PASSIVE, SDP_SETUP_PASSIVE), SDP_SETUP_ACTIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_NONE, SDP_SETUP_ACTIVE), SDP_SETUP_PASSIVE);
	KTAP_EXPECT_EQ(setup_answer(SDP_SETUP_HOLDCONN, SDP_SETUP_ACTIVE), SDP_SETUP_HOLDCONN);
}

/* The full a=setup table, from both ends of the same offer/answer. */
static void test_role_table(void)
{
	enum { C = DTLS_ROLE_CLIENT, S = DTLS_ROLE_SERVER, E = 0 };
	static const struct {
		enum sdp_setup offer, answer;
		int offerer;		/* the offerer's role, or E(rror) */
	} t[] = {
		{ SDP_SETUP_ACTPASS, SDP_SETUP_ACTIVE, S },	/* RFC 5763 §7.1 */
		{ SDP_SETUP_ACTPASS, SDP_SETUP_PASSIVE, C },
		{ SDP_SETUP_ACTPASS, SDP_SETUP_NONE, C },	/* answer default: passive */
		{ SDP_SETUP_ACTPASS, SDP_SETUP_ACTPASS, E },
		{ SDP_SETUP_ACTPASS, SDP_SETUP_HOLDCONN, E },
		{ SDP_SETUP_ACTIVE, SDP_SETUP_PASSIVE, C },
		{ SDP_SETUP_ACTIVE, SDP_SETUP_NONE, C },
		{ SDP_SETUP_ACTIVE, SDP_SETUP_ACTIVE, E },	/* baresip's quirk */
		{ SDP_SETUP_ACTIVE, SDP_SETUP_ACTPASS, E },
		{ SDP_SETUP_PASSIVE, SDP_SETUP_ACTIVE, S },
		{ SDP_SETUP_PASSIVE, SDP_SETUP_PASSIVE, E },
		{ SDP_SETUP_PASSIVE, SDP_SETUP_NONE, E },	/* passive + default passive */
		{ SDP_SETUP_NONE, SDP_SETUP_PASSIVE, C },	/* offer default: active */
		{ SDP_SETUP_NONE, SDP_SETUP_NONE, C },
		{ SDP_SETUP_NONE, SDP_SETUP_ACTIVE, E },
		{ SDP_SETUP_HOLDCONN, SDP_SETUP_HOLDCONN, E },
		{ SDP_SETUP_HOLDCONN, SDP_SETUP_ACTIVE, E },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum dtls_role ro = 0, ra = 0;
		const char *why_o = NULL, *why_a = NULL;
		int rc_o = dtls_role_resolve(true, t[i].offer, t[i].answer, &ro, &why_o);
		int rc_a = dtls_role_resolve(false, t[i].answer, t[i].offer, &ra, &why_a);

		if (t[i].offerer == E) {
			if (!KTAP_EXPECT_EQ(rc_o, -1) || !KTAP_EXPECT_EQ(rc_a, -1))
				ktap_diag("row %zu: offer %s answer %s should fail", i,
					  setup_name(t[i].offer), setup_name(t[i].answer));
			KTAP_EXPECT(why_o && *why_o);
			KTAP_EXPECT(why_a && *why_a);
			continue;
		}
		if (!KTAP_EXPECT_EQ(rc_o, 0) || !KTAP_EXPECT_EQ(rc_a, 0)) {
			ktap_diag("row %zu: %s / %s", i, why_o ? why_o : "", why_a ? why_a : "");
			continue;
		}
		KTAP_EXPECT_EQ(ro, t[i].offerer);
		KTAP_EXPECT_EQ(ra, t[i].offerer == C ? S : C);	/* exactly one client */
	}
	/* what setup_answer() picks always resolves */
	for (i = SDP_SETUP_NONE; i <= SDP_SETUP_PASSIVE; i++) {
		enum sdp_setup ans = setup_answer((enum sdp_setup)i, SDP_SETUP_ACTIVE);
		enum dtls_role r;

		KTAP_EXPECT_EQ(dtls_role_resolve(false, ans, (enum sdp_setup)i, &r, NULL), 0);
	}
	KTAP_EXPECT(!strcmp(dtls_role_name(DTLS_ROLE_CLIENT), "client"));
	KTAP_EXPECT(!strcmp(dtls_role_name(DTLS_ROLE_SERVER), "server"));
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_rfc5763_examples),
	KTAP_TEST(test_interop_lines),
	KTAP_TEST(test_compute_kat),
	KTAP_TEST(test_parse_errors),
	KTAP_TEST(test_hash_names),
	KTAP_TEST(test_set_match),
	KTAP_TEST(test_setup_parse),
	KTAP_TEST(test_setup_answer),
	KTAP_TEST(test_role_table),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
