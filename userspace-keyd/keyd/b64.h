/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base64 (RFC 4648 §4, the standard alphabet) for SDES inline keys.
 * Decoding accepts input with or without '=' padding: rtpengine strips it.
 * And lowercase hex, for what keyd writes to its state files.
 */
#ifndef KEYD_B64_H
#define KEYD_B64_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Characters b64_encode writes for len bytes, padding included. */
#define B64_ENCODED_LEN(len)	((((len) + 2) / 3) * 4)

/*
 * Decode in[0..inlen) into out (at most outmax bytes). Returns the number of
 * bytes, or -1 for a character outside the alphabet, misplaced or excess
 * padding, a length no encoder produces, or output longer than outmax.
 */
ssize_t b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax);

/* Encode with padding and a terminating NUL; returns the length written, or
 * 0 if outmax cannot hold B64_ENCODED_LEN(len) + 1 bytes.
 */
size_t b64_encode(const uint8_t *in, size_t len, char *out, size_t outmax);

/* len bytes as 2 * len lowercase hex digits and a NUL. */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Exactly 2 * len hex digits into len bytes; 0, or -1. */
int hex_decode(const char *in, uint8_t *out, size_t len);

#endif /* KEYD_B64_H */
