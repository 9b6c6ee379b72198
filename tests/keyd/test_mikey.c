// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the MIKEY codec (userspace-keyd/keyd/mikey_msg.c,
 * mikey_payload.c) on the hand-made messages of mikey_samples.h: decoded
 * fields byte by byte, exact re-encoding, every truncation refused, broken
 * lengths and chains refused, and Wireshark's dissector (tshark, an
 * independent reading of RFC 3830) agreeing on the same bytes.
 *
 *   test_mikey                  run the tests
 *   test_mikey --corpus DIR     write the samples as fuzz_mikey seeds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktap.h"
#include "tshark_util.h"
#include "mikey_msg.h"
#include "mikey_foreign.h"
#include "mikey_samples.h"

static struct mikey_msg msg, msg2;

static int decode_sample(size_t i, struct sbuf *s, struct mikey_msg *m)
{
	const char *why = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	samples[i](s);
	rc = mikey_decode(s->b, s->n, m, &why);
	if (rc)
		ktap_diag("sample %zu: %s", i, why);
	return rc;
}

static void test_psk_init_fields(void)
{
	const struct mikey_payload *pl;
	struct sbuf s;
	uint32_t v;

	KTAP_ASSERT_EQ(decode_sample(0, &s, &msg), 0);
	KTAP_EXPECT_EQ(msg.hdr.data_type, MIKEY_DT_PSK_INIT);
	KTAP_EXPECT(msg.hdr.v);
	KTAP_EXPECT_EQ_U(msg.hdr.csb_id, 0x12345678);
	KTAP_EXPECT_EQ(msg.hdr.ncs, 1);
	KTAP_EXPECT_EQ_U(msg.hdr.cs[0].ssrc, 0xdeadbeef);
	KTAP_EXPECT_EQ_U(msg.hdr.cs[0].roc, 1);
	KTAP_ASSERT_EQ(msg.npl, 4);
	KTAP_EXPECT_EQ(msg.pl[0].type, MIKEY_PT_T);
	KTAP_EXPECT_EQ_U(msg.pl[0].u.t.value, 0xe1f2a3b4c5d6e7f8ull);
	KTAP_EXPECT_EQ(msg.pl[1].u.rand.len, 16);
	KTAP_EXPECT_EQ(msg.pl[1].u.rand.p[15], 0x1f);
	pl = mikey_find(&msg, MIKEY_PT_SP);
	KTAP_ASSERT(pl);
	KTAP_EXPECT_EQ(pl->u.sp.nparams, 13);
	KTAP_EXPECT(mikey_sp_get(&pl->u.sp, MIKEY_SP_TAG_LEN, &v) && v == 10);
	KTAP_EXPECT(mikey_sp_get(&pl->u.sp, MIKEY_SP_SALT_LEN, &v) && v == 14);
	pl = mikey_find(&msg, MIKEY_PT_KEMAC);
	KTAP_ASSERT(pl);
	KTAP_EXPECT_EQ(pl->u.kemac.enc_alg, MIKEY_ENC_NULL);
	KTAP_EXPECT_EQ(pl->u.kemac.enc.len, 41);
	KTAP_EXPECT_EQ(pl->u.kemac.mac_alg, MIKEY_MAC_HMAC_SHA1_160);
	KTAP_EXPECT_EQ(pl->u.kemac.mac.len, 20);
	KTAP_EXPECT_EQ(pl->u.kemac.mac.p[0], 0xc0);
	KTAP_EXPECT_EQ(pl->off + pl->len, s.n);
}

