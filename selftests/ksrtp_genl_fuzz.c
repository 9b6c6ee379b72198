// SPDX-License-Identifier: GPL-2.0
/*
 * Random and mutated generic netlink messages for every op of the ksrtp
 * family, do and dump, from a fixed seed: valid messages built from live
 * state (an attached socket, three contexts, a spare UDP socket, a sink for
 * sock-send), then bit flips, truncations, lying nlmsg and nla lengths,
 * duplicated attributes, wrong nesting, oversized binaries, unknown
 * attributes, NLM_F_DUMP on do-only ops, other versions and reserved bits,
 * and wholly random attribute trees.
 *
 * Per message: the kernel answers exactly once (or not at all when nlmsg_len
 * lies beyond the datagram, as netlink_rcv_skb() drops those); the refusals
 * the generic netlink core makes before the family sees the message are the
 * errno the core gives (EINVAL for a short genl header, EOPNOTSUPP for a
 * command that is no op in that form); every other refusal carries extack,
 * a message or the missing attribute (GENL_REQ_ATTR_CHECK); no reply ever
 * carries key bytes; whatever was accepted is undone at once (ctx-new by
 * ctx-del, key-add by key-del, sock-set back, detaches and deletions by
 * rebuilding), and the family's state, dumped, equals the initial state
 * every 1,000 messages and at the end.
 *
 * Then every op but info-get, valid and mutated (with a header of that op),
 * from processes without CAP_NET_ADMIN: uid 0 with the capability dropped,
 * and nobody, over its own netlink socket and over one root opened. Every
 * request is EPERM, gets and dumps included, and nothing is answered.
 *
 * KSRTP_GENL_FUZZ_COUNT (default 100000) and KSRTP_FUZZ_SEED (default 0x6b737270)
 * choose the run; a failing message is reported with its index and seed.
 */
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define FZ_COUNT	100000
#define FZ_SEED		0x6b737270u
#define FZ_BUF		(1 << 17)
#define FZ_CHECK_EVERY	1000
#define NSECRET		8

/* ------------------------------------------------------------ random */

static struct test_rng rng;

static uint64_t rnd(void)
{
	return rng_next(&rng);
}

static uint32_t rndn(uint32_t n)
{
	return rng_below(&rng, n);
}

static bool chance(int percent)
{
	return rndn(100) < (uint32_t)percent;
}

static void rndfill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* ------------------------------------------------------------ the ops */

struct op_desc {
	uint8_t cmd;
	const char *name;
	bool dump;	/* has a dump form */
	bool write;	/* changes state */
	int maxattr;
};

/*
 * Every command of the UAPI enum; the notifications are no ops and must be
 * refused by the core. The fixture checks this table against the ops the
 * controller lists for the family.
 */
static const struct op_desc ops[] = {
	{ KSRTP_CMD_INFO_GET, "info-get", false, false, KSRTP_A_INFO_MAX },
	{ KSRTP_CMD_SOCK_ATTACH, "sock-attach", false, true, KSRTP_A_SOCK_MAX },
	{ KSRTP_CMD_SOCK_DETACH, "sock-detach", false, true, KSRTP_A_SOCK_MAX },
	{ KSRTP_CMD_SOCK_GET, "sock-get", true, false, KSRTP_A_SOCK_MAX },
	{ KSRTP_CMD_SOCK_SEND, "sock-send", false, true, KSRTP_A_SOCK_MAX },
	{ KSRTP_CMD_CTX_NEW, "ctx-new", false, true, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_CTX_DEL, "ctx-del", false, true, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_CTX_GET, "ctx-get", true, false, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_KEY_ADD, "key-add", false, true, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_KEY_SWAP, "key-swap", false, true, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_KEY_DEL, "key-del", false, true, KSRTP_A_CTX_MAX },
	{ KSRTP_CMD_SOCK_SET, "sock-set", false, true, KSRTP_A_SOCK_MAX },
	{ KSRTP_CMD_FWD_ADD, "fwd-add", false, true, KSRTP_A_FWD_MAX },
	{ KSRTP_CMD_FWD_DEL, "fwd-del", false, true, KSRTP_A_FWD_MAX },
	{ KSRTP_CMD_FWD_GET, "fwd-get", true, false, KSRTP_A_FWD_MAX },
	{ KSRTP_CMD_FWD_DEST_ADD, "fwd-dest-add", false, true, KSRTP_A_FWD_MAX },
	{ KSRTP_CMD_FWD_DEST_DEL, "fwd-dest-del", false, true, KSRTP_A_FWD_MAX },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

static const uint8_t ntf_cmds[] = {
	KSRTP_CMD_SOCK_DETACH_NTF, KSRTP_CMD_CTX_LIMIT_NTF,
	KSRTP_CMD_SSRC_LEARNED_NTF, KSRTP_CMD_UPCALL_NTF, KSRTP_CMD_FWD_IDLE_NTF,
};

static const struct op_desc *op_of(uint8_t cmd)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	return NULL;
}

/* The family's ops as the controller lists them: flags by command. */
struct ctrl_ops {
	uint32_t flags[256];
	bool present[256];
};

static int ctrl_ops_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *op;
	struct ctrl_ops *co = arg;
	int rem;

	if (nl_parse_genl(tb, CTRL_ATTR_MAX, nlh) || !tb[CTRL_ATTR_OPS])
		return -1;
	op = nl_data(tb[CTRL_ATTR_OPS]);
	rem = nl_len(tb[CTRL_ATTR_OPS]);
	while (rem >= (int)NLA_HDRLEN && op->nla_len >= NLA_HDRLEN) {
		struct nlattr *o[CTRL_ATTR_OP_MAX + 1];

		if (!nl_parse(o, CTRL_ATTR_OP_MAX, nl_data(op), nl_len(op)) &&
		    o[CTRL_ATTR_OP_ID] && nl_u32(o[CTRL_ATTR_OP_ID]) < 256) {
			uint32_t id = nl_u32(o[CTRL_ATTR_OP_ID]);

			co->present[id] = true;
			co->flags[id] = o[CTRL_ATTR_OP_FLAGS] ?
					nl_u32(o[CTRL_ATTR_OP_FLAGS]) : 0;
		}
		rem -= NLA_ALIGN(op->nla_len);
		op = (struct nlattr *)((char *)op + NLA_ALIGN(op->nla_len));
	}
	return 0;
}

/* ------------------------------------------------------------ messages */

struct fmsg {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[FZ_BUF];
	};
	size_t len;	/* bytes sent; nlh.nlmsg_len may lie */
};

