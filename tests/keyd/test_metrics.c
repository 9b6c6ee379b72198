// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keyd's metrics without a kernel (userspace-keyd/keyd/
 * metrics.c, metrics_http.c): handshake accounting from state changes,
 * counter deltas across context replacement, the exposition text (checked
 * by promtool when it is installed), the metrics_listen setting, and the
 * HTTP endpoint on libmicrohttpd driven the way keyd's poll loop drives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "config.h"
#include "ktap.h"
#include "metrics.h"
#include "metrics_http.h"
#include "session.h"

static const struct method m_sdes = { .name = "sdes" };
static const struct method m_dtls = { .name = "dtls" };
static const struct method m_mikey = { .name = "mikey" };

static struct keyd kd;

static struct session *add_session(const struct method *m)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->method = m;
	s->next = kd.sessions;
	kd.sessions = s;
	kd.nsessions++;
	return s;
}

static void free_sessions(void)
{
	struct session *s;

	while ((s = kd.sessions)) {
		kd.sessions = s->next;
		metrics_session_free(s);
		free(s);
	}
	kd.nsessions = 0;
}

static char *render(size_t *len)
{
	char *buf = NULL;
	size_t l = 0;
	FILE *f = open_memstream(&buf, &l);

	if (!f)
		abort();
	metrics_render(&kd, f, 3);
	fclose(f);
	if (len)
		*len = l;
	return buf;
}

static char *body_fn(void *arg, size_t *len)
{
	(void)arg;
	return render(len);
}

/* The exact line "name{labels} value" is in the text. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

#define EXPECT_LINE(text, line)						\
	do {								\
		if (!has_line(text, line))				\
			ktap_fail(__FILE__, __LINE__, "missing line: %s", line); \
	} while (0)

static void test_handshakes(void)
{
	struct session *a, *b, *c, *d;
	char *t;

	metrics_reset();
	a = add_session(&m_sdes);
	metrics_session_new(a, 1000);
	a->state = SS_OFFERED;
	metrics_observe(a, 1100);
	a->state = SS_SECURE;
	metrics_observe(a, 1400);		/* 0.3 s */
	metrics_observe(a, 1500);		/* no change: nothing */
	b = add_session(&m_sdes);
	metrics_session_new(b, 2000);
	b->state = SS_ANSWERING;
	metrics_observe(b, 2000);
	c = add_session(&m_dtls);
	metrics_session_new(c, 0);
	c->state = SS_OFFERED;
	metrics_observe(c, 0);
	c->state = SS_FAILED;			/* e.g. a fingerprint mismatch */
	metrics_observe(c, 5000);
	d = add_session(&m_dtls);
	metrics_session_new(d, 0);
	d->state = SS_SECURE;			/* straight to secure: 70 s */
	snprintf(c->bridge.to, sizeof(c->bridge.to), "kd-d");	/* c and d bridged */
	snprintf(d->bridge.to, sizeof(d->bridge.to), "kd-c");
	metrics_observe(d, 70000);
	metrics_rekey(a, true);
	metrics_rekey(a, false);
	metrics_rekey(a, false);
	metrics_request_error("wrong_state");
	metrics_request_error("not-a-code");	/* counted as internal */
	/* b is deleted mid-negotiation; a's socket is closed */
	kd.sessions = d;
	d->next = c;
	c->next = NULL;
	metrics_session_gone(b, 3000, -1);
	metrics_session_gone(a, 3000, MF_SOCKET_CLOSED);
	free(a);
	free(b);
	kd.nsessions = 2;

	t = render(NULL);
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_started_total{method=\"sdes\"} 2");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_completed_total{method=\"sdes\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_failed_total{method=\"sdes\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_started_total{method=\"dtls\"} 2");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_completed_total{method=\"dtls\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_failed_total{method=\"dtls\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_bucket{method=\"sdes\",le=\"0.25\"} 0");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_bucket{method=\"sdes\",le=\"0.5\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_bucket{method=\"sdes\",le=\"+Inf\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_sum{method=\"sdes\"} 0.300");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_bucket{method=\"dtls\",le=\"60\"} 0");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_bucket{method=\"dtls\",le=\"+Inf\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshake_duration_seconds_count{method=\"dtls\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_rekeys_total{method=\"sdes\",initiator=\"local\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_rekeys_total{method=\"sdes\",initiator=\"remote\"} 2");
	EXPECT_LINE(t, "ksrtp_keyd_failures_total{method=\"sdes\",reason=\"deleted_before_secure\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_failures_total{method=\"sdes\",reason=\"socket_closed\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_failures_total{method=\"dtls\",reason=\"negotiation_failed\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_request_errors_total{code=\"wrong_state\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_request_errors_total{code=\"internal\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"dtls\",state=\"secure\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"dtls\",state=\"failed\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"sdes\",state=\"secure\"} 0");
	EXPECT_LINE(t, "ksrtp_keyd_control_clients 3");
	EXPECT_LINE(t, "ksrtp_keyd_bridges 1");
	free(t);
	free_sessions();
}

