// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for keyd's state-file reader: the input is written as
 * one session file into a private state_dir, read back with state.c's
 * state_for_each() (file, JSON) and parsed with session_load() (every
 * common field a restarted keyd takes from it). The method table is a
 * stub: the methods' own restore needs the kernel's contexts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "session.h"
#include "state.h"

static const struct method stub_sdes = { .name = "sdes" }, stub_dtls = { .name = "dtls" };

const struct method *method_find(const char *name)
{
	return !strcmp(name, "sdes") ? &stub_sdes : !strcmp(name, "dtls") ? &stub_dtls : NULL;
}

static struct keyd kd;
static unsigned int loaded;

static void check(struct keyd *k, const char *id, struct json_object *o)
{
	struct session *s = session_load(id, o);

	(void)k;
	if (!s)
		return;
	if (s->nsocks < 1 || s->nsocks > SESSION_MAX_SOCKS || s->nsuites > SUITE_COUNT ||
	    s->noffer_suites > SUITE_COUNT || !memchr(s->id, 0, sizeof(s->id)) ||
	    !memchr(s->fail_reason, 0, sizeof(s->fail_reason)) || s->state > SS_FAILED ||
	    strcmp(s->id, id) || !s->restored || s->mstate)
		abort();
	/* a bridge read back names a session and one forward per socket, ids from 1 */
	if (s->bridge.to[0] && (!memchr(s->bridge.to, 0, sizeof(s->bridge.to)) ||
				s->bridge.nfwd != s->nsocks || !s->bridge.fwd[0]))
		abort();
	loaded++;
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[300];
	FILE *f;

	if (!kd.cfg.state_dir[0]) {
		log_set_level(LOG_ERR);
		snprintf(kd.cfg.state_dir, sizeof(kd.cfg.state_dir), "/tmp/keyd-fuzz-state.XXXXXX");
		if (!mkdtemp(kd.cfg.state_dir))
			abort();
		snprintf(path, sizeof(path), "%s/session-kd-fuzz.json", kd.cfg.state_dir);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	state_for_each(&kd, check);
	unlink(path);
	return 0;
}
