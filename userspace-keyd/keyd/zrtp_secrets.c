// SPDX-License-Identifier: GPL-2.0
/*
 * Retained-secret IDs and s1 (zrtp_secrets.h), by OpenSSL's HMAC through
 * zrtp_crypto.h.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zrtp_crypto.h"
#include "zrtp_secrets.h"

/* MAC(secret, role) truncated to 64 bits (§4.3.1): rs1, rs2, pbxsecret */
static int role_id(zrtp_alg hash, const uint8_t *secret, size_t len, bool initiator,
		   uint8_t id[ZRTP_ID_LEN])
{
	const char *who = initiator ? "Initiator" : "Responder";

	return zrtp_hmac(hash, secret, len, (const uint8_t *)who, strlen(who), id, ZRTP_ID_LEN);
}

static int rs_id(zrtp_alg hash, const uint8_t rs[ZRTP_RS_LEN], bool initiator,
		 uint8_t id[ZRTP_ID_LEN])
{
	return role_id(hash, rs, ZRTP_RS_LEN, initiator, id);
}

int zrtp_pbx_id(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		uint8_t id[ZRTP_ID_LEN])
{
	if (r && r->pbx_len)
		return role_id(hash, r->pbx, r->pbx_len, initiator, id);
	return RAND_bytes(id, ZRTP_ID_LEN) == 1 ? 0 : -1;
}

enum zrtp_aux zrtp_pbx_match(zrtp_alg hash, const struct zrtp_retained *r, bool peer_initiates,
			     const uint8_t peer_id[ZRTP_ID_LEN])
{
	uint8_t id[ZRTP_ID_LEN];

	if (!r || !r->pbx_len)
		return ZRTP_AUX_UNSET;
	if (role_id(hash, r->pbx, r->pbx_len, peer_initiates, id) ||
	    CRYPTO_memcmp(id, peer_id, ZRTP_ID_LEN))
		return ZRTP_AUX_MISMATCH;
	return ZRTP_AUX_MATCH;
}

int zrtp_aux_id(zrtp_alg hash, const uint8_t *aux, size_t aux_len,
		const uint8_t h3[ZRTP_H_LEN], uint8_t id[ZRTP_ID_LEN])
{
	return zrtp_hmac(hash, aux, aux_len, h3, ZRTP_H_LEN, id, ZRTP_ID_LEN);
}

int zrtp_rs_ids(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		uint8_t rs1id[ZRTP_ID_LEN], uint8_t rs2id[ZRTP_ID_LEN])
{
	if (r && r->have_rs1 ? rs_id(hash, r->rs1, initiator, rs1id) :
	    RAND_bytes(rs1id, ZRTP_ID_LEN) != 1)
		return -1;
	if (r && r->have_rs2 ? rs_id(hash, r->rs2, initiator, rs2id) :
	    RAND_bytes(rs2id, ZRTP_ID_LEN) != 1)
		return -1;
	return 0;
}

/* Which of our secrets (rs1, rs2) hashes, as the peer's role, to id. */
static const uint8_t *ours_matching(zrtp_alg hash, const struct zrtp_retained *r,
				    bool peer_initiates, const uint8_t id[ZRTP_ID_LEN])
{
	uint8_t mine[ZRTP_ID_LEN];

	if (r->have_rs1 && !rs_id(hash, r->rs1, peer_initiates, mine) &&
	    !CRYPTO_memcmp(mine, id, ZRTP_ID_LEN))
		return r->rs1;
	if (r->have_rs2 && !rs_id(hash, r->rs2, peer_initiates, mine) &&
	    !CRYPTO_memcmp(mine, id, ZRTP_ID_LEN))
		return r->rs2;
	return NULL;
}

int zrtp_rs_match(zrtp_alg hash, const struct zrtp_retained *r, bool initiator,
		  const uint8_t peer_rs1id[ZRTP_ID_LEN], const uint8_t peer_rs2id[ZRTP_ID_LEN],
		  uint8_t s1[ZRTP_RS_LEN], size_t *s1len, bool *mismatch)
{
	const uint8_t *hit = NULL;
	uint8_t id[ZRTP_ID_LEN];

	*s1len = 0;
	*mismatch = false;
	if (!r)
		return 0;
	if (initiator) {
		/* our rs1 if the responder holds it (as its rs1 or rs2), else our rs2 */
		if (r->have_rs1 && !rs_id(hash, r->rs1, false, id) &&
		    (!CRYPTO_memcmp(id, peer_rs1id, ZRTP_ID_LEN) ||
		     !CRYPTO_memcmp(id, peer_rs2id, ZRTP_ID_LEN)))
			hit = r->rs1;
		else if (r->have_rs2 && !rs_id(hash, r->rs2, false, id) &&
			 (!CRYPTO_memcmp(id, peer_rs1id, ZRTP_ID_LEN) ||
			  !CRYPTO_memcmp(id, peer_rs2id, ZRTP_ID_LEN)))
			hit = r->rs2;
	} else {
		/* the initiator's rs1 if we hold it, else its rs2 */
		hit = ours_matching(hash, r, true, peer_rs1id);
		if (!hit)
			hit = ours_matching(hash, r, true, peer_rs2id);
	}
	if (hit) {
		memcpy(s1, hit, ZRTP_RS_LEN);
		*s1len = ZRTP_RS_LEN;
	}
	*mismatch = r->have_rs1 && !hit;
	OPENSSL_cleanse(id, sizeof(id));
	return 0;
}
