// SPDX-License-Identifier: GPL-2.0
/*
 * The relay (fwd-add): SRTP forwarded between two attached sockets in the
 * kernel, with libsrtp2 (Debian's, an independent implementation) on both
 * ends, each in its own network namespace over a veth pair:
 *
 *   caller ns            relay ns (the test's)               callee ns
 *   libsrtp2 key A  -->  sock a (RX ctx, key A)
 *                        sock b (TX ctx, key B)  -- fwd -->  libsrtp2 key B
 *
 * Byte-exact payloads, the SSRC/SEQ/timestamp rewrites, RTCP, fan-out,
 * replay and tamper dropped at the relay, the payload-type filter, the copy
 * to the application, teardown, and the netlink errors.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>
#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "ksrtp_fwd.h"

#define NPKT	12
#define NFAN	64
#define S_IN	0x5eed0001u
#define S_OUT	0x0b0b0000u
#define SEQ_OFF	1000
#define TS_OFF	160000u

/* ------------------------------------------------------------ fwd netlink */

/* Forwards a fwd-get dump lists (of one RX socket, or all). */
static int kn_fwd_count(struct ksrtp_nl *k, uint64_t rx)
{
	struct nl_reply r;
	struct nlmsg m;
	int n = 0, err;

	kn_msg(k, &m, KSRTP_CMD_FWD_GET, NLM_F_DUMP);
	if (rx)
		nl_put_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, rx);
	err = nl_talk(k->fd, &m, count_cb, &n, &r);
	return err ? err : n;
}

static int kn_plain_rtp(struct ksrtp_nl *k, uint64_t cookie, uint32_t policy)
{
	struct nl_reply r;
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_PLAIN_RTP, policy);
	return nl_talk(k->fd, &m, NULL, NULL, &r);
}

/* ------------------------------------------------------------ namespaces */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void sa_make(struct sockaddr_storage *ss, int fam, const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = fam;
	if (fam == AF_INET) {
		struct sockaddr_in *s = (void *)ss;

		inet_pton(AF_INET, ip, &s->sin_addr);
		s->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *s = (void *)ss;

		inet_pton(AF_INET6, ip, &s->sin6_addr);
		s->sin6_port = htons(port);
	}
}

/* A UDP socket bound to ss, in network namespace ns (NULL: ours). */
static int udp_in(const char *ns, const struct sockaddr_storage *ss)
{
	struct timeval tv = { .tv_sec = 3 };
	char path[64];
	int self = -1, fd = -1, nsfd;

	if (ns) {
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		self = open("/proc/self/ns/net", O_RDONLY);
		nsfd = open(path, O_RDONLY);
		if (self < 0 || nsfd < 0 || setns(nsfd, CLONE_NEWNET))
			return -1;
		close(nsfd);
	}
	fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	if (fd >= 0 && bind(fd, (const struct sockaddr *)ss, sa_len(ss))) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (ns && (setns(self, CLONE_NEWNET) || close(self)))
		return -1;
	return fd;
}

/* ------------------------------------------------------------ fixture */

/* Both fixtures' state: three namespaces, four sockets, two libsrtp2 ends. */
struct env {
	struct ksrtp_nl k;
	char caller_ns[32], callee_ns[32];
	const struct suite_desc *sin, *sout;
	struct sockaddr_storage caller_addr, a_addr, b_addr, callee_addr;
	int caller, a, b, callee;
	uint64_t ca, cb;
	uint8_t key_in[46], key_out[46];
	struct ref_srtp ref_in, ref_out;
	int family;
};

struct legs {
	uint32_t in, out;
	int family;
};

/* Every suite pair and family: the datapath through the relay */
FIXTURE(relay) {
	struct env e;
};

FIXTURE_VARIANT(relay) {
	struct legs l;
};

/* Different suites and keys on the two legs, as a gateway has them */
FIXTURE_VARIANT_ADD(relay, cm80_to_gcm128) {
	.l = { KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, KSRTP_SUITE_AEAD_AES_128_GCM, AF_INET },
};
FIXTURE_VARIANT_ADD(relay, gcm128_to_cm80) {
	.l = { KSRTP_SUITE_AEAD_AES_128_GCM, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, AF_INET },
};
FIXTURE_VARIANT_ADD(relay, gcm256_to_cm32_ipv6) {
	.l = { KSRTP_SUITE_AEAD_AES_256_GCM, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, AF_INET6 },
};

