// SPDX-License-Identifier: GPL-2.0
/*
 * SDP a=fingerprint / a=setup parsing and generation, DTLS role resolution.
 * See fingerprint.h for the accepted syntax.
 */
#include "fingerprint.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const struct {
	const char *name;
	uint8_t len;
	int strength;
} hashes[FP_HASH_COUNT] = {
	[FP_HASH_NONE] = { "none", 0, 0 },
	[FP_SHA1] = { "sha-1", 20, 1 },
	[FP_SHA224] = { "sha-224", 28, 2 },
	[FP_SHA256] = { "sha-256", 32, 3 },
	[FP_SHA384] = { "sha-384", 48, 4 },
	[FP_SHA512] = { "sha-512", 64, 5 },
};

static bool valid_hash(enum fp_hash h)
{
	return h > FP_HASH_NONE && h < FP_HASH_COUNT;
}

const char *fp_hash_name(enum fp_hash h)
{
	return valid_hash(h) ? hashes[h].name : "none";
}

size_t fp_hash_len(enum fp_hash h)
{
	return valid_hash(h) ? hashes[h].len : 0;
}

int fp_hash_strength(enum fp_hash h)
{
	return valid_hash(h) ? hashes[h].strength : 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of s[0..len) with the NUL-terminated lit. */
static bool eq_ci(const char *s, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!lit[i] || lower((unsigned char)s[i]) != lit[i])
			return false;
	return lit[len] == '\0';
}

enum fp_hash fp_hash_by_name(const char *s, size_t len)
{
	int h;

	for (h = FP_SHA1; h < FP_HASH_COUNT; h++)
		if (eq_ci(s, len, hashes[h].name))
			return (enum fp_hash)h;
	return FP_HASH_NONE;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims SP/HTAB on the left and SP/HTAB/CR/LF on the right. */
static void trim(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && (is_blank((*s)[*len - 1]) || (*s)[*len - 1] == '\r' ||
			(*s)[*len - 1] == '\n'))
		(*len)--;
}

static int fail(const char **why, const char *reason, int code)
{
	if (why)
		*why = reason;
	return code;
}

