// SPDX-License-Identifier: GPL-2.0
/*
 * rtp_peer: a minimal RTP endpoint for the ksrtp shell tests and the demo.
 *
 * It opens one UDP socket as fd 3 (so `ksrtpctl attach pid PID fd 3` finds
 * it), prints "ready ..." once it is bound, optionally waits for a file to
 * appear (the test attaches the socket and installs contexts meanwhile),
 * then sends N RTP packets with text payloads and receives M datagrams,
 * printing each one, then optionally waits for another file before it
 * closes the socket. It knows nothing about SRTP: the kernel does that.
 *
 *   rtp_peer [-6] --bind ADDR:PORT --peer ADDR:PORT [--ssrc X] [--send N]
 *            [--recv M] [--interval-ms MS] [--text PREFIX] [--seq N]
 *            [--plain] [--wait-attach FILE] [--wait-exit FILE]
 *            [--timeout-ms MS]
 *
 * ADDR is 192.0.2.1 or [2001:db8::1]. Output lines (line-buffered):
 *   ready pid=PID fd=3 port=PORT
 *   tx ssrc=0x... seq=N len=L payload=TEXT
 *   rx ssrc=0x... seq=N len=L payload=TEXT      (an RTP datagram)
 *   rx other len=L payload=TEXT                 (anything else)
 *   sent N received M
 * Non-printable payload bytes are shown as \xNN. Exit status: 0 when all was
 * sent and received, 1 on a timeout, 2 on a usage error, 3 when a send fails
 * (the errno is printed: "send failed: ... (ENOKEY)").
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SOCK_FD 3
#define RTP_HDR 12
#define FILE_WAIT_MS 300000	/* --wait-attach and --wait-exit */

static const char *prog = "rtp_peer";

static void die(int rc, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void die(int rc, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(rc);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned long num(const char *opt, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		die(2, "%s: bad number '%s'", opt, s);
	return v;
}

/* "a.b.c.d:port" or "[v6]:port"; with v6 set, IPv4 becomes ::ffff:a.b.c.d. */
static socklen_t parse_addr(const char *opt, const char *s, bool v6,
			    struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	struct in_addr a4;
	size_t hlen;
	unsigned long port;

	if (!colon || colon == s)
		die(2, "%s: expected ADDR:PORT, got '%s'", opt, s);
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host))
		die(2, "%s: address too long", opt);
	memcpy(host, s, hlen);
	host[hlen] = 0;
	port = num(opt, colon + 1, 65535);
	memset(ss, 0, sizeof(*ss));

	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			die(2, "%s: bad IPv6 address '%s'", opt, host);
		host[hlen - 1] = 0;
		if (!v6)
			die(2, "%s: an IPv6 address needs -6", opt);
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			die(2, "%s: bad IPv6 address '%s'", opt, host + 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		return sizeof(*sin6);
	}
	if (inet_pton(AF_INET, host, &a4) != 1)
		die(2, "%s: bad IPv4 address '%s'", opt, host);
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sin6->sin6_addr.s6_addr[10] = 0xff;
		sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], &a4, 4);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr = a4;
	return sizeof(*sin);
}

static void print_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('\n');
}

static void print_datagram(const char *dir, const uint8_t *p, size_t n)
{
	size_t off;

	/* RTP version 2, not RTCP (RFC 5761: PT 64..95 with the marker bit) */
	if (n >= RTP_HDR && (p[0] & 0xc0) == 0x80 &&
	    !((p[1] & 0x7f) >= 64 && (p[1] & 0x7f) <= 95)) {
		off = RTP_HDR + 4u * (p[0] & 0x0f);
		if ((p[0] & 0x10) && n >= off + 4)
			off += 4 + 4u * ((size_t)p[off + 2] << 8 | p[off + 3]);
		if (off > n)
			off = n;
		printf("%s ssrc=0x%02x%02x%02x%02x seq=%u len=%zu payload=", dir,
		       p[8], p[9], p[10], p[11], (unsigned int)(p[2] << 8 | p[3]), n);
		print_text(p + off, n - off);
	} else {
		printf("%s other len=%zu payload=", dir, n);
		print_text(p, n);
	}
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOKEY: return "ENOKEY";
	case EKEYEXPIRED: return "EKEYEXPIRED";
	case EALREADY: return "EALREADY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case EINVAL: return "EINVAL";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOSPC: return "ENOSPC";
	default: return "errno";
	}
}

