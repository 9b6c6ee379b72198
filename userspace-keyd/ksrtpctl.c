// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl: inspect and hand-configure the ksrtp kernel module,
 * iproute2 style; -j prints JSON.
 *
 * Every command parses its whole command line before talking to the
 * kernel, so usage errors (exit 2) never depend on the module.
 */
#define _GNU_SOURCE	/* ppoll */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <json-c/json.h>
#include <linux/ksrtp.h>

#ifndef KSRTP_VERSION
#error "KSRTP_VERSION comes from kmod/main.h through the Makefile"
#endif
#include <netlink/socket.h>

#include "keyd/b64.h"
#include "knl.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

static int json_out, pretty;
static struct knl nl;			/* opened on first use */
static const char *cmd_name = "";	/* "ctx add" etc., for messages */

/* ------------------------------------------------------------ names */

/* Indexed by enum ksrtp_suite; the lengths cut an SDES inline key. */
static const struct suite {
	const char *name;
	unsigned int key_len, salt_len;
} suites[] = {
	[KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 16, 14 },
	[KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 16, 14 },
	[KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80] = { "AES_192_CM_HMAC_SHA1_80", 24, 14 },
	[KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32] = { "AES_192_CM_HMAC_SHA1_32", 24, 14 },
	[KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 32, 14 },
	[KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 32, 14 },
	[KSRTP_SUITE_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 16, 12 },
	[KSRTP_SUITE_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 32, 12 },
	[KSRTP_SUITE_NULL_HMAC_SHA1_80] = { "NULL_HMAC_SHA1_80", 16, 14 },
	[KSRTP_SUITE_NULL_HMAC_SHA1_32] = { "NULL_HMAC_SHA1_32", 16, 14 },
	[KSRTP_SUITE_F8_128_HMAC_SHA1_80] = { "F8_128_HMAC_SHA1_80", 16, 14 },
	[KSRTP_SUITE_F8_128_HMAC_SHA1_32] = { "F8_128_HMAC_SHA1_32", 16, 14 },
};

/* Flag sets: entry i names the bit 1 << i. */
static const char *const feature_names[] = {
	"info", "sock", "ctx", "mki", "ssrc-any", "remote-bind", "upcall", "ipv6",
	"sock-set", "rx-async", "fwd",
};
static const char *const upcall_names[] = { "dtls", "zrtp" };
static const char *const fwd_flag_names[] = {
	"copy-to-app", "plain-in", "plain-out", "latch",
};
static const char *const option_names[] = {
	"unencrypted_srtp", "unencrypted_srtcp", "unauthenticated_srtp",
};
_Static_assert(KSRTP_FEATURE_FWD == 1 << 10, "feature_names is stale");
_Static_assert(KSRTP_FWD_FLAGS_LATCH == 1 << 3, "fwd_flag_names is stale");
_Static_assert(KSRTP_UPCALL_ZRTP == 1 << 1, "upcall_names is stale");
_Static_assert(KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP == 1 << 2, "option_names is stale");

/* Enums: indexed by value. */
static const char *const dir_names[] = {
	[KSRTP_DIR_RX] = "rx", [KSRTP_DIR_TX] = "tx",
};
static const char *const origin_names[] = {
	[KSRTP_CTX_ORIGIN_EXPLICIT] = "explicit",
	[KSRTP_CTX_ORIGIN_TEMPLATE] = "template",
	[KSRTP_CTX_ORIGIN_LEARNED] = "learned",
};
static const char *const reason_names[] = {
	[KSRTP_DETACH_REASON_REQUEST] = "request",
	[KSRTP_DETACH_REASON_CLOSED] = "closed",
	[KSRTP_DETACH_REASON_UNLOAD] = "unload",
};
static const char *const plain_rtp_names[] = {
	[KSRTP_PLAIN_RTP_DROP] = "drop",
	[KSRTP_PLAIN_RTP_UNTIL_KEYED] = "until-keyed",
	[KSRTP_PLAIN_RTP_ALLOW] = "allow",
};
static const char *const limit_names[] = {
	[KSRTP_LIMIT_SOFT] = "soft", [KSRTP_LIMIT_HARD] = "hard",
};

/* A newer module may report values this build does not know: show the number. */
static const char *unknown(uint32_t v)
{
	static char buf[4][12];
	static unsigned int i;

	i = (i + 1) % ARRAY_SIZE(buf);
	snprintf(buf[i], sizeof(buf[i]), "%" PRIu32, v);
	return buf[i];
}

static const char *name_of(const char *const *tbl, size_t n, uint32_t v)
{
	return v < n && tbl[v] ? tbl[v] : unknown(v);
}

#define NAME(tbl, v) name_of(tbl, ARRAY_SIZE(tbl), v)

static const char *suite_name(uint32_t v)
{
	return v < ARRAY_SIZE(suites) && suites[v].name ? suites[v].name : unknown(v);
}

/* User-typed names: case-insensitive, '-' and '_' interchangeable. */
static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a == '-' ? '_' : tolower((unsigned char)*a);
		int y = *b == '-' ? '_' : tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return *a == *b;
}

static int name_find(const char *const *tbl, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i] && name_eq(tbl[i], s))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------ errors */

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ksrtpctl: %s%s", cmd_name, *cmd_name ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'ksrtpctl --help')\n");
	return 2;
}

static int sys_err(const char *what, int err)
{
	fprintf(stderr, "ksrtpctl: %s: %s: %s\n", cmd_name, what, strerror(err));
	return 1;
}

static int nl_err(int err)
{
	fprintf(stderr, "ksrtpctl: %s: %s%s%s\n", cmd_name, strerror(-err),
		nl.extack[0] ? ": " : "", nl.extack);
	return 1;
}

static int nl_ready(void)
{
	int err;

	if (nl.sk)
		return 0;
	err = knl_open(&nl);
	if (err)
		fprintf(stderr, "ksrtpctl: %s\n", err == -ENOENT ?
			"the ksrtp module is not loaded (modprobe ksrtp)" :
			strerror(-err));
	return err ? 1 : 0;
}

static struct nl_msg *request(int cmd, int flags)
{
	struct nl_msg *msg;

	if (nl_ready())
		return NULL;
	msg = knl_msg(&nl, cmd, flags);
	if (!msg)
		sys_err("request", ENOMEM);
	return msg;
}

/* Only a broken build overflows a request: our messages are tiny. */
static int build_err(struct nl_msg *msg)
{
	knl_msg_free(msg);
	return sys_err("request", EMSGSIZE);
}

static int run(struct nl_msg *msg, knl_reply_cb cb, void *arg)
{
	int err = knl_exec(&nl, msg, cb, arg);

	return err ? nl_err(err) : 0;
}

/* ------------------------------------------------------------ arguments */

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

/* What names a context: sock, dir, ssrc and optionally remote. */
#define SEL_REQ (A_SOCK | A_DIR | A_SSRC)
#define SEL_ALL (SEL_REQ | A_REMOTE)

