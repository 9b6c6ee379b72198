// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control protocol parser and framing
 * (userspace-keyd/keyd/proto.c): every op, every field's type checks, the
 * error messages, addresses, and which request the SCM_RIGHTS fds of a
 * recvmsg() chunk belong to.
 */
#include <arpa/inet.h>
#include <string.h>
#include <netinet/in.h>

#include "ktap.h"
#include "proto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

static int parse(const char *line, struct request *req, char *err)
{
	return proto_parse(line, strlen(line), req, err, 256);
}

static void test_every_op(void)
{
	static const struct {
		const char *line;
		enum op op;
	} ok[] = {
		{ "{\"op\":\"ping\"}", OP_PING },
		{ "{\"op\":\"list\",\"id\":\"x-1\"}", OP_LIST },
		{ "{\"op\":\"create\",\"id\":1,\"role\":\"offerer\"}", OP_CREATE },
		{ "{\"op\":\"create\",\"id\":2,\"role\":\"answerer\",\"method\":\"sdes\",\"rtcp_mux\":false,"
		  "\"remote\":\"192.0.2.1:5004\",\"signalling_secure\":true,"
		  "\"suites\":[\"AEAD_AES_128_GCM\",\"AES_CM_128_HMAC_SHA1_80\"],\"mki_len\":2}",
		  OP_CREATE },
		{ "{\"op\":\"local_attributes\",\"session\":\"kd-0123\"}", OP_LOCAL_ATTRIBUTES },
		{ "{\"op\":\"local_attributes\",\"session\":\"kd-0123\",\"signalling_secure\":false}",
		  OP_LOCAL_ATTRIBUTES },
		{ "{\"op\":\"remote_attributes\",\"session\":\"kd-0123\",\"type\":\"answer\","
		  "\"attributes\":[\"a=crypto:1 X inline:AAAA\",\"a=rtcp-mux\"]}", OP_REMOTE_ATTRIBUTES },
		{ "{\"op\":\"remote_attributes\",\"session\":\"kd-0123\",\"attributes\":[],"
		  "\"remote\":\"[2001:db8::1]:6000\"}", OP_REMOTE_ATTRIBUTES },
		{ "{\"op\":\"status\",\"session\":\"kd-0123\"}", OP_STATUS },
		{ "{\"op\":\"rekey\",\"session\":\"kd-0123\",\"signalling_secure\":true}", OP_REKEY },
		{ "{\"op\":\"delete\",\"session\":\"kd-0123\"}", OP_DELETE },
		{ "{\"op\":\"watch\",\"session\":\"kd_A-z\"}  \r", OP_WATCH },
		{ "{\"op\":\"bridge\",\"session\":\"a\",\"bridge_to\":\"b\"}", OP_BRIDGE },
		{ "{\"op\":\"unbridge\",\"session\":\"a\"}", OP_UNBRIDGE },
	};
	struct request req;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		err[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(ok[i].line, &req, err), 0)) {
			ktap_diag("  %s: %s", ok[i].line, err);
			request_free(&req);
			continue;
		}
		KTAP_EXPECT_EQ(req.op, ok[i].op);
		request_free(&req);
	}
}

