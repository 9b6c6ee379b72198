/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY pre-shared keys by identity, from a file only keyd's user may read
 * (config key mikey_psk_file). One key a line: "<identity> <hex key>";
 * '#' starts a comment. The identity is what the initiator sends as IDi;
 * "-" is the key for messages without an ID payload.
 */
#ifndef KEYD_MIKEY_PSKFILE_H
#define KEYD_MIKEY_PSKFILE_H

#include <stddef.h>
#include <stdint.h>

#define PSKFILE_MAX		64
#define PSKFILE_ID_MAX		63
#define PSKFILE_KEY_MAX		64	/* bytes */

struct pskfile {
	size_t n;
	struct {
		char id[PSKFILE_ID_MAX + 1];
		uint8_t key[PSKFILE_KEY_MAX];
		size_t key_len;
	} e[PSKFILE_MAX];
};

/* Parse text (no I/O). 0, or -1 with "line N: reason" in err. */
int pskfile_parse(struct pskfile *pf, const char *text, size_t len, char *err, size_t errlen);

/* Read path: refused unless a regular file with no group or other access. */
int pskfile_load(struct pskfile *pf, const char *path, char *err, size_t errlen);

/* A mikey_psk_lookup over a struct pskfile (arg). */
int pskfile_lookup(void *arg, const uint8_t *id, size_t idlen, const uint8_t **psk,
		   size_t *psklen);

void pskfile_wipe(struct pskfile *pf);

#endif /* KEYD_MIKEY_PSKFILE_H */