/* Digits only: strtoull alone would take "-1", " 1" or "0x0x1". */
static bool parse_u64(const char *s, uint64_t *v)
{
	const char *digits = "0123456789";
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = "0123456789abcdefABCDEF";
		base = 16;
		s += 2;
	}
	if (!*s || s[strspn(s, digits)])
		return false;
	errno = 0;
	*v = strtoull(s, &end, base);
	return !errno && !*end;
}

static const char *parse_dir(struct args *a, char *v)
{
	int d = name_find(dir_names, ARRAY_SIZE(dir_names), v);

	a->dir = (uint32_t)d;
	return d < 0 ? "expected rx or tx" : NULL;
}

static const char *parse_ssrc(struct args *a, char *v)
{
	uint64_t n;

	if (!strcmp(v, "any")) {
		a->ssrc_any = true;
		return NULL;
	}
	if (!parse_u64(v, &n) || n > UINT32_MAX)
		return "expected a 32-bit number or 'any'";
	a->ssrc = (uint32_t)n;
	return NULL;
}

/* 1.2.3.4:5000 or [2001:db8::1]:5000 */
static const char *parse_addr_port(struct remote *r, char *v)
{
	static const char *bad = "expected ADDR:PORT or [IPV6-ADDR]:PORT";
	char buf[INET6_ADDRSTRLEN + 2], *port;
	uint64_t n;
	int ok;

	if (strlen(v) >= sizeof(buf) + 6)
		return bad;
	port = strrchr(v, ':');
	if (!port || (size_t)(port - v) >= sizeof(buf))
		return bad;
	memcpy(buf, v, (size_t)(port - v));
	buf[port - v] = 0;
	if (buf[0] == '[') {
		size_t len = strlen(buf);

		if (buf[len - 1] != ']')
			return bad;
		buf[len - 1] = 0;
		r->len = 16;
		ok = inet_pton(AF_INET6, buf + 1, r->addr);
	} else {
		r->len = 4;
		ok = inet_pton(AF_INET, buf, r->addr);
	}
	if (ok != 1)
		return bad;
	if (!parse_u64(port + 1, &n) || !n || n > UINT16_MAX)
		return "port must be 1..65535";
	r->port = (uint16_t)n;
	return NULL;
}

static const char *parse_remote(struct args *a, char *v)
{
	return parse_addr_port(&a->remote, v);
}

static const char *parse_to(struct args *a, char *v)
{
	return parse_addr_port(&a->to, v);
}

static const char *parse_from(struct args *a, char *v)
{
	return parse_addr_port(&a->from, v);
}

static const char *parse_plain_rtp(struct args *a, char *v)
{
	int i = name_find(plain_rtp_names, ARRAY_SIZE(plain_rtp_names), v);

	a->plain_rtp = (uint32_t)i;
	return i < 0 ? "expected drop, until-keyed or allow" : NULL;
}

/* "0,8,96-127": payload types into the 128-bit filter */
static const char *parse_pt(struct args *a, char *v)
{
	static const char *bad = "expected payload types 0..127, e.g. 0,8,96-127";
	char *tok, *save, *dash;
	uint64_t lo, hi, pt;

	memset(a->pt, 0, sizeof(a->pt));
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = 0;
		if (!parse_u64(tok, &lo) || (dash && !parse_u64(dash + 1, &hi)))
			return bad;
		if (!dash)
			hi = lo;
		if (lo > hi || hi > 127)
			return bad;
		for (pt = lo; pt <= hi; pt++)
			a->pt[pt / 8] |= (uint8_t)(1u << (pt % 8));
	}
	return NULL;
}

static const char *parse_suite(struct args *a, char *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		if (suites[i].name && name_eq(suites[i].name, v)) {
			a->suite = (uint32_t)i;
			return NULL;
		}
	}
	return "unknown suite";
}

/* The suite may come later on the line: check_key() cuts the key. */
static const char *parse_key(struct args *a, char *v)
{
	/* SDES keys come with and without '=' padding (keyd/b64.c) */
	ssize_t n = b64_decode(v, strlen(v), a->key, sizeof(a->key));
	const char *err = NULL;

	if (n < 0)
		err = strchr(v, '|') ? "not valid base64 (give the MKI with 'mki HEX', "
				       "drop '|lifetime')" : "not valid base64 or too long";
	else
		a->key_len = (size_t)n;
	/* Shorten the key's life in /proc/PID/cmdline. */
	explicit_bzero(v, strlen(v));
	return err;
}