/* MIKEY sessions are counted under their own method label. */
static void test_mikey(void)
{
	struct session *a, *b;
	char *t;

	metrics_reset();
	a = add_session(&m_mikey);
	metrics_session_new(a, 0);
	a->state = SS_OFFERED;
	metrics_observe(a, 0);
	a->state = SS_SECURE;
	metrics_observe(a, 200);
	b = add_session(&m_mikey);
	metrics_session_new(b, 0);
	b->state = SS_ANSWERING;
	metrics_observe(b, 0);
	metrics_rekey(a, true);
	t = render(NULL);
	KTAP_ASSERT_EQ(metrics_method("mikey"), 2);
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"mikey\",state=\"secure\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"mikey\",state=\"answering\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_started_total{method=\"mikey\"} 2");
	EXPECT_LINE(t, "ksrtp_keyd_handshakes_completed_total{method=\"mikey\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_rekeys_total{method=\"mikey\",initiator=\"local\"} 1");
	EXPECT_LINE(t, "ksrtp_keyd_sessions{method=\"sdes\",state=\"secure\"} 0");
	free(t);
	free_sessions();
}

static void test_kernel_deltas(void)
{
	uint64_t ctx[KSRTP_A_CTX_STATS_MAX + 1] = { 0 }, sock[KSRTP_A_SOCK_STATS_MAX + 1] = { 0 };
	const struct suite *gcm = suite_by_name("AEAD_AES_128_GCM", 16);
	struct session *a, *b;
	char *t;

	metrics_reset();
	a = add_session(&m_sdes);
	b = add_session(&m_sdes);
	ctx[KSRTP_A_CTX_STATS_PACKETS] = 10;
	ctx[KSRTP_A_CTX_STATS_HIGHEST_INDEX] = 12345;	/* a position: never exported */
	metrics_add_ctx(a, KSRTP_DIR_TX, gcm, ctx);
	ctx[KSRTP_A_CTX_STATS_PACKETS] = 15;
	metrics_add_ctx(a, KSRTP_DIR_TX, gcm, ctx);	/* +5 */
	ctx[KSRTP_A_CTX_STATS_PACKETS] = 3;		/* replaced: counts from 0 */
	metrics_add_ctx(a, KSRTP_DIR_TX, gcm, ctx);	/* +3 */
	ctx[KSRTP_A_CTX_STATS_PACKETS] = 7;
	ctx[KSRTP_A_CTX_STATS_AUTH_FAIL] = 2;
	metrics_add_ctx(b, KSRTP_DIR_TX, gcm, ctx);
	metrics_add_ctx(b, KSRTP_DIR_RX, gcm, ctx);
	sock[KSRTP_A_SOCK_STATS_RX_SRTP] = 40;
	metrics_add_sock(a, sock);
	metrics_add_sock(a, sock);			/* unchanged: +0 */
	metrics_add_sock(b, sock);
	metrics_kernel_error();
	t = render(NULL);
	EXPECT_LINE(t, "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"AEAD_AES_128_GCM\",direction=\"tx\"} 25");
	EXPECT_LINE(t, "ksrtp_ctx_packets_total{method=\"sdes\",suite=\"AEAD_AES_128_GCM\",direction=\"rx\"} 7");
	EXPECT_LINE(t, "ksrtp_ctx_auth_fail_total{method=\"sdes\",suite=\"AEAD_AES_128_GCM\",direction=\"rx\"} 2");
	EXPECT_LINE(t, "ksrtp_socket_rx_srtp_total{method=\"sdes\"} 80");
	EXPECT_LINE(t, "ksrtp_socket_rx_srtp_total{method=\"dtls\"} 0");
	EXPECT_LINE(t, "ksrtp_keyd_kernel_errors_total 1");
	KTAP_EXPECT(!strstr(t, "highest_index"));
	KTAP_EXPECT(!strstr(t, "AES_CM_128_HMAC_SHA1_80"));	/* no context: no series */
	free(t);
	free_sessions();
}

/* promtool's own checker, when Debian's prometheus package is installed. */
static void test_promtool(void)
{
	char path[] = "/tmp/keyd-test-metrics.XXXXXX", cmd[128];
	struct session *s;
	size_t len;
	char *t;
	int fd, rc;

	if (system("command -v promtool > /dev/null 2>&1")) {
		ktap_diag("promtool not installed (apt-get install prometheus): not checked");
		KTAP_EXPECT(getenv("KEYD_TEST_NEED_PROMTOOL") == NULL);
		return;
	}
	snprintf(kd.kn.module_version, sizeof(kd.kn.module_version), "0.9 \"x\"\\y");
	s = add_session(&m_sdes);
	metrics_session_new(s, 0);
	t = render(&len);
	fd = mkstemp(path);
	KTAP_ASSERT(fd >= 0);
	KTAP_EXPECT_EQ((long)write(fd, t, len), (long)len);
	close(fd);
	EXPECT_LINE(t, "ksrtp_keyd_build_info{version=\"" KEYD_VERSION
		    "\",module_version=\"0.9 \\\"x\\\"\\\\y\"} 1");
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	KTAP_EXPECT_EQ(rc, 0);
	unlink(path);
	free(t);
	free_sessions();
	kd.kn.module_version[0] = 0;
}

