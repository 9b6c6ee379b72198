// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching to and detaching from application-owned UDP sockets.
 *
 * RX goes through the UDP encapsulation hook (encap_rcv); TX through a copy
 * of the socket's struct proto whose sendmsg protects RTP/RTCP first. The
 * application keeps its file reference: closing the socket detaches it
 * (encap_destroy), as do sock-detach and module removal.
 */

#include <linux/hashtable.h>
#include <linux/file.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <linux/udp.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "context.h"
#include "fwd.h"
#include "netlink.h"
#include "objects.h"
#include "rtp.h"
#include "socket.h"

/* All attached sockets, by cookie. Writers and walkers hold the mutex. */
static DEFINE_HASHTABLE(ksrtp_socks, 10);
static DEFINE_MUTEX(ksrtp_socks_lock);

/*
 * Hooks that may sleep (close, sendmsg, setsockopt) run inside this SRCU
 * read section, so module removal can wait for them after unhooking.
 */
DEFINE_STATIC_SRCU(ksrtp_hook_srcu);

int ksrtp_hook_enter(void)
	__acquires(ksrtp_hook)
{
	return srcu_read_lock(&ksrtp_hook_srcu);
}

void ksrtp_hook_exit(int idx)
	__releases(ksrtp_hook)
{
	srcu_read_unlock(&ksrtp_hook_srcu, idx);
}

/* Our proto copies and the plain UDP protos they were made from. */
static DEFINE_MUTEX(ksrtp_proto_lock);
static struct proto ksrtp_udp_prot[2];
static const struct proto *ksrtp_udp_base[2];

static int ksrtp_setsockopt(struct sock *sk, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	const struct proto *base = ksrtp_base_proto(sk);
	int idx, err;

	/* These would change how datagrams are built or received. */
	if (level == SOL_UDP &&
	    (optname == UDP_CORK || optname == UDP_ENCAP ||
	     optname == UDP_SEGMENT || optname == UDP_GRO))
		return -EBUSY;
	/*
	 * IPV6_ADDRFORM turns a v4-mapped IPv6 socket into an IPv4 one by
	 * replacing sk_prot with udp_prot: our sendmsg would be gone and RTP
	 * would leave in clear.
	 */
	if (level == SOL_IPV6 && optname == IPV6_ADDRFORM) {
		pr_info_ratelimited("ksrtp: IPV6_ADDRFORM refused on an attached socket (%s[%d])\n",
				    current->comm, task_pid_nr(current));
		return -EBUSY;
	}
	idx = ksrtp_hook_enter();
	err = base->setsockopt(sk, level, optname, optval, optlen);
	ksrtp_hook_exit(idx);
	return err;
}

const struct proto *ksrtp_base_proto(const struct sock *sk)
{
	return ksrtp_udp_base[sk->sk_family == AF_INET6];
}

/* Make (once per family) our copy of the socket's plain UDP proto. */
static struct proto *ksrtp_proto_for(struct sock *sk)
{
	int v6 = sk->sk_family == AF_INET6;
	struct proto *p = NULL;

	mutex_lock(&ksrtp_proto_lock);
	if (!ksrtp_udp_base[v6]) {
		ksrtp_udp_base[v6] = sk->sk_prot;
		ksrtp_udp_prot[v6] = *sk->sk_prot;
		ksrtp_udp_prot[v6].sendmsg = ksrtp_sendmsg;
		ksrtp_udp_prot[v6].setsockopt = ksrtp_setsockopt;
		ksrtp_proto_clear_sendpage(&ksrtp_udp_prot[v6]);
	}
	if (ksrtp_udp_base[v6] == sk->sk_prot)
		p = &ksrtp_udp_prot[v6];
	mutex_unlock(&ksrtp_proto_lock);
	return p;
}

static bool ksrtp_is_plain_udp(struct sock *sk)
{
	if (sk->sk_family == AF_INET)
		return sk->sk_prot == &udp_prot;
	/* udpv6_prot is not exported: recognise it by name and shape */
	return !strcmp(sk->sk_prot->name, "UDPv6") &&
	       sk->sk_prot->sendmsg != ksrtp_sendmsg;
}

/* The TX bounce buffer held plaintext. */
void ksrtp_txbuf_free(struct ksrtp_sock *ks)
{
	if (!ks->txbuf)
		return;
	memzero_explicit(ks->txbuf, ks->txbuf_size);
	free_pages((unsigned long)ks->txbuf, get_order(ks->txbuf_size));
	ks->txbuf = NULL;
	ks->txbuf_size = 0;
}

