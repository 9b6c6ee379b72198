/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knl: the userspace side of the ksrtp generic netlink family (libnl-genl),
 * shared by ksrtpctl and ksrtp-keyd.
 */
#ifndef KSRTP_KNL_H
#define KSRTP_KNL_H

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

struct knl {
	struct nl_sock *sk;
	int family;
	char extack[256];	/* last error's extended ack message */
};

typedef int (*knl_reply_cb)(struct nl_msg *msg, void *arg);

/* Connect and resolve the family; returns 0 or -errno (-ENOENT: not loaded). */
int knl_open(struct knl *k);
void knl_close(struct knl *k);

/* Start a request for CMD; flags e.g. NLM_F_DUMP. NULL on ENOMEM. */
struct nl_msg *knl_msg(struct knl *k, int cmd, int flags);

/* Send, deliver each reply message to cb, wait for the ack.
 * Returns 0 or -errno; k->extack holds the kernel's message, if any.
 * Always frees msg, wiped (requests may carry keys); a NULL msg is -ENOMEM.
 */
int knl_exec(struct knl *k, struct nl_msg *msg, knl_reply_cb cb, void *arg);

/* Free a request that was not passed to knl_exec, wiping it first. */
void knl_msg_free(struct nl_msg *msg);

/* Join one of the family's multicast groups; returns 0 or -errno. */
int knl_subscribe(struct knl *k, const char *group);

/* Attributes of a reply message, per the policy-free parse of its payload. */
int knl_parse(struct nl_msg *msg, struct nlattr **tb, int max);

/*
 * A counter's name as netlink/ksrtp.yaml spells it ("rx-no-ctx"), by its
 * attribute in the sock-stats / ctx-stats nest; NULL for any other value.
 * JSON output spells the same names with '_'. Generated: knl-names.c.
 */
const char *knl_sock_stats_name(int attr);
const char *knl_ctx_stats_name(int attr);

/* NAME as a JSON key ('-' as '_') in buf, cut to len - 1 bytes; returns buf. */
const char *knl_json_key(const char *name, char *buf, size_t len);

#endif /* KSRTP_KNL_H */
