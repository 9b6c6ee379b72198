// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl monitor: the module's events, one line (or JSON object) each,
 * until SIGINT or SIGTERM.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <netlink/socket.h>

#include "ksrtpctl.h"

/* ------------------------------------------------------------ monitor */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const struct tfield detach_fields[] = {
	{ "cookie", "sock", T_VAL }, { "reason", "reason", T_VAL },
};

static const struct tfield limit_fields[] = {
	{ "sock_cookie", "sock", T_VAL }, { "dir", "dir", T_VAL },
	{ "ssrc", "ssrc", T_SSRC }, { "key_id", "key-id", T_VAL },
	{ "limit", "limit", T_VAL },
};

static const struct tfield fwd_idle_fields[] = {
	{ "id", "fwd", T_VAL }, { "rx_sock_cookie", "rx", T_VAL },
	{ "ssrc", "ssrc", T_SSRC }, { "tx_sock_cookie", "tx", T_VAL },
};

static const struct tfield learned_fields[] = {
	{ "sock_cookie", "sock", T_VAL }, { "dir", "dir", T_VAL },
	{ "ssrc", "ssrc", T_SSRC }, { "remote_addr", "remote", T_REMOTE },
};

static void print_event(const char *name, struct json_object *o,
			const struct tfield *f, size_t n)
{
	struct json_object *e;
	char prefix[32];

	if (json_out) {
		/* "event" first, then the attributes. */
		e = json_object_new_object();
		jadd_str(e, "event", name);
		json_object_object_foreach(o, key, val)
			jadd(e, key, json_object_get(val));
		print_json(e);
		json_object_put(e);
	} else {
		snprintf(prefix, sizeof(prefix), "%s ", name);
		tline(prefix, o, f, n);
	}
	fflush(stdout);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct json_object *o = NULL;

	(void)arg;
	switch (genlmsg_hdr(nlmsg_hdr(msg))->cmd) {
	case KSRTP_CMD_SOCK_DETACH_NTF:
		if (!knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy))
			o = sock_json(tb);
		if (o)
			print_event("sock-detach", o, detach_fields,
				    ARRAY_SIZE(detach_fields));
		break;
	case KSRTP_CMD_CTX_LIMIT_NTF:
		o = ctx_json(msg);
		if (o)
			print_event("ctx-limit", o, limit_fields,
				    ARRAY_SIZE(limit_fields));
		break;
	case KSRTP_CMD_SSRC_LEARNED_NTF:
		o = ctx_json(msg);
		if (o)
			print_event("ssrc-learned", o, learned_fields,
				    ARRAY_SIZE(learned_fields));
		break;
	case KSRTP_CMD_FWD_IDLE_NTF:
		o = fwd_json(msg);
		if (o)
			print_event("fwd-idle", o, fwd_idle_fields,
				    ARRAY_SIZE(fwd_idle_fields));
		break;
	default:
		break;	/* a newer module's event */
	}
	json_object_put(o);
	return NL_OK;
}

/* SIGINT/SIGTERM get in only while ppoll waits, so none is missed. */
static int watch_events(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd p = { .fd = nl_socket_get_fd(nl.sk), .events = POLLIN };
	sigset_t block, orig;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		if (ppoll(&p, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			return sys_err("poll", errno);
		}
		err = nl_recvmsgs_default(nl.sk);
		if (err == -NLE_AGAIN)
			continue;
		if (err == -NLE_NOMEM) {	/* ENOBUFS: the kernel dropped some */
			fprintf(stderr, "ksrtpctl: monitor: events lost\n");
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "ksrtpctl: monitor: %s\n", nl_geterror(err));
			return 1;
		}
	}
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	int err;

	(void)argv;
	if (argc)
		return usage_err("takes no arguments");
	if (nl_ready())
		return 1;
	err = knl_subscribe(&nl, KSRTP_MCGRP_EVENTS);
	if (err)
		return sys_err("group " KSRTP_MCGRP_EVENTS, -err);
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	nl_socket_set_nonblocking(nl.sk);
	return watch_events();
}
