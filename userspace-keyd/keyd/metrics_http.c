// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint on libmicrohttpd. External polling (MHD_USE_EPOLL
 * without an internal thread) rather than MHD's own thread: keyd's state
 * then stays single-threaded, and a scrape sees one consistent moment of
 * it without a snapshot under a lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "log.h"
#include "metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct mhttp {
	struct MHD_Daemon *d;
	mhttp_body_fn body;
	void *arg;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	log_warn("metrics http", "err=%s", log_q(msg));
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, body ? MHD_RESPMEM_MUST_FREE :
							      MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_len, void **req_cls)
{
	static const char not_found[] = "not found: try /metrics\n";
	struct mhttp *h = cls;
	char *body;
	size_t len = 0;

	(void)version;
	(void)upload;
	(void)req_cls;
	*upload_len = 0;	/* a request body is ignored */
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, strdup(not_found), strlen(not_found),
			     "text/plain");
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, 0, "text/plain");
	body = h->body(h->arg, &len);
	if (!body)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, 0, "text/plain");
	return reply(c, MHD_HTTP_OK, body, len, CONTENT_TYPE);
}

struct mhttp *mhttp_open(const struct sockaddr_storage *addr, mhttp_body_fn body, void *arg,
			 char *err, size_t errlen)
{
	struct mhttp *h = calloc(1, sizeof(*h));
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	uint16_t port;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->body = body;
	h->arg = arg;
	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* MHD binds addr; the port argument only goes into its messages */
	port = ntohs(addr->ss_family == AF_INET6 ?
		     ((const struct sockaddr_in6 *)addr)->sin6_port :
		     ((const struct sockaddr_in *)addr)->sin_port);
	/* few, short scrapes: small limits keep a misbehaving client cheap */
	/* no LISTENING_ADDRESS_REUSE: it is SO_REUSEPORT, a second keyd would
	 * share the port instead of failing
	 */
	h->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
				MHD_OPTION_CONNECTION_LIMIT, 16U,
				MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot listen (address in use or not local?)");
		free(h);
		return NULL;
	}
	return h;
}

void mhttp_close(struct mhttp *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

uint16_t mhttp_port(struct mhttp *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

int mhttp_fd(struct mhttp *h)
{
	const union MHD_DaemonInfo *i;

	if (!h)
		return -1;
	i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int mhttp_timeout(struct mhttp *h)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (!h || MHD_get_timeout(h->d, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

void mhttp_run(struct mhttp *h)
{
	if (h)
		MHD_run(h->d);
}