/* One pair of legs: what a forward does beyond the datapath */
FIXTURE(fwd) {
	struct env e;
};

static const struct legs fwd_legs = {
	KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, KSRTP_SUITE_AEAD_AES_128_GCM, AF_INET,
};

static const char *ip_of(int fam, int net, int host)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	if (fam == AF_INET)
		snprintf(buf[i], sizeof(buf[i]), "10.7%d.0.%d", net, host);
	else
		snprintf(buf[i], sizeof(buf[i]), "fd7%d::%d", net, host);
	return buf[i];
}

static int ns_setup(struct env *self)
{
	const char *c = self->caller_ns, *e = self->callee_ns;

	return sh("ip netns add %s && ip netns add %s && ip link set lo up &&"
		  " ip link add r0 type veth peer name c0 netns %s &&"
		  " ip link add r1 type veth peer name c1 netns %s &&"
		  " ip addr add 10.71.0.1/24 dev r0 && ip addr add 10.72.0.1/24 dev r1 &&"
		  " ip addr add fd71::1/64 dev r0 nodad && ip addr add fd72::1/64 dev r1 nodad &&"
		  " ip link set r0 up && ip link set r1 up &&"
		  " ip -n %s addr add 10.71.0.2/24 dev c0 && ip -n %s addr add fd71::2/64 dev c0 nodad &&"
		  " ip -n %s link set c0 up && ip -n %s link set lo up &&"
		  " ip -n %s addr add 10.72.0.2/24 dev c1 && ip -n %s addr add fd72::2/64 dev c1 nodad &&"
		  " ip -n %s link set c1 up && ip -n %s link set lo up",
		  c, e, c, e, c, c, c, c, e, e, e, e);
}

static void env_setup(struct __test_metadata *_metadata, struct env *self,
		      const struct legs *variant)
{
	struct nl_reply r;
	int fam = variant->family;

	self->family = fam;
	snprintf(self->caller_ns, sizeof(self->caller_ns), "ksrtp-caller-%d", getpid());
	snprintf(self->callee_ns, sizeof(self->callee_ns), "ksrtp-callee-%d", getpid());
	self->caller = self->a = self->b = self->callee = -1;
	ASSERT_EQ(0, srtp_init());
	ASSERT_EQ(0, netns_private());
	ASSERT_EQ(0, ns_setup(self));
	ASSERT_EQ(0, kn_open(&self->k));
	self->sin = suite_by_id(variant->in);
	self->sout = suite_by_id(variant->out);
	sa_make(&self->caller_addr, fam, ip_of(fam, 1, 2), 40000);
	sa_make(&self->a_addr, fam, ip_of(fam, 1, 1), 30000);
	sa_make(&self->b_addr, fam, ip_of(fam, 2, 1), 30002);
	sa_make(&self->callee_addr, fam, ip_of(fam, 2, 2), 40002);
	self->caller = udp_in(self->caller_ns, &self->caller_addr);
	self->callee = udp_in(self->callee_ns, &self->callee_addr);
	self->a = udp_in(NULL, &self->a_addr);
	self->b = udp_in(NULL, &self->b_addr);
	ASSERT_GE(self->caller, 0);
	ASSERT_GE(self->callee, 0);
	ASSERT_GE(self->a, 0);
	ASSERT_GE(self->b, 0);
	ASSERT_EQ(0, udp_connect(self->caller, &self->a_addr));
	ASSERT_EQ(0, kn_attach(&self->k, self->a, 0, &self->ca, &r));
	ASSERT_EQ(0, kn_attach(&self->k, self->b, 0, &self->cb, &r));
	key_fill(self->key_in, self->sin->key_len + self->sin->salt_len, 0x11);
	key_fill(self->key_out, self->sout->key_len + self->sout->salt_len, 0x77);
	ASSERT_EQ(0, ref_init(&self->ref_in, self->sin, false, S_IN, false,
			      (const uint8_t (*)[46])self->key_in, 1, 0));
	ASSERT_EQ(0, ref_init(&self->ref_out, self->sout, true, S_OUT, false,
			      (const uint8_t (*)[46])self->key_out, 1, 0));
}

