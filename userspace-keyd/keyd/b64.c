// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 without OpenSSL's BIO/EVP machinery: EVP_DecodeBlock insists on
 * padding and reports padded lengths, and keys must not sit in BIO buffers.
 */
#include <string.h>

#include "b64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

ssize_t b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax)
{
	size_t data = inlen, pad, n = 0, i;
	uint32_t acc = 0;
	unsigned int bits = 0;

	while (data > 0 && in[data - 1] == '=')
		data--;
	pad = inlen - data;
	/* padding only ever completes a 4-character group, with 1 or 2 '=' */
	if (pad > 2 || (pad && inlen % 4))
		return -1;
	/* one character of a group carries only 6 bits: never a whole byte */
	if (data % 4 == 1)
		return -1;
	if (data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0) > outmax)
		return -1;
	for (i = 0; i < data; i++) {
		int v = b64_value((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits (non-zero in a non-canonical encoding) are ignored */
	return (ssize_t)n;
}

size_t b64_encode(const uint8_t *in, size_t len, char *out, size_t outmax)
{
	size_t i, o = 0;

	if (outmax < B64_ENCODED_LEN(len) + 1)
		return 0;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (!in || strlen(in) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = nibble(in[2 * i]);
		lo = nibble(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
