// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_rte_bench's report: per-round ratios ksrtp / rtpengine's kernel
 * forwarding (end to end, and the relay's own time), the 1.2x
 * target, the kernel-path and replay checks, the table and the JSON file.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "ksrtp_rte_bench.h"

struct ratio {
	char name[80];
	bool relay_only;
	double v[MAX_ROUNDS];
	struct mmm m;
	double of_minima;	/* the same ratio of each side's best round */
};

static struct ratio ratios[4];
static int nratio;

static struct cont *find(enum kind k, int batch)
{
	for (int i = 0; i < ncont; i++)
		if (cont[i].kind == k && cont[i].batch == batch)
			return &cont[i];
	return NULL;
}

/* ns(b) / ns(a): a's packets/s over b's; with d, each minus d's time (the relay's own). */
static double rv(double a, double b, double d)
{
	return (b - d) / (a - d);
}

static void ratio(int batch, bool relay_only)
{
	struct cont *a = find(K_KSRTP, batch), *b = find(K_RTPE, batch);
	struct cont *d = relay_only ? find(K_DIRECT, batch) : NULL;
	struct ratio *r;
	bool bad;

	if (!a || !b || (relay_only && !d))
		return;
	bad = a->failed || b->failed || (d && d->failed);
	r = &ratios[nratio++];
	r->relay_only = relay_only;
	snprintf(r->name, sizeof(r->name), "%sksrtp/rtpengine-kernel cm80->cm32 %s",
		 relay_only ? "relay-only " : "", batch > 1 ? "mmsg32" : "single");
	for (int i = 0; i < rounds_done; i++)
		r->v[i] = bad ? NAN : rv(a->ns[i], b->ns[i], d ? d->ns[i] : 0);
	r->m = stats_of(r->v, rounds_done);
	r->of_minima = bad ? NAN : rv(stats_of(a->ns, rounds_done).min,
				      stats_of(b->ns, rounds_done).min,
				      d ? stats_of(d->ns, rounds_done).min : 0);
}

void build_ratios(void)
{
	for (int b = 1; b <= BATCH; b += BATCH - 1) {
		ratio(b, false);
		ratio(b, true);
	}
}

/* ------------------------------------------------------------ text */

static void print_ratios(FILE *o)
{
	fprintf(o, "\nper-round ratios (>1: ksrtp is faster; end to end: packets/s delivered"
		" to V;\n relay-only: the relay's own time per packet, rtpengine's over ksrtp's,"
		" each minus relay-direct's)\n%-52s %8s %8s %8s %10s\n", "ratio", "min",
		"median", "max", "of minima");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		if (!r->m.n)
			fprintf(o, "%-52s %8s\n", r->name, "n/a");
		else
			fprintf(o, "%-52s %8.3f %8.3f %8.3f %10.3f\n", r->name, r->m.min,
				r->m.med, r->m.max, r->of_minima);
	}
	fprintf(o, "\nissue #14 target: ksrtp >= %gx rtpengine's kernel forwarding (medians of"
		" per-round ratios; TCG: ratios only, see Documentation/benchmarks.md)\n", TARGET);
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		fprintf(o, "  %-4s %-52s %8.3f >= %gx\n", !r->m.n ? "n/a" :
			r->m.med >= TARGET ? "MET" : "MISS", r->name, r->m.n ? r->m.med : 0.0,
			TARGET);
	}
}

/* What the checks found: rtpengine's kernel counters, the replays. */
static void print_checks(FILE *o)
{
	bool skip_said = false;

	fprintf(o, "\nchecks\n");
	for (int i = 0; i < ncont; i++) {
		struct cont *c = &cont[i];

		if (c->kind == K_RTPE && c->skipped && !skip_said) {
			fprintf(o, "  rtpengine: SKIP: %s\n", c->why);	/* the same for all */
			skip_said = true;
		}
		if (c->kind == K_RTPE && c->kernel_ok && c->sent1)
			fprintf(o, "  kernel path: %s: in /proc/rtpengine after %.1f s of priming;"
				" its kernel target counted %llu of the %llu packets sent in the"
				" rounds (%llu errors); decrypt %s tag %d B, encrypt %s tag %d B%s\n",
				c->name, c->kernel_s,
				(unsigned long long)(c->k1.packets - c->k0.packets),
				(unsigned long long)(c->sent1 - c->sent0),
				(unsigned long long)(c->k1.errors - c->k0.errors), c->k0.cipher_in,
				c->k0.tag_len_in, c->k0.cipher_out, c->k0.tag_len_out,
				c->failed ? " FAILED" : "");
		if (!c->rp.done)
			continue;
		if (c->kind == K_KSRTP)
			fprintf(o, "  replay: %s: %d of 2 copies reached V; the relay's replay"
				" window dropped %llu\n", c->name, c->rp.reached,
				(unsigned long long)c->rp.relay_drops);
		else
			fprintf(o, "  replay: %s: %d of 2 copies reached V (kernel target counted"
				" %llu): replay forwarded, re-encrypted: %s; V's replay window"
				" dropped %llu\n", c->name, c->rp.reached,
				(unsigned long long)c->rp.kernel_pkts,
				c->rp.reached == 2 ? "YES" : "no",
				(unsigned long long)c->rp.rx_drops);
	}
	fprintf(o, "  rtpengine does not check (xt_RTPENGINE 10.5): no replay window (a replay"
		" is decrypted, re-encrypted, forwarded);\n    ROC guessing (a tag that fails is"
		" retried with ROC+1, ROC-1 and ROC 0: up to 4 HMACs per forged packet, then"
		" passed to the daemon);\n    4 SSRCs per target (packets of a 5th go to the"
		" daemon in userspace)\n");
}

