// SPDX-License-Identifier: GPL-2.0
/*
 * keyd_app: a tiny media server for the keyd selftests. It owns one UDP
 * socket, hands it to ksrtp-keyd through libksrtpkeyd, and sends and
 * checks plain RTP/RTCP (the kernel does SRTP on the wire). The test script
 * drives it with one command per line on stdin and plays the signalling by
 * copying attributes from one app to the other; every command answers with
 * exactly one line, "ok ..." or "err ...".
 *
 *   keyd_app -n NAME -s KEYD_SOCKET -l LOCAL_IP:PORT -p PEER_IP:PORT
 *
 * Commands:
 *   create offerer|answerer [insecure] [bind] [suites A,B] [mki N] [method M]
 *          [verify strict|early_media]  -> ok SESSION
 *          MIKEY: [ssrc N] (ours, also sent as "ssrcs") [peer_ssrc N] ("remote_ssrcs")
 *          [roc N] [mode psk|dhhmac|pk|rsa-r|dh-sign|null] ("mikey_mode") [peer_id ID]
 *          ("mikey_peer_identity")
 *          ZRTP: [ms_of SESSION] ("zrtp_multistream_of": a further stream of that call)
 *          [aux HEX] ("zrtp_aux_secret") [pbx] ("zrtp_pbx": we are a PBX on this
 *          leg) [pbx_enroll] ("zrtp_pbx_enroll": the PBX of an enrollment call)
 *   local | rekey                 -> ok ["a=crypto:...",...]
 *   remote ["a=crypto:...",...]   -> ok STATE SUITE
 *   answer IP:PORT [...]          -> ok STATE SUITE: one more fork's answer (DTLS),
 *                                    remote_attributes type answer from that address
 *   peers IP:PORT[,IP:PORT...]    -> ok N: send to (and count from) these peers
 *                                    instead of -p; each has its own RTP sequence
 *   wait EVENT [MS]               -> ok (our session's event arrived)
 *   send N                        -> ok sent=S enokey=E senderr=X (N RTP packets to each
 *                                    peer, every 10th also RTCP; S: those that went out)
 *   expect N [MS]                 -> ok recv=R bad=B rtcp_recv=C once R >= N good
 *                                    RTP packets and C >= N/10 RTCP packets came in
 *   stream PPS                    -> start (PPS > 0) or stop (0) sending RTP continuously
 *   stats | reset                 -> counters; stats adds per peer
 *                                    "peer=IP:PORT/sent/recv/lost" (lost: payload
 *                                    counters never received between the first and
 *                                    the highest one; reordering is not loss)
 *   expect_from IP:PORT N [MS]    -> ok recv=R once R >= N good RTP packets came
 *                                    from that peer
 *   peek                          -> ok the last good RTP packet read: header
 *                                    fields and payload start, as the app saw it
 *   flush                         -> drop events not waited for yet
 *   status                        -> ok {status JSON}
 *   reconnect                     -> reconnect to keyd (after a restart), watch the session
 *   delete | close | quit
 *
 * For a peer that is not a keyd_app (keyd_baresip.sh: baresip; set its
 * address with peers, and pass it with answer):
 *   foreign                       -> count RTP/RTCP that is not ours as the peer's
 *                                    media instead of as bad packets
 *   fstats                        -> ok rtp=N pt0=P ssrc=S ssrcs=K len=L uniform=U
 *                                    period_bad=M levels=V rtcp=R stun=T bad=B (T: STUN, RFC 7983)
 *                                    (the peer's RTP: packets, PCMU ones, its SSRC and how
 *                                    many SSRCs, the last length; payloads made of one
 *                                    repeated byte, those that differ from the packet 16
 *                                    sequence numbers earlier, distinct bytes seen)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "inet_addr.h"
#include "kdc_app.h"

#define PAYLOAD_LEN	160
#define MAGIC		"KDAP"

static const char *name = "app", *ctl_path;
static struct sockaddr_in local, peer;

#define MAX_PEERS	4

/* Where RTP goes and comes from; [0] is -p unless "peers" said otherwise. */
static struct peer {
	struct sockaddr_in addr;
	uint16_t seq;
	uint64_t counter;		/* payload counter, never reset */
	uint64_t sent, recv, rtcp_recv;
	bool seen;
	uint32_t first, highest;	/* payload counters received since the reset */
} peers[MAX_PEERS];
static unsigned int npeers = 1;
static struct kdc *kdc;
static int sock = -1;
static char session[80];
static bool secure = true;
static uint32_t ssrc;

