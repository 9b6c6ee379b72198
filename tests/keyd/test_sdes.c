// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the a=crypto grammar, checks, selection, answer matching and
 * generation (userspace-keyd/keyd/sdes.c) and base64 (b64.c), on lines
 * taken from baresip, rtpengine, linphone and RFC 4568.
 */
#include <string.h>

#include "b64.h"
#include "ktap.h"
#include "sdes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct suite *S(const char *name)
{
	return suite_by_name(name, strlen(name));
}

/* Accept every suite, in table order; the kernel has them all. */
static struct sdes_policy all_policy(void)
{
	struct sdes_policy p = { .kernel_suites = ~0u };
	size_t i;

	for (i = 0; i < SUITE_COUNT; i++)
		p.prefs[p.nprefs++] = &suite_table[i];
	return p;
}

static int parse(const char *line, struct sdes_crypto *c, char *why)
{
	return sdes_parse(line, strlen(line), c, why, SDES_REASON_LEN);
}

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

#define EXPECT_HAS(s, sub)						\
	do {								\
		if (!KTAP_EXPECT(contains(s, sub)))			\
			ktap_diag("  in: \"%s\" want: \"%s\"", s, sub);	\
	} while (0)

/* ---------------------------------------------------------------- base64 */

static void test_b64_roundtrip_all_lengths(void)
{
	uint8_t in[64], out[64];
	char enc[B64_ENCODED_LEN(64) + 1];
	size_t len, n, i;
	ssize_t d;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (len = 1; len <= sizeof(in); len++) {
		n = b64_encode(in, len, enc, sizeof(enc));
		KTAP_EXPECT_EQ(n, B64_ENCODED_LEN(len));
		d = b64_decode(enc, n, out, sizeof(out));
		KTAP_EXPECT_EQ(d, len);
		KTAP_EXPECT(!memcmp(in, out, len));
		/* the same without padding, as rtpengine sends it */
		while (n && enc[n - 1] == '=')
			n--;
		d = b64_decode(enc, n, out, sizeof(out));
		KTAP_EXPECT_EQ(d, len);
		KTAP_EXPECT(!memcmp(in, out, len));
	}
}

static void test_b64_rejects(void)
{
	uint8_t out[64];
	static const char *const bad[] = {
		"A", "AAAAA", "AA=A", "AAA==", "A===", "AB=", "AB*D", "AB D", "AB\nD",
		"====", "AAAA=",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!KTAP_EXPECT_EQ(b64_decode(bad[i], strlen(bad[i]), out, sizeof(out)), -1))
			ktap_diag("  accepted \"%s\"", bad[i]);
	/* output limit */
	KTAP_EXPECT_EQ(b64_decode("AAAAAAAA", 8, out, 5), -1);
	KTAP_EXPECT_EQ(b64_decode("AAAAAAAA", 8, out, 6), 6);
	/* encode needs room for the NUL */
	{
		char small[4];

		KTAP_EXPECT_EQ(b64_encode((const uint8_t *)"abc", 3, small, sizeof(small)), 0);
	}
}

/* ---------------------------------------------------------------- real lines */

static void test_parse_baresip_offer(void)
{
	struct sdes_crypto c;
	char why[SDES_REASON_LEN] = "";
	struct sdes_policy p = all_policy();

	KTAP_ASSERT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			     "inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga", &c, why), 0);
	KTAP_EXPECT_EQ(c.tag, 1);
	KTAP_EXPECT(c.suite == S("AES_CM_128_HMAC_SHA1_80"));
	KTAP_EXPECT_EQ(c.nkeys, 1);
	KTAP_EXPECT_EQ(c.keys[0].len, 30);
	KTAP_EXPECT_EQ(c.keys[0].material[0], 0x15);
	KTAP_EXPECT_EQ(c.keys[0].material[29], 0x1a);
	KTAP_EXPECT_EQ(c.keys[0].lifetime, 0);
	KTAP_EXPECT_EQ(c.keys[0].mki_len, 0);
	KTAP_EXPECT_EQ(c.flags, 0);
	KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), 0);
	sdes_wipe(&c);
}

