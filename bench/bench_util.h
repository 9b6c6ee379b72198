// SPDX-License-Identifier: GPL-2.0
/*
 * What ksrtp_bench and ksrtp_relay_bench share: the clock, statistics over
 * rounds (min / median / max), JSON output and the round-order shuffle.
 */
#ifndef KSRTP_BENCH_UTIL_H
#define KSRTP_BENCH_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_ROUNDS	200

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct mmm {
	double min, med, max;
	int n;
};

static inline struct mmm stats_of(const double *v, int n)
{
	double s[MAX_ROUNDS];
	struct mmm m = { NAN, NAN, NAN, 0 };
	int k = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]))
			s[k++] = v[i];
	if (!k)
		return m;
	qsort(s, k, sizeof(double), cmp_double);
	m.min = s[0];
	m.max = s[k - 1];
	m.med = k & 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
	m.n = k;
	return m;
}

static inline void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static inline void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fprintf(f, "null");
}

static inline void json_mmm(FILE *f, const char *key, struct mmm m)
{
	fprintf(f, "\"%s\": {\"min\": ", key);
	json_num(f, m.min);
	fprintf(f, ", \"median\": ");
	json_num(f, m.med);
	fprintf(f, ", \"max\": ");
	json_num(f, m.max);
	fprintf(f, "}");
}

static inline void json_rounds(FILE *f, const double *v, int n)
{
	fprintf(f, "[");
	for (int i = 0; i < n; i++) {
		fprintf(f, i ? ", " : "");
		json_num(f, v[i]);
	}
	fprintf(f, "]");
}

/*
 * A JSON file's first lines, up to "kernel" and "accel" (an open object
 * follows): what every bench program's results start with.
 */
static inline void json_head(FILE *f, const char *program, const char *date,
			     const char *kernel, const char *accel)
{
	fprintf(f, "{\n  \"schema\": 1,\n  \"program\": ");
	json_str(f, program);
	fprintf(f, ",\n  \"date\": ");
	json_str(f, date);
	fprintf(f, ",\n  \"kernel\": ");
	json_str(f, kernel);
	fprintf(f, ",\n  \"accel\": ");
	json_str(f, accel ? accel : "unknown");
}

/* xorshift with a fixed seed: the same shuffles every run */
static inline uint32_t rnd(void)
{
	static uint64_t rng = 0x9e3779b97f4a7c15ULL;

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* order[] = 0..n-1, shuffled: a round's running order */
static inline void shuffle(int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = rnd() % (i + 1), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
}

#endif
