// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol (userspace-keyd/keyd/proto.c):
 * the input arrives in chunks (sizes and fake SCM_RIGHTS fds derived from
 * its first bytes), is framed into lines, and every line is parsed and
 * answered the way keyd's control loop does it.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static void answer(const char *line, size_t len)
{
	struct json_object *reply;
	struct request req;
	char err[256], *out;
	size_t n;

	if (proto_parse(line, len, &req, err, sizeof(err))) {
		if (!err[0])
			abort();	/* every refusal says why */
		reply = proto_reply_err(req.id, "bad_request", err);
	} else {
		reply = proto_reply_ok(req.id);
		json_object_object_add(reply, "op", json_object_new_string(op_name(req.op)));
		if (req.nattrs)
			json_object_object_add(reply, "first", json_object_new_string(req.attrs[0]));
	}
	request_free(&req);
	out = proto_serialize_put(reply, &n);
	if (out && (!n || out[n - 1] != '\n'))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb = { 0 };
	int fds[LB_MAX_LINE_FDS], nfds, fake[PROTO_MAX_FDS + 1], rc;
	size_t off = 0, chunk, len, i;
	unsigned int seed = size ? data[0] : 0, k = 0;
	char *line;

	while (off < size) {
		chunk = 1 + (seed * 31 + k * 7) % 97;
		if (chunk > size - off)
			chunk = size - off;
		for (i = 0; i <= PROTO_MAX_FDS; i++)
			fake[i] = 1000 + (int)(k * 4 + i);
		rc = linebuf_append(&lb, (const char *)data + off, chunk, fake,
				    (int)((seed >> (k % 8)) % 4));
		off += chunk;
		k++;
		if (rc == LB_TOO_MANY_FDS)
			continue;
		if (rc)
			break;
		while ((rc = linebuf_next(&lb, &line, &len, fds, &nfds)) == 1) {
			if (nfds > LB_MAX_LINE_FDS)
				abort();
			answer(line, len);
		}
		if (rc < 0)
			break;
	}
	linebuf_take_fds(&lb, fds, LB_MAX_LINE_FDS);
	linebuf_free(&lb);
	/* the whole input as one request, and as an address */
	if (size < PROTO_MAX_LINE)
		answer((const char *)data, size);
	if (size < 128) {
		struct sockaddr_storage ss;
		socklen_t sl;
		char buf[130];

		memcpy(buf, data, size);
		buf[size] = 0;
		if (!proto_parse_addr(buf, &ss, &sl))
			proto_format_addr(&ss, buf, sizeof(buf));
	}
	return 0;
}
