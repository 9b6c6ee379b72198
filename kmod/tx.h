/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSRTP_TX_H
#define _KSRTP_TX_H

#include <linux/types.h>

struct ksrtp_crypto_op;
struct ksrtp_ctx_id;
struct ksrtp_op;
struct ksrtp_sock;

/* How a protect completes when the crypto goes asynchronous. */
struct ksrtp_tx_how {
	void (*done)(struct ksrtp_crypto_op *cop, int res);
	u32 req_flags;		/* CRYPTO_TFM_REQ_MAY_BACKLOG where we may wait */
	bool atomic;		/* softirq: learn from a template with GFP_ATOMIC */
};

int ksrtp_tx_protect(struct ksrtp_sock *ks, const struct ksrtp_ctx_id *rp,
		     u8 *buf, unsigned int len, bool rtcp,
		     const struct ksrtp_tx_how *how, struct ksrtp_op **async,
		     u64 *spent);

#endif /* _KSRTP_TX_H */
