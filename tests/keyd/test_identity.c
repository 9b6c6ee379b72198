// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keyd's DTLS identity (userspace-keyd/keyd/dtls_identity.c)
 * on a fake clock: the certificate is renewed once 2/3 of a short
 * dtls_cert_lifetime passed, new sessions get the new one while a session
 * keeps its own (fingerprint unchanged) until it lets go, and the cookie
 * secret rotates every dtls_cookie_rotate seconds.
 */
#include <string.h>

#include "dtls_identity.h"
#include "ktap.h"
#include "log.h"
#include "method.h"

static uint64_t fake_now;

uint64_t now_ms(void)
{
	return fake_now;
}

static void test_renewal(void)
{
	struct keyd kd;
	struct dtls_engine *e1, *e2, *e3;
	char err[256], fp1[FP_STR_MAX], fp2[FP_STR_MAX];

	memset(&kd, 0, sizeof(kd));
	config_defaults(&kd.cfg);
	kd.cfg.dtls_cert_lifetime = 6;		/* seconds: renewed after 4 */
	kd.cfg.dtls_cookie_rotate = 1;
	fake_now = 1000;
	KTAP_EXPECT_EQ(dtls_housekeeping(&kd, fake_now), -1);	/* no DTLS yet */
	e1 = dident_get(&kd, err, sizeof(err));
	KTAP_ASSERT(e1);
	snprintf(fp1, sizeof(fp1), "%s", dtls_engine_fingerprint(e1));
	fake_now = 4999;
	e2 = dident_get(&kd, err, sizeof(err));
	KTAP_EXPECT(e2 == e1);			/* not due yet */
	dident_put(e2);
	fake_now = 5000;			/* 2/3 of 6 s after 1000 ms */
	e2 = dident_get(&kd, err, sizeof(err));
	KTAP_ASSERT(e2);
	KTAP_EXPECT(e2 != e1);
	snprintf(fp2, sizeof(fp2), "%s", dtls_engine_fingerprint(e2));
	KTAP_EXPECT(strcmp(fp1, fp2) != 0);
	/* the first session still has its certificate, fingerprint and all */
	KTAP_EXPECT_EQ(dident_engines(), 2);
	KTAP_EXPECT(!strcmp(dtls_engine_fingerprint(e1), fp1));
	dident_put(e1);				/* its last session ends: it goes */
	KTAP_EXPECT_EQ(dident_engines(), 1);
	e3 = dident_get(&kd, err, sizeof(err));
	KTAP_EXPECT(e3 == e2);
	dident_put(e3);
	dident_put(e2);
	/* the current one stays without sessions: the next one reuses it */
	KTAP_EXPECT_EQ(dident_engines(), 1);
	/* housekeeping renews on its own when due, and rotates cookies */
	KTAP_EXPECT(dident_rotations() == 0);
	KTAP_EXPECT(dtls_housekeeping(&kd, 6000) > 0);
	KTAP_EXPECT(dident_rotations() == 1);
	KTAP_EXPECT(dtls_housekeeping(&kd, 9000) >= 0);
	KTAP_EXPECT(dident_rotations() == 2);
	e3 = dident_get(&kd, err, sizeof(err));
	KTAP_EXPECT(strcmp(dtls_engine_fingerprint(e3), fp2) != 0);	/* renewed at 9000 */
	dident_put(e3);
	dident_free_all();
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_renewal),
};

int main(void)
{
	log_set_level(LOG_WARN);
	return KTAP_MAIN(tests);
}