static void test_dh_pk_fields(void)
{
	const struct mikey_payload *pl;
	struct sbuf s;

	KTAP_ASSERT_EQ(decode_sample(1, &s, &msg), 0);
	KTAP_EXPECT_EQ(msg.hdr.ncs, 2);
	KTAP_EXPECT_EQ_U(msg.hdr.cs[1].roc, 0x10000);
	KTAP_EXPECT_EQ(msg.hdr.cs[1].policy_no, 1);
	pl = mikey_find(&msg, MIKEY_PT_DH);
	KTAP_ASSERT(pl);
	KTAP_EXPECT_EQ(pl->u.dh.group, MIKEY_DH_OAKLEY2);
	KTAP_EXPECT_EQ(pl->u.dh.value.len, 128);
	KTAP_EXPECT_EQ(pl->u.dh.kv.type, MIKEY_KV_INTERVAL);
	KTAP_EXPECT(pl->u.dh.kv.from.len == 4 && pl->u.dh.kv.from.p[3] == 4);
	KTAP_EXPECT(pl->u.dh.kv.to.len == 4 && pl->u.dh.kv.to.p[3] == 8);
	KTAP_EXPECT_EQ(mikey_find(&msg, MIKEY_PT_CERT)->u.cert.data.len, sizeof(sample_cert));
	pl = &msg.pl[msg.npl - 1];
	KTAP_EXPECT(pl->type == MIKEY_PT_SIGN && pl->u.sign.s_type == MIKEY_SIGN_PSS);
	KTAP_EXPECT(pl->u.sign.sig.len == 128 && pl->u.sign.sig.p[127] == 0x80);

	KTAP_ASSERT_EQ(decode_sample(2, &s, &msg), 0);
	KTAP_EXPECT_EQ(msg.pl[0].u.t.ts_type, MIKEY_TS_COUNTER);
	KTAP_EXPECT_EQ_U(msg.pl[0].u.t.value, 42);
	pl = mikey_find(&msg, MIKEY_PT_ID);
	KTAP_EXPECT(pl->u.id.type == 1 && pl->u.id.data.len == 17 &&
		    !memcmp(pl->u.id.data.p, "sip:alice@example", 17));
	KTAP_EXPECT_EQ(mikey_find(&msg, MIKEY_PT_KEMAC)->u.kemac.enc_alg, MIKEY_ENC_AES_KW_128);
	pl = mikey_find(&msg, MIKEY_PT_PKE);
	KTAP_EXPECT(pl->u.pke.cache == 1 && pl->u.pke.data.len == 128);
	pl = &msg.pl[msg.npl - 1];
	KTAP_EXPECT(pl->u.sign.s_type == MIKEY_SIGN_PKCS1 && pl->u.sign.sig.len == 64);
}

static void test_other_fields(void)
{
	const struct mikey_payload *pl;
	struct mikey_key_id ids[4];
	const char *why;
	struct sbuf s;
	size_t n;

	KTAP_ASSERT_EQ(decode_sample(4, &s, &msg), 0);
	KTAP_ASSERT_EQ(msg.npl, 4);
	KTAP_EXPECT(msg.pl[1].u.err.err_no == 1 && msg.pl[2].u.err.err_no == 10);
	KTAP_EXPECT(msg.pl[3].type == MIKEY_PT_V && msg.pl[3].u.v.mac.len == 20);

	KTAP_ASSERT_EQ(decode_sample(5, &s, &msg), 0);
	KTAP_EXPECT_EQ(msg.hdr.data_type, MIKEY_DT_DHHMAC_INIT);
	pl = mikey_find(&msg, MIKEY_PT_DH);
	KTAP_EXPECT(pl->u.dh.group == MIKEY_DH_OAKLEY5 && pl->u.dh.value.len == 192);
	pl = &msg.pl[msg.npl - 1];
	KTAP_EXPECT(pl->type == MIKEY_PT_KEMAC && pl->u.kemac.enc.len == 0);

	KTAP_ASSERT_EQ(decode_sample(6, &s, &msg), 0);
	KTAP_EXPECT_EQ(msg.hdr.data_type, MIKEY_DT_RSAR_INIT);
	KTAP_EXPECT(msg.pl[2].u.ext.type == 0 && msg.pl[3].u.ext.type == 7);
	KTAP_ASSERT_EQ(msg.pl[4].u.ext.type, MIKEY_EXT_KEY_ID);
	KTAP_ASSERT_EQ(mikey_key_id_decode(msg.pl[4].u.ext.data, ids, 4, &n, &why), 0);
	KTAP_EXPECT_EQ(n, 2);
	KTAP_EXPECT(ids[0].type == 1 && ids[0].id.len == 4 && ids[0].id.p[0] == 0xab);
	KTAP_EXPECT(ids[1].type == 2 && ids[1].id.len == 2 && ids[1].id.p[1] == 0x66);

	KTAP_ASSERT_EQ(decode_sample(7, &s, &msg), 0);
	KTAP_EXPECT(msg.hdr.map_type == MIKEY_MAP_EMPTY && msg.hdr.ncs == 2 && msg.npl == 2);
	pl = mikey_find(&msg, MIKEY_PT_CHASH);
	KTAP_EXPECT(pl && pl->u.chash.func == MIKEY_CHASH_SHA1 && pl->u.chash.hash.len == 20);
}

