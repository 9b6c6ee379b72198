// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests, each in the conditions that exposed a datapath bug:
 *
 *  - io_uring sends retried after -EAGAIN (the sender's socket buffer full
 *    behind a slow tbf qdisc): ksrtp's sendmsg once left the caller's
 *    msg_iter pointing at a kvec on its own stack (NULL-pointer oops in
 *    _copy_from_iter on the retry) and kept the failed send's SRTP index
 *    spent (the retry refused with EALREADY);
 *  - MKI with UNAUTHENTICATED_SRTP: RX once looked for the MKI before a tag
 *    such packets do not carry (every packet dropped, counted unknown-mki);
 *  - a MSG_DONTWAIT send while another thread's blocking send waits for
 *    socket buffer space: it once slept on ksrtp's TX mutex until the
 *    other send was done;
 *  - IPv6 datagrams above IPv4's 65,507 bytes: TX refused them, and RX's
 *    per-CPU copy of a packet it tries several keys on was sized for IPv4.
 *
 * Packets are checked against the OpenSSL reference (srtp_ossl.h).
 */
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SSRC 0x5eed0001u
#define NPKT 300
#define PAYLOAD 160
#define TC "PATH=/usr/sbin:/sbin:$PATH tc"
#define UNAUTH_PARAM "/sys/module/ksrtp/parameters/allow_unauthenticated_srtp"

/* sock-get counter of a socket (-1 if the request failed) */
static int64_t sock_stat(struct ksrtp_nl *k, uint64_t cookie, int attr)
{
	struct sock_stats ss;

	if (kn_sock_stats(k, cookie, &ss) || !ss.found)
		return -1;
	return ss.v[attr];
}

/* "dropped N" and "overlimits N" of lo's root qdisc, from tc -s */
static int tbf_counts(long *dropped, long *overlimits)
{
	char line[512];
	FILE *f = popen(TC " -s qdisc show dev lo", "r");
	int found = 0;
	char *p;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "(dropped ");
		if (p && !found &&
		    sscanf(p, "(dropped %ld, overlimits %ld", dropped, overlimits) == 2)
			found = 1;
	}
	pclose(f);
	return found ? 0 : -1;
}

/* ------------------------------------------------------------ io_uring */

/*
 * A private netns whose lo sends at 1 Mbit/s through tbf: a sender with the
 * smallest SO_SNDBUF has its buffer full after a few datagrams, so its
 * non-blocking sends get -EAGAIN until tbf lets packets go.
 */
FIXTURE(slow_lo) {
	struct ksrtp_nl k;
	struct sockaddr_storage tx_addr, rx_addr;
	int tx, rx;
	uint64_t tx_cookie, rx_cookie;
	uint8_t key[46];
	struct ctx_spec tc, rc;
	uint8_t pkt[NPKT][256];
	int len[NPKT];
};

