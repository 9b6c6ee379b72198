// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics registry and its text rendering. All of it lives in keyd's
 * one thread: the HTTP side renders from inside keyd's poll loop.
 */
#include <stdlib.h>
#include <string.h>

#include "keyd.h"
#include "knl.h"
#include "metrics.h"
#include "session.h"

static const char *const method_names[METRICS_METHODS] = { "sdes", "dtls", "mikey", "zrtp" };

/* The handshake duration histogram's upper bounds, seconds. */
static const double buckets[] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static const char *const fail_names[MF_COUNT] = {
	[MF_NEGOTIATION] = "negotiation_failed",
	[MF_AFTER_SECURE] = "failed_after_secure",
	[MF_DELETED_EARLY] = "deleted_before_secure",
	[MF_SOCKET_CLOSED] = "socket_closed",
	[MF_SOCKET_DETACHED] = "socket_detached",
	[MF_MODULE_UNLOADED] = "module_unloaded",
	[MF_SOCKET_GONE] = "socket_gone",
	[MF_RESTORE] = "restore_failed",
};

/* The control API's error codes (method.h): the request_errors label set. */
static const char *const error_codes[] = {
	E_BAD_REQUEST, E_NO_SESSION, E_STATE, E_INSECURE, E_NO_CRYPTO, E_KERNEL,
	E_LIMIT, E_PERMISSION, E_UNSUPPORTED, E_INTERNAL,
};
#define NCODES (sizeof(error_codes) / sizeof(error_codes[0]))

struct metrics_ctx_seen {
	uint32_t dir;
	uint32_t suite;
	uint64_t stats[KSRTP_A_CTX_STATS_MAX + 1];
};

struct hist {
	uint64_t count[NBUCKETS];	/* per bucket, not cumulative */
	uint64_t total;
	double sum;
};

static struct {
	uint64_t hs_started[METRICS_METHODS];
	uint64_t hs_completed[METRICS_METHODS];
	uint64_t hs_failed[METRICS_METHODS];
	struct hist hs_seconds[METRICS_METHODS];
	uint64_t rekeys[METRICS_METHODS][2];		/* [local] */
	uint64_t failures[METRICS_METHODS][MF_COUNT];
	uint64_t request_errors[NCODES];
	uint64_t kernel_errors;
	uint64_t sock[METRICS_METHODS][KSRTP_A_SOCK_STATS_MAX + 1];
	uint64_t ctx[METRICS_METHODS][SUITE_COUNT][2][KSRTP_A_CTX_STATS_MAX + 1];
	bool ctx_seen[METRICS_METHODS][SUITE_COUNT][2];
} M;

int metrics_method(const char *name)
{
	int i;

	for (i = 0; i < METRICS_METHODS; i++)
		if (!strcmp(method_names[i], name))
			return i;
	return 0;	/* keyd has no other method (method_find) */
}

static int mi(const struct session *s)
{
	return metrics_method(s->method->name);
}

void metrics_reset(void)
{
	memset(&M, 0, sizeof(M));
}

/* ---------------------------------------------------------------- sessions */

void metrics_session_new(struct session *s, uint64_t now)
{
	s->m.state = SS_NEW;
	s->m.hs = MHS_NONE;
	s->m.start_ms = now;
}

/* A restored session's handshake happened before this run: not counted. */
void metrics_session_restored(struct session *s)
{
	s->m.state = (int)s->state;
	s->m.hs = MHS_UNTRACKED;
	if (s->state == SS_FAILED)
		M.failures[mi(s)][MF_RESTORE]++;
}

static void hist_add(struct hist *h, double v)
{
	size_t i;

	for (i = 0; i < NBUCKETS && v > buckets[i]; i++)
		;
	if (i < NBUCKETS)
		h->count[i]++;
	h->total++;
	h->sum += v;
}

