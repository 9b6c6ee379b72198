/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structured logs: one "key=value ..." line per event on stderr, e.g.
 *   ts=2025-01-02T03:04:05.678Z level=info msg="session secure" session=kd-1f suite=AEAD_AES_128_GCM
 * Values with spaces or quotes go through log_q(). Keys are never logged.
 * When stderr is the journal (JOURNAL_STREAM names fd 2's device and
 * inode), each line starts with its syslog priority: "<3>ts=...".
 */
#ifndef KEYD_LOG_H
#define KEYD_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level l);
/* Looks at JOURNAL_STREAM and stderr again (the first line does it too). */
void log_init(void);
/* 1 if JOURNAL_STREAM is "DEV:INO" of what fd 2 is now. */
int log_stderr_is_journal(void);
/* "<N>" for level l when stderr is the journal, else "". */
const char *log_prefix(enum log_level l);
/* "error", "warn", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *s);
/* Whether lines of this level are written. */
int log_enabled(enum log_level l);

/* msg is a short fixed text; fmt adds the key=value fields (may be NULL). */
void log_kv(enum log_level l, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s as a log value: bare if safe, else quoted with escapes. Eight calls may
 * be live at once (a rotating set of buffers).
 */
const char *log_q(const char *s);

#define log_err(msg, ...)	log_kv(LOG_ERR, msg, __VA_ARGS__)
#define log_warn(msg, ...)	log_kv(LOG_WARN, msg, __VA_ARGS__)
#define log_info(msg, ...)	log_kv(LOG_INFO, msg, __VA_ARGS__)
#define log_debug(msg, ...)	log_kv(LOG_DEBUG, msg, __VA_ARGS__)

#endif /* KEYD_LOG_H */
