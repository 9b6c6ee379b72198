// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for keyd/dtls*.c: arbitrary datagrams into a fresh
 * association (server with or without cookies, dtls_listen(), or a started
 * client). Input format in fuzz_common.h; seeds are recorded handshakes
 * (test_dtls --corpus). Besides sanitizer findings it checks the engine's
 * invariants: keys only when connected, an error text whenever failed,
 * nothing ever accepted by dtls_listen() without a valid cookie exchange.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/dtls.h"
#include "fuzz_common.h"
#include "fuzz_check.h"

static struct dtls_engine *server_eng, *client_eng;
static struct fp_set right_fps, wrong_fps;
static size_t sent;

static int count_send(void *ctx, const uint8_t *d, size_t len)
{
	(void)ctx;
	FUZZ_CHECK(d && len > 0 && len <= 4096);
	sent++;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t secret[] = FUZZ_COOKIE_SECRET;
	struct dtls_cert *sc, *cc, *other;
	struct fingerprint fp;
	char err[256];

	(void)argc;
	(void)argv;
	sc = dtls_cert_generate("fuzz-server", 0, err, sizeof(err));
	cc = dtls_cert_generate("fuzz-client", 0, err, sizeof(err));
	other = dtls_cert_generate(NULL, 0, err, sizeof(err));
	if (!sc || !cc || !other) {
		fprintf(stderr, "cert: %s\n", err);
		abort();
	}
	server_eng = dtls_engine_new(&(struct dtls_engine_config){
		.cert = sc, .cookie_secret = secret,
		.cookie_secret_len = sizeof(secret) - 1 }, err, sizeof(err));
	client_eng = dtls_engine_new(&(struct dtls_engine_config){ .cert = cc },
				     err, sizeof(err));
	if (!server_eng || !client_eng) {
		fprintf(stderr, "engine: %s\n", err);
		abort();
	}
	/* "right" = the recorded peers' certificates are unknown here, so
	 * both sets exercise the comparison; right_fps uses sha-1 + sha-512
	 */
	fp_set_init(&right_fps);
	dtls_cert_fingerprint_hash(cc, FP_SHA1, &fp);
	fp_set_add(&right_fps, &fp);
	dtls_cert_fingerprint_hash(cc, FP_SHA512, &fp);
	fp_set_add(&right_fps, &fp);
	fp_set_init(&wrong_fps);
	dtls_cert_fingerprint_hash(other, FP_SHA256, &fp);
	fp_set_add(&wrong_fps, &fp);
	dtls_cert_free(sc);
	dtls_cert_free(cc);
	dtls_cert_free(other);
	return 0;
}

static void check_invariants(struct dtls_assoc *a)
{
	struct dtls_srtp_keys k;
	enum dtls_state st = dtls_assoc_state(a);
	int rc = dtls_assoc_get_keys(a, &k, true, NULL);

	FUZZ_CHECK((rc == 0) == (st == DTLS_STATE_CONNECTED));
	if (!rc) {
		const struct dtls_profile_info *pi = dtls_profile_info(k.profile);

		FUZZ_CHECK(pi && k.key_len == pi->key_len && k.salt_len == pi->salt_len);
	}
	if (st == DTLS_STATE_FAILED)
		FUZZ_CHECK(*dtls_assoc_error(a));
	if (st != DTLS_STATE_HANDSHAKING)
		FUZZ_CHECK(dtls_next_timeout_ms(a) == -1);
	dtls_srtp_keys_wipe(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t client_addr[] = FUZZ_CLIENT_ADDR;
	struct dtls_assoc_config cfg = {
		.send = count_send,
		.peer_addr = client_addr,
		.peer_addr_len = sizeof(client_addr),
	};
	struct dtls_assoc *a = NULL;
	unsigned int mode, ev;
	size_t pos = 1, n_dgrams = 0;

	if (!size)
		return 0;
	mode = data[0];
	if (mode & FUZZ_MODE_FP)
		cfg.peer_fps = mode & FUZZ_MODE_FP_WRONG ? &wrong_fps : &right_fps;
	sent = 0;

	switch (mode & 3) {
	case FUZZ_MODE_SERVER:
	case FUZZ_MODE_NO_COOKIE:
		cfg.role = DTLS_ROLE_SERVER;
		cfg.no_cookie = (mode & 3) == FUZZ_MODE_NO_COOKIE;
		a = dtls_assoc_new(server_eng, &cfg, NULL, 0);
		break;
	case FUZZ_MODE_LISTEN:
		break;
	case FUZZ_MODE_CLIENT:
		cfg.role = DTLS_ROLE_CLIENT;
		a = dtls_assoc_new(client_eng, &cfg, NULL, 0);
		if (a)
			dtls_assoc_start(a);
		FUZZ_CHECK(sent == 1);
		break;
	}
	FUZZ_CHECK(a || (mode & 3) == FUZZ_MODE_LISTEN);

	while (pos + 2 <= size && n_dgrams < 64) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		const uint8_t *d = data + pos + 2;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		pos += len;
		n_dgrams++;
		if (!a) {
			size_t before = sent;
			enum dtls_listen_result r;

			r = dtls_listen(server_eng, &cfg, d, len, &a, &ev);
			FUZZ_CHECK((r == DTLS_LISTEN_ACCEPTED) == (a != NULL));
			if (r == DTLS_LISTEN_VERIFY_SENT)
				FUZZ_CHECK(sent == before + 1);
			if (r == DTLS_LISTEN_IGNORED)
				FUZZ_CHECK(sent == before);
			continue;
		}
		ev = dtls_input(a, d, len);
		if (ev & DTLS_EV_IGNORED)
			FUZZ_CHECK(ev == DTLS_EV_IGNORED);
		check_invariants(a);
		dtls_next_timeout_ms(a);
		dtls_on_timeout(a);
	}
	if (a) {
		if (mode & 0x20)
			dtls_assoc_set_peer_fingerprints(a, &wrong_fps);
		check_invariants(a);
		if (mode & 0x10)
			dtls_assoc_close(a);
		else if (mode & 0x08)
			dtls_assoc_restart(a);
		dtls_assoc_free(a);
	}
	return 0;
}
