// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_bench: ksrtp against plain UDP, Debian's libsrtp2, an OpenSSL EVP
 * SRTP loop and the raw kernel crypto, in one process, back to back.
 *
 * Every contender moves RTP packets between two UDP sockets on loopback,
 * one thread pinned to one CPU (so ksrtp's receive work, done in softirq on
 * loopback, runs on the same CPU as everything else):
 *
 *   udp        plain send/recv (or sendmmsg/recvmmsg x32): the ceiling
 *   ksrtp-*    the sender's socket has a ksrtp TX context, the receiver's
 *              an RX context; the application sends and reads plain RTP
 *   libsrtp-*  plain sockets, Debian's libsrtp2 protects and unprotects
 *   ossl-*     plain sockets, SRTP over OpenSSL EVP with keyed contexts
 *              reused for every packet (the best case for userspace)
 *   raw-*      an in-kernel loop of the same crypto (ksrtp_cryptobench.ko);
 *              raw-*-any: the implementations the crypto API prefers when
 *              asynchronous ones are allowed
 *   scale-N    ksrtp with N RX contexts on the receiving socket, traffic
 *              on one SSRC (hot) or rotating over up to 1024 SSRCs (rot)
 *   ksrtp-pass ksrtp attached on both sides, datagrams that are not RTP:
 *              the cost of the hooks alone; ksrtp-*-txonly: TX protect
 *              only, the receiver reads SRTP
 *
 * Before timing, each contender's first packet is checked end to end (the
 * receiver reads the sender's payload), and the OpenSSL contender's output
 * is compared with the RFC reference of selftests/srtp_ossl.h.
 *
 * Under emulation (qemu TCG) absolute numbers mean little: every round
 * runs every contender once for --ms, in an order shuffled each round,
 * and ratios are taken within a round. min/median/max over rounds are
 * reported for times and for the per-round ratios.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ksrtp_util.h"
#include "srtp_ossl.h"
#include "fast_srtp.h"
#include "bench_util.h"

#define MAX_CONT	96
#define BATCH		32
#define MAXPKT		2048
#define HDR		12
#define ROT_MAX		1024	/* SSRCs a scale sender rotates over */
#define RAW_PATH	"/sys/kernel/debug/ksrtp_cryptobench/run"
#define NTOP		6	/* slab caches listed per memory measurement */

enum kind { K_UDP, K_KSRTP, K_LIBSRTP, K_OSSL, K_RAW, K_SCALE };

static const char *const kind_name[] = {
	"udp", "ksrtp", "libsrtp2", "openssl", "raw-crypto", "scale",
};
static const char *const suite_name[] = { "none", "cm", "gcm", "f8", "cm-kdr" };

static const uint32_t suite_id[] = {
	0, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, KSRTP_SUITE_AEAD_AES_128_GCM,
	KSRTP_SUITE_F8_128_HMAC_SHA1_80, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
};

/* ------------------------------------------------------------ options */

