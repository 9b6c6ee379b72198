// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_relay_bench: ksrtp's in-kernel relay (fwd-add) against userspace
 * relays, in one process, back to back (issue #14, item 5).
 *
 * Every contender moves 172-byte RTP packets over loopback, one thread
 * pinned to one CPU, through the same endpoints:
 *
 *   sender S (attached, TX context key A: the application sends plain RTP)
 *     --> relay socket R1 ... relay socket R2 -->
 *   receiver V (attached, RX context key B: the application reads plain RTP)
 *
 * and differ only in the relay step between R1 and R2 (SRTP -> SRTP, key A
 * to key B, SSRC rewritten):
 *
 *   relay-ksrtp-*    R1 attached (RX context key A) with a forward to V
 *                    through R2 (attached, TX context key B): the kernel
 *                    relays in softirq, the relay application does nothing
 *   relay-ossl-*     R1, R2 plain; recv (or recvmmsg x32) on R1, unprotect
 *                    key A, rewrite the SSRC, protect key B with the OpenSSL
 *                    EVP contender of ksrtp_bench (fast_srtp.h), send (or
 *                    sendmmsg) on R2, in the same thread
 *   relay-libsrtp-*  the same with Debian's libsrtp2
 *   relay-direct-*   no relay: S sends leg B's SRTP straight to V. What a
 *                    relay costs per packet = its time minus this one's
 *   relay-scale-N    ksrtp, AES-CM, N forwards of N SSRCs (4N contexts:
 *                    TX on S and R2, RX on R1 and V), traffic rotating over
 *                    the N SSRCs packet by packet
 *   relay-fanout-N   ksrtp, AES-CM, one SSRC to N plain receivers: N
 *                    forwards, each its own SSRC out and TX context (key)
 *   relay-fanout-once-N  the same N receivers, one forward + N - 1
 *                    fwd-dest-add destinations: one protect, N sends
 *                    (ksrtp_relay_fanout.c)
 *
 * Before timing, each contender's first packet (batch) is checked end to
 * end: V must read the sender's payload byte for byte, with the SSRC the
 * relay gave it. Any error or loss (3 s receive timeout) fails it; the
 * fan-out contenders count and report loss instead.
 * Ratios are taken within a round, as in ksrtp_bench.
 */
#include "ksrtp_relay_bench.h"

const char *const rk_name[] = { "ksrtp", "ossl", "libsrtp", "direct" };
const char *const sn[] = { "none", "cm", "gcm" };
const uint32_t suite_id[] = {
	0, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, KSRTP_SUITE_AEAD_AES_128_GCM,
};

struct relay_opt opt = {
	.rounds = 15, .ms = 200, .warmup_ms = 50, .cpu = 0,
	.nscale = 3, .scale = { 1, 1000, 10000 }, .nfan = 3, .fan = { 1, 8, 64 },
};

struct relay cont[MAX_CONT];
int ncont, rounds_done;
struct ksrtp_nl knl;
static bool have_ksrtp;

void fail(struct relay *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ksrtp_relay_bench: %s: %s\n", c->name, c->why);
}

static struct relay *add(enum rk k, enum suite s, int batch, long nssrc)
{
	struct relay *c = &cont[ncont++];

	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->suite = s;
	c->batch = batch;
	c->nssrc = nssrc;
	c->fan = 1;
	c->s = c->r1 = c->r2 = c->v = -1;
	snprintf(c->name, sizeof(c->name), "relay-%s-%s/%d/%s", rk_name[k], sn[s],
		 SIZE, batch > 1 ? "mmsg32" : "single");
	return c;
}

/* Master key || salt of one leg's SSRC: leg 0xa1 is A, 0xb2 is B. */
void key_of(uint8_t *key, uint8_t leg, uint32_t ssrc)
{
	key_fill(key, 30, leg);
	key[0] = ssrc >> 24;
	key[1] = ssrc >> 16;
	key[2] = ssrc >> 8;
	key[3] = ssrc;
}

int ctx_install(uint64_t cookie, uint32_t dir, uint32_t ssrc, enum suite s, uint8_t leg)
{
	uint8_t key[46];
	struct ctx_spec cs = {
		.cookie = cookie, .dir = dir, .ssrc = ssrc, .suite = suite_id[s],
		.key = key, .roc = -1, .seq = -1,
	};
	struct nl_reply r;
	int err, tries = 0;

	key_of(key, leg, ssrc);
	/* a table resize may make an insert fail for a moment */
	while ((err = kn_ctx_new(&knl, &cs, &r)) == -ENOMEM || err == -EBUSY) {
		if (++tries > 50)
			break;
		usleep(2000);
	}
	if (err)
		fprintf(stderr, "ksrtp_relay_bench: ctx-new ssrc %#x: %s %s\n", ssrc,
			strerror(-err), r.extack);
	return err;
}

int attach(int fd, uint64_t *cookie)
{
	struct nl_reply r;
	int err = kn_attach(&knl, fd, 0, cookie, &r);

	if (err)
		fprintf(stderr, "ksrtp_relay_bench: sock-attach: %s %s\n",
			strerror(-err), r.extack);
	return err;
}

void bufsize(int fd)
{
	int big = 1 << 22;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
}

/* The four sockets: S -> R1 connected, R2 -> V connected. */
static int open_sockets(struct relay *c, struct sockaddr_storage *va)
{
	struct sockaddr_storage sa, r1a, r2a;

	c->s = udp_open(AF_INET, &sa);
	c->r1 = udp_open(AF_INET, &r1a);
	c->r2 = udp_open(AF_INET, &r2a);
	c->v = udp_open(AF_INET, va);
	if (c->s < 0 || c->r1 < 0 || c->r2 < 0 || c->v < 0 ||
	    udp_connect(c->s, c->kind == RK_DIRECT ? va : &r1a) || udp_connect(c->r2, va))
		return -1;
	bufsize(c->s);
	bufsize(c->r1);
	bufsize(c->r2);
	bufsize(c->v);
	return 0;
}

/*
 * Sender and receiver: attached, every SSRC's TX context on S (key A; with
 * no relay, key B for the SSRCs V expects), RX on V (key B).
 */
static int endpoints_setup(struct relay *c)
{
	uint64_t cs, cv;

	if (attach(c->s, &cs) || attach(c->v, &cv))
		return -1;
	for (long i = 0; i < c->nssrc; i++)
		if (c->kind == RK_DIRECT ?
		    ctx_install(cs, KSRTP_DIR_TX, OUT_BASE + i, c->suite, 0xb2) :
		    ctx_install(cs, KSRTP_DIR_TX, IN_BASE + i, c->suite, 0xa1))
			return -1;
	for (long i = 0; i < c->nssrc; i++)
		if (ctx_install(cv, KSRTP_DIR_RX, OUT_BASE + i, c->suite, 0xb2))
			return -1;
	return 0;
}

/* The kernel relay: R1 RX key A, R2 TX key B, a forward per SSRC. */
static int kernel_relay_setup(struct relay *c, const struct sockaddr_storage *va)
{
	uint64_t c1, c2;
	struct nl_reply r;
	uint32_t id;

	if (attach(c->r1, &c1) || attach(c->r2, &c2))
		return -1;
	for (long i = 0; i < c->nssrc; i++) {
		struct fwd_spec f = {
			.rx = c1, .tx = c2, .ssrc = IN_BASE + i, .ssrc_out = OUT_BASE + i,
			.seq_offset = -1, .to = va,
		};

		if (ctx_install(c1, KSRTP_DIR_RX, IN_BASE + i, c->suite, 0xa1) ||
		    ctx_install(c2, KSRTP_DIR_TX, OUT_BASE + i, c->suite, 0xb2))
			return -1;
		if (kn_fwd_add(&knl, &f, &id, &r)) {
			fprintf(stderr, "ksrtp_relay_bench: fwd-add: %s\n", r.extack);
			return -1;
		}
	}
	return 0;
}

/* The userspace relay's sessions: RX key A for IN_BASE, TX key B for OUT_BASE. */
static int user_relay_setup(struct relay *c)
{
	uint8_t ka[1][46], kb[1][46];

	key_of(ka[0], 0xa1, IN_BASE);
	key_of(kb[0], 0xb2, OUT_BASE);
	if (c->kind == RK_OSSL)
		return fast_init(&c->of_rx, c->suite, ka[0], true) ||
		       fast_init(&c->of_tx, c->suite, kb[0], false) ? -1 : 0;
	if (ref_init(&c->ls_rx, suite_by_id(suite_id[c->suite]), true, IN_BASE, false,
		     (const uint8_t (*)[46])ka, 1, 0) ||
	    ref_init(&c->ls_tx, suite_by_id(suite_id[c->suite]), false, OUT_BASE, false,
		     (const uint8_t (*)[46])kb, 1, 0))
		return -1;
	return 0;
}

static int xfer(struct relay *c);

/* One batch end to end: V reads each packet's payload, with its new SSRC. */
static void first_check(struct relay *c)
{
	static uint8_t sent[BATCH][MAXPKT];

	for (int i = 0; i < c->batch; i++)
		rtp_make(c->tx[i], IN_BASE, 0, SIZE - HDR, 0, false);
	memcpy(sent, c->tx, sizeof(sent));
	if (xfer(c))
		return;
	for (int i = 0; i < c->batch; i++) {
		if (memcmp(sent[i] + HDR, c->rx[i] + HDR, SIZE - HDR) ||
		    get32(c->rx[i] + 8) != OUT_BASE) {
			fail(c, "packet %d: the receiver did not read the sender's payload", i);
			return;
		}
	}
}

static void setup(struct relay *c)
{
	struct sockaddr_storage va;
	double t0 = now_ns();

	c->tx = calloc(BATCH, MAXPKT);
	c->mid = calloc(BATCH, MAXPKT);
	c->rx = calloc(MAXB, MAXPKT);
	c->seq = calloc(c->nssrc, sizeof(*c->seq));
	if (!c->tx || !c->mid || !c->rx || !c->seq) {
		fail(c, "out of memory");
		return;
	}
	if (!have_ksrtp) {
		fail(c, "the ksrtp netlink family is absent (module not loaded)");
		return;
	}
	if (c->fanout) {
		if (!fan_setup(c))
			fan_first_check(c);
		return;
	}
	if (open_sockets(c, &va)) {
		fail(c, "sockets: %s", strerror(errno));
		return;
	}
	if (endpoints_setup(c)) {
		fail(c, "sender/receiver contexts failed");
		return;
	}
	if (c->kind == RK_KSRTP ? kernel_relay_setup(c, &va) :
	    c->kind != RK_DIRECT && user_relay_setup(c)) {
		fail(c, "relay setup failed");
		return;
	}
	c->setup_s = (now_ns() - t0) / 1e9;
	if (c->nssrc > 1)
		fprintf(stderr, "ksrtp_relay_bench: %s: %ld forwards set up in %.2f s\n",
			c->name, c->nssrc, c->setup_s);
	first_check(c);
}

/* n datagrams out of fd: send() each when single, else sendmmsg(). */
static int tx_n(struct relay *c, int fd, uint8_t (*b)[MAXPKT], const int *len, int n)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int done = 0, k;

	if (c->batch == 1) {
		for (int i = 0; i < n; i++)
			if (send(fd, b[i], len[i], 0) != len[i]) {
				fail(c, "send: %s", strerror(errno));
				return -1;
			}
		return 0;
	}
	memset(m, 0, sizeof(m));
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = len[i];
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		k = sendmmsg(fd, m + done, n - done, 0);
		if (k <= 0) {
			fail(c, "sendmmsg: %s", k < 0 ? strerror(errno) : "sent nothing");
			return -1;
		}
		done += k;
	}
	return 0;
}

