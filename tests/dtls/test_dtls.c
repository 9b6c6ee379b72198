// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the DTLS-SRTP engine (keyd/dtls*.c): two associations
 * handshake through the in-memory network of netsim.h, with every profile,
 * cookies, fingerprint checks, loss, reordering, duplication, garbage,
 * timeouts, restarts and close_notify.
 *
 *   test_dtls                  run the tests (KTAP)
 *   test_dtls --corpus DIR     write fuzz seeds for fuzz_dtls_input into DIR
 */
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ktap.h"
#include "netsim.h"
#include "fuzz_common.h"

static struct dtls_cert *cert_c, *cert_s;	/* client's, server's */

struct opts {
	const enum dtls_profile *cprof, *sprof;
	size_t n_cprof, n_sprof;
	bool client_knows, server_knows;	/* peer fingerprints up front */
	bool listen, no_cookie;
	unsigned int retransmit_ms, mtu, timeout_ms;
	const uint8_t *cookie_secret;
};

static void fps_of(const struct dtls_cert *c, struct fp_set *set)
{
	struct fingerprint fp;

	fp_set_init(set);
	dtls_cert_fingerprint_hash(c, FP_SHA256, &fp);
	fp_set_add(set, &fp);
}

static struct fp_set fps_client, fps_server, fps_wrong;

static struct dtls_engine *engine(const struct dtls_cert *c,
				  const enum dtls_profile *p, size_t n,
				  const struct opts *o)
{
	char err[256] = "";
	struct dtls_engine_config cfg = {
		.cert = c,
		.profiles = p,
		.n_profiles = n,
		.retransmit_ms = o && o->retransmit_ms ? o->retransmit_ms : 20,
		.handshake_timeout_ms = o && o->timeout_ms ? o->timeout_ms : 10000,
		.mtu = o ? o->mtu : 0,
		.cookie_secret = o ? o->cookie_secret : NULL,
		.cookie_secret_len = o && o->cookie_secret ?
				     strlen((const char *)o->cookie_secret) : 0,
	};
	struct dtls_engine *e = dtls_engine_new(&cfg, err, sizeof(err));

	if (!e)
		ktap_diag("dtls_engine_new: %s", err);
	return e;
}

/* Engines and associations for a client/server pair; client started. */
static bool pair_setup(struct sim *s, const struct opts *o, uint32_t seed)
{
	char err[256] = "";
	struct sim_side *c = &s->side[0], *sv = &s->side[1];

	sim_init(s, seed);
	c->eng = engine(cert_c, o->cprof, o->n_cprof, o);
	sv->eng = engine(cert_s, o->sprof, o->n_sprof, o);
	if (!c->eng || !sv->eng)
		return false;
	if (o->client_knows)
		c->cfg.peer_fps = &fps_server;
	if (o->server_knows)
		sv->cfg.peer_fps = &fps_client;
	sv->cfg.no_cookie = o->no_cookie;
	sv->listen = o->listen;
	c->a = dtls_assoc_new(c->eng, &c->cfg, err, sizeof(err));
	if (!c->a) {
		ktap_diag("client assoc: %s", err);
		return false;
	}
	if (!o->listen) {
		sv->a = dtls_assoc_new(sv->eng, &sv->cfg, err, sizeof(err));
		if (!sv->a) {
			ktap_diag("server assoc: %s", err);
			return false;
		}
		dtls_assoc_start(sv->a);	/* a no-op for servers */
	}
	c->events |= dtls_assoc_start(c->a);
	return true;
}

static void pair_free(struct sim *s)
{
	sim_free(s);
	dtls_engine_free(s->side[0].eng);
	dtls_engine_free(s->side[1].eng);
}

static void show(const struct sim *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct sim_side *sd = &s->side[i];

		ktap_diag("%s: state %s verify %s events %#x error \"%s\" sent %u",
			  sd->name, sd->a ? dtls_state_name(dtls_assoc_state(sd->a)) : "-",
			  sd->a ? dtls_verify_name(dtls_assoc_verify_state(sd->a)) : "-",
			  sd->events, sd->a ? dtls_assoc_error(sd->a) : "", sd->sent);
		if (sd->fail_pkt.data) {
			char hex[3 * 48 + 1] = "";
			size_t j;

			for (j = 0; j < sd->fail_pkt.len && j < 48; j++)
				sprintf(hex + 3 * j, "%02x ", sd->fail_pkt.data[j]);
			ktap_diag("%s failed on a %zu-byte datagram: %s", sd->name,
				  sd->fail_pkt.len, hex);
		}
	}
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* Both ends derived the same keys with TX and RX crossed. */
static void expect_crossed_keys(struct sim *s, enum dtls_profile want,
				bool allow_unverified)
{
	const struct dtls_profile_info *pi = dtls_profile_info(want);
	struct dtls_srtp_keys kc, ks;
	const char *why = NULL;
	size_t n;

	KTAP_ASSERT(pi);
	if (!KTAP_EXPECT_EQ(dtls_assoc_get_keys(s->side[0].a, &kc, allow_unverified, &why), 0))
		ktap_diag("client keys: %s", why);
	if (!KTAP_EXPECT_EQ(dtls_assoc_get_keys(s->side[1].a, &ks, allow_unverified, &why), 0)) {
		ktap_diag("server keys: %s", why);
		return;
	}
	n = (size_t)pi->key_len + pi->salt_len;
	KTAP_EXPECT_EQ(kc.profile, want);
	KTAP_EXPECT_EQ(ks.profile, want);
	KTAP_EXPECT_EQ(dtls_assoc_profile(s->side[0].a), want);
	KTAP_EXPECT(!strcmp(kc.suite, pi->suite));
	KTAP_EXPECT(!strcmp(ks.profile_name, pi->openssl_name));
	KTAP_EXPECT_EQ(kc.key_len, pi->key_len);
	KTAP_EXPECT_EQ(ks.salt_len, pi->salt_len);
	KTAP_EXPECT_EQ(kc.role, DTLS_ROLE_CLIENT);
	KTAP_EXPECT_EQ(ks.role, DTLS_ROLE_SERVER);
	KTAP_EXPECT(!memcmp(kc.tx, ks.rx, n));
	KTAP_EXPECT(!memcmp(kc.rx, ks.tx, n));
	KTAP_EXPECT(memcmp(kc.tx, kc.rx, n) != 0);
	KTAP_EXPECT(!all_zero(kc.tx, pi->key_len));
	KTAP_EXPECT(!all_zero(kc.tx + pi->key_len, pi->salt_len));
	KTAP_EXPECT(all_zero(kc.tx + n, DTLS_KEYSALT_MAX - n));
	dtls_srtp_keys_wipe(&kc);
	dtls_srtp_keys_wipe(&ks);
	KTAP_EXPECT(all_zero(&kc, sizeof(kc)));
}