static void test_fields_typed(void)
{
	struct request req;
	char err[256];
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.remote;

	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"id\":7,\"role\":\"answerer\",\"rtcp_mux\":false,"
			     "\"remote\":\"192.0.2.1:5004\",\"signalling_secure\":true,"
			     "\"suites\":[\"AEAD_AES_128_GCM\",\"NULL_HMAC_SHA1_32\"]}", &req, err), 0);
	KTAP_EXPECT_EQ(req.role, ROLE_ANSWERER);
	KTAP_EXPECT_EQ(req.rtcp_mux, TRI_FALSE);
	KTAP_EXPECT_EQ(req.signalling_secure, TRI_TRUE);
	KTAP_EXPECT(req.has_remote);
	KTAP_EXPECT_EQ(sin->sin_family, AF_INET);
	KTAP_EXPECT_EQ(ntohs(sin->sin_port), 5004);
	KTAP_EXPECT_EQ(req.nsuites, 2);
	KTAP_EXPECT(!strcmp(req.suites[1]->name, "NULL_HMAC_SHA1_32"));
	KTAP_EXPECT_EQ(json_object_get_int(req.id), 7);
	KTAP_EXPECT(req.method == NULL);
	request_free(&req);

	KTAP_ASSERT_EQ(parse("{\"op\":\"remote_attributes\",\"session\":\"s1\",\"type\":\"offer\","
			     "\"attributes\":[\"a\",\"b\",\"c\"]}", &req, err), 0);
	KTAP_EXPECT_EQ(req.type, SDP_OFFER);
	KTAP_EXPECT_EQ(req.nattrs, 3);
	KTAP_EXPECT(!strcmp(req.attrs[2], "c"));
	KTAP_EXPECT(!strcmp(req.session, "s1"));
	KTAP_EXPECT_EQ(req.signalling_secure, TRI_UNSET);
	KTAP_EXPECT_EQ(req.rtcp_mux, TRI_UNSET);
	request_free(&req);

	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\"}", &req, err), 0);
	KTAP_EXPECT_EQ(req.dtls_verify, VERIFY_DEFAULT);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"dtls\","
			     "\"dtls_verify\":\"early_media\"}", &req, err), 0);
	KTAP_EXPECT_EQ(req.dtls_verify, VERIFY_EARLY_MEDIA);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"dtls_verify\":\"strict\"}",
			     &req, err), 0);
	KTAP_EXPECT_EQ(req.dtls_verify, VERIFY_STRICT);
	KTAP_EXPECT_EQ(req.method_fields, REQF_DTLS_VERIFY);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"mikey\","
			     "\"ssrcs\":[4369,4294967295],\"remote_ssrcs\":[0],\"roc\":7,"
			     "\"mikey_mode\":\"null\"}", &req, err), 0);
	KTAP_EXPECT_EQ(req.nssrcs, 2);
	KTAP_EXPECT_EQ(req.ssrcs[0], 4369);
	KTAP_EXPECT_EQ(req.ssrcs[1], 4294967295u);
	KTAP_EXPECT_EQ(req.nremote_ssrcs, 1);
	KTAP_EXPECT_EQ(req.remote_ssrcs[0], 0);
	KTAP_EXPECT_EQ(req.roc, 7);
	KTAP_EXPECT(!strcmp(req.mikey_mode, "null"));
	KTAP_EXPECT_EQ(req.method_fields, REQF_SSRCS | REQF_MIKEY_MODE);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"mikey\","
			     "\"mikey_mode\":\"dhhmac\",\"mikey_peer_identity\":\"sip:b@x\"}",
			     &req, err), 0);
	KTAP_EXPECT(!strcmp(req.mikey_mode, "dhhmac"));
	KTAP_EXPECT(!strcmp(req.mikey_peer, "sip:b@x"));
	KTAP_EXPECT_EQ(req.method_fields, REQF_MIKEY_MODE);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"zrtp\","
			     "\"zrtp_aux_secret\":\"00ff10Ab\"}", &req, err), 0);
	KTAP_EXPECT(!strcmp(req.zrtp_aux_hex, "00ff10Ab"));
	KTAP_EXPECT_EQ(req.method_fields, REQF_ZRTP_AUX);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"zrtp\","
			     "\"zrtp_pbx_enroll\":true}", &req, err), 0);
	KTAP_EXPECT(req.zrtp_pbx_enroll);
	KTAP_EXPECT_EQ(req.method_fields, REQF_ZRTP_PBX);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"verify_sas\",\"session\":\"kd-1\",\"verified\":true,"
			     "\"enroll_pbx\":true}", &req, err), 0);
	KTAP_EXPECT(req.sas_verified && req.enroll_pbx);
	request_free(&req);
	KTAP_ASSERT_EQ(parse("{\"op\":\"bridge\",\"session\":\"kd-1\",\"bridge_to\":\"kd-2\","
			     "\"idle_timeout_ms\":3600000,\"copy_to_app\":true}", &req, err), 0);
	KTAP_EXPECT(!strcmp(req.bridge_to, "kd-2"));
	KTAP_EXPECT(req.zrtp_aux_hex == NULL);
	KTAP_EXPECT_EQ(req.idle_timeout_ms, 3600000);
	KTAP_EXPECT(req.copy_to_app);
	KTAP_EXPECT_EQ(req.method_fields, 0);
	request_free(&req);
}

