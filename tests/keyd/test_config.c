// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the configuration reader (userspace-keyd/keyd/config.c):
 * defaults, every value dtls_verify takes and refuses, and the
 * "path:line: reason" of a bad file, which leaves the earlier settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ktap.h"

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

/* Write text to a fresh file; its path in path. */
static bool write_file(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/keyd-test-config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return false;
	}
	fputs(text, f);
	return !fclose(f);
}

static void test_defaults(void)
{
	struct config c;

	config_defaults(&c);
	KTAP_EXPECT_EQ(c.dtls_verify, VERIFY_STRICT);
	KTAP_EXPECT_EQ(c.window, 128);
	KTAP_EXPECT(!c.allow_insecure_signalling);
}

static void test_dtls_verify(void)
{
	static const struct {
		const char *v;
		int want;	/* -1: refused */
	} cases[] = {
		{ "strict", VERIFY_STRICT }, { "early_media", VERIFY_EARLY_MEDIA },
		{ "early-media", -1 }, { "Strict", -1 }, { "", -1 }, { "yes", -1 },
		{ "early_media ", -1 },
	};
	struct config c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		c.dtls_verify = VERIFY_EARLY_MEDIA;
		err[0] = 0;
		if (cases[i].want < 0) {
			KTAP_EXPECT_EQ(config_set(&c, "dtls_verify", cases[i].v, err, sizeof(err)), -1);
			if (!KTAP_EXPECT(contains(err, "dtls_verify: expected strict or early_media")))
				ktap_diag("  \"%s\": %s", cases[i].v, err);
			/* a refused value never leaves something weaker behind */
			KTAP_EXPECT_EQ(c.dtls_verify, VERIFY_STRICT);
		} else {
			KTAP_EXPECT_EQ(config_set(&c, "dtls_verify", cases[i].v, err, sizeof(err)), 0);
			KTAP_EXPECT_EQ((int)c.dtls_verify, cases[i].want);
		}
	}
}

static void test_mikey(void)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	KTAP_EXPECT_EQ(c.mikey_clock_skew, 60);
	KTAP_EXPECT(!c.mikey_psk_file[0] && !c.mikey_identity[0]);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_psk_file", "/etc/ksrtp/mikey.psk", err, sizeof(err)), 0);
	KTAP_EXPECT(!strcmp(c.mikey_psk_file, "/etc/ksrtp/mikey.psk"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_psk_file", "mikey.psk", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_psk_file: expected an absolute path"));
	/* the certificate modes' files and signatures */
	KTAP_EXPECT_EQ(config_set(&c, "mikey_cert", "/etc/ksrtp/gw.pem", err, sizeof(err)), 0);
	KTAP_EXPECT(!strcmp(c.mikey_cert, "/etc/ksrtp/gw.pem"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_ca", "ca.pem", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_ca: expected an absolute path"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_peer_certs", "/etc/ksrtp/peers.pem", err,
				  sizeof(err)), 0);
	KTAP_EXPECT(!c.mikey_sign_pss);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_sign", "pss", err, sizeof(err)), 0);
	KTAP_EXPECT(c.mikey_sign_pss);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_sign", "ecdsa", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_sign: expected pkcs1 or pss"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_identity", "sip:gw@example.org", err, sizeof(err)), 0);
	KTAP_EXPECT(!strcmp(c.mikey_identity, "sip:gw@example.org"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_identity", "a b", err, sizeof(err)), -1);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_clock_skew", "5", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.mikey_clock_skew, 5);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_clock_skew", "0", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_clock_skew: expected 1 to 3600"));
	KTAP_EXPECT_EQ(c.mikey_kdr, 0);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "65536", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.mikey_kdr, 65536);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "16777216", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "0", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.mikey_kdr, 0);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "1024", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_kdr: expected 0 or a power of two from 65536"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "65537", err, sizeof(err)), -1);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kdr", "33554432", err, sizeof(err)), -1);
	KTAP_EXPECT_EQ(c.mikey_dh_group, 0);		/* OAKLEY 5's code */
	KTAP_EXPECT_EQ(config_set(&c, "mikey_dh_group", "2", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.mikey_dh_group, 2);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_dh_group", "5", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.mikey_dh_group, 0);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_dh_group", "1", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "OAKLEY 1 is too weak"));
	KTAP_EXPECT_EQ(config_set(&c, "mikey_dh_group", "0", err, sizeof(err)), -1);
	KTAP_EXPECT(!c.mikey_kemac_kw);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kemac", "aes-kw", err, sizeof(err)), 0);
	KTAP_EXPECT(c.mikey_kemac_kw);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kemac", "aes-cm", err, sizeof(err)), 0);
	KTAP_EXPECT(!c.mikey_kemac_kw);
	KTAP_EXPECT_EQ(config_set(&c, "mikey_kemac", "aes-kw-256", err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, "mikey_kemac: expected aes-cm or aes-kw"));
}

