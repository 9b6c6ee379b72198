// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU packet ops and the count of asynchronous crypto completions.
 *
 * The datapath needs no allocation per packet: each CPU has one op whose
 * request area fits every session's transform. Only a packet whose crypto
 * goes asynchronous (cryptd, when the FPU was busy) keeps its op past the
 * call; the CPU then allocates another on its next packet.
 */

#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "op.h"

DEFINE_PER_CPU(struct ksrtp_op *, ksrtp_cpu_op);

/*
 * A failed AEAD decryption leaves the buffer scrambled, so trying a second
 * key (a rekey without MKI) needs the packet as received: one copy per CPU.
 */
static DEFINE_PER_CPU(u8 *, ksrtp_pkt_copy);

static atomic_t ksrtp_async_inflight = ATOMIC_INIT(0);

u8 *ksrtp_pkt_copy_buf(void)
{
	return *this_cpu_ptr(&ksrtp_pkt_copy);
}

static struct ksrtp_op *ksrtp_op_alloc(gfp_t gfp, int node)
{
	unsigned int cap = ksrtp_crypto_reqsize();
	struct ksrtp_op *op;

	op = kzalloc_node(sizeof(*op) + cap, gfp, node);
	if (op)
		ksrtp_crypto_op_init(&op->cop, cap);
	return op;
}

static void ksrtp_op_free(struct ksrtp_op *op)
{
	/* the request held IVs and, in some drivers, key-derived state */
	kfree_sensitive(op);
}

/* The CPU has no op, or one too small for a transform installed since. */
struct ksrtp_op *ksrtp_op_get_slow(void)
{
	struct ksrtp_op *op = __this_cpu_read(ksrtp_cpu_op);

	if (op)
		ksrtp_op_free(op);
	op = ksrtp_op_alloc(GFP_ATOMIC, numa_node_id());
	__this_cpu_write(ksrtp_cpu_op, op);
	return op;
}

void ksrtp_op_detach(struct ksrtp_op *op)
{
	if (__this_cpu_read(ksrtp_cpu_op) == op)
		__this_cpu_write(ksrtp_cpu_op, NULL);
}

void ksrtp_op_put(struct ksrtp_op *op)
{
	local_bh_disable();
	if (!__this_cpu_read(ksrtp_cpu_op) &&
	    op->cop.req_cap >= ksrtp_crypto_reqsize()) {
		__this_cpu_write(ksrtp_cpu_op, op);
		op = NULL;
	}
	local_bh_enable();
	if (op)
		ksrtp_op_free(op);
}

void ksrtp_async_begin(void)
{
	atomic_inc(&ksrtp_async_inflight);
}

void ksrtp_async_end(void)
{
	if (atomic_dec_and_test(&ksrtp_async_inflight))
		wake_up_var(&ksrtp_async_inflight);
}

void ksrtp_async_wait(void)
{
	might_sleep();
	wait_var_event(&ksrtp_async_inflight,
		       !atomic_read(&ksrtp_async_inflight));
}

int ksrtp_ops_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		int node = cpu_to_node(cpu);

		per_cpu(ksrtp_cpu_op, cpu) = ksrtp_op_alloc(GFP_KERNEL, node);
		per_cpu(ksrtp_pkt_copy, cpu) = kvmalloc_node(KSRTP_PKT_MAX,
							     GFP_KERNEL, node);
		if (!per_cpu(ksrtp_cpu_op, cpu) || !per_cpu(ksrtp_pkt_copy, cpu)) {
			ksrtp_ops_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void ksrtp_ops_exit(void)
{
	int cpu;

	ksrtp_async_wait();
	for_each_possible_cpu(cpu) {
		if (per_cpu(ksrtp_cpu_op, cpu))
			ksrtp_op_free(per_cpu(ksrtp_cpu_op, cpu));
		per_cpu(ksrtp_cpu_op, cpu) = NULL;
		kvfree_sensitive(per_cpu(ksrtp_pkt_copy, cpu), KSRTP_PKT_MAX);
		per_cpu(ksrtp_pkt_copy, cpu) = NULL;
	}
}
