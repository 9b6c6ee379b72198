// SPDX-License-Identifier: GPL-2.0
/*
 * Control protocol parsing: every request is checked field by field here,
 * so the session code only ever sees well-typed values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "proto.h"

enum field {
	F_OP = 1 << 0,
	F_ID = 1 << 1,
	F_SESSION = 1 << 2,
	F_ROLE = 1 << 3,
	F_METHOD = 1 << 4,
	F_RTCP_MUX = 1 << 5,
	F_REMOTE = 1 << 6,
	F_SECURE = 1 << 7,
	F_ATTRS = 1 << 8,
	F_TYPE = 1 << 9,
	F_SUITES = 1 << 10,
	F_MKI_LEN = 1 << 11,
	F_DTLS_VERIFY = 1 << 12,
	F_SSRCS = 1 << 13,
	F_REMOTE_SSRCS = 1 << 14,
	F_ROC = 1 << 15,
	F_MIKEY_MODE = 1 << 16,
	F_MIKEY_PEER = 1 << 17,
	F_VERIFIED = 1 << 18,
	F_ZRTP_MS = 1 << 19,
	F_BRIDGE_TO = 1 << 20,
	F_IDLE_TIMEOUT = 1 << 21,
	F_COPY_TO_APP = 1 << 22,
	F_ZRTP_AUX = 1 << 23,
	F_ZRTP_PBX = 1 << 24,
	F_ENROLL_PBX = 1 << 25,
	F_ZRTP_MITM = 1 << 26,
};

static const struct {
	const char *name;
	enum field bit;
} fields[] = {
	{ "op", F_OP }, { "id", F_ID }, { "session", F_SESSION },
	{ "role", F_ROLE }, { "method", F_METHOD }, { "rtcp_mux", F_RTCP_MUX },
	{ "remote", F_REMOTE }, { "signalling_secure", F_SECURE },
	{ "attributes", F_ATTRS }, { "type", F_TYPE }, { "suites", F_SUITES },
	{ "mki_len", F_MKI_LEN }, { "dtls_verify", F_DTLS_VERIFY },
	{ "ssrcs", F_SSRCS }, { "remote_ssrcs", F_REMOTE_SSRCS }, { "roc", F_ROC },
	{ "mikey_mode", F_MIKEY_MODE }, { "mikey_peer_identity", F_MIKEY_PEER },
	{ "verified", F_VERIFIED }, { "zrtp_multistream_of", F_ZRTP_MS },
	{ "bridge_to", F_BRIDGE_TO }, { "idle_timeout_ms", F_IDLE_TIMEOUT },
	{ "copy_to_app", F_COPY_TO_APP }, { "zrtp_aux_secret", F_ZRTP_AUX },
	{ "zrtp_pbx_enroll", F_ZRTP_PBX }, { "enroll_pbx", F_ENROLL_PBX },
	{ "zrtp_pbx", F_ZRTP_MITM },
};

static const struct {
	const char *name;
	unsigned int allowed, required;
} ops[OP_COUNT] = {
	[OP_PING] = { "ping", 0, 0 },
	[OP_CREATE] = { "create",
		F_ROLE | F_METHOD | F_RTCP_MUX | F_REMOTE | F_SECURE | F_SUITES | F_MKI_LEN |
		F_DTLS_VERIFY | F_SSRCS | F_REMOTE_SSRCS | F_ROC | F_MIKEY_MODE | F_MIKEY_PEER |
		F_ZRTP_MS | F_ZRTP_AUX | F_ZRTP_PBX | F_ZRTP_MITM,
		F_ROLE },
	[OP_LOCAL_ATTRIBUTES] = { "local_attributes", F_SESSION | F_SECURE, F_SESSION },
	[OP_REMOTE_ATTRIBUTES] = { "remote_attributes",
		F_SESSION | F_ATTRS | F_TYPE | F_REMOTE | F_SECURE, F_SESSION | F_ATTRS },
	[OP_STATUS] = { "status", F_SESSION, F_SESSION },
	[OP_LIST] = { "list", 0, 0 },
	[OP_REKEY] = { "rekey", F_SESSION | F_SECURE, F_SESSION },
	[OP_DELETE] = { "delete", F_SESSION, F_SESSION },
	[OP_WATCH] = { "watch", F_SESSION, F_SESSION },
	[OP_VERIFY_SAS] = { "verify_sas", F_SESSION | F_VERIFIED | F_ENROLL_PBX,
			    F_SESSION | F_VERIFIED },
	[OP_BRIDGE] = { "bridge", F_SESSION | F_BRIDGE_TO | F_IDLE_TIMEOUT | F_COPY_TO_APP,
			F_SESSION | F_BRIDGE_TO },
	[OP_UNBRIDGE] = { "unbridge", F_SESSION, F_SESSION },
};

const char *proto_reqf_name(unsigned int bits)
{
	return bits & REQF_DTLS_VERIFY ? "dtls_verify" :
	       bits & REQF_SSRCS ? "ssrcs/remote_ssrcs/roc" :
	       bits & REQF_MIKEY_MODE ? "mikey_mode/mikey_peer_identity" :
	       bits & REQF_ZRTP_MS ? "zrtp_multistream_of" :
	       bits & REQF_ZRTP_AUX ? "zrtp_aux_secret" :
	       bits & REQF_ZRTP_PBX ? "zrtp_pbx/zrtp_pbx_enroll" : "?";
}

const char *op_name(enum op op)
{
	return op < OP_COUNT ? ops[op].name : "?";
}

const char *role_name(enum role r)
{
	return r == ROLE_OFFERER ? "offerer" : r == ROLE_ANSWERER ? "answerer" : "none";
}

const char *sdp_type_name(enum sdp_type t)
{
	return t == SDP_OFFER ? "offer" : t == SDP_ANSWER ? "answer" : "none";
}

const char *verify_policy_name(enum verify_policy p)
{
	return p == VERIFY_EARLY_MEDIA ? "early_media" : "strict";
}

enum verify_policy verify_policy_parse(const char *s)
{
	if (s && !strcmp(s, "strict"))
		return VERIFY_STRICT;
	if (s && !strcmp(s, "early_media"))
		return VERIFY_EARLY_MEDIA;
	return VERIFY_DEFAULT;
}

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

/* A JSON string we can use as a C string: no NUL inside, bounded length. */
static const char *get_str(struct json_object *v, size_t max)
{
	const char *s;
	int n;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (n < 0 || (size_t)n > max || strlen(s) != (size_t)n)
		return NULL;
	return s;
}

