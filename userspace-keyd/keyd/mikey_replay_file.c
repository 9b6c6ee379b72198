// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's replay cache across restarts (RFC 3830 §5.4): kept in keyd's
 * state directory as mikey-replay.json, one "<SHA-1 hex><T hex>" string per
 * accepted I_MESSAGE still inside the clock-skew window. A restarted keyd
 * that found it refuses what the old one accepted; one that cannot read it
 * has lost track, and the method refuses offers for a window.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mikey_method.h"
#include "state.h"

#define REPLAY_FILE	"mikey-replay"
#define ENTRY_HEX	(2 * 20 + 16)

void mk_replay_save(struct keyd *kd, const struct mikey_replay *rc)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	char e[ENTRY_HEX + 1];
	size_t i, j;
	int err;

	for (i = 0; i < rc->n; i++) {
		for (j = 0; j < 20; j++)
			snprintf(e + 2 * j, 3, "%02x", rc->e[i].digest[j]);
		snprintf(e + 40, 17, "%016" PRIx64, rc->e[i].t);
		json_object_array_add(arr, json_object_new_string(e));
	}
	json_object_object_add(o, "entries", arr);
	err = state_write_named(kd, REPLAY_FILE, o);
	if (err)
		log_warn("cannot save MIKEY's replay cache", "err=%s", log_q(strerror(-err)));
	json_object_put(o);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One entry: 20 digest bytes and the 64-bit T, all lower-case hex. */
static int parse_entry(const char *s, uint8_t digest[20], uint64_t *t)
{
	size_t i;
	int hi, lo;

	if (!s || strlen(s) != ENTRY_HEX)
		return -1;
	for (i = 0; i < 20; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	for (*t = 0, i = 40; i < ENTRY_HEX; i++) {
		if (hexval(s[i]) < 0)
			return -1;
		*t = *t << 4 | (uint64_t)hexval(s[i]);
	}
	return 0;
}

int mk_replay_load(struct keyd *kd, struct mikey_replay *rc, char *why, size_t whylen)
{
	struct json_object *o = state_read_named(kd, REPLAY_FILE), *arr;
	size_t i, n;
	int rc_ = 0;

	memset(rc, 0, sizeof(*rc));
	if (!o) {
		if (errno == ENOENT)
			return 0;	/* first start, or persistence off */
		snprintf(why, whylen, "%s.json is not JSON", REPLAY_FILE);
		return -1;
	}
	if (!json_object_object_get_ex(o, "entries", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > MIKEY_REPLAY_MAX) {
		snprintf(why, whylen, "%s.json has no entries array of at most %d", REPLAY_FILE,
			 MIKEY_REPLAY_MAX);
		rc_ = -1;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (parse_entry(json_object_get_string(json_object_array_get_idx(arr, i)),
				rc->e[i].digest, &rc->e[i].t)) {
			snprintf(why, whylen, "%s.json: entry %zu is malformed", REPLAY_FILE, i);
			memset(rc, 0, sizeof(*rc));
			rc_ = -1;
			break;
		}
		rc->n++;
	}
	json_object_put(o);
	return rc_;
}
