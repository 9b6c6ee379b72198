// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_rte_bench's shared state: the contenders (ksrtp_rte_bench.c sets
 * them up and runs them) and what the report (ksrtp_rte_report.c: ratios,
 * table, JSON) reads.
 */
#ifndef KSRTP_RTE_BENCH_H
#define KSRTP_RTE_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "bench_util.h"
#include "rte_ng.h"

#define NCONT		6
#define BATCH		32
#define MAXPKT		2048
#define SIZE		172	/* 12-byte header + 160 bytes: 20 ms of G.711 */
#define SSRC		0x51000000u
#define TARGET		1.2	/* issue #14: ksrtp >= 1.2x rtpengine's kernel forwarding */

/* the relay step: ksrtp's fwd-add, rtpengine's kernel target, or none */
enum kind { K_KSRTP, K_RTPE, K_DIRECT };
extern const char *const kind_name[];

struct rte_opt {
	int rounds, ms, warmup_ms, cpu;
	const char *json, *filter, *accel, *date, *ng, *proc, *skip_rte;
	bool smoke;
};
extern struct rte_opt opt;

/* A replayed SRTP packet (the same bytes twice) sent to a relay. */
struct replay {
	bool done;
	int reached;		/* copies that reached the receiver V */
	uint64_t relay_drops;	/* replay drops in the relay (ksrtp: R1's context) */
	uint64_t rx_drops;	/* replay drops at V's context */
	uint64_t kernel_pkts;	/* rtpengine's kernel target: packets counted */
};

struct cont {
	char name[64];
	enum kind kind;
	int batch;
	int s, r1, r2, v;
	uint64_t c1, cv;	/* cookies of R1 and V: their contexts' counters */
	struct sockaddr_storage sa, dst;	/* S's address, and where S sends */
	uint64_t idx;		/* the next SRTP index S sends */
	uint64_t sent;		/* packets S sent (all of them reached V) */
	int rte_port;		/* rtpengine's port for leg A: its kernel target */
	char call[32];
	uint8_t (*tx)[MAXPKT], (*rx)[MAXPKT];
	double ns[MAX_ROUNDS];	/* ns per packet delivered to V, per round */
	/* rtpengine: its kernel target over the timed rounds */
	struct rte_target k0, k1;
	uint64_t sent0, sent1;
	bool kernel_ok;
	double kernel_s;	/* seconds from the answer to the kernel target */
	struct replay rp;
	bool failed, skipped;
	char why[200];
};

extern struct cont cont[NCONT];
extern int ncont, rounds_done;

void build_ratios(void);
void print_report(FILE *o, const char *date);
void write_json(const char *path, const char *date);

#endif
