// SPDX-License-Identifier: GPL-2.0
/* The bzrtp test peer and the in-memory call (zrtp_bzrtp_peer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "zrtp_bzrtp_peer.h"

void *bz_db;	/* bzrtp's ZID cache (an sqlite3 *); NULL: cacheless */
uint8_t bz_sas;	/* the one SAS type bzrtp offers; 0: its defaults */


static int cb_send(void *cd, const uint8_t *p, uint16_t len)
{
	struct bz *b = cd;

	if (b->out->n == QMAX)
		return -1;
	memcpy(b->out->b[b->out->n], p, len);
	b->out->len[b->out->n++] = len;
	return 0;
}

static int cb_secrets(void *cd, const bzrtpSrtpSecrets_t *s, uint8_t part)
{
	struct bz *b = cd;

	if (part & ZRTP_SRTP_SECRETS_FOR_SENDER) {
		memcpy(b->key, s->selfSrtpKey, s->selfSrtpKeyLength);
		memcpy(b->salt, s->selfSrtpSalt, s->selfSrtpSaltLength);
		b->klen = s->selfSrtpKeyLength;
	}
	if (part & ZRTP_SRTP_SECRETS_FOR_RECEIVER) {
		memcpy(b->pkey, s->peerSrtpKey, s->peerSrtpKeyLength);
		memcpy(b->psalt, s->peerSrtpSalt, s->peerSrtpSaltLength);
	}
	return 0;
}

static int cb_start(void *cd, const bzrtpSrtpSecrets_t *s, int32_t verified)
{
	struct bz *b = cd;

	b->verified = verified;
	b->aux = s->auxSecretMismatch;
	b->secure = true;
	snprintf(b->sas, sizeof(b->sas), "%s", s->sas ? s->sas : "");
	b->cipher = s->cipherAlgo;
	b->auth = s->authTagAlgo;
	b->hash = s->hashAlgo;
	b->ka = s->keyAgreementAlgo;
	return 0;
}

static int cb_status(void *cd, const uint8_t lvl, const uint8_t id, const char *msg)
{
	(void)cd;
	(void)lvl;
	(void)id;
	(void)msg;
	return 0;
}

void bz_setup(struct bz *b, struct queue *out, uint8_t ka, uint8_t cipher, uint8_t auth,
		     uint8_t hash)
{
	bzrtpCallbacks_t cbs = { 0 };
	uint8_t k[7];

	memset(b, 0, sizeof(*b));
	b->ssrc = 0xb2b2b2b2;
	b->out = out;
	b->ctx = bzrtp_createBzrtpContext();
	cbs.bzrtp_statusMessage = cb_status;
	cbs.bzrtp_messageLevel = BZRTP_MESSAGE_ERROR;
	cbs.bzrtp_sendData = cb_send;
	cbs.bzrtp_srtpSecretsAvailable = cb_secrets;
	cbs.bzrtp_startSrtpSession = cb_start;
	bzrtp_setCallbacks(b->ctx, &cbs);
	k[0] = ka;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_KEYAGREEMENT_TYPE, k, 1);
	k[0] = cipher;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_CIPHERBLOCK_TYPE, k, 1);
	k[0] = auth;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_AUTHTAG_TYPE, k, 1);
	k[0] = hash;
	bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_HASH_TYPE, k, 1);
	k[0] = bz_sas;
	if (bz_sas)
		bzrtp_setSupportedCryptoTypes(b->ctx, ZRTP_SAS_TYPE, k, 1);
	bzrtp_setZIDCache(b->ctx, bz_db, "sip:bz@example.org", "sip:keyd@example.org");
	bzrtp_initBzrtpContext(b->ctx, b->ssrc);
	bzrtp_setClientData(b->ctx, b->ssrc, b);
}

/* Our engine's configuration: the case's algorithms first. */
void our_cfg(struct zrtp_cfg *cfg, const char *ka, const char *cipher, const char *auth,
		    const char *hash, bool passive)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->zid, "keyd-zid-001", ZRTP_ZID_LEN);
	cfg->passive = passive;
	cfg->n[ZRTP_HASH] = 1;
	cfg->alg[ZRTP_HASH][0] = ZRTP_ALG(hash);
	cfg->n[ZRTP_CIPHER] = 1;
	cfg->alg[ZRTP_CIPHER][0] = ZRTP_ALG(cipher);
	cfg->n[ZRTP_AUTH] = 1;
	cfg->alg[ZRTP_AUTH][0] = ZRTP_ALG(auth);
	cfg->n[ZRTP_KA] = 1;
	cfg->alg[ZRTP_KA][0] = ZRTP_ALG(ka);
	cfg->n[ZRTP_SAS] = 1;
	cfg->alg[ZRTP_SAS][0] = ZRTP_ALG("B32 ");
}