/* Datagram helpers: first handshake type of a datagram's first record. */
static int hs_type(const struct sim_pkt *p)
{
	if (p->len < 13 + 12 || p->data[0] != 22 || p->data[3] || p->data[4])
		return -1;
	return p->data[13];
}

/* ---------------------------------------------------------------- tests */

static void test_profile_table(void)
{
	static const char *names[][3] = {
		{ "SRTP_AES128_CM_SHA1_80", "SRTP_AES128_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80" },
		{ "SRTP_AES128_CM_SHA1_32", "SRTP_AES128_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32" },
		{ "SRTP_AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM" },
		{ "SRTP_AEAD_AES_256_GCM", "SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM" },
	};
	static const uint8_t lens[][3] = {
		{ 0x01, 16, 14 }, { 0x02, 16, 14 }, { 0x07, 16, 12 }, { 0x08, 32, 12 },
	};
	size_t i, j;

	for (i = 0; i < 4; i++) {
		const struct dtls_profile_info *pi = dtls_profile_info(lens[i][0]);

		KTAP_ASSERT(pi);
		KTAP_EXPECT_EQ(pi->key_len, lens[i][1]);
		KTAP_EXPECT_EQ(pi->salt_len, lens[i][2]);
		for (j = 0; j < 3; j++)
			KTAP_EXPECT(dtls_profile_by_name(names[i][j]) == pi);
		/* exporter length: 60, 60, 56, 88 */
		KTAP_EXPECT_EQ(2 * (pi->key_len + pi->salt_len),
			       i < 2 ? 60 : i == 2 ? 56 : 88);
	}
	KTAP_EXPECT(!dtls_profile_info(DTLS_PROFILE_NONE));
	KTAP_EXPECT(!dtls_profile_info(0x0005));	/* NULL profiles: not offered */
	KTAP_EXPECT(!dtls_profile_by_name("srtp_aes128_cm_sha1_80"));
	KTAP_EXPECT(!dtls_profile_by_name(NULL));
}

static void test_cert_generate(void)
{
	struct dtls_cert *c;
	struct fingerprint fp, fp2;
	char err[128], pem[4096];
	const char *s;
	BIO *b;
	X509 *x;
	EVP_PKEY *k;
	char name[64];
	int h;

	c = dtls_cert_generate(NULL, 0, err, sizeof(err));
	KTAP_ASSERT(c);
	s = dtls_cert_fingerprint(c);
	/* "sha-256 " + 32 hex pairs with colons */
	KTAP_EXPECT_EQ(strlen(s), 8 + 95);
	KTAP_EXPECT(!strncmp(s, "sha-256 ", 8));
	KTAP_EXPECT_EQ(fp_parse(s, strlen(s), &fp, NULL), FP_OK);
	KTAP_EXPECT(dtls_cert_fingerprint_hash(c, FP_SHA256, &fp2) == 0 && fp_equal(&fp, &fp2));
	for (h = FP_SHA1; h < FP_HASH_COUNT; h++) {
		KTAP_EXPECT_EQ(dtls_cert_fingerprint_hash(c, (enum fp_hash)h, &fp2), 0);
		KTAP_EXPECT_EQ(fp2.len, fp_hash_len((enum fp_hash)h));
	}
	/* a different certificate each time */
	KTAP_EXPECT(strcmp(s, dtls_cert_fingerprint(cert_c)) != 0);

	KTAP_ASSERT_EQ(dtls_cert_pem(c, pem, sizeof(pem)), 0);
	KTAP_EXPECT(!strncmp(pem, "-----BEGIN CERTIFICATE-----", 27));
	KTAP_EXPECT_EQ(dtls_cert_pem(c, pem, 100), -1);
	KTAP_ASSERT_EQ(dtls_cert_pem(c, pem, sizeof(pem)), 0);
	b = BIO_new_mem_buf(pem, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	KTAP_ASSERT(x);
	k = X509_get0_pubkey(x);
	KTAP_EXPECT(k && EVP_PKEY_is_a(k, "EC"));
	KTAP_EXPECT(EVP_PKEY_get_group_name(k, name, sizeof(name), NULL) &&
		    !strcmp(name, "prime256v1"));
	KTAP_EXPECT_EQ(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	KTAP_EXPECT_EQ(X509_get_version(x), X509_VERSION_3);
	KTAP_EXPECT_EQ(X509_verify(x, k), 1);		/* self-signed */
	KTAP_EXPECT(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	KTAP_EXPECT(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	X509_NAME_oneline(X509_get_subject_name(x), name, sizeof(name));
	KTAP_EXPECT(!strncmp(name, "/CN=ksrtp-", 10) && strlen(name) == 10 + 16);
	X509_free(x);
	dtls_cert_free(c);

	c = dtls_cert_generate("alice", 1, err, sizeof(err));
	KTAP_ASSERT(c);
	dtls_cert_free(c);
	KTAP_EXPECT(!dtls_cert_load_pem("/nonexistent/c.pem", "/nonexistent/k.pem",
					err, sizeof(err)));
	KTAP_EXPECT(strstr(err, "cannot open") != NULL);
}

static void handshake_profile(enum dtls_profile p)
{
	struct opts o = { .cprof = &p, .n_cprof = 1, .client_knows = true,
			  .server_knows = true };
	struct fingerprint fp;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 1));
	if (!KTAP_EXPECT(sim_run(&s, 5000)))
		show(&s);
	/* the server engine keeps its default list: the client's one profile wins */
	expect_crossed_keys(&s, p, false);
	KTAP_EXPECT_EQ(s.side[0].events & (DTLS_EV_CONNECTED | DTLS_EV_VERIFIED | DTLS_EV_FAILED),
		       DTLS_EV_CONNECTED | DTLS_EV_VERIFIED);
	KTAP_EXPECT_EQ(s.side[1].events & (DTLS_EV_CONNECTED | DTLS_EV_VERIFIED | DTLS_EV_FAILED),
		       DTLS_EV_CONNECTED | DTLS_EV_VERIFIED);
	/* stateful cookie: the server's first datagram is a HelloVerifyRequest */
	KTAP_EXPECT_EQ(hs_type(&s.side[1].log[0]), 3);
	KTAP_EXPECT_EQ(hs_type(&s.side[0].log[0]), 1);
	/* each side saw the other's certificate */
	KTAP_EXPECT(dtls_assoc_peer_fingerprint(s.side[0].a, FP_SHA256, &fp) == 0 &&
		    fp_equal(&fp, &fps_server.fp[0]));
	KTAP_EXPECT(dtls_assoc_peer_fingerprint(s.side[1].a, FP_SHA256, &fp) == 0 &&
		    fp_equal(&fp, &fps_client.fp[0]));
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(s.side[0].a), -1);
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(s.side[1].a), -1);
	KTAP_EXPECT_EQ(dtls_assoc_stats(s.side[0].a)->handshakes, 1);
	KTAP_EXPECT(!*dtls_assoc_error(s.side[0].a));
	pair_free(&s);
}

