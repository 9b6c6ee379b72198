/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping keys out of core dumps: keyd is not dumpable (no core, no
 * ptrace by other users), and what holds keys is allocated from
 * OpenSSL's secure heap (mlock()ed and MADV_DONTDUMP; OpenSSL also keeps
 * its private keys there once it exists).
 */
#ifndef KEYD_HARDEN_H
#define KEYD_HARDEN_H

#include <stddef.h>

#define KEYD_SECURE_HEAP	(4u << 20)	/* bytes; a power of two */

/* Call first thing in main(); 0, or -1 with err (nothing is fatal but
 * PR_SET_DUMPABLE: without the secure heap, key allocations fall back to
 * the normal heap, still wiped on free).
 */
int keyd_harden(char *err, size_t errlen);

/* Zeroed memory for keys; free with keyd_secret_free (wiped). */
void *keyd_secret_alloc(size_t len);
void keyd_secret_free(void *p, size_t len);

#endif /* KEYD_HARDEN_H */
