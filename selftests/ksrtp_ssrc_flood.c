// SPDX-License-Identifier: GPL-2.0
/*
 * An SSRC flood against any-SSRC templates: 1,000,000 unauthenticated RTP
 * packets with random SSRCs, sequence numbers and bytes, while a legitimate
 * sender's stream (a new SSRC the template learns from its first
 * authenticated packet) runs among them at one packet in 100.
 *
 * Asserted: no context is created for a flood packet (the socket holds the
 * template and the legitimate SSRC's context, nothing else; the module has
 * as many live contexts as before), the kernel's slab memory grows
 * by less than 1 MiB (a byte of state per packet would be 1 MB), every flood
 * packet is counted as an authentication failure on the template, and the
 * legitimate stream loses nothing: each of its packets reaches the
 * application once, byte for byte.
 *
 * KSRTP_FLOOD_COUNT changes the number of flood packets (default 1,000,000),
 * KSRTP_FUZZ_SEED the seed. KSRTP_FLOOD_SLAB_KB the slab bound (default
 * 1024): a KASAN kernel keeps freed skbs in its quarantine, as slab, so
 * make check-debug raises it and leaves leaks to kmemleak.
 */
#include <sched.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define LEGIT_SSRC	0x1e9171feu
#define BATCH		64
#define FLOOD_LEN	40	/* 12-byte header, 18 bytes, 10-byte tag */
#define LEGIT_EVERY	100

static struct test_rng rng;

/* Kernel slab memory (Slab: in /proc/meminfo), in kB. */
static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

struct flood {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer;
	uint64_t cookie;
	struct ossl_srtp ref;
	uint8_t key[30];
	long legit_sent, legit_ok, legit_bad, flood_sent, send_fail;
};

/* Receive what is queued: legitimate plaintexts only. */
static void drain(struct flood *f, int wait_ms)
{
	uint8_t buf[2048], exp[256];

	for (;;) {
		ssize_t n = recv(f->app, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (!wait_ms || udp_quiet(f->app, wait_ms))
				return;
			continue;
		}
		/* the legitimate sender's packet with this sequence number */
		int len = n >= 4 ? rtp_make(exp, LEGIT_SSRC, (buf[2] << 8) | buf[3],
					    160, 0, false) : -1;

		if (len == n && !memcmp(exp, buf, n))
			f->legit_ok++;
		else
			f->legit_bad++;
	}
}

static void send_legit(struct flood *f, uint16_t seq)
{
	uint8_t pkt[256];
	int n = rtp_make(pkt, LEGIT_SSRC, seq, 160, 0, false);

	n = ossl_protect_rtp(&f->ref, pkt, n, 12, LEGIT_SSRC, seq, NULL, 0);
	if (send(f->peer, pkt, n, 0) == n)
		f->legit_sent++;
	else
		f->send_fail++;
}