static void test_handshake_aes_cm_80(void)
{
	handshake_profile(DTLS_PROFILE_AES128_CM_SHA1_80);
}

static void test_handshake_aes_cm_32(void)
{
	handshake_profile(DTLS_PROFILE_AES128_CM_SHA1_32);
}

static void test_handshake_gcm_128(void)
{
	handshake_profile(DTLS_PROFILE_AEAD_AES_128_GCM);
}

static void test_handshake_gcm_256(void)
{
	handshake_profile(DTLS_PROFILE_AEAD_AES_256_GCM);
}

/* Stateless cookies: nothing exists on the server until the second hello. */
static void test_listen_stateless_cookie(void)
{
	struct opts o = { .listen = true, .client_knows = true, .server_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 2));
	KTAP_EXPECT(!s.side[1].a);
	/* deliver just the first ClientHello */
	KTAP_ASSERT_EQ(s.side[1].n_inbox, 1);
	s.side[1].n_inbox = 0;
	sim_deliver(&s, 1, s.side[1].inbox[0].data, s.side[1].inbox[0].len);
	free(s.side[1].inbox[0].data);
	KTAP_EXPECT_EQ(s.side[1].verify_sent, 1);
	KTAP_EXPECT(!s.side[1].a);
	KTAP_EXPECT_EQ(hs_type(&s.side[1].log[0]), 3);
	if (!KTAP_EXPECT(sim_run(&s, 5000)))
		show(&s);
	KTAP_EXPECT_EQ(s.side[1].verify_sent, 1);
	expect_crossed_keys(&s, DTLS_DEFAULT_PROFILES[0], false);
	pair_free(&s);
}

static void test_no_cookie(void)
{
	struct opts o = { .no_cookie = true, .client_knows = true, .server_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 3));
	if (!KTAP_EXPECT(sim_run(&s, 5000)))
		show(&s);
	KTAP_EXPECT_EQ(hs_type(&s.side[1].log[0]), 2);	/* ServerHello at once */
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	pair_free(&s);
}

/* A cookie is good only for the address it was made for, and survives one
 * secret rotation but not two.
 */
static void test_cookie_binding(void)
{
	struct opts o = { .listen = true };
	struct dtls_assoc_config cfg;
	struct dtls_assoc *a = NULL;
	struct sim_pkt hello2 = { 0 };
	uint8_t other[8] = { 10, 0, 0, 9, 1 };
	unsigned int ev;
	struct sim s;
	size_t i;

	KTAP_ASSERT(pair_setup(&s, &o, 4));
	KTAP_EXPECT(sim_run(&s, 5000));
	for (i = 0; i < s.side[0].n_log; i++)
		if (hs_type(&s.side[0].log[i]) == 1)
			sim_pkt_set(&hello2, s.side[0].log[i].data, s.side[0].log[i].len);
	KTAP_ASSERT(hello2.data);		/* the last ClientHello: with cookie */
	KTAP_EXPECT(dtls_is_client_hello(hello2.data, hello2.len));

	cfg = s.side[1].cfg;
	cfg.peer_addr = other;
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, hello2.data, hello2.len, &a, &ev),
		       DTLS_LISTEN_VERIFY_SENT);
	KTAP_EXPECT(!a);
	cfg.peer_addr_len = 4;
	cfg.peer_addr = s.side[0].addr;		/* right bytes, wrong length */
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, hello2.data, hello2.len, &a, &ev),
		       DTLS_LISTEN_VERIFY_SENT);
	cfg = s.side[1].cfg;
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, hello2.data, hello2.len, &a, &ev),
		       DTLS_LISTEN_ACCEPTED);
	dtls_assoc_free(a);
	a = NULL;
	dtls_engine_rotate_cookie_secret(s.side[1].eng);
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, hello2.data, hello2.len, &a, &ev),
		       DTLS_LISTEN_ACCEPTED);
	dtls_assoc_free(a);
	a = NULL;
	dtls_engine_rotate_cookie_secret(s.side[1].eng);
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, hello2.data, hello2.len, &a, &ev),
		       DTLS_LISTEN_VERIFY_SENT);
	KTAP_EXPECT(!a);
	/* not a ClientHello at all */
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, s.side[1].log[1].data,
				   s.side[1].log[1].len, &a, &ev), DTLS_LISTEN_IGNORED);
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &cfg, (const uint8_t *)"\x80\x00", 2, &a, &ev),
		       DTLS_LISTEN_IGNORED);
	free(hello2.data);
	pair_free(&s);
}

/* As the server, our order decides (RFC 5764 §4.1.1; what OpenSSL does). */
static void test_profile_preference(void)
{
	static const enum dtls_profile a[] = { DTLS_PROFILE_AES128_CM_SHA1_80,
					       DTLS_PROFILE_AEAD_AES_256_GCM };
	static const enum dtls_profile b[] = { DTLS_PROFILE_AEAD_AES_256_GCM,
					       DTLS_PROFILE_AES128_CM_SHA1_80 };
	struct opts o = { .cprof = a, .n_cprof = 2, .sprof = b, .n_sprof = 2,
			  .client_knows = true, .server_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 5));
	KTAP_EXPECT(sim_run(&s, 5000));
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	pair_free(&s);

	o.cprof = b;
	o.sprof = a;
	KTAP_ASSERT(pair_setup(&s, &o, 5));
	KTAP_EXPECT(sim_run(&s, 5000));
	expect_crossed_keys(&s, DTLS_PROFILE_AES128_CM_SHA1_80, false);
	pair_free(&s);
}

static void test_no_common_profile(void)
{
	static const enum dtls_profile cm80 = DTLS_PROFILE_AES128_CM_SHA1_80;
	static const enum dtls_profile gcm[] = { DTLS_PROFILE_AEAD_AES_128_GCM,
						 DTLS_PROFILE_AEAD_AES_256_GCM };
	struct opts o = { .cprof = &cm80, .n_cprof = 1, .sprof = gcm, .n_sprof = 2,
			  .client_knows = true, .server_knows = true };
	struct dtls_srtp_keys k;
	const char *why;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 6));
	KTAP_EXPECT(!sim_run(&s, 3000));
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_FAILED);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_FAILED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[1].a), "no SRTP profile in common"));
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "handshake failure"));
	KTAP_EXPECT(s.side[0].events & DTLS_EV_FAILED);
	KTAP_EXPECT(!(s.side[0].events & DTLS_EV_CONNECTED));
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[0].a, &k, true, &why), -1);
	KTAP_EXPECT(why && strstr(why, "not connected"));
	show(&s);
	pair_free(&s);
}