static void test_roundtrip(void)
{
	uint8_t out[1024];
	const char *why = NULL;
	struct sbuf s;
	size_t i, n;

	for (i = 0; i < NSAMPLES; i++) {
		KTAP_ASSERT_EQ(decode_sample(i, &s, &msg), 0);
		n = mikey_encode(&msg, out, sizeof(out), &why);
		if (!KTAP_EXPECT_EQ(n, s.n))
			ktap_diag("sample %zu: %s", i, n ? "length" : why);
		KTAP_EXPECT(n == s.n && !memcmp(out, s.b, n));
		/* one byte short of room is refused, not overrun */
		KTAP_EXPECT_EQ(mikey_encode(&msg, out, s.n - 1, &why), 0);
	}
}

/* Every proper prefix and one extra byte are refused (ASan watches reads:
 * the prefix is copied to a buffer of exactly its length).
 */
static void test_truncations(void)
{
	const char *why;
	struct sbuf s;
	size_t i, len;

	for (i = 0; i < NSAMPLES; i++) {
		KTAP_ASSERT_EQ(decode_sample(i, &s, &msg), 0);
		for (len = 0; len < s.n; len++) {
			uint8_t *p = malloc(len ? len : 1);

			memcpy(p, s.b, len);
			if (!KTAP_EXPECT(mikey_decode(p, len, &msg, &why) == -1))
				ktap_diag("sample %zu accepted at %zu of %zu bytes", i, len, s.n);
			free(p);
		}
		s.b[s.n] = 0;
		KTAP_EXPECT_EQ(mikey_decode(s.b, s.n + 1, &msg, &why), -1);
	}
}

/* Sample i with byte at off set to val must be refused. */
static void expect_refused(size_t i, size_t off, uint8_t val, const char *what)
{
	const char *why = NULL;
	struct sbuf s;

	memset(&s, 0, sizeof(s));
	samples[i](&s);
	s.b[off] = val;
	if (!KTAP_EXPECT(mikey_decode(s.b, s.n, &msg, &why) == -1))
		ktap_diag("%s accepted", what);
	else
		ktap_diag("%s: %s", what, why);
}

/* The offset of sample i's payload k. */
static size_t pl_off(size_t i, size_t k)
{
	struct sbuf s;

	decode_sample(i, &s, &msg);
	return msg.pl[k].off;
}

