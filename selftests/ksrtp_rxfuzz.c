// SPDX-License-Identifier: GPL-2.0
/*
 * Mutated SRTP and SRTCP at RX, for one suite of each family (AES-CM with
 * 80- and 32-bit tags, AES-256-CM, AEAD-AES-GCM 128 and 256, NULL cipher),
 * with and without MKI. Valid packets from the OpenSSL reference
 * (srtp_ossl.h: CSRC counts, header extensions, RTP padding, SRTCP with and
 * without encryption) are sent in order among mutations of them: bit flips,
 * truncations, appended bytes, rewritten first bytes, lying RTCP lengths,
 * zeroed tags, exact replays and random datagrams of 0..65,527 bytes.
 *
 * Asserted: every valid packet reaches the application once, as its exact
 * plaintext; no other datagram of the RTP/RTCP range reaches it (0 accepted
 * that the key holder did not send); and the counters add up exactly: every
 * datagram counted once by class, every SRTP/SRTCP one once under one
 * outcome (accepted or a drop reason).
 *
 * The seed is fixed; KSRTP_FUZZ_COUNT raises the number of mutated packets
 * per suite (default 3,000) for long runs, KSRTP_FUZZ_SEED changes the seed.
 */
#include <sched.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SSRC		0xfa22c0deu
#define NVALID_MAX	4096
#define PKT_MAX		65527
#define BATCH		32

struct valid_pkt {
	uint8_t plain[1500], wire[1600];
	int plain_len, wire_len;
	bool rtcp, received;
};

static struct test_rng rng;

FIXTURE(rxfuzz) {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer;
	uint64_t cookie;
	struct ossl_srtp ref;
	struct ctx_spec ctx;
	uint8_t key[46], mki[4];
	struct valid_pkt *valid;
	int nvalid;
	uint8_t *buf, *rbuf;
};

FIXTURE_VARIANT(rxfuzz) {
	uint32_t suite;
	int cipher;		/* srtp_ossl.h: 0 NULL, 1 AES-CM, 2 AES-GCM */
	int mki_len;
};

FIXTURE_VARIANT_ADD(rxfuzz, aes_cm_128_80) {
	.suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, .cipher = 1,
};

FIXTURE_VARIANT_ADD(rxfuzz, aes_cm_128_32_mki) {
	.suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, .cipher = 1, .mki_len = 4,
};

FIXTURE_VARIANT_ADD(rxfuzz, aes_256_cm_80) {
	.suite = KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80, .cipher = 1,
};

FIXTURE_VARIANT_ADD(rxfuzz, aead_aes_128_gcm) {
	.suite = KSRTP_SUITE_AEAD_AES_128_GCM, .cipher = 2,
};

FIXTURE_VARIANT_ADD(rxfuzz, aead_aes_256_gcm_mki) {
	.suite = KSRTP_SUITE_AEAD_AES_256_GCM, .cipher = 2, .mki_len = 2,
};

FIXTURE_VARIANT_ADD(rxfuzz, null_80_mki) {
	.suite = KSRTP_SUITE_NULL_HMAC_SHA1_80, .cipher = 0, .mki_len = 1,
};

FIXTURE_SETUP(rxfuzz)
{
	const struct suite_desc *s = suite_by_id(variant->suite);
	int big = 64 << 20;
	struct nl_reply r;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, netns_private());
	ASSERT_EQ(0, kn_open(&self->k));
	/* IPv6: datagrams up to 65,527 bytes */
	ASSERT_EQ(0, udp_pair(AF_INET6, false, &self->app, &self->app_addr,
			      &self->peer, &self->peer_addr));
	ASSERT_EQ(0, setsockopt(self->app, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));

	key_fill(self->key, sizeof(self->key), 0x5b + variant->suite);
	for (int i = 0; i < 4; i++)
		self->mki[i] = 0xc1 + i;
	ASSERT_EQ(0, ossl_init(&self->ref, s->key_len, s->salt_len, s->srtp_tag,
			       s->srtcp_tag, variant->cipher, self->key));
	self->ctx = (struct ctx_spec){ .cookie = self->cookie, .dir = KSRTP_DIR_RX,
				       .ssrc = SSRC, .suite = variant->suite,
				       .key = self->key, .roc = -1, .seq = -1,
				       .mki = variant->mki_len ? self->mki : NULL,
				       .mki_len = variant->mki_len };
	ASSERT_EQ(0, kn_ctx_new(&self->k, &self->ctx, &r));

	self->valid = calloc(NVALID_MAX, sizeof(*self->valid));
	self->buf = malloc(PKT_MAX + 64);
	self->rbuf = malloc(PKT_MAX + 64);
	ASSERT_TRUE(self->valid && self->buf && self->rbuf);
	rng_seed(&rng, (uint64_t)test_env_long("KSRTP_FUZZ_SEED", 0x6b737274) * 2654435761u +
		 variant->suite * 97 + variant->mki_len + 1);
}

