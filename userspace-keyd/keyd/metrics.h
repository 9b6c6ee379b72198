/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics of keyd (text exposition format 0.0.4): what keyd
 * counts itself (sessions, handshakes, rekeys, failures) and the kernel's
 * counters of keyd's sessions, summed per method, suite and direction.
 * Every label takes values from a fixed set: no session ids, SSRCs or
 * addresses, no key material. Documentation/admin-guide.md lists them.
 *
 * metrics.c holds the registry and renders it (no kernel: unit-tested);
 * metrics_kernel.c reads the kernel's counters at scrape time;
 * metrics_http.c serves GET /metrics with libmicrohttpd.
 */
#ifndef KEYD_METRICS_H
#define KEYD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/ksrtp.h>

#include "suites.h"

struct keyd;
struct session;

/* keyd's methods, in label order; metrics_method() maps a name to one. */
#define METRICS_METHODS 4
int metrics_method(const char *name);

/* Per-session bookkeeping, inside struct session. */
enum metrics_hs { MHS_UNTRACKED, MHS_NONE, MHS_RUNNING, MHS_DONE, MHS_FAILED };

struct metrics_ctx_seen;
struct session_metrics {
	int state;			/* enum session_state last observed */
	enum metrics_hs hs;
	uint64_t start_ms;		/* created, then the handshake's start */
	/* kernel counters at the last read, for deltas */
	uint64_t sock_seen[KSRTP_A_SOCK_STATS_MAX + 1];
	struct metrics_ctx_seen *ctx_seen;	/* malloc'd; per (dir, suite) */
	unsigned int nctx_seen;
};

/* Why a session failed or went away; a bounded label set. */
enum metrics_fail {
	MF_NEGOTIATION,		/* failed before it was secure (e.g. DTLS alert) */
	MF_AFTER_SECURE,	/* failed once secure (e.g. DTLS association lost) */
	MF_DELETED_EARLY,	/* deleted before it was ever secure */
	MF_SOCKET_CLOSED,
	MF_SOCKET_DETACHED,
	MF_MODULE_UNLOADED,
	MF_SOCKET_GONE,		/* found missing after kernel events were lost */
	MF_RESTORE,		/* not restored after a keyd restart */
	MF_COUNT
};

/* Session lifecycle: a new session (state SS_NEW), a restored one. */
void metrics_session_new(struct session *s, uint64_t now);
void metrics_session_restored(struct session *s);
/* Compare the session's state with the last observed one: handshakes
 * started, completed (with their duration) and failed.
 */
void metrics_observe(struct session *s, uint64_t now);
/* The session is going away (deleted or lost); frees its bookkeeping. */
void metrics_session_gone(struct session *s, uint64_t now, int fail);
void metrics_session_free(struct session *s);

void metrics_rekey(const struct session *s, bool local);
/* A refused request: code is one of method.h's E_* strings. */
void metrics_request_error(const char *code);

/* Kernel counters: add what grew since the session's last read. A counter
 * that went down (contexts replaced) counts from zero again.
 */
void metrics_add_sock(struct session *s, const uint64_t *stats);
void metrics_add_ctx(struct session *s, uint32_t dir, const struct suite *su,
		     const uint64_t *stats);
void metrics_kernel_error(void);

/* Whether a context statistic is a counter (the others are positions). */
bool metrics_ctx_stat_counts(int attr);

/* metrics_kernel.c: read one session's kernel counters (before a delete,
 * and for every session at a scrape); the scrape's body (mhttp_body_fn).
 */
void metrics_collect_session(struct keyd *kd, struct session *s);
char *metrics_scrape(void *kd, size_t *len);

/* Everything, in text format 0.0.4. */
void metrics_render(struct keyd *kd, FILE *f, unsigned int clients);

/* Forget every counter (tests). */
void metrics_reset(void);

#endif /* KEYD_METRICS_H */
