// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers. The OpenSSL reference (srtp_ossl.h) must first reproduce
 * the key derivation vectors of RFC 3711 B.3 and RFC 6188 7.2/7.4, the
 * AEAD_AES_128_GCM packet of RFC 7714 16.1 and the AES-f8 packet of RFC
 * 3711 B.2 (which the module's "f8(aes)" template must also give through
 * AF_ALG); then, for
 * every suite, what ksrtp puts on the wire must equal the reference
 * byte for byte (across a ROC wrap), and what the reference protects must
 * reach the application as the exact plaintext.
 */
#include <linux/if_alg.h>
#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"
#include "kdr_vectors.h"

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

/*
 * KDR != 0 (RFC 3711 4.3.1): the C reference's derivation equals the
 * independent Python one (kdr_vectors.py, from `cryptography`) at and
 * around the index boundaries of kdr 2^0, 2^1, 2^4, 2^16 and 2^24, for
 * SRTP and SRTCP labels. ksrtp_kdr checks the module against this
 * reference.
 */
TEST(rfc3711_kdr_reference)
{
	uint8_t mk[16], ms[14], out[20], exp[20];

	hex2bin("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	hex2bin("0EC675AD498AFEEBB6960B3AABE6", ms);
	for (size_t i = 0; i < sizeof(kdr_vectors) / sizeof(kdr_vectors[0]); i++) {
		const struct kdr_vector *v = &kdr_vectors[i];
		int n = hex2bin(v->out, exp);

		ASSERT_EQ(0, ossl_kdf_r(mk, 16, ms, 14, v->label,
					v->index >> v->kdr_exp, out, n));
		EXPECT_EQ(0, memcmp(out, exp, n)) TH_LOG("vector %zu", i);
	}
	/* r = 0 is KDR 0's derivation */
	ASSERT_EQ(0, ossl_kdf_r(mk, 16, ms, 14, 0, 0, out, 16));
	ASSERT_EQ(0, ossl_kdf(mk, 16, ms, 14, 0, exp, 16));
	EXPECT_EQ(0, memcmp(out, exp, 16));
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

/* RFC 3711 B.2: session key, salt, the RTP packet, its ROC, IV and IV'. */
#define B2_KEY		"234829008467be186c3de14aae72d62c"
#define B2_SALT		"32f2870d"
#define B2_HDR		"806e5cba50681de55c621599"
#define B2_PLAIN	"70736575646f72616e646f6d6e65737320697320746865206e6578742062657374207468696e67"
#define B2_ROC		0xd462564aULL
#define B2_IV		"006e5cba50681de55c621599d462564a"
#define B2_CIPHER	"019ce7a26e7854014a6366aa95d4eefd1ad4172a14f9faf455b7f1d4b62bd08f562c0eef7c4802"

/* The B.2 packet through the reference's full SRTP path (IV from header). */
TEST(rfc3711_b2_f8_srtp_packet)
{
	struct ossl_srtp o = { .key_len = 16, .salt_len = 4, .srtp_tag = 10,
			       .srtcp_tag = 10, .cipher = 3 };
	uint8_t pkt[128], exp[128];
	int h, n;

	hex2bin(B2_KEY, o.rtp.key);
	hex2bin(B2_SALT, o.rtp.salt);
	h = hex2bin(B2_HDR, pkt);
	n = h + hex2bin(B2_PLAIN, pkt + h);
	hex2bin(B2_HDR, exp);
	hex2bin(B2_CIPHER, exp + h);
	ASSERT_EQ(n + 10, ossl_protect_rtp(&o, pkt, n, h, 0x5c621599,
					   B2_ROC << 16 | 0x5cba, NULL, 0));
	EXPECT_EQ(0, memcmp(exp, pkt, n));
}

/*
 * The kernel's "f8(aes)" (key k_e || m, IV the RFC's IV) through AF_ALG,
 * the plaintext sent in pieces of split bytes and the rest so that the
 * template's walk sees a block split across buffers. Returns 0 or -errno.
 */
static int alg_f8(const uint8_t *key, int klen, const uint8_t *iv,
		  const uint8_t *in, uint8_t *out, int len, int split)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "f8(aes)" };
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	struct iovec io = { (void *)in, split };
	struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	int tfm = socket(AF_ALG, SOCK_SEQPACKET, 0), op = -1, rc = 0;
	struct af_alg_iv *aiv;
	struct cmsghdr *c;

	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, klen) ||
	    (op = accept(tfm, NULL, 0)) < 0) {
		rc = -errno;
		goto out;
	}
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(4);
	*(uint32_t *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*aiv) + 16);
	aiv = (struct af_alg_iv *)CMSG_DATA(c);
	aiv->ivlen = 16;
	memcpy(aiv->iv, iv, 16);
	if (sendmsg(op, &msg, MSG_MORE) != split ||
	    send(op, in + split, len - split, 0) != len - split ||
	    read(op, out, len) != len)
		rc = -EIO;
