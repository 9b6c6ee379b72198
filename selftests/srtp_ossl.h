/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A second, independent SRTP reference for the selftests, written from RFC
 * 3711, 6188 and 7714 over OpenSSL's EVP ciphers and HMAC (AES-f8, which
 * OpenSSL lacks, from AES-ECB blocks per RFC 3711 4.1.2). Its key
 * derivation is checked against the RFCs' own vectors before anything is
 * compared with the kernel. Used where Debian's libsrtp2 (2.5.0) is known
 * to be wrong: AES-192 key derivation (cisco/libsrtp#763) and SRTCP MKI
 * lookup when the SRTP and SRTCP tags differ (cisco/libsrtp#733).
 */
#ifndef SRTP_OSSL_H
#define SRTP_OSSL_H

#include <stdint.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

struct ossl_session {
	uint8_t key[32], salt[14], auth[20];
};

struct ossl_srtp {
	int key_len, salt_len, srtp_tag, srtcp_tag;
	int cipher;	/* 0 NULL, 1 AES-CM, 2 AES-GCM, 3 AES-f8 */
	struct ossl_session rtp, rtcp;
};

static inline const EVP_CIPHER *ossl_ctr(int key_len)
{
	return key_len == 16 ? EVP_aes_128_ctr() :
	       key_len == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
}

static inline const EVP_CIPHER *ossl_gcm(int key_len)
{
	return key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}

/* AES-CTR keystream XORed into buf (in place). */
static inline int ossl_ctr_xor(const uint8_t *key, int key_len, const uint8_t *iv,
			       uint8_t *buf, int len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, ossl_ctr(key_len), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, buf, &n, buf, len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static inline const EVP_CIPHER *ossl_ecb(int key_len)
{
	return key_len == 16 ? EVP_aes_128_ecb() :
	       key_len == 24 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
}

/* One AES block, out = E(key, in). */
static inline int ossl_block(const uint8_t *key, int key_len, const uint8_t *in,
			     uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, ossl_ecb(key_len), NULL, key, NULL) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_EncryptUpdate(c, out, &n, in, 16) && n == 16;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/*
 * AES-f8 (RFC 3711 4.1.2) XORed into buf: m = salt || 0x55.., IV' =
 * E(k_e XOR m, IV), S(j) = E(k_e, IV' XOR j XOR S(j-1)), S(-1) = 0.
 */
static inline int ossl_f8_xor(const uint8_t *key, int key_len, const uint8_t *salt,
			      int salt_len, const uint8_t *iv, uint8_t *buf, int len)
{
	uint8_t km[32], ivp[16], s[16] = { 0 };

	memset(km, 0x55, key_len);
	memcpy(km, salt, salt_len);
	for (int i = 0; i < key_len; i++)
		km[i] ^= key[i];
	if (ossl_block(km, key_len, iv, ivp))
		return -1;
	for (uint32_t j = 0, off = 0; off < (uint32_t)len; j++, off += 16) {
		for (int i = 0; i < 16; i++)
			s[i] ^= ivp[i] ^ (i >= 12 ? (uint8_t)(j >> (8 * (15 - i))) : 0);
		if (ossl_block(key, key_len, s, s))
			return -1;
		for (uint32_t i = 0; i < 16 && off + i < (uint32_t)len; i++)
			buf[off + i] ^= s[i];
	}
	return 0;
}

/* RFC 3711 section 4.3.1 with KDR 0; a 12-byte salt is zero-padded. */
static inline int ossl_kdf(const uint8_t *mk, int klen, const uint8_t *ms,
			   int slen, uint8_t label, uint8_t *out, int outlen)
{
	uint8_t iv[16] = { 0 };

	memcpy(iv, ms, slen);
	iv[7] ^= label;
	memset(out, 0, outlen);
	return ossl_ctr_xor(mk, klen, iv, out, outlen);
}

/*
 * RFC 3711 section 4.3.1 with a key derivation rate: key_id = label || r,
 * r = index DIV kdr (48 bits), XORed into the salt's last 7 bytes.
 */
static inline int ossl_kdf_r(const uint8_t *mk, int klen, const uint8_t *ms,
			     int slen, uint8_t label, uint64_t r, uint8_t *out,
			     int outlen)
{
	uint8_t iv[16] = { 0 };

	memcpy(iv, ms, slen);
	iv[7] ^= label;
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= r >> (40 - 8 * i);
	memset(out, 0, outlen);
	return ossl_ctr_xor(mk, klen, iv, out, outlen);
}

static inline int ossl_init(struct ossl_srtp *o, int key_len, int salt_len,
			    int srtp_tag, int srtcp_tag, int cipher,
			    const uint8_t *key_salt)
{
	const uint8_t *ms = key_salt + key_len;
	int err = 0;

	memset(o, 0, sizeof(*o));
	o->key_len = key_len;
	o->salt_len = salt_len;
	o->srtp_tag = srtp_tag;
	o->srtcp_tag = srtcp_tag;
	o->cipher = cipher;
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 0, o->rtp.key, key_len);
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 1, o->rtp.auth, 20);
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 2, o->rtp.salt, salt_len);
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 3, o->rtcp.key, key_len);
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 4, o->rtcp.auth, 20);
	err |= ossl_kdf(key_salt, key_len, ms, salt_len, 5, o->rtcp.salt, salt_len);
	return err;
}

