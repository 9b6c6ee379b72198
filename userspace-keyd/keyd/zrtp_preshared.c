// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's Preshared mode (RFC 6189 §4.4.2): a call keyed from the
 * retained secret rs1 both ends hold, without a DH. The initiator's Commit
 * carries a nonce and keyID = MAC(preshared_key, "Prsh"); the responder
 * finds the same preshared_key in its cache (dropping the auxsecret, the
 * pbxsecret or both) or answers with a DH Commit, which trumps it (§4.2).
 * As in Multistream mode there are no DHParts: Confirm1 answers the
 * Commit, and the peer's H0 is hashed up its chain (zi_multi_chain_ok).
 * The SAS and the next rs1 come as in DH mode (§4.5.2).
 */
#include "zrtp_engine_int.h"

/*
 * keyd commits Preshared only if both Hellos list Prsh and our cache holds
 * an rs1 for the peer from a call whose SAS the users verified (§4.4.2.1's
 * anti-MiTM evidence); never on a Multistream stream.
 */
bool zi_prsh_possible(const struct zrtp_conn *c)
{
	const struct zrtp_hello *ph = &c->ph.msg.u.hello;
	zrtp_alg prsh = ZRTP_ALG("Prsh");

	return !c->cfg->ms && c->co.had_entry && c->ret.have_rs1 && c->ret.verified &&
	       zi_lists(c->cfg->n, c->cfg->alg, ZRTP_KA, prsh) &&
	       zi_lists(ph->n, (const zrtp_alg (*)[ZRTP_MAX_ALGS])ph->alg, ZRTP_KA, prsh);
}

/* preshared_key and keyID from rs1 with, if asked, our auxsecret and pbxsecret. */
static int psk_of(struct zrtp_conn *c, bool aux, bool pbx, uint8_t id[ZRTP_ID_LEN])
{
	struct zrtp_shared sh = { .s1 = c->ret.rs1, .s1len = ZRTP_RS_LEN };

	if (aux) {
		sh.s2 = c->cfg->aux;
		sh.s2len = c->cfg->aux_len;
	}
	if (pbx) {
		sh.s3 = c->ret.pbx;
		sh.s3len = c->ret.pbx_len;
	}
	return zrtp_preshared_key(c->suite.hash, &sh, c->psk, id);
}

/*
 * Our Preshared Commit, with the algorithms already chosen in c->suite: a
 * fresh nonce (a repeated one would repeat the keys) and the keyID of all
 * we hold. Whether the auxsecret and pbxsecret matched is known once
 * Confirm1 verifies: the responder could only match this keyID with them.
 */
int zi_send_commit_prsh(struct zrtp_conn *c, uint64_t now)
{
	struct zrtp_msg msg = { .type = ZRTP_COMMIT };
	struct zrtp_commit *cm = &msg.u.commit;

	c->suite.ka = ZRTP_ALG("Prsh");
	zi_commit_head(c, cm);
	if (RAND_bytes(cm->nonce, ZRTP_NONCE_LEN) != 1 || psk_of(c, true, true, cm->key_id) ||
	    zi_build(c, &msg, &c->commit) ||
	    zrtp_msg_mac_set(c->commit.b, c->commit.len, c->chain.h[1]))
		return zi_fail(c, 0, "cannot build our Preshared Commit");
	memset(c->hvi, 0, ZRTP_H_LEN);
	memcpy(c->hvi, cm->nonce, ZRTP_NONCE_LEN);
	c->initiator = c->prsh = true;
	c->co.aux = c->cfg->aux_len ? ZRTP_AUX_MATCH : ZRTP_AUX_UNSET;
	c->co.pbx = c->ret.pbx_len ? ZRTP_AUX_MATCH : ZRTP_AUX_UNSET;
	c->st = ZS_COMMIT_SENT;
	return zi_send_rtx(c, &c->commit, now, false);
}

/* Our Preshared Commit lost to the peer's DH Commit (§4.2): forget it. */
void zi_prsh_drop(struct zrtp_conn *c)
{
	OPENSSL_cleanse(c->psk, sizeof(c->psk));
	c->prsh = false;
	c->co.aux = ZRTP_AUX_UNSET;
	c->co.pbx = ZRTP_AUX_UNSET;
}

/* Preshared keys: total_hash = hash(responder's Hello || Commit) (§4.4.2.4). */
int zi_keys_prsh(struct zrtp_conn *c)
{
	const struct msgbuf *hr = c->initiator ? &c->p_hello : &c->hello;
	const struct msgbuf *cm = c->initiator ? &c->commit : &c->p_commit;
	struct zrtp_bytes parts[2] = { { hr->b, hr->len }, { cm->b, cm->len } };
	uint8_t th[ZRTP_HASH_MAX];
	int rc;

	rc = zrtp_hashv(c->suite.hash, parts, 2, th) ||
	     zrtp_keys_preshared(&c->suite, c->psk, c->initiator ? c->cfg->zid : c->pc.zid,
				 c->initiator ? c->ph.msg.u.hello.zid : c->cfg->zid, th, &c->keys);
	OPENSSL_cleanse(c->psk, sizeof(c->psk));	/* §4.4.2.4: erased once s0 is made */
	c->co.s1_matched = !rc;
	c->co.verified = !rc && c->ret.verified;
	return rc;
}

/*
 * The responder of a Preshared Commit (§4.4.2.3): the keyID from rs1 with
 * both, one or neither of the auxsecret and pbxsecret (rs2 never). A match
 * keys the call and Confirm1 goes at once: 0 (or -1 if it fails). No
 * match, or no rs1: 1, and the caller answers with a DH Commit.
 */
int zi_prsh_respond(struct zrtp_conn *c)
{
	static const bool sets[4][2] = { { true, true }, { true, false }, { false, true },
					  { false, false } };
	uint8_t id[ZRTP_ID_LEN];
	int i;

	if (!c->ret.have_rs1)
		return 1;
	for (i = 0; i < 4; i++) {
		if (psk_of(c, sets[i][0], sets[i][1], id))
			return zi_fail(c, 0, "cannot compute a Preshared keyID");
		if (!CRYPTO_memcmp(id, c->pc.key_id, ZRTP_ID_LEN))
			break;
	}
	if (i == 4) {
		OPENSSL_cleanse(c->psk, sizeof(c->psk));
		return 1;
	}
	c->co.aux = !c->cfg->aux_len ? ZRTP_AUX_UNSET :
		    sets[i][0] ? ZRTP_AUX_MATCH : ZRTP_AUX_MISMATCH;
	c->co.pbx = !c->ret.pbx_len ? ZRTP_AUX_UNSET :
		    sets[i][1] ? ZRTP_AUX_MATCH : ZRTP_AUX_MISMATCH;
	c->prsh = true;
	if (zi_keys_prsh(c) || zi_build_confirm(c, ZRTP_CONFIRM1, &c->confirm))
		return zi_fail(c, 0, "cannot key the Preshared exchange");
	c->st = ZS_CONFIRM1_SENT;
	return zi_send(c, &c->confirm);
}