FIXTURE_TEARDOWN(rxfuzz)
{
	free(self->valid);
	free(self->buf);
	free(self->rbuf);
	close(self->app);
	close(self->peer);
	close(self->k.fd);
}

/* Valid packet n: SRTP with varied headers, or (one in eight) SRTCP. */
static void make_valid(FIXTURE_DATA(rxfuzz) *self, int mki_len, int n,
		       int *rtp_seq, uint32_t *rtcp_idx)
{
	struct valid_pkt *v = &self->valid[n];
	const uint8_t *mki = mki_len ? self->mki : NULL;

	v->rtcp = rng_below(&rng, 8) == 0;
	if (v->rtcp) {
		v->plain_len = rtcp_make(v->plain, SSRC, (*rtcp_idx)++);
		memcpy(v->wire, v->plain, v->plain_len);
		/* E clear (unencrypted SRTCP) only outside AEAD: ksrtp refuses it there */
		v->wire_len = ossl_protect_rtcp(&self->ref, v->wire, v->plain_len,
						SSRC, *rtcp_idx - 1,
						self->ref.cipher == 2 || rng_below(&rng, 4) != 0,
						mki, mki_len);
		return;
	}
	int ncsrc = rng_below(&rng, 16), hdr = 12 + 4 * ncsrc;
	bool ext = rng_below(&rng, 3) == 0;
	int payload = rng_below(&rng, 1200), pad = rng_below(&rng, 4) == 0 ? 1 + rng_below(&rng, 32) : 0;
	uint16_t seq = (uint16_t)(*rtp_seq)++;

	v->plain_len = rtp_make(v->plain, SSRC, seq, payload, ncsrc, ext);
	if (ext)
		hdr += 8;
	if (pad) {	/* RFC 3550 padding: the last byte counts it */
		memset(v->plain + v->plain_len, 0, pad);
		v->plain_len += pad;
		v->plain[v->plain_len - 1] = pad;
		v->plain[0] |= 0x20;
	}
	memcpy(v->wire, v->plain, v->plain_len);
	v->wire_len = ossl_protect_rtp(&self->ref, v->wire, v->plain_len, hdr,
				       SSRC, seq, mki, mki_len);
}

/* A mutation of a valid packet's wire bytes into buf; its length. */
static int mutate(const struct valid_pkt *v, uint8_t *buf, int *kind)
{
	int len = v->wire_len;

	*kind = rng_below(&rng, 7);
	memcpy(buf, v->wire, len);
	switch (*kind) {
	case 0:		/* 1 to 4 bit flips anywhere */
		for (int i = 1 + rng_below(&rng, 4); i > 0; i--)
			buf[rng_below(&rng, len)] ^= 1 << rng_below(&rng, 8);
		break;
	case 1:		/* truncated */
		len = rng_below(&rng, len);
		break;
	case 2:		/* bytes appended */
		for (int i = 1 + rng_below(&rng, 64); i > 0; i--)
			buf[len++] = rng_next(&rng);
		break;
	case 3:		/* first byte: version kept, P, X and CC (or count) rewritten */
		buf[0] = 0x80 | (rng_next(&rng) & 0x3f);
		break;
	case 4:		/* RTCP length field or RTP sequence number lying */
		buf[2] = rng_next(&rng);
		buf[3] = rng_next(&rng);
		break;
	case 5:		/* the trailer (tag, MKI, E+index) zeroed */
		memset(buf + len - 4, 0, 4);
		break;
	default: {	/* a random datagram, mostly small, up to 65,527 bytes */
		uint32_t r = rng_below(&rng, 100);

		len = r < 70 ? rng_below(&rng, 300) : r < 95 ? rng_below(&rng, 2000) :
			       rng_below(&rng, PKT_MAX + 1);
		for (int i = 0; i < len; i++)
			buf[i] = rng_next(&rng);
		if (len && rng_below(&rng, 2))
			buf[0] = 0x80 | (buf[0] & 0x3f);	/* RTP/RTCP range */
		if (len >= 12 && rng_below(&rng, 2))
			memcpy(buf + 8, v->wire + 8, 4);	/* the context's SSRC */
		break;
	}
	}
	return len;
}

