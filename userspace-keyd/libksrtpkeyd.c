// SPDX-License-Identifier: GPL-2.0
/*
 * libksrtpkeyd: connect, send requests (with SCM_RIGHTS), read replies and
 * events. No threads; one struct kdc per connection.
 */
#define _GNU_SOURCE	/* dup3 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "libksrtpkeyd.h"

#define KDC_MAX_LINE	(1 << 20)
#define KDC_MAX_FDS	4
#define RECONNECTED	2	/* read_socket: a new connection, nothing read */

struct kdc {
	int fd;
	char *path;			/* to reconnect after an idle close */
	bool idle_closed;		/* keyd said "closing", reason "idle" */
	int64_t next_id;
	char *in;
	size_t inlen, incap;
	struct json_object **queue;	/* parsed, not yet returned */
	size_t qlen, qcap;
};

static void wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* A connected socket to path, or -1 with the reason in err. */
static int connect_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "cannot connect to ksrtp-keyd at %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct kdc *kdc_connect(const char *path, char *err, size_t errlen)
{
	struct kdc *c;
	int fd;

	if (!path)
		path = getenv(KDC_SOCKET_ENV);
	if (!path || !*path)
		path = KDC_DEFAULT_SOCKET;
	fd = connect_path(path, err, errlen);
	if (fd < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		c->path = strdup(path);
	if (!c || !c->path) {
		free(c);
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = fd;
	c->next_id = 1;
	return c;
}

/*
 * keyd closed us for being idle (we owned and watched nothing, and it read
 * nothing from us since): connect again on the same descriptor number, so a
 * caller polling kdc_fd() keeps working. Partial input is dropped.
 */
static int reconnect(struct kdc *c)
{
	char err[256];
	int fd = connect_path(c->path, err, sizeof(err));

	c->idle_closed = false;
	if (fd < 0)
		return -1;
	if (dup3(fd, c->fd, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (c->in)
		wipe(c->in, c->incap);
	c->inlen = 0;
	return 0;
}

/* keyd's notice that it closes an idle connection (Documentation/keyd-control.md) */
static bool is_idle_close(struct json_object *o)
{
	const char *ev = kdc_get_str(o, "event"), *why = kdc_get_str(o, "reason");

	return ev && why && !strcmp(ev, "closing") && !strcmp(why, "idle");
}

void kdc_free(struct json_object *o)
{
	size_t i, n;
	int len;

	if (!o)
		return;
	switch (json_object_get_type(o)) {
	case json_type_string:
		len = json_object_get_string_len(o);
		if (len > 0)
			wipe((char *)json_object_get_string(o), (size_t)len);
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(o, i);

			/* wipe in place; the array drops its references below */
			if (json_object_is_type(v, json_type_string) ||
			    json_object_is_type(v, json_type_array) ||
			    json_object_is_type(v, json_type_object)) {
				json_object_get(v);
				kdc_free(v);
			}
		}
		break;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			json_object_get(v);
			kdc_free(v);
		}
		break;
	}
	default:
		break;
	}
	json_object_put(o);
}

void kdc_close(struct kdc *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->qlen; i++)
		kdc_free(c->queue[i]);
	free(c->queue);
	if (c->in) {
		wipe(c->in, c->incap);
		free(c->in);
	}
	close(c->fd);
	free(c->path);
	free(c);
}

int kdc_fd(const struct kdc *c)
{
	return c->fd;
}

