// SPDX-License-Identifier: GPL-2.0
/*
 * "f8": the f8 mode of RFC 3711 section 4.1.2 as an skcipher template,
 * instantiated by name as "f8(aes)" (the kernel has no f8 mode). It spawns
 * its block cipher through the API as crypto/ctr.c does.
 *
 * The template's contract, for a cipher with 16-byte blocks and key size n:
 *  - key: k_e || m, 2n bytes: the encryption key, then the masking key m of
 *    the same size (SRTP: m = k_s || 0x55..55, section 4.1.2.1);
 *  - IV: the 16-byte IV (SRTP section 4.1.2.2, SRTCP section 4.1.2.3); the
 *    template derives IV' = E(k_e XOR m, IV) itself, per request;
 *  - a stream cipher: any length, decrypt == encrypt; one message per IV,
 *    and the request's IV is left as it was (no chaining across requests).
 * Keystream: S(-1) = 0, S(j) = E(k_e, IV' XOR j XOR S(j-1)), j as a 128-bit
 * counter (a request is far below 2^32 blocks, so only its low word moves).
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <crypto/algapi.h>
#include <crypto/internal/cipher.h>
#include <crypto/internal/skcipher.h>

#include "compat.h"
#include "crypto_f8.h"

#define F8_BLOCK	16

struct f8_ctx {
	struct crypto_cipher *enc;	/* k_e */
	struct crypto_cipher *ivc;	/* k_e XOR m: IV' only */
};

static int f8_setkey(struct crypto_skcipher *tfm, const u8 *key,
		     unsigned int keylen)
{
	struct f8_ctx *ctx = crypto_skcipher_ctx(tfm);
	unsigned int n = keylen / 2;
	u8 km[F8_MAX_KEY / 2];
	int err;

	if (keylen % 2 || n > sizeof(km))
		return -EINVAL;
	crypto_cipher_clear_flags(ctx->enc, CRYPTO_TFM_REQ_MASK);
	crypto_cipher_set_flags(ctx->enc, crypto_skcipher_get_flags(tfm) &
				CRYPTO_TFM_REQ_MASK);
	err = crypto_cipher_setkey(ctx->enc, key, n);
	if (err)
		return err;
	crypto_xor_cpy(km, key, key + n, n);
	crypto_cipher_clear_flags(ctx->ivc, CRYPTO_TFM_REQ_MASK);
	crypto_cipher_set_flags(ctx->ivc, crypto_skcipher_get_flags(tfm) &
				CRYPTO_TFM_REQ_MASK);
	err = crypto_cipher_setkey(ctx->ivc, km, n);
	memzero_explicit(km, sizeof(km));
	return err;
}

/* The next keystream block: s = E(k_e, IV' XOR j XOR s). */
static void f8_next(struct f8_ctx *ctx, const u8 *ivp, u8 *s, u32 j)
{
	crypto_xor(s, ivp, F8_BLOCK);
	s[12] ^= j >> 24;
	s[13] ^= j >> 16;
	s[14] ^= j >> 8;
	s[15] ^= j;
	crypto_cipher_encrypt_one(ctx->enc, s, s);
}

static int f8_crypt(struct skcipher_request *req)
{
	struct f8_ctx *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	u8 ivp[F8_BLOCK], s[F8_BLOCK] = { 0 };
	struct skcipher_walk walk;
	u32 j = 0;
	int err;

	crypto_cipher_encrypt_one(ctx->ivc, ivp, req->iv);
	err = skcipher_walk_virt(&walk, req, false);
	while (walk.nbytes) {
		const u8 *src = walk.src.virt.addr;
		u8 *dst = walk.dst.virt.addr;
		unsigned int n = walk.nbytes, left = n;

		/* the walk gives whole blocks except at the end (chunksize) */
		if (n < walk.total)
			n = round_down(n, F8_BLOCK);
		for (left = n; left; ) {
			unsigned int k = min_t(unsigned int, left, F8_BLOCK);

			f8_next(ctx, ivp, s, j++);
			crypto_xor_cpy(dst, src, s, k);
			src += k;
			dst += k;
			left -= k;
		}
		err = skcipher_walk_done(&walk, walk.nbytes - n);
	}
	memzero_explicit(ivp, sizeof(ivp));
	memzero_explicit(s, sizeof(s));
	return err;
}