static bool session_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > PROTO_MAX_ID_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

int proto_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s, *he;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		h = s + 1;
		he = strchr(h, ']');
		if (!he || he[1] != ':')
			return -1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		he = colon;
	}
	if ((size_t)(he - h) >= sizeof(host) || he == h)
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = 0;
	if (!colon[1] || colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return -1;
	if (*s != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
	}
	return 0;
}

const char *proto_format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, len, "none");
	}
	return buf;
}

static int get_bool(struct json_object *v, enum tristate *out)
{
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v) ? TRI_TRUE : TRI_FALSE;
	return 0;
}

static int parse_attrs(struct json_object *v, struct request *req,
		       char *err, size_t errlen)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return err_out(err, errlen, "attributes: expected an array of strings");
	n = json_object_array_length(v);
	if (n > PROTO_MAX_ATTRS)
		return err_out(err, errlen, "attributes: more than %d", PROTO_MAX_ATTRS);
	for (i = 0; i < n; i++) {
		req->attrs[i] = get_str(json_object_array_get_idx(v, i), PROTO_MAX_ATTR_LEN);
		if (!req->attrs[i])
			return err_out(err, errlen,
				       "attributes[%zu]: expected a string of at most 4096 bytes",
				       i);
	}
	req->nattrs = n;
	return 0;
}

