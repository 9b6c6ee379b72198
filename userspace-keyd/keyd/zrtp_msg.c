// SPDX-License-Identifier: GPL-2.0
/*
 * ZRTP packets and messages (zrtp_msg.h). Every ZRTP message is a whole
 * number of 32-bit words whose count the length field gives; each type
 * fixes that count (Hello: by its algorithm counts; DHPart: by its public
 * value, at least one word; Confirm and SASrelay: at least their clear
 * body), so the decoder checks the count first and then reads fields at
 * fixed places.
 */
#include <string.h>

#include "zrtp_msg.h"

static const char *const type_blocks[ZRTP_NTYPES] = {
	"Hello   ", "HelloACK", "Commit  ", "DHPart1 ", "DHPart2 ", "Confirm1", "Confirm2",
	"Conf2ACK", "Error   ", "ErrorACK", "GoClear ", "ClearACK", "SASrelay", "RelayACK",
	"Ping    ", "PingACK ",
};

/* Fixed lengths in words (0: the type's own rule). */
static const uint16_t fixed_words[ZRTP_NTYPES] = {
	[ZRTP_HELLOACK] = 3, [ZRTP_CONF2ACK] = 3, [ZRTP_ERROR] = 4, [ZRTP_ERRORACK] = 3,
	[ZRTP_GOCLEAR] = 5, [ZRTP_CLEARACK] = 3, [ZRTP_RELAYACK] = 3, [ZRTP_PING] = 6,
	[ZRTP_PINGACK] = 9,
};

#define HELLO_WORDS	22	/* without its algorithm lists */
#define COMMIT_WORDS	19	/* without hvi / nonce / key ID and the MAC */
#define DHPART_WORDS	21	/* without pv */
#define SEALED_WORDS	9	/* up to the encrypted part */
#define CONFIRM_BODY	40	/* bytes: H0, sig len and flags, cache expiry */

const char *zrtp_type_name(enum zrtp_type t)
{
	return (unsigned int)t < ZRTP_NTYPES ? type_blocks[t] : NULL;
}

bool zrtp_is_packet(const uint8_t *buf, size_t len)
{
	/* RFC 7983: 0-3 is STUN, 16-19 ZRTP; then the cookie (§5) */
	return len >= ZRTP_HDR_LEN + 12 + ZRTP_CRC_LEN && (buf[0] & 0xf0) == 0x10 &&
	       !memcmp(buf + 4, "ZRTP", 4);
}

/*
 * CRC-32c (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: ZRTP
 * packets are few and short. RFC 4960 Appendix B sends the one's
 * complement of the remainder least significant byte first.
 */
uint32_t zrtp_crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc >> 1 ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return ~crc;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int type_of(const uint8_t *block)
{
	int t;

	for (t = 0; t < ZRTP_NTYPES; t++)
		if (!memcmp(block, type_blocks[t], 8))
			return t;
	return -1;
}

static enum zrtp_commit_kind commit_kind(zrtp_alg ka)
{
	if (ka == ZRTP_ALG("Mult"))
		return ZRTP_COMMIT_MULT;
	if (ka == ZRTP_ALG("Prsh"))
		return ZRTP_COMMIT_PRSH;
	return ZRTP_COMMIT_DH;
}

static size_t commit_words(enum zrtp_commit_kind k)
{
	return COMMIT_WORDS + 2 + (k == ZRTP_COMMIT_DH ? 8 : k == ZRTP_COMMIT_MULT ? 4 : 6);
}

/* ---------------------------------------------------------------- decode */

