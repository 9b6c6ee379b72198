// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl's socket commands: attach, detach and set, a socket's contexts
 * and keys, and show.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ksrtpctl.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* What names a context: sock, dir, ssrc and optionally remote. */
#define SEL_REQ (A_SOCK | A_DIR | A_SSRC)
#define SEL_ALL (SEL_REQ | A_REMOTE)

/* ------------------------------------------------------------ requests */

int put_remote(struct nl_msg *m, int addr, int port, const struct remote *r)
{
	return nla_put(m, addr, r->len, r->addr) || nla_put_u16(m, port, r->port);
}

static int put_selector(struct nl_msg *m, const struct args *a)
{
	if (nla_put_u64(m, KSRTP_A_CTX_SOCK_COOKIE, a->cookie) ||
	    nla_put_u32(m, KSRTP_A_CTX_DIR, a->dir))
		return -1;
	if (a->ssrc_any ? nla_put_flag(m, KSRTP_A_CTX_SSRC_ANY) :
			  nla_put_u32(m, KSRTP_A_CTX_SSRC, a->ssrc))
		return -1;
	if (a->seen & A_REMOTE)
		return put_remote(m, KSRTP_A_CTX_REMOTE_ADDR,
				  KSRTP_A_CTX_REMOTE_PORT, &a->remote);
	return 0;
}

static int put_key(struct nl_msg *m, const struct args *a)
{
	const struct suite *s = &suites[a->suite];
	struct nlattr *nest;

	/* Strict validation wants NLA_F_NESTED; not every libnl sets it. */
	nest = nla_nest_start(m, KSRTP_A_CTX_KEY | NLA_F_NESTED);
	if (!nest || nla_put_u32(m, KSRTP_A_KEY_ID, a->key_id) ||
	    nla_put(m, KSRTP_A_KEY_MASTER_KEY, (int)s->key_len, a->key) ||
	    nla_put(m, KSRTP_A_KEY_MASTER_SALT, (int)s->salt_len, a->key + s->key_len) ||
	    (a->mki_len && nla_put(m, KSRTP_A_KEY_MKI, (int)a->mki_len, a->mki)))
		return -1;
	return nla_nest_end(m, nest);
}

/* ctx add's optional parameters: only those given, the module has defaults. */
static int put_ctx_params(struct nl_msg *m, const struct args *a)
{
	return nla_put_u32(m, KSRTP_A_CTX_SUITE, a->suite) ||
	       ((a->seen & A_ROC) && nla_put_u32(m, KSRTP_A_CTX_ROC, a->roc)) ||
	       ((a->seen & A_SEQ) && nla_put_u16(m, KSRTP_A_CTX_SEQ, a->seq)) ||
	       ((a->seen & A_WINDOW) && nla_put_u32(m, KSRTP_A_CTX_WINDOW, a->window)) ||
	       ((a->seen & A_OPTIONS) && nla_put_u32(m, KSRTP_A_CTX_FLAGS, a->flags)) ||
	       ((a->seen & A_KDR) && nla_put_u32(m, KSRTP_A_CTX_KDR, a->kdr)) ||
	       ((a->seen & A_SOFT_LIMIT) &&
		nla_put_u64(m, KSRTP_A_CTX_SOFT_LIMIT, a->soft_limit));
}

/* ------------------------------------------------------------ sockets */

/* Another process's socket, through its pidfd (Linux 5.6+, ptrace rights). */
static int fd_of_pid(uint32_t pid, uint32_t fd)
{
	int pidfd, copy, err;

	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return -1;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
	err = errno;
	close(pidfd);
	errno = err;
	return copy;
}

static int attach_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy) || !tb[KSRTP_A_SOCK_COOKIE])
		return -1;
	*(uint64_t *)arg = nla_get_u64(tb[KSRTP_A_SOCK_COOKIE]);
	return 0;
}

static int attach(int fd, const struct args *a)
{
	struct json_object *o;
	struct nl_msg *msg;
	uint64_t cookie = 0;
	int rc;

	msg = request(KSRTP_CMD_SOCK_ATTACH, 0);
	if (!msg)
		return 1;
	if (nla_put_u32(msg, KSRTP_A_SOCK_FD, (uint32_t)fd) ||
	    ((a->seen & A_UPCALL) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_UPCALL, a->upcall)) ||
	    ((a->seen & A_MAX_LEARNED) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_MAX_LEARNED, a->max_learned)) ||
	    ((a->seen & A_PLAIN_RTP) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_PLAIN_RTP, a->plain_rtp)))
		return build_err(msg);
	rc = run(msg, attach_reply, &cookie);
	if (rc)
		return rc;
	if (json_out) {
		o = json_object_new_object();
		jadd_u64(o, "cookie", cookie);
		print_json(o);
		json_object_put(o);
	} else {
		printf("cookie %" PRIu64 "\n", cookie);
	}
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	bool remote_pid;
	struct stat st;
	char what[48];
	struct args a;
	int fd, rc;

	rc = parse_args(argc, argv, &a, A_PID | A_FD | A_UPCALL | A_MAX_LEARNED |
			A_PLAIN_RTP, A_FD);
	if (rc)
		return rc;
	remote_pid = a.seen & A_PID;
	if (remote_pid)
		snprintf(what, sizeof(what), "pid %" PRIu32 " fd %" PRIu32, a.pid, a.fd);
	else
		snprintf(what, sizeof(what), "fd %" PRIu32, a.fd);
	fd = remote_pid ? fd_of_pid(a.pid, a.fd) : (int)a.fd;
	if (fd < 0)
		return sys_err(what, errno);
	if (fstat(fd, &st))
		rc = sys_err(what, errno);
	else if (!S_ISSOCK(st.st_mode))
		rc = sys_err(what, ENOTSOCK);
	else
		rc = attach(fd, &a);
	/* Our copy only had to live through the attach: the app's fd holds the socket. */
	if (remote_pid)
		close(fd);
	return rc;
}

