// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_rte_bench: ksrtp's in-kernel relay against rtpengine's kernel
 * forwarding (xt_RTPENGINE) of the same stream, in one process, round by
 * round (issue #14, item 5).
 *
 * Every contender moves 172-byte RTP over loopback, one thread pinned to
 * one CPU, between the same kind of endpoints:
 *
 *   sender S (attached, TX context: AES_CM_128_HMAC_SHA1_80, key A)
 *     --> relay --> receiver V (attached, RX context: AES_CM_128_HMAC_SHA1_32)
 *
 * The application at S sends plain RTP, the one at V reads plain RTP; the
 * relay authenticates and decrypts leg A and re-encrypts for leg B. The two
 * suites differ because rtpengine 10.5 only re-encrypts when they do (with
 * one suite on both legs it hands leg A's key to leg B and passes SRTP
 * through untouched); ksrtp gets the same two.
 *
 *   relay-ksrtp-cm80-cm32      R1 attached (RX context, key A) with a fwd-add
 *                              to V through R2 (TX context, key B)
 *   relay-rtpengine-kernel-... rtpengine --table=0: an ng offer (leg A, our
 *                              key) and answer (leg B, rtpengine's key for
 *                              AES_CM_128_HMAC_SHA1_32); primed, and timed
 *                              only once /proc/rtpengine/0/list shows the
 *                              stream in the kernel, decrypting and
 *                              re-encrypting
 *   relay-direct-cm32          no relay: S sends leg B's SRTP straight to V
 *
 * Every packet V reads must be the one S sent, byte for byte (V's kernel
 * authenticated and decrypted it). rtpengine's kernel target must have
 * counted every packet sent during the rounds (none went through its
 * userspace). Afterwards one SRTP packet is replayed to each single-mode
 * relay: ksrtp must drop the copy; what rtpengine does is reported.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "ksrtp_util.h"
#include "relay_nl.h"
#include "fast_srtp.h"
#include "ksrtp_rte_bench.h"

#define SUITE_A		KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80
#define SUITE_B		KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32
#define NAME_B		"AES_CM_128_HMAC_SHA1_32"

const char *const kind_name[] = { "ksrtp", "rtpengine-kernel", "direct" };

struct rte_opt opt = {
	.rounds = 15, .ms = 200, .warmup_ms = 50, .cpu = 0,
	.ng = "127.0.0.1:2223", .proc = "/proc/rtpengine/0/list",
};

struct cont cont[NCONT];
int ncont, rounds_done;
static struct ksrtp_nl knl;
static struct ng ng;
static bool have_ksrtp, have_ng;
static uint8_t key_a[30], key_b[30];

static void fail(struct cont *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ksrtp_rte_bench: %s: %s\n", c->name, c->why);
}

/*
 * A loopback UDP socket bound to *a (port 0: any), with SO_REUSEPORT: the
 * replay check sends from S's own address, as a real replay would.
 */
static int sock_open(struct sockaddr_storage *a, bool reuse)
{
	struct sockaddr_in *in = (struct sockaddr_in *)a;
	struct timeval tv = { .tv_sec = 3 };
	socklen_t l = sizeof(*a);
	int one = 1, big = 1 << 22, fd;

	if (!in->sin_port) {
		memset(a, 0, sizeof(*a));
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if ((reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)a, sizeof(*in)) ||
	    getsockname(fd, (struct sockaddr *)a, &l)) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

static int port_of(const struct sockaddr_storage *a)
{
	return ntohs(((const struct sockaddr_in *)a)->sin_port);
}

/* One context of SSRC on an attached socket. */
static int ctx_add(uint64_t cookie, uint32_t dir, uint32_t suite, const uint8_t *key)
{
	struct ctx_spec cs = {
		.cookie = cookie, .dir = dir, .ssrc = SSRC, .suite = suite, .key = key,
		.roc = -1, .seq = -1,
	};
	struct nl_reply r;
	int err = kn_ctx_new(&knl, &cs, &r);

	if (err)
		fprintf(stderr, "ksrtp_rte_bench: ctx-new: %s %s\n", strerror(-err), r.extack);
	return err;
}

/* Attach fd to ksrtp, with one context of SSRC unless suite is 0. */
static int attach_ctx(int fd, uint32_t dir, uint32_t suite, const uint8_t *key,
		      uint64_t *cookie)
{
	struct nl_reply r;
	int err = kn_attach(&knl, fd, 0, cookie, &r);

	if (err) {
		fprintf(stderr, "ksrtp_rte_bench: sock-attach: %s %s\n", strerror(-err),
			r.extack);
		return err;
	}
	return suite ? ctx_add(*cookie, dir, suite, key) : 0;
}

static struct cont *add(enum kind k, int batch)
{
	struct cont *c = &cont[ncont++];

	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->batch = batch;
	c->s = c->r1 = c->r2 = c->v = -1;
	snprintf(c->name, sizeof(c->name), "relay-%s-%s/%d/%s", kind_name[k],
		 k == K_DIRECT ? "cm32" : "cm80-cm32", SIZE, batch > 1 ? "mmsg32" : "single");
	return c;
}

/* ------------------------------------------------------------ setup */

/* ksrtp: S -> R1 (RX key A) =fwd=> R2 (TX key B) -> V (RX key B). */
static int setup_ksrtp(struct cont *c)
{
	struct sockaddr_storage r1a = { 0 }, r2a = { 0 };
	uint64_t cs, c2;
	struct nl_reply r;
	uint32_t id;
	struct fwd_spec f = {
		.ssrc = SSRC, .seq_offset = -1, .to = &c->dst,
	};

	c->r1 = sock_open(&r1a, false);
	c->r2 = sock_open(&r2a, false);
	if (c->r1 < 0 || c->r2 < 0 ||
	    attach_ctx(c->s, KSRTP_DIR_TX, SUITE_A, key_a, &cs) ||
	    attach_ctx(c->r1, KSRTP_DIR_RX, SUITE_A, key_a, &c->c1) ||
	    attach_ctx(c->r2, KSRTP_DIR_TX, SUITE_B, key_b, &c2) ||
	    attach_ctx(c->v, KSRTP_DIR_RX, SUITE_B, key_b, &c->cv))
		return -1;
	f.rx = c->c1;
	f.tx = c2;
	if (kn_fwd_add(&knl, &f, &id, &r)) {
		fprintf(stderr, "ksrtp_rte_bench: fwd-add: %s\n", r.extack);
		return -1;
	}
	if (udp_connect(c->r2, &c->dst))
		return -1;
	c->dst = r1a;
	return 0;
}

static int setup_direct(struct cont *c)
{
	uint64_t cs;

	return attach_ctx(c->s, KSRTP_DIR_TX, SUITE_B, key_b, &cs) ||
	       attach_ctx(c->v, KSRTP_DIR_RX, SUITE_B, key_b, &c->cv) ? -1 : 0;
}

static void sdp_of(char *out, int len, int sess, int port, int tag, const char *suite,
		   const uint8_t *key)
{
	char b64[64];

	b64_encode(key, 30, b64);
	snprintf(out, len, "v=0\r\no=- %d %d IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		 "t=0 0\r\nm=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=crypto:%d %s inline:%s\r\na=sendrecv\r\n", sess, sess, port, tag, suite, b64);
}

/*
 * rtpengine: leg A offers AES_CM_128_HMAC_SHA1_80 with key A; rtpengine's
 * offer to leg B carries its own keys; leg B takes the _32 one (what
 * rtpengine will encrypt with towards V) and answers with a key of its own
 * (unused: nothing flows B -> A).
 */
static int setup_rtpengine(struct cont *c)
{
	static char sdp[NG_SDP_MAX], out[NG_SDP_MAX];
	uint8_t k32[30], kb[30];
	char err[200];
	uint64_t cs;
	int tag;

	if (attach_ctx(c->s, KSRTP_DIR_TX, SUITE_A, key_a, &cs) ||
	    attach_ctx(c->v, 0, 0, NULL, &c->cv))
		return -1;
	snprintf(c->call, sizeof(c->call), "ksrtp-bench-%d-%d", getpid(), (int)(c - cont));
	sdp_of(sdp, sizeof(sdp), 1, port_of(&c->sa), 1, "AES_CM_128_HMAC_SHA1_80", key_a);
	if (ng_offer_answer(&ng, c->call, NULL, sdp, "trust-address", out, sizeof(out),
			    err, sizeof(err))) {
		fail(c, "ng offer: %s", err);
		return -1;
	}
	if (sdp_crypto(out, NAME_B, &tag, k32, 30) || sdp_port(out) <= 0) {
		fail(c, "rtpengine's offer has no " NAME_B " line");
		return -1;
	}
	key_fill(kb, 30, 0xc3);
	sdp_of(sdp, sizeof(sdp), 2, port_of(&c->dst), tag, NAME_B, kb);
	if (ng_offer_answer(&ng, c->call, "B", sdp, "trust-address", out, sizeof(out),
			    err, sizeof(err))) {
		fail(c, "ng answer: %s", err);
		return -1;
	}
	c->rte_port = sdp_port(out);
	if (c->rte_port <= 0) {
		fail(c, "no port in rtpengine's answer");
		return -1;
	}
	if (ctx_add(c->cv, KSRTP_DIR_RX, SUITE_B, k32))
		return -1;
	((struct sockaddr_in *)&c->dst)->sin_port = htons(c->rte_port);
	return 0;
}

static void setup(struct cont *c)
{
	struct sockaddr_storage va = { 0 };
	int err;

	c->tx = calloc(BATCH, MAXPKT);
	c->rx = calloc(BATCH, MAXPKT);
	if (!c->tx || !c->rx) {
		fail(c, "out of memory");
		return;
	}
	if (!have_ksrtp) {
		fail(c, "the ksrtp netlink family is absent (module not loaded)");
		return;
	}
	if (c->kind == K_RTPE && !have_ng) {
		/* left out on purpose, or a daemon that should be there is not */
		c->skipped = opt.skip_rte != NULL;
		fail(c, "%s", opt.skip_rte ? opt.skip_rte : "rtpengine's ng port does not answer");
		return;
	}
	c->s = sock_open(&c->sa, true);
	c->v = sock_open(&va, false);
	if (c->s < 0 || c->v < 0) {
		fail(c, "sockets: %s", strerror(errno));
		return;
	}
	c->dst = va;
	err = c->kind == K_KSRTP ? setup_ksrtp(c) :
	      c->kind == K_RTPE ? setup_rtpengine(c) : setup_direct(c);
	if (err || udp_connect(c->s, &c->dst))
		fail(c, "setup failed");
}

/* ------------------------------------------------------------ traffic */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* RTP of index idx: PCMU, 20 ms per packet, payload bytes that depend on idx. */
static void pkt_fill(uint8_t *p, uint64_t idx)
{
	p[0] = 0x80;
	p[1] = 0;
	p[2] = idx >> 8;
	p[3] = idx;
	put32(p + 4, (uint32_t)(idx * 160));
	put32(p + 8, SSRC);
	for (int i = HDR; i < SIZE; i++)
		p[i] = (uint8_t)(idx * 7 + i);
}

/* n datagrams out of (tx) or into fd: one call each when single, else mmsg. */
static int io_n(struct cont *c, int fd, bool tx, uint8_t (*b)[MAXPKT], int *len, int n)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int done = 0, k;

	for (int i = 0; c->batch == 1 && i < n; i++) {
		k = tx ? send(fd, b[i], len[i], 0) : recv(fd, b[i], MAXPKT, 0);
		if (k < 0 || (tx && k != len[i])) {
			fail(c, "%s: %s", tx ? "send" : "recv (packet lost?)", strerror(errno));
			return -1;
		}
		len[i] = k;
	}
	if (c->batch == 1)
		return 0;
	memset(m, 0, sizeof(m));
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = tx ? (size_t)len[i] : MAXPKT;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		k = tx ? sendmmsg(fd, m + done, n - done, 0) :
			 recvmmsg(fd, m + done, n - done, MSG_WAITFORONE, NULL);
		if (k <= 0) {
			fail(c, "%s: %s", tx ? "sendmmsg" : "recvmmsg (packets lost?)",
			     k < 0 ? strerror(errno) : "none");
			return -1;
		}
		done += k;
	}
	for (int i = 0; i < n; i++)
		len[i] = m[i].msg_len;
	return 0;
}

/* One packet (or batch) from S through the relay to V, checked byte for byte. */
static int xfer(struct cont *c)
{
	int len[BATCH];

	for (int i = 0; i < c->batch; i++) {
		pkt_fill(c->tx[i], c->idx + i);
		len[i] = SIZE;
	}
	if (io_n(c, c->s, true, c->tx, len, c->batch))
		return -1;
	c->sent += c->batch;
	if (io_n(c, c->v, false, c->rx, len, c->batch))
		return -1;
	for (int i = 0; i < c->batch; i++)
		if (len[i] != SIZE || memcmp(c->rx[i], c->tx[i], SIZE)) {
			fail(c, "packet %llu: V did not read what S sent (%d bytes, SEQ %u)",
			     (unsigned long long)(c->idx + i), len[i],
			     c->rx[i][2] << 8 | c->rx[i][3]);
			return -1;
		}
	c->idx += c->batch;
	return 0;
}

static int one_round(struct cont *c, double ms, double *ns)
{
	double t0, t;
	long pkts = 0;

	if (c->failed)
		return -1;
	t0 = now_ns();
	do {
		for (int i = 0; i < (c->batch > 1 ? 1 : 8); i++) {
			if (xfer(c))
				return -1;
			pkts += c->batch;
		}
		t = now_ns() - t0;
	} while (t < ms * 1e6);
	*ns = t / pkts;
	return 0;
}

/* ------------------------------------------------------------ rtpengine */

/* Its target for c is in the kernel, complete, decrypting _80 and encrypting _32. */
static bool kernelized(struct cont *c, struct rte_target *t)
{
	return !rte_target_get(opt.proc, c->rte_port, t) && t->found && t->filled &&
	       t->tag_len_in == 10 && t->tag_len_out == 4;
}

/*
 * rtpengine moves a stream into the kernel a few seconds after the last
 * signalling, on a packet: a packet every 250 ms until every rtpengine
 * contender's target shows in /proc/rtpengine/<table>/list (or 20 s).
 */
static void kernelize_all(void)
{
	double t0 = now_ns();
	int left;

	do {
		left = 0;
		for (int i = 0; i < ncont; i++) {
			struct cont *c = &cont[i];

			int batch = c->batch;

			if (c->kind != K_RTPE || c->failed || c->kernel_ok)
				continue;
			/*
			 * one packet at a time: rtpengine's userspace may
			 * reorder a burst, which xfer() would take for damage
			 */
			c->batch = 1;
			if (xfer(c)) {
				c->batch = batch;
				continue;
			}
			c->batch = batch;
			c->kernel_ok = kernelized(c, &c->k0);
			c->kernel_s = (now_ns() - t0) / 1e9;
			left += !c->kernel_ok;
		}
		if (left)
			usleep(250000);
	} while (left && now_ns() - t0 < 20e9);
	for (int i = 0; i < ncont; i++) {
		struct cont *c = &cont[i];

		if (c->kind == K_RTPE && !c->failed && !c->kernel_ok)
			fail(c, "the stream did not show up in %s re-encrypting (_80 -> _32) "
			     "within 20 s", opt.proc);
		else if (c->kind == K_RTPE && !c->failed)
			fprintf(stderr, "ksrtp_rte_bench: %s: in the kernel after %.1f s: "
				"decrypt %s tag %d, encrypt %s tag %d\n", c->name, c->kernel_s,
				c->k0.cipher_in, c->k0.tag_len_in, c->k0.cipher_out,
				c->k0.tag_len_out);
	}
}

/* The kernel target's counters against what S sent, before and after the rounds. */
static void kernel_mark(bool after)
{
	for (int i = 0; i < ncont; i++) {
		struct cont *c = &cont[i];
		struct rte_target *t = after ? &c->k1 : &c->k0;

		if (c->kind != K_RTPE || c->failed)
			continue;
		if (rte_target_get(opt.proc, c->rte_port, t) || !t->found)
			fail(c, "its kernel target is gone from %s", opt.proc);
		*(after ? &c->sent1 : &c->sent0) = c->sent;
		if (after && !c->failed &&
		    (t->packets - c->k0.packets != c->sent1 - c->sent0 ||
		     t->errors != c->k0.errors))
			fail(c, "kernel target counted %llu packets (%llu errors) of %llu sent: "
			     "not all went through the kernel",
			     (unsigned long long)(t->packets - c->k0.packets),
			     (unsigned long long)(t->errors - c->k0.errors),
			     (unsigned long long)(c->sent1 - c->sent0));
	}
}

/* ------------------------------------------------------------ replay */

static uint64_t ctx_replay_drops(uint64_t cookie, uint64_t *packets)
{
	struct ctx_spec cs = { .cookie = cookie, .dir = KSRTP_DIR_RX, .ssrc = SSRC };
	struct ctx_stats st;

	if (kn_ctx_stats(&knl, &cs, &st) || !st.found)
		return 0;
	if (packets)
		*packets = st.v[KSRTP_A_CTX_STATS_PACKETS];
	return st.v[KSRTP_A_CTX_STATS_REPLAY_DROP];
}

/*
 * One SRTP packet of leg A (protected here, the next index of S's stream)
 * sent twice from S's port: a replay. Counts what reached V and who
 * dropped the copy.
 */
static void replay_check(struct cont *c)
{
	struct sockaddr_storage pa = c->sa;
	uint8_t pkt[MAXPKT], got[MAXPKT];
	uint64_t v0 = 0, v1 = 0, d0, d1, r0 = 0, r1 = 0;
	struct rte_target t0, t1;
	struct fast_srtp f;
	int p, len;

	if (c->failed || c->batch != 1 || c->kind == K_DIRECT)
		return;
	p = sock_open(&pa, true);
	if (p < 0 || fast_init(&f, S_CM, key_a, false)) {
		fail(c, "replay check: no socket or OpenSSL context");
		return;
	}
	pkt_fill(pkt, c->idx);
	len = fast_protect(&f, pkt, SIZE, c->idx);
	d0 = ctx_replay_drops(c->cv, &v0);
	if (c->kind == K_KSRTP)
		r0 = ctx_replay_drops(c->c1, NULL);
	else
		rte_target_get(opt.proc, c->rte_port, &t0);
	for (int i = 0; i < 2; i++)
		if (sendto(p, pkt, len, 0, (struct sockaddr *)&c->dst, sizeof(struct sockaddr_in)) != len)
			fail(c, "replay check: sendto: %s", strerror(errno));
	pkt_fill(pkt, c->idx);
	if (recv(c->v, got, sizeof(got), 0) != SIZE || memcmp(got, pkt, SIZE))
		fail(c, "replay check: the first copy did not reach V intact");
	udp_quiet(c->v, 500);	/* what else arrives, V's kernel sees within this */
	d1 = ctx_replay_drops(c->cv, &v1);
	c->rp.rx_drops = d1 - d0;
	c->rp.reached = (int)(v1 - v0 + c->rp.rx_drops);
	if (c->kind == K_KSRTP) {
		r1 = ctx_replay_drops(c->c1, NULL);
		c->rp.relay_drops = r1 - r0;
	} else if (!rte_target_get(opt.proc, c->rte_port, &t1)) {
		c->rp.kernel_pkts = t1.packets - t0.packets;
	}
	c->rp.done = !c->failed;
	c->idx++;
	close(p);
	EVP_CIPHER_CTX_free(f.c);
	EVP_MAC_CTX_free(f.mac);
	/* ksrtp must not forward a replay: the bench fails if it did */
	if (c->kind == K_KSRTP && c->rp.done && (c->rp.reached != 1 || c->rp.relay_drops != 1))
		fail(c, "replay check: %d copies reached V, %llu dropped by the relay",
		     c->rp.reached, (unsigned long long)c->rp.relay_drops);
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: ksrtp_rte_bench [--rounds N] [--ms MS] [--warmup-ms MS] [--cpu N|-1]\n"
		"                       [--ng IP:PORT] [--proc /proc/rtpengine/0/list]\n"
		"                       [--skip-rtpengine REASON] [--filter SUBSTRING]\n"
		"                       [--json FILE] [--accel NAME] [--date DATE] [--smoke]\n"
		"  (the other bench programs' --scale, --scale-suite, --mem-n, --relay-scale,\n"
		"   --fanout and --no-raw are ignored)\n");
	exit(2);
}

