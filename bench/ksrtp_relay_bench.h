// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_relay_bench's shared state: the contenders (ksrtp_relay_bench.c
 * sets them up and runs them, ksrtp_relay_fanout.c the fan-out ones) and
 * what the report (ksrtp_relay_report.c: ratios, table, JSON) reads.
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
#define VERIFY_EVERY	16	/* fan-out: one copy decrypted per this many packets */

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
	int fan;		/* destinations per SSRC (fan-out contenders) */
	int s, r1, r2, v;	/* sender, relay in, relay out, receiver */
	/* fan-out (ksrtp_relay_fanout.c): a plain receiver per destination */
	bool fanout, once;	/* once: one forward + fwd-dest-add (encrypt-once) */
	int *vs;		/* the receivers */
	struct fast_srtp *vrx;	/* each receiver's SRTP, for the sampled check */
	uint32_t *fwd;		/* the forwards' ids */
	int nfwd;
	uint64_t r2_cookie;
	long xfers, copies, timeouts, late, verified;
	uint64_t k_sent, k_protects, k_drop;	/* kernel counters, after the rounds */
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
extern struct ksrtp_nl knl;
extern const uint32_t suite_id[];

/* ksrtp_relay_bench.c: what the fan-out contenders share with the others */
void fail(struct relay *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void key_of(uint8_t *key, uint8_t leg, uint32_t ssrc);
int ctx_install(uint64_t cookie, uint32_t dir, uint32_t ssrc, enum suite s, uint8_t leg);
int attach(int fd, uint64_t *cookie);
void bufsize(int fd);
void put32(uint8_t *p, uint32_t v);

/* ksrtp_relay_fanout.c */
int fan_setup(struct relay *c);
void fan_first_check(struct relay *c);
int fan_xfer(struct relay *c);
void fan_finish(struct relay *c);
long fan_lost(const struct relay *c);

void build_ratios(void);
void print_table(FILE *o);
void write_json(const char *path, const char *date);

#endif
