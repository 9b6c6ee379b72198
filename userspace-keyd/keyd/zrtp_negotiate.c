// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's algorithm negotiation (RFC 6189 §4.1.2, §5.1): what each
 * Hello offers (the mandatory algorithm of each kind implied), what the
 * initiator chooses (its first preference the peer has too), and whether
 * a peer's Commit chose what we offered and implement.
 */
#include "zrtp_engine_int.h"

/* The mandatory algorithm of each kind, implied in every Hello (§5.2). */
static bool mandatory(enum zrtp_kind k, zrtp_alg a)
{
	switch (k) {
	case ZRTP_HASH: return a == ZRTP_ALG("S256");
	case ZRTP_CIPHER: return a == ZRTP_ALG("AES1");
	case ZRTP_AUTH: return a == ZRTP_ALG("HS32") || a == ZRTP_ALG("HS80");
	case ZRTP_KA: return a == ZRTP_ALG("DH3k");
	case ZRTP_SAS: return a == ZRTP_ALG("B32 ") || a == ZRTP_ALG("B256");
	default: return false;
	}
}

bool zi_lists(const uint8_t *n, const zrtp_alg (*alg)[ZRTP_MAX_ALGS], enum zrtp_kind k,
		  zrtp_alg a)
{
	size_t i;

	if (mandatory(k, a))
		return true;
	for (i = 0; i < n[k]; i++)
		if (alg[k][i] == a)
			return true;
	return false;
}

static bool implemented(enum zrtp_kind k, zrtp_alg a)
{
	switch (k) {
	case ZRTP_HASH: return zrtp_hash_len(a) > 0;
	case ZRTP_CIPHER: return zrtp_cipher_key_len(a) > 0;
	case ZRTP_AUTH: return a == ZRTP_ALG("HS32") || a == ZRTP_ALG("HS80");
	case ZRTP_KA: return zrtp_ka_pv_len(a) > 0;
	case ZRTP_SAS: return a == ZRTP_ALG("B32 ") || a == ZRTP_ALG("B256");
	default: return false;
	}
}

/* Ours first in our order, then the mandatory one: the first the peer has too. */
static zrtp_alg choose(const struct zrtp_conn *c, enum zrtp_kind k)
{
	static const char *const mand[ZRTP_NKINDS] = { "S256", "AES1", "HS80", "DH3k", "B32 " };
	const struct zrtp_hello *ph = &c->ph.msg.u.hello;
	size_t i;

	for (i = 0; i < c->cfg->n[k]; i++)
		if (implemented(k, c->cfg->alg[k][i]) &&
		    zi_lists(ph->n, (const zrtp_alg (*)[ZRTP_MAX_ALGS])ph->alg, k, c->cfg->alg[k][i]))
			return c->cfg->alg[k][i];
	return ZRTP_ALG(mand[k]);
}

/* A Commit's choices: ours to take (offered in our Hello, and implemented). */
uint32_t zi_commit_refused(const struct zrtp_conn *c, const struct zrtp_commit *pc)
{
	static const uint32_t codes[ZRTP_NKINDS] = { 0x51, 0x52, 0x54, 0x53, 0x55 };
	zrtp_alg chosen[ZRTP_NKINDS] = { pc->hash, pc->cipher, pc->auth, pc->ka, pc->sas };
	int k;

	if (pc->kind == ZRTP_COMMIT_MULT && (!c->cfg->ms || pc->hash != c->cfg->ms->hash ||
					      memcmp(c->ph.msg.u.hello.zid, c->cfg->ms->peer_zid,
						     ZRTP_ZID_LEN)))
		return 0x53;	/* no ZRTP session with this peer to key it from (§4.4.3.1) */
	if (pc->kind != ZRTP_COMMIT_MULT && c->cfg->ms)
		return 0x53;	/* a DH or Preshared Commit on a Multistream stream */
	if (pc->kind == ZRTP_COMMIT_PRSH &&
	    !zi_lists(c->cfg->n, c->cfg->alg, ZRTP_KA, ZRTP_ALG("Prsh")))
		return 0x53;	/* Preshared, which our Hello did not offer */
	if (pc->kind == ZRTP_COMMIT_MULT) {	/* no key agreement, and no SAS (§4.4.3.1) */
		chosen[ZRTP_KA] = ZRTP_ALG("DH3k");
		chosen[ZRTP_SAS] = ZRTP_ALG("B32 ");
	} else if (pc->kind == ZRTP_COMMIT_PRSH) {	/* no key agreement to check */
		chosen[ZRTP_KA] = ZRTP_ALG("DH3k");
	}
	for (k = 0; k < ZRTP_NKINDS; k++)
		if (!implemented((enum zrtp_kind)k, chosen[k]) ||
		    !zi_lists(c->cfg->n, c->cfg->alg, (enum zrtp_kind)k, chosen[k]))
			return codes[k];
	return 0;
}

/* The initiator's choices of each kind into c->suite. */
void zi_choose_suite(struct zrtp_conn *c)
{
	c->suite = (struct zrtp_suite){ choose(c, ZRTP_HASH), choose(c, ZRTP_CIPHER),
					choose(c, ZRTP_AUTH), choose(c, ZRTP_KA),
					choose(c, ZRTP_SAS) };
}