/* n datagrams into b: recv() each when single, else recvmmsg() batches. */
static int rx_n(struct relay *c, int fd, uint8_t (*b)[MAXPKT], int *len, int n)
{
	struct mmsghdr m[MAXB];
	struct iovec iov[MAXB];
	int got = 0, k;

	if (c->batch == 1) {
		for (int i = 0; i < n; i++)
			if ((len[i] = recv(fd, b[i], MAXPKT, 0)) < 0) {
				fail(c, "recv: %s (packet lost?)", strerror(errno));
				return -1;
			}
		return 0;
	}
	memset(m, 0, sizeof(m));
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = MAXPKT;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (got < n) {
		k = recvmmsg(fd, m + got, n - got, MSG_WAITFORONE, NULL);
		if (k <= 0) {
			fail(c, "recvmmsg: %s (packets lost?)", k < 0 ? strerror(errno) : "none");
			return -1;
		}
		got += k;
	}
	for (int i = 0; i < n; i++)
		len[i] = m[i].msg_len;
	return 0;
}

void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The userspace relay step on one SRTP packet: key A -> key B, SSRC rewritten. */
static int relay_one(struct relay *c, uint8_t *p, int *len)
{
	uint16_t seq = p[2] << 8 | p[3];
	int n = *len;

	if (c->kind == RK_OSSL) {
		n = fast_unprotect(&c->of_rx, p, n);
		if (n < 0) {
			fail(c, "OpenSSL unprotect failed");
			return -1;
		}
		put32(p + 8, OUT_BASE);
		n = fast_protect(&c->of_tx, p, n, guess_index(c->of_rx.top, seq));
		if (n < 0) {
			fail(c, "OpenSSL protect failed");
			return -1;
		}
	} else {
		srtp_err_status_t st = srtp_unprotect(c->ls_rx.s, p, &n);

		if (!st) {
			put32(p + 8, OUT_BASE);
			st = srtp_protect(c->ls_tx.s, p, &n);
		}
		if (st) {
			fail(c, "libsrtp2: error %d", st);
			return -1;
		}
	}
	*len = n;
	return 0;
}

