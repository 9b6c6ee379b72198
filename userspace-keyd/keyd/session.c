// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: the operations of the control API, the parts of the state
 * machine every method shares, the media sockets' kernel attachment,
 * persistence and the reconciliation after a restart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <openssl/rand.h>

#include "control.h"
#include "log.h"
#include "session.h"
#include "state.h"
#include "authz.h"

static const struct method *const methods[] = { &sdes_method, &dtls_method, &mikey_method,
						  &zrtp_method };

const struct method *method_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i]->name, name))
			return methods[i];
	return NULL;
}

int op_fail(struct opres *r, const char *code, const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

struct session *session_find(struct keyd *kd, const char *id)
{
	struct session *s;

	for (s = kd->sessions; s; s = s->next)
		if (!strcmp(s->id, id))
			return s;
	return NULL;
}

static struct session *find_cookie(struct keyd *kd, uint64_t cookie)
{
	struct session *s;
	unsigned int i;

	for (s = kd->sessions; s; s = s->next)
		for (i = 0; i < s->nsocks; i++)
			if (s->cookie[i] == cookie)
				return s;
	return NULL;
}

/* ---------------------------------------------------------------- persistence */

static struct json_object *save_json(struct session *s)
{
	struct json_object *o = json_object_new_object(), *arr;
	char addr[80];
	unsigned int i;
	size_t j;

	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "method", json_object_new_string(s->method->name));
	json_object_object_add(o, "role", json_object_new_string(role_name(s->role)));
	json_object_object_add(o, "state", json_object_new_string(session_state_name(s->state)));
	json_object_object_add(o, "exchange", json_object_new_string(session_exchange_name(s->exch)));
	json_object_object_add(o, "created", json_object_new_int64(s->created));
	json_object_object_add(o, "owner_uid", json_object_new_int64((int64_t)s->owner_uid));
	json_object_object_add(o, "rtcp_mux", json_object_new_boolean(s->rtcp_mux));
	json_object_object_add(o, "signalling_secure",
			       json_object_new_boolean(s->signalling_secure));
	json_object_object_add(o, "verified", json_object_new_boolean(s->verified));
	if (s->dtls_verify != VERIFY_STRICT)
		json_object_object_add(o, "dtls_verify", json_object_new_string(
			verify_policy_name(s->dtls_verify)));
	if (s->has_remote)
		json_object_object_add(o, "remote", json_object_new_string(
			proto_format_addr(&s->remote, addr, sizeof(addr))));
	arr = json_object_new_array();
	for (i = 0; i < s->nsocks; i++) {
		struct json_object *so = json_object_new_object();

		json_object_object_add(so, "cookie", json_object_new_uint64(s->cookie[i]));
		json_object_object_add(so, "local_port", json_object_new_int(s->local_port[i]));
		json_object_array_add(arr, so);
	}
	json_object_object_add(o, "sockets", arr);
	arr = json_object_new_array();
	for (j = 0; j < s->nsuites; j++)
		json_object_array_add(arr, json_object_new_string(s->suites[j]->name));
	json_object_object_add(o, "suites", arr);
	arr = json_object_new_array();
	for (j = 0; j < s->noffer_suites; j++)
		json_object_array_add(arr, json_object_new_string(s->offer_suites[j]->name));
	json_object_object_add(o, "offer_suites", arr);
	if (s->state == SS_FAILED)
		json_object_object_add(o, "fail_reason", json_object_new_string(s->fail_reason));
	if (s->method->save)
		json_object_object_add(o, "method_state", s->method->save(s));
	arr = bridge_save(s);
	if (arr)
		json_object_object_add(o, "bridge", arr);
	return o;
}

static void save(struct keyd *kd, struct session *s)
{
	struct json_object *o = save_json(s);

	/* a failed write stays dirty: the next change or the retry timer tries again */
	s->dirty = state_write(kd, s->id, o) != 0;
	json_object_put(o);
}

