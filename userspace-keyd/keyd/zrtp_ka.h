/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP's key agreements (RFC 6189 §5.1.5) through OpenSSL: DH3k and DH2k
 * (RFC 3526's 3072- and 2048-bit MODP groups, g = 2), EC25 and EC38 (NIST
 * P-256 and P-384, the public value X || Y, the result X), and X255
 * (X25519, bzrtp's name for it; raw 32-byte values). Public values and
 * results are big-endian and fixed to their width.
 */
#ifndef KEYD_ZRTP_KA_H
#define KEYD_ZRTP_KA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "zrtp_msg.h"

#define ZRTP_PV_MAX	384	/* DH3k */
#define ZRTP_PV_MAX_RESULT	384	/* DHResult: DH3k */

/* The public value's length, or 0 if keyd has no such key agreement. */
size_t zrtp_ka_pv_len(zrtp_alg ka);
/* The shared result's length (DHResult, §4.4.1.4). */
size_t zrtp_ka_result_len(zrtp_alg ka);

/* A fresh key pair; its public value into pv (zrtp_ka_pv_len bytes). */
EVP_PKEY *zrtp_ka_keygen(zrtp_alg ka, uint8_t *pv);

/*
 * DHResult from our key and the peer's public value, which OpenSSL checks
 * (a DH value of 1 or p - 1, a point off the curve: refused). 0, or -1.
 */
int zrtp_ka_result(zrtp_alg ka, EVP_PKEY *ours, const uint8_t *peer_pv, uint8_t *result);

#endif /* KEYD_ZRTP_KA_H */
