// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * keyd_zrtp_peer: a ZRTP endpoint on Belledonne's bzrtp (Debian
 * libbzrtp-dev, linphone's ZRTP; GPL-3.0+, hence this file's licence: it
 * is a test peer, never part of keyd) over one UDP socket, for the keyd
 * ZRTP selftest.
 *
 *   keyd_zrtp_peer -l IP:PORT -p IP:PORT [-k KA] [-c CIPHER] [-a AUTH]
 *                  [-s HASH] [-w|-i] [-P HASH] [-C DB [-V]] [-H FILE] [-t SECONDS]
 *
 * KA, CIPHER, AUTH, HASH: ZRTP names (X255, DH3k, DH2k; AES1, AES3; HS32,
 * HS80; S256, S384): the only one of that kind bzrtp offers. -w: hold back
 * (drop keyd's HelloACKs until keyd's Commit came), so keyd initiates; -i:
 * keep ours until our Commit went, so bzrtp does. Neither: both may commit
 * (RFC 6189 §4.2's contention).
 * -C FILE: bzrtp's ZID cache (sqlite, made if missing): its ZID and the
 * secrets it retains, across runs. -V: once SECURE, tell bzrtp the users
 * verified the SAS (its next call's Confirm says so).
 * -P "1.10 HEX": keyd's a=zrtp-hash, which bzrtp then checks keyd's Hello
 * against. -H: write our a=zrtp-hash line there once the socket is bound. On
 * success prints one line and exits 0:
 *
 *   SECURE sas=SAS verified=0|1 ka=.. cipher=.. auth=.. hash=.. keys=HEX
 *
 * HEX is bzrtp's own SRTP master key || salt for what it sends, then for
 * what it receives (keyd_srtp_peer -r keys takes it as is).
 */
#include <bzrtp/bzrtp.h>
#include <sqlite3.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inet_addr.h"

static int fd;
static struct sockaddr_in peer;
static bool secure, hold_back, seen_commit, hold_acks, sent_commit;
static bzrtpSrtpSecrets_t got;
static uint8_t tx[64], rx[64];
static int txlen, rxlen;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int cb_send(void *cd, const uint8_t *p, uint16_t len)
{
	(void)cd;
	/* -i: our HelloACKs are not sent until our Commit went, so keyd cannot commit */
	if (hold_acks && !sent_commit && len >= 24 && !memcmp(p + 16, "Commit  ", 8))
		sent_commit = true;
	if (hold_acks && !sent_commit && len >= 24 && !memcmp(p + 16, "HelloACK", 8))
		return 0;
	return sendto(fd, p, len, 0, (struct sockaddr *)&peer, sizeof(peer)) == len ? 0 : -1;
}

static int cb_secrets(void *cd, const bzrtpSrtpSecrets_t *s, uint8_t part)
{
	(void)cd;
	if (part & ZRTP_SRTP_SECRETS_FOR_SENDER) {
		memcpy(tx, s->selfSrtpKey, s->selfSrtpKeyLength);
		memcpy(tx + s->selfSrtpKeyLength, s->selfSrtpSalt, s->selfSrtpSaltLength);
		txlen = s->selfSrtpKeyLength + s->selfSrtpSaltLength;
	}
	if (part & ZRTP_SRTP_SECRETS_FOR_RECEIVER) {
		memcpy(rx, s->peerSrtpKey, s->peerSrtpKeyLength);
		memcpy(rx + s->peerSrtpKeyLength, s->peerSrtpSalt, s->peerSrtpSaltLength);
		rxlen = s->peerSrtpKeyLength + s->peerSrtpSaltLength;
	}
	return 0;
}

static char sas[32];
static int sas_verified;

static int cb_start(void *cd, const bzrtpSrtpSecrets_t *s, int32_t verified)
{
	(void)cd;
	sas_verified = verified;
	got = *s;
	snprintf(sas, sizeof(sas), "%s", s->sas ? s->sas : "");
	secure = true;
	return 0;
}

static int cb_status(void *cd, const uint8_t lvl, const uint8_t id, const char *msg)
{
	(void)cd;
	fprintf(stderr, "bzrtp status level=%u id=%u %s\n", lvl, id, msg ? msg : "");
	return 0;
}

struct name { const char *s; uint8_t v; };

static const struct name names[] = {
	{ "X255", ZRTP_KEYAGREEMENT_X255 }, { "DH3k", ZRTP_KEYAGREEMENT_DH3k },
	{ "DH2k", ZRTP_KEYAGREEMENT_DH2k }, { "AES1", ZRTP_CIPHER_AES1 },
	{ "AES3", ZRTP_CIPHER_AES3 }, { "HS32", ZRTP_AUTHTAG_HS32 },
	{ "HS80", ZRTP_AUTHTAG_HS80 }, { "S256", ZRTP_HASH_S256 }, { "S384", ZRTP_HASH_S384 },
};

static uint8_t code(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].s, s))
			return names[i].v;
	fprintf(stderr, "unknown algorithm %s\n", s);
	exit(2);
}

static const char *name(uint8_t v, uint8_t lo, uint8_t hi)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].v == v && v >= lo && v <= hi)
			return names[i].s;
	return "?";
}

static void only(bzrtpContext_t *ctx, uint8_t type, const char *alg)
{
	uint8_t k[7] = { code(alg) };

	bzrtp_setSupportedCryptoTypes(ctx, type, k, 1);
}

static void hexout(const uint8_t *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
}

