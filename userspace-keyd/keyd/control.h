/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a Unix stream socket where media servers send
 * newline-delimited JSON requests (media sockets ride along as SCM_RIGHTS)
 * and read replies and events. It also runs keyd's poll loop.
 */
#ifndef KEYD_CONTROL_H
#define KEYD_CONTROL_H

#include <stddef.h>
#include <json-c/json.h>

#include "keyd.h"

struct conn;

/* Listen on cfg.socket_path; 0 or -1 with err. */
int control_open(struct keyd *kd, char *err, size_t errlen);

/*
 * Serve until kd->stopping: clients, kernel events (fd kn_events_fd),
 * signals (sigfd, a signalfd; on_signal gets each signal number) and
 * session timers.
 */
void control_run(struct keyd *kd, int sigfd, void (*on_signal)(struct keyd *kd, int sig));

/* Close every connection and the listening socket (unlinked). */
void control_close(struct keyd *kd);

/* Queue obj (consumed) to a client as one line. Events sent while a
 * request is being handled go out after that request's reply.
 */
void conn_send(struct conn *c, struct json_object *obj);

/* Control clients connected now (metrics). */
unsigned int control_clients(const struct keyd *kd);

/* Who is on the other end (authz.h). */
struct authz_peer;
const struct authz_peer *conn_peer(const struct conn *c);

#endif /* KEYD_CONTROL_H */