static int parse_suites(struct json_object *v, struct request *req,
			char *err, size_t errlen)
{
	const struct suite *s;
	const char *name;
	size_t i, j, n;

	if (!json_object_is_type(v, json_type_array))
		return err_out(err, errlen, "suites: expected an array of suite names");
	n = json_object_array_length(v);
	if (!n || n > SUITE_COUNT)
		return err_out(err, errlen, "suites: expected 1 to %d names", SUITE_COUNT);
	for (i = 0; i < n; i++) {
		name = get_str(json_object_array_get_idx(v, i), 64);
		s = name ? suite_by_name(name, strlen(name)) : NULL;
		if (!s)
			return err_out(err, errlen, "suites[%zu]: not a known crypto suite", i);
		for (j = 0; j < i; j++)
			if (req->suites[j] == s)
				return err_out(err, errlen, "suites: %s listed twice", s->name);
		req->suites[i] = s;
	}
	req->nsuites = n;
	return 0;
}

/* A list of 1 to PROTO_MAX_SSRCS distinct 32-bit SSRCs. */
static int parse_ssrcs(const char *name, struct json_object *v, uint32_t *out, size_t *n,
		       char *err, size_t errlen)
{
	struct json_object *e;
	size_t i, j, len;
	int64_t x;

	if (!json_object_is_type(v, json_type_array) ||
	    (len = json_object_array_length(v)) < 1 || len > PROTO_MAX_SSRCS)
		return err_out(err, errlen, "%s: expected 1 to %d SSRCs (integers)", name,
			       PROTO_MAX_SSRCS);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(v, i);
		x = json_object_get_int64(e);
		if (!json_object_is_type(e, json_type_int) || x < 0 || x > UINT32_MAX)
			return err_out(err, errlen, "%s[%zu]: expected 0 to 4294967295", name, i);
		out[i] = (uint32_t)x;
		for (j = 0; j < i; j++)
			if (out[j] == out[i])
				return err_out(err, errlen, "%s: %u listed twice", name, out[i]);
	}
	*n = len;
	return 0;
}

/* The names of mikey_modes.c's table (test_mikey_method checks they agree). */
static const char *const mikey_modes[] = { "psk", "null", "dhhmac", "pk", "rsa-r", "dh-sign" };

static bool mikey_mode_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(mikey_modes) / sizeof(mikey_modes[0]); i++)
		if (!strcmp(s, mikey_modes[i]))
			return true;
	return false;
}