static const char *hello_decode(const uint8_t *m, size_t words, struct zrtp_hello *h)
{
	uint32_t f = get32(m + 76);
	size_t k, i, n = 0, at = 80;

	memcpy(h->version, m + 12, 4);
	memcpy(h->cid, m + 16, 16);
	memcpy(h->h3, m + 32, ZRTP_H_LEN);
	memcpy(h->zid, m + 64, ZRTP_ZID_LEN);
	h->sig = f & 0x40000000;
	h->mitm = f & 0x20000000;
	h->passive = f & 0x10000000;
	h->reserved = f & 0x8ff00000u;
	for (k = 0; k < ZRTP_NKINDS; k++) {
		h->n[k] = (uint8_t)(f >> (16 - 4 * k) & 0xf);
		if (h->n[k] > ZRTP_MAX_ALGS)
			return "Hello lists more than 7 algorithms of a kind";
		n += h->n[k];
	}
	if (words != HELLO_WORDS + n)
		return "Hello length does not match its algorithm counts";
	for (k = 0; k < ZRTP_NKINDS; k++)
		for (i = 0; i < h->n[k]; i++, at += 4)
			h->alg[k][i] = get32(m + at);
	memcpy(h->mac, m + at, ZRTP_MAC_LEN);
	return NULL;
}

static const char *commit_decode(const uint8_t *m, size_t words, struct zrtp_commit *c)
{
	size_t at = 76;

	memcpy(c->h2, m + 12, ZRTP_H_LEN);
	memcpy(c->zid, m + 44, ZRTP_ZID_LEN);
	c->hash = get32(m + 56);
	c->cipher = get32(m + 60);
	c->auth = get32(m + 64);
	c->ka = get32(m + 68);
	c->sas = get32(m + 72);
	c->kind = commit_kind(c->ka);
	if (words != commit_words(c->kind))
		return "Commit length does not match its key agreement (DH, Mult, Prsh)";
	if (c->kind == ZRTP_COMMIT_DH) {
		memcpy(c->hvi, m + at, ZRTP_H_LEN);
		at += ZRTP_H_LEN;
	} else {
		memcpy(c->nonce, m + at, ZRTP_NONCE_LEN);
		at += ZRTP_NONCE_LEN;
	}
	if (c->kind == ZRTP_COMMIT_PRSH) {
		memcpy(c->key_id, m + at, ZRTP_ID_LEN);
		at += ZRTP_ID_LEN;
	}
	memcpy(c->mac, m + at, ZRTP_MAC_LEN);
	return NULL;
}

static const char *dhpart_decode(const uint8_t *m, size_t words, struct zrtp_dhpart *d)
{
	size_t pv = 4 * (words - DHPART_WORDS);

	if (words <= DHPART_WORDS)
		return "DHPart without a public value";
	memcpy(d->h1, m + 12, ZRTP_H_LEN);
	memcpy(d->rs1id, m + 44, ZRTP_ID_LEN);
	memcpy(d->rs2id, m + 52, ZRTP_ID_LEN);
	memcpy(d->auxid, m + 60, ZRTP_ID_LEN);
	memcpy(d->pbxid, m + 68, ZRTP_ID_LEN);
	d->pv = (struct zrtp_bytes){ m + 76, pv };
	memcpy(d->mac, m + 76 + pv, ZRTP_MAC_LEN);
	return NULL;
}

static const char *sealed_decode(const uint8_t *m, size_t words, struct zrtp_sealed *s)
{
	if (words < SEALED_WORDS + CONFIRM_BODY / 4)
		return "Confirm or SASrelay shorter than its clear body";
	memcpy(s->mac, m + 12, ZRTP_MAC_LEN);
	memcpy(s->iv, m + 20, ZRTP_IV_LEN);
	s->enc = (struct zrtp_bytes){ m + 36, 4 * words - 36 };
	return NULL;
}

static void ping_decode(const uint8_t *m, enum zrtp_type t, struct zrtp_ping *p)
{
	memcpy(p->version, m + 12, 4);
	memcpy(p->ep, m + 16, ZRTP_ID_LEN);
	if (t == ZRTP_PINGACK) {
		memcpy(p->ep_rx, m + 24, ZRTP_ID_LEN);
		p->ssrc = get32(m + 32);
	}
}

