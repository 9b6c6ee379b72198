// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_relay_bench's fan-out contenders: one SSRC from the sender S,
 * relayed by ksrtp from R1 through R2 to N receivers, two ways:
 *
 *   relay-fanout-N       per-destination keys: N forwards of the SSRC, each
 *                        its own SSRC out and TX context on R2 (N protects)
 *   relay-fanout-once-N  encrypt-once: one forward and N - 1 fwd-dest-add
 *                        destinations sharing its TX context: kmod/fwd.c
 *                        protects once and sends N byte-identical copies
 *
 * The receivers are N plain sockets, the same in both, so the two differ
 * only in the relay's work. Every copy's length, SSRC and SEQ is checked;
 * the first packet's copies and then one copy in VERIFY_EVERY packets
 * (rotating over the receivers) are authenticated and decrypted with the
 * OpenSSL SRTP of fast_srtp.h and compared with the sender's payload. A
 * copy missing for 1 s is counted lost, not fatal; the kernel's counters
 * (copies sent, drops, protects on R2) are read after the rounds.
 */
#include "ksrtp_relay_bench.h"

#define RX_TIMEOUT_US	1000000
#define MAX_LOST	100	/* each loss costs a timeout: stop counting */

static int fan_srtp_len(const struct relay *c)
{
	return SIZE + (c->suite == S_GCM ? 16 : 10);
}

/* Receiver j's SSRC: shared with encrypt-once, its own otherwise. */
static uint32_t fan_ssrc(const struct relay *c, int j)
{
	return OUT_BASE + (c->once ? 0 : j);
}

