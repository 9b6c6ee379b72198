// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for selftests/stun_lite.c: any datagram through the
 * request check (fixed credentials; the seed is RFC 5769's sample request,
 * whose credentials these are); an accepted one must be a well-formed
 * Binding request, and the response built for it must carry its
 * transaction id and stay within STUN_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "stun_lite.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(0xc0000201) };
	uint8_t out[STUN_MAX];
	enum stun_verdict v;
	size_t len;

	v = stun_check_request(data, size, "evtj", "VOkJxbRl1RmTxUk/WvJxBt");
	FUZZ_CHECK(v >= STUN_OK && v <= STUN_BAD_INTEGRITY);
	FUZZ_CHECK(strcmp(stun_verdict_name(v), "?"));
	if (v != STUN_OK)
		return 0;
	FUZZ_CHECK(size >= STUN_HDR && size <= STUN_MAX && size % 4 == 0);
	FUZZ_CHECK(data[0] == 0 && data[1] == 1);
	len = stun_build_response(data, &src, "VOkJxbRl1RmTxUk/WvJxBt", out);
	FUZZ_CHECK(len == 64 && !memcmp(out + 4, data + 4, 16));
	return 0;
}
