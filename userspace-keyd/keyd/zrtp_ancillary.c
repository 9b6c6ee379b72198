// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's messages that are not the key exchange (RFC 6189 §5.11-5.16):
 * Ping answered with PingACK, GoClear refused (our Confirms never set the
 * Allow Clear flag: SRTP stays on), SASrelay acknowledged and believed
 * only from a PBX we enrolled with (§7.3); and as a PBX, our own SASrelay.
 */
#include "zrtp_engine_int.h"

/* Every endpoint answers a Ping (§5.16); our EndpointHash is our ZID, truncated. */
int zi_on_ping(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	struct zrtp_msg msg = { .type = ZRTP_PINGACK };
	struct msgbuf m;

	c->stats.pings++;
	memcpy(msg.u.ping.version, ZRTP_VERSION, 4);
	memcpy(msg.u.ping.ep, c->cfg->zid, ZRTP_ID_LEN);
	memcpy(msg.u.ping.ep_rx, p->msg.u.ping.ep, ZRTP_ID_LEN);
	msg.u.ping.ssrc = p->ssrc;
	if (!zi_build(c, &msg, &m))
		zi_send(c, &m);
	return 0;
}

/*
 * GoClear (§4.7.2): accepting it is optional and announced by the A flag,
 * which keyd never sets; SRTP is not switched off from the media path.
 * No ClearACK: the sender keeps its keys too.
 */
int zi_on_goclear(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	(void)p;
	c->stats.goclear_refused++;
	return 0;
}

/*
 * SASrelay (§5.13, §7.3): a valid one (its MAC keyed like the Confirm's)
 * gets a RelayACK so the sender stops. Its sashash is shown only if it
 * comes from a PBX we enrolled with: its Hello set M and the pbxsecret
 * matched in this call; from any other PBX (M) only the rendering scheme
 * is taken, for our own SAS. An invalid one is dropped.
 */
static void relay_show(struct zrtp_conn *c, const struct zrtp_relay_body *b, bool trusted)
{
	char sas[ZRTP_SAS_MAX];
	uint32_t v = c->keys.sasvalue;

	if (trusted)
		v = (uint32_t)b->sashash[0] << 24 | (uint32_t)b->sashash[1] << 16 |
		    (uint32_t)b->sashash[2] << 8 | b->sashash[3];
	if (zrtp_sas_render(b->scheme, v, sas, sizeof(sas)))
		return;		/* a scheme we cannot render: ours stands */
	if (c->relayed.gen && c->relayed.trusted == trusted && !strcmp(c->relayed.sas, sas) &&
	    c->relayed.peer_verified == b->sas_verified)
		return;		/* a repeat (our RelayACK was lost) */
	c->relayed.trusted = trusted;
	c->relayed.peer_verified = trusted && b->sas_verified;
	c->relayed.scheme = b->scheme;
	memcpy(c->relayed.sas, sas, sizeof(sas));
	c->relayed.gen++;
}

int zi_on_sasrelay(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	static const uint8_t none[32];
	struct zrtp_relay_body b;
	uint8_t plain[MSG_MAX];
	bool ok, pbx, trusted;

	if (c->st != ZS_SECURE || p->msg.u.sealed.enc.len > sizeof(plain))
		return 0;
	ok = !zrtp_confirm_open(&c->suite, &c->keys, !c->initiator, &p->msg.u.sealed, plain) &&
	     !zrtp_relay_body_decode(plain, p->msg.u.sealed.enc.len, &b, NULL);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (!ok)
		return 0;
	pbx = c->ph.msg.u.hello.mitm && !c->multi;
	trusted = pbx && c->co.pbx == ZRTP_AUX_MATCH && CRYPTO_memcmp(b.sashash, none, 32);
	if (trusted)
		c->stats.sasrelay_rendered++;
	else
		c->stats.sasrelay_ignored++;
	if (pbx)
		relay_show(c, &b, trusted);
	OPENSSL_cleanse(&b, sizeof(b));
	zi_send_simple(c, ZRTP_RELAYACK, 0);
	return 0;
}

int zrtp_send_sasrelay(struct zrtp_conn *c, zrtp_alg scheme, const uint8_t sashash[32],
		       bool far_verified, uint64_t now)
{
	struct zrtp_relay_body b = { .scheme = scheme, .sas_verified = far_verified };
	struct zrtp_msg msg = { .type = ZRTP_SASRELAY };
	uint8_t plain[64], enc[64];
	size_t n;
	int rc = -1;

	if (c->st != ZS_SECURE || c->multi || !c->cfg->mitm || (c->rtx && c->rtx != &c->relay))
		return -1;
	memcpy(b.sashash, sashash, sizeof(b.sashash));
	n = zrtp_relay_body_encode(&b, plain, sizeof(plain), NULL);
	if (n && RAND_bytes(msg.u.sealed.iv, ZRTP_IV_LEN) == 1 &&
	    !zrtp_confirm_seal(&c->suite, &c->keys, c->initiator, msg.u.sealed.iv, plain, n, enc,
			       msg.u.sealed.mac)) {
		msg.u.sealed.enc = (struct zrtp_bytes){ enc, n };
		rc = zi_build(c, &msg, &c->relay) || zi_send_rtx(c, &c->relay, now, false) ? -1 : 0;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(&b, sizeof(b));
	if (!rc)
		c->stats.sasrelay_sent++;
	return rc;
}
