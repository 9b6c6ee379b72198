/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY message codec (RFC 3830 §6, with the RFC 4650 DHHMAC and RFC 4738
 * RSA-R data types and RFC 4563's Key ID General Extension and empty CS ID
 * map). No I/O, no crypto: decode checks every length against the buffer
 * and the payload chain; encode writes the exact bytes back.
 *
 * A decoded message points into the buffer it was decoded from (struct
 * mikey_bytes are views); the buffer must outlive it. To build a message,
 * fill the same structs with pointers to your own bytes and encode.
 */
#ifndef KEYD_MIKEY_MSG_H
#define KEYD_MIKEY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HDR data types: RFC 3830 §6.1, RFC 4650 (7, 8), RFC 4738 (9, 10). */
enum mikey_data_type {
	MIKEY_DT_PSK_INIT = 0, MIKEY_DT_PSK_RESP = 1,
	MIKEY_DT_PK_INIT = 2, MIKEY_DT_PK_RESP = 3,
	MIKEY_DT_DH_INIT = 4, MIKEY_DT_DH_RESP = 5,
	MIKEY_DT_ERROR = 6,
	MIKEY_DT_DHHMAC_INIT = 7, MIKEY_DT_DHHMAC_RESP = 8,
	MIKEY_DT_RSAR_INIT = 9, MIKEY_DT_RSAR_RESP = 10,
};

/* Payload types (next payload values), RFC 3830 §6. */
enum mikey_pt {
	MIKEY_PT_LAST = 0, MIKEY_PT_KEMAC = 1, MIKEY_PT_PKE = 2, MIKEY_PT_DH = 3,
	MIKEY_PT_SIGN = 4, MIKEY_PT_T = 5, MIKEY_PT_ID = 6, MIKEY_PT_CERT = 7,
	MIKEY_PT_CHASH = 8, MIKEY_PT_V = 9, MIKEY_PT_SP = 10, MIKEY_PT_RAND = 11,
	MIKEY_PT_ERR = 12, MIKEY_PT_KEYDATA = 20, MIKEY_PT_GENEXT = 21,
};

enum mikey_map_type { MIKEY_MAP_SRTP = 0, MIKEY_MAP_EMPTY = 1 /* RFC 4563 §5 */ };
enum mikey_enc_alg { MIKEY_ENC_NULL = 0, MIKEY_ENC_AES_CM_128 = 1, MIKEY_ENC_AES_KW_128 = 2 };
enum mikey_mac_alg { MIKEY_MAC_NULL = 0, MIKEY_MAC_HMAC_SHA1_160 = 1 };
enum mikey_dh_group { MIKEY_DH_OAKLEY5 = 0, MIKEY_DH_OAKLEY1 = 1, MIKEY_DH_OAKLEY2 = 2 };
enum mikey_ts_type { MIKEY_TS_NTP_UTC = 0, MIKEY_TS_NTP = 1, MIKEY_TS_COUNTER = 2 };
enum mikey_kv_type { MIKEY_KV_NULL = 0, MIKEY_KV_SPI = 1, MIKEY_KV_INTERVAL = 2 };
enum mikey_key_type {
	MIKEY_KEY_TGK = 0, MIKEY_KEY_TGK_SALT = 1, MIKEY_KEY_TEK = 2, MIKEY_KEY_TEK_SALT = 3,
};
enum mikey_sign_type { MIKEY_SIGN_PKCS1 = 0, MIKEY_SIGN_PSS = 1 };
enum mikey_hash_func { MIKEY_CHASH_SHA1 = 0, MIKEY_CHASH_MD5 = 1 };
enum mikey_genext_type { MIKEY_EXT_VENDOR = 0, MIKEY_EXT_SDP_IDS = 1, MIKEY_EXT_KEY_ID = 2 };

/* SRTP policy parameter types, RFC 3830 §6.10.1. */
enum mikey_sp_srtp {
	MIKEY_SP_ENC_ALG = 0, MIKEY_SP_ENC_KEY_LEN = 1, MIKEY_SP_AUTH_ALG = 2,
	MIKEY_SP_AUTH_KEY_LEN = 3, MIKEY_SP_SALT_LEN = 4, MIKEY_SP_PRF = 5,
	MIKEY_SP_KDR = 6, MIKEY_SP_SRTP_ENC = 7, MIKEY_SP_SRTCP_ENC = 8,
	MIKEY_SP_FEC = 9, MIKEY_SP_SRTP_AUTH = 10, MIKEY_SP_TAG_LEN = 11,
	MIKEY_SP_PREFIX_LEN = 12,
};

#define MIKEY_MAX_CS		255	/* #CS is one byte */
#define MIKEY_MAX_PAYLOADS	32
#define MIKEY_MAX_SP_PARAMS	32
#define MIKEY_MAX_KEYS		8	/* key data sub-payloads in one KEMAC */
#define MIKEY_MAX_KEY_IDS	8	/* RFC 4563 entries in one extension */
#define MIKEY_HMAC_SHA1_LEN	20

struct mikey_bytes {
	const uint8_t *p;
	size_t len;
};

