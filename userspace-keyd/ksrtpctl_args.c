// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl: the names of the module's values, and KEYWORD VALUE argument
 * parsing into struct args.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "keyd/b64.h"
#include "ksrtpctl.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* ------------------------------------------------------------ names */

/* Indexed by enum ksrtp_suite; the lengths cut an SDES inline key. */
const struct suite suites[] = {
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
const char *const upcall_names[] = { "dtls", "zrtp" };
const char *const fwd_flag_names[] = {
	"copy-to-app", "plain-in", "plain-out", "latch",
};
const char *const option_names[] = {
	"unencrypted_srtp", "unencrypted_srtcp", "unauthenticated_srtp",
};
_Static_assert(KSRTP_UPCALL_ZRTP == 1 << (ARRAY_SIZE(upcall_names) - 1),
	       "upcall_names is stale");
_Static_assert(KSRTP_FWD_FLAGS_LATCH == 1 << (ARRAY_SIZE(fwd_flag_names) - 1),
	       "fwd_flag_names is stale");
_Static_assert(KSRTP_CTX_FLAGS_UNAUTHENTICATED_SRTP == 1 << (ARRAY_SIZE(option_names) - 1),
	       "option_names is stale");

/* Enums: indexed by value. */
const char *const dir_names[] = {
	[KSRTP_DIR_RX] = "rx", [KSRTP_DIR_TX] = "tx",
};
const char *const plain_rtp_names[] = {
	[KSRTP_PLAIN_RTP_DROP] = "drop",
	[KSRTP_PLAIN_RTP_UNTIL_KEYED] = "until-keyed",
	[KSRTP_PLAIN_RTP_ALLOW] = "allow",
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

const char *name_of(const char *const *tbl, size_t n, uint32_t v)
{
	return v < n && tbl[v] ? tbl[v] : unknown(v);
}

const char *suite_name(uint32_t v)
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

/* ------------------------------------------------------------ arguments */

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
int parse_args(int argc, char **argv, struct args *a,
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
int check_key(const struct args *a)
{
	const struct suite *s = &suites[a->suite];

	if (a->key_len == s->key_len + s->salt_len)
		return 0;
	return usage_err("key: %s takes %u bytes (%u-byte key + %u-byte salt), "
			 "the base64 decodes to %zu", s->name,
			 s->key_len + s->salt_len, s->key_len, s->salt_len,
			 a->key_len);
}
