// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_relay_bench's report: per-round ratios (min / median / max and the
 * ratio of each side's best round), the targets, the table and the
 * JSON file.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "ksrtp_relay_bench.h"

struct ratio {
	char name[64];
	double v[MAX_ROUNDS];
	struct mmm m;
	double of_minima;	/* the same ratio of each side's best round */
};

#define MAX_RATIOS	40
static struct ratio ratios[MAX_RATIOS];
static int nratio;

static struct relay *find(const char *name)
{
	for (int i = 0; i < ncont; i++)
		if (!strcmp(cont[i].name, name))
			return &cont[i];
	return NULL;
}

/*
 * Per round: ns(base) / ns(c), i.e. c's packets/s over base's; with d (the
 * contender without a relay), (ns(base) - ns(d)) / (ns(c) - ns(d)): the
 * relay's own time per packet, base's over c's.
 */
static double rv(double c, double b, double d)
{
	return (b - d) / (c - d);
}

static void ratio(const char *label, const char *c_name, const char *base_name,
		  const char *d_name)
{
	struct relay *c = find(c_name), *b = find(base_name);
	struct relay *d = d_name ? find(d_name) : NULL;
	struct ratio *r;
	bool bad;

	if (!c || !b || (d_name && !d) || nratio == MAX_RATIOS)
		return;
	bad = c->failed || b->failed || (d && d->failed);
	r = &ratios[nratio++];
	snprintf(r->name, sizeof(r->name), "%s", label);
	for (int i = 0; i < rounds_done; i++)
		r->v[i] = bad ? NAN : rv(c->ns[i], b->ns[i], d ? d->ns[i] : 0);
	r->m = stats_of(r->v, rounds_done);
	r->of_minima = bad ? NAN : rv(stats_of(c->ns, rounds_done).min,
				      stats_of(b->ns, rounds_done).min,
				      d ? stats_of(d->ns, rounds_done).min : 0);
}

/* End to end, and the relay's own time (minus relay-direct's) */
static void ratio_pair(const char *who, const char *s, const char *mode)
{
	char a[48], b[48], d[48], l[64];

	snprintf(a, sizeof(a), "relay-ksrtp-%s/%d/%s", s, SIZE, mode);
	snprintf(b, sizeof(b), "relay-%s-%s/%d/%s", who, s, SIZE, mode);
	snprintf(d, sizeof(d), "relay-direct-%s/%d/%s", s, SIZE, mode);
	snprintf(l, sizeof(l), "relay ksrtp/%s %s %s", !strcmp(who, "ossl") ? "openssl" :
		 "libsrtp2", s, mode);
	ratio(l, a, b, NULL);
	snprintf(l, sizeof(l), "relay-only ksrtp/%s %s %s", !strcmp(who, "ossl") ?
		 "openssl" : "libsrtp2", s, mode);
	ratio(l, a, b, d);
}

/* Copies delivered per second with N destinations over with the first N. */
static void fan_ratios(const char *kind, const char *label)
{
	char a[48], b[48], l[64];

	snprintf(b, sizeof(b), "relay-fanout-%s%d/%d/single", kind, opt.fan[0], SIZE);
	for (int i = 1; i < opt.nfan; i++) {
		snprintf(a, sizeof(a), "relay-fanout-%s%d/%d/single", kind, opt.fan[i], SIZE);
		snprintf(l, sizeof(l), "relay fan-out%s 1->%d/1->%d delivered", label,
			 opt.fan[i], opt.fan[0]);
		ratio(l, a, b, NULL);
	}
}

