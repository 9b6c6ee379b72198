// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's SRTP Security Policy (RFC 3830 §6.10.1) against what ksrtp does:
 * a policy maps to one ksrtp suite and key derivation rate, or is refused
 * with the parameter that ksrtp cannot honour.
 *
 * The KDR parameter is read as the rate itself (RFC 3711's
 * key_derivation_rate: 0 or 2^n), which its four-byte width allows; the
 * kernel re-derives at 2^16 to 2^24.
 */
#include <stdio.h>
#include <string.h>

#include "mikey_psk.h"

/* §6.10.1 defaults, used for parameters a policy leaves out. */
static const uint32_t sp_default[MIKEY_SP_PREFIX_LEN + 1] = {
	[MIKEY_SP_ENC_ALG] = 1, [MIKEY_SP_ENC_KEY_LEN] = 16, [MIKEY_SP_AUTH_ALG] = 1,
	[MIKEY_SP_AUTH_KEY_LEN] = 20, [MIKEY_SP_SALT_LEN] = 14, [MIKEY_SP_PRF] = 0,
	[MIKEY_SP_KDR] = 0, [MIKEY_SP_SRTP_ENC] = 1, [MIKEY_SP_SRTCP_ENC] = 1,
	[MIKEY_SP_FEC] = 0, [MIKEY_SP_SRTP_AUTH] = 1, [MIKEY_SP_TAG_LEN] = 10,
	[MIKEY_SP_PREFIX_LEN] = 0,
};

static const char *const err_names[] = {
	"Auth failure", "Invalid TS", "Invalid PRF", "Invalid MAC", "Invalid EA",
	"Invalid HA", "Invalid DH", "Invalid ID", "Invalid Cert", "Invalid SP",
	"Invalid SPpar", "Invalid DT", "Unspecified error",
};

const char *mikey_err_name(unsigned int err_no)
{
	return err_no < sizeof(err_names) / sizeof(err_names[0]) ? err_names[err_no]
								 : "unknown error";
}

static int sp_fail(uint8_t *err_no, uint8_t code, char *why, size_t whylen,
		   const char *msg, uint32_t val)
{
	*err_no = code;
	snprintf(why, whylen, "%s (value %u)", msg, val);
	return -1;
}

/* A KDR the kernel takes: 0, or a power of two from 2^16 to 2^24. */
static int sp_check_kdr(uint32_t kdr, uint8_t *e, char *why, size_t wl)
{
	if (kdr & (kdr - 1) || kdr > 1u << 24)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl,
			       "key derivation rate: not 0 or a power of two up to 2^24", kdr);
	if (kdr && kdr < 1u << 16)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl,
			       "key derivation rate below 2^16: ksrtp re-derives at 2^16 to 2^24",
			       kdr);
	return 0;
}

/* Every parameter ksrtp has no way to honour, named. */
static int sp_check(const uint32_t *v, uint8_t *e, char *why, size_t wl)
{
	if (v[MIKEY_SP_ENC_ALG] > 2)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "unknown SRTP encryption",
			       v[MIKEY_SP_ENC_ALG]);
	if (sp_check_kdr(v[MIKEY_SP_KDR], e, why, wl))
		return -1;
	if (v[MIKEY_SP_AUTH_ALG] != 1)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl,
			       "SRTP authentication other than HMAC-SHA-1", v[MIKEY_SP_AUTH_ALG]);
	if (v[MIKEY_SP_AUTH_KEY_LEN] != 20)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "SRTP auth key length other than 20",
			       v[MIKEY_SP_AUTH_KEY_LEN]);
	if (v[MIKEY_SP_SALT_LEN] != 14)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "SRTP salt length other than 14",
			       v[MIKEY_SP_SALT_LEN]);
	if (v[MIKEY_SP_PRF])
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "SRTP PRF other than AES-CM",
			       v[MIKEY_SP_PRF]);
	if (v[MIKEY_SP_SRTP_ENC] != 1 || v[MIKEY_SP_SRTCP_ENC] != 1)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl,
			       "SRTP or SRTCP encryption off: not supported over MIKEY", 0);
	if (v[MIKEY_SP_SRTP_AUTH] != 1)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "SRTP authentication off",
			       v[MIKEY_SP_SRTP_AUTH]);
	if (v[MIKEY_SP_FEC])
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "FEC order other than FEC-SRTP",
			       v[MIKEY_SP_FEC]);
	if (v[MIKEY_SP_PREFIX_LEN])
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "SRTP prefix length other than 0",
			       v[MIKEY_SP_PREFIX_LEN]);
	if (v[MIKEY_SP_TAG_LEN] != 10 && v[MIKEY_SP_TAG_LEN] != 4)
		return sp_fail(e, MIKEY_ERR_SPPAR, why, wl, "auth tag length other than 10 or 4",
			       v[MIKEY_SP_TAG_LEN]);
	return 0;
}