struct mikey_cs_srtp {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct mikey_hdr {
	uint8_t version;	/* 1 */
	uint8_t data_type;
	bool v;			/* verification message wanted */
	uint8_t prf;		/* 0: MIKEY-1 */
	uint32_t csb_id;
	uint8_t ncs;
	uint8_t map_type;
	struct mikey_cs_srtp cs[MIKEY_MAX_CS];	/* ncs entries with the SRTP map */
};

/* Key validity (§6.13): an SPI/MKI, or an interval (from, to). */
struct mikey_kv {
	uint8_t type;
	struct mikey_bytes spi;
	struct mikey_bytes from, to;
};

struct mikey_kemac {
	uint8_t enc_alg;
	struct mikey_bytes enc;	/* encrypted (or NULL-encrypted) key data chain */
	uint8_t mac_alg;
	struct mikey_bytes mac;
};

struct mikey_pke {
	uint8_t cache;		/* C: 2 bits */
	struct mikey_bytes data;
};

struct mikey_dh {
	uint8_t group;
	struct mikey_bytes value;
	uint8_t reserved;	/* 4 bits, kept for round-trip */
	struct mikey_kv kv;
};

struct mikey_sign {
	uint8_t s_type;		/* 4 bits */
	struct mikey_bytes sig;
};

struct mikey_t {
	uint8_t ts_type;
	uint64_t value;		/* COUNTER: 32 bits */
};

/* ID (§6.7), CERT (§6.7) and General Extension (§6.15) share a layout. */
struct mikey_typed {
	uint8_t type;
	struct mikey_bytes data;
};

struct mikey_chash {
	uint8_t func;
	struct mikey_bytes hash;
};

struct mikey_v {
	uint8_t mac_alg;
	struct mikey_bytes mac;
};

struct mikey_sp_param {
	uint8_t type;
	struct mikey_bytes value;
};

struct mikey_sp {
	uint8_t policy_no;
	uint8_t prot_type;	/* 0: SRTP */
	size_t nparams;
	struct mikey_sp_param params[MIKEY_MAX_SP_PARAMS];
};

struct mikey_err {
	uint8_t err_no;
	uint16_t reserved;
};

struct mikey_payload {
	uint8_t type;		/* enum mikey_pt */
	size_t off, len;	/* where it lies in the decoded message */
	union {
		struct mikey_kemac kemac;
		struct mikey_pke pke;
		struct mikey_dh dh;
		struct mikey_sign sign;
		struct mikey_t t;
		struct mikey_typed id, cert, ext;
		struct mikey_chash chash;
		struct mikey_v v;
		struct mikey_sp sp;
		struct mikey_bytes rand;
		struct mikey_err err;
	} u;
};

struct mikey_msg {
	struct mikey_hdr hdr;
	size_t npl;
	struct mikey_payload pl[MIKEY_MAX_PAYLOADS];
};

/* A key data sub-payload (§6.13), from a KEMAC's plaintext. */
struct mikey_keydata {
	uint8_t type;		/* enum mikey_key_type */
	struct mikey_bytes key;
	struct mikey_bytes salt;	/* only for the +SALT types */
	struct mikey_kv kv;
};

/* One RFC 4563 Key ID entry of a Key ID General Extension. */
struct mikey_key_id {
	uint8_t type;
	struct mikey_bytes id;
};

/*
 * Decode buf[0..len) into m. Returns 0, or -1 with a static reason in *why
 * (a truncated field, a length past its payload, an unknown payload type,
 * a broken chain, bytes after the last payload, ...); why may be NULL.
 */
int mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, const char **why);

/*
 * Encode m into out (cap bytes): the next payload fields come from the
 * order of m->pl; SIGN must be last. Returns the length, or 0 with *why.
 */
size_t mikey_encode(const struct mikey_msg *m, uint8_t *out, size_t cap, const char **why);

/* A KEMAC's plaintext key data chain (after decryption). */
int mikey_keydata_decode(const uint8_t *buf, size_t len, struct mikey_keydata *keys,
			 size_t max, size_t *nkeys, const char **why);
size_t mikey_keydata_encode(const struct mikey_keydata *keys, size_t nkeys,
			    uint8_t *out, size_t cap, const char **why);

/* RFC 4563: the entries of a Key ID General Extension's data. */
int mikey_key_id_decode(struct mikey_bytes data, struct mikey_key_id *ids, size_t max,
			size_t *nids, const char **why);

/*
 * The bytes a MAC or signature covers: the message from its first byte up
 * to (not including) the MAC/signature field of payload m->pl[i], which
 * must be a KEMAC, V or SIGN. Returns that length, or 0 if pl[i] is none.
 * Needs a decoded message (it uses the payloads' off and len).
 */
size_t mikey_auth_len(const struct mikey_msg *m, size_t i);

/* The first payload of a type, or NULL. */
const struct mikey_payload *mikey_find(const struct mikey_msg *m, uint8_t type);

/* An SP parameter as a number (big-endian, up to 4 bytes); false if absent
 * or longer than 4 bytes.
 */
bool mikey_sp_get(const struct mikey_sp *sp, uint8_t type, uint32_t *val);

/* Field lengths the payload's type fixes (0 for NULL; -1 if unknown). */
int mikey_mac_len(uint8_t mac_alg);
int mikey_dh_len(uint8_t group);

#endif /* KEYD_MIKEY_MSG_H */
