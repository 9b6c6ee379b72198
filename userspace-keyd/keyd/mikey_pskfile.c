// SPDX-License-Identifier: GPL-2.0
/*
 * The MIKEY PSK file: parsed without I/O (fuzzable), loaded only when its
 * mode keeps it private, since anyone who reads it can impersonate keyd.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "harden.h"
#include "mikey_pskfile.h"

#define PSKFILE_SIZE_MAX	65536

/* One line without its newline; empty and comment lines add nothing. */
static const char *parse_line(struct pskfile *pf, const char *p, size_t len)
{
	size_t i = 0, idl, hs, hl, k;

	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == len || p[i] == '#')
		return NULL;
	for (idl = 0; i + idl < len && p[i + idl] != ' ' && p[i + idl] != '\t'; idl++)
		;
	if (idl > PSKFILE_ID_MAX)
		return "identity longer than 63 bytes";
	hs = i + idl;
	while (hs < len && (p[hs] == ' ' || p[hs] == '\t'))
		hs++;
	for (hl = 0; hs + hl < len && OPENSSL_hexchar2int((unsigned char)p[hs + hl]) >= 0;
	     hl++)
		;
	if (hs + hl < len && p[hs + hl] != ' ' && p[hs + hl] != '\t' && p[hs + hl] != '#')
		return "key is not hexadecimal";
	if (!hl || hl % 2 || hl / 2 < 16 || hl / 2 > PSKFILE_KEY_MAX)
		return "key must be 16 to 64 bytes in hex";
	if (pf->n == PSKFILE_MAX)
		return "more than 64 keys";
	for (k = 0; k < pf->n; k++)
		if (strlen(pf->e[k].id) == idl && !memcmp(pf->e[k].id, p + i, idl))
			return "identity listed twice";
	memcpy(pf->e[pf->n].id, p + i, idl);
	pf->e[pf->n].id[idl] = '\0';
	for (k = 0; k < hl / 2; k++) {
		int hi = OPENSSL_hexchar2int((unsigned char)p[hs + 2 * k]);
		int lo = OPENSSL_hexchar2int((unsigned char)p[hs + 2 * k + 1]);

		pf->e[pf->n].key[k] = (uint8_t)(hi << 4 | lo);
	}
	pf->e[pf->n++].key_len = hl / 2;
	return NULL;
}

int pskfile_parse(struct pskfile *pf, const char *text, size_t len, char *err, size_t errlen)
{
	size_t off = 0, line = 1;

	memset(pf, 0, sizeof(*pf));
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - text - off) : len - off;
		const char *why;

		if (memchr(text + off, '\0', l)) {
			why = "NUL byte";
		} else {
			why = parse_line(pf, text + off, l);
		}
		if (why) {
			snprintf(err, errlen, "line %zu: %s", line, why);
			pskfile_wipe(pf);
			return -1;
		}
		off += l + 1;
		line++;
	}
	return 0;
}

int pskfile_load(struct pskfile *pf, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	off_t size = 0;
	ssize_t n = -1;
	int fd, rc = -1;

	fd = keyd_secret_file_open(path, PSKFILE_SIZE_MAX, &size, err, errlen);
	if (fd < 0)
		return -1;
	if (!(buf = malloc((size_t)size + 1)))
		snprintf(err, errlen, "%s: out of memory", path);
	else if ((n = read(fd, buf, (size_t)size)) != size)
		snprintf(err, errlen, "%s: short read", path);
	else
		rc = pskfile_parse(pf, buf, (size_t)n, err, errlen);
	close(fd);
	if (buf) {
		OPENSSL_cleanse(buf, (size_t)size);
		free(buf);
	}
	return rc;
}

int pskfile_lookup(void *arg, const uint8_t *id, size_t idlen, const uint8_t **psk,
		   size_t *psklen)
{
	const struct pskfile *pf = arg;
	size_t i;

	if (!idlen) {	/* a message without IDi: the key listed as "-" */
		id = (const uint8_t *)"-";
		idlen = 1;
	}
	for (i = 0; i < pf->n; i++)
		if (strlen(pf->e[i].id) == idlen && !memcmp(pf->e[i].id, id, idlen)) {
			*psk = pf->e[i].key;
			*psklen = pf->e[i].key_len;
			return 0;
		}
	return -1;
}

void pskfile_wipe(struct pskfile *pf)
{
	OPENSSL_cleanse(pf, sizeof(*pf));
}