/* Options with a value: an int or a string of opt; NULL: accepted, ignored. */
static const struct {
	const char *name;
	int *i;
	const char **s;
} opts[] = {
	{ "--rounds", &opt.rounds, NULL }, { "--ms", &opt.ms, NULL },
	{ "--warmup-ms", &opt.warmup_ms, NULL }, { "--cpu", &opt.cpu, NULL },
	{ "--json", NULL, &opt.json }, { "--filter", NULL, &opt.filter },
	{ "--accel", NULL, &opt.accel }, { "--date", NULL, &opt.date },
	{ "--ng", NULL, &opt.ng }, { "--proc", NULL, &opt.proc },
	{ "--skip-rtpengine", NULL, &opt.skip_rte },
	/* the other bench programs' (scripts/bench.sh passes them all) */
	{ "--scale", NULL, NULL }, { "--scale-suite", NULL, NULL }, { "--mem-n", NULL, NULL },
	{ "--relay-scale", NULL, NULL }, { "--fanout", NULL, NULL },
};

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t k = 0;

		if (!strcmp(argv[i], "--smoke")) {
			opt.smoke = true;
			opt.rounds = 2;
			opt.ms = 10;
			opt.warmup_ms = 2;
			continue;
		}
		if (!strcmp(argv[i], "--no-raw"))
			continue;
		while (k < sizeof(opts) / sizeof(opts[0]) && strcmp(argv[i], opts[k].name))
			k++;
		if (k == sizeof(opts) / sizeof(opts[0]) || i + 1 == argc)
			usage();
		i++;
		if (opts[k].i)
			*opts[k].i = atoi(argv[i]);
		else if (opts[k].s)
			*opts[k].s = argv[i];
	}
	if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS || opt.ms < 1)
		usage();
}

