// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file reader: small on purpose, strict about unknown
 * keys and bad values so a typo never silently weakens policy.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mikey_msg.h"

static const char *const default_suites[] = {
	"AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_256_CM_HMAC_SHA1_80",
	"AES_CM_128_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_80",
	"AES_256_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32",
	"AES_192_CM_HMAC_SHA1_32",
};

static const char *const default_offer[] = {
	"AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_256_CM_HMAC_SHA1_80",
	"AES_CM_128_HMAC_SHA1_80",
};

static int err_out(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int err_out(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void config_defaults(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->socket_path, sizeof(c->socket_path), "/run/ksrtp-keyd/control.sock");
	c->socket_mode = 0660;
	snprintf(c->state_dir, sizeof(c->state_dir), "/run/ksrtp-keyd/sessions");
	c->log_level = LOG_INFO;
	for (i = 0; i < sizeof(default_suites) / sizeof(default_suites[0]); i++)
		c->suites[c->nsuites++] = suite_by_name(default_suites[i],
							strlen(default_suites[i]));
	for (i = 0; i < sizeof(default_offer) / sizeof(default_offer[0]); i++)
		c->offer_suites[c->noffer_suites++] =
			suite_by_name(default_offer[i], strlen(default_offer[i]));
	c->window = 128;
	c->rx_key_grace_ms = 30000;
	c->answer_rekey_delay_ms = 2000;
	c->dtls_verify = VERIFY_STRICT;
	c->max_sessions = 4096;
	c->max_clients = 64;
	c->client_idle_timeout = 300;
	c->dtls_unverified_timeout = 30;
	c->dtls_unverified_per_source = 2;
	c->dtls_cert_lifetime = 30 * 86400;
	c->dtls_cookie_rotate = 300;
	c->mikey_clock_skew = 60;
	snprintf(c->zrtp_key_agreements, sizeof(c->zrtp_key_agreements),
		 "X255 E255 DH3k EC25 EC38 DH2k");
	snprintf(c->zrtp_hashes, sizeof(c->zrtp_hashes), "S256 S384");
	snprintf(c->zrtp_sas_types, sizeof(c->zrtp_sas_types), "B32 B256");
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *v, unsigned int min, unsigned int max,
		      unsigned int *out, int base)
{
	char *end;
	unsigned long x;

	if (!*v || *v == '-')
		return -1;
	errno = 0;
	x = strtoul(v, &end, base);
	if (errno || *end || x < min || x > max)
		return -1;
	*out = (unsigned int)x;
	return 0;
}

/* "2^31" or a decimal packet count, 1..2^48 */
static int parse_lifetime(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!strncmp(v, "2^", 2)) {
		x = strtoull(v + 2, &end, 10);
		if (errno || *end || end == v + 2 || x < 1 || x > 48)
			return -1;
		*out = 1ULL << x;
		return 0;
	}
	if (!*v || *v == '-')
		return -1;
	x = strtoull(v, &end, 10);
	if (errno || *end || !x || x > (1ULL << 48))
		return -1;
	*out = x;
	return 0;
}

static int parse_suites(const char *v, const struct suite **out, size_t *n,
			char *err, size_t errlen)
{
	const struct suite *s;
	const char *p = v, *e;
	size_t i, count = 0;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (e = p; *e && *e != ' ' && *e != ',' && *e != '\t'; e++)
			;
		s = suite_by_name(p, (size_t)(e - p));
		if (!s)
			return err_out(err, errlen, "unknown crypto suite '%.*s'",
				       (int)(e - p), p);
		for (i = 0; i < count; i++)
			if (out[i] == s)
				return err_out(err, errlen, "%s listed twice", s->name);
		out[count++] = s;
		p = e;
	}
	if (!count)
		return err_out(err, errlen, "needs at least one crypto suite");
	*n = count;
	return 0;
}

/* A group name or number: letters, digits, '_', '-', '.'; resolved at start. */
static int set_group(char *out, size_t len, const char *key, const char *v,
		     char *err, size_t errlen)
{
	size_t i;

	if (strlen(v) >= len)
		return err_out(err, errlen, "%s: name too long", key);
	for (i = 0; v[i]; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("_-.", v[i]))
			return err_out(err, errlen, "%s: expected a group name or number", key);
	snprintf(out, len, "%s", v);
	return 0;
}