static void test_parse_baresip_gcm256_padded(void)
{
	struct sdes_crypto c;
	char why[SDES_REASON_LEN] = "";

	KTAP_ASSERT_EQ(parse("a=crypto:1 AEAD_AES_256_GCM inline:CHLgDB0bGXjAcYcSImTn60YQt9BJ"
			     "+LZtl9PdfjvwDZtCMtBMJ54e25+noe0=", &c, why), 0);
	KTAP_EXPECT(c.suite == S("AEAD_AES_256_GCM"));
	KTAP_EXPECT_EQ(c.keys[0].len, 44);
	sdes_wipe(&c);
}

static void test_parse_linphone_answer(void)
{
	struct sdes_crypto c;
	char why[SDES_REASON_LEN] = "";

	/* CRLF as it comes out of an SDP body */
	KTAP_ASSERT_EQ(parse("a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
			     "inline:J9SrUn5XJUUHf3kITJefbkaJFpdyevKnNVMXIKsB\r\n", &c, why), 0);
	KTAP_EXPECT_EQ(c.tag, 2);
	KTAP_EXPECT_EQ(c.keys[0].len, 30);
	sdes_wipe(&c);
}

/* rtpengine 10.5 strips base64 padding; it also offers F8. */
static const char *const rtpengine_offer[] = {
	"a=crypto:1 AEAD_AES_256_GCM inline:+ZE0HGMiBAIXmx56cVfa5RUXHlPM2RwIJsBNqAcXOCCzQenu/9zbnj756HA",
	"a=crypto:2 AEAD_AES_128_GCM inline:+LpvX3cGgk4L7FobGXX9Fq5yduBB7WhWtsHHRQ",
	"a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:N34FYlXFscrIOd4BHk5rkrZf4FwdLjWai6VSj07eWn3Z5cX/6URlgrBOJpEOFQ",
	"a=crypto:4 AES_256_CM_HMAC_SHA1_32 inline:AvKOPcaD8MkwgYqjjMSxrpbU4vnrthi3cKs7t2tV60GGUvwtTpZtxug0EQLwVg",
	"a=crypto:5 AES_192_CM_HMAC_SHA1_80 inline:jr2UmGu3dUe+VudnNeitXotK7tj+JY/ZbIyNwHcOXH0cI0WVSnY",
	"a=crypto:6 AES_192_CM_HMAC_SHA1_32 inline:By8iw0MeOGEc0o+Q23wIwsIdQWr+BfzluyGrYNkebpGnL2nj2qw",
	"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:mc5fqUeXZEKRw6cOSMhsc6IQ2ulNVizJ2qszvIdD",
	"a=crypto:8 AES_CM_128_HMAC_SHA1_32 inline:bMG0QOz854BNjoI73tiZmdzzDN3Hbh79fhHXpjlM",
	"a=crypto:9 F8_128_HMAC_SHA1_80 inline:MZ2yNNCK4ft6hUMfYUCJtjTXcWM9QK6L+OLZZ5o0",
	"a=crypto:10 F8_128_HMAC_SHA1_32 inline:DNXlrDxp68mWtE6R2mQIKcLpUDVMeyirDoWx6tiQ",
	"a=crypto:11 NULL_HMAC_SHA1_80 inline:nNibWjDsl7zmBGezTk1fWy6dGPoFhdNEBra+u510",
	"a=crypto:12 NULL_HMAC_SHA1_32 inline:GZA4Bzkgv9IwnJjxLsbBfUWfdGfoIX1GAARCLg5H",
};

static void test_parse_rtpengine_unpadded(void)
{
	static const unsigned int lens[] = { 44, 28, 46, 46, 38, 38, 30, 30, 30, 30, 30, 30 };
	struct sdes_policy p = all_policy();
	char why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rtpengine_offer); i++) {
		why[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(rtpengine_offer[i], &c, why), 0)) {
			ktap_diag("  line %zu: %s", i + 1, why);
			continue;
		}
		KTAP_EXPECT_EQ(c.tag, i + 1);
		KTAP_EXPECT_EQ(c.keys[0].len, lens[i]);
		KTAP_EXPECT(c.suite != NULL);
		KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), 0);
		sdes_wipe(&c);
	}
}