/* The server knows the client's fingerprint and it is wrong. */
static void test_mismatch_at_server(void)
{
	struct opts o = { .client_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 7));
	s.side[1].cfg.peer_fps = &fps_wrong;
	dtls_assoc_free(s.side[1].a);
	s.side[1].a = dtls_assoc_new(s.side[1].eng, &s.side[1].cfg, NULL, 0);
	KTAP_ASSERT(s.side[1].a);
	KTAP_EXPECT(!sim_run(&s, 3000));
	show(&s);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_FAILED);
	KTAP_EXPECT_EQ(dtls_assoc_verify_state(s.side[1].a), DTLS_VERIFY_MISMATCH);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[1].a), "fingerprint mismatch"));
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_FAILED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "peer sent alert: bad certificate"));
	KTAP_EXPECT(!((s.side[0].events | s.side[1].events) & DTLS_EV_CONNECTED));
	pair_free(&s);
}

static void test_mismatch_at_client(void)
{
	struct opts o = { .server_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 8));
	KTAP_EXPECT_EQ(dtls_assoc_set_peer_fingerprints(s.side[0].a, &fps_wrong), 0);
	KTAP_EXPECT(!sim_run(&s, 3000));
	show(&s);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_FAILED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "fingerprint mismatch"));
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "sha-256"));
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_FAILED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[1].a), "bad certificate"));
	pair_free(&s);
}

/* Early media: connected before the answer; keys held back until verified. */
static void test_late_verify(void)
{
	struct opts o = { 0 };
	struct dtls_srtp_keys k;
	const char *why = NULL;
	unsigned int ev;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 9));
	KTAP_EXPECT(sim_run(&s, 5000));
	KTAP_EXPECT_EQ(s.side[1].events & (DTLS_EV_CONNECTED | DTLS_EV_VERIFIED),
		       DTLS_EV_CONNECTED);
	KTAP_EXPECT_EQ(dtls_assoc_verify_state(s.side[1].a), DTLS_VERIFY_PENDING);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &k, false, &why), -1);
	KTAP_EXPECT(why && strstr(why, "not verified"));
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &k, true, NULL), 0);
	KTAP_EXPECT(!k.verified);
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, true);

	/* the answer arrives */
	ev = dtls_assoc_set_peer_fingerprints(s.side[1].a, &fps_client);
	KTAP_EXPECT_EQ(ev, DTLS_EV_VERIFIED);
	KTAP_EXPECT_EQ(dtls_assoc_set_peer_fingerprints(s.side[1].a, &fps_client), 0);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &k, false, NULL), 0);
	KTAP_EXPECT(k.verified);
	ev = dtls_assoc_set_peer_fingerprints(s.side[0].a, &fps_server);
	KTAP_EXPECT_EQ(ev, DTLS_EV_VERIFIED);
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	dtls_srtp_keys_wipe(&k);
	pair_free(&s);
}

/* The answer's fingerprint is not the certificate we saw: tear down. */
static void test_late_mismatch(void)
{
	struct opts o = { 0 };
	struct dtls_srtp_keys k;
	unsigned int ev;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 10));
	KTAP_EXPECT(sim_run(&s, 5000));
	ev = dtls_assoc_set_peer_fingerprints(s.side[1].a, &fps_wrong);
	KTAP_EXPECT_EQ(ev, DTLS_EV_FAILED);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_FAILED);
	KTAP_EXPECT_EQ(dtls_assoc_verify_state(s.side[1].a), DTLS_VERIFY_MISMATCH);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[1].a), "fingerprint mismatch"));
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &k, true, NULL), -1);
	KTAP_EXPECT(all_zero(&k, sizeof(k)));
	/* the close_notify reaches the client */
	sim_run(&s, 1000);
	KTAP_EXPECT(s.side[0].events & DTLS_EV_CLOSED);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_CLOSED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "close_notify"));
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[0].a, &k, true, NULL), -1);
	/* later fingerprints change nothing */
	KTAP_EXPECT_EQ(dtls_assoc_set_peer_fingerprints(s.side[1].a, &fps_client), 0);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_FAILED);
	pair_free(&s);
}

/* Several a=fingerprint lines: the strongest hash decides (RFC 8122 §5). */
static void test_fingerprint_sets(void)
{
	struct fingerprint f1, f512, bad256;
	struct fp_set good, bad;
	struct opts o = { 0 };
	struct sim s;

	dtls_cert_fingerprint_hash(cert_s, FP_SHA1, &f1);
	dtls_cert_fingerprint_hash(cert_s, FP_SHA512, &f512);
	bad256 = fps_wrong.fp[0];
	fp_set_init(&good);
	fp_set_add(&good, &f1);
	fp_set_add(&good, &f512);
	fp_set_add(&good, &bad256);	/* weaker than sha-512: not consulted */
	fp_set_init(&bad);
	fp_set_add(&bad, &f1);
	fp_set_add(&bad, &bad256);	/* sha-256 beats the right sha-1 */

	KTAP_ASSERT(pair_setup(&s, &o, 11));
	dtls_assoc_set_peer_fingerprints(s.side[0].a, &good);
	KTAP_EXPECT(sim_run(&s, 5000));
	KTAP_EXPECT(s.side[0].events & DTLS_EV_VERIFIED);
	pair_free(&s);

	KTAP_ASSERT(pair_setup(&s, &o, 12));
	dtls_assoc_set_peer_fingerprints(s.side[0].a, &bad);
	KTAP_EXPECT(!sim_run(&s, 3000));
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "fingerprint mismatch"));
	pair_free(&s);

	/* only sha-1 given: accepted */
	fp_set_init(&good);
	fp_set_add(&good, &f1);
	KTAP_ASSERT(pair_setup(&s, &o, 13));
	dtls_assoc_set_peer_fingerprints(s.side[0].a, &good);
	KTAP_EXPECT(sim_run(&s, 5000));
	KTAP_EXPECT_EQ(dtls_assoc_verify_state(s.side[0].a), DTLS_VERIFY_OK);
	pair_free(&s);
}

