// SPDX-License-Identifier: GPL-2.0
/*
 * The module's replies and notifications, read only after knl_parse()
 * checked each attribute's length against its type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "kernel_parse.h"

/*
 * Our own accessors rather than libnl's: they are compiled with the
 * sanitizers in tests, so the fuzzer sees any read past an attribute.
 */
static uint16_t get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static uint32_t get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

/* A counter of 2, 4 or 8 bytes (knl_parse checked which). */
static uint64_t nla_uint(const struct nlattr *a)
{
	if (nla_len(a) == 8)
		return get_u64(a);
	if (nla_len(a) == 4)
		return get_u32(a);
	return get_u16(a);
}

static void get_remote(struct nlattr *addr, struct nlattr *port,
		       struct sockaddr_storage *ss, bool *has)
{
	int len = addr ? nla_len(addr) : 0;
	uint16_t p = port ? htons(get_u16(port)) : 0;

	memset(ss, 0, sizeof(*ss));
	*has = false;
	if (len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, nla_data(addr), 4);
		sin->sin_port = p;
		*has = true;
	} else if (len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, nla_data(addr), 16);
		sin6->sin6_port = p;
		*has = true;
	}
}

static unsigned int cmd_of(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!genlmsg_valid_hdr(nlh, 0))
		return 0;
	return ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
}

int kn_parse_info(struct nl_msg *msg, void *arg)
{
	struct kernel *k = arg;
	struct nlattr *tb[KSRTP_A_INFO_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_INFO_MAX, knl_info_policy))
		return 0;
	if (tb[KSRTP_A_INFO_VERSION])
		k->version = get_u32(tb[KSRTP_A_INFO_VERSION]);
	if (tb[KSRTP_A_INFO_FEATURES])
		k->features = get_u32(tb[KSRTP_A_INFO_FEATURES]);
	if (tb[KSRTP_A_INFO_SUITES])
		k->suites = get_u32(tb[KSRTP_A_INFO_SUITES]);
	if (tb[KSRTP_A_INFO_MODULE_VERSION])
		snprintf(k->module_version, sizeof(k->module_version), "%s",
			 (const char *)nla_data(tb[KSRTP_A_INFO_MODULE_VERSION]));
	return 0;
}

int kn_parse_cookie(struct nl_msg *msg, uint64_t *cookie)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy) || !tb[KSRTP_A_SOCK_COOKIE])
		return -1;
	*cookie = get_u64(tb[KSRTP_A_SOCK_COOKIE]);
	return 0;
}

int kn_parse_upcall(struct nl_msg *msg, struct kn_upcall **out)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];
	struct kn_upcall *u;
	size_t len;
	bool has;

	*out = NULL;
	if (cmd_of(msg) != KSRTP_CMD_UPCALL_NTF)
		return -1;
	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy) || !tb[KSRTP_A_SOCK_COOKIE] ||
	    !tb[KSRTP_A_SOCK_DATA])
		return 0;
	len = (size_t)nla_len(tb[KSRTP_A_SOCK_DATA]);
	u = malloc(sizeof(*u) + len);
	if (!u)
		return 0;
	u->next = NULL;
	u->cookie = get_u64(tb[KSRTP_A_SOCK_COOKIE]);
	get_remote(tb[KSRTP_A_SOCK_REMOTE_ADDR], tb[KSRTP_A_SOCK_REMOTE_PORT], &u->remote, &has);
	u->len = len;
	memcpy(u->data, nla_data(tb[KSRTP_A_SOCK_DATA]), len);
	*out = u;
	return 0;
}

#define MAX2(a, b) ((int)(a) > (int)(b) ? (int)(a) : (int)(b))
#define STATS_TB_LEN (MAX2(MAX2(KSRTP_A_SOCK_STATS_MAX, KSRTP_A_CTX_STATS_MAX), \
			   KSRTP_A_FWD_STATS_MAX) + 1)

/* A stats nest into out[1..max]; a malformed nest adds nothing. */
static void parse_stats(struct nlattr *nest, uint64_t *out, int max,
			const struct knl_policy *pol)
{
	struct nlattr *tb[STATS_TB_LEN];
	int i;

	if (!nest || max >= STATS_TB_LEN || knl_parse_nested(tb, max, nest, pol))
		return;
	for (i = 1; i <= max; i++)
		if (tb[i] && pol[i].type == KNL_UINT)
			out[i] = nla_uint(tb[i]);
}