static struct {
	int rounds;
	int ms;
	int warmup_ms;
	int cpu;
	int mem_n;
	int nscale;
	long scale[8];
	enum suite scale_suite;
	const char *json;
	const char *filter;
	const char *accel;
	const char *date;
	bool smoke;
	bool no_raw;
} opt = {
	.rounds = 15, .ms = 200, .warmup_ms = 50, .cpu = 0, .mem_n = 1000,
	.nscale = 3, .scale = { 1, 1000, 100000 }, .scale_suite = S_CM,
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ksrtp_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* ------------------------------------------------------------ contenders */

/* The sockets and contexts of one scale measurement (N RX contexts). */
struct scale_pair {
	long n;			/* RX contexts installed on rx */
	int k;			/* SSRCs the sender rotates over */
	int tx, rx;
	uint32_t *ssrc;		/* the k SSRCs, ssrc[0] is the hot one */
	uint16_t *seq;		/* next SEQ of each */
	int next;
	double install_s;	/* time to install the n RX contexts */
	int install_retries;
	bool failed;
};

struct contender {
	char name[48];
	enum kind kind;
	enum suite suite;
	int size;		/* datagram bytes; raw: payload bytes */
	int batch;
	bool rotate;		/* scale: rotate over the pair's SSRCs */
	bool any;		/* raw: async implementations allowed */
	enum { FULL, PASS, TXONLY } part;	/* ksrtp: what runs in ksrtp */
	struct scale_pair *pair;
	int tx, rx, rawfd;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t roc;
	struct ref_srtp ls_tx, ls_rx;
	struct fast_srtp of_tx, of_rx;
	uint8_t (*txb)[MAXPKT];
	uint8_t (*rxb)[MAXPKT];
	double ns[MAX_ROUNDS];	/* ns per packet, per round */
	double warm_ns;
	bool failed;
	char why[200];
	char driver[128];
};

static struct contender cont[MAX_CONT];
static int ncont;
static struct scale_pair pairs[8];
static struct ksrtp_nl knl;
static bool have_ksrtp;
static int rounds_done;

static void fail(struct contender *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ksrtp_bench: %s: %s\n", c->name, c->why);
}

static struct contender *add(enum kind k, enum suite s, int size, int batch)
{
	struct contender *c;

	if (ncont == MAX_CONT)
		die("too many contenders");
	c = &cont[ncont++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->suite = s;
	c->size = size;
	c->batch = batch;
	c->tx = c->rx = c->rawfd = -1;
	if (k == K_UDP)
		snprintf(c->name, sizeof(c->name), "udp/%d/%s", size,
			 batch > 1 ? "mmsg32" : "single");
	else if (k == K_RAW)
		snprintf(c->name, sizeof(c->name), "raw-%s/%d", suite_name[s], size);
	else
		snprintf(c->name, sizeof(c->name), "%s-%s/%d/%s",
			 k == K_KSRTP ? "ksrtp" : k == K_LIBSRTP ? "libsrtp" : "ossl",
			 suite_name[s], size, batch > 1 ? "mmsg32" : "single");
	return c;
}

static bool selected(const char *name)
{
	return !opt.filter || strstr(name, opt.filter);
}

/* A connected pair of loopback UDP sockets with room for a batch. */
static int sock_pair(int *tx, int *rx)
{
	struct sockaddr_storage a, b;
	int big = 1 << 21;

	*tx = udp_open(AF_INET, &a);
	*rx = udp_open(AF_INET, &b);
	if (*tx < 0 || *rx < 0 || udp_connect(*tx, &b) || udp_connect(*rx, &a))
		return -1;
	if (setsockopt(*rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(*tx, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(*tx, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return 0;
}

static void key_for(uint8_t *key, uint32_t salt_seed, uint32_t n)
{
	key_fill(key, 30, (uint8_t)salt_seed);
	key[0] = n >> 24;
	key[1] = n >> 16;
	key[2] = n >> 8;
	key[3] = n;
}

static int ctx_install(uint64_t cookie, uint32_t dir, uint32_t ssrc,
		       enum suite s, const uint8_t *key, int *retries)
{
	struct ctx_spec cs = {
		.cookie = cookie, .dir = dir, .ssrc = ssrc, .suite = suite_id[s],
		.key = key, .roc = -1, .seq = -1,
		.kdr = s == S_CM_KDR ? 1u << 16 : 0,
	};
	struct nl_reply r;
	int err, tries = 0;

	/* a table resize may make an insert fail for a moment */
	while ((err = kn_ctx_new(&knl, &cs, &r)) == -ENOMEM || err == -EBUSY) {
		if (++tries > 50)
			break;
		if (retries)
			(*retries)++;
		usleep(2000);
	}
	if (err)
		fprintf(stderr, "ksrtp_bench: ctx-new %s ssrc %#x: %s%s%s\n",
			dir == KSRTP_DIR_TX ? "tx" : "rx", ssrc, strerror(-err),
			r.extack[0] ? ": " : "", r.extack);
	return err;
}

static int attach(int fd, uint64_t *cookie)
{
	struct nl_reply r;
	int err = kn_attach(&knl, fd, 0, cookie, &r);

	if (err)
		fprintf(stderr, "ksrtp_bench: sock-attach: %s %s\n",
			strerror(-err), r.extack);
	return err;
}

/* Fill the sender's buffers with RTP packets of c->size bytes. */
static void fill_packets(struct contender *c)
{
	int payload = c->size - HDR;

	for (int i = 0; i < c->batch; i++)
		rtp_make(c->txb[i], c->ssrc, (uint16_t)i, payload, 0, false);
}

static int one_round(struct contender *c, double ms, double *ns_per_pkt);

static void setup(struct contender *c)
{
	uint8_t key[46], plain[MAXPKT];
	uint64_t ck_tx, ck_rx;
	double ns;

	c->txb = calloc(BATCH, MAXPKT);
	c->rxb = calloc(BATCH, MAXPKT);
	if (!c->txb || !c->rxb)
		die("out of memory");
	c->ssrc = 0x5000 + (c - cont);
	key_for(key, c - cont, c->ssrc);

	switch (c->kind) {
	case K_RAW:
		c->rawfd = open(RAW_PATH, O_RDWR);
		if (c->rawfd < 0)
			fail(c, "%s: %s (load ksrtp_cryptobench.ko)", RAW_PATH,
			     strerror(errno));
		break;
	case K_SCALE:
		c->tx = c->pair->tx;
		c->rx = c->pair->rx;
		if (c->pair->failed)
			fail(c, "setting up %ld contexts failed", c->pair->n);
		break;
	default:
		if (sock_pair(&c->tx, &c->rx)) {
			fail(c, "socket pair: %s", strerror(errno));
			break;
		}
		if (c->kind == K_KSRTP) {
			if (!have_ksrtp) {
				fail(c, "the ksrtp netlink family is absent (module not loaded)");
				break;
			}
			if (attach(c->tx, &ck_tx) ||
			    (c->part != TXONLY && attach(c->rx, &ck_rx)) ||
			    (c->part != PASS &&
			     ctx_install(ck_tx, KSRTP_DIR_TX, c->ssrc, c->suite, key, NULL)) ||
			    (c->part == FULL &&
			     ctx_install(ck_rx, KSRTP_DIR_RX, c->ssrc, c->suite, key, NULL)))
				fail(c, "ksrtp setup failed");
		} else if (c->kind == K_LIBSRTP) {
			const struct suite_desc *sd = suite_by_id(suite_id[c->suite]);
			uint8_t k1[1][46];

			memcpy(k1[0], key, 46);
			if (ref_init(&c->ls_tx, sd, false, c->ssrc, false,
				     (const uint8_t (*)[46])k1, 1, 0) ||
			    ref_init(&c->ls_rx, sd, true, c->ssrc, false,
				     (const uint8_t (*)[46])k1, 1, 0))
				fail(c, "libsrtp2 srtp_create failed");
		} else if (c->kind == K_OSSL) {
			if (fast_init(&c->of_tx, c->suite, key, false) ||
			    fast_init(&c->of_rx, c->suite, key, true))
				fail(c, "OpenSSL setup failed");
		}
		break;
	}
	if (c->failed)
		return;
	if (c->kind != K_RAW)
		fill_packets(c);
	/* passthrough: a first byte RFC 7983 calls neither RTP nor keying */
	for (int i = 0; c->part == PASS && i < c->batch; i++)
		c->txb[i][0] = 0xf0;

	/* the OpenSSL contender must produce what the RFC reference does */
	if (c->kind == K_OSSL) {
		struct ossl_srtp ref;
		uint8_t a[MAXPKT], b[MAXPKT];
		int n = rtp_make(a, c->ssrc, 77, c->size - HDR, 1, true), la, lb;

		memcpy(b, a, n);
		ossl_init(&ref, 16, c->suite == S_GCM ? 12 : 14, c->suite == S_GCM ? 16 : 10,
			  c->suite == S_GCM ? 16 : 10, c->suite == S_GCM ? 2 : 1, key);
		la = fast_protect(&c->of_tx, a, n, 77);
		lb = ossl_protect_rtp(&ref, b, n, rtp_hdr_len(b, n), c->ssrc, 77, NULL, 0);
		if (la != lb || memcmp(a, b, la))
			fail(c, "OpenSSL contender differs from the RFC reference");
		else if (fast_unprotect(&c->of_rx, a, la) != n)
			fail(c, "OpenSSL contender cannot unprotect its own packet");
		/* start the loop's indices after the check packet */
		c->seq = 78;
		c->of_rx.started = false;
	}

	/* one packet end to end: the receiver must read the sender's payload */
	if (c->kind != K_RAW && !c->failed) {
		memcpy(plain, c->txb[0], c->size);
		if (one_round(c, 0, &ns) < 0 || c->part == TXONLY)
			return;
		if (memcmp(plain + HDR, c->rxb[0] + HDR, c->size - HDR) ||
		    memcmp(c->txb[0] + 8, c->rxb[0] + 8, 4))
			fail(c, "the receiver did not read the sender's plaintext");
	}
}

/* Raw kernel crypto: one run of the in-kernel loop. */
static int raw_round(struct contender *c, double ms, double *ns_per_pkt)
{
	char cmd[64], res[256], *d;
	unsigned long long ops, ns;
	ssize_t n;

	snprintf(cmd, sizeof(cmd), "%s%s %d %d", c->suite == S_GCM ? "gcm" : "cm",
		 c->any ? "-any" : "", c->size, ms < 1 ? 1 : (int)ms);
	if (write(c->rawfd, cmd, strlen(cmd)) < 0) {
		fail(c, "run '%s': %s", cmd, strerror(errno));
		return -1;
	}
	n = pread(c->rawfd, res, sizeof(res) - 1, 0);
	if (n <= 0) {
		fail(c, "no result");
		return -1;
	}
	res[n] = '\0';
	d = strstr(res, "ops=");
	if (!d || sscanf(d, "ops=%llu ns=%llu", &ops, &ns) != 2 || !ops) {
		fail(c, "bad result '%s'", res);
		return -1;
	}
	d = strstr(res, "driver=");
	if (d) {
		snprintf(c->driver, sizeof(c->driver), "%s", d + 7);
		c->driver[strcspn(c->driver, "\n")] = '\0';
	}
	*ns_per_pkt = (double)ns / ops;
	return 0;
}

/* Prepare the next packet (or batch) at the sender; returns -1 on error. */
static int prepare(struct contender *c, int *len)
{
	for (int i = 0; i < c->batch; i++) {
		uint8_t *p = c->txb[i];
		uint16_t seq;
		uint32_t ssrc = c->ssrc;
		int n = c->size;

		if (c->kind == K_SCALE) {
			struct scale_pair *sp = c->pair;
			int j = c->rotate ? sp->next++ % sp->k : 0;

			ssrc = sp->ssrc[j];
			seq = sp->seq[j]++;
			p[8] = ssrc >> 24; p[9] = ssrc >> 16; p[10] = ssrc >> 8; p[11] = ssrc;
		} else {
			seq = c->seq++;
			if (!seq && c->kind == K_OSSL)
				c->roc++;
		}
		p[2] = seq >> 8;
		p[3] = seq;
		p[4] = seq >> 3;	/* a moving timestamp */
		if (c->kind == K_LIBSRTP) {
			srtp_err_status_t st = srtp_protect(c->ls_tx.s, p, &n);

			if (st) {
				fail(c, "srtp_protect: error %d", st);
				return -1;
			}
		} else if (c->kind == K_OSSL) {
			n = fast_protect(&c->of_tx, p, n, (uint64_t)c->roc << 16 | seq);
			if (n < 0) {
				fail(c, "OpenSSL protect failed");
				return -1;
			}
		}
		len[i] = n;
	}
	return 0;
}

/* What the receiver does with a datagram; -1 if it is not what was sent. */
static int consume(struct contender *c, uint8_t *p, int n)
{
	if (c->kind == K_LIBSRTP) {
		srtp_err_status_t st = srtp_unprotect(c->ls_rx.s, p, &n);

		if (st) {
			fail(c, "srtp_unprotect: error %d", st);
			return -1;
		}
	} else if (c->kind == K_OSSL) {
		n = fast_unprotect(&c->of_rx, p, n);
		if (n < 0) {
			fail(c, "OpenSSL unprotect failed");
			return -1;
		}
	}
	if (c->part == TXONLY)
		n -= c->suite == S_GCM ? 16 : 10;	/* SRTP as sent */
	if (n != c->size) {
		fail(c, "received %d bytes, expected %d", n, c->size);
		return -1;
	}
	return 0;
}

static int xfer_single(struct contender *c)
{
	int len, n;

	if (prepare(c, &len))
		return -1;
	n = send(c->tx, c->txb[0], len, 0);
	if (n != len) {
		fail(c, "send: %s", n < 0 ? strerror(errno) : "short");
		return -1;
	}
	n = recv(c->rx, c->rxb[0], MAXPKT, 0);
	if (n < 0) {
		fail(c, "recv: %s (packet lost?)", strerror(errno));
		return -1;
	}
	return consume(c, c->rxb[0], n);
}

static int xfer_batch(struct contender *c)
{
	struct mmsghdr sm[BATCH], rm[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	int len[BATCH], sent = 0, got = 0, n;

	if (prepare(c, len))
		return -1;
	memset(sm, 0, sizeof(sm));
	memset(rm, 0, sizeof(rm));
	for (int i = 0; i < BATCH; i++) {
		siov[i].iov_base = c->txb[i];
		siov[i].iov_len = len[i];
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = c->rxb[i];
		riov[i].iov_len = MAXPKT;
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < BATCH) {
		n = sendmmsg(c->tx, sm + sent, BATCH - sent, 0);
		if (n <= 0) {
			fail(c, "sendmmsg: %s", n < 0 ? strerror(errno) : "sent nothing");
			return -1;
		}
		sent += n;
	}
	while (got < BATCH) {
		n = recvmmsg(c->rx, rm + got, BATCH - got, MSG_WAITFORONE, NULL);
		if (n <= 0) {
			fail(c, "recvmmsg: %s (packets lost?)", n < 0 ? strerror(errno) : "none");
			return -1;
		}
		got += n;
	}
	for (int i = 0; i < BATCH; i++)
		if (consume(c, c->rxb[i], rm[i].msg_len))
			return -1;
	return 0;
}

/*
 * Run c for ms milliseconds (0: one packet or batch); ns per packet in
 * *ns_per_pkt. Returns -1 once c has failed.
 */
static int one_round(struct contender *c, double ms, double *ns_per_pkt)
{
	int every = c->batch > 1 ? 1 : 8;
	double t0, t;
	long pkts = 0;

	if (c->failed)
		return -1;
	if (c->kind == K_RAW)
		return raw_round(c, ms, ns_per_pkt);
	t0 = now_ns();
	do {
		for (int i = 0; i < (ms > 0 ? every : 1); i++) {
			if (c->batch > 1 ? xfer_batch(c) : xfer_single(c))
				return -1;
			pkts += c->batch;
		}
		t = now_ns() - t0;
	} while (t < ms * 1e6);
	*ns_per_pkt = t / pkts;
	return 0;
}

/* ------------------------------------------------------------ memory */

struct meminfo {
	long memfree, slab, sunreclaim, vmalloc;	/* kB */
};

static void read_meminfo(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v;

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemFree: %ld", &v) == 1)
			m->memfree = v;
		else if (sscanf(line, "Slab: %ld", &v) == 1)
			m->slab = v;
		else if (sscanf(line, "SUnreclaim: %ld", &v) == 1)
			m->sunreclaim = v;
		else if (sscanf(line, "VmallocUsed: %ld", &v) == 1)
			m->vmalloc = v;
	}
	fclose(f);
}

#define MAX_SLABS 512
struct slabs {
	int n;
	char name[MAX_SLABS][32];
	long bytes[MAX_SLABS];	/* active objects x object size */
};

static void read_slabs(struct slabs *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long active, total, size;

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAX_SLABS) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total, &size) != 4)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%.31s", name);
		s->bytes[s->n++] = active * size;
	}
	fclose(f);
}

struct memres {
	char label[64];
	enum suite suite;
	long n;
	double install_per_s;
	double slab_per_ctx, sunreclaim_per_ctx, memfree_per_ctx;
	int ntop;
	char top_name[NTOP][32];
	double top_per_ctx[NTOP];
	bool valid;
};

static struct memres memres[12];
static int nmemres;

static void mem_delta(struct memres *r, const struct meminfo *a,
		      const struct meminfo *b, const struct slabs *sa,
		      const struct slabs *sb)
{
	static long d[MAX_SLABS];
	double n = r->n;

	r->slab_per_ctx = (b->slab - a->slab) * 1024.0 / n;
	r->sunreclaim_per_ctx = (b->sunreclaim - a->sunreclaim) * 1024.0 / n;
	r->memfree_per_ctx = (a->memfree - b->memfree) * 1024.0 / n;
	r->ntop = 0;
	for (int i = 0; i < sb->n; i++) {
		long before = 0;

		d[i] = 0;
		for (int j = 0; j < sa->n; j++)
			if (!strcmp(sa->name[j], sb->name[i])) {
				before = sa->bytes[j];
				break;
			}
		d[i] = sb->bytes[i] - before;
	}
	/* the caches that grew most */
	while (r->ntop < NTOP) {
		int best = -1;

		for (int i = 0; i < sb->n; i++)
			if (d[i] > 0 && (best < 0 || d[i] > d[best]))
				best = i;
		if (best < 0)
			break;
		snprintf(r->top_name[r->ntop], sizeof(r->top_name[0]), "%s",
			 sb->name[best]);
		r->top_per_ctx[r->ntop++] = d[best] / n;
		d[best] = 0;
	}
	r->valid = true;
}

/* Let deferred frees and RCU settle before a memory reading. */
static void settle(void)
{
	usleep((opt.smoke ? 50 : 300) * 1000);
}

/*
 * A scale pair: the receiver gets n RX contexts (SSRC base + i), the sender
 * TX contexts for k of those SSRCs spread evenly. Installs of the RX
 * contexts are timed and their memory measured.
 */
static void scale_setup(struct scale_pair *sp, long n)
{
	uint32_t base = 0x10000000u + (uint32_t)(sp - pairs) * 0x01000000u;
	struct meminfo ma, mb;
	static struct slabs sa, sb;
	struct memres *r;
	uint64_t ck_tx, ck_rx;
	uint8_t key[46];
	double t0;
	long i;

	sp->n = n;
	sp->k = n < ROT_MAX ? n : ROT_MAX;
	sp->ssrc = calloc(sp->k, sizeof(*sp->ssrc));
	sp->seq = calloc(sp->k, sizeof(*sp->seq));
	if (!sp->ssrc || !sp->seq)
		die("out of memory");
	if (!have_ksrtp || sock_pair(&sp->tx, &sp->rx) ||
	    attach(sp->tx, &ck_tx) || attach(sp->rx, &ck_rx)) {
		sp->failed = true;
		return;
	}
	for (int j = 0; j < sp->k; j++) {
		uint32_t idx = (uint32_t)((long long)j * n / sp->k);

		sp->ssrc[j] = base + idx;
		key_for(key, 7, sp->ssrc[j]);
		if (ctx_install(ck_tx, KSRTP_DIR_TX, sp->ssrc[j], opt.scale_suite, key, NULL)) {
			sp->failed = true;
			return;
		}
	}
	settle();
	read_slabs(&sa);
	read_meminfo(&ma);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		uint32_t ssrc = base + (uint32_t)i;

		key_for(key, 7, ssrc);
		if (ctx_install(ck_rx, KSRTP_DIR_RX, ssrc, opt.scale_suite, key,
				&sp->install_retries)) {
			sp->failed = true;
			return;
		}
	}
	sp->install_s = (now_ns() - t0) / 1e9;
	if (n < 100)
		return;		/* too few to see in the memory counters */
	settle();
	read_meminfo(&mb);
	read_slabs(&sb);
	r = &memres[nmemres++];
	snprintf(r->label, sizeof(r->label), "%s x%ld (scale)",
		 suite_name[opt.scale_suite], n);
	r->n = n;
	r->suite = opt.scale_suite;
	r->install_per_s = n / sp->install_s;
	mem_delta(r, &ma, &mb, &sa, &sb);
	fprintf(stderr, "ksrtp_bench: %ld %s RX contexts installed in %.2f s "
		"(%d retries), %.0f B/ctx slab\n", n, suite_name[opt.scale_suite],
		sp->install_s, sp->install_retries, r->slab_per_ctx);
}

/* Memory and install rate of n RX contexts of a suite on a fresh socket. */
static void mem_probe(enum suite s, long n)
{
	static struct slabs sa, sb;
	struct meminfo ma, mb;
	int tx, rx, retries = 0;
	struct memres *r;
	uint64_t ck;
	uint8_t key[46];
	double t0;

	if (!have_ksrtp || n <= 0 || sock_pair(&tx, &rx) || attach(rx, &ck))
		return;
	settle();
	read_slabs(&sa);
	read_meminfo(&ma);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		key_for(key, 9, (uint32_t)i);
		if (ctx_install(ck, KSRTP_DIR_RX, 0x20000000u + (uint32_t)i, s, key,
				&retries))
			goto out;
	}
	r = &memres[nmemres++];
	r->install_per_s = n / ((now_ns() - t0) / 1e9);
	settle();
	read_meminfo(&mb);
	read_slabs(&sb);
	snprintf(r->label, sizeof(r->label), "%s x%ld", suite_name[s], n);
	r->n = n;
	r->suite = s;
	mem_delta(r, &ma, &mb, &sa, &sb);
	/*
	 * The sockets stay open to the end: freeing their contexts now would
	 * overlap the next memory reading.
	 */
	return;
out:
	close(tx);
	close(rx);
}

