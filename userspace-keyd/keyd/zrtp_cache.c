// SPDX-License-Identifier: GPL-2.0
/*
 * The retained-secret cache's files (zrtp_cache.h). Each holds its fields
 * as hex and "check": SHA-256 over a fixed rendering of them, so a file
 * cut short, edited or mixed up with another peer's is refused rather
 * than keying a call with the wrong secret (which would fail the call at
 * its Confirm, or worse, claim a verified SAS that never was).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "b64.h"
#include "log.h"
#include "state.h"
#include "zrtp_cache.h"

#define HEXLEN(n) (2 * (n) + 1)

static void file_name(const uint8_t zid[ZRTP_ZID_LEN], char *out, size_t cap)
{
	char z[HEXLEN(ZRTP_ZID_LEN)];

	hex_encode(zid, ZRTP_ZID_LEN, z);
	snprintf(out, cap, "zrtp-cache-%s", z);
}

/*
 * SHA-256 (hex) over everything the entry says, in a fixed form; an entry
 * without a pbxsecret keeps the form of the files before it existed.
 */
static int check_of(const char *zid, const char *rs1, const char *rs2, const char *pbx,
		    bool verified, int64_t expires, char out[HEXLEN(32)])
{
	char buf[400];
	uint8_t md[32];
	unsigned int n = 0;
	int len, rc;

	if (*pbx)
		len = snprintf(buf, sizeof(buf), "ksrtp-zrtp-cache-2 %s %s %s %s %d %lld", zid, rs1,
			       rs2, pbx, verified, (long long)expires);
	else
		len = snprintf(buf, sizeof(buf), "ksrtp-zrtp-cache-1 %s %s %s %d %lld", zid, rs1,
			       rs2, verified, (long long)expires);
	rc = len > 0 && (size_t)len < sizeof(buf) &&
	     EVP_Digest(buf, (size_t)len, md, &n, EVP_sha256(), NULL) == 1 && n == 32 ? 0 : -1;
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!rc)
		hex_encode(md, 32, out);
	return rc;
}

bool zcache_enabled(const struct keyd *kd)
{
	return kd->cfg.state_dir[0] != 0;
}