/* -w: keyd's HelloACKs are dropped until its Commit came (bzrtp commits once acked) */
static bool drop(const uint8_t *b, ssize_t n)
{
	if (n < 24 || !hold_back || seen_commit)
		return false;
	if (!memcmp(b + 16, "Commit  ", 8))
		seen_commit = true;
	return !memcmp(b + 16, "HelloACK", 8);
}

static void loop(bzrtpContext_t *ctx, uint32_t ssrc, int timeout)
{
	uint64_t end = now_ms() + (uint64_t)timeout * 1000;
	uint8_t buf[4096];
	ssize_t n;

	while (!secure && now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 10) > 0) {
			n = recv(fd, buf, sizeof(buf), 0);
			/* RFC 6189 §5: 0001 in the first nibble, "ZRTP" at offset 4 */
			if (n >= 16 && (buf[0] & 0xf0) == 0x10 && !memcmp(buf + 4, "ZRTP", 4) &&
			    !drop(buf, n))
				bzrtp_processMessage(ctx, ssrc, buf, (uint16_t)n);
		}
		bzrtp_iterate(ctx, ssrc, now_ms());
	}
}

int main(int argc, char **argv)
{
	const char *ka = "X255", *cipher = "AES1", *auth = "HS80", *hash = "S256", *hfile = NULL;
	const char *phash = NULL, *dbfile = NULL;
	bool mark_verified = false;
	sqlite3 *db = NULL;
	struct sockaddr_in local = { 0 };
	uint32_t ssrc = 0x5a5a0001;
	bzrtpCallbacks_t cbs = { 0 };
	bzrtpContext_t *ctx;
	uint8_t hh[128];
	int opt, timeout = 20;

	while ((opt = getopt(argc, argv, "l:p:k:c:a:s:wiP:C:VH:t:")) != -1) {
		switch (opt) {
		case 'l': if (parse_addr(optarg, &local)) return 2; break;
		case 'p': if (parse_addr(optarg, &peer)) return 2; break;
		case 'k': ka = optarg; break;
		case 'c': cipher = optarg; break;
		case 'a': auth = optarg; break;
		case 's': hash = optarg; break;
		case 'w': hold_back = true; break;
		case 'i': hold_acks = true; break;
		case 'H': hfile = optarg; break;
		case 'P': phash = optarg; break;
		case 'C': dbfile = optarg; break;
		case 'V': mark_verified = true; break;
		case 't': timeout = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s -l IP:PORT -p IP:PORT [-k KA] [-c CIPHER] "
				"[-a AUTH] [-s HASH] [-w|-i] [-P HASH] [-C DB [-V]] [-H FILE] [-t S]\n", argv[0]);
			return 2;
		}
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local))) {
		fprintf(stderr, "bind: %s\n", strerror(errno));
		return 2;
	}
	ctx = bzrtp_createBzrtpContext();
	cbs.bzrtp_statusMessage = cb_status;
	cbs.bzrtp_messageLevel = BZRTP_MESSAGE_WARNING;
	cbs.bzrtp_sendData = cb_send;
	cbs.bzrtp_srtpSecretsAvailable = cb_secrets;
	cbs.bzrtp_startSrtpSession = cb_start;
	bzrtp_setCallbacks(ctx, &cbs);
	only(ctx, ZRTP_KEYAGREEMENT_TYPE, ka);
	only(ctx, ZRTP_CIPHERBLOCK_TYPE, cipher);
	only(ctx, ZRTP_AUTHTAG_TYPE, auth);
	only(ctx, ZRTP_HASH_TYPE, hash);
	if (dbfile) {
		int rc;

		if (sqlite3_open(dbfile, &db) != SQLITE_OK) {
			fprintf(stderr, "sqlite3_open %s failed\n", dbfile);
			return 2;
		}
		rc = bzrtp_initCache_lock(db, NULL);
		if (rc && rc != BZRTP_CACHE_SETUP && rc != BZRTP_CACHE_UPDATE) {
			fprintf(stderr, "bzrtp_initCache_lock: 0x%x\n", rc);
			return 2;
		}
	}
	bzrtp_setZIDCache(ctx, db, "sip:bzrtp@test", "sip:keyd@test");
	if (bzrtp_initBzrtpContext(ctx, ssrc)) {
		fprintf(stderr, "bzrtp_initBzrtpContext failed\n");
		return 1;
	}
	if (phash && bzrtp_setPeerHelloHash(ctx, ssrc, (uint8_t *)phash, strlen(phash))) {
		fprintf(stderr, "bzrtp_setPeerHelloHash refused %s\n", phash);
		return 2;
	}
	bzrtp_getSelfHelloHash(ctx, ssrc, hh, sizeof(hh));
	if (hfile) {
		FILE *f = fopen(hfile, "w");

		if (!f || fprintf(f, "a=zrtp-hash:%s\n", hh) < 0 || fclose(f))
			return 2;
	}
	bzrtp_startChannelEngine(ctx, ssrc);
	loop(ctx, ssrc, timeout);
	if (!secure) {
		printf("TIMEOUT no secure channel in %d s\n", timeout);
		return 1;
	}
	if (mark_verified)
		bzrtp_SASVerified(ctx);
	printf("SECURE sas=%s verified=%d ka=%s cipher=%s auth=%s hash=%s keys=", sas, sas_verified,
	       name(got.keyAgreementAlgo, 0x40, 0x4f), name(got.cipherAlgo, 0x20, 0x2f),
	       name(got.authTagAlgo, 0x30, 0x3f), name(got.hashAlgo, 0x10, 0x1f));
	hexout(tx, txlen);
	hexout(rx, rxlen);
	printf("\n");
	bzrtp_destroyBzrtpContext(ctx, ssrc);
	if (db)
		sqlite3_close(db);
	return 0;
}