/* ZRTP's preference lists: known names only, each once, within a Hello's room. */
static void test_zrtp(void)
{
	static const char *const bad[][2] = {
		{ "zrtp_key_agreements", "X25" },		/* a prefix of a name */
		{ "zrtp_key_agreements", "X255 X255" },
		{ "zrtp_key_agreements", "DH4k" },
		{ "zrtp_key_agreements", "X255 E255 DH3k EC25 EC38 DH2k DH3k" },
		{ "zrtp_key_agreements", "" },
		{ "zrtp_hashes", "S512" },
		{ "zrtp_sas_types", "B25" },
		{ "zrtp_sas_types", "B32 B256 B32" },
	};
	struct config c;
	char err[256];
	size_t i;

	config_defaults(&c);
	KTAP_EXPECT(!strcmp(c.zrtp_key_agreements, "X255 E255 DH3k EC25 EC38 DH2k"));
	KTAP_EXPECT(!strcmp(c.zrtp_sas_types, "B32 B256"));
	KTAP_EXPECT_EQ(config_set(&c, "zrtp_key_agreements", "DH3k,X255", err, sizeof(err)), 0);
	KTAP_EXPECT(!strcmp(c.zrtp_key_agreements, "DH3k,X255"));
	KTAP_EXPECT_EQ(config_set(&c, "zrtp_sas_types", "B256 B32", err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(config_set(&c, "zrtp_hashes", "S384", err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!KTAP_EXPECT_EQ(config_set(&c, bad[i][0], bad[i][1], err, sizeof(err)), -1))
			ktap_diag("%s = %s accepted", bad[i][0], bad[i][1]);
		KTAP_EXPECT(contains(err, bad[i][0]));
	}
	KTAP_EXPECT(!strcmp(c.zrtp_key_agreements, "DH3k,X255"));
}

static void test_file(void)
{
	struct config c;
	char path[64], err[512], want[128];

	KTAP_ASSERT(write_file(path, sizeof(path),
			       "# test\n  dtls_verify =  early_media   # comment\nwindow = 256\n"));
	config_defaults(&c);
	KTAP_EXPECT_EQ(config_load(&c, path, err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(c.dtls_verify, VERIFY_EARLY_MEDIA);
	KTAP_EXPECT_EQ(c.window, 256);
	unlink(path);

	KTAP_ASSERT(write_file(path, sizeof(path), "log_level = debug\ndtls_verify = lax\n"));
	config_defaults(&c);
	KTAP_EXPECT_EQ(config_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: dtls_verify: expected strict or early_media", path);
	if (!KTAP_EXPECT(!strcmp(err, want)))
		ktap_diag("  got \"%s\"", err);
	KTAP_EXPECT_EQ(c.dtls_verify, VERIFY_STRICT);
	unlink(path);

	KTAP_ASSERT(write_file(path, sizeof(path), "dtls_verfy = strict\n"));
	config_defaults(&c);
	KTAP_EXPECT_EQ(config_load(&c, path, err, sizeof(err)), -1);
	KTAP_EXPECT(contains(err, ":1: unknown setting 'dtls_verfy'"));
	unlink(path);
}

static void test_names(void)
{
	KTAP_EXPECT(!strcmp(verify_policy_name(VERIFY_STRICT), "strict"));
	KTAP_EXPECT(!strcmp(verify_policy_name(VERIFY_EARLY_MEDIA), "early_media"));
	KTAP_EXPECT_EQ(verify_policy_parse(NULL), VERIFY_DEFAULT);
	KTAP_EXPECT_EQ(verify_policy_parse(verify_policy_name(VERIFY_EARLY_MEDIA)),
		       VERIFY_EARLY_MEDIA);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_defaults),
	KTAP_TEST(test_dtls_verify),
	KTAP_TEST(test_mikey),
	KTAP_TEST(test_zrtp),
	KTAP_TEST(test_file),
	KTAP_TEST(test_names),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
