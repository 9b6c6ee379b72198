// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime of attached sockets and their contexts: what an application
 * may not do to an attached socket, and what a concurrent close, detach or
 * ctx-del must not break. Packets come from the OpenSSL reference
 * (srtp_ossl.h).
 */
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SUITE KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80

/* An SRTP packet of the reference; returns its length, plain in plain. */
static int ref_pkt(struct ossl_srtp *ref, uint8_t *pkt, uint8_t *plain,
		   uint32_t ssrc, uint64_t index, const uint8_t *mki, int mki_len)
{
	int n = rtp_make(plain, ssrc, index & 0xffff, 40, 0, false);

	memcpy(pkt, plain, n);
	return ossl_protect_rtp(ref, pkt, n, 12, ssrc, index, mki, mki_len);
}

/*
 * IPV6_ADDRFORM would turn an attached v4-mapped IPv6 socket into an IPv4
 * one with plain udp_prot, and its RTP would leave in clear: refused.
 */
TEST(ipv6_addrform_refused)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 }, to6 = a6;
	struct sockaddr_storage p4;
	struct ossl_srtp ref;
	uint8_t key[46], plain[128], exp[128], got[256];
	struct ksrtp_nl k;
	struct nl_reply r;
	uint64_t cookie;
	int app, peer, n, len, off = 0, v4 = AF_INET;
	struct ctx_spec c = { .dir = KSRTP_DIR_TX, .ssrc = 7, .suite = SUITE,
			      .key = key, .roc = -1, .seq = -1 };

	ASSERT_EQ(0, kn_open(&k));
	app = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_EQ(0, setsockopt(app, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)));
	ASSERT_EQ(0, bind(app, (struct sockaddr *)&a6, sizeof(a6)));
	peer = udp_open(AF_INET, &p4);
	ASSERT_GE(peer, 0);
	/* the peer as ::ffff:127.0.0.1 */
	to6.sin6_port = ((struct sockaddr_in *)&p4)->sin_port;
	to6.sin6_addr.s6_addr[10] = 0xff;
	to6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&to6.sin6_addr.s6_addr[12], &((struct sockaddr_in *)&p4)->sin_addr, 4);
	ASSERT_EQ(0, connect(app, (struct sockaddr *)&to6, sizeof(to6)));
	ASSERT_EQ(0, kn_attach(&k, app, 0, &cookie, &r));
	key_fill(key, 46, 0x61);
	ASSERT_EQ(0, ossl_init(&ref, 16, 14, 10, 10, 1, key));
	c.cookie = cookie;
	ASSERT_EQ(0, kn_ctx_new(&k, &c, &r)) TH_LOG("%s", r.extack);

	EXPECT_EQ(-1, setsockopt(app, IPPROTO_IPV6, IPV6_ADDRFORM, &v4, sizeof(v4)));
	EXPECT_EQ(EBUSY, errno);
	/* still SRTP on the wire, byte for byte the reference's */
	for (int i = 0; i < 3; i++) {
		n = rtp_make(plain, 7, 100 + i, 40, 0, false);
		memcpy(exp, plain, n);
		len = ossl_protect_rtp(&ref, exp, n, 12, 7, 100 + i, NULL, 0);
		ASSERT_EQ(n, send(app, plain, n, 0));
		ASSERT_EQ(len, recv(peer, got, sizeof(got), 0));
		EXPECT_EQ(0, memcmp(exp, got, len));
	}
	close(app);
	close(peer);
	close(k.fd);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* What a child shares with its parent (MAP_SHARED). */
struct race_shm {
	uint64_t cookie;	/* the socket attached now, 0 between */
	uint64_t asked;		/* the last cookie the parent asked about */
	uint32_t last_ssrc;
	int stop, done, rounds;
};