/* The access and DTLS hardening keys; 1 if key is none of them. */
static int set_hardening(struct config *c, const char *key, const char *v,
			 char *err, size_t errlen)
{
	if (!strcmp(key, "socket_group"))
		return set_group(c->socket_group, sizeof(c->socket_group), key, v, err, errlen);
	if (!strcmp(key, "admin_group"))
		return set_group(c->admin_group, sizeof(c->admin_group), key, v, err, errlen);
	if (!strcmp(key, "client_idle_timeout")) {
		if (parse_uint(v, 0, 86400, &c->client_idle_timeout, 10))
			return err_out(err, errlen, "%s: expected 0 (never) to 86400 seconds", key);
	} else if (!strcmp(key, "dtls_unverified_timeout")) {
		if (parse_uint(v, 0, 3600, &c->dtls_unverified_timeout, 10))
			return err_out(err, errlen, "%s: expected 0 (never) to 3600 seconds", key);
	} else if (!strcmp(key, "dtls_unverified_per_source")) {
		if (parse_uint(v, 1, 8, &c->dtls_unverified_per_source, 10))
			return err_out(err, errlen, "%s: expected 1 to 8", key);
	} else if (!strcmp(key, "dtls_cert_lifetime")) {
		if (parse_uint(v, 3, 36500 * 86400U, &c->dtls_cert_lifetime, 10))
			return err_out(err, errlen, "%s: expected 3 to 3153600000 seconds", key);
	} else if (!strcmp(key, "dtls_cookie_rotate")) {
		if (parse_uint(v, 1, 86400, &c->dtls_cookie_rotate, 10))
			return err_out(err, errlen, "%s: expected 1 to 86400 seconds", key);
	} else {
		return 1;
	}
	return 0;
}

/* An absolute path (or "" to unset) into dst. */
static int set_path(char *dst, size_t cap, const char *key, const char *v, char *err,
		    size_t errlen)
{
	if (strlen(v) >= cap || (*v && *v != '/'))
		return err_out(err, errlen, "%s: expected an absolute path (< %zu bytes)", key, cap);
	snprintf(dst, cap, "%s", v);
	return 0;
}

/* MIKEY's certificate files and signatures; 1 if key is none of them. */
static int set_mikey_cert(struct config *c, const char *key, const char *v, char *err,
			  size_t errlen)
{
	if (!strcmp(key, "mikey_cert"))
		return set_path(c->mikey_cert, sizeof(c->mikey_cert), key, v, err, errlen);
	if (!strcmp(key, "mikey_key"))
		return set_path(c->mikey_key, sizeof(c->mikey_key), key, v, err, errlen);
	if (!strcmp(key, "mikey_ca"))
		return set_path(c->mikey_ca, sizeof(c->mikey_ca), key, v, err, errlen);
	if (!strcmp(key, "mikey_peer_certs"))
		return set_path(c->mikey_peer_certs, sizeof(c->mikey_peer_certs), key, v, err,
				errlen);
	if (!strcmp(key, "mikey_sign")) {
		if (strcmp(v, "pkcs1") && strcmp(v, "pss"))
			return err_out(err, errlen, "%s: expected pkcs1 or pss", key);
		c->mikey_sign_pss = !strcmp(v, "pss");
		return 0;
	}
	return 1;
}

