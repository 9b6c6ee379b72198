// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_relay_bench's shared state: the contenders (ksrtp_relay_bench.c
 * sets them up and runs them) and what the report (ksrtp_relay_report.c:
 * ratios, table, JSON) reads.
 */
#ifndef KSRTP_RELAY_BENCH_H
#define KSRTP_RELAY_BENCH_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "ksrtp_util.h"
#include "relay_nl.h"
#include "srtp_ossl.h"
#include "fast_srtp.h"
#include "bench_util.h"

#define MAX_CONT	40
#define BATCH		32
#define MAXB		64	/* receive buffers: a batch, or a fan-out */
#define MAXPKT		2048
#define SIZE		172
#define IN_BASE		0x51000000u	/* SSRCs on the A leg */
#define OUT_BASE	0x0b000000u	/* SSRCs on the B leg */

/* RK_DIRECT: no relay, the sender sends leg B's SRTP straight to V */
enum rk { RK_KSRTP, RK_OSSL, RK_LIBSRTP, RK_DIRECT };
extern const char *const rk_name[];	/* by enum rk */
extern const char *const sn[];		/* suite names by enum suite */

struct relay_opt {
	int rounds, ms, warmup_ms, cpu, nscale, nfan;
	long scale[4];
	int fan[4];
	const char *json, *filter, *accel, *date;
	bool smoke;
};
extern struct relay_opt opt;

struct relay {
	char name[48];
	enum rk kind;
	enum suite suite;
	int batch;
	long nssrc;		/* forwarded SSRCs the sender rotates over */
	int fan;		/* destinations per SSRC (ksrtp only) */
	int s, r1, r2, v;	/* sender, relay in, relay out, receiver */
	uint16_t *seq;		/* next SEQ per SSRC */
	long next;
	struct fast_srtp of_rx, of_tx;
	struct ref_srtp ls_rx, ls_tx;
	uint8_t (*tx)[MAXPKT], (*mid)[MAXPKT], (*rx)[MAXPKT];
	double ns[MAX_ROUNDS];	/* ns per packet delivered to V, per round */
	double setup_s;
	bool failed;
	char why[200];
};

extern struct relay cont[MAX_CONT];
extern int ncont, rounds_done;

void build_ratios(void);
void print_table(FILE *o);
void write_json(const char *path, const char *date);

#endif