/* One packet (or batch) from S through the relay to V. */
static int xfer(struct relay *c)
{
	int len[MAXB], n = c->batch;

	if (c->fanout)
		return fan_xfer(c);
	for (int i = 0; i < c->batch; i++) {
		long k = c->next++ % c->nssrc;
		uint16_t seq = c->seq[k]++;
		uint8_t *p = c->tx[i];

		put32(p + 8, (c->kind == RK_DIRECT ? OUT_BASE : IN_BASE) + k);
		p[2] = seq >> 8;
		p[3] = seq;
		p[4] = seq >> 3;	/* a moving timestamp */
		len[i] = SIZE;
	}
	if (tx_n(c, c->s, c->tx, len, c->batch))
		return -1;
	if (c->kind == RK_OSSL || c->kind == RK_LIBSRTP) {
		if (rx_n(c, c->r1, c->mid, len, c->batch))
			return -1;
		for (int i = 0; i < c->batch; i++)
			if (relay_one(c, c->mid[i], &len[i]))
				return -1;
		if (tx_n(c, c->r2, c->mid, len, c->batch))
			return -1;
	}
	if (rx_n(c, c->v, c->rx, len, n))
		return -1;
	for (int i = 0; i < n; i++)
		if (len[i] != SIZE) {
			fail(c, "received %d bytes, expected %d", len[i], SIZE);
			return -1;
		}
	return 0;
}