FIXTURE_SETUP(slow_lo)
{
	int zero = 0, big = 8 << 20;
	socklen_t sl = sizeof(int);
	struct nl_reply r;
	int sndbuf;

	ASSERT_EQ(0, netns_private());
	ASSERT_EQ(0, system(TC " qdisc add dev lo root tbf rate 1mbit burst 4kb limit 1mb"));
	ASSERT_EQ(0, kn_open(&self->k));
	ASSERT_EQ(0, udp_pair(AF_INET, false, &self->rx, &self->rx_addr, &self->tx, &self->tx_addr));
	ASSERT_EQ(0, setsockopt(self->tx, SOL_SOCKET, SO_SNDBUF, &zero, sizeof(zero)));
	ASSERT_EQ(0, getsockopt(self->tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl));
	/* all NPKT datagrams wait in the receiver's queue: none may drop */
	ASSERT_EQ(0, setsockopt(self->rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	TH_LOG("sender SO_SNDBUF %d", sndbuf);
	ASSERT_EQ(0, kn_attach(&self->k, self->tx, 0, &self->tx_cookie, &r));
	ASSERT_EQ(0, kn_attach(&self->k, self->rx, 0, &self->rx_cookie, &r));
	key_fill(self->key, 46, 0x37);
	/* distinct seq numbers, payload bytes that depend on each */
	for (int i = 0; i < NPKT; i++)
		self->len[i] = rtp_make(self->pkt[i], SSRC, 1000 + i, PAYLOAD, 0, false);
}

FIXTURE_TEARDOWN(slow_lo)
{
	close(self->tx);
	close(self->rx);
	close(self->k.fd);
}

/*
 * The TX context on the sender, the matching RX one on the receiver; window
 * 0 is the default (128).
 */
static int slow_lo_keys(FIXTURE_DATA(slow_lo) *self, uint32_t suite, int window)
{
	struct nl_reply r;
	int err;

	self->tc = (struct ctx_spec){ .cookie = self->tx_cookie, .dir = KSRTP_DIR_TX,
				      .ssrc = SSRC, .suite = suite, .key = self->key,
				      .roc = -1, .seq = -1, .window = window };
	self->rc = self->tc;
	self->rc.cookie = self->rx_cookie;
	self->rc.dir = KSRTP_DIR_RX;
	err = kn_ctx_new(&self->k, &self->tc, &r);
	return err ? err : kn_ctx_new(&self->k, &self->rc, &r);
}

/*
 * The receiver gets every packet's plaintext, byte for byte, each once:
 * the set is checked (tbf keeps order, but order is not the point); then
 * nothing more. Returns the number received intact.
 */
static int slow_lo_receive(struct __test_metadata *_metadata,
			   FIXTURE_DATA(slow_lo) *self)
{
	bool seen[NPKT] = { false };
	int ok = 0, bad = 0, dup = 0;
	uint8_t got[512];

	for (int n = 0; n < NPKT; n++) {
		ssize_t l = recv(self->rx, got, sizeof(got), 0);
		int i;

		if (l < 0) {
			TH_LOG("recv after %d datagrams: %s", n, strerror(errno));
			break;
		}
		i = l >= 4 ? ((got[2] << 8) | got[3]) - 1000 : -1;
		if (i < 0 || i >= NPKT || l != self->len[i] ||
		    memcmp(got, self->pkt[i], l)) {
			if (bad++ < 3)
				TH_LOG("datagram %d: %zd bytes, not a plaintext sent", n, l);
			continue;
		}
		if (seen[i]) {
			dup++;
			continue;
		}
		seen[i] = true;
		ok++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(NPKT, ok);
	EXPECT_TRUE(udp_quiet(self->rx, 300));
	return ok;
}

/* Counters after NPKT sends, each expected to have left exactly once. */
static void slow_lo_counters(struct __test_metadata *_metadata,
			     FIXTURE_DATA(slow_lo) *self)
{
	struct ctx_stats tcs, rcs;
	long dropped = -1, over = -1;
	int64_t tx_srtp, tx_pkts;

	ASSERT_EQ(0, tbf_counts(&dropped, &over));
	EXPECT_EQ(0, dropped);
	tx_pkts = sock_stat(&self->k, self->tx_cookie, KSRTP_A_SOCK_STATS_TX_PACKETS);
	tx_srtp = sock_stat(&self->k, self->tx_cookie, KSRTP_A_SOCK_STATS_TX_SRTP);
	EXPECT_EQ(NPKT, tx_pkts);
	EXPECT_EQ(0, sock_stat(&self->k, self->tx_cookie, KSRTP_A_SOCK_STATS_TX_NO_CTX));
	EXPECT_EQ(0, sock_stat(&self->k, self->rx_cookie, KSRTP_A_SOCK_STATS_RX_NO_CTX));
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &self->tc, &tcs));
	ASSERT_EQ(0, kn_ctx_stats(&self->k, &self->rc, &rcs));
	EXPECT_EQ(NPKT, tcs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(0, tcs.v[KSRTP_A_CTX_STATS_INDEX_REUSE]);
	EXPECT_EQ(NPKT, rcs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(0, rcs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(0, rcs.v[KSRTP_A_CTX_STATS_REPLAY_DROP]);
	/* tx-srtp - tx-packets: protections whose datagram did not leave */
	TH_LOG("tbf: dropped %ld, overlimits %ld; sock tx-packets %lld, tx-srtp %lld",
	       dropped, over, (long long)tx_pkts, (long long)tx_srtp);
	EXPECT_LE(NPKT, tx_srtp);
}

/* io_uring: why it cannot run here, or NULL when the ring is set up */
static const char *uring_init(struct io_uring *ring, char *why, size_t sz)
{
	int err = io_uring_queue_init(NPKT + 12, ring, 0);
	FILE *f;
	int v = -1;

	if (!err)
		return NULL;
	f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	if (v > 0)
		snprintf(why, sz, "io_uring_setup: %s (kernel.io_uring_disabled = %d)",
			 strerror(-err), v);
	else
		snprintf(why, sz, "io_uring_setup: %s (io_uring not available)",
			 strerror(-err));
	return why;
}

/*
 * All NPKT packets submitted at once as IORING_OP_SEND or _SENDMSG: most
 * get -EAGAIN on their first, non-blocking try and are retried by
 * io_uring from the same request (the same msghdr for SENDMSG, and since
 * 6.8 for SEND too) once the socket is writable.
 */
static void uring_sends(struct __test_metadata *_metadata,
			FIXTURE_DATA(slow_lo) *self, uint32_t suite, bool sendmsg,
			int window)
{
	static struct msghdr msg[NPKT];
	static struct iovec iov[NPKT];
	struct __kernel_timespec ts = { .tv_sec = 10 };
	int errs = 0, short_res = 0, done = 0;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	char why[160];

	if (uring_init(&ring, why, sizeof(why)))
		SKIP(return, "%s", why);
	ASSERT_EQ(0, slow_lo_keys(self, suite, window));
	for (int i = 0; i < NPKT; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		ASSERT_NE(NULL, sqe);
		if (sendmsg) {
			iov[i].iov_base = self->pkt[i];
			iov[i].iov_len = self->len[i];
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_iov = &iov[i];
			msg[i].msg_iovlen = 1;
			io_uring_prep_sendmsg(sqe, self->tx, &msg[i], 0);
		} else {
			io_uring_prep_send(sqe, self->tx, self->pkt[i], self->len[i], 0);
		}
		sqe->user_data = i;
	}
	ASSERT_EQ(NPKT, io_uring_submit(&ring));
	while (done < NPKT) {
		int err = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		int i;

		if (err) {
			TH_LOG("%d completions, then: %s", done, strerror(-err));
			break;
		}
		i = (int)cqe->user_data;
		if (cqe->res < 0) {
			if (errs++ < 5)
				TH_LOG("packet %d: %s", i, strerror(-cqe->res));
		} else if (i < 0 || i >= NPKT || cqe->res != self->len[i]) {
			short_res++;
		}
		io_uring_cqe_seen(&ring, cqe);
		done++;
	}
	io_uring_queue_exit(&ring);
	EXPECT_EQ(NPKT, done);
	EXPECT_EQ(0, errs);
	EXPECT_EQ(0, short_res);
	slow_lo_receive(_metadata, self);
	slow_lo_counters(_metadata, self);
}

/*
 * io_uring retries the waiting requests in no particular order (newest
 * first, as observed): a packet may leave after one sent hundreds of
 * indices later. With replay windows that cover the batch (512, both
 * ways) that is no loss: these cases check the iterator and the freed
 * index, not the window.
 */
#define BATCH_WINDOW 512

TEST_F(slow_lo, uring_send_aes_cm)
{
	uring_sends(_metadata, self, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, false,
		    BATCH_WINDOW);
}

TEST_F(slow_lo, uring_sendmsg_aes_cm)
{
	uring_sends(_metadata, self, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, true,
		    BATCH_WINDOW);
}

TEST_F(slow_lo, uring_send_gcm)
{
	uring_sends(_metadata, self, KSRTP_SUITE_AEAD_AES_128_GCM, false, BATCH_WINDOW);
}

TEST_F(slow_lo, uring_sendmsg_gcm)
{
	uring_sends(_metadata, self, KSRTP_SUITE_AEAD_AES_128_GCM, true, BATCH_WINDOW);
}

/*
 * The same setup with plain non-blocking sends: -EAGAIN does happen (so the
 * io_uring cases above do retry), and the packet sent again after it is
 * accepted, not refused as an index reuse, and received once.
 */
TEST_F(slow_lo, nonblocking_eagain_then_resend)
{
	int eagain = 0, other = 0;
	int64_t tx_srtp;

	ASSERT_EQ(0, slow_lo_keys(self, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0));
	for (int i = 0; i < NPKT; i++) {
		ssize_t n = send(self->tx, self->pkt[i], self->len[i], MSG_DONTWAIT);

		if (n == self->len[i])
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = self->tx, .events = POLLOUT };

			eagain++;
			poll(&p, 1, 2000);
			i--;	/* the same packet again */
			continue;
		}
		if (other++ < 5)
			TH_LOG("packet %d: %zd (%s)", i, n, strerror(errno));
	}
	TH_LOG("%d EAGAIN", eagain);
	EXPECT_LT(0, eagain);
	EXPECT_EQ(0, other);
	slow_lo_receive(_metadata, self);
	slow_lo_counters(_metadata, self);
	/*
	 * Documentation/netlink-api.md: tx-srtp counts, of the datagrams sent
	 * (tx-packets), the protected RTP ones; a send that failed with
	 * EAGAIN sent nothing.
	 */
	tx_srtp = sock_stat(&self->k, self->tx_cookie, KSRTP_A_SOCK_STATS_TX_SRTP);
	EXPECT_EQ(NPKT, tx_srtp) TH_LOG("tx-srtp counts the %d failed sends too?", eagain);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct blocking_sender {
	FIXTURE_DATA(slow_lo) *self;
	volatile bool stop;
	int sent, failed;
};

static void *blocking_send_loop(void *arg)
{
	struct blocking_sender *b = arg;

	for (int i = 0; i < NPKT / 2 && !b->stop; i++) {
		if (send(b->self->tx, b->self->pkt[i], b->self->len[i], 0) ==
		    b->self->len[i])
			b->sent++;
		else
			b->failed++;
	}
	return NULL;
}

/*
 * At 8 kbit/s each datagram holds a blocking sender ~200 ms in the wait for
 * socket buffer space, inside ksrtp's sendmsg. A MSG_DONTWAIT send from
 * another thread meanwhile must return at once (EAGAIN: the buffer is
 * full, or the mutex is taken), not sleep behind it on the TX mutex.
 */
TEST_F(slow_lo, dontwait_never_sleeps_behind_blocking_send)
{
	struct blocking_sender b = { .self = self };
	int eagain = 0, sent = 0, other = 0;
	double worst = 0;
	pthread_t t;

	ASSERT_EQ(0, slow_lo_keys(self, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0));
	ASSERT_EQ(0, system(TC " qdisc change dev lo root tbf rate 8kbit burst 2kb limit 1mb"));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocking_send_loop, &b));
	usleep(500 * 1000);	/* past the burst: the sender now waits */
	for (int j = 0; j < 10; j++) {
		int i = NPKT - 1 - j;
		double t0 = now_ms(), dt;
		ssize_t n = send(self->tx, self->pkt[i], self->len[i], MSG_DONTWAIT);

		dt = now_ms() - t0;
		worst = dt > worst ? dt : worst;
		if (n == self->len[i])
			sent++;
		else if (n < 0 && errno == EAGAIN)
			eagain++;
		else if (other++ < 3)
			TH_LOG("send %d: %zd (%s)", j, n, strerror(errno));
		usleep(50 * 1000);
	}
	b.stop = true;
	pthread_join(t, NULL);
	TH_LOG("non-blocking sends: %d EAGAIN, %d sent, slowest %.1f ms; blocking sender: %d sent",
	       eagain, sent, worst, b.sent);
	EXPECT_EQ(0, other);
	EXPECT_LT(0, eagain);
	EXPECT_EQ(0, b.failed);
	EXPECT_LT(worst, 100.0);
}

/* ------------------------------------------------ MKI, no auth tag */

static int set_unauth_param(const char *v)
{
	FILE *f = fopen(UNAUTH_PARAM, "w");

	if (!f)
		return -1;
	fputs(v, f);
	return fclose(f);
}

/*
 * UNAUTHENTICATED_SRTP with a 4-byte MKI: the wire is header | ciphertext |
 * MKI (no tag), equal to the reference's, and the receiver finds the MKI
 * at the very end: every packet delivered, none counted unknown-mki.
 */
TEST(mki_unauthenticated_srtp)
{
	static const uint32_t ids[] = { KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
					KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32 };
	struct sockaddr_storage ta, ma, ra;
	uint8_t key[46], mki[4], plain[512], exp[512], got[512];
	uint64_t tx_cookie, rx_cookie;
	struct ksrtp_nl k;
	struct nl_reply r;
	int tx, mid, rx;

	ASSERT_EQ(0, kn_open(&k));
	tx = udp_open(AF_INET, &ta);
	mid = udp_open(AF_INET, &ma);
	rx = udp_open(AF_INET, &ra);
	ASSERT_GE(tx, 0);
	ASSERT_GE(mid, 0);
	ASSERT_GE(rx, 0);
	ASSERT_EQ(0, udp_connect(tx, &ma));	/* mid stays unconnected: it hears tx */
	ASSERT_EQ(0, kn_attach(&k, tx, 0, &tx_cookie, &r));
	ASSERT_EQ(0, kn_attach(&k, rx, 0, &rx_cookie, &r));
	key_fill(key, 46, 0x5c);
	ref_mki(1, mki);

	for (size_t s = 0; s < sizeof(ids) / sizeof(ids[0]); s++) {
		const struct suite_desc *sd = suite_by_id(ids[s]);
		uint32_t ssrc = SSRC + s;
		struct ctx_spec tc = { .cookie = tx_cookie, .dir = KSRTP_DIR_TX,
				       .ssrc = ssrc, .suite = ids[s], .key = key,
				       .key_id = 1, .mki = mki, .mki_len = 4,
				       .roc = -1, .seq = -1,
				       .flags = KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP };
		struct ctx_spec rc = tc;
		struct ossl_srtp ref;
		struct ctx_stats cs;
		int e1, e2;

		rc.cookie = rx_cookie;
		rc.dir = KSRTP_DIR_RX;
		ASSERT_EQ(0, set_unauth_param("1"));
		e1 = kn_ctx_new(&k, &tc, &r);
		e2 = kn_ctx_new(&k, &rc, &r);
		ASSERT_EQ(0, set_unauth_param("0"));
		ASSERT_EQ(0, e1);
		ASSERT_EQ(0, e2) TH_LOG("%s", r.extack);
		ASSERT_EQ(0, ossl_init(&ref, 16, 14, sd->srtp_tag, 10, 1, key));
		ref.srtp_tag = 0;	/* unauthenticated: no tag */

		for (int i = 0; i < 20; i++) {
			int n = rtp_make(plain, ssrc, 500 + i, 20 + 17 * i, i % 3, i & 1);
			int len;

			memcpy(exp, plain, n);
			len = ossl_protect_rtp(&ref, exp, n, 12 + 4 * (i % 3) + (i & 1 ? 8 : 0),
					       ssrc, 500 + i, mki, 4);
			ASSERT_EQ(n + 4, len);	/* header | ciphertext | MKI */
			ASSERT_EQ(n, send(tx, plain, n, 0));
			ASSERT_EQ(len, recv(mid, got, sizeof(got), 0)) TH_LOG("%s %d", sd->name, i);
			EXPECT_EQ(0, memcmp(exp, got, len)) TH_LOG("%s %d: wire", sd->name, i);
			EXPECT_EQ(0, memcmp(got + n, mki, 4));
			/* the wire to the receiver: the plaintext comes out */
			ASSERT_EQ(len, sendto(mid, got, len, 0, (struct sockaddr *)&ra,
					      sa_len(&ra)));
			ASSERT_EQ(n, recv(rx, got, sizeof(got), 0)) TH_LOG("%s %d: rx", sd->name, i);
			EXPECT_EQ(0, memcmp(plain, got, n));
		}
		ASSERT_EQ(0, kn_ctx_stats(&k, &rc, &cs));
		EXPECT_EQ(20, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
		EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_UNKNOWN_MKI]);
		EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
		EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_MALFORMED]);
	}
	set_unauth_param("0");
	close(tx);
	close(mid);
	close(rx);
	close(k.fd);
}