static void test_select_rtpengine_offer(void)
{
	struct sdes_policy p = { .kernel_suites = ~0u };
	struct sdes_crypto c;
	char why[512];
	int idx;

	/* local preference beats the offer's order */
	p.prefs[p.nprefs++] = S("AES_CM_128_HMAC_SHA1_80");
	p.prefs[p.nprefs++] = S("AEAD_AES_128_GCM");
	idx = sdes_select(rtpengine_offer, ARRAY_SIZE(rtpengine_offer), &p, &c, why, sizeof(why));
	KTAP_EXPECT_EQ(idx, 6);
	KTAP_EXPECT_EQ(c.tag, 7);
	KTAP_EXPECT(c.suite == S("AES_CM_128_HMAC_SHA1_80"));
	sdes_wipe(&c);
	/* the kernel lacks it: the next preference */
	p.kernel_suites = ~suite_bit(S("AES_CM_128_HMAC_SHA1_80"));
	idx = sdes_select(rtpengine_offer, ARRAY_SIZE(rtpengine_offer), &p, &c, why, sizeof(why));
	KTAP_EXPECT_EQ(idx, 1);
	KTAP_EXPECT(c.suite == S("AEAD_AES_128_GCM"));
	sdes_wipe(&c);
}

/* ---------------------------------------------------------------- keys */

static void test_lifetime_forms(void)
{
	struct sdes_policy p = all_policy();
	char why[SDES_REASON_LEN];
	struct sdes_crypto c;
	static const struct {
		const char *suffix;
		uint64_t lifetime;
		uint64_t mki;
		uint8_t mki_len;
	} ok[] = {
		{ "|2^31", 1ULL << 31, 0, 0 },
		{ "|2^48", 1ULL << 48, 0, 0 },
		{ "|1048576", 1048576, 0, 0 },
		{ "|2^20|1:4", 1 << 20, 1, 4 },
		{ "|1:1", 0, 1, 1 },
		{ "|255:1", 0, 255, 1 },
		{ "|4294967295:4", 0, 4294967295ULL, 4 },
		{ "|2^31|7:2", 1ULL << 31, 7, 2 },
	};
	char line[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(line, sizeof(line), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			 "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR%s", ok[i].suffix);
		why[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(line, &c, why), 0)) {
			ktap_diag("  %s: %s", ok[i].suffix, why);
			continue;
		}
		KTAP_EXPECT_EQ_U(c.keys[0].lifetime, ok[i].lifetime);
		KTAP_EXPECT_EQ_U(c.keys[0].mki, ok[i].mki);
		KTAP_EXPECT_EQ(c.keys[0].mki_len, ok[i].mki_len);
		KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), 0);
		sdes_wipe(&c);
	}
	/* parses, but more than SRTP allows: refused by the check */
	KTAP_ASSERT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^49", &c, why), 0);
	KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), -1);
	EXPECT_HAS(why, "2^48");
	sdes_wipe(&c);
}

/* RFC 4568 §6.1: several keys, told apart by MKI. */
static void test_multiple_keys_with_mki(void)
{
	struct sdes_policy p = all_policy();
	char why[SDES_REASON_LEN] = "";
	struct sdes_crypto c;

	KTAP_ASSERT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			     "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
			     "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4", &c, why), 0);
	KTAP_EXPECT_EQ(c.nkeys, 2);
	KTAP_EXPECT(!memcmp(c.keys[0].material, "123456789ABCDE0123456789ABcdef", 30));
	KTAP_EXPECT(!memcmp(c.keys[1].material, "ABcdef123456789ABCDE0123456789", 30));
	KTAP_EXPECT_EQ(c.keys[0].mki, 1);
	KTAP_EXPECT_EQ(c.keys[1].mki, 2);
	KTAP_EXPECT_EQ(c.keys[1].mki_len, 4);
	KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), 0);
	sdes_wipe(&c);
	KTAP_EXPECT_EQ(c.keys[0].material[0], 0);
}

