// SPDX-License-Identifier: GPL-2.0
/*
 * key=value logging to stderr (journald adds its own timestamp, but a
 * foreground run and the tests read the same lines).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static enum log_level level = LOG_INFO;
static const char *const names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level l)
{
	level = l;
}

int log_level_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

int log_enabled(enum log_level l)
{
	return l <= level;
}

const char *log_q(const char *s)
{
	static char bufs[8][256];
	static unsigned int next;
	char *b = bufs[next++ % 8];
	size_t o = 0;
	const char *p;
	int bare = *s != 0;

	for (p = s; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
			bare = 0;
	if (bare && strlen(s) < sizeof(bufs[0]))
		return s;
	b[o++] = '"';
	for (p = s; *p && o < sizeof(bufs[0]) - 6; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			b[o++] = '\\';
			b[o++] = (char)c;
		} else if (c < ' ' || c == 0x7f) {
			o += (size_t)snprintf(b + o, 5, "\\x%02x", c);
		} else {
			b[o++] = (char)c;
		}
	}
	b[o++] = '"';
	b[o] = 0;
	return b;
}

void log_kv(enum log_level l, const char *msg, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	if (l > level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "ts=%s.%03ldZ level=%s msg=%s", when, ts.tv_nsec / 1000000,
		names[l], log_q(msg));
	if (fmt && *fmt) {
		fputc(' ', stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