void print_report(FILE *o, const char *date)
{
	struct utsname u;

	uname(&u);
	fprintf(o, "ksrtp relay vs rtpengine kernel forwarding: %s, kernel %s, accel %s, %d"
		" rounds x %d ms, CPU %d\n172-byte RTP, one SSRC, leg A AES_CM_128_HMAC_SHA1_80"
		" -> leg B AES_CM_128_HMAC_SHA1_32 (decrypt + re-encrypt)\n", date, u.release,
		opt.accel ? opt.accel : "unknown", rounds_done, opt.ms, opt.cpu);
	fprintf(o, "\n%-52s %10s %10s %10s %10s\n", "contender", "ns/pkt min", "median",
		"max", "kpps med");
	for (int i = 0; i < ncont; i++) {
		struct cont *c = &cont[i];
		struct mmm m = stats_of(c->ns, rounds_done);

		if (c->failed)
			fprintf(o, "%-52s %s: %s\n", c->name, c->skipped ? "SKIPPED" : "FAILED",
				c->why);
		else
			fprintf(o, "%-52s %10.0f %10.0f %10.0f %10.2f\n", c->name, m.min, m.med,
				m.max, 1e6 / m.med);
	}
	print_ratios(o);
	print_checks(o);
	fprintf(o, "\n");
	for (int i = 0; i < ncont; i++) {
		struct mmm m = stats_of(cont[i].ns, rounds_done);

		fprintf(o, "result %s %.6g\n", cont[i].name,
			cont[i].failed || !m.n ? 0.0 : 1e9 / m.med);
	}
}

/* ------------------------------------------------------------ JSON */

static void json_checks(FILE *f, const struct cont *c)
{
	if (c->kind == K_RTPE && c->kernel_ok)
		fprintf(f, ", \"kernel_target\": {\"packets\": %llu, \"errors\": %llu, "
			"\"sent\": %llu, \"decrypt_tag_len\": %d, \"encrypt_tag_len\": %d, "
			"\"kernelized_after_s\": %.2f}",
			(unsigned long long)(c->k1.packets - c->k0.packets),
			(unsigned long long)(c->k1.errors - c->k0.errors),
			(unsigned long long)(c->sent1 - c->sent0), c->k0.tag_len_in,
			c->k0.tag_len_out, c->kernel_s);
	if (c->rp.done)
		fprintf(f, ", \"replay\": {\"sent\": 2, \"reached_receiver\": %d, "
			"\"relay_replay_drops\": %llu, \"receiver_replay_drops\": %llu, "
			"\"forwarded_replay\": %s}", c->rp.reached,
			(unsigned long long)c->rp.relay_drops, (unsigned long long)c->rp.rx_drops,
			c->rp.reached == 2 ? "true" : "false");
}

static void json_contender(FILE *f, const struct cont *c)
{
	struct mmm m = stats_of(c->ns, rounds_done);

	fprintf(f, "    {\"name\": ");
	json_str(f, c->name);
	fprintf(f, ", \"relay\": \"%s\", \"suite_a\": \"AES_CM_128_HMAC_SHA1_80\", "
		"\"suite_b\": \"AES_CM_128_HMAC_SHA1_32\", \"bytes\": %d, \"batch\": %d, "
		"\"ok\": %s, \"skipped\": %s", kind_name[c->kind], SIZE, c->batch,
		c->failed ? "false" : "true", c->skipped ? "true" : "false");
	if (c->failed) {
		fprintf(f, ", \"error\": ");
		json_str(f, c->why);
	} else {
		fprintf(f, ", ");
		json_mmm(f, "ns_per_pkt", m);
		fprintf(f, ", \"rounds_ns\": ");
		json_rounds(f, c->ns, rounds_done);
	}
	json_checks(f, c);
	fprintf(f, "}");
}

static void json_ratio(FILE *f, const struct ratio *r)
{
	fprintf(f, "    {\"name\": ");
	json_str(f, r->name);
	fprintf(f, ", \"kind\": \"%s\", ", r->relay_only ? "relay_time_ratio" : "pps_ratio");
	json_mmm(f, "value", r->m);
	fprintf(f, ", \"of_minima\": ");
	json_num(f, r->of_minima);
	fprintf(f, ", \"rounds\": ");
	json_rounds(f, r->v, rounds_done);
	fprintf(f, ", \"target\": \">= %g\", \"met\": %s}", TARGET,
		!r->m.n ? "null" : r->m.med >= TARGET ? "true" : "false");
}

void write_json(const char *path, const char *date)
{
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "ksrtp_rte_bench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	uname(&u);
	json_head(f, "ksrtp_rte_bench", date, u.release, opt.accel);
	fprintf(f, ",\n  \"pinned_cpu\": %d,\n  \"rounds\": %d,\n  \"round_ms\": %d,\n"
		"  \"smoke\": %s,\n  \"rtpengine_not_checked\": [\"replay window\", "
		"\"ROC: guessed (ROC+1, ROC-1, 0) on an authentication failure\", "
		"\"at most 4 SSRCs per kernel target\"],\n  \"units\": {\"ns_per_pkt\": "
		"\"ns per packet delivered to the receiver\"},\n  \"contenders\": [\n", opt.cpu,
		rounds_done, opt.ms, opt.smoke ? "true" : "false");
	for (int i = 0; i < ncont; i++) {
		json_contender(f, &cont[i]);
		fprintf(f, "%s\n", i + 1 < ncont ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": [\n");
	for (int i = 0; i < nratio; i++) {
		json_ratio(f, &ratios[i]);
		fprintf(f, "%s\n", i + 1 < nratio ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f)) {
		fprintf(stderr, "ksrtp_rte_bench: %s: write failed\n", path);
		exit(2);
	}
}
