/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP's secrets after the key agreement (RFC 6189 §4.4.1.4, §4.5, §4.6,
 * §5.1.6): s0 in DH mode, the keys the KDF derives from it (SRTP master
 * keys and salts each way, the HMAC and ZRTP keys of the Confirm messages,
 * ZRTPSess), the SAS and its base32 rendering, and the Confirm messages'
 * CFB encryption and MAC. All by OpenSSL; no I/O.
 */
#ifndef KEYD_ZRTP_KEYS_H
#define KEYD_ZRTP_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zrtp_crypto.h"
#include "zrtp_ka.h"
#include "zrtp_secrets.h"

#define ZRTP_SAS_MAX	32	/* a rendered SAS: B256's two words and ':' fit */

/* What the initiator's Commit chose. */
struct zrtp_suite {
	zrtp_alg hash, cipher, auth, ka, sas;
};

struct zrtp_keys {
	size_t hlen;			/* the negotiated hash's length */
	size_t klen;			/* the cipher's key length */
	uint8_t s0[ZRTP_HASH_MAX];
	uint8_t srtp_key_i[32], srtp_salt_i[14], srtp_key_r[32], srtp_salt_r[14];
	uint8_t mackey_i[ZRTP_HASH_MAX], mackey_r[ZRTP_HASH_MAX];
	uint8_t zrtpkey_i[32], zrtpkey_r[32];
	uint8_t zrtpsess[ZRTP_HASH_MAX];
	uint8_t rs1_new[ZRTP_RS_LEN];	/* the next retained secret (§4.6.1) */
	uint8_t sashash[32];		/* KDF(s0, "SAS", ...): what a PBX relays (§7.3) */
	uint32_t sasvalue;
	char sas[ZRTP_SAS_MAX];		/* rendered, NUL-terminated */
};

/* The cipher's key length (AES1 16, AES3 32), 0 if keyd has no such cipher. */
size_t zrtp_cipher_key_len(zrtp_alg cipher);

/* The shared secrets s0 mixes in (§4.4.1.4), each null (len 0) unless matched. */
struct zrtp_shared {
	const uint8_t *s1, *s2, *s3;	/* the retained secret, the auxsecret, the pbxsecret */
	size_t s1len, s2len, s3len;
};

/*
 * DH mode: s0 = hash(1 || DHResult || "ZRTP-HMAC-KDF" || ZIDi || ZIDr ||
 * total_hash || len(s1) || s1 || len(s2) || s2 || len(s3) || s3), with s1,
 * s2 and s3 from sh, then every key §4.5 derives from it
 * with KDF_Context = ZIDi || ZIDr || total_hash, and the next rs1. 0, or -1.
 */
int zrtp_keys_dh(const struct zrtp_suite *s, const uint8_t *dhresult, size_t rlen,
		 const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
		 const uint8_t *total_hash, const struct zrtp_shared *sh,
		 struct zrtp_keys *k);

/*
 * Multistream mode (§4.4.3.2): s0 = KDF(ZRTPSess, "ZRTP MSK", KDF_Context,
 * hash length), ZRTPSess from this ZRTP session's DH stream (as long as
 * the negotiated hash), total_hash = hash(responder's Hello || Commit);
 * then the keys as in DH mode, without a SAS or a retained secret.
 */
int zrtp_keys_multistream(const struct zrtp_suite *s, const uint8_t *zrtpsess,
			  const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
			  const uint8_t *total_hash, struct zrtp_keys *k);

/*
 * Preshared mode (§4.4.2.2): preshared_key = hash(len(s1) || s1 || len(s2)
 * || s2 || len(s3) || s3) with rs1, the auxsecret and the pbxsecret (any
 * but rs1 may be null), as long as the negotiated hash, and the Commit's
 * keyID = MAC(preshared_key, "Prsh"), 64 bits. 0, or -1.
 */
int zrtp_preshared_key(zrtp_alg hash, const struct zrtp_shared *sh, uint8_t *psk,
		       uint8_t key_id[ZRTP_ID_LEN]);

/*
 * Preshared mode's keys (§4.4.2.4): s0 = KDF(preshared_key, "ZRTP PSK",
 * KDF_Context, hash length), total_hash = hash(responder's Hello ||
 * Commit); then the keys as in DH mode, with a SAS and the next rs1.
 */
int zrtp_keys_preshared(const struct zrtp_suite *s, const uint8_t *psk,
			const uint8_t zidi[ZRTP_ZID_LEN], const uint8_t zidr[ZRTP_ZID_LEN],
			const uint8_t *total_hash, struct zrtp_keys *k);

/*
 * The SAS of sasvalue as sas renders it: B32, four base32 characters;
 * B256, two PGP words joined by ':' ("aardvark:adroitness").
 */
int zrtp_sas_render(zrtp_alg sas, uint32_t sasvalue, char *out, size_t cap);

/*
 * A Confirm's encrypted part: CFB with the negotiated cipher under
 * zrtpkey and iv, and confirm_mac = MAC(mackey, ciphertext) (64 bits).
 * Open checks the MAC first. 0, or -1.
 */
int zrtp_confirm_seal(const struct zrtp_suite *s, const struct zrtp_keys *k, bool initiator,
		      const uint8_t iv[ZRTP_IV_LEN], const uint8_t *plain, size_t len,
		      uint8_t *enc, uint8_t mac[ZRTP_MAC_LEN]);
int zrtp_confirm_open(const struct zrtp_suite *s, const struct zrtp_keys *k, bool initiator,
		      const struct zrtp_sealed *sealed, uint8_t *plain);

#endif /* KEYD_ZRTP_KEYS_H */