void build_ratios(void)
{
	static const char *const modes[] = { "single", "mmsg32" };
	char a[48], b[48], l[64];

	for (int mi = 0; mi < 2; mi++)
		for (int s = S_CM; s <= S_GCM; s++) {
			ratio_pair("ossl", sn[s], modes[mi]);
			ratio_pair("libsrtp", sn[s], modes[mi]);
		}
	snprintf(b, sizeof(b), "relay-scale-%ld/%d/single", opt.scale[0], SIZE);
	for (int i = 1; i < opt.nscale; i++) {
		snprintf(a, sizeof(a), "relay-scale-%ld/%d/single", opt.scale[i], SIZE);
		snprintf(l, sizeof(l), "relay scale %ld/%ld fwd (rotating)", opt.scale[i],
			 opt.scale[0]);
		ratio(l, a, b, NULL);
	}
	fan_ratios("", "");
	fan_ratios("once-", " once");
	/* encrypt-once over per-destination keys, same N: packets/s per destination */
	for (int i = 0; i < opt.nfan; i++) {
		snprintf(a, sizeof(a), "relay-fanout-once-%d/%d/single", opt.fan[i], SIZE);
		snprintf(b, sizeof(b), "relay-fanout-%d/%d/single", opt.fan[i], SIZE);
		snprintf(l, sizeof(l), "relay fan-out 1->%d once/keys", opt.fan[i]);
		ratio(l, a, b, NULL);
	}
}

/* ------------------------------------------------------------ output */

#define TARGET	3.0	/* issue #14: the kernel relay >= 3x the userspace ones */

static bool is_target(const struct ratio *r)
{
	return !strncmp(r->name, "relay ksrtp/", 12) ||
	       !strncmp(r->name, "relay-only ksrtp/", 17);
}

/* Per destination, loss, what was verified and how often the kernel protected. */
static void print_fanout(FILE *o)
{
	bool any = false;

	for (int i = 0; i < ncont; i++) {
		struct relay *c = &cont[i];
		struct mmm m = stats_of(c->ns, rounds_done);

		if (!c->fanout || c->failed)	/* the table above says why */
			continue;
		if (!any)
			fprintf(o, "\nfan-out (N plain receivers: every copy's SSRC, SEQ and length"
				" checked; copies decrypted: the\n first packet's and one per %d"
				" packets; protects: the TX contexts' count on R2)\n"
				"%-30s %5s %9s %9s %6s %5s %8s %9s %7s\n", VERIFY_EVERY,
				"contender", "dests", "kpps/dest", "copies", "lost", "late",
				"verified", "prot/copy", "tx-drop");
		any = true;
		fprintf(o, "%-30s %5d %9.2f %9ld %6ld %5ld %8ld %9.4f %7llu\n", c->name,
			c->fan, !m.n ? 0.0 : 1e6 / m.med / c->fan, c->copies,
			fan_lost(c), c->late, c->verified,
			c->k_sent ? (double)c->k_protects / c->k_sent : 0.0,
			(unsigned long long)c->k_drop);
	}
}

void print_table(FILE *o)
{
	fprintf(o, "\n%-30s %10s %10s %10s %10s\n", "contender", "ns/pkt min", "median",
		"max", "kpps med");
	for (int i = 0; i < ncont; i++) {
		struct relay *c = &cont[i];
		struct mmm m = stats_of(c->ns, rounds_done);

		if (c->failed)
			fprintf(o, "%-30s FAILED: %s\n", c->name, c->why);
		else
			fprintf(o, "%-30s %10.0f %10.0f %10.0f %10.2f\n", c->name, m.min,
				m.med, m.max, 1e6 / m.med);
	}
	print_fanout(o);
	fprintf(o, "\nper-round ratios (packets/s delivered to the receiver; >1: the first"
		" is faster;\n relay-only: the relay's own time per packet, the second's over"
		" the first's,\n each minus relay-direct's)\n%-40s %8s %8s %8s %10s\n",
		"ratio", "min", "median", "max", "of minima");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		if (!r->m.n)
			fprintf(o, "%-40s %8s\n", r->name, "n/a");
		else
			fprintf(o, "%-40s %8.3f %8.3f %8.3f %10.3f\n", r->name, r->m.min,
				r->m.med, r->m.max, r->of_minima);
	}
	fprintf(o, "\nissue #14 targets (medians of per-round ratios; under TCG see"
		" Documentation/benchmarks.md)\n");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		if (is_target(r))
			fprintf(o, "  %-4s %-40s %8.3f >= %gx\n", !r->m.n ? "n/a" :
				r->m.med >= TARGET ? "MET" : "MISS", r->name,
				r->m.n ? r->m.med : 0.0, TARGET);
	}
}

