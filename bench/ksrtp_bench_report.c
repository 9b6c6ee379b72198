// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_bench's report: per-round ratios (min / median / max and the ratio
 * of each side's best round), the targets, the rough native
 * estimates under TCG, the table and the JSON file.
 */
#include "ksrtp_bench.h"

static const char *const kind_name[] = {
	"udp", "ksrtp", "libsrtp2", "openssl", "raw-crypto", "scale",
};

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

void build_ratios(void)
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

void build_targets(void)
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

void build_estimates(void)
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

void print_table(FILE *o)
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

void write_json(const char *path, const char *date)
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
