// SPDX-License-Identifier: GPL-2.0
/*
 * Key derivation rate != 0 (RFC 3711 4.3.1). The OpenSSL reference
 * (srtp_ossl.h, checked against the independent Python vectors in
 * ksrtp_kat) derives each packet's session keys from r = index >> log2(KDR):
 * what ksrtp sends across an epoch boundary must equal it byte for byte,
 * what it protects must be accepted, a rekey mid-stream must start in the
 * stream's epoch, the epochs must follow a stream at full rate without a
 * drop, and the rates and contexts the module does not take are refused
 * with a reason.
 */
#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

FIXTURE(kdr) {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer;
	uint64_t cookie;
	const struct suite_desc *s;
	struct ossl_srtp ref;
	uint8_t key[46];
};

FIXTURE_VARIANT(kdr) {
	uint32_t suite;
	int log2, cipher;	/* srtp_ossl.h: 0 NULL, 1 AES-CM, 3 AES-f8 */
	uint32_t roc;		/* the stream starts at ROC roc, SEQ 65533 */
};

#define KDR(n, id, l, c, r) FIXTURE_VARIANT_ADD(kdr, n) { \
	.suite = id, .log2 = l, .cipher = c, .roc = r }
KDR(aes_cm_128_80_2e16, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 16, 1, 7);
KDR(aes_256_cm_32_2e16, KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32, 16, 1, 0x20);
KDR(f8_128_80_2e16, KSRTP_SUITE_F8_128_HMAC_SHA1_80, 16, 3, 3);
KDR(null_32_2e16, KSRTP_SUITE_NULL_HMAC_SHA1_32, 16, 0, 1);
KDR(aes_cm_128_32_2e24, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 24, 1, 0x1ff);

FIXTURE_SETUP(kdr)
{
	struct nl_reply r;

	ASSERT_EQ(0, kn_open(&self->k));
	self->s = suite_by_id(variant->suite);
	ASSERT_EQ(0, udp_pair(AF_INET, true, &self->peer, &self->peer_addr,
			      &self->app, &self->app_addr));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	key_fill(self->key, sizeof(self->key), 0x70 + variant->suite);
	ASSERT_EQ(0, ossl_init(&self->ref, self->s->key_len, self->s->salt_len,
			       self->s->srtp_tag, self->s->srtcp_tag,
			       variant->cipher, self->key));
}

FIXTURE_TEARDOWN(kdr)
{
	close(self->app);
	close(self->peer);
	close(self->k.fd);
}

static struct ctx_spec kdr_spec(FIXTURE_DATA(kdr) *self,
				const FIXTURE_VARIANT(kdr) *variant, uint32_t dir)
{
	struct ctx_spec c = {
		.cookie = self->cookie, .dir = dir, .ssrc = 0xd0d00000 + dir,
		.suite = variant->suite, .key = self->key, .roc = variant->roc,
		.seq = 65533, .kdr = 1u << variant->log2,
	};
	return c;
}

/* The index of the i-th packet from SEQ 65533 at ROC roc: across a wrap. */
static uint64_t kdr_index(uint32_t roc, int i)
{
	uint16_t seq = 65533 + i;

	return ((uint64_t)(roc + (seq < 100)) << 16) | seq;
}

/* Protect plain as the reference does with the keys of index's epoch. */
static int ref_rtp(struct ossl_srtp *ref, const uint8_t *key, int log2,
		   uint8_t *p, int n, int hdr, uint32_t ssrc, uint64_t index)
{
	if (ossl_epoch(ref, key, 0, index >> log2))
		return -1;
	return ossl_protect_rtp(ref, p, n, hdr, ssrc, index, NULL, 0);
}

static int ref_rtcp(struct ossl_srtp *ref, const uint8_t *key, int log2,
		    uint8_t *p, int n, uint32_t ssrc, uint32_t index)
{
	if (ossl_epoch(ref, key, 1, index >> log2))
		return -1;
	return ossl_protect_rtcp(ref, p, n, ssrc, index, ref->cipher != 0,
				 NULL, 0);
}