/* Save what changed; whether a write failed (and must be retried). */
static bool flush_dirty(struct keyd *kd)
{
	struct session *s;
	bool failed = false;

	for (s = kd->sessions; s; s = s->next)
		if (s->dirty) {
			save(kd, s);
			failed |= s->dirty;
		}
	return failed;
}

/* ---------------------------------------------------------------- lifecycle */

static void unlink_session(struct keyd *kd, struct session *s)
{
	struct session **pp;

	for (pp = &kd->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			kd->nsessions--;
			return;
		}
	}
}

static void session_free(struct session *s)
{
	metrics_session_free(s);
	if (s->method && s->method->release && s->mstate)
		s->method->release(s);
	free(s);
}

/* Forget a session: its kernel state is gone or handed back. fail: why it
 * went away (enum metrics_fail), -1 for a delete.
 */
static void session_destroy(struct keyd *kd, struct session *s, int fail)
{
	metrics_session_gone(s, now_ms(), fail);
	unlink_session(kd, s);
	state_remove(kd, s->id);
	session_free(s);
}

static void detach_all(struct keyd *kd, struct session *s)
{
	unsigned int i;
	int err;

	for (i = 0; i < s->nsocks; i++) {
		err = kn_detach(&kd->kn, s->cookie[i]);
		if (err && err != -ENOENT)
			log_warn("sock-detach failed", "session=%s cookie=%llu err=%s extack=%s",
				 s->id, (unsigned long long)s->cookie[i],
				 log_q(strerror(-err)), log_q(kn_err(&kd->kn)));
	}
}