static void test_multiple_keys_rejected(void)
{
	static const struct {
		const char *keys, *why;
	} bad[] = {
		{ "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm;"
		  "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5", "need an MKI each" },
		{ "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|1:4;"
		  "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2:2", "different lengths" },
		{ "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|1:4;"
		  "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|1:4", "two keys have MKI 1" },
		{ "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|1:4;", "key 2: empty key parameter" },
	};
	char line[1024], why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i, o;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "a=crypto:3 AES_CM_128_HMAC_SHA1_32 %s", bad[i].keys);
		why[0] = 0;
		KTAP_EXPECT_EQ(parse(line, &c, why), -1);
		EXPECT_HAS(why, bad[i].why);
		EXPECT_HAS(why, "tag 3");
	}
	/* nine keys: one more than a kernel context holds */
	o = (size_t)snprintf(line, sizeof(line), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 ");
	for (i = 1; i <= 9; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%sinline:"
				      "MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|%zu:1",
				      i > 1 ? ";" : "", i);
	KTAP_EXPECT_EQ(parse(line, &c, why), -1);
	EXPECT_HAS(why, "more than 8 keys");
}

static void test_mki_rejected(void)
{
	static const struct {
		const char *suffix, *why;
		bool parses;		/* refused by sdes_check instead */
	} bad[] = {
		{ "|256:1", "does not fit in 1 byte", false },
		{ "|65536:2", "does not fit in 2 bytes", false },
		{ "|1:0", "outside 1..128", false },
		{ "|1:129", "outside 1..128", false },
		{ "|1:1234", "expected <value>:<length>", false },
		{ "|1:", "expected <value>:<length>", false },
		{ "|:4", "expected <value>:<length>", false },
		{ "|1:4|2:4", "two MKIs", false },
		{ "|1:4|2^20", "before the MKI", false },
		{ "|2^20|2^20", "lifetime must come once", false },
		{ "|2^64", "bad power of two", false },
		{ "|0", "at least one packet", false },
		{ "|abc", "not a number", false },
		{ "|99999999999999999999999", "not a number", false },
		{ "|1:5", "ksrtp supports 1 to 4", true },
		{ "|1:32", "ksrtp supports 1 to 4", true },
		{ "|2^20|1:128", "MKI of 128 bytes", true },
	};
	struct sdes_policy p = all_policy();
	char line[256], why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			 "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj%s", bad[i].suffix);
		why[0] = 0;
		if (bad[i].parses) {
			if (!KTAP_EXPECT_EQ(parse(line, &c, why), 0))
				continue;
			KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), -1);
			sdes_wipe(&c);
		} else {
			KTAP_EXPECT_EQ(parse(line, &c, why), -1);
		}
		EXPECT_HAS(why, bad[i].why);
	}
}

