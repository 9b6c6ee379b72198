// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for selftests/stun_lite.c (the ICE-lite STUN of the WebRTC
 * selftest's media app): RFC 5769 §2.1's sample request passes the check
 * with its password and fails with any other, with any byte changed or
 * truncated; the response we build carries the request's transaction id,
 * RFC 5769 §2.2's XOR-MAPPED-ADDRESS bytes for 192.0.2.1:32853, and the
 * MESSAGE-INTEGRITY and FINGERPRINT the test recomputes itself.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "ktap.h"
#include "stun_lite.h"

/* RFC 5769 §2.1 */
static const uint8_t rfc5769_req[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
	0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
	0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
	0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
	0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};
#define UFRAG	"evtj"
#define PWD	"VOkJxbRl1RmTxUk/WvJxBt"

static enum stun_verdict check(const uint8_t *src, size_t len, const char *ufrag,
			       const char *pwd)
{
	uint8_t *p = malloc(len ? len : 1);	/* exactly len: ASan sees overreads */
	enum stun_verdict v;

	if (!p)
		abort();
	memcpy(p, src, len);
	v = stun_check_request(p, len, ufrag, pwd);
	free(p);
	return v;
}

static void test_rfc5769_request(void)
{
	KTAP_EXPECT_EQ(check(rfc5769_req, sizeof(rfc5769_req), UFRAG, PWD), STUN_OK);
	KTAP_EXPECT_EQ(check(rfc5769_req, sizeof(rfc5769_req), UFRAG, "VOkJxbRl1RmTxUk/WvJxBT"),
		       STUN_BAD_INTEGRITY);
	KTAP_EXPECT_EQ(check(rfc5769_req, sizeof(rfc5769_req), "h6vY", PWD), STUN_BAD_USER);
	KTAP_EXPECT_EQ(check(rfc5769_req, sizeof(rfc5769_req), "evt", PWD), STUN_BAD_USER);
}

static void test_every_byte_matters(void)
{
	uint8_t m[sizeof(rfc5769_req)];
	size_t i;

	for (i = 0; i < sizeof(m); i++) {
		memcpy(m, rfc5769_req, sizeof(m));
		m[i] ^= 0x01;
		/* the USERNAME's padding is covered by MI and FINGERPRINT too */
		if (check(m, sizeof(m), UFRAG, PWD) == STUN_OK)
			ktap_diag("byte %zu flipped, still accepted", i);
		KTAP_EXPECT(check(m, sizeof(m), UFRAG, PWD) != STUN_OK);
	}
	for (i = 0; i < sizeof(rfc5769_req); i++)
		KTAP_EXPECT(check(rfc5769_req, i, UFRAG, PWD) != STUN_OK);
}

static void test_response(void)
{
	static const uint8_t xor_mapped[] = {
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	};
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(32853) };
	uint8_t out[STUN_MAX];
	size_t len;

	inet_pton(AF_INET, "192.0.2.1", &src.sin_addr);
	len = stun_build_response(rfc5769_req, &src, PWD, out);
	KTAP_ASSERT_EQ_U(len, 20 + 12 + 24 + 8);
	KTAP_EXPECT_EQ_U(out[0] << 8 | out[1], 0x0101);
	KTAP_EXPECT_EQ_U(out[2] << 8 | out[3], len - 20);
	KTAP_EXPECT(!memcmp(out + 4, rfc5769_req + 4, 16));
	KTAP_EXPECT(!memcmp(out + 20, xor_mapped, sizeof(xor_mapped)));
	/* FINGERPRINT and MESSAGE-INTEGRITY recomputed here, by RFC 8489's
	 * framing: CRC-32 of all before it xor 0x5354554e; HMAC-SHA1 of the
	 * header (length ending after MI) and XOR-MAPPED-ADDRESS
	 */
	{
		uint8_t buf[32], mac[20];
		unsigned int maclen = sizeof(mac);
		uint32_t fp = (uint32_t)crc32(0L, out, (uInt)(len - 8)) ^ 0x5354554eu;

		KTAP_EXPECT_EQ_U((uint32_t)out[len - 4] << 24 | (uint32_t)out[len - 3] << 16 |
				 (uint32_t)out[len - 2] << 8 | out[len - 1], fp);
		memcpy(buf, out, sizeof(buf));
		buf[2] = 0;
		buf[3] = 12 + 24;
		KTAP_ASSERT(HMAC(EVP_sha1(), PWD, (int)strlen(PWD), buf, sizeof(buf), mac, &maclen));
		KTAP_EXPECT(!memcmp(out + 32, "\x00\x08\x00\x14", 4));
		KTAP_EXPECT(!memcmp(out + 36, mac, sizeof(mac)));
	}
}

static void test_not_requests(void)
{
	uint8_t m[sizeof(rfc5769_req)];

	memcpy(m, rfc5769_req, sizeof(m));
	m[1] = 0x11;		/* Binding indication */
	KTAP_EXPECT_EQ(check(m, sizeof(m), UFRAG, PWD), STUN_NOT_REQUEST);
	m[1] = 0x01;
	m[4] = 0;		/* no magic cookie */
	KTAP_EXPECT_EQ(check(m, sizeof(m), UFRAG, PWD), STUN_NOT_STUN);
	KTAP_EXPECT_EQ(check((const uint8_t *)"\x80\x60", 2, UFRAG, PWD), STUN_NOT_STUN);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_rfc5769_request),
	KTAP_TEST(test_every_byte_matters),
	KTAP_TEST(test_response),
	KTAP_TEST(test_not_requests),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