/* Losses: the first flights vanish, then 30% at random; timers recover. */
static void test_loss_retransmit(void)
{
	struct opts o = { .client_knows = true, .server_knows = true,
			  .retransmit_ms = 20 };
	unsigned int seed, ok = 0, retx = 0;
	struct sim s;

	for (seed = 1; seed <= 4; seed++) {
		KTAP_ASSERT(pair_setup(&s, &o, seed * 7919));
		s.side[0].drop_first = 2;
		s.side[1].drop_first = 1;
		s.side[0].drop_pct = 30;
		s.side[1].drop_pct = 30;
		if (sim_run(&s, 8000)) {
			ok++;
			expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
		} else {
			show(&s);
		}
		retx += (unsigned int)(dtls_assoc_stats(s.side[0].a)->retransmits +
				       (s.side[1].a ? dtls_assoc_stats(s.side[1].a)->retransmits : 0));
		pair_free(&s);
	}
	KTAP_EXPECT_EQ(ok, 4);
	KTAP_EXPECT(retx >= 4);
	ktap_diag("4 lossy handshakes, %u retransmissions", retx);
}

/* Tiny MTU (fragmented certificate flights), every datagram twice, and each
 * batch delivered backwards.
 */
static void test_reorder_duplicate_fragment(void)
{
	struct opts o = { .client_knows = true, .server_knows = true, .mtu = 256,
			  .listen = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 14));
	s.reorder = true;
	s.side[0].duplicate = true;
	s.side[1].duplicate = true;
	if (!KTAP_EXPECT(sim_run(&s, 8000)))
		show(&s);
	KTAP_EXPECT(s.side[0].max_len <= 256);
	KTAP_EXPECT(s.side[1].max_len <= 256);
	KTAP_EXPECT(s.side[1].sent >= 4);	/* the flights were split */
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	ktap_diag("mtu 256: client sent %u, server sent %u datagrams",
		  s.side[0].sent, s.side[1].sent);
	pair_free(&s);
}

/* Garbage before every real datagram: random bytes, truncations, huge,
 * empty, RTP/STUN-looking, record headers with random bodies.
 */
static void inject_garbage(struct sim *s, int to, const struct sim_pkt *p)
{
	static uint8_t big[70000];
	uint8_t g[512];
	size_t i, n;

	/* truncated copies of the real datagram */
	for (n = 0; n < p->len; n += 1 + p->len / 7)
		sim_deliver(s, to, p->data, n);
	/* random junk of random length */
	for (i = 0; i < 4; i++) {
		n = sim_rand(s) % sizeof(g);
		for (size_t j = 0; j < n; j++)
			g[j] = (uint8_t)sim_rand(s);
		sim_deliver(s, to, g, n);
		/* with a DTLS record header: epoch 0 or 1, types 20..23 */
		if (n >= 13) {
			g[0] = (uint8_t)(20 + sim_rand(s) % 4);
			g[1] = 0xfe;
			g[2] = 0xfd;
			g[3] = 0;
			g[4] = (uint8_t)(sim_rand(s) % 2);
			g[11] = (uint8_t)((n - 13) >> 8);
			g[12] = (uint8_t)(n - 13);
			sim_deliver(s, to, g, n);
		}
	}
	/* the real datagram with a bad length field */
	if (p->len >= 13 && p->len < sizeof(g)) {
		memcpy(g, p->data, p->len);
		g[12] ^= 0x01;
		sim_deliver(s, to, g, p->len);
	}
	/* the real datagram plus trailing junk */
	if (p->len + 3 < sizeof(g)) {
		memcpy(g, p->data, p->len);
		memcpy(g + p->len, "\x16\xfe", 2);
		sim_deliver(s, to, g, p->len + 2);
	}
	memset(big, 0x16, sizeof(big));
	sim_deliver(s, to, big, sizeof(big));
	sim_deliver(s, to, (const uint8_t *)"\x80\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01", 12);
	sim_deliver(s, to, (const uint8_t *)"\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
	sim_deliver(s, to, NULL, 0);
}

static void test_garbage_during_handshake(void)
{
	struct opts o = { .client_knows = true, .server_knows = true };
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 15));
	s.before_deliver = inject_garbage;
	if (!KTAP_EXPECT(sim_run(&s, 8000)))
		show(&s);
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	KTAP_EXPECT(dtls_assoc_stats(s.side[0].a)->rx_ignored > 10);
	KTAP_EXPECT(dtls_assoc_stats(s.side[1].a)->rx_ignored > 10);
	ktap_diag("ignored: client %llu, server %llu",
		  (unsigned long long)dtls_assoc_stats(s.side[0].a)->rx_ignored,
		  (unsigned long long)dtls_assoc_stats(s.side[1].a)->rx_ignored);
	/* and after the handshake too */
	s.before_deliver = NULL;
	{
		struct sim_pkt fake = { .data = s.side[0].log[0].data, .len = s.side[0].log[0].len };

		inject_garbage(&s, 0, &fake);
		inject_garbage(&s, 1, &fake);
	}
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_CONNECTED);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_CONNECTED);
	pair_free(&s);
}

/* Random datagrams at fresh associations: no crash, nothing created. */
static void test_garbage_fresh(void)
{
	struct opts o = { .listen = true };
	struct sim s;
	uint8_t g[1500];
	int i;

	KTAP_ASSERT(pair_setup(&s, &o, 16));
	s.side[1].a = dtls_assoc_new(s.side[1].eng, &s.side[1].cfg, NULL, 0);
	KTAP_ASSERT(s.side[1].a);
	for (i = 0; i < 3000; i++) {
		size_t n = sim_rand(&s) % sizeof(g), j;
		struct dtls_assoc *a = NULL;
		unsigned int ev;

		for (j = 0; j < n; j++)
			g[j] = (uint8_t)sim_rand(&s);
		if (n && i % 2)
			g[0] = 22;
		if (n > 2 && i % 3 == 0) {
			g[1] = 0xfe;
			g[2] = 0xfd;
		}
		KTAP_EXPECT_EQ(dtls_input(s.side[1].a, g, n), DTLS_EV_IGNORED);
		dtls_input(s.side[0].a, g, n);
		KTAP_EXPECT(dtls_listen(s.side[1].eng, &s.side[1].cfg, g, n, &a, &ev) !=
			    DTLS_LISTEN_ACCEPTED);
		dtls_assoc_free(a);
	}
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_NEW);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_HANDSHAKING);
	KTAP_EXPECT_EQ(dtls_assoc_stats(s.side[1].a)->tx_datagrams, 0);
	/* the real hello still works afterwards */
	KTAP_EXPECT(sim_run(&s, 5000));
	pair_free(&s);
}