static const char *msg_decode(const uint8_t *m, size_t words, struct zrtp_msg *msg)
{
	enum zrtp_type t = msg->type;

	if (fixed_words[t] && words != fixed_words[t])
		return "message length wrong for its type";
	switch (t) {
	case ZRTP_HELLO:
		return words < HELLO_WORDS ? "Hello too short" : hello_decode(m, words, &msg->u.hello);
	case ZRTP_COMMIT:
		return words < COMMIT_WORDS + 6 ? "Commit too short" :
		       commit_decode(m, words, &msg->u.commit);
	case ZRTP_DHPART1:
	case ZRTP_DHPART2:
		return dhpart_decode(m, words, &msg->u.dhpart);
	case ZRTP_CONFIRM1:
	case ZRTP_CONFIRM2:
	case ZRTP_SASRELAY:
		return sealed_decode(m, words, &msg->u.sealed);
	case ZRTP_ERROR:
		msg->u.error = get32(m + 12);
		break;
	case ZRTP_GOCLEAR:
		memcpy(msg->u.clear_mac, m + 12, ZRTP_MAC_LEN);
		break;
	case ZRTP_PING:
	case ZRTP_PINGACK:
		ping_decode(m, t, &msg->u.ping);
		break;
	default:	/* the ACKs: nothing but their type */
		break;
	}
	return NULL;
}

int zrtp_decode(const uint8_t *buf, size_t len, struct zrtp_packet *pkt, const char **why)
{
	const char *w = NULL;
	size_t words;
	int t;

	memset(pkt, 0, sizeof(*pkt));
	if (len < ZRTP_HDR_LEN + 12 + ZRTP_CRC_LEN || len > ZRTP_HDR_LEN + ZRTP_MAX_MSG + 4)
		w = "not a ZRTP packet's length";
	else if ((buf[0] & 0xf0) != 0x10 || get32(buf + 4) != ZRTP_MAGIC)
		w = "no ZRTP header (0x1, magic cookie)";
	else if (zrtp_crc32c(buf, len - 4) != (uint32_t)(buf[len - 4] | buf[len - 3] << 8 |
							  buf[len - 2] << 16 |
							  (uint32_t)buf[len - 1] << 24))
		w = "CRC mismatch";
	else if ((buf[12] << 8 | buf[13]) != ZRTP_PREAMBLE)
		w = "no ZRTP preamble";
	else if ((words = (size_t)(buf[14] << 8 | buf[15])) * 4 != len - ZRTP_HDR_LEN - 4)
		w = "message length does not fill the packet";
	else if ((t = type_of(buf + 16)) < 0)
		w = "unknown message type";
	if (!w) {
		pkt->reserved = (uint16_t)((buf[0] & 0x0f) << 8 | buf[1]);
		pkt->seq = (uint16_t)(buf[2] << 8 | buf[3]);
		pkt->ssrc = get32(buf + 8);
		pkt->msg.type = (enum zrtp_type)t;
		pkt->raw = (struct zrtp_bytes){ buf + ZRTP_HDR_LEN, 4 * words };
		w = msg_decode(buf + ZRTP_HDR_LEN, words, &pkt->msg);
	}
	if (w && why)
		*why = w;
	return w ? -1 : 0;
}

/* ---------------------------------------------------------------- encode */

/* The message body after its type block, at m + 12; its length in words. */
static size_t hello_encode(const struct zrtp_hello *h, uint8_t *m)
{
	uint32_t f = (h->sig ? 0x40000000u : 0) | (h->mitm ? 0x20000000u : 0) |
		     (h->passive ? 0x10000000u : 0) | (h->reserved & 0x8ff00000u);
	size_t k, i, at = 80;

	memcpy(m + 12, h->version, 4);
	memcpy(m + 16, h->cid, 16);
	memcpy(m + 32, h->h3, ZRTP_H_LEN);
	memcpy(m + 64, h->zid, ZRTP_ZID_LEN);
	for (k = 0; k < ZRTP_NKINDS; k++) {
		if (h->n[k] > ZRTP_MAX_ALGS)
			return 0;
		f |= (uint32_t)h->n[k] << (16 - 4 * k);
		for (i = 0; i < h->n[k]; i++, at += 4)
			put32(m + at, h->alg[k][i]);
	}
	put32(m + 76, f);
	memcpy(m + at, h->mac, ZRTP_MAC_LEN);
	return (at + ZRTP_MAC_LEN) / 4;
}