/* ksrtp's SRTP across an epoch boundary and its SRTCP equal the reference's. */
TEST_F(kdr, tx_equals_reference)
{
	struct ctx_spec c = kdr_spec(self, variant, KSRTP_DIR_TX);
	uint8_t plain[300], exp[400], got[400];
	struct ctx_stats cs;
	struct nl_reply r;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 6; i++) {
		uint64_t index = kdr_index(variant->roc, i);
		int n = rtp_make(plain, c.ssrc, (uint16_t)index, 50 + 40 * i,
				 i % 3, i & 1);
		int hdr = 12 + 4 * (i % 3) + ((i & 1) ? 8 : 0), elen;

		memcpy(exp, plain, n);
		elen = ref_rtp(&self->ref, self->key, variant->log2, exp, n,
			       hdr, c.ssrc, index);
		ASSERT_LT(0, elen);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_EQ(elen, recv(self->peer, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, elen)) TH_LOG("packet %d", i);
	}
	for (uint32_t i = 0; i < 3; i++) {
		int n = rtcp_make(plain, c.ssrc, i), elen;

		memcpy(exp, plain, n);
		elen = ref_rtcp(&self->ref, self->key, variant->log2, exp, n,
				c.ssrc, i);
		ASSERT_LT(0, elen);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_EQ(elen, recv(self->peer, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, elen)) TH_LOG("rtcp %u", i);
	}
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(1u << variant->log2, cs.kdr);
	EXPECT_EQ(6, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(3, cs.v[KSRTP_A_CTX_STATS_RTCP_PACKETS]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_KDR_PENDING]);
}

/*
 * The reference's packets reach the application; SRTCP joins in the epoch
 * of its first index; a packet two epochs past the newest authenticated one
 * is dropped and counted, the next epoch is there.
 */
TEST_F(kdr, rx_accepts_reference)
{
	struct ctx_spec c = kdr_spec(self, variant, KSRTP_DIR_RX);
	uint32_t e = 1u << variant->log2;
	const uint32_t rtcp_idx[] = { e - 1, e, 3 * e, 2 * e + 1 };
	uint8_t plain[300], pkt[400], got[400];
	struct ctx_stats cs;
	struct nl_reply r;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 6; i++) {
		uint64_t index = kdr_index(variant->roc, i);
		int n = rtp_make(plain, c.ssrc, (uint16_t)index, 60 + 30 * i,
				 i % 2, i & 2);
		int hdr = 12 + 4 * (i % 2) + ((i & 2) ? 8 : 0), len;

		memcpy(pkt, plain, n);
		len = ref_rtp(&self->ref, self->key, variant->log2, pkt, n, hdr,
			      c.ssrc, index);
		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		ASSERT_EQ(n, recv(self->app, got, sizeof(got), 0)) TH_LOG("packet %d", i);
		ASSERT_EQ(0, memcmp(plain, got, n));
	}
	for (int i = 0; i < 4; i++) {
		int n = rtcp_make(plain, c.ssrc, i), len;

		memcpy(pkt, plain, n);
		len = ref_rtcp(&self->ref, self->key, variant->log2, pkt, n,
			       c.ssrc, rtcp_idx[i]);
		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		if (rtcp_idx[i] == 3 * e) {
			/* epochs 0..2 now: 3 is not derived for a forger */
			ASSERT_TRUE(udp_quiet(self->app, 200));
			continue;
		}
		ASSERT_EQ(n, recv(self->app, got, sizeof(got), 0)) TH_LOG("rtcp %d", i);
		ASSERT_EQ(0, memcmp(plain, got, n));
	}
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(6, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(3, cs.v[KSRTP_A_CTX_STATS_RTCP_PACKETS]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_KDR_PENDING]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL]);
	EXPECT_EQ(2 * e + 1, cs.v[KSRTP_A_CTX_STATS_RTCP_INDEX]);
}

/* A key added mid-stream is derived in the stream's epochs, not the first. */
TEST_F(kdr, rekey_mid_stream)
{
	struct ctx_spec c = kdr_spec(self, variant, KSRTP_DIR_TX);
	uint8_t key2[46], plain[200], exp[300], got[300];
	struct ossl_srtp ref2;
	struct nl_reply r;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	key_fill(key2, sizeof(key2), 0x90 + variant->suite);
	ASSERT_EQ(0, ossl_init(&ref2, self->s->key_len, self->s->salt_len,
			       self->s->srtp_tag, self->s->srtcp_tag,
			       variant->cipher, key2));
	for (int i = 0; i < 6; i++) {
		uint64_t index = kdr_index(variant->roc, i);
		struct ossl_srtp *ref = i < 2 ? &self->ref : &ref2;
		int n = rtp_make(plain, c.ssrc, (uint16_t)index, 80, 0, 0), elen;

		if (i == 2) {	/* key 2 from the third packet on */
			c.key = key2;
			c.key_id = 2;
			ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r))
				TH_LOG("%s", r.extack);
			ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, &c, &r));
		}
		memcpy(exp, plain, n);
		elen = ref_rtp(ref, i < 2 ? self->key : key2, variant->log2,
			       exp, n, 12, c.ssrc, index);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_EQ(elen, recv(self->peer, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, elen)) TH_LOG("packet %d", i);
	}
}