static void test_config(void)
{
	struct config c;
	char err[256];
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&c.metrics_addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&c.metrics_addr;
	static const char *const bad[] = {
		"localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:9464",
		"[::1]9464", "1.2.3.4:x", "on",
	};
	size_t i;

	config_defaults(&c);
	KTAP_EXPECT(!c.metrics);
	KTAP_EXPECT_EQ(config_set(&c, "metrics_listen", "127.0.0.1:9464", err, sizeof(err)), 0);
	KTAP_EXPECT(c.metrics && sin->sin_family == AF_INET && ntohs(sin->sin_port) == 9464);
	KTAP_EXPECT_EQ(config_set(&c, "metrics_listen", "[::1]:9465", err, sizeof(err)), 0);
	KTAP_EXPECT(c.metrics && sin6->sin6_family == AF_INET6 && ntohs(sin6->sin6_port) == 9465);
	KTAP_EXPECT_EQ(config_set(&c, "metrics_listen", "off", err, sizeof(err)), 0);
	KTAP_EXPECT(!c.metrics);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KTAP_EXPECT_EQ(config_set(&c, "metrics_listen", bad[i], err, sizeof(err)), -1);
		KTAP_EXPECT(strstr(err, "metrics_listen") != NULL);
	}
}

/* One HTTP exchange against h, pumping it as keyd's loop does; the raw
 * response (headers and body) in out.
 */
static bool http(struct mhttp *h, const char *req, char *out, size_t outlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd p[2];
	size_t got = 0;
	int fd, i;
	ssize_t n;

	a.sin_port = htons(mhttp_port(h));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
		goto fail;
	for (i = 0; i < 50; i++) {	/* the connect completes through MHD's accept */
		mhttp_run(h);
		if (write(fd, req, strlen(req)) == (ssize_t)strlen(req))
			break;
		usleep(10000);
	}
	for (i = 0; i < 500; i++) {
		p[0] = (struct pollfd){ mhttp_fd(h), POLLIN, 0 };
		p[1] = (struct pollfd){ fd, POLLIN, 0 };
		poll(p, 2, mhttp_timeout(h) < 0 || mhttp_timeout(h) > 20 ? 20 : mhttp_timeout(h));
		mhttp_run(h);
		n = read(fd, out + got, outlen - 1 - got);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		if (got == outlen - 1)
			break;
	}
	out[got] = 0;
	close(fd);
	return got > 0;
fail:
	close(fd);
	return false;
}

static void test_http(void)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	static char out[65536];
	struct mhttp *h, *h2;
	char err[128];

	metrics_reset();
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h = mhttp_open(&ss, body_fn, NULL, err, sizeof(err));
	KTAP_ASSERT(h != NULL);
	KTAP_ASSERT(mhttp_port(h) != 0);
	KTAP_EXPECT(mhttp_fd(h) >= 0);
	KTAP_EXPECT(http(h, "GET /metrics HTTP/1.0\r\n\r\n", out, sizeof(out)));
	KTAP_EXPECT(!strncmp(out, "HTTP/1.0 200", 12) || !strncmp(out, "HTTP/1.1 200", 12));
	KTAP_EXPECT(strstr(out, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	KTAP_EXPECT(strstr(out, "\nksrtp_keyd_control_clients 3\n"));
	KTAP_EXPECT(strstr(out, "\n# TYPE ksrtp_keyd_handshake_duration_seconds histogram\n"));
	KTAP_EXPECT(http(h, "GET /other HTTP/1.0\r\n\r\n", out, sizeof(out)));
	KTAP_EXPECT(strstr(out, " 404 ") && !strstr(out, "ksrtp_"));
	KTAP_EXPECT(http(h, "POST /metrics HTTP/1.0\r\nContent-Length: 2\r\n\r\nab", out,
			 sizeof(out)));
	KTAP_EXPECT(strstr(out, " 405 ") && strstr(out, "Allow: GET, HEAD\r\n"));
	KTAP_EXPECT(http(h, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
			 sizeof(out)));
	KTAP_EXPECT(!strncmp(out, "HTTP/1.1 200", 12));
	/* the port taken: a clear failure, not a second listener */
	sin->sin_port = htons(mhttp_port(h));
	h2 = mhttp_open(&ss, body_fn, NULL, err, sizeof(err));
	KTAP_EXPECT(h2 == NULL);
	mhttp_close(h2);
	mhttp_close(h);
	mhttp_close(NULL);
	KTAP_EXPECT_EQ(mhttp_fd(NULL), -1);
	KTAP_EXPECT_EQ(mhttp_timeout(NULL), -1);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_handshakes),
	KTAP_TEST(test_mikey),
	KTAP_TEST(test_kernel_deltas),
	KTAP_TEST(test_promtool),
	KTAP_TEST(test_config),
	KTAP_TEST(test_http),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
