// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's Multistream mode (RFC 6189 §4.4.3): a further stream of a
 * call keyed from the ZRTP session key of its first (DH) stream. The
 * initiator's Commit carries a nonce instead of hvi; no DHParts; s0 from
 * ZRTPSess (zrtp_keys_multistream); the hash images the DHParts would have
 * carried are hashed from H0 (§9).
 */
#include "zrtp_engine_int.h"

/* A Multistream Commit: the DH stream's algorithms and a nonce (§4.4.3.1). */
int zi_send_commit_multi(struct zrtp_conn *c, uint64_t now)
{
	const struct zrtp_ms_source *ms = c->cfg->ms;
	struct zrtp_msg msg = { .type = ZRTP_COMMIT };
	struct zrtp_commit *cm = &msg.u.commit;

	if (memcmp(c->ph.msg.u.hello.zid, ms->peer_zid, ZRTP_ZID_LEN))
		return zi_fail(c, 0, "Multistream: this is not the peer of the call's first stream");
	c->suite = (struct zrtp_suite){ ms->hash, ms->cipher, ms->auth, ZRTP_ALG("Mult"),
					ZRTP_ALG("B32 ") };
	zi_commit_head(c, cm);
	if (RAND_bytes(cm->nonce, ZRTP_NONCE_LEN) != 1 || zi_build(c, &msg, &c->commit) ||
	    zrtp_msg_mac_set(c->commit.b, c->commit.len, c->chain.h[1]))
		return zi_fail(c, 0, "cannot build our Commit");
	memset(c->hvi, 0, ZRTP_H_LEN);
	memcpy(c->hvi, cm->nonce, ZRTP_NONCE_LEN);
	c->initiator = c->multi = true;
	c->st = ZS_COMMIT_SENT;
	return zi_send_rtx(c, &c->commit, now, false);
}

/* Multistream keys: total_hash = hash(responder's Hello || Commit) (§4.4.3.2). */
int zi_keys_multi(struct zrtp_conn *c)
{
	const struct msgbuf *hr = c->initiator ? &c->p_hello : &c->hello;
	const struct msgbuf *cm = c->initiator ? &c->commit : &c->p_commit;
	struct zrtp_bytes parts[2] = { { hr->b, hr->len }, { cm->b, cm->len } };
	uint8_t th[ZRTP_HASH_MAX];

	c->multi = true;
	return zrtp_hashv(c->suite.hash, parts, 2, th) ||
	       zrtp_keys_multistream(&c->suite, c->cfg->ms->zrtpsess,
				     c->initiator ? c->cfg->zid : c->pc.zid,
				     c->initiator ? c->ph.msg.u.hello.zid : c->cfg->zid, th,
				     &c->keys);
}

/* The responder of a Multistream Commit answers with Confirm1 at once. */
int zi_multi_confirm1(struct zrtp_conn *c)
{
	if (zi_keys_multi(c) || zi_build_confirm(c, ZRTP_CONFIRM1, &c->confirm))
		return zi_fail(c, 0, "cannot key the Multistream exchange");
	c->st = ZS_CONFIRM1_SENT;
	return zi_send(c, &c->confirm);
}

/*
 * Multistream: no DHPart brought the peer's H1, so its H0 is hashed on
 * (§9): the responder's up to its Hello's H3 (and the Hello's MAC), the
 * initiator's up to its Commit's H2 (and the Commit's MAC, by H1).
 */
bool zi_multi_chain_ok(const struct zrtp_conn *c, const uint8_t *h0)
{
	uint8_t h1[ZRTP_H_LEN], h2[ZRTP_H_LEN];

	if (zrtp_hash2(ZRTP_ALG("S256"), h0, ZRTP_H_LEN, NULL, 0, h1) ||
	    zrtp_hash2(ZRTP_ALG("S256"), h1, ZRTP_H_LEN, NULL, 0, h2))
		return false;
	if (c->initiator)
		return zi_hello_verified(c, h2);
	return !CRYPTO_memcmp(h2, c->pc.h2, ZRTP_H_LEN) &&
	       zrtp_msg_mac_ok(c->p_commit.b, c->p_commit.len, h1);
}
