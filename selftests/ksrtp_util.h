/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the ksrtp datapath selftests: the ksrtp netlink commands
 * (raw, via ksft_nl.h), UDP socket pairs, RTP/RTCP packets, and libsrtp2 as
 * the independent peer.
 */
#ifndef KSRTP_UTIL_H
#define KSRTP_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/time.h>
#include <linux/ksrtp.h>
#include <srtp2/srtp.h>

#include "ksft_nl.h"

/* ------------------------------------------------------------ suites */

struct suite_desc {
	const char *name;
	uint32_t id;
	int key_len, salt_len;
	int srtp_tag, srtcp_tag;
};

static const struct suite_desc suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 16, 14, 10, 10 },
	{ "AES_CM_128_HMAC_SHA1_32", KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 16, 14, 4, 10 },
	{ "AES_192_CM_HMAC_SHA1_80", KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80, 24, 14, 10, 10 },
	{ "AES_192_CM_HMAC_SHA1_32", KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32, 24, 14, 4, 10 },
	{ "AES_256_CM_HMAC_SHA1_80", KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80, 32, 14, 10, 10 },
	{ "AES_256_CM_HMAC_SHA1_32", KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32, 32, 14, 4, 10 },
	{ "AEAD_AES_128_GCM", KSRTP_SUITE_AEAD_AES_128_GCM, 16, 12, 16, 16 },
	{ "AEAD_AES_256_GCM", KSRTP_SUITE_AEAD_AES_256_GCM, 32, 12, 16, 16 },
	{ "NULL_HMAC_SHA1_80", KSRTP_SUITE_NULL_HMAC_SHA1_80, 16, 14, 10, 10 },
	{ "NULL_HMAC_SHA1_32", KSRTP_SUITE_NULL_HMAC_SHA1_32, 16, 14, 4, 10 },
	/* not in libsrtp2: tested against srtp_ossl.h only */
	{ "F8_128_HMAC_SHA1_80", KSRTP_SUITE_F8_128_HMAC_SHA1_80, 16, 14, 10, 10 },
	{ "F8_128_HMAC_SHA1_32", KSRTP_SUITE_F8_128_HMAC_SHA1_32, 16, 14, 4, 10 },
};

static inline const struct suite_desc *suite_by_id(uint32_t id)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

/* libsrtp2's policy for a suite; SRTCP keeps an 80-bit tag (RFC 4568). */
static inline void srtp_policy_for(const struct suite_desc *s, srtp_policy_t *p)
{
	srtp_crypto_policy_t *rtp = &p->rtp, *rtcp = &p->rtcp;

	switch (s->id) {
	case KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		break;
	case KSRTP_SUITE_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
		break;
	case KSRTP_SUITE_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
		break;
	case KSRTP_SUITE_NULL_HMAC_SHA1_80:
	case KSRTP_SUITE_NULL_HMAC_SHA1_32:
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtcp);
		if (s->id == KSRTP_SUITE_NULL_HMAC_SHA1_32)
			rtp->auth_tag_len = 4;
		break;
	}
}

/* A libsrtp2 session for one SSRC (or any inbound), one or more keys. */
struct ref_srtp {
	srtp_t s;
	srtp_master_key_t mk[4], *mkp[4];
	uint8_t keys[4][46];
	uint8_t mkis[4][4];
};

static inline int ref_init(struct ref_srtp *r, const struct suite_desc *s,
			   bool inbound, uint32_t ssrc, bool any,
			   const uint8_t keys[][46], int nkeys, int mki_len)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	srtp_policy_for(s, &p);
	p.ssrc.type = any ? (inbound ? ssrc_any_inbound : ssrc_any_outbound) :
			    ssrc_specific;
	p.ssrc.value = ssrc;
	p.window_size = 1024;
	p.allow_repeat_tx = 0;
	for (int i = 0; i < nkeys; i++) {
		memcpy(r->keys[i], keys[i], s->key_len + s->salt_len);
		if (s->salt_len == 12)	/* libsrtp: GCM salt after the key */
			memset(r->keys[i] + s->key_len + 12, 0, 2);
		for (int j = 0; j < 4; j++)
			r->mkis[i][j] = 0xa0 + 16 * i + j;
		r->mk[i].key = r->keys[i];
		r->mk[i].mki_id = r->mkis[i];
		r->mk[i].mki_size = mki_len;
		r->mkp[i] = &r->mk[i];
	}
	if (mki_len) {
		p.keys = r->mkp;
		p.num_master_keys = nkeys;
	} else {
		p.key = r->keys[0];
	}
	return srtp_create(&r->s, &p);
}

/* The MKI ref_init gives key i. */
static inline void ref_mki(int i, uint8_t *mki)
{
	for (int j = 0; j < 4; j++)
		mki[j] = 0xa0 + 16 * i + j;
}