static void fm_init(struct fmsg *m, uint16_t fam, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g = NLMSG_DATA(&m->nlh);

	memset(m->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = fam;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g->cmd = cmd;
	g->version = KSRTP_FAMILY_VERSION;
	m->len = m->nlh.nlmsg_len;
}

static struct nlattr *fm_put(struct fmsg *m, uint16_t type, const void *data,
			     size_t len)
{
	size_t off = NLMSG_ALIGN(m->len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > FZ_BUF || NLA_HDRLEN + len > 0xffff)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data && len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	else if (len)
		memset((uint8_t *)a + NLA_HDRLEN, 0, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len = off + NLA_HDRLEN + NLA_ALIGN(len);
	m->nlh.nlmsg_len = m->len;
	return a;
}

static void fm_u16(struct fmsg *m, uint16_t t, uint16_t v) { fm_put(m, t, &v, 2); }
static void fm_u32(struct fmsg *m, uint16_t t, uint32_t v) { fm_put(m, t, &v, 4); }
static void fm_u64(struct fmsg *m, uint16_t t, uint64_t v) { fm_put(m, t, &v, 8); }

static size_t fm_nest_start(struct fmsg *m, uint16_t t)
{
	size_t off = NLMSG_ALIGN(m->len);

	fm_put(m, t | NLA_F_NESTED, NULL, 0);
	return off;
}

static void fm_nest_end(struct fmsg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	a->nla_len = m->len - off;
}

/* Offsets of every well-formed attribute, nested ones included. */
static int fm_walk(const uint8_t *buf, size_t off, size_t end, size_t *out,
		   int n, int max, int depth)
{
	while (off + NLA_HDRLEN <= end && n < max) {
		const struct nlattr *a = (const void *)(buf + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		out[n++] = off;
		if ((a->nla_type & NLA_F_NESTED) && depth < 4)
			n = fm_walk(buf, off + NLA_HDRLEN, off + a->nla_len, out,
				    n, max, depth + 1);
		off += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static int fm_attrs(const struct fmsg *m, size_t *out, int max)
{
	return fm_walk(m->buf, NLMSG_LENGTH(GENL_HDRLEN), m->len, out, 0, max, 0);
}

/* ------------------------------------------------------------ state */

struct base_ctx {
	uint32_t dir, ssrc;
	bool any;
	uint32_t suite;
	int secret;
	int mki_len;
	int secret2;	/* a second key, id 2, or -1 */
};

/* The contexts every run starts from, on the attached socket. */
static const struct base_ctx base[] = {
	{ KSRTP_DIR_RX, 0x11111111, false, KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0, 0, 3 },
	{ KSRTP_DIR_TX, 0x22222222, false, KSRTP_SUITE_AEAD_AES_128_GCM, 1, 2, 4 },
	{ KSRTP_DIR_RX, 0, true, KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80, 2, 0, -1 },
};

#define NBASE (sizeof(base) / sizeof(base[0]))

enum mut {
	M_VALID, M_BITFLIP, M_TRUNC, M_NLMSG_LONG, M_NLMSG_SHORT, M_NLA_LEN,
	M_DUP, M_NEST, M_OVERSIZE, M_UNKNOWN, M_DUMP, M_VERSION, M_RANDOM,
	M_NOOP_CMD, M_MAX
};

static const char *const mut_name[M_MAX] = {
	"valid", "bit-flip", "truncated", "nlmsg-len-long", "nlmsg-len-short",
	"nla-len-lie", "duplicate", "wrong-nesting", "oversized", "unknown-attr",
	"dump-on-do", "version-reserved", "random", "no-such-op",
};

struct fz {
	int nl, ev;
	uint16_t fam;
	int app, spare, sink;
	struct sockaddr_storage app_a, spare_a, sink_a;
	uint64_t cookie;
	uint32_t fwd_id;	/* the base forward's */
	uint8_t secret[NSECRET][32 + 14];
	uint32_t seq;
	/* tally */
	unsigned int sent, accepted, acc_dump, noreply, core, refused;
	unsigned int by_errno[256], acc_by_op[256], by_mut[M_MAX];
	unsigned int undo, rebuilds, leaks, key_seen, no_extack, bad, events;
	char first_bad[512];
};

static void fz_bad(struct fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fz_bad(struct fz *f, const char *fmt, ...)
{
	va_list ap;

	f->bad++;
	if (f->first_bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->first_bad, sizeof(f->first_bad), fmt, ap);
	va_end(ap);
}

/* Key or salt bytes the fuzzer ever sent, anywhere in buf? */
static bool has_secret(const struct fz *f, const void *buf, size_t len)
{
	for (int i = 0; i < NSECRET; i++)
		if (memmem(buf, len, f->secret[i], 12) ||
		    memmem(buf, len, f->secret[i] + 32, 12))
			return true;
	return false;
}

struct fz_reply {
	int err;		/* ack or DONE errno */
	bool answered;
	bool extack;		/* a message or a missing attribute */
	char msg[160];
	int ndata;
	uint64_t cookie;	/* sock-attach's answer */
	uint32_t fwd_id;	/* fwd-add's */
};

static void parse_tlvs(const void *p, int len, struct fz_reply *r)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nl_parse(tb, NLMSGERR_ATTR_MAX, p, len))
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		r->extack = true;
		snprintf(r->msg, sizeof(r->msg), "%.*s", nl_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nl_data(tb[NLMSGERR_ATTR_MSG]));
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		r->extack = true;
		if (!r->msg[0])
			snprintf(r->msg, sizeof(r->msg), "missing attribute %u",
				 nl_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	}
}

/*
 * Send m and take everything the kernel answers: a do is answered inside
 * sendmsg() and the first part of a dump too; recvmsg() makes the next
 * part. So non-blocking receives see all of it, and nothing at all is a
 * message netlink_rcv_skb() dropped.
 */
static void fz_xfer(struct fz *f, int nl, struct fmsg *m, struct fz_reply *r)
{
	static uint8_t buf[FZ_BUF];

	memset(r, 0, sizeof(*r));
	m->nlh.nlmsg_seq = ++f->seq;
	if (send(nl, m->buf, m->len, 0) < 0) {
		r->err = -errno;
		r->answered = true;
		return;
	}
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh;

		if (n < 0) {
			if (errno != EAGAIN)
				fz_bad(f, "recv: %s", strerror(errno));
			return;
		}
		if (has_secret(f, buf, n)) {
			f->key_seen++;
			fz_bad(f, "key bytes in a reply to cmd %u",
			       ((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->cmd);
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != m->nlh.nlmsg_seq) {
				fz_bad(f, "a reply with seq %u to %u", nlh->nlmsg_seq,
				       m->nlh.nlmsg_seq);
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				int off = sizeof(*e);

				r->answered = true;
				r->err = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_tlvs((const char *)e + off, (int)nlh->nlmsg_len -
						   NLMSG_HDRLEN - off, r);
				return;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				r->answered = true;
				r->err = *(int *)NLMSG_DATA(nlh);
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_tlvs((const char *)NLMSG_DATA(nlh) + 4,
						   (int)nlh->nlmsg_len - NLMSG_HDRLEN - 4, r);
				return;
			}
			r->ndata++;
			if (((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			    KSRTP_CMD_SOCK_ATTACH) {
				struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

				if (!nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) &&
				    tb[KSRTP_A_SOCK_COOKIE])
					r->cookie = nl_u64(tb[KSRTP_A_SOCK_COOKIE]);
			}
			if (((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			    KSRTP_CMD_FWD_ADD) {
				struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

				if (!nl_parse_genl(tb, KSRTP_A_FWD_MAX, nlh) &&
				    tb[KSRTP_A_FWD_ID])
					r->fwd_id = nl_u32(tb[KSRTP_A_FWD_ID]);
			}
		}
	}
}

/* A request that must succeed (setup, undo); -errno otherwise. */
static int fz_must(struct fz *f, struct fmsg *m)
{
	struct fz_reply r;

	fz_xfer(f, f->nl, m, &r);
	if (!r.answered)
		return -EBADMSG;
	if (r.err)
		fz_bad(f, "cmd %u: %s (%s)",
		       ((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->cmd,
		       strerror(-r.err), r.msg);
	return r.err;
}

static void put_key(struct fz *f, struct fmsg *m, int secret, uint32_t suite,
		    uint32_t id, int mki_len)
{
	const struct suite_desc *s = suite_by_id(suite);
	size_t n = fm_nest_start(m, KSRTP_A_CTX_KEY);
	uint8_t mki[4] = { (uint8_t)id, 0xaa, 0xbb, 0xcc };

	fm_u32(m, KSRTP_A_KEY_ID, id);
	fm_put(m, KSRTP_A_KEY_MASTER_KEY, f->secret[secret], s->key_len);
	fm_put(m, KSRTP_A_KEY_MASTER_SALT, f->secret[secret] + 32, s->salt_len);
	if (mki_len)
		fm_put(m, KSRTP_A_KEY_MKI, mki, mki_len);
	fm_nest_end(m, n);
}

static void put_base_id(struct fz *f, struct fmsg *m, const struct base_ctx *b)
{
	fm_u64(m, KSRTP_A_CTX_SOCK_COOKIE, f->cookie);
	fm_u32(m, KSRTP_A_CTX_DIR, b->dir);
	if (b->any)
		fm_put(m, KSRTP_A_CTX_SSRC_ANY, NULL, 0);
	else
		fm_u32(m, KSRTP_A_CTX_SSRC, b->ssrc);
}

static int attach_app(struct fz *f)
{
	struct fz_reply r;
	struct fmsg m;

	fm_init(&m, f->fam, KSRTP_CMD_SOCK_ATTACH, 0);
	fm_u32(&m, KSRTP_A_SOCK_FD, f->app);
	fz_xfer(f, f->nl, &m, &r);
	if (r.err)
		return r.err;
	f->cookie = r.cookie;
	return 0;
}

static void put_dest(struct fmsg *m, const void *addr, int alen, uint16_t port)
{
	size_t n = fm_nest_start(m, KSRTP_A_FWD_DEST);

	fm_put(m, KSRTP_A_FWD_DEST_ADDR, addr, alen);
	fm_u16(m, KSRTP_A_FWD_DEST_PORT, port);
	fm_nest_end(m, n);
}

/* The base forward: the base RX SSRC back out of the same socket to the sink. */
static int add_base_fwd(struct fz *f)
{
	const struct sockaddr_in *sink = (const void *)&f->sink_a;
	static struct fmsg m;
	struct fz_reply r;

	fm_init(&m, f->fam, KSRTP_CMD_FWD_ADD, 0);
	fm_u64(&m, KSRTP_A_FWD_RX_SOCK_COOKIE, f->cookie);
	fm_u32(&m, KSRTP_A_FWD_SSRC, base[0].ssrc);
	fm_u64(&m, KSRTP_A_FWD_TX_SOCK_COOKIE, f->cookie);
	fm_put(&m, KSRTP_A_FWD_REMOTE_ADDR, &sink->sin_addr, 4);
	fm_u16(&m, KSRTP_A_FWD_REMOTE_PORT, ntohs(sink->sin_port));
	fm_u32(&m, KSRTP_A_FWD_SSRC_OUT, base[1].ssrc);
	fz_xfer(f, f->nl, &m, &r);
	if (!r.answered)
		return -EBADMSG;
	if (r.err)
		fz_bad(f, "base fwd-add: %s (%s)", strerror(-r.err), r.msg);
	f->fwd_id = r.fwd_id;
	if (r.err)
		return r.err;
	/* and one encrypt-once destination, the sink's port + 1 */
	fm_init(&m, f->fam, KSRTP_CMD_FWD_DEST_ADD, 0);
	fm_u32(&m, KSRTP_A_FWD_ID, f->fwd_id);
	put_dest(&m, &sink->sin_addr, 4, ntohs(sink->sin_port) + 1);
	return fz_must(f, &m);
}

/* The attached socket, its contexts and its forward, from scratch. */
static int fz_rebuild(struct fz *f)
{
	static struct fmsg m;
	int err;

	f->rebuilds++;
	fm_init(&m, f->fam, KSRTP_CMD_SOCK_DETACH, 0);
	fm_u64(&m, KSRTP_A_SOCK_COOKIE, f->cookie);
	fz_xfer(f, f->nl, &m, &(struct fz_reply){ 0 });
	err = attach_app(f);
	for (size_t i = 0; !err && i < NBASE; i++) {
		fm_init(&m, f->fam, KSRTP_CMD_CTX_NEW, 0);
		put_base_id(f, &m, &base[i]);
		fm_u32(&m, KSRTP_A_CTX_SUITE, base[i].suite);
		put_key(f, &m, base[i].secret, base[i].suite, 1, base[i].mki_len);
		err = fz_must(f, &m);
		if (err || base[i].secret2 < 0)
			continue;
		fm_init(&m, f->fam, KSRTP_CMD_KEY_ADD, 0);
		put_base_id(f, &m, &base[i]);
		put_key(f, &m, base[i].secret2, base[i].suite, 2, base[i].mki_len);
		err = fz_must(f, &m);
	}
	return err ? err : add_base_fwd(f);
}

/* ------------------------------------------------------------ snapshots */

struct snap {
	char *text;
	size_t len, cap;
	int nsock, nctx, nfwd;
};

static void snap_add(struct snap *s, const char *line)
{
	size_t n = strlen(line);

	if (s->len + n + 2 > s->cap) {
		s->cap = (s->len + n + 2) * 2;
		s->text = realloc(s->text, s->cap);
	}
	memcpy(s->text + s->len, line, n);
	s->len += n;
	s->text[s->len++] = '\n';
	s->text[s->len] = 0;
}

/* One message as text: attribute type and bytes, counters left out. */
static void attrs_text(char *out, size_t cap, const void *data, int len,
		       int skip1, int skip2, int nest, int nskip1, int nskip2)
{
	const struct nlattr *a = data;
	size_t o = strlen(out);

	while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int t = a->nla_type & NLA_TYPE_MASK;

		if (t != skip1 && t != skip2) {
			o += snprintf(out + o, o < cap ? cap - o : 0, " %d=", t);
			if (t == nest) {
				o += snprintf(out + o, o < cap ? cap - o : 0, "{");
				attrs_text(out, cap, nl_data(a), nl_len(a), nskip1, nskip2,
					   -1, -1, -1);
				o = strlen(out);
				o += snprintf(out + o, o < cap ? cap - o : 0, " }");
			} else {
				for (int i = 0; i < nl_len(a); i++)
					o += snprintf(out + o, o < cap ? cap - o : 0, "%02x",
						      ((uint8_t *)nl_data(a))[i]);
			}
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

struct snap_arg {
	struct fz *f;
	char lines[64][1024];
	uint64_t cookies[64];
	int n;
};

static int snap_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct snap_arg *sa = arg;
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const void *p = (const char *)g + GENL_HDRLEN;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	if (has_secret(sa->f, nlh, nlh->nlmsg_len))
		sa->f->key_seen++;
	if (sa->n >= 64)
		return 0;
	sa->lines[sa->n][0] = 0;
	if (g->cmd == KSRTP_CMD_SOCK_GET) {
		struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

		if (!nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) && tb[KSRTP_A_SOCK_COOKIE])
			sa->cookies[sa->n] = nl_u64(tb[KSRTP_A_SOCK_COOKIE]);
		strcpy(sa->lines[sa->n], "sock");
		attrs_text(sa->lines[sa->n], sizeof(sa->lines[0]), p, len,
			   KSRTP_A_SOCK_STATS, -1, -1, -1, -1);
	} else if (g->cmd == KSRTP_CMD_FWD_GET) {
		/* its id is new after each rebuild */
		strcpy(sa->lines[sa->n], "fwd");
		attrs_text(sa->lines[sa->n], sizeof(sa->lines[0]), p, len,
			   KSRTP_A_FWD_STATS, KSRTP_A_FWD_ID, -1, -1, -1);
	} else {
		strcpy(sa->lines[sa->n], "ctx");
		attrs_text(sa->lines[sa->n], sizeof(sa->lines[0]), p, len,
			   KSRTP_A_CTX_STATS, -1, KSRTP_A_CTX_KEY,
			   KSRTP_A_KEY_SRTP_PACKETS, KSRTP_A_KEY_SRTCP_PACKETS);
	}
	sa->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A dump (of one socket's contexts if cookie) into sa's lines, sorted. */
static int snap_dump(struct fz *f, uint8_t cmd, uint64_t cookie, struct snap_arg *sa)
{
	struct nl_reply r;
	struct nlmsg m;
	int err;

	sa->n = 0;
	nl_init(&m, f->fam, NLM_F_DUMP, cmd, KSRTP_FAMILY_VERSION);
	if (cookie)
		nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, cookie);
	m.nlh.nlmsg_seq = ++f->seq;
	if (send(f->nl, m.buf, m.nlh.nlmsg_len, 0) < 0)
		return -errno;
	err = nl_recv(f->nl, f->seq, snap_cb, sa, &r);
	if (!err)
		qsort(sa->lines, sa->n, sizeof(sa->lines[0]), cmp_str);
	return err;
}

/*
 * Every socket of the namespace, every context of each and every forward,
 * as sorted text.
 */
static int snapshot(struct fz *f, struct snap *s)
{
	static struct snap_arg socks, more;
	int err;

	memset(s, 0, sizeof(*s));
	socks.f = more.f = f;
	err = snap_dump(f, KSRTP_CMD_SOCK_GET, 0, &socks);
	if (err)
		return err;
	s->nsock = socks.n;
	for (int i = 0; i < socks.n; i++) {
		snap_add(s, socks.lines[i]);
		err = snap_dump(f, KSRTP_CMD_CTX_GET, socks.cookies[i], &more);
		if (err)
			return err;
		s->nctx += more.n;
		for (int j = 0; j < more.n; j++)
			snap_add(s, more.lines[j]);
	}
	err = snap_dump(f, KSRTP_CMD_FWD_GET, 0, &more);
	if (err)
		return err;
	s->nfwd = more.n;
	for (int j = 0; j < more.n; j++)
		snap_add(s, more.lines[j]);
	return 0;
}

/* ------------------------------------------------------------ generators */

static uint64_t pick_cookie(struct fz *f)
{
	if (chance(85))
		return f->cookie;
	return chance(50) ? rnd() : f->cookie ^ (1ull << rndn(64));
}

static void put_remote(struct fz *f, struct fmsg *m, uint16_t a_addr, uint16_t a_port)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t v4mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	const struct sockaddr_in *sink = (const void *)&f->sink_a;
	uint8_t v4[4] = { 127, 0, 0, 1 };

	switch (rndn(4)) {
	case 0:
		fm_put(m, a_addr, v6lo, 16);
		break;
	case 1:
		fm_put(m, a_addr, v4mapped, 16);
		break;
	default:
		fm_put(m, a_addr, v4, 4);
	}
	fm_u16(m, a_port, chance(80) ? ntohs(sink->sin_port) : (uint16_t)rnd());
}

/* ssrc, ssrc-any or both or neither; mostly a base context's */
static void put_ctx_id(struct fz *f, struct fmsg *m)
{
	const struct base_ctx *b = &base[rndn(NBASE)];

	if (chance(70)) {
		put_base_id(f, m, b);
		if (chance(10))
			put_remote(f, m, KSRTP_A_CTX_REMOTE_ADDR, KSRTP_A_CTX_REMOTE_PORT);
		return;
	}
	fm_u64(m, KSRTP_A_CTX_SOCK_COOKIE, pick_cookie(f));
	fm_u32(m, KSRTP_A_CTX_DIR, rndn(2));
	if (chance(80))
		fm_u32(m, KSRTP_A_CTX_SSRC, chance(50) ? b->ssrc : (uint32_t)rnd());
	if (chance(25))
		fm_put(m, KSRTP_A_CTX_SSRC_ANY, NULL, 0);
	if (chance(30))
		put_remote(f, m, KSRTP_A_CTX_REMOTE_ADDR, KSRTP_A_CTX_REMOTE_PORT);
}

static void put_rand_key(struct fz *f, struct fmsg *m, uint32_t suite)
{
	put_key(f, m, rndn(NSECRET), chance(85) ? suite : 1 + rndn(KSRTP_SUITE_MAX),
		chance(60) ? 1 + rndn(4) : (uint32_t)rnd(), chance(25) ? 2 : 0);
}

static void gen_fwd_add(struct fz *f, struct fmsg *m)
{
	uint8_t pt[16];

	fm_u64(m, KSRTP_A_FWD_RX_SOCK_COOKIE, pick_cookie(f));
	if (chance(90))
		fm_u32(m, KSRTP_A_FWD_SSRC, chance(50) ? base[rndn(NBASE)].ssrc :
					    (uint32_t)rnd());
	if (chance(15))
		fm_put(m, KSRTP_A_FWD_SSRC_ANY, NULL, 0);
	fm_u64(m, KSRTP_A_FWD_TX_SOCK_COOKIE, pick_cookie(f));
	put_remote(f, m, KSRTP_A_FWD_REMOTE_ADDR, KSRTP_A_FWD_REMOTE_PORT);
	if (chance(40))
		fm_u32(m, KSRTP_A_FWD_SSRC_OUT, (uint32_t)rnd());
	if (chance(30))
		fm_u16(m, KSRTP_A_FWD_SEQ_OFFSET, (uint16_t)rnd());
	if (chance(30))
		fm_u32(m, KSRTP_A_FWD_TS_OFFSET, (uint32_t)rnd());
	if (chance(20)) {
		rndfill(pt, sizeof(pt));
		fm_put(m, KSRTP_A_FWD_PT_FILTER, pt, sizeof(pt));
	}
	if (chance(20))
		fm_u32(m, KSRTP_A_FWD_FLAGS, rndn(16));
	if (chance(15))
		put_remote(f, m, KSRTP_A_FWD_RX_REMOTE_ADDR, KSRTP_A_FWD_RX_REMOTE_PORT);
	if (chance(15))
		fm_u32(m, KSRTP_A_FWD_IDLE_TIMEOUT_MS, chance(50) ? 1 + rndn(1000) : (uint32_t)rnd());
}

/* Mostly the base forward's destination (port + 1) or one near it. */
static void gen_fwd_dest(struct fz *f, struct fmsg *m)
{
	const struct sockaddr_in *sink = (const void *)&f->sink_a;
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (chance(85))
		fm_u32(m, KSRTP_A_FWD_ID, chance(85) ? f->fwd_id : (uint32_t)rnd());
	for (int i = chance(80) ? 1 : rndn(3); i > 0; i--) {
		if (chance(85))
			put_dest(m, &sink->sin_addr, 4,
				 ntohs(sink->sin_port) + 1 + (chance(50) ? rndn(3) : 0));
		else
			put_dest(m, v6lo, chance(50) ? 16 : 1 + rndn(20), (uint16_t)rnd());
	}
}

/* A well-formed request for op, from the live state; mostly accepted. */
static void gen_valid(struct fz *f, struct fmsg *m, const struct op_desc *op)
{
	const struct base_ctx *b = &base[rndn(NBASE)];
	uint8_t data[256];
	uint32_t suite;

	fm_init(m, f->fam, op->cmd, 0);
	switch (op->cmd) {
	case KSRTP_CMD_SOCK_ATTACH:
		fm_u32(m, KSRTP_A_SOCK_FD, chance(80) ? f->spare : rndn(16));
		if (chance(40))
			fm_u32(m, KSRTP_A_SOCK_UPCALL, rndn(4));
		if (chance(40))
			fm_u32(m, KSRTP_A_SOCK_MAX_LEARNED, 1 + rndn(4096));
		if (chance(30))
			fm_u32(m, KSRTP_A_SOCK_PLAIN_RTP, rndn(4));
		break;
	case KSRTP_CMD_SOCK_DETACH:
	case KSRTP_CMD_SOCK_GET:
		fm_u64(m, KSRTP_A_SOCK_COOKIE, pick_cookie(f));
		break;
	case KSRTP_CMD_SOCK_SEND:
		fm_u64(m, KSRTP_A_SOCK_COOKIE, pick_cookie(f));
		put_remote(f, m, KSRTP_A_SOCK_REMOTE_ADDR, KSRTP_A_SOCK_REMOTE_PORT);
		rndfill(data, sizeof(data));
		data[0] = 20 + rndn(44);	/* DTLS: not RTP */
		fm_put(m, KSRTP_A_SOCK_DATA, data, 1 + rndn(sizeof(data)));
		break;
	case KSRTP_CMD_CTX_NEW:
		suite = 1 + rndn(KSRTP_SUITE_MAX);
		if (chance(60)) {
			fm_u64(m, KSRTP_A_CTX_SOCK_COOKIE, pick_cookie(f));
			fm_u32(m, KSRTP_A_CTX_DIR, rndn(2));
			if (chance(85))
				fm_u32(m, KSRTP_A_CTX_SSRC, (uint32_t)rnd());
			else
				fm_put(m, KSRTP_A_CTX_SSRC_ANY, NULL, 0);
			if (chance(20))
				put_remote(f, m, KSRTP_A_CTX_REMOTE_ADDR,
					   KSRTP_A_CTX_REMOTE_PORT);
		} else {
			put_ctx_id(f, m);
		}
		fm_u32(m, KSRTP_A_CTX_SUITE, suite);
		put_rand_key(f, m, suite);
		if (chance(20))
			fm_u32(m, KSRTP_A_CTX_ROC, (uint32_t)rnd());
		if (chance(20))
			fm_u16(m, KSRTP_A_CTX_SEQ, (uint16_t)rnd());
		if (chance(20))
			fm_u32(m, KSRTP_A_CTX_WINDOW, KSRTP_WINDOW_MIN +
			       rndn(KSRTP_WINDOW_MAX - KSRTP_WINDOW_MIN + 1));
		if (chance(15))
			fm_u32(m, KSRTP_A_CTX_FLAGS, rndn(4));
		if (chance(10))
			fm_u32(m, KSRTP_A_CTX_KDR, chance(70) ? 0 : (uint32_t)rnd());
		if (chance(15))
			fm_u64(m, KSRTP_A_CTX_SOFT_LIMIT, rnd());
		break;
	case KSRTP_CMD_CTX_DEL:
	case KSRTP_CMD_CTX_GET:
		put_ctx_id(f, m);
		break;
	case KSRTP_CMD_KEY_ADD:
		if (chance(80)) {
			put_base_id(f, m, b);
			put_key(f, m, rndn(NSECRET), b->suite, 2 + rndn(4),
				chance(90) ? b->mki_len : 2 - b->mki_len);
		} else {
			put_ctx_id(f, m);
			put_rand_key(f, m, b->suite);
		}
		break;
	case KSRTP_CMD_KEY_SWAP:
	case KSRTP_CMD_KEY_DEL:
		put_ctx_id(f, m);
		fm_u32(m, KSRTP_A_CTX_KEY_ID, chance(70) ? 1 + rndn(2) : rndn(6));
		break;
	case KSRTP_CMD_SOCK_SET:
		fm_u64(m, KSRTP_A_SOCK_COOKIE, pick_cookie(f));
		if (chance(60))
			fm_u32(m, KSRTP_A_SOCK_UPCALL, rndn(4));
		if (chance(60))
			fm_u32(m, KSRTP_A_SOCK_MAX_LEARNED, rndn(3) ? 1 + rndn(2000) :
							       (uint32_t)rnd());
		if (chance(40))
			fm_u32(m, KSRTP_A_SOCK_PLAIN_RTP, rndn(4));
		break;
	case KSRTP_CMD_FWD_ADD:
		gen_fwd_add(f, m);
		break;
	case KSRTP_CMD_FWD_DEST_ADD:
	case KSRTP_CMD_FWD_DEST_DEL:
		gen_fwd_dest(f, m);
		break;
	case KSRTP_CMD_FWD_DEL:
	case KSRTP_CMD_FWD_GET:
		if (chance(80))
			fm_u32(m, KSRTP_A_FWD_ID, chance(80) ? f->fwd_id : (uint32_t)rnd());
		if (chance(20))
			fm_u64(m, KSRTP_A_FWD_RX_SOCK_COOKIE, pick_cookie(f));
		break;
	}
}

/* Random attributes: any type up to past the op's max, any length, nests. */
static void gen_random_attrs(struct fz *f, struct fmsg *m, int maxattr, int depth)
{
	int n = rndn(6);

	for (int i = 0; i < n && m->len < 4096; i++) {
		uint16_t type = rndn(maxattr + 4);
		uint8_t data[80];

		if (depth < 3 && chance(20)) {
			size_t nest = fm_nest_start(m, type);

			gen_random_attrs(f, m, KSRTP_A_KEY_MAX, depth + 1);
			fm_nest_end(m, nest);
			continue;
		}
		rndfill(data, sizeof(data));
		if (chance(10))	/* a secret, where keys go or not */
			memcpy(data, f->secret[rndn(NSECRET)], 32);
		fm_put(m, type, data, rndn(4) ? 1 << rndn(4) : rndn(sizeof(data)));
	}
}

static void mutate(struct fz *f, struct fmsg *m, const struct op_desc *op, enum mut k)
{
	size_t offs[64];
	int n = fm_attrs(m, offs, 64);
	struct genlmsghdr *g = NLMSG_DATA(&m->nlh);
	struct nlattr *a = n ? (struct nlattr *)(m->buf + offs[rndn(n)]) : NULL;
	uint8_t big[600];

	switch (k) {
	case M_VALID:
	case M_MAX:
		break;
	case M_BITFLIP:
		for (int i = 1 + rndn(4); i > 0; i--) {
			size_t at = NLMSG_HDRLEN + rndn(m->len - NLMSG_HDRLEN);

			m->buf[at] ^= 1 << rndn(8);
		}
		break;
	case M_TRUNC:
		m->len = NLMSG_HDRLEN + rndn(m->len - NLMSG_HDRLEN);
		m->nlh.nlmsg_len = m->len;
		break;
	case M_NLMSG_LONG:
		m->nlh.nlmsg_len = m->len + 1 + rndn(chance(50) ? 8 : 0xffff);
		break;
	case M_NLMSG_SHORT:
		/* less than a message header left over: ignored */
		m->nlh.nlmsg_len = m->len - 1 - rndn(m->len < 16 ? m->len : 15);
		break;
	case M_NLA_LEN:
		if (a)
			a->nla_len = chance(30) ? rndn(NLA_HDRLEN) :
				     chance(50) ? a->nla_len + 1 + rndn(64) :
				     (uint16_t)rnd();
		break;
	case M_DUP:
		if (a && m->len + NLA_ALIGN(a->nla_len) < 8192) {
			uint16_t len = a->nla_len;

			memcpy(big, a, len < sizeof(big) ? len : sizeof(big));
			if (len <= sizeof(big)) {
				if (len > NLA_HDRLEN && chance(50))
					big[NLA_HDRLEN + rndn(len - NLA_HDRLEN)] ^= 0xff;
				fm_put(m, ((struct nlattr *)big)->nla_type,
				       big + NLA_HDRLEN, len - NLA_HDRLEN);
			}
		}
		break;
	case M_NEST:
		if (a && chance(50)) {
			a->nla_type ^= NLA_F_NESTED;
		} else if (chance(50)) {
			/* key attributes where the context's are */
			fm_u32(m, KSRTP_A_KEY_ID, 1);
			fm_put(m, KSRTP_A_KEY_MASTER_KEY, f->secret[rndn(NSECRET)], 16);
		} else {
			/* the whole request inside a key nest, or a nest in a nest */
			size_t body = m->len - NLMSG_LENGTH(GENL_HDRLEN);

			if (body + NLA_HDRLEN < 8192) {
				memmove(m->buf + NLMSG_LENGTH(GENL_HDRLEN) + NLA_HDRLEN,
					m->buf + NLMSG_LENGTH(GENL_HDRLEN), body);
				a = (struct nlattr *)(m->buf + NLMSG_LENGTH(GENL_HDRLEN));
				a->nla_type = (chance(50) ? KSRTP_A_CTX_KEY : rndn(op->maxattr + 2)) |
					      NLA_F_NESTED;
				a->nla_len = NLA_HDRLEN + body;
				m->len += NLA_HDRLEN;
				m->nlh.nlmsg_len = m->len;
			}
		}
		break;
	case M_OVERSIZE: {
		static const uint16_t bin[] = {
			KSRTP_A_CTX_REMOTE_ADDR, KSRTP_A_SOCK_DATA, KSRTP_A_CTX_KEY,
		};
		uint16_t t = bin[rndn(3)];

		if (t == KSRTP_A_SOCK_DATA && chance(50)) {
			/* past KSRTP_MAX_DATAGRAM, with the largest nla_len */
			static uint8_t huge[0xffff];
			size_t len = KSRTP_MAX_DATAGRAM + 1 + rndn(0xffff - NLA_HDRLEN -
								    KSRTP_MAX_DATAGRAM);

			rndfill(huge, 64);
			fm_put(m, KSRTP_A_SOCK_DATA, huge, len);
		} else if (t == KSRTP_A_CTX_KEY) {
			size_t nest = fm_nest_start(m, KSRTP_A_CTX_KEY);

			rndfill(big, sizeof(big));
			memcpy(big, f->secret[rndn(NSECRET)], 46);
			fm_u32(m, KSRTP_A_KEY_ID, 7);
			fm_put(m, KSRTP_A_KEY_MASTER_KEY, big, 33 + rndn(500));
			fm_put(m, KSRTP_A_KEY_MASTER_SALT, big + 32, chance(50) ? 15 + rndn(50) : 14);
			if (chance(50))
				fm_put(m, KSRTP_A_KEY_MKI, big, 5 + rndn(60));
			fm_nest_end(m, nest);
		} else {
			rndfill(big, sizeof(big));
			fm_put(m, KSRTP_A_CTX_REMOTE_ADDR, big, 17 + rndn(200));
		}
		break;
	}
	case M_UNKNOWN: {
		static const uint16_t types[] = { 0, 0x3fff, 0x7fff, 0xffff };
		uint32_t v = rnd();

		fm_put(m, chance(60) ? op->maxattr + 1 + rndn(20) : types[rndn(4)],
		       &v, rndn(5));
		break;
	}
	case M_DUMP:
		m->nlh.nlmsg_flags |= NLM_F_DUMP;
		break;
	case M_VERSION:
		g->version = chance(50) ? rndn(256) : 0;
		g->reserved = chance(50) ? (uint16_t)rnd() : 0;
		break;
	case M_RANDOM:
		fm_init(m, f->fam, op->cmd, chance(15) ? NLM_F_DUMP : 0);
		gen_random_attrs(f, m, op->maxattr, 0);
		break;
	case M_NOOP_CMD:
		g->cmd = chance(50) ? ntf_cmds[rndn(sizeof(ntf_cmds))] :
			 chance(50) ? 0 : KSRTP_CMD_MAX + 1 + rndn(255 - KSRTP_CMD_MAX);
		break;
	}
}

/* ------------------------------------------------------------ undo */

/* The attributes the kernel saw (the last of each type, up to nlmsg_len). */
static void seen_attrs(const struct fmsg *m, struct nlattr **tb, int max)
{
	size_t end = m->nlh.nlmsg_len < m->len ? m->nlh.nlmsg_len : m->len;

	nl_parse(tb, max, m->buf + NLMSG_LENGTH(GENL_HDRLEN),
		 end - NLMSG_LENGTH(GENL_HDRLEN));
}

static void copy_attr(struct fmsg *to, const struct nlattr *a)
{
	if (a)
		fm_put(to, a->nla_type, nl_data(a), nl_len(a));
}

/* Take back what an accepted request did; sock-get etc. did nothing. */
static void undo(struct fz *f, const struct fmsg *m, const struct fz_reply *r)
{
	const struct genlmsghdr *g = NLMSG_DATA(&m->nlh);
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1], *kt[KSRTP_A_KEY_MAX + 1];
	static struct fmsg u;
	uint32_t id = 0;

	if ((m->nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return;
	switch (g->cmd) {
	case KSRTP_CMD_SOCK_ATTACH:
		f->undo++;
		fm_init(&u, f->fam, KSRTP_CMD_SOCK_DETACH, 0);
		fm_u64(&u, KSRTP_A_SOCK_COOKIE, r->cookie);
		fz_must(f, &u);
		break;
	case KSRTP_CMD_FWD_ADD:
		f->undo++;
		fm_init(&u, f->fam, KSRTP_CMD_FWD_DEL, 0);
		fm_u32(&u, KSRTP_A_FWD_ID, r->fwd_id);
		fz_must(f, &u);
		break;
	case KSRTP_CMD_FWD_DEST_ADD:
	case KSRTP_CMD_FWD_DEST_DEL:
		/* several nests, some refused after others were done: rebuild */
		f->undo++;
		if (fz_rebuild(f))
			fz_bad(f, "rebuild after cmd %u failed", g->cmd);
		break;
	case KSRTP_CMD_SOCK_DETACH:
	case KSRTP_CMD_CTX_DEL:
	case KSRTP_CMD_KEY_DEL:
	case KSRTP_CMD_FWD_DEL:
		f->undo++;
		if (fz_rebuild(f))
			fz_bad(f, "rebuild after cmd %u failed", g->cmd);
		break;
	case KSRTP_CMD_SOCK_SET:
		f->undo++;
		fm_init(&u, f->fam, KSRTP_CMD_SOCK_SET, 0);
		fm_u64(&u, KSRTP_A_SOCK_COOKIE, f->cookie);
		fm_u32(&u, KSRTP_A_SOCK_UPCALL, 0);
		fm_u32(&u, KSRTP_A_SOCK_MAX_LEARNED, 256);
		fm_u32(&u, KSRTP_A_SOCK_PLAIN_RTP, KSRTP_PLAIN_RTP_DROP);
		fz_must(f, &u);
		break;
	case KSRTP_CMD_CTX_NEW:
	case KSRTP_CMD_KEY_ADD:
	case KSRTP_CMD_KEY_SWAP:
		/* ctx-new by ctx-del, key-add by key-del, key-swap back to 1 */
		f->undo++;
		seen_attrs(m, tb, KSRTP_A_CTX_MAX);
		fm_init(&u, f->fam, g->cmd == KSRTP_CMD_CTX_NEW ? KSRTP_CMD_CTX_DEL :
			g->cmd == KSRTP_CMD_KEY_ADD ? KSRTP_CMD_KEY_DEL :
			KSRTP_CMD_KEY_SWAP, 0);
		copy_attr(&u, tb[KSRTP_A_CTX_SOCK_COOKIE]);
		copy_attr(&u, tb[KSRTP_A_CTX_DIR]);
		copy_attr(&u, tb[KSRTP_A_CTX_SSRC]);
		copy_attr(&u, tb[KSRTP_A_CTX_SSRC_ANY]);
		copy_attr(&u, tb[KSRTP_A_CTX_REMOTE_ADDR]);
		copy_attr(&u, tb[KSRTP_A_CTX_REMOTE_PORT]);
		if (g->cmd == KSRTP_CMD_KEY_ADD) {
			if (tb[KSRTP_A_CTX_KEY] &&
			    !nl_parse(kt, KSRTP_A_KEY_MAX, nl_data(tb[KSRTP_A_CTX_KEY]),
				      nl_len(tb[KSRTP_A_CTX_KEY])) && kt[KSRTP_A_KEY_ID])
				id = nl_u32(kt[KSRTP_A_KEY_ID]);
			fm_u32(&u, KSRTP_A_CTX_KEY_ID, id);
		} else if (g->cmd == KSRTP_CMD_KEY_SWAP) {
			fm_u32(&u, KSRTP_A_CTX_KEY_ID, 1);
		}
		fz_must(f, &u);
		break;
	}
}

/* ------------------------------------------------------------ fixture */

FIXTURE(fz) {
	struct fz f;
	struct snap before;
	unsigned long count, seed;
};

FIXTURE_SETUP(fz)
{
	struct fz *f = &self->f;
	struct genl_family_info fi;
	int one = 1;

	memset(f, 0, sizeof(*f));
	self->count = (unsigned long)test_env_long("KSRTP_GENL_FUZZ_COUNT", FZ_COUNT);
	self->seed = (unsigned long)test_env_long("KSRTP_FUZZ_SEED", FZ_SEED);
	rng_seed(&rng, self->seed);
	for (int i = 0; i < NSECRET; i++)
		rndfill(f->secret[i], sizeof(f->secret[i]));
	f->nl = nl_open();
	ASSERT_GE(f->nl, 0);
	/* acks without the request: they would echo the keys we send */
	ASSERT_EQ(0, setsockopt(f->nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)));
	ASSERT_EQ(0, genl_resolve(f->nl, KSRTP_FAMILY_NAME, &fi));
	f->fam = fi.id;
	/* notifications must not carry keys either */
	f->ev = nl_open();
	ASSERT_GE(f->ev, 0);
	ASSERT_EQ(0, setsockopt(f->ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&fi.events_grp, sizeof(fi.events_grp)));
	f->app = udp_open(AF_INET, &f->app_a);
	f->spare = udp_open(AF_INET, &f->spare_a);
	f->sink = udp_open(AF_INET, &f->sink_a);
	ASSERT_GE(f->app, 0);
	ASSERT_GE(f->spare, 0);
	ASSERT_GE(f->sink, 0);
	ASSERT_EQ(0, attach_app(f));
	ASSERT_EQ(0, fz_rebuild(f)) TH_LOG("%s", f->first_bad);
	ASSERT_EQ(0, snapshot(f, &self->before));
	ASSERT_EQ(NBASE, self->before.nctx);
	ASSERT_EQ(1, self->before.nfwd);
	f->rebuilds = 0;
}

FIXTURE_TEARDOWN(fz)
{
	close(self->f.app);
	close(self->f.spare);
	close(self->f.sink);
	close(self->f.nl);
	close(self->f.ev);
	free(self->before.text);
}

/* The notifications so far, scanned for key bytes. */
static void drain_events(struct fz *f)
{
	static uint8_t buf[FZ_BUF];
	ssize_t n;

	while ((n = recv(f->ev, buf, sizeof(buf), MSG_DONTWAIT)) >= 0 || errno == ENOBUFS) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (n < 0)	/* overrun: what was lost was never read */
			continue;
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n))
			f->events++;
		if (has_secret(f, buf, n)) {
			f->key_seen++;
			fz_bad(f, "key bytes in a notification");
		}
	}
}

static void drain(int fd)
{
	char b[2048];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		;
}

/* The UAPI's commands are the controller's ops, with the expected flags. */
TEST_F(fz, ops_match_the_uapi)
{
	struct ctrl_ops co = { 0 };
	struct nl_reply r;
	struct nlmsg m;

	nl_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, KSRTP_FAMILY_NAME);
	ASSERT_EQ(0, nl_talk(self->f.nl, &m, ctrl_ops_cb, &co, &r));
	for (int cmd = 0; cmd < 256; cmd++) {
		const struct op_desc *op = op_of(cmd);

		if (!op) {
			EXPECT_FALSE(co.present[cmd]) TH_LOG("cmd %d is an op", cmd);
			continue;
		}
		ASSERT_TRUE(co.present[cmd]) TH_LOG("%s is no op", op->name);
		EXPECT_TRUE(co.flags[cmd] & GENL_CMD_CAP_DO) TH_LOG("%s", op->name);
		EXPECT_EQ(op->dump, !!(co.flags[cmd] & GENL_CMD_CAP_DUMP)) TH_LOG("%s", op->name);
		EXPECT_EQ(cmd != KSRTP_CMD_INFO_GET, !!(co.flags[cmd] & GENL_UNS_ADMIN_PERM))
			TH_LOG("%s", op->name);
		EXPECT_FALSE(co.flags[cmd] & GENL_ADMIN_PERM) TH_LOG("%s", op->name);
	}
	for (int cmd = 1; cmd <= KSRTP_CMD_MAX; cmd++) {
		EXPECT_TRUE(op_of(cmd) || memchr(ntf_cmds, cmd, sizeof(ntf_cmds)))
			TH_LOG("UAPI command %d unknown to this test", cmd);
	}
}

static bool ok_errno(int err)
{
	return err < 0 && err > -256;
}

TEST_F_TIMEOUT(fz, random_and_mutated_messages, 1800)
{
	static struct fmsg m;
	struct fz *f = &self->f;
	struct fz_reply r;
	struct timespec t0, t1;
	struct snap after;
	char line[1024];
	size_t o;

	TH_LOG("seed 0x%lx, %lu messages", self->seed, self->count);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < self->count; i++) {
		const struct op_desc *op = &ops[rndn(NOPS)];
		enum mut k = chance(12) ? M_VALID : 1 + rndn(M_MAX - 1);
		bool dump, short_hdr, resv;
		const struct op_desc *real;
		uint8_t cmd;

		gen_valid(f, &m, op);
		if (k == M_VALID && op->dump && chance(50))
			m.nlh.nlmsg_flags |= NLM_F_DUMP;
		mutate(f, &m, op, k);
		f->by_mut[k]++;
		cmd = ((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->cmd;
		real = op_of(cmd);
		dump = (m.nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		fz_xfer(f, f->nl, &m, &r);
		f->sent++;

		if (m.nlh.nlmsg_len < NLMSG_HDRLEN || m.nlh.nlmsg_len > m.len) {
			/* netlink_rcv_skb() drops it without a word */
			if (r.answered)
				fz_bad(f, "#%lu (%s): nlmsg_len %u of %zu answered %d",
				       i, mut_name[k], m.nlh.nlmsg_len, m.len, r.err);
			f->noreply++;
			continue;
		}
		if (!r.answered) {
			fz_bad(f, "#%lu %s (%s): no answer", i, op->name, mut_name[k]);
			continue;
		}
		short_hdr = m.nlh.nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN);
		resv = !short_hdr && ((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->reserved;
		if (short_hdr || resv || !real || (dump && !real->dump)) {
			/*
			 * Refused by the genl core before the family sees it,
			 * in this order: a short header (EINVAL), reserved
			 * bits (EINVAL, with extack), no such op (EOPNOTSUPP).
			 */
			int want = short_hdr || resv ? -EINVAL : -EOPNOTSUPP;

			f->core++;
			if (r.err != want)
				fz_bad(f, "#%lu cmd %u%s (%s): %d, not the core's %d",
				       i, cmd, dump ? " dump" : "", mut_name[k], r.err, want);
			if (resv && !r.extack)
				fz_bad(f, "#%lu reserved bits: no extack", i);
			if (ok_errno(r.err))
				f->by_errno[-r.err]++;
			continue;
		}
		if (!r.err) {
			f->accepted++;
			f->acc_by_op[cmd]++;
			if (dump)
				f->acc_dump++;
			undo(f, &m, &r);
			if (cmd == KSRTP_CMD_SOCK_SEND)
				drain(f->sink);
		} else {
			f->refused++;
			if (ok_errno(r.err))
				f->by_errno[-r.err]++;
			else
				fz_bad(f, "#%lu %s: error %d", i, real->name, r.err);
			if (!r.extack) {
				f->no_extack++;
				fz_bad(f, "#%lu %s%s (%s): %s without extack", i, real->name,
				       dump ? " dump" : "", mut_name[k], strerror(-r.err));
			}
		}
		if ((i + 1) % FZ_CHECK_EVERY == 0 || i + 1 == self->count) {
			drain_events(f);
			ASSERT_EQ(0, snapshot(f, &after));
			if (after.len != self->before.len ||
			    memcmp(after.text, self->before.text, after.len)) {
				f->leaks++;
				fz_bad(f, "state differs after #%lu:\n%s---\n%s", i,
				       self->before.text, after.text);
			}
			free(after.text);
			if (f->bad)
				break;
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("sent %u in %.1f s: accepted %u (%u dumps), refused by the family's policies and handlers %u, by the genl core's header checks %u, dropped unanswered %u (nlmsg_len past the datagram); %u undos, %u rebuilds",
	       f->sent, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       f->accepted, f->acc_dump, f->refused, f->core, f->noreply,
	       f->undo, f->rebuilds);
	TH_LOG("%u notifications read, none with key bytes", f->events);
	o = 0;
	for (int e = 1; e < 256; e++)
		if (f->by_errno[e])
			o += snprintf(line + o, sizeof(line) - o, " %s %u",
				      strerrorname_np(e), f->by_errno[e]);
	TH_LOG("refused by errno:%s", line);
	o = 0;
	for (size_t j = 0; j < NOPS; j++)
		o += snprintf(line + o, sizeof(line) - o, " %s %u", ops[j].name,
			      f->acc_by_op[ops[j].cmd]);
	TH_LOG("accepted by op:%s", line);
	o = 0;
	for (int j = 0; j < M_MAX; j++)
		o += snprintf(line + o, sizeof(line) - o, " %s %u", mut_name[j], f->by_mut[j]);
	TH_LOG("mutations:%s", line);

	EXPECT_EQ(0, f->bad) TH_LOG("first: %s (seed 0x%lx)", f->first_bad, self->seed);
	EXPECT_EQ(0, f->no_extack);
	EXPECT_EQ(0, f->key_seen);
	EXPECT_EQ(0, f->leaks);
	/* every op was accepted at least once: the generator reaches them */
	for (size_t j = 0; self->count >= 5000 && j < NOPS; j++) {
		EXPECT_NE(0, f->acc_by_op[ops[j].cmd]) TH_LOG("%s", ops[j].name);
	}

	/* the family still answers, and the state is the initial one */
	{
		struct nl_reply nr;
		struct nlmsg im;

		nl_init(&im, f->fam, 0, KSRTP_CMD_INFO_GET, KSRTP_FAMILY_VERSION);
		EXPECT_EQ(0, nl_talk(f->nl, &im, NULL, NULL, &nr));
		EXPECT_EQ(1, nr.nmsgs);
	}
	ASSERT_EQ(0, snapshot(f, &after));
	EXPECT_EQ(self->before.nsock, after.nsock);
	EXPECT_EQ(self->before.nctx, after.nctx);
	EXPECT_STREQ(self->before.text, after.text);
	free(after.text);
	EXPECT_EQ(0, f->key_seen);
}

/* ------------------------------------------------------------ unprivileged */

struct unpriv_res {
	unsigned int sent, eperm, gets_eperm, key_seen;
	int has_net_admin;
	char first_bad[256];
};

static void unpriv_bad(struct unpriv_res *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void unpriv_bad(struct unpriv_res *u, const char *fmt, ...)
{
	va_list ap;

	if (u->first_bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(u->first_bad, sizeof(u->first_bad), fmt, ap);
	va_end(ap);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return true;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Every write op, valid and mutated (but still a do of that op with a whole
 * genl header), and the gets and dumps, over nl; all EPERM.
 */
static void unpriv_run(struct fz *f, int nl, int per_op, struct unpriv_res *u)
{
	static struct fmsg m;
	struct fz_reply r;

	for (size_t j = 0; j < NOPS; j++) {
		const struct op_desc *op = &ops[j];

		if (op->cmd == KSRTP_CMD_INFO_GET)
			continue;
		for (int i = 0; i < per_op; i++) {
			static const enum mut safe[] = {
				M_VALID, M_BITFLIP, M_NLA_LEN, M_DUP, M_NEST,
				M_OVERSIZE, M_UNKNOWN, M_VERSION,
			};
			enum mut k = i ? safe[rndn(sizeof(safe) / sizeof(safe[0]))] : M_VALID;
			struct genlmsghdr *g = NLMSG_DATA(&m.nlh);

			gen_valid(f, &m, op);
			if (op->dump && i % 2)
				m.nlh.nlmsg_flags |= NLM_F_DUMP;
			mutate(f, &m, op, k);
			/* the header stays one of this op: the core checks it first */
			g->cmd = op->cmd;
			g->reserved = 0;
			fz_xfer(f, nl, &m, &r);
			u->sent++;
			if (r.ndata)
				unpriv_bad(u, "%s answered data", op->name);
			if (r.err == -EPERM) {
				u->eperm++;
				if (!op->write)
					u->gets_eperm++;
			} else {
				unpriv_bad(u, "%s%s (%s): %d, not EPERM", op->name,
					   (m.nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP ?
					   " dump" : "", mut_name[k], r.err);
			}
		}
	}
}

/* Drop one capability from the effective, permitted and inheritable sets. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	d[cap / 32].inheritable &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

static int own_nl(void)
{
	int one = 1, nl = nl_open();

	if (nl < 0 || setsockopt(nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		return -1;
	return nl;
}

TEST_F(fz, unprivileged_writes_are_eperm)
{
	static const char *const who[3] = {
		"uid 0 without CAP_NET_ADMIN, its own socket",
		"nobody, over root's socket",
		"nobody, its own socket",
	};
	struct unpriv_res u[3] = { 0 };
	struct snap after;
	int pfd[2];
	pid_t pid;
	int status, per_op = 50;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct unpriv_res res[3] = { 0 };
		int nl;

		close(pfd[0]);
		/* root, but without the capability */
		if (drop_cap(CAP_NET_ADMIN) || has_cap(CAP_NET_ADMIN) || getuid())
			_exit(10);
		nl = own_nl();
		if (nl < 0)
			_exit(11);
		unpriv_run(&self->f, nl, per_op, &res[0]);
		close(nl);
		/* nobody: over the socket root opened, then over its own */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(12);
		res[1].has_net_admin = has_cap(CAP_NET_ADMIN);
		unpriv_run(&self->f, self->f.nl, per_op, &res[1]);
		nl = own_nl();
		if (nl < 0)
			_exit(13);
		unpriv_run(&self->f, nl, per_op, &res[2]);
		res[2].key_seen = self->f.key_seen;
		/* info-get stays open to everyone */
		{
			struct fz_reply r;
			static struct fmsg m;

			fm_init(&m, self->f.fam, KSRTP_CMD_INFO_GET, 0);
			fz_xfer(&self->f, nl, &m, &r);
			if (r.err || r.ndata != 1)
				unpriv_bad(&res[2], "info-get: %d, %d answers", r.err, r.ndata);
		}
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(14);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(u), read(pfd[0], u, sizeof(u)));
	close(pfd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(u[1].has_net_admin);
	for (int s = 0; s < 3; s++) {
		EXPECT_EQ(u[s].sent, u[s].eperm) TH_LOG("%s: %s", who[s], u[s].first_bad);
		EXPECT_STREQ("", u[s].first_bad);
		TH_LOG("%s: %u requests over %zu ops (%u of them gets and dumps), %u EPERM",
		       who[s], u[s].sent, NOPS - 1, u[s].gets_eperm, u[s].eperm);
	}
	EXPECT_EQ(0, u[2].key_seen);
	/* nothing changed */
	ASSERT_EQ(0, snapshot(&self->f, &after));
	EXPECT_STREQ(self->before.text, after.text);
	free(after.text);
	EXPECT_EQ(0, self->f.key_seen);
}

TEST_HARNESS_MAIN