static const char *parse_mki(struct args *a, char *v)
{
	size_t len, i;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	len = strlen(v);
	if (!len || len % 2 || len / 2 > KSRTP_MAX_MKI_LEN ||
	    v[strspn(v, "0123456789abcdefABCDEF")])
		return "expected 1 to " STR(KSRTP_MAX_MKI_LEN) " bytes of hex";
	for (i = 0; i < len / 2; i++) {
		char byte[3] = { v[2 * i], v[2 * i + 1], 0 };

		a->mki[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	a->mki_len = len / 2;
	return NULL;
}

/* "a,b,c" of names[i] meaning 1 << i; "none" is the empty set. */
static int parse_flags(const char *v, const char *const *names, size_t n, uint32_t *out)
{
	char buf[256], *tok, *save;
	int i;

	*out = 0;
	if (!strcmp(v, "none"))
		return 0;
	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		i = name_find(names, n, tok);
		if (i < 0)
			return -1;
		*out |= 1u << i;
	}
	return *out ? 0 : -1;
}

static const char *parse_options(struct args *a, char *v)
{
	return parse_flags(v, option_names, ARRAY_SIZE(option_names), &a->flags) ?
		"expected a list of unencrypted_srtp, unencrypted_srtcp, "
		"unauthenticated_srtp" : NULL;
}

static const char *parse_upcall(struct args *a, char *v)
{
	return parse_flags(v, upcall_names, ARRAY_SIZE(upcall_names), &a->upcall) ?
		"expected dtls, zrtp, dtls,zrtp or none" : NULL;
}

static const char *parse_fwd_flags(struct args *a, char *v)
{
	return parse_flags(v, fwd_flag_names, ARRAY_SIZE(fwd_flag_names),
			   &a->fwd_flags) ? "expected copy-to-app, plain-in, plain-out, latch (comma-separated) or none" : NULL;
}

/* A keyword takes a number into a field of struct args, or has a parser. */
static const struct keyword {
	const char *name;
	unsigned int bit;
	const char *(*parse)(struct args *a, char *v);
	size_t off, size;
	uint64_t min, max;
} keywords[] = {
#define KW_FN(n, b, fn) { n, b, fn, 0, 0, 0, 0 }
#define KW_NUM(n, b, field, lo, hi) \
	{ n, b, NULL, offsetof(struct args, field), \
	  sizeof(((struct args *)0)->field), lo, hi }
	KW_NUM("sock", A_SOCK, cookie, 0, UINT64_MAX),
	KW_FN("dir", A_DIR, parse_dir),
	KW_FN("ssrc", A_SSRC, parse_ssrc),
	KW_FN("remote", A_REMOTE, parse_remote),
	KW_FN("suite", A_SUITE, parse_suite),
	KW_FN("key", A_KEY, parse_key),
	KW_NUM("key-id", A_KEY_ID, key_id, 0, UINT32_MAX),
	KW_FN("mki", A_MKI, parse_mki),
	KW_NUM("roc", A_ROC, roc, 0, UINT32_MAX),
	KW_NUM("seq", A_SEQ, seq, 0, UINT16_MAX),
	KW_NUM("window", A_WINDOW, window, KSRTP_WINDOW_MIN, KSRTP_WINDOW_MAX),
	KW_FN("options", A_OPTIONS, parse_options),
	KW_NUM("kdr", A_KDR, kdr, 0, UINT32_MAX),
	KW_NUM("soft-limit", A_SOFT_LIMIT, soft_limit, 0, UINT64_MAX),
	KW_NUM("pid", A_PID, pid, 1, INT_MAX),
	KW_NUM("fd", A_FD, fd, 0, INT_MAX),
	KW_FN("upcall", A_UPCALL, parse_upcall),
	KW_NUM("max-learned", A_MAX_LEARNED, max_learned, 1, 1048576),
	KW_NUM("rx", A_RX, rx_cookie, 0, UINT64_MAX),
	KW_NUM("tx", A_TX, tx_cookie, 0, UINT64_MAX),
	KW_FN("to", A_TO, parse_to),
	KW_FN("from", A_FROM, parse_from),
	KW_FN("plain-rtp", A_PLAIN_RTP, parse_plain_rtp),
	KW_NUM("ssrc-out", A_SSRC_OUT, ssrc_out, 0, UINT32_MAX),
	KW_NUM("seq-offset", A_SEQ_OFFSET, seq_offset, 0, UINT16_MAX),
	KW_NUM("ts-offset", A_TS_OFFSET, ts_offset, 0, UINT32_MAX),
	KW_FN("pt", A_PT, parse_pt),
	KW_FN("flags", A_FWD_FLAGS, parse_fwd_flags),
	KW_NUM("id", A_ID, id, 1, UINT32_MAX),
	KW_NUM("idle-timeout", A_IDLE_TIMEOUT, idle_timeout, 0, UINT32_MAX),
#undef KW_FN
#undef KW_NUM
};

static const char *parse_number(const struct keyword *kw, struct args *a, const char *v)
{
	uint64_t n, type_max = kw->size == 8 ? UINT64_MAX : (1ull << (8 * kw->size)) - 1;
	void *field = (char *)a + kw->off;
	static char msg[64];

	if (parse_u64(v, &n) && n >= kw->min && n <= kw->max) {
		if (kw->size == sizeof(uint64_t))
			*(uint64_t *)field = n;
		else if (kw->size == sizeof(uint32_t))
			*(uint32_t *)field = (uint32_t)n;
		else
			*(uint16_t *)field = (uint16_t)n;
		return NULL;
	}
	if (!kw->min && kw->max == type_max)
		snprintf(msg, sizeof(msg), "expected a %zu-bit number", 8 * kw->size);
	else
		snprintf(msg, sizeof(msg), "expected a number from %" PRIu64 " to %" PRIu64,
			 kw->min, kw->max);
	return msg;
}

/* KEYWORD VALUE pairs in any order; returns 0 or 2 (usage error). */
static int parse_args(int argc, char **argv, struct args *a,
		      unsigned int allowed, unsigned int required)
{
	const struct keyword *kw;
	const char *err;
	size_t i;

	memset(a, 0, sizeof(*a));
	for (; argc > 0; argc -= 2, argv += 2) {
		for (kw = NULL, i = 0; i < ARRAY_SIZE(keywords); i++)
			if (!strcmp(argv[0], keywords[i].name))
				kw = &keywords[i];
		if (!kw || !(kw->bit & allowed))
			return usage_err("unexpected '%s'", argv[0]);
		if (argc < 2)
			return usage_err("'%s' needs a value", argv[0]);
		if (a->seen & kw->bit)
			return usage_err("'%s' given twice", argv[0]);
		a->seen |= kw->bit;
		err = kw->parse ? kw->parse(a, argv[1]) : parse_number(kw, a, argv[1]);
		if (err)
			return usage_err("%s: %s", kw->name, err);
	}
	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (required & ~a->seen & keywords[i].bit)
			return usage_err("missing '%s'", keywords[i].name);
	return 0;
}

/* An SDES inline key is master key || master salt; the suite says where to cut. */
static int check_key(const struct args *a)
{
	const struct suite *s = &suites[a->suite];

	if (a->key_len == s->key_len + s->salt_len)
		return 0;
	return usage_err("key: %s takes %u bytes (%u-byte key + %u-byte salt), "
			 "the base64 decodes to %zu", s->name,
			 s->key_len + s->salt_len, s->key_len, s->salt_len,
			 a->key_len);
}

/* ------------------------------------------------------------ requests */

static int put_remote(struct nl_msg *m, int addr, int port, const struct remote *r)
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

/* ------------------------------------------------------------ output */

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void jadd_u64(struct json_object *o, const char *key, uint64_t v)
{
	jadd(o, key, json_object_new_uint64(v));
}

static void jadd_str(struct json_object *o, const char *key, const char *s)
{
	jadd(o, key, json_object_new_string(s));
}

static struct json_object *jflags(uint32_t v, const char *const *names, size_t n)
{
	struct json_object *arr = json_object_new_array();
	char buf[16];
	size_t i;

	for (i = 0; i < 32; i++) {
		if (!(v & (1u << i)))
			continue;
		snprintf(buf, sizeof(buf), "0x%x", 1u << i);
		json_object_array_add(arr, json_object_new_string(i < n ? names[i] : buf));
	}
	return arr;
}

/* Counter names are attribute names; JSON keys have '_' for '-'. */
static const char *jkey(const char *name)
{
	static char buf[64];

	return knl_json_key(name, buf, sizeof(buf));
}

/* A counter of 2, 4 or 8 bytes (knl_parse checked which). */
static uint64_t nla_uint(struct nlattr *a)
{
	if (nla_len(a) == 8)
		return nla_get_u64(a);
	if (nla_len(a) == 4)
		return nla_get_u32(a);
	return nla_get_u16(a);
}

/* PREFIX_addr and PREFIX_port */
static void jadd_addr(struct json_object *o, const char *prefix,
		      struct nlattr *addr, struct nlattr *port)
{
	char buf[INET6_ADDRSTRLEN], key[32];
	int len = addr ? nla_len(addr) : 0;

	if (len != 4 && len != 16)
		return;
	inet_ntop(len == 4 ? AF_INET : AF_INET6, nla_data(addr), buf, sizeof(buf));
	snprintf(key, sizeof(key), "%s_addr", prefix);
	jadd_str(o, key, buf);
	snprintf(key, sizeof(key), "%s_port", prefix);
	if (port)
		jadd_u64(o, key, nla_get_u16(port));
}

static void jadd_remote(struct json_object *o, struct nlattr *addr, struct nlattr *port)
{
	jadd_addr(o, "remote", addr, port);
}

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

#define SS(a) KSRTP_A_SOCK_STATS_##a
static const int sock_counter_attrs[] = {
	SS(RX_PACKETS), SS(RX_SRTP), SS(RX_SRTCP), SS(RX_STUN), SS(RX_DTLS),
	SS(RX_ZRTP), SS(RX_TURN), SS(RX_OTHER), SS(RX_NO_CTX), SS(RX_MALFORMED),
	SS(RX_UPCALL), SS(RX_UPCALL_DROPS), SS(RX_LEARN_DROPS), 0,
	SS(TX_PACKETS), SS(TX_SRTP), SS(TX_SRTCP), SS(TX_PASSTHROUGH),
	SS(TX_NO_CTX), SS(TX_REFUSED),
};
#undef SS

#define CS(a) KSRTP_A_CTX_STATS_##a
static const int ctx_counter_attrs[] = {
	CS(PACKETS), CS(BYTES), CS(AUTH_FAIL), CS(REPLAY_DROP), CS(MALFORMED),
	CS(UNKNOWN_MKI), CS(ROC_ROLLOVER), CS(INDEX_REUSE), CS(LIMIT_DROP),
	CS(LIMIT_EVENTS), CS(KDR_PENDING), CS(HIGHEST_INDEX), 0,
	CS(RTCP_PACKETS), CS(RTCP_BYTES), CS(RTCP_AUTH_FAIL),
	CS(RTCP_REPLAY_DROP), CS(RTCP_INDEX),
};
#undef CS

#define FS(a) KSRTP_A_FWD_STATS_##a
static const int fwd_counter_attrs[] = {
	FS(PACKETS), FS(BYTES), FS(RTCP_PACKETS), FS(RTCP_BYTES), FS(IDLE_MS), 0,
	FS(DEST_PACKETS), 0, FS(PT_DROP), FS(TX_NO_CTX), FS(TX_DROP), FS(SRC_MISMATCH),
};
#undef FS

static const struct counters sock_counters = {
	knl_sock_stats_name, KSRTP_A_SOCK_STATS_MAX, knl_sock_stats_policy,
	sock_counter_attrs, ARRAY_SIZE(sock_counter_attrs)
};
static const struct counters ctx_counters = {
	knl_ctx_stats_name, KSRTP_A_CTX_STATS_MAX, knl_ctx_stats_policy,
	ctx_counter_attrs, ARRAY_SIZE(ctx_counter_attrs)
};

static const struct counters fwd_counters = {
	knl_fwd_stats_name, KSRTP_A_FWD_STATS_MAX, knl_fwd_stats_policy,
	fwd_counter_attrs, ARRAY_SIZE(fwd_counter_attrs)
};

#define COUNTERS_TB 32
_Static_assert(KSRTP_A_SOCK_STATS_MAX < COUNTERS_TB &&
	       KSRTP_A_CTX_STATS_MAX < COUNTERS_TB &&
	       KSRTP_A_FWD_STATS_MAX < COUNTERS_TB, "raise COUNTERS_TB");

/* Unknown attributes (pad, newer counters) are skipped. */
static bool counter_listed(const struct counters *c, int attr)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->attr[i] == attr)
			return true;
	return false;
}

