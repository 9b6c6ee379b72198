/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GET /metrics over HTTP, served by libmicrohttpd in its external mode:
 * keyd's poll loop watches mhttp_fd() and calls mhttp_run(), so requests
 * are answered in keyd's own thread and the metrics read keyd's state
 * without a lock or a copy. Anything but GET (or HEAD) /metrics is refused
 * (404 for other paths, 405 for other methods). No authentication: bind
 * it to localhost or a management network.
 */
#ifndef KEYD_METRICS_HTTP_H
#define KEYD_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct mhttp;

/* The response body, malloc'd (the server frees it); NULL: 500. */
typedef char *(*mhttp_body_fn)(void *arg, size_t *len);

/* Listen on addr (port 0: any; see mhttp_port); NULL with err on failure. */
struct mhttp *mhttp_open(const struct sockaddr_storage *addr, mhttp_body_fn body, void *arg,
			 char *err, size_t errlen);
void mhttp_close(struct mhttp *h);
uint16_t mhttp_port(struct mhttp *h);

/* Poll this fd for POLLIN; -1 without a server. */
int mhttp_fd(struct mhttp *h);
/* ms until mhttp_run() is due anyway (connection timeouts), or -1. */
int mhttp_timeout(struct mhttp *h);
/* Accept, read and answer what is ready; never blocks. */
void mhttp_run(struct mhttp *h);

#endif /* KEYD_METRICS_HTTP_H */