static struct {
	uint64_t sent, enokey, senderr, recv, bad, rtcp_sent, rtcp_recv;
} st;

/* the peer's own media (foreign mode) */
static bool foreign;
static struct {
	uint64_t rtp, pt0, ssrcs, uniform, period_bad, rtcp, stun;
	uint32_t ssrc;
	size_t len;
	uint8_t level[16];		/* repeated byte by seq % 16 */
	uint16_t level_seq[16];
	bool level_set[16], seen[256];
} fst;

/* The last good RTP packet read (for peek). */
static uint8_t last_rx[12 + PAYLOAD_LEN];
static bool have_last_rx;

static unsigned int pps;
static uint64_t next_send;

/* ---------------------------------------------------------------- keyd */

static struct json_object *request(const char *op)
{
	return kdc_app_request(op, session);
}

static struct json_object *call(struct json_object *req, const int *fds, int nfds)
{
	return kdc_app_call(kdc, req, fds, nfds);
}

static void close_socket(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
}

/* create's words that take a string: the request field each one sets */
static const char *str_field(const char *word)
{
	static const char *const map[][2] = {
		{ "method", "method" }, { "mode", "mikey_mode" },
		{ "peer_id", "mikey_peer_identity" }, { "verify", "dtls_verify" },
		{ "ms_of", "zrtp_multistream_of" }, { "aux", "zrtp_aux_secret" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(word, map[i][0]))
			return map[i][1];
	return NULL;
}

static void cmd_create(char *args)
{
	struct json_object *req, *rep, *arr;
	char *tok, *save = NULL, addr[64];
	const char *role = NULL, *field;
	bool bind_remote = false;
	int rcvbuf = 4 << 20;

	secure = true;
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("create"));
	for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "offerer") || !strcmp(tok, "answerer")) {
			role = tok;
		} else if (!strcmp(tok, "insecure")) {
			secure = false;
		} else if (!strcmp(tok, "bind")) {
			bind_remote = true;
		} else if (!strcmp(tok, "pbx_enroll")) {
			json_object_object_add(req, "zrtp_pbx_enroll", json_object_new_boolean(1));
		} else if (!strcmp(tok, "pbx")) {
			json_object_object_add(req, "zrtp_pbx", json_object_new_boolean(1));
		} else if (!strcmp(tok, "suites")) {
			char *list = strtok_r(NULL, " ", &save), *s, *ls = NULL;

			arr = json_object_new_array();
			for (s = list ? strtok_r(list, ",", &ls) : NULL; s; s = strtok_r(NULL, ",", &ls))
				json_object_array_add(arr, json_object_new_string(s));
			json_object_object_add(req, "suites", arr);
		} else if ((field = str_field(tok))) {
			char *m = strtok_r(NULL, " ", &save);

			json_object_object_add(req, field, json_object_new_string(m ? m : ""));
		} else if (!strcmp(tok, "mki")) {
			char *n = strtok_r(NULL, " ", &save);

			json_object_object_add(req, "mki_len", json_object_new_int(n ? atoi(n) : 0));
		} else if (!strcmp(tok, "ssrc") || !strcmp(tok, "peer_ssrc")) {
			char *n = strtok_r(NULL, " ", &save);
			uint32_t v = n ? (uint32_t)strtoul(n, NULL, 0) : 0;

			arr = json_object_new_array();
			json_object_array_add(arr, json_object_new_int64(v));
			json_object_object_add(req, tok[0] == 's' ? "ssrcs" : "remote_ssrcs", arr);
			if (tok[0] == 's')
				ssrc = v;
		} else if (!strcmp(tok, "roc")) {
			char *n = strtok_r(NULL, " ", &save);

			json_object_object_add(req, "roc", json_object_new_int64(n ? atoll(n) : 0));
		} else {
			json_object_put(req);
			reply("err create: unknown word %s", tok);
			return;
		}
	}
	if (!role) {
		json_object_put(req);
		reply("err create: offerer or answerer?");
		return;
	}
	json_object_object_add(req, "role", json_object_new_string(role));
	json_object_object_add(req, "signalling_secure", json_object_new_boolean(secure));
	if (bind_remote) {
		snprintf(addr, sizeof(addr), "%s:%u", inet_ntoa(peer.sin_addr), ntohs(peer.sin_port));
		json_object_object_add(req, "remote", json_object_new_string(addr));
	}
	close_socket();
	session[0] = 0;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* room for a few seconds of media while we wait on keyd */
	if (sock >= 0 && setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (sock < 0 || bind(sock, (struct sockaddr *)&local, sizeof(local))) {
		json_object_put(req);
		reply("err socket: %s", strerror(errno));
		close_socket();
		return;
	}
	rep = call(req, &sock, 1);
	if (!rep) {
		close_socket();
		return;
	}
	snprintf(session, sizeof(session), "%s", kdc_get_str(rep, "session"));
	kdc_free(rep);
	reply("ok %s", session);
}

