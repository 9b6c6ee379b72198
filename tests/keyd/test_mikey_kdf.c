// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of MIKEY's key derivation and KEMAC protection
 * (userspace-keyd/keyd/mikey_kdf.c) against values computed elsewhere:
 * the PRF and derivations against mikey_ref.py (RFC 3830 §4.1.2 written
 * with Python's hmac), AES-CM KEMAC against pycryptodome's AES, AES-KW
 * against RFC 3394 §4.1, HMAC-SHA-1 against RFC 2202. Then a PSK-style
 * KEMAC built, MACed, encoded, decoded, checked and decrypted end to end.
 */
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "mikey_kdf.h"
#include "mikey_msg.h"
#include "mikey_vectors.h"

static void hexdiag(const char *what, const uint8_t *p, size_t n)
{
	char s[200];
	size_t i;

	for (i = 0; i < n && i < 64; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	ktap_diag("%s: %s", what, s);
}

static void test_prf_ref(void)
{
	uint8_t out[sizeof(ref_prf_out)];

	KTAP_ASSERT_EQ(mikey_prf(ref_prf_key, sizeof(ref_prf_key), ref_prf_label,
				 sizeof(ref_prf_label), out, sizeof(out)), 0);
	if (!KTAP_EXPECT(!memcmp(out, ref_prf_out, sizeof(out))))
		hexdiag("got", out, sizeof(out));
	/* a shorter output is the same prefix (n blocks, then truncation) */
	KTAP_ASSERT_EQ(mikey_prf(ref_prf_key, sizeof(ref_prf_key), ref_prf_label,
				 sizeof(ref_prf_label), out, 7), 0);
	KTAP_EXPECT(!memcmp(out, ref_prf_out, 7));
	KTAP_EXPECT_EQ(mikey_prf(ref_prf_key, 0, ref_prf_label, 1, out, 7), -1);
}

static void test_derive_ref(void)
{
	size_t i;

	for (i = 0; i < sizeof(ref_derives) / sizeof(ref_derives[0]); i++) {
		const struct ref_derive *d = &ref_derives[i];
		uint8_t out[32];

		KTAP_ASSERT_EQ(mikey_derive(d->in, d->inlen, d->c, d->cs_id, REF_CSB, ref_rand,
					    sizeof(ref_rand), out, d->outlen), 0);
		if (!KTAP_EXPECT(!memcmp(out, d->out, d->outlen))) {
			ktap_diag("%s differs", d->name);
			hexdiag("got", out, d->outlen);
		}
	}
	KTAP_EXPECT_EQ(mikey_derive(ref_rand, 16, MIKEY_C_TEK, 0, 0, ref_rand, 256, NULL, 1), -1);
}

/* RFC 3394 §4.1: 128-bit key data with a 128-bit KEK */
static void test_aes_kw_rfc3394(void)
{
	static const uint8_t kek[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	static const uint8_t data[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t want[24] = {
		0x1f, 0xa6, 0x8b, 0x0a, 0x81, 0x12, 0xb4, 0x47,
		0xae, 0xf3, 0x4b, 0xd8, 0xfb, 0x5a, 0x7b, 0x82,
		0x9d, 0x3e, 0x86, 0x23, 0x71, 0xd2, 0xcf, 0xe5 };
	/* RFC 3830's IV S, here RFC 3394's default */
	uint8_t out[32], back[32], t[8] = { 0 }, salt[14] = {
		0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };
	size_t n = 0, m = 0;

	KTAP_ASSERT_EQ(mikey_kemac_encrypt(MIKEY_ENC_AES_KW_128, kek, salt, 0, t, data, 16,
					   out, &n), 0);
	KTAP_EXPECT(n == 24 && !memcmp(out, want, 24));
	KTAP_ASSERT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_KW_128, kek, salt, 0, t, want, 24,
					   back, &m), 0);
	KTAP_EXPECT(m == 16 && !memcmp(back, data, 16));
	memcpy(out, want, 24);
	out[23] ^= 1;	/* RFC 3394's integrity check must catch it */
	KTAP_EXPECT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_KW_128, kek, salt, 0, t, out, 24,
					   back, &m), -1);
	KTAP_EXPECT_EQ(mikey_kemac_encrypt(MIKEY_ENC_AES_KW_128, kek, salt, 0, t, data, 12,
					   out, &n), -1);
	KTAP_EXPECT_EQ(mikey_kemac_encrypt(7, kek, salt, 0, t, data, 16, out, &n), -1);
}

/* MIKEY's AES-KW (IV S from the PSK) against mikey_ref.py's RFC 3394 over
 * pycryptodome's AES; unwrapping with another S fails the integrity check.
 */
