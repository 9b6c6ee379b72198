// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown while SRTP flows both ways, in many rounds: the socket detached
 * and attached again, its contexts deleted and created again, keys added,
 * swapped and deleted, and the owning process killed with its attached
 * socket mid-send. (lifecycle.sh does the same for `ip netns del` and
 * rmmod.) Between rounds the traffic threads never stop.
 *
 * Asserted: every operation succeeds; the traffic threads see no error but
 * the ones a round explains (no context, a full buffer); after the last
 * round a fresh context pair exchanges packets byte for byte; and once
 * everything is closed the module has as many live sockets, keyrings,
 * contexts and keys as before (its debugfs counts; a debug kernel adds
 * kmemleak). The VM harness fails the run on any kernel report.
 *
 * KSRTP_TEARDOWN_ROUNDS sets the rounds per kind (default 250: 1,000 here).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define PEER_SSRC	0x7ea0d0a1u
#define APP_SSRC	0x7ea0d0a2u

static const char *const obj_kinds[4] = { "sockets", "keyrings", "contexts", "keys" };

/* The live object counts once earlier tests' deferred frees have run. */
static void objs_settled(long out[4])
{
	long prev[4] = { -2, -2, -2, -2 };

	for (int tries = 0; tries < 50; tries++) {
		bool same = true;

		for (int i = 0; i < 4; i++) {
			out[i] = ksrtp_objects(obj_kinds[i]);
			same &= out[i] == prev[i];
			prev[i] = out[i];
		}
		if (same)
			return;
		usleep(200 * 1000);
	}
}

struct traffic {
	int app, peer;
	struct ossl_srtp ref;	/* the peer's current RX key, as the peer has it */
	pthread_mutex_t ref_lock;
	atomic_int stop;
	atomic_long peer_sent, app_sent, app_nokey, full, bad;
	atomic_int bad_errno;
};

static void note_error(struct traffic *t, int err)
{
	int zero = 0;

	if (err == EAGAIN || err == ENOBUFS) {
		t->full++;
	} else if (err == ENOKEY) {
		t->app_nokey++;		/* between a ctx-del and the next ctx-new */
	} else {
		t->bad++;
		atomic_compare_exchange_strong(&t->bad_errno, &zero, err);
	}
}

static void *peer_tx(void *arg)
{
	struct traffic *t = arg;
	uint8_t pkt[300];

	for (uint32_t i = 0; !t->stop; i++) {
		int n = rtp_make(pkt, PEER_SSRC, i, 120, 0, false);

		pthread_mutex_lock(&t->ref_lock);
		n = ossl_protect_rtp(&t->ref, pkt, n, 12, PEER_SSRC, i, NULL, 0);
		pthread_mutex_unlock(&t->ref_lock);
		if (send(t->peer, pkt, n, MSG_DONTWAIT) == n)
			t->peer_sent++;
		else
			note_error(t, errno);
		if (i % 8 == 7)
			usleep(200);	/* leave the CPUs to the rounds too */
	}
	return NULL;
}

static void *app_tx(void *arg)
{
	struct traffic *t = arg;
	uint8_t pkt[300];

	for (uint32_t i = 0; !t->stop; i++) {
		int n = rtp_make(pkt, APP_SSRC, i, 120, 0, false);

		if (send(t->app, pkt, n, MSG_DONTWAIT) == n)
			t->app_sent++;
		else
			note_error(t, errno);
		if (i % 8 == 7)
			usleep(200);
	}
	return NULL;
}

/* Receive until shut down (recv() returns 0: nobody sends empty datagrams). */
static void *drain(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[2048];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return NULL;
	}
}

FIXTURE(td) {
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	struct traffic t;
	uint64_t cookie;
	uint8_t rx_key[2][30], tx_key[2][46];
	long rounds, objs0[4];
	pthread_t th[4];
};

FIXTURE_SETUP(td)
{
	ASSERT_EQ(0, netns_private());
	objs_settled(self->objs0);
	ASSERT_LE(0, self->objs0[0]) TH_LOG("no /sys/kernel/debug/ksrtp/objects");
	self->rounds = test_env_long("KSRTP_TEARDOWN_ROUNDS", 250);
	ASSERT_EQ(0, kn_open(&self->k));
	ASSERT_EQ(0, udp_pair(AF_INET, true, &self->t.app, &self->app_addr,
			      &self->t.peer, &self->peer_addr));
	pthread_mutex_init(&self->t.ref_lock, NULL);
}