/* Nobody answers: retransmissions back off, then "handshake timeout". */
static void test_handshake_timeout(void)
{
	struct opts o = { .retransmit_ms = 20, .timeout_ms = 400 };
	uint64_t t0 = sim_now_ms();
	long t;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 17));
	s.side[0].blackhole = true;
	free(s.side[1].inbox[0].data);		/* the first hello is lost too */
	s.side[1].n_inbox = 0;
	t = dtls_next_timeout_ms(s.side[0].a);
	KTAP_EXPECT(t >= 0 && t <= 20);
	KTAP_EXPECT_EQ(dtls_on_timeout(s.side[0].a), 0);	/* early: nothing */
	while (dtls_assoc_state(s.side[0].a) == DTLS_STATE_HANDSHAKING &&
	       sim_now_ms() - t0 < 3000) {
		sim_sleep_ms(dtls_next_timeout_ms(s.side[0].a));
		s.side[0].events |= dtls_on_timeout(s.side[0].a);
	}
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_FAILED);
	KTAP_EXPECT(strstr(dtls_assoc_error(s.side[0].a), "handshake timeout"));
	KTAP_EXPECT(s.side[0].events & DTLS_EV_FAILED);
	KTAP_EXPECT(dtls_assoc_stats(s.side[0].a)->retransmits >= 3);
	/* 20+40+80+160 ms: 4 resends before the 400 ms deadline */
	KTAP_EXPECT(dtls_assoc_stats(s.side[0].a)->retransmits <= 5);
	KTAP_EXPECT(sim_now_ms() - t0 >= 390);
	KTAP_EXPECT(sim_now_ms() - t0 < 2000);
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(s.side[0].a), -1);
	if (!KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_NEW))
		show(&s);
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(s.side[1].a), -1);
	ktap_diag("timed out after %llu ms, %llu retransmissions, error \"%s\"",
		  (unsigned long long)(sim_now_ms() - t0),
		  (unsigned long long)dtls_assoc_stats(s.side[0].a)->retransmits,
		  dtls_assoc_error(s.side[0].a));
	pair_free(&s);
}

/* Make-before-break rekey: the client restarts, the connected server says
 * NEW_HANDSHAKE, a second server association takes it; old keys stay
 * usable until it is freed. A late copy of the old hello is ignored.
 */
static void test_rekey_new_association(void)
{
	struct opts o = { .client_knows = true, .server_knows = true };
	struct dtls_srtp_keys old_s, new_s, new_c;
	struct dtls_assoc *old, *a = NULL;
	struct sim_pkt first = { 0 };
	unsigned int ev;
	struct sim s;
	size_t i;

	KTAP_ASSERT(pair_setup(&s, &o, 18));
	KTAP_ASSERT(sim_run(&s, 5000));
	for (i = 0; i < s.side[0].n_log; i++)
		if (hs_type(&s.side[0].log[i]) == 1)
			sim_pkt_set(&first, s.side[0].log[i].data, s.side[0].log[i].len);
	KTAP_ASSERT(first.data);
	KTAP_EXPECT_EQ(dtls_input(s.side[1].a, first.data, first.len), DTLS_EV_IGNORED);
	KTAP_ASSERT_EQ(dtls_assoc_get_keys(s.side[1].a, &old_s, false, NULL), 0);

	KTAP_EXPECT_EQ(dtls_assoc_restart(s.side[0].a), 0);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_HANDSHAKING);
	KTAP_EXPECT_EQ(dtls_assoc_stats(s.side[0].a)->handshakes, 2);
	/* deliver the new ClientHello by hand */
	KTAP_ASSERT_EQ(s.side[1].n_inbox, 1);
	s.side[1].n_inbox = 0;
	ev = dtls_input(s.side[1].a, s.side[1].inbox[0].data, s.side[1].inbox[0].len);
	KTAP_EXPECT_EQ(ev, DTLS_EV_NEW_HANDSHAKE);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_CONNECTED);
	/* keyd: a new association via dtls_listen (HelloVerifyRequest first) */
	KTAP_EXPECT_EQ(dtls_listen(s.side[1].eng, &s.side[1].cfg, s.side[1].inbox[0].data,
				   s.side[1].inbox[0].len, &a, &ev), DTLS_LISTEN_VERIFY_SENT);
	free(s.side[1].inbox[0].data);
	old = s.side[1].a;
	s.side[1].a = NULL;
	s.side[1].listen = true;
	KTAP_EXPECT(sim_run(&s, 5000));
	KTAP_ASSERT(s.side[1].a);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &new_s, false, NULL), 0);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[0].a, &new_c, false, NULL), 0);
	KTAP_EXPECT(!memcmp(new_c.tx, new_s.rx, sizeof(new_s.rx)));
	KTAP_EXPECT(memcmp(new_s.rx, old_s.rx, sizeof(new_s.rx)) != 0);
	/* the old association still holds its keys (make-before-break) */
	KTAP_EXPECT_EQ(dtls_assoc_state(old), DTLS_STATE_CONNECTED);
	dtls_assoc_free(old);
	dtls_srtp_keys_wipe(&old_s);
	dtls_srtp_keys_wipe(&new_s);
	dtls_srtp_keys_wipe(&new_c);
	free(first.data);
	pair_free(&s);
}

/* Break-before-make: the server restarts in place and takes the new hello. */
static void test_restart_in_place(void)
{
	struct opts o = { .client_knows = true, .server_knows = true, .no_cookie = true };
	struct dtls_srtp_keys k1, k2;
	struct sim s;
	unsigned int ev;

	KTAP_ASSERT(pair_setup(&s, &o, 19));
	KTAP_ASSERT(sim_run(&s, 5000));
	KTAP_ASSERT_EQ(dtls_assoc_get_keys(s.side[0].a, &k1, false, NULL), 0);
	dtls_assoc_restart(s.side[0].a);
	KTAP_ASSERT_EQ(s.side[1].n_inbox, 1);
	s.side[1].n_inbox = 0;
	ev = dtls_input(s.side[1].a, s.side[1].inbox[0].data, s.side[1].inbox[0].len);
	KTAP_EXPECT_EQ(ev, DTLS_EV_NEW_HANDSHAKE);
	KTAP_EXPECT_EQ(dtls_assoc_restart(s.side[1].a), 0);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_NEW);
	dtls_input(s.side[1].a, s.side[1].inbox[0].data, s.side[1].inbox[0].len);
	free(s.side[1].inbox[0].data);
	KTAP_EXPECT(sim_run(&s, 5000));
	KTAP_ASSERT_EQ(dtls_assoc_get_keys(s.side[0].a, &k2, false, NULL), 0);
	KTAP_EXPECT(memcmp(k1.tx, k2.tx, sizeof(k1.tx)) != 0);
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	KTAP_EXPECT_EQ(dtls_assoc_stats(s.side[1].a)->handshakes, 2);
	dtls_srtp_keys_wipe(&k1);
	dtls_srtp_keys_wipe(&k2);
	pair_free(&s);
}