/* local_attributes / rekey: print the attributes array as JSON. */
static void cmd_attrs(const char *op)
{
	struct json_object *req = request(op), *rep, *arr;

	if (secure)
		json_object_object_add(req, "signalling_secure", json_object_new_boolean(1));
	rep = call(req, NULL, 0);
	if (!rep)
		return;
	if (!json_object_object_get_ex(rep, "attributes", &arr))
		reply("err no attributes in the reply");
	else
		reply("ok %s", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	kdc_free(rep);
}

static void cmd_remote(const char *json, const char *from)
{
	struct json_object *arr = json_tokener_parse(json), *req, *rep;

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		reply("err remote: expected a JSON array of attributes");
		return;
	}
	req = request("remote_attributes");
	json_object_object_add(req, "attributes", arr);
	if (from) {
		json_object_object_add(req, "type", json_object_new_string("answer"));
		json_object_object_add(req, "remote", json_object_new_string(from));
	}
	if (secure)
		json_object_object_add(req, "signalling_secure", json_object_new_boolean(1));
	rep = call(req, NULL, 0);
	if (!rep)
		return;
	reply("ok %s %s", kdc_get_str(rep, "state") ? kdc_get_str(rep, "state") : "?",
	      kdc_get_str(rep, "suite") ? kdc_get_str(rep, "suite") : "?");
	kdc_free(rep);
}

