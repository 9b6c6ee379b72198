// SPDX-License-Identifier: GPL-2.0
/*
 * libksrtpkeyd against a scripted stand-in for keyd (a forked child on a
 * Unix socket): when keyd closes a connection as idle it first sends
 * {"event":"closing","reason":"idle"}; the library then reconnects on the
 * same descriptor number and sends again a request keyd never read. A
 * connection closed without that notice is an error, never retried.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "libksrtpkeyd.h"
#include "ktap.h"

#define IDLE_CLOSE "{\"event\":\"closing\",\"reason\":\"idle\",\"idle_s\":300}\n"

enum script { CLOSE_IDLE, CLOSE_IDLE_UNREAD, CLOSE_SILENT };

static char sock_path[108];

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		_exit(10);
}

/* Accept with a timeout: -1 if nobody came. */
static int accept_within(int lfd, int ms)
{
	struct pollfd p = { lfd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1 ? accept(lfd, NULL, NULL) : -1;
}

/* The request line on fd, answered with {"id":<its id>,"ok":true,"conn":2}. */
static void answer(int fd)
{
	char buf[4096], out[256], *id;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		_exit(11);
	buf[n] = 0;
	id = strstr(buf, "\"id\":");
	if (!id || !strstr(buf, "\"op\":\"ping\""))
		_exit(12);
	snprintf(out, sizeof(out), "{\"event\":\"hello\"}\n{\"id\":%ld,\"ok\":true,\"conn\":2}\n",
		 strtol(id + 5, NULL, 10));
	put(fd, out);
}

/*
 * The child's script. Exit status: 0 when it went as planned, 20 when a
 * second connection came after a silent close.
 */
static void serve(int lfd, enum script sc)
{
	struct pollfd p;
	int fd = accept_within(lfd, 5000);

	if (fd < 0)
		_exit(13);
	if (sc == CLOSE_IDLE_UNREAD) {
		/* the request is in the socket, unread, when keyd gives up */
		p = (struct pollfd){ fd, POLLIN, 0 };
		if (poll(&p, 1, 5000) != 1)
			_exit(14);
	}
	if (sc != CLOSE_SILENT)
		put(fd, IDLE_CLOSE);
	close(fd);
	fd = accept_within(lfd, sc == CLOSE_SILENT ? 500 : 5000);
	if (sc == CLOSE_SILENT)
		_exit(fd < 0 ? 0 : 20);
	if (fd < 0)
		_exit(15);
	answer(fd);
	/* stay until the client is done */
	p = (struct pollfd){ fd, POLLIN, 0 };
	poll(&p, 1, 5000);
	_exit(0);
}

static pid_t start(enum script sc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	snprintf(sock_path, sizeof(sock_path), "/tmp/ksrtp-test-kdc-%d.sock", (int)getpid());
	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4))
		return -1;
	pid = fork();
	if (!pid)
		serve(lfd, sc);
	close(lfd);
	return pid;
}

static int finish(pid_t pid)
{
	int st = -1;

	waitpid(pid, &st, 0);
	unlink(sock_path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static struct json_object *ping(void)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "op", json_object_new_string("ping"));
	return req;
}

/* Connect; with wait_closed, until the stand-in has closed the first connection. */
static struct kdc *connect_to(bool wait_closed)
{
	char err[256];
	struct kdc *c = kdc_connect(sock_path, err, sizeof(err));
	struct pollfd p;

	if (!c) {
		ktap_diag("%s", err);
		return NULL;
	}
	if (wait_closed) {
		p = (struct pollfd){ kdc_fd(c), POLLIN, 0 };
		poll(&p, 1, 5000);
		usleep(20000);		/* the EOF after the notice */
	}
	return c;
}

/* The call after an idle close goes out on a new connection, same fd. */
static void test_idle_close_then_call(void)
{
	pid_t pid = start(CLOSE_IDLE);
	struct json_object *req = ping(), *rep = NULL, *ev = NULL;
	struct kdc *c = connect_to(true);
	int fd = c ? kdc_fd(c) : -1;

	KTAP_ASSERT(pid > 0 && c);
	KTAP_EXPECT_EQ(kdc_call(c, req, NULL, 0, &rep, 5000), 0);
	KTAP_EXPECT(kdc_ok(rep));
	KTAP_EXPECT(rep && json_object_get_int(json_object_object_get(rep, "conn")) == 2);
	KTAP_EXPECT_EQ(kdc_fd(c), fd);
	/* the notice is the library's own: the next event is the new connection's */
	KTAP_EXPECT_EQ(kdc_read(c, &ev, 1000), 1);
	KTAP_EXPECT(ev && !strcmp(kdc_get_str(ev, "event") ?: "", "hello"));
	kdc_free(ev);
	kdc_free(rep);
	json_object_put(req);
	kdc_close(c);
	KTAP_EXPECT_EQ(finish(pid), 0);
}

/* A request keyd had not read when it closed the connection is sent again. */
static void test_idle_close_unread_request(void)
{
	pid_t pid = start(CLOSE_IDLE_UNREAD);
	struct json_object *req = ping(), *rep = NULL;
	struct kdc *c = connect_to(false);

	KTAP_ASSERT(pid > 0 && c);
	KTAP_EXPECT_EQ(kdc_call(c, req, NULL, 0, &rep, 5000), 0);
	KTAP_EXPECT(kdc_ok(rep));
	kdc_free(rep);
	json_object_put(req);
	kdc_close(c);
	KTAP_EXPECT_EQ(finish(pid), 0);
}

/* Closed without the notice (keyd stopped): an error, no new connection. */
static void test_silent_close_is_an_error(void)
{
	pid_t pid = start(CLOSE_SILENT);
	struct json_object *req = ping(), *rep = NULL;
	struct kdc *c = connect_to(true);
	int r;

	KTAP_ASSERT(pid > 0 && c);
	r = kdc_call(c, req, NULL, 0, &rep, 2000);
	if (!KTAP_EXPECT(r == -ECONNRESET || r == -EPIPE))
		ktap_diag("kdc_call: %d", r);
	KTAP_EXPECT(!rep);
	json_object_put(req);
	kdc_close(c);
	KTAP_EXPECT_EQ(finish(pid), 0);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_idle_close_then_call),
	KTAP_TEST(test_idle_close_unread_request),
	KTAP_TEST(test_silent_close_is_an_error),
};

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	return KTAP_MAIN(tests);
}
