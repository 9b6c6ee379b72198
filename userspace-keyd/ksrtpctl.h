/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksrtpctl's private header: what its files share.
 *
 * ksrtpctl.c		main, command dispatch, errors, info
 * ksrtpctl_args.c	names of the module's values, KEYWORD VALUE parsing
 * ksrtpctl_out.c	JSON of replies and events, text rendered from it
 * ksrtpctl_sock.c	attach, detach, set, contexts and keys, show
 * ksrtpctl_fwd.c	forwards
 * ksrtpctl_monitor.c	monitor
 */
#ifndef KSRTPCTL_H
#define KSRTPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <linux/ksrtp.h>

#include "knl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ksrtpctl.c */
extern int json_out, pretty;
extern struct knl nl;			/* opened on first use */

int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sys_err(const char *what, int err);
int nl_err(int err);
int nl_ready(void);
struct nl_msg *request(int cmd, int flags);
int build_err(struct nl_msg *msg);
int run(struct nl_msg *msg, knl_reply_cb cb, void *arg);

/* ksrtpctl_args.c: names, indexed by enum value (NULL: none) */
struct suite {
	const char *name;
	unsigned int key_len, salt_len;
};

extern const struct suite suites[__KSRTP_SUITE_MAX];
extern const char *const dir_names[__KSRTP_DIR_MAX];
extern const char *const plain_rtp_names[__KSRTP_PLAIN_RTP_MAX];
/* Flag sets: entry i names the bit 1 << i. */
extern const char *const upcall_names[2];
extern const char *const option_names[3];
extern const char *const fwd_flag_names[4];

const char *name_of(const char *const *tbl, size_t n, uint32_t v);
#define NAME(tbl, v) name_of(tbl, ARRAY_SIZE(tbl), v)
const char *suite_name(uint32_t v);

/* ksrtpctl_args.c: arguments */
struct remote {
	uint8_t addr[16];
	uint8_t len;		/* 4 or 16 */
	uint16_t port;
};

/* Everything any command takes; seen says which were given. */
struct args {
	unsigned int seen;
	uint64_t cookie, soft_limit;
	uint32_t dir, ssrc, suite, key_id, roc, window, flags, kdr;
	uint32_t pid, fd, upcall, max_learned, plain_rtp;
	uint16_t seq;
	bool ssrc_any;
	struct remote remote;
	uint8_t key[64];	/* decoded inline key: master key || salt */
	size_t key_len;
	uint8_t mki[KSRTP_MAX_MKI_LEN];
	size_t mki_len;
	/* forwards */
	uint64_t rx_cookie, tx_cookie;
	uint32_t id, ssrc_out, ts_offset, fwd_flags, idle_timeout;
	uint16_t seq_offset;
	struct remote to, from;
	uint8_t pt[16];		/* bit pt % 8 of byte pt / 8 */
};

enum {
	A_SOCK = 1 << 0, A_DIR = 1 << 1, A_SSRC = 1 << 2, A_REMOTE = 1 << 3,
	A_SUITE = 1 << 4, A_KEY = 1 << 5, A_KEY_ID = 1 << 6, A_MKI = 1 << 7,
	A_ROC = 1 << 8, A_SEQ = 1 << 9, A_WINDOW = 1 << 10,
	A_OPTIONS = 1 << 11, A_KDR = 1 << 12, A_SOFT_LIMIT = 1 << 13,
	A_PID = 1 << 14, A_FD = 1 << 15, A_UPCALL = 1 << 16,
	A_MAX_LEARNED = 1 << 17, A_RX = 1 << 18, A_TX = 1 << 19, A_TO = 1 << 20,
	A_SSRC_OUT = 1 << 21, A_SEQ_OFFSET = 1 << 22, A_TS_OFFSET = 1 << 23,
	A_PT = 1 << 24, A_FWD_FLAGS = 1 << 25, A_ID = 1 << 26,
	A_FROM = 1 << 27, A_PLAIN_RTP = 1 << 28, A_IDLE_TIMEOUT = 1 << 29,
};

int parse_args(int argc, char **argv, struct args *a,
	       unsigned int allowed, unsigned int required);
int check_key(const struct args *a);

/* ksrtpctl_out.c */
void print_json(struct json_object *o);
void jadd(struct json_object *o, const char *key, struct json_object *v);
void jadd_u64(struct json_object *o, const char *key, uint64_t v);
void jadd_str(struct json_object *o, const char *key, const char *s);
struct json_object *jflags(uint32_t v, const char *const *names, size_t n);
void jadd_addr(struct json_object *o, const char *prefix,
	       struct nlattr *addr, struct nlattr *port);
void jadd_remote(struct json_object *o, struct nlattr *addr, struct nlattr *port);
struct json_object *jget(struct json_object *o, const char *key);
size_t jlen(struct json_object *arr);

/*
 * Counters in display order, named by knl; 0 (no counter's attribute)
 * ends a text line. Counters the module has and the list does not (a newer
 * spec) come last.
 */
struct counters {
	const char *(*name)(int attr);
	int max;
	const struct knl_policy *pol;
	const int *attr;
	size_t n;
};

extern const struct counters sock_counters, ctx_counters, fwd_counters;

struct json_object *counters_json(struct nlattr *nest, const struct counters *c);
struct json_object *sock_json(struct nlattr **tb);
struct json_object *ctx_json(struct nl_msg *msg);

/*
 * Text output is rendered from the JSON objects, field by field:
 * " label value" for each key present, in the order given.
 */
enum tkind { T_VAL, T_SSRC, T_REMOTE, T_FLAG };

struct tfield {
	const char *key, *label;
	enum tkind kind;
};

void tline(const char *indent, struct json_object *o, const struct tfield *f, size_t n);
void tcounters(const char *indent, struct json_object *st, const struct counters *c);

/* ksrtpctl_sock.c */
int put_remote(struct nl_msg *m, int addr, int port, const struct remote *r);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_ctx_add(int argc, char **argv);
int cmd_ctx_del(int argc, char **argv);
int cmd_key_add(int argc, char **argv);
int cmd_key_swap(int argc, char **argv);
int cmd_key_del(int argc, char **argv);
int cmd_show(int argc, char **argv);

/* ksrtpctl_fwd.c */
struct json_object *fwd_json(struct nl_msg *msg);
int cmd_fwd_add(int argc, char **argv);
int cmd_fwd_del(int argc, char **argv);
int cmd_fwd_dest_add(int argc, char **argv);
int cmd_fwd_dest_del(int argc, char **argv);
int cmd_fwd_show(int argc, char **argv);

/* ksrtpctl_monitor.c */
int cmd_monitor(int argc, char **argv);

#endif
