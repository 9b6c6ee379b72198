// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers. The OpenSSL reference (srtp_ossl.h) must first reproduce
 * the key derivation vectors of RFC 3711 B.3 and RFC 6188 7.2/7.4 and the
 * AEAD_AES_128_GCM packet of RFC 7714 16.1; then, for
 * every suite, what ksrtp puts on the wire must equal the reference
 * byte for byte (across a ROC wrap), and what the reference protects must
 * reach the application as the exact plaintext.
 */
#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

static void kdf_check(struct __test_metadata *_metadata, const char *mk,
		      const char *ms, const char *ke, const char *se,
		      const char *ae)
{
	uint8_t k[32], s[14], out[32], exp[32];
	int kl = hex2bin(mk, k), sl = hex2bin(ms, s), n;

	n = hex2bin(ke, exp);
	ASSERT_EQ(0, ossl_kdf(k, kl, s, sl, 0, out, n));
	EXPECT_EQ(0, memcmp(out, exp, n));
	n = hex2bin(se, exp);
	ASSERT_EQ(0, ossl_kdf(k, kl, s, sl, 2, out, n));
	EXPECT_EQ(0, memcmp(out, exp, n));
	n = hex2bin(ae, exp);
	ASSERT_EQ(0, ossl_kdf(k, kl, s, sl, 1, out, n));
	EXPECT_EQ(0, memcmp(out, exp, n));
}

TEST(rfc3711_b3_key_derivation)
{
	kdf_check(_metadata, "E1F97A0D3E018BE0D64FA32C06DE4139",
		  "0EC675AD498AFEEBB6960B3AABE6",
		  "C61E7A93744F39EE10734AFE3FF7A087",
		  "30CBBC08863D8C85D49DB34A9AE1",
		  "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
}

TEST(rfc6188_aes256_key_derivation)
{
	kdf_check(_metadata,
		  "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
		  "3b04803de51ee7c96423ab5b78d2",
		  "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4",
		  "fa31791685ca444a9e07c6c64e93",
		  "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05");
}

TEST(rfc6188_aes192_key_derivation)
{
	kdf_check(_metadata, "73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1",
		  "c8522f3acd4ce86d5add78edbb11",
		  "31874736a8f1143870c26e4857d8a5b2c4a354407faadabb",
		  "2372b82d639b6d8503a47adc0a6c",
		  "355b10973cd95b9eacf4061c7e1a7151e7cfbfcb");
}

/* RFC 7714 section 16.1.1: AEAD_AES_128_GCM SRTP from session key and salt. */
TEST(rfc7714_gcm_srtp_packet)
{
	struct ossl_srtp o = { .key_len = 16, .salt_len = 12, .srtp_tag = 16,
			       .srtcp_tag = 16, .cipher = 2 };
	uint8_t pkt[128], exp[128];
	int n, elen;

	hex2bin("000102030405060708090a0b0c0d0e0f", o.rtp.key);
	hex2bin("517569642070726f2071756f", o.rtp.salt);
	n = hex2bin("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973"
		    "2064697669736120696e207061727465732074726573", pkt);
	elen = hex2bin("8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bca"
		       "be633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb1"
		       "6a9152cf765ee4390cce", exp);
	ASSERT_EQ(elen, ossl_protect_rtp(&o, pkt, n, 12, 0x5501a0b2, 0xf17b, NULL, 0));
	EXPECT_EQ(0, memcmp(exp, pkt, elen));
}

FIXTURE(kat) {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer;
	uint64_t cookie;
	const struct suite_desc *s;
	struct ossl_srtp ref;
	uint8_t key[46], mki[4];
};

FIXTURE_VARIANT(kat) {
	uint32_t suite;
	int mki_len;
};

#define KAT(n, id, mki) FIXTURE_VARIANT_ADD(kat, n) { .suite = id, .mki_len = mki }
KAT(aes_cm_128_80, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0);
KAT(aes_cm_128_32, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 0);
KAT(aes_192_cm_80, KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80, 0);
KAT(aes_192_cm_32, KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32, 0);
KAT(aes_256_cm_80, KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80, 0);
KAT(aes_256_cm_32, KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32, 0);
KAT(aead_aes_128_gcm, KSRTP_SUITE_AEAD_AES_128_GCM, 0);
KAT(aead_aes_256_gcm, KSRTP_SUITE_AEAD_AES_256_GCM, 0);
KAT(null_80, KSRTP_SUITE_NULL_HMAC_SHA1_80, 0);
KAT(null_32, KSRTP_SUITE_NULL_HMAC_SHA1_32, 0);
KAT(aes_192_cm_32_mki2, KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32, 2);
KAT(aes_256_cm_32_mki4, KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32, 4);

FIXTURE_SETUP(kat)
{
	struct nl_reply r;
	int cipher;

	ASSERT_EQ(0, kn_open(&self->k));
	self->s = suite_by_id(variant->suite);
	self->app = udp_open(AF_INET, &self->app_addr);
	self->peer = udp_open(AF_INET, &self->peer_addr);
	ASSERT_EQ(0, udp_connect(self->app, &self->peer_addr));
	ASSERT_EQ(0, udp_connect(self->peer, &self->app_addr));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	key_fill(self->key, sizeof(self->key), 0x40 + variant->suite);
	ref_mki(1, self->mki);
	cipher = self->s->salt_len == 12 ? 2 :
		 (variant->suite == KSRTP_SUITE_NULL_HMAC_SHA1_80 ||
		  variant->suite == KSRTP_SUITE_NULL_HMAC_SHA1_32) ? 0 : 1;
	ASSERT_EQ(0, ossl_init(&self->ref, self->s->key_len, self->s->salt_len,
			       self->s->srtp_tag, self->s->srtcp_tag, cipher,
			       self->key));
}

FIXTURE_TEARDOWN(kat)
{
	close(self->app);
	close(self->peer);
	close(self->k.fd);
}

static struct ctx_spec kat_spec(FIXTURE_DATA(kat) *self,
				const FIXTURE_VARIANT(kat) *variant, uint32_t dir)
{
	struct ctx_spec c = {
		.cookie = self->cookie, .dir = dir, .ssrc = 0xcafe0000 + dir,
		.suite = variant->suite, .key = self->key, .mki = self->mki,
		.mki_len = variant->mki_len, .roc = 0x1234, .seq = 65533,
	};
	return c;
}

/* ksrtp's SRTP and SRTCP on the wire equal the reference's, across a wrap. */
TEST_F(kat, tx_equals_reference)
{
	struct ctx_spec c = kat_spec(self, variant, KSRTP_DIR_TX);
	uint8_t plain[300], exp[400], got[400];
	struct nl_reply r;
	int encrypt = self->ref.cipher != 0;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 6; i++) {
		uint16_t seq = 65533 + i;	/* 65533..65535, 0..2 */
		uint64_t index = ((uint64_t)(0x1234 + (seq < 100)) << 16) | seq;
		int n = rtp_make(plain, c.ssrc, seq, 50 + 40 * i, i % 3, i & 1);
		int hdr = 12 + 4 * (i % 3) + ((i & 1) ? 8 : 0), elen, glen;

		memcpy(exp, plain, n);
		elen = ossl_protect_rtp(&self->ref, exp, n, hdr, c.ssrc, index,
					self->mki, variant->mki_len);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		glen = recv(self->peer, got, sizeof(got), 0);
		ASSERT_EQ(elen, glen);
		ASSERT_EQ(0, memcmp(exp, got, elen)) TH_LOG("packet %d", i);
	}
	for (uint32_t i = 0; i < 3; i++) {
		int n = rtcp_make(plain, c.ssrc, i), elen, glen;

		memcpy(exp, plain, n);
		elen = ossl_protect_rtcp(&self->ref, exp, n, c.ssrc, i, encrypt,
					 self->mki, variant->mki_len);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		glen = recv(self->peer, got, sizeof(got), 0);
		ASSERT_EQ(elen, glen);
		ASSERT_EQ(0, memcmp(exp, got, elen)) TH_LOG("rtcp %u", i);
	}
}