/* ------------------------------------------------------------ netlink */

struct ksrtp_nl {
	int fd;
	struct genl_family_info fam;
};

static inline int kn_open(struct ksrtp_nl *k)
{
	k->fd = nl_open();
	if (k->fd < 0)
		return k->fd;
	return genl_resolve(k->fd, KSRTP_FAMILY_NAME, &k->fam);
}

static inline void kn_msg(struct ksrtp_nl *k, struct nlmsg *m, uint8_t cmd,
			  uint16_t flags)
{
	nl_init(m, k->fam.id, flags, cmd, KSRTP_FAMILY_VERSION);
}

static int cookie_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	if (!nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) && tb[KSRTP_A_SOCK_COOKIE])
		*(uint64_t *)arg = nl_u64(tb[KSRTP_A_SOCK_COOKIE]);
	return 0;
}

static inline int kn_attach_max(struct ksrtp_nl *k, int fd, uint32_t upcall,
				uint32_t max_learned, uint64_t *cookie,
				struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_ATTACH, 0);
	nl_put_u32(&m, KSRTP_A_SOCK_FD, fd);
	if (upcall)
		nl_put_u32(&m, KSRTP_A_SOCK_UPCALL, upcall);
	if (max_learned)
		nl_put_u32(&m, KSRTP_A_SOCK_MAX_LEARNED, max_learned);
	*cookie = 0;
	return nl_talk(k->fd, &m, cookie_cb, cookie, r);
}

static inline int kn_attach(struct ksrtp_nl *k, int fd, uint32_t upcall,
			    uint64_t *cookie, struct nl_reply *r)
{
	return kn_attach_max(k, fd, upcall, 0, cookie, r);
}

/* What names a context, and what ctx-new and key-add send. */
struct ctx_spec {
	uint64_t cookie;
	uint32_t dir;
	uint32_t ssrc;
	bool any;
	const struct sockaddr_storage *remote;
	uint32_t suite;
	const uint8_t *key;	/* key || salt */
	uint32_t key_id;
	const uint8_t *mki;
	int mki_len;
	int64_t roc, seq, window, soft_limit;
	uint32_t flags;
	uint32_t kdr;		/* key derivation rate, 0: none sent */
};

static inline void kn_put_id(struct nlmsg *m, const struct ctx_spec *c)
{
	nl_put_u64(m, KSRTP_A_CTX_SOCK_COOKIE, c->cookie);
	nl_put_u32(m, KSRTP_A_CTX_DIR, c->dir);
	if (c->any)
		nl_put(m, KSRTP_A_CTX_SSRC_ANY, NULL, 0);
	else
		nl_put_u32(m, KSRTP_A_CTX_SSRC, c->ssrc);
	if (c->remote) {
		if (c->remote->ss_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)c->remote;

			nl_put(m, KSRTP_A_CTX_REMOTE_ADDR, &s->sin_addr, 4);
			nl_put_u16(m, KSRTP_A_CTX_REMOTE_PORT, ntohs(s->sin_port));
		} else {
			const struct sockaddr_in6 *s = (const void *)c->remote;

			nl_put(m, KSRTP_A_CTX_REMOTE_ADDR, &s->sin6_addr, 16);
			nl_put_u16(m, KSRTP_A_CTX_REMOTE_PORT, ntohs(s->sin6_port));
		}
	}
}

static inline void kn_put_key(struct nlmsg *m, const struct ctx_spec *c)
{
	const struct suite_desc *s = suite_by_id(c->suite);
	struct nlattr *n = nl_nest_start(m, KSRTP_A_CTX_KEY);

	nl_put_u32(m, KSRTP_A_KEY_ID, c->key_id);
	nl_put(m, KSRTP_A_KEY_MASTER_KEY, c->key, s->key_len);
	nl_put(m, KSRTP_A_KEY_MASTER_SALT, c->key + s->key_len, s->salt_len);
	if (c->mki_len)
		nl_put(m, KSRTP_A_KEY_MKI, c->mki, c->mki_len);
	nl_nest_end(m, n);
}

static inline int kn_ctx_new(struct ksrtp_nl *k, const struct ctx_spec *c,
			     struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_CTX_NEW, 0);
	kn_put_id(&m, c);
	nl_put_u32(&m, KSRTP_A_CTX_SUITE, c->suite);
	kn_put_key(&m, c);
	if (c->roc >= 0)
		nl_put_u32(&m, KSRTP_A_CTX_ROC, c->roc);
	if (c->seq >= 0)
		nl_put_u16(&m, KSRTP_A_CTX_SEQ, c->seq);
	if (c->window > 0)
		nl_put_u32(&m, KSRTP_A_CTX_WINDOW, c->window);
	if (c->soft_limit > 0)
		nl_put_u64(&m, KSRTP_A_CTX_SOFT_LIMIT, c->soft_limit);
	if (c->flags)
		nl_put_u32(&m, KSRTP_A_CTX_FLAGS, c->flags);
	if (c->kdr)
		nl_put_u32(&m, KSRTP_A_CTX_KDR, c->kdr);
	return nl_talk(k->fd, &m, NULL, NULL, r);
}

