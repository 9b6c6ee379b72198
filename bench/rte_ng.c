// SPDX-License-Identifier: GPL-2.0
/*
 * rtpengine's ng protocol, SDES SDP bits and kernel target list, for
 * ksrtp_rte_bench (see rte_ng.h). The ng protocol is "COOKIE bencode" over
 * UDP, one request per datagram.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <openssl/evp.h>

#include "rte_ng.h"
#include "bench_util.h"

#define NG_MAX	(NG_SDP_MAX + 1024)

int ng_open(struct ng *ng, const char *addr_port)
{
	char host[64];
	const char *colon = strrchr(addr_port, ':');
	struct timeval tv = { .tv_sec = 3 };

	if (!colon || colon - addr_port >= (long)sizeof(host))
		return -1;
	memcpy(host, addr_port, colon - addr_port);
	host[colon - addr_port] = 0;
	memset(&ng->to, 0, sizeof(ng->to));
	ng->to.sin_family = AF_INET;
	ng->to.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, host, &ng->to.sin_addr) != 1)
		return -1;
	ng->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (ng->fd < 0)
		return -1;
	setsockopt(ng->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/* ------------------------------------------------------------ bencode */

static int bput(char *b, int off, int max, const char *s)
{
	int n = snprintf(b + off, max > off ? max - off : 0, "%zu:%s", strlen(s), s);

	return off + n;
}

/*
 * One value at s[i] (n bytes in all): returns the index after it, or -1.
 * A string's bytes go to *str and *len.
 */
static int bskip(const char *s, int n, int i, const char **str, int *len)
{
	char *end;
	long l;

	if (i >= n)
		return -1;
	if (s[i] == 'i') {
		const char *e = memchr(s + i, 'e', n - i);

		return e ? e - s + 1 : -1;
	}
	if (s[i] == 'l' || s[i] == 'd') {
		for (i++; i < n && s[i] != 'e';)
			if ((i = bskip(s, n, i, NULL, NULL)) < 0)
				return -1;
		return i < n ? i + 1 : -1;
	}
	l = strtol(s + i, &end, 10);
	if (end == s + i || *end != ':' || l < 0 || end + 1 + l > s + n)
		return -1;
	if (str) {
		*str = end + 1;
		*len = l;
	}
	return end + 1 + l - s;
}

/* The string value of key in the top-level dict of a reply, NUL-terminated into out. */
static int bget(const char *s, int n, const char *key, char *out, int outlen)
{
	int i = 1;

	if (n < 2 || s[0] != 'd')
		return -1;
	while (i < n && s[i] != 'e') {
		const char *k = NULL, *v = NULL;
		int kl = 0, vl = -1;

		i = bskip(s, n, i, &k, &kl);
		if (i < 0 || !k)
			return -1;
		i = bskip(s, n, i, &v, &vl);
		if (i < 0)
			return -1;
		if (kl == (int)strlen(key) && !memcmp(k, key, kl) && v && vl < outlen) {
			memcpy(out, v, vl);
			out[vl] = 0;
			return 0;
		}
	}
	return -1;
}