static void new_id(char *buf, size_t len)
{
	unsigned char r[8];
	unsigned int i;
	size_t o;

	if (RAND_bytes(r, sizeof(r)) != 1) {
		/* ids only need to be unique, not secret */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		memcpy(r, &t, sizeof(r));
	}
	o = (size_t)snprintf(buf, len, "kd-");
	for (i = 0; i < sizeof(r) && o + 2 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", r[i]);
}

/* A media socket the client passed: must be UDP, bound. */
static int check_socket(int fd, uint16_t *port, struct opres *r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int), slen = sizeof(ss);
	int type = 0, proto = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return op_fail(r, E_BAD_REQUEST, "the file descriptor passed is not a socket");
	if (type != SOCK_DGRAM || proto != IPPROTO_UDP)
		return op_fail(r, E_BAD_REQUEST, "the socket passed is not a UDP socket");
	if (getsockname(fd, (struct sockaddr *)&ss, &slen))
		return op_fail(r, E_BAD_REQUEST, "getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return op_fail(r, E_BAD_REQUEST, "the socket passed is not IPv4 or IPv6");
	if (!*port)
		return op_fail(r, E_BAD_REQUEST, "the socket passed is not bound to a port");
	return 0;
}

static void set_suites(struct keyd *kd, struct session *s, const struct request *req)
{
	const struct suite *const *src;
	size_t i, n;

	src = req->nsuites ? req->suites : kd->cfg.suites;
	n = req->nsuites ? req->nsuites : kd->cfg.nsuites;
	for (i = 0; i < n; i++)
		if (kd->kn.suites & suite_bit(src[i]))
			s->suites[s->nsuites++] = src[i];
	src = req->nsuites ? req->suites : kd->cfg.offer_suites;
	n = req->nsuites ? req->nsuites : kd->cfg.noffer_suites;
	for (i = 0; i < n; i++)
		if (kd->kn.suites & suite_bit(src[i]))
			s->offer_suites[s->noffer_suites++] = src[i];
}

static int op_create(struct keyd *kd, struct conn *c, const struct request *req,
		     struct opres *r)
{
	const struct method *m = method_find(req->method ? req->method : "sdes");
	struct session *s;
	struct json_object *arr;
	unsigned int i;
	int err;

	if (!m)
		return op_fail(r, E_UNSUPPORTED,
			       "method \"%s\" is not available (this keyd supports: sdes, dtls, mikey, zrtp)",
			       req->method);
	if (req->nfds < 1)
		return op_fail(r, E_BAD_REQUEST,
			       "create needs the media socket, passed with SCM_RIGHTS on "
			       "the same message");
	if (req->nfds > SESSION_MAX_SOCKS)
		return op_fail(r, E_BAD_REQUEST, "create takes at most 2 sockets (RTP, RTCP)");
	if (req->nfds == 2 && req->rtcp_mux != TRI_FALSE)
		return op_fail(r, E_BAD_REQUEST,
			       "a second (RTCP) socket needs \"rtcp_mux\": false");
	if (req->method_fields & ~m->req_fields)
		return op_fail(r, E_BAD_REQUEST, "%s does not apply to the %s method",
			       proto_reqf_name(req->method_fields & ~m->req_fields), m->name);
	if (kd->nsessions >= kd->cfg.max_sessions)
		return op_fail(r, E_LIMIT, "too many sessions (max_sessions = %u)",
			       kd->cfg.max_sessions);
	s = calloc(1, sizeof(*s));
	if (!s)
		return op_fail(r, E_INTERNAL, "out of memory");
	new_id(s->id, sizeof(s->id));
	s->role = req->role;
	s->method = m;
	s->rtcp_mux = req->rtcp_mux != TRI_FALSE;
	s->signalling_secure = req->signalling_secure == TRI_TRUE;
	s->verified = true;
	s->pfs = m->pfs;
	s->created = (int64_t)time(NULL);
	s->owner = c;
	s->owner_uid = conn_peer(c)->uid;
	s->mki_len = req->mki_len >= 0 ? (unsigned int)req->mki_len : kd->cfg.mki_len;
	s->dtls_verify = req->dtls_verify != VERIFY_DEFAULT ? req->dtls_verify :
							      kd->cfg.dtls_verify;
	if (req->has_remote) {
		s->has_remote = true;
		s->remote = req->remote;
	}
	set_suites(kd, s, req);
	if (!s->nsuites || !s->noffer_suites) {
		free(s);
		return op_fail(r, E_NO_CRYPTO,
			       "none of the requested crypto suites is available in this kernel");
	}
	for (i = 0; i < (unsigned int)req->nfds; i++)
		if (check_socket(req->fds[i], &s->local_port[i], r)) {
			free(s);
			return -1;
		}
	if (m->init(kd, s, req, r)) {
		free(s);
		return -1;
	}
	/* the kernel resolves the fd in our table: it is the one we received */
	for (i = 0; i < (unsigned int)req->nfds; i++) {
		err = m->upcall ? kn_attach_upcall(&kd->kn, req->fds[i], m->upcall, &s->cookie[i]) :
				  kn_attach(&kd->kn, req->fds[i], &s->cookie[i]);
		if (err) {
			op_fail(r, E_KERNEL, "sock-attach: %s%s%s", strerror(-err),
				kn_err(&kd->kn)[0] ? ": " : "", kn_err(&kd->kn));
			detach_all(kd, s);
			session_free(s);
			return -1;
		}
		s->nsocks++;
	}
	s->next = kd->sessions;
	kd->sessions = s;
	kd->nsessions++;
	metrics_session_new(s, now_ms());
	session_changed(s);
	log_info("session created", "session=%s method=%s role=%s cookie=%llu port=%u sockets=%u",
		 s->id, m->name, role_name(s->role), (unsigned long long)s->cookie[0],
		 s->local_port[0], s->nsocks);
	json_object_object_add(r->reply, "session", json_object_new_string(s->id));
	json_object_object_add(r->reply, "state", json_object_new_string("new"));
	arr = json_object_new_array();
	for (i = 0; i < s->nsocks; i++)
		json_object_array_add(arr, json_object_new_uint64(s->cookie[i]));
	json_object_object_add(r->reply, "cookies", arr);
	return 0;
}

static int op_delete(struct keyd *kd, struct session *s, struct opres *r)
{
	(void)r;
	/* what it carried since the last scrape, before its contexts go */
	if (kd->metrics)
		metrics_collect_session(kd, s);
	bridge_end(kd, s, "the other session was deleted");
	if (s->method->teardown && s->state != SS_FAILED)
		s->method->teardown(kd, s);
	detach_all(kd, s);
	log_info("session deleted", "session=%s", s->id);
	session_destroy(kd, s, -1);
	return 0;
}

static int op_list(struct keyd *kd, struct conn *c, struct opres *r)
{
	struct json_object *arr = json_object_new_array(), *o;
	struct session *s;

	for (s = kd->sessions; s; s = s->next) {
		if (!authz_may(conn_peer(c), s->owner_uid))
			continue;	/* others' sessions are not even listed */
		o = json_object_new_object();
		session_status_common(s, o);
		json_object_array_add(arr, o);
	}
	json_object_object_add(r->reply, "sessions", arr);
	return 0;
}

static int op_ping(struct keyd *kd, struct conn *c, struct opres *r)
{
	struct json_object *arr;
	struct session *s;
	int64_t mine = 0;
	size_t i;

	json_object_object_add(r->reply, "version", json_object_new_string(KEYD_VERSION));
	json_object_object_add(r->reply, "module_version",
			       json_object_new_string(kd->kn.module_version));
	arr = json_object_new_array();
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		json_object_array_add(arr, json_object_new_string(methods[i]->name));
	json_object_object_add(r->reply, "methods", arr);
	arr = json_object_new_array();
	for (i = 0; i < SUITE_COUNT; i++)
		if (kd->kn.suites & suite_bit(&suite_table[i]))
			json_object_array_add(arr, json_object_new_string(suite_table[i].name));
	json_object_object_add(r->reply, "suites", arr);
	for (s = kd->sessions; s; s = s->next)
		mine += authz_may(conn_peer(c), s->owner_uid);
	json_object_object_add(r->reply, "sessions", json_object_new_int64(mine));
	json_object_object_add(r->reply, "access", json_object_new_string(
		conn_peer(c)->admin ? "all" : "own"));
	/* 0: no core dumps, no ptrace by other users (harden.c) */
	json_object_object_add(r->reply, "dumpable",
			       json_object_new_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)));
	json_object_object_add(r->reply, "allow_insecure_signalling",
			       json_object_new_boolean(kd->cfg.allow_insecure_signalling));
	return 0;
}

