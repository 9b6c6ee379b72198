// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the DTLS association slot policy (userspace-keyd/keyd/
 * dtls_slots.c): unverified peers never keep a slot from a newer peer or
 * from one the signalling names, one address holds at most per_source of
 * them, and the oldest goes first.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dtls_slots.h"
#include "ktap.h"

#define N 8

static struct sockaddr_storage addr(const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	return ss;
}

/* n unvouched peers from n hosts 10.0.0.(1+i), born 100*(i+1), in slots 0..n-1 */
static void fill(struct slot_info *v, int n)
{
	char ip[32];
	int i;

	memset(v, 0, sizeof(*v) * N);
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", 1 + i);
		v[i].kind = SLOT_UNVOUCHED;
		v[i].born = 100 * (uint64_t)(i + 1);
		v[i].peer = addr(ip, 4000);
	}
}

static void test_eight_attackers_then_real_peer(void)
{
	struct slot_info v[N];
	struct sockaddr_storage real = addr("10.99.1.2", 40000);

	fill(v, N);
	/* the real peer's ClientHello: the oldest attacker (slot 0) makes room */
	KTAP_EXPECT_EQ(slots_pick(v, N, &real, 2), 0);
	/* the same when its answer names it (vouched: no per-source bound) */
	KTAP_EXPECT_EQ(slots_pick(v, N, &real, 0), 0);
	v[0].born = 900;		/* slot 0 was just retaken by a newer attacker */
	KTAP_EXPECT_EQ(slots_pick(v, N, &real, 2), 1);
}

static void test_vouched_kept(void)
{
	struct slot_info v[N];
	struct sockaddr_storage other = addr("192.0.2.1", 1);
	int i;

	fill(v, N);
	for (i = 0; i < N; i++)
		v[i].kind = SLOT_VOUCHED;
	KTAP_EXPECT_EQ(slots_pick(v, N, &other, 2), -1);
	KTAP_EXPECT_EQ(slots_pick(v, N, &other, 0), -1);
	v[5].kind = SLOT_UNVOUCHED;
	KTAP_EXPECT_EQ(slots_pick(v, N, &other, 2), 5);
	v[3].kind = SLOT_FAILED;	/* a failed one is reused before evicting anyone */
	KTAP_EXPECT_EQ(slots_pick(v, N, &other, 2), 3);
	v[6].kind = SLOT_FREE;
	KTAP_EXPECT_EQ(slots_pick(v, N, &other, 2), 6);
}

static void test_per_source(void)
{
	struct slot_info v[N];
	struct sockaddr_storage a1 = addr("10.0.0.50", 1), a2 = addr("10.0.0.50", 2);
	struct sockaddr_storage a3 = addr("10.0.0.50", 3), b = addr("10.0.0.51", 1);

	memset(v, 0, sizeof(v));
	v[2] = (struct slot_info){ SLOT_UNVOUCHED, 500, a1 };
	KTAP_EXPECT_EQ(slots_pick(v, N, &a2, 2), 0);	/* below the bound: a free slot */
	v[0] = (struct slot_info){ SLOT_UNVOUCHED, 300, a2 };
	/* two from 10.0.0.50 already: its oldest (slot 0, born 300) goes, free slots or not */
	KTAP_EXPECT_EQ(slots_pick(v, N, &a3, 2), 0);
	KTAP_EXPECT_EQ(slots_pick(v, N, &a3, 1), 0);
	KTAP_EXPECT_EQ(slots_pick(v, N, &b, 2), 1);	/* another host is not bound by it */
	KTAP_EXPECT(slots_same_host(&a1, &a3));
	KTAP_EXPECT(!slots_same_host(&a1, &b));
}

static void test_expiry(void)
{
	struct slot_info v[N];

	fill(v, 3);
	v[1].kind = SLOT_VOUCHED;
	KTAP_EXPECT_EQ(slots_oldest_unvouched(v, N, 50), -1);
	KTAP_EXPECT_EQ(slots_oldest_unvouched(v, N, 100), 0);
	v[0].kind = SLOT_FREE;
	KTAP_EXPECT_EQ(slots_oldest_unvouched(v, N, 250), -1);	/* slot 1 is vouched */
	KTAP_EXPECT_EQ(slots_oldest_unvouched(v, N, 300), 2);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_eight_attackers_then_real_peer),
	KTAP_TEST(test_vouched_kept),
	KTAP_TEST(test_per_source),
	KTAP_TEST(test_expiry),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
