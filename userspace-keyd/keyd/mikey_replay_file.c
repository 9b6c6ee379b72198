// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY's replay cache across restarts (RFC 3830 §5.4): kept in keyd's
 * state directory as mikey-replay.json, one "<SHA-1 hex><T hex>" string per
 * accepted I_MESSAGE still inside the clock-skew window, and one
 * "<SHA-1 hex><counter hex>" per identity that sent COUNTER timestamps. A restarted keyd
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
#define COUNTER_HEX	(2 * 20 + 8)

static void hex_digest(const uint8_t d[20], char *out)
{
	size_t j;

	for (j = 0; j < 20; j++)
		snprintf(out + 2 * j, 3, "%02x", d[j]);
}

void mk_replay_save(struct keyd *kd, const struct mikey_replay *rc)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	char e[ENTRY_HEX + 1];
	size_t i;
	int err;

	for (i = 0; i < rc->n; i++) {
		hex_digest(rc->e[i].digest, e);
		snprintf(e + 40, 17, "%016" PRIx64, rc->e[i].t);
		json_object_array_add(arr, json_object_new_string(e));
	}
	json_object_object_add(o, "entries", arr);
	arr = json_object_new_array();
	for (i = 0; i < rc->nc; i++) {
		hex_digest(rc->c[i].id, e);
		snprintf(e + 40, 9, "%08" PRIx32, rc->c[i].last);
		json_object_array_add(arr, json_object_new_string(e));
	}
	json_object_object_add(o, "counters", arr);
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

/* One entry: 20 digest bytes and a value of len - 40 hex digits, lower case. */
static int parse_entry(const char *s, size_t len, uint8_t digest[20], uint64_t *t)
{
	size_t i;
	int hi, lo;

	if (!s || strlen(s) != len)
		return -1;
	for (i = 0; i < 20; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	for (*t = 0, i = 40; i < len; i++) {
		if (hexval(s[i]) < 0)
			return -1;
		*t = *t << 4 | (uint64_t)hexval(s[i]);
	}
	return 0;
}

/* The counters array (absent in files from before COUNTER support). */
static int load_counters(struct json_object *o, struct mikey_replay *rc, char *why,
			 size_t whylen)
{
	struct json_object *arr;
	uint64_t v;
	size_t i, n;

	if (!json_object_object_get_ex(o, "counters", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > MIKEY_COUNTER_PEERS)
		return snprintf(why, whylen, "%s.json: counters is no array of at most %d",
				REPLAY_FILE, MIKEY_COUNTER_PEERS), -1;
	for (i = 0; i < n; i++) {
		if (parse_entry(json_object_get_string(json_object_array_get_idx(arr, i)),
				COUNTER_HEX, rc->c[i].id, &v))
			return snprintf(why, whylen, "%s.json: counter %zu is malformed",
					REPLAY_FILE, i), -1;
		rc->c[i].last = (uint32_t)v;
		rc->nc++;
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
				ENTRY_HEX, rc->e[i].digest, &rc->e[i].t)) {
			snprintf(why, whylen, "%s.json: entry %zu is malformed", REPLAY_FILE, i);
			rc_ = -1;
			break;
		}
		rc->n++;
	}
	if (!rc_ && load_counters(o, rc, why, whylen))
		rc_ = -1;
	if (rc_)
		memset(rc, 0, sizeof(*rc));
	json_object_put(o);
	return rc_;
}
