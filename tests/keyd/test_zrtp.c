// SPDX-License-Identifier: GPL-2.0
/*
 * The ZRTP codec (userspace-keyd/keyd/zrtp_msg.c): CRC-32c against its
 * published check value; the eleven packets two bzrtp endpoints exchanged
 * (zrtp_samples.h) decoded with their fields and re-encoded byte for byte;
 * every prefix, an extra byte and every single bit flip refused; length,
 * preamble, type and per-type layouts refused with the CRC made good; each
 * of the sixteen types (Commit in its three forms) built, decoded back and
 * dissected by tshark with a good checksum and nothing malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "tshark_util.h"
#include "zrtp_msg.h"
#include "zrtp_samples.h"

#define NSAMPLES (sizeof(zrtp_samples) / sizeof(zrtp_samples[0]))

static uint8_t buf[2048];

static size_t sample(size_t i, uint8_t *out)
{
	const char *h = zrtp_samples[i];
	size_t n = 0;
	unsigned int v;

	while (h[2 * n] && sscanf(h + 2 * n, "%2x", &v) == 1)
		out[n++] = (uint8_t)v;
	return n;
}

/* Recompute the CRC of a packet whose bytes a test changed. */
static void fix_crc(uint8_t *b, size_t n)
{
	uint32_t c = zrtp_crc32c(b, n - 4);

	b[n - 4] = (uint8_t)c;
	b[n - 3] = (uint8_t)(c >> 8);
	b[n - 2] = (uint8_t)(c >> 16);
	b[n - 1] = (uint8_t)(c >> 24);
}

static void test_crc32c(void)
{
	/* the CRC-32c check value (RFC 3720 B.4's polynomial) */
	KTAP_EXPECT_EQ_U(zrtp_crc32c((const uint8_t *)"123456789", 9), 0xE3069283u);
	KTAP_EXPECT_EQ_U(zrtp_crc32c(NULL, 0), 0);
}

static void test_bzrtp_packets(void)
{
	static const enum zrtp_type want[] = {
		ZRTP_HELLO, ZRTP_HELLOACK, ZRTP_HELLO, ZRTP_HELLOACK, ZRTP_COMMIT, ZRTP_COMMIT,
		ZRTP_DHPART1, ZRTP_DHPART2, ZRTP_CONFIRM1, ZRTP_CONFIRM2, ZRTP_CONF2ACK,
	};
	struct zrtp_packet p;
	uint8_t out[2048];
	const char *why;
	size_t i, n;

	KTAP_ASSERT_EQ(NSAMPLES, 11);
	for (i = 0; i < NSAMPLES; i++) {
		n = sample(i, buf);
		why = "";
		if (!KTAP_EXPECT_EQ(zrtp_decode(buf, n, &p, &why), 0)) {
			ktap_diag("sample %zu: %s", i, why);
			continue;
		}
		KTAP_EXPECT_EQ(p.msg.type, want[i]);
		KTAP_EXPECT(zrtp_is_packet(buf, n));
		KTAP_EXPECT_EQ(p.raw.len, n - ZRTP_HDR_LEN - ZRTP_CRC_LEN);
		KTAP_EXPECT_EQ(zrtp_encode(&p, out, sizeof(out), &why), n);
		KTAP_EXPECT(!memcmp(out, buf, n));
	}
}

