// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the a=crypto parser (userspace-keyd/keyd/sdes.c):
 * parse, check, and for anything accepted generate the line again and
 * parse that: both parses must agree. The input also runs as a multi-line
 * offer through selection and answer matching.
 */
#include <stdlib.h>
#include <string.h>

#include "sdes.h"

static struct sdes_policy policy(void)
{
	struct sdes_policy p = { .kernel_suites = 0x3fe, .allow_unauthenticated = true };
	size_t i;

	for (i = 0; i < SUITE_COUNT; i++)
		p.prefs[p.nprefs++] = &suite_table[SUITE_COUNT - 1 - i];
	return p;
}

static void same(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	unsigned int i;

	if (a->tag != b->tag || a->suite != b->suite || strcmp(a->suite_name, b->suite_name) ||
	    a->nkeys != b->nkeys || a->flags != b->flags || a->kdr != b->kdr ||
	    a->kdr_given != b->kdr_given || a->wsh != b->wsh)
		abort();
	for (i = 0; i < a->nkeys; i++) {
		const struct sdes_key *x = &a->keys[i], *y = &b->keys[i];

		if (x->len != y->len || memcmp(x->material, y->material, x->len) ||
		    x->lifetime != y->lifetime || x->mki != y->mki || x->mki_len != y->mki_len)
			abort();
	}
}

static void roundtrip(const char *data, size_t size)
{
	struct sdes_policy p = policy();
	struct sdes_crypto c, again;
	char why[SDES_REASON_LEN], line[SDES_MAX_LINE * 2];
	int n;

	if (sdes_parse(data, size, &c, why, sizeof(why))) {
		if (!why[0])
			abort();	/* every refusal says why */
		return;
	}
	sdes_check(&c, &p, why, sizeof(why));
	n = sdes_format(&c, line, sizeof(line));
	if (n > 0) {
		if (sdes_parse(line, (size_t)n, &again, why, sizeof(why)))
			abort();
		same(&c, &again);
		sdes_wipe(&again);
	}
	sdes_wipe(&c);
}

static void as_offer(const char *data, size_t size)
{
	struct sdes_policy p = policy();
	const char *lines[16];
	struct sdes_crypto c, offered;
	char *copy, *s, *nl, why[2048];
	size_t n = 0;

	copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = 0;
	for (s = copy; n < 16 && s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = 0;
		lines[n++] = s;
	}
	if (sdes_select(lines, n, &p, &c, why, sizeof(why)) >= 0)
		sdes_wipe(&c);
	/* the first line as our offer, the second as the answer */
	if (n >= 2 && !sdes_parse(lines[0], strlen(lines[0]), &offered, why, 200)) {
		if (sdes_match_answer(&offered, 1, lines[1], &p, &c, why, sizeof(why)) == 0)
			sdes_wipe(&c);
		sdes_wipe(&offered);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip((const char *)data, size);
	as_offer((const char *)data, size);
	return 0;
}