static int f8_init_tfm(struct crypto_skcipher *tfm)
{
	struct skcipher_instance *inst = skcipher_alg_instance(tfm);
	struct crypto_cipher_spawn *spawn = skcipher_instance_ctx(inst);
	struct f8_ctx *ctx = crypto_skcipher_ctx(tfm);

	ctx->enc = crypto_spawn_cipher(spawn);
	if (IS_ERR(ctx->enc))
		return PTR_ERR(ctx->enc);
	ctx->ivc = crypto_spawn_cipher(spawn);
	if (IS_ERR(ctx->ivc)) {
		crypto_free_cipher(ctx->enc);
		return PTR_ERR(ctx->ivc);
	}
	return 0;
}

static void f8_exit_tfm(struct crypto_skcipher *tfm)
{
	struct f8_ctx *ctx = crypto_skcipher_ctx(tfm);

	crypto_free_cipher(ctx->enc);
	crypto_free_cipher(ctx->ivc);
}

static void f8_free(struct skcipher_instance *inst)
{
	crypto_drop_cipher(skcipher_instance_ctx(inst));
	kfree(inst);
}

static int f8_create(struct crypto_template *tmpl, struct rtattr **tb)
{
	struct crypto_cipher_spawn *spawn;
	struct skcipher_instance *inst;
	struct crypto_alg *alg;
	u32 mask;
	int err;

	err = crypto_check_attr_type(tb, CRYPTO_ALG_TYPE_SKCIPHER, &mask);
	if (err)
		return err;
	inst = kzalloc(sizeof(*inst) + sizeof(*spawn), GFP_KERNEL);
	if (!inst)
		return -ENOMEM;
	spawn = skcipher_instance_ctx(inst);
	err = crypto_grab_cipher(spawn, skcipher_crypto_instance(inst),
				 crypto_attr_alg_name(tb[1]), 0, mask);
	if (err)
		goto err_free;
	alg = crypto_spawn_cipher_alg(spawn);
	err = -EINVAL;
	if (alg->cra_blocksize != F8_BLOCK ||
	    2 * alg->cra_cipher.cia_max_keysize > F8_MAX_KEY)
		goto err_free;
	err = crypto_inst_setname(skcipher_crypto_instance(inst), tmpl->name, alg);
	if (err)
		goto err_free;

	inst->alg.base.cra_flags = alg->cra_flags & CRYPTO_ALG_INHERITED_FLAGS;
	inst->alg.base.cra_blocksize = 1;	/* a stream cipher */
	inst->alg.base.cra_priority = alg->cra_priority;
	inst->alg.base.cra_alignmask = alg->cra_alignmask;
	inst->alg.base.cra_ctxsize = sizeof(struct f8_ctx);
	inst->alg.ivsize = F8_BLOCK;
	inst->alg.chunksize = F8_BLOCK;
	inst->alg.min_keysize = 2 * alg->cra_cipher.cia_min_keysize;
	inst->alg.max_keysize = 2 * alg->cra_cipher.cia_max_keysize;
	inst->alg.setkey = f8_setkey;
	inst->alg.encrypt = f8_crypt;
	inst->alg.decrypt = f8_crypt;
	inst->alg.init = f8_init_tfm;
	inst->alg.exit = f8_exit_tfm;
	inst->free = f8_free;

	err = skcipher_register_instance(tmpl, inst);
	if (!err)
		return 0;
err_free:
	f8_free(inst);
	return err;
}

static struct crypto_template f8_tmpl = {
	.name = "f8",
	.create = f8_create,
	.module = THIS_MODULE,
};

int ksrtp_f8_register(void)
{
	return crypto_register_template(&f8_tmpl);
}

void ksrtp_f8_unregister(void)
{
	crypto_unregister_template(&f8_tmpl);
}

KSRTP_IMPORT_CRYPTO_INTERNAL;
MODULE_ALIAS_CRYPTO("f8");