int fp_parse(const char *s, size_t len, struct fingerprint *out,
	     const char **why)
{
	struct fingerprint fp;
	const char *name;
	size_t name_len, i, n;

	if (!s)
		return fail(why, "empty fingerprint", FP_E_SYNTAX);
	trim(&s, &len);
	if (!len)
		return fail(why, "empty fingerprint", FP_E_SYNTAX);

	name = s;
	while (len && !is_blank(*s)) {
		s++;
		len--;
	}
	name_len = (size_t)(s - name);
	if (!len)
		return fail(why, "fingerprint has no digest after the hash name",
			    FP_E_SYNTAX);
	while (len && is_blank(*s)) {
		s++;
		len--;
	}

	memset(&fp, 0, sizeof(fp));
	fp.hash = fp_hash_by_name(name, name_len);
	if (fp.hash == FP_HASH_NONE) {
		if (eq_ci(name, name_len, "md5") || eq_ci(name, name_len, "md2"))
			return fail(why, "fingerprint hash md5/md2 not accepted",
				    FP_E_HASH);
		return fail(why, "unknown fingerprint hash function",
			    FP_E_HASH);
	}

	/* 2HEX *(":" 2HEX) and nothing else */
	n = 0;
	for (i = 0;; i += 3) {
		int hi, lo;

		if (i + 2 > len)
			return fail(why, "fingerprint digest is truncated",
				    FP_E_SYNTAX);
		hi = OPENSSL_hexchar2int((unsigned char)s[i]);
		lo = OPENSSL_hexchar2int((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return fail(why, "fingerprint digest is not hex pairs",
				    FP_E_SYNTAX);
		if (n == FP_DIGEST_MAX)
			return fail(why, "fingerprint digest is too long",
				    FP_E_LENGTH);
		fp.digest[n++] = (uint8_t)(hi << 4 | lo);
		if (i + 2 == len)
			break;
		if (s[i + 2] != ':')
			return fail(why,
				    "fingerprint digest is not colon-separated pairs",
				    FP_E_SYNTAX);
	}
	if (n != fp_hash_len(fp.hash))
		return fail(why, "fingerprint digest length does not match the hash",
			    FP_E_LENGTH);
	fp.len = (uint8_t)n;
	if (out)
		*out = fp;
	if (why)
		*why = NULL;
	return FP_OK;
}

/* Skips "a=" (optional) and NAME ":" (case-insensitive); false if absent. */
static bool skip_attr(const char **s, size_t *len, const char *name)
{
	size_t n = strlen(name);

	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	if (*len >= 2 && lower((unsigned char)(*s)[0]) == 'a' && (*s)[1] == '=') {
		*s += 2;
		*len -= 2;
	}
	if (*len < n + 1 || !eq_ci(*s, n, name) || (*s)[n] != ':')
		return false;
	*s += n + 1;
	*len -= n + 1;
	return true;
}

int fp_parse_attr(const char *s, size_t len, struct fingerprint *out,
		  const char **why)
{
	if (!s || !skip_attr(&s, &len, "fingerprint"))
		return fail(why, "not an a=fingerprint attribute", FP_E_SYNTAX);
	return fp_parse(s, len, out, why);
}

int fp_format(const struct fingerprint *fp, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *name;
	size_t need, pos, i;

	if (!buf || !size)
		return -1;
	buf[0] = '\0';
	if (!fp || !valid_hash(fp->hash) || fp->len != fp_hash_len(fp->hash))
		return -1;
	name = fp_hash_name(fp->hash);
	need = strlen(name) + 1 + (size_t)fp->len * 3 - 1;
	if (need + 1 > size)
		return -1;
	pos = strlen(name);
	memcpy(buf, name, pos);
	buf[pos++] = ' ';
	for (i = 0; i < fp->len; i++) {
		if (i)
			buf[pos++] = ':';
		buf[pos++] = hex[fp->digest[i] >> 4];
		buf[pos++] = hex[fp->digest[i] & 15];
	}
	buf[pos] = '\0';
	return (int)pos;
}

static const EVP_MD *hash_md(enum fp_hash h)
{
	switch (h) {
	case FP_SHA1:
		return EVP_sha1();
	case FP_SHA224:
		return EVP_sha224();
	case FP_SHA256:
		return EVP_sha256();
	case FP_SHA384:
		return EVP_sha384();
	case FP_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int fp_compute(enum fp_hash h, const uint8_t *der, size_t der_len,
	       struct fingerprint *out)
{
	const EVP_MD *md = hash_md(h);
	unsigned int n = 0;

	if (!md || !der || !der_len || !out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!EVP_Digest(der, der_len, out->digest, &n, md, NULL) ||
	    n != fp_hash_len(h))
		return -1;
	out->hash = h;
	out->len = (uint8_t)n;
	return 0;
}

bool fp_equal(const struct fingerprint *a, const struct fingerprint *b)
{
	return a->hash == b->hash && a->len == b->len &&
	       a->len <= FP_DIGEST_MAX &&
	       CRYPTO_memcmp(a->digest, b->digest, a->len) == 0;
}

int fp_set_add(struct fp_set *set, const struct fingerprint *fp)
{
	unsigned int i;

	for (i = 0; i < set->n && i < FP_SET_MAX; i++)
		if (fp_equal(&set->fp[i], fp))
			return FP_OK;
	if (set->n >= FP_SET_MAX)
		return FP_E_FULL;
	set->fp[set->n++] = *fp;
	return FP_OK;
}

int fp_set_add_value(struct fp_set *set, const char *s, size_t len,
		     const char **why)
{
	struct fingerprint fp;
	int rc = fp_parse(s, len, &fp, why);

	if (rc != FP_OK)
		return rc;
	rc = fp_set_add(set, &fp);
	if (rc != FP_OK && why)
		*why = "too many a=fingerprint attributes";
	return rc;
}

enum fp_hash fp_set_best_hash(const struct fp_set *set)
{
	enum fp_hash best = FP_HASH_NONE;
	unsigned int i;

	for (i = 0; i < set->n && i < FP_SET_MAX; i++)
		if (fp_hash_strength(set->fp[i].hash) > fp_hash_strength(best))
			best = set->fp[i].hash;
	return best;
}

enum fp_match fp_set_match_der(const struct fp_set *set, const uint8_t *der,
			       size_t der_len, enum fp_hash *used)
{
	enum fp_hash best = set ? fp_set_best_hash(set) : FP_HASH_NONE;
	struct fingerprint mine;
	unsigned int i;

	if (used)
		*used = best;
	if (best == FP_HASH_NONE)
		return FP_MATCH_EMPTY;
	if (fp_compute(best, der, der_len, &mine))
		return FP_MATCH_MISMATCH;
	for (i = 0; i < set->n && i < FP_SET_MAX; i++)
		if (set->fp[i].hash == best && fp_equal(&set->fp[i], &mine))
			return FP_MATCH_OK;
	return FP_MATCH_MISMATCH;
}

/* ---------------------------------------------------------------- a=setup */

static const char *const setup_names[] = {
	[SDP_SETUP_NONE] = "",
	[SDP_SETUP_ACTPASS] = "actpass",
	[SDP_SETUP_ACTIVE] = "active",
	[SDP_SETUP_PASSIVE] = "passive",
	[SDP_SETUP_HOLDCONN] = "holdconn",
};

const char *setup_name(enum sdp_setup s)
{
	if ((unsigned int)s >= sizeof(setup_names) / sizeof(setup_names[0]))
		return "";
	return setup_names[s];
}

int setup_parse(const char *s, size_t len, enum sdp_setup *out)
{
	int v;

	if (!s)
		return -1;
	trim(&s, &len);
	for (v = SDP_SETUP_ACTPASS; v <= SDP_SETUP_HOLDCONN; v++) {
		if (eq_ci(s, len, setup_names[v])) {
			if (out)
				*out = (enum sdp_setup)v;
			return 0;
		}
	}
	return -1;
}

int setup_parse_attr(const char *s, size_t len, enum sdp_setup *out)
{
	if (!s || !skip_attr(&s, &len, "setup"))
		return -1;
	return setup_parse(s, len, out);
}

const char *dtls_role_name(enum dtls_role r)
{
	switch (r) {
	case DTLS_ROLE_CLIENT:
		return "client";
	case DTLS_ROLE_SERVER:
		return "server";
	}
	return "?";
}

enum sdp_setup setup_answer(enum sdp_setup offer, enum sdp_setup prefer)
{
	switch (offer) {
	case SDP_SETUP_ACTPASS:
		return prefer == SDP_SETUP_PASSIVE ? SDP_SETUP_PASSIVE :
						     SDP_SETUP_ACTIVE;
	case SDP_SETUP_NONE:	/* RFC 4145 default for an offer: active */
	case SDP_SETUP_ACTIVE:
		return SDP_SETUP_PASSIVE;
	case SDP_SETUP_PASSIVE:
		return SDP_SETUP_ACTIVE;
	case SDP_SETUP_HOLDCONN:
	default:
		return SDP_SETUP_HOLDCONN;
	}
}

int dtls_role_resolve(bool local_is_offerer, enum sdp_setup local,
		      enum sdp_setup remote, enum dtls_role *role,
		      const char **why)
{
	enum sdp_setup offer = local_is_offerer ? local : remote;
	enum sdp_setup answer = local_is_offerer ? remote : local;
	bool offerer_active;

	if (offer == SDP_SETUP_NONE)
		offer = SDP_SETUP_ACTIVE;
	if (answer == SDP_SETUP_NONE)
		answer = SDP_SETUP_PASSIVE;

	if (offer == SDP_SETUP_HOLDCONN || answer == SDP_SETUP_HOLDCONN)
		return fail(why, "a=setup:holdconn: no connection wanted", -1);
	if (answer == SDP_SETUP_ACTPASS)
		return fail(why, "a=setup:actpass is not allowed in an answer",
			    -1);

	switch (offer) {
	case SDP_SETUP_ACTPASS:
		offerer_active = answer == SDP_SETUP_PASSIVE;
		break;
	case SDP_SETUP_ACTIVE:
		if (answer != SDP_SETUP_PASSIVE)
			return fail(why, "a=setup conflict: both sides active",
				    -1);
		offerer_active = true;
		break;
	case SDP_SETUP_PASSIVE:
		if (answer != SDP_SETUP_ACTIVE)
			return fail(why, "a=setup conflict: both sides passive",
				    -1);
		offerer_active = false;
		break;
	default:
		return fail(why, "invalid a=setup value", -1);
	}
	if (role)
		*role = offerer_active == local_is_offerer ? DTLS_ROLE_CLIENT :
							     DTLS_ROLE_SERVER;
	if (why)
		*why = NULL;
	return 0;
}