/* Run c for ms milliseconds; ns per packet delivered to V in *ns. */
static int one_round(struct relay *c, double ms, double *ns)
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
			pkts += c->batch * c->fan;
		}
		t = now_ns() - t0;
	} while (t < ms * 1e6);
	*ns = t / pkts;
	return 0;
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: ksrtp_relay_bench [--rounds N] [--ms MS] [--warmup-ms MS] [--cpu N|-1]\n"
		"                         [--relay-scale N,N,...] [--fanout N,N,...]\n"
		"                         [--filter SUBSTRING] [--json FILE] [--accel NAME]\n"
		"                         [--date DATE] [--smoke]\n"
		"  (ksrtp_bench's --scale, --scale-suite, --mem-n and --no-raw are ignored)\n");
	exit(2);
}

/* "1,1000,10000" into v[]; returns how many. */
static int parse_list(const char *s, long *v, int max, long hi)
{
	char *d = strdup(s), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(d, ", ", &save); tok && n < max; tok = strtok_r(NULL, ", ", &save)) {
		v[n] = atol(tok);
		if (v[n] < 1 || v[n] > hi)
			usage();
		n++;
	}
	free(d);
	return n;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long f[4];

		if (!strcmp(a, "--smoke")) {
			opt.smoke = true;
			opt.rounds = 2;
			opt.ms = 10;
			opt.warmup_ms = 2;
			opt.nscale = 2;
			opt.scale[1] = 100;
			opt.nfan = 2;
			continue;
		}
		if (!strcmp(a, "--no-raw"))
			continue;
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
		else if (!strcmp(a, "--json"))
			opt.json = v;
		else if (!strcmp(a, "--filter"))
			opt.filter = v;
		else if (!strcmp(a, "--accel"))
			opt.accel = v;
		else if (!strcmp(a, "--date"))
			opt.date = v;
		else if (!strcmp(a, "--relay-scale"))
			opt.nscale = parse_list(v, opt.scale, 4, 65536);
		else if (!strcmp(a, "--fanout")) {
			opt.nfan = parse_list(v, f, 4, MAXB);
			for (int j = 0; j < opt.nfan; j++)
				opt.fan[j] = f[j];
		} else if (strcmp(a, "--scale") && strcmp(a, "--scale-suite") &&
			   strcmp(a, "--mem-n"))
			usage();
	}
	if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS || opt.ms < 1 || !opt.nscale ||
	    !opt.nfan)
		usage();
}

