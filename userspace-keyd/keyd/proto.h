/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keyd control protocol without the I/O: newline framing with the file
 * descriptors that arrived beside the bytes, and validation of a request
 * line into a struct request. Documentation/keyd-control.md is the spec.
 */
#ifndef KEYD_PROTO_H
#define KEYD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <json-c/json.h>

#include "suites.h"

#define PROTO_MAX_LINE		65536	/* one request, bytes */
#define PROTO_MAX_FDS		2	/* RTP socket, optional RTCP socket */
#define PROTO_MAX_FD_GROUPS	8	/* messages with fds not yet read */
#define PROTO_MAX_ATTRS		32
#define PROTO_MAX_ATTR_LEN	8192	/* one attribute: a MIKEY message with certificates */
#define PROTO_MAX_ID_LEN	64
#define PROTO_MAX_DEPTH		8	/* JSON nesting */
#define PROTO_MAX_SSRCS		8	/* ssrcs, remote_ssrcs: each */

/* Create fields only some methods take (struct method's req_fields). */
#define REQF_DTLS_VERIFY	(1u << 0)	/* dtls_verify */
#define REQF_SSRCS		(1u << 1)	/* ssrcs, remote_ssrcs, roc */
#define REQF_MIKEY_MODE		(1u << 2)	/* mikey_mode, mikey_peer_identity */
#define REQF_ZRTP_MS		(1u << 3)	/* zrtp_multistream_of */
#define REQF_ZRTP_AUX		(1u << 4)	/* zrtp_aux_secret */
#define REQF_ZRTP_PBX		(1u << 5)	/* zrtp_pbx, zrtp_pbx_enroll */
#define PROTO_MAX_AUX_HEX	128		/* zrtp_aux_secret: 1 to 64 bytes in hex */
#define PROTO_MAX_IDLE_MS	3600000	/* idle_timeout_ms: an hour */
#define PROTO_MIKEY_MODES	"psk, null, dhhmac, pk, rsa-r, dh-sign"

enum op {
	OP_PING, OP_CREATE, OP_LOCAL_ATTRIBUTES, OP_REMOTE_ATTRIBUTES, OP_STATUS,
	OP_LIST, OP_REKEY, OP_DELETE, OP_WATCH, OP_VERIFY_SAS, OP_BRIDGE, OP_UNBRIDGE,
	OP_COUNT
};

enum role { ROLE_NONE, ROLE_OFFERER, ROLE_ANSWERER };
enum sdp_type { SDP_NONE, SDP_OFFER, SDP_ANSWER };
enum tristate { TRI_UNSET = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

/*
 * DTLS (RFC 5763 §6.2, §7.1): what an offerer installs when a handshake
 * completes before the answer's fingerprint has verified the peer. strict:
 * nothing; early_media: the RX direction only (TX waits for verification).
 */
enum verify_policy { VERIFY_DEFAULT = -1, VERIFY_STRICT = 0, VERIFY_EARLY_MEDIA = 1 };

struct request {
	enum op op;
	struct json_object *root;	/* owned; fields below point into it */
	struct json_object *id;		/* string or integer; NULL if absent */
	const char *session;
	enum role role;
	const char *method;
	enum tristate rtcp_mux;
	enum tristate signalling_secure;
	bool has_remote;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	enum sdp_type type;
	const char *attrs[PROTO_MAX_ATTRS];
	size_t nattrs;
	const struct suite *suites[SUITE_COUNT];
	size_t nsuites;			/* 0: the configured list */
	int mki_len;			/* -1: the configured mki_len */
	enum verify_policy dtls_verify;	/* VERIFY_DEFAULT: the configured one */
	uint32_t ssrcs[PROTO_MAX_SSRCS];	/* our streams (explicit-SSRC methods) */
	size_t nssrcs;
	uint32_t remote_ssrcs[PROTO_MAX_SSRCS];	/* the peer's, when known */
	size_t nremote_ssrcs;
	uint32_t roc;			/* initial ROC of our streams */
	const char *mikey_mode;		/* one of PROTO_MIKEY_MODES; NULL: psk */
	const char *mikey_peer;		/* mikey_peer_identity: the peer's IDr/IDi */
	bool sas_verified;		/* verify_sas: the users' verdict on the SAS */
	bool enroll_pbx;		/* verify_sas: and they trust this PBX (ZRTP §7.3.1) */
	bool zrtp_pbx;			/* create: keyd is a PBX (trusted MiTM) on this leg */
	bool zrtp_pbx_enroll;		/* create: keyd is the PBX of an enrollment call */
	const char *zrtp_ms_of;		/* zrtp_multistream_of: the call's first stream */
	const char *zrtp_aux_hex;	/* zrtp_aux_secret: hex, even length (a key: wiped) */
	const char *bridge_to;		/* bridge: the other session */
	uint32_t idle_timeout_ms;	/* bridge: "bridge_idle" after this silence, 0: never */
	bool copy_to_app;		/* bridge: the media server still reads the media */
	unsigned int method_fields;	/* REQF_* present */
	int fds[PROTO_MAX_FDS];		/* received with the line; not owned here */
	int nfds;
};

/*
 * Parse and validate one request line (without its newline). On success the
 * request owns root and must be released with request_free(). On failure
 * returns -1 with a message in err, and req->id is a (new) reference to the
 * request's "id" when one could be read, so the error reply can carry it.
 */
int proto_parse(const char *line, size_t len, struct request *req,
		char *err, size_t errlen);

/* Release a request: wipes its strings (attributes carry keys). */
void request_free(struct request *req);

const char *op_name(enum op op);
/* The create fields of the lowest REQF_* bit in bits, for error messages. */
const char *proto_reqf_name(unsigned int bits);
const char *role_name(enum role r);
const char *sdp_type_name(enum sdp_type t);
/* "strict" / "early_media"; parse returns VERIFY_DEFAULT for anything else. */
const char *verify_policy_name(enum verify_policy p);
enum verify_policy verify_policy_parse(const char *s);

/* "ip:port" / "[ip6]:port"; 0 or -1. */
int proto_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* The inverse, into buf (at least 64 bytes). */
const char *proto_format_addr(const struct sockaddr_storage *ss, char *buf, size_t len);

/* The same transport address (family, address, port). */
static inline bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       !memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr));
}