static void cmd_wait(char *args)
{
	char ev_name[32] = "";
	int ms = 5000, rc;
	struct json_object *ev;

	if (sscanf(args, "%31s %d", ev_name, &ms) < 1 || !kdc) {
		reply("err wait: EVENT [MS]");
		return;
	}
	rc = kdc_wait_event(kdc, ev_name, session, &ev, ms);
	if (rc <= 0) {
		reply("err wait %s: %s", ev_name, rc ? strerror(-rc) : "timed out");
		return;
	}
	reply("ok %s", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	kdc_free(ev);
}

static void cmd_simple(const char *op)
{
	struct json_object *rep = call(request(op), NULL, 0);

	if (!rep)
		return;
	reply("ok %s", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	kdc_free(rep);
}

static void cmd_reconnect(void)
{
	char err[256];
	struct json_object *rep;
	uint64_t until = now_ms() + 10000;

	kdc_close(kdc);
	kdc = NULL;
	while (!(kdc = kdc_connect(ctl_path, err, sizeof(err))) && now_ms() < until)
		usleep(100000);
	if (!kdc) {
		reply("err %s", err);
		return;
	}
	if (!session[0]) {
		reply("ok connected");
		return;
	}
	rep = call(request("watch"), NULL, 0);
	if (!rep)
		return;
	reply("ok %s", kdc_get_str(rep, "state"));
	kdc_free(rep);
}

/* ---------------------------------------------------------------- media */

static void send_rtcp(struct peer *pe)
{
	uint8_t p[8] = { 0x80, 201, 0, 1 };	/* RR, no report blocks */
	uint32_t s = htonl(ssrc);

	memcpy(p + 4, &s, 4);
	if (sendto(sock, p, sizeof(p), 0, (struct sockaddr *)&pe->addr, sizeof(pe->addr)) ==
	    sizeof(p))
		st.rtcp_sent++;
}

static void send_to(struct peer *pe)
{
	uint16_t seq = pe->seq;
	uint64_t counter = pe->counter;

	uint8_t p[12 + PAYLOAD_LEN];
	uint32_t v;
	unsigned int i;

	p[0] = 0x80;
	p[1] = 0;			/* PCMU */
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	v = htonl((uint32_t)counter * 160);
	memcpy(p + 4, &v, 4);
	v = htonl(ssrc);
	memcpy(p + 8, &v, 4);
	memcpy(p + 12, MAGIC, 4);
	v = htonl((uint32_t)counter);
	memcpy(p + 16, &v, 4);
	for (i = 20; i < sizeof(p); i++)
		p[i] = (uint8_t)(counter + i);
	if (sendto(sock, p, sizeof(p), 0, (struct sockaddr *)&pe->addr, sizeof(pe->addr)) ==
	    sizeof(p)) {
		st.sent++;
		pe->sent++;
		pe->seq++;
		pe->counter++;
		if (!(pe->counter % 10))
			send_rtcp(pe);
	} else if (errno == ENOKEY) {
		st.enokey++;
	} else {
		st.senderr++;
	}
}

/* One RTP packet to every peer. */
static void send_one(void)
{
	unsigned int i;

	for (i = 0; i < npeers; i++)
		send_to(&peers[i]);
}

static struct peer *peer_of(const struct sockaddr_in *from)
{
	unsigned int i;

	for (i = 0; i < npeers; i++)
		if (peers[i].addr.sin_port == from->sin_port &&
		    peers[i].addr.sin_addr.s_addr == from->sin_addr.s_addr)
			return &peers[i];
	return NULL;
}

/* What the peer's send_one wrote: the kernel must deliver exactly that. */
static bool payload_ok(const uint8_t *p, ssize_t n)
{
	uint32_t c;
	ssize_t i;

	if (n != 12 + PAYLOAD_LEN || memcmp(p + 12, MAGIC, 4))
		return false;
	memcpy(&c, p + 16, 4);
	c = ntohl(c);
	for (i = 20; i < n; i++)
		if (p[i] != (uint8_t)(c + (uint32_t)i))
			return false;
	return true;
}

/*
 * Plain RTP or RTCP from a peer that is not a keyd_app: the kernel decrypted
 * it. RTP: version 2, a payload type below 64 (RFC 5761: 64..95 are RTCP),
 * and for the content checks a payload of one repeated byte whose value
 * repeats every 16 packets (the tone keyd_baresip.sh makes). False: not
 * plain RTP/RTCP at all.
 */
static bool foreign_media(const uint8_t *p, ssize_t n)
{
	uint32_t ssrc_n;
	uint16_t sq;
	ssize_t i;
	unsigned int slot;
	bool same = true;

	/* STUN (RFC 7983: 0..3, RFC 5389's magic cookie): linphone's keepalives */
	if (n >= 20 && p[0] <= 3 && p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xa4 && p[7] == 0x42) {
		fst.stun++;
		return true;
	}
	if (n < 12 || (p[0] & 0xc0) != 0x80)
		return false;
	if ((p[1] & 0x7f) >= 64 && (p[1] & 0x7f) < 96) {
		fst.rtcp++;
		return true;
	}
	if (n < 13)
		return false;
	fst.rtp++;
	if ((p[1] & 0x7f) == 0)
		fst.pt0++;
	memcpy(&ssrc_n, p + 8, 4);
	if (fst.rtp == 1 || ntohl(ssrc_n) != fst.ssrc)
		fst.ssrcs++;
	fst.ssrc = ntohl(ssrc_n);
	fst.len = (size_t)n;
	for (i = 13; i < n; i++)
		same &= p[i] == p[12];
	if (!same)
		return true;
	fst.uniform++;
	fst.seen[p[12]] = true;
	sq = (uint16_t)(p[2] << 8 | p[3]);
	slot = sq % 16;
	if (fst.level_set[slot] && (uint16_t)(sq - fst.level_seq[slot]) == 16 &&
	    fst.level[slot] != p[12])
		fst.period_bad++;
	fst.level[slot] = p[12];
	fst.level_seq[slot] = sq;
	fst.level_set[slot] = true;
	return true;
}

static void receive(void)
{
	uint8_t p[2048];
	struct sockaddr_in from;
	socklen_t flen;
	struct peer *pe;
	uint32_t c;
	ssize_t n;

	if (sock < 0)
		return;
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(sock, p, sizeof(p), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			break;
		pe = peer_of(&from);
		if (n >= 8 && p[0] == 0x80 && p[1] == 201 && n == 8) {
			st.rtcp_recv++;
			if (pe)
				pe->rtcp_recv++;
		} else if (payload_ok(p, n)) {
			st.recv++;
			memcpy(last_rx, p, sizeof(last_rx));
			have_last_rx = true;
			if (!pe)
				continue;
			pe->recv++;
			memcpy(&c, p + 16, 4);
			c = ntohl(c);
			if (!pe->seen || c < pe->first)
				pe->first = c;
			if (!pe->seen || c > pe->highest)
				pe->highest = c;
			pe->seen = true;
		} else if (!foreign || !foreign_media(p, n)) {
			st.bad++;
		}
	}
}

static void cmd_send(const char *args)
{
	uint64_t sent = st.sent, enokey = st.enokey, senderr = st.senderr;
	int n = atoi(args), i;

	if (sock < 0) {
		reply("err no socket");
		return;
	}
	for (i = 0; i < n; i++)
		send_one();
	/* what went out, to every peer: ENOKEY and other errors apart */
	reply("ok sent=%llu enokey=%llu senderr=%llu", (unsigned long long)(st.sent - sent),
	      (unsigned long long)(st.enokey - enokey), (unsigned long long)(st.senderr - senderr));
}

static void cmd_expect(const char *args)
{
	unsigned long long want = 0;
	int ms = 5000;
	uint64_t until;

	sscanf(args, "%llu %d", &want, &ms);
	until = now_ms() + (uint64_t)ms;
	for (;;) {
		receive();
		if (st.recv >= want && st.rtcp_recv >= want / 10)
			break;
		if (now_ms() >= until) {
			reply("err expect: recv=%llu bad=%llu rtcp_recv=%llu want=%llu",
			      (unsigned long long)st.recv, (unsigned long long)st.bad,
			      (unsigned long long)st.rtcp_recv, want);
			return;
		}
		usleep(10000);
	}
	reply("ok recv=%llu bad=%llu rtcp_recv=%llu", (unsigned long long)st.recv,
	      (unsigned long long)st.bad, (unsigned long long)st.rtcp_recv);
}

/*
 * Payload counters missing between the first and the highest received:
 * packets lost (reordering is no loss; the kernel drops duplicates).
 */
static uint64_t lost(const struct peer *pe)
{
	uint64_t span = pe->seen ? (uint64_t)pe->highest - pe->first + 1 : 0;

	return span > pe->recv ? span - pe->recv : 0;
}

static void cmd_stats(void)
{
	char per[512] = "", addr[32];
	size_t off = 0;
	unsigned int i;

	receive();
	for (i = 0; i < npeers && off < sizeof(per); i++) {
		inet_ntop(AF_INET, &peers[i].addr.sin_addr, addr, sizeof(addr));
		off += (size_t)snprintf(per + off, sizeof(per) - off, " peer=%s:%u/%llu/%llu/%llu",
					addr, ntohs(peers[i].addr.sin_port),
					(unsigned long long)peers[i].sent,
					(unsigned long long)peers[i].recv,
					(unsigned long long)lost(&peers[i]));
	}
	reply("ok sent=%llu recv=%llu bad=%llu enokey=%llu senderr=%llu rtcp_sent=%llu rtcp_recv=%llu%s",
	      (unsigned long long)st.sent, (unsigned long long)st.recv, (unsigned long long)st.bad,
	      (unsigned long long)st.enokey, (unsigned long long)st.senderr,
	      (unsigned long long)st.rtcp_sent, (unsigned long long)st.rtcp_recv, per);
}

static void cmd_fstats(void)
{
	unsigned int i, levels = 0;

	receive();
	for (i = 0; i < 256; i++)
		levels += fst.seen[i];
	reply("ok rtp=%llu pt0=%llu ssrc=%u ssrcs=%llu len=%zu uniform=%llu period_bad=%llu levels=%u rtcp=%llu stun=%llu bad=%llu",
	      (unsigned long long)fst.rtp, (unsigned long long)fst.pt0, fst.ssrc,
	      (unsigned long long)fst.ssrcs, fst.len, (unsigned long long)fst.uniform,
	      (unsigned long long)fst.period_bad, levels, (unsigned long long)fst.rtcp,
	      (unsigned long long)fst.stun, (unsigned long long)st.bad);
}

static void reset_stats(void)
{
	unsigned int i;

	receive();
	memset(&st, 0, sizeof(st));
	memset(&fst, 0, sizeof(fst));
	for (i = 0; i < npeers; i++) {
		peers[i].sent = peers[i].recv = peers[i].rtcp_recv = 0;
		peers[i].seen = false;
	}
}

static void cmd_peers(char *args)
{
	struct peer np[MAX_PEERS];
	char *tok, *save = NULL;
	unsigned int n = 0;

	memset(np, 0, sizeof(np));
	for (tok = strtok_r(args, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (n == MAX_PEERS || parse_addr(tok, &np[n].addr)) {
			reply("err peers: at most %d IP:PORT", MAX_PEERS);
			return;
		}
		/* a peer we sent to keeps its sequence: the kernel refuses reused indices */
		if (peer_of(&np[n].addr))
			np[n] = *peer_of(&np[n].addr);
		else
			np[n].seq = (uint16_t)(1 + 1000 * n);
		n++;
	}
	if (!n) {
		reply("err peers: IP:PORT[,IP:PORT...]");
		return;
	}
	memcpy(peers, np, sizeof(np));
	npeers = n;
	reply("ok %u", n);
}

static void cmd_expect_from(const char *args)
{
	char a[64] = "";
	unsigned long long want = 0;
	struct sockaddr_in sin;
	struct peer *pe;
	int ms = 5000;
	uint64_t until;

	if (sscanf(args, "%63s %llu %d", a, &want, &ms) < 2 || parse_addr(a, &sin) ||
	    !(pe = peer_of(&sin))) {
		reply("err expect_from: IP:PORT (one of the peers) N [MS]");
		return;
	}
	until = now_ms() + (uint64_t)ms;
	for (;;) {
		receive();
		if (pe->recv >= want && pe->rtcp_recv >= want / 10)
			break;
		if (now_ms() >= until) {
			reply("err expect_from %s: recv=%llu rtcp_recv=%llu bad=%llu want=%llu", a,
			      (unsigned long long)pe->recv, (unsigned long long)pe->rtcp_recv,
			      (unsigned long long)st.bad, want);
			return;
		}
		usleep(10000);
	}
	reply("ok recv=%llu rtcp_recv=%llu lost=%llu bad=%llu", (unsigned long long)pe->recv,
	      (unsigned long long)pe->rtcp_recv, (unsigned long long)lost(pe),
	      (unsigned long long)st.bad);
}

static void cmd_peek(void)
{
	const uint8_t *p = last_rx;
	char hex[3 * 24 + 1];
	uint32_t c;
	int i;

	receive();
	if (!have_last_rx) {
		reply("err peek: no RTP packet read yet");
		return;
	}
	for (i = 0; i < 24; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02x ", p[12 + i]);
	hex[3 * 24 - 1] = 0;
	memcpy(&c, p + 16, 4);
	reply("ok len=%zu v=%u pt=%u seq=%u ts=%u ssrc=0x%08x payload=\"%.4s\" #%u, then %s ...",
	      sizeof(last_rx), p[0] >> 6, p[1] & 0x7f, (unsigned int)(p[2] << 8 | p[3]),
	      (unsigned int)((uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7]),
	      (unsigned int)((uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11]),
	      (const char *)p + 12, ntohl(c), hex + 24);
}

/* ---------------------------------------------------------------- commands */

static bool run_command(char *line);

/* One command; its latency goes to stderr for the test's logs. */
static bool command(char *line)
{
	uint64_t t0 = now_ms();
	char what[24];
	bool more;

	snprintf(what, sizeof(what), "%.23s", line);
	more = run_command(line);
	fprintf(stderr, "%s: %llu ms: %s\n", name, (unsigned long long)(now_ms() - t0), what);
	return more;
}

static bool run_command(char *line)
{
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = 0;
	else
		arg = line + strlen(line);
	if (!strcmp(line, "create")) {
		cmd_create(arg);
	} else if (!strcmp(line, "local")) {
		cmd_attrs("local_attributes");
	} else if (!strcmp(line, "rekey")) {
		cmd_attrs("rekey");
	} else if (!strcmp(line, "remote")) {
		cmd_remote(arg, NULL);
	} else if (!strcmp(line, "answer")) {
		char *json = strchr(arg, ' ');

		if (json)
			*json++ = 0;
		if (json)
			cmd_remote(json, arg);
		else
			reply("err answer IP:PORT [attributes]");
	} else if (!strcmp(line, "peers")) {
		cmd_peers(arg);
	} else if (!strcmp(line, "expect_from")) {
		cmd_expect_from(arg);
	} else if (!strcmp(line, "wait")) {
		cmd_wait(arg);
	} else if (!strcmp(line, "send")) {
		cmd_send(arg);
	} else if (!strcmp(line, "expect")) {
		cmd_expect(arg);
	} else if (!strcmp(line, "stream")) {
		pps = (unsigned int)atoi(arg);
		next_send = now_ms();
		reply("ok stream %u", pps);
	} else if (!strcmp(line, "stats")) {
		cmd_stats();
	} else if (!strcmp(line, "fstats")) {
		cmd_fstats();
	} else if (!strcmp(line, "foreign")) {
		foreign = true;
		reply("ok foreign");
	} else if (!strcmp(line, "peek")) {
		cmd_peek();
	} else if (!strcmp(line, "reset")) {
		reset_stats();
		reply("ok reset");
	} else if (!strcmp(line, "flush")) {
		struct json_object *m;
		int n = 0;

		while (kdc && kdc_read(kdc, &m, 0) > 0) {
			kdc_free(m);
			n++;
		}
		reply("ok flushed=%d", n);
	} else if (!strcmp(line, "status")) {
		cmd_simple("status");
	} else if (!strcmp(line, "reconnect")) {
		cmd_reconnect();
	} else if (!strcmp(line, "delete")) {
		struct json_object *rep = call(request("delete"), NULL, 0);

		if (rep) {
			kdc_free(rep);
			close_socket();
			session[0] = 0;
			reply("ok deleted");
		}
	} else if (!strcmp(line, "close")) {
		close_socket();
		reply("ok closed");
	} else if (!strcmp(line, "quit")) {
		reply("ok bye");
		return false;
	} else {
		reply("err unknown command '%s'", line);
	}
	return true;
}

int main(int argc, char **argv)
{
	char buf[65536], err[256], *nl;
	size_t len = 0;
	ssize_t n;
	int opt, timeout;
	bool run = true;
	uint64_t now;

	while ((opt = getopt(argc, argv, "n:s:l:p:")) != -1) {
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 's':
			ctl_path = optarg;
			break;
		case 'l':
			if (parse_addr(optarg, &local))
				return 2;
			break;
		case 'p':
			if (parse_addr(optarg, &peer))
				return 2;
			break;
		default:
			fprintf(stderr, "usage: keyd_app -n NAME -s SOCKET -l IP:PORT -p IP:PORT\n");
			return 2;
		}
	}
	if (!ctl_path || !local.sin_port || !peer.sin_port) {
		fprintf(stderr, "keyd_app: -s, -l and -p are required\n");
		return 2;
	}
	peers[0].addr = peer;
	peers[0].seq = 1;
	srand((unsigned int)(getpid() ^ time(NULL)));
	ssrc = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
	kdc = kdc_connect(ctl_path, err, sizeof(err));
	if (!kdc)
		fprintf(stderr, "%s: %s\n", name, err);
	while (run) {
		struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 }, { sock, POLLIN, 0 } };

		now = now_ms();
		if (pps && sock >= 0) {
			/* steady pace: after a long keyd call, no burst to catch up */
			if (next_send <= now) {
				send_one();
				next_send = next_send + 1000 / pps > now ? next_send + 1000 / pps :
									   now + 1000 / pps;
			}
			timeout = (int)(next_send - now);
		} else {
			timeout = 200;
		}
		if (poll(pfd, sock >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			receive();
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		while (run && (nl = strchr(buf, '\n'))) {
			*nl = 0;
			run = command(buf);
			memmove(buf, nl + 1, len - (size_t)(nl + 1 - buf) + 1);
			len -= (size_t)(nl + 1 - buf);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* no line that long is ours */
	}
	close_socket();
	kdc_close(kdc);
	return 0;
}