static struct json_object *counters_json(struct nlattr *nest, const struct counters *c)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *tb[COUNTERS_TB];
	size_t i;
	int a;

	if (!nest || knl_parse_nested(tb, c->max, nest, c->pol))
		return o;
	for (i = 0; i < c->n; i++)
		if (c->attr[i] && tb[c->attr[i]])
			jadd_u64(o, jkey(c->name(c->attr[i])), nla_uint(tb[c->attr[i]]));
	for (a = 1; a <= c->max; a++)
		if (tb[a] && c->name(a) && !counter_listed(c, a))
			jadd_u64(o, jkey(c->name(a)), nla_uint(tb[a]));
	return o;
}

static struct json_object *sock_json(struct nlattr **tb)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *a;

	if ((a = tb[KSRTP_A_SOCK_COOKIE]))
		jadd_u64(o, "cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_SOCK_FAMILY])) {
		uint16_t f = nla_get_u16(a);

		if (f == AF_INET || f == AF_INET6)
			jadd_str(o, "family", f == AF_INET ? "inet" : "inet6");
		else
			jadd_u64(o, "family", f);
	}
	if ((a = tb[KSRTP_A_SOCK_LOCAL_PORT]))
		jadd_u64(o, "local_port", nla_get_u16(a));
	if ((a = tb[KSRTP_A_SOCK_N_CTX]))
		jadd_u64(o, "n_ctx", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_UPCALL]))
		jadd(o, "upcall", jflags(nla_get_u32(a), upcall_names,
					 ARRAY_SIZE(upcall_names)));
	if ((a = tb[KSRTP_A_SOCK_MAX_LEARNED]))
		jadd_u64(o, "max_learned", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_UPCALL_PORTID]))
		jadd_u64(o, "upcall_portid", nla_get_u32(a));
	if ((a = tb[KSRTP_A_SOCK_PLAIN_RTP]))
		jadd_str(o, "plain_rtp", NAME(plain_rtp_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_SOCK_REASON]))
		jadd_str(o, "reason", NAME(reason_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_SOCK_STATS]))
		jadd(o, "stats", counters_json(a, &sock_counters));
	return o;
}

static struct json_object *key_json(struct nlattr *nest)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *tb[KSRTP_A_KEY_MAX + 1], *a;
	char hex[2 * KSRTP_MAX_MKI_LEN + 1] = "";
	int i;

	if (knl_parse_nested(tb, KSRTP_A_KEY_MAX, nest, knl_key_policy))
		return o;
	if ((a = tb[KSRTP_A_KEY_ID]))
		jadd_u64(o, "id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_KEY_MKI])) {
		for (i = 0; i < nla_len(a) && i < KSRTP_MAX_MKI_LEN; i++)
			sprintf(hex + 2 * i, "%02x", ((uint8_t *)nla_data(a))[i]);
		jadd_str(o, "mki", hex);
	}
	jadd(o, "active", json_object_new_boolean(!!tb[KSRTP_A_KEY_ACTIVE]));
	if ((a = tb[KSRTP_A_KEY_SRTP_PACKETS]))
		jadd_u64(o, "srtp_packets", nla_uint(a));
	if ((a = tb[KSRTP_A_KEY_SRTCP_PACKETS]))
		jadd_u64(o, "srtcp_packets", nla_uint(a));
	return o;
}

/* Replies carry one KSRTP_A_CTX_KEY nest per key: walk them all. */
static struct json_object *keys_json(struct nl_msg *msg)
{
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));
	struct json_object *keys = json_object_new_array();
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
		if (nla_type(a) == KSRTP_A_CTX_KEY)
			json_object_array_add(keys, key_json(a));
	return keys;
}