static void test_bad_fields(void)
{
	struct sbuf s;
	const char *why;
	size_t off;

	expect_refused(0, 0, 2, "version 2");
	expect_refused(0, 9, 5, "unknown CS ID map type");
	expect_refused(0, 2, 13, "unknown payload type 13");
	expect_refused(0, 2, 20, "key data at the top level");
	expect_refused(0, 8, 200, "#CS larger than the message");
	expect_refused(0, pl_off(0, 0) + 1, 3, "unknown timestamp type");
	expect_refused(1, pl_off(1, 3) + 1, 3, "unknown DH group");
	expect_refused(1, pl_off(1, 3) + 2 + 128, 0x03, "unknown key validity type");
	expect_refused(3, pl_off(3, 2) + 1, 5, "unknown V MAC algorithm");
	expect_refused(0, pl_off(0, 3) + 4 + 41, 7, "unknown KEMAC MAC algorithm");
	expect_refused(7, pl_off(7, 1) + 1, 2, "unknown CHASH function");
	/* the last SP parameter's length runs one past the parameters */
	expect_refused(0, pl_off(0, 2) + 5 + 37, 2, "SP parameter past its payload");
	/* a KEMAC data length past the message, and one short of it */
	off = pl_off(0, 3);
	expect_refused(0, off + 2, 0xff, "KEMAC length 0xff29");
	expect_refused(0, off + 3, 40, "KEMAC length one short");
	/* the first RFC 4563 Key ID one byte longer than its extension */
	expect_refused(6, pl_off(6, 4) + 6, 10, "Key ID past its extension");
	/* 33 RAND payloads: more than MIKEY_MAX_PAYLOADS; 31 are fine */
	memset(&s, 0, sizeof(s));
	hdr(&s, 0, 11, 0, 1, 0, 0);
	for (size_t i = 0; i < 33; i++)
		put(&s, 2, i < 32 ? 11 : 0, 0);
	KTAP_EXPECT_EQ(mikey_decode(s.b, s.n, &msg, &why), -1);
	s.n = 10 + 31 * 2;
	s.b[s.n - 2] = 0;
	KTAP_EXPECT_EQ(mikey_decode(s.b, s.n, &msg, &why), 0);
	KTAP_EXPECT_EQ(msg.npl, 31);
}

static void test_encode_rules(void)
{
	uint8_t out[1024];
	const char *why = NULL;
	struct sbuf s;

	KTAP_ASSERT_EQ(decode_sample(1, &s, &msg), 0);
	msg2 = msg;
	/* SIGN anywhere but last */
	msg2.pl[msg2.npl - 1] = msg.pl[0];
	msg2.pl[0] = msg.pl[msg.npl - 1];
	KTAP_EXPECT_EQ(mikey_encode(&msg2, out, sizeof(out), &why), 0);
	msg2 = msg;
	msg2.pl[3].u.dh.value.len = 127;
	KTAP_EXPECT_EQ(mikey_encode(&msg2, out, sizeof(out), &why), 0);
	msg2 = msg;
	msg2.pl[0].type = MIKEY_PT_KEYDATA;
	KTAP_EXPECT_EQ(mikey_encode(&msg2, out, sizeof(out), &why), 0);
	msg2 = msg;
	msg2.pl[msg2.npl - 1].u.sign.sig.len = 0x1000;
	KTAP_EXPECT_EQ(mikey_encode(&msg2, out, sizeof(out), &why), 0);
	msg2 = msg;
	msg2.hdr.version = 2;
	KTAP_EXPECT_EQ(mikey_encode(&msg2, out, sizeof(out), &why), 0);
}

