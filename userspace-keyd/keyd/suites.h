/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SRTP crypto suites ksrtp implements, under their SDES (RFC 4568,
 * 6188, 7714) names (F8_128_HMAC_SHA1_32 as the kernel names it), with the master key and salt sizes each one takes.
 */
#ifndef KEYD_SUITES_H
#define KEYD_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUITE_COUNT		12
#define SUITE_KEYSALT_MAX	46	/* AES-256: 32-byte key + 14-byte salt */

struct suite {
	const char *name;
	uint32_t id;		/* enum ksrtp_suite */
	uint8_t key_len;
	uint8_t salt_len;
	bool aead;		/* GCM: no UNENCRYPTED_* / UNAUTHENTICATED_* */
};

/* All suites, in enum ksrtp_suite order. */
extern const struct suite suite_table[SUITE_COUNT];

/* Exact, case-sensitive name (SDP is case-sensitive here); NULL if unknown. */
const struct suite *suite_by_name(const char *name, size_t len);
const struct suite *suite_by_id(uint32_t id);

static inline unsigned int suite_keysalt_len(const struct suite *s)
{
	return s->key_len + s->salt_len;
}

/* Bit for a suite in a mask of 1 << id, as info-get reports them. */
static inline uint32_t suite_bit(const struct suite *s)
{
	return 1u << s->id;
}

#endif /* KEYD_SUITES_H */
