/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP packet and message codec (RFC 6189 §5): the 12-byte packet header
 * (magic cookie 0x5a525450, sequence number, SSRC), the sixteen message
 * types, and the CRC-32c trailer. No I/O, no crypto: decode checks the
 * CRC, the preamble, the length against the packet and against what the
 * type fixes, and each field's place; encode writes the exact bytes back.
 * Bits the RFC leaves unused are kept as received, so re-encoding is exact
 * (a message built afresh has them zero). MACs and the Confirm/SASrelay
 * ciphertext are the engine's, given as bytes. A decoded message points
 * into the buffer it came from.
 */
#ifndef KEYD_ZRTP_MSG_H
#define KEYD_ZRTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZRTP_HDR_LEN		12
#define ZRTP_CRC_LEN		4
#define ZRTP_MAGIC		0x5a525450u
#define ZRTP_PREAMBLE		0x505a
#define ZRTP_MAC_LEN		8	/* every message MAC, truncated (§5.1.2.2) */
#define ZRTP_H_LEN		32	/* hash images H0-H3, hvi */
#define ZRTP_ZID_LEN		12
#define ZRTP_ID_LEN		8	/* rs1IDr, ..., EndpointHash */
#define ZRTP_NONCE_LEN		16
#define ZRTP_IV_LEN		16
#define ZRTP_MAX_ALGS		7	/* per kind in a Hello */
#define ZRTP_MAX_MSG		(4 * 0xffff)	/* the length field counts words */

enum zrtp_type {
	ZRTP_HELLO, ZRTP_HELLOACK, ZRTP_COMMIT, ZRTP_DHPART1, ZRTP_DHPART2,
	ZRTP_CONFIRM1, ZRTP_CONFIRM2, ZRTP_CONF2ACK, ZRTP_ERROR, ZRTP_ERRORACK,
	ZRTP_GOCLEAR, ZRTP_CLEARACK, ZRTP_SASRELAY, ZRTP_RELAYACK, ZRTP_PING,
	ZRTP_PINGACK, ZRTP_NTYPES,
};

/* The algorithm lists of a Hello, in its order (§5.1.2-§5.1.6). */
enum zrtp_kind { ZRTP_HASH, ZRTP_CIPHER, ZRTP_AUTH, ZRTP_KA, ZRTP_SAS, ZRTP_NKINDS };

/* A 4-character type block ("S256", "X255", ...) as a big-endian word. */
typedef uint32_t zrtp_alg;
#define ZRTP_ALG(s) ((uint32_t)(uint8_t)(s)[0] << 24 | (uint32_t)(uint8_t)(s)[1] << 16 | \
		     (uint32_t)(uint8_t)(s)[2] << 8 | (uint32_t)(uint8_t)(s)[3])

struct zrtp_bytes {
	const uint8_t *p;
	size_t len;
};

struct zrtp_hello {
	uint8_t version[4];		/* "1.10" */
	uint8_t cid[16];		/* client identifier */
	uint8_t h3[ZRTP_H_LEN];
	uint8_t zid[ZRTP_ZID_LEN];
	bool sig, mitm, passive;	/* S, M, P */
	uint32_t reserved;		/* the flag word's other bits, as received */
	uint8_t n[ZRTP_NKINDS];		/* hc, cc, ac, kc, sc */
	zrtp_alg alg[ZRTP_NKINDS][ZRTP_MAX_ALGS];
	uint8_t mac[ZRTP_MAC_LEN];
};

enum zrtp_commit_kind { ZRTP_COMMIT_DH, ZRTP_COMMIT_MULT, ZRTP_COMMIT_PRSH };

struct zrtp_commit {
	uint8_t h2[ZRTP_H_LEN];
	uint8_t zid[ZRTP_ZID_LEN];
	zrtp_alg hash, cipher, auth, ka, sas;
	enum zrtp_commit_kind kind;	/* from ka: "Mult", "Prsh", else DH */
	uint8_t hvi[ZRTP_H_LEN];	/* DH */
	uint8_t nonce[ZRTP_NONCE_LEN];	/* Multistream, Preshared */
	uint8_t key_id[ZRTP_ID_LEN];	/* Preshared */
	uint8_t mac[ZRTP_MAC_LEN];
};

struct zrtp_dhpart {
	uint8_t h1[ZRTP_H_LEN];
	uint8_t rs1id[ZRTP_ID_LEN], rs2id[ZRTP_ID_LEN], auxid[ZRTP_ID_LEN], pbxid[ZRTP_ID_LEN];
	struct zrtp_bytes pv;		/* a whole number of words; its KA decides how many */
	uint8_t mac[ZRTP_MAC_LEN];
};

