// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp under bad input, reordering, rekeying, forking, templates, upcalls,
 * limits and socket lifecycle. Packets come from the OpenSSL reference
 * (srtp_ossl.h), which lets a test choose every index exactly.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <netinet/udp.h>
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SUITE KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80
#define SSRC 0x42424242u

FIXTURE(rb) {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer;
	uint64_t cookie;
	uint8_t key[3][46];
	struct ossl_srtp ref[3];
};

FIXTURE_SETUP(rb)
{
	struct nl_reply r;

	ASSERT_EQ(0, kn_open(&self->k));
	self->app = udp_open(AF_INET, &self->app_addr);
	self->peer = udp_open(AF_INET, &self->peer_addr);
	ASSERT_GE(self->app, 0);
	ASSERT_GE(self->peer, 0);
	ASSERT_EQ(0, udp_connect(self->app, &self->peer_addr));
	ASSERT_EQ(0, udp_connect(self->peer, &self->app_addr));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	for (int i = 0; i < 3; i++) {
		key_fill(self->key[i], 46, 0x10 * (i + 1));
		ASSERT_EQ(0, ossl_init(&self->ref[i], 16, 14, 10, 10, 1, self->key[i]));
	}
}

FIXTURE_TEARDOWN(rb)
{
	close(self->app);
	close(self->peer);
	close(self->k.fd);
}

static struct ctx_spec rb_spec(FIXTURE_DATA(rb) *self, uint32_t dir, int key)
{
	struct ctx_spec c = {
		.cookie = self->cookie, .dir = dir, .ssrc = SSRC, .suite = SUITE,
		.key = self->key[key], .key_id = key, .roc = -1, .seq = -1,
	};
	return c;
}

/* An SRTP packet of the reference; returns its length, plain in plain. */
static int ref_pkt(struct ossl_srtp *ref, uint8_t *pkt, uint8_t *plain,
		   uint32_t ssrc, uint64_t index, const uint8_t *mki, int mki_len)
{
	int n = rtp_make(plain, ssrc, index & 0xffff, 40, 0, false);

	memcpy(pkt, plain, n);
	return ossl_protect_rtp(ref, pkt, n, 12, ssrc, index, mki, mki_len);
}

/* Send pkt from the peer and expect exactly plain at the application. */
#define EXPECT_DELIVERED(pkt, len, plain) do {				\
	uint8_t _got[2048];						\
	ASSERT_EQ((len), send(self->peer, (pkt), (len), 0));		\
	ASSERT_EQ(52, recv(self->app, _got, sizeof(_got), 0));		\
	ASSERT_EQ(0, memcmp((plain), _got, 52));			\
} while (0)

/* Send pkt from the peer; the application must not see it. */
#define EXPECT_DROPPED(pkt, len) do {					\
	ASSERT_EQ((len), send(self->peer, (pkt), (len), 0));		\
	EXPECT_TRUE(udp_quiet(self->app, 150));				\
} while (0)

TEST_F(rb, roc_wrap_with_reordering)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	uint8_t pkt[128], plain[128], got[128];
	bool seen[80] = { 0 };
	struct ctx_stats cs;
	struct nl_reply r;
	/* 65500..65535 then 0..43; each pair swapped, one packet very late */
	uint32_t order[80];

	c.seq = 65500;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	for (int i = 0; i < 80; i++)
		order[i] = i ^ 1;
	order[11] = 40;		/* 40 arrives early ... */
	order[41] = 10;		/* ... and 10 thirty packets late */
	for (int i = 0; i < 80; i++) {
		uint32_t k = order[i];
		uint64_t index = 65500 + k;	/* crosses into ROC 1 at k = 36 */
		int len = ref_pkt(&self->ref[0], pkt, plain, SSRC, index, NULL, 0);

		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		ASSERT_EQ(52, recv(self->app, got, sizeof(got), 0)) TH_LOG("i %d k %u", i, k);
		ASSERT_EQ(0, memcmp(got, plain, 52));
		seen[k] = true;
	}
	for (int i = 0; i < 80; i++)
		EXPECT_TRUE(seen[i]);
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(80, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_ROC_ROLLOVER]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP]);
	EXPECT_EQ((1ULL << 16) | 43, cs.v[KSRTP_A_CTX_STATS_HIGHEST_INDEX]);
}

TEST_F(rb, replayed_tampered_truncated_dropped)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	uint8_t pkt[128], bad[128], plain[128];
	struct sock_stats ss;
	struct ctx_stats cs;
	struct nl_reply r;
	int len;

	c.window = 64;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 1000, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	EXPECT_DROPPED(pkt, len);				/* replay */
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 1100, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 1100 - 64, NULL, 0);
	EXPECT_DROPPED(pkt, len);				/* left of window */
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 1100 - 63, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);			/* just inside */

	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 1200, NULL, 0);
	for (int off = 0; off < len; off += 7) {		/* any bit, anywhere */
		memcpy(bad, pkt, len);
		bad[off] ^= 0x04;
		if (off == 8 || off == 9 || off == 10 || off == 11)
			continue;	/* another SSRC: no context, also dropped */
		EXPECT_DROPPED(bad, len);
	}
	EXPECT_DROPPED(pkt, len - 1);				/* short tag */
	EXPECT_DROPPED(pkt, 12 + 9);				/* shorter than a tag */
	EXPECT_DROPPED(pkt, 8);					/* shorter than RTP */
	EXPECT_DELIVERED(pkt, len, plain);	/* state unharmed by all that */

	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(2, cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP]);
	EXPECT_LE(8, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(4, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	ASSERT_EQ(0, kn_sock_stats(&self->k, self->cookie, &ss));
	EXPECT_LE(1, ss.v[KSRTP_A_SOCK_STATS_RX_MALFORMED]);
}

TEST_F(rb, big_datagrams_both_ways)
{
	struct ctx_spec rx = rb_spec(self, KSRTP_DIR_RX, 0);
	struct ctx_spec tx = rb_spec(self, KSRTP_DIR_TX, 1);
	static uint8_t plain[65536], pkt[40100], got[40100];
	struct nl_reply r;
	int n, len;

	tx.ssrc = SSRC + 1;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &rx, &r));
	ASSERT_EQ(0, kn_ctx_new(&self->k, &tx, &r));
	n = rtp_make(plain, SSRC, 7, 30000, 0, false);
	memcpy(pkt, plain, n);
	len = ossl_protect_rtp(&self->ref[0], pkt, n, 12, SSRC, 7, NULL, 0);
	ASSERT_EQ(len, send(self->peer, pkt, len, 0));
	ASSERT_EQ(n, recv(self->app, got, sizeof(got), 0));
	ASSERT_EQ(0, memcmp(plain, got, n));

	n = rtp_make(plain, tx.ssrc, 9, 30000, 0, false);
	memcpy(pkt, plain, n);
	len = ossl_protect_rtp(&self->ref[1], pkt, n, 12, tx.ssrc, 9, NULL, 0);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
	ASSERT_EQ(0, memcmp(pkt, got, len));

	/* no room left for the trailer in a UDP datagram: refused */
	n = rtp_make(plain, tx.ssrc, 10, 65490 - 12, 0, false);
	EXPECT_EQ(-1, send(self->app, plain, n, 0));
	EXPECT_EQ(EMSGSIZE, errno);
}