static void test_close_notify(void)
{
	struct opts o = { .client_knows = true, .server_knows = true };
	struct dtls_srtp_keys k;
	struct sim s;

	KTAP_ASSERT(pair_setup(&s, &o, 20));
	KTAP_ASSERT(sim_run(&s, 5000));
	dtls_assoc_close(s.side[0].a);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[0].a), DTLS_STATE_CLOSED);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[0].a, &k, true, NULL), -1);
	sim_run(&s, 1000);
	KTAP_EXPECT(s.side[1].events & DTLS_EV_CLOSED);
	KTAP_EXPECT_EQ(dtls_assoc_state(s.side[1].a), DTLS_STATE_CLOSED);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(s.side[1].a, &k, true, NULL), -1);
	/* closed associations ignore everything */
	KTAP_EXPECT_EQ(dtls_input(s.side[1].a, s.side[0].log[0].data, s.side[0].log[0].len),
		       DTLS_EV_IGNORED);
	dtls_assoc_close(s.side[0].a);		/* twice is fine */
	pair_free(&s);
}

/* A peer with an RSA certificate loaded from PEM files (ECDHE-RSA). */
static void test_rsa_peer(void)
{
	char cpath[] = "/tmp/ksrtp-dtls-rsa-XXXXXX", kpath[64], err[256] = "";
	struct dtls_cert *rsa;
	struct fp_set set;
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	FILE *f;
	int fd;
	struct opts o = { 0 };
	struct sim s;

	KTAP_ASSERT(k && x);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"rsa-peer", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	KTAP_ASSERT(X509_sign(x, k, EVP_sha256()) > 0);
	fd = mkstemp(cpath);
	KTAP_ASSERT(fd >= 0);
	close(fd);
	snprintf(kpath, sizeof(kpath), "%s.key", cpath);
	f = fopen(cpath, "w");
	KTAP_ASSERT(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(kpath, "w");
	KTAP_ASSERT(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	rsa = dtls_cert_load_pem(cpath, kpath, err, sizeof(err));
	unlink(cpath);
	unlink(kpath);
	X509_free(x);
	EVP_PKEY_free(k);
	if (!KTAP_EXPECT(rsa)) {
		ktap_diag("load: %s", err);
		return;
	}
	/* the RSA side is the server: the ECDHE-RSA suites get used */
	fps_of(rsa, &set);
	sim_init(&s, 21);
	s.side[0].eng = engine(cert_c, NULL, 0, &o);
	s.side[1].eng = engine(rsa, NULL, 0, &o);
	KTAP_ASSERT(s.side[0].eng && s.side[1].eng);
	s.side[0].cfg.peer_fps = &set;
	s.side[1].cfg.peer_fps = &fps_client;
	s.side[0].a = dtls_assoc_new(s.side[0].eng, &s.side[0].cfg, NULL, 0);
	s.side[1].a = dtls_assoc_new(s.side[1].eng, &s.side[1].cfg, NULL, 0);
	KTAP_ASSERT(s.side[0].a && s.side[1].a);
	dtls_assoc_start(s.side[0].a);
	if (!KTAP_EXPECT(sim_run(&s, 5000)))
		show(&s);
	expect_crossed_keys(&s, DTLS_PROFILE_AEAD_AES_256_GCM, false);
	KTAP_EXPECT(!strcmp(dtls_engine_fingerprint(s.side[1].eng), dtls_cert_fingerprint(rsa)));
	pair_free(&s);
	dtls_cert_free(rsa);
}

static int nosend(void *ctx, const uint8_t *d, size_t len)
{
	(void)ctx;
	(void)d;
	(void)len;
	return -1;		/* every datagram "lost" */
}

static void test_api_errors(void)
{
	static const enum dtls_profile dup[] = { DTLS_PROFILE_AES128_CM_SHA1_80,
						 DTLS_PROFILE_AES128_CM_SHA1_80 };
	static const enum dtls_profile bad = (enum dtls_profile)5;
	uint8_t longaddr[DTLS_PEER_ADDR_MAX + 1] = { 0 };
	struct dtls_engine_config ec = { .cert = cert_c };
	struct dtls_assoc_config ac = { .role = DTLS_ROLE_CLIENT, .send = nosend };
	struct dtls_engine *e;
	struct dtls_assoc *a;
	char err[256];

	KTAP_EXPECT(!dtls_engine_new(NULL, err, sizeof(err)));
	KTAP_EXPECT(!dtls_engine_new(&(struct dtls_engine_config){ 0 }, err, sizeof(err)));
	KTAP_EXPECT(strstr(err, "certificate"));
	ec.profiles = dup;
	ec.n_profiles = 2;
	KTAP_EXPECT(!dtls_engine_new(&ec, err, sizeof(err)));
	ec.profiles = &bad;
	ec.n_profiles = 1;
	KTAP_EXPECT(!dtls_engine_new(&ec, err, sizeof(err)));
	KTAP_EXPECT(strstr(err, "profile"));
	ec.n_profiles = 0;
	ec.mtu = 100;
	KTAP_EXPECT(!dtls_engine_new(&ec, err, sizeof(err)));
	ec.mtu = 0;
	ec.cookie_secret = (const uint8_t *)"x";
	ec.cookie_secret_len = 0;
	KTAP_EXPECT(!dtls_engine_new(&ec, err, sizeof(err)));
	ec.cookie_secret = NULL;
	e = dtls_engine_new(&ec, err, sizeof(err));
	KTAP_ASSERT(e);

	KTAP_EXPECT(!dtls_assoc_new(NULL, &ac, err, sizeof(err)));
	KTAP_EXPECT(!dtls_assoc_new(e, &(struct dtls_assoc_config){ .role = DTLS_ROLE_CLIENT },
				    err, sizeof(err)));
	KTAP_EXPECT(!dtls_assoc_new(e, &(struct dtls_assoc_config){ .role = 7, .send = nosend },
				    err, sizeof(err)));
	ac.peer_addr = longaddr;
	ac.peer_addr_len = sizeof(longaddr);
	KTAP_EXPECT(!dtls_assoc_new(e, &ac, err, sizeof(err)));
	ac.peer_addr_len = 0;
	ac.profiles = &bad;
	ac.n_profiles = 1;
	KTAP_EXPECT(!dtls_assoc_new(e, &ac, err, sizeof(err)));
	ac.n_profiles = 0;

	/* a client ignores input before it starts; send failures are counted */
	a = dtls_assoc_new(e, &ac, err, sizeof(err));
	KTAP_ASSERT(a);
	KTAP_EXPECT_EQ(dtls_assoc_state(a), DTLS_STATE_NEW);
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(a), -1);
	KTAP_EXPECT_EQ(dtls_input(a, (const uint8_t *)"\x16\xfe\xfd", 3), DTLS_EV_IGNORED);
	KTAP_EXPECT_EQ(dtls_assoc_start(a), 0);
	KTAP_EXPECT_EQ(dtls_assoc_start(a), 0);		/* second start: no-op */
	KTAP_EXPECT_EQ(dtls_assoc_stats(a)->tx_errors, 1);
	KTAP_EXPECT_EQ(dtls_assoc_stats(a)->tx_datagrams, 1);
	KTAP_EXPECT_EQ(dtls_assoc_profile(a), DTLS_PROFILE_NONE);
	KTAP_EXPECT_EQ(dtls_assoc_peer_fingerprint(a, FP_SHA256, &(struct fingerprint){ 0 }), -1);
	dtls_assoc_close(a);		/* mid-handshake: just closes */
	KTAP_EXPECT_EQ(dtls_assoc_state(a), DTLS_STATE_CLOSED);
	dtls_assoc_free(a);

	/* NULL-safe getters */
	KTAP_EXPECT_EQ(dtls_input(NULL, NULL, 0), DTLS_EV_IGNORED);
	KTAP_EXPECT_EQ(dtls_on_timeout(NULL), 0);
	KTAP_EXPECT_EQ(dtls_next_timeout_ms(NULL), -1);
	KTAP_EXPECT_EQ(dtls_assoc_get_keys(NULL, NULL, true, NULL), -1);
	dtls_assoc_free(NULL);
	dtls_engine_free(NULL);
	dtls_cert_free(NULL);
	dtls_srtp_keys_wipe(NULL);
	KTAP_EXPECT(!strcmp(dtls_state_name(DTLS_STATE_CONNECTED), "connected"));
	KTAP_EXPECT(!strcmp(dtls_verify_name(DTLS_VERIFY_OK), "verified"));
	KTAP_EXPECT(dtls_is_dtls((const uint8_t *)"\x14", 1));
	KTAP_EXPECT(!dtls_is_dtls((const uint8_t *)"\x40", 1));
	KTAP_EXPECT(!dtls_is_dtls((const uint8_t *)"\x80", 1));
	KTAP_EXPECT(!dtls_is_client_hello((const uint8_t *)"\x16\xfe\xfd", 3));
	dtls_engine_free(e);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_profile_table),
	KTAP_TEST(test_cert_generate),
	KTAP_TEST(test_handshake_aes_cm_80),
	KTAP_TEST(test_handshake_aes_cm_32),
	KTAP_TEST(test_handshake_gcm_128),
	KTAP_TEST(test_handshake_gcm_256),
	KTAP_TEST(test_listen_stateless_cookie),
	KTAP_TEST(test_no_cookie),
	KTAP_TEST(test_cookie_binding),
	KTAP_TEST(test_profile_preference),
	KTAP_TEST(test_no_common_profile),
	KTAP_TEST(test_mismatch_at_server),
	KTAP_TEST(test_mismatch_at_client),
	KTAP_TEST(test_late_verify),
	KTAP_TEST(test_late_mismatch),
	KTAP_TEST(test_fingerprint_sets),
	KTAP_TEST(test_loss_retransmit),
	KTAP_TEST(test_reorder_duplicate_fragment),
	KTAP_TEST(test_garbage_during_handshake),
	KTAP_TEST(test_garbage_fresh),
	KTAP_TEST(test_handshake_timeout),
	KTAP_TEST(test_rekey_new_association),
	KTAP_TEST(test_restart_in_place),
	KTAP_TEST(test_close_notify),
	KTAP_TEST(test_rsa_peer),
	KTAP_TEST(test_api_errors),
};