/* The ctx set, as replies and notifications use it: only what is present. */
static struct json_object *ctx_json(struct nl_msg *msg)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1], *a;
	struct json_object *o;

	if (knl_parse(msg, tb, KSRTP_A_CTX_MAX, knl_ctx_policy))
		return NULL;
	o = json_object_new_object();
	if ((a = tb[KSRTP_A_CTX_SOCK_COOKIE]))
		jadd_u64(o, "sock_cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_CTX_DIR]))
		jadd_str(o, "dir", NAME(dir_names, nla_get_u32(a)));
	if ((a = tb[KSRTP_A_CTX_SSRC]))
		jadd_u64(o, "ssrc", nla_get_u32(a));
	jadd(o, "ssrc_any", json_object_new_boolean(!!tb[KSRTP_A_CTX_SSRC_ANY]));
	if ((a = tb[KSRTP_A_CTX_SUITE]))
		jadd_str(o, "suite", suite_name(nla_get_u32(a)));
	if ((a = tb[KSRTP_A_CTX_ORIGIN]))
		jadd_str(o, "origin", NAME(origin_names, nla_get_u32(a)));
	jadd_remote(o, tb[KSRTP_A_CTX_REMOTE_ADDR], tb[KSRTP_A_CTX_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_CTX_WINDOW]))
		jadd_u64(o, "window", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_ROC]))
		jadd_u64(o, "roc", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_FLAGS]))
		jadd(o, "flags", jflags(nla_get_u32(a), option_names,
					ARRAY_SIZE(option_names)));
	if ((a = tb[KSRTP_A_CTX_SOFT_LIMIT]))
		jadd_u64(o, "soft_limit", nla_get_u64(a));
	if ((a = tb[KSRTP_A_CTX_KDR]) && nla_get_u32(a))
		jadd_u64(o, "kdr", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_KEY_ID]))
		jadd_u64(o, "key_id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_CTX_LIMIT]))
		jadd_str(o, "limit", NAME(limit_names, nla_get_u32(a)));
	if (tb[KSRTP_A_CTX_KEY])
		jadd(o, "keys", keys_json(msg));
	if ((a = tb[KSRTP_A_CTX_STATS]))
		jadd(o, "stats", counters_json(a, &ctx_counters));
	return o;
}

/*
 * Text output is rendered from the JSON objects, field by field:
 * " label value" for each key present, in the order given.
 */
enum tkind { T_VAL, T_SSRC, T_REMOTE, T_FLAG };

struct tfield {
	const char *key, *label;
	enum tkind kind;
};

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Scalars as JSON prints them (without quotes); arrays joined by sep. */
static void tvalue(struct json_object *v, const char *sep)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array)) {
		fputs(json_object_get_string(v), stdout);
		return;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? sep : "",
		       json_object_get_string(json_object_array_get_idx(v, i)));
}

static void tfield(struct json_object *o, const struct tfield *f, bool *first)
{
	struct json_object *v = jget(o, f->key);
	const char *sep = *first ? "" : " ";

	if (f->kind == T_SSRC) {
		if (v)
			printf("%s%s 0x%08" PRIx64, sep, f->label, json_object_get_uint64(v));
		else if (json_object_get_boolean(jget(o, "ssrc_any")))
			printf("%s%s any", sep, f->label);
		else
			return;
	} else if (!v || (f->kind == T_FLAG && !json_object_get_boolean(v)) ||
		   (json_object_is_type(v, json_type_array) &&
		    !json_object_array_length(v))) {
		return;
	} else if (f->kind == T_FLAG) {
		printf("%s%s", sep, f->label);
	} else if (f->kind == T_REMOTE) {
		const char *addr = json_object_get_string(v);
		bool v6 = strchr(addr, ':');
		char port[32];

		/* "remote_addr" goes with "remote_port", "rx_remote_addr" with ... */
		snprintf(port, sizeof(port), "%.*s_port",
			 (int)(strlen(f->key) - strlen("_addr")), f->key);
		printf("%s%s %s%s%s:%" PRIu64, sep, f->label, v6 ? "[" : "", addr,
		       v6 ? "]" : "", json_object_get_uint64(jget(o, port)));
	} else {
		printf("%s%s ", sep, f->label);
		tvalue(v, ",");
	}
	*first = false;
}

/* One line: indent, then the fields present. */
static void tline(const char *indent, struct json_object *o, const struct tfield *f, size_t n)
{
	bool first = true;
	size_t i;

	fputs(indent, stdout);
	for (i = 0; i < n; i++)
		tfield(o, &f[i], &first);
	putchar('\n');
}

static void tcounter(const char *indent, struct json_object *st, const char *name,
		     bool *open)
{
	struct json_object *v = jget(st, jkey(name));

	if (!v)
		return;
	printf("%s%s %s", *open ? " " : indent, name, json_object_get_string(v));
	*open = true;
}

static void tcounters(const char *indent, struct json_object *st,
		      const struct counters *c)
{
	bool open = false;
	size_t i;
	int a;

	for (i = 0; i <= c->n; i++) {
		if (i == c->n || !c->attr[i]) {
			if (open)
				putchar('\n');
			open = false;
			continue;
		}
		tcounter(indent, st, c->name(c->attr[i]), &open);
	}
	for (a = 1; a <= c->max; a++)
		if (c->name(a) && !counter_listed(c, a))
			tcounter(indent, st, c->name(a), &open);
	if (open)
		putchar('\n');
}

/* ------------------------------------------------------------ info */

static int info_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_INFO_MAX + 1];
	struct json_object *o = arg, *suite_list;
	uint32_t f = 0, s = 0, i;

	if (knl_parse(msg, tb, KSRTP_A_INFO_MAX, knl_info_policy))
		return -1;
	if (tb[KSRTP_A_INFO_VERSION])
		jadd_u64(o, "api_version", nla_get_u32(tb[KSRTP_A_INFO_VERSION]));
	if (tb[KSRTP_A_INFO_MODULE_VERSION])
		jadd_str(o, "module_version",
			 nla_get_string(tb[KSRTP_A_INFO_MODULE_VERSION]));
	if (tb[KSRTP_A_INFO_FEATURES])
		f = nla_get_u32(tb[KSRTP_A_INFO_FEATURES]);
	jadd(o, "features", jflags(f, feature_names, ARRAY_SIZE(feature_names)));
	if (tb[KSRTP_A_INFO_SUITES])
		s = nla_get_u32(tb[KSRTP_A_INFO_SUITES]);
	suite_list = json_object_new_array();
	for (i = 0; i < 32; i++)
		if (s & (1u << i))
			json_object_array_add(suite_list,
					      json_object_new_string(suite_name(i)));
	jadd(o, "suites", suite_list);
	if (tb[KSRTP_A_INFO_GCM_DRIVER])
		jadd_str(o, "gcm_driver",
			 nla_get_string(tb[KSRTP_A_INFO_GCM_DRIVER]));
	if (tb[KSRTP_A_INFO_CTR_DRIVER])
		jadd_str(o, "ctr_driver",
			 nla_get_string(tb[KSRTP_A_INFO_CTR_DRIVER]));
	if (tb[KSRTP_A_INFO_F8_DRIVER])
		jadd_str(o, "f8_driver",
			 nla_get_string(tb[KSRTP_A_INFO_F8_DRIVER]));
	return 0;
}

