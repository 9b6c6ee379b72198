// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime of attached sockets and their contexts: what an application
 * may not do to an attached socket, and what a concurrent close, detach or
 * ctx-del must not break. Packets come from the OpenSSL reference
 * (srtp_ossl.h).
 */
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ksrtp_util.h"
#include "srtp_ossl.h"

#define SUITE KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80

/*
 * IPV6_ADDRFORM would turn an attached v4-mapped IPv6 socket into an IPv4
 * one with plain udp_prot, and its RTP would leave in clear: refused.
 */
TEST(ipv6_addrform_refused)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 }, to6 = a6;
	struct sockaddr_storage p4;
	struct ossl_srtp ref;
	uint8_t key[46], plain[128], exp[128], got[256];
	struct ksrtp_nl k;
	struct nl_reply r;
	uint64_t cookie;
	int app, peer, n, len, off = 0, v4 = AF_INET;
	struct ctx_spec c = { .dir = KSRTP_DIR_TX, .ssrc = 7, .suite = SUITE,
			      .key = key, .roc = -1, .seq = -1 };

	ASSERT_EQ(0, kn_open(&k));
	app = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_EQ(0, setsockopt(app, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)));
	ASSERT_EQ(0, bind(app, (struct sockaddr *)&a6, sizeof(a6)));
	peer = udp_open(AF_INET, &p4);
	ASSERT_GE(peer, 0);
	/* the peer as ::ffff:127.0.0.1 */
	to6.sin6_port = ((struct sockaddr_in *)&p4)->sin_port;
	to6.sin6_addr.s6_addr[10] = 0xff;
	to6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&to6.sin6_addr.s6_addr[12], &((struct sockaddr_in *)&p4)->sin_addr, 4);
	ASSERT_EQ(0, connect(app, (struct sockaddr *)&to6, sizeof(to6)));
	ASSERT_EQ(0, kn_attach(&k, app, 0, &cookie, &r));
	key_fill(key, 46, 0x61);
	ASSERT_EQ(0, ossl_init(&ref, 16, 14, 10, 10, 1, key));
	c.cookie = cookie;
	ASSERT_EQ(0, kn_ctx_new(&k, &c, &r)) TH_LOG("%s", r.extack);

	EXPECT_EQ(-1, setsockopt(app, IPPROTO_IPV6, IPV6_ADDRFORM, &v4, sizeof(v4)));
	EXPECT_EQ(EBUSY, errno);
	/* still SRTP on the wire, byte for byte the reference's */
	for (int i = 0; i < 3; i++) {
		n = rtp_make(plain, 7, 100 + i, 40, 0, false);
		memcpy(exp, plain, n);
		len = ossl_protect_rtp(&ref, exp, n, 12, 7, 100 + i, NULL, 0);
		ASSERT_EQ(n, send(app, plain, n, 0));
		ASSERT_EQ(len, recv(peer, got, sizeof(got), 0));
		EXPECT_EQ(0, memcmp(exp, got, len));
	}
	close(app);
	close(peer);
	close(k.fd);
}

TEST_HARNESS_MAIN
