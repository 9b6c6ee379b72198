// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * keyd_zrtp_peer: a ZRTP endpoint on Belledonne's bzrtp (Debian
 * libbzrtp-dev, linphone's ZRTP; GPL-3.0+, hence this file's licence: it
 * is a test peer, never part of keyd) over one UDP socket, for the keyd
 * ZRTP selftest.
 *
 *   keyd_zrtp_peer -l IP:PORT -p IP:PORT [-k KA] [-c CIPHER] [-a AUTH]
 *                  [-s HASH] [-w|-i] [-P HASH] [-C DB [-V] [-X HEX]] [-m] [-H FILE]
 *                  [-t SECONDS] [-A HEX]
 *
 * KA, CIPHER, AUTH, HASH: ZRTP names (X255, DH3k, DH2k; AES1, AES3; HS32,
 * HS80; S256, S384): the only one of that kind bzrtp offers. -w: hold back
 * (drop keyd's HelloACKs until keyd's Commit came), so keyd initiates; -i:
 * keep ours until our Commit went, so bzrtp does. Neither: both may commit
 * (RFC 6189 §4.2's contention).
 * -C FILE: bzrtp's ZID cache (sqlite, made if missing): its ZID and the
 * secrets it retains, across runs. -V: once SECURE, tell bzrtp the users
 * verified the SAS (its next call's Confirm says so).
 * -m: then a second stream of the call (Multistream, §4.4.3): its own
 * socket two ports up each side, a second line "SECURE2 ..." for it.
 * -A HEX: an auxsecret (§4.3) for bzrtp_setAuxiliarySharedSecret; the result
 * line says how it stood (aux=match|mismatch|unset).
 * -X HEX: with -C, a pbxsecret (§4.3, §7.3.1) written into bzrtp's cache
 * entry for keyd (which must exist: an earlier call made it), as if bzrtp's
 * users had enrolled with keyd as their PBX; bzrtp mixes it in as s3.
 * -P "1.10 HEX": keyd's a=zrtp-hash, which bzrtp then checks keyd's Hello
 * against. -H: write our a=zrtp-hash line there once the socket is bound. On
 * success prints one line and exits 0:
 *
 *   SECURE sas=SAS verified=0|1 ka=.. cipher=.. auth=.. hash=.. aux=.. keys=HEX
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

/* One ZRTP channel (a media stream): its socket and what bzrtp gave it. */
struct chan {
	int fd;
	struct sockaddr_in peer;
	uint32_t ssrc;
	bool secure;
	int verified;
	char sas[32];
	bzrtpSrtpSecrets_t got;
	uint8_t tx[64], rx[64];
	int txlen, rxlen;
};

static struct chan chans[2];
static bool hold_back, seen_commit, hold_acks, sent_commit;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int cb_send(void *cd, const uint8_t *p, uint16_t len)
{
	struct chan *ch = cd;

	/* -i: our HelloACKs are not sent until our Commit went, so keyd cannot commit */
	if (hold_acks && !sent_commit && len >= 24 && !memcmp(p + 16, "Commit  ", 8))
		sent_commit = true;
	if (hold_acks && !sent_commit && len >= 24 && !memcmp(p + 16, "HelloACK", 8))
		return 0;
	return sendto(ch->fd, p, len, 0, (struct sockaddr *)&ch->peer, sizeof(ch->peer)) == len ?
	       0 : -1;
}

static int cb_secrets(void *cd, const bzrtpSrtpSecrets_t *s, uint8_t part)
{
	struct chan *ch = cd;

	if (part & ZRTP_SRTP_SECRETS_FOR_SENDER) {
		memcpy(ch->tx, s->selfSrtpKey, s->selfSrtpKeyLength);
		memcpy(ch->tx + s->selfSrtpKeyLength, s->selfSrtpSalt, s->selfSrtpSaltLength);
		ch->txlen = s->selfSrtpKeyLength + s->selfSrtpSaltLength;
	}
	if (part & ZRTP_SRTP_SECRETS_FOR_RECEIVER) {
		memcpy(ch->rx, s->peerSrtpKey, s->peerSrtpKeyLength);
		memcpy(ch->rx + s->peerSrtpKeyLength, s->peerSrtpSalt, s->peerSrtpSaltLength);
		ch->rxlen = s->peerSrtpKeyLength + s->peerSrtpSaltLength;
	}
	return 0;
}

static int cb_start(void *cd, const bzrtpSrtpSecrets_t *s, int32_t verified)
{
	struct chan *ch = cd;

	ch->verified = verified;
	ch->got = *s;
	snprintf(ch->sas, sizeof(ch->sas), "%s", s->sas ? s->sas : "");
	ch->secure = true;
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
	{ "Mult", ZRTP_KEYAGREEMENT_Mult },
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

/* HEX into out (at most max bytes); the byte count, or -1. */
static int unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (h[0] && h[1] && n < max) {
		if (sscanf(h, "%2x", &b) != 1)
			return -1;
		out[n++] = (uint8_t)b;
		h += 2;
	}
	return *h ? -1 : (int)n;
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

/* Until channel ch is SECURE (bzrtp iterating every channel): 0, or -1. */
static int loop(bzrtpContext_t *ctx, struct chan *ch, int nch, int timeout)
{
	uint64_t end = now_ms() + (uint64_t)timeout * 1000;
	uint8_t buf[4096];
	ssize_t n;
	int i;

	while (!ch->secure && now_ms() < end) {
		struct pollfd p[2] = { { .fd = chans[0].fd, .events = POLLIN },
				       { .fd = chans[1].fd, .events = POLLIN } };

		if (poll(p, (nfds_t)nch, 10) > 0) {
			for (i = 0; i < nch; i++) {
				if (!(p[i].revents & POLLIN))
					continue;
				n = recv(chans[i].fd, buf, sizeof(buf), 0);
				/* RFC 6189 §5: 0001 in the first nibble, "ZRTP" at offset 4 */
				if (n >= 16 && (buf[0] & 0xf0) == 0x10 &&
				    !memcmp(buf + 4, "ZRTP", 4) && !drop(buf, n))
					bzrtp_processMessage(ctx, chans[i].ssrc, buf, (uint16_t)n);
			}
		}
		for (i = 0; i < nch; i++)
			bzrtp_iterate(ctx, chans[i].ssrc, now_ms());
	}
	if (ch->secure)
		return 0;
	printf("TIMEOUT no secure channel in %d s\n", timeout);
	return -1;
}

static int chan_open(struct chan *ch, const struct sockaddr_in *local,
		     const struct sockaddr_in *peer, uint32_t ssrc)
{
	ch->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ch->peer = *peer;
	ch->ssrc = ssrc;
	if (ch->fd < 0 || bind(ch->fd, (const struct sockaddr *)local, sizeof(*local))) {
		fprintf(stderr, "bind: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void report(const char *tag, const struct chan *ch)
{
	printf("%s sas=%s verified=%d ka=%s cipher=%s auth=%s hash=%s aux=%s keys=", tag, ch->sas,
	       ch->verified, name(ch->got.keyAgreementAlgo, 0x40, 0x4f),
	       name(ch->got.cipherAlgo, 0x20, 0x2f), name(ch->got.authTagAlgo, 0x30, 0x3f),
	       name(ch->got.hashAlgo, 0x10, 0x1f),
	       ch->got.auxSecretMismatch == BZRTP_AUXSECRET_MATCH ? "match" :
	       ch->got.auxSecretMismatch == BZRTP_AUXSECRET_MISMATCH ? "mismatch" : "unset");
	hexout(ch->tx, ch->txlen);
	hexout(ch->rx, ch->rxlen);
	printf("\n");
	fflush(stdout);
}

/* bzrtp's ZID cache: an sqlite file, its tables made if new; NULL on failure. */
static sqlite3 *cache_open(const char *file)
{
	sqlite3 *db = NULL;
	int rc;

	if (sqlite3_open(file, &db) != SQLITE_OK) {
		fprintf(stderr, "sqlite3_open %s failed\n", file);
		return NULL;
	}
	rc = bzrtp_initCache_lock(db, NULL);
	if (rc && rc != BZRTP_CACHE_SETUP && rc != BZRTP_CACHE_UPDATE) {
		fprintf(stderr, "bzrtp_initCache_lock: 0x%x\n", rc);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* -X: the pbxsecret in every row of bzrtp's cache (the one peer it has met). */
static int cache_set_pbx(sqlite3 *db, const char *hex)
{
	sqlite3_stmt *st = NULL;
	uint8_t pbx[64];
	int n = unhex(hex, pbx, sizeof(pbx)), rc = -1;

	if (n > 0 && sqlite3_prepare_v2(db, "UPDATE zrtp SET pbx=?;", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_blob(st, 1, pbx, n, SQLITE_TRANSIENT) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) > 0)
		rc = 0;
	sqlite3_finalize(st);
	if (rc)
		fprintf(stderr, "-X: 1 to 64 bytes in hex, and a cache entry to put them in\n");
	return rc;
}

struct opts {
	const char *ka, *cipher, *auth, *hash, *hfile, *phash, *dbfile, *aux, *pbx;
	bool mark_verified, multi;
	struct sockaddr_in local, peer;
	int timeout;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .ka = "X255", .cipher = "AES1", .auth = "HS80", .hash = "S256",
			    .timeout = 20 };
	while ((opt = getopt(argc, argv, "l:p:k:c:a:s:wiP:C:VmH:t:A:X:")) != -1) {
		switch (opt) {
		case 'l': if (parse_addr(optarg, &o->local)) return -1; break;
		case 'p': if (parse_addr(optarg, &o->peer)) return -1; break;
		case 'k': o->ka = optarg; break;
		case 'c': o->cipher = optarg; break;
		case 'a': o->auth = optarg; break;
		case 's': o->hash = optarg; break;
		case 'w': hold_back = true; break;
		case 'i': hold_acks = true; break;
		case 'H': o->hfile = optarg; break;
		case 'P': o->phash = optarg; break;
		case 'C': o->dbfile = optarg; break;
		case 'V': o->mark_verified = true; break;
		case 'm': o->multi = true; break;
		case 't': o->timeout = atoi(optarg); break;
		case 'A': o->aux = optarg; break;
		case 'X': o->pbx = optarg; break;
		default:
			fprintf(stderr, "usage: %s -l IP:PORT -p IP:PORT [-k KA] [-c CIPHER] "
				"[-a AUTH] [-s HASH] [-w|-i] [-P HASH] [-C DB [-V]] [-m] [-H FILE] "
				"[-t S] [-A HEX] [-X HEX]\n", argv[0]);
			return -1;
		}
	}
	return 0;
}

static bzrtpContext_t *context(const struct opts *o, sqlite3 *db)
{
	bzrtpCallbacks_t cbs = { 0 };
	bzrtpContext_t *ctx = bzrtp_createBzrtpContext();

	cbs.bzrtp_statusMessage = cb_status;
	cbs.bzrtp_messageLevel = BZRTP_MESSAGE_WARNING;
	cbs.bzrtp_sendData = cb_send;
	cbs.bzrtp_srtpSecretsAvailable = cb_secrets;
	cbs.bzrtp_startSrtpSession = cb_start;
	bzrtp_setCallbacks(ctx, &cbs);
	only(ctx, ZRTP_KEYAGREEMENT_TYPE, o->ka);
	only(ctx, ZRTP_CIPHERBLOCK_TYPE, o->cipher);
	only(ctx, ZRTP_AUTHTAG_TYPE, o->auth);
	only(ctx, ZRTP_HASH_TYPE, o->hash);
	bzrtp_setZIDCache(ctx, db, "sip:bzrtp@test", "sip:keyd@test");
	if (bzrtp_initBzrtpContext(ctx, chans[0].ssrc)) {
		fprintf(stderr, "bzrtp_initBzrtpContext failed\n");
		return NULL;
	}
	bzrtp_setClientData(ctx, chans[0].ssrc, &chans[0]);
	if (o->aux) {
		uint8_t aux[64];
		int n = unhex(o->aux, aux, sizeof(aux));

		if (n <= 0 || bzrtp_setAuxiliarySharedSecret(ctx, aux, (size_t)n)) {
			fprintf(stderr, "-A: 1 to 64 bytes in hex\n");
			return NULL;
		}
	}
	return ctx;
}

/* -m: a second stream, each port 2 up, by Multistream once the first is secure. */
static int second_stream(bzrtpContext_t *ctx, const struct opts *o)
{
	struct sockaddr_in l = o->local, p = o->peer;

	l.sin_port = htons((uint16_t)(ntohs(l.sin_port) + 2));
	p.sin_port = htons((uint16_t)(ntohs(p.sin_port) + 2));
	if (chan_open(&chans[1], &l, &p, 0x5a5a0002) || bzrtp_addChannel(ctx, chans[1].ssrc))
		return -1;
	bzrtp_setClientData(ctx, chans[1].ssrc, &chans[1]);
	bzrtp_startChannelEngine(ctx, chans[1].ssrc);
	if (loop(ctx, &chans[1], 2, o->timeout))
		return -1;
	report("SECURE2", &chans[1]);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	sqlite3 *db = NULL;
	bzrtpContext_t *ctx;
	uint8_t hh[128];
	int rc = 0;

	if (parse_opts(argc, argv, &o) || chan_open(&chans[0], &o.local, &o.peer, 0x5a5a0001) ||
	    (o.dbfile && !(db = cache_open(o.dbfile))) || (o.pbx && (!db || cache_set_pbx(db, o.pbx))))
		return 2;
	ctx = context(&o, db);
	if (!ctx)
		return 1;
	if (o.phash && bzrtp_setPeerHelloHash(ctx, chans[0].ssrc, (uint8_t *)o.phash,
					      strlen(o.phash))) {
		fprintf(stderr, "bzrtp_setPeerHelloHash refused %s\n", o.phash);
		return 2;
	}
	bzrtp_getSelfHelloHash(ctx, chans[0].ssrc, hh, sizeof(hh));
	if (o.hfile) {
		FILE *f = fopen(o.hfile, "w");

		if (!f || fprintf(f, "a=zrtp-hash:%s\n", hh) < 0 || fclose(f))
			return 2;
	}
	bzrtp_startChannelEngine(ctx, chans[0].ssrc);
	if (loop(ctx, &chans[0], 1, o.timeout))
		return 1;
	if (o.mark_verified)
		bzrtp_SASVerified(ctx);
	report("SECURE", &chans[0]);
	if (o.multi)
		rc = second_stream(ctx, &o) ? 1 : 0;
	if (o.multi)
		bzrtp_destroyBzrtpContext(ctx, chans[1].ssrc);
	bzrtp_destroyBzrtpContext(ctx, chans[0].ssrc);
	if (db)
		sqlite3_close(db);
	return rc;
}
