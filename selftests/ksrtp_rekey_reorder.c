// SPDX-License-Identifier: GPL-2.0
/*
 * Rekeying under reordering: a sender in one namespace streams SRTP at full
 * rate over a veth whose egress is netem (delay 2 ms with 2 ms jitter,
 * 25 % of packets reordered) to an attached socket in another, switching to
 * a new master key every 200 packets, without MKI, 120 times. The receiver
 * adds each key before the sender uses it, swaps the active key once the
 * new one is in use, and deletes keys three generations old (50 ms after
 * their last packet at least), all while packets of the old and new keys
 * arrive interleaved. The replay window is 1,024 packets: at full rate the
 * 4 ms of jitter move a packet by up to rate x 4 ms.
 *
 * Asserted: every packet reaches the application once, byte for byte (all
 * arrive well inside the replay window), no authentication failure and no
 * replay drop is counted, and netem dropped nothing. AES-CM and AEAD-GCM
 * (whose failed trial decryptions must restore the packet for the next key).
 */
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SSRC		0x2e0edeadu
#define PER_KEY		200
#define GENERATIONS	121	/* 120 key changes */
#define NPKT		(PER_KEY * GENERATIONS)
#define PAYLOAD		160
#define IP		"PATH=/usr/sbin:/sbin:$PATH ip"
#define TC		"PATH=/usr/sbin:/sbin:$PATH tc"

struct receiver {
	int fd;
	atomic_int stop;
	atomic_long ok, bad, dup;
	uint8_t seen[NPKT];
};

static void *receive_loop(void *arg)
{
	struct receiver *rx = arg;
	uint8_t buf[512], exp[512];

	while (!rx->stop) {
		ssize_t n = recv(rx->fd, buf, sizeof(buf), 0);
		int seq, len;

		if (n < 0)
			continue;	/* SO_RCVTIMEO: look at stop */
		seq = n >= 4 ? (buf[2] << 8) | buf[3] : -1;
		len = seq >= 0 && seq < NPKT ?
		      rtp_make(exp, SSRC, seq, PAYLOAD, 0, false) : -1;
		if (len != n || memcmp(exp, buf, n)) {
			rx->bad++;
			continue;
		}
		if (rx->seen[seq]++)
			rx->dup++;
		else
			rx->ok++;
	}
	return NULL;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int netns_fd(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY);
}

#define BACKLOG "/proc/sys/net/core/netdev_max_backlog"

static long sysctl_rw(const char *path, long set)
{
	FILE *f = fopen(path, "r");
	long old = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &old) != 1)
		old = -1;
	fclose(f);
	if (set >= 0 && (f = fopen(path, "w"))) {
		fprintf(f, "%ld\n", set);
		fclose(f);
	}
	return old;
}

FIXTURE(rr) {
	long backlog;
	struct ksrtp_nl k;
	struct sockaddr_storage app_addr, peer_addr;
	int app, peer, home;
	uint64_t cookie;
	struct receiver *rx;
	pthread_t th;
};

FIXTURE_VARIANT(rr) {
	uint32_t suite;
	int key_len, salt_len, tag, cipher;
};

FIXTURE_VARIANT_ADD(rr, aes_cm_128_80) {
	.suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
	.key_len = 16, .salt_len = 14, .tag = 10, .cipher = 1,
};

FIXTURE_VARIANT_ADD(rr, aead_aes_128_gcm) {
	.suite = KSRTP_SUITE_AEAD_AES_128_GCM,
	.key_len = 16, .salt_len = 12, .tag = 16, .cipher = 2,
};