/* What the bzrtp packets say, field by field. */
static void test_bzrtp_fields(void)
{
	struct zrtp_packet hello, commit, dh1;
	const struct zrtp_hello *h = &hello.msg.u.hello;
	size_t k, n;
	bool x255 = false;

	n = sample(0, buf);
	KTAP_ASSERT_EQ(zrtp_decode(buf, n, &hello, NULL), 0);
	KTAP_EXPECT(!memcmp(h->version, "1.10", 4));
	KTAP_EXPECT(!memcmp(h->cid, "BZRTP", 5));
	KTAP_EXPECT_EQ_U(hello.ssrc, 0xbbbb0002u);
	KTAP_EXPECT(h->n[ZRTP_HASH] >= 1 && h->alg[ZRTP_HASH][0] == ZRTP_ALG("S256"));
	for (k = 0; k < h->n[ZRTP_KA]; k++)
		x255 |= h->alg[ZRTP_KA][k] == ZRTP_ALG("X255");
	KTAP_EXPECT(x255);
	/* the Commit of the same endpoint: its ZID, one offered algorithm each */
	n = sample(4, buf);
	KTAP_ASSERT_EQ(zrtp_decode(buf, n, &commit, NULL), 0);
	KTAP_EXPECT_EQ_U(commit.ssrc, 0xbbbb0002u);
	KTAP_EXPECT(!memcmp(commit.msg.u.commit.zid, h->zid, ZRTP_ZID_LEN));
	KTAP_EXPECT_EQ(commit.msg.u.commit.kind, ZRTP_COMMIT_DH);
	KTAP_EXPECT_EQ_U(commit.msg.u.commit.hash, ZRTP_ALG("S256"));
	/* DHPart1's public value: 32 bytes for X255 */
	n = sample(6, buf);
	KTAP_ASSERT_EQ(zrtp_decode(buf, n, &dh1, NULL), 0);
	ktap_diag("key agreement %.4s, pv %zu bytes", (const char *)(uint8_t[]){
		(uint8_t)(commit.msg.u.commit.ka >> 24), (uint8_t)(commit.msg.u.commit.ka >> 16),
		(uint8_t)(commit.msg.u.commit.ka >> 8), (uint8_t)commit.msg.u.commit.ka },
		dh1.msg.u.dhpart.pv.len);
	KTAP_EXPECT(commit.msg.u.commit.ka != ZRTP_ALG("X255") || dh1.msg.u.dhpart.pv.len == 32);
}

/* Every prefix, one more byte and every single flipped bit: refused. */
static void test_truncated_and_flipped(void)
{
	struct zrtp_packet p;
	size_t i, n, j, refused = 0, tried = 0;
	int b;

	for (i = 0; i < NSAMPLES; i++) {
		n = sample(i, buf);
		for (j = 0; j < n; j++, tried++)
			refused += zrtp_decode(buf, j, &p, NULL) == -1;
		buf[n] = 0;
		refused += zrtp_decode(buf, n + 1, &p, NULL) == -1;
		tried++;
		for (j = 0; j < n; j++)
			for (b = 0; b < 8; b++, tried++) {
				buf[j] ^= (uint8_t)(1 << b);
				refused += zrtp_decode(buf, n, &p, NULL) == -1;
				buf[j] ^= (uint8_t)(1 << b);
			}
	}
	ktap_diag("%zu of %zu altered packets refused", refused, tried);
	KTAP_EXPECT_EQ(refused, tried);
}

/* Layouts refused although the CRC is good: the reason each time. */
static void test_layouts_refused(void)
{
	static const struct { size_t sample, at; uint8_t xor; const char *why; } cases[] = {
		{ 0, 12, 0x01, "no ZRTP preamble" },
		{ 0, 15, 0x01, "message length does not fill the packet" },
		{ 0, 16, 0x20, "unknown message type" },
		{ 0, 4, 0x01, "no ZRTP header (0x1, magic cookie)" },
		{ 0, 89, 0x0f, "Hello lists more than 7 algorithms of a kind" },	/* hc */
		{ 0, 89, 0x01, "Hello length does not match its algorithm counts" },
	};
	struct zrtp_packet p;
	const char *why;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = sample(cases[i].sample, buf);
		buf[cases[i].at] ^= cases[i].xor;
		fix_crc(buf, n);
		why = "";
		KTAP_EXPECT_EQ(zrtp_decode(buf, n, &p, &why), -1);
		if (!KTAP_EXPECT(!strcmp(why, cases[i].why)))
			ktap_diag("case %zu: '%s'", i, why);
	}
	/* a DH Commit's length claiming Multistream */
	n = sample(4, buf);
	memcpy(buf + 12 + 68, "Mult", 4);
	fix_crc(buf, n);
	KTAP_EXPECT_EQ(zrtp_decode(buf, n, &p, &why), -1);
	KTAP_EXPECT(!strcmp(why, "Commit length does not match its key agreement (DH, Mult, Prsh)"));
}