int kn_parse_sock(struct nl_msg *msg, struct kn_sock_info *si)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	memset(si, 0, sizeof(*si));
	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy) || !tb[KSRTP_A_SOCK_COOKIE])
		return -1;
	si->cookie = get_u64(tb[KSRTP_A_SOCK_COOKIE]);
	if (tb[KSRTP_A_SOCK_FAMILY])
		si->family = get_u16(tb[KSRTP_A_SOCK_FAMILY]);
	if (tb[KSRTP_A_SOCK_LOCAL_PORT])
		si->local_port = get_u16(tb[KSRTP_A_SOCK_LOCAL_PORT]);
	if (tb[KSRTP_A_SOCK_N_CTX])
		si->n_ctx = get_u32(tb[KSRTP_A_SOCK_N_CTX]);
	parse_stats(tb[KSRTP_A_SOCK_STATS], si->stats, KSRTP_A_SOCK_STATS_MAX,
		    knl_sock_stats_policy);
	return 0;
}

/* One key nest; -1 (ki untouched) if malformed. */
static int parse_key_info(struct nlattr *nest, struct kn_key_info *ki)
{
	struct nlattr *tb[KSRTP_A_KEY_MAX + 1];

	if (knl_parse_nested(tb, KSRTP_A_KEY_MAX, nest, knl_key_policy))
		return -1;
	memset(ki, 0, sizeof(*ki));
	if (tb[KSRTP_A_KEY_ID])
		ki->id = get_u32(tb[KSRTP_A_KEY_ID]);
	if (tb[KSRTP_A_KEY_MKI]) {
		ki->mki_len = (uint8_t)nla_len(tb[KSRTP_A_KEY_MKI]);
		memcpy(ki->mki, nla_data(tb[KSRTP_A_KEY_MKI]), ki->mki_len);
	}
	ki->active = tb[KSRTP_A_KEY_ACTIVE] != NULL;
	if (tb[KSRTP_A_KEY_SRTP_PACKETS])
		ki->srtp_packets = nla_uint(tb[KSRTP_A_KEY_SRTP_PACKETS]);
	if (tb[KSRTP_A_KEY_SRTCP_PACKETS])
		ki->srtcp_packets = nla_uint(tb[KSRTP_A_KEY_SRTCP_PACKETS]);
	return 0;
}

int kn_parse_ctx(struct nl_msg *msg, struct kn_ctx_info *ci)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1], *a;
	int rem;

	memset(ci, 0, sizeof(*ci));
	if (knl_parse(msg, tb, KSRTP_A_CTX_MAX, knl_ctx_policy) || !tb[KSRTP_A_CTX_DIR])
		return -1;
	if (tb[KSRTP_A_CTX_SOCK_COOKIE])
		ci->cookie = get_u64(tb[KSRTP_A_CTX_SOCK_COOKIE]);
	ci->dir = get_u32(tb[KSRTP_A_CTX_DIR]);
	ci->any = tb[KSRTP_A_CTX_SSRC_ANY] != NULL;
	if (tb[KSRTP_A_CTX_SSRC])
		ci->ssrc = get_u32(tb[KSRTP_A_CTX_SSRC]);
#define U32(f, a) if (tb[KSRTP_A_CTX_##a]) ci->f = get_u32(tb[KSRTP_A_CTX_##a])
	U32(origin, ORIGIN);
	U32(suite, SUITE);
	U32(flags, FLAGS);
	U32(window, WINDOW);
	U32(roc, ROC);
#undef U32
	if (tb[KSRTP_A_CTX_SOFT_LIMIT])
		ci->soft_limit = nla_uint(tb[KSRTP_A_CTX_SOFT_LIMIT]);
	get_remote(tb[KSRTP_A_CTX_REMOTE_ADDR], tb[KSRTP_A_CTX_REMOTE_PORT],
		   &ci->remote, &ci->has_remote);
	/* key nests repeat: walk the payload (checked by knl_parse) rather than tb */
	nlmsg_for_each_attr(a, nlmsg_hdr(msg), GENL_HDRLEN, rem) {
		if (nla_type(a) == KSRTP_A_CTX_KEY && ci->nkeys < KSRTP_MAX_KEYS &&
		    !parse_key_info(a, &ci->keys[ci->nkeys]))
			ci->nkeys++;
	}
	parse_stats(tb[KSRTP_A_CTX_STATS], ci->stats, KSRTP_A_CTX_STATS_MAX,
		    knl_ctx_stats_policy);
	return 0;
}

