// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp_cryptobench: the raw cost of the kernel crypto that ksrtp does per
 * packet, measured by an in-kernel loop over the transforms ksrtp uses (see
 * kmod/crypto.c): gcm(aes) and ctr(aes) by the preferred driver if it is
 * synchronous, else by the internal SIMD driver behind it ("__" + its name),
 * else by the synchronous default; hmac(sha1) as a shash; AES-128 keys.
 *
 * One operation is the crypto of one packet sent and received:
 *
 *   gcm  AEAD_AES_128_GCM: encrypt (the 12-byte header as AAD, a 16-byte
 *        tag), then decrypt and verify the tag;
 *   cm   AES_CM_128_HMAC_SHA1_80: AES-CTR, HMAC-SHA1 over header, payload
 *        and ROC (80-bit tag), then HMAC again, compare, AES-CTR back.
 *
 * gcm-any and cm-any do the same with whichever gcm(aes) and ctr(aes) the
 * crypto API prefers when asynchronous implementations are allowed (on x86
 * before 6.15 the AES-NI/PCLMULQDQ drivers sit behind an async SIMD
 * wrapper), waiting for each request: what the sync-only choice costs.
 *
 * Interface (debugfs, root only): open ksrtp_cryptobench/run, write
 * "OP LEN MSEC" (OP one of the above, LEN payload bytes after a 12-byte RTP
 * header, MSEC the length of the loop), then read back one line:
 *
 *   op=gcm len=160 ops=<n> ns=<elapsed> driver=<driver names>
 *
 * The write runs the loop in the writer's context; it fails with EBADMSG
 * if a packet does not verify or the payload does not come back intact.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>

#define CB_HDR_LEN	12	/* RTP header without CSRCs or extension */
#define CB_LEN_MAX	8192
#define CB_MSEC_MAX	10000
#define CB_GCM_TAG	16
#define CB_HMAC_TAG	10	/* HMAC_SHA1_80 */
#define CB_SHA1_LEN	20
#define CB_KEY_LEN	16
#define CB_SALT_LEN	14
#define CB_TRAILER	32	/* room for any tag, ROC and MKI */
#define CB_CMD_MAX	64
#define CB_RES_MAX	256
#define CB_CHECK_EVERY	8	/* operations between clock reads */
#define CB_SSRC		0x12345678

/* The outcome of the last run on one open file. */
struct cb_result {
	char line[CB_RES_MAX];
	size_t len;
};

struct cb_run {
	u8 enc_key[CB_KEY_LEN];
	u8 auth_key[CB_SHA1_LEN];
	u8 salt[CB_SALT_LEN];
	u8 *buf;		/* header | payload | trailer room */
	u8 *orig;		/* header | payload as they started */
	unsigned int len;	/* payload bytes */
	bool any;		/* asynchronous implementations allowed */
	struct crypto_wait wait;
	struct crypto_sync_skcipher *sctr;
	struct crypto_skcipher *actr;	/* any: and its one request */
	struct skcipher_request *areq;
	char driver[CB_RES_MAX / 2];
};

static struct dentry *cb_dir;

/* The per-packet IV of both suites: salt XOR SSRC XOR index (RFC 3711/7714). */
static void cb_iv(u8 *iv, const u8 *salt, bool gcm, u32 ssrc, u64 index)
{
	unsigned int ssrc_at = gcm ? 2 : 4, idx_end = gcm ? 11 : 13;
	int i;

	memset(iv, 0, 16);
	memcpy(iv, salt, gcm ? 12 : CB_SALT_LEN);
	for (i = 0; i < 4; i++)
		iv[ssrc_at + i] ^= ssrc >> (24 - 8 * i);
	for (i = 0; i < 6; i++)
		iv[idx_end - i] ^= index >> (8 * i);
}

/*
 * ksrtp's choice of driver (kmod/crypto.c): the preferred one if it is
 * synchronous, else its internal SIMD child, else the synchronous default.
 */
static struct crypto_aead *cb_alloc_gcm(void)
{
	struct crypto_aead *t = crypto_alloc_aead("gcm(aes)", 0, 0);
	char name[CRYPTO_MAX_ALG_NAME + 2];

