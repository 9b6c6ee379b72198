// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl: inspect and hand-configure the ksrtp kernel module,
 * iproute2 style; -j prints JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/ksrtp.h>

#include "knl.h"

static int json_out;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksrtpctl [-j] [-p] COMMAND\n"
		"\n"
		"Commands:\n"
		"  info            API version and features of the loaded module\n"
		"\n"
		"Options:\n"
		"  -j, --json      JSON output\n"
		"  -p, --pretty    pretty-print JSON\n"
		"  -h, --help      this text\n");
}

static int pretty;

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
}

static const char *const feature_names[] = { "info" };

static int info_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_INFO_MAX + 1];
	struct json_object *o = arg, *feats;
	uint32_t f = 0;
	size_t i;

	if (knl_parse(msg, tb, KSRTP_A_INFO_MAX))
		return -1;
	if (tb[KSRTP_A_INFO_VERSION])
		json_object_object_add(o, "api_version",
			json_object_new_int64(nla_get_u32(tb[KSRTP_A_INFO_VERSION])));
	if (tb[KSRTP_A_INFO_MODULE_VERSION])
		json_object_object_add(o, "module_version",
			json_object_new_string(nla_get_string(tb[KSRTP_A_INFO_MODULE_VERSION])));
	if (tb[KSRTP_A_INFO_FEATURES])
		f = nla_get_u32(tb[KSRTP_A_INFO_FEATURES]);
	feats = json_object_new_array();
	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (f & (1u << i))
			json_object_array_add(feats, json_object_new_string(feature_names[i]));
	json_object_object_add(o, "features", feats);
	return 0;
}

static int cmd_info(struct knl *k, int argc, char **argv)
{
	struct json_object *o;
	size_t i, n;
	int err;

	(void)argv;
	if (argc) {
		fprintf(stderr, "ksrtpctl: info takes no arguments\n");
		return 2;
	}
	o = json_object_new_object();
	err = knl_exec(k, knl_msg(k, KSRTP_CMD_INFO_GET, 0), info_cb, o);
	if (err) {
		fprintf(stderr, "ksrtpctl: info: %s%s%s\n", strerror(-err),
			k->extack[0] ? ": " : "", k->extack);
		json_object_put(o);
		return 1;
	}
	if (json_out) {
		print_json(o);
	} else {
		struct json_object *feats = json_object_object_get(o, "features");

		printf("ksrtp module %s api %d\n",
		       json_object_get_string(json_object_object_get(o, "module_version")),
		       json_object_get_int(json_object_object_get(o, "api_version")));
		printf("    features:");
		n = json_object_array_length(feats);
		for (i = 0; i < n; i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(feats, i)));
		printf("\n");
	}
	json_object_put(o);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct knl *k, int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct knl k;
	size_t i;
	int c, err, rc;

	while ((c = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'p': pretty = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		err = knl_open(&k);
		if (err) {
			fprintf(stderr, "ksrtpctl: %s\n", err == -ENOENT ?
				"the ksrtp module is not loaded (modprobe ksrtp)" :
				strerror(-err));
			return 1;
		}
		rc = commands[i].fn(&k, argc - 1, argv + 1);
		knl_close(&k);
		return rc;
	}
	fprintf(stderr, "ksrtpctl: unknown command '%s' (try 'ksrtpctl --help')\n", argv[0]);
	return 2;
}