/* ------------------------------------------------------------ statistics */

static struct contender *find(const char *name)
{
	for (int i = 0; i < ncont; i++)
		if (!strcmp(cont[i].name, name))
			return &cont[i];
	return NULL;
}

enum rkind { R_SPEED, R_OVERHEAD };

struct ratio {
	char name[80];
	enum rkind kind;
	double v[MAX_ROUNDS];
	struct mmm m;
	double of_minima;	/* the same ratio of each side's best round */
	bool valid;
};

static struct ratio ratios[96];
static int nratio;

/* Per round: speed = ns(base) / ns(c), i.e. c's packets/s over base's. */
static struct ratio *ratio_speed(const char *label, const char *c_name,
				 const char *base_name)
{
	struct contender *c = find(c_name), *b = find(base_name);
	struct ratio *r;

	if (!c || !b || nratio == 96)
		return NULL;
	r = &ratios[nratio++];
	snprintf(r->name, sizeof(r->name), "%s", label);
	r->kind = R_SPEED;
	for (int i = 0; i < rounds_done; i++)
		r->v[i] = c->failed || b->failed ? NAN : b->ns[i] / c->ns[i];
	r->m = stats_of(r->v, rounds_done);
	r->of_minima = c->failed || b->failed ? NAN :
		       stats_of(b->ns, rounds_done).min / stats_of(c->ns, rounds_done).min;
	r->valid = r->m.n > 0;
	return r;
}

