// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for keyd's reading of the ksrtp module's messages
 * (userspace-keyd/keyd/kernel_parse.c over knl.c's checked parse): the
 * input's first byte picks the parser (info, sock, ctx, event, upcall),
 * its second the genetlink command, the rest is the attribute payload. The
 * message is allocated to its exact size, so that reading an attribute
 * past its length is an ASan report.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_parse.h"

static struct nl_msg *make_msg(uint8_t cmd, const uint8_t *data, size_t len)
{
	size_t total = NLMSG_HDRLEN + GENL_HDRLEN + NLMSG_ALIGN(len);
	struct nl_msg *m = nlmsg_alloc_size(total);
	void *p;

	if (!m)
		return NULL;
	if (!genlmsg_put(m, 0, 0, 0x20, 0, 0, cmd, 1) ||
	    !(p = nlmsg_reserve(m, len, NLMSG_ALIGNTO))) {
		nlmsg_free(m);
		return NULL;
	}
	memcpy(p, data, len);
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel k = { 0 };
	struct kn_sock_info si;
	struct kn_ctx_info ci;
	struct kn_fwd_info fi;
	struct kn_event ev;
	struct kn_upcall *u;
	struct nl_msg *m;
	uint64_t cookie;
	unsigned int i;

	if (size < 2 || size > 70000)
		return 0;
	m = make_msg(data[1], data + 2, size - 2);
	if (!m)
		return 0;
	switch (data[0] % 7) {
	case 0:
		kn_parse_info(m, &k);
		if (!memchr(k.module_version, 0, sizeof(k.module_version)))
			abort();
		break;
	case 1:
		kn_parse_cookie(m, &cookie);
		break;
	case 2:
		if (!kn_parse_sock(m, &si) && si.stats[0])
			abort();	/* counters only by attribute, 1..max */
		break;
	case 3:
		if (!kn_parse_ctx(m, &ci)) {
			if (ci.nkeys > KSRTP_MAX_KEYS)
				abort();
			for (i = 0; i < ci.nkeys; i++)
				if (ci.keys[i].mki_len > KSRTP_MAX_MKI_LEN)
					abort();
		}
		break;
	case 4:
		kn_parse_event(m, &ev);
		break;
	case 5:
		if (!kn_parse_fwd(m, &fi) && (!fi.id || fi.stats[0]))
			abort();	/* an id is required; counters 1..max */
		break;
	default:
		if (!kn_parse_upcall(m, &u) && u) {
			if (!u->len)
				abort();	/* data is at least one byte */
			free(u);
		}
		break;
	}
	nlmsg_free(m);
	return 0;
}