static inline int kn_key_cmd(struct ksrtp_nl *k, uint8_t cmd,
			     const struct ctx_spec *c, struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, cmd, 0);
	kn_put_id(&m, c);
	if (cmd == KSRTP_CMD_KEY_ADD)
		kn_put_key(&m, c);
	else if (cmd != KSRTP_CMD_CTX_DEL)
		nl_put_u32(&m, KSRTP_A_CTX_KEY_ID, c->key_id);
	return nl_talk(k->fd, &m, NULL, NULL, r);
}

/* Counters of one context, by KSRTP_A_CTX_STATS_* attribute. */
struct ctx_stats {
	uint64_t v[KSRTP_A_CTX_STATS_MAX + 1];
	uint32_t origin, kdr;
	int nkeys;
	bool found;
};

static int ctx_stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1], *st[KSRTP_A_CTX_STATS_MAX + 1];
	struct ctx_stats *cs = arg;
	const struct nlattr *a;
	int rem;

	if (nl_parse_genl(tb, KSRTP_A_CTX_MAX, nlh) || !tb[KSRTP_A_CTX_STATS])
		return -1;
	cs->found = true;
	if (tb[KSRTP_A_CTX_ORIGIN])
		cs->origin = nl_u32(tb[KSRTP_A_CTX_ORIGIN]);
	if (tb[KSRTP_A_CTX_KDR])
		cs->kdr = nl_u32(tb[KSRTP_A_CTX_KDR]);
	if (nl_parse(st, KSRTP_A_CTX_STATS_MAX, nl_data(tb[KSRTP_A_CTX_STATS]),
		     nl_len(tb[KSRTP_A_CTX_STATS])))
		return -1;
	for (int i = 1; i <= KSRTP_A_CTX_STATS_MAX; i++)
		if (st[i])
			cs->v[i] = nl_len(st[i]) == 8 ? nl_u64(st[i]) : nl_u32(st[i]);
	/* count key nests */
	cs->nkeys = 0;
	a = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if ((a->nla_type & NLA_TYPE_MASK) == KSRTP_A_CTX_KEY)
			cs->nkeys++;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

static inline int kn_ctx_stats(struct ksrtp_nl *k, const struct ctx_spec *c,
			       struct ctx_stats *cs)
{
	struct nl_reply r;
	struct nlmsg m;

	memset(cs, 0, sizeof(*cs));
	kn_msg(k, &m, KSRTP_CMD_CTX_GET, 0);
	kn_put_id(&m, c);
	return nl_talk(k->fd, &m, ctx_stats_cb, cs, &r);
}

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}

/* Number of contexts a ctx-get dump of the socket returns. */
static inline int kn_ctx_count(struct ksrtp_nl *k, uint64_t cookie)
{
	struct nl_reply r;
	struct nlmsg m;
	int n = 0, err;

	kn_msg(k, &m, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, cookie);
	err = nl_talk(k->fd, &m, count_cb, &n, &r);
	return err ? err : n;
}

struct sock_stats {
	uint64_t v[KSRTP_A_SOCK_STATS_MAX + 1];
	bool found;
};

static int sock_stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1], *st[KSRTP_A_SOCK_STATS_MAX + 1];
	struct sock_stats *ss = arg;

	if (nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) || !tb[KSRTP_A_SOCK_STATS])
		return -1;
	ss->found = true;
	if (nl_parse(st, KSRTP_A_SOCK_STATS_MAX, nl_data(tb[KSRTP_A_SOCK_STATS]),
		     nl_len(tb[KSRTP_A_SOCK_STATS])))
		return -1;
	for (int i = 1; i <= KSRTP_A_SOCK_STATS_MAX; i++)
		if (st[i])
			ss->v[i] = nl_u64(st[i]);
	return 0;
}

/* sock-get of one socket, its reply handed to cb. */
static inline int kn_sock_get(struct ksrtp_nl *k, uint64_t cookie,
			      nl_msg_cb cb, void *arg)
{
	struct nl_reply r;
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_GET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	return nl_talk(k->fd, &m, cb, arg, &r);
}

static inline int kn_sock_stats(struct ksrtp_nl *k, uint64_t cookie,
				struct sock_stats *ss)
{
	memset(ss, 0, sizeof(*ss));
	return kn_sock_get(k, cookie, sock_stats_cb, ss);
}

