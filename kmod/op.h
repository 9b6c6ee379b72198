/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_OP_H
#define _KSRTP_OP_H

#include <linux/percpu.h>

#include "context.h"
#include "crypto.h"
#include "rtp.h"

struct ksrtp_fwd;
struct ksrtp_sock;

/* The largest UDP payload: IPv6's (IPv4 allows 20 bytes less). */
#define KSRTP_PKT_MAX	(65535 - 8)

/*
 * The header fields of an SRTP or SRTCP packet that decide its context:
 * the header is parsed once, before the lookup (h), the rest with the
 * context's suite.
 */
struct ksrtp_pkt {
	bool rtcp;
	u32 ssrc;
	struct ksrtp_rtp_hdr h;	/* SRTP */
	u32 rtcp_index;		/* SRTCP, without the E bit */
	bool encrypted;		/* SRTCP E bit */
};

/*
 * One packet on its way through the crypto. Each CPU keeps one for its
 * packets (used with bottom halves off); a packet whose crypto completes
 * asynchronously takes it along, and the CPU gets another.
 */
struct ksrtp_op {
	/* RX: what finishing the packet needs, also after the crypto returns */
	struct sk_buff *skb;
	struct sock *sk;
	struct ksrtp_sock *ks;
	struct ksrtp_keyring *ring;
	struct ksrtp_key *key;	/* the key being tried */
	struct ksrtp_key *first;	/* the active key, tried first */
	struct ksrtp_pkt pkt;
	struct ksrtp_ctx_id remote;
	u64 idx;
	int trial;		/* -1: the active key, else keys[trial] */
	bool by_mki;		/* the MKI chose the key: no other to try */
	bool learn;		/* the context was a template */
	u8 *copy;		/* the packet as received, for the next key */
	bool copy_owned;
	atomic_t pending;	/* submitter and completion: the last goes on */
	int async_res;
	bool tx_done;		/* TX: the submitter waits for it */
	struct ksrtp_fwd *fwd;	/* a forward's TX leg: where skb goes */
	unsigned int plain_len;	/* ... and its length before the protect */
	struct ksrtp_crypto_op cop;	/* last: the request follows */
};

DECLARE_PER_CPU(struct ksrtp_op *, ksrtp_cpu_op);
struct ksrtp_op *ksrtp_op_get_slow(void);

/* This CPU's op (bottom halves off), allocated if it has none: NULL if that fails. */
static inline struct ksrtp_op *ksrtp_op_get(void)
{
	struct ksrtp_op *op = __this_cpu_read(ksrtp_cpu_op);

	/* a transform installed since may need a larger request */
	if (likely(op && op->cop.req_cap >= ksrtp_crypto_reqsize()))
		return op;
	return ksrtp_op_get_slow();
}

/* Take this CPU's op away from it: an asynchronous completion owns it now. */
void ksrtp_op_detach(struct ksrtp_op *op);
/* A detached op is done: back to this CPU if it has none, else freed. */
void ksrtp_op_put(struct ksrtp_op *op);

/*
 * Asynchronous completions in flight. Whatever they use (keys, keyrings,
 * sockets) waits for them before it is freed, after the grace period that
 * follows its unpublishing: a packet is submitted under RCU.
 */
void ksrtp_async_begin(void);
void ksrtp_async_end(void);
void ksrtp_async_wait(void);

/* This CPU's room for a copy of a packet; bottom halves off. */
u8 *ksrtp_pkt_copy_buf(void);

int ksrtp_ops_init(void);
void ksrtp_ops_exit(void);

#endif /* _KSRTP_OP_H */