/* S -> R1 connected; R2 bound; N receivers with a short timeout. */
static int fan_sockets(struct relay *c, struct sockaddr_storage *va)
{
	struct timeval tv = { .tv_usec = RX_TIMEOUT_US % 1000000,
			      .tv_sec = RX_TIMEOUT_US / 1000000 };
	struct sockaddr_storage sa, r1a, r2a;

	c->s = udp_open(AF_INET, &sa);
	c->r1 = udp_open(AF_INET, &r1a);
	c->r2 = udp_open(AF_INET, &r2a);
	if (c->s < 0 || c->r1 < 0 || c->r2 < 0 || udp_connect(c->s, &r1a))
		return -1;
	bufsize(c->s);
	bufsize(c->r1);
	bufsize(c->r2);
	for (int j = 0; j < c->fan; j++) {
		c->vs[j] = udp_open(AF_INET, &va[j]);
		if (c->vs[j] < 0)
			return -1;
		bufsize(c->vs[j]);
		setsockopt(c->vs[j], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	return 0;
}

/* The forwards on R1 -> R2: N of them, or one with N - 1 more destinations. */
static int fan_forwards(struct relay *c, uint64_t c1, const struct sockaddr_storage *va)
{
	struct nl_reply r;

	for (int j = 0; j < (c->once ? 1 : c->fan); j++) {
		struct fwd_spec f = {
			.rx = c1, .tx = c->r2_cookie, .ssrc = IN_BASE,
			.ssrc_out = fan_ssrc(c, j), .seq_offset = -1, .to = &va[j],
		};

		if (ctx_install(c->r2_cookie, KSRTP_DIR_TX, f.ssrc_out, c->suite, 0xb2))
			return -1;
		if (kn_fwd_add(&knl, &f, &c->fwd[c->nfwd], &r)) {
			fail(c, "fwd-add: %s", r.extack);
			return -1;
		}
		c->nfwd++;
	}
	/* one request: the fan-out list is at most 64 (MAXB) */
	if (c->once && c->fan > 1 &&
	    kn_fwd_dest(&knl, KSRTP_CMD_FWD_DEST_ADD, c->fwd[0], va + 1, c->fan - 1, &r)) {
		fail(c, "fwd-dest-add: %s", r.extack);
		return -1;
	}
	return 0;
}

int fan_setup(struct relay *c)
{
	struct sockaddr_storage va[MAXB];
	double t0 = now_ns();
	uint8_t key[46];
	uint64_t cs, c1;

	c->vs = calloc(c->fan, sizeof(*c->vs));
	c->vrx = calloc(c->fan, sizeof(*c->vrx));
	c->fwd = calloc(c->fan, sizeof(*c->fwd));
	if (!c->vs || !c->vrx || !c->fwd) {
		fail(c, "out of memory");
		return -1;
	}
	for (int j = 0; j < c->fan; j++)
		c->vs[j] = -1;
	if (fan_sockets(c, va)) {
		fail(c, "sockets: %s", strerror(errno));
		return -1;
	}
	if (attach(c->s, &cs) || attach(c->r1, &c1) || attach(c->r2, &c->r2_cookie) ||
	    ctx_install(cs, KSRTP_DIR_TX, IN_BASE, c->suite, 0xa1) ||
	    ctx_install(c1, KSRTP_DIR_RX, IN_BASE, c->suite, 0xa1)) {
		fail(c, "sender/relay contexts failed");
		return -1;
	}
	if (fan_forwards(c, c1, va))
		return -1;
	for (int j = 0; j < c->fan; j++) {
		key_of(key, 0xb2, fan_ssrc(c, j));
		if (fast_init(&c->vrx[j], c->suite, key, true)) {
			fail(c, "OpenSSL SRTP for receiver %d failed", j);
			return -1;
		}
	}
	c->setup_s = (now_ns() - t0) / 1e9;
	fprintf(stderr, "ksrtp_relay_bench: %s: %d destination%s, %d forward%s, set up in %.2f s\n",
		c->name, c->fan, c->fan > 1 ? "s" : "", c->nfwd, c->nfwd > 1 ? "s" : "", c->setup_s);
	return 0;
}

/* Receiver j's copy of packet seq: 0 read, 1 lost (timed out), -1 failed. */
static int fan_read(struct relay *c, int j, uint16_t seq)
{
	uint8_t *p = c->rx[j];

	for (;;) {
		int n = recv(c->vs[j], p, MAXPKT, 0);
		uint16_t got = p[2] << 8 | p[3];

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (++c->timeouts > MAX_LOST) {
				fail(c, "more than %d copies lost", MAX_LOST);
				return -1;
			}
			return 1;
		}
		if (n < 0) {
			fail(c, "receiver %d: recv: %s", j, strerror(errno));
			return -1;
		}
		if (n != fan_srtp_len(c) || get32(p + 8) != fan_ssrc(c, j)) {
			fail(c, "receiver %d: %d bytes of SSRC %#x, not %d of %#x", j, n,
			     get32(p + 8), fan_srtp_len(c), fan_ssrc(c, j));
			return -1;
		}
		if (got == seq) {
			c->copies++;
			return 0;
		}
		if ((uint16_t)(seq - got) >= 0x8000) {
			fail(c, "receiver %d: SEQ %u before %u was sent", j, got, seq);
			return -1;
		}
		c->late++;	/* came after its timeout: counted there, read on */
	}
}

/* Copy j (just read): authenticates with its key and has the sender's payload. */
static int fan_verify(struct relay *c, int j)
{
	uint8_t *p = c->rx[j];
	uint16_t seq = p[2] << 8 | p[3];
	int n = fast_unprotect(&c->vrx[j], p, fan_srtp_len(c));

	if (n != SIZE || memcmp(p + HDR, c->tx[0] + HDR, SIZE - HDR)) {
		fail(c, "receiver %d: SEQ %u did not authenticate and decrypt to the "
		     "sender's payload", j, seq);
		return -1;
	}
	c->verified++;
	return 0;
}

/* One packet from S, each receiver's copy read; *got: bit j, copy j read. */
static int fan_send_read(struct relay *c, uint64_t *got)
{
	uint16_t seq = c->seq[0]++;
	uint8_t *p = c->tx[0];

	put32(p + 8, IN_BASE);
	p[2] = seq >> 8;
	p[3] = seq;
	p[4] = seq >> 3;	/* a moving timestamp */
	if (send(c->s, p, SIZE, 0) != SIZE) {
		fail(c, "send: %s", strerror(errno));
		return -1;
	}
	c->xfers++;
	*got = 0;
	for (int j = 0; j < c->fan; j++) {
		int r = fan_read(c, j, seq);

		if (r < 0)
			return -1;
		if (!r)
			*got |= 1ULL << j;
	}
	return 0;
}

/* The first packet: every copy must arrive, authenticate and decrypt. */
void fan_first_check(struct relay *c)
{
	uint64_t got;

	rtp_make(c->tx[0], IN_BASE, 0, SIZE - HDR, 0, false);
	if (fan_send_read(c, &got))
		return;
	for (int j = 0; j < c->fan; j++) {
		if (!(got >> j & 1)) {
			fail(c, "receiver %d: the first packet's copy was lost", j);
			return;
		}
		if (fan_verify(c, j))
			return;
	}
}

/* A timed packet; one copy in VERIFY_EVERY packets decrypted, rotating. */
int fan_xfer(struct relay *c)
{
	uint64_t got;
	int j;

	if (fan_send_read(c, &got))
		return -1;
	if (c->xfers % VERIFY_EVERY)
		return 0;
	j = c->xfers / VERIFY_EVERY % c->fan;
	return got >> j & 1 ? fan_verify(c, j) : 0;
}

/* Copies lost: timed out and never seen late. */
long fan_lost(const struct relay *c)
{
	return c->timeouts - c->late;
}

/*
 * After the rounds: late copies still queued, and the kernel's side:
 * copies sent (forward packets + dest-packets), drops, and protects (the
 * TX contexts' packets on R2), which tell encrypt-once from N protects.
 */
void fan_finish(struct relay *c)
{
	uint64_t v[KSRTP_A_FWD_STATS_MAX + 1];
	struct ctx_stats st;
	uint8_t b[MAXPKT];

	if (!c->vs)
		return;
	for (int j = 0; j < c->fan; j++)
		while (c->vs[j] >= 0 && recv(c->vs[j], b, sizeof(b), MSG_DONTWAIT) > 0)
			c->late++;
	for (int i = 0; i < c->nfwd; i++) {
		struct ctx_spec cs = {
			.cookie = c->r2_cookie, .dir = KSRTP_DIR_TX, .ssrc = fan_ssrc(c, i),
		};

		if (kn_fwd_stats(&knl, c->fwd[i], v) || kn_ctx_stats(&knl, &cs, &st))
			continue;
		c->k_sent += v[KSRTP_A_FWD_STATS_PACKETS] + v[KSRTP_A_FWD_STATS_DEST_PACKETS];
		c->k_drop += v[KSRTP_A_FWD_STATS_TX_DROP] + v[KSRTP_A_FWD_STATS_TX_NO_CTX];
		c->k_protects += st.v[KSRTP_A_CTX_STATS_PACKETS];
	}
	if (c->failed)
		return;
	/* the claim the contender stands for: one protect per packet, or N */
	if (!c->k_drop && c->k_protects != (uint64_t)c->xfers * (c->once ? 1 : c->fan))
		fail(c, "%llu protects on R2 for %ld packets x %d destinations",
		     (unsigned long long)c->k_protects, c->xfers, c->fan);
	else if (c->k_sent + c->k_drop != (uint64_t)c->xfers * c->fan)
		fail(c, "the kernel sent %llu copies and dropped %llu of %ld x %d",
		     (unsigned long long)c->k_sent, (unsigned long long)c->k_drop,
		     c->xfers, c->fan);
}