	if (IS_ERR(t))
		return t;
	if (!(crypto_aead_alg(t)->base.cra_flags & CRYPTO_ALG_ASYNC))
		return t;
	snprintf(name, sizeof(name), "__%s", crypto_aead_driver_name(t));
	crypto_free_aead(t);
	t = crypto_alloc_aead(name, CRYPTO_ALG_INTERNAL,
			      CRYPTO_ALG_INTERNAL | CRYPTO_ALG_ASYNC);
	return IS_ERR(t) ? crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC) : t;
}

static struct crypto_sync_skcipher *cb_alloc_ctr(void)
{
	struct crypto_skcipher *t = crypto_alloc_skcipher("ctr(aes)", 0, 0);
	struct crypto_sync_skcipher *s;
	char name[CRYPTO_MAX_ALG_NAME + 2];

	if (IS_ERR(t))
		return ERR_CAST(t);
	snprintf(name, sizeof(name), "%s%s",
		 crypto_skcipher_alg(t)->base.cra_flags & CRYPTO_ALG_ASYNC ?
		 "__" : "", crypto_skcipher_driver_name(t));
	crypto_free_skcipher(t);
	s = crypto_alloc_sync_skcipher(name, CRYPTO_ALG_INTERNAL,
				       CRYPTO_ALG_INTERNAL);
	if (IS_ERR(s) && name[0] != '_')
		s = crypto_alloc_sync_skcipher(name, 0, 0);
	return IS_ERR(s) ? crypto_alloc_sync_skcipher("ctr(aes)", 0, 0) : s;
}

/* ------------------------------------------------------------ AES-GCM */

static int cb_gcm_one(struct aead_request *req, struct cb_run *r, u64 index)
{
	struct scatterlist sg[2];
	u8 iv[16];
	int err;

	cb_iv(iv, r->salt, true, CB_SSRC, index);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], r->buf, CB_HDR_LEN);
	sg_set_buf(&sg[1], r->buf + CB_HDR_LEN, r->len + CB_GCM_TAG);
	if (r->any)
		aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
					  crypto_req_done, &r->wait);
	else
		aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, CB_HDR_LEN);
	aead_request_set_crypt(req, sg, sg, r->len, iv);
	err = crypto_wait_req(crypto_aead_encrypt(req), &r->wait);
	if (err)
		return err;
	aead_request_set_crypt(req, sg, sg, r->len + CB_GCM_TAG, iv);
	return crypto_wait_req(crypto_aead_decrypt(req), &r->wait);
}

static int cb_gcm(struct cb_run *r, u64 ns_max, u64 *ops, u64 *ns)
{
	struct aead_request *req = NULL;
	struct crypto_aead *tfm;
	u64 start, n = 0;
	int err;

	tfm = r->any ? crypto_alloc_aead("gcm(aes)", 0, 0) : cb_alloc_gcm();
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_aead_setkey(tfm, r->enc_key, CB_KEY_LEN);
	if (!err)
		err = crypto_aead_setauthsize(tfm, CB_GCM_TAG);
	if (err)
		goto out;
	/* like ksrtp's per-CPU scratch: allocated once, not per packet */
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		err = -ENOMEM;
		goto out;
	}
	scnprintf(r->driver, sizeof(r->driver), "%s",
		  crypto_aead_driver_name(tfm));

	start = ktime_get_ns();
	do {
		int i;

		for (i = 0; i < CB_CHECK_EVERY && !err; i++)
			err = cb_gcm_one(req, r, n++);
		cond_resched();
		*ns = ktime_get_ns() - start;
	} while (!err && *ns < ns_max);
	*ops = n;
	aead_request_free(req);
out:
	crypto_free_aead(tfm);
	return err;
}

/* ------------------------------------------------- AES-CM + HMAC-SHA1 */