/* ---------------------------------------------------------------- key ops */

static const char insecure_msg[] =
	"refusing to %s SRTP keys over signalling not declared secure: pass "
	"\"signalling_secure\": true when the SDP travels over TLS (SIPS) or "
	"S/MIME, or set allow_insecure_signalling = yes";

static int op_local(struct keyd *kd, struct session *s, const struct request *req,
		    struct opres *r)
{
	if (s->state == SS_FAILED)
		return op_fail(r, E_STATE, "session failed: %s", s->fail_reason);
	if (!session_signalling_ok(kd, s, req->signalling_secure))
		return op_fail(r, E_INSECURE, insecure_msg, "emit");
	if (s->state == SS_NEW && s->role == ROLE_ANSWERER)
		return op_fail(r, E_STATE,
			       "this session answers: apply the peer's offer with "
			       "remote_attributes first");
	return s->method->local_attributes(kd, s, r);
}

static int op_remote(struct keyd *kd, struct session *s, const struct request *req,
		     struct opres *r)
{
	enum sdp_type type = req->type;
	bool was_secure = s->state == SS_SECURE;
	bool fork;

	if (s->state == SS_FAILED)
		return op_fail(r, E_STATE, "session failed: %s", s->fail_reason);
	if (!session_signalling_ok(kd, s, req->signalling_secure))
		return op_fail(r, E_INSECURE, insecure_msg, "accept");
	if (type == SDP_NONE)
		type = s->exch == EX_LOCAL_OFFER ? SDP_ANSWER : SDP_OFFER;
	fork = type == SDP_ANSWER && s->method->forks && s->role == ROLE_OFFERER &&
	       (s->state == SS_OFFERED || s->state == SS_SECURE);
	if (type == SDP_ANSWER && s->exch != EX_LOCAL_OFFER && !fork)
		return op_fail(r, E_STATE, "no offer of ours is waiting for an answer");
	if (type == SDP_OFFER && s->state == SS_NEW && s->role == ROLE_OFFERER)
		return op_fail(r, E_STATE,
			       "this session offers: call local_attributes for the offer first");
	if (type == SDP_OFFER && s->state == SS_OFFERED)
		return op_fail(r, E_STATE,
			       "our initial offer is still waiting for its answer");
	/* no keys before the answer: an offerer learns the peer's address from it */
	if (req->has_remote && !fork) {
		if (s->state != SS_NEW && s->state != SS_OFFERED && (!s->has_remote ||
		    memcmp(&s->remote, &req->remote, sizeof(s->remote))))
			return op_fail(r, E_STATE,
				       "the remote address can only be set before keys are installed");
		s->has_remote = true;
		s->remote = req->remote;
	}
	/* a new offer on a secure session: the peer rekeys (or renegotiates) */
	if (s->method->remote_attributes(kd, s, req, type, r))
		return -1;
	if (type == SDP_OFFER && was_secure)
		metrics_rekey(s, false);
	return 0;
}

