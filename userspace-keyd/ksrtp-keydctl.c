// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp-keydctl: talk to ksrtp-keyd from a shell, through libksrtpkeyd.
 *
 *   ksrtp-keydctl [-s SOCKET] [-t SECONDS] [-p] COMMAND [ARGS]
 *   (long forms: ksrtp-keydctl --help, ksrtp-keydctl(1))
 *
 * Prints the reply as JSON; exits 0 if it says "ok": true, 1 if keyd
 * refused the request, 2 for usage errors, 3 if keyd cannot be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libksrtpkeyd.h"

#ifndef KSRTP_VERSION
#error "KSRTP_VERSION comes from kmod/main.h through the Makefile"
#endif

static int timeout_ms = 10000, pretty;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ksrtp-keydctl [-s SOCKET] [-t SECONDS] [-p] COMMAND [ARGS]\n"
		"options:\n"
		"  -s, --socket=SOCKET   keyd's control socket\n"
		"  -t, --timeout=SECONDS wait this long for a reply (default 10)\n"
		"  -p, --pretty          pretty-print the JSON replies\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version and exit\n"
		"commands:\n"
		"  ping                                 keyd and module versions, suites\n"
		"  list                                 every session\n"
		"  status SESSION                       state, suite, kernel counters\n"
		"  local SESSION [--secure]             our a=crypto lines (offer or answer)\n"
		"  remote SESSION [--offer|--answer] [--secure] ATTRIBUTE...\n"
		"                                       apply the peer's a=crypto lines\n"
		"  rekey SESSION [--secure]             new local key; prints the re-offer\n"
		"  verify-sas SESSION yes|no [--enroll-pbx]\n"
		"                                       the users compared the SAS (ZRTP):\n"
		"                                       it matched, or it did not; and they\n"
		"                                       trust the peer as their PBX\n"
		"  bridge SESSION OTHER [--idle-timeout MS] [--copy-to-app]\n"
		"                                       relay each session's peer to the other's\n"
		"                                       in the kernel (both secure)\n"
		"  unbridge SESSION                     stop relaying: the media comes to the app again\n"
		"  delete SESSION                       remove keys, detach the sockets\n"
		"  watch [SESSION]                      print events until interrupted\n"
		"  request JSON [--fd N]...             send a raw request (fds inherited)\n"
		"the socket defaults to $" KDC_SOCKET_ENV " or " KDC_DEFAULT_SOCKET "\n");
}

static void print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, pretty ? JSON_C_TO_STRING_PRETTY :
						      JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
}

static struct json_object *req_new(const char *op, const char *session)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string(op));
	if (session)
		json_object_object_add(r, "session", json_object_new_string(session));
	return r;
}

static int call(struct kdc *c, struct json_object *req, const int *fds, int nfds);

/* bridge SESSION OTHER [--idle-timeout MS] [--copy-to-app] */
static int bridge(struct kdc *c, int argc, char **argv)
{
	struct json_object *r;
	long idle = -1;
	bool copy = false;
	char *end;
	int i;

	if (argc < 3)
		return -1;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--copy-to-app")) {
			copy = true;
		} else if (!strcmp(argv[i], "--idle-timeout") && i + 1 < argc) {
			idle = strtol(argv[++i], &end, 10);
			if (*end || idle < 0)
				return -1;
		} else {
			return -1;
		}
	}
	r = req_new("bridge", argv[1]);
	json_object_object_add(r, "bridge_to", json_object_new_string(argv[2]));
	if (idle >= 0)
		json_object_object_add(r, "idle_timeout_ms", json_object_new_int64(idle));
	if (copy)
		json_object_object_add(r, "copy_to_app", json_object_new_boolean(1));
	return call(c, r, NULL, 0);
}

static int call(struct kdc *c, struct json_object *req, const int *fds, int nfds)
{
	struct json_object *rep;
	int rc;

	rc = kdc_call(c, req, fds, nfds, &rep, timeout_ms);
	kdc_free(req);
	if (rc) {
		fprintf(stderr, "ksrtp-keydctl: %s\n",
			rc == -ETIMEDOUT ? "no reply from ksrtp-keyd" : strerror(-rc));
		return 3;
	}
	print(rep);
	rc = kdc_ok(rep) ? 0 : 1;
	if (rc)
		fprintf(stderr, "ksrtp-keydctl: %s\n", kdc_error(rep));
	kdc_free(rep);
	return rc;
}

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
	(void)sig;
	stop = 1;
}

static int watch(struct kdc *c, const char *session)
{
	struct json_object *m;
	int rc;

	if (session) {
		rc = call(c, req_new("watch", session), NULL, 0);
		if (rc)
			return rc;
	}
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	while (!stop) {
		rc = kdc_read(c, &m, 500);
		if (rc < 0) {
			fprintf(stderr, "ksrtp-keydctl: %s\n", strerror(-rc));
			return 3;
		}
		if (rc > 0) {
			print(m);
			kdc_free(m);
		}
	}
	return 0;
}

