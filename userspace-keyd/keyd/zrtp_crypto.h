/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP's hashes and MACs (RFC 6189 §4.5.1, §5.1.2, §9), all by OpenSSL:
 * the implicit SHA-256 of the hash chain H0-H3, the 64-bit message MACs
 * the chain keys (HMAC-SHA-256), the negotiated hash (S256, S384) and its
 * HMAC, the hash commitment hvi, and the KDF. No I/O.
 */
#ifndef KEYD_ZRTP_CRYPTO_H
#define KEYD_ZRTP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zrtp_msg.h"

#define ZRTP_HASH_MAX	48	/* S384 */

/* The negotiated hash's output length, 0 if keyd has no such hash. */
size_t zrtp_hash_len(zrtp_alg hash);

/* hash(a || b) with the negotiated hash (b may be empty); 0 or -1. */
int zrtp_hash2(zrtp_alg hash, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	       uint8_t *out);

/* hash(parts[0] || ... || parts[n - 1]) with the negotiated hash; 0 or -1. */
int zrtp_hashv(zrtp_alg hash, const struct zrtp_bytes *parts, size_t n, uint8_t *out);

/* The hash chain (§9): h[0] = H0 given, h[i] = SHA-256(h[i - 1]). */
struct zrtp_chain {
	uint8_t h[4][ZRTP_H_LEN];
};
int zrtp_hash_chain(struct zrtp_chain *c);

/*
 * The 64-bit MAC ending a Hello, Commit, DHPart or GoClear, keyed by a hash
 * image (§8.1.1): HMAC-SHA-256 over the message up to the MAC, truncated.
 * msg is the whole message (zrtp_packet.raw). Write it in place, or check it.
 */
int zrtp_msg_mac_set(uint8_t *msg, size_t len, const uint8_t key[ZRTP_H_LEN]);
bool zrtp_msg_mac_ok(const uint8_t *msg, size_t len, const uint8_t key[ZRTP_H_LEN]);

/* The negotiated MAC: HMAC with the negotiated hash, outlen bytes of it. */
int zrtp_hmac(zrtp_alg hash, const uint8_t *key, size_t klen, const uint8_t *data, size_t len,
	      uint8_t *out, size_t outlen);

/*
 * KDF(KI, Label, Context, L) = HMAC(KI, 1 || Label || 0x00 || Context || L)
 * truncated to L bits (§4.5.1); L a multiple of 8, at most the hash's.
 */
int zrtp_kdf(zrtp_alg hash, const uint8_t *ki, size_t kilen, const char *label,
	     const uint8_t *ctx, size_t ctxlen, unsigned int l_bits, uint8_t *out);

/* hvi = hash(initiator's DHPart2 || responder's Hello), 256 bits (§4.4.1.1). */
int zrtp_hvi(zrtp_alg hash, const struct zrtp_bytes *dhpart2, const struct zrtp_bytes *hello_r,
	     uint8_t hvi[ZRTP_H_LEN]);

#endif /* KEYD_ZRTP_CRYPTO_H */