int cmd_detach(int argc, char **argv)
{
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_SOCK, A_SOCK);
	if (rc)
		return rc;
	msg = request(KSRTP_CMD_SOCK_DETACH, 0);
	if (!msg)
		return 1;
	if (nla_put_u64(msg, KSRTP_A_SOCK_COOKIE, a.cookie))
		return build_err(msg);
	return run(msg, NULL, NULL);
}

/* upcall also makes ksrtpctl's own netlink socket the upcall port: it closes
 * when ksrtpctl exits, so only "upcall none" is of use from here.
 */
int cmd_set(int argc, char **argv)
{
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_SOCK | A_UPCALL | A_MAX_LEARNED | A_PLAIN_RTP,
			A_SOCK);
	if (rc)
		return rc;
	if (!(a.seen & (A_UPCALL | A_MAX_LEARNED | A_PLAIN_RTP)))
		return usage_err("nothing to set: give upcall, max-learned or plain-rtp");
	msg = request(KSRTP_CMD_SOCK_SET, 0);
	if (!msg)
		return 1;
	if (nla_put_u64(msg, KSRTP_A_SOCK_COOKIE, a.cookie) ||
	    ((a.seen & A_UPCALL) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_UPCALL, a.upcall)) ||
	    ((a.seen & A_MAX_LEARNED) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_MAX_LEARNED, a.max_learned)) ||
	    ((a.seen & A_PLAIN_RTP) &&
	     nla_put_u32(msg, KSRTP_A_SOCK_PLAIN_RTP, a.plain_rtp)))
		return build_err(msg);
	return run(msg, NULL, NULL);
}

/* ------------------------------------------------------------ contexts and keys */

typedef int (*put_fn)(struct nl_msg *m, const struct args *a);

static int ctx_request(int cmd, const struct args *a, put_fn put)
{
	struct nl_msg *msg = request(cmd, 0);

	if (!msg)
		return 1;
	if (put_selector(msg, a) || (put && put(msg, a)))
		return build_err(msg);
	return run(msg, NULL, NULL);
}

static int put_new(struct nl_msg *m, const struct args *a)
{
	return put_ctx_params(m, a) || put_key(m, a);
}

static int put_key_id(struct nl_msg *m, const struct args *a)
{
	return nla_put_u32(m, KSRTP_A_CTX_KEY_ID, a->key_id);
}

/* Commands that carry a key wipe their arguments on every path. */
static int key_material_cmd(int argc, char **argv, unsigned int allowed,
			    unsigned int required, int cmd, put_fn put)
{
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, allowed, required);
	if (!rc)
		rc = check_key(&a);
	if (!rc)
		rc = ctx_request(cmd, &a, put);
	explicit_bzero(&a, sizeof(a));
	return rc;
}

int cmd_ctx_add(int argc, char **argv)
{
	return key_material_cmd(argc, argv,
				SEL_ALL | A_SUITE | A_KEY | A_KEY_ID | A_MKI |
				A_ROC | A_SEQ | A_WINDOW | A_OPTIONS | A_KDR |
				A_SOFT_LIMIT,
				SEL_REQ | A_SUITE | A_KEY, KSRTP_CMD_CTX_NEW, put_new);
}

int cmd_key_add(int argc, char **argv)
{
	/* The suite only cuts the key; the context already has one. */
	return key_material_cmd(argc, argv,
				SEL_ALL | A_SUITE | A_KEY | A_KEY_ID | A_MKI,
				SEL_REQ | A_SUITE | A_KEY | A_KEY_ID,
				KSRTP_CMD_KEY_ADD, put_key);
}

static int selector_cmd(int argc, char **argv, unsigned int extra, int cmd, put_fn put)
{
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, SEL_ALL | extra, SEL_REQ | extra);
	return rc ? rc : ctx_request(cmd, &a, put);
}