/* One message of each type (Commit in its three forms), as the tests build them. */
static size_t build(enum zrtp_type t, int variant, struct zrtp_packet *p, uint8_t *out)
{
	static const uint8_t pv[32] = { 1, 2, 3 }, enc[48] = { 9, 8, 7 };
	static const char *const kas[] = { "X255", "Mult", "Prsh" };
	struct zrtp_msg *m = &p->msg;

	memset(p, 0, sizeof(*p));
	p->seq = (uint16_t)(0x100 + t);
	p->ssrc = 0xfeed0000u + (uint32_t)t;
	m->type = t;
	switch (t) {
	case ZRTP_HELLO:
		memcpy(m->u.hello.version, "1.10", 4);
		memcpy(m->u.hello.cid, "ksrtp-keyd      ", 16);
		m->u.hello.zid[0] = 0x5a;
		m->u.hello.mitm = true;
		m->u.hello.n[ZRTP_HASH] = 2;
		m->u.hello.alg[ZRTP_HASH][0] = ZRTP_ALG("S384");
		m->u.hello.alg[ZRTP_HASH][1] = ZRTP_ALG("S256");
		m->u.hello.n[ZRTP_KA] = 1;
		m->u.hello.alg[ZRTP_KA][0] = ZRTP_ALG("X255");
		m->u.hello.n[ZRTP_SAS] = 1;
		m->u.hello.alg[ZRTP_SAS][0] = ZRTP_ALG("B256");
		break;
	case ZRTP_COMMIT:
		m->u.commit.hash = ZRTP_ALG("S256");
		m->u.commit.cipher = ZRTP_ALG("AES1");
		m->u.commit.auth = ZRTP_ALG("HS80");
		m->u.commit.ka = ZRTP_ALG(kas[variant]);
		m->u.commit.sas = ZRTP_ALG("B32 ");
		m->u.commit.hvi[31] = 0x77;
		m->u.commit.nonce[0] = 0x66;
		m->u.commit.key_id[7] = 0x55;
		break;
	case ZRTP_DHPART1:
	case ZRTP_DHPART2:
		m->u.dhpart.pv = (struct zrtp_bytes){ pv, sizeof(pv) };
		m->u.dhpart.rs2id[0] = 0x44;
		break;
	case ZRTP_CONFIRM1:
	case ZRTP_CONFIRM2:
	case ZRTP_SASRELAY:
		m->u.sealed.enc = (struct zrtp_bytes){ enc, sizeof(enc) };
		m->u.sealed.iv[15] = 0x33;
		break;
	case ZRTP_ERROR:
		m->u.error = 0x61;	/* DH Error: bad pvi or pvr */
		break;
	case ZRTP_PING:
	case ZRTP_PINGACK:
		memcpy(m->u.ping.version, "1.10", 4);
		m->u.ping.ep[0] = 0x22;
		m->u.ping.ep_rx[0] = 0x11;
		m->u.ping.ssrc = 0x12345678;
		break;
	default:
		break;
	}
	return zrtp_encode(p, out, 2048, NULL);
}

