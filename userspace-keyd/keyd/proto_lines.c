// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's framing (proto.h): newline-delimited requests and
 * the file descriptors that arrived beside their bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "proto.h"

static int grow(struct linebuf *lb, size_t need)
{
	size_t cap = lb->cap ? lb->cap : 4096;
	char *nb;

	while (cap < need)
		cap *= 2;
	if (cap == lb->cap)
		return 0;
	nb = malloc(cap);
	if (!nb)
		return -1;
	/* copy and wipe rather than realloc: the old block may hold keys */
	if (lb->len)
		memcpy(nb, lb->buf, lb->len);
	if (lb->buf) {
		OPENSSL_cleanse(lb->buf, lb->cap);
		free(lb->buf);
	}
	lb->buf = nb;
	lb->cap = cap;
	return 0;
}

/* Forget the line linebuf_next returned last: the caller is done with it. */
static void drop_returned(struct linebuf *lb)
{
	size_t n = lb->returned;

	if (!n)
		return;
	OPENSSL_cleanse(lb->buf, n);
	memmove(lb->buf, lb->buf + n, lb->len - n);
	lb->len -= n;
	lb->base += n;
	lb->returned = 0;
	lb->scan = 0;
}

int linebuf_append(struct linebuf *lb, const char *data, size_t n,
		   const int *fds, int nfds)
{
	size_t start, p, ls = SIZE_MAX;
	struct fd_group *g;
	int i;

	drop_returned(lb);
	start = lb->len;
	if (nfds > PROTO_MAX_FDS || (nfds > 0 && lb->ngroups == PROTO_MAX_FD_GROUPS))
		return LB_TOO_MANY_FDS;
	if (lb->len + n > 2 * (size_t)PROTO_MAX_LINE + 2)
		return LB_TOO_LONG;
	if (grow(lb, lb->len + n + 1))
		return LB_NOMEM;
	memcpy(lb->buf + lb->len, data, n);
	lb->len += n;
	if (nfds <= 0)
		return LB_OK;
	/* the last line starting within [start, len), else the one in progress */
	for (p = lb->len; p > start; p--) {
		if (p - 1 == 0 || lb->buf[p - 2] == '\n') {
			ls = p - 1;
			break;
		}
	}
	if (ls == SIZE_MAX) {
		ls = start;
		while (ls > 0 && lb->buf[ls - 1] != '\n')
			ls--;
	}
	g = &lb->groups[lb->ngroups++];
	g->line_start = lb->base + ls;
	g->n = nfds;
	for (i = 0; i < nfds; i++)
		g->fds[i] = fds[i];
	return LB_OK;
}

int linebuf_next(struct linebuf *lb, char **line, size_t *len,
		 int fds[LB_MAX_LINE_FDS], int *nfds)
{
	char *nl;
	size_t n, i, j;
	int k;

	*nfds = 0;
	drop_returned(lb);
	nl = lb->len > lb->scan ? memchr(lb->buf + lb->scan, '\n', lb->len - lb->scan) : NULL;
	if (!nl) {
		lb->scan = lb->len;
		return lb->len > PROTO_MAX_LINE ? LB_TOO_LONG : 0;
	}
	n = (size_t)(nl - lb->buf);
	if (n > PROTO_MAX_LINE)
		return LB_TOO_LONG;
	*nl = 0;
	*line = lb->buf;
	*len = n;
	if (n && lb->buf[n - 1] == '\r')
		lb->buf[--(*len)] = 0;
	/* this line starts at stream offset base: its fds were recorded there */
	for (i = 0, j = 0; i < lb->ngroups; i++) {
		struct fd_group *g = &lb->groups[i];

		if (g->line_start <= lb->base) {
			for (k = 0; k < g->n; k++)
				fds[(*nfds)++] = g->fds[k];
		} else {
			lb->groups[j++] = *g;
		}
	}
	lb->ngroups = j;
	lb->returned = n + 1;
	return 1;
}

size_t linebuf_take_fds(struct linebuf *lb, int *out, size_t max)
{
	size_t i, n = 0;
	int k;

	for (i = 0; i < lb->ngroups; i++)
		for (k = 0; k < lb->groups[i].n; k++)
			if (n < max)
				out[n++] = lb->groups[i].fds[k];
	lb->ngroups = 0;
	return n;
}

void linebuf_free(struct linebuf *lb)
{
	if (lb->buf) {
		OPENSSL_cleanse(lb->buf, lb->cap);
		free(lb->buf);
	}
	memset(lb, 0, sizeof(*lb));
}
