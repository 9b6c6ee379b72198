// SPDX-License-Identifier: GPL-2.0
/*
 * keyd_srtp_peer: an SDES answerer built on libsrtp2, independent of keyd's
 * and ksrtp's code, to check the RFC 4568 semantics keyd and the kernel
 * implement together: which key protects which direction, and where the
 * master key ends and the salt begins, for each suite.
 *
 *   keyd_srtp_peer -l IP:PORT -p IP:PORT -o OFFER.json -a ANSWER.json [-n COUNT]
 *
 * Reads the offer (a JSON array of a=crypto lines), answers the first line
 * it supports with a fresh key (written to ANSWER.json), then receives
 * COUNT RTP packets (and COUNT/10 RTCP) from keyd's side with the offer's
 * key, checks the plaintext keyd_app sent, and sends COUNT back with its own
 * key. Prints "ok recv=N rtcp=M" and exits 0, or explains and exits 1.
 *
 *   keyd_srtp_peer -l IP:PORT -p IP:PORT -s SUITE -x HEX -r client|server -a READY [-n COUNT]
 *
 * DTLS-SRTP mode: no offer; HEX is the keying material another DTLS
 * implementation (openssl s_client/s_server -keymatexport EXTRACTOR-dtls_srtp)
 * exported, and -r that side's DTLS role. The master keys are cut from it
 * here, independently of keyd (RFC 5764 §4.2: client_write_key |
 * server_write_key | client_write_salt | server_write_salt; the client
 * sends with client_write_*). READY is written once the socket is bound;
 * then the same exchange as above. With -r keys, HEX is this side's
 * TX key || salt then its RX key || salt, as another implementation (a
 * ZRTP peer) derived them.
 *
 * -F GO: send first, once the file GO exists, then receive: the peer of a
 * bridge (keyd_bridge.sh), whose media comes from another such peer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include "inet_addr.h"

#define PAYLOAD_LEN	160

struct suite_map {
	const char *name;
	int keysalt;		/* master key + master salt, bytes */
	void (*rtp)(srtp_crypto_policy_t *p);
	void (*rtcp)(srtp_crypto_policy_t *p);
};

/*
 * RFC 4568 / 6188 / 7714: the _32 suites keep an 80-bit SRTCP tag. (AES-192
 * is listed, but Debian's libsrtp2 2.5.0 derives its keys wrongly: #763.)
 */
static const struct suite_map suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", 30, srtp_crypto_policy_set_rtp_default,
	  srtp_crypto_policy_set_rtp_default },
	{ "AES_CM_128_HMAC_SHA1_32", 30, srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
	  srtp_crypto_policy_set_rtp_default },
	{ "AES_192_CM_HMAC_SHA1_80", 38, srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80,
	  srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80 },
	{ "AES_192_CM_HMAC_SHA1_32", 38, srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32,
	  srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80 },
	{ "AES_256_CM_HMAC_SHA1_80", 46, srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
	  srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
	{ "AES_256_CM_HMAC_SHA1_32", 46, srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
	  srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
	{ "AEAD_AES_128_GCM", 28, srtp_crypto_policy_set_aes_gcm_128_16_auth,
	  srtp_crypto_policy_set_aes_gcm_128_16_auth },
	{ "AEAD_AES_256_GCM", 44, srtp_crypto_policy_set_aes_gcm_256_16_auth,
	  srtp_crypto_policy_set_aes_gcm_256_16_auth },
};

static int unhex(const char *h, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (h[0] && h[1] && n < max) {
		if (sscanf(h, "%2x", &b) != 1)
			return -1;
		out[n++] = (unsigned char)b;
		h += 2;
	}
	return *h ? -1 : (int)n;
}

/*
 * RFC 5764 §4.2 from the exported block: our TX key || salt, our RX key ||
 * salt, for a side of the given DTLS role.
 */
static int dtls_keys(const struct suite_map *s, const unsigned char *km, int kmlen,
		     bool client, unsigned char *tx, unsigned char *rx)
{
	int salt = strstr(s->name, "GCM") ? 12 : 14, key = s->keysalt - salt;
	const unsigned char *ck = km, *sk = km + key, *cs = km + 2 * key, *ss = cs + salt;

	if (kmlen != 2 * s->keysalt)
		return -1;
	memcpy(tx, client ? ck : sk, (size_t)key);
	memcpy(tx + key, client ? cs : ss, (size_t)salt);
	memcpy(rx, client ? sk : ck, (size_t)key);
	memcpy(rx + key, client ? ss : cs, (size_t)salt);
	return 0;
}

static void die(const char *fmt, const char *arg)
{
	printf("err ");
	printf(fmt, arg);
	printf("\n");
	exit(1);
}

/* "a=crypto:TAG SUITE inline:BASE64[|...]" -> tag, suite, key||salt. */
static const struct suite_map *parse_offer_line(const char *line, unsigned int *tag,
						unsigned char *key)
{
	char name[64], b64[128];
	unsigned char raw[128];
	size_t i;
	int n;

	if (sscanf(line, "a=crypto:%u %63s inline:%127[A-Za-z0-9+/=]", tag, name, b64) != 3)
		return NULL;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (strcmp(name, suites[i].name))
			continue;
		/* OpenSSL's decoder, not keyd's: padded input, as keyd writes it */
		n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
		n -= (int)(strlen(b64) - strcspn(b64, "="));	/* EVP counts padding */
		if (n != suites[i].keysalt)
			return NULL;
		memcpy(key, raw, (size_t)n);
		return &suites[i];
	}
	return NULL;
}