/* One request (a bencoded dict), its reply's bencoded body into rep. */
static int ng_talk(struct ng *ng, const char *dict, char *rep, int replen)
{
	static char buf[NG_MAX];
	char cookie[24];
	int n, cl;

	cl = snprintf(cookie, sizeof(cookie), "%08x%04x", rnd(), rnd() & 0xffff);
	n = snprintf(buf, sizeof(buf), "%s %s", cookie, dict);
	if (n >= (int)sizeof(buf) ||
	    sendto(ng->fd, buf, n, 0, (struct sockaddr *)&ng->to, sizeof(ng->to)) != n)
		return -1;
	for (;;) {
		n = recv(ng->fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return -1;
		/* a late reply to an earlier request: not ours */
		if (n > cl && !memcmp(buf, cookie, cl) && buf[cl] == ' ')
			break;
	}
	n -= cl + 1;
	if (n >= replen)
		return -1;
	memcpy(rep, buf + cl + 1, n);
	rep[n] = 0;
	return n;
}

int ng_wait_ready(struct ng *ng, int timeout_ms)
{
	char rep[256], res[32];
	double t0 = now_ns();

	do {
		struct timeval tv = { .tv_usec = 200000 };
		int n;

		setsockopt(ng->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = ng_talk(ng, "d7:command4:pinge", rep, sizeof(rep));
		if (n > 0 && !bget(rep, n, "result", res, sizeof(res)) && !strcmp(res, "pong")) {
			tv.tv_sec = 3;
			tv.tv_usec = 0;
			setsockopt(ng->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			return 0;
		}
		usleep(100000);
	} while (now_ns() - t0 < timeout_ms * 1e6);
	return -1;
}

int ng_offer_answer(struct ng *ng, const char *call, const char *to_tag,
		    const char *sdp, const char *flag, char *out, int outlen,
		    char *err, int errlen)
{
	static char req[NG_MAX], rep[NG_MAX];
	char res[32];
	int o = 0, n;

	/* bencode dicts have sorted keys */
	o += snprintf(req, sizeof(req), "d");
	o = bput(req, o, sizeof(req), "call-id");
	o = bput(req, o, sizeof(req), call);
	o = bput(req, o, sizeof(req), "command");
	o = bput(req, o, sizeof(req), to_tag ? "answer" : "offer");
	if (flag) {
		o = bput(req, o, sizeof(req), "flags");
		o += snprintf(req + o, sizeof(req) > (size_t)o ? sizeof(req) - o : 0, "l");
		o = bput(req, o, sizeof(req), flag);
		o += snprintf(req + o, sizeof(req) > (size_t)o ? sizeof(req) - o : 0, "e");
	}
	o = bput(req, o, sizeof(req), "from-tag");
	o = bput(req, o, sizeof(req), "A");
	o = bput(req, o, sizeof(req), "sdp");
	o = bput(req, o, sizeof(req), sdp);
	if (to_tag) {
		o = bput(req, o, sizeof(req), "to-tag");
		o = bput(req, o, sizeof(req), to_tag);
	}
	if (o + 2 > (int)sizeof(req)) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	strcat(req, "e");
	n = ng_talk(ng, req, rep, sizeof(rep));
	if (n < 0) {
		snprintf(err, errlen, "no reply from the ng port: %s", strerror(errno));
		return -1;
	}
	if (bget(rep, n, "result", res, sizeof(res)) || strcmp(res, "ok")) {
		if (bget(rep, n, "error-reason", err, errlen))
			snprintf(err, errlen, "result %s", res);
		return -1;
	}
	if (bget(rep, n, "sdp", out, outlen)) {
		snprintf(err, errlen, "no SDP in the reply");
		return -1;
	}
	return 0;
}

int ng_delete(struct ng *ng, const char *call)
{
	static char rep[NG_MAX];	/* the reply carries the call's statistics */
	char req[256];

	snprintf(req, sizeof(req), "d7:call-id%zu:%s7:command6:delete8:from-tag1:Ae",
		 strlen(call), call);
	return ng_talk(ng, req, rep, sizeof(rep)) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ SDP */

int sdp_port(const char *sdp)
{
	const char *m = strstr(sdp, "m=audio ");

	return m ? atoi(m + 8) : -1;
}

void b64_encode(const uint8_t *in, int n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, n);
}

/* rtpengine strips base64's '=' padding (RFC 4568 allows both). */
static int b64_decode(const char *in, int n, uint8_t *out, int want)
{
	char buf[128];
	uint8_t tmp[96];
	int k = 0, pad, got;

	for (int i = 0; i < n && k < (int)sizeof(buf) - 4; i++)
		if (in[i] != '=')
			buf[k++] = in[i];
	pad = (4 - k % 4) % 4;
	if (pad == 3)
		return -1;
	memset(buf + k, '=', pad);
	k += pad;
	buf[k] = 0;
	if (k / 4 * 3 > (int)sizeof(tmp))
		return -1;
	got = EVP_DecodeBlock(tmp, (unsigned char *)buf, k);
	if (got < 0 || got - pad < want)
		return -1;
	memcpy(out, tmp, want);
	return 0;
}

int sdp_crypto(const char *sdp, const char *suite, int *tag, uint8_t *key, int len)
{
	const char *p = sdp;

	while ((p = strstr(p, "a=crypto:"))) {
		char name[48];
		int t, used = 0;

		p += 9;
		if (sscanf(p, "%d %47s inline:%n", &t, name, &used) < 2 || !used ||
		    strcmp(name, suite))
			continue;
		*tag = t;
		/* the key runs to '|' (lifetime, MKI) or the line's end */
		return b64_decode(p + used, strcspn(p + used, "|\r\n"), key, len);
	}
	return -1;
}

/* ------------------------------------------------------------ /proc */

static int tag_len_after(const char *blk, const char *label)
{
	const char *p = strstr(blk, label), *t;

	if (!p)
		return -1;
	t = strstr(p, "auth tag length:");
	return t ? atoi(t + 16) : -1;
}

static void cipher_after(const char *blk, const char *label, char *out, int len)
{
	const char *p = strstr(blk, label), *c;

	out[0] = 0;
	if (p && (c = strstr(p, "cipher: ")))
		snprintf(out, len, "%.*s", (int)strcspn(c + 8, "\n"), c + 8);
}

int rte_target_get(const char *list_path, int local_port, struct rte_target *t)
{
	static char buf[1 << 16];
	char want[64], *blk, *next;
	FILE *f = fopen(list_path, "r");
	size_t n;

	memset(t, 0, sizeof(*t));
	t->tag_len_in = t->tag_len_out = -1;
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	snprintf(want, sizeof(want), "local inet4 127.0.0.1:%d\n", local_port);
	blk = strstr(buf, want);
	if (!blk)
		return 0;
	t->found = true;
	next = strstr(blk + 1, "\nlocal ");
	if (next)
		next[1] = 0;	/* this target's block alone */
	t->filled = !strstr(blk, "outputs not fully filled");
	if ((next = strstr(blk, "stats:")))
		sscanf(next, "stats: %" SCNu64 " bytes, %" SCNu64 " packets, %" SCNu64 " errors",
		       &t->bytes, &t->packets, &t->errors);
	t->tag_len_in = tag_len_after(blk, "SRTP decryption parameters");
	t->tag_len_out = tag_len_after(blk, "SRTP encryption parameters");
	cipher_after(blk, "SRTP decryption parameters", t->cipher_in, sizeof(t->cipher_in));
	cipher_after(blk, "SRTP encryption parameters", t->cipher_out, sizeof(t->cipher_out));
	return 0;
}