/* ---------------------------------------------------------------- corpus */

static int write_seed(const char *dir, const char *name, uint8_t mode,
		      const struct sim_side *from, size_t max)
{
	char path[512];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fputc(mode, f);
	for (i = 0; i < from->n_log && i < max; i++) {
		fputc((int)(from->log[i].len >> 8), f);
		fputc((int)(from->log[i].len & 0xff), f);
		fwrite(from->log[i].data, 1, from->log[i].len, f);
	}
	return fclose(f);
}

/* Records real handshakes with the fuzzer's fixed secret and address. */
static int write_corpus(const char *dir)
{
	static const uint8_t secret[] = FUZZ_COOKIE_SECRET;
	struct opts o = { .cookie_secret = secret };
	struct sim s;
	int rc = 0;

	if (!pair_setup(&s, &o, 99) || !sim_run(&s, 5000))
		return 1;
	rc |= write_seed(dir, "server-cookie", FUZZ_MODE_SERVER, &s.side[0], 8);
	rc |= write_seed(dir, "server-cookie-fp", FUZZ_MODE_SERVER | FUZZ_MODE_FP, &s.side[0], 8);
	rc |= write_seed(dir, "listen", FUZZ_MODE_LISTEN, &s.side[0], 8);
	rc |= write_seed(dir, "listen-hello-only", FUZZ_MODE_LISTEN, &s.side[0], 2);
	rc |= write_seed(dir, "client", FUZZ_MODE_CLIENT, &s.side[1], 8);
	rc |= write_seed(dir, "client-fp-wrong",
			 FUZZ_MODE_CLIENT | FUZZ_MODE_FP | FUZZ_MODE_FP_WRONG, &s.side[1], 8);
	pair_free(&s);

	o.no_cookie = true;
	o.mtu = 300;
	if (!pair_setup(&s, &o, 98) || !sim_run(&s, 5000))
		return 1;
	rc |= write_seed(dir, "server-nocookie-mtu300", FUZZ_MODE_NO_COOKIE, &s.side[0], 16);
	rc |= write_seed(dir, "client-mtu300", FUZZ_MODE_CLIENT, &s.side[1], 16);
	pair_free(&s);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	char err[256];
	struct dtls_cert *w;
	int rc;

	cert_c = dtls_cert_generate(NULL, 0, err, sizeof(err));
	cert_s = dtls_cert_generate("dtls-server", 0, err, sizeof(err));
	w = dtls_cert_generate(NULL, 0, err, sizeof(err));
	if (!cert_c || !cert_s || !w) {
		printf("# cannot generate certificates: %s\n", err);
		return 1;
	}
	fps_of(cert_c, &fps_client);
	fps_of(cert_s, &fps_server);
	fps_of(w, &fps_wrong);
	dtls_cert_free(w);

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		rc = write_corpus(argv[2]);
	else
		rc = KTAP_MAIN(tests);
	dtls_cert_free(cert_c);
	dtls_cert_free(cert_s);
	return rc;
}
