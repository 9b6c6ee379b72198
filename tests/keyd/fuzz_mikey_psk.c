// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MIKEY responders, PSK/NULL (mikey_psk_respond)
 * and DHHMAC (mikey_dhhmac_respond), each given every input: an I_MESSAGE
 * checked at a fixed time against two keys (one for messages without IDi),
 * MIKEY-NULL allowed so its path is reached.
 * Invariants: a refusal leaves no key bytes and always has an error message
 * to send that decodes as MIKEY ERROR; an acceptance gives 1..16 contexts
 * with a suite; nothing is written past the output buffer.
 * Seeds (corpus/fuzz_mikey_psk): valid PSK, NULL and NULL-encrypted
 * I_MESSAGEs made at FUZZ_NOW by test_mikey_psk (TEST_MIKEY_PSK_SEEDS=dir),
 * and a DHHMAC one by test_mikey_dhhmac (TEST_MIKEY_DHHMAC_SEEDS=dir).
 */
#include <stdlib.h>
#include <string.h>

#include "mikey_dhhmac.h"
#include "mikey_msg.h"
#include "mikey_pskfile.h"

#define FUZZ_NOW	(0xEB000000ull << 32)

static const char keys_text[] =
	"sip:alice@example.org 000102030405060708090a0b0c0d0e0f\n"
	"- 000102030405060708090a0b0c0d0e0f\n";
static struct pskfile pf;
static struct mikey_replay rc;
static struct mikey_keys keys;
static struct mikey_msg m;
static uint8_t out[MIKEY_PSK_MAX_MSG];

typedef int (*responder)(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f);

static void one(responder respond, uint8_t resp_type, const uint8_t *data, size_t size)
{
	struct mikey_policy pol = { .allow_insecure = true, .suites_ok = 0x1ffe, .now = FUZZ_NOW,
				    .skew = MIKEY_SKEW_DEFAULT };
	struct mikey_fail f;
	size_t outlen, i;
	int r;

	rc.n = 0;
	r = respond(&pol, pskfile_lookup, &pf, "sip:bob@example.org", &rc, data, size, &keys,
		    out, sizeof(out), &outlen, &f);
	if (outlen > sizeof(out))
		abort();
	if (r) {
		for (i = 0; i < sizeof(keys); i++)
			if (((const uint8_t *)&keys)[i])
				abort();
		if (!outlen || mikey_decode(out, outlen, &m, NULL) ||
		    m.hdr.data_type != MIKEY_DT_ERROR || !mikey_find(&m, MIKEY_PT_ERR))
			abort();
		return;
	}
	if (!keys.n || keys.n > MIKEY_PSK_MAX_CS)
		abort();
	for (i = 0; i < keys.n; i++)
		if (!keys.cs[i].suite)
			abort();
	/* PSK answers only if asked (V); DHHMAC always */
	if ((outlen || resp_type == MIKEY_DT_DHHMAC_RESP) &&
	    (mikey_decode(out, outlen, &m, NULL) || m.hdr.data_type != resp_type))
		abort();
	mikey_keys_wipe(&keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[64];

	if (!pf.n && pskfile_parse(&pf, keys_text, sizeof(keys_text) - 1, err, sizeof(err)))
		abort();
	one(mikey_psk_respond, MIKEY_DT_PSK_RESP, data, size);
	one(mikey_dhhmac_respond, MIKEY_DT_DHHMAC_RESP, data, size);
	return 0;
}