/* Every suite: fresh key, generate, parse back; a wrong length is named. */
static void test_every_suite_roundtrip(void)
{
	struct sdes_policy p = all_policy();
	char line[512], why[SDES_REASON_LEN];
	struct sdes_crypto out, in;
	size_t i;
	int n;

	for (i = 0; i < SUITE_COUNT; i++) {
		const struct suite *su = &suite_table[i];

		memset(&out, 0, sizeof(out));
		out.tag = (uint32_t)i + 1;
		out.suite = su;
		out.nkeys = 1;
		out.keys[0].lifetime = 1ULL << 31;
		out.keys[0].mki = i + 1;
		out.keys[0].mki_len = 2;
		KTAP_ASSERT_EQ(sdes_new_key(&out.keys[0], su), 0);
		KTAP_EXPECT_EQ(out.keys[0].len, suite_keysalt_len(su));
		KTAP_EXPECT_EQ_U(out.keys[0].lifetime, 1ULL << 31);
		n = sdes_format(&out, line, sizeof(line));
		KTAP_ASSERT(n > 0);
		KTAP_EXPECT(contains(line, su->name));
		KTAP_EXPECT(contains(line, "|2^31|"));
		why[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(line, &in, why), 0)) {
			ktap_diag("  %s: %s", line, why);
			continue;
		}
		KTAP_EXPECT(in.suite == su);
		KTAP_EXPECT_EQ(in.tag, i + 1);
		KTAP_EXPECT(!memcmp(in.keys[0].material, out.keys[0].material, in.keys[0].len));
		KTAP_EXPECT_EQ(in.keys[0].mki, i + 1);
		KTAP_EXPECT_EQ(sdes_check(&in, &p, why, sizeof(why)), 0);
		sdes_wipe(&in);
		sdes_wipe(&out);
	}
	/* a 30-byte key for each 46-byte suite and the reverse */
	KTAP_EXPECT_EQ(parse("a=crypto:1 AES_256_CM_HMAC_SHA1_80 "
			     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", &in, why), -1);
	EXPECT_HAS(why, "inline key is 30 bytes; AES_256_CM_HMAC_SHA1_80 takes 46 "
		   "(32-byte key + 14-byte salt)");
	KTAP_EXPECT_EQ(parse("a=crypto:1 AEAD_AES_128_GCM "
			     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", &in, why), -1);
	EXPECT_HAS(why, "takes 28");
	KTAP_EXPECT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:N34FYlXFscrIOd4BHk5rkrZf4Fwd"
			     "LjWai6VSj07eWn3Z5cX/6URlgrBOJpEOFQ", &in, why), -1);
	EXPECT_HAS(why, "inline key is 46 bytes");
}

static void test_format_exact(void)
{
	struct sdes_crypto c;
	char why[SDES_REASON_LEN], line[512];

	/* canonical lines come back byte for byte */
	static const char *const lines[] = {
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga",
		"a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1000 "
		"UNENCRYPTED_SRTP UNENCRYPTED_SRTCP WSH=256",
		"a=crypto:1 AEAD_AES_256_GCM inline:CHLgDB0bGXjAcYcSImTn60YQt9BJ+LZtl9PdfjvwDZtCMtBMJ54e25+noe0=",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
		"inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		if (!KTAP_EXPECT_EQ(parse(lines[i], &c, why), 0))
			continue;
		KTAP_EXPECT_EQ(sdes_format(&c, line, sizeof(line)), strlen(lines[i]));
		if (!KTAP_EXPECT(!strcmp(line, lines[i])))
			ktap_diag("  got %s", line);
		sdes_wipe(&c);
	}
	/* padding is restored, "a=" added, whitespace normalised */
	KTAP_ASSERT_EQ(parse("crypto:1   AEAD_AES_128_GCM\tinline:+LpvX3cGgk4L7FobGXX9Fq5yduBB7WhWtsHHRQ  ",
			     &c, why), 0);
	sdes_format(&c, line, sizeof(line));
	KTAP_EXPECT(!strcmp(line, "a=crypto:1 AEAD_AES_128_GCM "
			    "inline:+LpvX3cGgk4L7FobGXX9Fq5yduBB7WhWtsHHRQ=="));
	/* too small a buffer fails and leaves no key behind */
	KTAP_EXPECT_EQ(sdes_format(&c, line, 40), -1);
	KTAP_EXPECT_EQ(line[0], 0);
	sdes_wipe(&c);
}

/* ---------------------------------------------------------------- session params */

static void test_session_params(void)
{
	static const struct {
		const char *params;
		uint32_t flags;
		int check;		/* 0 accepted, -1 refused */
		const char *why;
	} t[] = {
		{ "UNENCRYPTED_SRTP", SDES_UNENCRYPTED_SRTP, 0, NULL },
		{ "UNENCRYPTED_SRTCP", SDES_UNENCRYPTED_SRTCP, 0, NULL },
		{ "UNENCRYPTED_SRTP UNENCRYPTED_SRTCP", 3, 0, NULL },
		{ "UNAUTHENTICATED_SRTP", SDES_UNAUTHENTICATED_SRTP, -1, "refused by local policy" },
		{ "KDR=0", 0, 0, NULL },
		{ "KDR=23", 0, -1, "KDR=23 (re-derive every 2^23 packets) is not supported" },
		{ "WSH=64", 0, 0, NULL },
		{ "WSH=4096", 0, 0, NULL },
		{ "FEC_ORDER=FEC_SRTP", 0, -1, "FEC_ORDER is not supported" },
		{ "FEC_ORDER=SRTP_FEC", 0, -1, "FEC_ORDER is not supported" },
		{ "FEC_KEY=inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4", 0, -1,
		  "FEC_KEY is not supported" },
		{ "-VENDOR_THING=1", 0, 0, NULL },
		{ "SOMETHING_NEW", 0, -1, "unknown session parameter SOMETHING_NEW" },
		{ "KDR=23 FEC_ORDER=SRTP_FEC UNENCRYPTED_SRTP", SDES_UNENCRYPTED_SRTP, -1,
		  "FEC_ORDER" },
	};
	struct sdes_policy p = all_policy();
	char line[512], why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(line, sizeof(line), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			 "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR %s", t[i].params);
		why[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(line, &c, why), 0)) {
			ktap_diag("  %s: %s", t[i].params, why);
			continue;
		}
		KTAP_EXPECT_EQ(c.flags, t[i].flags);
		if (!KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), t[i].check))
			ktap_diag("  %s: %s", t[i].params, why);
		if (t[i].why)
			EXPECT_HAS(why, t[i].why);
		sdes_wipe(&c);
	}
	KTAP_ASSERT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR WSH=4096", &c, why), 0);
	KTAP_EXPECT_EQ(c.wsh, 4096);
	sdes_wipe(&c);
	/* allowed by policy (the kernel still needs its module parameter) */
	p.allow_unauthenticated = true;
	KTAP_ASSERT_EQ(parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNAUTHENTICATED_SRTP",
			     &c, why), 0);
	KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), 0);
	sdes_wipe(&c);
	/* GCM has its own authentication; ksrtp refuses these with it */
	KTAP_ASSERT_EQ(parse("a=crypto:1 AEAD_AES_128_GCM inline:+LpvX3cGgk4L7FobGXX9Fq5yduBB7WhWtsHHRQ "
			     "UNENCRYPTED_SRTCP", &c, why), 0);
	KTAP_EXPECT_EQ(sdes_check(&c, &p, why, sizeof(why)), -1);
	EXPECT_HAS(why, "UNENCRYPTED_SRTCP is not supported with AEAD_AES_128_GCM");
	sdes_wipe(&c);
}