static void add_all(void)
{
	for (int b = 1; b <= BATCH; b += BATCH - 1)
		for (int s = S_CM; s <= S_GCM; s++)
			for (int k = RK_KSRTP; k <= RK_DIRECT; k++)
				add(k, s, b, 1);
	for (int i = 0; i < opt.nscale; i++)
		snprintf(add(RK_KSRTP, S_CM, 1, opt.scale[i])->name, sizeof(cont[0].name),
			 "relay-scale-%ld/%d/single", opt.scale[i], SIZE);
	for (int once = 0; once < 2; once++)
		for (int i = 0; i < opt.nfan; i++) {
			struct relay *c = add(RK_KSRTP, S_CM, 1, 1);

			c->fanout = true;
			c->once = once;
			c->fan = opt.fan[i];
			snprintf(c->name, sizeof(c->name), "relay-fanout-%s%d/%d/single",
				 once ? "once-" : "", c->fan, SIZE);
		}
}

static void run_rounds(void)
{
	int order[MAX_CONT];

	for (int i = 0; i < ncont; i++)
		one_round(&cont[i], opt.warmup_ms, &cont[i].ns[0]);
	for (int r = 0; r < opt.rounds; r++) {
		for (int i = 0; i < ncont; i++)
			order[i] = i;
		for (int i = ncont - 1; i > 0; i--) {
			int j = rnd() % (i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
		for (int i = 0; i < ncont; i++) {
			struct relay *c = &cont[order[i]];

			c->ns[r] = NAN;
			one_round(c, opt.ms, &c->ns[r]);
		}
		rounds_done = r + 1;
		fprintf(stderr, "ksrtp_relay_bench: round %d/%d done\n", r + 1, opt.rounds);
	}
}

int main(int argc, char **argv)
{
	int kept = 0, nfail = 0;
	struct utsname uts;
	char date[64];
	time_t t = time(NULL);

	parse_args(argc, argv);
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
			fprintf(stderr, "ksrtp_relay_bench: cannot pin to CPU %d\n", opt.cpu);
	}
	if (srtp_init())
		return 2;
	have_ksrtp = kn_open(&knl) == 0;
	add_all();
	for (int i = 0; i < ncont; i++)
		if (!opt.filter || strstr(cont[i].name, opt.filter))
			cont[kept++] = cont[i];
	ncont = kept;
	for (int i = 0; i < ncont; i++)
		setup(&cont[i]);
	fprintf(stderr, "ksrtp_relay_bench: %d contenders, %d rounds of %d ms, CPU %d\n",
		ncont, opt.rounds, opt.ms, opt.cpu);
	run_rounds();
	for (int i = 0; i < ncont; i++)
		if (cont[i].fanout)
			fan_finish(&cont[i]);
	build_ratios();
	uname(&uts);
	printf("ksrtp relay benchmark: %s, kernel %s, accel %s, %d rounds x %d ms, CPU %d\n",
	       date, uts.release, opt.accel ? opt.accel : "unknown", rounds_done, opt.ms,
	       opt.cpu);
	print_table(stdout);
	printf("\n");
	for (int i = 0; i < ncont; i++) {
		struct mmm m = stats_of(cont[i].ns, rounds_done);

		nfail += cont[i].failed;
		printf("result %s %.6g\n", cont[i].name,
		       cont[i].failed || !m.n ? 0.0 : 1e9 / m.med);
	}
	if (opt.json)
		write_json(opt.json, date);
	return nfail ? 1 : 0;
}
