// SPDX-License-Identifier: GPL-2.0
/*
 * The DTLS-SRTP engine on a real UDP socket, for interop tests against
 * `openssl s_server` / `openssl s_client` (tests/dtls/run.sh). It does what
 * keyd does with upcalls and sock-send, with recv()/send() instead.
 *
 *   dtls_interop --role client --port LPORT --peer PORT [options]
 *   dtls_interop --role server --port LPORT [options]
 *
 *   --profiles A:B:..   use_srtp profiles (OpenSSL names); default: all four
 *   --peer-fp "H XX:.." the peer's a=fingerprint (repeatable); a client
 *                       knows it before the handshake, a server learns it
 *                       afterwards (the early-media path)
 *   --write-cert FILE   our generated certificate as PEM (for -CAfile)
 *   --retransmit MS     first retransmission timeout (default 200)
 *   --timeout MS        give up after this long (default 8000)
 *   --linger MS         keep answering after success (default 300)
 *
 * On success prints, and exits 0:
 *   state=connected verified=yes|no profile=<OpenSSL name> suite=<ksrtp name>
 *   material=<HEX>     client_key|server_key|client_salt|server_salt, i.e.
 *                      what `openssl ... -keymatexport EXTRACTOR-dtls_srtp`
 *                      prints, rebuilt from our TX/RX split
 * On failure prints "state=failed error=<reason>" and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "keyd/dtls.h"

struct io {
	int fd;
	struct sockaddr_in peer;
	bool connected;
};

static int udp_send(void *ctx, const uint8_t *d, size_t len)
{
	struct io *io = ctx;
	ssize_t n;

	if (io->connected)
		n = send(io->fd, d, len, 0);
	else
		n = sendto(io->fd, d, len, 0, (struct sockaddr *)&io->peer,
			   sizeof(io->peer));
	return n == (ssize_t)len ? 0 : -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void hex(const uint8_t *p, size_t n)
{
	while (n--)
		printf("%02X", *p++);
}

static int usage(void)
{
	fprintf(stderr, "usage: dtls_interop --role client|server --port LPORT "
		"[--peer PORT] [--profiles A:B] [--peer-fp 'sha-256 XX:..'] "
		"[--write-cert FILE] [--retransmit MS] [--timeout MS] [--linger MS]\n");
	return 2;
}

static int write_cert(const struct dtls_cert *c, const char *path)
{
	char pem[4096], tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (dtls_cert_pem(c, pem, sizeof(pem)))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(pem, f);
	if (fclose(f))
		return -1;
	return rename(tmp, path);	/* appears complete or not at all */
}