static int op_rekey(struct keyd *kd, struct session *s, const struct request *req,
		    struct opres *r)
{
	if (s->state != SS_SECURE)
		return op_fail(r, E_STATE, "rekey needs a secure session (state %s)",
			       session_state_name(s->state));
	if (!session_signalling_ok(kd, s, req->signalling_secure))
		return op_fail(r, E_INSECURE, insecure_msg, "emit");
	if (s->method->rekey(kd, s, r))
		return -1;
	metrics_rekey(s, true);
	return 0;
}

struct json_object *session_dispatch(struct keyd *kd, struct conn *c,
				     struct request *req)
{
	struct opres r = { 0 };
	struct session *s = NULL;
	int rc;

	r.reply = proto_reply_ok(req->id);
	if (!r.reply)
		return NULL;
	switch (req->op) {
	case OP_PING:
		rc = op_ping(kd, c, &r);
		break;
	case OP_CREATE:
		rc = op_create(kd, c, req, &r);
		break;
	case OP_LIST:
		rc = op_list(kd, c, &r);
		break;
	default:
		s = session_find(kd, req->session);
		if (!s) {
			rc = op_fail(&r, E_NO_SESSION, "no session \"%s\"", req->session);
			break;
		}
		if (!authz_may(conn_peer(c), s->owner_uid)) {
			rc = op_fail(&r, E_PERMISSION,
				     "permission denied: session \"%s\" belongs to another user",
				     req->session);
			break;
		}
		switch (req->op) {
		case OP_LOCAL_ATTRIBUTES:
			rc = op_local(kd, s, req, &r);
			break;
		case OP_REMOTE_ATTRIBUTES:
			rc = op_remote(kd, s, req, &r);
			break;
		case OP_STATUS:
			rc = session_op_status(kd, s, &r);
			break;
		case OP_REKEY:
			rc = op_rekey(kd, s, req, &r);
			break;
		case OP_DELETE:
			rc = op_delete(kd, s, &r);
			break;
		case OP_BRIDGE:
			rc = bridge_op(kd, c, s, req, &r);
			break;
		case OP_UNBRIDGE:
			rc = unbridge_op(kd, s, &r);
			break;
		case OP_VERIFY_SAS:
			rc = s->method->verify_sas ?
			     s->method->verify_sas(kd, s, req, &r) :
			     op_fail(&r, E_UNSUPPORTED, "the %s method has no SAS to verify",
				     s->method->name);
			break;
		case OP_WATCH:
			s->owner = c;
			json_object_object_add(r.reply, "state", json_object_new_string(
				session_state_name(s->state)));
			rc = 0;
			break;
		default:
			rc = op_fail(&r, E_INTERNAL, "unhandled op");
			break;
		}
	}
	flush_dirty(kd);
	if (!rc)
		return r.reply;
	metrics_request_error(r.code);
	log_info("request refused", "op=%s session=%s code=%s err=%s", op_name(req->op),
		 req->session ? log_q(req->session) : "-", r.code, log_q(r.msg));
	proto_wipe_strings(r.reply);
	json_object_put(r.reply);
	return proto_reply_err(req->id, r.code, r.msg);
}