static void ksrtp_sock_free_work(struct work_struct *work)
{
	struct ksrtp_sock *ks = container_of(to_rcu_work(work),
					     struct ksrtp_sock, free_work);

	rhltable_destroy(&ks->fwds);	/* emptied by the detach */
	rhltable_destroy(&ks->tx_ssrc);
	rhashtable_free_and_destroy(&ks->ctxs, ksrtp_ctx_free_now, NULL);
	free_percpu(ks->stats);
	ksrtp_txbuf_free(ks);
	sock_put(ks->sk);
	kfree(ks);
	ksrtp_obj_gone(KSRTP_OBJ_SOCK);
	ksrtp_defer_done();
}

void ksrtp_sock_put(struct ksrtp_sock *ks)
{
	if (refcount_dec_and_test(&ks->refs))
		ksrtp_defer_free(&ks->free_work);
}

/* Undo the hooks; socket lock and ksrtp_socks_lock held. */
static void ksrtp_sock_unhook(struct ksrtp_sock *ks)
{
	struct sock *sk = ks->sk;
	struct udp_sock *up = udp_sk(sk);

	WRITE_ONCE(up->encap_rcv, NULL);
	WRITE_ONCE(up->encap_destroy, NULL);
	WRITE_ONCE(up->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
	/* only if nobody swapped it after us (they would have refused) */
	if (sk->sk_prot == &ksrtp_udp_prot[sk->sk_family == AF_INET6])
		WRITE_ONCE(sk->sk_prot, ks->orig_prot);
}

/*
 * Detach under ksrtp_socks_lock; lock_sock unless the socket is dying. A
 * sock-send in flight finishes first: it uses sk->sk_socket, which a close
 * frees once we return to it.
 */
static void __ksrtp_sock_detach(struct ksrtp_sock *ks, u32 reason, bool lock)
{
	struct sock *sk = ks->sk;

	lockdep_assert_held(&ksrtp_socks_lock);
	if (!ks->attached)
		return;
	mutex_lock(&ks->send_lock);
	ks->attached = false;
	mutex_unlock(&ks->send_lock);
	hash_del(&ks->hnode);
	if (lock)
		lock_sock(sk);
	ksrtp_sock_unhook(ks);
	if (lock)
		release_sock(sk);
	ksrtp_fwd_sock_gone(ks);
	ksrtp_nl_notify_detach(sock_net(sk), ks->cookie, reason);
	ksrtp_sock_put(ks);
}

static void ksrtp_udp_encap_destroy(struct sock *sk)
{
	struct ksrtp_sock *ks;
	int idx;

	idx = ksrtp_hook_enter();
	mutex_lock(&ksrtp_socks_lock);
	ks = rcu_dereference_protected(__sk_user_data(sk),
				       lockdep_is_held(&ksrtp_socks_lock));
	if (ks && udp_sk(sk)->encap_type == KSRTP_UDP_ENCAP)
		__ksrtp_sock_detach(ks, KSRTP_DETACH_REASON_CLOSED, false);
	mutex_unlock(&ksrtp_socks_lock);
	ksrtp_hook_exit(idx);
}

static struct ksrtp_sock *ksrtp_sock_find(struct net *net, u64 cookie)
{
	struct ksrtp_sock *ks;

	hash_for_each_possible(ksrtp_socks, ks, hnode, cookie)
		if (ks->cookie == cookie && net_eq(sock_net(ks->sk), net))
			return ks;
	return NULL;
}

int ksrtp_sock_attach(struct net *net, int fd, u32 portid, u32 upcall,
		      u32 max_learned, u32 plain_rtp, u64 *cookie,
		      struct netlink_ext_ack *extack)
{
	struct ksrtp_sock *ks;
	struct socket *sock;
	struct proto *prot;
	struct sock *sk;
	u32 ck[2];
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "fd is not a socket of the caller");
		return err;
	}
	sk = sock->sk;
	err = -EPROTONOSUPPORT;
	if (sk->sk_type != SOCK_DGRAM || sk->sk_protocol != IPPROTO_UDP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG_MOD(extack, "not a UDP socket");
		goto out_put;
	}
	err = -EINVAL;
	if (!net_eq(sock_net(sk), net)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "socket belongs to another network namespace");
		goto out_put;
	}

	err = -ENOMEM;
	ks = kzalloc(sizeof(*ks), GFP_KERNEL_ACCOUNT);
	if (!ks)
		goto out_put;
	ksrtp_obj_new(KSRTP_OBJ_SOCK);
	ks->stats = __netdev_alloc_pcpu_stats(struct ksrtp_sock_stats,
					      GFP_KERNEL_ACCOUNT);
	if (!ks->stats)
		goto out_free;
	err = rhashtable_init(&ks->ctxs, &ksrtp_ctx_params);
	if (err)
		goto out_free;
	err = rhltable_init(&ks->tx_ssrc, &ksrtp_tx_ssrc_params);
	if (err) {
		rhashtable_destroy(&ks->ctxs);
		goto out_free;
	}
	err = rhltable_init(&ks->fwds, &ksrtp_fwd_params);
	if (err) {
		rhltable_destroy(&ks->tx_ssrc);
		rhashtable_destroy(&ks->ctxs);
		goto out_free;
	}
	ks->sk = sk;
	ks->upcall = upcall;
	ks->upcall_portid = portid;
	ks->max_learned = max_learned;
	ks->plain_rtp = plain_rtp;
	INIT_LIST_HEAD(&ks->fwd_any);
	mutex_init(&ks->conf_lock);
	mutex_init(&ks->tx_lock);
	mutex_init(&ks->send_lock);
	refcount_set(&ks->refs, 1);
	INIT_RCU_WORK(&ks->free_work, ksrtp_sock_free_work);

	mutex_lock(&ksrtp_socks_lock);
	lock_sock(sk);
	err = -EEXIST;
	if (udp_sk(sk)->encap_type == KSRTP_UDP_ENCAP) {
		NL_SET_ERR_MSG_MOD(extack, "socket is already attached");
		goto out_unlock;
	}
	err = -EBUSY;
	if (udp_sk(sk)->encap_type || READ_ONCE(sk->sk_user_data)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "socket is used by another kernel user (UDP encapsulation, BPF sockmap)");
		goto out_unlock;
	}
	prot = ksrtp_is_plain_udp(sk) ? ksrtp_proto_for(sk) : NULL;
	if (!prot) {
		NL_SET_ERR_MSG_MOD(extack, "socket's protocol is not plain UDP");
		goto out_unlock;
	}
	err = -EOPNOTSUPP;
	if (udp_sk(sk)->gso_size || udp_test_bit(CORK, sk)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "UDP_SEGMENT or UDP_CORK is set on the socket");
		goto out_unlock;
	}

	sock_diag_save_cookie(sk, ck);
	ks->cookie = ((u64)ck[1] << 32) | ck[0];
	ks->orig_prot = sk->sk_prot;
	sock_hold(sk);		/* ks's, until ks is freed */
	rcu_assign_sk_user_data(sk, ks);
	WRITE_ONCE(udp_sk(sk)->encap_type, KSRTP_UDP_ENCAP);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, ksrtp_udp_encap_destroy);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, ksrtp_udp_encap_recv);
	udp_tunnel_encap_enable(sk);
	sock_replace_proto(sk, prot);
	release_sock(sk);

	ks->attached = true;
	hash_add(ksrtp_socks, &ks->hnode, ks->cookie);
	mutex_unlock(&ksrtp_socks_lock);
	*cookie = ks->cookie;
	sockfd_put(sock);
	return 0;

