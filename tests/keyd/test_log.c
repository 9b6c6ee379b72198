// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keyd's log lines (userspace-keyd/keyd/log.c): today's
 * "ts=... level=..." format on a plain stderr, and the syslog priority
 * prefix ("<3>" error, "<4>" warn, "<6>" info, "<7>" debug) exactly when
 * JOURNAL_STREAM names the device and inode of fd 2, as systemd sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "ktap.h"

static char out[4096];

/*
 * Logs one line per level with stderr on a temporary file; out = the file.
 * JOURNAL_STREAM is fmt filled with the file's device and inode numbers
 * (two %llu), or env as is, or unset if both are NULL.
 */
static int capture(const char *env_fixed, const char *fmt)
{
	char path[] = "/tmp/ksrtp-test-log-XXXXXX", env[64];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct stat st;
	ssize_t n;

	if (fd < 0 || saved < 0 || fstat(fd, &st))
		return -1;
	unlink(path);
	if (fmt) {
		snprintf(env, sizeof(env), fmt, (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		env_fixed = env;
	}
	if (env_fixed)
		setenv("JOURNAL_STREAM", env_fixed, 1);
	else
		unsetenv("JOURNAL_STREAM");
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	log_init();
	log_set_level(LOG_DEBUG);
	log_err("e", "k=%d", 1);
	log_warn("w", NULL);
	log_info("i one", "k=%s", log_q("a b"));
	log_debug("d", NULL);
	log_set_level(LOG_INFO);
	log_debug("hidden", NULL);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = 0;
	return 0;
}

/* The four lines with the timestamps cut out: "<P>ts= level=..." */
static void expect_lines(const char *p3, const char *p4, const char *p6, const char *p7)
{
	char want[512], got[4096], *s, *d = got;

	/* drop each ts value: from "ts=" to the next space */
	for (s = out; *s; ) {
		if (!strncmp(s, "ts=", 3)) {
			memcpy(d, "ts=", 3);
			d += 3;
			s = strchr(s, ' ');
			if (!s)
				break;
		}
		*d++ = *s++;
	}
	*d = 0;
	snprintf(want, sizeof(want),
		 "%sts= level=error msg=e k=1\n"
		 "%sts= level=warn msg=w\n"
		 "%sts= level=info msg=\"i one\" k=\"a b\"\n"
		 "%sts= level=debug msg=d\n", p3, p4, p6, p7);
	if (!KTAP_EXPECT(!strcmp(got, want)))
		ktap_diag("got:\n%s# want:\n%s", got, want);
}

static void test_plain_stderr(void)
{
	KTAP_ASSERT_EQ(capture(NULL, NULL), 0);
	expect_lines("", "", "", "");
	KTAP_EXPECT_EQ(strlen(log_prefix(LOG_ERR)), 0);
}

static void test_journal_stream(void)
{
	KTAP_ASSERT_EQ(capture(NULL, "%llu:%llu"), 0);
	expect_lines("<3>", "<4>", "<6>", "<7>");
}

/* inherited from a service, but fd 2 was redirected elsewhere */
static void test_other_stream(void)
{
	struct stat st;
	char env[64];

	KTAP_ASSERT_EQ(stat("/dev/null", &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	KTAP_ASSERT_EQ(capture(env, NULL), 0);
	expect_lines("", "", "", "");
}

/* the right numbers, badly written: no prefix */
static void test_malformed(void)
{
	static const char *const bad[] = {
		"%llu:%llux", "%llu:%llu:", " %llu:%llu", "+%llu:%llu", "%llu-%llu",
		"%llu:-%llu", "%llu%llu", "%llu:%llu 1",
	};
	size_t i;

	KTAP_ASSERT_EQ(capture("", NULL), 0);
	KTAP_EXPECT(out[0] == 't');
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KTAP_ASSERT_EQ(capture(NULL, bad[i]), 0);
		if (!KTAP_EXPECT(out[0] == 't'))
			ktap_diag("JOURNAL_STREAM as \"%s\" gave a prefix: %.20s", bad[i], out);
	}
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_plain_stderr),
	KTAP_TEST(test_journal_stream),
	KTAP_TEST(test_other_stream),
	KTAP_TEST(test_malformed),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