TEST_F(rb, tx_never_reuses_an_index)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	uint8_t plain[128], got[128];
	struct ctx_stats cs;
	struct nl_reply r;
	int n;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	n = rtp_make(plain, SSRC, 500, 40, 0, false);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(-1, send(self->app, plain, n, 0));		/* same SEQ */
	EXPECT_EQ(EALREADY, errno);
	n = rtp_make(plain, SSRC, 501, 40, 0, false);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_INDEX_REUSE]);
	EXPECT_EQ(2, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
}

/* No MKI: the receiver tries the new key beside the old; no packet lost. */
TEST_F(rb, rekey_rx_without_mki_loses_nothing)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	uint8_t pkt[128], plain[128];
	struct ctx_stats cs;
	struct nl_reply r;
	int len;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	for (int i = 0; i < 5; i++) {
		len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 100 + i, NULL, 0);
		EXPECT_DELIVERED(pkt, len, plain);
	}
	c.key = self->key[1];
	c.key_id = 1;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r)) TH_LOG("%s", r.extack);
	/* the sender switches; old-key packets still in flight interleave */
	for (int i = 5; i < 15; i++) {
		int k = (i % 3 == 0 && i < 10) ? 0 : 1;

		len = ref_pkt(&self->ref[k], pkt, plain, SSRC, 100 + i, NULL, 0);
		EXPECT_DELIVERED(pkt, len, plain);
	}
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, &c, &r));
	c.key_id = 0;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_DEL, &c, &r)) TH_LOG("%s", r.extack);
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 200, NULL, 0);
	EXPECT_DROPPED(pkt, len);		/* the old key is gone now */
	len = ref_pkt(&self->ref[1], pkt, plain, SSRC, 201, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(16, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(1, cs.nkeys);
}

/* The same with AEAD, where a failed try must not spoil the next. */
TEST_F(rb, rekey_rx_gcm_without_mki_loses_nothing)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	uint8_t pkt[128], plain[128];
	struct ossl_srtp g[2];
	struct ctx_stats cs;
	struct nl_reply r;
	int len;

	c.suite = KSRTP_SUITE_AEAD_AES_128_GCM;
	for (int k = 0; k < 2; k++)
		ASSERT_EQ(0, ossl_init(&g[k], 16, 12, 16, 16, 2, self->key[k]));
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	c.key = self->key[1];
	c.key_id = 1;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 12; i++) {
		int k = i % 3 == 0 ? 0 : 1;	/* the old key still in flight */

		len = ref_pkt(&g[k], pkt, plain, SSRC, 300 + i, NULL, 0);
		EXPECT_DELIVERED(pkt, len, plain);
		len = rtcp_make(plain, SSRC, i);
		memcpy(pkt, plain, len);
		len = ossl_protect_rtcp(&g[k], pkt, len, SSRC, i, 1, NULL, 0);
		ASSERT_EQ(len, send(self->peer, pkt, len, 0));
		ASSERT_EQ(36, recv(self->app, plain + 64, 64, 0));
		ASSERT_EQ(0, memcmp(plain, plain + 64, 36));
	}
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(12, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(12, cs.v[KSRTP_A_CTX_STATS_RTCP_PACKETS]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
}

/* TX with MKI: key-add then key-swap switches atomically between sends. */
TEST_F(rb, rekey_tx_with_mki_switches_atomically)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	uint8_t plain[128], got[128], exp[128], mki0[2] = { 0, 1 }, mki1[2] = { 0, 2 };
	struct nl_reply r;

	c.mki = mki0;
	c.mki_len = 2;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	c.key = self->key[1];
	c.key_id = 1;
	c.mki = mki1;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r)) TH_LOG("%s", r.extack);
	for (int i = 0; i < 10; i++) {
		int k = i < 5 ? 0 : 1, n, len;

		if (i == 5)
			ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, &c, &r));
		n = rtp_make(plain, SSRC, 300 + i, 40, 0, false);
		memcpy(exp, plain, n);
		len = ossl_protect_rtp(&self->ref[k], exp, n, 12, SSRC, 300 + i,
				       k ? mki1 : mki0, 2);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, len)) TH_LOG("packet %d", i);
	}
	/* the active key cannot be deleted; the old one can */
	EXPECT_EQ(-EBUSY, kn_key_cmd(&self->k, KSRTP_CMD_KEY_DEL, &c, &r));
	EXPECT_NE(0, r.extack[0]);
	c.key_id = 0;
	EXPECT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_DEL, &c, &r));
}

struct rekey_sender {
	int fd, n;
	volatile int sent;
	int err;
};

static void *rekey_send(void *arg)
{
	struct rekey_sender *t = arg;
	uint8_t plain[128];

	for (int i = 0; i < t->n; i++) {
		int n = rtp_make(plain, SSRC, 2000 + i, 40, 0, false);

		if (send(t->fd, plain, n, 0) != n) {
			t->err = errno;
			break;
		}
		t->sent = i + 1;
		usleep(2000);
	}
	return NULL;
}