out_unlock:
	release_sock(sk);
	mutex_unlock(&ksrtp_socks_lock);
	rhltable_destroy(&ks->fwds);
	rhltable_destroy(&ks->tx_ssrc);
	rhashtable_destroy(&ks->ctxs);
out_free:
	free_percpu(ks->stats);
	kfree(ks);
	ksrtp_obj_gone(KSRTP_OBJ_SOCK);
out_put:
	sockfd_put(sock);
	return err;
}

int ksrtp_sock_detach(struct net *net, u64 cookie)
{
	struct ksrtp_sock *ks;

	mutex_lock(&ksrtp_socks_lock);
	ks = ksrtp_sock_find(net, cookie);
	if (ks)
		__ksrtp_sock_detach(ks, KSRTP_DETACH_REASON_REQUEST, true);
	mutex_unlock(&ksrtp_socks_lock);
	return ks ? 0 : -ENOENT;
}

struct ksrtp_sock *ksrtp_sock_get(struct net *net, u64 cookie)
{
	struct ksrtp_sock *ks;

	mutex_lock(&ksrtp_socks_lock);
	ks = ksrtp_sock_find(net, cookie);
	if (ks)
		refcount_inc(&ks->refs);
	mutex_unlock(&ksrtp_socks_lock);
	return ks;
}