static int cb_ctr(struct cb_run *r, u8 *data, unsigned int len, u64 index)
{
	struct scatterlist sg;
	u8 iv[16];
	int err;

	cb_iv(iv, r->salt, false, CB_SSRC, index);
	sg_init_one(&sg, data, len);
	if (r->actr) {
		/* any implementation: a request allocated once */
		skcipher_request_set_callback(r->areq, CRYPTO_TFM_REQ_MAY_BACKLOG,
					      crypto_req_done, &r->wait);
		skcipher_request_set_crypt(r->areq, &sg, &sg, len, iv);
		return crypto_wait_req(crypto_skcipher_encrypt(r->areq),
				       &r->wait);
	} else {
		/* as ksrtp does it: a synchronous one, request on the stack */
		SYNC_SKCIPHER_REQUEST_ON_STACK(req, r->sctr);

		skcipher_request_set_sync_tfm(req, r->sctr);
		skcipher_request_set_callback(req, 0, NULL, NULL);
		skcipher_request_set_crypt(req, &sg, &sg, len, iv);
		err = crypto_skcipher_encrypt(req);
		skcipher_request_zero(req);
	}
	return err;
}

/* HMAC-SHA1 over data || ROC, as SRTP authenticates a packet */
static int cb_hmac(struct crypto_shash *hmac, const u8 *data, unsigned int len,
		   u64 index, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, hmac);
	u8 roc[4];
	int err;

	roc[0] = index >> 40;
	roc[1] = index >> 32;
	roc[2] = index >> 24;
	roc[3] = index >> 16;
	desc->tfm = hmac;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, data, len);
	if (!err)
		err = crypto_shash_update(desc, roc, sizeof(roc));
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static int cb_cm_one(struct crypto_shash *hmac, struct cb_run *r, u64 index)
{
	unsigned int plen = CB_HDR_LEN + r->len;
	u8 tag[CB_SHA1_LEN];
	int err;

	/* protect: encrypt the payload, append the truncated tag */
	err = cb_ctr(r, r->buf + CB_HDR_LEN, r->len, index);
	if (!err)
		err = cb_hmac(hmac, r->buf, plen, index, tag);
	if (err)
		return err;
	memcpy(r->buf + plen, tag, CB_HMAC_TAG);

	/* unprotect: check the tag, decrypt */
	err = cb_hmac(hmac, r->buf, plen, index, tag);
	if (err)
		return err;
	if (crypto_memneq(tag, r->buf + plen, CB_HMAC_TAG))
		return -EBADMSG;
	return cb_ctr(r, r->buf + CB_HDR_LEN, r->len, index);
}

static int cb_cm(struct cb_run *r, u64 ns_max, u64 *ops, u64 *ns)
{
	struct crypto_skcipher *ctr;
	struct crypto_shash *hmac;
	u64 start, n = 0;
	int err;

	if (r->any) {
		r->actr = crypto_alloc_skcipher("ctr(aes)", 0, 0);
		if (IS_ERR(r->actr))
			return PTR_ERR(r->actr);
		ctr = r->actr;
		r->areq = skcipher_request_alloc(ctr, GFP_KERNEL);
		if (!r->areq) {
			err = -ENOMEM;
			goto out_ctr;
		}
	} else {
		r->sctr = cb_alloc_ctr();
		if (IS_ERR(r->sctr))
			return PTR_ERR(r->sctr);
		ctr = &r->sctr->base;
	}
	hmac = crypto_alloc_shash("hmac(sha1)", 0, 0);
	if (IS_ERR(hmac)) {
		err = PTR_ERR(hmac);
		goto out_ctr;
	}
	err = crypto_skcipher_setkey(ctr, r->enc_key, CB_KEY_LEN);
	if (!err)
		err = crypto_shash_setkey(hmac, r->auth_key, CB_SHA1_LEN);
	if (err)
		goto out;
	scnprintf(r->driver, sizeof(r->driver), "%s+%s",
		  crypto_skcipher_driver_name(ctr),
		  crypto_shash_driver_name(hmac));

	start = ktime_get_ns();
	do {
		int i;

		for (i = 0; i < CB_CHECK_EVERY && !err; i++)
			err = cb_cm_one(hmac, r, n++);
		cond_resched();
		*ns = ktime_get_ns() - start;
	} while (!err && *ns < ns_max);
	*ops = n;
out:
	crypto_free_shash(hmac);
out_ctr:
	skcipher_request_free(r->areq);
	crypto_free_skcipher(ctr);
	return err;
}