int main(int argc, char **argv)
{
	enum dtls_profile profiles[DTLS_PROFILE_MAX];
	size_t n_profiles = 0;
	struct fp_set fps;
	const char *role = NULL, *cert_out = NULL;
	int lport = 0, pport = 0, i;
	long retransmit = 200, timeout = 8000, linger = 300, end, done_at = -1;
	struct dtls_cert *cert;
	struct dtls_engine *eng;
	struct dtls_assoc *a = NULL;
	struct dtls_assoc_config cfg = { .send = udp_send };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct io io = { .fd = -1 };
	char err[256] = "";
	bool verified_reported = false;
	int rc = 1;

	fp_set_init(&fps);
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage();
		if (!strcmp(argv[i], "--role")) {
			role = v;
		} else if (!strcmp(argv[i], "--port")) {
			lport = atoi(v);
		} else if (!strcmp(argv[i], "--peer")) {
			pport = atoi(v);
		} else if (!strcmp(argv[i], "--write-cert")) {
			cert_out = v;
		} else if (!strcmp(argv[i], "--retransmit")) {
			retransmit = atol(v);
		} else if (!strcmp(argv[i], "--timeout")) {
			timeout = atol(v);
		} else if (!strcmp(argv[i], "--linger")) {
			linger = atol(v);
		} else if (!strcmp(argv[i], "--peer-fp")) {
			const char *why = NULL;

			if (fp_set_add_value(&fps, v, strlen(v), &why) != FP_OK) {
				fprintf(stderr, "bad --peer-fp: %s\n", why);
				return 2;
			}
		} else if (!strcmp(argv[i], "--profiles")) {
			char buf[256], *tok, *save;

			snprintf(buf, sizeof(buf), "%s", v);
			for (tok = strtok_r(buf, ":", &save); tok;
			     tok = strtok_r(NULL, ":", &save)) {
				const struct dtls_profile_info *pi = dtls_profile_by_name(tok);

				if (!pi || n_profiles == DTLS_PROFILE_MAX) {
					fprintf(stderr, "bad profile %s\n", tok);
					return 2;
				}
				profiles[n_profiles++] = pi->id;
			}
		} else {
			return usage();
		}
		i++;
	}
	if (!role || !lport || (strcmp(role, "client") && strcmp(role, "server")) ||
	    (!strcmp(role, "client") && !pport))
		return usage();
	cfg.role = !strcmp(role, "client") ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;

	cert = dtls_cert_generate(NULL, 0, err, sizeof(err));
	if (!cert) {
		printf("state=failed error=%s\n", err);
		return 1;
	}
	printf("# our fingerprint: %s\n", dtls_cert_fingerprint(cert));
	eng = dtls_engine_new(&(struct dtls_engine_config){
		.cert = cert, .profiles = profiles, .n_profiles = n_profiles,
		.retransmit_ms = (unsigned int)retransmit,
		.handshake_timeout_ms = (unsigned int)timeout }, err, sizeof(err));
	if (!eng) {
		printf("state=failed error=%s\n", err);
		return 1;
	}
	if (cert_out && write_cert(cert, cert_out)) {
		perror(cert_out);
		return 1;
	}

	io.fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)lport);
	if (io.fd < 0 || bind(io.fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("bind");
		return 1;
	}
	cfg.send_ctx = &io;
	if (cfg.role == DTLS_ROLE_CLIENT) {
		io.peer = sin;
		io.peer.sin_port = htons((uint16_t)pport);
		if (connect(io.fd, (struct sockaddr *)&io.peer, sizeof(io.peer))) {
			perror("connect");
			return 1;
		}
		io.connected = true;
		cfg.peer_addr = &io.peer;
		cfg.peer_addr_len = sizeof(io.peer);
		if (fps.n)
			cfg.peer_fps = &fps;
		a = dtls_assoc_new(eng, &cfg, err, sizeof(err));
		if (!a) {
			printf("state=failed error=%s\n", err);
			return 1;
		}
		dtls_assoc_start(a);
	}

	end = now_ms() + timeout + 1000;
	while (now_ms() < end) {
		struct pollfd pfd = { .fd = io.fd, .events = POLLIN };
		long t = a ? dtls_next_timeout_ms(a) : -1;
		uint8_t buf[65536];
		ssize_t n;

		if (done_at >= 0 && now_ms() - done_at >= linger)
			break;
		if (a && (dtls_assoc_state(a) == DTLS_STATE_FAILED ||
			  dtls_assoc_state(a) == DTLS_STATE_CLOSED))
			break;
		if (t < 0 || t > 50)
			t = 50;
		if (poll(&pfd, 1, (int)t) > 0) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);

			n = recvfrom(io.fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
			if (n < 0)
				continue;	/* ECONNREFUSED: peer not up yet */
			if (!a) {
				unsigned int ev = 0;

				/* the server learns the peer from the hello */
				io.peer = from;
				cfg.peer_addr = &from;
				cfg.peer_addr_len = sizeof(from);
				switch (dtls_listen(eng, &cfg, buf, (size_t)n, &a, &ev)) {
				case DTLS_LISTEN_ACCEPTED:
					printf("# accepted a ClientHello with a valid cookie\n");
					if (!connect(io.fd, (struct sockaddr *)&from, sizeof(from)))
						io.connected = true;
					break;
				case DTLS_LISTEN_VERIFY_SENT:
					printf("# sent HelloVerifyRequest\n");
					break;
				default:
					break;
				}
				continue;
			}
			dtls_input(a, buf, (size_t)n);
		} else if (a) {
			dtls_on_timeout(a);
		}
		if (a && done_at < 0 && dtls_assoc_state(a) == DTLS_STATE_CONNECTED) {
			if (cfg.role == DTLS_ROLE_SERVER && fps.n &&
			    (dtls_assoc_set_peer_fingerprints(a, &fps) & DTLS_EV_FAILED))
				break;
			done_at = now_ms();
		}
	}

	if (a && dtls_assoc_state(a) == DTLS_STATE_CONNECTED) {
		struct dtls_srtp_keys k;
		const char *why = NULL;

		if (dtls_assoc_get_keys(a, &k, fps.n == 0, &why)) {
			printf("state=failed error=%s\n", why);
		} else {
			const uint8_t *cw = k.role == DTLS_ROLE_CLIENT ? k.tx : k.rx;
			const uint8_t *sw = k.role == DTLS_ROLE_CLIENT ? k.rx : k.tx;

			verified_reported = k.verified;
			printf("state=connected verified=%s profile=%s suite=%s role=%s\n",
			       verified_reported ? "yes" : "no", k.profile_name,
			       k.suite, dtls_role_name(k.role));
			printf("material=");
			hex(cw, k.key_len);
			hex(sw, k.key_len);
			hex(cw + k.key_len, k.salt_len);
			hex(sw + k.key_len, k.salt_len);
			printf("\n");
			dtls_srtp_keys_wipe(&k);
			rc = 0;
		}
	} else {
		printf("state=%s error=%s\n", a ? dtls_state_name(dtls_assoc_state(a)) : "new",
		       a ? dtls_assoc_error(a) : "no ClientHello arrived");
	}
	if (a) {
		const struct dtls_stats *st = dtls_assoc_stats(a);

		printf("# stats: rx %llu (ignored %llu) tx %llu retransmits %llu\n",
		       (unsigned long long)st->rx_datagrams,
		       (unsigned long long)st->rx_ignored,
		       (unsigned long long)st->tx_datagrams,
		       (unsigned long long)st->retransmits);
	}
	dtls_assoc_free(a);
	dtls_engine_free(eng);
	dtls_cert_free(cert);
	close(io.fd);
	return rc;
}
