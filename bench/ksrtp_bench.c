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
#include "ksrtp_bench.h"

const char *const suite_name[] = { "none", "cm", "gcm", "f8", "cm-kdr" };

static const uint32_t suite_id[] = {
	0, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, KSRTP_SUITE_AEAD_AES_128_GCM,
	KSRTP_SUITE_F8_128_HMAC_SHA1_80, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
};

/* ------------------------------------------------------------ options */

struct bench_opt opt = {
	.rounds = 15, .ms = 200, .warmup_ms = 50, .cpu = 0, .mem_n = 1000,
	.nscale = 3, .scale = { 1, 1000, 100000 }, .scale_suite = S_CM,
};

void die(const char *fmt, ...)
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

struct contender cont[MAX_CONT];
int ncont;
struct scale_pair pairs[8];
struct ksrtp_nl knl;
bool have_ksrtp;
int rounds_done;

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
int sock_pair(int *tx, int *rx)
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

void key_for(uint8_t *key, uint32_t salt_seed, uint32_t n)
{
	key_fill(key, 30, (uint8_t)salt_seed);
	key[0] = n >> 24;
	key[1] = n >> 16;
	key[2] = n >> 8;
	key[3] = n;
}

int ctx_install(uint64_t cookie, uint32_t dir, uint32_t ssrc,
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

int attach(int fd, uint64_t *cookie)
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