/* MIKEY's keys (Documentation/keyd-mikey.md); 1 if key is none of them. */
static int set_mikey(struct config *c, const char *key, const char *v,
		     char *err, size_t errlen)
{
	int rc = set_mikey_cert(c, key, v, err, errlen);

	if (rc != 1)
		return rc;
	if (!strcmp(key, "mikey_psk_file")) {
		return set_path(c->mikey_psk_file, sizeof(c->mikey_psk_file), key, v, err, errlen);
	} else if (!strcmp(key, "mikey_identity")) {
		if (strlen(v) >= sizeof(c->mikey_identity) || strchr(v, ' '))
			return err_out(err, errlen, "%s: expected at most %zu bytes, no spaces", key,
				       sizeof(c->mikey_identity) - 1);
		snprintf(c->mikey_identity, sizeof(c->mikey_identity), "%s", v);
	} else if (!strcmp(key, "mikey_clock_skew")) {
		if (parse_uint(v, 1, 3600, &c->mikey_clock_skew, 10))
			return err_out(err, errlen, "%s: expected 1 to 3600 seconds", key);
	} else if (!strcmp(key, "mikey_kdr")) {
		/* what the kernel re-derives at (kmod/crypto_kdr.c) */
		if (parse_uint(v, 0, 1u << 24, &c->mikey_kdr, 10) ||
		    (c->mikey_kdr & (c->mikey_kdr - 1)) ||
		    (c->mikey_kdr && c->mikey_kdr < 1u << 16))
			return err_out(err, errlen,
				       "%s: expected 0 or a power of two from 65536 to 16777216", key);
	} else if (!strcmp(key, "mikey_kemac")) {
		if (strcmp(v, "aes-cm") && strcmp(v, "aes-kw"))
			return err_out(err, errlen, "%s: expected aes-cm or aes-kw", key);
		c->mikey_kemac_kw = !strcmp(v, "aes-kw");
	} else if (!strcmp(key, "mikey_dh_group")) {
		/* by OAKLEY number; stored as MIKEY's group code (RFC 3830 §6.4) */
		if (!strcmp(v, "5"))
			c->mikey_dh_group = MIKEY_DH_OAKLEY5;
		else if (!strcmp(v, "2"))
			c->mikey_dh_group = MIKEY_DH_OAKLEY2;
		else
			return err_out(err, errlen, "%s: expected 5 (1536 bits) or 2 (1024 bits); "
				       "OAKLEY 1 is too weak", key);
	} else {
		return 1;
	}
	return 0;
}

/*
 * A ZRTP preference list: names of `known` (space separated), each once,
 * at most max (a Hello holds 7 of a kind; key agreements leave room for Mult).
 */
static int set_zrtp_list(char *dst, size_t cap, const char *key, const char *v,
			 const char *known, size_t max, char *err, size_t errlen)
{
	char buf[64], *tok, *save = NULL;
	const char *seen[8];
	size_t n = 0, i;

	if (strlen(v) >= cap || strlen(v) >= sizeof(buf))
		return err_out(err, errlen, "%s: too long", key);
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		const char *k = strstr(known, tok);
		size_t tl = strlen(tok);

		if (!k || (k != known && k[-1] != ' ') || (k[tl] && k[tl] != ' '))
			return err_out(err, errlen, "%s: \"%s\" is not one of %s", key, tok, known);
		for (i = 0; i < n; i++)
			if (!strcmp(seen[i], tok))
				return err_out(err, errlen, "%s: %s listed twice", key, tok);
		if (n == max)
			return err_out(err, errlen, "%s: at most %zu", key, max);
		seen[n++] = tok;
	}
	if (!n)
		return err_out(err, errlen, "%s: needs at least one", key);
	snprintf(dst, cap, "%s", v);
	return 0;
}

/* "off", "" or ADDR:PORT / [ADDR6]:PORT: a literal address, never a name */
static int set_metrics(struct config *c, const char *v, char *err, size_t errlen)
{
	socklen_t len;

	if (!*v || !strcmp(v, "off")) {
		c->metrics = false;
		return 0;
	}
	if (proto_parse_addr(v, &c->metrics_addr, &len))
		return err_out(err, errlen, "metrics_listen: expected off, IPV4:PORT or [IPV6]:PORT");
	c->metrics = true;
	return 0;
}

