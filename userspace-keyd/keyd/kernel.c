// SPDX-License-Identifier: GPL-2.0
/*
 * The ksrtp netlink calls keyd makes. Requests and events use two netlink
 * sockets, so a multicast event can never be mistaken for a reply.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netlink/socket.h>

#include "kernel.h"
#include "kernel_parse.h"

const char *kn_err(struct kernel *k)
{
	return k->req.extack;
}

/* An address and port as the attributes addr (4 or 16 bytes) and port (host order). */
static int put_remote(struct nl_msg *m, int addr, int port, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		return nla_put(m, addr, 4, &sin->sin_addr) ||
		       nla_put_u16(m, port, ntohs(sin->sin_port));
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		return nla_put(m, addr, 16, &sin6->sin6_addr) ||
		       nla_put_u16(m, port, ntohs(sin6->sin6_port));
	}
	return -1;
}

/* A request that could not be built: nothing was sent. */
static int build_failed(struct kernel *k, struct nl_msg *m)
{
	knl_msg_free(m);
	snprintf(k->req.extack, sizeof(k->req.extack), "request too large");
	return -EMSGSIZE;
}

static struct nl_msg *request(struct kernel *k, int cmd, int flags)
{
	k->req.extack[0] = 0;
	return knl_msg(&k->req, cmd, flags);
}

/* ---------------------------------------------------------------- info */

int kn_open(struct kernel *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = knl_open(&k->req);
	if (err)
		return err;
	err = knl_open(&k->ev);
	if (err)
		goto out_req;
	err = knl_subscribe(&k->ev, KSRTP_MCGRP_EVENTS);
	if (err)
		goto out_ev;
	/* events arrive unsolicited: no sequence numbers to check */
	nl_socket_disable_seq_check(k->ev.sk);
	err = nl_socket_set_nonblocking(k->ev.sk) ? -EIO : 0;
	if (err)
		goto out_ev;
	err = knl_exec(&k->req, request(k, KSRTP_CMD_INFO_GET, 0), kn_parse_info, k);
	if (err)
		goto out_ev;
	/* upcalls are unicast to the attaching socket, unsolicited: one of their own */
	err = knl_open(&k->up);
	if (err)
		goto out_ev;
	nl_socket_disable_seq_check(k->up.sk);
	nl_socket_enable_msg_peek(k->up.sk);
	if (nl_socket_set_nonblocking(k->up.sk)) {
		knl_close(&k->up);
		err = -EIO;
		goto out_ev;
	}
	k->upq_tail = &k->upq;
	return 0;
out_ev:
	knl_close(&k->ev);
out_req:
	knl_close(&k->req);
	return err;
}

void kn_close(struct kernel *k)
{
	struct kn_upcall *u;

	while ((u = k->upq)) {
		k->upq = u->next;
		free(u);
	}
	k->upq_tail = &k->upq;
	knl_close(&k->up);
	knl_close(&k->ev);
	knl_close(&k->req);
}

/* ---------------------------------------------------------------- sockets */

static int cookie_reply(struct nl_msg *msg, void *arg)
{
	kn_parse_cookie(msg, arg);
	return 0;
}

int kn_attach(struct kernel *k, int fd, uint64_t *cookie)
{
	struct nl_msg *m = request(k, KSRTP_CMD_SOCK_ATTACH, 0);
	int err;

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, KSRTP_A_SOCK_FD, (uint32_t)fd))
		return build_failed(k, m);
	*cookie = 0;
	err = knl_exec(&k->req, m, cookie_reply, cookie);
	if (!err && !*cookie)
		err = -EPROTO;
	return err;
}

int kn_detach(struct kernel *k, uint64_t cookie)
{
	struct nl_msg *m = request(k, KSRTP_CMD_SOCK_DETACH, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u64(m, KSRTP_A_SOCK_COOKIE, cookie))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

int kn_sock_send(struct kernel *k, uint64_t cookie, const struct sockaddr_storage *to,
		 const uint8_t *data, size_t len)
{
	struct nl_msg *m = request(k, KSRTP_CMD_SOCK_SEND, 0);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)to;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)to;
	int err;

	if (!m)
		return -ENOMEM;
	if (to->ss_family == AF_INET)
		err = nla_put(m, KSRTP_A_SOCK_REMOTE_ADDR, 4, &sin->sin_addr) ||
		      nla_put_u16(m, KSRTP_A_SOCK_REMOTE_PORT, ntohs(sin->sin_port));
	else if (to->ss_family == AF_INET6)
		err = nla_put(m, KSRTP_A_SOCK_REMOTE_ADDR, 16, &sin6->sin6_addr) ||
		      nla_put_u16(m, KSRTP_A_SOCK_REMOTE_PORT, ntohs(sin6->sin6_port));
	else
		err = -1;
	if (err || nla_put_u64(m, KSRTP_A_SOCK_COOKIE, cookie) ||
	    nla_put(m, KSRTP_A_SOCK_DATA, (int)len, data))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