/* ------------------------------------------------------------ sockets */

/* A bound UDP socket on the loopback of family fam; addr gets its address. */
static inline int udp_open(int fam, struct sockaddr_storage *addr)
{
	socklen_t len = sizeof(*addr);
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(fam, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->ss_family = fam;
	if (fam == AF_INET)
		((struct sockaddr_in *)addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)addr)->sin6_addr = in6addr_loopback;
	if (bind(fd, (struct sockaddr *)addr, fam == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static inline socklen_t sa_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					 sizeof(struct sockaddr_in6);
}

static inline int udp_connect(int fd, const struct sockaddr_storage *to)
{
	return connect(fd, (const struct sockaddr *)to, sa_len(to));
}

/*
 * Two loopback UDP sockets of family fam: b is connected to a, and a to b
 * too when both_ways (a sender that only answers need not be).
 */
static inline int udp_pair(int fam, bool both_ways, int *a, struct sockaddr_storage *aa,
			   int *b, struct sockaddr_storage *ba)
{
	*a = udp_open(fam, aa);
	*b = udp_open(fam, ba);
	if (*a < 0 || *b < 0 || udp_connect(*b, aa) || (both_ways && udp_connect(*a, ba)))
		return -1;
	return 0;
}

/* A network namespace of the test's own, loopback up: no other test's sockets. */
static inline int netns_private(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	return system("ip link set lo up") ? -1 : 0;
}

/* Nothing arrives on fd within ms milliseconds. */
static inline bool udp_quiet(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/* ------------------------------------------------------------ packets */

/* RTP with payload bytes that depend on seq; returns its length. */
static inline int rtp_make(uint8_t *p, uint32_t ssrc, uint16_t seq, int payload,
			   int ncsrc, bool ext)
{
	int off = 12;

	p[0] = 0x80 | (ext ? 0x10 : 0) | ncsrc;
	p[1] = 0x60;	/* PT 96 */
	p[2] = seq >> 8;
	p[3] = seq;
	p[4] = 0x11; p[5] = 0x22; p[6] = seq >> 4; p[7] = seq;
	p[8] = ssrc >> 24; p[9] = ssrc >> 16; p[10] = ssrc >> 8; p[11] = ssrc;
	for (int i = 0; i < ncsrc; i++, off += 4)
		memset(p + off, 0xc0 + i, 4);
	if (ext) {
		p[off] = 0xbe; p[off + 1] = 0xde; p[off + 2] = 0; p[off + 3] = 1;
		memset(p + off + 4, 0x5a, 4);
		off += 8;
	}
	for (int i = 0; i < payload; i++)
		p[off + i] = (uint8_t)(seq * 7 + i);
	return off + payload;
}

/* An RTCP SR (+ an empty RR) from ssrc; returns its length. */
static inline int rtcp_make(uint8_t *p, uint32_t ssrc, uint32_t n)
{
	memset(p, 0, 36);
	p[0] = 0x80; p[1] = 200; p[2] = 0; p[3] = 6;	/* SR, 28 bytes */
	p[4] = ssrc >> 24; p[5] = ssrc >> 16; p[6] = ssrc >> 8; p[7] = ssrc;
	for (int i = 8; i < 28; i++)
		p[i] = (uint8_t)(n + i);
	p[28] = 0x80; p[29] = 201; p[30] = 0; p[31] = 1;	/* RR, no blocks */
	p[32] = ssrc >> 24; p[33] = ssrc >> 16; p[34] = ssrc >> 8; p[35] = ssrc;
	return 36;
}

/*
 * Live ksrtp objects of a kind ("sockets", "keyrings", "contexts", "keys")
 * from the module's debugfs file; -1 without debugfs.
 */
static inline long ksrtp_objects(const char *kind)
{
	FILE *f = fopen("/sys/kernel/debug/ksrtp/objects", "r");
	char name[32];
	long n, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", name, &n) == 2)
		if (!strcmp(name, kind))
			found = n;
	fclose(f);
	return found;
}

/* ------------------------------------------------------------ fuzzing */

/* xorshift64*: a fixed seed gives the same sequence on every run and kernel. */
struct test_rng {
	uint64_t s;
};

static inline void rng_seed(struct test_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 1;
}

static inline uint64_t rng_next(struct test_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static inline uint32_t rng_below(struct test_rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* A count or seed from the environment (long runs raise them), else def. */
static inline long test_env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static inline void key_fill(uint8_t *k, int n, uint8_t seed)
{
	for (int i = 0; i < n; i++)
		k[i] = (uint8_t)(seed + i * 13);
}

#endif /* KSRTP_UTIL_H */