/* Rekey while the application sends: every packet arrives, old key then new. */
TEST_F(rb, rekey_under_traffic_loses_nothing)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	uint8_t mki0[1] = { 7 }, mki1[1] = { 8 }, got[256], exp[256], plain[128];
	struct rekey_sender t = { .fd = self->app, .n = 120 };
	int switched_at = -1;
	struct nl_reply r;
	pthread_t th;

	c.mki = mki0;
	c.mki_len = 1;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	ASSERT_EQ(0, pthread_create(&th, NULL, rekey_send, &t));
	while (t.sent < 30)
		usleep(1000);
	c.key = self->key[1];
	c.key_id = 1;
	c.mki = mki1;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r));
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, &c, &r));
	for (int i = 0; i < t.n; i++) {
		int len = recv(self->peer, got, sizeof(got), 0), k, n, elen;

		ASSERT_EQ(40 + 12 + 1 + 10, len) TH_LOG("packet %d", i);
		k = got[52] == 8;
		if (k && switched_at < 0)
			switched_at = i;
		EXPECT_EQ(k, switched_at >= 0 && i >= switched_at);	/* never back */
		n = rtp_make(plain, SSRC, 2000 + i, 40, 0, false);
		memcpy(exp, plain, n);
		elen = ossl_protect_rtp(&self->ref[k], exp, n, 12, SSRC, 2000 + i,
					k ? mki1 : mki0, 1);
		ASSERT_EQ(elen, len);
		ASSERT_EQ(0, memcmp(exp, got, len)) TH_LOG("packet %d key %d", i, k);
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0, t.err);
	EXPECT_LT(29, switched_at);
}

/* RFC 4568 session parameters, against the reference with the same choices. */
TEST_F(rb, session_parameters)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	uint8_t plain[128], exp[128], got[128];
	struct ossl_srtp ref = self->ref[0];
	struct nl_reply r;
	FILE *f;
	int n, len;

	/* UNENCRYPTED_SRTP and UNENCRYPTED_SRTCP: authenticated, in clear */
	c.flags = KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP | KSRTP_CTX_FLAGS_UNENCRYPTED_SRTCP;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	ref.cipher = 0;
	n = rtp_make(plain, SSRC, 1, 40, 0, false);
	memcpy(exp, plain, n);
	len = ossl_protect_rtp(&ref, exp, n, 12, SSRC, 1, NULL, 0);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(exp, got, len));
	n = rtcp_make(plain, SSRC, 0);
	memcpy(exp, plain, n);
	len = ossl_protect_rtcp(&self->ref[0], exp, n, SSRC, 0, 0, NULL, 0);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(exp, got, len));
	EXPECT_EQ(0, got[n] & 0x80);	/* E bit clear */

	/* UNAUTHENTICATED_SRTP once the administrator allows it */
	f = fopen("/sys/module/ksrtp/parameters/allow_unauthenticated_srtp", "w");
	ASSERT_NE(NULL, f);
	fputs("1", f);
	fclose(f);
	c.ssrc = SSRC + 1;
	c.flags = KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP;
	EXPECT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	f = fopen("/sys/module/ksrtp/parameters/allow_unauthenticated_srtp", "w");
	ASSERT_NE(NULL, f);
	fputs("0", f);
	fclose(f);
	ref = self->ref[0];
	ref.srtp_tag = 0;
	n = rtp_make(plain, c.ssrc, 1, 40, 0, false);
	memcpy(exp, plain, n);
	len = ossl_protect_rtp(&ref, exp, n, 12, c.ssrc, 1, NULL, 0);
	ASSERT_EQ(n, len);		/* no tag */
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(exp, got, len));
	EXPECT_NE(0, memcmp(plain + 12, got + 12, 40));	/* still encrypted */
}

/* Forked answers: one local port, two peers, one SSRC, two keys. */
TEST_F(rb, forked_peers_on_one_port)
{
	struct sockaddr_storage p2_addr;
	struct ctx_spec a = rb_spec(self, KSRTP_DIR_RX, 0);
	struct ctx_spec b = rb_spec(self, KSRTP_DIR_RX, 1);
	struct ctx_spec ta = rb_spec(self, KSRTP_DIR_TX, 0);
	struct ctx_spec tb = rb_spec(self, KSRTP_DIR_TX, 1);
	uint8_t pkt[128], plain[128], got[128], exp[128];
	struct nl_reply r;
	int p2, len, n;

	p2 = udp_open(AF_INET, &p2_addr);
	ASSERT_GE(p2, 0);
	/* an application socket that is not connected: it talks to both */
	close(self->app);
	self->app = udp_open(AF_INET, &self->app_addr);
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	a.cookie = b.cookie = ta.cookie = tb.cookie = self->cookie;
	ASSERT_EQ(0, udp_connect(self->peer, &self->app_addr));
	ASSERT_EQ(0, udp_connect(p2, &self->app_addr));
	a.remote = &self->peer_addr;
	b.remote = &p2_addr;
	ta.remote = &self->peer_addr;
	tb.remote = &p2_addr;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &a, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_ctx_new(&self->k, &b, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_ctx_new(&self->k, &ta, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_ctx_new(&self->k, &tb, &r)) TH_LOG("%s", r.extack);

	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 10, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	len = ref_pkt(&self->ref[1], pkt, plain, SSRC, 10, NULL, 0);
	ASSERT_EQ(len, send(p2, pkt, len, 0));
	ASSERT_EQ(52, recv(self->app, got, sizeof(got), 0));
	ASSERT_EQ(0, memcmp(plain, got, 52));
	/* peer 2 with peer 1's key: its own context rejects it */
	len = ref_pkt(&self->ref[0], pkt, plain, SSRC, 11, NULL, 0);
	ASSERT_EQ(len, send(p2, pkt, len, 0));
	EXPECT_TRUE(udp_quiet(self->app, 150));

	/* TX: the same SSRC leaves under each peer's own key */
	for (int i = 0; i < 2; i++) {
		const struct sockaddr_storage *to = i ? &p2_addr : &self->peer_addr;
		int fd = i ? p2 : self->peer;

		n = rtp_make(plain, SSRC, 50, 40, 0, false);
		memcpy(exp, plain, n);
		len = ossl_protect_rtp(&self->ref[i], exp, n, 12, SSRC, 50, NULL, 0);
		ASSERT_EQ(n, sendto(self->app, plain, n, 0,
				    (const struct sockaddr *)to, sa_len(to)));
		ASSERT_EQ(len, recv(fd, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, len));
	}
	/* a third TX context reusing peer 1's key for this SSRC: refused */
	tb.key = self->key[0];
	tb.remote = NULL;
	EXPECT_EQ(-EEXIST, kn_ctx_new(&self->k, &tb, &r));
	EXPECT_NE(0, r.extack[0]);
	close(p2);
}

static int ntf_open(struct ksrtp_nl *k, int *fd)
{
	struct timeval tv = { .tv_sec = 3 };
	uint32_t grp = k->fam.events_grp;

	*fd = nl_open();
	if (*fd < 0)
		return -1;
	setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return setsockopt(*fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp));
}