/* ------------------------------------------------ IPv6, 65,527 bytes */

/* The largest UDP payload over IPv6 (no jumbograms); TX keeps room for the
 * largest trailer (kmod/crypto.h KSRTP_TRAILER_MAX: tag, MKI, SRTCP index) */
#define V6_MAX 65527
#define TRAILER_MAX (16 + KSRTP_MAX_MKI_LEN + 4)
#define TX_MAX (V6_MAX - TRAILER_MAX)

/*
 * IPv6 over ::1, AEAD_AES_128_GCM without MKI, the receiver holding two
 * keys with the packets' key not the active one: the first try fails and
 * scrambles the buffer, the second decrypts RX's per-CPU copy of the
 * datagram. The largest datagram ksrtp sends (65,503 plain, 65,519 on the
 * wire) and the largest IPv6 allows (65,527 on the wire, from the
 * reference) both decrypt to the bytes sent; with a 4-byte MKI, ksrtp to
 * ksrtp, 65,523 bytes on the wire. All above IPv4's 65,507.
 */
TEST(ipv6_largest_datagrams)
{
	struct sockaddr_storage ta, ra, pa;
	uint8_t keya[46], keyb[46], mki[4];
	uint64_t tx_cookie, rx_cookie;
	int tx, rx, plainfd, big = 4 << 20, n, len;
	uint8_t *plain, *wire, *got;
	struct ossl_srtp refb;
	struct ctx_stats cs;
	struct ksrtp_nl k;
	struct nl_reply r;
	struct ctx_spec rc = { .dir = KSRTP_DIR_RX, .ssrc = SSRC,
			       .suite = KSRTP_SUITE_AEAD_AES_128_GCM, .key = keya,
			       .key_id = 1, .roc = -1, .seq = -1 };
	struct ctx_spec tc = rc, rc2, tc2;

	plain = malloc(V6_MAX + 64);
	wire = malloc(V6_MAX + 64);
	got = malloc(V6_MAX + 64);
	ASSERT_TRUE(plain && wire && got);
	ASSERT_EQ(0, kn_open(&k));
	tx = udp_open(AF_INET6, &ta);
	rx = udp_open(AF_INET6, &ra);
	plainfd = udp_open(AF_INET6, &pa);
	ASSERT_GE(tx, 0) TH_LOG("no IPv6 loopback?");
	ASSERT_GE(rx, 0);
	ASSERT_GE(plainfd, 0);
	ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	ASSERT_EQ(0, udp_connect(tx, &ra));
	ASSERT_EQ(0, udp_connect(plainfd, &ra));
	ASSERT_EQ(0, kn_attach(&k, tx, 0, &tx_cookie, &r));
	ASSERT_EQ(0, kn_attach(&k, rx, 0, &rx_cookie, &r));
	key_fill(keya, 46, 0x21);
	key_fill(keyb, 46, 0x93);

	/* RX: key A active, key B added; TX and the reference use key B */
	rc.cookie = rx_cookie;
	ASSERT_EQ(0, kn_ctx_new(&k, &rc, &r)) TH_LOG("%s", r.extack);
	rc.key = keyb;
	rc.key_id = 2;
	ASSERT_EQ(0, kn_key_cmd(&k, KSRTP_CMD_KEY_ADD, &rc, &r)) TH_LOG("%s", r.extack);
	tc.cookie = tx_cookie;
	tc.dir = KSRTP_DIR_TX;
	tc.key = keyb;
	tc.key_id = 2;
	ASSERT_EQ(0, kn_ctx_new(&k, &tc, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, ossl_init(&refb, 16, 12, 16, 16, 2, keyb));

	/* one byte over TX's limit is refused, the limit itself goes */
	n = rtp_make(plain, SSRC, 10, TX_MAX + 1 - 12, 0, false);
	EXPECT_EQ(-1, send(tx, plain, n, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	n = rtp_make(plain, SSRC, 11, TX_MAX - 12, 0, false);
	ASSERT_EQ(TX_MAX, n);
	EXPECT_EQ(n, send(tx, plain, n, 0)) TH_LOG("%s", strerror(errno));
	memset(got, 0, n);
	EXPECT_EQ(n, recv(rx, got, V6_MAX, 0));
	EXPECT_EQ(0, memcmp(plain, got, n));

	/* the largest IPv6 datagram: 65,511 plain bytes + the GCM tag */
	n = rtp_make(plain, SSRC, 12, V6_MAX - 16 - 12, 0, false);
	memcpy(wire, plain, n);
	len = ossl_protect_rtp(&refb, wire, n, 12, SSRC, 12, NULL, 0);
	ASSERT_EQ(V6_MAX, len);
	ASSERT_EQ(len, send(plainfd, wire, len, 0)) TH_LOG("%s", strerror(errno));
	memset(got, 0, n);
	EXPECT_EQ(n, recv(rx, got, V6_MAX, 0));
	EXPECT_EQ(0, memcmp(plain, got, n));

	ASSERT_EQ(0, kn_ctx_stats(&k, &rc, &cs));
	EXPECT_EQ(2, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_MALFORMED]);

	/* with a 4-byte MKI, ksrtp to ksrtp: 65,523 bytes on the wire */
	ref_mki(0, mki);
	rc2 = rc;
	rc2.ssrc = SSRC + 1;
	rc2.key = keya;
	rc2.key_id = 1;
	rc2.mki = mki;
	rc2.mki_len = 4;
	tc2 = rc2;
	tc2.cookie = tx_cookie;
	tc2.dir = KSRTP_DIR_TX;
	ASSERT_EQ(0, kn_ctx_new(&k, &rc2, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_ctx_new(&k, &tc2, &r)) TH_LOG("%s", r.extack);
	n = rtp_make(plain, SSRC + 1, 20, TX_MAX - 12, 0, false);
	EXPECT_EQ(n, send(tx, plain, n, 0)) TH_LOG("%s", strerror(errno));
	memset(got, 0, n);
	EXPECT_EQ(n, recv(rx, got, V6_MAX, 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	ASSERT_EQ(0, kn_ctx_stats(&k, &rc2, &cs));
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(TX_MAX, cs.v[KSRTP_A_CTX_STATS_BYTES]);

	close(tx);
	close(rx);
	close(plainfd);
	close(k.fd);
	free(plain);
	free(wire);
	free(got);
}

TEST_HARNESS_MAIN