/* ---------------------------------------------------------------- upcalls */

/* An upcall-ntf into the queue; 0 if it was one, else -1. */
static int queue_upcall(struct kernel *k, struct nl_msg *msg)
{
	struct kn_upcall *u = NULL;
	int rc = kn_parse_upcall(msg, &u);

	if (u) {
		*k->upq_tail = u;
		k->upq_tail = &u->next;
	}
	return rc;
}

struct up_exec {
	struct kernel *k;
	uint64_t *cookie;
	int err;
	int done;
};

static int up_valid(struct nl_msg *msg, void *arg)
{
	struct up_exec *x = arg;

	if (queue_upcall(x->k, msg) && x->cookie)
		cookie_reply(msg, x->cookie);
	return NL_OK;
}

static int up_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct up_exec *x = arg;

	(void)nla;
	x->err = e->error;
	x->done = 1;
	return NL_STOP;
}

static int up_ack(struct nl_msg *msg, void *arg)
{
	struct up_exec *x = arg;

	(void)msg;
	x->done = 1;
	return NL_STOP;
}

static int up_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * A request on the upcall socket, which is non-blocking (it is polled for
 * upcalls) and may see upcalls before the answer: they are queued. cookie:
 * where sock-attach's reply goes (NULL for requests without a reply).
 */
static int up_request(struct kernel *k, struct nl_msg *m, uint64_t *cookie)
{
	struct up_exec x = { .k = k, .cookie = cookie };
	struct nl_cb *nlcb;
	struct pollfd pfd;
	int err, tries = 0;

	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		knl_msg_free(m);
		return -ENOMEM;
	}
	nl_cb_err(nlcb, NL_CB_CUSTOM, up_error, &x);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, up_ack, &x);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, up_valid, &x);
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, up_any_seq, NULL);
	err = nl_send_auto(k->up.sk, m);
	knl_msg_free(m);
	if (err < 0) {
		nl_cb_put(nlcb);
		return -EIO;
	}
	while (!x.done && tries < 50) {
		pfd = (struct pollfd){ nl_socket_get_fd(k->up.sk), POLLIN, 0 };
		if (poll(&pfd, 1, 100) <= 0) {
			tries++;
			continue;
		}
		err = nl_recvmsgs(k->up.sk, nlcb);
		if (err < 0 && err != -NLE_AGAIN && !x.done) {
			x.err = -EIO;
			break;
		}
	}
	nl_cb_put(nlcb);
	if (!x.done && !x.err)
		x.err = -ETIMEDOUT;
	return x.err;
}

int kn_attach_upcall(struct kernel *k, int fd, uint32_t upcall, uint64_t *cookie)
{
	struct nl_msg *m = knl_msg(&k->up, KSRTP_CMD_SOCK_ATTACH, 0);
	int err;

	k->req.extack[0] = 0;
	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, KSRTP_A_SOCK_FD, (uint32_t)fd) ||
	    nla_put_u32(m, KSRTP_A_SOCK_UPCALL, upcall))
		return build_failed(k, m);
	*cookie = 0;
	err = up_request(k, m, cookie);
	if (!err && !*cookie)
		err = -EPROTO;
	return err;
}

int kn_take_upcalls(struct kernel *k, uint64_t cookie, uint32_t upcall)
{
	struct nl_msg *m;

	k->req.extack[0] = 0;
	if (!(k->features & KSRTP_FEATURE_SOCK_SET)) {
		snprintf(k->req.extack, sizeof(k->req.extack),
			 "the loaded ksrtp module predates it (no sock-set feature)");
		return -EOPNOTSUPP;
	}
	m = knl_msg(&k->up, KSRTP_CMD_SOCK_SET, 0);
	if (!m)
		return -ENOMEM;
	if (nla_put_u64(m, KSRTP_A_SOCK_COOKIE, cookie) ||
	    nla_put_u32(m, KSRTP_A_SOCK_UPCALL, upcall))
		return build_failed(k, m);
	return up_request(k, m, NULL);
}

