// SPDX-License-Identifier: GPL-2.0
/*
 * What the session layer offers methods (session.h's "For methods"): their
 * contexts' names, the signalling check, persistence marks and events.
 */
#include <string.h>
#include <netinet/in.h>

#include "control.h"
#include "log.h"
#include "session.h"

void session_rtcp_peer(struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		sin->sin_port = htons((uint16_t)(ntohs(sin->sin_port) + 1));
	else
		sin6->sin6_port = htons((uint16_t)(ntohs(sin6->sin6_port) + 1));
}

void session_ctx_name(const struct session *s, unsigned int sock, uint32_t dir,
		      struct kn_ctx *out)
{
	memset(out, 0, sizeof(*out));
	out->cookie = s->cookie[sock];
	out->dir = dir;
	/* only RX is bound: the peer's packets must come from there */
	if (dir == KSRTP_DIR_RX && s->has_remote) {
		out->has_remote = true;
		out->remote = s->remote;
		if (sock == 1)
			session_rtcp_peer(&out->remote);
	}
}

bool session_signalling_ok(struct keyd *kd, struct session *s, enum tristate req_secure)
{
	bool secure = req_secure == TRI_UNSET ? s->signalling_secure : req_secure == TRI_TRUE;

	if (secure)
		return true;
	if (!kd->cfg.allow_insecure_signalling)
		return false;
	/* allowed by policy, but then the keys are not bound to anything */
	if (s->verified) {
		s->verified = false;
		session_changed(s);
	}
	return true;
}

void session_changed(struct session *s)
{
	s->dirty = true;
}

void session_emit(struct keyd *kd, struct session *s, struct json_object *ev)
{
	const char *name = json_object_get_string(json_object_object_get(ev, "event"));

	log_info("event", "session=%s event=%s owner=%s", s->id, name,
		 s->owner ? "connected" : "none");
	(void)kd;
	if (s->owner)
		conn_send(s->owner, ev);
	else
		json_object_put(ev);
}

void session_tx_limit_event(struct keyd *kd, struct session *s, const struct kn_event *ev)
{
	struct json_object *e;

	if (ev->type != KN_EV_LIMIT || ev->dir != KSRTP_DIR_TX)
		return;
	e = proto_event_rekey_needed(s->id, ev->limit == KSRTP_LIMIT_HARD);
	if (e)
		session_emit(kd, s, e);
}