static void info_list(const char *label, struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("    %s:", label);
	for (i = 0; i < n; i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(arr, i)));
	putchar('\n');
}

static int cmd_info(int argc, char **argv)
{
	struct json_object *o;
	int rc;

	(void)argv;
	if (argc)
		return usage_err("takes no arguments");
	if (nl_ready())
		return 1;
	o = json_object_new_object();
	rc = run(knl_msg(&nl, KSRTP_CMD_INFO_GET, 0), info_reply, o);
	if (!rc && json_out) {
		print_json(o);
	} else if (!rc) {
		printf("ksrtp module %s api %s\n",
		       json_object_get_string(jget(o, "module_version")),
		       json_object_get_string(jget(o, "api_version")));
		info_list("features", jget(o, "features"));
		info_list("suites", jget(o, "suites"));
		if (jget(o, "gcm_driver"))
			printf("    drivers: gcm %s, ctr %s, f8 %s\n",
			       json_object_get_string(jget(o, "gcm_driver")),
			       json_object_get_string(jget(o, "ctr_driver")),
			       jget(o, "f8_driver") ?
			       json_object_get_string(jget(o, "f8_driver")) : "-");
	}
	json_object_put(o);
	return rc;
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

static int cmd_attach(int argc, char **argv)
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

static int cmd_detach(int argc, char **argv)
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
static int cmd_set(int argc, char **argv)
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

static int cmd_ctx_add(int argc, char **argv)
{
	return key_material_cmd(argc, argv,
				SEL_ALL | A_SUITE | A_KEY | A_KEY_ID | A_MKI |
				A_ROC | A_SEQ | A_WINDOW | A_OPTIONS | A_KDR |
				A_SOFT_LIMIT,
				SEL_REQ | A_SUITE | A_KEY, KSRTP_CMD_CTX_NEW, put_new);
}

static int cmd_key_add(int argc, char **argv)
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

static int cmd_ctx_del(int argc, char **argv)
{
	return selector_cmd(argc, argv, 0, KSRTP_CMD_CTX_DEL, NULL);
}

static int cmd_key_swap(int argc, char **argv)
{
	return selector_cmd(argc, argv, A_KEY_ID, KSRTP_CMD_KEY_SWAP, put_key_id);
}

static int cmd_key_del(int argc, char **argv)
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

static size_t jlen(struct json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ?
		json_object_array_length(arr) : 0;
}

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

static int cmd_show(int argc, char **argv)
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

/* ------------------------------------------------------------ forwards */

static int put_fwd(struct nl_msg *m, const struct args *a)
{
	return nla_put_u64(m, KSRTP_A_FWD_RX_SOCK_COOKIE, a->rx_cookie) ||
	       (a->ssrc_any ? nla_put_flag(m, KSRTP_A_FWD_SSRC_ANY) :
			      nla_put_u32(m, KSRTP_A_FWD_SSRC, a->ssrc)) ||
	       nla_put_u64(m, KSRTP_A_FWD_TX_SOCK_COOKIE, a->tx_cookie) ||
	       put_remote(m, KSRTP_A_FWD_REMOTE_ADDR, KSRTP_A_FWD_REMOTE_PORT, &a->to) ||
	       ((a->seen & A_SSRC_OUT) &&
		nla_put_u32(m, KSRTP_A_FWD_SSRC_OUT, a->ssrc_out)) ||
	       ((a->seen & A_SEQ_OFFSET) &&
		nla_put_u16(m, KSRTP_A_FWD_SEQ_OFFSET, a->seq_offset)) ||
	       ((a->seen & A_TS_OFFSET) &&
		nla_put_u32(m, KSRTP_A_FWD_TS_OFFSET, a->ts_offset)) ||
	       ((a->seen & A_PT) &&
		nla_put(m, KSRTP_A_FWD_PT_FILTER, sizeof(a->pt), a->pt)) ||
	       ((a->seen & A_FWD_FLAGS) &&
		nla_put_u32(m, KSRTP_A_FWD_FLAGS, a->fwd_flags)) ||
	       ((a->seen & A_IDLE_TIMEOUT) &&
		nla_put_u32(m, KSRTP_A_FWD_IDLE_TIMEOUT_MS, a->idle_timeout)) ||
	       ((a->seen & A_FROM) &&
		put_remote(m, KSRTP_A_FWD_RX_REMOTE_ADDR, KSRTP_A_FWD_RX_REMOTE_PORT,
			   &a->from));
}

static int fwd_add_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_FWD_MAX, knl_fwd_policy) ||
	    !tb[KSRTP_A_FWD_ID])
		return -1;
	*(uint32_t *)arg = nla_get_u32(tb[KSRTP_A_FWD_ID]);
	return 0;
}

static int cmd_fwd_add(int argc, char **argv)
{
	struct json_object *o;
	struct nl_msg *msg;
	struct args a;
	uint32_t id = 0;
	int rc;

	rc = parse_args(argc, argv, &a,
			A_RX | A_SSRC | A_TX | A_TO | A_SSRC_OUT | A_SEQ_OFFSET |
			A_TS_OFFSET | A_PT | A_FWD_FLAGS | A_FROM | A_IDLE_TIMEOUT,
			A_RX | A_SSRC | A_TX | A_TO);
	if (rc)
		return rc;
	if (a.ssrc_any && (a.seen & A_SSRC_OUT))
		return usage_err("ssrc-out: an 'ssrc any' forward keeps each stream's SSRC");
	msg = request(KSRTP_CMD_FWD_ADD, 0);
	if (!msg)
		return 1;
	if (put_fwd(msg, &a))
		return build_err(msg);
	rc = run(msg, fwd_add_reply, &id);
	if (rc)
		return rc;
	if (json_out) {
		o = json_object_new_object();
		jadd_u64(o, "id", id);
		print_json(o);
		json_object_put(o);
	} else {
		printf("fwd %" PRIu32 "\n", id);
	}
	return 0;
}

/* fwd dest-add / dest-del: one destination of the encrypt-once fan-out. */
static int fwd_dest_cmd(int argc, char **argv, int cmd)
{
	struct nlattr *nest;
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID | A_TO, A_ID | A_TO);
	if (rc)
		return rc;
	msg = request(cmd, 0);
	if (!msg)
		return 1;
	if (nla_put_u32(msg, KSRTP_A_FWD_ID, a.id) ||
	    !(nest = nla_nest_start(msg, KSRTP_A_FWD_DEST)) ||
	    put_remote(msg, KSRTP_A_FWD_DEST_ADDR, KSRTP_A_FWD_DEST_PORT, &a.to))
		return build_err(msg);
	nla_nest_end(msg, nest);
	return run(msg, NULL, NULL);
}