static void test_errors(void)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "", "not valid JSON" },
		{ "{", "unexpected end of input" },
		{ "{\"op\":\"ping\"} x", "not valid JSON" },
		{ "{\"op\":\"ping\"}{}", "not valid JSON" },
		{ "[1,2]", "a request is a JSON object" },
		{ "\"ping\"", "a request is a JSON object" },
		{ "{}", "op: missing" },
		{ "{\"op\":5}", "op: missing or not a string" },
		{ "{\"op\":\"launch\"}", "unknown operation \"launch\"" },
		{ "{\"op\":\"ping\",\"bogus\":1}", "unknown field \"bogus\"" },
		{ "{\"op\":\"ping\",\"session\":\"a\"}", "field \"session\" does not apply to ping" },
		{ "{\"op\":\"create\"}", "create needs \"role\"" },
		{ "{\"op\":\"create\",\"role\":\"caller\"}", "role: expected \"offerer\" or \"answerer\"" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"rtcp_mux\":1}", "rtcp_mux: expected true or false" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"signalling_secure\":\"yes\"}",
		  "signalling_secure: expected true or false" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"method\":\"\"}", "method: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"1.2.3.4\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"1.2.3.4:0\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"1.2.3.4:65536\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"::1:5000\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"[::1]5000\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote\":\"host.example:5000\"}", "remote: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"suites\":[]}", "suites: expected 1 to 12" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"suites\":\"AEAD_AES_128_GCM\"}",
		  "suites: expected an array" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"suites\":[\"F8_256_HMAC_SHA1_80\"]}",
		  "suites[0]: not a known crypto suite" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"suites\":[\"AEAD_AES_128_GCM\",\"AEAD_AES_128_GCM\"]}",
		  "listed twice" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"mki_len\":5}", "mki_len: expected 0 to 4" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"mki_len\":\"1\"}", "mki_len: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"dtls_verify\":\"early-media\"}",
		  "dtls_verify: expected \"strict\" or \"early_media\"" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"dtls_verify\":true}", "dtls_verify: expected" },
		{ "{\"op\":\"rekey\",\"session\":\"a\",\"dtls_verify\":\"strict\"}", "does not apply to rekey" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"ssrcs\":[]}", "ssrcs: expected 1 to 8" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"ssrcs\":[1,2,3,4,5,6,7,8,9]}",
		  "ssrcs: expected 1 to 8" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"ssrcs\":[4294967296]}",
		  "ssrcs[0]: expected 0 to 4294967295" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"remote_ssrcs\":[1,\"2\"]}",
		  "remote_ssrcs[1]: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"ssrcs\":[5,5]}", "ssrcs: 5 listed twice" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"roc\":-1}", "roc: expected" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"mikey_mode\":\"dh\"}",
		  "mikey_mode: expected one of psk, null, dhhmac, pk, rsa-r, dh-sign" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"mikey_peer_identity\":\"a b\"}",
		  "mikey_peer_identity: expected 1 to 63 characters, no spaces" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"mikey_peer_identity\":\"\"}",
		  "mikey_peer_identity: expected 1 to 63" },
		{ "{\"op\":\"local_attributes\",\"session\":\"a\",\"roc\":1}",
		  "does not apply to local_attributes" },
		{ "{\"op\":\"status\",\"mki_len\":1,\"session\":\"a\"}", "does not apply to status" },
		{ "{\"op\":\"status\"}", "status needs \"session\"" },
		{ "{\"op\":\"bridge\",\"session\":\"a\"}", "bridge needs \"bridge_to\"" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"zrtp_aux_secret\":\"abc\"}",
		  "zrtp_aux_secret: expected 1 to 64 bytes in hex" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"zrtp_aux_secret\":\"zz\"}",
		  "zrtp_aux_secret: expected 1 to 64 bytes in hex" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"zrtp_aux_secret\":\"\"}",
		  "zrtp_aux_secret: expected" },
		{ "{\"op\":\"bridge\",\"session\":\"a\",\"bridge_to\":\"b c\"}",
		  "bridge_to: expected a session id" },
		{ "{\"op\":\"bridge\",\"session\":\"a\",\"bridge_to\":\"b\",\"idle_timeout_ms\":3600001}",
		  "idle_timeout_ms: expected 0 to 3600000" },
		{ "{\"op\":\"bridge\",\"session\":\"a\",\"bridge_to\":\"b\",\"copy_to_app\":1}",
		  "copy_to_app: expected true or false" },
		{ "{\"op\":\"create\",\"role\":\"offerer\",\"zrtp_pbx_enroll\":1}",
		  "zrtp_pbx_enroll: expected true or false" },
		{ "{\"op\":\"verify_sas\",\"session\":\"a\",\"verified\":true,\"enroll_pbx\":\"y\"}",
		  "enroll_pbx: expected true or false" },
		{ "{\"op\":\"status\",\"session\":\"a\",\"enroll_pbx\":true}",
		  "does not apply to status" },
		{ "{\"op\":\"unbridge\",\"session\":\"a\",\"bridge_to\":\"b\"}",
		  "does not apply to unbridge" },
		{ "{\"op\":\"status\",\"session\":\"\"}", "session: expected a session id" },
		{ "{\"op\":\"status\",\"session\":\"a b\"}", "session: expected a session id" },
		{ "{\"op\":\"status\",\"session\":7}", "session: expected a session id" },
		{ "{\"op\":\"status\",\"session\":\"a\\u0000b\"}", "session: expected a session id" },
		{ "{\"op\":\"remote_attributes\",\"session\":\"a\"}", "remote_attributes needs \"attributes\"" },
		{ "{\"op\":\"remote_attributes\",\"session\":\"a\",\"attributes\":\"a=crypto:1\"}",
		  "attributes: expected an array" },
		{ "{\"op\":\"remote_attributes\",\"session\":\"a\",\"attributes\":[1]}",
		  "attributes[0]: expected a string" },
		{ "{\"op\":\"remote_attributes\",\"session\":\"a\",\"attributes\":[],\"type\":\"pranswer\"}",
		  "type: expected \"offer\" or \"answer\"" },
		{ "{\"op\":\"ping\",\"id\":1.5}", "id: expected an integer or a string" },
		{ "{\"op\":\"ping\",\"id\":[1]}", "id: expected an integer or a string" },
		{ "{\"op\":\"ping\",\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
		  "id: expected" },
		{ "{\"op\":\"ping\",\"x\":[[[[[[[[[[1]]]]]]]]]]}", "not valid JSON" },
		{ "{'op':'ping'}", "not valid JSON" },
	};
	struct request req;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		if (!KTAP_EXPECT_EQ(parse(bad[i].line, &req, err), -1)) {
			ktap_diag("  accepted: %s", bad[i].line);
		} else if (!KTAP_EXPECT(contains(err, bad[i].err))) {
			ktap_diag("  %s: got \"%s\", want \"%s\"", bad[i].line, err, bad[i].err);
		}
		request_free(&req);
	}
}

