// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the session state writer (userspace-keyd/keyd/state.c):
 * a write that fails (RLIMIT_FSIZE: EFBIG part-way through) reports the
 * error, leaks no fd, leaves no temp file and keeps the previous file
 * byte for byte; the retry after the limit is lifted writes the new file.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "ktap.h"
#include "state.h"

static struct keyd kd;

static int count_dir(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int open_fds(void)
{
	return count_dir("/proc/self/fd");
}

static bool file_is(const char *path, const char *want)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (strcmp(buf, want))
		ktap_diag("  %s holds \"%s\"", path, buf);
	return !strcmp(buf, want);
}

static struct json_object *obj_with(size_t len)
{
	struct json_object *o = json_object_new_object();
	char *v = malloc(len + 1);

	memset(v, 'x', len);
	v[len] = 0;
	json_object_object_add(o, "v", json_object_new_string(v));
	free(v);
	return o;
}

static void set_fsize(rlim_t lim)
{
	struct rlimit rl;

	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = lim;
	setrlimit(RLIMIT_FSIZE, &rl);
}

static void test_write_fails_then_retries(void)
{
	struct json_object *small = obj_with(4), *big = obj_with(4000);
	char path[400];
	int fds, i;

	snprintf(kd.cfg.state_dir, sizeof(kd.cfg.state_dir), "/tmp/keyd-test-state.XXXXXX");
	KTAP_ASSERT(mkdtemp(kd.cfg.state_dir));
	snprintf(path, sizeof(path), "%s/session-s1.json", kd.cfg.state_dir);
	KTAP_EXPECT_EQ(state_write(&kd, "s1", small), 0);
	KTAP_EXPECT(file_is(path, "{\"v\":\"xxxx\"}\n"));

	signal(SIGXFSZ, SIG_IGN);	/* EFBIG instead of the signal */
	fds = open_fds();
	set_fsize(100);
	for (i = 0; i < 5; i++)
		KTAP_EXPECT(state_write(&kd, "s1", big) < 0);
	set_fsize(RLIM_INFINITY);
	/* every failed attempt closed its fd and removed its temp file */
	KTAP_EXPECT_EQ(open_fds(), fds);
	KTAP_EXPECT_EQ(count_dir(kd.cfg.state_dir), 1);
	KTAP_EXPECT(file_is(path, "{\"v\":\"xxxx\"}\n"));

	/* the retry writes the new state */
	KTAP_EXPECT_EQ(state_write(&kd, "s1", big), 0);
	KTAP_EXPECT_EQ(count_dir(kd.cfg.state_dir), 1);
	{
		char want[4200];

		snprintf(want, sizeof(want), "%s\n",
			 json_object_to_json_string_ext(big, JSON_C_TO_STRING_PLAIN));
		KTAP_EXPECT(file_is(path, want));
	}
	state_remove(&kd, "s1");
	KTAP_EXPECT_EQ(count_dir(kd.cfg.state_dir), 0);
	rmdir(kd.cfg.state_dir);
	json_object_put(small);
	json_object_put(big);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_write_fails_then_retries),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