static int parse_detach(struct nl_msg *msg, struct kn_event *ev)
{
	struct nlattr *tb[KSRTP_A_SOCK_MAX + 1];

	if (knl_parse(msg, tb, KSRTP_A_SOCK_MAX, knl_sock_policy) || !tb[KSRTP_A_SOCK_COOKIE])
		return -1;
	ev->type = KN_EV_DETACH;
	ev->cookie = get_u64(tb[KSRTP_A_SOCK_COOKIE]);
	if (tb[KSRTP_A_SOCK_REASON])
		ev->reason = get_u32(tb[KSRTP_A_SOCK_REASON]);
	return 0;
}

int kn_parse_fwd(struct nl_msg *msg, struct kn_fwd_info *fi)
{
	struct nlattr *tb[KSRTP_A_FWD_MAX + 1];

	memset(fi, 0, sizeof(*fi));
	/* fwd-add's reply is the id alone */
	if (knl_parse(msg, tb, KSRTP_A_FWD_MAX, knl_fwd_policy) || !tb[KSRTP_A_FWD_ID])
		return -1;
	fi->id = get_u32(tb[KSRTP_A_FWD_ID]);
	if (!fi->id)
		return -1;	/* the module numbers forwards from 1 */
	if (tb[KSRTP_A_FWD_RX_SOCK_COOKIE])
		fi->rx_cookie = get_u64(tb[KSRTP_A_FWD_RX_SOCK_COOKIE]);
	if (tb[KSRTP_A_FWD_TX_SOCK_COOKIE])
		fi->tx_cookie = get_u64(tb[KSRTP_A_FWD_TX_SOCK_COOKIE]);
	fi->ssrc_any = tb[KSRTP_A_FWD_SSRC_ANY] != NULL;
	if (tb[KSRTP_A_FWD_SSRC])
		fi->ssrc = get_u32(tb[KSRTP_A_FWD_SSRC]);
	parse_stats(tb[KSRTP_A_FWD_STATS], fi->stats, KSRTP_A_FWD_STATS_MAX,
		    knl_fwd_stats_policy);
	return 0;
}

/* fwd-idle-ntf: the forward's id and RX socket. */
static int parse_fwd_idle(struct nl_msg *msg, struct kn_event *ev)
{
	struct kn_fwd_info fi;

	if (kn_parse_fwd(msg, &fi))
		return -1;
	ev->type = KN_EV_FWD_IDLE;
	ev->fwd_id = fi.id;
	ev->cookie = fi.rx_cookie;
	ev->ssrc = fi.ssrc;
	ev->any = fi.ssrc_any;
	return 0;
}

int kn_parse_event(struct nl_msg *msg, struct kn_event *ev)
{
	struct nlattr *tb[KSRTP_A_CTX_MAX + 1];
	unsigned int cmd = cmd_of(msg);
	bool has;

	memset(ev, 0, sizeof(*ev));
	if (cmd == KSRTP_CMD_SOCK_DETACH_NTF)
		return parse_detach(msg, ev);
	if (cmd == KSRTP_CMD_FWD_IDLE_NTF)
		return parse_fwd_idle(msg, ev);
	if (cmd != KSRTP_CMD_CTX_LIMIT_NTF && cmd != KSRTP_CMD_SSRC_LEARNED_NTF)
		return -1;
	if (knl_parse(msg, tb, KSRTP_A_CTX_MAX, knl_ctx_policy) || !tb[KSRTP_A_CTX_SOCK_COOKIE] ||
	    !tb[KSRTP_A_CTX_DIR])
		return -1;
	ev->type = cmd == KSRTP_CMD_CTX_LIMIT_NTF ? KN_EV_LIMIT : KN_EV_LEARNED;
	ev->cookie = get_u64(tb[KSRTP_A_CTX_SOCK_COOKIE]);
	ev->dir = get_u32(tb[KSRTP_A_CTX_DIR]);
	ev->any = tb[KSRTP_A_CTX_SSRC_ANY] != NULL;
	if (tb[KSRTP_A_CTX_SSRC])
		ev->ssrc = get_u32(tb[KSRTP_A_CTX_SSRC]);
	if (tb[KSRTP_A_CTX_KEY_ID])
		ev->key_id = get_u32(tb[KSRTP_A_CTX_KEY_ID]);
	if (tb[KSRTP_A_CTX_LIMIT])
		ev->limit = get_u32(tb[KSRTP_A_CTX_LIMIT]);
	get_remote(tb[KSRTP_A_CTX_REMOTE_ADDR], tb[KSRTP_A_CTX_REMOTE_PORT], &ev->remote, &has);
	return 0;
}