static void test_too_many_attributes(void)
{
	char line[4096], err[256];
	struct request req;
	size_t o, i;

	o = (size_t)snprintf(line, sizeof(line),
			     "{\"op\":\"remote_attributes\",\"session\":\"a\",\"attributes\":[");
	for (i = 0; i < PROTO_MAX_ATTRS + 1; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s\"x\"", i ? "," : "");
	snprintf(line + o, sizeof(line) - o, "]}");
	KTAP_EXPECT_EQ(parse(line, &req, err), -1);
	KTAP_EXPECT(contains(err, "more than 32"));
	request_free(&req);
}

/* An error reply names the request when its id could be read. */
static void test_error_keeps_id(void)
{
	struct json_object *rep, *v;
	struct request req;
	char err[256], *s;
	size_t len;

	KTAP_ASSERT_EQ(parse("{\"op\":\"nope\",\"id\":\"abc\"}", &req, err), -1);
	KTAP_ASSERT(req.id != NULL);
	rep = proto_reply_err(req.id, "bad_request", err);
	request_free(&req);
	KTAP_ASSERT(json_object_object_get_ex(rep, "id", &v));
	KTAP_EXPECT(!strcmp(json_object_get_string(v), "abc"));
	s = proto_serialize_put(rep, &len);
	KTAP_ASSERT(s != NULL);
	KTAP_EXPECT_EQ(s[len - 1], '\n');
	KTAP_EXPECT(contains(s, "\"ok\":false"));
	KTAP_EXPECT(contains(s, "\"code\":\"bad_request\""));
	KTAP_EXPECT(contains(s, "unknown operation"));
	free(s);
	/* and without an id there is none in the reply */
	KTAP_ASSERT_EQ(parse("nonsense", &req, err), -1);
	KTAP_EXPECT(req.id == NULL);
	request_free(&req);
}