static size_t commit_encode(const struct zrtp_commit *c, uint8_t *m)
{
	enum zrtp_commit_kind k = commit_kind(c->ka);
	size_t at = 76;

	memcpy(m + 12, c->h2, ZRTP_H_LEN);
	memcpy(m + 44, c->zid, ZRTP_ZID_LEN);
	put32(m + 56, c->hash);
	put32(m + 60, c->cipher);
	put32(m + 64, c->auth);
	put32(m + 68, c->ka);
	put32(m + 72, c->sas);
	if (k == ZRTP_COMMIT_DH) {
		memcpy(m + at, c->hvi, ZRTP_H_LEN);
		at += ZRTP_H_LEN;
	} else {
		memcpy(m + at, c->nonce, ZRTP_NONCE_LEN);
		at += ZRTP_NONCE_LEN;
	}
	if (k == ZRTP_COMMIT_PRSH) {
		memcpy(m + at, c->key_id, ZRTP_ID_LEN);
		at += ZRTP_ID_LEN;
	}
	memcpy(m + at, c->mac, ZRTP_MAC_LEN);
	return (at + ZRTP_MAC_LEN) / 4;
}

static size_t dhpart_encode(const struct zrtp_dhpart *d, uint8_t *m, size_t cap)
{
	if (!d->pv.len || d->pv.len % 4 || 84 + d->pv.len > cap)
		return 0;
	memcpy(m + 12, d->h1, ZRTP_H_LEN);
	memcpy(m + 44, d->rs1id, ZRTP_ID_LEN);
	memcpy(m + 52, d->rs2id, ZRTP_ID_LEN);
	memcpy(m + 60, d->auxid, ZRTP_ID_LEN);
	memcpy(m + 68, d->pbxid, ZRTP_ID_LEN);
	memcpy(m + 76, d->pv.p, d->pv.len);
	memcpy(m + 76 + d->pv.len, d->mac, ZRTP_MAC_LEN);
	return DHPART_WORDS + d->pv.len / 4;
}

static size_t sealed_encode(const struct zrtp_sealed *s, uint8_t *m, size_t cap)
{
	if (s->enc.len < CONFIRM_BODY || s->enc.len % 4 || 36 + s->enc.len > cap)
		return 0;
	memcpy(m + 12, s->mac, ZRTP_MAC_LEN);
	memcpy(m + 20, s->iv, ZRTP_IV_LEN);
	memcpy(m + 36, s->enc.p, s->enc.len);
	return SEALED_WORDS + s->enc.len / 4;
}

static size_t ping_encode(const struct zrtp_ping *p, enum zrtp_type t, uint8_t *m)
{
	memcpy(m + 12, p->version, 4);
	memcpy(m + 16, p->ep, ZRTP_ID_LEN);
	if (t == ZRTP_PINGACK) {
		memcpy(m + 24, p->ep_rx, ZRTP_ID_LEN);
		put32(m + 32, p->ssrc);
	}
	return fixed_words[t];
}

