// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_bench's memory probes: the install rate and the kernel memory
 * (MemFree, Slab, SUnreclaim and the slab caches that grew most) per RX
 * context, on a fresh socket and on each scale pair.
 */
#include "ksrtp_bench.h"

struct meminfo {
	long memfree, slab, sunreclaim, vmalloc;	/* kB */
};

static void read_meminfo(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v;

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemFree: %ld", &v) == 1)
			m->memfree = v;
		else if (sscanf(line, "Slab: %ld", &v) == 1)
			m->slab = v;
		else if (sscanf(line, "SUnreclaim: %ld", &v) == 1)
			m->sunreclaim = v;
		else if (sscanf(line, "VmallocUsed: %ld", &v) == 1)
			m->vmalloc = v;
	}
	fclose(f);
}

#define MAX_SLABS 512
struct slabs {
	int n;
	char name[MAX_SLABS][32];
	long bytes[MAX_SLABS];	/* active objects x object size */
};

static void read_slabs(struct slabs *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long active, total, size;

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAX_SLABS) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total, &size) != 4)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%.31s", name);
		s->bytes[s->n++] = active * size;
	}
	fclose(f);
}

struct memres memres[12];
int nmemres;

static void mem_delta(struct memres *r, const struct meminfo *a,
		      const struct meminfo *b, const struct slabs *sa,
		      const struct slabs *sb)
{
	static long d[MAX_SLABS];
	double n = r->n;

	r->slab_per_ctx = (b->slab - a->slab) * 1024.0 / n;
	r->sunreclaim_per_ctx = (b->sunreclaim - a->sunreclaim) * 1024.0 / n;
	r->memfree_per_ctx = (a->memfree - b->memfree) * 1024.0 / n;
	r->ntop = 0;
	for (int i = 0; i < sb->n; i++) {
		long before = 0;

		d[i] = 0;
		for (int j = 0; j < sa->n; j++)
			if (!strcmp(sa->name[j], sb->name[i])) {
				before = sa->bytes[j];
				break;
			}
		d[i] = sb->bytes[i] - before;
	}
	/* the caches that grew most */
	while (r->ntop < NTOP) {
		int best = -1;

		for (int i = 0; i < sb->n; i++)
			if (d[i] > 0 && (best < 0 || d[i] > d[best]))
				best = i;
		if (best < 0)
			break;
		snprintf(r->top_name[r->ntop], sizeof(r->top_name[0]), "%s",
			 sb->name[best]);
		r->top_per_ctx[r->ntop++] = d[best] / n;
		d[best] = 0;
	}
	r->valid = true;
}

/* Let deferred frees and RCU settle before a memory reading. */
static void settle(void)
{
	usleep((opt.smoke ? 50 : 300) * 1000);
}

/*
 * A scale pair: the receiver gets n RX contexts (SSRC base + i), the sender
 * TX contexts for k of those SSRCs spread evenly. Installs of the RX
 * contexts are timed and their memory measured.
 */
void scale_setup(struct scale_pair *sp, long n)
{
	uint32_t base = 0x10000000u + (uint32_t)(sp - pairs) * 0x01000000u;
	struct meminfo ma, mb;
	static struct slabs sa, sb;
	struct memres *r;
	uint64_t ck_tx, ck_rx;
	uint8_t key[46];
	double t0;
	long i;

	sp->n = n;
	sp->k = n < ROT_MAX ? n : ROT_MAX;
	sp->ssrc = calloc(sp->k, sizeof(*sp->ssrc));
	sp->seq = calloc(sp->k, sizeof(*sp->seq));
	if (!sp->ssrc || !sp->seq)
		die("out of memory");
	if (!have_ksrtp || sock_pair(&sp->tx, &sp->rx) ||
	    attach(sp->tx, &ck_tx) || attach(sp->rx, &ck_rx)) {
		sp->failed = true;
		return;
	}
	for (int j = 0; j < sp->k; j++) {
		uint32_t idx = (uint32_t)((long long)j * n / sp->k);

		sp->ssrc[j] = base + idx;
		key_for(key, 7, sp->ssrc[j]);
		if (ctx_install(ck_tx, KSRTP_DIR_TX, sp->ssrc[j], opt.scale_suite, key, NULL)) {
			sp->failed = true;
			return;
		}
	}
	settle();
	read_slabs(&sa);
	read_meminfo(&ma);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		uint32_t ssrc = base + (uint32_t)i;

		key_for(key, 7, ssrc);
		if (ctx_install(ck_rx, KSRTP_DIR_RX, ssrc, opt.scale_suite, key,
				&sp->install_retries)) {
			sp->failed = true;
			return;
		}
	}
	sp->install_s = (now_ns() - t0) / 1e9;
	if (n < 100)
		return;		/* too few to see in the memory counters */
	settle();
	read_meminfo(&mb);
	read_slabs(&sb);
	r = &memres[nmemres++];
	snprintf(r->label, sizeof(r->label), "%s x%ld (scale)",
		 suite_name[opt.scale_suite], n);
	r->n = n;
	r->suite = opt.scale_suite;
	r->install_per_s = n / sp->install_s;
	mem_delta(r, &ma, &mb, &sa, &sb);
	fprintf(stderr, "ksrtp_bench: %ld %s RX contexts installed in %.2f s "
		"(%d retries), %.0f B/ctx slab\n", n, suite_name[opt.scale_suite],
		sp->install_s, sp->install_retries, r->slab_per_ctx);
}

/* Memory and install rate of n RX contexts of a suite on a fresh socket. */
void mem_probe(enum suite s, long n)
{
	static struct slabs sa, sb;
	struct meminfo ma, mb;
	int tx, rx, retries = 0;
	struct memres *r;
	uint64_t ck;
	uint8_t key[46];
	double t0;

	if (!have_ksrtp || n <= 0 || sock_pair(&tx, &rx) || attach(rx, &ck))
		return;
	settle();
	read_slabs(&sa);
	read_meminfo(&ma);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		key_for(key, 9, (uint32_t)i);
		if (ctx_install(ck, KSRTP_DIR_RX, 0x20000000u + (uint32_t)i, s, key,
				&retries))
			goto out;
	}
	r = &memres[nmemres++];
	r->install_per_s = n / ((now_ns() - t0) / 1e9);
	settle();
	read_meminfo(&mb);
	read_slabs(&sb);
	snprintf(r->label, sizeof(r->label), "%s x%ld", suite_name[s], n);
	r->n = n;
	r->suite = s;
	mem_delta(r, &ma, &mb, &sa, &sb);
	/*
	 * The sockets stay open to the end: freeing their contexts now would
	 * overlap the next memory reading.
	 */
	return;
out:
	close(tx);
	close(rx);
}