static void test_aes_kw_ref(void)
{
	static const uint8_t psk[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t key[16], salt[14], out[40], back[40], t[8] = { 0 };
	size_t n = 0, m = 0;

	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_ENC, MIKEY_CS_ID_NONE, REF_CSB, ref_rand, 16,
				    key, 16), 0);
	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_SALT, MIKEY_CS_ID_NONE, REF_CSB, ref_rand, 16,
				    salt, 14), 0);
	KTAP_ASSERT_EQ(mikey_kemac_encrypt(MIKEY_ENC_AES_KW_128, key, salt, 0, t, ref_kw_plain,
					   sizeof(ref_kw_plain), out, &n), 0);
	KTAP_EXPECT(n == sizeof(ref_kw_cipher) && !memcmp(out, ref_kw_cipher, n));
	KTAP_ASSERT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_KW_128, key, salt, 0, t, ref_kw_cipher,
					   sizeof(ref_kw_cipher), back, &m), 0);
	KTAP_EXPECT(m == sizeof(ref_kw_plain) && !memcmp(back, ref_kw_plain, m));
	salt[7] ^= 1;
	KTAP_EXPECT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_KW_128, key, salt, 0, t, ref_kw_cipher,
					   sizeof(ref_kw_cipher), back, &m), -1);
}

static void test_aes_cm_ref(void)
{
	uint8_t key[16], salt[14], out[sizeof(ref_cm_plain)], back[sizeof(ref_cm_plain)];
	static const uint8_t psk[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	size_t n = 0;

	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_ENC, MIKEY_CS_ID_NONE, REF_CSB, ref_rand,
				    sizeof(ref_rand), key, 16), 0);
	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_SALT, MIKEY_CS_ID_NONE, REF_CSB, ref_rand,
				    sizeof(ref_rand), salt, 14), 0);
	KTAP_ASSERT_EQ(mikey_kemac_encrypt(MIKEY_ENC_AES_CM_128, key, salt, REF_CSB, ref_cm_t,
					   ref_cm_plain, sizeof(ref_cm_plain), out, &n), 0);
	KTAP_EXPECT(n == sizeof(out) && !memcmp(out, ref_cm_cipher, n));
	KTAP_ASSERT_EQ(mikey_kemac_decrypt(MIKEY_ENC_AES_CM_128, key, salt, REF_CSB, ref_cm_t,
					   out, n, back, &n), 0);
	KTAP_EXPECT(!memcmp(back, ref_cm_plain, sizeof(back)));
	/* a different CSB ID gives a different IV, so different bytes */
	KTAP_ASSERT_EQ(mikey_kemac_encrypt(MIKEY_ENC_AES_CM_128, key, salt, REF_CSB + 1,
					   ref_cm_t, ref_cm_plain, sizeof(ref_cm_plain), out,
					   &n), 0);
	KTAP_EXPECT(memcmp(out, ref_cm_cipher, n));
}

/* RFC 2202 test cases 1 and 2 for HMAC-SHA-1 */
static void test_hmac_rfc2202(void)
{
	static const uint8_t want1[20] = {
		0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
		0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00 };
	static const uint8_t want2[20] = {
		0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
		0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79 };
	const char *d2 = "what do ya want for nothing?";
	uint8_t key1[20], mac[20];

	memset(key1, 0x0b, sizeof(key1));
	KTAP_EXPECT_EQ(mikey_mac(MIKEY_MAC_HMAC_SHA1_160, key1, 20, (const uint8_t *)"Hi There",
				 8, mac), 20);
	KTAP_EXPECT(!memcmp(mac, want1, 20));
	KTAP_EXPECT(mikey_mac_ok(MIKEY_MAC_HMAC_SHA1_160, (const uint8_t *)"Jefe", 4,
				 (const uint8_t *)d2, strlen(d2), want2, 20));
	KTAP_EXPECT(!mikey_mac_ok(MIKEY_MAC_HMAC_SHA1_160, (const uint8_t *)"Jefe", 4,
				  (const uint8_t *)d2, strlen(d2), want2, 19));
	KTAP_EXPECT(!mikey_mac_ok(MIKEY_MAC_HMAC_SHA1_160, (const uint8_t *)"Jefx", 4,
				  (const uint8_t *)d2, strlen(d2), want2, 20));
	KTAP_EXPECT_EQ(mikey_mac(9, key1, 20, key1, 20, mac), -1);
}

/* The message of a PSK exchange's initiator with an AES-KW KEMAC: encoded
 * with the MAC field zero, then MACed over mikey_auth_len()'s range.
 */