static struct race_shm *race_shm_new(void)
{
	void *p = mmap(NULL, sizeof(struct race_shm), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Child: attach a socket, leave it attached a moment, then close it, or
 * detach it first every other round; 3000 rounds or ms elapsed, but at least
 * RACE_MIN_ROUNDS however slow the kernel (a debug kernel does ~4 a second
 * under TCG). IPv4, or IPv4 and IPv6 in turn.
 */
#define RACE_MIN_ROUNDS	100

/* The race tests need no fixture, only a harness timeout for debug kernels. */
FIXTURE(race) {};
FIXTURE_SETUP(race) {}
FIXTURE_TEARDOWN(race) {}

static void attach_close_loop(struct race_shm *sh, int ms, bool mix_v6)
{
	uint64_t end = now_ms() + ms;
	struct sockaddr_storage a;
	int i;
	struct ksrtp_nl k;
	struct nl_reply r;
	struct nlmsg m;
	uint64_t cookie;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (kn_open(&k))
		_exit(2);
	for (i = 0; i < 3000 && (now_ms() < end || i < RACE_MIN_ROUNDS); i++) {
		int fd = udp_open(mix_v6 && i & 2 ? AF_INET6 : AF_INET, &a);

		if (fd < 0 || kn_attach(&k, fd, 0, &cookie, &r))
			_exit(3);
		__atomic_store_n(&sh->cookie, cookie, __ATOMIC_RELAXED);
		for (volatile int spin = 0; spin < (i % 7) * 2000; spin++)
			;
		/*
		 * Every 8th round, stay attached until the parent has asked
		 * (up to 100 ms): on a loaded TCG host the two may otherwise
		 * never overlap, and the race would go untested.
		 */
		for (int w = 0; !(i % 8) && w < 100 &&
		     __atomic_load_n(&sh->asked, __ATOMIC_RELAXED) != cookie; w++)
			usleep(1000);
		if (i & 1) {
			kn_msg(&k, &m, KSRTP_CMD_SOCK_DETACH, 0);
			nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
			if (nl_talk(k.fd, &m, NULL, NULL, &r))
				_exit(4);
		}
		close(fd);
		__atomic_store_n(&sh->rounds, i + 1, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* A socket is closed or detached while sock-get reads it, thousands of times. */
TEST_F_TIMEOUT(race, sock_get_races_close_and_detach, 180)
{
	struct race_shm *sh = race_shm_new();
	int status, gets = 0, found = 0, other = 0;
	struct sock_stats ss;
	struct ksrtp_nl k;
	pid_t pid;

	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, kn_open(&k));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		attach_close_loop(sh, 12000, true);
	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		uint64_t cookie = __atomic_load_n(&sh->cookie, __ATOMIC_RELAXED);
		int err;

		if (!cookie)
			continue;
		err = kn_sock_stats(&k, cookie, &ss);
		__atomic_store_n(&sh->asked, cookie, __ATOMIC_RELAXED);
		gets++;
		if (!err)
			found++;
		else if (err != -ENOENT)
			other++;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, other);
	EXPECT_LE(RACE_MIN_ROUNDS, sh->rounds);	/* 250..550 in 12 s under TCG */
	EXPECT_LT(0, found);
	TH_LOG("%d rounds, %d sock-get (%d answered)", sh->rounds, gets, found);
	close(k.fd);
	munmap(sh, sizeof(*sh));
}

static int sock_send_dtls(struct ksrtp_nl *k, uint64_t cookie,
			  const struct sockaddr_in *to, const uint8_t *data,
			  int len, struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_SEND, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put(&m, KSRTP_A_SOCK_REMOTE_ADDR, &to->sin_addr, 4);
	nl_put_u16(&m, KSRTP_A_SOCK_REMOTE_PORT, ntohs(to->sin_port));
	nl_put(&m, KSRTP_A_SOCK_DATA, data, len);
	return nl_talk(k->fd, &m, NULL, NULL, r);
}

static const uint8_t dtls_hello[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 3, 1, 2, 3 };

/*
 * sock-send goes through the socket layer like the application's sends
 * (sock_sendmsg: LSM hook, autobind): from a socket never bound, the
 * datagram leaves from the port the socket was given, unchanged.
 */
TEST(sock_send_through_the_socket_layer)
{
	struct sockaddr_storage rx_addr, from, app_addr;
	socklen_t fl = sizeof(from), al = sizeof(app_addr);
	struct ksrtp_nl k;
	struct nl_reply r;
	uint8_t got[128];
	uint64_t cookie;
	int app, rx;

	ASSERT_EQ(0, kn_open(&k));
	app = socket(AF_INET, SOCK_DGRAM, 0);
	rx = udp_open(AF_INET, &rx_addr);
	ASSERT_GE(app, 0);
	ASSERT_GE(rx, 0);
	ASSERT_EQ(0, kn_attach(&k, app, 0, &cookie, &r));
	ASSERT_EQ(0, sock_send_dtls(&k, cookie, (struct sockaddr_in *)&rx_addr,
				    dtls_hello, sizeof(dtls_hello), &r))
		TH_LOG("%s", r.extack);
	ASSERT_EQ(sizeof(dtls_hello), recvfrom(rx, got, sizeof(got), 0,
					       (struct sockaddr *)&from, &fl));
	EXPECT_EQ(0, memcmp(dtls_hello, got, sizeof(dtls_hello)));
	ASSERT_EQ(0, getsockname(app, (struct sockaddr *)&app_addr, &al));
	EXPECT_NE(0, ((struct sockaddr_in *)&from)->sin_port);
	EXPECT_EQ(((struct sockaddr_in *)&app_addr)->sin_port,
		  ((struct sockaddr_in *)&from)->sin_port);
	close(app);
	close(rx);
	close(k.fd);
}

/* sock-send to sockets closed or detached meanwhile: no crash, bytes unchanged. */
TEST_F_TIMEOUT(race, sock_send_races_close_and_detach, 180)
{
	struct race_shm *sh = race_shm_new();
	int status, sends = 0, sent = 0, other = 0, got_n = 0, n;
	struct sockaddr_storage rx_addr;
	struct ksrtp_nl k;
	struct nl_reply r;
	uint8_t got[128];
	pid_t pid;
	int rx;

	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, kn_open(&k));
	rx = udp_open(AF_INET, &rx_addr);
	ASSERT_GE(rx, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		attach_close_loop(sh, 12000, false);
	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		uint64_t cookie = __atomic_load_n(&sh->cookie, __ATOMIC_RELAXED);
		int err;

		if (!cookie)
			continue;
		err = sock_send_dtls(&k, cookie, (struct sockaddr_in *)&rx_addr,
				     dtls_hello, sizeof(dtls_hello), &r);
		sends++;
		if (!err)
			sent++;
		/* else the socket is gone (ENOENT) or being closed (EPIPE) */
		else if (err != -ENOENT && err != -EPIPE)
			other++;
		while ((n = recv(rx, got, sizeof(got), MSG_DONTWAIT)) >= 0) {
			got_n++;
			if (n != sizeof(dtls_hello) || memcmp(got, dtls_hello, n))
				other++;
		}
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, other);
	EXPECT_LE(RACE_MIN_ROUNDS, sh->rounds);	/* 250..550 in 12 s under TCG */
	EXPECT_LT(0, sent);
	TH_LOG("%d rounds, %d sock-send (%d sent, %d received)", sh->rounds,
	       sends, sent, got_n);
	close(rx);
	close(k.fd);
	munmap(sh, sizeof(*sh));
}

static int ctx_ssrc_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1];
	uint32_t *list = arg;