/* Poll every 10 ms until path exists; false after timeout_ms. */
static bool wait_file(const char *path, uint64_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	struct stat st;

	while (stat(path, &st)) {
		if (now_ms() >= end)
			return false;
		usleep(10000);
	}
	return true;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-6] --bind ADDR:PORT --peer ADDR:PORT [--ssrc X]\n"
		"       [--send N] [--recv M] [--interval-ms MS] [--text PREFIX]\n"
		"       [--seq N] [--plain] [--wait-attach FILE] [--wait-exit FILE]\n"
		"       [--timeout-ms MS]\n"
		"  UDP socket on fd 3; sends N RTP packets (V=2, PT 0) whose payload is\n"
		"  \"PREFIX #i\" (--plain: the bare text, no RTP header) and receives M\n"
		"  datagrams. --timeout-ms (default 10000) bounds the wait for each\n"
		"  datagram; --wait-attach/--wait-exit FILE wait up to 300 s for FILE\n"
		"  before the traffic / before closing the socket.\n", prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "peer", required_argument, NULL, 'p' },
		{ "ssrc", required_argument, NULL, 's' },
		{ "send", required_argument, NULL, 'n' },
		{ "recv", required_argument, NULL, 'r' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "text", required_argument, NULL, 't' },
		{ "seq", required_argument, NULL, 'q' },
		{ "plain", no_argument, NULL, 'P' },
		{ "wait-attach", required_argument, NULL, 'w' },
		{ "wait-exit", required_argument, NULL, 'x' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *bind_s = NULL, *peer_s = NULL, *text = "rtp_peer";
	const char *wait_attach = NULL, *wait_exit = NULL;
	unsigned long n_send = 0, n_recv = 0, interval = 20, timeout = 10000;
	unsigned long sent = 0, received = 0;
	uint32_t ssrc = 0x12345678, ts = 0;
	uint16_t seq = 1;
	bool v6 = false, plain = false;
	struct sockaddr_storage local, peer;
	socklen_t local_len, peer_len;
	uint64_t next_send, deadline;
	uint8_t buf[65536];
	int c, fd, one = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "6h", opts, NULL)) != -1) {
		switch (c) {
		case '6': v6 = true; break;
		case 'b': bind_s = optarg; break;
		case 'p': peer_s = optarg; break;
		case 's': ssrc = (uint32_t)num("--ssrc", optarg, UINT32_MAX); break;
		case 'n': n_send = num("--send", optarg, 1000000); break;
		case 'r': n_recv = num("--recv", optarg, 1000000); break;
		case 'i': interval = num("--interval-ms", optarg, 60000); break;
		case 't': text = optarg; break;
		case 'q': seq = (uint16_t)num("--seq", optarg, UINT16_MAX); break;
		case 'P': plain = true; break;
		case 'w': wait_attach = optarg; break;
		case 'x': wait_exit = optarg; break;
		case 'T': timeout = num("--timeout-ms", optarg, 3600000); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !bind_s || (!peer_s && n_send))
		die(2, "need --bind, and --peer to send (try --help)");
	if (plain && text[0] & 0x80)
		die(2, "--plain text must start with an ASCII byte");

	local_len = parse_addr("--bind", bind_s, v6, &local);
	peer_len = peer_s ? parse_addr("--peer", peer_s, v6, &peer) : 0;

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die(1, "socket: %s", strerror(errno));
	if (fd != SOCK_FD) {
		if (dup2(fd, SOCK_FD) < 0)
			die(1, "dup2: %s", strerror(errno));
		close(fd);
		fd = SOCK_FD;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&local, local_len))
		die(1, "bind %s: %s", bind_s, strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&local, &local_len))
		die(1, "getsockname: %s", strerror(errno));
	printf("ready pid=%d fd=%d port=%u\n", (int)getpid(), fd,
	       ntohs(((struct sockaddr_in *)&local)->sin_port));

	if (wait_attach && !wait_file(wait_attach, FILE_WAIT_MS))
		die(1, "timeout: %s did not appear", wait_attach);

	next_send = now_ms();
	deadline = now_ms() + timeout;
	while (sent < n_send || received < n_recv) {
		uint64_t t = now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait, r;

		if (sent < n_send && t >= next_send) {
			size_t len, hdr = plain ? 0 : RTP_HDR;
			ssize_t w;

			len = hdr + (size_t)snprintf((char *)buf + hdr, sizeof(buf) - hdr,
						     "%s #%lu", text, sent + 1);
			if (!plain) {
				buf[0] = 0x80;		/* V=2, no padding/extension/CSRC */
				buf[1] = 0;		/* PT 0 (PCMU), no marker */
				buf[2] = (uint8_t)(seq >> 8);
				buf[3] = (uint8_t)seq;
				buf[4] = (uint8_t)(ts >> 24);
				buf[5] = (uint8_t)(ts >> 16);
				buf[6] = (uint8_t)(ts >> 8);
				buf[7] = (uint8_t)ts;
				buf[8] = (uint8_t)(ssrc >> 24);
				buf[9] = (uint8_t)(ssrc >> 16);
				buf[10] = (uint8_t)(ssrc >> 8);
				buf[11] = (uint8_t)ssrc;
			}
			w = sendto(fd, buf, len, 0, (struct sockaddr *)&peer, peer_len);
			if (w < 0) {
				int e = errno;

				printf("sent %lu received %lu\n", sent, received);
				die(3, "send failed: %s (%s)", strerror(e), errno_name(e));
			}
			if ((size_t)w != len)
				die(3, "short send: %zd of %zu bytes", w, len);
			print_datagram("tx", buf, len);
			sent++;
			seq++;
			ts += 160;
			next_send = t + interval;
			deadline = t + timeout;	/* the peer answers our traffic */
			continue;
		}
		if (t >= deadline) {
			printf("sent %lu received %lu\n", sent, received);
			die(1, "timeout: received %lu of %lu datagrams", received, n_recv);
		}
		wait = (int)(deadline - t);
		if (sent < n_send && next_send - t < (uint64_t)wait)
			wait = (int)(next_send - t);
		r = poll(&p, 1, received < n_recv ? wait : (int)(next_send - t));
		if (r < 0 && errno != EINTR)
			die(1, "poll: %s", strerror(errno));
		if (r > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n < 0) {
				/* ICMP port unreachable from a peer not up yet */
				if (errno == ECONNREFUSED || errno == EINTR)
					continue;
				die(1, "recv: %s", strerror(errno));
			}
			if (received < n_recv) {
				print_datagram("rx", buf, (size_t)n);
				received++;
				deadline = now_ms() + timeout;
			}
		}
	}
	printf("sent %lu received %lu\n", sent, received);

	if (wait_exit && !wait_file(wait_exit, FILE_WAIT_MS))
		die(1, "timeout: %s did not appear", wait_exit);
	close(fd);
	return 0;
}