void metrics_observe(struct session *s, uint64_t now)
{
	int m = mi(s);

	if ((int)s->state == s->m.state)
		return;
	s->m.state = (int)s->state;
	switch (s->state) {
	case SS_OFFERED:
	case SS_ANSWERING:
		if (s->m.hs == MHS_NONE) {
			M.hs_started[m]++;
			s->m.hs = MHS_RUNNING;
			s->m.start_ms = now;
		}
		break;
	case SS_SECURE:
		if (s->m.hs == MHS_NONE)	/* straight to secure: since creation */
			M.hs_started[m]++;
		if (s->m.hs == MHS_NONE || s->m.hs == MHS_RUNNING) {
			M.hs_completed[m]++;
			hist_add(&M.hs_seconds[m], (double)(now - s->m.start_ms) / 1000.0);
			s->m.hs = MHS_DONE;
		}
		break;
	case SS_FAILED:
		if (s->m.hs == MHS_RUNNING) {
			M.hs_failed[m]++;
			M.failures[m][MF_NEGOTIATION]++;
			s->m.hs = MHS_FAILED;
		} else if (s->m.hs == MHS_DONE) {
			M.failures[m][MF_AFTER_SECURE]++;
			s->m.hs = MHS_FAILED;
		}
		break;
	default:
		break;
	}
}

void metrics_session_gone(struct session *s, uint64_t now, int fail)
{
	int m = mi(s);

	metrics_observe(s, now);
	if (s->m.hs == MHS_RUNNING) {
		M.hs_failed[m]++;
		if (fail < 0)
			fail = MF_DELETED_EARLY;
	}
	if (fail >= 0 && fail < MF_COUNT)
		M.failures[m][fail]++;
	metrics_session_free(s);
}

void metrics_session_free(struct session *s)
{
	free(s->m.ctx_seen);
	s->m.ctx_seen = NULL;
	s->m.nctx_seen = 0;
}

void metrics_rekey(const struct session *s, bool local)
{
	M.rekeys[mi(s)][local]++;
}

void metrics_request_error(const char *code)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (code && !strcmp(error_codes[i], code)) {
			M.request_errors[i]++;
			return;
		}
	M.request_errors[NCODES - 1]++;	/* E_INTERNAL */
}

/* ---------------------------------------------------------------- kernel */

static uint64_t grown(uint64_t cur, uint64_t last)
{
	return cur >= last ? cur - last : cur;
}

void metrics_add_sock(struct session *s, const uint64_t *stats)
{
	int a, m = mi(s);

	for (a = 1; a <= KSRTP_A_SOCK_STATS_MAX; a++) {
		M.sock[m][a] += grown(stats[a], s->m.sock_seen[a]);
		s->m.sock_seen[a] = stats[a];
	}
}

bool metrics_ctx_stat_counts(int attr)
{
	return attr != KSRTP_A_CTX_STATS_HIGHEST_INDEX && attr != KSRTP_A_CTX_STATS_RTCP_INDEX &&
	       knl_ctx_stats_name(attr);
}

static struct metrics_ctx_seen *ctx_slot(struct session *s, uint32_t dir, uint32_t suite)
{
	struct metrics_ctx_seen *n;
	unsigned int i;

