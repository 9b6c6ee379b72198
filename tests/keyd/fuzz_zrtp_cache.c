// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ZRTP retained-secret cache's reader
 * (userspace-keyd/keyd/zrtp_cache.c): the input is written as the cache
 * file of one peer ZID in a private state_dir and read back with
 * zcache_get(). An entry it accepts must hold rs1, and written back with
 * zcache_put() it must read back the same (the check recomputed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "zrtp_cache.h"

static struct keyd kd;
static const uint8_t zid[ZRTP_ZID_LEN] = "fuzz-zid-001";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[300];
	struct zrtp_retained e, back;
	FILE *f;

	if (!kd.cfg.state_dir[0]) {
		log_set_level(LOG_ERR);
		snprintf(kd.cfg.state_dir, sizeof(kd.cfg.state_dir), "/tmp/keyd-fuzz-zcache.XXXXXX");
		if (!mkdtemp(kd.cfg.state_dir))
			abort();
		/* the file zcache_get() reads for zid: zrtp-cache-<hex>.json */
		snprintf(path, sizeof(path), "%s/zrtp-cache-66757a7a2d7a69642d303031.json",
			 kd.cfg.state_dir);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (!zcache_get(&kd, zid, &e)) {
		if (!e.have_rs1)
			abort();
		if (zcache_put(&kd, zid, &e, 0xffffffffu) || zcache_get(&kd, zid, &back) ||
		    memcmp(&e, &back, sizeof(e)))
			abort();
	}
	unlink(path);
	return 0;
}
