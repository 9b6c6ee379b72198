/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SDP attributes of DTLS-SRTP (RFC 5763 §5): a=fingerprint (RFC 4572/8122)
 * and a=setup (RFC 4145), and which DTLS role follows from them.
 *
 * Parsing is strict about structure and lenient about spelling:
 *   - hash names are case-insensitive ("SHA-1", "sha-256");
 *   - hex digits may be upper or lower case (we always print upper case);
 *   - blanks (SP/HTAB) may precede the value (RFC 5763 §7.1 prints
 *     "a=fingerprint: SHA-1 4A:AD:..."), separate hash and value (one or
 *     more), and trail it, as may a CR and/or LF;
 *   - the digest must be colon-separated pairs, exactly as long as the hash
 *     function's output; anything else is refused with a reason.
 * Every function takes (pointer, length); no input needs a terminating NUL.
 *
 * These functions only need libcrypto (for the digests); no state, no
 * allocation, safe from any thread.
 */
#ifndef KEYD_FINGERPRINT_H
#define KEYD_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- hashes */

enum fp_hash {
	FP_HASH_NONE = 0,
	FP_SHA1,		/* "sha-1"   20 bytes (accepted, weak) */
	FP_SHA224,		/* "sha-224" 28 bytes */
	FP_SHA256,		/* "sha-256" 32 bytes (what we generate) */
	FP_SHA384,		/* "sha-384" 48 bytes */
	FP_SHA512,		/* "sha-512" 64 bytes */
	FP_HASH_COUNT
};

#define FP_DIGEST_MAX	64
/* "sha-512 " + 64 * "XX:" - the last ':' + NUL */
#define FP_STR_MAX	(8 + FP_DIGEST_MAX * 3)

struct fingerprint {
	enum fp_hash hash;
	uint8_t len;			/* == fp_hash_len(hash) */
	uint8_t digest[FP_DIGEST_MAX];
};

/* Results of the parsers; `why` (if not NULL) gets a static reason text. */
enum fp_status {
	FP_OK = 0,
	FP_E_SYNTAX = -1,	/* not "hash SP XX:XX:..." */
	FP_E_HASH = -2,		/* md5, md2 or an unknown token: skip the line */
	FP_E_LENGTH = -3,	/* digest length does not fit the hash */
	FP_E_FULL = -4,		/* fp_set_add: the set is full */
};

/* Lower-case RFC 8122 name ("sha-256"); "none" for FP_HASH_NONE. */
const char *fp_hash_name(enum fp_hash h);
/* Case-insensitive; FP_HASH_NONE if not one we support. */
enum fp_hash fp_hash_by_name(const char *s, size_t len);
/* Digest size in bytes; 0 for FP_HASH_NONE or out of range. */
size_t fp_hash_len(enum fp_hash h);
/* Larger = stronger (RFC 8122 §5 preference): sha-512 > ... > sha-1. */
int fp_hash_strength(enum fp_hash h);

/* ---------------------------------------------------------------- a=fingerprint */

/* The attribute value: "sha-256 AB:CD:...". Returns an enum fp_status. */
int fp_parse(const char *s, size_t len, struct fingerprint *out,
	     const char **why);
/* A whole attribute: "a=fingerprint:sha-256 AB:..." or "fingerprint:...".
 * The attribute name is matched case-insensitively.
 */
int fp_parse_attr(const char *s, size_t len, struct fingerprint *out,
		  const char **why);

/* "sha-256 AB:CD:..." (the SDP value, without "a=fingerprint:").
 * Returns the string length, or -1 if size is too small (buf gets "").
 */
int fp_format(const struct fingerprint *fp, char *buf, size_t size);

/* The fingerprint of a DER-encoded certificate (RFC 4572 §5). 0 or -1. */
int fp_compute(enum fp_hash h, const uint8_t *der, size_t der_len,
	       struct fingerprint *out);

bool fp_equal(const struct fingerprint *a, const struct fingerprint *b);

/* ---------------------------------------------------------------- sets */

