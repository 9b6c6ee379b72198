/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keyd's DTLS identity: the self-signed certificate (never on disk) and
 * the engine built on it. The certificate is renewed once 2/3 of
 * dtls_cert_lifetime has passed: new sessions get the new one, a session
 * keeps the engine it started with for its whole life (its a=fingerprint
 * stays true), and an old engine is freed with its last session. Every
 * live engine's cookie secret rotates each dtls_cookie_rotate seconds; a
 * cookie of the previous secret stays valid for one more period.
 */
#ifndef KEYD_DTLS_IDENTITY_H
#define KEYD_DTLS_IDENTITY_H

#include <stddef.h>

#include "dtls.h"
#include "keyd.h"

/* The current engine (renewed or created if due), with a reference; NULL
 * with err on failure.
 */
struct dtls_engine *dident_get(struct keyd *kd, char *err, size_t errlen);
/* Drop a reference from dident_get(). */
void dident_put(struct dtls_engine *e);
/* For tests: engines alive, cookie rotations done. */
unsigned int dident_engines(void);
unsigned long dident_rotations(void);
/* Free everything (shutdown; every session is gone). */
void dident_free_all(void);

#endif /* KEYD_DTLS_IDENTITY_H */