/* count flood packets in batches, a legitimate one every LEGIT_EVERY */
static __attribute__((noinline)) void run(struct flood *f, long count)
{
	static uint8_t pkts[BATCH][FLOOD_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint16_t seq = 1;

	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = FLOOD_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (long done = 0; done < count;) {
		int n = count - done < BATCH ? count - done : BATCH, sent;

		for (int i = 0; i < n; i++) {
			uint64_t r = rng_next(&rng);

			for (int j = 0; j < FLOOD_LEN; j += 8) {
				uint64_t b = rng_next(&rng);

				memcpy(pkts[i] + j, &b, FLOOD_LEN - j < 8 ? FLOOD_LEN - j : 8);
			}
			pkts[i][0] = 0x80;		/* RTP, no CSRC, no extension */
			pkts[i][1] = 96 + (r & 0x1f);	/* never an RTCP type */
			if ((uint32_t)(r >> 32) == LEGIT_SSRC)
				r ^= 1ull << 32;
			memcpy(pkts[i] + 8, (uint8_t[]){ r >> 56, r >> 48, r >> 40, r >> 32 }, 4);
		}
		sent = sendmmsg(f->peer, msgs, n, 0);
		if (sent <= 0) {
			f->send_fail++;
			continue;
		}
		for (long d = done; d < done + sent; d++)
			if (d % LEGIT_EVERY == 0)
				send_legit(f, seq++);
		done += sent;
		f->flood_sent += sent;
		drain(f, 0);
	}
	drain(f, 300);
}

FIXTURE(flood) {
	int unused;
};

FIXTURE_SETUP(flood)
{
}

FIXTURE_TEARDOWN(flood)
{
}

/* generous: a debug kernel under TCG is ten times slower */
TEST_F_TIMEOUT(flood, random_ssrcs_create_nothing, 2400)
{
	long count = test_env_long("KSRTP_FLOOD_COUNT", 1000000);
	long slab_max = test_env_long("KSRTP_FLOOD_SLAB_KB", 1024);
	struct ctx_spec tmpl = { .dir = KSRTP_DIR_RX, .any = true,
				 .suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
				 .roc = -1, .seq = -1 };
	struct ctx_spec legit;
	long slab0, slab1, ctx0, ctx1;
	struct ctx_stats ts, ls;
	struct sock_stats ss;
	struct nl_reply r;
	struct flood *f = calloc(1, sizeof(*f));
	int big = 32 << 20;

	ASSERT_NE(NULL, f);
	rng_seed(&rng, (uint64_t)test_env_long("KSRTP_FUZZ_SEED", 0x6b737274) * 2654435761u + 7);
	ASSERT_EQ(0, netns_private());
	ASSERT_EQ(0, kn_open(&f->k));
	ASSERT_EQ(0, udp_pair(AF_INET, false, &f->app, &f->app_addr, &f->peer, &f->peer_addr));
	ASSERT_EQ(0, setsockopt(f->app, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	ASSERT_EQ(0, kn_attach(&f->k, f->app, 0, &f->cookie, &r));
	key_fill(f->key, sizeof(f->key), 0x42);
	ASSERT_EQ(0, ossl_init(&f->ref, 16, 14, 10, 10, 1, f->key));
	tmpl.cookie = f->cookie;
	tmpl.key = f->key;
	ASSERT_EQ(0, kn_ctx_new(&f->k, &tmpl, &r)) TH_LOG("%s", r.extack);

	/* the legitimate stream's context exists before the baseline */
	send_legit(f, 0);
	drain(f, 300);
	ASSERT_EQ(1, f->legit_ok);
	ASSERT_EQ(2, kn_ctx_count(&f->k, f->cookie));
	slab0 = slab_kb();
	ctx0 = ksrtp_objects("contexts");
	ASSERT_LT(0, slab0);
	ASSERT_LE(2, ctx0) TH_LOG("live contexts from /sys/kernel/debug/ksrtp/objects");

	run(f, count);

	slab1 = slab_kb();
	ctx1 = ksrtp_objects("contexts");
	legit = tmpl;
	legit.any = false;
	legit.ssrc = LEGIT_SSRC;
	ASSERT_EQ(0, kn_ctx_stats(&f->k, &tmpl, &ts));
	ASSERT_EQ(0, kn_ctx_stats(&f->k, &legit, &ls));
	ASSERT_EQ(0, kn_sock_stats(&f->k, f->cookie, &ss));
	TH_LOG("%ld flood packets, %ld legitimate; slab %ld -> %ld kB, live contexts %ld -> %ld",
	       f->flood_sent, f->legit_sent, slab0, slab1, ctx0, ctx1);
	TH_LOG("template auth-fail %llu, malformed %llu; legitimate context %llu packets",
	       (unsigned long long)ts.v[KSRTP_A_CTX_STATS_AUTH_FAIL],
	       (unsigned long long)ts.v[KSRTP_A_CTX_STATS_MALFORMED],
	       (unsigned long long)ls.v[KSRTP_A_CTX_STATS_PACKETS]);

	EXPECT_EQ(count, f->flood_sent);
	EXPECT_EQ(0, f->send_fail);
	/* nothing learned from the flood, no state left by it */
	EXPECT_EQ(2, kn_ctx_count(&f->k, f->cookie));
	EXPECT_EQ(ctx0, ctx1);
	EXPECT_LT(slab1 - slab0, slab_max);
	EXPECT_EQ(count, (long)ts.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(0, ss.v[KSRTP_A_SOCK_STATS_RX_LEARN_DROPS]);
	/* the legitimate stream lost nothing */
	EXPECT_EQ(0, f->legit_bad);
	EXPECT_EQ(f->legit_sent, f->legit_ok);
	EXPECT_EQ(f->legit_sent, (long)ls.v[KSRTP_A_CTX_STATS_PACKETS]);
	close(f->app);
	close(f->peer);
	close(f->k.fd);
	free(f);
}

TEST_HARNESS_MAIN