/* Per round: (ns(k) - ns(udp)) / ns(raw): kernel SRTP cost over raw crypto. */
static struct ratio *ratio_overhead(const char *label, const char *k_name,
				    const char *udp_name, const char *raw_name)
{
	struct contender *k = find(k_name), *u = find(udp_name), *w = find(raw_name);
	struct ratio *r;

	if (!k || !u || !w || nratio == 96)
		return NULL;
	r = &ratios[nratio++];
	snprintf(r->name, sizeof(r->name), "%s", label);
	r->kind = R_OVERHEAD;
	for (int i = 0; i < rounds_done; i++)
		r->v[i] = k->failed || u->failed || w->failed ? NAN :
			  (k->ns[i] - u->ns[i]) / w->ns[i];
	r->m = stats_of(r->v, rounds_done);
	r->of_minima = k->failed || u->failed || w->failed ? NAN :
		       (stats_of(k->ns, rounds_done).min - stats_of(u->ns, rounds_done).min) /
		       stats_of(w->ns, rounds_done).min;
	r->valid = r->m.n > 0;
	return r;
}

static void build_ratios(void)
{
	static const int sizes[] = { 172, 1212 };
	static const char *const modes[] = { "single", "mmsg32" };
	char a[48], b[48], l[80];

	for (int si = 0; si < 2; si++)
		for (int mi = 0; mi < 2; mi++)
			for (int s = S_CM; s <= S_GCM; s++) {
				int sz = sizes[si];
				const char *mo = modes[mi], *sn = suite_name[s];

				snprintf(a, sizeof(a), "ksrtp-%s/%d/%s", sn, sz, mo);
				snprintf(b, sizeof(b), "udp/%d/%s", sz, mo);
				snprintf(l, sizeof(l), "ksrtp/udp %s %d %s", sn, sz, mo);
				ratio_speed(l, a, b);
				snprintf(b, sizeof(b), "libsrtp-%s/%d/%s", sn, sz, mo);
				snprintf(l, sizeof(l), "ksrtp/libsrtp2 %s %d %s", sn, sz, mo);
				ratio_speed(l, a, b);
				snprintf(b, sizeof(b), "ossl-%s/%d/%s", sn, sz, mo);
				snprintf(l, sizeof(l), "ksrtp/openssl %s %d %s", sn, sz, mo);
				ratio_speed(l, a, b);
				snprintf(b, sizeof(b), "udp/%d/%s", sz, mo);
				snprintf(l, sizeof(l), "(ksrtp-udp)/raw %s %d %s", sn, sz, mo);
				{
					char w[48];

					snprintf(w, sizeof(w), "raw-%s/%d", sn, sz - HDR);
					ratio_overhead(l, a, b, w);
				}
			}
	/* F8 and KDR 2^16 against UDP and against AES-CM, ksrtp only */
	for (int s = S_F8; s <= S_CM_KDR; s++)
		for (int si = 0; si < 2; si++)
			for (int mi = 0; mi < 2; mi++) {
				const char *sn = suite_name[s], *mo = modes[mi];

				snprintf(a, sizeof(a), "ksrtp-%s/%d/%s", sn, sizes[si], mo);
				snprintf(b, sizeof(b), "udp/%d/%s", sizes[si], mo);
				snprintf(l, sizeof(l), "ksrtp/udp %s %d %s", sn, sizes[si], mo);
				ratio_speed(l, a, b);
				snprintf(b, sizeof(b), "ksrtp-cm/%d/%s", sizes[si], mo);
				snprintf(l, sizeof(l), "ksrtp %s/cm %d %s", sn, sizes[si], mo);
				ratio_speed(l, a, b);
			}
	for (int si = 0; si < 2; si++) {
		snprintf(a, sizeof(a), "ksrtp-pass/%d/single", sizes[si]);
		snprintf(b, sizeof(b), "udp/%d/single", sizes[si]);
		snprintf(l, sizeof(l), "attached, no SRTP/udp %d single", sizes[si]);
		ratio_speed(l, a, b);
	}
	for (int s = S_CM; s <= S_GCM; s++) {
		snprintf(a, sizeof(a), "ksrtp-%s-txonly/172/single", suite_name[s]);
		snprintf(l, sizeof(l), "TX only/udp %s 172 single", suite_name[s]);
		ratio_speed(l, a, "udp/172/single");
	}
	for (int si = 0; si < 2; si++)
		for (int s = S_CM; s <= S_GCM; s++) {
			snprintf(a, sizeof(a), "raw-%s-any/%d", suite_name[s], sizes[si] - HDR);
			snprintf(b, sizeof(b), "raw-%s/%d", suite_name[s], sizes[si] - HDR);
			snprintf(l, sizeof(l), "raw crypto any/sync %s %d", suite_name[s],
				 sizes[si] - HDR);
			ratio_speed(l, a, b);
		}
	for (int i = 0; i < opt.nscale; i++) {
		snprintf(b, sizeof(b), "scale-%ld/hot", opt.scale[0]);
		snprintf(a, sizeof(a), "scale-%ld/hot", opt.scale[i]);
		snprintf(l, sizeof(l), "scale %ld/%ld ctx hot", opt.scale[i], opt.scale[0]);
		if (i)
			ratio_speed(l, a, b);
		snprintf(a, sizeof(a), "scale-%ld/rot", opt.scale[i]);
		snprintf(l, sizeof(l), "scale %ld/%ld ctx rot", opt.scale[i], opt.scale[0]);
		if (opt.scale[i] > 1)
			ratio_speed(l, a, b);
	}
}

