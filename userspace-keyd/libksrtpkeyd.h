/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libksrtpkeyd: a small client for ksrtp-keyd's control socket
 * (Documentation/keyd-control.md). Requests and replies are json-c objects.
 *
 *	struct kdc *c = kdc_connect(NULL, err, sizeof(err));
 *	struct json_object *req = json_object_new_object(), *rep;
 *	json_object_object_add(req, "op", json_object_new_string("create"));
 *	...
 *	kdc_call(c, req, &udp_fd, 1, &rep, 5000);	// fd passed with SCM_RIGHTS
 *	if (!kdc_ok(rep)) puts(kdc_error(rep));
 *
 * Events that arrive while kdc_call waits for its reply are queued and
 * returned by kdc_read / kdc_wait_event in arrival order.
 *
 * When keyd closes the connection as idle (client_idle_timeout) it says so
 * first; the library then connects again on the same descriptor number and
 * kdc_call sends its request again (keyd had not read it). A request sent
 * with kdc_send alone is not resent: its reply never comes (time out).
 */
#ifndef KSRTP_LIBKSRTPKEYD_H
#define KSRTP_LIBKSRTPKEYD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define KDC_DEFAULT_SOCKET	"/run/ksrtp-keyd/control.sock"
#define KDC_SOCKET_ENV		"KSRTP_KEYD_SOCKET"

struct kdc;

/* Connect to path (NULL: $KSRTP_KEYD_SOCKET, else the default). NULL on
 * failure, with the reason in err.
 */
struct kdc *kdc_connect(const char *path, char *err, size_t errlen);
void kdc_close(struct kdc *c);
/* The socket, to poll for POLLIN alongside other work. */
int kdc_fd(const struct kdc *c);

/*
 * Send one request (borrowed; an integer "id" is added if it has none) with
 * nfds file descriptors as SCM_RIGHTS in the same sendmsg. Returns the
 * request's id (>= 1, or 0 if the caller set a string id), or -errno.
 */
int64_t kdc_send(struct kdc *c, struct json_object *req, const int *fds, int nfds);

/* The next message (a reply or an event), queued ones first. Returns 1 with
 * *msg (the caller's, free with kdc_free), 0 on timeout, or -errno
 * (-ECONNRESET when keyd went away). timeout_ms < 0 waits forever.
 */
int kdc_read(struct kdc *c, struct json_object **msg, int timeout_ms);

/* Send and wait for the matching reply. 0 with *reply, or -errno
 * (-ETIMEDOUT).
 */
int kdc_call(struct kdc *c, struct json_object *req, const int *fds, int nfds,
	     struct json_object **reply, int timeout_ms);

/* Wait for an event called name (any if NULL) for session (any if NULL);
 * other messages stay queued. 1, 0 on timeout, or -errno.
 */
int kdc_wait_event(struct kdc *c, const char *name, const char *session,
		   struct json_object **ev, int timeout_ms);

/* Reply helpers. */
bool kdc_ok(struct json_object *reply);
const char *kdc_error(struct json_object *reply);	/* "" when ok */
const char *kdc_get_str(struct json_object *o, const char *key);	/* NULL if absent */

/* Wipe every string (replies may carry keys) and drop the object. */
void kdc_free(struct json_object *o);

#endif /* KSRTP_LIBKSRTPKEYD_H */
