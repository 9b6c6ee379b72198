/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP's retained-secret cache (RFC 6189 §4.9): one file per peer ZID in
 * state_dir, zrtp-cache-<ZID>.json, mode 0600, written atomically
 * (state.h), holding rs1, rs2, an enrolled PBX's pbxsecret (§7.3.1), the
 * SAS verified flag and the expiry, with
 * a SHA-256 over them that a read checks. The one place keyd writes
 * secrets to disk (Documentation/keyd-zrtp.md says why). Without
 * state_dir there is no cache: ZRTP runs cacheless (§4.9.1).
 */
#ifndef KEYD_ZRTP_CACHE_H
#define KEYD_ZRTP_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "keyd.h"
#include "zrtp_secrets.h"

bool zcache_enabled(const struct keyd *kd);
/*
 * The entry for a peer (zrtp_cfg's cache_get; arg is the keyd): 0, or -1
 * if there is none, it expired, or it fails its check (logged).
 */
int zcache_get(void *kd, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *out);
/* Replace the entry; expiry in s from now, 0xffffffff: forever. 0 or -errno. */
int zcache_put(struct keyd *kd, const uint8_t zid[ZRTP_ZID_LEN], const struct zrtp_retained *e,
	       uint32_t expiry);
/* Erase the entry (the users found the SAS differs). */
void zcache_forget(struct keyd *kd, const uint8_t zid[ZRTP_ZID_LEN]);

#endif /* KEYD_ZRTP_CACHE_H */
