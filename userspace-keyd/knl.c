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
	if (tb[NLMSGERR_ATTR_MSG] &&
	    knl_attr_ok(tb[NLMSGERR_ATTR_MSG], &(struct knl_policy){ .type = KNL_STRING }))
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

bool knl_attr_ok(const struct nlattr *a, const struct knl_policy *p)
{
	int len = nla_len(a);

	switch (p->type) {
	case KNL_ANY:
	case KNL_NEST:		/* its content is checked when it is parsed */
		return len >= 0;
	case KNL_FLAG:
		return len == 0;
	case KNL_U16:
		return len == 2;
	case KNL_U32:
		return len == 4;
	case KNL_U64:
		return len == 8;
	case KNL_UINT:
		return len == 2 || len == 4 || len == 8;
	case KNL_STRING:
		return len > 0 && memchr(nla_data(a), 0, (size_t)len);
	case KNL_BINARY:
		return len >= p->min_len && len <= p->max_len;
	}
	return false;
}

static int check_all(struct nlattr **tb, int max, const struct knl_policy *pol)
{
	int i;

	for (i = 1; i <= max; i++) {
		if (tb[i] && !knl_attr_ok(tb[i], &pol[i])) {
			memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
			return -EINVAL;
		}
	}
	return 0;
}

int knl_parse(struct nl_msg *msg, struct nlattr **tb, int max, const struct knl_policy *pol)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	if (!genlmsg_valid_hdr(nlh, 0) || genlmsg_parse(nlh, 0, tb, max, NULL)) {
		memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
		return -EINVAL;
	}
	return check_all(tb, max, pol);
}

int knl_parse_nested(struct nlattr **tb, int max, struct nlattr *nest,
		     const struct knl_policy *pol)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	if (nla_parse_nested(tb, max, nest, NULL)) {
		memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
		return -EINVAL;
	}
	return check_all(tb, max, pol);
}

#define P(t) { .type = KNL_##t }
#define BIN(lo, hi) { .type = KNL_BINARY, .min_len = (lo), .max_len = (hi) }

const struct knl_policy knl_info_policy[KSRTP_A_INFO_MAX + 1] = {
	[KSRTP_A_INFO_VERSION] = P(U32),
	[KSRTP_A_INFO_MODULE_VERSION] = P(STRING),
	[KSRTP_A_INFO_FEATURES] = P(U32),
	[KSRTP_A_INFO_SUITES] = P(U32),
	[KSRTP_A_INFO_GCM_DRIVER] = P(STRING),
	[KSRTP_A_INFO_CTR_DRIVER] = P(STRING),
	[KSRTP_A_INFO_F8_DRIVER] = P(STRING),
};

const struct knl_policy knl_sock_policy[KSRTP_A_SOCK_MAX + 1] = {
	[KSRTP_A_SOCK_COOKIE] = P(U64),
	[KSRTP_A_SOCK_FD] = P(U32),
	[KSRTP_A_SOCK_FAMILY] = P(U16),
	[KSRTP_A_SOCK_LOCAL_PORT] = P(U16),
	[KSRTP_A_SOCK_UPCALL] = P(U32),
	[KSRTP_A_SOCK_MAX_LEARNED] = P(U32),
	[KSRTP_A_SOCK_STATS] = P(NEST),
	[KSRTP_A_SOCK_REMOTE_ADDR] = BIN(4, 16),
	[KSRTP_A_SOCK_REMOTE_PORT] = P(U16),
	[KSRTP_A_SOCK_DATA] = BIN(1, 65535),
	[KSRTP_A_SOCK_UPCALL_PORTID] = P(U32),
	[KSRTP_A_SOCK_N_CTX] = P(U32),
	[KSRTP_A_SOCK_REASON] = P(U32),
	[KSRTP_A_SOCK_PLAIN_RTP] = P(U32),
};

/* every counter is a KNL_UINT; pad attributes (KNL_ANY) are never read */
const struct knl_policy knl_sock_stats_policy[KSRTP_A_SOCK_STATS_MAX + 1] = {
	[KSRTP_A_SOCK_STATS_RX_PACKETS] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_SRTP] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_SRTCP] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_STUN] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_DTLS] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_ZRTP] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_TURN] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_OTHER] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_NO_CTX] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_MALFORMED] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_UPCALL] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_UPCALL_DROPS] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_LEARN_DROPS] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_PACKETS] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_SRTP] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_SRTCP] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_PASSTHROUGH] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_NO_CTX] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_REFUSED] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_ASYNC] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_ASYNC_DROPS] = P(UINT),
	[KSRTP_A_SOCK_STATS_TX_ASYNC] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_FORWARDED] = P(UINT),
	[KSRTP_A_SOCK_STATS_RX_PLAIN] = P(UINT),
};

const struct knl_policy knl_key_policy[KSRTP_A_KEY_MAX + 1] = {
	[KSRTP_A_KEY_ID] = P(U32),
	[KSRTP_A_KEY_MASTER_KEY] = BIN(16, 32),
	[KSRTP_A_KEY_MASTER_SALT] = BIN(12, 14),
	[KSRTP_A_KEY_MKI] = BIN(1, KSRTP_MAX_MKI_LEN),
	[KSRTP_A_KEY_ACTIVE] = P(FLAG),
	[KSRTP_A_KEY_SRTP_PACKETS] = P(UINT),
	[KSRTP_A_KEY_SRTCP_PACKETS] = P(UINT),
};

