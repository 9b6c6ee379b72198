// SPDX-License-Identifier: GPL-2.0
/*
 * ICE-lite STUN: check Binding requests, build success responses
 * (stun_lite.h). HMAC-SHA1 from OpenSSL, CRC-32 from zlib.
 */
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "stun_lite.h"

#define STUN_COOKIE		0x2112A442u
#define STUN_BINDING_REQ	0x0001
#define STUN_BINDING_OK		0x0101
#define ATTR_USERNAME		0x0006
#define ATTR_INTEGRITY		0x0008
#define ATTR_XOR_MAPPED		0x0020
#define ATTR_FINGERPRINT	0x8028
#define FP_XOR			0x5354554eu
#define MI_LEN			20

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

const char *stun_verdict_name(enum stun_verdict v)
{
	static const char *const names[] = {
		"ok", "not stun", "not a binding request", "malformed",
		"bad username", "bad message-integrity",
	};

	return v <= STUN_BAD_INTEGRITY ? names[v] : "?";
}

static uint32_t fingerprint(const uint8_t *msg, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), msg, (uInt)len) ^ FP_XOR;
}

/* HMAC-SHA1 over msg[0..off) with the header's length set as if the message
 * ended right after a MESSAGE-INTEGRITY at off (RFC 8489 §14.5).
 */
static int integrity(const uint8_t *msg, size_t off, const char *pwd, uint8_t mac[MI_LEN])
{
	uint8_t buf[STUN_MAX];
	unsigned int maclen = MI_LEN;

	if (off > sizeof(buf))
		return -1;
	memcpy(buf, msg, off);
	put16(buf + 2, (uint16_t)(off - STUN_HDR + 4 + MI_LEN));
	if (!HMAC(EVP_sha1(), pwd, (int)strlen(pwd), buf, off, mac, &maclen) ||
	    maclen != MI_LEN)
		return -1;
	return 0;
}

struct attrs {
	size_t user, user_len, mi, fp;	/* offsets of the attribute headers; 0: absent */
};

/* Walk the attributes: lengths in bounds, nothing but FINGERPRINT after
 * MESSAGE-INTEGRITY, FINGERPRINT last.
 */
static enum stun_verdict walk(const uint8_t *msg, size_t len, struct attrs *a)
{
	size_t off = STUN_HDR;

	memset(a, 0, sizeof(*a));
	while (off < len) {
		uint16_t type, alen;

		if (len - off < 4 || a->fp)
			return STUN_MALFORMED;
		type = get16(msg + off);
		alen = get16(msg + off + 2);
		if ((size_t)alen + 4 > len - off)
			return STUN_MALFORMED;
		if (a->mi && type != ATTR_FINGERPRINT)
			return STUN_MALFORMED;
		if (type == ATTR_USERNAME && !a->user) {
			a->user = off;
			a->user_len = alen;
		} else if (type == ATTR_INTEGRITY) {
			if (alen != MI_LEN)
				return STUN_MALFORMED;
			a->mi = off;
		} else if (type == ATTR_FINGERPRINT) {
			if (alen != 4)
				return STUN_MALFORMED;
			a->fp = off;
		}
		off += 4 + (((size_t)alen + 3) & ~(size_t)3);
	}
	return off == len ? STUN_OK : STUN_MALFORMED;
}

enum stun_verdict stun_check_request(const uint8_t *msg, size_t len,
				     const char *ufrag, const char *pwd)
{
	size_t ulen = strlen(ufrag);
	uint8_t mac[MI_LEN];
	struct attrs a;
	enum stun_verdict v;

	if (len < STUN_HDR || len > STUN_MAX || (msg[0] & 0xc0) ||
	    get32(msg + 4) != STUN_COOKIE)
		return STUN_NOT_STUN;
	if ((size_t)get16(msg + 2) + STUN_HDR != len || len % 4)
		return STUN_MALFORMED;
	if (get16(msg) != STUN_BINDING_REQ)
		return STUN_NOT_REQUEST;
	v = walk(msg, len, &a);
	if (v != STUN_OK)
		return v;
	/* ICE requires FINGERPRINT (RFC 8445 §7.1.1); it covers all before it */
	if (!a.fp || get32(msg + a.fp + 4) != fingerprint(msg, a.fp))
		return STUN_MALFORMED;
	/* USERNAME is "our ufrag:their ufrag" (RFC 8445 §7.2.2) */
	if (!a.user || a.user_len <= ulen || memcmp(msg + a.user + 4, ufrag, ulen) ||
	    msg[a.user + 4 + ulen] != ':')
		return STUN_BAD_USER;
	if (!a.mi || integrity(msg, a.mi, pwd, mac) ||
	    CRYPTO_memcmp(mac, msg + a.mi + 4, MI_LEN))
		return STUN_BAD_INTEGRITY;
	return STUN_OK;
}

size_t stun_build_response(const uint8_t *req, const struct sockaddr_in *src,
			   const char *pwd, uint8_t *out)
{
	uint32_t addr = ntohl(src->sin_addr.s_addr);
	uint16_t port = ntohs(src->sin_port);
	size_t off = STUN_HDR;

	put16(out, STUN_BINDING_OK);
	memcpy(out + 4, req + 4, 16);		/* cookie and transaction id */
	put16(out + off, ATTR_XOR_MAPPED);
	put16(out + off + 2, 8);
	out[off + 4] = 0;
	out[off + 5] = 0x01;			/* IPv4 */
	put16(out + off + 6, port ^ (STUN_COOKIE >> 16));
	put32(out + off + 8, addr ^ STUN_COOKIE);
	off += 12;
	put16(out + off, ATTR_INTEGRITY);
	put16(out + off + 2, MI_LEN);
	if (integrity(out, off, pwd, out + off + 4))
		return 0;
	off += 4 + MI_LEN;
	put16(out + 2, (uint16_t)(off - STUN_HDR + 8));
	put16(out + off, ATTR_FINGERPRINT);
	put16(out + off + 2, 4);
	put32(out + off + 4, fingerprint(out, off));
	return off + 8;
}
