// SPDX-License-Identifier: GPL-2.0
/*
 * The suite table: the one place that maps SDES names to enum ksrtp_suite.
 */
#include <string.h>
#include <linux/ksrtp.h>

#include "suites.h"

const struct suite suite_table[SUITE_COUNT] = {
	{ "AES_CM_128_HMAC_SHA1_80", KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 16, 14, false },
	{ "AES_CM_128_HMAC_SHA1_32", KSRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 16, 14, false },
	{ "AES_192_CM_HMAC_SHA1_80", KSRTP_SUITE_AES_192_CM_HMAC_SHA1_80, 24, 14, false },
	{ "AES_192_CM_HMAC_SHA1_32", KSRTP_SUITE_AES_192_CM_HMAC_SHA1_32, 24, 14, false },
	{ "AES_256_CM_HMAC_SHA1_80", KSRTP_SUITE_AES_256_CM_HMAC_SHA1_80, 32, 14, false },
	{ "AES_256_CM_HMAC_SHA1_32", KSRTP_SUITE_AES_256_CM_HMAC_SHA1_32, 32, 14, false },
	{ "AEAD_AES_128_GCM", KSRTP_SUITE_AEAD_AES_128_GCM, 16, 12, true },
	{ "AEAD_AES_256_GCM", KSRTP_SUITE_AEAD_AES_256_GCM, 32, 12, true },
	{ "NULL_HMAC_SHA1_80", KSRTP_SUITE_NULL_HMAC_SHA1_80, 16, 14, false },
	{ "NULL_HMAC_SHA1_32", KSRTP_SUITE_NULL_HMAC_SHA1_32, 16, 14, false },
	{ "F8_128_HMAC_SHA1_80", KSRTP_SUITE_F8_128_HMAC_SHA1_80, 16, 14, false },
	{ "F8_128_HMAC_SHA1_32", KSRTP_SUITE_F8_128_HMAC_SHA1_32, 16, 14, false },
};

_Static_assert(KSRTP_SUITE_MAX == SUITE_COUNT, "suite_table is stale");

const struct suite *suite_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < SUITE_COUNT; i++)
		if (strlen(suite_table[i].name) == len &&
		    !memcmp(suite_table[i].name, name, len))
			return &suite_table[i];
	return NULL;
}

const struct suite *suite_by_id(uint32_t id)
{
	if (id < 1 || id > SUITE_COUNT)
		return NULL;
	return &suite_table[id - 1];
}
