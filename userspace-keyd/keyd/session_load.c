// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a saved session's common fields back from its state file's JSON
 * (the method's own state is read by method->restore, against the
 * kernel's contexts). Everything in the file is checked: it may be stale,
 * from another version, or damaged. Apart from session.c so that a fuzzer
 * can drive it without a daemon (tests/keyd/fuzz_state.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

const char *session_state_name(enum session_state st)
{
	static const char *const names[] = {
		[SS_NEW] = "new", [SS_OFFERED] = "offered",
		[SS_ANSWERING] = "answering", [SS_SECURE] = "secure",
		[SS_FAILED] = "failed",
	};

	return st <= SS_FAILED ? names[st] : "?";
}

static enum session_state state_from_name(const char *n)
{
	enum session_state st;

	for (st = SS_NEW; st <= SS_FAILED; st++)
		if (n && !strcmp(n, session_state_name(st)))
			return st;
	return SS_FAILED;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void load_suites(struct json_object *o, const char *key,
			const struct suite **out, size_t *n)
{
	struct json_object *arr, *v;
	const struct suite *su;
	size_t i;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(arr) && *n < SUITE_COUNT; i++) {
		v = json_object_array_get_idx(arr, i);
		su = json_object_is_type(v, json_type_string) ?
		     suite_by_name(json_object_get_string(v),
				   (size_t)json_object_get_string_len(v)) : NULL;
		if (su)
			out[(*n)++] = su;
	}
}

/* Parse a saved session's common fields; NULL if the file is not ours. */
/* bridge.c's bridge_save, read back; malformed: not bridged. */
static void load_bridge(struct session *s, struct json_object *o)
{
	struct json_object *to, *arr, *v;
	struct session_bridge b = { 0 };
	size_t i, n;

	if (!json_object_object_get_ex(o, "to", &to) || !json_object_is_type(to, json_type_string) ||
	    json_object_get_string_len(to) < 1 || json_object_get_string_len(to) > PROTO_MAX_ID_LEN ||
	    !json_object_object_get_ex(o, "forwards", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) != s->nsocks)
		return;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
		    json_object_get_int64(v) > UINT32_MAX)
			return;
		b.fwd[i] = (uint32_t)json_object_get_int64(v);
	}
	b.nfwd = (unsigned int)n;
	snprintf(b.to, sizeof(b.to), "%s", json_object_get_string(to));
	if (json_object_object_get_ex(o, "idle_timeout_ms", &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
	    json_object_get_int64(v) <= PROTO_MAX_IDLE_MS)
		b.idle_timeout_ms = (uint32_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "copy_to_app", &v))
		b.copy_to_app = json_object_get_boolean(v);
	s->bridge = b;
}

struct session *session_load(const char *id, struct json_object *o)
{
	struct json_object *socks, *so, *v;
	const struct method *m;
	const char *str;
	struct session *s;
	size_t i;

	str = jstr(o, "method");
	m = str ? method_find(str) : NULL;
	if (!m || !json_object_object_get_ex(o, "sockets", &socks) ||
	    !json_object_is_type(socks, json_type_array) ||
	    json_object_array_length(socks) < 1 ||
	    json_object_array_length(socks) > SESSION_MAX_SOCKS || strlen(id) > PROTO_MAX_ID_LEN)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->method = m;
	s->pfs = m->pfs;	/* a method with modes sets its own in restore */
	str = jstr(o, "role");
	s->role = str && !strcmp(str, "offerer") ? ROLE_OFFERER : ROLE_ANSWERER;
	s->state = state_from_name(jstr(o, "state"));
	str = jstr(o, "exchange");
	s->exch = !str ? EX_NONE : !strcmp(str, "local_offer") ? EX_LOCAL_OFFER :
		  !strcmp(str, "remote_offer") ? EX_REMOTE_OFFER : EX_NONE;
	s->rtcp_mux = jbool(o, "rtcp_mux");
	s->signalling_secure = jbool(o, "signalling_secure");
	s->verified = jbool(o, "verified");
	s->dtls_verify = verify_policy_parse(jstr(o, "dtls_verify")) == VERIFY_EARLY_MEDIA ?
			 VERIFY_EARLY_MEDIA : VERIFY_STRICT;
	if (json_object_object_get_ex(o, "created", &v))
		s->created = json_object_get_int64(v);
	/* older files name no owner: root's (and admin_group's) then */
	if (json_object_object_get_ex(o, "owner_uid", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) >= 0 && json_object_get_int64(v) < (int64_t)(uid_t)-1)
		s->owner_uid = (uid_t)json_object_get_int64(v);
	str = jstr(o, "remote");
	if (str) {
		socklen_t len;

		s->has_remote = !proto_parse_addr(str, &s->remote, &len);
	}
	for (i = 0; i < json_object_array_length(socks); i++) {
		so = json_object_array_get_idx(socks, i);
		/* a socket without its cookie: not ours to adopt (and a session
		 * without sockets must never reach restore)
		 */
		if (!json_object_object_get_ex(so, "cookie", &v) ||
		    !json_object_is_type(v, json_type_int) || !json_object_get_uint64(v)) {
			free(s);
			return NULL;
		}
		s->cookie[i] = json_object_get_uint64(v);
		if (json_object_object_get_ex(so, "local_port", &v))
			s->local_port[i] = (uint16_t)json_object_get_int(v);
		s->nsocks++;
	}
	load_suites(o, "suites", s->suites, &s->nsuites);
	load_suites(o, "offer_suites", s->offer_suites, &s->noffer_suites);
	str = jstr(o, "fail_reason");
	if (str)
		snprintf(s->fail_reason, sizeof(s->fail_reason), "%s", str);
	if (json_object_object_get_ex(o, "bridge", &v))
		load_bridge(s, v);	/* bridge_restore_all checks it with the kernel */
	s->restored = true;
	return s;
}