static void test_session_params_rejected(void)
{
	static const struct {
		const char *params, *why;
	} bad[] = {
		{ "KDR=25", "KDR: expected 0..24" },
		{ "KDR=", "KDR: expected 0..24" },
		{ "KDR=123", "KDR: expected 0..24" },
		{ "WSH=63", "at least 64" },
		{ "WSH=x", "at least 64" },
		{ "FEC_ORDER=BOTH", "FEC_ORDER: expected" },
		{ "UNENCRYPTED_SRTP \x01", "non-printable" },
	};
	char line[512], why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			 "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR %s", bad[i].params);
		why[0] = 0;
		KTAP_EXPECT_EQ(parse(line, &c, why), -1);
		EXPECT_HAS(why, bad[i].why);
	}
}

/* ---------------------------------------------------------------- bad lines */

static void test_bad_lines(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "", "empty" },
		{ "a=crypto:", "empty" },
		{ "a=fingerprint:sha-256 AB:CD", "not an a=crypto attribute" },
		{ "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  "tag: expected 1 to 9 digits" },
		{ "a=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  "tag: expected 1 to 9 digits" },
		{ "a=crypto:1", "no crypto suite" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80", "no key parameters" },
		{ "a=crypto:1 AES-CM inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  "bad character in the crypto suite name" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key",
		  "key method 'uri' is not supported" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", "not valid base64" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB!",
		  "not valid base64" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR=",
		  "not valid base64" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  "key parameter is not inline" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4",
		  "key parameter is not inline" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|",
		  "lifetime" },
		{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80_WITH_A_NAME_LONGER_THAN_FORTY_BYTES "
		  "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", "name too long" },
	};
	char why[SDES_REASON_LEN];
	struct sdes_crypto c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(bad[i].line, &c, why), -1))
			ktap_diag("  accepted: %s", bad[i].line);
		EXPECT_HAS(why, bad[i].why);
	}
	/* no refusal quotes key material back */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		parse(bad[i].line, &c, why);
		KTAP_EXPECT(!contains(why, "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB"));
	}
	/* NUL bytes and overlong lines */
	KTAP_EXPECT_EQ(sdes_parse("a=crypto:1\0x", 12, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "NUL");
	{
		static char huge[SDES_MAX_LINE + 2];

		memset(huge, 'A', sizeof(huge) - 1);
		KTAP_EXPECT_EQ(sdes_parse(huge, sizeof(huge) - 1, &c, why, sizeof(why)), -1);
		EXPECT_HAS(why, "longer than");
	}
}