/* Confirm1/2 and SASrelay: a MAC, the CFB IV, the encrypted rest. */
struct zrtp_sealed {
	uint8_t mac[ZRTP_MAC_LEN];
	uint8_t iv[ZRTP_IV_LEN];
	struct zrtp_bytes enc;
};

struct zrtp_ping {
	uint8_t version[4];
	uint8_t ep[ZRTP_ID_LEN];	/* the sender's EndpointHash */
	uint8_t ep_rx[ZRTP_ID_LEN];	/* PingACK: the Ping's */
	uint32_t ssrc;			/* PingACK: the Ping's packet's SSRC */
};

struct zrtp_msg {
	enum zrtp_type type;
	union {
		struct zrtp_hello hello;
		struct zrtp_commit commit;
		struct zrtp_dhpart dhpart;
		struct zrtp_sealed sealed;	/* Confirm1, Confirm2, SASrelay */
		uint32_t error;			/* Error's code (§5.9) */
		uint8_t clear_mac[ZRTP_MAC_LEN];	/* GoClear */
		struct zrtp_ping ping;		/* Ping, PingACK */
	} u;
};

struct zrtp_packet {
	uint16_t reserved;		/* the header's 12 unused bits, as received */
	uint16_t seq;
	uint32_t ssrc;
	struct zrtp_msg msg;
	struct zrtp_bytes raw;		/* decoded: the message's bytes (MACs, hashes) */
};

/* The decrypted part of a Confirm (§5.7). */
struct zrtp_confirm_body {
	uint8_t h0[ZRTP_H_LEN];
	uint16_t sig_words;		/* signature length, words, with its type block */
	bool pbx_enroll, sas_verified, allow_clear, disclosure;	/* E V A D */
	uint32_t reserved;		/* the unused bits of that word, as received */
	uint32_t cache_expiry;		/* s; 0xffffffff: forever */
	struct zrtp_bytes sig;		/* the signature type block and signature */
};

/* The decrypted part of a SASrelay (§5.13). */
struct zrtp_relay_body {
	uint16_t sig_words;		/* signature length, words, with its type block */
	bool sas_verified, allow_clear, disclosure;	/* V A D, the far party's */
	uint32_t reserved;		/* the unused bits of the flag word, as received */
	zrtp_alg scheme;		/* the relayed SAS's rendering scheme */
	uint8_t sashash[32];		/* the far leg's; zeros to an endpoint not enrolled */
	struct zrtp_bytes sig;		/* the signature type block and signature */
};

/* Whether buf is a ZRTP packet by RFC 7983's demultiplexing and the cookie. */
bool zrtp_is_packet(const uint8_t *buf, size_t len);

/* CRC-32c as RFC 4960 Appendix B computes it (the value the trailer holds). */
uint32_t zrtp_crc32c(const uint8_t *p, size_t len);

/* Decode a packet (CRC first: a bad one is "silently discarded", §5). 0, or
 * -1 with a static reason in *why (may be NULL).
 */
int zrtp_decode(const uint8_t *buf, size_t len, struct zrtp_packet *pkt, const char **why);
/* Encode pkt (its raw is ignored) with its CRC. Length, or 0 with *why. */
size_t zrtp_encode(const struct zrtp_packet *pkt, uint8_t *out, size_t cap, const char **why);

/* The packet around a message already at out + ZRTP_HDR_LEN (len bytes):
 * header and CRC. The packet's length.
 */
size_t zrtp_frame(uint8_t *out, uint16_t reserved, uint16_t seq, uint32_t ssrc, size_t len);

int zrtp_confirm_body_decode(const uint8_t *buf, size_t len, struct zrtp_confirm_body *b,
			     const char **why);
size_t zrtp_confirm_body_encode(const struct zrtp_confirm_body *b, uint8_t *out, size_t cap,
				const char **why);

int zrtp_relay_body_decode(const uint8_t *buf, size_t len, struct zrtp_relay_body *b,
			   const char **why);
size_t zrtp_relay_body_encode(const struct zrtp_relay_body *b, uint8_t *out, size_t cap,
			      const char **why);

/* "Hello   " etc.; NULL for a number that is no type. */
const char *zrtp_type_name(enum zrtp_type t);

#endif /* KEYD_ZRTP_MSG_H */