/* Receive one notification of type cmd; its attributes into tb. */
static int ntf_wait(int fd, uint8_t cmd, struct nlattr **tb, int max,
		    uint8_t *buf, int size)
{
	for (;;) {
		int n = recv(fd, buf, size, 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && g->cmd == cmd)
				return nl_parse_genl(tb, max, nlh);
		}
	}
}

TEST_F(rb, templates_learn_only_authenticated_ssrcs)
{
	struct ctx_spec t = rb_spec(self, KSRTP_DIR_RX, 0), l;
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1];
	uint8_t pkt[128], plain[128], buf[4096];
	struct ctx_stats cs;
	struct nl_reply r;
	int len, nfd;

	ASSERT_EQ(0, ntf_open(&self->k, &nfd));
	t.any = true;
	t.roc = 0;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &t, &r)) TH_LOG("%s", r.extack);
	/* a forged packet of a new SSRC: nothing is created */
	len = ref_pkt(&self->ref[2], pkt, plain, 0x99, 5, NULL, 0);
	EXPECT_DROPPED(pkt, len);
	EXPECT_EQ(1, kn_ctx_count(&self->k, self->cookie));
	/* an authentic one: learned, reported, delivered */
	for (uint32_t ssrc = 0x100; ssrc < 0x103; ssrc++) {
		len = ref_pkt(&self->ref[0], pkt, plain, ssrc, 5, NULL, 0);
		EXPECT_DELIVERED(pkt, len, plain);
		ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_SSRC_LEARNED_NTF, tb,
				      KSRTP_A_CTX_MAX, buf, sizeof(buf)));
		ASSERT_NE(NULL, tb[KSRTP_A_CTX_SSRC]);
		EXPECT_EQ(ssrc, nl_u32(tb[KSRTP_A_CTX_SSRC]));
	}
	EXPECT_EQ(4, kn_ctx_count(&self->k, self->cookie));
	l = t;
	l.any = false;
	l.ssrc = 0x101;
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &l, &cs));
	EXPECT_EQ(KSRTP_CTX_ORIGIN_LEARNED, cs.origin);
	/* its replay window is live from the first packet */
	len = ref_pkt(&self->ref[0], pkt, plain, 0x101, 5, NULL, 0);
	EXPECT_DROPPED(pkt, len);
	len = ref_pkt(&self->ref[0], pkt, plain, 0x101, 6, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	/* rekeying the template rekeys what it learned */
	t.key = self->key[1];
	t.key_id = 1;
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &t, &r));
	len = ref_pkt(&self->ref[1], pkt, plain, 0x101, 7, NULL, 0);
	EXPECT_DELIVERED(pkt, len, plain);
	/* deleting the template deletes them */
	ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_CTX_DEL, &t, &r));
	EXPECT_EQ(0, kn_ctx_count(&self->k, self->cookie));
	close(nfd);
}

TEST_F(rb, learned_contexts_are_capped)
{
	struct ctx_spec t = rb_spec(self, KSRTP_DIR_RX, 0);
	uint8_t pkt[128], plain[128];
	struct sock_stats ss;
	struct nl_reply r;
	int len;

	/* reattach with room for two learned SSRCs */
	close(self->app);
	self->app = udp_open(AF_INET, &self->app_addr);
	ASSERT_EQ(0, udp_connect(self->peer, &self->app_addr));
	ASSERT_EQ(0, kn_attach_max(&self->k, self->app, 0, 2, &self->cookie, &r));
	t.cookie = self->cookie;
	t.any = true;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &t, &r));
	for (uint32_t ssrc = 1; ssrc <= 2; ssrc++) {
		len = ref_pkt(&self->ref[0], pkt, plain, ssrc, 1, NULL, 0);
		EXPECT_DELIVERED(pkt, len, plain);
	}
	len = ref_pkt(&self->ref[0], pkt, plain, 3, 1, NULL, 0);
	EXPECT_DROPPED(pkt, len);
	ASSERT_EQ(0, kn_sock_stats(&self->k, self->cookie, &ss));
	EXPECT_EQ(1, ss.v[KSRTP_A_SOCK_STATS_RX_LEARN_DROPS]);
	EXPECT_EQ(3, kn_ctx_count(&self->k, self->cookie));
}

/* What sock-get says about a socket's upcalls. */
struct sock_upcall {
	uint32_t upcall, portid, max_learned;
};

static int sock_upcall_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct sock_upcall *u = arg;

	if (nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) || !tb[KSRTP_A_SOCK_UPCALL] ||
	    !tb[KSRTP_A_SOCK_UPCALL_PORTID] || !tb[KSRTP_A_SOCK_MAX_LEARNED])
		return -1;
	u->upcall = nl_u32(tb[KSRTP_A_SOCK_UPCALL]);
	u->portid = nl_u32(tb[KSRTP_A_SOCK_UPCALL_PORTID]);
	u->max_learned = nl_u32(tb[KSRTP_A_SOCK_MAX_LEARNED]);
	return 0;
}

static int sock_upcall_get(struct ksrtp_nl *k, uint64_t cookie, struct sock_upcall *u)
{
	memset(u, 0, sizeof(*u));
	return kn_sock_get(k, cookie, sock_upcall_cb, u);
}