int kn_upcall_fd(struct kernel *k)
{
	return nl_socket_get_fd(k->up.sk);
}

bool kn_upcalls_pending(struct kernel *k)
{
	return k->upq != NULL;
}

static int up_read_valid(struct nl_msg *msg, void *arg)
{
	queue_upcall(arg, msg);
	return NL_OK;
}

void kn_upcalls_read(struct kernel *k, kn_event_cb cb, void *arg)
{
	struct nl_cb *nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	struct kn_upcall *u;
	struct kn_event ev;
	int n;

	if (nlcb) {
		nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, up_read_valid, k);
		nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, up_any_seq, NULL);
		/* a bounded batch: the loop comes back for the rest */
		for (n = 0; n < 64; n++)
			if (nl_recvmsgs(k->up.sk, nlcb) < 0)
				break;
		nl_cb_put(nlcb);
	}
	while ((u = k->upq)) {
		k->upq = u->next;
		if (!k->upq)
			k->upq_tail = &k->upq;
		memset(&ev, 0, sizeof(ev));
		ev.type = KN_EV_UPCALL;
		ev.cookie = u->cookie;
		ev.remote = u->remote;
		ev.data = u->data;
		ev.len = u->len;
		cb(&ev, arg);
		free(u);
	}
}

static int sock_one_reply(struct nl_msg *msg, void *arg)
{
	kn_parse_sock(msg, arg);
	return 0;
}

int kn_sock_get(struct kernel *k, uint64_t cookie, struct kn_sock_info *out)
{
	struct nl_msg *m = request(k, KSRTP_CMD_SOCK_GET, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u64(m, KSRTP_A_SOCK_COOKIE, cookie))
		return build_failed(k, m);
	memset(out, 0, sizeof(*out));
	return knl_exec(&k->req, m, sock_one_reply, out);
}

/* A growing array filled by a dump. */
struct collect {
	void *items;
	size_t n, cap, size;
	int err;
};

/* Run a dump into c; on failure c holds nothing. */
static int collect_dump(struct kernel *k, struct nl_msg *m, knl_reply_cb cb,
			struct collect *c)
{
	int err = knl_exec(&k->req, m, cb, c);

	if (!err)
		err = c->err;
	if (err) {
		free(c->items);
		c->items = NULL;
		c->n = 0;
	}
	return err;
}

static void *collect_slot(struct collect *c)
{
	void *p;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		p = realloc(c->items, cap * c->size);
		if (!p) {
			c->err = -ENOMEM;
			return NULL;
		}
		c->items = p;
		c->cap = cap;
	}
	return (char *)c->items + c->size * c->n;
}

static int sock_dump_reply(struct nl_msg *msg, void *arg)
{
	struct collect *c = arg;
	struct kn_sock_info *si = collect_slot(c);

	if (si && !kn_parse_sock(msg, si))
		c->n++;
	return 0;
}

int kn_sock_dump(struct kernel *k, struct kn_sock_info **out, size_t *n)
{
	struct collect c = { .size = sizeof(struct kn_sock_info) };
	int err;

	err = collect_dump(k, request(k, KSRTP_CMD_SOCK_GET, NLM_F_DUMP),
			   sock_dump_reply, &c);
	if (err)
		return err;
	*out = c.items;
	*n = c.n;
	return 0;
}

/* ---------------------------------------------------------------- contexts */

static int put_name(struct nl_msg *m, const struct kn_ctx *c)
{
	return nla_put_u64(m, KSRTP_A_CTX_SOCK_COOKIE, c->cookie) ||
	       nla_put_u32(m, KSRTP_A_CTX_DIR, c->dir) ||
	       (c->has_ssrc ? nla_put_u32(m, KSRTP_A_CTX_SSRC, c->ssrc) :
			      nla_put_flag(m, KSRTP_A_CTX_SSRC_ANY)) ||
	       (c->has_remote && put_remote(m, KSRTP_A_CTX_REMOTE_ADDR, KSRTP_A_CTX_REMOTE_PORT,
					    &c->remote));
}

