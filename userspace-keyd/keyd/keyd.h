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

struct session;
struct control;

struct keyd {
	struct config cfg;
	struct kernel kn;
	struct control *ctl;
	struct session *sessions;	/* singly linked, newest first */
	size_t nsessions;
	volatile bool stopping;
};

/* Monotonic milliseconds, for timers. */
uint64_t now_ms(void);

#endif /* KEYD_KEYD_H */