/* What the reference protects, the application reads as plaintext. */
TEST_F(kat, rx_accepts_reference)
{
	struct ctx_spec c = kat_spec(self, variant, KSRTP_DIR_RX);
	uint8_t plain[300], pkt[400], got[400];
	struct ctx_stats cs;
	struct nl_reply r;
	int encrypt = self->ref.cipher != 0;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 6; i++) {
		uint16_t seq = 65533 + i;
		uint64_t index = ((uint64_t)(0x1234 + (seq < 100)) << 16) | seq;
		int n = rtp_make(plain, c.ssrc, seq, 60 + 30 * i, i % 2, i & 2);
		int hdr = 12 + 4 * (i % 2) + ((i & 2) ? 8 : 0), len;

		memcpy(pkt, plain, n);
		len = ossl_protect_rtp(&self->ref, pkt, n, hdr, c.ssrc, index,
				       self->mki, variant->mki_len);
		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		ASSERT_EQ(n, recv(self->app, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(plain, got, n));
	}
	for (uint32_t i = 0; i < 3; i++) {
		int n = rtcp_make(plain, c.ssrc, i), len;

		memcpy(pkt, plain, n);
		len = ossl_protect_rtcp(&self->ref, pkt, n, c.ssrc, 100 + i, encrypt,
					self->mki, variant->mki_len);
		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		ASSERT_EQ(n, recv(self->app, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(plain, got, n));
	}
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(6, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_ROC_ROLLOVER]);
	EXPECT_EQ(((uint64_t)0x1235 << 16) | 2, cs.v[KSRTP_A_CTX_STATS_HIGHEST_INDEX]);
	EXPECT_EQ(3, cs.v[KSRTP_A_CTX_STATS_RTCP_PACKETS]);
}

TEST_HARNESS_MAIN
