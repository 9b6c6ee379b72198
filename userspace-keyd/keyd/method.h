/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A key-exchange method ("sdes", "dtls", "mikey", "zrtp") plugs into the session
 * layer through this table. The session layer owns the media sockets, the
 * state machine's common states, persistence and events; a method owns its
 * attributes, its keys and the kernel contexts it installs.
 */
#ifndef KEYD_METHOD_H
#define KEYD_METHOD_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "kernel.h"
#include "proto.h"

struct keyd;
struct session;

/* The outcome of an operation: reply fields on success, else code + msg. */
struct opres {
	struct json_object *reply;	/* add result fields here */
	const char *code;		/* machine-readable error class */
	char msg[512];
};

int op_fail(struct opres *r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Error codes (the "code" of an error reply). */
#define E_BAD_REQUEST	"bad_request"
#define E_NO_SESSION	"no_session"
#define E_STATE		"wrong_state"
#define E_INSECURE	"insecure_signalling"
#define E_NO_CRYPTO	"no_acceptable_crypto"
#define E_KERNEL	"kernel"
#define E_LIMIT		"limit"
#define E_PERMISSION	"permission_denied"
#define E_UNSUPPORTED	"unsupported"
#define E_INTERNAL	"internal"

struct method {
	const char *name;
	bool pfs;		/* forward secrecy of the keys it produces */
	/* Takes further answers to its initial offer, each with its own
	 * "remote" (RFC 5763 §6.3 forking); the session's remote stays a filter.
	 */
	bool forks;
	uint32_t upcall;	/* sock-attach upcall flags (KSRTP_UPCALL_*); 0: none */
	unsigned int req_fields;	/* the REQF_* create fields it takes (proto.h) */
	/* New session; req is the create request (NULL when restoring). */
	int (*init)(struct keyd *kd, struct session *s, const struct request *req,
		    struct opres *r);
	/* Free method state (wiping keys); kernel contexts stay. */
	void (*release)(struct session *s);
	/* Produce our attributes (offer or answer) into r->reply. */
	int (*local_attributes)(struct keyd *kd, struct session *s, struct opres *r);
	/* Apply the peer's attributes (an offer or an answer). */
	int (*remote_attributes)(struct keyd *kd, struct session *s,
				 const struct request *req, enum sdp_type type,
				 struct opres *r);
	/* New local key; r->reply gets the attributes to signal it. */
	int (*rekey)(struct keyd *kd, struct session *s, struct opres *r);
	/*
	 * The users compared the short authentication string (req's
	 * sas_verified) or found it differs: ZRTP's SAS; with enroll_pbx they
	 * also trust the peer as their PBX. NULL: the method has none.
	 */
	int (*verify_sas)(struct keyd *kd, struct session *s, const struct request *req,
			  struct opres *r);
	/*
	 * s is now bridged to other (the bridge operation, both directions in
	 * the kernel): what the method does about it (ZRTP, as a PBX, relays
	 * the far leg's SAS). NULL: nothing.
	 */
	void (*bridged)(struct keyd *kd, struct session *s, struct session *other);
	/* Method fields of "status" (no keys). */
	void (*status)(struct keyd *kd, struct session *s, struct json_object *out);
	/* Due timers; returns the next deadline (ms, monotonic) or 0. */
	uint64_t (*timer)(struct keyd *kd, struct session *s, uint64_t now);
	/* A kernel event for one of the session's sockets (KN_EV_UPCALL:
	 * a keying datagram, when the method asked for upcalls).
	 */
	void (*kernel_event)(struct keyd *kd, struct session *s,
			     const struct kn_event *ev);
	/* Remove the kernel contexts it installed (delete op). */
	void (*teardown)(struct keyd *kd, struct session *s);
	/* Persistable state, never keys. */
	struct json_object *(*save)(struct session *s);
	/*
	 * Rebuild from saved state after a restart, checking the kernel's
	 * contexts (ctxs of the session's first socket). 0, or -1 with a
	 * reason: the session is then kept as failed, the kernel untouched.
	 */
	int (*restore)(struct keyd *kd, struct session *s, struct json_object *saved,
		       const struct kn_ctx_info *ctxs, size_t n, char *why, size_t whylen);
};

extern const struct method sdes_method;
extern const struct method dtls_method;
extern const struct method mikey_method;
extern const struct method zrtp_method;
/* DTLS certificate renewal and cookie secret rotation (dtls_identity.c);
 * returns ms until it is due again, or -1.
 */
int dtls_housekeeping(struct keyd *kd, uint64_t now);

/* By name; NULL if keyd has no such method. */
const struct method *method_find(const char *name);

#endif /* KEYD_METHOD_H */
