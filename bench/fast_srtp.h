// SPDX-License-Identifier: GPL-2.0
/*
 * SRTP over OpenSSL EVP, keyed once: the userspace contender of
 * ksrtp_bench and ksrtp_relay_bench (the best case for userspace SRTP).
 * Per packet only the IV is set and the HMAC restarted from its keyed
 * state. Session keys come from srtp_ossl.h's RFC 3711 KDF.
 */
#ifndef KSRTP_BENCH_FAST_SRTP_H
#define KSRTP_BENCH_FAST_SRTP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "srtp_ossl.h"

#ifndef HDR
#define HDR		12
#endif

/* F8 and AES-CM with KDR 2^16 (cm-kdr): ksrtp rows only */
enum suite { S_NONE, S_CM, S_GCM, S_F8, S_CM_KDR };


/*
 * One direction of one SRTP session over OpenSSL, keyed once: per packet
 * only the IV is set and the HMAC restarted from its keyed state. Session
 * keys come from srtp_ossl.h's RFC 3711 KDF.
 */
struct fast_srtp {
	enum suite suite;
	struct ossl_srtp keys;
	EVP_CIPHER_CTX *c;
	EVP_MAC_CTX *mac;
	/* receiver: highest index and a 64-packet replay window */
	uint64_t top;
	uint64_t window;
	bool started;
};

static inline int fast_init(struct fast_srtp *f, enum suite s,
			    const uint8_t *key_salt, bool decrypt)
{
	OSSL_PARAM params[2];
	EVP_MAC *hmac;

	memset(f, 0, sizeof(*f));
	f->suite = s;
	if (ossl_init(&f->keys, 16, s == S_GCM ? 12 : 14, s == S_GCM ? 16 : 10,
		      s == S_GCM ? 16 : 10, s == S_GCM ? 2 : 1, key_salt))
		return -1;
	f->c = EVP_CIPHER_CTX_new();
	if (!f->c)
		return -1;
	if (s == S_GCM) {
		const EVP_CIPHER *gcm = EVP_aes_128_gcm();

		if (!(decrypt ? EVP_DecryptInit_ex(f->c, gcm, NULL, NULL, NULL) :
				EVP_EncryptInit_ex(f->c, gcm, NULL, NULL, NULL)) ||
		    !EVP_CIPHER_CTX_ctrl(f->c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
		    !(decrypt ? EVP_DecryptInit_ex(f->c, NULL, NULL, f->keys.rtp.key, NULL) :
				EVP_EncryptInit_ex(f->c, NULL, NULL, f->keys.rtp.key, NULL)))
			return -1;
		return 0;
	}
	if (!EVP_EncryptInit_ex(f->c, EVP_aes_128_ctr(), NULL, f->keys.rtp.key, NULL))
		return -1;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac)
		return -1;
	f->mac = EVP_MAC_CTX_new(hmac);
	EVP_MAC_free(hmac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!f->mac || !EVP_MAC_init(f->mac, f->keys.rtp.auth, 20, params))
		return -1;
	return 0;
}

static inline void fast_free(struct fast_srtp *f)
{
	EVP_CIPHER_CTX_free(f->c);
	EVP_MAC_CTX_free(f->mac);
	OPENSSL_cleanse(&f->keys, sizeof(f->keys));
}