const struct knl_policy knl_ctx_policy[KSRTP_A_CTX_MAX + 1] = {
	[KSRTP_A_CTX_SOCK_COOKIE] = P(U64),
	[KSRTP_A_CTX_DIR] = P(U32),
	[KSRTP_A_CTX_SSRC] = P(U32),
	[KSRTP_A_CTX_SSRC_ANY] = P(FLAG),
	[KSRTP_A_CTX_SUITE] = P(U32),
	[KSRTP_A_CTX_KEY] = P(NEST),
	[KSRTP_A_CTX_KEY_ID] = P(U32),
	[KSRTP_A_CTX_ROC] = P(U32),
	[KSRTP_A_CTX_SEQ] = P(U16),
	[KSRTP_A_CTX_WINDOW] = P(U32),
	[KSRTP_A_CTX_REMOTE_ADDR] = BIN(4, 16),
	[KSRTP_A_CTX_REMOTE_PORT] = P(U16),
	[KSRTP_A_CTX_FLAGS] = P(U32),
	[KSRTP_A_CTX_KDR] = P(U32),
	[KSRTP_A_CTX_SOFT_LIMIT] = P(UINT),
	[KSRTP_A_CTX_ORIGIN] = P(U32),
	[KSRTP_A_CTX_STATS] = P(NEST),
	[KSRTP_A_CTX_LIMIT] = P(U32),
};

const struct knl_policy knl_ctx_stats_policy[KSRTP_A_CTX_STATS_MAX + 1] = {
	[KSRTP_A_CTX_STATS_PACKETS] = P(UINT),
	[KSRTP_A_CTX_STATS_BYTES] = P(UINT),
	[KSRTP_A_CTX_STATS_RTCP_PACKETS] = P(UINT),
	[KSRTP_A_CTX_STATS_RTCP_BYTES] = P(UINT),
	[KSRTP_A_CTX_STATS_AUTH_FAIL] = P(UINT),
	[KSRTP_A_CTX_STATS_REPLAY_DROP] = P(UINT),
	[KSRTP_A_CTX_STATS_RTCP_AUTH_FAIL] = P(UINT),
	[KSRTP_A_CTX_STATS_RTCP_REPLAY_DROP] = P(UINT),
	[KSRTP_A_CTX_STATS_MALFORMED] = P(UINT),
	[KSRTP_A_CTX_STATS_UNKNOWN_MKI] = P(UINT),
	[KSRTP_A_CTX_STATS_ROC_ROLLOVER] = P(UINT),
	[KSRTP_A_CTX_STATS_INDEX_REUSE] = P(UINT),
	[KSRTP_A_CTX_STATS_LIMIT_DROP] = P(UINT),
	[KSRTP_A_CTX_STATS_LIMIT_EVENTS] = P(UINT),
	[KSRTP_A_CTX_STATS_HIGHEST_INDEX] = P(UINT),
	[KSRTP_A_CTX_STATS_RTCP_INDEX] = P(UINT),
	[KSRTP_A_CTX_STATS_KDR_PENDING] = P(UINT),
};

const struct knl_policy knl_fwd_policy[KSRTP_A_FWD_MAX + 1] = {
	[KSRTP_A_FWD_ID] = P(U32),
	[KSRTP_A_FWD_RX_SOCK_COOKIE] = P(U64),
	[KSRTP_A_FWD_SSRC] = P(U32),
	[KSRTP_A_FWD_TX_SOCK_COOKIE] = P(U64),
	[KSRTP_A_FWD_REMOTE_ADDR] = BIN(4, 16),
	[KSRTP_A_FWD_REMOTE_PORT] = P(U16),
	[KSRTP_A_FWD_SSRC_OUT] = P(U32),
	[KSRTP_A_FWD_SEQ_OFFSET] = P(U16),
	[KSRTP_A_FWD_TS_OFFSET] = P(U32),
	[KSRTP_A_FWD_PT_FILTER] = BIN(16, 16),
	[KSRTP_A_FWD_FLAGS] = P(U32),
	[KSRTP_A_FWD_STATS] = P(NEST),
	[KSRTP_A_FWD_RX_REMOTE_ADDR] = BIN(4, 16),
	[KSRTP_A_FWD_RX_REMOTE_PORT] = P(U16),
	[KSRTP_A_FWD_IDLE_TIMEOUT_MS] = P(U32),
	[KSRTP_A_FWD_DEST] = P(NEST),
	[KSRTP_A_FWD_SSRC_ANY] = P(FLAG),
};

const struct knl_policy knl_fwd_dest_policy[KSRTP_A_FWD_DEST_MAX + 1] = {
	[KSRTP_A_FWD_DEST_ADDR] = BIN(4, 16),
	[KSRTP_A_FWD_DEST_PORT] = P(U16),
};

const struct knl_policy knl_fwd_stats_policy[KSRTP_A_FWD_STATS_MAX + 1] = {
	[KSRTP_A_FWD_STATS_PACKETS] = P(UINT),
	[KSRTP_A_FWD_STATS_BYTES] = P(UINT),
	[KSRTP_A_FWD_STATS_RTCP_PACKETS] = P(UINT),
	[KSRTP_A_FWD_STATS_RTCP_BYTES] = P(UINT),
	[KSRTP_A_FWD_STATS_PT_DROP] = P(UINT),
	[KSRTP_A_FWD_STATS_TX_NO_CTX] = P(UINT),
	[KSRTP_A_FWD_STATS_TX_DROP] = P(UINT),
	[KSRTP_A_FWD_STATS_IDLE_MS] = P(UINT),
	[KSRTP_A_FWD_STATS_SRC_MISMATCH] = P(UINT),
	[KSRTP_A_FWD_STATS_DEST_PACKETS] = P(UINT),
};

#undef P
#undef BIN

const char *knl_json_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = 0;
	return buf;
}
