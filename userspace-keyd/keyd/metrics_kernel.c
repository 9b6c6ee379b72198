// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's counters of keyd's sessions, read at each scrape (and before
 * a session is deleted) through the same netlink calls as "status": one
 * sock-get and one ctx-get dump per media socket.
 */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "metrics.h"
#include "session.h"

struct ctx_sum {
	uint32_t dir;
	const struct suite *su;
	uint64_t stats[KSRTP_A_CTX_STATS_MAX + 1];
};

/* Add one context to the (direction, suite) sums; n grows. */
static void sum_ctx(struct ctx_sum *sums, size_t *n, const struct kn_ctx_info *ci)
{
	const struct suite *su = suite_by_id(ci->suite);
	size_t i;
	int a;

	if (!su)
		return;
	for (i = 0; i < *n; i++)
		if (sums[i].dir == ci->dir && sums[i].su == su)
			break;
	if (i == *n) {
		if (*n == 2 * SUITE_COUNT)
			return;
		memset(&sums[i], 0, sizeof(sums[i]));
		sums[i].dir = ci->dir;
		sums[i].su = su;
		(*n)++;
	}
	for (a = 1; a <= KSRTP_A_CTX_STATS_MAX; a++)
		sums[i].stats[a] += ci->stats[a];
}

void metrics_collect_session(struct keyd *kd, struct session *s)
{
	uint64_t sock[KSRTP_A_SOCK_STATS_MAX + 1] = { 0 };
	struct ctx_sum sums[2 * SUITE_COUNT];
	struct kn_sock_info si;
	struct kn_ctx_info *ci;
	size_t n = 0, nci, j;
	unsigned int i;
	int a;

	for (i = 0; i < s->nsocks; i++) {
		/* a partial sum would look like counters going down: all or nothing */
		if (kn_sock_get(&kd->kn, s->cookie[i], &si) ||
		    kn_ctx_dump(&kd->kn, s->cookie[i], &ci, &nci)) {
			metrics_kernel_error();
			return;
		}
		for (a = 1; a <= KSRTP_A_SOCK_STATS_MAX; a++)
			sock[a] += si.stats[a];
		for (j = 0; j < nci; j++)
			sum_ctx(sums, &n, &ci[j]);
		free(ci);
	}
	metrics_add_sock(s, sock);
	for (j = 0; j < n; j++)
		metrics_add_ctx(s, sums[j].dir, sums[j].su, sums[j].stats);
}

char *metrics_scrape(void *arg, size_t *len)
{
	struct keyd *kd = arg;
	struct session *s;
	char *buf = NULL;
	FILE *f;

	for (s = kd->sessions; s; s = s->next) {
		/* this turn's state changes too: gauges and counters agree */
		metrics_observe(s, now_ms());
		metrics_collect_session(kd, s);
	}
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	metrics_render(kd, f, control_clients(kd));
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