/* sock-set from fd: upcall (if >= 0) and max-learned (if nonzero). */
static int sock_set(struct ksrtp_nl *k, int fd, uint64_t cookie, int64_t upcall,
		    uint32_t max_learned, struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	if (upcall >= 0)
		nl_put_u32(&m, KSRTP_A_SOCK_UPCALL, (uint32_t)upcall);
	if (max_learned)
		nl_put_u32(&m, KSRTP_A_SOCK_MAX_LEARNED, max_learned);
	return nl_talk(fd, &m, NULL, NULL, r);
}

static uint32_t nl_portid(int fd)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

/*
 * A key daemon that restarts takes its predecessor's upcalls over: while the
 * attaching port is gone upcalls are dropped and counted; sock-set with
 * upcall makes the requester the upcall port.
 */
TEST_F(rb, sock_set_moves_upcalls)
{
	static const uint8_t dtls[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2 };
	struct timeval tv = { .tv_sec = 3 };
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct sockaddr_storage a2;
	struct sock_upcall u;
	struct sock_stats ss;
	struct ksrtp_nl k2;
	struct nl_reply r;
	struct nlmsg m;
	uint8_t buf[4096], got[128];
	uint64_t cookie;
	int app2, nfd;

	nfd = nl_open();
	ASSERT_GE(nfd, 0);
	app2 = udp_open(AF_INET, &a2);
	ASSERT_GE(app2, 0);
	k2.fd = nfd;
	k2.fam = self->k.fam;
	ASSERT_EQ(0, kn_attach(&k2, app2, KSRTP_UPCALL_DTLS, &cookie, &r));
	ASSERT_EQ(0, sock_upcall_get(&self->k, cookie, &u));
	EXPECT_EQ(nl_portid(nfd), u.portid);

	/* the attaching port dies: upcalls are dropped, counted, not delivered */
	close(nfd);
	ASSERT_EQ(sizeof(dtls), sendto(self->peer, dtls, sizeof(dtls), 0,
				       (struct sockaddr *)&a2, sa_len(&a2)));
	EXPECT_TRUE(udp_quiet(app2, 150));
	ASSERT_EQ(0, kn_sock_stats(&self->k, cookie, &ss));
	EXPECT_EQ(1, ss.v[KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS]);
	EXPECT_EQ(0, ss.v[KSRTP_A_SOCK_STATS_RX_UPCALL]);

	/* a new port takes them over */
	nfd = nl_open();
	ASSERT_GE(nfd, 0);
	setsockopt(nfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(0, sock_set(&self->k, nfd, cookie, KSRTP_UPCALL_DTLS, 0, &r))
		TH_LOG("%s", r.extack);
	ASSERT_EQ(0, sock_upcall_get(&self->k, cookie, &u));
	EXPECT_EQ(nl_portid(nfd), u.portid);
	EXPECT_EQ(KSRTP_UPCALL_DTLS, u.upcall);
	EXPECT_EQ(256, u.max_learned);
	ASSERT_EQ(sizeof(dtls), sendto(self->peer, dtls, sizeof(dtls), 0,
				       (struct sockaddr *)&a2, sa_len(&a2)));
	ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_UPCALL_NTF, tb, KSRTP_A_SOCK_MAX,
			      buf, sizeof(buf)));
	ASSERT_NE(NULL, tb[KSRTP_A_SOCK_DATA]);
	EXPECT_EQ(cookie, nl_u64(tb[KSRTP_A_SOCK_COOKIE]));
	EXPECT_EQ(0, memcmp(dtls, nl_data(tb[KSRTP_A_SOCK_DATA]), sizeof(dtls)));
	ASSERT_EQ(0, kn_sock_stats(&self->k, cookie, &ss));
	EXPECT_EQ(1, ss.v[KSRTP_A_SOCK_STATS_RX_UPCALL]);

	/* max-learned alone leaves the upcall port where it is */
	ASSERT_EQ(0, sock_set(&self->k, self->k.fd, cookie, -1, 5, &r));
	ASSERT_EQ(0, sock_upcall_get(&self->k, cookie, &u));
	EXPECT_EQ(nl_portid(nfd), u.portid);
	EXPECT_EQ(5, u.max_learned);

	/* no upcall classes: DTLS goes to the application again */
	ASSERT_EQ(0, sock_set(&self->k, self->k.fd, cookie, 0, 0, &r));
	ASSERT_EQ(0, sock_upcall_get(&self->k, cookie, &u));
	EXPECT_EQ(0, u.upcall);
	EXPECT_EQ(nl_portid(self->k.fd), u.portid);
	ASSERT_EQ(sizeof(dtls), sendto(self->peer, dtls, sizeof(dtls), 0,
				       (struct sockaddr *)&a2, sa_len(&a2)));
	ASSERT_EQ(sizeof(dtls), recv(app2, got, sizeof(got), 0));

	/* what the policy and the handler refuse, each with an extack */
	EXPECT_EQ(-EINVAL, sock_set(&self->k, self->k.fd, cookie, -1, 0, &r));
	EXPECT_NE(0, r.extack[0]);
	TH_LOG("nothing to set: %s", r.extack);
	EXPECT_EQ(-ENOENT, sock_set(&self->k, self->k.fd, cookie + 1, 0, 0, &r));
	EXPECT_NE(0, r.extack[0]);
	EXPECT_EQ(-EINVAL, sock_set(&self->k, self->k.fd, cookie, 0x4, 0, &r));
	EXPECT_NE(0, r.extack[0]);
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u32(&m, KSRTP_A_SOCK_UPCALL, 0);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));	/* no cookie */
	EXPECT_EQ(KSRTP_A_SOCK_COOKIE, r.miss_type);
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_MAX_LEARNED, 0);
	EXPECT_EQ(-ERANGE, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_UPCALL_PORTID, 1);	/* reply only */
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_FD, app2);		/* sock-attach's */
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	close(app2);
	close(nfd);
}