static int cmd_fwd_dest_add(int argc, char **argv)
{
	return fwd_dest_cmd(argc, argv, KSRTP_CMD_FWD_DEST_ADD);
}

static int cmd_fwd_dest_del(int argc, char **argv)
{
	return fwd_dest_cmd(argc, argv, KSRTP_CMD_FWD_DEST_DEL);
}

static int cmd_fwd_del(int argc, char **argv)
{
	struct nl_msg *msg;
	struct args a;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID, A_ID);
	if (rc)
		return rc;
	msg = request(KSRTP_CMD_FWD_DEL, 0);
	if (!msg)
		return 1;
	if (nla_put_u32(msg, KSRTP_A_FWD_ID, a.id))
		return build_err(msg);
	return run(msg, NULL, NULL);
}

/* The filter's payload types as numbers. */
static struct json_object *pt_json(struct nlattr *a)
{
	struct json_object *arr = json_object_new_array();
	const uint8_t *bits = nla_data(a);
	int pt;

	for (pt = 0; pt < 128; pt++)
		if (bits[pt / 8] & (1u << (pt % 8)))
			json_object_array_add(arr, json_object_new_int(pt));
	return arr;
}

/* The encrypt-once destinations as "ADDR:PORT" strings. */
static struct json_object *dests_json(struct nl_msg *msg)
{
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));
	struct json_object *arr = json_object_new_array();
	struct nlattr *tb[KSRTP_A_FWD_DEST_MAX + 1], *a;
	char ip[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	int rem, len;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (nla_type(a) != KSRTP_A_FWD_DEST ||
		    knl_parse_nested(tb, KSRTP_A_FWD_DEST_MAX, a, knl_fwd_dest_policy) ||
		    !tb[KSRTP_A_FWD_DEST_ADDR] || !tb[KSRTP_A_FWD_DEST_PORT])
			continue;
		len = nla_len(tb[KSRTP_A_FWD_DEST_ADDR]);
		inet_ntop(len == 4 ? AF_INET : AF_INET6,
			  nla_data(tb[KSRTP_A_FWD_DEST_ADDR]), ip, sizeof(ip));
		snprintf(buf, sizeof(buf), len == 4 ? "%s:%u" : "[%s]:%u", ip,
			 nla_get_u16(tb[KSRTP_A_FWD_DEST_PORT]));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

/* The fwd set, as replies and notifications use it: only what is present. */
static struct json_object *fwd_json(struct nl_msg *msg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1], *a;
	struct json_object *o;

	if (knl_parse(msg, tb, KSRTP_A_FWD_MAX, knl_fwd_policy))
		return NULL;
	o = json_object_new_object();
	if ((a = tb[KSRTP_A_FWD_ID]))
		jadd_u64(o, "id", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_RX_SOCK_COOKIE]))
		jadd_u64(o, "rx_sock_cookie", nla_get_u64(a));
	if ((a = tb[KSRTP_A_FWD_SSRC]))
		jadd_u64(o, "ssrc", nla_get_u32(a));
	jadd(o, "ssrc_any", json_object_new_boolean(!!tb[KSRTP_A_FWD_SSRC_ANY]));
	if ((a = tb[KSRTP_A_FWD_TX_SOCK_COOKIE]))
		jadd_u64(o, "tx_sock_cookie", nla_get_u64(a));
	jadd_remote(o, tb[KSRTP_A_FWD_REMOTE_ADDR], tb[KSRTP_A_FWD_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_FWD_SSRC_OUT]))
		jadd_u64(o, "ssrc_out", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_SEQ_OFFSET]))
		jadd_u64(o, "seq_offset", nla_get_u16(a));
	if ((a = tb[KSRTP_A_FWD_TS_OFFSET]))
		jadd_u64(o, "ts_offset", nla_get_u32(a));
	if ((a = tb[KSRTP_A_FWD_PT_FILTER]))
		jadd(o, "pt_filter", pt_json(a));
	if ((a = tb[KSRTP_A_FWD_FLAGS]))
		jadd(o, "flags", jflags(nla_get_u32(a), fwd_flag_names,
					ARRAY_SIZE(fwd_flag_names)));
	jadd_addr(o, "rx_remote", tb[KSRTP_A_FWD_RX_REMOTE_ADDR],
		  tb[KSRTP_A_FWD_RX_REMOTE_PORT]);
	if ((a = tb[KSRTP_A_FWD_IDLE_TIMEOUT_MS]) && nla_get_u32(a))
		jadd_u64(o, "idle_timeout_ms", nla_get_u32(a));
	if (tb[KSRTP_A_FWD_DEST])
		jadd(o, "dests", dests_json(msg));
	if ((a = tb[KSRTP_A_FWD_STATS]))
		jadd(o, "stats", counters_json(a, &fwd_counters));
	return o;
}

static int fwd_reply(struct nl_msg *msg, void *arg)
{
	struct json_object *o = fwd_json(msg);

	if (!o)
		return -1;
	json_object_array_add(arg, o);
	return 0;
}

static const struct tfield fwd_fields[] = {
	{ "id", "fwd", T_VAL }, { "rx_sock_cookie", "rx", T_VAL },
	{ "ssrc", "ssrc", T_SSRC }, { "tx_sock_cookie", "tx", T_VAL },
	{ "remote_addr", "to", T_REMOTE }, { "ssrc_out", "ssrc-out", T_SSRC },
	{ "seq_offset", "seq-offset", T_VAL }, { "ts_offset", "ts-offset", T_VAL },
	{ "pt_filter", "pt", T_VAL }, { "flags", "flags", T_VAL },
	{ "rx_remote_addr", "from", T_REMOTE },
	{ "idle_timeout_ms", "idle-timeout", T_VAL }, { "dests", "dests", T_VAL },
};

static int cmd_fwd_show(int argc, char **argv)
{
	struct json_object *fwds;
	struct nl_msg *msg;
	struct args a;
	size_t i;
	int rc;

	rc = parse_args(argc, argv, &a, A_ID | A_RX, 0);
	if (rc)
		return rc;
	if ((a.seen & A_ID) && (a.seen & A_RX))
		return usage_err("give id or rx, not both");
	msg = request(KSRTP_CMD_FWD_GET, a.seen & A_ID ? 0 : NLM_F_DUMP);
	if (!msg)
		return 1;
	if (((a.seen & A_ID) && nla_put_u32(msg, KSRTP_A_FWD_ID, a.id)) ||
	    ((a.seen & A_RX) &&
	     nla_put_u64(msg, KSRTP_A_FWD_RX_SOCK_COOKIE, a.rx_cookie)))
		return build_err(msg);
	fwds = json_object_new_array();
	rc = run(msg, fwd_reply, fwds);
	if (!rc && json_out)
		print_json(fwds);
	for (i = 0; !rc && !json_out && i < jlen(fwds); i++) {
		struct json_object *f = json_object_array_get_idx(fwds, i);

		tline("", f, fwd_fields, ARRAY_SIZE(fwd_fields));
		tcounters("    ", jget(f, "stats"), &fwd_counters);
	}
	json_object_put(fwds);
	return rc;
}

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