bool session_conn_watching(struct keyd *kd, const struct conn *c)
{
	struct session *s;

	for (s = kd->sessions; s; s = s->next)
		if (s->owner == c)
			return true;
	return false;
}

void session_conn_closed(struct keyd *kd, struct conn *c)
{
	struct session *s;

	for (s = kd->sessions; s; s = s->next)
		if (s->owner == c)
			s->owner = NULL;
}

/* ---------------------------------------------------------------- kernel events */

static int detach_fail(uint32_t reason)
{
	switch (reason) {
	case KSRTP_DETACH_REASON_CLOSED:
		return MF_SOCKET_CLOSED;
	case KSRTP_DETACH_REASON_UNLOAD:
		return MF_MODULE_UNLOADED;
	}
	return MF_SOCKET_DETACHED;
}

static const char *detach_reason(uint32_t reason)
{
	switch (reason) {
	case KSRTP_DETACH_REASON_REQUEST:
		return "the media socket was detached by another ksrtp user";
	case KSRTP_DETACH_REASON_CLOSED:
		return "the media socket was closed";
	case KSRTP_DETACH_REASON_UNLOAD:
		return "the ksrtp module was unloaded";
	}
	return "the media socket was detached";
}

/* The socket is gone: nothing is left to protect or to delete. */
static void session_lost(struct keyd *kd, struct session *s, const char *why, int fail)
{
	struct json_object *ev = proto_event("failed", s->id);

	json_object_object_add(ev, "reason", json_object_new_string(why));
	log_info("session lost", "session=%s reason=%s", s->id, log_q(why));
	session_emit(kd, s, ev);
	bridge_end(kd, s, why);
	session_destroy(kd, s, fail);
}

/* After an event overrun, check which sockets still exist. */
static void recheck_sockets(struct keyd *kd)
{
	struct kn_sock_info *si;
	struct session *s, *next;
	size_t n, j;
	unsigned int i;
	bool found;

	if (kn_sock_dump(&kd->kn, &si, &n))
		return;
	for (s = kd->sessions; s; s = next) {
		next = s->next;
		for (i = 0; i < s->nsocks; i++) {
			found = false;
			for (j = 0; j < n; j++)
				found |= si[j].cookie == s->cookie[i];
			if (!found) {
				session_lost(kd, s, "the media socket was detached", MF_SOCKET_GONE);
				break;
			}
		}
	}
	free(si);
}

void session_kernel_event(const struct kn_event *ev, void *arg)
{
	struct keyd *kd = arg;
	struct session *s;

	if (ev->type == KN_EV_OVERRUN) {
		log_warn("kernel events lost; rechecking sockets", "sessions=%zu", kd->nsessions);
		recheck_sockets(kd);
		flush_dirty(kd);
		return;
	}
	s = find_cookie(kd, ev->cookie);
	if (!s)
		return;		/* another user's socket */
	if (ev->type == KN_EV_DETACH) {
		session_lost(kd, s, detach_reason(ev->reason), detach_fail(ev->reason));
		return;
	}
	if (ev->type == KN_EV_FWD_IDLE) {
		bridge_fwd_idle(kd, s, ev);
		return;
	}
	if (s->method->kernel_event)
		s->method->kernel_event(kd, s, ev);
	flush_dirty(kd);
}