static size_t build_psk(const uint8_t *psk, uint8_t *wire, size_t cap, uint8_t *enc,
			const uint8_t *tgk)
{
	static const uint8_t t[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, zero[20];
	static struct mikey_msg m;
	struct mikey_keydata k = { .type = MIKEY_KEY_TGK, .key = { tgk, 16 } };
	uint8_t plain[64], ekey[16], akey[20], salt[14] = { 0 };
	const char *why;
	size_t n, elen = 0;

	n = mikey_keydata_encode(&k, 1, plain, sizeof(plain), &why);	/* 20 bytes */
	plain[n++] = 0;	/* pad: AES-KW takes multiples of 8 (and key data */
	plain[n++] = 0;	/* parsing would refuse the padding: see below) */
	plain[n++] = 0;
	plain[n++] = 0;
	if (mikey_derive(psk, 16, MIKEY_C_ENC, MIKEY_CS_ID_NONE, 0x0badcafe, t, 8, ekey, 16) ||
	    mikey_derive(psk, 16, MIKEY_C_AUTH, MIKEY_CS_ID_NONE, 0x0badcafe, t, 8, akey, 20) ||
	    mikey_kemac_encrypt(MIKEY_ENC_AES_KW_128, ekey, salt, 0, t, plain, n, enc, &elen))
		return 0;
	memset(&m, 0, sizeof(m));
	m.hdr = (struct mikey_hdr){ .version = 1, .csb_id = 0x0badcafe, .ncs = 1 };
	m.hdr.cs[0].ssrc = 0x01020304;
	m.npl = 3;
	m.pl[0].type = MIKEY_PT_T;
	m.pl[0].u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, 0x0102030405060708ull };
	m.pl[1].type = MIKEY_PT_RAND;
	m.pl[1].u.rand = (struct mikey_bytes){ t, 8 };
	m.pl[2].type = MIKEY_PT_KEMAC;
	m.pl[2].u.kemac = (struct mikey_kemac){ MIKEY_ENC_AES_KW_128, { enc, elen },
						MIKEY_MAC_HMAC_SHA1_160, { zero, 20 } };
	n = mikey_encode(&m, wire, cap, &why);
	if (n < 20 || mikey_mac(MIKEY_MAC_HMAC_SHA1_160, akey, 20, wire, n - 20, wire + n - 20) != 20)
		return 0;
	return n;
}

static void test_psk_kemac_end_to_end(void)
{
	static const uint8_t psk[16] = "0123456789abcdef", tgk[16] = "TGK-TGK-TGK-TGK!";
	static struct mikey_msg m;
	uint8_t wire[256], enc[64], akey[20], ekey[16], salt[14] = { 0 }, plain[64];
	struct mikey_keydata k[2];
	const struct mikey_payload *km;
	const uint8_t *rand;
	const char *why = NULL;
	size_t n, cov, plen = 0, nk;

	n = build_psk(psk, wire, sizeof(wire), enc, tgk);
	KTAP_ASSERT(n > 0);
	KTAP_ASSERT_EQ(mikey_decode(wire, n, &m, &why), 0);
	km = mikey_find(&m, MIKEY_PT_KEMAC);
	KTAP_ASSERT(km && km == &m.pl[2]);
	cov = mikey_auth_len(&m, 2);
	KTAP_EXPECT_EQ(cov, n - 20);
	rand = m.pl[1].u.rand.p;
	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_AUTH, MIKEY_CS_ID_NONE, m.hdr.csb_id, rand,
				    8, akey, 20), 0);
	KTAP_EXPECT(mikey_mac_ok(km->u.kemac.mac_alg, akey, 20, wire, cov, km->u.kemac.mac.p, 20));
	KTAP_ASSERT_EQ(mikey_derive(psk, 16, MIKEY_C_ENC, MIKEY_CS_ID_NONE, m.hdr.csb_id, rand,
				    8, ekey, 16), 0);
	KTAP_ASSERT_EQ(mikey_kemac_decrypt(km->u.kemac.enc_alg, ekey, salt, 0, rand,
					   km->u.kemac.enc.p, km->u.kemac.enc.len, plain,
					   &plen), 0);
	KTAP_EXPECT_EQ(plen, 24);
	/* RFC 3830 leaves AES-KW padding to the key data lengths: 20 bytes here */
	KTAP_EXPECT_EQ(mikey_keydata_decode(plain, plen, k, 2, &nk, &why), -1);
	KTAP_ASSERT_EQ(mikey_keydata_decode(plain, 20, k, 2, &nk, &why), 0);
	KTAP_EXPECT(nk == 1 && k[0].type == MIKEY_KEY_TGK && k[0].key.len == 16 &&
		    !memcmp(k[0].key.p, tgk, 16));
	/* any covered byte changed, or the MAC itself, fails the check */
	wire[5] ^= 0x80;
	KTAP_EXPECT(!mikey_mac_ok(km->u.kemac.mac_alg, akey, 20, wire, cov, km->u.kemac.mac.p,
				  20));
	wire[5] ^= 0x80;
	wire[n - 1] ^= 1;
	KTAP_EXPECT(!mikey_mac_ok(km->u.kemac.mac_alg, akey, 20, wire, cov, km->u.kemac.mac.p,
				  20));
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_prf_ref),
	KTAP_TEST(test_derive_ref),
	KTAP_TEST(test_aes_kw_rfc3394),
	KTAP_TEST(test_aes_kw_ref),
	KTAP_TEST(test_aes_cm_ref),
	KTAP_TEST(test_hmac_rfc2202),
	KTAP_TEST(test_psk_kemac_end_to_end),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