static srtp_t session(const struct suite_map *s, unsigned char *key, srtp_ssrc_type_t dir)
{
	srtp_policy_t p;
	srtp_t ctx;

	memset(&p, 0, sizeof(p));
	s->rtp(&p.rtp);
	s->rtcp(&p.rtcp);
	p.ssrc.type = dir;
	p.key = key;
	p.window_size = 128;
	if (srtp_create(&ctx, &p) != srtp_err_status_ok)
		die("srtp_create failed for %s", s->name);
	return ctx;
}

static void write_answer(const char *path, unsigned int tag, const struct suite_map *s,
			 const unsigned char *key)
{
	char b64[128], line[256], tmp[512];
	FILE *f;

	EVP_EncodeBlock((unsigned char *)b64, key, s->keysalt);
	snprintf(line, sizeof(line), "a=crypto:%u %s inline:%s", tag, s->name, b64);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "[\"%s\"]\n", line) < 0 || fclose(f) || rename(tmp, path))
		die("cannot write %s", path);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* keyd_app's payload: "KDAP", a counter, then a pattern from it. */
static int payload_ok(const unsigned char *p, int n)
{
	uint32_t c;
	int i;

	if (n != 12 + PAYLOAD_LEN || memcmp(p + 12, "KDAP", 4))
		return 0;
	memcpy(&c, p + 16, 4);
	c = ntohl(c);
	for (i = 20; i < n; i++)
		if (p[i] != (unsigned char)(c + (uint32_t)i))
			return 0;
	return 1;
}

/* COUNT RTP (and COUNT/10 RTCP) that libsrtp2 and the payload check
 * accept, within 30 s; 0 or -1.
 */
static int recv_media(int fd, srtp_t in, unsigned int count, unsigned int *got,
		      unsigned int *rtcp, unsigned int *bad)
{
	uint64_t until = now_ms() + 30000;
	unsigned char buf[2048];
	int len;

	while ((*got < count || *rtcp < count / 10) && now_ms() < until) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		len = (int)recv(fd, buf, sizeof(buf), 0);
		if (len < 2)
			continue;
		if (buf[1] >= 192 && buf[1] <= 223) {		/* RTCP PT 200-204 */
			if (srtp_unprotect_rtcp(in, buf, &len) == srtp_err_status_ok &&
			    len == 8 && buf[1] == 201)
				(*rtcp)++;
			else
				(*bad)++;
		} else if (srtp_unprotect(in, buf, &len) == srtp_err_status_ok &&
			   payload_ok(buf, len)) {
			(*got)++;
		} else {
			(*bad)++;
		}
	}
	return *got < count || *rtcp < count / 10 ? -1 : 0;
}

/* COUNT RTP in keyd_app's format, every 10th followed by an RTCP RR. */
static void send_media(int fd, srtp_t out, const struct sockaddr_in *peer,
		       unsigned int count, unsigned int tag)
{
	unsigned char buf[2048];
	unsigned int i;
	uint32_t v;
	int j, len;

	for (i = 0; i < count; i++) {
		buf[0] = 0x80;
		buf[1] = 0;
		buf[2] = (unsigned char)(i >> 8);
		buf[3] = (unsigned char)(i + 1);
		v = htonl(i * 160);
		memcpy(buf + 4, &v, 4);
		v = htonl(0x5eed0000 + tag);
		memcpy(buf + 8, &v, 4);
		memcpy(buf + 12, "KDAP", 4);
		v = htonl(i);
		memcpy(buf + 16, &v, 4);
		for (j = 20; j < 12 + PAYLOAD_LEN; j++)
			buf[j] = (unsigned char)(i + (uint32_t)j);
		len = 12 + PAYLOAD_LEN;
		if (srtp_protect(out, buf, &len) != srtp_err_status_ok)
			die("%s", "srtp_protect failed");
		sendto(fd, buf, (size_t)len, 0, (const struct sockaddr *)peer, sizeof(*peer));
		if (!((i + 1) % 10)) {
			unsigned char rr[64] = { 0x80, 201, 0, 1 };

			v = htonl(0x5eed0000 + tag);
			memcpy(rr + 4, &v, 4);
			len = 8;
			if (srtp_protect_rtcp(out, rr, &len) == srtp_err_status_ok)
				sendto(fd, rr, (size_t)len, 0, (const struct sockaddr *)peer,
				       sizeof(*peer));
		}
		usleep(5000);
	}
}