	if (nl_parse_genl(tb, KSRTP_A_CTX_MAX, nlh))
		return -1;
	if (tb[KSRTP_A_CTX_SSRC] && list[0] < 255) {
		list[1 + 2 * list[0]] = nl_u32(tb[KSRTP_A_CTX_SSRC]);
		list[2 + 2 * list[0]] = nl_u32(tb[KSRTP_A_CTX_DIR]);
		list[0]++;
	}
	return 0;
}

/*
 * Templates deleted (and added again) while new SSRCs arrive and are sent:
 * after the last ctx-del nothing learned from them is left, and nothing
 * decrypts or goes out with their keys.
 */
TEST(template_delete_races_learning)
{
	struct sockaddr_storage app_addr, peer_addr;
	uint8_t key[46];
	struct ctx_spec rt = { .dir = KSRTP_DIR_RX, .suite = SUITE, .key = key,
			       .any = true, .roc = 0, .seq = -1 };
	struct ctx_spec tt = { .dir = KSRTP_DIR_TX, .suite = SUITE, .key = key,
			       .any = true, .roc = -1, .seq = -1 };
	struct ossl_srtp ref;
	struct ksrtp_nl k;
	uint64_t cookie;
	int app, peer;
	struct race_shm *sh = race_shm_new();
	uint8_t pkt[128], plain[128], got[2048];
	uint32_t left[1 + 2 * 256] = { 0 };
	int status, rounds = 0, n, len;
	struct nl_reply r;
	struct nlmsg m;
	uint64_t end;
	pid_t rx_pid, tx_pid;

	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, kn_open(&k));
	app = udp_open(AF_INET, &app_addr);
	peer = udp_open(AF_INET, &peer_addr);
	ASSERT_GE(app, 0);
	ASSERT_GE(peer, 0);
	ASSERT_EQ(0, udp_connect(app, &peer_addr));
	ASSERT_EQ(0, udp_connect(peer, &app_addr));
	/* room for every SSRC learned */
	ASSERT_EQ(0, kn_attach_max(&k, app, 0, 1000000, &cookie, &r));
	key_fill(key, 46, 0x10);
	ASSERT_EQ(0, ossl_init(&ref, 16, 14, 10, 10, 1, key));
	rt.cookie = tt.cookie = cookie;

	/* SRTP of ever new SSRCs to the application; RTP of new SSRCs from it */
	rx_pid = fork();
	ASSERT_GE(rx_pid, 0);
	if (!rx_pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (uint32_t ssrc = 0x10000; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); ssrc++) {
			len = ref_pkt(&ref, pkt, plain, ssrc, 1, NULL, 0);
			send(peer, pkt, len, MSG_DONTWAIT);
			__atomic_store_n(&sh->last_ssrc, ssrc, __ATOMIC_RELAXED);
		}
		_exit(0);
	}
	tx_pid = fork();
	ASSERT_GE(tx_pid, 0);
	if (!tx_pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (uint32_t ssrc = 0x80000; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); ssrc++) {
			n = rtp_make(plain, ssrc, 1, 40, 0, false);
			send(app, plain, n, MSG_DONTWAIT);
		}
		_exit(0);
	}
	end = now_ms() + 8000;
	while (now_ms() < end && rounds < 2000) {
		ASSERT_EQ(0, kn_ctx_new(&k, &rt, &r)) TH_LOG("%s", r.extack);
		ASSERT_EQ(0, kn_ctx_new(&k, &tt, &r)) TH_LOG("%s", r.extack);
		for (volatile int spin = 0; spin < (rounds % 5) * 20000; spin++)
			;
		ASSERT_EQ(0, kn_key_cmd(&k, KSRTP_CMD_CTX_DEL, &rt, &r));
		ASSERT_EQ(0, kn_key_cmd(&k, KSRTP_CMD_CTX_DEL, &tt, &r));
		rounds++;
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(rx_pid, waitpid(rx_pid, &status, 0));
	ASSERT_EQ(tx_pid, waitpid(tx_pid, &status, 0));
	usleep(200000);

	/* nothing learned from the deleted templates is left */
	kn_msg(&k, &m, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, cookie);
	ASSERT_EQ(0, nl_talk(k.fd, &m, ctx_ssrc_cb, left, &r));
	EXPECT_EQ(0, left[0]) TH_LOG("%u contexts left after %d rounds", left[0], rounds);
	TH_LOG("%d rounds, SSRCs up to 0x%x", rounds, sh->last_ssrc);

	/* and nothing decrypts or is protected with their keys */
	while (recv(app, got, sizeof(got), MSG_DONTWAIT) >= 0)
		;
	while (recv(peer, got, sizeof(got), MSG_DONTWAIT) >= 0)
		;
	for (uint32_t i = 0; i < left[0]; i++) {
		uint32_t ssrc = left[1 + 2 * i];

		if (left[2 + 2 * i] == KSRTP_DIR_RX) {
			len = ref_pkt(&ref, pkt, plain, ssrc, 2, NULL, 0);
			ASSERT_EQ(len, send(peer, pkt, len, 0));
			EXPECT_TRUE(udp_quiet(app, 150));
		} else {
			n = rtp_make(plain, ssrc, 2, 40, 0, false);
			EXPECT_EQ(-1, send(app, plain, n, 0));
			EXPECT_TRUE(udp_quiet(peer, 100));
		}
	}
	for (uint32_t ssrc = sh->last_ssrc - 16; ssrc <= sh->last_ssrc + 1; ssrc++) {
		len = ref_pkt(&ref, pkt, plain, ssrc, 3, NULL, 0);
		ASSERT_EQ(len, send(peer, pkt, len, 0));
	}
	EXPECT_TRUE(udp_quiet(app, 200));
	close(app);
	close(peer);
	close(k.fd);
	munmap(sh, sizeof(*sh));
}


TEST_HARNESS_MAIN