int session_run_timers(struct keyd *kd)
{
	uint64_t now = now_ms(), next = 0;
	struct session *s;

	/* once per turn of the poll loop: what the last turn changed */
	for (s = kd->sessions; s; s = s->next)
		metrics_observe(s, now);
	for (s = kd->sessions; s; s = s->next) {
		if (s->timer && s->timer <= now) {
			s->timer = 0;
			if (s->method->timer) {
				uint64_t t = s->method->timer(kd, s, now);

				if (t)
					session_arm(s, t);
			}
		}
		if (s->timer && (!next || s->timer < next))
			next = s->timer;
	}
	if (flush_dirty(kd) && (!next || now + STATE_RETRY_MS < next))
		next = now + STATE_RETRY_MS;
	if (!next)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

/* ---------------------------------------------------------------- restore */

/* What sock-get dump found; restore marks the sockets it adopts. */
struct dump {
	struct kn_sock_info *socks;
	bool *adopted;
	size_t n;
};

static struct dump restore_dump;

static long dump_index(uint64_t cookie)
{
	size_t i;

	for (i = 0; i < restore_dump.n; i++)
		if (restore_dump.socks[i].cookie == cookie)
			return (long)i;
	return -1;
}

static void restore_one(struct keyd *kd, const char *id, struct json_object *o)
{
	struct json_object *ms = NULL;
	struct kn_ctx_info *ci = NULL;
	struct session *s;
	char why[160] = "";
	size_t n = 0;
	unsigned int i;
	int err;

	s = session_load(id, o);
	if (!s) {
		log_warn("session state not understood; left in place", "session=%s", log_q(id));
		return;
	}
	for (i = 0; i < s->nsocks; i++) {
		if (dump_index(s->cookie[i]) < 0) {
			/* the media server closed it while keyd was down */
			log_info("session gone while keyd was down", "session=%s cookie=%llu",
				 s->id, (unsigned long long)s->cookie[i]);
			state_remove(kd, s->id);
			free(s);
			return;
		}
	}
	for (i = 0; i < s->nsocks; i++)
		restore_dump.adopted[dump_index(s->cookie[i])] = true;
	json_object_object_get_ex(o, "method_state", &ms);
	if (s->state != SS_FAILED) {
		err = kn_ctx_dump(&kd->kn, s->cookie[0], &ci, &n);
		if (err)
			snprintf(why, sizeof(why), "ctx-get dump: %s", strerror(-err));
		else if (s->method->restore(kd, s, ms, ci, n, why, sizeof(why)))
			err = -1;
		free(ci);
		if (err) {
			s->state = SS_FAILED;
			snprintf(s->fail_reason, sizeof(s->fail_reason),
				 "not restored after a keyd restart: %s", why);
		}
	}
	s->next = kd->sessions;
	kd->sessions = s;
	kd->nsessions++;
	metrics_session_restored(s);
	session_changed(s);
	log_info("session restored", "session=%s state=%s cookie=%llu%s%s", s->id,
		 session_state_name(s->state), (unsigned long long)s->cookie[0],
		 s->state == SS_FAILED ? " reason=" : "",
		 s->state == SS_FAILED ? log_q(s->fail_reason) : "");
}

void session_restore_all(struct keyd *kd)
{
	size_t i;
	int err;

	err = kn_sock_dump(&kd->kn, &restore_dump.socks, &restore_dump.n);
	if (err) {
		/* without the kernel's view nothing can be trusted: restore nothing,
		 * and keep the files for the next start
		 */
		log_err("sock-get dump failed; saved sessions not restored", "err=%s",
			log_q(strerror(-err)));
		return;
	}
	restore_dump.adopted = calloc(restore_dump.n + 1, sizeof(bool));
	if (!restore_dump.adopted) {
		free(restore_dump.socks);
		return;
	}
	state_for_each(kd, restore_one);
	bridge_restore_all(kd);
	for (i = 0; i < restore_dump.n; i++)
		if (!restore_dump.adopted[i])
			log_info("socket of another ksrtp user left untouched",
				 "cookie=%llu port=%u contexts=%u",
				 (unsigned long long)restore_dump.socks[i].cookie,
				 restore_dump.socks[i].local_port, restore_dump.socks[i].n_ctx);
	log_info("reconciled with the kernel", "sockets=%zu sessions=%zu",
		 restore_dump.n, kd->nsessions);
	free(restore_dump.socks);
	free(restore_dump.adopted);
	memset(&restore_dump, 0, sizeof(restore_dump));
	flush_dirty(kd);
}

void session_free_all(struct keyd *kd)
{
	struct session *s;

	flush_dirty(kd);
	while ((s = kd->sessions)) {
		kd->sessions = s->next;
		session_free(s);
	}
	kd->nsessions = 0;
}
