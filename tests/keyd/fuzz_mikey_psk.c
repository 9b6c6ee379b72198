// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for every MIKEY responder: PSK/NULL, DHHMAC (two PSKs,
 * one for messages without IDi; MIKEY-NULL allowed so its path is reached)
 * and the certificate modes PK, RSA-R and DH-SIGN as bob with
 * tests/keyd/pki's certificates, each given every input at a fixed time.
 * A signed input is also fed re-signed by alice, whom bob trusts, so that
 * what follows the signature check (certificate hash, envelope, KEMAC,
 * policies) sees the mutations too.
 * Invariants: a refusal leaves no key bytes and always has an error message
 * to send that decodes as MIKEY ERROR; an acceptance gives 1..16 contexts
 * with a suite; nothing is written past the output buffer.
 * Seeds (corpus/fuzz_mikey_psk): valid PSK, NULL and NULL-encrypted
 * I_MESSAGEs made at FUZZ_NOW by test_mikey_psk (TEST_MIKEY_PSK_SEEDS=dir),
 * a DHHMAC one by test_mikey_dhhmac (TEST_MIKEY_DHHMAC_SEEDS=dir), and PK,
 * RSA-R and DH-SIGN ones by test_mikey_pk (TEST_MIKEY_PK_SEEDS=dir).
 */
#include <stdlib.h>
#include <string.h>

#include "mikey_dhhmac.h"
#include "mikey_exch.h"
#include "mikey_msg.h"
#include "mikey_pk.h"
#include "mikey_pskfile.h"
#include "pki_fixture.h"

#ifndef PKI_DIR
#error "PKI_DIR: tests/keyd/pki"
#endif

#define FUZZ_NOW	(0xEB000000ull << 32)

static const char keys_text[] =
	"sip:alice@example.org 000102030405060708090a0b0c0d0e0f\n"
	"- 000102030405060708090a0b0c0d0e0f\n";
static struct pskfile pf;
static struct mikey_replay rc;
static struct mikey_keys keys;
static struct mikey_msg m;
static uint8_t out[MIKEY_PSK_MAX_MSG], resigned[MIKEY_PSK_MAX_MSG];
static struct mikey_pki *alice, *bob;

typedef int (*responder)(const struct mikey_policy *pol, mikey_psk_lookup lookup, void *arg,
			 const char *id_r, struct mikey_replay *rc, const uint8_t *msg,
			 size_t len, struct mikey_keys *keys, uint8_t *out, size_t cap,
			 size_t *outlen, struct mikey_fail *f);

static void one(responder respond, uint8_t resp_type, const uint8_t *data, size_t size)
{
	struct mikey_policy pol = { .allow_insecure = true, .suites_ok = 0x1ffe, .now = FUZZ_NOW,
				    .skew = MIKEY_SKEW_DEFAULT, .pki = bob };
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
	/* PSK and PK answer only if asked (V); the others always */
	if ((outlen || (resp_type != MIKEY_DT_PSK_RESP && resp_type != MIKEY_DT_PK_RESP)) &&
	    (mikey_decode(out, outlen, &m, NULL) || m.hdr.data_type != resp_type))
		abort();
	mikey_keys_wipe(&keys);
}

static struct mikey_pki *load(const char *who)
{
	char cert[64], key[64], err[300];
	struct mikey_pki_cfg c = { NULL, NULL, pki_path("ca.pem"), pki_path("peers.pem"), false };
	struct mikey_pki *p;

	snprintf(cert, sizeof(cert), "%s.pem", who);
	snprintf(key, sizeof(key), "%s.key", who);
	c.cert_file = pki_path(cert);
	c.key_file = pki_path(key);
	p = mikey_pki_load(&c, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "%s: %s\n", who, err);
		abort();
	}
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[64];

	(void)argc;
	(void)argv;
	if (pskfile_parse(&pf, keys_text, sizeof(keys_text) - 1, err, sizeof(err)) ||
	    pki_static(PKI_DIR))
		abort();
	alice = load("alice");
	bob = load("bob");
	pki_cleanup();
	return 0;
}

/* data as alice would have signed it, if it decodes and ends with SIGN */
static size_t resign(const uint8_t *data, size_t size)
{
	struct mikey_fail f;

	if (mikey_decode(data, size, &m, NULL) || !m.npl || m.pl[m.npl - 1].type != MIKEY_PT_SIGN)
		return 0;
	m.npl--;
	mx_add_sign(&m, alice);
	return mx_encode_signed(&m, alice, NULL, 0, resigned, sizeof(resigned), &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { responder r; uint8_t dt; } signed_modes[] = {
		{ mikey_pk_respond, MIKEY_DT_PK_RESP },
		{ mikey_rsar_respond, MIKEY_DT_RSAR_RESP },
		{ mikey_dhsign_respond, MIKEY_DT_DH_RESP },
	};
	size_t i, n;

	one(mikey_psk_respond, MIKEY_DT_PSK_RESP, data, size);
	one(mikey_dhhmac_respond, MIKEY_DT_DHHMAC_RESP, data, size);
	for (i = 0; i < 3; i++)
		one(signed_modes[i].r, signed_modes[i].dt, data, size);
	n = resign(data, size);
	for (i = 0; n && i < 3; i++)
		one(signed_modes[i].r, signed_modes[i].dt, resigned, n);
	return 0;
}