int config_set(struct config *c, const char *key, const char *v,
	       char *err, size_t errlen)
{
	int lvl, rc;

	rc = set_hardening(c, key, v, err, errlen);
	if (rc <= 0)
		return rc;
	rc = set_mikey(c, key, v, err, errlen);
	if (rc <= 0)
		return rc;
	if (!strcmp(key, "zrtp_key_agreements"))
		return set_zrtp_list(c->zrtp_key_agreements, sizeof(c->zrtp_key_agreements), key,
				     v, "X255 E255 DH3k EC25 EC38 DH2k Prsh", 6, err, errlen);
	if (!strcmp(key, "zrtp_hashes"))
		return set_zrtp_list(c->zrtp_hashes, sizeof(c->zrtp_hashes), key, v,
				     "S256 S384", 7, err, errlen);
	if (!strcmp(key, "zrtp_sas_types"))
		return set_zrtp_list(c->zrtp_sas_types, sizeof(c->zrtp_sas_types), key, v,
				     "B32 B256", 7, err, errlen);

	if (!strcmp(key, "socket")) {
		if (!*v || strlen(v) >= sizeof(c->socket_path))
			return err_out(err, errlen, "socket: path empty or too long");
		snprintf(c->socket_path, sizeof(c->socket_path), "%s", v);
	} else if (!strcmp(key, "socket_mode")) {
		if (parse_uint(v, 0, 0777, &c->socket_mode, 8))
			return err_out(err, errlen, "socket_mode: expected octal permissions");
	} else if (!strcmp(key, "state_dir")) {
		if (strlen(v) >= sizeof(c->state_dir) - 64)
			return err_out(err, errlen, "state_dir: path too long");
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", v);
	} else if (!strcmp(key, "log_level")) {
		lvl = log_level_parse(v);
		if (lvl < 0)
			return err_out(err, errlen, "log_level: expected error, warn, info or debug");
		c->log_level = lvl;
	} else if (!strcmp(key, "allow_insecure_signalling")) {
		if (parse_bool(v, &c->allow_insecure_signalling))
			return err_out(err, errlen, "%s: expected yes or no", key);
	} else if (!strcmp(key, "allow_unauthenticated_srtp")) {
		if (parse_bool(v, &c->allow_unauthenticated_srtp))
			return err_out(err, errlen, "%s: expected yes or no", key);
	} else if (!strcmp(key, "suites")) {
		return parse_suites(v, c->suites, &c->nsuites, err, errlen);
	} else if (!strcmp(key, "offer_suites")) {
		return parse_suites(v, c->offer_suites, &c->noffer_suites, err, errlen);
	} else if (!strcmp(key, "key_lifetime")) {
		if (!strcmp(v, "none"))
			c->key_lifetime = 0;
		else if (parse_lifetime(v, &c->key_lifetime))
			return err_out(err, errlen, "key_lifetime: expected none, 2^N (N <= 48) or a packet count");
	} else if (!strcmp(key, "mki_len")) {
		if (parse_uint(v, 0, 4, &c->mki_len, 10))
			return err_out(err, errlen, "mki_len: expected 0 to 4 bytes");
	} else if (!strcmp(key, "window")) {
		if (parse_uint(v, 64, 32768, &c->window, 10))
			return err_out(err, errlen, "window: expected 64 to 32768 packets");
	} else if (!strcmp(key, "wsh")) {
		if (strcmp(v, "0") && parse_uint(v, 64, 32768, &c->wsh, 10))
			return err_out(err, errlen, "wsh: expected 0 (none) or 64 to 32768");
		if (!strcmp(v, "0"))
			c->wsh = 0;
	} else if (!strcmp(key, "rx_key_grace_ms")) {
		if (parse_uint(v, 0, 3600000, &c->rx_key_grace_ms, 10))
			return err_out(err, errlen, "rx_key_grace_ms: expected 0 to 3600000");
	} else if (!strcmp(key, "answer_rekey_delay_ms")) {
		if (parse_uint(v, 0, 600000, &c->answer_rekey_delay_ms, 10))
			return err_out(err, errlen, "answer_rekey_delay_ms: expected 0 to 600000");
	} else if (!strcmp(key, "dtls_verify")) {
		c->dtls_verify = verify_policy_parse(v);
		if (c->dtls_verify == VERIFY_DEFAULT) {
			c->dtls_verify = VERIFY_STRICT;
			return err_out(err, errlen, "dtls_verify: expected strict or early_media");
		}
	} else if (!strcmp(key, "max_sessions")) {
		if (parse_uint(v, 1, 1000000, &c->max_sessions, 10))
			return err_out(err, errlen, "max_sessions: expected 1 to 1000000");
	} else if (!strcmp(key, "metrics_listen")) {
		return set_metrics(c, v, err, errlen);
	} else if (!strcmp(key, "max_clients")) {
		if (parse_uint(v, 1, 10000, &c->max_clients, 10))
			return err_out(err, errlen, "max_clients: expected 1 to 10000");
	} else {
		return err_out(err, errlen, "unknown setting '%s'", key);
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char line[1024], sub[256], *k, *v, *eq, *hash;
	unsigned int n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return err_out(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return err_out(err, errlen, "%s:%u: line too long", path, n);
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		k = trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			fclose(f);
			return err_out(err, errlen, "%s:%u: expected 'key = value'", path, n);
		}
		*eq = 0;
		v = trim(eq + 1);
		k = trim(k);
		if (config_set(c, k, v, sub, sizeof(sub))) {
			fclose(f);
			return err_out(err, errlen, "%s:%u: %s", path, n, sub);
		}
	}
	fclose(f);
	return 0;
}