static void env_teardown(struct env *self)
{
	srtp_dealloc(self->ref_in.s);
	srtp_dealloc(self->ref_out.s);
	close(self->caller);
	close(self->callee);
	close(self->a);
	close(self->b);
	close(self->k.fd);
	sh("ip netns del %s; ip netns del %s", self->caller_ns, self->callee_ns);
}

FIXTURE_SETUP(relay)
{
	env_setup(_metadata, &self->e, &variant->l);
}

FIXTURE_TEARDOWN(relay)
{
	env_teardown(&self->e);
}

FIXTURE_SETUP(fwd)
{
	env_setup(_metadata, &self->e, &fwd_legs);
}

FIXTURE_TEARDOWN(fwd)
{
	env_teardown(&self->e);
}

static int ctx_add(struct env *self, uint64_t cookie, uint32_t dir,
		   uint32_t ssrc, const struct suite_desc *s, const uint8_t *key)
{
	struct ctx_spec c = {
		.cookie = cookie, .dir = dir, .ssrc = ssrc, .suite = s->id,
		.key = key, .roc = -1, .seq = -1,
	};
	struct nl_reply r;

	return kn_ctx_new(&self->k, &c, &r);
}

/* RX key A on a for S_IN, TX key B on b for S_OUT, and the forward. */
static int relay_up(struct env *self, uint32_t flags, const uint8_t *pt,
		    uint32_t *id)
{
	struct fwd_spec f = {
		.rx = self->ca, .tx = self->cb, .ssrc = S_IN, .ssrc_out = S_OUT,
		.seq_offset = SEQ_OFF, .ts_offset = TS_OFF, .flags = flags,
		.to = &self->callee_addr, .pt = pt,
	};
	struct nl_reply r;

	if (ctx_add(self, self->ca, KSRTP_DIR_RX, S_IN, self->sin, self->key_in) ||
	    ctx_add(self, self->cb, KSRTP_DIR_TX, S_OUT, self->sout, self->key_out))
		return -1;
	return kn_fwd_add(&self->k, &f, id, &r);
}

/* libsrtp2 protects plain[n] on the caller and sends it to the relay. */
static int caller_send(struct env *self, const uint8_t *plain, int n,
		       bool rtcp)
{
	uint8_t pkt[1500];
	int len = n;

	memcpy(pkt, plain, n);
	if ((rtcp ? srtp_protect_rtcp(self->ref_in.s, pkt, &len) :
		    srtp_protect(self->ref_in.s, pkt, &len)) != srtp_err_status_ok)
		return -1;
	return send(self->caller, pkt, len, 0) == len ? 0 : -1;
}