/* With a KDR: o's SRTP (rtcp 0) or SRTCP session keys of epoch r. */
static inline int ossl_epoch(struct ossl_srtp *o, const uint8_t *key_salt,
			     int rtcp, uint64_t r)
{
	const uint8_t *ms = key_salt + o->key_len;
	struct ossl_session *s = rtcp ? &o->rtcp : &o->rtp;
	int l = rtcp ? 3 : 0, err = 0;

	err |= ossl_kdf_r(key_salt, o->key_len, ms, o->salt_len, l, r, s->key,
			  o->key_len);
	err |= ossl_kdf_r(key_salt, o->key_len, ms, o->salt_len, l + 1, r,
			  s->auth, 20);
	err |= ossl_kdf_r(key_salt, o->key_len, ms, o->salt_len, l + 2, r,
			  s->salt, o->salt_len);
	return err;
}

static inline void ossl_cm_iv(uint8_t *iv, const uint8_t *salt, uint32_t ssrc,
			      uint64_t index)
{
	memset(iv, 0, 16);
	memcpy(iv, salt, 14);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= ssrc >> (24 - 8 * i);
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= index >> (40 - 8 * i);
}

static inline void ossl_gcm_iv(uint8_t *iv, const uint8_t *salt, uint32_t ssrc,
			       uint64_t index)
{
	memcpy(iv, salt, 12);
	for (int i = 0; i < 4; i++)
		iv[2 + i] ^= ssrc >> (24 - 8 * i);
	for (int i = 0; i < 6; i++)
		iv[6 + i] ^= index >> (40 - 8 * i);
}

static inline int ossl_gcm_seal(const struct ossl_session *s, int key_len,
				const uint8_t *iv, const uint8_t *aad, int aad_len,
				uint8_t *text, int len, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, ossl_gcm(key_len), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, s->key, iv) &&
	     EVP_EncryptUpdate(c, NULL, &n, aad, aad_len) &&
	     (len == 0 || EVP_EncryptUpdate(c, text, &n, text, len)) &&
	     EVP_EncryptFinal_ex(c, text + len, &n) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* Protect RTP in place (room for the trailer); returns the SRTP length. */
