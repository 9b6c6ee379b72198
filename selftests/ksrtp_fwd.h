/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay's netlink commands (fwd-add, fwd-get of one forward), raw via
 * ksft_nl.h: shared by selftests/ksrtp_relay.c and bench/ksrtp_relay_bench.c.
 */
#ifndef KSRTP_FWD_H
#define KSRTP_FWD_H

#include "ksrtp_util.h"

struct fwd_spec {
	uint64_t rx, tx;
	uint32_t ssrc, ssrc_out, ts_offset, flags, idle_ms;
	int seq_offset;		/* -1: not sent */
	const struct sockaddr_storage *to;
	const struct sockaddr_storage *from;	/* plain-in's source */
	const uint8_t *pt;	/* 16 bytes, or NULL */
};

static int fwd_id_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

	if (!nl_parse_genl(tb, KSRTP_A_FWD_MAX, nlh) && tb[KSRTP_A_FWD_ID])
		*(uint32_t *)arg = nl_u32(tb[KSRTP_A_FWD_ID]);
	return 0;
}

static inline void put_addr(struct nlmsg *m, int a, int p,
			    const struct sockaddr_storage *ss)
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

static inline int kn_fwd_add(struct ksrtp_nl *k, const struct fwd_spec *f,
			     uint32_t *id, struct nl_reply *r)
{
	struct nlmsg m;

	kn_msg(k, &m, KSRTP_CMD_FWD_ADD, 0);
	nl_put_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, f->rx);
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

static int fwd_stats_cb(const struct nlmsghdr *nlh, void *arg)
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

#endif
