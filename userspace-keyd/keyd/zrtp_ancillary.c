// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's messages that are not the key exchange (RFC 6189 §5.11-5.16):
 * Ping answered with PingACK, GoClear refused (our Confirms never set the
 * Allow Clear flag: SRTP stays on), SASrelay acknowledged but never
 * believed (keyd trusts no PBX as a man in the middle, §7.3).
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
 * SASrelay (§5.13): a valid one (its MAC keyed like the Confirm's) gets a
 * RelayACK so the sender stops; its SAS is not rendered, as keyd enrolls
 * no PBX (§7.3.1). An invalid one is dropped.
 */
int zi_on_sasrelay(struct zrtp_conn *c, const struct zrtp_packet *p)
{
	uint8_t plain[MSG_MAX];
	bool ok;

	if (c->st != ZS_SECURE || p->msg.u.sealed.enc.len > sizeof(plain))
		return 0;
	ok = !zrtp_confirm_open(&c->suite, &c->keys, !c->initiator, &p->msg.u.sealed, plain);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (!ok)
		return 0;
	c->stats.sasrelay_ignored++;
	return zi_send_simple(c, ZRTP_RELAYACK, 0) ? 0 : 0;
}
