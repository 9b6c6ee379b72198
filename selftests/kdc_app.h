/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the selftests' media apps (keyd_app, webrtc_app) share: they answer
 * each stdin command with one line, "ok ..." or "err ...", and call keyd
 * through libksrtpkeyd, a failed call answering the command with its error.
 */
#ifndef _KSRTP_KDC_APP_H
#define _KSRTP_KDC_APP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "libksrtpkeyd.h"

#define KDC_APP_CALL_MS	30000	/* keyd on a loaded TCG host can take seconds */

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The answer to the current command: one line on stdout, flushed. */
static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A request for op, about session when it is set. */
static inline struct json_object *kdc_app_request(const char *op, const char *session)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string(op));
	if (session && session[0])
		json_object_object_add(r, "session", json_object_new_string(session));
	return r;
}

/* Call keyd with req (consumed); on failure replies the err line and
 * returns NULL, else keyd's reply (kdc_free() it).
 */
static inline struct json_object *kdc_app_call(struct kdc *kdc, struct json_object *req,
					       const int *fds, int nfds)
{
	struct json_object *rep;
	int rc;

	if (!kdc) {
		json_object_put(req);
		reply("err not connected to keyd");
		return NULL;
	}
	rc = kdc_call(kdc, req, fds, nfds, &rep, KDC_APP_CALL_MS);
	json_object_put(req);
	if (rc) {
		reply("err keyd: %s", strerror(-rc));
		return NULL;
	}
	if (!kdc_ok(rep)) {
		reply("err %s %s", kdc_get_str(rep, "code") ? kdc_get_str(rep, "code") : "?",
		      kdc_error(rep));
		kdc_free(rep);
		return NULL;
	}
	return rep;
}

#endif /* _KSRTP_KDC_APP_H */
