// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic for the lifecycle tests: an attached socket and a peer exchange
 * SRTP both ways as fast as they can for SECONDS, so the module can be
 * removed, the namespace deleted or the process killed while packets are in
 * flight. A full socket buffer (EAGAIN, ENOBUFS) is expected; any other send
 * error, or a direction that moved nothing, fails (exit 7).
 *   ksrtp_flood SECONDS
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "ksrtp_util.h"
#include "srtp_ossl.h"

static volatile int stop;
static int app, peer;
static struct ossl_srtp ref;
static atomic_long sent[2], full[2], bad[2], got[2];
static atomic_int first_errno;

/* Count a send's outcome for direction d (0: peer -> app, 1: app -> peer). */
static void tally(int d, ssize_t n)
{
	if (n >= 0) {
		sent[d]++;
	} else if (errno == EAGAIN || errno == ENOBUFS) {
		full[d]++;
	} else {
		int zero = 0;

		bad[d]++;
		atomic_compare_exchange_strong(&first_errno, &zero, errno);
	}
}

static void *peer_tx(void *arg)
{
	uint8_t plain[256], pkt[300];

	(void)arg;
	for (uint32_t i = 0; !stop; i++) {
		int n = rtp_make(plain, 7, i, 160, 0, false), len;

		memcpy(pkt, plain, n);
		len = ossl_protect_rtp(&ref, pkt, n, 12, 7, i, NULL, 0);
		tally(0, send(peer, pkt, len, MSG_DONTWAIT));
	}
	return NULL;
}

static void *app_tx(void *arg)
{
	uint8_t plain[256];

	(void)arg;
	for (uint32_t i = 0; !stop; i++) {
		int n = rtp_make(plain, 8, i, 160, 0, false);

		tally(1, send(app, plain, n, MSG_DONTWAIT));
	}
	return NULL;
}

static void *drain(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[2048];

	while (!stop)
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			got[fd == app ? 0 : 1]++;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage a, p;
	struct ctx_spec c = { .suite = KSRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
			      .roc = -1, .seq = -1 };
	uint8_t key[46];
	pthread_t t[4];
	struct ksrtp_nl k;
	struct nl_reply r;
	uint64_t cookie;
	int secs = argc > 1 ? atoi(argv[1]) : 3;

	if (kn_open(&k))
		return 2;
	app = udp_open(AF_INET, &a);
	peer = udp_open(AF_INET, &p);
	if (app < 0 || peer < 0 || udp_connect(app, &p) || udp_connect(peer, &a))
		return 3;
	if (kn_attach(&k, app, 0, &cookie, &r))
		return 4;
	key_fill(key, sizeof(key), 1);
	ossl_init(&ref, 16, 14, 10, 10, 1, key);
	c.cookie = cookie;
	c.key = key;
	c.ssrc = 7;
	c.dir = KSRTP_DIR_RX;
	if (kn_ctx_new(&k, &c, &r))
		return 5;
	c.ssrc = 8;
	c.dir = KSRTP_DIR_TX;
	if (kn_ctx_new(&k, &c, &r))
		return 6;
	printf("flood: sock %llu running %d s\n", (unsigned long long)cookie, secs);
	fflush(stdout);
	pthread_create(&t[0], NULL, peer_tx, NULL);
	pthread_create(&t[1], NULL, app_tx, NULL);
	pthread_create(&t[2], NULL, drain, &app);
	pthread_create(&t[3], NULL, drain, &peer);
	sleep(secs);
	stop = 1;
	printf("flood: peer->app sent %ld, buffer full %ld, failed %ld, received %ld\n",
	       sent[0], full[0], bad[0], got[0]);
	printf("flood: app->peer sent %ld, buffer full %ld, failed %ld, received %ld\n",
	       sent[1], full[1], bad[1], got[1]);
	if (bad[0] || bad[1])
		printf("flood: first failure: %s\n", strerror(first_errno));
	fflush(stdout);
	/* exit with the threads mid-call: the sockets close under them */
	return bad[0] || bad[1] || !got[0] || !got[1] ? 7 : 0;
}
