// SPDX-License-Identifier: GPL-2.0
/*
 * Certificate renewal and cookie secret rotation for keyd's DTLS engines.
 */
#include <stdlib.h>

#include "dtls_identity.h"
#include "log.h"
#include "method.h"

struct ident {
	struct ident *next;
	struct dtls_engine *eng;
	unsigned int refs;		/* sessions using it */
	uint64_t renew_at;		/* ms (monotonic): make a new one after this */
};

static struct ident *idents;		/* the current one first */
static uint64_t rotate_at;
static unsigned long rotations;

static struct ident *ident_new(struct keyd *kd, uint64_t now, char *err, size_t errlen)
{
	unsigned int life = kd->cfg.dtls_cert_lifetime;
	struct dtls_cert *cert = dtls_cert_generate_secs(NULL, life, err, errlen);
	struct ident *id;

	if (!cert)
		return NULL;
	id = calloc(1, sizeof(*id));
	if (id)
		id->eng = dtls_engine_new(&(struct dtls_engine_config){ .cert = cert },
					  err, errlen);
	dtls_cert_free(cert);
	if (!id || !id->eng) {
		free(id);
		return NULL;
	}
	/* renewed with a third of its life left: calls started just before
	 * still have that long before the certificate they signalled expires
	 */
	id->renew_at = now + (uint64_t)life * 1000 * 2 / 3;
	log_info("DTLS certificate generated", "fingerprint=%s lifetime_s=%u",
		 log_q(dtls_engine_fingerprint(id->eng)), life);
	return id;
}

static void ident_free(struct ident *id)
{
	dtls_engine_free(id->eng);
	free(id);
}

/* Old identities nobody uses any more go; the current one stays. */
static void reap(void)
{
	struct ident **pp, *id;

	if (!idents)
		return;
	pp = &idents->next;
	while ((id = *pp)) {
		if (id->refs) {
			pp = &id->next;
			continue;
		}
		*pp = id->next;
		log_info("old DTLS certificate released", "fingerprint=%s",
			 log_q(dtls_engine_fingerprint(id->eng)));
		ident_free(id);
	}
}

/* A new current identity if the current one is due; 0, or -1 with err. */
static int renew(struct keyd *kd, uint64_t now, char *err, size_t errlen)
{
	struct ident *id;

	if (idents && now < idents->renew_at)
		return 0;
	id = ident_new(kd, now, err, errlen);
	if (!id)
		return -1;
	if (idents)
		log_info("DTLS certificate renewed: new sessions use the new one",
			 "old=%s new=%s", log_q(dtls_engine_fingerprint(idents->eng)),
			 log_q(dtls_engine_fingerprint(id->eng)));
	id->next = idents;
	idents = id;
	if (!rotate_at)
		rotate_at = now + (uint64_t)kd->cfg.dtls_cookie_rotate * 1000;
	reap();
	return 0;
}

struct dtls_engine *dident_get(struct keyd *kd, char *err, size_t errlen)
{
	if (renew(kd, now_ms(), err, errlen) && !idents)
		return NULL;
	/* a failed renewal keeps the current one: it is still valid for a while */
	idents->refs++;
	return idents->eng;
}

void dident_put(struct dtls_engine *e)
{
	struct ident *id;

	for (id = idents; id; id = id->next) {
		if (id->eng == e && id->refs) {
			id->refs--;
			break;
		}
	}
	reap();
}

int dtls_housekeeping(struct keyd *kd, uint64_t now)
{
	struct ident *id;
	char err[256];
	uint64_t next;

	if (!idents)
		return -1;	/* no DTLS yet: nothing to renew or rotate */
	if (now >= idents->renew_at && renew(kd, now, err, sizeof(err)))
		log_warn("DTLS certificate renewal failed; retrying", "err=%s", log_q(err));
	if (now >= rotate_at) {
		for (id = idents; id; id = id->next)
			dtls_engine_rotate_cookie_secret(id->eng);
		rotations++;
		rotate_at = now + (uint64_t)kd->cfg.dtls_cookie_rotate * 1000;
		log_debug("DTLS cookie secret rotated", "engines=%u", dident_engines());
	}
	next = idents->renew_at < rotate_at ? idents->renew_at : rotate_at;
	if (next <= now)
		return 1000;	/* a failed renewal: try again in a second */
	return next - now > 60000 ? 60000 : (int)(next - now);
}

unsigned int dident_engines(void)
{
	unsigned int n = 0;
	struct ident *id;

	for (id = idents; id; id = id->next)
		n++;
	return n;
}

unsigned long dident_rotations(void)
{
	return rotations;
}

void dident_free_all(void)
{
	struct ident *id;

	while ((id = idents)) {
		idents = id->next;
		ident_free(id);
	}
	rotate_at = 0;
}