static inline int ossl_protect_rtp(const struct ossl_srtp *o, uint8_t *p, int len,
				   int hdr_len, uint32_t ssrc, uint64_t index,
				   const uint8_t *mki, int mki_len)
{
	uint8_t iv[16], mac[20], roc[4];
	unsigned int maclen = 0;

	if (o->cipher == 2) {
		ossl_gcm_iv(iv, o->rtp.salt, ssrc, index);
		if (ossl_gcm_seal(&o->rtp, o->key_len, iv, p, hdr_len, p + hdr_len,
				  len - hdr_len, p + len))
			return -1;
		len += 16;
		memcpy(p + len, mki, mki_len);
		return len + mki_len;
	}
	if (o->cipher == 1) {
		ossl_cm_iv(iv, o->rtp.salt, ssrc, index);
		if (ossl_ctr_xor(o->rtp.key, o->key_len, iv, p + hdr_len, len - hdr_len))
			return -1;
	}
	if (o->cipher == 3) {
		/* 0x00 || M || PT || SEQ || TS || SSRC || ROC (4.1.2.2) */
		memcpy(iv, p, 12);
		iv[0] = 0;
		for (int i = 0; i < 4; i++)
			iv[12 + i] = (index >> 16) >> (24 - 8 * i);
		if (ossl_f8_xor(o->rtp.key, o->key_len, o->rtp.salt, o->salt_len, iv,
				p + hdr_len, len - hdr_len))
			return -1;
	}
	for (int i = 0; i < 4; i++)
		roc[i] = (index >> 16) >> (24 - 8 * i);
	memcpy(p + len, roc, 4);	/* M = packet || ROC, then overwritten */
	if (!HMAC(EVP_sha1(), o->rtp.auth, 20, p, len + 4, mac, &maclen))
		return -1;
	memcpy(p + len, mki, mki_len);
	memcpy(p + len + mki_len, mac, o->srtp_tag);
	return len + mki_len + o->srtp_tag;
}

/* Protect RTCP in place; E set when encrypt. Returns the SRTCP length. */
static inline int ossl_protect_rtcp(const struct ossl_srtp *o, uint8_t *p, int len,
				    uint32_t ssrc, uint32_t index, int encrypt,
				    const uint8_t *mki, int mki_len)
{
	uint8_t iv[16], mac[20], eidx[4], aad[12];
	uint32_t e = (encrypt ? 0x80000000u : 0) | index;
	unsigned int maclen = 0;

	for (int i = 0; i < 4; i++)
		eidx[i] = e >> (24 - 8 * i);
	if (o->cipher == 2) {
		ossl_gcm_iv(iv, o->rtcp.salt, ssrc, index);
		memcpy(aad, p, 8);
		memcpy(aad + 8, eidx, 4);
		if (ossl_gcm_seal(&o->rtcp, o->key_len, iv, aad, 12, p + 8, len - 8,
				  p + len))
			return -1;
		len += 16;
		memcpy(p + len, eidx, 4);
		memcpy(p + len + 4, mki, mki_len);
		return len + 4 + mki_len;
	}
	if (o->cipher == 1 && encrypt) {
		ossl_cm_iv(iv, o->rtcp.salt, ssrc, index);
		if (ossl_ctr_xor(o->rtcp.key, o->key_len, iv, p + 8, len - 8))
			return -1;
	}
	if (o->cipher == 3 && encrypt) {
		/* 0..0 (32 bits) || E || SRTCP index || first 8 bytes (4.1.2.3) */
		memset(iv, 0, 4);
		memcpy(iv + 4, eidx, 4);
		memcpy(iv + 8, p, 8);
		if (ossl_f8_xor(o->rtcp.key, o->key_len, o->rtcp.salt, o->salt_len, iv,
				p + 8, len - 8))
			return -1;
	}
	memcpy(p + len, eidx, 4);
	len += 4;
	if (!HMAC(EVP_sha1(), o->rtcp.auth, 20, p, len, mac, &maclen))
		return -1;
	memcpy(p + len, mki, mki_len);
	memcpy(p + len + mki_len, mac, o->srtcp_tag);
	return len + mki_len + o->srtcp_tag;
}

static inline int hex2bin(const char *h, uint8_t *out)
{
	int n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int v;

		if (sscanf(h, "%2x", &v) != 1)
			return -1;
		out[n++] = v;
	}
	return n;
}

#endif /* SRTP_OSSL_H */