/* ---------------------------------------------------------------- selection */

static void test_select_by_preference_then_offer_order(void)
{
	static const char *const offer[] = {
		"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga",
		"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:J9SrUn5XJUUHf3kITJefbkaJFpdyevKnNVMXIKsB",
	};
	struct sdes_policy p = { .kernel_suites = ~0u };
	struct sdes_crypto c;
	char why[512];

	p.prefs[p.nprefs++] = S("AES_CM_128_HMAC_SHA1_80");
	p.prefs[p.nprefs++] = S("AES_CM_128_HMAC_SHA1_32");
	KTAP_EXPECT_EQ(sdes_select(offer, 3, &p, &c, why, sizeof(why)), 1);
	KTAP_EXPECT_EQ(c.tag, 2);
	sdes_wipe(&c);
	/* keep the running suite on a re-offer even if it ranks lower */
	p.keep = S("AES_CM_128_HMAC_SHA1_32");
	KTAP_EXPECT_EQ(sdes_select(offer, 3, &p, &c, why, sizeof(why)), 0);
	KTAP_EXPECT_EQ(c.tag, 1);
	sdes_wipe(&c);
}

static void test_select_none_acceptable(void)
{
	static const char *const offer[] = {
		"a=crypto:1 F8_128_HMAC_SHA1_80 inline:MZ2yNNCK4ft6hUMfYUCJtjTXcWM9QK6L+OLZZ5o0",
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR "
		"FEC_ORDER=FEC_SRTP",
		"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=10",
		"a=crypto:zz nonsense",
		"a=crypto:5 NULL_HMAC_SHA1_80 inline:nNibWjDsl7zmBGezTk1fWy6dGPoFhdNEBra+u510",
	};
	struct sdes_policy p = { .kernel_suites = ~0u };
	struct sdes_crypto c;
	char why[1024];

	p.prefs[p.nprefs++] = S("AES_CM_128_HMAC_SHA1_80");
	KTAP_EXPECT_EQ(sdes_select(offer, ARRAY_SIZE(offer), &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "tag 1: crypto suite F8_128_HMAC_SHA1_80 is not allowed by local policy");
	EXPECT_HAS(why, "tag 2: FEC_ORDER is not supported");
	EXPECT_HAS(why, "tag 3: KDR=10");
	EXPECT_HAS(why, "line 4: tag: expected");
	EXPECT_HAS(why, "tag 5: crypto suite NULL_HMAC_SHA1_80 is not allowed by local policy");
	KTAP_EXPECT_EQ(sdes_select(offer, 0, &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "no a=crypto");
	/* kernel lacks the only allowed suite */
	p.kernel_suites = 0;
	KTAP_EXPECT_EQ(sdes_select(offer + 4, 1, &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "not available in this kernel");
}

static void test_match_answer(void)
{
	static const char *const offer[] = {
		"a=crypto:1 AEAD_AES_256_GCM inline:+ZE0HGMiBAIXmx56cVfa5RUXHlPM2RwIJsBNqAcXOCCzQenu/9zbnj756HA",
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:mc5fqUeXZEKRw6cOSMhsc6IQ2ulNVizJ2qszvIdD "
		"UNENCRYPTED_SRTCP",
	};
	struct sdes_policy p = all_policy();
	struct sdes_crypto offered[2], c;
	char why[SDES_REASON_LEN];

	KTAP_ASSERT_EQ(parse(offer[0], &offered[0], why), 0);
	KTAP_ASSERT_EQ(parse(offer[1], &offered[1], why), 0);
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:1 AEAD_AES_256_GCM inline:"
					 "CHLgDB0bGXjAcYcSImTn60YQt9BJ+LZtl9PdfjvwDZtCMtBMJ54e25+noe0=",
					 &p, &c, why, sizeof(why)), 0);
	sdes_wipe(&c);
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
					 "inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga UNENCRYPTED_SRTCP",
					 &p, &c, why, sizeof(why)), 1);
	sdes_wipe(&c);
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:3 AES_CM_128_HMAC_SHA1_80 "
					 "inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga",
					 &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "tag 3 was not offered");
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
					 "inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga",
					 &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "offered with AES_CM_128_HMAC_SHA1_80, answered with AES_CM_128_HMAC_SHA1_32");
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
					 "inline:FQwJKHh6rNNUd8lAp3dSNfQGt0I1z7Qs/T7nYNga",
					 &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "UNENCRYPTED_SRTCP was offered but not accepted");
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "a=crypto:1 AEAD_AES_256_GCM inline:"
					 "CHLgDB0bGXjAcYcSImTn60YQt9BJ+LZtl9PdfjvwDZtCMtBMJ54e25+noe0= "
					 "WSH=128 KDR=4", &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "answer: KDR=4");
	KTAP_EXPECT_EQ(sdes_match_answer(offered, 2, "garbage", &p, &c, why, sizeof(why)), -1);
	EXPECT_HAS(why, "answer: not an a=crypto attribute");
	sdes_wipe(&offered[0]);
	sdes_wipe(&offered[1]);
}