static int cmd_monitor(int argc, char **argv)
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

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksrtpctl [-j] [-p] COMMAND [ARGS]\n"
		"       ksrtpctl -V | --version\n"
		"\n"
		"Commands:\n"
		"  info              API version, features and suites of the module\n"
		"  attach [pid PID] fd FD [upcall dtls,zrtp|none] [max-learned N]\n"
		"         [plain-rtp drop|until-keyed|allow]\n"
		"                    attach a UDP socket: fd FD of process PID, or of\n"
		"                    ksrtpctl itself (inherited); prints its cookie\n"
		"  detach sock COOKIE\n"
		"  set sock COOKIE [upcall dtls,zrtp|none] [max-learned N]\n"
		"         [plain-rtp drop|until-keyed|allow]\n"
		"                    change an attached socket; upcall also sends its\n"
		"                    upcalls to ksrtpctl, which exits: use upcall none\n"
		"  show [sock COOKIE]\n"
		"                    sockets, their contexts, keys and counters\n"
		"  ctx add CTX suite SUITE key BASE64 [key-id N] [mki HEX] [roc N]\n"
		"          [seq N] [window N] [options OPT[,OPT...]] [kdr N]\n"
		"          [soft-limit N]\n"
		"  ctx del CTX\n"
		"  key add CTX suite SUITE key BASE64 key-id N [mki HEX]\n"
		"  key swap CTX key-id N\n"
		"                    make key N the one TX uses\n"
		"  key del CTX key-id N\n"
		"  fwd add rx COOKIE ssrc SSRC|any tx COOKIE to ADDR:PORT [ssrc-out SSRC]\n"
		"          [seq-offset N] [ts-offset N] [pt PTS] [flags FWDFLAG[,FWDFLAG...]]\n"
		"          [from ADDR:PORT] [idle-timeout MS]\n"
		"                    relay SSRC's packets that authenticate on socket rx\n"
		"                    out of socket tx (its TX context of ssrc-out) to\n"
		"                    ADDR:PORT in the kernel; prints the forward's id\n"
		"  fwd del id ID\n"
		"  fwd dest-add id ID to ADDR:PORT\n"
		"  fwd dest-del id ID to ADDR:PORT\n"
		"                    encrypt-once fan-out: the packet the forward\n"
		"                    protected once also goes to ADDR:PORT\n"
		"  fwd show [id ID | rx COOKIE]\n"
		"                    forwards and their counters\n"
		"  monitor           print events until SIGINT/SIGTERM\n"
		"  help              this text\n"
		"\n"
		"  CTX    := sock COOKIE dir rx|tx ssrc SSRC|any [remote ADDR:PORT]\n"
		"  ADDR:PORT := 192.0.2.1:5004 | [2001:db8::1]:5004\n"
		"  SUITE  := AES_CM_128_HMAC_SHA1_80 | AES_CM_128_HMAC_SHA1_32 |\n"
		"            AES_192_CM_HMAC_SHA1_80 | AES_192_CM_HMAC_SHA1_32 |\n"
		"            AES_256_CM_HMAC_SHA1_80 | AES_256_CM_HMAC_SHA1_32 |\n"
		"            AEAD_AES_128_GCM | AEAD_AES_256_GCM |\n"
		"            NULL_HMAC_SHA1_80 | NULL_HMAC_SHA1_32 |\n"
		"            F8_128_HMAC_SHA1_80 | F8_128_HMAC_SHA1_32\n"
		"  BASE64 := master key || master salt, as in an SDES inline key\n"
		"  OPT    := unencrypted_srtp | unencrypted_srtcp | unauthenticated_srtp\n"
		"  HEX    := 1 to 4 bytes, e.g. 01 or 0x0000002a\n"
		"  PTS    := payload types forwarded, e.g. 0,8,96-127 (default all)\n"
		"  FWDFLAG := copy-to-app | plain-in | plain-out | latch | none\n"
		"            (plain-in: from ADDR:PORT, or latch to the first source)\n"
		"  Numbers are decimal or 0x hex.\n"
		"\n"
		"Options:\n"
		"  -j, --json        JSON output\n"
		"  -p, --pretty      pretty-print JSON\n"
		"  -h, --help        this text\n"
		"  -V, --version     print the version and exit\n");
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int dispatch(const char *group, const struct command *c, size_t n,
		    int argc, char **argv)
{
	static char name[32];
	char names[64] = "";
	size_t i;

	for (i = 0; argc && i < n; i++) {
		if (strcmp(argv[0], c[i].name))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", group, *group ? " " : "",
			 c[i].name);
		cmd_name = name;
		return c[i].fn(argc - 1, argv + 1);
	}
	if (argc)
		return usage_err("unknown command '%s'", argv[0]);
	for (i = 0; i < n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? "|" : "", c[i].name);
	return usage_err("expected %s", names);
}

static const struct command ctx_commands[] = {
	{ "add", cmd_ctx_add },
	{ "del", cmd_ctx_del },
};

static const struct command fwd_commands[] = {
	{ "add", cmd_fwd_add },
	{ "del", cmd_fwd_del },
	{ "dest-add", cmd_fwd_dest_add },
	{ "dest-del", cmd_fwd_dest_del },
	{ "show", cmd_fwd_show },
};

static const struct command key_commands[] = {
	{ "add", cmd_key_add },
	{ "swap", cmd_key_swap },
	{ "del", cmd_key_del },
};

static int cmd_ctx(int argc, char **argv)
{
	return dispatch("ctx", ctx_commands, ARRAY_SIZE(ctx_commands), argc, argv);
}

static int cmd_key(int argc, char **argv)
{
	return dispatch("key", key_commands, ARRAY_SIZE(key_commands), argc, argv);
}

static int cmd_fwd(int argc, char **argv)
{
	return dispatch("fwd", fwd_commands, ARRAY_SIZE(fwd_commands), argc, argv);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct command commands[] = {
	{ "info", cmd_info },
	{ "attach", cmd_attach },
	{ "detach", cmd_detach },
	{ "set", cmd_set },
	{ "show", cmd_show },
	{ "ctx", cmd_ctx },
	{ "key", cmd_key },
	{ "fwd", cmd_fwd },
	{ "monitor", cmd_monitor },
	{ "help", cmd_help },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c, rc;

	opterr = 0;	/* one message, ours */
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'p': pretty = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ksrtpctl " KSRTP_VERSION "\n"); return 0;
		default: return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc)
		return usage_err("missing command");
	rc = dispatch("", commands, ARRAY_SIZE(commands), argc, argv);
	knl_close(&nl);
	return rc;
}