/*
 * All a=fingerprint values that apply to one media description (the
 * media-level ones if any, else the session-level ones). RFC 8122 allows
 * several, with different hash functions and/or several certificates.
 */
#define FP_SET_MAX	8

struct fp_set {
	unsigned int n;
	struct fingerprint fp[FP_SET_MAX];
};

static inline void fp_set_init(struct fp_set *set)
{
	set->n = 0;
}

/* Adds a copy, ignoring an exact duplicate. FP_OK or FP_E_FULL. */
int fp_set_add(struct fp_set *set, const struct fingerprint *fp);

/*
 * Parses one attribute value (as fp_parse) into the set. Unsupported hash
 * functions (md5, md2, tokens) return FP_E_HASH and leave the set as it was:
 * callers skip them, as RFC 8122 says, and fail only if nothing usable is left.
 */
int fp_set_add_value(struct fp_set *set, const char *s, size_t len,
		     const char **why);

/* The strongest hash function in the set; FP_HASH_NONE if it is empty. */
enum fp_hash fp_set_best_hash(const struct fp_set *set);

enum fp_match {
	FP_MATCH_OK = 0,
	FP_MATCH_MISMATCH = 1,	/* the certificate is not the signalled one */
	FP_MATCH_EMPTY = 2,	/* nothing to compare against */
};

/*
 * RFC 8122 §5: take the fingerprints that use the strongest hash function in
 * the set; the certificate matches if its digest equals one of them. The
 * matched or expected hash function goes to *used (may be NULL).
 */
enum fp_match fp_set_match_der(const struct fp_set *set, const uint8_t *der,
			       size_t der_len, enum fp_hash *used);

/* ---------------------------------------------------------------- a=setup */

enum sdp_setup {
	SDP_SETUP_NONE = 0,	/* attribute absent */
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
	SDP_SETUP_HOLDCONN,
};

/* "actpass", "active", "passive", "holdconn" (any case, blanks trimmed).
 * 0, or -1 for anything else (*out untouched).
 */
int setup_parse(const char *s, size_t len, enum sdp_setup *out);
/* "a=setup:active" or "setup:active". 0 or -1. */
int setup_parse_attr(const char *s, size_t len, enum sdp_setup *out);
/* "actpass", ...; "" for SDP_SETUP_NONE. */
const char *setup_name(enum sdp_setup s);

/* ---------------------------------------------------------------- roles */

enum dtls_role {
	DTLS_ROLE_CLIENT = 1,	/* a=setup:active: sends the ClientHello */
	DTLS_ROLE_SERVER = 2,	/* a=setup:passive: answers it */
};

const char *dtls_role_name(enum dtls_role r);	/* "client", "server" */

/*
 * What an answerer puts in its answer for an offer's a=setup (RFC 4145 §4.1,
 * RFC 5763 §5). `prefer` is SDP_SETUP_ACTIVE (RFC 5763 recommends it: the
 * handshake starts at once and early media works) or SDP_SETUP_PASSIVE; it
 * only matters for actpass offers. An absent offer attribute counts as
 * "active" (the RFC 4145 default). holdconn gives holdconn.
 */
enum sdp_setup setup_answer(enum sdp_setup offer, enum sdp_setup prefer);

/*
 * Our DTLS role from the completed offer/answer: `local` and `remote` are
 * the a=setup values we sent and received, `local_is_offerer` says which one
 * was the offer. Absent values take the RFC 4145 defaults (offer: active,
 * answer: passive). Returns 0 and sets *role, or -1 with a reason:
 * an actpass answer, both sides active or both passive, or holdconn.
 *
 * Before the answer arrives, an actpass offerer has no role yet; it must
 * accept a ClientHello (i.e. act as a server) if one comes (RFC 5763 §5).
 */
int dtls_role_resolve(bool local_is_offerer, enum sdp_setup local,
		      enum sdp_setup remote, enum dtls_role *role,
		      const char **why);

#endif /* KEYD_FINGERPRINT_H */