static int parse_method_field(enum field f, struct json_object *v, struct request *req,
			      char *err, size_t errlen)
{
	const char *s;

	switch (f) {
	case F_DTLS_VERIFY:
		req->method_fields |= REQF_DTLS_VERIFY;
		req->dtls_verify = verify_policy_parse(get_str(v, 16));
		if (req->dtls_verify == VERIFY_DEFAULT)
			return err_out(err, errlen,
				       "dtls_verify: expected \"strict\" or \"early_media\"");
		return 0;
	case F_SSRCS:
		req->method_fields |= REQF_SSRCS;
		return parse_ssrcs("ssrcs", v, req->ssrcs, &req->nssrcs, err, errlen);
	case F_REMOTE_SSRCS:
		req->method_fields |= REQF_SSRCS;
		return parse_ssrcs("remote_ssrcs", v, req->remote_ssrcs, &req->nremote_ssrcs,
				   err, errlen);
	case F_ROC:
		req->method_fields |= REQF_SSRCS;
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > UINT32_MAX)
			return err_out(err, errlen, "roc: expected 0 to 4294967295");
		req->roc = (uint32_t)json_object_get_int64(v);
		return 0;
	case F_MIKEY_MODE:
		req->method_fields |= REQF_MIKEY_MODE;
		s = get_str(v, 8);
		if (!s || !mikey_mode_known(s))
			return err_out(err, errlen, "mikey_mode: expected one of %s",
				       PROTO_MIKEY_MODES);
		req->mikey_mode = s;
		return 0;
	case F_MIKEY_PEER:
		req->method_fields |= REQF_MIKEY_MODE;
		s = get_str(v, 63);
		if (!s || !*s || strchr(s, ' '))
			return err_out(err, errlen, "mikey_peer_identity: expected 1 to 63 "
				       "characters, no spaces");
		req->mikey_peer = s;
		return 0;
	case F_BRIDGE_TO:
		s = get_str(v, PROTO_MAX_ID_LEN);
		if (!s || !session_id_ok(s))
			return err_out(err, errlen, "bridge_to: expected a session id string");
		req->bridge_to = s;
		return 0;
	case F_IDLE_TIMEOUT:
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > PROTO_MAX_IDLE_MS)
			return err_out(err, errlen, "idle_timeout_ms: expected 0 to %d", PROTO_MAX_IDLE_MS);
		req->idle_timeout_ms = (uint32_t)json_object_get_int64(v);
		return 0;
	case F_COPY_TO_APP:
		if (!json_object_is_type(v, json_type_boolean))
			return err_out(err, errlen, "copy_to_app: expected true or false");
		req->copy_to_app = json_object_get_boolean(v);
		return 0;
	case F_ZRTP_AUX:
		req->method_fields |= REQF_ZRTP_AUX;
		s = get_str(v, PROTO_MAX_AUX_HEX);
		if (!s || !*s || strlen(s) % 2 || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
			return err_out(err, errlen, "zrtp_aux_secret: expected 1 to %d bytes in hex",
				       PROTO_MAX_AUX_HEX / 2);
		req->zrtp_aux_hex = s;
		return 0;
	case F_ZRTP_MS:
		req->method_fields |= REQF_ZRTP_MS;
		s = get_str(v, PROTO_MAX_ID_LEN);
		if (!s || !*s)
			return err_out(err, errlen, "zrtp_multistream_of: expected a session id");
		req->zrtp_ms_of = s;
		return 0;
	default:
		return err_out(err, errlen, "internal: unhandled field");
	}
}

static int parse_field(enum field f, struct json_object *v, struct request *req,
		       char *err, size_t errlen)
{
	const char *s;

	switch (f) {
	case F_OP:
	case F_ID:
		return 0;	/* read before the others */
	case F_SESSION:
		req->session = get_str(v, PROTO_MAX_ID_LEN);
		if (!req->session || !session_id_ok(req->session))
			return err_out(err, errlen, "session: expected a session id string");
		return 0;
	case F_ROLE:
		s = get_str(v, 16);
		if (s && !strcmp(s, "offerer"))
			req->role = ROLE_OFFERER;
		else if (s && !strcmp(s, "answerer"))
			req->role = ROLE_ANSWERER;
		else
			return err_out(err, errlen, "role: expected \"offerer\" or \"answerer\"");
		return 0;
	case F_METHOD:
		req->method = get_str(v, 16);
		if (!req->method || !*req->method)
			return err_out(err, errlen, "method: expected a method name such as \"sdes\"");
		return 0;
	case F_RTCP_MUX:
		if (get_bool(v, &req->rtcp_mux))
			return err_out(err, errlen, "rtcp_mux: expected true or false");
		return 0;
	case F_SECURE:
		if (get_bool(v, &req->signalling_secure))
			return err_out(err, errlen, "signalling_secure: expected true or false");
		return 0;
	case F_VERIFIED:
		if (!json_object_is_type(v, json_type_boolean))
			return err_out(err, errlen, "verified: expected true or false");
		req->sas_verified = json_object_get_boolean(v);
		return 0;
	case F_ENROLL_PBX:
		if (!json_object_is_type(v, json_type_boolean))
			return err_out(err, errlen, "enroll_pbx: expected true or false");
		req->enroll_pbx = json_object_get_boolean(v);
		return 0;
	case F_ZRTP_PBX:
		req->method_fields |= REQF_ZRTP_PBX;
		if (!json_object_is_type(v, json_type_boolean))
			return err_out(err, errlen, "zrtp_pbx_enroll: expected true or false");
		req->zrtp_pbx_enroll = json_object_get_boolean(v);
		return 0;
	case F_ZRTP_MITM:
		req->method_fields |= REQF_ZRTP_PBX;
		if (!json_object_is_type(v, json_type_boolean))
			return err_out(err, errlen, "zrtp_pbx: expected true or false");
		req->zrtp_pbx = json_object_get_boolean(v);
		return 0;
	case F_REMOTE:
		s = get_str(v, 64);
		if (!s || proto_parse_addr(s, &req->remote, &req->remote_len))
			return err_out(err, errlen,
				       "remote: expected \"ADDRESS:PORT\" or \"[IPV6]:PORT\"");
		req->has_remote = true;
		return 0;
	case F_TYPE:
		s = get_str(v, 16);
		if (s && !strcmp(s, "offer"))
			req->type = SDP_OFFER;
		else if (s && !strcmp(s, "answer"))
			req->type = SDP_ANSWER;
		else
			return err_out(err, errlen, "type: expected \"offer\" or \"answer\"");
		return 0;
	case F_ATTRS:
		return parse_attrs(v, req, err, errlen);
	case F_SUITES:
		return parse_suites(v, req, err, errlen);
	case F_MKI_LEN:
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 4)
			return err_out(err, errlen, "mki_len: expected 0 to 4 (bytes)");
		req->mki_len = (int)json_object_get_int64(v);
		return 0;
	default:
		return parse_method_field(f, v, req, err, errlen);
	}
}

