/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY's key derivation and KEMAC protection (RFC 3830 §4.1, §4.2), all
 * crypto from OpenSSL: the PRF MIKEY-1 (P-SHA1 over 256-bit chunks of the
 * in-key), the TEK/salt/auth/encryption key derivations, KEMAC encryption
 * (NULL, AES-CM-128, AES-KW-128) and the MAC (NULL, HMAC-SHA-1-160).
 */
#ifndef KEYD_MIKEY_KDF_H
#define KEYD_MIKEY_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The label constants of §4.1.3 (from a TGK) and §4.1.4 (from a pre-shared
 * or envelope key): consecutive nine-digit groups of e's decimals.
 */
#define MIKEY_C_TEK		0x2AD01C64u	/* TGK -> TEK */
#define MIKEY_C_TGK_AUTH	0x1B5C7973u	/* TGK -> authentication key */
#define MIKEY_C_TGK_ENC		0x15798CEFu	/* TGK -> encryption key */
#define MIKEY_C_TGK_SALT	0x39A2C14Bu	/* TGK -> salting key */
#define MIKEY_C_ENC		0x150533E1u	/* PSK/envelope -> KEMAC encryption key */
#define MIKEY_C_AUTH		0x2D22AC75u	/* PSK/envelope -> KEMAC/V auth key */
#define MIKEY_C_SALT		0x29B88916u	/* PSK/envelope -> AES-CM salting key */

/* §4.1.4 puts 0xFF where §4.1.3 puts the CS ID. */
#define MIKEY_CS_ID_NONE	0xFF

#define MIKEY_ENC_KEY_LEN	16	/* AES-CM-128 and AES-KW-128 */
#define MIKEY_AUTH_KEY_LEN	20	/* HMAC-SHA-1-160 */
#define MIKEY_SALT_KEY_LEN	14	/* 112 bits (§4.2.3) */
#define MIKEY_KW_OVERHEAD	8	/* RFC 3394's integrity block */

/* PRF(inkey, label) into out[0..outlen) (§4.1.2). 0, or -1 if OpenSSL fails
 * or an argument is empty.
 */
int mikey_prf(const uint8_t *inkey, size_t inlen, const uint8_t *label, size_t llen,
	      uint8_t *out, size_t outlen);

/*
 * PRF(inkey, constant || cs_id || csb_id || RAND): §4.1.3 with a TGK (or a
 * DH secret, §4.1.5 refers here) and a CS ID; §4.1.4 with a pre-shared or
 * envelope key and cs_id MIKEY_CS_ID_NONE. RAND is at most 255 bytes.
 */
int mikey_derive(const uint8_t *inkey, size_t inlen, uint32_t constant, uint8_t cs_id,
		 uint32_t csb_id, const uint8_t *rand, size_t randlen,
		 uint8_t *out, size_t outlen);

/*
 * KEMAC Encr data (§4.2.3-§4.2.4), alg an enum mikey_enc_alg. AES-CM-128
 * uses key, salt and the IV (salt XOR (0x0000 || CSB ID || T)) || 0x0000,
 * with T the 8 bytes of the message's timestamp as sent (a 4-byte COUNTER
 * is given left-padded with zeros). AES-KW-128 (RFC 3394) uses the first 8
 * bytes of salt as its IV (S), needs a multiple of 8 bytes, at least 16,
 * and adds 8; decryption checks its integrity (against S).
 * NULL copies. *outlen is set; out must hold len + MIKEY_KW_OVERHEAD.
 * Returns 0, or -1 (unknown alg, bad length, integrity failure).
 */
int mikey_kemac_encrypt(uint8_t alg, const uint8_t key[MIKEY_ENC_KEY_LEN],
			const uint8_t salt[MIKEY_SALT_KEY_LEN], uint32_t csb_id,
			const uint8_t t[8], const uint8_t *in, size_t len,
			uint8_t *out, size_t *outlen);
int mikey_kemac_decrypt(uint8_t alg, const uint8_t key[MIKEY_ENC_KEY_LEN],
			const uint8_t salt[MIKEY_SALT_KEY_LEN], uint32_t csb_id,
			const uint8_t t[8], const uint8_t *in, size_t len,
			uint8_t *out, size_t *outlen);

/* MAC alg (enum mikey_mac_alg) over data into mac (mikey_mac_len(alg)
 * bytes). Returns the MAC's length, or -1.
 */
int mikey_mac(uint8_t alg, const uint8_t *key, size_t keylen, const uint8_t *data,
	      size_t len, uint8_t *mac);

/* Recompute and compare in constant time; false on any mismatch. */
bool mikey_mac_ok(uint8_t alg, const uint8_t *key, size_t keylen, const uint8_t *data,
		  size_t len, const uint8_t *mac, size_t maclen);

#endif /* KEYD_MIKEY_KDF_H */
