// SPDX-License-Identifier: GPL-2.0
/*
 * Datagram checks of the DTLS-SRTP engine, before OpenSSL sees a byte:
 * is it DTLS, is it a ClientHello, is every record plausible.
 */
#include "dtls_internal.h"

#define MAX_HS_MESSAGE		65536	/* sanity cap for epoch-0 handshake messages */

/* content types and handshake types we look at */
#define CT_CCS		20
#define CT_ALERT	21
#define CT_HANDSHAKE	22
#define CT_APPDATA	23
#define HT_CLIENT_HELLO	1

bool dtls_is_dtls(const uint8_t *data, size_t len)
{
	return data && len && data[0] >= 20 && data[0] <= 63;
}

bool dtls_is_client_hello(const uint8_t *data, size_t len)
{
	size_t rlen;

	if (!data || len < REC_HDR + HS_HDR + 2 + 32)
		return false;
	if (data[0] != CT_HANDSHAKE || data[1] != 0xfe || data[3] || data[4])
		return false;
	rlen = rd16(data + 11);
	if (rlen < HS_HDR + 2 + 32 || REC_HDR + rlen > len)
		return false;
	/* type 1, fragment offset 0, version + random in this fragment */
	return data[REC_HDR] == HT_CLIENT_HELLO && !rd24(data + REC_HDR + 6) &&
	       rd24(data + REC_HDR + 9) >= 2 + 32 &&
	       rd24(data + REC_HDR + 9) <= rlen - HS_HDR;
}

/* Handshake messages a peer in the other role sends in epoch 0. */
static bool hs_type_ok(enum dtls_role we, unsigned int t)
{
	if (we == DTLS_ROLE_SERVER)	/* from a client */
		return t == 1 || t == 11 || t == 15 || t == 16;
	/* from a server: ServerHello, HelloVerifyRequest, NewSessionTicket,
	 * Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone
	 */
	return t == 2 || t == 3 || t == 4 || (t >= 11 && t <= 14);
}

/*
 * Pre-check of a whole datagram before OpenSSL sees it: every record has a
 * DTLS header and fits; epoch-0 (plaintext) records carry well-formed
 * content a peer in the other role could send; encrypted records are at
 * least min_enc bytes. RFC 6347 §4.1.2.7 wants invalid records discarded
 * without killing the association, but OpenSSL 3.0 treats some of them as
 * fatal: malformed plaintext handshake fragments, and encrypted records
 * shorter than the AEAD nonce + tag (one spoofed 14-byte datagram would
 * tear down an established association). Such datagrams never reach it.
 */
bool dtls_dgram_plausible(enum dtls_role we, size_t min_enc,
			  const uint8_t *p, size_t len)
{
	if (len < REC_HDR)
		return false;
	while (len) {
		unsigned int type, epoch;
		size_t rlen;
		const uint8_t *body;

		if (len < REC_HDR)
			return false;
		type = p[0];
		epoch = rd16(p + 3);
		rlen = rd16(p + 11);
		if (p[1] != 0xfe || (p[2] != 0xff && p[2] != 0xfd))
			return false;
		if (rlen == 0 || REC_HDR + rlen > len)
			return false;
		body = p + REC_HDR;
		/* encrypted: at least nonce + tag / IV + block of our cipher */
		if (epoch && rlen < min_enc)
			return false;
		switch (type) {
		case CT_CCS:
			if (!epoch && (rlen != 1 || body[0] != 1))
				return false;
			break;
		case CT_ALERT:
			if (!epoch && (rlen != 2 || body[0] < 1 || body[0] > 2))
				return false;
			break;
		case CT_HANDSHAKE:
			if (epoch)
				break;
			while (rlen) {
				size_t mlen, foff, flen;

				if (rlen < HS_HDR || !hs_type_ok(we, body[0]))
					return false;
				mlen = rd24(body + 1);
				foff = rd24(body + 6);
				flen = rd24(body + 9);
				if (mlen > MAX_HS_MESSAGE || foff + flen > mlen ||
				    HS_HDR + flen > rlen)
					return false;
				body += HS_HDR + flen;
				rlen -= HS_HDR + flen;
			}
			break;
		case CT_APPDATA:
			if (!epoch)
				return false;
			break;
		default:
			return false;
		}
		rlen = rd16(p + 11);
		p += REC_HDR + rlen;
		len -= REC_HDR + rlen;
	}
	return true;
}
