// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MIKEY codec (userspace-keyd/keyd/mikey_msg.c,
 * mikey_payload.c): decode; anything accepted must encode back to exactly
 * the input bytes, every MAC/signature range must lie inside it, and each
 * KEMAC's data (and the input itself) goes through the key data decoder,
 * whose accepted chains must also re-encode exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "mikey_msg.h"

static struct mikey_msg msg;
static uint8_t out[70000];

static void keydata(const uint8_t *p, size_t len)
{
	struct mikey_keydata k[MIKEY_MAX_KEYS];
	const char *why;
	size_t n, m;

	if (mikey_keydata_decode(p, len, k, MIKEY_MAX_KEYS, &n, &why))
		return;
	m = mikey_keydata_encode(k, n, out, sizeof(out), &why);
	if (m != len || memcmp(out, p, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	size_t i, n;

	keydata(data, size);
	if (mikey_decode(data, size, &msg, &why))
		return 0;
	n = mikey_encode(&msg, out, sizeof(out), &why);
	if (n != size || memcmp(out, data, size))
		abort();
	for (i = 0; i < msg.npl; i++) {
		const struct mikey_payload *pl = &msg.pl[i];

		if (mikey_auth_len(&msg, i) > size || pl->off + pl->len > size)
			abort();
		if (pl->type == MIKEY_PT_KEMAC)
			keydata(pl->u.kemac.enc.p, pl->u.kemac.enc.len);
	}
	return 0;
}