	for (i = 0; i < s->m.nctx_seen; i++)
		if (s->m.ctx_seen[i].dir == dir && s->m.ctx_seen[i].suite == suite)
			return &s->m.ctx_seen[i];
	n = realloc(s->m.ctx_seen, (s->m.nctx_seen + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->m.ctx_seen = n;
	n = &n[s->m.nctx_seen++];
	memset(n, 0, sizeof(*n));
	n->dir = dir;
	n->suite = suite;
	return n;
}

/* stats: the sum over the session's contexts of this direction and suite. */
void metrics_add_ctx(struct session *s, uint32_t dir, const struct suite *su,
		     const uint64_t *stats)
{
	struct metrics_ctx_seen *seen;
	int a, m = mi(s);
	unsigned int d = dir == KSRTP_DIR_TX;
	ptrdiff_t x;

	if (!su)
		return;
	x = su - suite_table;	/* the label's index, not the kernel's id */
	if (x < 0 || x >= SUITE_COUNT)
		return;
	seen = ctx_slot(s, d, su->id);
	if (!seen) {
		M.kernel_errors++;
		return;
	}
	M.ctx_seen[m][x][d] = true;
	for (a = 1; a <= KSRTP_A_CTX_STATS_MAX; a++) {
		if (!metrics_ctx_stat_counts(a))
			continue;
		M.ctx[m][x][d][a] += grown(stats[a], seen->stats[a]);
		seen->stats[a] = stats[a];
	}
}

void metrics_kernel_error(void)
{
	M.kernel_errors++;
}

/* ---------------------------------------------------------------- rendering */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "rx-upcall-drops" -> "rx_upcall_drops" */
static const char *metric_part(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = 0;
	return buf;
}

static void per_method(FILE *f, const char *name, const char *help, const uint64_t *v)
{
	int m;

	family(f, name, "counter", help);
	for (m = 0; m < METRICS_METHODS; m++)
		fprintf(f, "%s{method=\"%s\"} %llu\n", name, method_names[m],
			(unsigned long long)v[m]);
}

static void render_sessions(struct keyd *kd, FILE *f)
{
	/* session_state_name()'s, without linking the session loader */
	static const char *const names[] = {
		[SS_NEW] = "new", [SS_OFFERED] = "offered", [SS_ANSWERING] = "answering",
		[SS_SECURE] = "secure", [SS_FAILED] = "failed",
	};
	unsigned long n[METRICS_METHODS][SS_FAILED + 1] = { { 0 } };
	struct session *s;
	size_t i;
	int m;

	unsigned long bridged = 0;

	for (s = kd->sessions; s; s = s->next) {
		if ((int)s->state >= 0 && s->state <= SS_FAILED)
			n[mi(s)][s->state]++;
		bridged += s->bridge.to[0] != 0;
	}
	family(f, "ksrtp_keyd_sessions", "gauge", "Sessions keyd holds, by method and state.");
	for (m = 0; m < METRICS_METHODS; m++)
		for (i = 0; i <= SS_FAILED; i++)
			fprintf(f, "ksrtp_keyd_sessions{method=\"%s\",state=\"%s\"} %lu\n",
				method_names[m], names[i], n[m][i]);
	family(f, "ksrtp_keyd_bridges", "gauge",
	       "Bridges: pairs of sessions whose media the kernel relays to each other.");
	fprintf(f, "ksrtp_keyd_bridges %lu\n", bridged / 2);
}

static void render_histogram(FILE *f)
{
	const char *name = "ksrtp_keyd_handshake_duration_seconds";
	uint64_t cum;
	size_t i;
	int m;

	family(f, name, "histogram",
	       "From a session's first offer or answer to both directions keyed, by method.");
	for (m = 0; m < METRICS_METHODS; m++) {
		const struct hist *h = &M.hs_seconds[m];

		for (i = 0, cum = 0; i < NBUCKETS; i++) {
			cum += h->count[i];
			fprintf(f, "%s_bucket{method=\"%s\",le=\"%g\"} %llu\n", name,
				method_names[m], buckets[i], (unsigned long long)cum);
		}
		fprintf(f, "%s_bucket{method=\"%s\",le=\"+Inf\"} %llu\n", name, method_names[m],
			(unsigned long long)h->total);
		fprintf(f, "%s_sum{method=\"%s\"} %.3f\n", name, method_names[m], h->sum);
		fprintf(f, "%s_count{method=\"%s\"} %llu\n", name, method_names[m],
			(unsigned long long)h->total);
	}
}

static void render_keyd(FILE *f)
{
	size_t i;
	int m, r;

	per_method(f, "ksrtp_keyd_handshakes_started_total",
		   "Key negotiations started (first offer or answer of a session).", M.hs_started);
	per_method(f, "ksrtp_keyd_handshakes_completed_total",
		   "Key negotiations that reached the secure state.", M.hs_completed);
	per_method(f, "ksrtp_keyd_handshakes_failed_total",
		   "Key negotiations that failed or were abandoned before secure.", M.hs_failed);
	render_histogram(f);
	family(f, "ksrtp_keyd_rekeys_total", "counter",
	       "Rekeys of secure sessions, by method and who started them.");
	for (m = 0; m < METRICS_METHODS; m++)
		for (r = 1; r >= 0; r--)
			fprintf(f, "ksrtp_keyd_rekeys_total{method=\"%s\",initiator=\"%s\"} %llu\n",
				method_names[m], r ? "local" : "remote",
				(unsigned long long)M.rekeys[m][r]);
	family(f, "ksrtp_keyd_failures_total", "counter",
	       "Sessions that failed or went away unexpectedly, by method and reason.");
	for (m = 0; m < METRICS_METHODS; m++)
		for (r = 0; r < MF_COUNT; r++)
			fprintf(f, "ksrtp_keyd_failures_total{method=\"%s\",reason=\"%s\"} %llu\n",
				method_names[m], fail_names[r],
				(unsigned long long)M.failures[m][r]);
	family(f, "ksrtp_keyd_request_errors_total", "counter",
	       "Control requests refused, by error code.");
	for (i = 0; i < NCODES; i++)
		fprintf(f, "ksrtp_keyd_request_errors_total{code=\"%s\"} %llu\n", error_codes[i],
			(unsigned long long)M.request_errors[i]);
	family(f, "ksrtp_keyd_kernel_errors_total", "counter",
	       "Kernel queries that failed while collecting metrics.");
	fprintf(f, "ksrtp_keyd_kernel_errors_total %llu\n", (unsigned long long)M.kernel_errors);
}

static void render_kernel(FILE *f)
{
	char part[64], name[96], help[160];
	int a, m, su, d;

	for (a = 1; a <= KSRTP_A_SOCK_STATS_MAX; a++) {
		if (!knl_sock_stats_name(a))
			continue;
		snprintf(name, sizeof(name), "ksrtp_socket_%s_total",
			 metric_part(knl_sock_stats_name(a), part, sizeof(part)));
		snprintf(help, sizeof(help), "Socket counter %s of keyd's media sockets, by method.",
			 knl_sock_stats_name(a));
		family(f, name, "counter", help);
		for (m = 0; m < METRICS_METHODS; m++)
			fprintf(f, "%s{method=\"%s\"} %llu\n", name, method_names[m],
				(unsigned long long)M.sock[m][a]);
	}
	for (a = 1; a <= KSRTP_A_CTX_STATS_MAX; a++) {
		if (!metrics_ctx_stat_counts(a))
			continue;
		snprintf(name, sizeof(name), "ksrtp_ctx_%s_total",
			 metric_part(knl_ctx_stats_name(a), part, sizeof(part)));
		snprintf(help, sizeof(help),
			 "Context counter %s of keyd's sessions, by method, suite and direction.",
			 knl_ctx_stats_name(a));
		family(f, name, "counter", help);
		for (m = 0; m < METRICS_METHODS; m++)
			for (su = 0; su < SUITE_COUNT; su++)
				for (d = 0; d < 2; d++)
					if (M.ctx_seen[m][su][d])
						fprintf(f, "%s{method=\"%s\",suite=\"%s\",direction=\"%s\"} %llu\n",
							name, method_names[m], suite_table[su].name,
							d ? "tx" : "rx",
							(unsigned long long)M.ctx[m][su][d][a]);
	}
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

void metrics_render(struct keyd *kd, FILE *f, unsigned int clients)
{
	family(f, "ksrtp_keyd_build_info", "gauge", "keyd's version and the ksrtp module's.");
	fprintf(f, "ksrtp_keyd_build_info{version=\"%s\",module_version=\"", KEYD_VERSION);
	label_value(f, kd->kn.module_version);
	fputs("\"} 1\n", f);
	render_sessions(kd, f);
	family(f, "ksrtp_keyd_control_clients", "gauge", "Control socket clients connected.");
	fprintf(f, "ksrtp_keyd_control_clients %u\n", clients);
	render_keyd(f);
	render_kernel(f);
}