/* Leading --flags of a command; returns the index of the first other arg. */
static int flags(int argc, char **argv, int i, bool *secure, const char **type)
{
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--secure"))
			*secure = true;
		else if (type && !strcmp(argv[i], "--offer"))
			*type = "offer";
		else if (type && !strcmp(argv[i], "--answer"))
			*type = "answer";
		else
			return -1;
	}
	return i;
}

static int run(struct kdc *c, int argc, char **argv)
{
	const char *cmd = argv[0], *type = NULL;
	struct json_object *r, *arr;
	bool secure = false;
	int i, fds[4], nfds = 0;

	if (!strcmp(cmd, "ping") || !strcmp(cmd, "list"))
		return argc == 1 ? call(c, req_new(cmd, NULL), NULL, 0) : -1;
	if (!strcmp(cmd, "watch"))
		return argc <= 2 ? watch(c, argc == 2 ? argv[1] : NULL) : -1;
	if (!strcmp(cmd, "request")) {
		if (argc < 2)
			return -1;
		r = json_tokener_parse(argv[1]);
		if (!r || !json_object_is_type(r, json_type_object)) {
			fprintf(stderr, "ksrtp-keydctl: request: not a JSON object\n");
			json_object_put(r);
			return 2;
		}
		for (i = 2; i + 1 < argc && !strcmp(argv[i], "--fd") && nfds < 4; i += 2)
			fds[nfds++] = atoi(argv[i + 1]);
		if (i != argc) {
			json_object_put(r);
			return -1;
		}
		return call(c, r, fds, nfds);
	}
	if (argc < 2)
		return -1;
	if (!strcmp(cmd, "status") || !strcmp(cmd, "delete") || !strcmp(cmd, "unbridge"))
		return argc == 2 ? call(c, req_new(cmd, argv[1]), NULL, 0) : -1;
	if (!strcmp(cmd, "bridge"))
		return bridge(c, argc, argv);
	if (!strcmp(cmd, "local") || !strcmp(cmd, "rekey")) {
		if (flags(argc, argv, 2, &secure, NULL) != argc)
			return -1;
		r = req_new(!strcmp(cmd, "local") ? "local_attributes" : "rekey", argv[1]);
		if (secure)
			json_object_object_add(r, "signalling_secure", json_object_new_boolean(1));
		return call(c, r, NULL, 0);
	}
	if (!strcmp(cmd, "verify-sas")) {
		if ((argc != 3 && (argc != 4 || strcmp(argv[3], "--enroll-pbx"))) ||
		    (strcmp(argv[2], "yes") && strcmp(argv[2], "no")))
			return -1;
		r = req_new("verify_sas", argv[1]);
		json_object_object_add(r, "verified", json_object_new_boolean(!strcmp(argv[2], "yes")));
		if (argc == 4)
			json_object_object_add(r, "enroll_pbx", json_object_new_boolean(1));
		return call(c, r, NULL, 0);
	}
	if (!strcmp(cmd, "remote")) {
		i = flags(argc, argv, 2, &secure, &type);
		if (i < 0 || i == argc)
			return -1;
		r = req_new("remote_attributes", argv[1]);
		arr = json_object_new_array();
		for (; i < argc; i++)
			json_object_array_add(arr, json_object_new_string(argv[i]));
		json_object_object_add(r, "attributes", arr);
		if (type)
			json_object_object_add(r, "type", json_object_new_string(type));
		if (secure)
			json_object_object_add(r, "signalling_secure", json_object_new_boolean(1));
		return call(c, r, NULL, 0);
	}
	fprintf(stderr, "ksrtp-keydctl: unknown command '%s'\n", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *path = NULL;
	struct kdc *c;
	char err[256];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+s:t:phV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 't':
			timeout_ms = atoi(optarg) * 1000;
			if (timeout_ms <= 0) {
				fprintf(stderr, "ksrtp-keydctl: -t needs a positive number of seconds\n");
				return 2;
			}
			break;
		case 'p':
			pretty = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ksrtp-keydctl " KSRTP_VERSION "\n");
			return 0;
		default:	/* getopt said what was wrong */
			fprintf(stderr, "Try 'ksrtp-keydctl --help'.\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "ksrtp-keydctl: missing command\nTry 'ksrtp-keydctl --help'.\n");
		return 2;
	}
	c = kdc_connect(path, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "ksrtp-keydctl: %s\n", err);
		return 3;
	}
	rc = run(c, argc - optind, argv + optind);
	kdc_close(c);
	if (rc < 0) {
		fprintf(stderr, "ksrtp-keydctl: %s: wrong arguments (try 'ksrtp-keydctl --help')\n",
			argv[optind]);
		return 2;
	}
	return rc;
}
