// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keyd's hardening (userspace-keyd/keyd/harden.c): after
 * keyd_harden() the process is not dumpable (PR_GET_DUMPABLE 0), and key
 * buffers from keyd_secret_alloc() lie in a mapping the kernel leaves out
 * of core dumps ("dd" in /proc/self/smaps VmFlags).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "harden.h"
#include "ktap.h"

/* The VmFlags line of the mapping that holds p. */
static bool vmflags_of(const void *p, char *out, size_t len)
{
	char line[512];
	unsigned long lo, hi, a = (unsigned long)p;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(out, len, "%s", line + 8);
			fclose(f);
			return true;
		}
	}
	fclose(f);
	return false;
}

static void test_not_dumpable(void)
{
	char err[128], flags[512];
	unsigned char *k;

	KTAP_EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);	/* as started */
	KTAP_ASSERT_EQ(keyd_harden(err, sizeof(err)), 0);
	KTAP_EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	k = keyd_secret_alloc(64);
	KTAP_ASSERT(k);
	KTAP_EXPECT_EQ(k[0] | k[63], 0);
	KTAP_ASSERT(vmflags_of(k, flags, sizeof(flags)));
	if (!KTAP_EXPECT(strstr(flags, " dd") != NULL))
		ktap_diag("  VmFlags:%s", flags);
	memset(k, 0xa5, 64);
	keyd_secret_free(k, 64);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_not_dumpable),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
