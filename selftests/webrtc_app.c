// SPDX-License-Identifier: GPL-2.0
/*
 * webrtc_app: the media-server side of selftests/webrtc.sh, a call with
 * headless Chromium. One UDP socket, handed to ksrtp-keyd (DTLS-SRTP,
 * answerer) with libksrtpkeyd; on it the app is an ICE-lite agent (STUN
 * Binding requests from the browser reach it through ksrtp's RFC 7983
 * demux, it answers them), reads the browser's RTP as plain RTP and echoes
 * the audio back under its own SSRC. The signalling (SDP) is
 * webrtc_signal.py's, which drives the app with one command per line on
 * stdin; each answers with one line, "ok ..." or "err ...".
 *
 *   webrtc_app -s KEYD_SOCKET -l LOCAL_IP:PORT [-o PACKET_LOG]
 *
 *   create                 -> ok SESSION (DTLS answerer, no remote: a=setup:passive)
 *   remote ["a=...",...]   -> ok STATE (the browser's offer: fingerprint, setup)
 *   local                  -> ok ["a=fingerprint:...","a=setup:..."]
 *   ice UFRAG PWD          -> ok (our ICE credentials, from our answer)
 *   echo PT SSRC EXTID     -> ok (send RTP of payload type PT back with SSRC;
 *                             count packets carrying one-byte extension EXTID)
 *   wait EVENT MS          -> ok {event} (media keeps flowing meanwhile)
 *   stats                  -> ok stun=N stun_bad=B rtp=R pt=P bede=E ext=X echoed=S
 *                             enokey=K senderr=F rtcp=C other=O ssrc=S peer=IP:PORT
 *   quit
 *
 * PACKET_LOG gets one line per RTP packet read ("rx") and sent ("tx"), the
 * first 4000: SSRC SEQ LENGTH PAYLOAD-HEX (first 16 bytes of the payload),
 * what the test compares with the capture of the wire.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "inet_addr.h"
#include "kdc_app.h"
#include "stun_lite.h"

#define LOG_MAX		4000

static struct sockaddr_in local, peer;
static struct kdc *kdc;
static int sock = -1;
static char session[80], ufrag[64], pwd[128];
static FILE *pktlog;
static unsigned int logged;
static int echo_pt = -1, ext_id;
static uint32_t echo_ssrc;

static struct {
	uint64_t stun, stun_bad, rtp, pt, bede, ext, echoed, enokey, senderr, rtcp, other;
	uint32_t ssrc;
} st;

/* a pending "wait": answered from the loop so STUN and RTP keep flowing */
static struct {
	char name[32];
	uint64_t deadline;
} waiting;

/* ---------------------------------------------------------------- keyd */

static struct json_object *request(const char *op)
{
	struct json_object *r = kdc_app_request(op, session);

	/* the SDP crosses our own HTTP on a test veth; DTLS keys never cross it */
	json_object_object_add(r, "signalling_secure", json_object_new_boolean(1));
	return r;
}

static struct json_object *call(struct json_object *req, const int *fds, int nfds)
{
	return kdc_app_call(kdc, req, fds, nfds);
}

static void cmd_create(void)
{
	struct json_object *req = request("create"), *rep;
	int rcvbuf = 1 << 20;

	json_object_object_add(req, "role", json_object_new_string("answerer"));
	json_object_object_add(req, "method", json_object_new_string("dtls"));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock >= 0 && setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (sock < 0 || bind(sock, (struct sockaddr *)&local, sizeof(local))) {
		json_object_put(req);
		reply("err socket: %s", strerror(errno));
		return;
	}
	rep = call(req, &sock, 1);
	if (!rep)
		return;
	snprintf(session, sizeof(session), "%s", kdc_get_str(rep, "session"));
	kdc_free(rep);
	reply("ok %s", session);
}

static void cmd_local(void)
{
	struct json_object *rep = call(request("local_attributes"), NULL, 0), *arr;

	if (!rep)
		return;
	if (!json_object_object_get_ex(rep, "attributes", &arr))
		reply("err no attributes in the reply");
	else
		reply("ok %s", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	kdc_free(rep);
}

static void cmd_remote(const char *json)
{
	struct json_object *arr = json_tokener_parse(json), *req, *rep;

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		reply("err remote: expected a JSON array of attributes");
		return;
	}
	req = request("remote_attributes");
	json_object_object_add(req, "attributes", arr);
	rep = call(req, NULL, 0);
	if (!rep)
		return;
	reply("ok %s", kdc_get_str(rep, "state") ? kdc_get_str(rep, "state") : "?");
	kdc_free(rep);
}