static void test_keydata(void)
{
	struct mikey_keydata k[4];
	const struct mikey_payload *pl;
	uint8_t out[128], gst[34];
	const char *why = NULL;
	struct sbuf s;
	size_t n, len;

	KTAP_ASSERT_EQ(decode_sample(0, &s, &msg), 0);
	pl = mikey_find(&msg, MIKEY_PT_KEMAC);
	KTAP_ASSERT_EQ(mikey_keydata_decode(pl->u.kemac.enc.p, pl->u.kemac.enc.len, k, 4, &n,
					    &why), 0);
	KTAP_ASSERT_EQ(n, 1);
	KTAP_EXPECT_EQ(k[0].type, MIKEY_KEY_TEK_SALT);
	KTAP_EXPECT(k[0].key.len == 16 && k[0].key.p[0] == 0xa0 && k[0].key.p[15] == 0xaf);
	KTAP_EXPECT(k[0].salt.len == 14 && k[0].salt.p[13] == 0xbd);
	KTAP_EXPECT(k[0].kv.type == MIKEY_KV_SPI && k[0].kv.spi.len == 4 && k[0].kv.spi.p[3] == 1);
	len = mikey_keydata_encode(k, n, out, sizeof(out), &why);
	KTAP_EXPECT(len == pl->u.kemac.enc.len && !memcmp(out, pl->u.kemac.enc.p, len));
	for (len = 0; len < pl->u.kemac.enc.len; len++)
		KTAP_EXPECT_EQ(mikey_keydata_decode(pl->u.kemac.enc.p, len, k, 4, &n, &why), -1);
	/* GStreamer's: one TEK of key||salt, 30 bytes, no salt field, KV NULL */
	memset(gst, 0x5a, sizeof(gst));
	gst[0] = 0;
	gst[1] = 0x20;
	gst[2] = 0;
	gst[3] = 30;
	KTAP_ASSERT_EQ(mikey_keydata_decode(gst, sizeof(gst), k, 4, &n, &why), 0);
	KTAP_EXPECT(n == 1 && k[0].type == MIKEY_KEY_TEK && k[0].key.len == 30 && !k[0].salt.len);
	gst[0] = MIKEY_PT_RAND;	/* anything but key data inside a KEMAC */
	KTAP_EXPECT_EQ(mikey_keydata_decode(gst, sizeof(gst), k, 4, &n, &why), -1);
}

static void test_auth_len(void)
{
	struct sbuf s;

	KTAP_ASSERT_EQ(decode_sample(0, &s, &msg), 0);
	KTAP_EXPECT_EQ(mikey_auth_len(&msg, 3), s.n - 20);
	KTAP_EXPECT_EQ(mikey_auth_len(&msg, 0), 0);
	KTAP_EXPECT_EQ(mikey_auth_len(&msg, 9), 0);
	KTAP_ASSERT_EQ(decode_sample(1, &s, &msg), 0);
	/* the signature covers S type and length: all but the last 128 bytes */
	KTAP_EXPECT_EQ(mikey_auth_len(&msg, msg.npl - 1), s.n - 128);
	KTAP_ASSERT_EQ(decode_sample(3, &s, &msg), 0);
	KTAP_EXPECT_EQ(mikey_auth_len(&msg, msg.npl - 1), s.n - 20);
}

/* tshark's fields for sample i, one packet, separator ';'. */
static int sample_fields(size_t i, const char *fields, char *out, size_t cap)
{
	struct sbuf s;

	memset(&s, 0, sizeof(s));
	samples[i](&s);
	return tshark_fields(s.b, s.n, "mikey", fields, out, cap);
}

/* What tshark should print for a decoded message: data type; CSB ID; every
 * next payload field (HDR's, then each payload's but SIGN's, which has
 * none); and empty malformed and expert fields.
 */
static void expect_fields(const struct mikey_msg *m, char *want, size_t cap)
{
	int n = snprintf(want, cap, "%u;0x%08x;%u", m->hdr.data_type, m->hdr.csb_id,
			 m->npl ? m->pl[0].type : 0);
	size_t j;

	for (j = 0; j < m->npl; j++)
		if (m->pl[j].type != MIKEY_PT_SIGN)
			n += snprintf(want + n, cap - n, ",%u",
				      j + 1 < m->npl ? m->pl[j + 1].type : 0);
	snprintf(want + n, cap - n, ";;");
}

static void test_tshark(void)
{
	char got[4096], want[256];
	struct sbuf s;
	size_t i;

	if (!tshark_have()) {
		ktap_diag("SKIP: tshark/text2pcap not installed (apt-get install tshark)");
		return;
	}
	/* sample 7 uses RFC 4563's empty map, which tshark 4.0 does not know */
	for (i = 0; i + 1 < NSAMPLES; i++) {
		KTAP_ASSERT_EQ(decode_sample(i, &s, &msg), 0);
		KTAP_ASSERT_EQ(sample_fields(i, "-e mikey.type -e mikey.csb_id "
					     "-e mikey.next_payload -e _ws.malformed "
					     "-e _ws.expert", got, sizeof(got)), 0);
		expect_fields(&msg, want, sizeof(want));
		if (!KTAP_EXPECT(!strcmp(got, want)))
			ktap_diag("sample %zu: tshark says '%s', want '%s'", i, got, want);
	}
}