/* Nobody takes over a socket from another network namespace. */
TEST_F(rb, sock_set_stays_in_its_netns)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (!pid) {
		struct ksrtp_nl k;
		struct nl_reply r;

		if (unshare(CLONE_NEWNET) || kn_open(&k))
			_exit(10);
		_exit(sock_set(&k, k.fd, self->cookie, KSRTP_UPCALL_DTLS, 0, &r) ==
		      -ENOENT ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Without CAP_NET_ADMIN nothing but info-get is allowed. */
TEST_F(rb, unprivileged_callers_are_refused)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (!pid) {
		struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
		struct nl_reply r;
		struct nlmsg m;
		uint64_t ck;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (kn_ctx_new(&self->k, &c, &r) != -EPERM)
			_exit(11);
		if (kn_attach(&self->k, self->peer, 0, &ck, &r) != -EPERM)
			_exit(12);
		if (sock_set(&self->k, self->k.fd, self->cookie, 0, 0, &r) != -EPERM)
			_exit(14);
		kn_msg(&self->k, &m, KSRTP_CMD_INFO_GET, 0);
		_exit(nl_talk(self->k.fd, &m, NULL, NULL, &r) ? 13 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(rb, tx_template_protects_every_ssrc)
{
	struct ctx_spec t = rb_spec(self, KSRTP_DIR_TX, 2);
	uint8_t plain[128], got[128], exp[128];
	struct nl_reply r;

	t.any = true;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &t, &r));
	for (uint32_t ssrc = 1; ssrc <= 3; ssrc++) {
		int n = rtp_make(plain, ssrc, 77, 40, 0, false), len;

		memcpy(exp, plain, n);
		len = ossl_protect_rtp(&self->ref[2], exp, n, 12, ssrc, 77, NULL, 0);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_EQ(len, recv(self->peer, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(exp, got, len));
	}
	EXPECT_EQ(4, kn_ctx_count(&self->k, self->cookie));
}

TEST_F(rb, upcall_and_sock_send)
{
	static const uint8_t dtls[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2 };
	static const uint8_t zrtp[] = { 0x10, 0, 0, 1, 'Z', 'R', 'T', 'P' };
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct sockaddr_storage a2;
	uint8_t buf[4096], got[128];
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage rx_addr;
	struct ksrtp_nl k2;
	struct nl_reply r;
	struct nlmsg m;
	uint64_t cookie;
	uint8_t rtp[64];
	int app2, nfd, n, rx;

	/* upcalls go to the netlink socket that attached */
	nfd = nl_open();
	ASSERT_GE(nfd, 0);
	setsockopt(nfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	app2 = udp_open(AF_INET, &a2);
	ASSERT_EQ(0, udp_connect(app2, &self->peer_addr));
	k2.fd = nfd;
	k2.fam = self->k.fam;
	ASSERT_EQ(0, kn_attach(&k2, app2, KSRTP_UPCALL_DTLS, &cookie, &r));
	ASSERT_EQ(sizeof(dtls), sendto(self->peer, dtls, sizeof(dtls), 0,
				       (struct sockaddr *)&a2, sa_len(&a2)));
	ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_UPCALL_NTF, tb, KSRTP_A_SOCK_MAX,
			      buf, sizeof(buf)));
	ASSERT_NE(NULL, tb[KSRTP_A_SOCK_DATA]);
	EXPECT_EQ(sizeof(dtls), nl_len(tb[KSRTP_A_SOCK_DATA]));
	EXPECT_EQ(0, memcmp(dtls, nl_data(tb[KSRTP_A_SOCK_DATA]), sizeof(dtls)));
	EXPECT_EQ(cookie, nl_u64(tb[KSRTP_A_SOCK_COOKIE]));
	EXPECT_EQ(ntohs(((struct sockaddr_in *)&self->peer_addr)->sin_port),
		  nl_u16(tb[KSRTP_A_SOCK_REMOTE_PORT]));
	EXPECT_TRUE(udp_quiet(app2, 100));	/* the application never saw it */
	/* ZRTP was not asked for: the application gets it */
	ASSERT_EQ(sizeof(zrtp), sendto(self->peer, zrtp, sizeof(zrtp), 0,
				       (struct sockaddr *)&a2, sa_len(&a2)));
	ASSERT_EQ(sizeof(zrtp), recv(app2, got, sizeof(got), 0));

	/* sock-send: keyd answers out of the media socket */
	rx = udp_open(AF_INET, &rx_addr);
	nl_init(&m, self->k.fam.id, 0, KSRTP_CMD_SOCK_SEND, KSRTP_FAMILY_VERSION);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put(&m, KSRTP_A_SOCK_REMOTE_ADDR,
	       &((struct sockaddr_in *)&rx_addr)->sin_addr, 4);
	nl_put_u16(&m, KSRTP_A_SOCK_REMOTE_PORT,
		   ntohs(((struct sockaddr_in *)&rx_addr)->sin_port));
	nl_put(&m, KSRTP_A_SOCK_DATA, dtls, sizeof(dtls));
	ASSERT_EQ(0, nl_talk(self->k.fd, &m, NULL, NULL, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(sizeof(dtls), recv(rx, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(dtls, got, sizeof(dtls)));
	/* but never RTP */
	n = rtp_make(rtp, 1, 1, 20, 0, false);
	nl_init(&m, self->k.fam.id, 0, KSRTP_CMD_SOCK_SEND, KSRTP_FAMILY_VERSION);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put(&m, KSRTP_A_SOCK_REMOTE_ADDR,
	       &((struct sockaddr_in *)&self->peer_addr)->sin_addr, 4);
	nl_put_u16(&m, KSRTP_A_SOCK_REMOTE_PORT, 9);
	nl_put(&m, KSRTP_A_SOCK_DATA, rtp, n);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	close(rx);
	close(app2);
	close(nfd);
}

TEST_F(rb, soft_limit_notifies_and_index_space_ends)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1];
	uint8_t plain[128], got[128], buf[4096];
	struct ctx_stats cs;
	struct nl_reply r;
	int nfd, n;

	ASSERT_EQ(0, ntf_open(&self->k, &nfd));
	c.soft_limit = 3;
	c.roc = 0xffffffff;
	c.seq = 65534;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	for (int i = 0; i < 2; i++) {
		n = rtp_make(plain, SSRC, 65534 + i, 20, 0, false);
		ASSERT_EQ(n, send(self->app, plain, n, 0));
		ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	}
	/* the 48-bit index is used up: nothing more under this key */
	n = rtp_make(plain, SSRC, 0, 20, 0, false);
	EXPECT_EQ(-1, send(self->app, plain, n, 0));
	/* the soft limit applies to the SRTCP count too: 3 reaches it */
	n = rtcp_make(plain, SSRC, 1);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_LT(0, recv(self->peer, got, sizeof(got), 0));
	ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_CTX_LIMIT_NTF, tb, KSRTP_A_CTX_MAX,
			      buf, sizeof(buf)));
	EXPECT_EQ(KSRTP_LIMIT_SOFT, nl_u32(tb[KSRTP_A_CTX_LIMIT]));
	EXPECT_EQ(SSRC, nl_u32(tb[KSRTP_A_CTX_SSRC]));
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_LIMIT_EVENTS]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_INDEX_REUSE]);
	close(nfd);
}

