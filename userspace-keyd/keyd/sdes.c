// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 4568 a=crypto for SRTP (§9.1 grammar, §6 parameters).
 *
 * Lenient where real peers differ (unpadded base64 from rtpengine, runs of
 * whitespace, "KDR=0"), strict where a mistake would install the wrong
 * transform: a line we cannot run exactly is refused, with the reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "b64.h"
#include "sdes.h"

static int fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal digits [s, e) into *v; false on overflow or no digits. */
static bool parse_u64(const char *s, const char *e, uint64_t *v)
{
	uint64_t x = 0;

	if (s == e)
		return false;
	for (; s < e; s++) {
		if (!is_digit(*s))
			return false;
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

/* lifetime = ["2^"] 1*DIGIT */
static int parse_lifetime(const char *s, const char *e, uint64_t *out,
			  char *why, size_t whylen)
{
	uint64_t v;

	if (e - s >= 2 && s[0] == '2' && s[1] == '^') {
		if (!parse_u64(s + 2, e, &v) || v > 63)
			return fail(why, whylen, "lifetime: bad power of two '%.*s'",
				    (int)(e - s), s);
		*out = 1ULL << v;
	} else if (!parse_u64(s, e, out)) {
		return fail(why, whylen, "lifetime: '%.*s' is not a number or 2^n",
			    (int)(e - s), s);
	}
	if (!*out)
		return fail(why, whylen, "lifetime: must be at least one packet");
	return 0;
}

/* mki = mki-value ":" mki-length, decimal, length 1..128 bytes */
static int parse_mki(const char *s, const char *e, struct sdes_key *k,
		     char *why, size_t whylen)
{
	const char *colon = memchr(s, ':', (size_t)(e - s));
	uint64_t len;

	if (!colon || !parse_u64(s, colon, &k->mki) ||
	    !parse_u64(colon + 1, e, &len) || colon + 1 == e || e - colon - 1 > 3)
		return fail(why, whylen, "MKI: expected <value>:<length>, got '%.*s'",
			    (int)(e - s), s);
	if (len < 1 || len > 128)
		return fail(why, whylen, "MKI: length %llu is outside 1..128",
			    (unsigned long long)len);
	if (len < 8 && k->mki >> (8 * len))
		return fail(why, whylen, "MKI: value %llu does not fit in %llu byte%s",
			    (unsigned long long)k->mki, (unsigned long long)len,
			    len == 1 ? "" : "s");
	k->mki_len = (uint8_t)len;
	return 0;
}

/* key-param = "inline:" key-salt ["|" lifetime] ["|" mki] */
static int parse_key(const char *s, const char *e, const struct suite *suite,
		     struct sdes_key *k, char *why, size_t whylen)
{
	const char *p, *f;
	ssize_t n;
	bool lifetime = false;

	memset(k, 0, sizeof(*k));
	if (s == e)
		return fail(why, whylen, "empty key parameter");
	if (e - s < 7 || memcmp(s, "inline:", 7)) {
		const char *q;

		/* name the method only if it looks like one: never echo a key */
		p = memchr(s, ':', (size_t)(e - s));
		for (q = s; p && q < p; q++)
			if (!((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') && *q != '-')
				p = NULL;
		if (p && p - s <= 16)
			return fail(why, whylen, "key method '%.*s' is not supported (only inline)",
				    (int)(p - s), s);
		return fail(why, whylen, "key parameter is not inline:<base64 key||salt>");
	}
	s += 7;
	p = memchr(s, '|', (size_t)(e - s));
	if (!p)
		p = e;
	n = b64_decode(s, (size_t)(p - s), k->material, sizeof(k->material));
	if (n <= 0)
		return fail(why, whylen, "inline key is not valid base64");
	k->len = (uint8_t)n;
	if (suite && k->len != suite_keysalt_len(suite))
		return fail(why, whylen,
			    "inline key is %u bytes; %s takes %u (%u-byte key + %u-byte salt)",
			    k->len, suite->name, suite_keysalt_len(suite),
			    suite->key_len, suite->salt_len);
	/* then up to two fields; the one with ':' is the MKI and comes last */
	while (p < e) {
		f = p + 1;
		p = memchr(f, '|', (size_t)(e - f));
		if (!p)
			p = e;
		if (memchr(f, ':', (size_t)(p - f))) {
			if (k->mki_len)
				return fail(why, whylen, "key has two MKIs");
			if (parse_mki(f, p, k, why, whylen))
				return -1;
		} else {
			if (lifetime || k->mki_len)
				return fail(why, whylen, "lifetime must come once, before the MKI");
			if (parse_lifetime(f, p, &k->lifetime, why, whylen))
				return -1;
			lifetime = true;
		}
	}
	return 0;
}

static int parse_keys(const char *s, const char *e, struct sdes_crypto *c,
		      char *why, size_t whylen)
{
	const char *p;
	unsigned int i, j;
	char sub[SDES_REASON_LEN];

	for (;;) {
		p = memchr(s, ';', (size_t)(e - s));
		if (!p)
			p = e;
		if (c->nkeys == SDES_MAX_KEYS)
			return fail(why, whylen, "more than %d keys", SDES_MAX_KEYS);
		if (parse_key(s, p, c->suite, &c->keys[c->nkeys], sub, sizeof(sub)))
			return fail(why, whylen, "key %u: %s", c->nkeys + 1, sub);
		c->nkeys++;
		if (p == e)
			break;
		s = p + 1;
	}
	/* RFC 4568 §6.1: with several keys the MKI tells them apart */
	if (c->nkeys > 1) {
		for (i = 0; i < c->nkeys; i++) {
			if (!c->keys[i].mki_len)
				return fail(why, whylen, "several keys need an MKI each");
			if (c->keys[i].mki_len != c->keys[0].mki_len)
				return fail(why, whylen, "keys have MKIs of different lengths");
			for (j = 0; j < i; j++)
				if (c->keys[j].mki == c->keys[i].mki)
					return fail(why, whylen, "two keys have MKI %llu",
						    (unsigned long long)c->keys[i].mki);
		}
	}
	return 0;
}

static bool token_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && !memcmp(s, word, n);
}

static bool token_prefix(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && !memcmp(s, word, n);
}

static int parse_param(const char *s, const char *e, struct sdes_crypto *c,
		       char *why, size_t whylen)
{
	uint64_t v;
	const char *q;

	for (q = s; q < e; q++)
		if ((unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e)
			return fail(why, whylen, "session parameter has a non-printable character");
	if (token_is(s, e, "UNENCRYPTED_SRTP")) {
		c->flags |= SDES_UNENCRYPTED_SRTP;
	} else if (token_is(s, e, "UNENCRYPTED_SRTCP")) {
		c->flags |= SDES_UNENCRYPTED_SRTCP;
	} else if (token_is(s, e, "UNAUTHENTICATED_SRTP")) {
		c->flags |= SDES_UNAUTHENTICATED_SRTP;
	} else if (token_prefix(s, e, "KDR=")) {
		if (e - s > 6 || !parse_u64(s + 4, e, &v) || v > 24)
			return fail(why, whylen, "KDR: expected 0..24, got '%.*s'",
				    (int)(e - s - 4), s + 4);
		c->kdr = (uint8_t)v;
		c->kdr_given = true;
	} else if (token_prefix(s, e, "WSH=")) {
		if (!parse_u64(s + 4, e, &v) || v < 64 || v > UINT32_MAX)
			return fail(why, whylen, "WSH: expected a window of at least 64, got '%.*s'",
				    (int)(e - s - 4), s + 4);
		c->wsh = (uint32_t)v;
	} else if (token_prefix(s, e, "FEC_ORDER=")) {
		if (!token_is(s + 10, e, "FEC_SRTP") && !token_is(s + 10, e, "SRTP_FEC"))
			return fail(why, whylen, "FEC_ORDER: expected FEC_SRTP or SRTP_FEC");
		c->fec_order = true;
	} else if (token_prefix(s, e, "FEC_KEY=")) {
		c->fec_key = true;
	} else if (*s == '-') {
		/* RFC 4568 §6.3.8: a leading dash marks an ignorable extension */
	} else if (!c->unknown_param[0]) {
		snprintf(c->unknown_param, sizeof(c->unknown_param), "%.*s",
			 (int)(e - s), s);
	}
	return 0;
}

/* Next whitespace-separated token of [*s, e): [*ts, *te); false at the end. */
static bool next_token(const char **s, const char *e, const char **ts, const char **te)
{
	const char *p = *s;

	while (p < e && is_space(*p))
		p++;
	if (p == e)
		return false;
	*ts = p;
	while (p < e && !is_space(*p))
		p++;
	*te = p;
	*s = p;
	return true;
}

static int parse_line(const char *s, const char *e, struct sdes_crypto *c,
		      char *why, size_t whylen)
{
	const char *ts, *te, *p;
	uint64_t tag;
	char sub[SDES_REASON_LEN];

	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || is_space(e[-1])))
		e--;
	while (s < e && is_space(*s))
		s++;
	if (e - s >= 2 && !memcmp(s, "a=", 2))
		s += 2;
	if (e - s >= 7 && !memcmp(s, "crypto:", 7))
		s += 7;
	else if (s < e && !is_digit(*s))
		return fail(why, whylen, "not an a=crypto attribute");

	if (!next_token(&s, e, &ts, &te))
		return fail(why, whylen, "empty a=crypto attribute");
	if (te - ts > 9 || !parse_u64(ts, te, &tag))
		return fail(why, whylen, "tag: expected 1 to 9 digits, got '%.*s'",
			    (int)(te - ts > 20 ? 20 : te - ts), ts);
	c->tag = (uint32_t)tag;

	if (!next_token(&s, e, &ts, &te))
		return fail(why, whylen, "tag %u: no crypto suite", c->tag);
	for (p = ts; p < te; p++)
		if (!is_digit(*p) && *p != '_' && !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			return fail(why, whylen, "tag %u: bad character in the crypto suite name",
				    c->tag);
	if (te - ts >= SDES_MAX_SUITE_NAME)
		return fail(why, whylen, "tag %u: crypto suite name too long", c->tag);
	memcpy(c->suite_name, ts, (size_t)(te - ts));
	c->suite_name[te - ts] = 0;
	c->suite = suite_by_name(ts, (size_t)(te - ts));

	if (!next_token(&s, e, &ts, &te))
		return fail(why, whylen, "tag %u: no key parameters", c->tag);
	if (parse_keys(ts, te, c, sub, sizeof(sub)))
		return fail(why, whylen, "tag %u: %s", c->tag, sub);

	while (next_token(&s, e, &ts, &te))
		if (parse_param(ts, te, c, sub, sizeof(sub)))
			return fail(why, whylen, "tag %u: %s", c->tag, sub);
	return 0;
}

int sdes_parse(const char *line, size_t len, struct sdes_crypto *out,
	       char *why, size_t whylen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > SDES_MAX_LINE)
		return fail(why, whylen, "a=crypto attribute longer than %d bytes",
			    SDES_MAX_LINE);
	if (memchr(line, 0, len))
		return fail(why, whylen, "a=crypto attribute contains a NUL byte");
	rc = parse_line(line, line + len, out, why, whylen);
	if (rc)
		sdes_wipe(out);
	return rc;
}

const char *sdes_flag_name(uint32_t bit)
{
	switch (bit) {
	case SDES_UNENCRYPTED_SRTP:
		return "UNENCRYPTED_SRTP";
	case SDES_UNENCRYPTED_SRTCP:
		return "UNENCRYPTED_SRTCP";
	case SDES_UNAUTHENTICATED_SRTP:
		return "UNAUTHENTICATED_SRTP";
	}
	return "?";
}

static bool policy_allows(const struct sdes_policy *p, const struct suite *s)
{
	size_t i;

	for (i = 0; i < p->nprefs; i++)
		if (p->prefs[i] == s)
			return true;
	return false;
}

int sdes_check(const struct sdes_crypto *c, const struct sdes_policy *p,
	       char *why, size_t whylen)
{
	unsigned int i;
	uint32_t bit;

	if (!c->suite)
		return fail(why, whylen, "crypto suite %s is not supported", c->suite_name);
	if (!(p->kernel_suites & suite_bit(c->suite)))
		return fail(why, whylen, "crypto suite %s is not available in this kernel",
			    c->suite->name);
	if (!policy_allows(p, c->suite))
		return fail(why, whylen, "crypto suite %s is not allowed by local policy",
			    c->suite->name);
	if (c->fec_order)
		return fail(why, whylen, "FEC_ORDER is not supported (ksrtp does no FEC)");
	if (c->fec_key)
		return fail(why, whylen, "FEC_KEY is not supported (ksrtp does no FEC)");
	if (c->unknown_param[0])
		return fail(why, whylen, "unknown session parameter %s", c->unknown_param);
	if (c->kdr_given && c->kdr)
		return fail(why, whylen,
			    "KDR=%u (re-derive every 2^%u packets) is not supported: "
			    "ksrtp re-derives for explicit SSRCs only, which SDES does not name",
			    c->kdr, c->kdr);
	for (bit = 1; bit <= SDES_UNAUTHENTICATED_SRTP; bit <<= 1)
		if ((c->flags & bit) && c->suite->aead)
			return fail(why, whylen, "%s is not supported with %s",
				    sdes_flag_name(bit), c->suite->name);
	if ((c->flags & SDES_UNAUTHENTICATED_SRTP) && !p->allow_unauthenticated)
		return fail(why, whylen,
			    "UNAUTHENTICATED_SRTP is refused by local policy "
			    "(allow_unauthenticated_srtp)");
	for (i = 0; i < c->nkeys; i++) {
		if (c->keys[i].mki_len > SDES_MAX_MKI_LEN)
			return fail(why, whylen, "MKI of %u bytes: ksrtp supports 1 to %d",
				    c->keys[i].mki_len, SDES_MAX_MKI_LEN);
		if (c->keys[i].lifetime > SDES_MAX_LIFETIME)
			return fail(why, whylen, "key lifetime exceeds 2^48 packets");
	}
	return 0;
}

static size_t rank_of(const struct sdes_policy *p, const struct suite *s)
{
	size_t i;

	if (p->keep == s)
		return 0;
	for (i = 0; i < p->nprefs; i++)
		if (p->prefs[i] == s)
			return i + 1;
	return SIZE_MAX;
}

/* Append "; " + text to a reason list, truncating quietly. */
static void add_reason(char *why, size_t whylen, const char *text)
{
	size_t n;

	if (!why || !whylen)
		return;
	n = strlen(why);
	snprintf(why + n, whylen - n, "%s%s", n ? "; " : "", text);
}

int sdes_select(const char *const *lines, size_t n, const struct sdes_policy *p,
		struct sdes_crypto *out, char *why, size_t whylen)
{
	struct sdes_crypto c;
	char sub[SDES_REASON_LEN], line[SDES_REASON_LEN + 32];
	size_t i, best_rank = SIZE_MAX, rank;
	int best = -1;

	if (why && whylen)
		why[0] = 0;
	memset(out, 0, sizeof(*out));
	if (!n)
		return fail(why, whylen, "no a=crypto attribute");
	for (i = 0; i < n; i++) {
		if (sdes_parse(lines[i], strlen(lines[i]), &c, sub, sizeof(sub))) {
			snprintf(line, sizeof(line), "line %zu: %s", i + 1, sub);
			add_reason(why, whylen, line);
			continue;
		}
		if (sdes_check(&c, p, sub, sizeof(sub))) {
			snprintf(line, sizeof(line), "tag %u: %s", c.tag, sub);
			add_reason(why, whylen, line);
			sdes_wipe(&c);
			continue;
		}
		rank = rank_of(p, c.suite);
		if (rank < best_rank) {
			best_rank = rank;
			best = (int)i;
			sdes_wipe(out);
			*out = c;
		}
		sdes_wipe(&c);
	}
	if (best >= 0 && why && whylen)
		why[0] = 0;
	return best;
}

int sdes_match_answer(const struct sdes_crypto *offered, size_t n,
		      const char *line, const struct sdes_policy *p,
		      struct sdes_crypto *out, char *why, size_t whylen)
{
	const struct sdes_crypto *o = NULL;
	char sub[SDES_REASON_LEN];
	uint32_t diff;
	size_t i;

	if (sdes_parse(line, strlen(line), out, sub, sizeof(sub)))
		return fail(why, whylen, "answer: %s", sub);
	for (i = 0; i < n && !o; i++)
		if (offered[i].tag == out->tag)
			o = &offered[i];
	if (!o) {
		fail(why, whylen, "answer: tag %u was not offered", out->tag);
		goto refuse;
	}
	if (out->suite != o->suite || strcmp(out->suite_name, o->suite_name)) {
		fail(why, whylen, "answer: tag %u was offered with %s, answered with %s",
		     out->tag, o->suite_name, out->suite_name);
		goto refuse;
	}
	/* RFC 4568 §6.3: these transform parameters hold for both directions */
	diff = out->flags ^ o->flags;
	if (diff) {
		diff &= -diff;
		fail(why, whylen, "answer: %s %s", sdes_flag_name(diff),
		     (o->flags & diff) ? "was offered but not accepted" :
					 "was not offered");
		goto refuse;
	}
	if (sdes_check(out, p, sub, sizeof(sub))) {
		fail(why, whylen, "answer: %s", sub);
		goto refuse;
	}
	return (int)(o - offered);
refuse:
	sdes_wipe(out);
	return -1;
}

/* Append printf output at *pos; false once buf is full. */
static bool put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos) {
		*pos = len;
		return false;
	}
	*pos += (size_t)n;
	return true;
}

static bool put_lifetime(char *buf, size_t len, size_t *pos, uint64_t v)
{
	unsigned int exp = 0;

	if (v >= 2 && !(v & (v - 1))) {
		while (v >> exp != 1)
			exp++;
		return put(buf, len, pos, "|2^%u", exp);
	}
	return put(buf, len, pos, "|%llu", (unsigned long long)v);
}

int sdes_format(const struct sdes_crypto *c, char *buf, size_t len)
{
	char b64[B64_ENCODED_LEN(sizeof(c->keys[0].material)) + 1];
	size_t pos = 0;
	unsigned int i;
	uint32_t bit;
	bool ok;

	ok = put(buf, len, &pos, "a=crypto:%u %s ", c->tag,
		 c->suite ? c->suite->name : c->suite_name);
	for (i = 0; ok && i < c->nkeys; i++) {
		const struct sdes_key *k = &c->keys[i];

		b64_encode(k->material, k->len, b64, sizeof(b64));
		ok = put(buf, len, &pos, "%sinline:%s", i ? ";" : "", b64);
		if (ok && k->lifetime)
			ok = put_lifetime(buf, len, &pos, k->lifetime);
		if (ok && k->mki_len)
			ok = put(buf, len, &pos, "|%llu:%u",
				 (unsigned long long)k->mki, k->mki_len);
	}
	OPENSSL_cleanse(b64, sizeof(b64));
	if (ok && c->kdr_given)
		ok = put(buf, len, &pos, " KDR=%u", c->kdr);
	for (bit = 1; ok && bit <= SDES_UNAUTHENTICATED_SRTP; bit <<= 1)
		if (c->flags & bit)
			ok = put(buf, len, &pos, " %s", sdes_flag_name(bit));
	if (ok && c->wsh)
		ok = put(buf, len, &pos, " WSH=%u", c->wsh);
	if (!ok) {
		OPENSSL_cleanse(buf, len);
		return -1;
	}
	return (int)pos;
}

int sdes_new_key(struct sdes_key *k, const struct suite *s)
{
	uint64_t lifetime = k->lifetime, mki = k->mki;
	uint8_t mki_len = k->mki_len;

	/* keep lifetime and MKI the caller chose; replace the material */
	OPENSSL_cleanse(k, sizeof(*k));
	k->lifetime = lifetime;
	k->mki = mki;
	k->mki_len = mki_len;
	k->len = (uint8_t)suite_keysalt_len(s);
	return RAND_bytes(k->material, k->len) == 1 ? 0 : -1;
}

void sdes_wipe(struct sdes_crypto *c)
{
	OPENSSL_cleanse(c->keys, sizeof(c->keys));
	c->nkeys = 0;
}
