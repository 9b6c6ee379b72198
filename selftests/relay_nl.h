/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay's netlink commands for the selftests (raw, via ksft_nl.h):
 * fwd-add with every option, fwd-get counters, dumps and destinations,
 * fwd-dest-add/-del, and sock-set's plain-rtp.
 */
#ifndef RELAY_NL_H
#define RELAY_NL_H

#include "ksrtp_util.h"

struct fwd_spec {
	uint64_t rx, tx;
	uint32_t ssrc, ssrc_out, ts_offset, flags, idle_ms;
	bool any;		/* ssrc-any instead of ssrc */
	int seq_offset;		/* -1: not sent */
	const struct sockaddr_storage *to;
	const struct sockaddr_storage *from;	/* plain-in's source */
	const uint8_t *pt;	/* 16 bytes, or NULL */
};

static inline int fwd_id_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

	if (!nl_parse_genl(tb, KSRTP_A_FWD_MAX, nlh) && tb[KSRTP_A_FWD_ID])
		*(uint32_t *)arg = nl_u32(tb[KSRTP_A_FWD_ID]);
	return 0;
}

static inline void put_addr(struct nlmsg *m, int a, int p, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		nl_put(m, a, &s->sin_addr, 4);
		nl_put_u16(m, p, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		nl_put(m, a, &s->sin6_addr, 16);
		nl_put_u16(m, p, ntohs(s->sin6_port));
	}
}

static inline int kn_fwd_add(struct ksrtp_nl *k, const struct fwd_spec *f, uint32_t *id,
		      struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_FWD_ADD, 0);
	nl_put_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, f->rx);
	if (f->any)
		nl_put(&m, KSRTP_A_FWD_SSRC_ANY, NULL, 0);
	else
		nl_put_u32(&m, KSRTP_A_FWD_SSRC, f->ssrc);
	nl_put_u64(&m, KSRTP_A_FWD_TX_SOCK_COOKIE, f->tx);
	put_addr(&m, KSRTP_A_FWD_REMOTE_ADDR, KSRTP_A_FWD_REMOTE_PORT, f->to);
	if (f->ssrc_out)
		nl_put_u32(&m, KSRTP_A_FWD_SSRC_OUT, f->ssrc_out);
	if (f->seq_offset >= 0)
		nl_put_u16(&m, KSRTP_A_FWD_SEQ_OFFSET, f->seq_offset);
	if (f->ts_offset)
		nl_put_u32(&m, KSRTP_A_FWD_TS_OFFSET, f->ts_offset);
	if (f->flags)
		nl_put_u32(&m, KSRTP_A_FWD_FLAGS, f->flags);
	if (f->pt)
		nl_put(&m, KSRTP_A_FWD_PT_FILTER, f->pt, 16);
	if (f->from)
		put_addr(&m, KSRTP_A_FWD_RX_REMOTE_ADDR, KSRTP_A_FWD_RX_REMOTE_PORT, f->from);
	if (f->idle_ms)
		nl_put_u32(&m, KSRTP_A_FWD_IDLE_TIMEOUT_MS, f->idle_ms);
	*id = 0;
	return nl_talk(k->fd, &m, fwd_id_cb, id, r);
}

static inline int fwd_stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1], *st[KSRTP_A_FWD_STATS_MAX + 1];
	uint64_t *v = arg;

	if (nl_parse_genl(tb, KSRTP_A_FWD_MAX, nlh) || !tb[KSRTP_A_FWD_STATS] ||
	    nl_parse(st, KSRTP_A_FWD_STATS_MAX, nl_data(tb[KSRTP_A_FWD_STATS]),
		     nl_len(tb[KSRTP_A_FWD_STATS])))
		return -1;
	for (int i = 1; i <= KSRTP_A_FWD_STATS_MAX; i++)
		if (st[i])
			v[i] = nl_u64(st[i]);
	if (tb[KSRTP_A_FWD_RX_REMOTE_PORT])
		v[0] = nl_u16(tb[KSRTP_A_FWD_RX_REMOTE_PORT]);
	return 0;
}

/* fwd-get of one forward: its counters by KSRTP_A_FWD_STATS_*, v[0] its rx-remote-port. */
static inline int kn_fwd_stats(struct ksrtp_nl *k, uint32_t id, uint64_t *v)
{
	struct nl_reply r;
	struct nlmsg m;

	memset(v, 0, sizeof(uint64_t) * (KSRTP_A_FWD_STATS_MAX + 1));
	kn_msg(k, &m, KSRTP_CMD_FWD_GET, 0);
	nl_put_u32(&m, KSRTP_A_FWD_ID, id);
	return nl_talk(k->fd, &m, fwd_stats_cb, v, &r);
}

/* Forwards a fwd-get dump lists (of one RX socket, or all). */
static inline int kn_fwd_count(struct ksrtp_nl *k, uint64_t rx)
{
	struct nl_reply r;
	struct nlmsg m;
	int n = 0, err;

	kn_msg(k, &m, KSRTP_CMD_FWD_GET, NLM_F_DUMP);
	if (rx)
		nl_put_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, rx);
	err = nl_talk(k->fd, &m, count_cb, &n, &r);
	return err ? err : n;
}

static inline int kn_plain_rtp(struct ksrtp_nl *k, uint64_t cookie, uint32_t policy)
{
	struct nl_reply r;
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_PLAIN_RTP, policy);
	return nl_talk(k->fd, &m, NULL, NULL, &r);
}

static inline void put_dest(struct nlmsg *m, const struct sockaddr_storage *ss)
{
	struct nlattr *n = nl_nest_start(m, KSRTP_A_FWD_DEST);

	put_addr(m, KSRTP_A_FWD_DEST_ADDR, KSRTP_A_FWD_DEST_PORT, ss);
	nl_nest_end(m, n);
}

/* fwd-dest-add or -del of to[0..n) in one request. */
static inline int kn_fwd_dest(struct ksrtp_nl *k, uint8_t cmd, uint32_t id,
		       const struct sockaddr_storage *to, int n, struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, cmd, 0);
	nl_put_u32(&m, KSRTP_A_FWD_ID, id);
	for (int i = 0; i < n; i++)
		put_dest(&m, &to[i]);
	return nl_talk(k->fd, &m, NULL, NULL, r);
}

static inline int dests_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	int rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	while (rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if ((a->nla_type & NLA_TYPE_MASK) == KSRTP_A_FWD_DEST)
			(*(int *)arg)++;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

/* The destinations fwd-get lists for a forward. */
static inline int kn_fwd_ndests(struct ksrtp_nl *k, uint32_t id)
{
	struct nl_reply r;
	struct nlmsg m;
	int n = 0, err;

	kn_msg(k, &m, KSRTP_CMD_FWD_GET, 0);
	nl_put_u32(&m, KSRTP_A_FWD_ID, id);
	err = nl_talk(k->fd, &m, dests_cb, &n, &r);
	return err ? err : n;
}

#endif /* RELAY_NL_H */
