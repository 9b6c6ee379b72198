// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_bench's shared state. ksrtp_bench.c: the options, the contenders
 * (setup and timed rounds) and main; ksrtp_bench_mem.c: the memory probes
 * (install rates and kernel memory per context, the scale pairs);
 * ksrtp_bench_report.c: the statistics (per-round ratios), the issue's
 * targets, the native estimates, the table and the JSON file.
 */
#ifndef KSRTP_BENCH_H
#define KSRTP_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ksrtp_util.h"
#include "srtp_ossl.h"
#include "fast_srtp.h"
#include "bench_util.h"

#define MAX_CONT	96
#define BATCH		32
#define MAXPKT		2048
#define HDR		12
#define ROT_MAX		1024	/* SSRCs a scale sender rotates over */
#define RAW_PATH	"/sys/kernel/debug/ksrtp_cryptobench/run"
#define NTOP		6	/* slab caches listed per memory measurement */

/* ksrtp_bench.c: the options, the contenders and their sockets and contexts */
enum kind { K_UDP, K_KSRTP, K_LIBSRTP, K_OSSL, K_RAW, K_SCALE };

extern const char *const suite_name[];	/* by enum suite */

struct bench_opt {
	int rounds;
	int ms;
	int warmup_ms;
	int cpu;
	int mem_n;
	int nscale;
	long scale[8];
	enum suite scale_suite;
	const char *json;
	const char *filter;
	const char *accel;
	const char *date;
	bool smoke;
	bool no_raw;
};
extern struct bench_opt opt;

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The sockets and contexts of one scale measurement (N RX contexts). */
struct scale_pair {
	long n;			/* RX contexts installed on rx */
	int k;			/* SSRCs the sender rotates over */
	int tx, rx;
	uint32_t *ssrc;		/* the k SSRCs, ssrc[0] is the hot one */
	uint16_t *seq;		/* next SEQ of each */
	int next;
	double install_s;	/* time to install the n RX contexts */
	int install_retries;
	bool failed;
};

struct contender {
	char name[48];
	enum kind kind;
	enum suite suite;
	int size;		/* datagram bytes; raw: payload bytes */
	int batch;
	bool rotate;		/* scale: rotate over the pair's SSRCs */
	bool any;		/* raw: async implementations allowed */
	enum { FULL, PASS, TXONLY } part;	/* ksrtp: what runs in ksrtp */
	struct scale_pair *pair;
	int tx, rx, rawfd;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t roc;
	struct ref_srtp ls_tx, ls_rx;
	struct fast_srtp of_tx, of_rx;
	uint8_t (*txb)[MAXPKT];
	uint8_t (*rxb)[MAXPKT];
	double ns[MAX_ROUNDS];	/* ns per packet, per round */
	double warm_ns;
	bool failed;
	char why[200];
	char driver[128];
};

extern struct contender cont[MAX_CONT];
extern int ncont;
extern struct scale_pair pairs[8];
extern struct ksrtp_nl knl;
extern bool have_ksrtp;
extern int rounds_done;

int sock_pair(int *tx, int *rx);
void key_for(uint8_t *key, uint32_t salt_seed, uint32_t n);
int ctx_install(uint64_t cookie, uint32_t dir, uint32_t ssrc,
		enum suite s, const uint8_t *key, int *retries);
int attach(int fd, uint64_t *cookie);

/* ksrtp_bench_mem.c */
struct memres {
	char label[64];
	enum suite suite;
	long n;
	double install_per_s;
	double slab_per_ctx, sunreclaim_per_ctx, memfree_per_ctx;
	int ntop;
	char top_name[NTOP][32];
	double top_per_ctx[NTOP];
	bool valid;
};

extern struct memres memres[12];
extern int nmemres;

void scale_setup(struct scale_pair *sp, long n);
void mem_probe(enum suite s, long n);

/* ksrtp_bench_report.c */
void build_ratios(void);
void build_targets(void);
void build_estimates(void);
void print_table(FILE *o);
void write_json(const char *path, const char *date);

#endif
