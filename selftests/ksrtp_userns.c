// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp from a user namespace. A forked child gives up root (uid and gid
 * nobody), unshares a user and a network namespace and maps itself to root
 * in them: it holds CAP_NET_ADMIN over its own network namespace only. It
 * drives ksrtp there (attach, contexts, SRTP both ways against the OpenSSL
 * reference, byte for byte, a TX rekey, sock-set, events) and never reaches
 * the initial namespace's: its cookies are not found by any op (ENOENT with
 * extack), dumps show none of them, a socket of the initial namespace cannot
 * be attached (EINVAL), the initial namespace's netlink socket it inherited
 * refuses it (EPERM) and will not subscribe it to events, and events cross
 * in neither direction.
 */
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SUITE	KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80
#define P_SSRC	0x70707070u
#define C_SSRC	0x51515151u

/* A failed check in the child: say where, exit with the line. */
#define CK(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "# child: line %d: %s\n", __LINE__, #cond); \
		_exit(1);						\
	}								\
} while (0)

/* Like CK, for a netlink request: errno and extack too. */
#define CKR(expr, want) do {						\
	int _e = (expr);						\
	if (_e != (want)) {						\
		fprintf(stderr, "# child: line %d: %s = %d (%s), want %d\n", \
			__LINE__, #expr, _e, r.extack, (want));		\
		_exit(1);						\
	}								\
} while (0)

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Become root of a new user namespace owning a new network namespace,
 * from uid nobody: no capability in the initial namespaces is left.
 * Returns 0, or -1 when this kernel refuses unprivileged user namespaces.
 */
static int enter_userns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -2;
	/* setuid() made us undumpable: /proc/self would stay root's */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -1;
	if (write_file("/proc/self/uid_map", "0 65534 1") ||
	    write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/gid_map", "0 65534 1"))
		return -2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -2;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		return -2;
	close(fd);
	return 0;
}

static int events_open(struct ksrtp_nl *k)
{
	uint32_t grp = k->fam.events_grp;
	int fd = nl_open();

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The detach events queued on fd, without waiting: a detach notifies its
 * listeners inside the sock-detach request, so by the time it is answered
 * the event is queued or was never going to be.
 */
static int detach_events(int fd, uint64_t *cookies, int max)
{
	uint8_t buf[8192];
	int n = 0;

	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0)
			return errno == EAGAIN ? n : -errno;
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type < NLMSG_MIN_TYPE ||
			    g->cmd != KSRTP_CMD_SOCK_DETACH_NTF ||
			    nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) ||
			    !tb[KSRTP_A_SOCK_COOKIE])
				return -EBADMSG;
			if (n < max)
				cookies[n] = nl_u64(tb[KSRTP_A_SOCK_COOKIE]);
			n++;
		}
	}
}

/* Attach a fresh UDP socket and detach it: one detach event. */
static int detach_one(struct ksrtp_nl *k, uint64_t *cookie)
{
	struct sockaddr_storage a;
	struct nl_reply r;
	struct nlmsg m;
	int fd = udp_open(AF_INET, &a), err;

	if (fd < 0)
		return -1;
	err = kn_attach(k, fd, 0, cookie, &r);
	if (!err) {
		kn_msg(k, &m, KSRTP_CMD_SOCK_DETACH, 0);
		nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, *cookie);
		err = nl_talk(k->fd, &m, NULL, NULL, &r);
	}
	close(fd);
	return err;
}

struct sock_list {
	uint64_t cookie[32];
	int n;
};

static int sock_list_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct sock_list *l = arg;

	if (nl_parse_genl(tb, KSRTP_A_SOCK_MAX, nlh) || !tb[KSRTP_A_SOCK_COOKIE])
		return -1;
	if (l->n < 32)
		l->cookie[l->n] = nl_u64(tb[KSRTP_A_SOCK_COOKIE]);
	l->n++;
	return 0;
}

