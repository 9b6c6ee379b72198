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
#include <stdbool.h>
#include <linux/ksrtp.h>

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

/*
 * What a reply attribute must look like before anything reads it: its
 * length is checked against its type (a u32 is 4 bytes, a string is
 * NUL-terminated, ...). A counter (KNL_UINT) may be 2, 4 or 8 bytes: the
 * module may widen one later. KNL_ANY: never read, any length.
 */
enum knl_type { KNL_ANY, KNL_FLAG, KNL_U16, KNL_U32, KNL_U64, KNL_UINT,
		KNL_STRING, KNL_BINARY, KNL_NEST };

struct knl_policy {
	enum knl_type type;
	unsigned short min_len, max_len;	/* KNL_BINARY */
};

/* The policies of netlink/ksrtp.yaml's attribute sets (index = attribute). */
extern const struct knl_policy knl_info_policy[KSRTP_A_INFO_MAX + 1];
extern const struct knl_policy knl_sock_policy[KSRTP_A_SOCK_MAX + 1];
extern const struct knl_policy knl_sock_stats_policy[KSRTP_A_SOCK_STATS_MAX + 1];
extern const struct knl_policy knl_key_policy[KSRTP_A_KEY_MAX + 1];
extern const struct knl_policy knl_ctx_policy[KSRTP_A_CTX_MAX + 1];
extern const struct knl_policy knl_ctx_stats_policy[KSRTP_A_CTX_STATS_MAX + 1];
extern const struct knl_policy knl_fwd_policy[KSRTP_A_FWD_MAX + 1];
extern const struct knl_policy knl_fwd_stats_policy[KSRTP_A_FWD_STATS_MAX + 1];
extern const struct knl_policy knl_fwd_dest_policy[KSRTP_A_FWD_DEST_MAX + 1];

/* Whether one attribute's length fits its policy entry. */
bool knl_attr_ok(const struct nlattr *a, const struct knl_policy *p);

/*
 * Attributes of a reply message (or of a nest) into tb, each checked
 * against pol; 0, or -EINVAL if the framing or any attribute's length is
 * wrong (tb is then all NULL: nothing of a malformed reply is used).
 */
int knl_parse(struct nl_msg *msg, struct nlattr **tb, int max, const struct knl_policy *pol);
int knl_parse_nested(struct nlattr **tb, int max, struct nlattr *nest,
		     const struct knl_policy *pol);

/*
 * A counter's name as netlink/ksrtp.yaml spells it ("rx-no-ctx"), by its
 * attribute in the sock-stats / ctx-stats / fwd-stats nest; NULL for any other value.
 * JSON output spells the same names with '_'. Generated: knl-names.c.
 */
const char *knl_sock_stats_name(int attr);
const char *knl_ctx_stats_name(int attr);
const char *knl_fwd_stats_name(int attr);

/* NAME as a JSON key ('-' as '_') in buf, cut to len - 1 bytes; returns buf. */
const char *knl_json_key(const char *name, char *buf, size_t len);

#endif /* KSRTP_KNL_H */