static void test_fresh_keys_differ(void)
{
	struct sdes_key a = { 0 }, b = { 0 };

	KTAP_ASSERT_EQ(sdes_new_key(&a, S("AES_256_CM_HMAC_SHA1_80")), 0);
	KTAP_ASSERT_EQ(sdes_new_key(&b, S("AES_256_CM_HMAC_SHA1_80")), 0);
	KTAP_EXPECT_EQ(a.len, 46);
	KTAP_EXPECT(memcmp(a.material, b.material, a.len) != 0);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_b64_roundtrip_all_lengths),
	KTAP_TEST(test_b64_rejects),
	KTAP_TEST(test_parse_baresip_offer),
	KTAP_TEST(test_parse_baresip_gcm256_padded),
	KTAP_TEST(test_parse_linphone_answer),
	KTAP_TEST(test_parse_rtpengine_unpadded),
	KTAP_TEST(test_select_rtpengine_offer),
	KTAP_TEST(test_lifetime_forms),
	KTAP_TEST(test_multiple_keys_with_mki),
	KTAP_TEST(test_multiple_keys_rejected),
	KTAP_TEST(test_mki_rejected),
	KTAP_TEST(test_every_suite_roundtrip),
	KTAP_TEST(test_format_exact),
	KTAP_TEST(test_session_params),
	KTAP_TEST(test_session_params_rejected),
	KTAP_TEST(test_bad_lines),
	KTAP_TEST(test_select_by_preference_then_offer_order),
	KTAP_TEST(test_select_none_acceptable),
	KTAP_TEST(test_match_answer),
	KTAP_TEST(test_fresh_keys_differ),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