/* Shuffled order every round (fixed seed), as ksrtp_relay_bench. */
static void run_rounds(void)
{
	int order[NCONT];

	for (int i = 0; i < ncont; i++)
		one_round(&cont[i], opt.warmup_ms, &cont[i].ns[0]);
	for (int r = 0; r < opt.rounds; r++) {
		shuffle(order, ncont);
		for (int i = 0; i < ncont; i++) {
			struct cont *c = &cont[order[i]];

			c->ns[r] = NAN;
			one_round(c, opt.ms, &c->ns[r]);
		}
		rounds_done = r + 1;
	}
}

static void pin(void)
{
	cpu_set_t set;

	if (opt.cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(opt.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "ksrtp_rte_bench: cannot pin to CPU %d\n", opt.cpu);
}

static void add_all(void)
{
	int kept = 0;

	for (int b = 1; b <= BATCH; b += BATCH - 1)
		for (int k = K_KSRTP; k <= K_DIRECT; k++)
			add(k, b);
	for (int i = 0; i < ncont; i++)
		if (!opt.filter || strstr(cont[i].name, opt.filter))
			cont[kept++] = cont[i];
	ncont = kept;
}

int main(int argc, char **argv)
{
	int nfail = 0;
	char date[64];
	time_t t = time(NULL);

	parse_args(argc, argv);
	if (opt.date)
		snprintf(date, sizeof(date), "%s", opt.date);
	else
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin();
	key_fill(key_a, 30, 0xa1);
	key_fill(key_b, 30, 0xb2);
	have_ksrtp = kn_open(&knl) == 0;
	have_ng = !opt.skip_rte && !ng_open(&ng, opt.ng) && !ng_wait_ready(&ng, 30000);
	add_all();
	for (int i = 0; i < ncont; i++)
		setup(&cont[i]);
	kernelize_all();
	fprintf(stderr, "ksrtp_rte_bench: %d contenders, %d rounds of %d ms, CPU %d\n",
		ncont, opt.rounds, opt.ms, opt.cpu);
	kernel_mark(false);
	run_rounds();
	kernel_mark(true);
	for (int i = 0; i < ncont; i++)
		replay_check(&cont[i]);
	for (int i = 0; i < ncont; i++)
		if (cont[i].kind == K_RTPE && cont[i].call[0])
			ng_delete(&ng, cont[i].call);
	build_ratios();
	print_report(stdout, date);
	for (int i = 0; i < ncont; i++)
		nfail += cont[i].failed && !cont[i].skipped;
	if (opt.json)
		write_json(opt.json, date);
	return nfail ? 1 : 0;
}