static int64_t send_request(struct kdc *c, struct json_object *req, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(KDC_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct json_object *id;
	struct msghdr mh = { 0 };
	struct iovec iov;
	const char *s;
	char *line;
	size_t len;
	int64_t rid = 0;
	ssize_t n;

	if (nfds < 0 || nfds > KDC_MAX_FDS)
		return -EINVAL;
	if (!json_object_object_get_ex(req, "id", &id)) {
		rid = c->next_id++;
		json_object_object_add(req, "id", json_object_new_int64(rid));
	} else if (json_object_is_type(id, json_type_int)) {
		rid = json_object_get_int64(id);
	}
	s = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	line = malloc(len + 1);
	if (!line)
		return -ENOMEM;
	memcpy(line, s, len);
	line[len] = '\n';
	/* one sendmsg per request: keyd ties the fds to this line */
	iov.iov_base = line;
	iov.iov_len = len + 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	do {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n < len + 1) {
		/* the rest of a long line: no more fds with it */
		size_t off = (size_t)n;

		while (off < len + 1) {
			n = send(c->fd, line + off, len + 1 - off, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			off += (size_t)n;
		}
	}
	wipe(line, len + 1);
	free(line);
	return n < 0 ? -errno : rid;
}

static int queue_push(struct kdc *c, struct json_object *o)
{
	struct json_object **q;

	if (c->qlen == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 8;

		q = realloc(c->queue, cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		c->queue = q;
		c->qcap = cap;
	}
	c->queue[c->qlen++] = o;
	return 0;
}

static struct json_object *queue_take(struct kdc *c, size_t i)
{
	struct json_object *o = c->queue[i];

	memmove(c->queue + i, c->queue + i + 1, (c->qlen - i - 1) * sizeof(*c->queue));
	c->qlen--;
	return o;
}

static int64_t deadline_of(int timeout_ms)
{
	struct timespec ts;

	if (timeout_ms < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
}

static int remaining(int64_t deadline)
{
	struct timespec ts;
	int64_t now;

	if (deadline < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return now >= deadline ? 0 : (int)(deadline - now);
}

static struct json_object *parse(const char *s, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)n);
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Parse one buffered line if there is one: 1 with *out, 0 if none, -errno. */
static int next_buffered(struct kdc *c, struct json_object **out)
{
	char *nl = c->inlen ? memchr(c->in, '\n', c->inlen) : NULL;
	size_t n;

	if (!nl)
		return 0;
	n = (size_t)(nl - c->in);
	*out = parse(c->in, n);
	wipe(c->in, n + 1);
	memmove(c->in, nl + 1, c->inlen - n - 1);
	c->inlen -= n + 1;
	return *out ? 1 : -EPROTO;
}

/* One message from the socket (not the queue): 1 with *out, 0 on timeout,
 * RECONNECTED after an idle close, or -errno.
 */
static int read_socket(struct kdc *c, struct json_object **out, int64_t deadline)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	char *nb;
	ssize_t n;
	int rc;

	for (;;) {
		rc = next_buffered(c, out);
		if (rc == 1 && is_idle_close(*out)) {
			kdc_free(*out);
			c->idle_closed = true;
			continue;
		}
		if (rc)
			return rc;
		if (c->inlen > KDC_MAX_LINE)
			return -EMSGSIZE;
		rc = poll(&pfd, 1, remaining(deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (!rc)
			return 0;
		if (c->incap - c->inlen < 4096) {
			size_t cap = c->incap ? c->incap * 2 : 8192;

			nb = malloc(cap);
			if (!nb)
				return -ENOMEM;
			if (c->in) {
				memcpy(nb, c->in, c->inlen);
				wipe(c->in, c->incap);
				free(c->in);
			}
			c->in = nb;
			c->incap = cap;
		}
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/* ECONNRESET: keyd closed it with our request unread */
		if (c->idle_closed && (!n || (n < 0 && errno == ECONNRESET)))
			return reconnect(c) ? -ECONNRESET : RECONNECTED;
		if (n < 0)
			return -errno;
		if (!n)
			return -ECONNRESET;
		c->inlen += (size_t)n;
	}
}

/* read_socket, through reconnections after an idle close */
static int read_message(struct kdc *c, struct json_object **out, int64_t deadline)
{
	int r;

	while ((r = read_socket(c, out, deadline)) == RECONNECTED)
		;
	return r;
}

/*
 * Take in what keyd has already sent (replies, events, an idle close)
 * before writing: a request written to a connection keyd closed is lost.
 */
static int drain(struct kdc *c)
{
	struct json_object *o;
	int r;

	while ((r = read_message(c, &o, deadline_of(0))) == 1)
		if (queue_push(c, o)) {
			kdc_free(o);
			return -ENOMEM;
		}
	return r;
}

int64_t kdc_send(struct kdc *c, struct json_object *req, const int *fds, int nfds)
{
	int r = drain(c);

	return r < 0 ? r : send_request(c, req, fds, nfds);
}

int kdc_read(struct kdc *c, struct json_object **msg, int timeout_ms)
{
	if (c->qlen) {
		*msg = queue_take(c, 0);
		return 1;
	}
	return read_message(c, msg, deadline_of(timeout_ms));
}

static bool is_reply_to(struct json_object *o, struct json_object *req)
{
	struct json_object *a, *b;

	if (!json_object_object_get_ex(o, "ok", &a) ||
	    !json_object_object_get_ex(o, "id", &a) ||
	    !json_object_object_get_ex(req, "id", &b))
		return false;
	return json_object_equal(a, b);
}

int kdc_call(struct kdc *c, struct json_object *req, const int *fds, int nfds,
	     struct json_object **reply, int timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	struct json_object *o;
	int64_t rc;
	int r;

	rc = kdc_send(c, req, fds, nfds);
	if (rc < 0)
		return (int)rc;
	for (;;) {
		r = read_socket(c, &o, deadline);
		if (r == RECONNECTED) {
			/* closed as idle before keyd read it: send it again */
			rc = send_request(c, req, fds, nfds);
			if (rc < 0)
				return (int)rc;
			continue;
		}
		if (r < 0)
			return r;
		if (!r)
			return -ETIMEDOUT;
		if (is_reply_to(o, req)) {
			*reply = o;
			return 0;
		}
		if (queue_push(c, o)) {
			kdc_free(o);
			return -ENOMEM;
		}
	}
}

static bool event_matches(struct json_object *o, const char *name, const char *session)
{
	const char *ev = kdc_get_str(o, "event"), *sid = kdc_get_str(o, "session");

	return ev && (!name || !strcmp(ev, name)) &&
	       (!session || (sid && !strcmp(sid, session)));
}

int kdc_wait_event(struct kdc *c, const char *name, const char *session,
		   struct json_object **ev, int timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	struct json_object *o;
	size_t i;
	int r;

	for (i = 0; i < c->qlen; i++)
		if (event_matches(c->queue[i], name, session)) {
			*ev = queue_take(c, i);
			return 1;
		}
	for (;;) {
		r = read_message(c, &o, deadline);
		if (r <= 0)
			return r;
		if (event_matches(o, name, session)) {
			*ev = o;
			return 1;
		}
		if (queue_push(c, o)) {
			kdc_free(o);
			return -ENOMEM;
		}
	}
}

bool kdc_ok(struct json_object *reply)
{
	struct json_object *v;

	return reply && json_object_object_get_ex(reply, "ok", &v) &&
	       json_object_get_boolean(v);
}

const char *kdc_get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *kdc_error(struct json_object *reply)
{
	const char *e = kdc_get_str(reply, "error");

	if (kdc_ok(reply))
		return "";
	return e ? e : "malformed reply";
}