/* A reply object: {"id":..,"ok":true} or {"id":..,"ok":false,"error":..,"code":..}. */
struct json_object *proto_reply_ok(struct json_object *id);
struct json_object *proto_reply_err(struct json_object *id, const char *code,
				    const char *msg);
/* An event object {"event":name,"session":session}. */
struct json_object *proto_event(const char *name, const char *session);
/* "rekey_needed" for our TX key's lifetime: limit "hard" or "soft". */
struct json_object *proto_event_rekey_needed(const char *session, bool hard);

/*
 * Serialise obj as one line ("...\n") into a malloc'd buffer; wipes json-c's
 * copy and every string in obj (they may hold keys), then drops obj.
 * Returns NULL on ENOMEM.
 */
char *proto_serialize_put(struct json_object *obj, size_t *len);

/* Overwrite every string value in obj (recursively) with zeros. */
void proto_wipe_strings(struct json_object *obj);

/* ---- newline framing with SCM_RIGHTS bookkeeping ---- */

struct fd_group {
	uint64_t line_start;		/* stream offset of the line they belong to */
	int fds[PROTO_MAX_FDS];
	int n;
};

struct linebuf {
	char *buf;
	size_t len, cap;
	size_t scan;			/* bytes already searched for '\n' */
	size_t returned;		/* bytes of the line handed out last */
	uint64_t base;			/* stream offset of buf[0] */
	struct fd_group groups[PROTO_MAX_FD_GROUPS];
	size_t ngroups;
};

enum {
	LB_OK = 0,
	LB_TOO_LONG = -1,		/* a line exceeds PROTO_MAX_LINE */
	LB_TOO_MANY_FDS = -2,		/* fds the caller must close: out_fds */
	LB_NOMEM = -3,
};

/*
 * Append bytes received by one recvmsg() with the fds that came with them.
 * The kernel returns a message's fds with the first read of its bytes and
 * never merges data past them, so they belong to the last line that starts
 * in this chunk (or to the line in progress if none starts here). On
 * LB_TOO_MANY_FDS the fds could not be recorded and are the caller's to
 * close.
 */
int linebuf_append(struct linebuf *lb, const char *data, size_t n,
		   const int *fds, int nfds);

/*
 * The next complete line, NUL-terminated without its "\n" (and "\r"), valid
 * until the next linebuf call; the *nfds fds that arrived with it go to fds
 * (a well-behaved client sends at most PROTO_MAX_FDS; the caller checks).
 * Returns 1, 0 if no complete line is buffered, or LB_TOO_LONG.
 */
#define LB_MAX_LINE_FDS	(PROTO_MAX_FD_GROUPS * PROTO_MAX_FDS)
int linebuf_next(struct linebuf *lb, char **line, size_t *len,
		 int fds[LB_MAX_LINE_FDS], int *nfds);

/* Fds still queued (for closing); returns how many were written to out. */
size_t linebuf_take_fds(struct linebuf *lb, int *out, size_t max);

/* Wipe and free the buffer. */
void linebuf_free(struct linebuf *lb);

#endif /* KEYD_PROTO_H */