/* Messages from elsewhere decode with the fields tshark shows, and re-encode. */
static void test_foreign(void)
{
	const struct mikey_payload *pl;
	uint8_t out[512];
	const char *why = NULL;
	uint32_t v;

	KTAP_ASSERT_EQ(mikey_decode(ext_sip_psk, sizeof(ext_sip_psk), &msg, &why), 0);
	KTAP_EXPECT(msg.hdr.data_type == MIKEY_DT_PSK_INIT && msg.hdr.csb_id == 0x12345678);
	KTAP_EXPECT_EQ_U(msg.hdr.cs[0].ssrc, 0xdeadbeef);
	KTAP_ASSERT_EQ(msg.npl, 4);
	pl = mikey_find(&msg, MIKEY_PT_SP);
	KTAP_EXPECT(pl && pl->u.sp.nparams == 6);
	KTAP_EXPECT(pl && mikey_sp_get(&pl->u.sp, MIKEY_SP_AUTH_KEY_LEN, &v) && v == 20);
	pl = mikey_find(&msg, MIKEY_PT_KEMAC);
	KTAP_EXPECT(pl && pl->u.kemac.enc_alg == MIKEY_ENC_NULL && pl->u.kemac.enc.len == 36 &&
		    pl->u.kemac.mac_alg == MIKEY_MAC_NULL);
	KTAP_EXPECT_EQ(mikey_encode(&msg, out, sizeof(out), &why), sizeof(ext_sip_psk));
	KTAP_EXPECT(!memcmp(out, ext_sip_psk, sizeof(ext_sip_psk)));

	KTAP_ASSERT_EQ(mikey_decode(ext_dh_init, sizeof(ext_dh_init), &msg, &why), 0);
	KTAP_EXPECT_EQ(msg.hdr.data_type, MIKEY_DT_DH_INIT);
	pl = mikey_find(&msg, MIKEY_PT_DH);
	KTAP_EXPECT(pl && pl->u.dh.group == MIKEY_DH_OAKLEY1 && pl->u.dh.value.len == 96 &&
		    pl->u.dh.kv.type == MIKEY_KV_NULL);
	pl = &msg.pl[msg.npl - 1];
	KTAP_EXPECT(pl->type == MIKEY_PT_SIGN && pl->u.sign.s_type == MIKEY_SIGN_PKCS1 &&
		    pl->off + 2 + pl->u.sign.sig.len == sizeof(ext_dh_init));
	KTAP_EXPECT_EQ(mikey_encode(&msg, out, sizeof(out), &why), sizeof(ext_dh_init));
	KTAP_EXPECT(!memcmp(out, ext_dh_init, sizeof(ext_dh_init)));
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_psk_init_fields),
	KTAP_TEST(test_dh_pk_fields),
	KTAP_TEST(test_other_fields),
	KTAP_TEST(test_roundtrip),
	KTAP_TEST(test_truncations),
	KTAP_TEST(test_bad_fields),
	KTAP_TEST(test_encode_rules),
	KTAP_TEST(test_keydata),
	KTAP_TEST(test_auth_len),
	KTAP_TEST(test_tshark),
	KTAP_TEST(test_foreign),
};

static int write_corpus(const char *dir)
{
	char path[512];
	struct sbuf s;
	size_t i;

	for (i = 0; i < NSAMPLES; i++) {
		FILE *f;

		memset(&s, 0, sizeof(s));
		samples[i](&s);
		snprintf(path, sizeof(path), "%s/sample%zu", dir, i);
		f = fopen(path, "w");
		if (!f || fwrite(s.b, 1, s.n, f) != s.n || fclose(f))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	return KTAP_MAIN(tests);
}
