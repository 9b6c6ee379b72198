// SPDX-License-Identifier: GPL-2.0
/*
 * knl: libnl-genl transport for the ksrtp family, with extack reporting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/ksrtp.h>
#include <netlink/genl/ctrl.h>

#include "knl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

int knl_open(struct knl *k)
{
	int one = 1, err;

	memset(k, 0, sizeof(*k));
	k->sk = nl_socket_alloc();
	if (!k->sk)
		return -ENOMEM;
	err = genl_connect(k->sk);
	if (err) {
		nl_socket_free(k->sk);
		k->sk = NULL;
		return -EPROTONOSUPPORT;
	}
	setsockopt(nl_socket_get_fd(k->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl_socket_set_buffer_size(k->sk, 1 << 20, 1 << 20);
	k->family = genl_ctrl_resolve(k->sk, KSRTP_FAMILY_NAME);
	if (k->family < 0) {
		nl_socket_free(k->sk);
		k->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

void knl_close(struct knl *k)
{
	if (k->sk)
		nl_socket_free(k->sk);
	k->sk = NULL;
}

struct nl_msg *knl_msg(struct knl *k, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, flags,
			 cmd, KSRTP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct exec_ctx {
	struct knl *k;
	knl_reply_cb cb;
	void *arg;
	int err;
	int done;
};

static void extack_msg(struct nlmsghdr *nlh, struct nlmsgerr *e, char *out, size_t n)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX,
				  (struct nlattr *)((char *)e + off), len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(out, n, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exec_ctx *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;

	(void)nla;
	c->err = e->error;
	extack_msg(nlh, e, c->k->extack, sizeof(c->k->extack));
	c->done = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exec_ctx *c = arg;

	(void)msg;
	c->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exec_ctx *c = arg;

	if (c->cb && c->cb(msg, c->arg))
		c->err = c->err ? c->err : -ECANCELED;
	return NL_OK;
}

/* Requests may carry master keys: never hand their memory back unwiped. */
void knl_msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

int knl_exec(struct knl *k, struct nl_msg *msg, knl_reply_cb cb, void *arg)
{
	struct exec_ctx c = { .k = k, .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int err;

	k->extack[0] = 0;
	if (!msg)
		return -ENOMEM;
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		knl_msg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(nlcb, NL_CB_CUSTOM, on_error, &c);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &c);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &c);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);

	err = nl_send_auto(k->sk, msg);
	knl_msg_free(msg);
	if (err < 0) {
		nl_cb_put(nlcb);
		return -EIO;
	}
	while (!c.done) {
		err = nl_recvmsgs(k->sk, nlcb);
		if (err < 0 && !c.done) {
			c.err = c.err ? c.err : -EIO;
			break;
		}
	}
	nl_cb_put(nlcb);
	return c.err;
}

int knl_subscribe(struct knl *k, const char *group)
{
	int grp = genl_ctrl_resolve_grp(k->sk, KSRTP_FAMILY_NAME, group);

	if (grp < 0)
		return -ENOENT;
	if (nl_socket_add_membership(k->sk, grp))
		return errno ? -errno : -EPERM;
	return 0;
}

int knl_parse(struct nl_msg *msg, struct nlattr **tb, int max)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, max, NULL) ? -EINVAL : 0;
}

const char *knl_json_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = 0;
	return buf;
}