/* m has room for cap bytes; the longest fixed-place messages fit in 136. */
static size_t msg_encode(const struct zrtp_msg *msg, uint8_t *m, size_t cap)
{
	switch (msg->type) {
	case ZRTP_HELLO:
		return hello_encode(&msg->u.hello, m);
	case ZRTP_COMMIT:
		return commit_encode(&msg->u.commit, m);
	case ZRTP_DHPART1:
	case ZRTP_DHPART2:
		return dhpart_encode(&msg->u.dhpart, m, cap);
	case ZRTP_CONFIRM1:
	case ZRTP_CONFIRM2:
	case ZRTP_SASRELAY:
		return sealed_encode(&msg->u.sealed, m, cap);
	case ZRTP_ERROR:
		put32(m + 12, msg->u.error);
		break;
	case ZRTP_GOCLEAR:
		memcpy(m + 12, msg->u.clear_mac, ZRTP_MAC_LEN);
		break;
	case ZRTP_PING:
	case ZRTP_PINGACK:
		return ping_encode(&msg->u.ping, msg->type, m);
	default:
		break;
	}
	return fixed_words[msg->type];
}

size_t zrtp_frame(uint8_t *out, uint16_t reserved, uint16_t seq, uint32_t ssrc, size_t len)
{
	uint32_t crc;

	out[0] = (uint8_t)(0x10 | (reserved >> 8 & 0x0f));
	out[1] = (uint8_t)reserved;
	out[2] = (uint8_t)(seq >> 8);
	out[3] = (uint8_t)seq;
	put32(out + 4, ZRTP_MAGIC);
	put32(out + 8, ssrc);
	crc = zrtp_crc32c(out, ZRTP_HDR_LEN + len);
	out[ZRTP_HDR_LEN + len] = (uint8_t)crc;
	out[ZRTP_HDR_LEN + len + 1] = (uint8_t)(crc >> 8);
	out[ZRTP_HDR_LEN + len + 2] = (uint8_t)(crc >> 16);
	out[ZRTP_HDR_LEN + len + 3] = (uint8_t)(crc >> 24);
	return ZRTP_HDR_LEN + len + ZRTP_CRC_LEN;
}

size_t zrtp_encode(const struct zrtp_packet *pkt, uint8_t *out, size_t cap, const char **why)
{
	uint8_t fixed[HELLO_WORDS * 4 + ZRTP_NKINDS * ZRTP_MAX_ALGS * 4];
	const struct zrtp_msg *msg = &pkt->msg;
	bool big = msg->type == ZRTP_DHPART1 || msg->type == ZRTP_DHPART2 ||
		   msg->type == ZRTP_CONFIRM1 || msg->type == ZRTP_CONFIRM2 ||
		   msg->type == ZRTP_SASRELAY;
	uint8_t *m = big ? out + ZRTP_HDR_LEN : fixed;
	size_t words, room = cap > ZRTP_HDR_LEN + 4 ? cap - ZRTP_HDR_LEN - 4 : 0;

	if ((unsigned int)msg->type >= ZRTP_NTYPES) {
		if (why)
			*why = "unknown message type";
		return 0;
	}
	memset(fixed, 0, sizeof(fixed));
	words = msg_encode(msg, m, big ? room : sizeof(fixed));
	if (!words || 4 * words > room || words > 0xffff) {
		if (why)
			*why = words ? "output buffer too small" : "a field does not fit its message";
		return 0;
	}
	if (!big)
		memcpy(out + ZRTP_HDR_LEN, fixed, 4 * words);
	m = out + ZRTP_HDR_LEN;
	m[0] = ZRTP_PREAMBLE >> 8;
	m[1] = ZRTP_PREAMBLE & 0xff;
	m[2] = (uint8_t)(words >> 8);
	m[3] = (uint8_t)words;
	memcpy(m + 4, type_blocks[msg->type], 8);
	return zrtp_frame(out, pkt->reserved, pkt->seq, pkt->ssrc, 4 * words);
}

/* ---------------------------------------------------------------- Confirm body */