/* The callee receives and libsrtp2 unprotects: the plain length, or -1. */
static int callee_recv(int fd, srtp_t ref, uint8_t *got, bool rtcp)
{
	int len = recv(fd, got, 1500, 0);

	if (len <= 0)
		return -1;
	if ((rtcp ? srtp_unprotect_rtcp(ref, got, &len) :
		    srtp_unprotect(ref, got, &len)) != srtp_err_status_ok)
		return -1;
	return len;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* ------------------------------------------------------------ tests */

/* RTP across a SEQ wrap, then RTCP: rewritten, re-keyed, byte-exact. */
TEST_F(relay, rewrites_rtp_and_rtcp)
{
	struct env *e = &self->e;
	uint8_t plain[1500], got[1500];
	uint64_t fs[KSRTP_A_FWD_STATS_MAX + 1];
	struct sock_stats ss;
	uint32_t id;
	int i, n, len;

	ASSERT_EQ(0, relay_up(e, 0, NULL, &id));
	ASSERT_NE(0, id);
	for (i = 0; i < NPKT; i++) {
		uint16_t seq = 65530 + i;

		n = rtp_make(plain, S_IN, seq, 160 - 12 + (i % 3) * 7, i % 2, i % 3 == 0);
		ASSERT_EQ(0, caller_send(e, plain, n, false));
		len = callee_recv(e->callee, e->ref_out.s, got, false);
		ASSERT_EQ(n, len) TH_LOG("packet %d", i);
		EXPECT_EQ((uint16_t)(seq + SEQ_OFF), got[2] << 8 | got[3]);
		EXPECT_EQ(be32(plain + 4) + TS_OFF, be32(got + 4));
		EXPECT_EQ(S_OUT, be32(got + 8));
		EXPECT_EQ(0, memcmp(plain, got, 2));
		EXPECT_EQ(0, memcmp(plain + 12, got + 12, n - 12));
	}
	n = rtcp_make(plain, S_IN, 7);
	ASSERT_EQ(0, caller_send(e, plain, n, true));
	len = callee_recv(e->callee, e->ref_out.s, got, true);
	ASSERT_EQ(n, len);
	EXPECT_EQ(S_OUT, be32(got + 4));		/* SR sender */
	EXPECT_EQ(be32(plain + 16) + TS_OFF, be32(got + 16));	/* SR RTP ts */
	EXPECT_EQ(S_OUT, be32(got + 32));		/* RR sender */
	EXPECT_EQ(0, memcmp(plain + 8, got + 8, 8));	/* NTP untouched */
	EXPECT_EQ(0, memcmp(plain + 20, got + 20, 8));
	/* the application on a never woke */
	EXPECT_TRUE(udp_quiet(e->a, 100));
	ASSERT_EQ(0, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(NPKT, fs[KSRTP_A_FWD_STATS_PACKETS]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_RTCP_PACKETS]);
	EXPECT_EQ(0, fs[KSRTP_A_FWD_STATS_TX_DROP] + fs[KSRTP_A_FWD_STATS_TX_NO_CTX]);
	ASSERT_EQ(0, kn_sock_stats(&e->k, e->ca, &ss));
	EXPECT_EQ(NPKT + 1, ss.v[KSRTP_A_SOCK_STATS_RX_FORWARDED]);
	ASSERT_EQ(0, kn_sock_stats(&e->k, e->cb, &ss));
	EXPECT_EQ(0, ss.v[KSRTP_A_SOCK_STATS_TX_NO_CTX]);
}

/* A replayed and a tampered packet stop at the relay, counted there. */
TEST_F(relay, replay_and_tamper_dropped)
{
	struct env *e = &self->e;
	uint8_t plain[256], pkt[512], got[1500];
	struct ctx_spec c = { .cookie = e->ca, .dir = KSRTP_DIR_RX, .ssrc = S_IN };
	struct ctx_stats cs;
	uint32_t id;
	int n, len;

	ASSERT_EQ(0, relay_up(e, 0, NULL, &id));
	n = rtp_make(plain, S_IN, 100, 80, 0, false);
	len = n;
	memcpy(pkt, plain, n);
	ASSERT_EQ(0, srtp_protect(e->ref_in.s, pkt, &len));
	ASSERT_EQ(len, send(e->caller, pkt, len, 0));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	ASSERT_EQ(len, send(e->caller, pkt, len, 0));	/* replay */
	EXPECT_TRUE(udp_quiet(e->callee, 300));
	n = rtp_make(plain, S_IN, 101, 80, 0, false);
	len = n;
	memcpy(pkt, plain, n);
	ASSERT_EQ(0, srtp_protect(e->ref_in.s, pkt, &len));
	pkt[20] ^= 1;						/* tamper */
	ASSERT_EQ(len, send(e->caller, pkt, len, 0));
	EXPECT_TRUE(udp_quiet(e->callee, 300));
	EXPECT_TRUE(udp_quiet(e->a, 50));
	ASSERT_EQ(0, kn_ctx_stats(&e->k, &c, &cs));
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_PACKETS]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_REPLAY_DROP]);
	EXPECT_EQ(1, cs.v[KSRTP_A_CTX_STATS_AUTH_FAIL]);
}

