// SPDX-License-Identifier: GPL-2.0
/*
 * key=value logging to stderr (journald adds its own timestamp, but a
 * foreground run and the tests read the same lines). When stderr is the
 * journal's stream, each line starts with its syslog priority, "<3>" for
 * an error, which journald strips and stores (sd-daemon(3)), so
 * `journalctl -p warning` shows warnings and errors only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

static enum log_level level = LOG_INFO;
static const char *const names[] = { "error", "warn", "info", "debug" };
/* syslog's LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG (<syslog.h> is not
 * included: its macros clash with our level names).
 */
static const char *const prefixes[] = { "<3>", "<4>", "<6>", "<7>" };
static int journal = -1;	/* -1: not looked at yet */

/* "DEV:INO" in decimal, as systemd sets it; 0 unless both parse whole. */
static int parse_dev_ino(const char *s, unsigned long long *dev, unsigned long long *ino)
{
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	*dev = strtoull(s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return 0;
	*ino = strtoull(end + 1, &end, 10);
	return !*end;
}

int log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* systemd sets it for its service; a child whose stderr went
	 * elsewhere inherits it, hence the comparison with fd 2 itself.
	 */
	if (!e || !parse_dev_ino(e, &dev, &ino) || fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(void)
{
	journal = log_stderr_is_journal();
}

const char *log_prefix(enum log_level l)
{
	if (journal < 0)
		log_init();
	return journal ? prefixes[l] : "";
}

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
	fprintf(stderr, "%sts=%s.%03ldZ level=%s msg=%s", log_prefix(l), when,
		ts.tv_nsec / 1000000, names[l], log_q(msg));
	if (fmt && *fmt) {
		fputc(' ', stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