struct tally {
	long sent, valid_sent, replays, rtp_range_bad, other_rx, dup;
	long kinds[8];
};

/* Everything queued on the application's socket; fails on a stranger. */
static void drain(struct __test_metadata *_metadata, FIXTURE_DATA(rxfuzz) *self,
		  struct tally *t, int wait_ms)
{
	for (;;) {
		ssize_t n = recv(self->app, self->rbuf, PKT_MAX + 64, MSG_DONTWAIT);
		bool found = false;

		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno);
			if (!wait_ms || udp_quiet(self->app, wait_ms))
				return;
			continue;
		}
		/* RFC 7983: the RTP/RTCP range (two bytes at least) is what ksrtp unprotects */
		if (n < 2 || self->rbuf[0] < 128 || self->rbuf[0] > 191) {
			t->other_rx++;
			continue;
		}
		for (int i = 0; i < self->nvalid && !found; i++) {
			struct valid_pkt *v = &self->valid[i];

			if (v->plain_len != n || memcmp(v->plain, self->rbuf, n))
				continue;
			found = true;
			if (v->received)
				t->dup++;
			v->received = true;
		}
		if (!found && t->rtp_range_bad++ < 3)
			TH_LOG("delivered %zd bytes (%02x %02x ...) that no key holder sent",
			       n, self->rbuf[0], n > 1 ? self->rbuf[1] : 0);
	}
}

static void send_one(struct __test_metadata *_metadata, FIXTURE_DATA(rxfuzz) *self,
		     const uint8_t *p, int len, struct tally *t)
{
	ASSERT_EQ(len, send(self->peer, p, len, 0));
	if (++t->sent % BATCH == 0)
		drain(_metadata, self, t, 0);
}

/* The run itself: out of line, away from the harness's setjmp. */
static __attribute__((noinline)) void
fuzz_run(struct __test_metadata *_metadata, FIXTURE_DATA(rxfuzz) *self,
	 int mki_len, long count, struct tally *t)
{
	int rtp_seq = 1000, kind;
	uint32_t rtcp_idx = 1;

	for (long i = 0; i < count; i++) {
		/* a valid packet now and then, in order; replays of sent ones */
		if (self->nvalid < NVALID_MAX && rng_below(&rng, 8) == 0) {
			struct valid_pkt *v = &self->valid[self->nvalid];

			make_valid(self, mki_len, self->nvalid, &rtp_seq, &rtcp_idx);
			ASSERT_LT(0, v->wire_len);
			self->nvalid++;	/* before the send: a drain may find it */
			send_one(_metadata, self, v->wire, v->wire_len, t);
			t->valid_sent++;
		}
		if (self->nvalid && rng_below(&rng, 32) == 0) {
			const struct valid_pkt *v = &self->valid[rng_below(&rng, self->nvalid)];

			send_one(_metadata, self, v->wire, v->wire_len, t);
			t->replays++;
		}
		if (!self->nvalid)
			continue;
		/* a mutation of any valid packet so far */
		int len = mutate(&self->valid[rng_below(&rng, self->nvalid)], self->buf, &kind);

		t->kinds[kind]++;
		send_one(_metadata, self, self->buf, len, t);
	}
	drain(_metadata, self, t, 300);
}