int ksrtp_sock_for_each(struct net *net, unsigned long skip,
			int (*fn)(struct ksrtp_sock *ks, void *arg), void *arg)
{
	struct ksrtp_sock *ks;
	int bkt, err = 0;

	mutex_lock(&ksrtp_socks_lock);
	hash_for_each(ksrtp_socks, bkt, ks, hnode) {
		if (!net_eq(sock_net(ks->sk), net))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		err = fn(ks, arg);
		if (err)
			break;
	}
	mutex_unlock(&ksrtp_socks_lock);
	return err;
}

/*
 * Module removal: detach every socket, then wait until no CPU or task can
 * still be in our hooks. RCU covers encap_rcv (softirq); RCU Tasks covers a
 * task between loading a hook pointer and entering or leaving its SRCU
 * section, which it cannot sleep in; SRCU covers the hooks that sleep.
 */
void ksrtp_sock_detach_all(void)
{
	struct hlist_node *tmp;
	struct ksrtp_sock *ks;
	int bkt;

	mutex_lock(&ksrtp_socks_lock);
	hash_for_each_safe(ksrtp_socks, bkt, tmp, ks, hnode)
		__ksrtp_sock_detach(ks, KSRTP_DETACH_REASON_UNLOAD, true);
	mutex_unlock(&ksrtp_socks_lock);

	synchronize_rcu();
	synchronize_rcu_tasks();
	synchronize_srcu(&ksrtp_hook_srcu);
	synchronize_rcu_tasks();
}

/*
 * A keying datagram (DTLS, ZRTP, STUN) from keyd, out of the media socket.
 * It goes through the socket layer as the application's own sends do
 * (sock_sendmsg(): LSM hook, autobind, then our sendmsg, which passes
 * non-RTP through unchanged). No file reference is taken: send_lock keeps
 * the socket attached, and a close waits in encap_destroy (detach) for the
 * send to finish, so sk->sk_socket stays valid.
 */
int ksrtp_sock_send(struct net *net, u64 cookie, struct sockaddr_storage *to,
		    const void *data, unsigned int len,
		    struct netlink_ext_ack *extack)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	enum ksrtp_class cls = ksrtp_classify(data, len);
	struct ksrtp_sock *ks;
	struct kvec kv;
	struct sock *sk;
	int ret;

	if (cls == KSRTP_CLASS_RTP || cls == KSRTP_CLASS_RTCP) {
		NL_SET_ERR_MSG_MOD(extack, "sock-send is for keying traffic, not RTP/RTCP");
		return -EINVAL;
	}
	ks = ksrtp_sock_get(net, cookie);
	if (!ks) {
		NL_SET_ERR_MSG_MOD(extack, "no attached socket with this cookie");
		return -ENOENT;
	}
	sk = ks->sk;
	mutex_lock(&ks->send_lock);
	if (!ks->attached) {
		NL_SET_ERR_MSG_MOD(extack, "socket was detached");
		ret = -ENOENT;
		goto out;
	}
	/* a close has begun (udp_destroy_sock) and waits for us in detach */
	if (sock_flag(sk, SOCK_DEAD) || !sk->sk_socket) {
		NL_SET_ERR_MSG_MOD(extack, "socket is being closed");
		ret = -EPIPE;
		goto out;
	}
	if (to->ss_family == AF_INET6 && sk->sk_family == AF_INET) {
		NL_SET_ERR_MSG_MOD(extack, "IPv6 destination for an IPv4 socket");
		ret = -EAFNOSUPPORT;
		goto out;
	}
	msg.msg_name = to;
	msg.msg_namelen = to->ss_family == AF_INET ?
		sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	kv.iov_base = (void *)data;
	kv.iov_len = len;
	ret = kernel_sendmsg(sk->sk_socket, &msg, &kv, 1, len);
	if (ret < 0)
		NL_SET_ERR_MSG_MOD(extack, "the socket refused to send the datagram");
out:
	mutex_unlock(&ks->send_lock);
	ksrtp_sock_put(ks);
	return ret < 0 ? ret : 0;
}

void ksrtp_sock_stats_read(struct ksrtp_sock *ks, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * KSRTP_SS_MAX);
	for_each_possible_cpu(cpu) {
		struct ksrtp_sock_stats *s = per_cpu_ptr(ks->stats, cpu);
		u64 v[KSRTP_SS_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < KSRTP_SS_MAX; i++)
				v[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < KSRTP_SS_MAX; i++)
			out[i] += v[i];
	}
}