/* ------------------------------------------------------------ debugfs */

static int cb_run(struct cb_result *res, const char *op, unsigned int len,
		  unsigned int msec)
{
	bool gcm = !strncmp(op, "gcm", 3);
	struct cb_run *r;
	u64 ops = 0, ns = 0;
	unsigned int i;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->len = len;
	r->any = strstr(op, "-any");
	crypto_init_wait(&r->wait);
	r->buf = kmalloc(CB_HDR_LEN + len + CB_TRAILER, GFP_KERNEL);
	r->orig = kmalloc(CB_HDR_LEN + len, GFP_KERNEL);
	err = -ENOMEM;
	if (!r->buf || !r->orig)
		goto out;
	get_random_bytes(r->enc_key, sizeof(r->enc_key));
	get_random_bytes(r->auth_key, sizeof(r->auth_key));
	get_random_bytes(r->salt, sizeof(r->salt));
	/* an RTP header (V=2, PT 96, SSRC) and a patterned payload */
	memset(r->orig, 0, CB_HDR_LEN);
	r->orig[0] = 0x80;
	r->orig[1] = 96;
	r->orig[8] = CB_SSRC >> 24;
	r->orig[9] = (CB_SSRC >> 16) & 0xff;
	r->orig[10] = (CB_SSRC >> 8) & 0xff;
	r->orig[11] = CB_SSRC & 0xff;
	for (i = 0; i < len; i++)
		r->orig[CB_HDR_LEN + i] = (u8)(i * 7 + 1);
	memcpy(r->buf, r->orig, CB_HDR_LEN + len);

	if (gcm)
		err = cb_gcm(r, (u64)msec * NSEC_PER_MSEC, &ops, &ns);
	else
		err = cb_cm(r, (u64)msec * NSEC_PER_MSEC, &ops, &ns);
	if (!err && memcmp(r->buf, r->orig, CB_HDR_LEN + len))
		err = -EBADMSG;
	if (err == -EBADMSG)
		pr_warn("%s %u: a packet failed to round-trip\n", op, len);
	if (!err)
		res->len = scnprintf(res->line, sizeof(res->line),
				     "op=%s len=%u ops=%llu ns=%llu driver=%s\n",
				     op, len, ops, ns, r->driver);
out:
	kfree(r->orig);
	kfree(r->buf);
	kfree_sensitive(r);
	return err;
}

static int cb_open(struct inode *inode, struct file *file)
{
	struct cb_result *res = kzalloc(sizeof(*res), GFP_KERNEL);

	if (!res)
		return -ENOMEM;
	file->private_data = res;
	return 0;
}

static int cb_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t cb_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	struct cb_result *res = file->private_data;
	unsigned int len, msec;
	char cmd[CB_CMD_MAX];
	char op[12];
	int err;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	if (sscanf(cmd, "%11s %u %u", op, &len, &msec) != 3 ||
	    len < 1 || len > CB_LEN_MAX || msec < 1 || msec > CB_MSEC_MAX)
		return -EINVAL;
	if (strcmp(op, "gcm") && strcmp(op, "cm") && strcmp(op, "gcm-any") &&
	    strcmp(op, "cm-any"))
		return -EINVAL;
	res->len = 0;
	err = cb_run(res, op, len, msec);
	return err ? err : count;
}

static ssize_t cb_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	struct cb_result *res = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, res->line, res->len);
}

static const struct file_operations cb_fops = {
	.owner		= THIS_MODULE,
	.open		= cb_open,
	.release	= cb_release,
	.read		= cb_read,
	.write		= cb_write,
	.llseek		= default_llseek,
};

static int __init cb_init(void)
{
	cb_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(cb_dir))
		return PTR_ERR(cb_dir);
	debugfs_create_file("run", 0600, cb_dir, NULL, &cb_fops);
	return 0;
}

static void __exit cb_exit(void)
{
	debugfs_remove_recursive(cb_dir);
}

module_init(cb_init);
module_exit(cb_exit);
MODULE_DESCRIPTION("Raw kernel crypto cost of the ksrtp SRTP suites");
MODULE_LICENSE("GPL");
