/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session state files, so a restarted keyd can pick up the sessions whose
 * media kept flowing: one JSON file per session in state_dir, written
 * atomically, holding cookies, key ids and key fingerprints but never a key.
 */
#ifndef KEYD_STATE_H
#define KEYD_STATE_H

#include <json-c/json.h>

#include "keyd.h"

/* Create state_dir (mode 0700) if persistence is on; 0 or -errno. */
int state_init(struct keyd *kd);
/*
 * Write (replace) a session's file atomically (temp file, fsync, rename);
 * 0, or -errno with nothing left behind: the caller retries later.
 */
#define STATE_RETRY_MS 1000
int state_write(struct keyd *kd, const char *id, struct json_object *obj);
void state_remove(struct keyd *kd, const char *id);
/*
 * A keyd-wide file beside the sessions' (name.json, never read as a
 * session): written atomically like them; read back as JSON, or NULL with
 * errno ENOENT (none, or persistence off) or another errno (unreadable).
 */
int state_write_named(struct keyd *kd, const char *name, struct json_object *obj);
struct json_object *state_read_named(struct keyd *kd, const char *name);
/* Call cb with each readable file's JSON (borrowed) and its session id. */
void state_for_each(struct keyd *kd,
		    void (*cb)(struct keyd *kd, const char *id, struct json_object *o));

#endif /* KEYD_STATE_H */