static int put_key(struct nl_msg *m, const struct kn_key *key)
{
	uint8_t mki[8];
	struct nlattr *nest;
	int i, err;

	/* the kernel's strict validation wants NLA_F_NESTED */
	nest = nla_nest_start(m, KSRTP_A_CTX_KEY | NLA_F_NESTED);
	if (!nest)
		return -1;
	/* the MKI is carried big-endian in packets (RFC 3711 §3.1) */
	for (i = 0; i < key->mki_len; i++)
		mki[i] = (uint8_t)(key->mki >> (8 * (key->mki_len - 1 - i)));
	err = nla_put_u32(m, KSRTP_A_KEY_ID, key->id) ||
	      nla_put(m, KSRTP_A_KEY_MASTER_KEY, key->key_len, key->key) ||
	      nla_put(m, KSRTP_A_KEY_MASTER_SALT, key->salt_len, key->salt) ||
	      (key->mki_len && nla_put(m, KSRTP_A_KEY_MKI, key->mki_len, mki));
	explicit_bzero(mki, sizeof(mki));
	if (err)
		return -1;
	nla_nest_end(m, nest);
	return 0;
}

int kn_ctx_new(struct kernel *k, const struct kn_ctx *c,
	       const struct kn_ctx_params *p, const struct kn_key *key)
{
	struct nl_msg *m = request(k, KSRTP_CMD_CTX_NEW, 0);

	if (!m)
		return -ENOMEM;
	if (put_name(m, c) || nla_put_u32(m, KSRTP_A_CTX_SUITE, p->suite) ||
	    put_key(m, key) ||
	    (p->flags && nla_put_u32(m, KSRTP_A_CTX_FLAGS, p->flags)) ||
	    (p->window && nla_put_u32(m, KSRTP_A_CTX_WINDOW, p->window)) ||
	    (p->roc && nla_put_u32(m, KSRTP_A_CTX_ROC, p->roc)) ||
	    (p->kdr && nla_put_u32(m, KSRTP_A_CTX_KDR, p->kdr)) ||
	    (p->soft_limit && nla_put_u64(m, KSRTP_A_CTX_SOFT_LIMIT, p->soft_limit)))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

int kn_ctx_del(struct kernel *k, const struct kn_ctx *c)
{
	struct nl_msg *m = request(k, KSRTP_CMD_CTX_DEL, 0);

	if (!m)
		return -ENOMEM;
	if (put_name(m, c))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

int kn_key_add(struct kernel *k, const struct kn_ctx *c, const struct kn_key *key)
{
	struct nl_msg *m = request(k, KSRTP_CMD_KEY_ADD, 0);

	if (!m)
		return -ENOMEM;
	if (put_name(m, c) || put_key(m, key))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

static int key_by_id(struct kernel *k, int cmd, const struct kn_ctx *c, uint32_t id)
{
	struct nl_msg *m = request(k, cmd, 0);

	if (!m)
		return -ENOMEM;
	if (put_name(m, c) || nla_put_u32(m, KSRTP_A_CTX_KEY_ID, id))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

int kn_key_swap(struct kernel *k, const struct kn_ctx *c, uint32_t id)
{
	return key_by_id(k, KSRTP_CMD_KEY_SWAP, c, id);
}

int kn_key_del(struct kernel *k, const struct kn_ctx *c, uint32_t id)
{
	return key_by_id(k, KSRTP_CMD_KEY_DEL, c, id);
}

static int ctx_dump_reply(struct nl_msg *msg, void *arg)
{
	struct collect *c = arg;
	struct kn_ctx_info *ci = collect_slot(c);

	if (ci && !kn_parse_ctx(msg, ci))
		c->n++;
	return 0;
}

int kn_ctx_dump(struct kernel *k, uint64_t cookie, struct kn_ctx_info **out, size_t *n)
{
	struct collect c = { .size = sizeof(struct kn_ctx_info) };
	struct nl_msg *m = request(k, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	int err;

	if (!m)
		return -ENOMEM;
	if (nla_put_u64(m, KSRTP_A_CTX_SOCK_COOKIE, cookie))
		return build_failed(k, m);
	err = collect_dump(k, m, ctx_dump_reply, &c);
	if (err)
		return err;
	*out = c.items;
	*n = c.n;
	return 0;
}

/* ---------------------------------------------------------------- forwards */

static int fwd_one_reply(struct nl_msg *msg, void *arg)
{
	kn_parse_fwd(msg, arg);
	return 0;
}

int kn_fwd_add(struct kernel *k, const struct kn_fwd *f, uint32_t *id)
{
	struct nl_msg *m = request(k, KSRTP_CMD_FWD_ADD, 0);
	struct kn_fwd_info fi = { 0 };
	int err;

	if (!m)
		return -ENOMEM;
	if (nla_put_u64(m, KSRTP_A_FWD_RX_SOCK_COOKIE, f->rx_cookie) ||
	    nla_put_u64(m, KSRTP_A_FWD_TX_SOCK_COOKIE, f->tx_cookie) ||
	    (f->ssrc_any ? nla_put_flag(m, KSRTP_A_FWD_SSRC_ANY) :
			   nla_put_u32(m, KSRTP_A_FWD_SSRC, f->ssrc) ||
			   nla_put_u32(m, KSRTP_A_FWD_SSRC_OUT, f->ssrc_out)) ||
	    put_remote(m, KSRTP_A_FWD_REMOTE_ADDR, KSRTP_A_FWD_REMOTE_PORT, &f->remote) ||
	    (f->flags && nla_put_u32(m, KSRTP_A_FWD_FLAGS, f->flags)) ||
	    (f->idle_timeout_ms &&
	     nla_put_u32(m, KSRTP_A_FWD_IDLE_TIMEOUT_MS, f->idle_timeout_ms)))
		return build_failed(k, m);
	err = knl_exec(&k->req, m, fwd_one_reply, &fi);
	if (!err && !fi.id)
		err = -EPROTO;
	*id = fi.id;
	return err;
}

int kn_fwd_del(struct kernel *k, uint32_t id)
{
	struct nl_msg *m = request(k, KSRTP_CMD_FWD_DEL, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, KSRTP_A_FWD_ID, id))
		return build_failed(k, m);
	return knl_exec(&k->req, m, NULL, NULL);
}

int kn_fwd_get(struct kernel *k, uint32_t id, struct kn_fwd_info *out)
{
	struct nl_msg *m = request(k, KSRTP_CMD_FWD_GET, 0);
	int err;

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, KSRTP_A_FWD_ID, id))
		return build_failed(k, m);
	memset(out, 0, sizeof(*out));
	err = knl_exec(&k->req, m, fwd_one_reply, out);
	if (!err && out->id != id)
		err = -EPROTO;
	return err;
}

/* ---------------------------------------------------------------- events */

struct ev_ctx {
	kn_event_cb cb;
	void *arg;
};

static int accept_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct ev_ctx *e = arg;
	struct kn_event ev;

	if (!kn_parse_event(msg, &ev))
		e->cb(&ev, e->arg);
	return NL_OK;
}

int kn_events_fd(struct kernel *k)
{
	return nl_socket_get_fd(k->ev.sk);
}

void kn_events_read(struct kernel *k, kn_event_cb cb, void *arg)
{
	struct ev_ctx e = { cb, arg };
	struct kn_event ov = { .type = KN_EV_OVERRUN };
	struct nl_cb *nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!nlcb)
		return;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &e);
	/* multicast messages carry sequence 0: libnl's default check drops them */
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, NULL);
	for (;;) {
		err = nl_recvmsgs(k->ev.sk, nlcb);
		if (err >= 0)
			continue;
		/* ENOBUFS: the kernel dropped events; the caller re-checks */
		if (err == -NLE_NOMEM)
			cb(&ov, arg);
		break;
	}
	nl_cb_put(nlcb);
}

/* ---------------------------------------------------------------- names */

const char *kn_dir_name(uint32_t dir)
{
	return dir == KSRTP_DIR_RX ? "rx" : dir == KSRTP_DIR_TX ? "tx" : "?";
}

const char *kn_origin_name(uint32_t origin)
{
	switch (origin) {
	case KSRTP_CTX_ORIGIN_EXPLICIT:
		return "explicit";
	case KSRTP_CTX_ORIGIN_TEMPLATE:
		return "template";
	case KSRTP_CTX_ORIGIN_LEARNED:
		return "learned";
	}
	return "?";
}