static const char *suite_name(const uint32_t *v)
{
	bool t80 = v[MIKEY_SP_TAG_LEN] == 10;

	if (v[MIKEY_SP_ENC_ALG] == 0)
		return v[MIKEY_SP_ENC_KEY_LEN] == 16 ? (t80 ? "NULL_HMAC_SHA1_80" :
							 "NULL_HMAC_SHA1_32") : NULL;
	if (v[MIKEY_SP_ENC_ALG] == 2)
		return v[MIKEY_SP_ENC_KEY_LEN] == 16 ? (t80 ? "F8_128_HMAC_SHA1_80" :
							 "F8_128_HMAC_SHA1_32") : NULL;
	switch (v[MIKEY_SP_ENC_KEY_LEN]) {
	case 16: return t80 ? "AES_CM_128_HMAC_SHA1_80" : "AES_CM_128_HMAC_SHA1_32";
	case 24: return t80 ? "AES_192_CM_HMAC_SHA1_80" : "AES_192_CM_HMAC_SHA1_32";
	case 32: return t80 ? "AES_256_CM_HMAC_SHA1_80" : "AES_256_CM_HMAC_SHA1_32";
	}
	return NULL;
}

const struct suite *mikey_sp_suite(const struct mikey_sp *sp, uint32_t suites_ok,
				   uint32_t *kdr, uint8_t *err_no, char *why,
				   size_t whylen)
{
	uint32_t v[MIKEY_SP_PREFIX_LEN + 1];
	const struct suite *s;
	const char *name;
	bool tag_given;
	size_t i, j;

	if (sp && sp->prot_type != 0)
		return sp_fail(err_no, MIKEY_ERR_SP, why, whylen,
			       "security policy for a protocol other than SRTP",
			       sp->prot_type), NULL;
	memcpy(v, sp_default, sizeof(v));
	tag_given = false;
	for (i = 0; sp && i < sp->nparams; i++) {
		const struct mikey_sp_param *p = &sp->params[i];

		if (p->type > MIKEY_SP_PREFIX_LEN || !p->value.len || p->value.len > 4)
			return sp_fail(err_no, MIKEY_ERR_SPPAR, why, whylen,
				       "unknown or malformed SRTP policy parameter",
				       p->type), NULL;
		v[p->type] = 0;	/* the last one of a type counts */
		for (j = 0; j < p->value.len; j++)
			v[p->type] = v[p->type] << 8 | p->value.p[j];
		tag_given |= p->type == MIKEY_SP_TAG_LEN;
	}
	/* GStreamer (gstmikey, 1.22) sends the tag length (10 or 4) as the auth
	 * key length and no tag length; HMAC-SHA-1's SRTP key is 20 bytes.
	 */
	if (!tag_given && (v[MIKEY_SP_AUTH_KEY_LEN] == 10 || v[MIKEY_SP_AUTH_KEY_LEN] == 4)) {
		v[MIKEY_SP_TAG_LEN] = v[MIKEY_SP_AUTH_KEY_LEN];
		v[MIKEY_SP_AUTH_KEY_LEN] = 20;
	}
	if (sp_check(v, err_no, why, whylen))
		return NULL;
	name = suite_name(v);
	s = name ? suite_by_name(name, strlen(name)) : NULL;
	if (!s)
		return sp_fail(err_no, MIKEY_ERR_SPPAR, why, whylen,
			       "SRTP encryption key length ksrtp lacks",
			       v[MIKEY_SP_ENC_KEY_LEN]), NULL;
	if (!(suites_ok & suite_bit(s))) {
		*err_no = MIKEY_ERR_SP;
		snprintf(why, whylen, "suite %s is not accepted by keyd's configuration",
			 s->name);
		return NULL;
	}
	*kdr = v[MIKEY_SP_KDR];
	return s;
}

/* Every parameter stated, so no peer has to rely on defaults. */
void mikey_sp_build(const struct suite *s, uint32_t kdr, uint8_t policy_no,
		    struct mikey_sp *sp, uint8_t vals[MIKEY_MAX_SP_PARAMS])
{
	uint32_t v[MIKEY_SP_PREFIX_LEN + 1];
	uint8_t *p = vals;
	size_t i, j, len;

	memcpy(v, sp_default, sizeof(v));
	v[MIKEY_SP_ENC_ALG] = !strncmp(s->name, "NULL_", 5) ? 0 :
			      !strncmp(s->name, "F8_", 3) ? 2 : 1;
	v[MIKEY_SP_ENC_KEY_LEN] = s->key_len;
	v[MIKEY_SP_TAG_LEN] = strstr(s->name, "_32") ? 4 : 10;
	v[MIKEY_SP_KDR] = kdr;
	memset(sp, 0, sizeof(*sp));
	sp->policy_no = policy_no;
	sp->prot_type = 0;
	sp->nparams = MIKEY_SP_PREFIX_LEN + 1;
	/* one byte each but a KDR of 2^16 and more (four): 16 of vals' 32 */
	for (i = 0; i < sp->nparams; i++) {
		len = v[i] > 0xff ? 4 : 1;
		for (j = 0; j < len; j++)
			p[j] = (uint8_t)(v[i] >> 8 * (len - 1 - j));
		sp->params[i].type = (uint8_t)i;
		sp->params[i].value = (struct mikey_bytes){ p, len };
		p += len;
	}
}