/* Rates and contexts the module does not take: refused, with the reason. */
TEST(kdr_refused)
{
	static const struct {
		uint32_t suite, kdr;
		bool any;
		int err;
		const char *why;
	} cases[] = {
		{ KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 1u << 15, false, -EOPNOTSUPP, "2^16" },
		{ KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 1, false, -EOPNOTSUPP, "2^16" },
		{ KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 3u << 16, false, -EINVAL, "power of two" },
		{ KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 1u << 25, false, -EINVAL, "2^24" },
		{ KSRTP_SUITE_AEAD_AES_128_GCM, 1u << 16, false, -EOPNOTSUPP, "AES-CM" },
		{ KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 1u << 16, true, -EOPNOTSUPP, "explicit SSRC" },
	};
	struct sockaddr_storage a;
	struct ksrtp_nl k;
	struct nl_reply r;
	uint8_t key[46];
	uint64_t cookie;
	int fd;

	ASSERT_EQ(0, kn_open(&k));
	fd = udp_open(AF_INET, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kn_attach(&k, fd, 0, &cookie, &r));
	key_fill(key, sizeof(key), 0x33);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctx_spec c = {
			.cookie = cookie, .dir = KSRTP_DIR_RX, .ssrc = 0x1000 + i,
			.any = cases[i].any, .suite = cases[i].suite, .key = key,
			.roc = -1, .seq = -1, .kdr = cases[i].kdr,
		};

		EXPECT_EQ(cases[i].err, kn_ctx_new(&k, &c, &r)) TH_LOG("case %zu", i);
		EXPECT_NE(NULL, strstr(r.extack, cases[i].why))
			TH_LOG("case %zu: \"%s\"", i, r.extack);
	}
	close(fd);
	close(k.fd);
}

/* No fixture, only a harness timeout: 66,536 packets each way take minutes
 * on a debug kernel under TCG with every transform through cryptd.
 */
FIXTURE(rate) {};
FIXTURE_SETUP(rate) {}
FIXTURE_TEARDOWN(rate) {}

/*
 * A stream through two epoch boundaries at full rate, ksrtp to ksrtp: the
 * next epoch's keys are always there before the first packet needs them.
 */
TEST_F_TIMEOUT(rate, kdr_epochs_at_rate, 1800)
{
	const int batch = 64, total = 600 + 65536 + 400;
	struct sockaddr_storage aa, pa;
	uint64_t acookie, pcookie;
	struct ctx_stats ts, rs;
	struct ksrtp_nl k;
	struct nl_reply r;
	uint8_t key[30], buf[256];
	int app, peer, sent = 0, got = 0;
	struct ctx_spec tx = {
		.dir = KSRTP_DIR_TX, .ssrc = 0xe90c, .key = key, .roc = 0,
		.seq = 65536 - 600, .kdr = 1u << 16,
		.suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
	};
	struct ctx_spec rx = tx;

	ASSERT_EQ(0, kn_open(&k));
	ASSERT_EQ(0, udp_pair(AF_INET, true, &peer, &pa, &app, &aa));
	ASSERT_EQ(0, kn_attach(&k, app, 0, &acookie, &r));
	ASSERT_EQ(0, kn_attach(&k, peer, 0, &pcookie, &r));
	key_fill(key, sizeof(key), 0x5e);
	tx.cookie = acookie;
	rx.cookie = pcookie;
	rx.dir = KSRTP_DIR_RX;
	ASSERT_EQ(0, kn_ctx_new(&k, &tx, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_ctx_new(&k, &rx, &r)) TH_LOG("%s", r.extack);
	while (sent < total) {
		int n = sent + batch > total ? total - sent : batch;

		for (int i = 0; i < n; i++, sent++) {
			int len = rtp_make(buf, tx.ssrc, (uint16_t)(tx.seq + sent),
					   100, 0, 0);

			ASSERT_EQ(len, send(app, buf, len, 0)) TH_LOG("packet %d", sent);
		}
		for (int i = 0; i < n; i++, got++)
			ASSERT_LT(0, recv(peer, buf, sizeof(buf), 0))
				TH_LOG("packet %d of %d", got, sent);
	}
	ASSERT_EQ(0, kn_ctx_stats(&k, &tx, &ts));
	ASSERT_EQ(0, kn_ctx_stats(&k, &rx, &rs));
	EXPECT_EQ(total, ts.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(0, ts.v[KSRTP_A_CTX_STATS_KDR_PENDING]);
	EXPECT_EQ(total, rs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(0, rs.v[KSRTP_A_CTX_STATS_KDR_PENDING]);
	EXPECT_EQ(0, rs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	/* epoch 2 of KDR 2^16: ROC 2 */
	EXPECT_EQ(2, rs.v[KSRTP_A_CTX_STATS_HIGHEST_INDEX] >> 16);
	close(app);
	close(peer);
	close(k.fd);
}

TEST_HARNESS_MAIN
