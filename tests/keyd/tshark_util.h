/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireshark's dissectors as an independent reader for the unit tests: a
 * message wrapped in one UDP packet (text2pcap, port 9000 decoded as
 * proto) and the fields tshark prints for it.
 */
#ifndef TESTS_KEYD_TSHARK_UTIL_H
#define TESTS_KEYD_TSHARK_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int tshark_have(void)
{
	return !system("command -v tshark >/dev/null && command -v text2pcap >/dev/null");
}

/* tshark's -T fields output for b[0..n) (fields: "-e a -e b"), ';' between
 * fields, ',' between occurrences, into out. 0, or -1.
 */
static inline int tshark_fields(const uint8_t *b, size_t n, const char *proto,
				const char *fields, char *out, size_t cap)
{
	char dir[] = "/tmp/tshark-XXXXXX", cmd[1024], path[64];
	size_t j, got;
	FILE *f;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/raw", dir);
	f = fopen(path, "w");
	for (j = 0; f && j < n; j++)
		fprintf(f, "%06zx %02x\n", j, b[j]);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "text2pcap -q -4 127.0.0.1,127.0.0.1 -u 9000,9000 %s/raw %s/p.pcap >/dev/null 2>&1 && "
		 "tshark -r %s/p.pcap -d udp.port==9000,%s -T fields '-Eseparator=;' "
		 "-E occurrence=a -E aggregator=, %s 2>/dev/null; rm -rf %s",
		 dir, dir, dir, proto, fields, dir);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	got = fread(out, 1, cap - 1, f);
	out[got] = 0;
	while (got && out[got - 1] == '\n')
		out[--got] = 0;
	return pclose(f) ? -1 : 0;
}

#endif /* TESTS_KEYD_TSHARK_UTIL_H */