static void test_reply_and_event(void)
{
	struct json_object *id = json_object_new_int(42), *o;
	size_t len;
	char *s;

	o = proto_reply_ok(id);
	json_object_object_add(o, "attributes", json_object_new_string("a=crypto:1 X inline:KEY/"));
	s = proto_serialize_put(o, &len);
	KTAP_EXPECT(!strcmp(s, "{\"id\":42,\"ok\":true,\"attributes\":\"a=crypto:1 X inline:KEY/\"}\n"));
	free(s);
	json_object_put(id);
	s = proto_serialize_put(proto_event("secure", "kd-1"), &len);
	KTAP_EXPECT(!strcmp(s, "{\"event\":\"secure\",\"session\":\"kd-1\"}\n"));
	free(s);
}

/* the methods' TX key lifetime event, byte for byte */
static void test_rekey_needed_event(void)
{
	size_t len;
	char *s;

	s = proto_serialize_put(proto_event_rekey_needed("kd-1", true), &len);
	KTAP_EXPECT(!strcmp(s, "{\"event\":\"rekey_needed\",\"session\":\"kd-1\","
			    "\"reason\":\"key lifetime\",\"limit\":\"hard\"}\n"));
	free(s);
	s = proto_serialize_put(proto_event_rekey_needed("kd-2", false), &len);
	KTAP_EXPECT(!strcmp(s, "{\"event\":\"rekey_needed\",\"session\":\"kd-2\","
			    "\"reason\":\"key lifetime\",\"limit\":\"soft\"}\n"));
	free(s);
}

static void test_addresses(void)
{
	static const char *const ok[] = {
		"10.99.1.2:40000", "[::1]:5004", "[2001:db8::a:b]:65535", "0.0.0.0:1",
		"[::ffff:10.0.0.1]:9",
	};
	static const char *const bad[] = {
		"10.99.1.2", "10.99.1.2:", "10.99.1.2:x", "10.99.1.256:5", ":5", "[::1]",
		"[::1:5", "[]:5", "10.1.2.3:-1", "10.1.2.3:5 ", "[1.2.3.4]:5",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[80];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		if (!KTAP_EXPECT_EQ(proto_parse_addr(ok[i], &ss, &len), 0))
			continue;
		proto_format_addr(&ss, buf, sizeof(buf));
		if (!KTAP_EXPECT(!strcmp(buf, ok[i])))
			ktap_diag("  %s -> %s", ok[i], buf);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!KTAP_EXPECT_EQ(proto_parse_addr(bad[i], &ss, &len), -1))
			ktap_diag("  accepted %s", bad[i]);
}

/* ---------------------------------------------------------------- framing */

static void test_lines_split_and_joined(void)
{
	struct linebuf lb = { 0 };
	int fds[LB_MAX_LINE_FDS], nfds;
	char *line;
	size_t len;

	KTAP_EXPECT_EQ(linebuf_append(&lb, "{\"op\"", 5, NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 0);
	KTAP_EXPECT_EQ(linebuf_append(&lb, ":1}\r\nab\n\ncd", 12, NULL, 0), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "{\"op\":1}"));
	KTAP_EXPECT_EQ(len, 8);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "ab"));
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT_EQ(len, 0);
	KTAP_EXPECT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 0);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "\n", 1, NULL, 0), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "cd"));
	KTAP_EXPECT_EQ(nfds, 0);
	linebuf_free(&lb);
}

