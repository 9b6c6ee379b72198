/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal raw generic netlink helpers for the ksrtp selftests. Raw on
 * purpose: the tests must see exactly what the kernel accepts, rejects and
 * answers (errno and extack), with no library in between.
 */
#ifndef KSFT_NL_H
#define KSFT_NL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define NLBUF_SIZE 65536

struct nlmsg {
	union {
		struct nlmsghdr nlh;
		char buf[NLBUF_SIZE];
	};
};

struct nl_reply {
	int err;		/* 0 or -errno from the kernel's ack */
	char extack[256];	/* NLMSGERR_ATTR_MSG, if any */
	uint32_t bad_attr_off;	/* NLMSGERR_ATTR_OFFS, if any */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE: a required attribute, if any */
	int nmsgs;		/* data messages received */
};

typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

static inline int nl_open(void)
{
	int one = 1, fd;

	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* a port of our own: an unbound socket never gets multicasts */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return fd;
}

static inline void nl_init(struct nlmsg *m, uint16_t type, uint16_t flags,
			   uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(struct nlmsghdr) + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = version;
}

static inline struct nlattr *nl_put(struct nlmsg *m, uint16_t type,
				    const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	if (NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > NLBUF_SIZE)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static inline void nl_put_u8(struct nlmsg *m, uint16_t t, uint8_t v) { nl_put(m, t, &v, 1); }
static inline void nl_put_u16(struct nlmsg *m, uint16_t t, uint16_t v) { nl_put(m, t, &v, 2); }
static inline void nl_put_u32(struct nlmsg *m, uint16_t t, uint32_t v) { nl_put(m, t, &v, 4); }
static inline void nl_put_u64(struct nlmsg *m, uint16_t t, uint64_t v) { nl_put(m, t, &v, 8); }
static inline void nl_put_str(struct nlmsg *m, uint16_t t, const char *s)
{
	nl_put(m, t, s, strlen(s) + 1);
}

static inline struct nlattr *nl_nest_start(struct nlmsg *m, uint16_t type)
{
	return nl_put(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void nl_nest_end(struct nlmsg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

/* Index attributes of a payload by type; returns -1 on a malformed one. */
static inline int nl_parse(struct nlattr **tb, int max, const void *data, int len)
{
	const struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= (int)NLA_HDRLEN) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -1;
		if (type <= max)
			tb[type] = (struct nlattr *)a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

static inline int nl_parse_genl(struct nlattr **tb, int max, const struct nlmsghdr *nlh)
{
	return nl_parse(tb, max, (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

static inline void *nl_data(const struct nlattr *a) { return (char *)a + NLA_HDRLEN; }
static inline int nl_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
static inline uint8_t nl_u8(const struct nlattr *a) { return *(uint8_t *)nl_data(a); }
static inline uint16_t nl_u16(const struct nlattr *a) { return *(uint16_t *)nl_data(a); }
static inline uint32_t nl_u32(const struct nlattr *a) { return *(uint32_t *)nl_data(a); }
static inline uint64_t nl_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nl_data(a), 8);
	return v;
}

static inline void nl_parse_ack(const struct nlmsghdr *nlh, struct nl_reply *r)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off;

	r->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nl_parse(tb, NLMSGERR_ATTR_MAX, (const char *)e + off,
		     (int)nlh->nlmsg_len - NLMSG_HDRLEN - off))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%s",
			 (char *)nl_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		r->bad_attr_off = nl_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		r->miss_type = nl_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/* Receive until the ack or NLMSG_DONE; data messages go to cb. */
static inline int nl_recv(int fd, uint32_t seq, nl_msg_cb cb, void *arg,
			  struct nl_reply *r)
{
	static char buf[1 << 17];

	memset(r, 0, sizeof(*r));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				nl_parse_ack(nlh, r);
				return r->err;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* dump errors ride in the DONE payload */
				r->err = *(int *)NLMSG_DATA(nlh);
				return r->err;
			}
			r->nmsgs++;
			if (cb && cb(nlh, arg))
				return -ECANCELED;
		}
	}
}

static inline int nl_talk(int fd, struct nlmsg *m, nl_msg_cb cb, void *arg,
			  struct nl_reply *r)
{
	static uint32_t seq = 1000;

	m->nlh.nlmsg_seq = ++seq;
	if (send(fd, m->buf, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	return nl_recv(fd, seq, cb, arg, r);
}

struct genl_family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events_grp;
};

static inline int genl_family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct genl_family_info *fi = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlattr *grp;
	int rem;

	if (nl_parse_genl(tb, CTRL_ATTR_MAX, nlh))
		return -1;
	if (tb[CTRL_ATTR_FAMILY_ID])
		fi->id = nl_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		fi->version = nl_u32(tb[CTRL_ATTR_VERSION]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	grp = nl_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	rem = nl_len(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (rem >= (int)NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN) {
		struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];

		if (!nl_parse(g, CTRL_ATTR_MCAST_GRP_MAX, nl_data(grp), nl_len(grp)) &&
		    g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nl_data(g[CTRL_ATTR_MCAST_GRP_NAME]), "events"))
			fi->events_grp = nl_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
		rem -= NLA_ALIGN(grp->nla_len);
		grp = (struct nlattr *)((char *)grp + NLA_ALIGN(grp->nla_len));
	}
	return 0;
}

static inline int genl_resolve(int fd, const char *name, struct genl_family_info *fi)
{
	struct nl_reply r;
	struct nlmsg m;

	memset(fi, 0, sizeof(*fi));
	nl_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	return nl_talk(fd, &m, genl_family_cb, fi, &r);
}

#endif /* KSFT_NL_H */