static struct ratio *ratio_named(const char *name)
{
	for (int i = 0; i < nratio; i++)
		if (!strcmp(ratios[i].name, name))
			return &ratios[i];
	return NULL;
}

/* ------------------------------------------------------------ targets */

struct target {
	char name[96];
	char op[3];
	double goal, value;
	bool known, met;
	char unit[16];
};

static struct target targets[16];
static int ntarget;

static void target(const char *name, const char *op, double goal, double value,
		   const char *unit)
{
	struct target *t = &targets[ntarget++];

	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->op, sizeof(t->op), "%s", op);
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
	t->goal = goal;
	t->value = value;
	t->known = isfinite(value);
	t->met = t->known && (op[0] == '>' ? value >= goal : value <= goal);
}

static double ratio_med(const char *name)
{
	struct ratio *r = ratio_named(name);

	return r && r->valid ? r->m.med : NAN;
}

static void build_targets(void)
{
	double v;
	const char *sn[] = { "cm", "gcm" };
	char l[80];

	target("ksrtp/udp GCM 172 B (single)", ">=", 0.75,
	       ratio_med("ksrtp/udp gcm 172 single"), "x");
	target("ksrtp/udp AES-CM 172 B (single)", ">=", 0.65,
	       ratio_med("ksrtp/udp cm 172 single"), "x");
	for (int i = 0; i < 2; i++) {
		snprintf(l, sizeof(l), "ksrtp/libsrtp2 %s 172 single", sn[i]);
		v = ratio_med(l);
		snprintf(l, sizeof(l), "ksrtp/libsrtp2 %s 172 B (single)",
			 i ? "GCM" : "AES-CM");
		target(l, ">=", 1.3, v, "x");
	}
	for (int i = 0; i < 2; i++) {
		snprintf(l, sizeof(l), "(ksrtp-udp)/raw %s 172 single", sn[i]);
		v = ratio_med(l);
		snprintf(l, sizeof(l), "per-packet overhead / raw crypto %s 172 B",
			 i ? "GCM" : "AES-CM");
		target(l, "<=", 1.3, v, "x");
	}
	if (opt.nscale > 1) {
		long big = opt.scale[opt.nscale - 1];

		snprintf(l, sizeof(l), "scale %ld/%ld ctx hot", big, opt.scale[0]);
		v = ratio_med(l);
		snprintf(l, sizeof(l), "%ld contexts / 1 context pps (hot SSRC)", big);
		target(l, ">=", 0.9, v, "x");
		snprintf(l, sizeof(l), "scale %ld/%ld ctx rot", big, opt.scale[0]);
		v = ratio_med(l);
		snprintf(l, sizeof(l), "%ld contexts / 1 context pps (rotating SSRCs)", big);
		target(l, ">=", 0.9, v, "x");
	}
	for (int i = 0; i < nmemres; i++) {
		snprintf(l, sizeof(l), "kernel memory per context, %.40s", memres[i].label);
		/* slab growth: MemFree also moves with unrelated activity */
		target(l, "<=", 4096, memres[i].slab_per_ctx, "B");
	}
	for (int i = 0; i < nmemres; i++) {
		if (memres[i].n < 100)
			continue;
		snprintf(l, sizeof(l), "context installs/s, %.40s", memres[i].label);
		target(l, ">=", 10000, memres[i].install_per_s, "/s");
	}
}