/* RTP header length (CSRCs, extension), or -1. */
static inline int rtp_hdr_len(const uint8_t *p, int len)
{
	int h;

	if (len < HDR || (p[0] >> 6) != 2)
		return -1;
	h = HDR + 4 * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < h + 4)
			return -1;
		h += 4 + 4 * ((p[h + 2] << 8) | p[h + 3]);
	}
	return h <= len ? h : -1;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static inline int fast_mac(struct fast_srtp *f, const uint8_t *p, int len,
			   uint64_t index, uint8_t *tag)
{
	uint8_t roc[4] = { index >> 40, index >> 32, index >> 24, index >> 16 };
	size_t n = 0;

	if (!EVP_MAC_init(f->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(f->mac, p, len) ||
	    !EVP_MAC_update(f->mac, roc, sizeof(roc)) ||
	    !EVP_MAC_final(f->mac, tag, &n, 20))
		return -1;
	return 0;
}

/* Protect in place; returns the SRTP length or -1. */
static inline int fast_protect(struct fast_srtp *f, uint8_t *p, int len,
			       uint64_t index)
{
	int h = rtp_hdr_len(p, len), n;
	uint32_t ssrc = get32(p + 8);
	uint8_t iv[16], tag[20];

	if (h < 0)
		return -1;
	if (f->suite == S_GCM) {
		ossl_gcm_iv(iv, f->keys.rtp.salt, ssrc, index);
		if (!EVP_EncryptInit_ex(f->c, NULL, NULL, NULL, iv) ||
		    !EVP_EncryptUpdate(f->c, NULL, &n, p, h) ||
		    !EVP_EncryptUpdate(f->c, p + h, &n, p + h, len - h) ||
		    !EVP_EncryptFinal_ex(f->c, p + len, &n) ||
		    !EVP_CIPHER_CTX_ctrl(f->c, EVP_CTRL_GCM_GET_TAG, 16, p + len))
			return -1;
		return len + 16;
	}
	ossl_cm_iv(iv, f->keys.rtp.salt, ssrc, index);
	if (!EVP_EncryptInit_ex(f->c, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(f->c, p + h, &n, p + h, len - h) ||
	    fast_mac(f, p, len, index, tag))
		return -1;
	memcpy(p + len, tag, 10);
	return len + 10;
}

/* RFC 3711 appendix A: the index of seq relative to the highest one. */
static inline uint64_t guess_index(uint64_t top, uint16_t seq)
{
	uint32_t roc = top >> 16;
	uint16_t s_l = top & 0xffff;

	if (s_l < 32768) {
		if (seq - s_l > 32768 && roc)
			roc--;
	} else if (s_l - 32768 > seq) {
		roc++;
	}
	return (uint64_t)roc << 16 | seq;
}

/* Check the replay window, authenticate, decrypt; the plain length or -1. */
static inline int fast_unprotect(struct fast_srtp *f, uint8_t *p, int len)
{
	int tag_len = f->suite == S_GCM ? 16 : 10, h = rtp_hdr_len(p, len), n;
	uint8_t iv[16], tag[20];
	uint32_t ssrc;
	uint16_t seq;
	uint64_t idx;

	if (h < 0 || len < h + tag_len)
		return -1;
	ssrc = get32(p + 8);
	seq = p[2] << 8 | p[3];
	idx = f->started ? guess_index(f->top, seq) : seq;
	if (f->started && (idx + 64 <= f->top ||
			   (idx <= f->top && (f->window >> (f->top - idx)) & 1)))
		return -1;	/* replayed or too old */
	len -= tag_len;
	if (f->suite == S_GCM) {
		memcpy(tag, p + len, 16);
		ossl_gcm_iv(iv, f->keys.rtp.salt, ssrc, idx);
		if (!EVP_DecryptInit_ex(f->c, NULL, NULL, NULL, iv) ||
		    !EVP_DecryptUpdate(f->c, NULL, &n, p, h) ||
		    !EVP_DecryptUpdate(f->c, p + h, &n, p + h, len - h) ||
		    !EVP_CIPHER_CTX_ctrl(f->c, EVP_CTRL_GCM_SET_TAG, 16, tag) ||
		    EVP_DecryptFinal_ex(f->c, p + len, &n) <= 0)
			return -1;
	} else {
		if (fast_mac(f, p, len, idx, tag) || CRYPTO_memcmp(tag, p + len, 10))
			return -1;
		ossl_cm_iv(iv, f->keys.rtp.salt, ssrc, idx);
		if (!EVP_EncryptInit_ex(f->c, NULL, NULL, NULL, iv) ||
		    !EVP_EncryptUpdate(f->c, p + h, &n, p + h, len - h))
			return -1;
	}
	/* commit the window only now that the packet is authentic */
	if (!f->started || idx > f->top) {
		uint64_t shift = f->started ? idx - f->top : 64;

		f->window = shift >= 64 ? 1 : (f->window << shift) | 1;
		f->top = idx;
		f->started = true;
	} else {
		f->window |= 1ULL << (f->top - idx);
	}
	return len;
}

#endif