static void json_contender(FILE *f, const struct relay *c)
{
	struct mmm m = stats_of(c->ns, rounds_done);

	fprintf(f, "    {\"name\": ");
	json_str(f, c->name);
	fprintf(f, ", \"relay\": \"%s\", \"suite\": \"%s\", \"bytes\": %d, \"batch\": %d, "
		"\"forwards\": %ld, \"ssrcs\": %ld, \"destinations_per_ssrc\": %d, \"ok\": %s, ",
		rk_name[c->kind], sn[c->suite], SIZE, c->batch,
		c->kind != RK_KSRTP ? 0 : c->fanout ? c->nfwd : c->nssrc, c->nssrc, c->fan,
		c->failed ? "false" : "true");
	if (c->fanout)
		fprintf(f, "\"encrypt_once\": %s, \"receivers\": %d, \"packets_sent\": %ld, "
			"\"copies_read\": %ld, \"copies_lost\": %ld, \"copies_late\": %ld, "
			"\"copies_verified\": %ld, \"kernel_copies_sent\": %llu, "
			"\"kernel_tx_drop\": %llu, \"kernel_protects\": %llu, ",
			c->once ? "true" : "false", c->fan, c->xfers, c->copies, fan_lost(c),
			c->late, c->verified, (unsigned long long)c->k_sent,
			(unsigned long long)c->k_drop, (unsigned long long)c->k_protects);
	if (c->failed) {
		fprintf(f, "\"error\": ");
		json_str(f, c->why);
	} else {
		fprintf(f, "\"setup_s\": ");
		json_num(f, c->setup_s);
		fprintf(f, ", ");
		json_mmm(f, "ns_per_pkt", m);
		fprintf(f, ", \"rounds_ns\": ");
		json_rounds(f, c->ns, rounds_done);
	}
	fprintf(f, "}");
}

void write_json(const char *path, const char *date)
{
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "ksrtp_relay_bench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	uname(&u);
	fprintf(f, "{\n  \"schema\": 1,\n  \"program\": \"ksrtp_relay_bench\",\n  \"date\": ");
	json_str(f, date);
	fprintf(f, ",\n  \"kernel\": ");
	json_str(f, u.release);
	fprintf(f, ",\n  \"accel\": ");
	json_str(f, opt.accel ? opt.accel : "unknown");
	fprintf(f, ",\n  \"pinned_cpu\": %d,\n  \"rounds\": %d,\n  \"round_ms\": %d,\n"
		"  \"smoke\": %s,\n  \"units\": {\"ns_per_pkt\": \"ns per packet delivered "
		"to the receiver\"},\n  \"contenders\": [\n", opt.cpu, rounds_done, opt.ms,
		opt.smoke ? "true" : "false");
	for (int i = 0; i < ncont; i++) {
		json_contender(f, &cont[i]);
		fprintf(f, "%s\n", i + 1 < ncont ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": [\n");
	for (int i = 0; i < nratio; i++) {
		struct ratio *r = &ratios[i];

		fprintf(f, "    {\"name\": ");
		json_str(f, r->name);
		fprintf(f, ", \"kind\": \"%s\", ", strncmp(r->name, "relay-only", 10) ?
			"pps_ratio" : "relay_time_ratio");
		json_mmm(f, "value", r->m);
		fprintf(f, ", \"of_minima\": ");
		json_num(f, r->of_minima);
		fprintf(f, ", \"rounds\": ");
		json_rounds(f, r->v, rounds_done);
		if (is_target(r))
			fprintf(f, ", \"target\": \">= %g\", \"met\": %s", TARGET,
				!r->m.n ? "null" : r->m.med >= TARGET ? "true" : "false");
		fprintf(f, "}%s\n", i + 1 < nratio ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f)) {
		fprintf(stderr, "ksrtp_relay_bench: %s: write failed\n", path);
		exit(2);
	}
}