/* One stream to NFAN destinations, each with its own TX context and key. */
TEST_F(fwd, fans_out_to_64)
{
	struct env *e = &self->e;
	static int fd[NFAN];
	static struct ref_srtp ref[NFAN];
	uint8_t plain[512], got[1500], key[46];
	struct sockaddr_storage to;
	struct nl_reply r;
	uint32_t id;
	int i, j, n;

	ASSERT_EQ(0, ctx_add(e, e->ca, KSRTP_DIR_RX, S_IN, e->sin, e->key_in));
	for (i = 0; i < NFAN; i++) {
		struct fwd_spec f = {
			.rx = e->ca, .tx = e->cb, .ssrc = S_IN,
			.ssrc_out = S_OUT + i, .seq_offset = -1, .to = &to,
		};

		sa_make(&to, e->family, ip_of(e->family, 2, 2), 41000 + i);
		fd[i] = udp_in(e->callee_ns, &to);
		ASSERT_GE(fd[i], 0);
		key_fill(key, e->sout->key_len + e->sout->salt_len, 0x30 + i);
		ASSERT_EQ(0, ctx_add(e, e->cb, KSRTP_DIR_TX, S_OUT + i, e->sout, key));
		ASSERT_EQ(0, ref_init(&ref[i], e->sout, true, S_OUT + i, false,
				      (const uint8_t (*)[46])key, 1, 0));
		ASSERT_EQ(0, kn_fwd_add(&e->k, &f, &id, &r)) TH_LOG("%s", r.extack);
	}
	ASSERT_EQ(NFAN, kn_fwd_count(&e->k, e->ca));
	for (j = 0; j < 3; j++) {
		n = rtp_make(plain, S_IN, 500 + j, 120, 0, false);
		ASSERT_EQ(0, caller_send(e, plain, n, false));
		for (i = 0; i < NFAN; i++) {
			ASSERT_EQ(n, callee_recv(fd[i], ref[i].s, got, false))
				TH_LOG("destination %d, packet %d", i, j);
			EXPECT_EQ(S_OUT + i, be32(got + 8));
			EXPECT_EQ(0, memcmp(plain + 12, got + 12, n - 12));
		}
	}
	for (i = 0; i < NFAN; i++) {
		srtp_dealloc(ref[i].s);
		close(fd[i]);
	}
}

/* copy-to-app: the application reads the packet as it came, plain. */
TEST_F(fwd, copies_to_the_application)
{
	struct env *e = &self->e;
	uint8_t plain[256], got[1500];
	struct sock_stats ss;
	uint32_t id;
	int n;

	ASSERT_EQ(0, relay_up(e, KSRTP_FWD_FLAGS_COPY_TO_APP, NULL, &id));
	n = rtp_make(plain, S_IN, 7, 100, 0, false);
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	ASSERT_EQ(n, recv(e->a, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	ASSERT_EQ(0, kn_sock_stats(&e->k, e->ca, &ss));
	EXPECT_EQ(0, ss.v[KSRTP_A_SOCK_STATS_RX_FORWARDED]);
}

/* A payload type outside the filter is dropped and counted; RTCP passes. */
TEST_F(fwd, filters_payload_types)
{
	struct env *e = &self->e;
	uint64_t fs[KSRTP_A_FWD_STATS_MAX + 1];
	uint8_t plain[256], got[1500], pt[16] = { 0 };
	uint32_t id;
	int n;

	pt[96 / 8] |= 1 << (96 % 8);
	ASSERT_EQ(0, relay_up(e, 0, pt, &id));
	n = rtp_make(plain, S_IN, 1, 100, 0, false);
	plain[1] = 0;						/* PCMU */
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	EXPECT_TRUE(udp_quiet(e->callee, 300));
	n = rtp_make(plain, S_IN, 2, 100, 0, false);		/* PT 96 */
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	n = rtcp_make(plain, S_IN, 1);
	ASSERT_EQ(0, caller_send(e, plain, n, true));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, true));
	ASSERT_EQ(0, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_PT_DROP]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_PACKETS]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_RTCP_PACKETS]);
}

