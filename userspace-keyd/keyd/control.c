// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket server and keyd's poll loop.
 *
 * One request per line. A request that carries sockets (create) must be
 * sent with one sendmsg() whose SCM_RIGHTS data accompanies that line;
 * keyd attaches them and closes its copies before replying, whatever the
 * outcome: it never keeps a media server's socket open.
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <openssl/crypto.h>

#include "authz.h"
#include "control.h"
#include "log.h"
#include "metrics_http.h"
#include "notify.h"
#include "proto.h"
#include "session.h"

#define MAX_OUT		(4 << 20)	/* unread output before we drop a client */
#define READS_PER_POLL	16
#define RECV_FDS	8		/* cmsg room; more is MSG_CTRUNC */

struct conn {
	struct conn *next;
	int fd;
	unsigned int serial;
	struct linebuf in;
	char *out;
	size_t outlen, outcap;
	bool dead;			/* close once the loop is done with it */
	struct authz_peer peer;		/* who connected */
	uint64_t last_active;		/* ms of its last request (client_idle_timeout) */
};

struct deferred {
	struct deferred *next;
	struct conn *c;
	char *data;
	size_t len;
};

struct control {
	int lfd;
	struct conn *conns;
	size_t nconns;
	unsigned int serial;
	bool dispatching;		/* events wait for the reply */
	struct deferred *defer_head, **defer_tail;
	uint64_t idle_check_at;		/* next sweep for idle clients */
};

static struct control ctl_storage;

static int err_out(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -1;
}

/* Created private; authz_socket_perms() opens it to socket_mode's readers.
 * 1 if created, 0 if it existed, -1 on error.
 */
static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (!mkdir(dir, 0700))
		return 1;
	return errno == EEXIST ? 0 : -1;
}

int control_open(struct keyd *kd, char *err, size_t errlen)
{
	struct control *ctl = &ctl_storage;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, probe, created;

	memset(ctl, 0, sizeof(*ctl));
	ctl->defer_tail = &ctl->defer_head;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", kd->cfg.socket_path);
	created = make_parent_dir(sa.sun_path);
	if (created < 0)
		return err_out(err, errlen, "creating the socket directory", errno);
	/* a stale socket file is replaced; a live one means keyd runs already */
	if (!lstat(sa.sun_path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", sa.sun_path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			snprintf(err, errlen, "another keyd is listening on %s", sa.sun_path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(sa.sun_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_out(err, errlen, "socket", errno);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return err_out(err, errlen, sa.sun_path, e);
	}
	/* nobody can connect before listen(): modes and group first */
	if (authz_socket_perms(kd, sa.sun_path, created, err, errlen)) {
		close(fd);
		unlink(sa.sun_path);
		return -1;
	}
	if (listen(fd, 64)) {
		int e = errno;

		close(fd);
		unlink(sa.sun_path);
		return err_out(err, errlen, sa.sun_path, e);
	}
	ctl->lfd = fd;
	kd->ctl = ctl;
	return 0;
}

/* ---------------------------------------------------------------- output */

static void conn_write(struct conn *c, const char *data, size_t len)
{
	ssize_t n = 0;
	char *nb;
	size_t cap;

	if (c->dead)
		return;
	if (!c->outlen) {
		n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			c->dead = true;
			return;
		}
		if (n < 0)
			n = 0;
	}
	data += n;
	len -= (size_t)n;
	if (!len)
		return;
	if (c->outlen + len > MAX_OUT) {
		log_warn("client does not read its replies; dropped", "conn=%u pid=%d",
			 c->serial, (int)c->peer.pid);
		c->dead = true;
		return;
	}
	if (c->outlen + len > c->outcap) {
		cap = c->outcap ? c->outcap : 4096;
		while (cap < c->outlen + len)
			cap *= 2;
		nb = malloc(cap);
		if (!nb) {
			c->dead = true;
			return;
		}
		memcpy(nb, c->out, c->outlen);
		if (c->out) {
			OPENSSL_cleanse(c->out, c->outcap);
			free(c->out);
		}
		c->out = nb;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
}

static void conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->outlen && !c->dead) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->dead = true;
			return;
		}
		/* replies may hold keys: wipe what went out */
		OPENSSL_cleanse(c->out, (size_t)n);
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
}

