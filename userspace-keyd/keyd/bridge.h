/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bridges: two secure sessions joined in the kernel. Each side's peer's
 * media is forwarded (ksrtp fwd-add, ssrc-any) from that side's socket to
 * the other side's peer, re-protected with the other session's TX keys,
 * so a WebRTC leg (DTLS-SRTP) and a SIP leg (SDES) can be relayed without
 * the media server reading a packet. Any method on either side: the
 * bridge only needs both sessions keyed and each peer's address, which it
 * reads from the kernel's contexts (or the session's "remote").
 *
 * A session records the forwards that leave from its own sockets, so a
 * bridge survives a keyd restart (the kernel keeps forwarding meanwhile)
 * and is checked against the kernel on restore.
 */
#ifndef KEYD_BRIDGE_H
#define KEYD_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "proto.h"

#define BRIDGE_MAX_FWDS 2	/* one per socket: RTP (or muxed), RTCP */

struct session_bridge {
	char to[PROTO_MAX_ID_LEN + 1];	/* the other session; "": not bridged */
	uint32_t fwd[BRIDGE_MAX_FWDS];	/* from our socket i to the other's peer */
	unsigned int nfwd;
	uint32_t idle_timeout_ms;
	bool copy_to_app;
};

struct keyd;
struct conn;
struct session;
struct opres;
struct kn_event;

/* The "bridge" and "unbridge" operations on session s. */
int bridge_op(struct keyd *kd, struct conn *c, struct session *s,
	      const struct request *req, struct opres *r);
int unbridge_op(struct keyd *kd, struct session *s, struct opres *r);

/* s goes away (delete, socket lost): remove the bridge's forwards that
 * remain and tell the other side's owner ("bridge_ended" with why).
 */
void bridge_end(struct keyd *kd, struct session *s, const char *why);

/* "bridge" in status: the other session and each forward's counters. */
void bridge_status(struct keyd *kd, struct session *s, struct json_object *out);

/* Persisted form (NULL: not bridged); session_load.c reads it back. */
struct json_object *bridge_save(const struct session *s);

/* After every session is restored: keep the bridges whose two sides and
 * forwards are all still there, end the others.
 */
void bridge_restore_all(struct keyd *kd);

/* A fwd-idle notification for one of s's forwards: "bridge_idle". */
void bridge_fwd_idle(struct keyd *kd, struct session *s, const struct kn_event *ev);

#endif /* KEYD_BRIDGE_H */
