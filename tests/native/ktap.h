/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP output for the native unit tests.
 *
 * A test binary lists its tests in a table and hands it to ktap_main():
 *
 *	static void test_foo(void) { KTAP_EXPECT_EQ(1 + 1, 2); }
 *	static const struct ktap_test tests[] = { KTAP_TEST(test_foo) };
 *	int main(void) { return KTAP_MAIN(tests); }
 *
 * Output is "TAP version 13", "1..N", then "ok N name" or "not ok N name"
 * per test with "# " diagnostics before it, and a "# Totals:" line. The
 * exit status is 1 if any test failed. A failed expectation records the
 * failure and carries on; the KTAP_ASSERT* forms also return from the
 * (void) test function.
 */
#ifndef KSRTP_KTAP_H
#define KSRTP_KTAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ktap_test {
	const char *name;
	void (*fn)(void);
};

#define KTAP_TEST(fn)	{ #fn, fn }
#define KTAP_MAIN(tbl)	ktap_main(tbl, sizeof(tbl) / sizeof((tbl)[0]))

/* Diagnostics printed per test; further failures are only counted. */
#define KTAP_MAX_DIAG	16

static unsigned int ktap_failures;	/* in the running test */

static inline void ktap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A "# " diagnostic line (fmt without the newline). */
static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline void ktap_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void ktap_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (++ktap_failures > KTAP_MAX_DIAG) {
		if (ktap_failures == KTAP_MAX_DIAG + 1)
			ktap_diag("(further failures in this test not shown)");
		return;
	}
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Each expectation evaluates its arguments once; returns true if it held. */
#define KTAP_EXPECT(cond)						\
	({								\
		_Bool ktap_ok_ = (cond);				\
		if (!ktap_ok_)						\
			ktap_fail(__FILE__, __LINE__, "expected: %s", #cond); \
		ktap_ok_;						\
	})

#define KTAP_EXPECT_EQ(got, want)					\
	({								\
		intmax_t ktap_g_ = (intmax_t)(got);			\
		intmax_t ktap_w_ = (intmax_t)(want);			\
		if (ktap_g_ != ktap_w_)					\
			ktap_fail(__FILE__, __LINE__,			\
				  "%s == %s: got %jd (%#jx), want %jd (%#jx)", \
				  #got, #want, ktap_g_, (uintmax_t)ktap_g_, \
				  ktap_w_, (uintmax_t)ktap_w_);		\
		ktap_g_ == ktap_w_;					\
	})

#define KTAP_EXPECT_EQ_U(got, want)					\
	({								\
		uintmax_t ktap_g_ = (uintmax_t)(got);			\
		uintmax_t ktap_w_ = (uintmax_t)(want);			\
		if (ktap_g_ != ktap_w_)					\
			ktap_fail(__FILE__, __LINE__,			\
				  "%s == %s: got %ju (%#jx), want %ju (%#jx)", \
				  #got, #want, ktap_g_, ktap_g_,		\
				  ktap_w_, ktap_w_);			\
		ktap_g_ == ktap_w_;					\
	})

#define KTAP_ASSERT(cond)						\
	do {								\
		if (!KTAP_EXPECT(cond))					\
			return;						\
	} while (0)

#define KTAP_ASSERT_EQ(got, want)					\
	do {								\
		if (!KTAP_EXPECT_EQ(got, want))				\
			return;						\
	} while (0)

#define KTAP_ASSERT_EQ_U(got, want)					\
	do {								\
		if (!KTAP_EXPECT_EQ_U(got, want))			\
			return;						\
	} while (0)

static inline int ktap_main(const struct ktap_test *tests, size_t n)
{
	unsigned int pass = 0, fail = 0;
	size_t i;

	/* keep our lines in order with sanitizer reports on stderr */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		ktap_failures = 0;
		tests[i].fn();
		if (ktap_failures) {
			fail++;
			printf("not ok %zu %s\n", i + 1, tests[i].name);
		} else {
			pass++;
			printf("ok %zu %s\n", i + 1, tests[i].name);
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}

#endif /* KSRTP_KTAP_H */