FIXTURE_SETUP(rr)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&self->app_addr;
	struct sockaddr_in *p = (struct sockaddr_in *)&self->peer_addr;
	int big = 32 << 20, nsa, nsb;
	struct timeval tv = { .tv_sec = 1 };
	struct nl_reply r;

	/* netem releases bursts: the receiving veth's backlog must take them */
	self->backlog = sysctl_rw(BACKLOG, 65536);
	self->home = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->home);
	system(IP " netns del ksrtp-rra 2>/dev/null; " IP " netns del ksrtp-rrb 2>/dev/null");
	ASSERT_EQ(0, system(IP " netns add ksrtp-rra && " IP " netns add ksrtp-rrb && "
			    IP " link add rra netns ksrtp-rra type veth peer name rrb netns ksrtp-rrb && "
			    IP " -n ksrtp-rra addr add 10.77.0.1/24 dev rra && "
			    IP " -n ksrtp-rrb addr add 10.77.0.2/24 dev rrb && "
			    IP " -n ksrtp-rra link set rra up && " IP " -n ksrtp-rrb link set rrb up && "
			    TC " -n ksrtp-rra qdisc add dev rra root netem delay 2ms 2ms "
			    "reorder 25% 50% limit 100000"));
	nsa = netns_fd("ksrtp-rra");
	nsb = netns_fd("ksrtp-rrb");
	ASSERT_LE(0, nsa);
	ASSERT_LE(0, nsb);

	/* the application's side: its socket and its netlink socket in B */
	ASSERT_EQ(0, setns(nsb, CLONE_NEWNET));
	self->app = socket(AF_INET, SOCK_DGRAM, 0);
	a->sin_family = AF_INET;
	a->sin_port = htons(40000);
	inet_pton(AF_INET, "10.77.0.2", &a->sin_addr);
	ASSERT_EQ(0, bind(self->app, (struct sockaddr *)a, sizeof(*a)));
	ASSERT_EQ(0, setsockopt(self->app, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	ASSERT_EQ(0, setsockopt(self->app, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, kn_open(&self->k));
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));

	/* the sender in A */
	ASSERT_EQ(0, setns(nsa, CLONE_NEWNET));
	self->peer = socket(AF_INET, SOCK_DGRAM, 0);
	p->sin_family = AF_INET;
	p->sin_port = htons(40001);
	inet_pton(AF_INET, "10.77.0.1", &p->sin_addr);
	ASSERT_EQ(0, bind(self->peer, (struct sockaddr *)p, sizeof(*p)));
	ASSERT_EQ(0, connect(self->peer, (struct sockaddr *)a, sizeof(*a)));
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
	close(nsa);
	close(nsb);

	self->rx = calloc(1, sizeof(*self->rx));
	ASSERT_NE(NULL, self->rx);
	self->rx->fd = self->app;
}

FIXTURE_TEARDOWN(rr)
{
	if (self->rx) {
		self->rx->stop = 1;
		if (self->th)
			pthread_join(self->th, NULL);
		free(self->rx);
	}
	close(self->app);
	close(self->peer);
	close(self->k.fd);
	system(IP " netns del ksrtp-rra 2>/dev/null; " IP " netns del ksrtp-rrb 2>/dev/null");
	if (self->backlog > 0)
		sysctl_rw(BACKLOG, self->backlog);
}

static void gen_key(uint8_t *key, int g)
{
	key_fill(key, 46, (uint8_t)(0x31 + g * 17));
}

/* "dropped N" of the sender's netem qdisc */
static long netem_dropped(void)
{
	char line[512];
	long dropped = -1;
	FILE *f = popen(TC " -n ksrtp-rra -s qdisc show dev rra", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "(dropped ");

		if (p && dropped < 0)
			sscanf(p, "(dropped %ld", &dropped);
	}
	pclose(f);
	return dropped;
}