TEST_F(rb, bad_requests_get_errno_and_extack)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	struct sockaddr_storage a;
	int seg = 1000, one = 1;
	struct nl_reply r;
	struct nlmsg m;
	uint64_t ck;
	int fd;

	/* both ssrc and ssrc-any */
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, &c);
	nl_put(&m, KSRTP_A_CTX_SSRC_ANY, NULL, 0);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, SUITE);
	kn_put_key(&m, &c);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	EXPECT_NE(0, r.extack[0]);
	/* no key */
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, SUITE);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	/* a 24-byte key for a 128-bit suite */
	c.suite = KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80;
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, SUITE);
	kn_put_key(&m, &c);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	EXPECT_NE(0, r.extack[0]);
	c.suite = SUITE;
	/* out-of-policy values */
	c.window = 32;
	EXPECT_EQ(-ERANGE, kn_ctx_new(&self->k, &c, &r));
	c.window = 0;
	c.flags = 0x80;
	EXPECT_EQ(-EINVAL, kn_ctx_new(&self->k, &c, &r));
	c.flags = KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP;
	EXPECT_EQ(-EPERM, kn_ctx_new(&self->k, &c, &r));
	EXPECT_NE(0, r.extack[0]);
	c.flags = 0;
	c.suite = KSRTP_SUITE_AEAD_AES_128_GCM;
	c.flags = KSRTP_CTX_FLAGS_UNENCRYPTED_SRTP;
	EXPECT_EQ(-EINVAL, kn_ctx_new(&self->k, &c, &r));
	c.flags = 0;
	c.suite = SUITE;
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, SUITE);
	kn_put_key(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_KDR, 16);
	EXPECT_EQ(-EOPNOTSUPP, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	EXPECT_NE(0, r.extack[0]);
	/* a reply-only attribute in a request */
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, SUITE);
	kn_put_key(&m, &c);
	nl_put_u32(&m, KSRTP_A_CTX_ORIGIN, 1);
	EXPECT_EQ(-EINVAL, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	/* duplicates, unknowns */
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	EXPECT_EQ(-EEXIST, kn_ctx_new(&self->k, &c, &r));
	c.ssrc++;
	EXPECT_EQ(-ENOENT, kn_key_cmd(&self->k, KSRTP_CMD_CTX_DEL, &c, &r));
	c.cookie++;
	EXPECT_EQ(-ENOENT, kn_ctx_new(&self->k, &c, &r));
	/* sockets ksrtp will not take */
	EXPECT_EQ(-EEXIST, kn_attach(&self->k, self->app, 0, &ck, &r));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_EQ(-EPROTONOSUPPORT, kn_attach(&self->k, fd, 0, &ck, &r));
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	EXPECT_EQ(-ENOTSOCK, kn_attach(&self->k, fd, 0, &ck, &r));
	close(fd);
	fd = udp_open(AF_INET, &a);
	ASSERT_EQ(0, setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)));
	EXPECT_EQ(-EOPNOTSUPP, kn_attach(&self->k, fd, 0, &ck, &r));
	close(fd);
	/* nor let an attached one be corked or given another encapsulation */
	EXPECT_EQ(-1, setsockopt(self->app, SOL_UDP, UDP_CORK, &one, sizeof(one)));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(rb, dumps_never_carry_keys)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	static uint8_t raw[65536];
	struct nl_reply r;
	struct nlmsg m;
	ssize_t n;

	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	kn_msg(&self->k, &m, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, self->cookie);
	m.nlh.nlmsg_seq = 4242;
	ASSERT_EQ(m.nlh.nlmsg_len, send(self->k.fd, m.buf, m.nlh.nlmsg_len, 0));
	n = recv(self->k.fd, raw, sizeof(raw), 0);
	ASSERT_LT(100, n);
	EXPECT_EQ(NULL, memmem(raw, n, self->key[0], 16));
	EXPECT_EQ(NULL, memmem(raw, n, self->key[0] + 16, 14));
	while (recv(self->k.fd, raw, sizeof(raw), MSG_DONTWAIT) > 0)
		;
}

TEST_F(rb, close_and_detach)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_TX, 0);
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	uint8_t plain[128], got[128], buf[4096];
	struct sock_stats ss;
	struct nl_reply r;
	struct nlmsg m;
	int nfd, n;

	ASSERT_EQ(0, ntf_open(&self->k, &nfd));
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r));
	/* detach: the socket is plain UDP again */
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_DETACH, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, self->cookie);
	ASSERT_EQ(0, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_SOCK_DETACH_NTF, tb, KSRTP_A_SOCK_MAX,
			      buf, sizeof(buf)));
	EXPECT_EQ(KSRTP_DETACH_REASON_REQUEST, nl_u32(tb[KSRTP_A_SOCK_REASON]));
	n = rtp_make(plain, SSRC, 1, 20, 0, false);
	ASSERT_EQ(n, send(self->app, plain, n, 0));
	ASSERT_EQ(n, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	EXPECT_EQ(-ENOENT, kn_sock_stats(&self->k, self->cookie, &ss));

	/* attach again, then close: detached with reason closed */
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	close(self->app);
	ASSERT_EQ(0, ntf_wait(nfd, KSRTP_CMD_SOCK_DETACH_NTF, tb, KSRTP_A_SOCK_MAX,
			      buf, sizeof(buf)));
	EXPECT_EQ(KSRTP_DETACH_REASON_CLOSED, nl_u32(tb[KSRTP_A_SOCK_REASON]));
	EXPECT_EQ(self->cookie, nl_u64(tb[KSRTP_A_SOCK_COOKIE]));
	EXPECT_EQ(-ENOENT, kn_sock_stats(&self->k, self->cookie, &ss));
	self->app = socket(AF_INET, SOCK_DGRAM, 0);	/* for teardown */
	close(nfd);
}