/* Closing the TX socket deletes the forward: the application gets the stream back. */
TEST_F(fwd, tx_socket_close_ends_the_forward)
{
	struct env *e = &self->e;
	uint64_t fs[KSRTP_A_FWD_STATS_MAX + 1];
	uint8_t plain[256], got[1500];
	long socks = ksrtp_objects("sockets");
	uint32_t id;
	int n;

	ASSERT_EQ(0, relay_up(e, 0, NULL, &id));
	n = rtp_make(plain, S_IN, 1, 100, 0, false);
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	close(e->b);
	e->b = -1;
	EXPECT_EQ(-ENOENT, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(0, kn_fwd_count(&e->k, 0));
	n = rtp_make(plain, S_IN, 2, 100, 0, false);
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	ASSERT_EQ(n, recv(e->a, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	EXPECT_TRUE(udp_quiet(e->callee, 200));
	if (socks >= 0)		/* b's state is freed after a grace period */
		for (int i = 0; i < 100 && ksrtp_objects("sockets") >= socks; i++)
			usleep(20000);
	if (socks >= 0)
		EXPECT_EQ(socks - 1, ksrtp_objects("sockets"));
}

/* What fwd-add refuses, each with its errno and message. */
TEST_F(fwd, refuses_bad_forwards)
{
	struct env *e = &self->e;
	struct sockaddr_storage v6, zero;
	struct fwd_spec f = {
		.rx = e->ca, .tx = e->cb, .ssrc = S_IN, .seq_offset = -1,
		.to = &e->callee_addr,
	};
	struct nl_reply r;
	struct nlmsg m;
	uint32_t id;

	f.rx = 0xdeadbeef;
	EXPECT_EQ(-ENOENT, kn_fwd_add(&e->k, &f, &id, &r));
	EXPECT_NE(NULL, strstr(r.extack, "no attached socket"));
	f.rx = e->ca;
	sa_make(&zero, e->family, ip_of(e->family, 2, 2), 0);
	f.to = &zero;
	EXPECT_EQ(-EINVAL, kn_fwd_add(&e->k, &f, &id, &r));
	EXPECT_NE(NULL, strstr(r.extack, "remote-port 0"));
	if (e->family == AF_INET) {
		sa_make(&v6, AF_INET6, "fd72::2", 4000);
		f.to = &v6;
		EXPECT_EQ(-EAFNOSUPPORT, kn_fwd_add(&e->k, &f, &id, &r));
		EXPECT_NE(NULL, strstr(r.extack, "address family"));
	}
	kn_msg(&e->k, &m, KSRTP_CMD_FWD_ADD, 0);		/* no ssrc */
	nl_put_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, e->ca);
	EXPECT_EQ(-EINVAL, nl_talk(e->k.fd, &m, NULL, NULL, &r));
	kn_msg(&e->k, &m, KSRTP_CMD_FWD_DEL, 0);
	nl_put_u32(&m, KSRTP_A_FWD_ID, 0x7ffffff0);
	EXPECT_EQ(-ENOENT, nl_talk(e->k.fd, &m, NULL, NULL, &r));
	EXPECT_NE(NULL, strstr(r.extack, "no forward"));
	EXPECT_EQ(0, kn_fwd_count(&e->k, 0));
}

/* A second caller socket, port 40001: another source of the same SSRC. */
static int other_caller(struct env *e)
{
	struct sockaddr_storage o;
	int fd;

	sa_make(&o, e->family, ip_of(e->family, 1, 2), 40001);
	fd = udp_in(e->caller_ns, &o);
	if (fd >= 0 && udp_connect(fd, &e->a_addr)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* RTP -> SRTP: a plain leg bound to the caller's address, SRTP to the callee. */
TEST_F(fwd, plain_in_to_srtp)
{
	struct env *e = &self->e;
	struct fwd_spec f = {
		.rx = e->ca, .tx = e->cb, .ssrc = S_IN, .ssrc_out = S_OUT,
		.seq_offset = -1, .flags = KSRTP_FWD_FLAGS_PLAIN_IN,
		.to = &e->callee_addr, .from = &e->caller_addr,
	};
	uint64_t fs[KSRTP_A_FWD_STATS_MAX + 1];
	uint8_t plain[256], got[1500];
	struct sock_stats ss;
	struct nl_reply r;
	int other, n, i;
	uint32_t id;

	ASSERT_EQ(0, ctx_add(e, e->cb, KSRTP_DIR_TX, S_OUT, e->sout, e->key_out));
	ASSERT_EQ(0, kn_fwd_add(&e->k, &f, &id, &r)) TH_LOG("%s", r.extack);
	other = other_caller(e);
	ASSERT_GE(other, 0);
	for (i = 0; i < 4; i++) {
		n = rtp_make(plain, S_IN, 10 + i, 100, 0, false);
		ASSERT_EQ(n, send(e->caller, plain, n, 0));
		ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
		EXPECT_EQ(S_OUT, be32(got + 8));
		EXPECT_EQ(0, memcmp(plain + 12, got + 12, n - 12));
	}
	n = rtcp_make(plain, S_IN, 3);
	ASSERT_EQ(n, send(e->caller, plain, n, 0));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, true));
	EXPECT_EQ(S_OUT, be32(got + 4));
	/* the same SSRC from another source: neither forwarded nor delivered */
	n = rtp_make(plain, S_IN, 20, 100, 0, false);
	ASSERT_EQ(n, send(other, plain, n, 0));
	EXPECT_TRUE(udp_quiet(e->callee, 300));
	EXPECT_TRUE(udp_quiet(e->a, 50));
	ASSERT_EQ(0, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(4, fs[KSRTP_A_FWD_STATS_PACKETS]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_RTCP_PACKETS]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_SRC_MISMATCH]);
	ASSERT_EQ(0, kn_sock_stats(&e->k, e->ca, &ss));
	EXPECT_EQ(5, ss.v[KSRTP_A_SOCK_STATS_RX_PLAIN]);
	EXPECT_EQ(1, ss.v[KSRTP_A_SOCK_STATS_RX_NO_CTX]);
	close(other);
}

/* SRTP -> RTP: the callee reads the rewritten plaintext, no tag. */
TEST_F(fwd, srtp_to_plain_out)
{
	struct env *e = &self->e;
	uint8_t plain[256], got[1500];
	uint32_t id;
	int n;

	ASSERT_EQ(0, relay_up(e, KSRTP_FWD_FLAGS_PLAIN_OUT, NULL, &id));
	n = rtp_make(plain, S_IN, 300, 120, 1, true);
	ASSERT_EQ(0, caller_send(e, plain, n, false));
	ASSERT_EQ(n, recv(e->callee, got, sizeof(got), 0));
	EXPECT_EQ(300 + SEQ_OFF, got[2] << 8 | got[3]);
	EXPECT_EQ(be32(plain + 4) + TS_OFF, be32(got + 4));
	EXPECT_EQ(S_OUT, be32(got + 8));
	EXPECT_EQ(0, memcmp(plain + 12, got + 12, n - 12));
	n = rtcp_make(plain, S_IN, 4);
	ASSERT_EQ(0, caller_send(e, plain, n, true));
	ASSERT_EQ(n, recv(e->callee, got, sizeof(got), 0));
	EXPECT_EQ(S_OUT, be32(got + 4));
}

/* latch: the first source that sends is the only one from then on. */
TEST_F(fwd, plain_in_latches_the_first_source)
{
	struct env *e = &self->e;
	struct fwd_spec f = {
		.rx = e->ca, .tx = e->cb, .ssrc = S_IN, .ssrc_out = S_OUT,
		.seq_offset = -1, .to = &e->callee_addr,
		.flags = KSRTP_FWD_FLAGS_PLAIN_IN | KSRTP_FWD_FLAGS_LATCH,
	};
	uint64_t fs[KSRTP_A_FWD_STATS_MAX + 1];
	uint8_t plain[256], got[1500];
	struct nl_reply r;
	int other, n;
	uint32_t id;

	ASSERT_EQ(0, ctx_add(e, e->cb, KSRTP_DIR_TX, S_OUT, e->sout, e->key_out));
	ASSERT_EQ(0, kn_fwd_add(&e->k, &f, &id, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(0, fs[0]);		/* nothing latched yet */
	other = other_caller(e);
	ASSERT_GE(other, 0);
	n = rtp_make(plain, S_IN, 1, 100, 0, false);
	ASSERT_EQ(n, send(other, plain, n, 0));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	n = rtp_make(plain, S_IN, 2, 100, 0, false);
	ASSERT_EQ(n, send(e->caller, plain, n, 0));
	EXPECT_TRUE(udp_quiet(e->callee, 300));
	n = rtp_make(plain, S_IN, 3, 100, 0, false);
	ASSERT_EQ(n, send(other, plain, n, 0));
	ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
	ASSERT_EQ(0, kn_fwd_stats(&e->k, id, fs));
	EXPECT_EQ(40001, fs[0]);
	EXPECT_EQ(2, fs[KSRTP_A_FWD_STATS_PACKETS]);
	EXPECT_EQ(1, fs[KSRTP_A_FWD_STATS_SRC_MISMATCH]);
	/* rx-remote and latch are plain-in's, and one of them it needs */
	f.flags = KSRTP_FWD_FLAGS_LATCH;
	EXPECT_EQ(-EINVAL, kn_fwd_add(&e->k, &f, &id, &r));
	EXPECT_NE(NULL, strstr(r.extack, "plain-in"));
	f.flags = KSRTP_FWD_FLAGS_PLAIN_IN;
	EXPECT_EQ(-EINVAL, kn_fwd_add(&e->k, &f, &id, &r));
	EXPECT_NE(NULL, strstr(r.extack, "or latch"));
	close(other);
}

/* The socket's plain-rtp policy: drop, allow, until-keyed. */
TEST_F(fwd, plain_rtp_policy)
{
	struct env *e = &self->e;
	uint8_t plain[256], got[1500];
	struct sock_stats ss;
	int n;

	n = rtp_make(plain, S_IN, 1, 60, 0, false);
	ASSERT_EQ(n, send(e->caller, plain, n, 0));	/* drop, the default */
	EXPECT_TRUE(udp_quiet(e->a, 300));
	ASSERT_EQ(0, kn_plain_rtp(&e->k, e->ca, KSRTP_PLAIN_RTP_ALLOW));
	ASSERT_EQ(n, send(e->caller, plain, n, 0));
	ASSERT_EQ(n, recv(e->a, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(plain, got, n));
	ASSERT_EQ(0, kn_plain_rtp(&e->k, e->ca, KSRTP_PLAIN_RTP_UNTIL_KEYED));
	ASSERT_EQ(n, send(e->caller, plain, n, 0));
	ASSERT_EQ(n, recv(e->a, got, sizeof(got), 0));
	ASSERT_EQ(0, ctx_add(e, e->ca, KSRTP_DIR_RX, S_IN + 1, e->sin, e->key_in));
	ASSERT_EQ(n, send(e->caller, plain, n, 0));	/* keyed now */
	EXPECT_TRUE(udp_quiet(e->a, 300));
	ASSERT_EQ(0, kn_sock_stats(&e->k, e->ca, &ss));
	EXPECT_EQ(2, ss.v[KSRTP_A_SOCK_STATS_RX_PLAIN]);
	EXPECT_EQ(2, ss.v[KSRTP_A_SOCK_STATS_RX_NO_CTX]);
}

/* The next fwd-idle-ntf on the events socket within ms: its id, or 0. */
static uint32_t idle_event(int ev, int ms)
{
	static uint8_t buf[8192];
	struct pollfd p = { .fd = ev, .events = POLLIN };
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];
	struct nlmsghdr *nlh;
	ssize_t n;

	while (poll(&p, 1, ms) == 1) {
		n = recv(ev, buf, sizeof(buf), 0);
		for (nlh = (void *)buf; n > 0 && NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (g->cmd == KSRTP_CMD_FWD_IDLE_NTF &&
			    !nl_parse_genl(tb, KSRTP_A_FWD_MAX, nlh) && tb[KSRTP_A_FWD_ID] &&
			    tb[KSRTP_A_FWD_STATS])
				return nl_u32(tb[KSRTP_A_FWD_ID]);
		}
	}
	return 0;
}

/* idle-timeout-ms: an event once per silent period, none while it flows. */
TEST_F(fwd, idle_event)
{
	struct env *e = &self->e;
	struct fwd_spec f = {
		.rx = e->ca, .tx = e->cb, .ssrc = S_IN, .ssrc_out = S_OUT,
		.seq_offset = -1, .to = &e->callee_addr, .idle_ms = 600,
	};
	uint8_t plain[256], got[1500];
	struct timespec t0, t1;
	struct nl_reply r;
	uint32_t id;
	int ev, n, i;
	double s;

	ev = nl_open();
	ASSERT_GE(ev, 0);
	ASSERT_EQ(0, setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&e->k.fam.events_grp, sizeof(e->k.fam.events_grp)));
	ASSERT_EQ(0, ctx_add(e, e->ca, KSRTP_DIR_RX, S_IN, e->sin, e->key_in));
	ASSERT_EQ(0, ctx_add(e, e->cb, KSRTP_DIR_TX, S_OUT, e->sout, e->key_out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, kn_fwd_add(&e->k, &f, &id, &r)) TH_LOG("%s", r.extack);
	/* never a packet: idle once the timeout passed, not before */
	ASSERT_EQ(id, idle_event(ev, 5000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_GE(s, 0.59);
	EXPECT_EQ(0, idle_event(ev, 1000));	/* once per idle period */
	/* traffic every 200 ms for 1.6 s: no event while it flows */
	for (i = 0; i < 8; i++) {
		n = rtp_make(plain, S_IN, 700 + i, 80, 0, false);
		ASSERT_EQ(0, caller_send(e, plain, n, false));
		ASSERT_EQ(n, callee_recv(e->callee, e->ref_out.s, got, false));
		EXPECT_EQ(0, idle_event(ev, 200));
	}
	/* silent again: a second event */
	EXPECT_EQ(id, idle_event(ev, 5000));
	close(ev);
}

TEST_HARNESS_MAIN