int cmd_ctx_del(int argc, char **argv)
{
	return selector_cmd(argc, argv, 0, KSRTP_CMD_CTX_DEL, NULL);
}

int cmd_key_swap(int argc, char **argv)
{
	return selector_cmd(argc, argv, A_KEY_ID, KSRTP_CMD_KEY_SWAP, put_key_id);
}

int cmd_key_del(int argc, char **argv)
{
	return selector_cmd(argc, argv, A_KEY_ID, KSRTP_CMD_KEY_DEL, put_key_id);
}

/* ------------------------------------------------------------ show */

static const struct tfield sock_fields[] = {
	{ "cookie", "sock", T_VAL }, { "family", "family", T_VAL },
	{ "local_port", "port", T_VAL }, { "n_ctx", "ctx", T_VAL },
	{ "upcall", "upcall", T_VAL }, { "max_learned", "max-learned", T_VAL },
	{ "upcall_portid", "upcall-portid", T_VAL }, { "plain_rtp", "plain-rtp", T_VAL },
};

static const struct tfield ctx_fields[] = {
	{ "dir", "ctx", T_VAL }, { "ssrc", "ssrc", T_SSRC },
	{ "suite", "suite", T_VAL }, { "origin", "origin", T_VAL },
	{ "remote_addr", "remote", T_REMOTE }, { "window", "window", T_VAL },
	{ "roc", "roc", T_VAL }, { "flags", "options", T_VAL },
	{ "soft_limit", "soft-limit", T_VAL }, { "kdr", "kdr", T_VAL },
};

static const struct tfield key_fields[] = {
	{ "id", "key id", T_VAL }, { "mki", "mki", T_VAL },
	{ "active", "active", T_FLAG }, { "srtp_packets", "srtp-packets", T_VAL },
	{ "srtcp_packets", "srtcp-packets", T_VAL },
};

static int sock_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy))
		return -1;
	json_object_array_add(arg, sock_json(tb));
	return 0;
}

static int ctx_reply(struct nl_msg *msg, void *arg)
{
	struct json_object *o = ctx_json(msg);

	if (!o)
		return -1;
	if (!jget(o, "keys"))
		jadd(o, "keys", json_object_new_array());
	json_object_array_add(arg, o);
	return 0;
}

/* In a full dump, ENOENT only means the socket went away meanwhile. */
static int get_contexts(struct json_object *sock, bool one)
{
	struct json_object *ctxs = json_object_new_array();
	struct nl_msg *msg;
	int err;

	jadd(sock, "contexts", ctxs);
	msg = request(KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	if (!msg)
		return 1;
	if (nla_put_u64(msg, KSRTP_A_CTX_SOCK_COOKIE,
			json_object_get_uint64(jget(sock, "cookie"))))
		return build_err(msg);
	err = knl_exec(&nl, msg, ctx_reply, ctxs);
	if (err == -ENOENT && !one)
		return 0;
	return err ? nl_err(err) : 0;
}

static void show_text(struct json_object *socks)
{
	struct json_object *sock, *ctxs, *ctx, *keys;
	size_t i, j, k;

	for (i = 0; i < jlen(socks); i++) {
		sock = json_object_array_get_idx(socks, i);
		tline("", sock, sock_fields, ARRAY_SIZE(sock_fields));
		tcounters("    ", jget(sock, "stats"), &sock_counters);
		ctxs = jget(sock, "contexts");
		for (j = 0; j < jlen(ctxs); j++) {
			ctx = json_object_array_get_idx(ctxs, j);
			tline("    ", ctx, ctx_fields, ARRAY_SIZE(ctx_fields));
			keys = jget(ctx, "keys");
			for (k = 0; k < jlen(keys); k++)
				tline("        ", json_object_array_get_idx(keys, k),
				      key_fields, ARRAY_SIZE(key_fields));
			tcounters("        ", jget(ctx, "stats"), &ctx_counters);
		}
	}
}

int cmd_show(int argc, char **argv)
{
	struct json_object *socks;
	struct nl_msg *msg;
	struct args a;
	bool one;
	size_t i;
	int rc;

	rc = parse_args(argc, argv, &a, A_SOCK, 0);
	if (rc)
		return rc;
	one = a.seen & A_SOCK;
	msg = request(KSRTP_CMD_SOCK_GET, one ? 0 : NLM_F_DUMP);
	if (!msg)
		return 1;
	if (one && nla_put_u64(msg, KSRTP_A_SOCK_COOKIE, a.cookie))
		return build_err(msg);
	socks = json_object_new_array();
	/* Collect sockets first: a dump must end before the next request. */
	rc = run(msg, sock_reply, socks);
	for (i = 0; !rc && i < jlen(socks); i++)
		rc = get_contexts(json_object_array_get_idx(socks, i), one);
	if (!rc && json_out)
		print_json(socks);
	else if (!rc)
		show_text(socks);
	json_object_put(socks);
	return rc;
}