/* ------------------------------------------------------------ estimates */

/*
 * A rough native figure for ksrtp/udp, rescaling the parts of the VM's
 * per-packet times as ../shared/perf-baseline.md measured them: the UDP
 * path and kernel glue run ~8.7x slower under TCG than natively (172 B),
 * crypto 30-65x. glue = ksrtp - udp - raw crypto, per packet.
 */
#define TCG_GLUE_FACTOR	8.7
#define TCG_CRYPTO_LO	30.0
#define TCG_CRYPTO_HI	65.0

struct estimate {
	char name[64];
	double glue_ns;		/* VM: ksrtp - udp - raw crypto */
	double lo, hi;		/* native ksrtp/udp, crypto /30 and /65 */
	bool valid;
};

static struct estimate estimates[4];
static int nestimate;

static void build_estimates(void)
{
	if (!opt.accel || strcmp(opt.accel, "tcg"))
		return;		/* the factors are for multi-threaded TCG only */
	for (int s = S_CM; s <= S_GCM; s++) {
		char k[48], r[48];
		struct contender *ck, *cu = find("udp/172/single"), *cr;
		struct estimate *e = &estimates[nestimate++];
		double tu, tk, tr, glue;

		snprintf(k, sizeof(k), "ksrtp-%s/172/single", suite_name[s]);
		snprintf(r, sizeof(r), "raw-%s/160", suite_name[s]);
		snprintf(e->name, sizeof(e->name), "ksrtp/udp %s 172 single, native estimate",
			 suite_name[s]);
		ck = find(k);
		cr = find(r);
		if (!ck || !cu || !cr || ck->failed || cu->failed || cr->failed)
			continue;
		tu = stats_of(cu->ns, rounds_done).med;
		tk = stats_of(ck->ns, rounds_done).med;
		tr = stats_of(cr->ns, rounds_done).med;
		glue = tk - tu - tr;
		if (glue < 0)
			glue = 0;
		e->glue_ns = glue;
		e->lo = tu / (tu + glue + tr * TCG_GLUE_FACTOR / TCG_CRYPTO_LO);
		e->hi = tu / (tu + glue + tr * TCG_GLUE_FACTOR / TCG_CRYPTO_HI);
		e->valid = isfinite(e->lo) && isfinite(e->hi);
	}
}

/* ------------------------------------------------------------ output */

static void print_table(FILE *o)
{
	fprintf(o, "\n%-26s %10s %10s %10s %10s  %s\n", "contender", "ns/pkt min",
		"median", "max", "kpps med", "");
	for (int i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];
		struct mmm m = stats_of(c->ns, rounds_done);

		if (c->failed) {
			fprintf(o, "%-26s FAILED: %s\n", c->name, c->why);
			continue;
		}
		fprintf(o, "%-26s %10.0f %10.0f %10.0f %10.2f  %s\n", c->name, m.min,
			m.med, m.max, 1e6 / m.med, c->driver);
	}
	fprintf(o, "\nper-round ratios (speed: >1 means ksrtp moves more packets/s;"
		" overhead: ksrtp's extra ns per packet over the raw crypto's)\n");
	fprintf(o, "%-36s %8s %8s %8s %10s\n", "ratio", "min", "median", "max",
		"of minima");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		if (!r->valid)
			fprintf(o, "%-36s %8s\n", r->name, "n/a");
		else
			fprintf(o, "%-36s %8.3f %8.3f %8.3f %10.3f\n", r->name,
				r->m.min, r->m.med, r->m.max, r->of_minima);
	}
	for (int i = 0; i < nestimate; i++) {
		struct estimate *e = &estimates[i];

		if (!i)
			fprintf(o, "\nrough native estimate from medians (UDP and kernel glue"
				" /%.1f, crypto /%.0f../%.0f, ../shared/perf-baseline.md)\n",
				TCG_GLUE_FACTOR, TCG_CRYPTO_LO, TCG_CRYPTO_HI);
		if (e->valid)
			fprintf(o, "%-48s %.2f .. %.2f  (VM glue %.0f ns/pkt)\n", e->name,
				e->lo, e->hi, e->glue_ns);
	}
	if (nmemres) {
		fprintf(o, "\n%-22s %10s %10s %10s %10s  %s\n", "contexts", "installs/s",
			"B/ctx free", "B/ctx slab", "unreclaim", "largest slab growth (B/ctx)");
		for (int i = 0; i < nmemres; i++) {
			struct memres *r = &memres[i];

			fprintf(o, "%-22s %10.0f %10.0f %10.0f %10.0f  ", r->label,
				r->install_per_s, r->memfree_per_ctx, r->slab_per_ctx,
				r->sunreclaim_per_ctx);
			for (int j = 0; j < r->ntop; j++)
				fprintf(o, "%s%s %.0f", j ? ", " : "", r->top_name[j],
					r->top_per_ctx[j]);
			fprintf(o, "\n");
		}
	}
	if (ntarget) {
		fprintf(o, "\nissue targets (medians of per-round ratios; under TCG see"
			" Documentation/benchmarks.md)\n");
		for (int i = 0; i < ntarget; i++) {
			struct target *t = &targets[i];

			fprintf(o, "  %-4s %-58s %10.3f %s %g%s\n",
				!t->known ? "n/a" : t->met ? "MET" : "MISS", t->name,
				t->known ? t->value : 0.0, t->op, t->goal, t->unit);
		}
	}
}