static __attribute__((noinline)) int
stream(struct __test_metadata *_metadata, FIXTURE_DATA(rr) *self,
       const FIXTURE_VARIANT(rr) *variant, struct ctx_spec *c, long *swaps)
{
	uint8_t key[46], pkt[512];
	double ended[GENERATIONS];
	struct ossl_srtp ref;
	struct nl_reply r;

	for (int g = 0; g < GENERATIONS; g++) {
		gen_key(key, g);
		ASSERT_EQ(0, ossl_init(&ref, variant->key_len, variant->salt_len,
				       variant->tag, variant->tag, variant->cipher, key));
		for (int i = 0; i < PER_KEY; i++) {
			int seq = g * PER_KEY + i;
			int n = rtp_make(pkt, SSRC, seq, PAYLOAD, 0, false);

			n = ossl_protect_rtp(&ref, pkt, n, 12, SSRC, seq, NULL, 0);
			if (send(self->peer, pkt, n, 0) != n)
				return -errno;
			if (i == PER_KEY / 2 && g > 0) {
				/* the new key is in use: make it the first tried */
				c->key_id = g % 8;
				ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_SWAP, c, &r))
					TH_LOG("swap to %d: %s", g, r.extack);
				(*swaps)++;
			}
			if (i == PER_KEY * 3 / 4 && g + 1 < GENERATIONS) {
				/* the next one before the sender needs it ... */
				gen_key(key, g + 1);
				c->key = key;
				c->key_id = (g + 1) % 8;	/* at most 5 keys at once */
				ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_ADD, c, &r))
					TH_LOG("add %d: %s", g + 1, r.extack);
				gen_key(key, g);
				/*
				 * ... and the one three generations old goes, once
				 * its last packet is surely out of netem (4 ms)
				 */
				if (g >= 3) {
					while (now_ms() - ended[g - 3] < 50)
						usleep(1000);
					c->key_id = (g - 3) % 8;
					ASSERT_EQ(0, kn_key_cmd(&self->k, KSRTP_CMD_KEY_DEL, c, &r))
						TH_LOG("del %d: %s", g - 3, r.extack);
				}
			}
		}
		ended[g] = now_ms();
	}
	return 0;
}

/* generous: a debug kernel under TCG is ten times slower */
TEST_F_TIMEOUT(rr, rekey_while_reordered, 1800)
{
	/*
	 * At full rate up to 4 ms of jitter displaces a packet by rate x 4 ms:
	 * a 1,024-packet window keeps every packet inside it up to 256k pps
	 */
	struct ctx_spec c = { .cookie = self->cookie, .dir = KSRTP_DIR_RX,
			      .ssrc = SSRC, .suite = variant->suite,
			      .roc = -1, .seq = -1, .window = 1024 };
	uint8_t key[46];
	struct sock_stats ss;
	struct ctx_stats cs;
	struct nl_reply r;
	long swaps = 0, dropped;

	gen_key(key, 0);
	c.key = key;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, pthread_create(&self->th, NULL, receive_loop, self->rx));
	ASSERT_EQ(0, stream(_metadata, self, variant, &c, &swaps));
	for (int i = 0; i < 50 && self->rx->ok + self->rx->bad < NPKT; i++)
		usleep(100 * 1000);
	usleep(300 * 1000);

	ASSERT_EQ(0, kn_ctx_stats(&self->k, &c, &cs));
	ASSERT_EQ(0, kn_sock_stats(&self->k, self->cookie, &ss));
	dropped = netem_dropped();
	TH_LOG("%d packets, %ld key swaps: received %ld, duplicates %ld, strangers %ld; "
	       "arrived %llu, auth-fail %llu, replay-drop %llu, netem dropped %ld",
	       NPKT, swaps, (long)self->rx->ok, (long)self->rx->dup, (long)self->rx->bad,
	       (unsigned long long)ss.v[KSRTP_A_SOCK_STATS_RX_SRTP],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL],
	       (unsigned long long)cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP], dropped);
	EXPECT_LE(100, swaps);
	/* everything arrived: nothing lost on the way, so all must be accepted */
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(NPKT, ss.v[KSRTP_A_SOCK_STATS_RX_SRTP]);
	EXPECT_EQ(NPKT, self->rx->ok);
	EXPECT_EQ(0, self->rx->dup);
	EXPECT_EQ(0, self->rx->bad);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
	EXPECT_EQ(0, cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP]);
	EXPECT_EQ(NPKT, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
}

TEST_HARNESS_MAIN