/* Every attached socket a sock-get dump over k shows. */
static int sock_dump(struct ksrtp_nl *k, struct sock_list *l)
{
	struct nl_reply r;
	struct nlmsg m;

	memset(l, 0, sizeof(*l));
	kn_msg(k, &m, KSRTP_CMD_SOCK_GET, NLM_F_DUMP);
	return nl_talk(k->fd, &m, sock_list_cb, l, &r);
}

static bool listed(const struct sock_list *l, uint64_t cookie)
{
	for (int i = 0; i < l->n && i < 32; i++)
		if (l->cookie[i] == cookie)
			return true;
	return false;
}

/* Every op that names a socket, with a cookie; ENOENT and extack each. */
static int foreign_cookie_refused(struct ksrtp_nl *k, uint64_t cookie,
				  const uint8_t *key, int *nops)
{
	static const uint8_t dtls[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
	struct ctx_spec c = { .cookie = cookie, .dir = KSRTP_DIR_RX, .ssrc = P_SSRC,
			      .suite = SUITE, .key = key, .key_id = 1, .roc = -1,
			      .seq = -1 };
	uint8_t lo[4] = { 127, 0, 0, 1 };
	struct ctx_stats cs;
	struct nl_reply r;
	struct nlmsg m;
	int err;

#define FOREIGN(expr) do {						\
	err = (expr);							\
	(*nops)++;							\
	if (err != -ENOENT || !r.extack[0]) {				\
		fprintf(stderr, "# %s: %d (%s), want ENOENT with extack\n", \
			#expr, err, r.extack);				\
		return -1;						\
	}								\
} while (0)
	kn_msg(k, &m, KSRTP_CMD_SOCK_GET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	FOREIGN(nl_talk(k->fd, &m, NULL, NULL, &r));
	kn_msg(k, &m, KSRTP_CMD_SOCK_DETACH, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	FOREIGN(nl_talk(k->fd, &m, NULL, NULL, &r));
	kn_msg(k, &m, KSRTP_CMD_SOCK_SET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put_u32(&m, KSRTP_A_SOCK_UPCALL, KSRTP_UPCALL_DTLS);
	FOREIGN(nl_talk(k->fd, &m, NULL, NULL, &r));
	kn_msg(k, &m, KSRTP_CMD_SOCK_SEND, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	nl_put(&m, KSRTP_A_SOCK_REMOTE_ADDR, lo, 4);
	nl_put_u16(&m, KSRTP_A_SOCK_REMOTE_PORT, 9);
	nl_put(&m, KSRTP_A_SOCK_DATA, dtls, sizeof(dtls));
	FOREIGN(nl_talk(k->fd, &m, NULL, NULL, &r));
	FOREIGN(kn_ctx_new(k, &c, &r));
	memset(&r, 0, sizeof(r));
	{
		/* ctx-get: the reply struct is kn_ctx_stats's own */
		kn_msg(k, &m, KSRTP_CMD_CTX_GET, 0);
		kn_put_id(&m, &c);
		FOREIGN(nl_talk(k->fd, &m, ctx_stats_cb, &cs, &r));
	}
	FOREIGN(kn_key_cmd(k, KSRTP_CMD_CTX_DEL, &c, &r));
	c.key_id = 2;
	FOREIGN(kn_key_cmd(k, KSRTP_CMD_KEY_ADD, &c, &r));
	FOREIGN(kn_key_cmd(k, KSRTP_CMD_KEY_SWAP, &c, &r));
	FOREIGN(kn_key_cmd(k, KSRTP_CMD_KEY_DEL, &c, &r));
	/* a dump of the socket's contexts ends in ENOENT */
	kn_msg(k, &m, KSRTP_CMD_CTX_GET, NLM_F_DUMP);
	nl_put_u64(&m, KSRTP_A_CTX_SOCK_COOKIE, cookie);
	err = nl_talk(k->fd, &m, NULL, NULL, &r);
	(*nops)++;
	if (err != -ENOENT || r.nmsgs) {
		fprintf(stderr, "# ctx-get dump: %d, %d contexts\n", err, r.nmsgs);
		return -1;
	}
#undef FOREIGN
	return 0;
}

/* Over a netlink socket of another namespace: EPERM, whatever the cookie. */
static int foreign_netns_eperm(struct ksrtp_nl *k, uint64_t cookie, int app)
{
	struct nl_reply r;
	struct nlmsg m;
	uint64_t ck;

	kn_msg(k, &m, KSRTP_CMD_SOCK_GET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	if (nl_talk(k->fd, &m, NULL, NULL, &r) != -EPERM)
		return -1;
	kn_msg(k, &m, KSRTP_CMD_SOCK_GET, NLM_F_DUMP);
	if (nl_talk(k->fd, &m, NULL, NULL, &r) != -EPERM || r.nmsgs)
		return -2;
	if (kn_attach(k, app, 0, &ck, &r) != -EPERM)
		return -3;
	kn_msg(k, &m, KSRTP_CMD_SOCK_DETACH, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cookie);
	if (nl_talk(k->fd, &m, NULL, NULL, &r) != -EPERM)
		return -4;
	/* info-get is for everyone */
	kn_msg(k, &m, KSRTP_CMD_INFO_GET, 0);
	if (nl_talk(k->fd, &m, NULL, NULL, &r) || r.nmsgs != 1)
		return -5;
	return 0;
}

FIXTURE(uns) {
	struct ksrtp_nl k;		/* initial netns, real root */
	int ev;				/* its events */
	int app, free_sock;
	struct sockaddr_storage app_a, free_a;
	uint64_t cookie;
	uint8_t key[46];
	int to_child[2], to_parent[2];
};

FIXTURE_SETUP(uns)
{
	struct ctx_spec c = { .dir = KSRTP_DIR_RX, .ssrc = P_SSRC, .suite = SUITE,
			      .key_id = 1, .roc = -1, .seq = -1 };
	struct nl_reply r;

	key_fill(self->key, sizeof(self->key), 0x3c);
	ASSERT_EQ(0, kn_open(&self->k));
	self->ev = events_open(&self->k);
	ASSERT_GE(self->ev, 0);
	self->app = udp_open(AF_INET, &self->app_a);
	self->free_sock = udp_open(AF_INET, &self->free_a);
	ASSERT_GE(self->app, 0);
	ASSERT_GE(self->free_sock, 0);
	ASSERT_EQ(0, kn_attach(&self->k, self->app, 0, &self->cookie, &r));
	c.cookie = self->cookie;
	c.key = self->key;
	ASSERT_EQ(0, kn_ctx_new(&self->k, &c, &r)) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, pipe(self->to_child));
	ASSERT_EQ(0, pipe(self->to_parent));
}

FIXTURE_TEARDOWN(uns)
{
	close(self->app);
	close(self->free_sock);
	close(self->ev);
	close(self->k.fd);
	close(self->to_parent[0]);
	close(self->to_child[1]);
}

/* What the child reports: its cookies, then that it is done. */
struct child_msg {
	int stage;
	uint64_t app_cookie, event_cookie;
};

static void child_main(FIXTURE_DATA(uns) *self)
{
	uint8_t key[46], key2[46], plain[128], pkt[160], got[160], ref[160];
	struct sockaddr_storage a, p;
	struct child_msg cm = { 0 };
	struct ossl_srtp o, o2;
	struct nlmsg m;
	struct ksrtp_nl k;
	struct ctx_stats cs;
	struct sock_list l;
	struct nl_reply r;
	uint64_t cookie, evc[4];
	int app, peer, ev, n, len, nops = 0, err;
	uint32_t grp;
	char go;

	err = enter_userns();
	if (err == -1) {
		fprintf(stderr, "# child: unprivileged user namespaces refused: %s\n",
			strerror(errno));
		_exit(4);
	}
	CK(err == 0);

	/* the inherited netlink socket of the initial netns: nothing */
	CK(foreign_netns_eperm(&self->k, self->cookie, self->free_sock) == 0);
	grp = self->k.fam.events_grp;
	CK(setsockopt(self->k.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		      sizeof(grp)) && errno == EPERM);

	/* its own netns: the family, events, its own sockets */
	CK(kn_open(&k) == 0);
	ev = events_open(&k);
	CK(ev >= 0);
	memset(&r, 0, sizeof(r));
	CKR(kn_attach(&k, self->free_sock, 0, &cookie, &r), -EINVAL);
	CK(strstr(r.extack, "another network namespace"));

	app = udp_open(AF_INET, &a);
	peer = udp_open(AF_INET, &p);
	CK(app >= 0 && peer >= 0);
	CK(udp_connect(app, &p) == 0 && udp_connect(peer, &a) == 0);
	CKR(kn_attach(&k, app, 0, &cm.app_cookie, &r), 0);
	key_fill(key, sizeof(key), 0x77);
	{
		struct ctx_spec c = { .cookie = cm.app_cookie, .ssrc = C_SSRC,
				      .suite = SUITE, .key = key, .key_id = 1,
				      .roc = -1, .seq = -1 };

		c.dir = KSRTP_DIR_RX;
		CKR(kn_ctx_new(&k, &c, &r), 0);
		c.dir = KSRTP_DIR_TX;
		CKR(kn_ctx_new(&k, &c, &r), 0);
		CK(ossl_init(&o, 16, 14, 10, 10, 1, key) == 0);

		/* RX: the reference's SRTP reaches the application as RTP */
		n = rtp_make(plain, C_SSRC, 100, 40, 0, false);
		memcpy(pkt, plain, n);
		len = ossl_protect_rtp(&o, pkt, n, 12, C_SSRC, 100, NULL, 0);
		CK(len == n + 10);
		CK(send(peer, pkt, len, 0) == len);
		CK(recv(app, got, sizeof(got), 0) == n);
		CK(!memcmp(got, plain, n));
		/* TX: the application's RTP leaves as the reference's SRTP */
		n = rtp_make(plain, C_SSRC, 7, 40, 0, false);
		memcpy(ref, plain, n);
		len = ossl_protect_rtp(&o, ref, n, 12, C_SSRC, 7, NULL, 0);
		CK(send(app, plain, n, 0) == n);
		CK(recv(peer, got, sizeof(got), 0) == len);
		CK(!memcmp(got, ref, len));
		c.dir = KSRTP_DIR_RX;
		CK(kn_ctx_stats(&k, &c, &cs) == 0);
		CK(cs.v[KSRTP_A_CTX_STATS_PACKETS] == 1);
		c.dir = KSRTP_DIR_TX;
		CK(kn_ctx_stats(&k, &c, &cs) == 0);
		CK(cs.v[KSRTP_A_CTX_STATS_PACKETS] == 1);
		CK(kn_ctx_count(&k, cm.app_cookie) == 2);

		/* rekey TX: key-add, key-swap; the next packet is the new key's */
		key_fill(key2, sizeof(key2), 0x99);
		c.key = key2;
		c.key_id = 2;
		CKR(kn_key_cmd(&k, KSRTP_CMD_KEY_ADD, &c, &r), 0);
		CKR(kn_key_cmd(&k, KSRTP_CMD_KEY_SWAP, &c, &r), 0);
		CK(ossl_init(&o2, 16, 14, 10, 10, 1, key2) == 0);
		n = rtp_make(plain, C_SSRC, 8, 40, 0, false);
		memcpy(ref, plain, n);
		len = ossl_protect_rtp(&o2, ref, n, 12, C_SSRC, 8, NULL, 0);
		CK(send(app, plain, n, 0) == n);
		CK(recv(peer, got, sizeof(got), 0) == len);
		CK(!memcmp(got, ref, len));
		c.key_id = 1;
		CKR(kn_key_cmd(&k, KSRTP_CMD_KEY_DEL, &c, &r), 0);
		/* and sock-set on its own socket */
		kn_msg(&k, &m, KSRTP_CMD_SOCK_SET, 0);
		nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cm.app_cookie);
		nl_put_u32(&m, KSRTP_A_SOCK_MAX_LEARNED, 17);
		CKR(nl_talk(k.fd, &m, NULL, NULL, &r), 0);
	}

	/* the initial netns's socket and contexts do not exist here */
	CK(foreign_cookie_refused(&k, self->cookie, self->key, &nops) == 0);
	CK(nops == 11);
	CK(sock_dump(&k, &l) == 0);
	CK(l.n == 1 && l.cookie[0] == cm.app_cookie);

	/* tell the parent our cookie; it makes an event in its netns */
	cm.stage = 1;
	CK(write(self->to_parent[1], &cm, sizeof(cm)) == sizeof(cm));
	CK(read(self->to_child[0], &go, 1) == 1);
	/* ours, and only ours, reaches our listener */
	CK(detach_one(&k, &cm.event_cookie) == 0);
	CK(detach_events(ev, evc, 4) == 1);
	CK(evc[0] == cm.event_cookie);
	cm.stage = 2;
	CK(write(self->to_parent[1], &cm, sizeof(cm)) == sizeof(cm));
	/* the parent checks our socket from its side; wait, then go */
	CK(read(self->to_child[0], &go, 1) == 1);
	close(app);
	close(peer);
	close(ev);
	close(k.fd);
	_exit(0);
}

TEST_F(uns, userns_root_drives_only_its_own_netns)
{
	struct child_msg cm;
	struct sock_list before, after;
	struct nl_reply r;
	struct nlmsg m;
	uint64_t evc[4], pc;
	int status;
	pid_t pid;

	ASSERT_EQ(0, sock_dump(&self->k, &before));
	ASSERT_TRUE(listed(&before, self->cookie));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(self->to_parent[0]);
		close(self->to_child[1]);
		child_main(self);
	}
	close(self->to_parent[1]);
	close(self->to_child[0]);

	if (read(self->to_parent[0], &cm, sizeof(cm)) != sizeof(cm)) {
		/* the child failed or cannot have a user namespace */
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		if (WEXITSTATUS(status) == 4)
			SKIP(return, "unprivileged user namespaces are disabled");
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	ASSERT_EQ(1, cm.stage);
	/* the child's socket does not exist here */
	kn_msg(&self->k, &m, KSRTP_CMD_SOCK_GET, 0);
	nl_put_u64(&m, KSRTP_A_SOCK_COOKIE, cm.app_cookie);
	EXPECT_EQ(-ENOENT, nl_talk(self->k.fd, &m, NULL, NULL, &r));
	EXPECT_EQ(-ENOENT, kn_ctx_count(&self->k, cm.app_cookie));
	ASSERT_EQ(0, sock_dump(&self->k, &after));
	EXPECT_FALSE(listed(&after, cm.app_cookie));
	EXPECT_EQ(before.n, after.n);
	/* an event here: our listener has it, the child's must not */
	ASSERT_EQ(0, detach_one(&self->k, &pc));
	ASSERT_EQ(1, detach_events(self->ev, evc, 4));
	EXPECT_EQ(pc, evc[0]);
	ASSERT_EQ(1, write(self->to_child[1], "g", 1));
	ASSERT_EQ(sizeof(cm), read(self->to_parent[0], &cm, sizeof(cm)));
	ASSERT_EQ(2, cm.stage);
	/* the child's event came before this read: not to us */
	EXPECT_EQ(0, detach_events(self->ev, evc, 4));
	ASSERT_EQ(1, write(self->to_child[1], "g", 1));

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* our socket and context are as they were */
	EXPECT_EQ(1, kn_ctx_count(&self->k, self->cookie));
	ASSERT_EQ(0, sock_dump(&self->k, &after));
	EXPECT_EQ(before.n, after.n);
	EXPECT_TRUE(listed(&after, self->cookie));
}

TEST_HARNESS_MAIN
