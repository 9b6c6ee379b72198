// SPDX-License-Identifier: GPL-2.0
/*
 * ZRTP's hashes and MACs (userspace-keyd/keyd/zrtp_crypto.c) against what
 * bzrtp sent (zrtp_samples.h) and independent references: each endpoint's
 * hash chain (H1 hashes to its Commit's H2, H2 to its Hello's H3), the
 * Hello MAC keyed by H2 and the Commit MAC keyed by H1, the winning
 * Commit's hvi equal to the hash of its DHPart2 and the responder's Hello
 * and higher than the losing Commit's (§4.2); HMAC-SHA-256/384 against
 * RFC 4231; the KDF against Python's hmac; a built chain and MAC that
 * verify, and a flipped byte that does not.
 */
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "zrtp_crypto.h"
#include "zrtp_ka.h"
#include "zrtp_samples.h"

#define NSAMPLES (sizeof(zrtp_samples) / sizeof(zrtp_samples[0]))

static uint8_t bufs[NSAMPLES][512];
static struct zrtp_packet pk[NSAMPLES];

static void load(void)
{
	size_t i, n;
	unsigned int v;

	for (i = 0; i < NSAMPLES; i++) {
		for (n = 0; zrtp_samples[i][2 * n] &&
		     sscanf(zrtp_samples[i] + 2 * n, "%2x", &v) == 1; n++)
			bufs[i][n] = (uint8_t)v;
		if (zrtp_decode(bufs[i], n, &pk[i], NULL))
			ktap_diag("sample %zu does not decode", i);
	}
}

/* The packet of endpoint ssrc with message type t. */
static const struct zrtp_packet *of(uint32_t ssrc, enum zrtp_type t)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++)
		if (pk[i].ssrc == ssrc && pk[i].msg.type == t)
			return &pk[i];
	return NULL;
}

static void test_rfc4231(void)
{
	static const uint8_t want256[] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
		0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
		0x64, 0xec, 0x38, 0x43,
	};
	static const uint8_t want384[8] = { 0xaf, 0x45, 0xd2, 0xe3, 0x76, 0x48, 0x40, 0x31 };
	const char *data = "what do ya want for nothing?";
	uint8_t out[48];

	KTAP_ASSERT_EQ(zrtp_hmac(ZRTP_ALG("S256"), (const uint8_t *)"Jefe", 4,
				 (const uint8_t *)data, strlen(data), out, 32), 0);
	KTAP_EXPECT(!memcmp(out, want256, 32));
	KTAP_ASSERT_EQ(zrtp_hmac(ZRTP_ALG("S384"), (const uint8_t *)"Jefe", 4,
				 (const uint8_t *)data, strlen(data), out, 48), 0);
	KTAP_EXPECT(!memcmp(out, want384, 8));
	KTAP_EXPECT_EQ(zrtp_hash_len(ZRTP_ALG("S384")), 48);
	KTAP_EXPECT_EQ(zrtp_hash_len(ZRTP_ALG("SKN3")), 0);
}

/* Each bzrtp endpoint's chain H1 -> H2 -> H3 and the MACs it keys. */
static void test_bzrtp_chain_and_macs(void)
{
	static const uint32_t ssrcs[] = { 0xaaaa0001u, 0xbbbb0002u };
	uint8_t h[ZRTP_H_LEN];
	size_t i;

	load();
	for (i = 0; i < 2; i++) {
		const struct zrtp_packet *hello = of(ssrcs[i], ZRTP_HELLO);
		const struct zrtp_packet *commit = of(ssrcs[i], ZRTP_COMMIT);
		const struct zrtp_packet *dh = of(ssrcs[i], ZRTP_DHPART1);

		dh = dh ? dh : of(ssrcs[i], ZRTP_DHPART2);
		KTAP_ASSERT(hello && commit && dh);
		KTAP_ASSERT_EQ(zrtp_hash2(ZRTP_ALG("S256"), dh->msg.u.dhpart.h1, 32, NULL, 0, h), 0);
		KTAP_EXPECT(!memcmp(h, commit->msg.u.commit.h2, 32));
		KTAP_ASSERT_EQ(zrtp_hash2(ZRTP_ALG("S256"), commit->msg.u.commit.h2, 32, NULL, 0,
					  h), 0);
		KTAP_EXPECT(!memcmp(h, hello->msg.u.hello.h3, 32));
		KTAP_EXPECT(zrtp_msg_mac_ok(hello->raw.p, hello->raw.len, commit->msg.u.commit.h2));
		KTAP_EXPECT(zrtp_msg_mac_ok(commit->raw.p, commit->raw.len, dh->msg.u.dhpart.h1));
		/* keyed by the wrong image: refused */
		KTAP_EXPECT(!zrtp_msg_mac_ok(hello->raw.p, hello->raw.len, dh->msg.u.dhpart.h1));
	}
}

/* The initiator (DHPart2's sender) committed to its DHPart2 and our Hello. */
static void test_bzrtp_hvi(void)
{
	const struct zrtp_packet *dh2 = NULL, *ci = NULL, *cr = NULL, *hr = NULL;
	uint8_t hvi[ZRTP_H_LEN];
	size_t i;

	for (i = 0; i < NSAMPLES; i++)
		if (pk[i].msg.type == ZRTP_DHPART2)
			dh2 = &pk[i];
	KTAP_ASSERT(dh2 != NULL);
	for (i = 0; i < NSAMPLES; i++) {
		if (pk[i].msg.type == ZRTP_COMMIT)
			*(pk[i].ssrc == dh2->ssrc ? &ci : &cr) = &pk[i];
		if (pk[i].msg.type == ZRTP_HELLO && pk[i].ssrc != dh2->ssrc)
			hr = &pk[i];
	}
	KTAP_ASSERT(ci && cr && hr);
	KTAP_ASSERT_EQ(zrtp_hvi(ci->msg.u.commit.hash, &dh2->raw, &hr->raw, hvi), 0);
	KTAP_EXPECT(!memcmp(hvi, ci->msg.u.commit.hvi, ZRTP_H_LEN));
	/* §4.2: the lower hvi's Commit was discarded */
	KTAP_EXPECT(memcmp(ci->msg.u.commit.hvi, cr->msg.u.commit.hvi, ZRTP_H_LEN) > 0);
}