/* generous: a debug kernel under TCG is ten times slower */
TEST_F_TIMEOUT(rxfuzz, mutated_never_accepted, 900)
{
	long count = test_env_long("KSRTP_FUZZ_COUNT", 3000);
	struct sock_stats ss;
	struct ctx_stats cs;
	struct tally t = { 0 };
	long classes, srtp_outcomes, accepted, lost = 0;

	fuzz_run(_metadata, self, variant->mki_len, count, &t);

	ASSERT_EQ(0, kn_sock_stats(&self->k, self->cookie, &ss));
	ASSERT_TRUE(ss.found);
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &self->ctx, &cs));
	TH_LOG("%ld datagrams: %ld valid, %ld replays; mutations: flips %ld, truncated %ld, "
	       "appended %ld, first byte %ld, length %ld, trailer %ld, random %ld",
	       t.sent, t.valid_sent, t.replays, t.kinds[0], t.kinds[1], t.kinds[2],
	       t.kinds[3], t.kinds[4], t.kinds[5], t.kinds[6]);
	TH_LOG("rx: srtp %llu srtcp %llu other classes %llu; malformed %llu+%llu no-ctx %llu "
	       "auth-fail %llu+%llu replay %llu+%llu unknown-mki %llu",
	       (unsigned long long)ss.v[KSRTP_A_SOCK_STATS_RX_SRTP],
	       (unsigned long long)ss.v[KSRTP_A_SOCK_STATS_RX_SRTCP],
	       (unsigned long long)(ss.v[KSRTP_A_SOCK_STATS_RX_STUN] +
				    ss.v[KSRTP_A_SOCK_STATS_RX_DTLS] +
				    ss.v[KSRTP_A_SOCK_STATS_RX_ZRTP] +
				    ss.v[KSRTP_A_SOCK_STATS_RX_TURN] +
				    ss.v[KSRTP_A_SOCK_STATS_RX_OTHER]),
	       (unsigned long long)ss.v[KSRTP_A_SOCK_STATS_RX_MALFORMED],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_MALFORMED],
	       (unsigned long long)ss.v[KSRTP_A_SOCK_STATS_RX_NO_CTX],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_UNKNOWN_MKI]);

	/* what reached the application */
	EXPECT_EQ(0, t.rtp_range_bad);
	EXPECT_EQ(0, t.dup);
	for (int i = 0; i < self->nvalid; i++) {
		if (!self->valid[i].received && lost++ < 3)
			TH_LOG("valid packet %d lost: %s, %d bytes plain, %d on the wire, first bytes %02x %02x",
			       i, self->valid[i].rtcp ? "SRTCP" : "SRTP",
			       self->valid[i].plain_len, self->valid[i].wire_len,
			       self->valid[i].plain[0], self->valid[i].plain[1]);
	}
	EXPECT_EQ(0, lost);

	/* every datagram once by class ... */
	classes = ss.v[KSRTP_A_SOCK_STATS_RX_SRTP] + ss.v[KSRTP_A_SOCK_STATS_RX_SRTCP] +
		  ss.v[KSRTP_A_SOCK_STATS_RX_STUN] + ss.v[KSRTP_A_SOCK_STATS_RX_DTLS] +
		  ss.v[KSRTP_A_SOCK_STATS_RX_ZRTP] + ss.v[KSRTP_A_SOCK_STATS_RX_TURN] +
		  ss.v[KSRTP_A_SOCK_STATS_RX_OTHER];
	EXPECT_EQ(t.sent, (long)ss.v[KSRTP_A_SOCK_STATS_RX_PACKETS]);
	EXPECT_EQ(t.sent, classes);
	EXPECT_EQ(t.other_rx, classes - (long)(ss.v[KSRTP_A_SOCK_STATS_RX_SRTP] +
					       ss.v[KSRTP_A_SOCK_STATS_RX_SRTCP]));
	/* ... and every SRTP/SRTCP one once under one outcome */
	accepted = cs.v[KSRTP_A_CTX_STATS_PACKETS] + cs.v[KSRTP_A_CTX_STATS_RTCP_PACKETS];
	srtp_outcomes = accepted +
		ss.v[KSRTP_A_SOCK_STATS_RX_MALFORMED] + ss.v[KSRTP_A_SOCK_STATS_RX_NO_CTX] +
		ss.v[KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS] + cs.v[KSRTP_A_CTX_STATS_MALFORMED] +
		cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL] + cs.v[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL] +
		cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP] + cs.v[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP] +
		cs.v[KSRTP_A_CTX_STATS_UNKNOWN_MKI];
	EXPECT_EQ((long)(ss.v[KSRTP_A_SOCK_STATS_RX_SRTP] + ss.v[KSRTP_A_SOCK_STATS_RX_SRTCP]),
		  srtp_outcomes);
	EXPECT_EQ(t.valid_sent, accepted);
	EXPECT_EQ(0, ss.v[KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS]);
	/* the exact replays of accepted packets, each refused as one */
	EXPECT_LE(t.replays, (long)(cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP] +
				    cs.v[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP]));
	/* nothing was learned or left behind: still the one context */
	EXPECT_EQ(1, kn_ctx_count(&self->k, self->cookie));
}

TEST_HARNESS_MAIN