static void test_fds_follow_their_line(void)
{
	struct linebuf lb = { 0 };
	int fds[LB_MAX_LINE_FDS], nfds, two[2] = { 101, 102 }, one = 200;
	char *line;
	size_t len;

	/* "A\n" then, in one chunk with fds, "B\n": the fds are B's */
	KTAP_EXPECT_EQ(linebuf_append(&lb, "A\n", 2, NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "B\n", 2, two, 2), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "A"));
	KTAP_EXPECT_EQ(nfds, 0);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "B"));
	KTAP_ASSERT_EQ(nfds, 2);
	KTAP_EXPECT_EQ(fds[0], 101);
	KTAP_EXPECT_EQ(fds[1], 102);

	/* the kernel merged the tail of C with D, whose fds came along: D's */
	KTAP_EXPECT_EQ(linebuf_append(&lb, "CC", 2, NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "C\nDD", 4, &one, 1), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "CCC"));
	KTAP_EXPECT_EQ(nfds, 0);
	KTAP_EXPECT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 0);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "D\n", 2, NULL, 0), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "DDD"));
	KTAP_ASSERT_EQ(nfds, 1);
	KTAP_EXPECT_EQ(fds[0], 200);

	/* a chunk that starts no line: the fds belong to the line in progress */
	KTAP_EXPECT_EQ(linebuf_append(&lb, "EE", 2, NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "EE", 2, &one, 1), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "\nF\n", 3, NULL, 0), LB_OK);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT(!strcmp(line, "EEEE"));
	KTAP_EXPECT_EQ(nfds, 1);
	KTAP_ASSERT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), 1);
	KTAP_EXPECT_EQ(nfds, 0);
	linebuf_free(&lb);
}

static void test_framing_limits(void)
{
	struct linebuf lb = { 0 };
	int fds[LB_MAX_LINE_FDS], nfds, three[3] = { 1, 2, 3 }, one = 9;
	static char big[PROTO_MAX_LINE + 10];
	size_t len, i, n;
	char *line;

	KTAP_EXPECT_EQ(linebuf_append(&lb, "x", 1, three, 3), LB_TOO_MANY_FDS);
	for (i = 0; i < PROTO_MAX_FD_GROUPS; i++)
		KTAP_EXPECT_EQ(linebuf_append(&lb, "y", 1, &one, 1), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, "z", 1, &one, 1), LB_TOO_MANY_FDS);
	/* every queued fd can be taken back for closing */
	n = linebuf_take_fds(&lb, fds, LB_MAX_LINE_FDS);
	KTAP_EXPECT_EQ(n, PROTO_MAX_FD_GROUPS);
	linebuf_free(&lb);

	memset(big, 'a', sizeof(big));
	KTAP_EXPECT_EQ(linebuf_append(&lb, big, sizeof(big), NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), LB_TOO_LONG);
	linebuf_free(&lb);
	big[sizeof(big) - 1] = '\n';
	KTAP_EXPECT_EQ(linebuf_append(&lb, big, sizeof(big), NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_next(&lb, &line, &len, fds, &nfds), LB_TOO_LONG);
	linebuf_free(&lb);
	for (i = 0; i < 2; i++)
		KTAP_EXPECT_EQ(linebuf_append(&lb, big, PROTO_MAX_LINE, NULL, 0), LB_OK);
	KTAP_EXPECT_EQ(linebuf_append(&lb, big, 100, NULL, 0), LB_TOO_LONG);
	linebuf_free(&lb);
}

static const struct ktap_test tests[] = {
	KTAP_TEST(test_every_op),
	KTAP_TEST(test_fields_typed),
	KTAP_TEST(test_errors),
	KTAP_TEST(test_too_many_attributes),
	KTAP_TEST(test_error_keeps_id),
	KTAP_TEST(test_reply_and_event),
	KTAP_TEST(test_rekey_needed_event),
	KTAP_TEST(test_addresses),
	KTAP_TEST(test_lines_split_and_joined),
	KTAP_TEST(test_fds_follow_their_line),
	KTAP_TEST(test_framing_limits),
};

int main(void)
{
	return KTAP_MAIN(tests);
}