static int parse_id(struct json_object *root, struct request *req)
{
	struct json_object *id;

	if (!json_object_object_get_ex(root, "id", &id))
		return 0;
	/* a copy: the request's strings are wiped when it is freed */
	if (json_object_is_type(id, json_type_int))
		req->id = json_object_new_int64(json_object_get_int64(id));
	else if (get_str(id, PROTO_MAX_ID_LEN))
		req->id = json_object_new_string(json_object_get_string(id));
	else
		return -1;
	return req->id ? 0 : -1;
}

/* Wipe json-c's scratch buffer: it held the last string parsed. */
static void tokener_free_wiped(struct json_tokener *tok)
{
	if (tok->pb && tok->pb->buf)
		OPENSSL_cleanse(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
}

static struct json_object *parse_json(const char *line, size_t len,
				      char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	size_t end;

	if (len > PROTO_MAX_LINE) {
		err_out(err, errlen, "request longer than %d bytes", PROTO_MAX_LINE);
		return NULL;
	}
	tok = json_tokener_new_ex(PROTO_MAX_DEPTH);
	if (!tok) {
		err_out(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, line, (int)len);
	if (!root) {
		err_out(err, errlen, "not valid JSON: %s",
			json_tokener_get_error(tok) == json_tokener_continue ?
			"unexpected end of input" :
			json_tokener_error_desc(json_tokener_get_error(tok)));
		tokener_free_wiped(tok);
		return NULL;
	}
	end = json_tokener_get_parse_end(tok);
	tokener_free_wiped(tok);
	while (end < len && (line[end] == ' ' || line[end] == '\t' || line[end] == '\r'))
		end++;
	if (end != len) {
		proto_wipe_strings(root);
		json_object_put(root);
		err_out(err, errlen, "not valid JSON: data after the object");
		return NULL;
	}
	return root;
}

int proto_parse(const char *line, size_t len, struct request *req,
		char *err, size_t errlen)
{
	struct json_object *root, *v;
	unsigned int seen = 0;
	const char *s;
	size_t i;
	int op = -1;

	memset(req, 0, sizeof(*req));
	req->rtcp_mux = TRI_UNSET;
	req->signalling_secure = TRI_UNSET;
	req->mki_len = -1;
	req->dtls_verify = VERIFY_DEFAULT;
	root = parse_json(line, len, err, errlen);
	if (!root)
		return -1;
	req->root = root;
	if (!json_object_is_type(root, json_type_object)) {
		err_out(err, errlen, "a request is a JSON object");
		goto bad;
	}
	if (parse_id(root, req)) {
		err_out(err, errlen, "id: expected an integer or a string of at most %d bytes",
			PROTO_MAX_ID_LEN);
		goto bad;
	}
	if (!json_object_object_get_ex(root, "op", &v) || !(s = get_str(v, 32))) {
		err_out(err, errlen, "op: missing or not a string");
		goto bad;
	}
	for (i = 0; i < OP_COUNT; i++)
		if (!strcmp(s, ops[i].name))
			op = (int)i;
	if (op < 0) {
		err_out(err, errlen, "op: unknown operation \"%.32s\"", s);
		goto bad;
	}
	req->op = (enum op)op;
	json_object_object_foreach(root, key, val) {
		enum field f = 0;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(key, fields[i].name))
				f = fields[i].bit;
		if (!f) {
			err_out(err, errlen, "unknown field \"%.32s\"", key);
			goto bad;
		}
		if (!(f & (F_OP | F_ID | ops[op].allowed))) {
			err_out(err, errlen, "field \"%s\" does not apply to %s",
				key, ops[op].name);
			goto bad;
		}
		if (parse_field(f, val, req, err, errlen))
			goto bad;
		seen |= f;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (ops[op].required & fields[i].bit & ~seen) {
			err_out(err, errlen, "%s needs \"%s\"", ops[op].name, fields[i].name);
			goto bad;
		}
	return 0;
bad:
	/* keep only the id, so the error reply can name the request */
	v = req->id;
	req->id = NULL;
	request_free(req);
	memset(req, 0, sizeof(*req));
	req->id = v;
	return -1;
}

void proto_wipe_strings(struct json_object *obj)
{
	size_t i, n;
	int len;

	switch (json_object_get_type(obj)) {
	case json_type_string:
		len = json_object_get_string_len(obj);
		if (len > 0)
			OPENSSL_cleanse((char *)json_object_get_string(obj), (size_t)len);
		break;
	case json_type_array:
		n = json_object_array_length(obj);
		for (i = 0; i < n; i++)
			proto_wipe_strings(json_object_array_get_idx(obj, i));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			(void)key;
			proto_wipe_strings(val);
		}
		break;
	}
	default:
		break;
	}
}