FIXTURE_TEARDOWN(td)
{
	self->t.stop = 1;
	/* the drains block in recv(): shutting the sockets down wakes them */
	shutdown(self->t.app, SHUT_RDWR);
	shutdown(self->t.peer, SHUT_RDWR);
	for (int i = 0; i < 4; i++)
		if (self->th[i])
			pthread_join(self->th[i], NULL);
	close(self->t.app);
	close(self->t.peer);
	close(self->k.fd);
}

/* RX (AES-CM) and TX (GCM) contexts with the keys of generation g. */
static int td_contexts(FIXTURE_DATA(td) *self, int g)
{
	struct ctx_spec rx = { .cookie = self->cookie, .dir = KSRTP_DIR_RX,
			       .ssrc = PEER_SSRC, .roc = -1, .seq = -1,
			       .suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80 };
	struct ctx_spec tx = rx;
	struct nl_reply r;
	int err;

	key_fill(self->rx_key[0], 30, (uint8_t)(g * 7));
	key_fill(self->tx_key[0], 28, (uint8_t)(g * 7 + 3));
	rx.key = self->rx_key[0];
	tx.dir = KSRTP_DIR_TX;
	tx.ssrc = APP_SSRC;
	tx.suite = KSRTP_SUITE_AEAD_AES_128_GCM;
	tx.key = self->tx_key[0];
	err = kn_ctx_new(&self->k, &rx, &r);
	if (!err)
		err = kn_ctx_new(&self->k, &tx, &r);
	pthread_mutex_lock(&self->t.ref_lock);
	ossl_init(&self->t.ref, 16, 14, 10, 10, 1, self->rx_key[0]);
	pthread_mutex_unlock(&self->t.ref_lock);
	return err;
}

static int td_attach(FIXTURE_DATA(td) *self, int g)
{
	struct nl_reply r;
	int err = kn_attach(&self->k, self->t.app, 0, &self->cookie, &r);

	return err ? err : td_contexts(self, g);
}

static int td_detach(FIXTURE_DATA(td) *self)
{
	struct nl_reply r;
	struct nlmsg m;

	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_DETACH, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, self->cookie);
	return nl_talk(self->k.fd, &m, NULL, NULL, &r);
}

static int td_ctx_del(FIXTURE_DATA(td) *self)
{
	struct ctx_spec c = { .cookie = self->cookie, .dir = KSRTP_DIR_RX,
			      .ssrc = PEER_SSRC };
	struct nl_reply r;
	int err = kn_key_cmd(&self->k, KSRTP_CMD_CTX_DEL, &c, &r);

	c.dir = KSRTP_DIR_TX;
	c.ssrc = APP_SSRC;
	return err ? err : kn_key_cmd(&self->k, KSRTP_CMD_CTX_DEL, &c, &r);
}

/* A new RX key (id 1) added and swapped to, the context's first (0) deleted. */
static int td_rekey(FIXTURE_DATA(td) *self, int g)
{
	struct ctx_spec c = { .cookie = self->cookie, .dir = KSRTP_DIR_RX,
			      .ssrc = PEER_SSRC,
			      .suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80 };
	int id = 1, err;
	struct nl_reply r;

	key_fill(self->rx_key[id], 30, (uint8_t)(g * 11 + 1));
	c.key = self->rx_key[id];
	c.key_id = id;
	err = kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, &c, &r);
	if (!err)
		err = kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, &c, &r);
	pthread_mutex_lock(&self->t.ref_lock);
	ossl_init(&self->t.ref, 16, 14, 10, 10, 1, self->rx_key[id]);
	pthread_mutex_unlock(&self->t.ref_lock);
	c.key_id = id ^ 1;
	if (!err)
		err = kn_key_cmd(&self->k, KSRTP_CMD_KEY_DEL, &c, &r);
	return err;
}

/* A process with its own attached socket, killed while it sends both ways. */
static int killed_owner_round(int round)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct sockaddr_storage a;
		struct ctx_spec c = { .dir = KSRTP_DIR_TX, .ssrc = APP_SSRC,
				      .suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
				      .roc = -1, .seq = -1 };
		uint8_t key[30], pkt[300];
		struct ksrtp_nl k;
		struct nl_reply r;
		uint64_t cookie;
		int app = udp_open(AF_INET, &a);

		key_fill(key, sizeof(key), (uint8_t)round);
		c.key = key;
		/* connected to itself: its SRTP comes back through its RX context */
		if (kn_open(&k) || app < 0 || udp_connect(app, &a) ||
		    kn_attach(&k, app, 0, &cookie, &r))
			_exit(3);
		c.cookie = cookie;
		if (kn_ctx_new(&k, &c, &r))
			_exit(4);
		c.dir = KSRTP_DIR_RX;
		if (kn_ctx_new(&k, &c, &r))
			_exit(5);
		for (uint32_t i = 0;; i++) {
			int n = rtp_make(pkt, APP_SSRC, i, 100, 0, false);

			send(app, pkt, n, MSG_DONTWAIT);
			recv(app, pkt, sizeof(pkt), MSG_DONTWAIT);
		}
	}
	usleep(2000 + (round % 8) * 1000);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	return WIFSIGNALED(status) ? 0 : -WEXITSTATUS(status);
}

