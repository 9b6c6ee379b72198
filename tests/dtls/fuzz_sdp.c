// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for keyd/fingerprint.c: the input is one SDP attribute
 * line (or value). Every parser runs on it; whatever parses must survive a
 * format -> parse round trip unchanged, and the role table must answer
 * consistently for both ends of an offer/answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/fingerprint.h"
#include "fuzz_check.h"

static void roundtrip(const struct fingerprint *fp)
{
	char buf[FP_STR_MAX];
	struct fingerprint back;
	int n = fp_format(fp, buf, sizeof(buf));

	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
	FUZZ_CHECK(fp_parse(buf, (size_t)n, &back, NULL) == FP_OK);
	FUZZ_CHECK(fp_equal(fp, &back));
	FUZZ_CHECK(fp->len == fp_hash_len(fp->hash));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fingerprint fp;
	struct fp_set set;
	enum sdp_setup a = SDP_SETUP_NONE, b = SDP_SETUP_NONE;
	const char *why = NULL;
	int rc;

	rc = fp_parse(s, size, &fp, &why);
	FUZZ_CHECK(rc == FP_OK ? why == NULL : why != NULL);
	if (rc == FP_OK)
		roundtrip(&fp);
	if (fp_parse_attr(s, size, &fp, NULL) == FP_OK)
		roundtrip(&fp);

	fp_set_init(&set);
	rc = fp_set_add_value(&set, s, size, NULL);
	FUZZ_CHECK(rc == FP_OK ? set.n == 1 : set.n == 0);
	if (set.n)
		FUZZ_CHECK(fp_set_match_der(&set, data, size, NULL) != FP_MATCH_EMPTY);

	if (setup_parse(s, size, &a) == 0)
		FUZZ_CHECK(*setup_name(a));
	if (setup_parse_attr(s, size, &b) == 0)
		FUZZ_CHECK(*setup_name(b));

	/* roles from the first two bytes: exactly one client when it works */
	if (size >= 2) {
		enum sdp_setup o = (enum sdp_setup)(data[0] % 5);
		enum sdp_setup an = (enum sdp_setup)(data[1] % 5);
		enum dtls_role r1, r2;
		int rc1 = dtls_role_resolve(true, o, an, &r1, NULL);
		int rc2 = dtls_role_resolve(false, an, o, &r2, NULL);

		FUZZ_CHECK(rc1 == rc2);
		if (!rc1)
			FUZZ_CHECK(r1 != r2);
		FUZZ_CHECK(dtls_role_resolve(false, setup_answer(o, an), o, &r1, NULL) ==
			   (o == SDP_SETUP_HOLDCONN ? -1 : 0));
	}
	return 0;
}