out:
	if (op >= 0)
		close(op);
	close(tfm);
	return rc;
}

/*
 * 7.x kernels let AF_ALG reach only an allowlist of algorithm names (the
 * sysctl crypto.af_alg_restrict); the test lifts it while it runs, as root.
 * Returns the old value, or -1 where the kernel has no such restriction.
 */
#define AF_ALG_RESTRICT "/proc/sys/crypto/af_alg_restrict"

static int afalg_restrict_set(int v)
{
	int s = socket(AF_ALG, SOCK_SEQPACKET, 0);	/* loads af_alg: its sysctl */
	FILE *f = fopen(AF_ALG_RESTRICT, "r+");
	int old = -1;

	if (s >= 0)
		close(s);
	if (!f)
		return -1;
	if (fscanf(f, "%d", &old) != 1 || fseek(f, 0, SEEK_SET) ||
	    fprintf(f, "%d\n", v) < 0)
		old = -2;
	if (fclose(f))
		old = -2;
	return old;
}

/* The template gives B.2's ciphertext, and the reference's on long input. */
TEST(rfc3711_b2_f8_template)
{
	uint8_t key[32], iv[16], in[1000], out[1000], exp[1000];
	int n, restrict_old, s = socket(AF_ALG, SOCK_SEQPACKET, 0);

	/* the debug kernel's small config (make check-debug) has no AF_ALG */
	if (s < 0 && errno == EAFNOSUPPORT)
		SKIP(return, "no AF_ALG in this kernel (CONFIG_CRYPTO_USER_API_SKCIPHER)");
	if (s >= 0)
		close(s);
	restrict_old = afalg_restrict_set(0);
	ASSERT_NE(-2, restrict_old) TH_LOG("cannot lift %s", AF_ALG_RESTRICT);

	hex2bin(B2_KEY, key);
	memset(key + 16, 0x55, 16);
	hex2bin(B2_SALT, key + 16);	/* m = salt || 0x55.. */
	hex2bin(B2_IV, iv);
	n = hex2bin(B2_PLAIN, in);
	hex2bin(B2_CIPHER, exp);
	for (int split = 1; split < n; split += 6) {
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, alg_f8(key, 32, iv, in, out, n, split));
		EXPECT_EQ(0, memcmp(exp, out, n)) TH_LOG("split %d", split);
	}
	/* decrypt is encrypt: the ciphertext gives the plaintext back */
	ASSERT_EQ(0, alg_f8(key, 32, iv, exp, out, n, 5));
	EXPECT_EQ(0, memcmp(in, out, n));
	for (int i = 0; i < (int)sizeof(in); i++)
		in[i] = i * 7 + 3;
	memcpy(exp, in, sizeof(in));
	ASSERT_EQ(0, ossl_f8_xor(key, 16, key + 16, 4, iv, exp, sizeof(in)));
	ASSERT_EQ(0, alg_f8(key, 32, iv, in, out, sizeof(in), 7));
	EXPECT_EQ(0, memcmp(exp, out, sizeof(in)));
	/* the key is k_e || m of one AES size each: others are refused */
	EXPECT_EQ(-EINVAL, alg_f8(key, 31, iv, in, out, 16, 1));
	EXPECT_EQ(-EINVAL, alg_f8(key, 16, iv, in, out, 16, 1));
	if (restrict_old >= 0)
		ASSERT_EQ(0, afalg_restrict_set(restrict_old));
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
KAT(f8_128_80, KSRTP_SUITE_F8_128_HMAC_SHA1_80, 0);
KAT(f8_128_32, KSRTP_SUITE_F8_128_HMAC_SHA1_32, 0);
KAT(f8_128_32_mki3, KSRTP_SUITE_F8_128_HMAC_SHA1_32, 3);

FIXTURE_SETUP(kat)
{
	struct nl_reply r;
	int cipher;

	ASSERT_EQ(0, kn_open(&self->k));
	self->s = suite_by_id(variant->suite);
	ASSERT_EQ(0, udp_pair(AF_INET, true, &self->peer, &self->peer_addr,
			      &self->app, &self->app_addr));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	key_fill(self->key, sizeof(self->key), 0x40 + variant->suite);
	ref_mki(1, self->mki);
	cipher = self->s->salt_len == 12 ? 2 :
		 (variant->suite == KSRTP_SUITE_NULL_HMAC_SHA1_80 ||
		  variant->suite == KSRTP_SUITE_NULL_HMAC_SHA1_32) ? 0 :
		 (variant->suite == KSRTP_SUITE_F8_128_HMAC_SHA1_80 ||
		  variant->suite == KSRTP_SUITE_F8_128_HMAC_SHA1_32) ? 3 : 1;
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