static void test_kdf(void)
{
	static const uint8_t want256[16] = {
		0x43, 0x2f, 0xac, 0x5c, 0x12, 0x46, 0x98, 0xd5, 0xaa, 0x90, 0x30, 0xbe, 0xdc, 0xf2,
		0xe8, 0xcc,
	};
	static const uint8_t want384[8] = { 0x67, 0xb5, 0xb1, 0xca, 0x1d, 0x46, 0x87, 0x36 };
	uint8_t ki[32], ctx[36], out[48];
	size_t i;

	memset(ki, 1, sizeof(ki));
	for (i = 0; i < sizeof(ctx); i++)
		ctx[i] = (uint8_t)i;
	KTAP_ASSERT_EQ(zrtp_kdf(ZRTP_ALG("S256"), ki, 32, "Initiator SRTP master key", ctx,
				sizeof(ctx), 128, out), 0);
	KTAP_EXPECT(!memcmp(out, want256, 16));
	KTAP_ASSERT_EQ(zrtp_kdf(ZRTP_ALG("S384"), ki, 32, "ZRTP Session Key", ctx, sizeof(ctx),
				384, out), 0);
	KTAP_EXPECT(!memcmp(out, want384, 8));
	/* L beyond the hash, or not whole bytes: refused */
	KTAP_EXPECT_EQ(zrtp_kdf(ZRTP_ALG("S256"), ki, 32, "x", ctx, 1, 384, out), -1);
	KTAP_EXPECT_EQ(zrtp_kdf(ZRTP_ALG("S256"), ki, 32, "x", ctx, 1, 100, out), -1);
}

/* Our own chain and a MAC it keys. */
static void test_own_chain(void)
{
	struct zrtp_chain ch;
	uint8_t msg[40], h[ZRTP_H_LEN];

	memset(&ch, 0, sizeof(ch));
	ch.h[0][0] = 0x42;
	KTAP_ASSERT_EQ(zrtp_hash_chain(&ch), 0);
	KTAP_ASSERT_EQ(zrtp_hash2(ZRTP_ALG("S256"), ch.h[2], ZRTP_H_LEN, NULL, 0, h), 0);
	KTAP_EXPECT(!memcmp(h, ch.h[3], ZRTP_H_LEN));
	memset(msg, 0x5a, sizeof(msg));
	KTAP_ASSERT_EQ(zrtp_msg_mac_set(msg, sizeof(msg), ch.h[2]), 0);
	KTAP_EXPECT(zrtp_msg_mac_ok(msg, sizeof(msg), ch.h[2]));
	msg[3] ^= 1;
	KTAP_EXPECT(!zrtp_msg_mac_ok(msg, sizeof(msg), ch.h[2]));
}

/*
 * Every key agreement: both ends reach the same result; bad values refused.
 * E255 is X255 under GNU ZRTP's name: the same X25519.
 */
static void test_key_agreements(void)
{
	static const char *const kas[] = { "DH3k", "DH2k", "EC25", "EC38", "X255", "E255" };
	uint8_t pa[ZRTP_PV_MAX], pb[ZRTP_PV_MAX], ra[ZRTP_PV_MAX_RESULT], rb[ZRTP_PV_MAX_RESULT];
	uint8_t bad[ZRTP_PV_MAX];
	EVP_PKEY *a, *b;
	size_t i, n;

	for (i = 0; i < sizeof(kas) / sizeof(kas[0]); i++) {
		zrtp_alg ka = ZRTP_ALG(kas[i]);

		n = zrtp_ka_result_len(ka);
		a = zrtp_ka_keygen(ka, pa);
		b = zrtp_ka_keygen(ka, pb);
		KTAP_ASSERT(a && b && n);
		KTAP_EXPECT_EQ(zrtp_ka_result(ka, a, pb, ra), 0);
		KTAP_EXPECT_EQ(zrtp_ka_result(ka, b, pa, rb), 0);
		if (!KTAP_EXPECT(!memcmp(ra, rb, n)))
			ktap_diag("%s: the two results differ", kas[i]);
		/* DH: 1; EC: a point off the curve; X25519: the all-zero point */
		memset(bad, 0, sizeof(bad));
		bad[zrtp_ka_pv_len(ka) - 1] = kas[i][0] == 'D' ? 1 : 0;
		if (!strncmp(kas[i], "EC", 2))
			memset(bad, 0x11, zrtp_ka_pv_len(ka));
		if (!KTAP_EXPECT_EQ(zrtp_ka_result(ka, a, bad, ra), -1))
			ktap_diag("%s: a bad public value was taken", kas[i]);
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
	KTAP_EXPECT_EQ(zrtp_ka_pv_len(ZRTP_ALG("X448")), 0);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_rfc4231),
	KTAP_TEST(test_bzrtp_chain_and_macs),
	KTAP_TEST(test_bzrtp_hvi),
	KTAP_TEST(test_kdf),
	KTAP_TEST(test_own_chain),
	KTAP_TEST(test_key_agreements),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