/* Drop an entry's JSON, its secrets wiped first (json-c frees without). */
static void wipe_put(struct json_object *o)
{
	static const char *const keys[] = { "rs1", "rs2", "pbx", "check" };
	struct json_object *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(o, keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			OPENSSL_cleanse((void *)json_object_get_string(v),
					(size_t)json_object_get_string_len(v));
	json_object_put(o);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static int parse(struct json_object *o, const char *zid, struct zrtp_retained *e,
		 const char **why)
{
	const char *rs1 = jstr(o, "rs1"), *rs2 = jstr(o, "rs2"), *pz = jstr(o, "peer_zid"),
		   *ck = jstr(o, "check"), *pbx = jstr(o, "pbx");
	struct json_object *v;
	char want[HEXLEN(32)];
	int64_t expires;

	memset(e, 0, sizeof(*e));
	e->verified = json_object_object_get_ex(o, "verified", &v) && json_object_get_boolean(v);
	expires = json_object_object_get_ex(o, "expires", &v) ? json_object_get_int64(v) : -1;
	*why = "malformed";
	if (!rs1 || !rs2 || !pz || !ck || expires < 0 || strcmp(pz, zid))
		return -1;
	*why = "its check does not match its contents";
	if (!pbx)
		pbx = "";	/* written before pbxsecrets were kept */
	if (strlen(ck) != 64 || check_of(pz, rs1, rs2, pbx, e->verified, expires, want) ||
	    CRYPTO_memcmp(want, ck, 64))
		return -1;
	*why = "expired";
	if (expires && expires < (int64_t)time(NULL))
		return -1;
	*why = "malformed";
	e->have_rs1 = !hex_decode(rs1, e->rs1, ZRTP_RS_LEN);
	e->have_rs2 = *rs2 && !hex_decode(rs2, e->rs2, ZRTP_RS_LEN);
	if (*pbx && (strlen(pbx) % 2 || strlen(pbx) > 2 * ZRTP_PBX_MAX ||
		     hex_decode(pbx, e->pbx, strlen(pbx) / 2)))
		return -1;
	e->pbx_len = strlen(pbx) / 2;
	return e->have_rs1 && (e->have_rs2 || !*rs2) ? 0 : -1;
}

int zcache_get(void *arg, const uint8_t zid[ZRTP_ZID_LEN], struct zrtp_retained *out)
{
	struct keyd *kd = arg;
	struct json_object *o;
	char name[64], z[HEXLEN(ZRTP_ZID_LEN)];
	const char *why = NULL;
	int rc;

	if (!zcache_enabled(kd))
		return -1;
	file_name(zid, name, sizeof(name));
	o = state_read_named(kd, name);
	if (!o) {
		if (errno != ENOENT)
			log_warn("ZRTP cache entry unreadable; the call goes on without it",
				 "file=%s err=%s", name, log_q(strerror(errno)));
		return -1;
	}
	hex_encode(zid, ZRTP_ZID_LEN, z);
	rc = parse(o, z, out, &why);
	wipe_put(o);
	if (rc) {
		OPENSSL_cleanse(out, sizeof(*out));
		log_warn("ZRTP cache entry refused; the call goes on without it", "file=%s "
			 "reason=%s", name, log_q(why));
	}
	return rc;
}

int zcache_put(struct keyd *kd, const uint8_t zid[ZRTP_ZID_LEN], const struct zrtp_retained *e,
	       uint32_t expiry)
{
	char name[64], z[HEXLEN(ZRTP_ZID_LEN)], rs1[HEXLEN(ZRTP_RS_LEN)] = "",
	     rs2[HEXLEN(ZRTP_RS_LEN)] = "", pbx[HEXLEN(ZRTP_PBX_MAX)] = "", ck[HEXLEN(32)];
	int64_t expires = expiry == 0xffffffffu ? 0 : (int64_t)time(NULL) + expiry;
	struct json_object *o;
	const char *txt;
	size_t n;
	int err;

	if (!zcache_enabled(kd) || !e->have_rs1 || e->pbx_len > ZRTP_PBX_MAX)
		return 0;
	hex_encode(zid, ZRTP_ZID_LEN, z);
	hex_encode(e->rs1, ZRTP_RS_LEN, rs1);
	if (e->have_rs2)
		hex_encode(e->rs2, ZRTP_RS_LEN, rs2);
	if (e->pbx_len)
		hex_encode(e->pbx, e->pbx_len, pbx);
	err = check_of(z, rs1, rs2, pbx, e->verified, expires, ck) ? -EINVAL : 0;
	o = json_object_new_object();
	json_object_object_add(o, "peer_zid", json_object_new_string(z));
	json_object_object_add(o, "rs1", json_object_new_string(rs1));
	json_object_object_add(o, "rs2", json_object_new_string(rs2));
	if (e->pbx_len)
		json_object_object_add(o, "pbx", json_object_new_string(pbx));
	json_object_object_add(o, "verified", json_object_new_boolean(e->verified));
	json_object_object_add(o, "expires", json_object_new_int64(expires));
	json_object_object_add(o, "updated", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "check", json_object_new_string(ck));
	file_name(zid, name, sizeof(name));
	if (!err)
		err = state_write_named(kd, name, o);
	/* the serialised text holds the secrets: wipe json-c's copy before it frees it */
	txt = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	if (txt)
		OPENSSL_cleanse((void *)txt, n);
	wipe_put(o);
	OPENSSL_cleanse(rs1, sizeof(rs1));
	OPENSSL_cleanse(rs2, sizeof(rs2));
	OPENSSL_cleanse(pbx, sizeof(pbx));
	if (err)
		log_warn("ZRTP cache entry not written: the next call starts without it",
			 "file=%s err=%s", name, log_q(strerror(-err)));
	return err;
}

void zcache_forget(struct keyd *kd, const uint8_t zid[ZRTP_ZID_LEN])
{
	char name[64], path[400];

	if (!zcache_enabled(kd))
		return;
	file_name(zid, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.json", kd->cfg.state_dir, name);
	if (unlink(path) && errno != ENOENT)
		log_warn("ZRTP cache entry not erased", "file=%s err=%s", name,
			 log_q(strerror(errno)));
}
