/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny sd_notify(3): datagrams to $NOTIFY_SOCKET, no libsystemd needed.
 */
#ifndef KEYD_NOTIFY_H
#define KEYD_NOTIFY_H

#include <stdint.h>

/* Read NOTIFY_SOCKET and WATCHDOG_USEC (then unset them for children). */
void notify_init(void);
/* Send a state string such as "READY=1"; a no-op without NOTIFY_SOCKET. */
void notify_send(const char *state);
/* Send WATCHDOG=1 if half the watchdog interval passed; returns the ms
 * until the next one is due, or -1 without a watchdog.
 */
int notify_watchdog(uint64_t now);

#endif /* KEYD_NOTIFY_H */
