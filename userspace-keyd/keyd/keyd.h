/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's one shared context, handed to every module.
 */
#ifndef KEYD_KEYD_H
#define KEYD_KEYD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kernel.h"

/* keyd's version (ping, metrics) */
#define KEYD_VERSION "1.0"

struct session;
struct control;
struct mhttp;

struct keyd {
	struct config cfg;
	struct kernel kn;
	struct control *ctl;
	struct mhttp *metrics;		/* NULL: metrics_listen off */
	struct session *sessions;	/* singly linked, newest first */
	size_t nsessions;
	/* ZRTP's ZID (RFC 6189 §4.9): one per keyd, kept in state_dir */
	uint8_t zrtp_zid[12];
	bool have_zrtp_zid;
	volatile bool stopping;
};

/* Monotonic milliseconds, for timers. */
uint64_t now_ms(void);

#endif /* KEYD_KEYD_H */