int zrtp_confirm_body_decode(const uint8_t *buf, size_t len, struct zrtp_confirm_body *b,
			     const char **why)
{
	uint32_t w;

	memset(b, 0, sizeof(*b));
	if (len < CONFIRM_BODY) {
		if (why)
			*why = "Confirm body too short";
		return -1;
	}
	memcpy(b->h0, buf, ZRTP_H_LEN);
	w = get32(buf + 32);
	b->sig_words = (uint16_t)(w >> 8 & 0x1ff);
	b->pbx_enroll = w & 8;
	b->sas_verified = w & 4;
	b->allow_clear = w & 2;
	b->disclosure = w & 1;
	b->reserved = w & 0xfffe00f0u;
	b->cache_expiry = get32(buf + 36);
	if (len != CONFIRM_BODY + 4 * (size_t)b->sig_words) {
		if (why)
			*why = "Confirm body length does not match its signature length";
		return -1;
	}
	b->sig = (struct zrtp_bytes){ buf + CONFIRM_BODY, 4 * (size_t)b->sig_words };
	return 0;
}

size_t zrtp_confirm_body_encode(const struct zrtp_confirm_body *b, uint8_t *out, size_t cap,
				const char **why)
{
	size_t n = CONFIRM_BODY + b->sig.len;

	if (b->sig.len % 4 || b->sig.len / 4 > 0x1ff || n > cap) {
		if (why)
			*why = b->sig.len % 4 || b->sig.len / 4 > 0x1ff ?
			       "signature not a whole number of words, or too long" :
			       "output buffer too small";
		return 0;
	}
	memcpy(out, b->h0, ZRTP_H_LEN);
	put32(out + 32, (b->reserved & 0xfffe00f0u) | (uint32_t)(b->sig.len / 4) << 8 |
			(b->pbx_enroll ? 8u : 0) |
			(b->sas_verified ? 4u : 0) | (b->allow_clear ? 2u : 0) |
			(b->disclosure ? 1u : 0));
	put32(out + 36, b->cache_expiry);
	if (b->sig.len)
		memcpy(out + CONFIRM_BODY, b->sig.p, b->sig.len);
	return n;
}

/* ---------------------------------------------------------------- SASrelay body */

#define RELAY_BODY	40	/* flag word, rendering scheme, sashash */

int zrtp_relay_body_decode(const uint8_t *buf, size_t len, struct zrtp_relay_body *b,
			   const char **why)
{
	uint32_t w;

	memset(b, 0, sizeof(*b));
	if (len < RELAY_BODY) {
		if (why)
			*why = "SASrelay body too short";
		return -1;
	}
	w = get32(buf);
	b->sig_words = (uint16_t)(w >> 8 & 0x1ff);
	b->sas_verified = w & 4;
	b->allow_clear = w & 2;
	b->disclosure = w & 1;
	b->reserved = w & 0xfffe00f8u;
	b->scheme = get32(buf + 4);
	memcpy(b->sashash, buf + 8, sizeof(b->sashash));
	if (len != RELAY_BODY + 4 * (size_t)b->sig_words) {
		if (why)
			*why = "SASrelay body length does not match its signature length";
		return -1;
	}
	b->sig = (struct zrtp_bytes){ buf + RELAY_BODY, 4 * (size_t)b->sig_words };
	return 0;
}

size_t zrtp_relay_body_encode(const struct zrtp_relay_body *b, uint8_t *out, size_t cap,
			      const char **why)
{
	size_t n = RELAY_BODY + b->sig.len;

	if (b->sig.len % 4 || b->sig.len / 4 > 0x1ff || n > cap) {
		if (why)
			*why = b->sig.len % 4 || b->sig.len / 4 > 0x1ff ?
			       "signature not a whole number of words, or too long" :
			       "output buffer too small";
		return 0;
	}
	put32(out, (b->reserved & 0xfffe00f8u) | (uint32_t)(b->sig.len / 4) << 8 |
		   (b->sas_verified ? 4u : 0) | (b->allow_clear ? 2u : 0) |
		   (b->disclosure ? 1u : 0));
	put32(out + 4, b->scheme);
	memcpy(out + 8, b->sashash, sizeof(b->sashash));
	if (b->sig.len)
		memcpy(out + RELAY_BODY, b->sig.p, b->sig.len);
	return n;
}
