/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ZRTP's retained shared secrets (RFC 6189 §4.3, §4.6.1): the IDs our
 * DHPart carries for them, matching the peer's IDs against our cache to
 * find s1, and what a cache entry holds. No I/O: the cache itself is the
 * method's (zrtp_cache.c).
 */
#ifndef KEYD_ZRTP_SECRETS_H
#define KEYD_ZRTP_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zrtp_msg.h"

#define ZRTP_RS_LEN	32	/* rs1, rs2: KDF(s0, "retained secret", ..., 256) */
#define ZRTP_AUX_MAX	64	/* auxsecret: what keyd takes from the media server */
#define ZRTP_PBX_MAX	64	/* pbxsecret: the negotiated hash's length (§7.3.1), 32 or 48 */

/*
 * How a secret beside rs1 stood (§4.3), the auxsecret or the pbxsecret:
 * none of ours, equal to the peer's, or not.
 */
enum zrtp_aux { ZRTP_AUX_UNSET, ZRTP_AUX_MATCH, ZRTP_AUX_MISMATCH };

/*
 * An auxsecret's ID (§4.3.1): MAC(auxsecret, H3) by the negotiated hash, 64
 * bits, with the H3 of the side that sends it (ours in our DHPart, the
 * peer's to check its). 0, or -1.
 */
int zrtp_aux_id(zrtp_alg hash, const uint8_t *aux, size_t aux_len,
		const uint8_t h3[ZRTP_H_LEN], uint8_t id[ZRTP_ID_LEN]);

/* What our cache holds for one peer ZID. */
struct zrtp_retained {
	uint8_t rs1[ZRTP_RS_LEN], rs2[ZRTP_RS_LEN];
	bool have_rs1, have_rs2;
	bool verified;		/* the users compared the SAS in an earlier call */
	/* a trusted PBX's secret, from enrolling with it (§7.3.1); 0: none */
	uint8_t pbx[ZRTP_PBX_MAX];
	size_t pbx_len;
};

/*
 * rs1ID and rs2ID of our DHPart: MAC(rs, "Initiator") or MAC(rs,
 * "Responder") by the negotiated hash, 64 bits; random for a secret we
 * do not have (§4.3: no one learns which we hold). 0, or -1.
 */
int zrtp_rs_ids(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		uint8_t rs1id[ZRTP_ID_LEN], uint8_t rs2id[ZRTP_ID_LEN]);

/*
 * pbxsecretID of our DHPart (§4.3.1): MAC(pbxsecret, "Initiator" or
 * "Responder"), 64 bits; random without one. 0, or -1.
 */
int zrtp_pbx_id(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		uint8_t id[ZRTP_ID_LEN]);
/* Whether the peer's pbxsecretID (sent in its role) names our pbxsecret. */
enum zrtp_aux zrtp_pbx_match(zrtp_alg hash, const struct zrtp_retained *r, bool peer_initiates,
			     const uint8_t peer_id[ZRTP_ID_LEN]);

/*
 * s1 (§4.3) from the peer's rs1ID and rs2ID: the initiator's rs1 if either
 * of our secrets matches it, else its rs2 likewise, else null (*s1len 0).
 * *mismatch: we hold rs1 yet s1 is null (§4.3.2). 0, or -1.
 */
int zrtp_rs_match(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		  const uint8_t peer_rs1id[ZRTP_ID_LEN], const uint8_t peer_rs2id[ZRTP_ID_LEN],
		  uint8_t s1[ZRTP_RS_LEN], size_t *s1len, bool *mismatch);

#endif /* KEYD_ZRTP_SECRETS_H */