void conn_send(struct conn *c, struct json_object *obj)
{
	struct control *ctl = &ctl_storage;
	struct deferred *d;
	size_t len;
	char *data = proto_serialize_put(obj, &len);

	if (!data) {
		c->dead = true;
		return;
	}
	if (ctl->dispatching) {
		d = calloc(1, sizeof(*d));
		if (d) {
			d->c = c;
			d->data = data;
			d->len = len;
			*ctl->defer_tail = d;
			ctl->defer_tail = &d->next;
			return;
		}
	}
	conn_write(c, data, len);
	OPENSSL_cleanse(data, len);
	free(data);
}

static void flush_deferred(struct control *ctl)
{
	struct deferred *d;

	while ((d = ctl->defer_head)) {
		ctl->defer_head = d->next;
		conn_write(d->c, d->data, d->len);
		OPENSSL_cleanse(d->data, d->len);
		free(d->data);
		free(d);
	}
	ctl->defer_tail = &ctl->defer_head;
}

/* ---------------------------------------------------------------- input */

static void close_fds(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void reply_error(struct conn *c, struct json_object *id, const char *code,
			const char *msg)
{
	struct json_object *r = proto_reply_err(id, code, msg);

	if (r)
		conn_send(c, r);
}

static void handle_line(struct keyd *kd, struct conn *c, const char *line, size_t len,
			const int *fds, int nfds)
{
	struct control *ctl = kd->ctl;
	struct json_object *reply;
	struct request req;
	char err[256];
	int i;

	if (!len) {
		close_fds(fds, nfds);
		return;		/* blank lines are keep-alives */
	}
	if (proto_parse(line, len, &req, err, sizeof(err))) {
		log_info("bad request", "conn=%u err=%s", c->serial, log_q(err));
		reply_error(c, req.id, E_BAD_REQUEST, err);
		request_free(&req);
		close_fds(fds, nfds);
		return;
	}
	if (nfds && req.op != OP_CREATE) {
		snprintf(err, sizeof(err), "%s takes no file descriptors", op_name(req.op));
		reply_error(c, req.id, E_BAD_REQUEST, err);
		request_free(&req);
		close_fds(fds, nfds);
		return;
	}
	for (i = 0; i < nfds && i < PROTO_MAX_FDS; i++)
		req.fds[i] = fds[i];
	req.nfds = nfds > PROTO_MAX_FDS ? PROTO_MAX_FDS + 1 : nfds;
	log_debug("request", "conn=%u op=%s", c->serial, op_name(req.op));
	ctl->dispatching = true;
	reply = session_dispatch(kd, c, &req);
	ctl->dispatching = false;
	/* attached or not, keyd keeps no media socket open */
	close_fds(fds, nfds);
	request_free(&req);
	if (reply)
		conn_send(c, reply);
	else
		c->dead = true;
	flush_deferred(ctl);
}

/* Collect SCM_RIGHTS fds of one recvmsg. */
static int take_cmsg_fds(struct msghdr *mh, int *fds, int max)
{
	struct cmsghdr *cm;
	int n = 0, k, i;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

static void conn_read(struct keyd *kd, struct conn *c)
{
	union {
		char buf[CMSG_SPACE(RECV_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char data[8192], *line;
	int fds[RECV_FDS], lfds[LB_MAX_LINE_FDS], nfds, nl, rc, reads;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh;
	size_t len;
	ssize_t n;

	for (reads = 0; reads < READS_PER_POLL && !c->dead; reads++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			c->dead = true;
			break;
		}
		c->last_active = now_ms();
		nfds = take_cmsg_fds(&mh, fds, RECV_FDS);
		if (mh.msg_flags & MSG_CTRUNC)
			log_warn("file descriptors truncated", "conn=%u", c->serial);
		rc = linebuf_append(&c->in, data, (size_t)n, fds, nfds);
		if (rc == LB_TOO_MANY_FDS) {
			close_fds(fds, nfds);
			reply_error(c, NULL, E_BAD_REQUEST,
				    "too many file descriptors (at most 2 per request)");
			c->dead = true;
		} else if (rc) {
			close_fds(fds, nfds);
			reply_error(c, NULL, E_BAD_REQUEST, rc == LB_TOO_LONG ?
				    "request line too long" : "out of memory");
			c->dead = true;
		}
		while (!c->dead && (rc = linebuf_next(&c->in, &line, &len, lfds, &nl)) == 1)
			handle_line(kd, c, line, len, lfds, nl);
		if (rc == LB_TOO_LONG) {
			reply_error(c, NULL, E_BAD_REQUEST, "request line too long");
			c->dead = true;
		}
		OPENSSL_cleanse(data, (size_t)n);
	}
	/* the peer may have closed after its last request: answer it first */
	conn_flush(c);
}

/* ---------------------------------------------------------------- connections */

static void conn_accept(struct keyd *kd)
{
	struct control *ctl = kd->ctl;
	struct conn *c;
	int fd;

	fd = accept4(ctl->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (ctl->nconns >= kd->cfg.max_clients) {
		log_warn("client refused: too many clients", "max_clients=%u", kd->cfg.max_clients);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->serial = ++ctl->serial;
	c->last_active = now_ms();
	authz_peer_get(kd, fd, &c->peer);
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
	log_info("client connected", "conn=%u pid=%d uid=%u gid=%u access=%s", c->serial,
		 (int)c->peer.pid, (unsigned int)c->peer.uid, (unsigned int)c->peer.gid,
		 c->peer.admin ? "all" : "own");
}

unsigned int control_clients(const struct keyd *kd)
{
	return kd->ctl ? (unsigned int)kd->ctl->nconns : 0;
}

const struct authz_peer *conn_peer(const struct conn *c)
{
	return &c->peer;
}

/*
 * Say why before closing: the client library then knows that nothing it
 * sent since was read, and reconnects and sends it again.
 */
static void idle_close(struct conn *c, uint64_t idle_s)
{
	struct json_object *ev = proto_event("closing", NULL);

	log_info("idle client disconnected", "conn=%u pid=%d uid=%u idle_s=%llu",
		 c->serial, (int)c->peer.pid, (unsigned int)c->peer.uid,
		 (unsigned long long)idle_s);
	if (ev) {
		json_object_object_add(ev, "reason", json_object_new_string("idle"));
		json_object_object_add(ev, "idle_s", json_object_new_int64((int64_t)idle_s));
		conn_send(c, ev);
	}
	c->dead = true;
}

/*
 * Clients silent for client_idle_timeout are closed, unless they watch a
 * session (own it: its events go to them). Swept once a second; returns ms
 * until the next sweep, or -1.
 */
static int expire_idle(struct keyd *kd, uint64_t now)
{
	struct control *ctl = kd->ctl;
	uint64_t limit = (uint64_t)kd->cfg.client_idle_timeout * 1000;
	struct conn *c;

	if (!limit)
		return -1;
	if (now >= ctl->idle_check_at) {
		ctl->idle_check_at = now + 1000;
		for (c = ctl->conns; c; c = c->next) {
			if (c->dead || now - c->last_active < limit ||
			    session_conn_watching(kd, c))
				continue;
			idle_close(c, (now - c->last_active) / 1000);
		}
	}
	return (int)(ctl->idle_check_at - now);
}

static void conn_free(struct keyd *kd, struct conn *c)
{
	int fds[LB_MAX_LINE_FDS * 2];
	size_t n;

	session_conn_closed(kd, c);
	n = linebuf_take_fds(&c->in, fds, sizeof(fds) / sizeof(fds[0]));
	close_fds(fds, (int)n);
	linebuf_free(&c->in);
	if (c->out) {
		OPENSSL_cleanse(c->out, c->outcap);
		free(c->out);
	}
	close(c->fd);
	free(c);
}

static void reap_dead(struct keyd *kd)
{
	struct control *ctl = kd->ctl;
	struct conn **pp = &ctl->conns, *c;

	while ((c = *pp)) {
		if (c->dead) {
			*pp = c->next;
			ctl->nconns--;
			log_info("client gone", "conn=%u", c->serial);
			conn_free(kd, c);
		} else {
			pp = &c->next;
		}
	}
}

/* ---------------------------------------------------------------- loop */

enum { P_LISTEN, P_KERNEL, P_SIGNAL, P_UPCALL, P_METRICS, P_FIXED };

void control_run(struct keyd *kd, int sigfd, void (*on_signal)(struct keyd *kd, int sig))
{
	struct control *ctl = kd->ctl;
	struct pollfd *pfd = NULL;
	struct conn **who = NULL, *c;
	size_t cap = 0, n, i;
	int timeout, t;

	while (!kd->stopping) {
		if (cap < P_FIXED + ctl->nconns) {
			cap = (P_FIXED + ctl->nconns) * 2;
			free(pfd);
			free(who);
			pfd = calloc(cap, sizeof(*pfd));
			who = calloc(cap, sizeof(*who));
			if (!pfd || !who) {
				log_err("out of memory", "where=%s", "poll loop");
				break;
			}
		}
		pfd[P_LISTEN] = (struct pollfd){ ctl->lfd, POLLIN, 0 };
		pfd[P_KERNEL] = (struct pollfd){ kn_events_fd(&kd->kn), POLLIN, 0 };
		pfd[P_SIGNAL] = (struct pollfd){ sigfd, POLLIN, 0 };
		pfd[P_UPCALL] = (struct pollfd){ kn_upcall_fd(&kd->kn), POLLIN, 0 };
		/* -1 without metrics: poll() skips it */
		pfd[P_METRICS] = (struct pollfd){ mhttp_fd(kd->metrics), POLLIN, 0 };
		n = P_FIXED;
		for (c = ctl->conns; c; c = c->next) {
			pfd[n] = (struct pollfd){ c->fd, POLLIN | (c->outlen ? POLLOUT : 0), 0 };
			who[n++] = c;
		}
		timeout = session_run_timers(kd);
		t = notify_watchdog(now_ms());
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		t = expire_idle(kd, now_ms());
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		t = dtls_housekeeping(kd, now_ms());
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		t = mhttp_timeout(kd->metrics);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		if (kn_upcalls_pending(&kd->kn))
			timeout = 0;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll failed", "err=%s", log_q(strerror(errno)));
			break;
		}
		if (pfd[P_SIGNAL].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				on_signal(kd, (int)si.ssi_signo);
		}
		if (pfd[P_KERNEL].revents & (POLLIN | POLLERR))
			kn_events_read(&kd->kn, session_kernel_event, kd);
		if ((pfd[P_UPCALL].revents & (POLLIN | POLLERR)) || kn_upcalls_pending(&kd->kn))
			kn_upcalls_read(&kd->kn, session_kernel_event, kd);
		for (i = P_FIXED; i < n; i++) {
			c = who[i];
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_read(kd, c);
			if (pfd[i].revents & POLLOUT)
				conn_flush(c);
		}
		if (pfd[P_LISTEN].revents & POLLIN)
			conn_accept(kd);
		/* also for its timeouts; cheap when nothing is ready */
		mhttp_run(kd->metrics);
		expire_idle(kd, now_ms());
		reap_dead(kd);
	}
	free(pfd);
	free(who);
}

void control_close(struct keyd *kd)
{
	struct control *ctl = kd->ctl;
	struct conn *c;

	if (!ctl)
		return;
	while ((c = ctl->conns)) {
		ctl->conns = c->next;
		conn_flush(c);
		conn_free(kd, c);
	}
	ctl->nconns = 0;
	close(ctl->lfd);
	unlink(kd->cfg.socket_path);
	kd->ctl = NULL;
}
