/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SDES (RFC 4568) a=crypto attributes for SRTP: parse, check against what
 * ksrtp can do, pick one from an offer, match an answer, and generate.
 *
 *   a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<len>]
 *            [;inline:...] [<session params>]
 *
 * Nothing here talks to the kernel or allocates: the code is shared by the
 * daemon, the unit tests and the fuzzer.
 */
#ifndef KEYD_SDES_H
#define KEYD_SDES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "suites.h"

#define SDES_MAX_KEYS		8	/* KSRTP_MAX_KEYS */
#define SDES_MAX_MKI_LEN	4	/* KSRTP_MAX_MKI_LEN */
#define SDES_MAX_LINE		2048
#define SDES_MAX_LIFETIME	(1ULL << 48)	/* RFC 3711 §9.2, SRTP */
#define SDES_MAX_SUITE_NAME	40
#define SDES_REASON_LEN		160

/* Session parameters that change the transform; same bits as ksrtp_ctx_flags. */
enum {
	SDES_UNENCRYPTED_SRTP = 1,
	SDES_UNENCRYPTED_SRTCP = 2,
	SDES_UNAUTHENTICATED_SRTP = 4,
};

struct sdes_key {
	uint8_t material[64];	/* master key || master salt */
	uint8_t len;
	uint64_t lifetime;	/* packets; 0: not given */
	uint64_t mki;		/* MKI value, if mki_len */
	uint8_t mki_len;	/* bytes, 0: no MKI (RFC 4568 allows up to 128) */
};

struct sdes_crypto {
	uint32_t tag;
	const struct suite *suite;	/* NULL: not a suite ksrtp knows */
	char suite_name[SDES_MAX_SUITE_NAME];
	uint8_t nkeys;
	struct sdes_key keys[SDES_MAX_KEYS];
	uint32_t flags;			/* SDES_UNENCRYPTED_* etc. */
	uint8_t kdr;			/* KDR=n: re-derive every 2^n packets */
	bool kdr_given;
	uint32_t wsh;			/* replay window hint; 0: not given */
	bool fec_order, fec_key;	/* parsed, then refused by sdes_check */
	char unknown_param[32];		/* first unknown mandatory parameter */
};

/* What the local side accepts. */
struct sdes_policy {
	const struct suite *prefs[SUITE_COUNT];	/* allowed, best first */
	size_t nprefs;
	uint32_t kernel_suites;		/* 1 << id for each suite the module runs */
	bool allow_unauthenticated;	/* UNAUTHENTICATED_SRTP */
	const struct suite *keep;	/* rank this suite first (re-offers) */
};

/*
 * Parse one attribute ("a=crypto:...", "crypto:..." or the bare value), an
 * optional CR/LF at the end. Returns 0, or -1 with a reason in why.
 * Grammar errors are refused here; what ksrtp cannot run is refused by
 * sdes_check so that selection can report it per line.
 */
int sdes_parse(const char *line, size_t len, struct sdes_crypto *out,
	       char *why, size_t whylen);

/* Whether ksrtp and the policy accept a parsed line; 0 or -1 with why. */
int sdes_check(const struct sdes_crypto *c, const struct sdes_policy *p,
	       char *why, size_t whylen);

/*
 * Answerer: choose the offered line to accept, by local preference and then
 * offer order. Returns its index with the line parsed into out, or -1 with
 * every line's reason ("tag 1: ...; tag 2: ...") in why.
 */
int sdes_select(const char *const *lines, size_t n, const struct sdes_policy *p,
		struct sdes_crypto *out, char *why, size_t whylen);

/*
 * Offerer: check the answer's line against what we offered (same tag,
 * suite and transform parameters). Returns the index of the offered line,
 * or -1 with why.
 */
int sdes_match_answer(const struct sdes_crypto *offered, size_t n,
		      const char *line, const struct sdes_policy *p,
		      struct sdes_crypto *out, char *why, size_t whylen);

/*
 * Write "a=crypto:..." for c (without CR/LF). FEC and unknown parameters are
 * never written. Returns the length, or -1 if it does not fit.
 */
int sdes_format(const struct sdes_crypto *c, char *buf, size_t len);

/* Fill in one fresh random key for c->suite (RAND_bytes); 0 or -1. */
int sdes_new_key(struct sdes_key *k, const struct suite *s);

/* Wipe key material. */
void sdes_wipe(struct sdes_crypto *c);

/* Render a session-parameter flag set as "UNENCRYPTED_SRTP ..." ("" if none). */
const char *sdes_flag_name(uint32_t bit);

#endif /* KEYD_SDES_H */
