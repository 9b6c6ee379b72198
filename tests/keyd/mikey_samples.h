/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-made MIKEY messages for tests/keyd/test_mikey.c, written byte by
 * byte from RFC 3830 §6's figures (not with the codec under test): one per
 * data type family, together using every payload type, every KV type,
 * every timestamp type, both SIGN types, RFC 4563's Key ID extension and
 * empty map, and an unknown General Extension.
 */
#ifndef MIKEY_SAMPLES_H
#define MIKEY_SAMPLES_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
	uint8_t b[2048];
	size_t n;
};

static void put(struct sbuf *s, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--)
		s->b[s->n++] = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static void put32(struct sbuf *s, uint32_t v)
{
	put(s, 4, v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

/* n bytes start, start+1, ... */
static void putseq(struct sbuf *s, size_t n, uint8_t start)
{
	while (n--)
		s->b[s->n++] = start++;
}

static void putstr(struct sbuf *s, const char *str)
{
	memcpy(s->b + s->n, str, strlen(str));
	s->n += strlen(str);
}

/* HDR: version 1, data type, next, V|PRF, CSB ID, #CS, map type */
static void hdr(struct sbuf *s, int dt, int next, int v, uint32_t csb, int ncs, int map)
{
	put(s, 4, 1, dt, next, v << 7);
	put32(s, csb);
	put(s, 2, ncs, map);
}

static void srtp_id(struct sbuf *s, int policy, uint32_t ssrc, uint32_t roc)
{
	put(s, 1, policy);
	put32(s, ssrc);
	put32(s, roc);
}

/* A self-signed Ed25519 X.509 certificate (openssl req -x509), so that
 * tshark's X.509 dissector finds a real one in CERT payloads.
 */
static const uint8_t sample_cert[328] = {
	0x30, 0x82, 0x01, 0x44, 0x30, 0x81, 0xf7, 0xa0, 0x03, 0x02, 0x01, 0x02,
	0x02, 0x14, 0x0d, 0x74, 0x1d, 0x65, 0x84, 0xb5, 0x1d, 0xa2, 0x70, 0x25,
	0x70, 0xbb, 0x98, 0xef, 0x06, 0xda, 0xfa, 0xbb, 0xfc, 0x3b, 0x30, 0x05,
	0x06, 0x03, 0x2b, 0x65, 0x70, 0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06,
	0x03, 0x55, 0x04, 0x03, 0x0c, 0x0c, 0x6d, 0x69, 0x6b, 0x65, 0x79, 0x2d,
	0x73, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x30, 0x20, 0x17, 0x0d, 0x32, 0x36,
	0x31, 0x32, 0x30, 0x35, 0x32, 0x31, 0x35, 0x35, 0x30, 0x32, 0x5a, 0x18,
	0x0f, 0x32, 0x31, 0x32, 0x36, 0x31, 0x31, 0x31, 0x31, 0x32, 0x31, 0x35,
	0x35, 0x30, 0x32, 0x5a, 0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03,
	0x55, 0x04, 0x03, 0x0c, 0x0c, 0x6d, 0x69, 0x6b, 0x65, 0x79, 0x2d, 0x73,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b,
	0x65, 0x70, 0x03, 0x21, 0x00, 0x7b, 0x40, 0x2a, 0x5c, 0x42, 0xfd, 0xdc,
	0xf7, 0x57, 0xf0, 0x17, 0x30, 0x85, 0x0c, 0x59, 0x73, 0xb1, 0x5c, 0x68,
	0x73, 0x1d, 0x99, 0x62, 0x73, 0xe5, 0xf7, 0x83, 0xe8, 0x26, 0x87, 0xf8,
	0xf9, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e,
	0x04, 0x16, 0x04, 0x14, 0xe6, 0xa3, 0xee, 0x82, 0xd3, 0xb8, 0x98, 0x83,
	0xfa, 0xd1, 0xf1, 0xac, 0x86, 0x98, 0x25, 0x4b, 0xb1, 0xc2, 0x79, 0x98,
	0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80,
	0x14, 0xe6, 0xa3, 0xee, 0x82, 0xd3, 0xb8, 0x98, 0x83, 0xfa, 0xd1, 0xf1,
	0xac, 0x86, 0x98, 0x25, 0x4b, 0xb1, 0xc2, 0x79, 0x98, 0x30, 0x0f, 0x06,
	0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01,
	0x01, 0xff, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x41, 0x00,
	0x06, 0x6c, 0x92, 0x71, 0x41, 0x9e, 0x1e, 0x8d, 0x87, 0x99, 0x47, 0xe5,
	0x5a, 0xf6, 0xb7, 0xa0, 0xb1, 0x64, 0xb8, 0xe1, 0x9f, 0xe7, 0x92, 0xd9,
	0xed, 0x58, 0xdc, 0x36, 0x8a, 0xa5, 0xc0, 0xe6, 0x04, 0xad, 0x44, 0x9d,
	0xa2, 0xbe, 0x8d, 0x3e, 0x6d, 0x2a, 0x92, 0xec, 0x75, 0xa1, 0x5f, 0x2c,
	0x86, 0xcd, 0x57, 0x20, 0x96, 0x67, 0x89, 0xdf, 0xa6, 0x13, 0x13, 0x63,
	0x0f, 0x5a, 0x84, 0x01,
};

static void putcert(struct sbuf *s, int next)
{
	put(s, 4, next, 0, sizeof(sample_cert) >> 8, sizeof(sample_cert) & 0xff);
	memcpy(s->b + s->n, sample_cert, sizeof(sample_cert));
	s->n += sizeof(sample_cert);
}

static const uint8_t sample_ts[8] = { 0xe1, 0xf2, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8 };

static void t_ntp(struct sbuf *s, int next, int type)
{
	put(s, 2, next, type);
	memcpy(s->b + s->n, sample_ts, 8);
	s->n += 8;
}

static void rand16(struct sbuf *s, int next)
{
	put(s, 2, next, 16);
	putseq(s, 16, 0x10);
}

/* The 41-byte NULL-encrypted key data of sample 0: TEK+SALT, KV SPI. */
static void keydata_tek_salt(struct sbuf *s)
{
	put(s, 4, 0, 0x31, 0, 16);
	putseq(s, 16, 0xa0);
	put(s, 2, 0, 14);
	putseq(s, 14, 0xb0);
	put(s, 5, 4, 0, 0, 0, 1);
}

/* 0: PSK init: HDR T RAND SP KEMAC(NULL enc, HMAC) */
static void sample_psk_init(struct sbuf *s)
{
	static const int sp[13][2] = {
		{ 0, 1 }, { 1, 16 }, { 2, 1 }, { 3, 20 }, { 4, 14 }, { 5, 0 }, { 6, 0 },
		{ 7, 1 }, { 8, 1 }, { 9, 0 }, { 10, 1 }, { 11, 10 }, { 12, 0 },
	};
	int i;

	hdr(s, 0, 5, 1, 0x12345678, 1, 0);
	srtp_id(s, 0, 0xdeadbeef, 1);
	t_ntp(s, 11, 0);
	rand16(s, 10);
	put(s, 5, 1, 0, 0, 0, 39);
	for (i = 0; i < 13; i++)
		put(s, 3, sp[i][0], 1, sp[i][1]);
	put(s, 4, 0, 0, 0, 41);
	keydata_tek_salt(s);
	put(s, 1, 1);
	putseq(s, 20, 0xc0);
}

/* 1: DH init: HDR T RAND CERT DH(OAKLEY 2, KV interval) SIGN(PSS) */
static void sample_dh_init(struct sbuf *s)
{
	hdr(s, 4, 5, 0, 2, 2, 0);
	srtp_id(s, 0, 0x11111111, 0);
	srtp_id(s, 1, 0x22222222, 0x10000);
	t_ntp(s, 11, 1);
	rand16(s, 7);
	putcert(s, 3);
	put(s, 2, 4, 2);
	putseq(s, 128, 0x80);
	put(s, 1, 0x02);
	put(s, 1, 4);
	put32(s, 0x01020304);
	put(s, 1, 4);
	put32(s, 0x05060708);
	put(s, 2, 0x10, 0x80);
	putseq(s, 128, 0x01);
}

/* 2: PK init: HDR T(COUNTER) RAND ID(URI) KEMAC(AES-KW) PKE SIGN */
static void sample_pk_init(struct sbuf *s)
{
	hdr(s, 2, 5, 1, 3, 1, 0);
	srtp_id(s, 2, 0xcafef00d, 0xfffffffe);
	put(s, 6, 11, 2, 0, 0, 0, 42);
	put(s, 2, 6, 20);
	putseq(s, 20, 0x40);
	put(s, 4, 1, 1, 0, 17);
	putstr(s, "sip:alice@example");
	put(s, 4, 2, 2, 0, 48);
	putseq(s, 48, 0x60);
	put(s, 1, 1);
	putseq(s, 20, 0x90);
	put(s, 3, 4, 0x40, 0x80);
	putseq(s, 128, 0x20);
	put(s, 2, 0x00, 0x40);
	putseq(s, 64, 0x70);
}

/* 3: PSK verification: HDR(no CS) T ID(NAI) V */
static void sample_psk_resp(struct sbuf *s)
{
	hdr(s, 1, 5, 0, 0x12345678, 0, 0);
	t_ntp(s, 6, 0);
	put(s, 4, 9, 0, 0, 5);
	putstr(s, "bob@x");
	put(s, 2, 0, 1);
	putseq(s, 20, 0xd0);
}

/* 4: error: HDR T ERR ERR V */
static void sample_error(struct sbuf *s)
{
	hdr(s, 6, 5, 0, 0x12345678, 0, 0);
	t_ntp(s, 12, 0);
	put(s, 4, 12, 1, 0, 0);
	put(s, 4, 9, 10, 0, 0);
	put(s, 2, 0, 1);
	putseq(s, 20, 0xe0);
}

/* 5: DHHMAC init (RFC 4650): HDR T RAND ID ID SP DH(OAKLEY 5) KEMAC(empty, HMAC) */
static void sample_dhhmac_init(struct sbuf *s)
{
	hdr(s, 7, 5, 1, 5, 1, 0);
	srtp_id(s, 0, 0x33333333, 7);
	t_ntp(s, 11, 0);
	rand16(s, 6);
	put(s, 4, 6, 0, 0, 5);
	putstr(s, "alice");
	put(s, 4, 10, 0, 0, 3);
	putstr(s, "bob");
	put(s, 8, 3, 0, 0, 0, 3, 0, 1, 1);
	put(s, 2, 1, 0);
	putseq(s, 192, 0x40);
	put(s, 1, 0);
	put(s, 5, 0, 0, 0, 0, 1);
	putseq(s, 20, 0xf0);
}

/* 6: RSA-R I_MESSAGE (RFC 4738): HDR T RAND EXT(vendor) EXT(unknown 7)
 * EXT(Key ID, RFC 4563) CERT SIGN(PKCS#1)
 */
static void sample_rsar_init(struct sbuf *s)
{
	hdr(s, 9, 5, 0, 6, 1, 0);
	srtp_id(s, 0, 0x44444444, 0);
	t_ntp(s, 11, 0);
	rand16(s, 21);
	put(s, 4, 21, 0, 0, 3);
	putstr(s, "abc");
	put(s, 6, 21, 7, 0, 2, 0xee, 0xff);
	put(s, 4, 7, 2, 0, 12);
	put(s, 3, 1, 0, 4);
	put32(s, 0xabcdef01);
	put(s, 5, 2, 0, 2, 0x55, 0x66);
	putcert(s, 4);
	put(s, 2, 0x00, 0x20);
	putseq(s, 32, 0x99);
}

/* 7: RFC 4563's empty CS ID map (#CS 2, no map info): HDR RAND CHASH(SHA-1)
 * (tshark 4.0 knows neither the empty map nor CHASH)
 */
static void sample_empty_map(struct sbuf *s)
{
	hdr(s, 0, 11, 0, 7, 2, 1);
	rand16(s, 8);
	put(s, 2, 0, 0);
	putseq(s, 20, 0x50);
}

static void (*const samples[])(struct sbuf *) = {
	sample_psk_init, sample_dh_init, sample_pk_init, sample_psk_resp,
	sample_error, sample_dhhmac_init, sample_rsar_init, sample_empty_map,
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

#endif /* MIKEY_SAMPLES_H */