static void write_json(const char *path, const char *date)
{
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f)
		die("%s: %s", path, strerror(errno));
	uname(&u);
	fprintf(f, "{\n  \"schema\": 1,\n  \"date\": ");
	json_str(f, date);
	fprintf(f, ",\n  \"kernel\": ");
	json_str(f, u.release);
	fprintf(f, ",\n  \"accel\": ");
	json_str(f, opt.accel ? opt.accel : "unknown");
	fprintf(f, ",\n  \"cpus_online\": %ld,\n  \"pinned_cpu\": %d,\n",
		sysconf(_SC_NPROCESSORS_ONLN), opt.cpu);
	fprintf(f, "  \"rounds\": %d,\n  \"round_ms\": %d,\n  \"smoke\": %s,\n",
		rounds_done, opt.ms, opt.smoke ? "true" : "false");
	fprintf(f, "  \"order\": \"every contender once per round, order shuffled per round\",\n");
	fprintf(f, "  \"units\": {\"ns_per_pkt\": \"ns per packet sent and received "
		"(raw-crypto: per protect+unprotect)\", \"pps\": \"packets per second\"},\n");
	fprintf(f, "  \"contenders\": [\n");
	for (int i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];
		struct mmm m = stats_of(c->ns, rounds_done), p;

		p.min = 1e9 / m.max;
		p.med = 1e9 / m.med;
		p.max = 1e9 / m.min;
		fprintf(f, "    {\"name\": ");
		json_str(f, c->name);
		fprintf(f, ", \"kind\": \"%s\", \"suite\": \"%s\", \"bytes\": %d, "
			"\"batch\": %d, \"ok\": %s, ", kind_name[c->kind],
			suite_name[c->suite], c->size, c->batch,
			c->failed ? "false" : "true");
		if (c->kind == K_SCALE)
			fprintf(f, "\"contexts\": %ld, \"rotating_ssrcs\": %d, ",
				c->pair->n, c->rotate ? c->pair->k : 1);
		if (c->failed) {
			fprintf(f, "\"error\": ");
			json_str(f, c->why);
			fprintf(f, "}%s\n", i + 1 < ncont ? "," : "");
			continue;
		}
		if (c->driver[0]) {
			fprintf(f, "\"driver\": ");
			json_str(f, c->driver);
			fprintf(f, ", ");
		}
		json_mmm(f, "ns_per_pkt", m);
		fprintf(f, ", ");
		json_mmm(f, "pps", p);
		fprintf(f, ", \"rounds_ns\": ");
		json_rounds(f, c->ns, rounds_done);
		fprintf(f, "}%s\n", i + 1 < ncont ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": [\n");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		fprintf(f, "    {\"name\": ");
		json_str(f, r->name);
		fprintf(f, ", \"kind\": \"%s\", ", r->kind == R_SPEED ?
			"pps_ratio" : "overhead_over_raw");
		json_mmm(f, "value", r->m);
		fprintf(f, ", \"of_minima\": ");
		json_num(f, r->of_minima);
		fprintf(f, ", \"rounds\": ");
		json_rounds(f, r->v, rounds_done);
		fprintf(f, "}%s\n", i + 1 < nratio ? "," : "");
	}
	fprintf(f, "  ],\n  \"contexts\": [\n");
	for (int i = 0; i < nmemres; i++) {
		struct memres *r = &memres[i];

		fprintf(f, "    {\"label\": ");
		json_str(f, r->label);
		fprintf(f, ", \"count\": %ld, \"installs_per_s\": ", r->n);
		json_num(f, r->install_per_s);
		fprintf(f, ", \"memfree_bytes_per_ctx\": ");
		json_num(f, r->memfree_per_ctx);
		fprintf(f, ", \"slab_bytes_per_ctx\": ");
		json_num(f, r->slab_per_ctx);
		fprintf(f, ", \"sunreclaim_bytes_per_ctx\": ");
		json_num(f, r->sunreclaim_per_ctx);
		fprintf(f, ", \"slab_growth_per_ctx\": {");
		for (int j = 0; j < r->ntop; j++) {
			fprintf(f, j ? ", " : "");
			json_str(f, r->top_name[j]);
			fprintf(f, ": %.0f", r->top_per_ctx[j]);
		}
		fprintf(f, "}}%s\n", i + 1 < nmemres ? "," : "");
	}
	fprintf(f, "  ],\n  \"native_estimates\": [\n");
	for (int i = 0, first = 1; i < nestimate; i++) {
		struct estimate *e = &estimates[i];

		if (!e->valid)
			continue;
		fprintf(f, "%s    {\"name\": ", first ? "" : ",\n");
		json_str(f, e->name);
		fprintf(f, ", \"vm_glue_ns\": ");
		json_num(f, e->glue_ns);
		fprintf(f, ", \"crypto_factor_%.0f\": ", TCG_CRYPTO_LO);
		json_num(f, e->lo);
		fprintf(f, ", \"crypto_factor_%.0f\": ", TCG_CRYPTO_HI);
		json_num(f, e->hi);
		fprintf(f, ", \"glue_factor\": %.1f}", TCG_GLUE_FACTOR);
		first = 0;
	}
	fprintf(f, "\n  ],\n  \"targets\": [\n");
	for (int i = 0; i < ntarget; i++) {
		struct target *t = &targets[i];

		fprintf(f, "    {\"name\": ");
		json_str(f, t->name);
		fprintf(f, ", \"op\": \"%s\", \"goal\": %g, \"unit\": \"%s\", \"value\": ",
			t->op, t->goal, t->unit);
		json_num(f, t->value);
		fprintf(f, ", \"met\": %s}%s\n", !t->known ? "null" : t->met ? "true" : "false",
			i + 1 < ntarget ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f))
		die("%s: write failed", path);
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: ksrtp_bench [--rounds N] [--ms MS] [--warmup-ms MS] [--cpu N|-1]\n"
		"                   [--scale N,N,...] [--scale-suite cm|gcm] [--mem-n N]\n"
		"                   [--filter SUBSTRING] [--json FILE] [--accel NAME] [--smoke]\n"
		"                   [--no-raw] [--date DATE]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-raw")) {
			opt.no_raw = true;
			continue;
		}
		if (!strcmp(a, "--smoke")) {
			opt.smoke = true;
			opt.rounds = 2;
			opt.ms = 10;
			opt.warmup_ms = 2;
			opt.mem_n = 100;
			opt.nscale = 2;
			opt.scale[0] = 1;
			opt.scale[1] = 100;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--rounds"))
			opt.rounds = atoi(v);
		else if (!strcmp(a, "--ms"))
			opt.ms = atoi(v);
		else if (!strcmp(a, "--warmup-ms"))
			opt.warmup_ms = atoi(v);
		else if (!strcmp(a, "--cpu"))
			opt.cpu = atoi(v);
		else if (!strcmp(a, "--mem-n"))
			opt.mem_n = atoi(v);
		else if (!strcmp(a, "--json"))
			opt.json = v;
		else if (!strcmp(a, "--filter"))
			opt.filter = v;
		else if (!strcmp(a, "--accel"))
			opt.accel = v;
		else if (!strcmp(a, "--date"))
			opt.date = v;
		else if (!strcmp(a, "--scale-suite"))
			opt.scale_suite = !strcmp(v, "gcm") ? S_GCM : S_CM;
		else if (!strcmp(a, "--scale")) {
			char *s = strdup(v), *tok, *save = NULL;

			opt.nscale = 0;
			for (tok = strtok_r(s, ", ", &save); tok && opt.nscale < 8;
			     tok = strtok_r(NULL, ", ", &save))
				opt.scale[opt.nscale++] = atol(tok);
			free(s);
		} else {
			usage();
		}
	}
	if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS || opt.ms < 1)
		usage();
	for (int i = 0; i < opt.nscale; i++)
		if (opt.scale[i] < 1 || opt.scale[i] > 1000000)
			usage();
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 172, 1212 };
	int order[MAX_CONT], nfail = 0, kept = 0;
	struct utsname uts;
	bool want_scale;
	char date[64];
	time_t t = time(NULL);

	parse_args(argc, argv);
	/* a guest clock may run off (icount): the host can say the date */
	if (opt.date)
		snprintf(date, sizeof(date), "%s", opt.date);
	else
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (opt.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(opt.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("cannot pin to CPU %d: %s", opt.cpu, strerror(errno));
	}
	if (srtp_init())
		die("srtp_init failed");
	have_ksrtp = kn_open(&knl) == 0;
	if (!have_ksrtp)
		fprintf(stderr, "ksrtp_bench: no ksrtp netlink family: ksrtp contenders will fail\n");

	for (int si = 0; si < 2; si++)
		for (int b = 1; b <= BATCH; b += BATCH - 1) {
			add(K_UDP, S_NONE, sizes[si], b);
			for (int s = S_CM; s <= S_GCM; s++) {
				add(K_KSRTP, s, sizes[si], b);
				add(K_LIBSRTP, s, sizes[si], b);
				add(K_OSSL, s, sizes[si], b);
			}
			/* libsrtp2, OpenSSL and the raw module have no f8, no KDR */
			add(K_KSRTP, S_F8, sizes[si], b);
			add(K_KSRTP, S_CM_KDR, sizes[si], b);
		}
	/* where ksrtp's time goes: attached without SRTP, and TX alone */
	for (int si = 0; si < 2; si++) {
		struct contender *c = add(K_KSRTP, S_NONE, sizes[si], 1);

		c->part = PASS;
		snprintf(c->name, sizeof(c->name), "ksrtp-pass/%d/single", sizes[si]);
	}
	for (int s = S_CM; s <= S_GCM; s++) {
		struct contender *c = add(K_KSRTP, s, 172, 1);

		c->part = TXONLY;
		snprintf(c->name, sizeof(c->name), "ksrtp-%s-txonly/172/single",
			 suite_name[s]);
	}
	for (int si = 0; si < 2 && !opt.no_raw; si++)
		for (int s = S_CM; s <= S_GCM; s++) {
			struct contender *c;

			add(K_RAW, s, sizes[si] - HDR, 1);
			c = add(K_RAW, s, sizes[si] - HDR, 1);
			c->any = true;
			snprintf(c->name, sizeof(c->name), "raw-%s-any/%d",
				 suite_name[s], sizes[si] - HDR);
		}
	/* drop what the filter leaves out before any setup */
	for (int i = 0; i < ncont; i++)
		if (selected(cont[i].name))
			cont[kept++] = cont[i];
	ncont = kept;
	want_scale = !opt.filter || strstr(opt.filter, "scale");
	for (int i = 0; i < ncont; i++)
		setup(&cont[i]);

	/* memory and install rates, then the scale pairs (kept to the end) */
	if (want_scale) {
		mem_probe(S_GCM, opt.mem_n);
		if (opt.scale_suite != S_CM)
			mem_probe(S_CM, opt.mem_n);
		for (int i = 0; i < opt.nscale; i++) {
			struct contender *c;

			scale_setup(&pairs[i], opt.scale[i]);
			c = add(K_SCALE, opt.scale_suite, 172, 1);
			snprintf(c->name, sizeof(c->name), "scale-%ld/hot", opt.scale[i]);
			c->pair = &pairs[i];
			setup(c);
			if (opt.scale[i] > 1) {
				c = add(K_SCALE, opt.scale_suite, 172, 1);
				snprintf(c->name, sizeof(c->name), "scale-%ld/rot", opt.scale[i]);
				c->pair = &pairs[i];
				c->rotate = true;
				setup(c);
			}
		}
	}

	fprintf(stderr, "ksrtp_bench: %d contenders, %d rounds of %d ms each, pinned to CPU %d\n",
		ncont, opt.rounds, opt.ms, opt.cpu);
	for (int i = 0; i < ncont; i++)
		one_round(&cont[i], opt.warmup_ms, &cont[i].warm_ns);

	for (int r = 0; r < opt.rounds; r++) {
		for (int i = 0; i < ncont; i++)
			order[i] = i;
		for (int i = ncont - 1; i > 0; i--) {
			int j = rnd() % (i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
		for (int i = 0; i < ncont; i++) {
			struct contender *c = &cont[order[i]];

			c->ns[r] = NAN;
			one_round(c, opt.ms, &c->ns[r]);
		}
		rounds_done = r + 1;
		fprintf(stderr, "ksrtp_bench: round %d/%d done\n", r + 1, opt.rounds);
	}

	build_ratios();
	build_targets();
	build_estimates();
	uname(&uts);
	printf("ksrtp benchmark: %s, kernel %s, accel %s, %d rounds x %d ms, CPU %d\n",
	       date, uts.release, opt.accel ? opt.accel : "unknown", rounds_done,
	       opt.ms, opt.cpu);
	print_table(stdout);

	/* one line per contender and measurement, for scripts */
	printf("\n");
	for (int i = 0; i < ncont; i++) {
		struct mmm m = stats_of(cont[i].ns, rounds_done);

		if (cont[i].failed)
			nfail++;
		printf("result %s %.6g\n", cont[i].name,
		       cont[i].failed || !m.n ? 0.0 : 1e9 / m.med);
	}
	for (int i = 0; i < nmemres; i++) {
		printf("result contexts-%ld-%s-installs_per_s %.6g\n", memres[i].n,
		       suite_name[memres[i].suite], memres[i].install_per_s);
		printf("result contexts-%ld-%s-bytes_per_ctx %.6g\n", memres[i].n,
		       suite_name[memres[i].suite],
		       memres[i].memfree_per_ctx > memres[i].slab_per_ctx ?
		       memres[i].memfree_per_ctx : memres[i].slab_per_ctx);
	}
	if (opt.json)
		write_json(opt.json, date);

	for (int i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];

		if (c->kind == K_LIBSRTP && !c->failed) {
			srtp_dealloc(c->ls_tx.s);
			srtp_dealloc(c->ls_rx.s);
		}
		if (c->kind == K_OSSL) {
			fast_free(&c->of_tx);
			fast_free(&c->of_rx);
		}
	}
	return nfail ? 1 : 0;
}