/* Answer a pending wait if its event came, or time it out. */
static void poll_wait(void)
{
	struct json_object *ev;
	int rc;

	if (!waiting.name[0])
		return;
	rc = kdc_wait_event(kdc, waiting.name, session, &ev, 0);
	if (rc > 0) {
		reply("ok %s", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		kdc_free(ev);
	} else if (rc < 0) {
		reply("err wait %s: %s", waiting.name, strerror(-rc));
	} else if (now_ms() >= waiting.deadline) {
		reply("err wait %s: timed out", waiting.name);
	} else {
		return;
	}
	waiting.name[0] = 0;
}

/* ---------------------------------------------------------------- media */

static void log_rtp(const char *dir, const uint8_t *p, size_t n, size_t hdr)
{
	size_t i;

	if (!pktlog || logged >= LOG_MAX)
		return;
	logged++;
	fprintf(pktlog, "%s %u %u %zu ", dir,
		(unsigned int)p[8] << 24 | (unsigned int)(p[9] << 16 | p[10] << 8 | p[11]),
		(unsigned int)(p[2] << 8 | p[3]), n);
	for (i = hdr; i < n && i < hdr + 16; i++)
		fprintf(pktlog, "%02x", p[i]);
	fputc('\n', pktlog);
}

/* The RTP header's length with CSRCs and extension, 0 if malformed;
 * counts the one-byte-header extension (0xBEDE) and whether it holds
 * element ext_id (RFC 8285).
 */
static size_t rtp_header(const uint8_t *p, size_t n)
{
	size_t hdr = 12 + 4 * (size_t)(p[0] & 0x0f), xlen, i;

	if (n < hdr)
		return 0;
	if (!(p[0] & 0x10))
		return hdr;
	if (n < hdr + 4)
		return 0;
	xlen = 4 * (size_t)(p[hdr + 2] << 8 | p[hdr + 3]);
	if (n < hdr + 4 + xlen)
		return 0;
	if (p[hdr] == 0xbe && p[hdr + 1] == 0xde) {
		st.bede++;
		for (i = hdr + 4; i < hdr + 4 + xlen;) {
			unsigned int id = p[i] >> 4, len = (p[i] & 0x0f) + 1u;

			if (p[i] == 0) {		/* padding */
				i++;
				continue;
			}
			if (id == 15)
				break;
			if ((int)id == ext_id) {
				st.ext++;
				break;
			}
			i += 1 + len;
		}
	}
	return hdr + 4 + xlen;
}

static void echo(uint8_t *p, size_t n, size_t hdr)
{
	p[8] = echo_ssrc >> 24;
	p[9] = (echo_ssrc >> 16) & 0xff;
	p[10] = (echo_ssrc >> 8) & 0xff;
	p[11] = echo_ssrc & 0xff;
	if (sendto(sock, p, n, 0, (struct sockaddr *)&peer, sizeof(peer)) == (ssize_t)n) {
		st.echoed++;
		log_rtp("tx", p, n, hdr);
	} else if (errno == ENOKEY) {
		st.enokey++;
	} else {
		st.senderr++;
	}
}

static void on_stun(const uint8_t *p, size_t n, const struct sockaddr_in *from)
{
	uint8_t out[STUN_MAX];
	enum stun_verdict v = ufrag[0] ? stun_check_request(p, n, ufrag, pwd) : STUN_BAD_USER;
	size_t len;

	if (v != STUN_OK) {
		st.stun_bad++;
		fprintf(stderr, "webrtc_app: STUN from %s:%u refused: %s\n",
			inet_ntoa(from->sin_addr), ntohs(from->sin_port), stun_verdict_name(v));
		return;
	}
	len = stun_build_response(p, from, pwd, out);
	if (len && sendto(sock, out, len, 0, (const struct sockaddr *)from, sizeof(*from)) ==
		   (ssize_t)len)
		st.stun++;
	else
		st.senderr++;
}

/* What the app did not expect: counted, the first few logged. */
static void other(const uint8_t *p, size_t n, const char *what)
{
	if (st.other++ < 10)
		fprintf(stderr, "webrtc_app: %s: %zu bytes, first %02x %02x\n", what, n, p[0],
			n > 1 ? p[1] : 0);
}

static void receive(void)
{
	uint8_t p[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	size_t hdr;

	while ((n = recvfrom(sock, p, sizeof(p), 0, (struct sockaddr *)&from, &fl)) > 0) {
		fl = sizeof(from);
		if (p[0] < 4) {			/* RFC 7983: STUN */
			on_stun(p, (size_t)n, &from);
		} else if (p[0] >= 128 && p[0] < 192 && n >= 12) {
			if (p[1] >= 192 && p[1] <= 223) {	/* RTCP (RFC 5761) */
				st.rtcp++;
				continue;
			}
			hdr = rtp_header(p, (size_t)n);
			if (!hdr) {
				other(p, (size_t)n, "malformed RTP");
				continue;
			}
			st.rtp++;
			st.ssrc = (uint32_t)p[8] << 24 | (uint32_t)(p[9] << 16 | p[10] << 8 | p[11]);
			log_rtp("rx", p, (size_t)n, hdr);
			peer = from;
			if ((p[1] & 0x7f) == echo_pt) {
				st.pt++;
				echo(p, (size_t)n, hdr);
			}
		} else {
			other(p, (size_t)n, "neither STUN nor RTP/RTCP");	/* DTLS goes to keyd */
		}
	}
}

static void cmd_stats(void)
{
	reply("ok stun=%llu stun_bad=%llu rtp=%llu pt=%llu bede=%llu ext=%llu echoed=%llu "
	      "enokey=%llu senderr=%llu rtcp=%llu other=%llu ssrc=%u peer=%s:%u",
	      (unsigned long long)st.stun, (unsigned long long)st.stun_bad,
	      (unsigned long long)st.rtp, (unsigned long long)st.pt,
	      (unsigned long long)st.bede, (unsigned long long)st.ext,
	      (unsigned long long)st.echoed, (unsigned long long)st.enokey,
	      (unsigned long long)st.senderr, (unsigned long long)st.rtcp,
	      (unsigned long long)st.other, st.ssrc, inet_ntoa(peer.sin_addr),
	      ntohs(peer.sin_port));
}

/* One command line; false to quit. */
static bool command(char *line)
{
	char *arg = strchr(line, ' ');
	unsigned int pt, ms;
	unsigned long ssrc;
	int id;

	if (arg)
		*arg++ = 0;
	else
		arg = line + strlen(line);
	if (!strcmp(line, "quit"))
		return false;
	if (!kdc && strcmp(line, "stats"))
		reply("err not connected to keyd");
	else if (!strcmp(line, "create"))
		cmd_create();
	else if (!strcmp(line, "local"))
		cmd_local();
	else if (!strcmp(line, "remote"))
		cmd_remote(arg);
	else if (!strcmp(line, "ice") && sscanf(arg, "%63s %127s", ufrag, pwd) == 2)
		reply("ok");
	else if (!strcmp(line, "echo") && sscanf(arg, "%u %lu %d", &pt, &ssrc, &id) == 3 &&
		 pt < 128 && id > 0 && id < 15) {
		echo_pt = (int)pt;
		echo_ssrc = (uint32_t)ssrc;
		ext_id = id;
		reply("ok");
	} else if (!strcmp(line, "wait") && sscanf(arg, "%31s %u", waiting.name, &ms) == 2)
		waiting.deadline = now_ms() + ms;
	else if (!strcmp(line, "stats"))
		cmd_stats();
	else
		reply("err unknown or malformed command: %s", line);
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: webrtc_app -s KEYD_SOCKET -l IP:PORT [-o PACKET_LOG]\n");
	return 2;
}

int main(int argc, char **argv)
{
	char buf[16384], err[256], *nl, *ctl_path = NULL;
	size_t len = 0;
	ssize_t n;
	int opt;

	while ((opt = getopt(argc, argv, "s:l:o:")) != -1) {
		switch (opt) {
		case 's':
			ctl_path = optarg;
			break;
		case 'l':
			if (parse_addr(optarg, &local))
				return usage();
			break;
		case 'o':
			pktlog = fopen(optarg, "w");
			if (!pktlog) {
				perror(optarg);
				return 1;
			}
			setvbuf(pktlog, NULL, _IOLBF, 0);	/* read while we run */
			break;
		default:
			return usage();
		}
	}
	if (!ctl_path || !local.sin_port)
		return usage();
	kdc = kdc_connect(ctl_path, err, sizeof(err));
	if (!kdc)
		fprintf(stderr, "webrtc_app: %s\n", err);
	for (;;) {
		struct pollfd pfd[3] = {
			{ waiting.name[0] ? -1 : STDIN_FILENO, POLLIN, 0 },
			{ sock, POLLIN, 0 },
			/* events only while waiting: unread ones would spin the loop */
			{ kdc && waiting.name[0] ? kdc_fd(kdc) : -1, POLLIN, 0 },
		};

		if (poll(pfd, 3, 100) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			receive();
		poll_wait();
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		/* one command at a time: a wait holds the rest back */
		while (!waiting.name[0] && (nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (!command(buf))
				goto out;
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* no line that long is ours */
	}
out:
	if (pktlog)
		fclose(pktlog);
	kdc_close(kdc);
	return 0;
}