/* generous: a debug kernel under TCG is ten times slower */
TEST_F_TIMEOUT(td, teardown_rounds_under_traffic, 1800)
{
	int g = 1, fails[4] = { 0 };
	struct timespec t0, t1;
	long objs[4];
	bool same;

	ASSERT_EQ(0, td_attach(self, g));
	pthread_create(&self->th[0], NULL, peer_tx, &self->t);
	pthread_create(&self->th[1], NULL, app_tx, &self->t);
	pthread_create(&self->th[2], NULL, drain, &self->t.app);
	pthread_create(&self->th[3], NULL, drain, &self->t.peer);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < self->rounds; i++) {
		usleep(1000);
		if (td_detach(self) || td_attach(self, ++g))
			fails[0]++;
		usleep(1000);
		if (td_ctx_del(self) || td_contexts(self, ++g))
			fails[1]++;
		usleep(1000);
		if (td_rekey(self, ++g))
			fails[2]++;
		if (killed_owner_round(i))
			fails[3]++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("%ld rounds each of detach, ctx-del, key swap, killed owner in %.1f s; "
	       "sent %ld/%ld, no key %ld, buffer full %ld, other errors %ld",
	       self->rounds, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9, (long)self->t.peer_sent, (long)self->t.app_sent,
	       (long)self->t.app_nokey, (long)self->t.full, (long)self->t.bad);
	EXPECT_EQ(0, fails[0]);
	EXPECT_EQ(0, fails[1]);
	EXPECT_EQ(0, fails[2]);
	EXPECT_EQ(0, fails[3]);
	EXPECT_EQ(0, self->t.bad) TH_LOG("first: %s", strerror(self->t.bad_errno));
	EXPECT_LT(0, self->t.peer_sent);
	EXPECT_LT(0, self->t.app_sent);

	/* the traffic stops; a fresh pair of contexts still works end to end */
	self->t.stop = 1;
	pthread_join(self->th[0], NULL);
	pthread_join(self->th[1], NULL);
	self->th[0] = self->th[1] = 0;
	shutdown(self->t.app, SHUT_RD);
	shutdown(self->t.peer, SHUT_RD);
	pthread_join(self->th[2], NULL);
	pthread_join(self->th[3], NULL);
	self->th[2] = self->th[3] = 0;
	close(self->t.app);
	close(self->t.peer);
	ASSERT_EQ(0, udp_pair(AF_INET, true, &self->t.app, &self->app_addr,
			      &self->t.peer, &self->peer_addr));
	ASSERT_EQ(0, td_attach(self, ++g));
	for (int i = 0; i < 5; i++) {
		uint8_t plain[300], pkt[300], got[300];
		int n = rtp_make(plain, PEER_SSRC, 40000 + i, 120, 0, false), len;

		memcpy(pkt, plain, n);
		len = ossl_protect_rtp(&self->t.ref, pkt, n, 12, PEER_SSRC, 40000 + i,
				       NULL, 0);
		ASSERT_EQ(len, send(self->t.peer, pkt, len, 0));
		ASSERT_EQ(n, recv(self->t.app, got, sizeof(got), 0));
		ASSERT_EQ(0, memcmp(plain, got, n));
	}

	/* everything closed: the caches are back where they were */
	close(self->t.app);
	close(self->t.peer);
	self->t.app = self->t.peer = -1;
	for (int tries = 0; tries < 100; tries++) {
		same = true;
		for (int i = 0; i < 4; i++) {
			objs[i] = ksrtp_objects(obj_kinds[i]);
			same &= objs[i] == self->objs0[i];
		}
		if (same)
			break;
		usleep(100 * 1000);	/* RCU-deferred frees */
	}
	TH_LOG("live objects before and after: sockets %ld/%ld, keyrings %ld/%ld, "
	       "contexts %ld/%ld, keys %ld/%ld", self->objs0[0], objs[0],
	       self->objs0[1], objs[1], self->objs0[2], objs[2], self->objs0[3], objs[3]);
	EXPECT_TRUE(same);
}

TEST_HARNESS_MAIN
