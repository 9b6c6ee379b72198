/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY's Diffie-Hellman groups (RFC 3830 §6.4), from OpenSSL: OAKLEY 5
 * (the 1536-bit MODP group of RFC 3526 §2) and OAKLEY 2 (1024 bits, RFC
 * 2409 §6.2), generator 2. OAKLEY 1 (768 bits) is refused: too weak.
 * Every value is big-endian at the group's full length (mikey_dh_len()),
 * the shared secret too, leading zeros kept: it is the TGK.
 */
#ifndef KEYD_MIKEY_DH_H
#define KEYD_MIKEY_DH_H

#include <stdbool.h>
#include <stdint.h>

#define MIKEY_DH_MAX_LEN	192	/* OAKLEY 5 */

/* A group keyd runs (OAKLEY 5 or 2). */
bool mikey_dh_group_ok(uint8_t group);

/* A fresh key pair: priv and pub, mikey_dh_len(group) bytes each. 0 or -1. */
int mikey_dh_keygen(uint8_t group, uint8_t *priv, uint8_t *pub);

/*
 * The shared secret of our pair (priv, pub) and the peer's value: checked
 * first (1 < y < p - 1, OpenSSL's public-key check). 0, or -1 if the
 * peer's value is refused or OpenSSL fails.
 */
int mikey_dh_secret(uint8_t group, const uint8_t *priv, const uint8_t *pub,
		    const uint8_t *peer, uint8_t *secret);

#endif /* KEYD_MIKEY_DH_H */