void request_free(struct request *req)
{
	if (req->root) {
		proto_wipe_strings(req->root);
		json_object_put(req->root);
	}
	if (req->id)
		json_object_put(req->id);
	req->root = NULL;
	req->id = NULL;
}

struct json_object *proto_reply_ok(struct json_object *id)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (id)
		json_object_object_add(o, "id", json_object_get(id));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

struct json_object *proto_reply_err(struct json_object *id, const char *code,
				    const char *msg)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (id)
		json_object_object_add(o, "id", json_object_get(id));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "code", json_object_new_string(code));
	return o;
}

struct json_object *proto_event(const char *name, const char *session)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "event", json_object_new_string(name));
	if (session)
		json_object_object_add(o, "session", json_object_new_string(session));
	return o;
}

struct json_object *proto_event_rekey_needed(const char *session, bool hard)
{
	struct json_object *e = proto_event("rekey_needed", session);

	if (!e)
		return NULL;
	json_object_object_add(e, "reason", json_object_new_string("key lifetime"));
	json_object_object_add(e, "limit", json_object_new_string(hard ? "hard" : "soft"));
	return e;
}

char *proto_serialize_put(struct json_object *obj, size_t *len)
{
	const char *s;
	size_t n;
	char *out;

	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	out = s ? malloc(n + 2) : NULL;
	if (out) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = 0;
		*len = n + 1;
	}
	if (s)
		OPENSSL_cleanse((char *)s, n);
	proto_wipe_strings(obj);
	json_object_put(obj);
	return out;
}