static void tamper(struct call *c, uint8_t *p, size_t n)
{
	uint32_t crc;

	if (!c->tamper || n < 40 || memcmp(p + 16, c->tamper, 8))
		return;
	p[n - 10] ^= 0x01;	/* in the MAC or the encrypted part */
	c->tamper = NULL;
	if (!c->fix_crc)
		return;
	crc = zrtp_crc32c(p, n - 4);
	p[n - 4] = (uint8_t)crc;
	p[n - 3] = (uint8_t)(crc >> 8);
	p[n - 2] = (uint8_t)(crc >> 16);
	p[n - 1] = (uint8_t)(crc >> 24);
}

/* One round: bzrtp's packets to us, ours to bzrtp, 10 ms of time. */
void round_trip(struct call *c, bool start_bz)
{
	uint8_t pkt[1500];
	size_t i, n;

	for (i = 0; i < c->to_us.n; i++) {
		tamper(c, c->to_us.b[i], c->to_us.len[i]);
		zrtp_input(c->us, c->to_us.b[i], c->to_us.len[i], c->now);
	}
	c->to_us.n = 0;
	while ((n = zrtp_output(c->us, pkt, sizeof(pkt)))) {
		if (c->hold_ack && !memcmp(pkt + 16, "HelloACK", 8))
			continue;
		if (!memcmp(pkt + 16, "Commit  ", 8))
			c->hold_ack = false;
		if (start_bz)
			bzrtp_processMessage(c->bz.ctx, c->bz.ssrc, pkt, n);
	}
	c->now += 10;
	zrtp_timer(c->us, c->now);
	if (start_bz)
		bzrtp_iterate(c->bz.ctx, c->bz.ssrc, c->now);
}

/*
 * A call. For keyd to initiate, bzrtp must not commit first: it commits
 * once our Hello is acknowledged, so our HelloACKs are lost until our
 * Commit (which acknowledges its Hello, §4.1) is on its way.
 */
int run(struct call *c, const struct zrtp_cfg *cfg, bool we_initiate)
{
	int i;

	c->now = 1000;
	c->hold_ack = we_initiate;
	c->us = zrtp_new(cfg, 0xa1a1a1a1);
	if (!c->us || zrtp_start(c->us, c->now))
		return -1;
	bzrtp_startChannelEngine(c->bz.ctx, c->bz.ssrc);
	for (i = 0; i < 600 && !(c->bz.secure && zrtp_state(c->us) == ZS_SECURE) &&
	     zrtp_state(c->us) != ZS_FAILED; i++)
		round_trip(c, true);
	return 0;
}

const char *name_of(uint8_t id)
{
	switch (id) {
	case ZRTP_KEYAGREEMENT_X255: return "X255";
	case ZRTP_KEYAGREEMENT_DH3k: return "DH3k";
	case ZRTP_KEYAGREEMENT_DH2k: return "DH2k";
	case ZRTP_CIPHER_AES1: return "AES1";
	case ZRTP_CIPHER_AES3: return "AES3";
	case ZRTP_AUTHTAG_HS32: return "HS32";
	case ZRTP_AUTHTAG_HS80: return "HS80";
	case ZRTP_HASH_S256: return "S256";
	case ZRTP_HASH_S384: return "S384";
	}
	return "?";
}

/* One packet built by the codec, fed to our engine; what it sent back, decoded. */
size_t poke(struct zrtp_conn *us, const struct zrtp_msg *msg, uint32_t ssrc,
		   struct zrtp_packet *reply)
{
	struct zrtp_packet p = { .ssrc = ssrc, .msg = *msg };
	uint8_t pkt[1500], out[1500];
	size_t n = zrtp_encode(&p, pkt, sizeof(pkt), NULL), got = 0, m;

	if (!KTAP_EXPECT(n > 0))
		return 99;
	KTAP_EXPECT_EQ(zrtp_input(us, pkt, n, 5000), 0);
	while ((m = zrtp_output(us, out, sizeof(out)))) {
		KTAP_EXPECT_EQ(zrtp_decode(out, m, reply, NULL), 0);
		got++;
	}
	return got;
}