static void test_every_type(void)
{
	struct zrtp_packet p, q;
	char got[512], want[128];
	uint8_t out[2048];
	bool ts = tshark_have();
	int t, v;
	size_t n;

	if (!ts)
		ktap_diag("tshark/text2pcap not installed: encoding checked without it");
	for (t = 0; t < ZRTP_NTYPES; t++)
		for (v = 0; v < (t == ZRTP_COMMIT ? 3 : 1); v++) {
			n = build((enum zrtp_type)t, v, &p, out);
			if (!KTAP_EXPECT(n > 0))
				continue;
			KTAP_ASSERT_EQ(zrtp_decode(out, n, &q, NULL), 0);
			KTAP_EXPECT_EQ(q.msg.type, t);
			KTAP_EXPECT_EQ(q.seq, p.seq);
			KTAP_EXPECT(t != ZRTP_COMMIT || q.msg.u.commit.kind == (enum zrtp_commit_kind)v);
			KTAP_EXPECT(t != ZRTP_PINGACK || q.msg.u.ping.ssrc == 0x12345678);
			KTAP_EXPECT(t != ZRTP_HELLO || (q.msg.u.hello.mitm && q.msg.u.hello.n[ZRTP_HASH] == 2 &&
				    q.msg.u.hello.alg[ZRTP_HASH][1] == ZRTP_ALG("S256")));
			if (!ts)
				continue;
			KTAP_ASSERT_EQ(tshark_fields(out, n, "zrtp", "-e zrtp.type -e "
						     "zrtp.checksum.status -e _ws.malformed",
						     got, sizeof(got)), 0);
			snprintf(want, sizeof(want), "%s;1;", zrtp_type_name((enum zrtp_type)t));
			if (!KTAP_EXPECT(!strcmp(got, want)))
				ktap_diag("%s: tshark says '%s', want '%s'",
					  zrtp_type_name((enum zrtp_type)t), got, want);
		}
}

static void test_confirm_body(void)
{
	static const uint8_t sig[8] = { 'P', 'G', 'P', ' ', 1, 2, 3, 4 };
	struct zrtp_confirm_body b = { .sas_verified = true, .allow_clear = true,
				       .cache_expiry = 0xffffffffu, .sig = { sig, sizeof(sig) } }, c;
	uint8_t out[64];
	const char *why = NULL;
	size_t n;

	b.h0[0] = 0xab;
	n = zrtp_confirm_body_encode(&b, out, sizeof(out), &why);
	KTAP_ASSERT_EQ(n, 48);
	KTAP_ASSERT_EQ(zrtp_confirm_body_decode(out, n, &c, &why), 0);
	KTAP_EXPECT(c.sas_verified && c.allow_clear && !c.pbx_enroll && !c.disclosure);
	KTAP_EXPECT_EQ(c.sig_words, 2);
	KTAP_EXPECT_EQ_U(c.cache_expiry, 0xffffffffu);
	KTAP_EXPECT(!memcmp(c.sig.p, sig, sizeof(sig)));
	KTAP_EXPECT_EQ(zrtp_confirm_body_decode(out, n - 4, &c, &why), -1);
	KTAP_EXPECT(!strcmp(why, "Confirm body length does not match its signature length"));
	b.sig.len = 6;
	KTAP_EXPECT_EQ(zrtp_confirm_body_encode(&b, out, sizeof(out), &why), 0);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_crc32c),
	KTAP_TEST(test_bzrtp_packets),
	KTAP_TEST(test_bzrtp_fields),
	KTAP_TEST(test_truncated_and_flipped),
	KTAP_TEST(test_layouts_refused),
	KTAP_TEST(test_every_type),
	KTAP_TEST(test_confirm_body),
};

int main(int argc, char **argv)
{
	struct zrtp_packet p;
	uint8_t out[2048];
	char path[512];
	size_t n, i;
	int t, v;
	FILE *f;

	/* --corpus DIR: the bzrtp packets and one of each type, for fuzz_zrtp */
	if (argc == 3 && !strcmp(argv[1], "--corpus")) {
		for (i = 0; i < NSAMPLES; i++) {
			n = sample(i, buf);
			snprintf(path, sizeof(path), "%s/bzrtp-%02zu", argv[2], i);
			f = fopen(path, "wb");
			if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
				return 1;
		}
		for (t = 0; t < ZRTP_NTYPES; t++)
			for (v = 0; v < (t == ZRTP_COMMIT ? 3 : 1); v++) {
				n = build((enum zrtp_type)t, v, &p, out);
				snprintf(path, sizeof(path), "%s/type-%02d-%d", argv[2], t, v);
				f = fopen(path, "wb");
				if (!n || !f || fwrite(out, 1, n, f) != n || fclose(f))
					return 1;
			}
		return 0;
	}
	return KTAP_MAIN(tests);
}