/* A dual-stack IPv6 socket: IPv4 peers arrive v4-mapped. */
TEST(dual_stack_ipv6_socket)
{
	struct sockaddr_storage a6, p4;
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 3 };
	socklen_t sl = sizeof(a6);
	struct ossl_srtp ref;
	uint8_t key[46], pkt[128], plain[128], got[128];
	struct ksrtp_nl k;
	struct nl_reply r;
	uint64_t cookie;
	int app, peer, len, n, off = 0;
	struct ctx_spec c = { .dir = KSRTP_DIR_RX, .ssrc = 5, .suite = SUITE,
			      .key = key, .roc = -1, .seq = -1 };

	ASSERT_EQ(0, kn_open(&k));
	app = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_EQ(0, setsockopt(app, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)));
	memset(&a6, 0, sizeof(a6));
	a6.ss_family = AF_INET6;
	ASSERT_EQ(0, bind(app, (struct sockaddr *)&a6, sizeof(struct sockaddr_in6)));
	ASSERT_EQ(0, getsockname(app, (struct sockaddr *)&a6, &sl));
	peer = udp_open(AF_INET, &p4);
	ASSERT_EQ(0, kn_attach(&k, app, 0, &cookie, &r));
	key_fill(key, 46, 3);
	ASSERT_EQ(0, ossl_init(&ref, 16, 14, 10, 10, 1, key));
	c.cookie = cookie;
	c.remote = &p4;		/* bound to the IPv4 peer */
	ASSERT_EQ(0, kn_ctx_new(&k, &c, &r)) TH_LOG("%s", r.extack);
	n = rtp_make(plain, 5, 1, 40, 0, false);
	memcpy(pkt, plain, n);
	len = ossl_protect_rtp(&ref, pkt, n, 12, 5, 1, NULL, 0);
	dst.sin_port = ((struct sockaddr_in6 *)&a6)->sin6_port;
	ASSERT_EQ(len, sendto(peer, pkt, len, 0, (struct sockaddr *)&dst, sizeof(dst)));
	setsockopt(app, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(n, recv(app, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	close(app);
	close(peer);
	close(k.fd);
}

/* A network namespace dies with attached sockets and traffic in flight. */
TEST(netns_exit_while_flowing)
{
	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		int status;

		ASSERT_GE(pid, 0);
		if (!pid) {
			struct sockaddr_storage a, p;
			struct ossl_srtp ref;
			uint8_t key[46], plain[128], pkt[128];
			struct ksrtp_nl k;
			struct nl_reply r;
			uint64_t cookie;
			int app, peer;
			struct ctx_spec c = { .ssrc = 9, .suite = SUITE, .key = key,
					      .roc = -1, .seq = -1 };

			if (unshare(CLONE_NEWNET) || system("ip link set lo up"))
				_exit(2);
			if (kn_open(&k))
				_exit(3);
			app = udp_open(AF_INET, &a);
			peer = udp_open(AF_INET, &p);
			udp_connect(app, &p);
			udp_connect(peer, &a);
			if (kn_attach(&k, app, 0, &cookie, &r))
				_exit(4);
			key_fill(key, 46, 9);
			ossl_init(&ref, 16, 14, 10, 10, 1, key);
			c.cookie = cookie;
			c.dir = KSRTP_DIR_RX;
			kn_ctx_new(&k, &c, &r);
			c.dir = KSRTP_DIR_TX;
			kn_ctx_new(&k, &c, &r);
			for (int i = 0; i < 300; i++) {
				int n = rtp_make(plain, 9, i, 100, 0, false), len;

				memcpy(pkt, plain, n);
				len = ossl_protect_rtp(&ref, pkt, n, 12, 9, i, NULL, 0);
				send(peer, pkt, len, MSG_DONTWAIT);
				send(app, plain, n, MSG_DONTWAIT);
			}
			_exit(0);	/* sockets and namespace go with us */
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
}

/*
 * Thousands of contexts: a dump returns each exactly once over many
 * messages; the TX key-reuse check sees the right SSRC among many bound TX
 * contexts; a dump abandoned after its first message lets go cleanly.
 */
/* 3,501 contexts: seconds on a release kernel, minutes on a debug one */
TEST_F_TIMEOUT(rb, many_contexts_dump_and_tx_check, 300)
{
	struct ctx_spec c = rb_spec(self, KSRTP_DIR_RX, 0);
	char buf[8192];
	struct ksrtp_nl k2;
	struct nl_reply r;
	struct nlmsg m;
	int i;

	for (i = 0; i < 3000; i++) {
		c.ssrc = 0x10000 + i;
		ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%d %s", i, r.extack);
	}
	c = rb_spec(self, KSRTP_DIR_TX, 0);
	c.remote = &self->peer_addr;
	for (i = 0; i < 500; i++) {
		c.ssrc = 0x20000 + i;
		ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%d %s", i, r.extack);
	}
	/* the same key for one of those SSRCs, unbound: refused */
	c.remote = NULL;
	c.ssrc = 0x20000 + 321;
	EXPECT_EQ(-EEXIST, kn_ctx_new(&self->k, &c, &r));
	/* for a new SSRC: accepted */
	c.ssrc = 0x30000;
	EXPECT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	EXPECT_EQ(3501, kn_ctx_count(&self->k, self->cookie));

	ASSERT_EQ(0, kn_open(&k2));
	kn_msg(&k2, &m, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, self->cookie);
	ASSERT_LT(0, send(k2.fd, m.buf, m.nlh.nlmsg_len, 0));
	ASSERT_LT(0, recv(k2.fd, buf, sizeof(buf), 0));
	close(k2.fd);
	EXPECT_EQ(3501, kn_ctx_count(&self->k, self->cookie));
}

TEST_HARNESS_MAIN