int main(int argc, char **argv)
{
	const char *offer_path = NULL, *answer_path = NULL, *hex = NULL, *suite = NULL;
	const char *role = NULL, *go_path = NULL;
	unsigned char km[128];
	int kmlen;
	struct sockaddr_in local = { 0 }, peer = { 0 };
	unsigned char rx_key[64], tx_key[64];
	const struct suite_map *s = NULL;
	struct json_object *offer;
	unsigned int tag = 0, count = 20, got = 0, rtcp = 0, bad = 0;
	srtp_t in, out;
	uint64_t until;
	int fd, opt;
	size_t k;

	while ((opt = getopt(argc, argv, "l:p:o:a:n:x:r:s:F:")) != -1) {
		switch (opt) {
		case 'l':
			if (parse_addr(optarg, &local))
				die("bad -l %s", optarg);
			break;
		case 'p':
			if (parse_addr(optarg, &peer))
				die("bad -p %s", optarg);
			break;
		case 'o':
			offer_path = optarg;
			break;
		case 'a':
			answer_path = optarg;
			break;
		case 'n':
			count = (unsigned int)atoi(optarg);
			break;
		case 'x':
			hex = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 's':
			suite = optarg;
			break;
		case 'F':
			go_path = optarg;
			break;
		default:
			die("usage: %s -l IP:PORT -p IP:PORT -o OFFER -a ANSWER [-n N]", argv[0]);
		}
	}
	if (hex) {
		if (!suite || !role || !answer_path ||
		    (strcmp(role, "client") && strcmp(role, "server") && strcmp(role, "keys")))
			die("%s", "-x needs -s SUITE, -r client|server|keys and -a READY");
		for (k = 0; k < sizeof(suites) / sizeof(suites[0]); k++)
			if (!strcmp(suites[k].name, suite))
				s = &suites[k];
		if (!s)
			die("unknown suite %s", suite);
		kmlen = unhex(hex, km, sizeof(km));
		if (!strcmp(role, "keys") && kmlen == 2 * s->keysalt) {
			memcpy(tx_key, km, (size_t)s->keysalt);
			memcpy(rx_key, km + s->keysalt, (size_t)s->keysalt);
		} else if (!strcmp(role, "keys") || kmlen < 0 ||
			   dtls_keys(s, km, kmlen, !strcmp(role, "client"), tx_key, rx_key)) {
			die("keying material %s: wrong length for the suite", hex);
		}
		tag = 0xd7;
	} else {
		if (!offer_path || !answer_path)
			die("%s", "-o and -a are required");
		offer = json_object_from_file(offer_path);
		for (k = 0; offer && !s && k < json_object_array_length(offer); k++)
			s = parse_offer_line(json_object_get_string(
						     json_object_array_get_idx(offer, k)),
					     &tag, rx_key);
		if (!s)
			die("no offered line this peer supports in %s", offer_path);
		if (RAND_bytes(tx_key, s->keysalt) != 1)
			die("%s", "RAND_bytes failed");
	}
	if (srtp_init() != srtp_err_status_ok)
		die("%s", "srtp_init failed");
	/* the offer's key protects what the offerer sends: our inbound */
	in = session(s, rx_key, ssrc_any_inbound);
	out = session(s, tx_key, ssrc_any_outbound);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)))
		die("bind: %s", strerror(errno));
	if (hex) {
		FILE *f = fopen(answer_path, "w");

		if (!f || fprintf(f, "ready\n") < 0 || fclose(f))
			die("cannot write %s", answer_path);
	} else {
		write_answer(answer_path, tag, s, tx_key);
	}

	if (go_path) {
		/* a bridge: the other peer is the source; send once told to */
		until = now_ms() + 30000;
		while (access(go_path, F_OK) && now_ms() < until)
			usleep(20000);
		send_media(fd, out, &peer, count, tag);
	}
	if (recv_media(fd, in, count, &got, &rtcp, &bad)) {
		printf("err received %u RTP and %u RTCP of %u; %u failed libsrtp2 or the "
		       "payload check (%s)\n", got, rtcp, count, bad, s->name);
		return 1;
	}
	/* and back, with our key, in keyd_app's format */
	if (!go_path)
		send_media(fd, out, &peer, count, tag);
	printf("ok recv=%u rtcp=%u suite=%s\n", got, rtcp, s->name);
	OPENSSL_cleanse(tx_key, sizeof(tx_key));
	OPENSSL_cleanse(rx_key, sizeof(rx_key));
	OPENSSL_cleanse(km, sizeof(km));
	srtp_dealloc(in);
	srtp_dealloc(out);
	return 0;
}
