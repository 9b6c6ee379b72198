// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtpctl: inspect and hand-configure the ksrtp kernel module,
 * iproute2 style; -j prints JSON.
 *
 * Every command parses its whole command line before talking to the
 * kernel, so usage errors (exit 2) never depend on the module.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef KSRTP_VERSION
#error "KSRTP_VERSION comes from kmod/main.h through the Makefile"
#endif

#include "ksrtpctl.h"

int json_out, pretty;
struct knl nl;
static const char *cmd_name = "";	/* "ctx add" etc., for messages */

/* ------------------------------------------------------------ errors */

int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ksrtpctl: %s%s", cmd_name, *cmd_name ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'ksrtpctl --help')\n");
	return 2;
}

int sys_err(const char *what, int err)
{
	fprintf(stderr, "ksrtpctl: %s: %s: %s\n", cmd_name, what, strerror(err));
	return 1;
}

int nl_err(int err)
{
	fprintf(stderr, "ksrtpctl: %s: %s%s%s\n", cmd_name, strerror(-err),
		nl.extack[0] ? ": " : "", nl.extack);
	return 1;
}

int nl_ready(void)
{
	int err;

	if (nl.sk)
		return 0;
	err = knl_open(&nl);
	if (err)
		fprintf(stderr, "ksrtpctl: %s\n", err == -ENOENT ?
			"the ksrtp module is not loaded (modprobe ksrtp)" :
			strerror(-err));
	return err ? 1 : 0;
}

struct nl_msg *request(int cmd, int flags)
{
	struct nl_msg *msg;

	if (nl_ready())
		return NULL;
	msg = knl_msg(&nl, cmd, flags);
	if (!msg)
		sys_err("request", ENOMEM);
	return msg;
}

/* Only a broken build overflows a request: our messages are tiny. */
int build_err(struct nl_msg *msg)
{
	knl_msg_free(msg);
	return sys_err("request", EMSGSIZE);
}

int run(struct nl_msg *msg, knl_reply_cb cb, void *arg)
{
	int err = knl_exec(&nl, msg, cb, arg);

	return err ? nl_err(err) : 0;
}

/* ------------------------------------------------------------ info */

/* Flag set: entry i names the bit 1 << i. */
static const char *const feature_names[] = {
	"info", "sock", "ctx", "mki", "ssrc-any", "remote-bind", "upcall", "ipv6",
	"sock-set", "rx-async", "fwd",
};
_Static_assert(KSRTP_FEATURE_FWD == 1 << 10, "feature_names is stale");

static int info_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KSRTP_A_INFO_MAX + 1];
	struct json_object *o = arg, *suite_list;
	uint32_t f = 0, s = 0, i;

	if (knl_parse(msg, tb, KSRTP_A_INFO_MAX, knl_info_policy))
		return -1;
	if (tb[KSRTP_A_INFO_VERSION])
		jadd_u64(o, "api_version", nla_get_u32(tb[KSRTP_A_INFO_VERSION]));
	if (tb[KSRTP_A_INFO_MODULE_VERSION])
		jadd_str(o, "module_version",
			 nla_get_string(tb[KSRTP_A_INFO_MODULE_VERSION]));
	if (tb[KSRTP_A_INFO_FEATURES])
		f = nla_get_u32(tb[KSRTP_A_INFO_FEATURES]);
	jadd(o, "features", jflags(f, feature_names, ARRAY_SIZE(feature_names)));
	if (tb[KSRTP_A_INFO_SUITES])
		s = nla_get_u32(tb[KSRTP_A_INFO_SUITES]);
	suite_list = json_object_new_array();
	for (i = 0; i < 32; i++)
		if (s & (1u << i))
			json_object_array_add(suite_list,
					      json_object_new_string(suite_name(i)));
	jadd(o, "suites", suite_list);
	if (tb[KSRTP_A_INFO_GCM_DRIVER])
		jadd_str(o, "gcm_driver",
			 nla_get_string(tb[KSRTP_A_INFO_GCM_DRIVER]));
	if (tb[KSRTP_A_INFO_CTR_DRIVER])
		jadd_str(o, "ctr_driver",
			 nla_get_string(tb[KSRTP_A_INFO_CTR_DRIVER]));
	if (tb[KSRTP_A_INFO_F8_DRIVER])
		jadd_str(o, "f8_driver",
			 nla_get_string(tb[KSRTP_A_INFO_F8_DRIVER]));
	return 0;
}

static void info_list(const char *label, struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("    %s:", label);
	for (i = 0; i < n; i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(arr, i)));
	putchar('\n');
}

static int cmd_info(int argc, char **argv)
{
	struct json_object *o;
	int rc;

	(void)argv;
	if (argc)
		return usage_err("takes no arguments");
	if (nl_ready())
		return 1;
	o = json_object_new_object();
	rc = run(knl_msg(&nl, KSRTP_CMD_INFO_GET, 0), info_reply, o);
	if (!rc && json_out) {
		print_json(o);
	} else if (!rc) {
		printf("ksrtp module %s api %s\n",
		       json_object_get_string(jget(o, "module_version")),
		       json_object_get_string(jget(o, "api_version")));
		info_list("features", jget(o, "features"));
		info_list("suites", jget(o, "suites"));
		if (jget(o, "gcm_driver"))
			printf("    drivers: gcm %s, ctr %s, f8 %s\n",
			       json_object_get_string(jget(o, "gcm_driver")),
			       json_object_get_string(jget(o, "ctr_driver")),
			       jget(o, "f8_driver") ?
			       json_object_get_string(jget(o, "f8_driver")) : "-");
	}
	json_object_put(o);
	return rc;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ksrtpctl [-j] [-p] COMMAND [ARGS]\n"
		"       ksrtpctl -V | --version\n"
		"\n"
		"Commands:\n"
		"  info              API version, features and suites of the module\n"
		"  attach [pid PID] fd FD [upcall dtls,zrtp|none] [max-learned N]\n"
		"         [plain-rtp drop|until-keyed|allow]\n"
		"                    attach a UDP socket: fd FD of process PID, or of\n"
		"                    ksrtpctl itself (inherited); prints its cookie\n"
		"  detach sock COOKIE\n"
		"  set sock COOKIE [upcall dtls,zrtp|none] [max-learned N]\n"
		"         [plain-rtp drop|until-keyed|allow]\n"
		"                    change an attached socket; upcall also sends its\n"
		"                    upcalls to ksrtpctl, which exits: use upcall none\n"
		"  show [sock COOKIE]\n"
		"                    sockets, their contexts, keys and counters\n"
		"  ctx add CTX suite SUITE key BASE64 [key-id N] [mki HEX] [roc N]\n"
		"          [seq N] [window N] [options OPT[,OPT...]] [kdr N]\n"
		"          [soft-limit N]\n"
		"  ctx del CTX\n"
		"  key add CTX suite SUITE key BASE64 key-id N [mki HEX]\n"
		"  key swap CTX key-id N\n"
		"                    make key N the one TX uses\n"
		"  key del CTX key-id N\n"
		"  fwd add rx COOKIE ssrc SSRC|any tx COOKIE to ADDR:PORT [ssrc-out SSRC]\n"
		"          [seq-offset N] [ts-offset N] [pt PTS] [flags FWDFLAG[,FWDFLAG...]]\n"
		"          [from ADDR:PORT] [idle-timeout MS]\n"
		"                    relay SSRC's packets that authenticate on socket rx\n"
		"                    out of socket tx (its TX context of ssrc-out) to\n"
		"                    ADDR:PORT in the kernel; prints the forward's id\n"
		"  fwd del id ID\n"
		"  fwd dest-add id ID to ADDR:PORT\n"
		"  fwd dest-del id ID to ADDR:PORT\n"
		"                    encrypt-once fan-out: the packet the forward\n"
		"                    protected once also goes to ADDR:PORT\n"
		"  fwd show [id ID | rx COOKIE]\n"
		"                    forwards and their counters\n"
		"  monitor           print events until SIGINT/SIGTERM\n"
		"  help              this text\n"
		"\n"
		"  CTX    := sock COOKIE dir rx|tx ssrc SSRC|any [remote ADDR:PORT]\n"
		"  ADDR:PORT := 192.0.2.1:5004 | [2001:db8::1]:5004\n"
		"  SUITE  := AES_CM_128_HMAC_SHA1_80 | AES_CM_128_HMAC_SHA1_32 |\n"
		"            AES_192_CM_HMAC_SHA1_80 | AES_192_CM_HMAC_SHA1_32 |\n"
		"            AES_256_CM_HMAC_SHA1_80 | AES_256_CM_HMAC_SHA1_32 |\n"
		"            AEAD_AES_128_GCM | AEAD_AES_256_GCM |\n"
		"            NULL_HMAC_SHA1_80 | NULL_HMAC_SHA1_32 |\n"
		"            F8_128_HMAC_SHA1_80 | F8_128_HMAC_SHA1_32\n"
		"  BASE64 := master key || master salt, as in an SDES inline key\n"
		"  OPT    := unencrypted_srtp | unencrypted_srtcp | unauthenticated_srtp\n"
		"  HEX    := 1 to 4 bytes, e.g. 01 or 0x0000002a\n"
		"  PTS    := payload types forwarded, e.g. 0,8,96-127 (default all)\n"
		"  FWDFLAG := copy-to-app | plain-in | plain-out | latch | none\n"
		"            (plain-in: from ADDR:PORT, or latch to the first source)\n"
		"  Numbers are decimal or 0x hex.\n"
		"\n"
		"Options:\n"
		"  -j, --json        JSON output\n"
		"  -p, --pretty      pretty-print JSON\n"
		"  -h, --help        this text\n"
		"  -V, --version     print the version and exit\n");
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int dispatch(const char *group, const struct command *c, size_t n,
		    int argc, char **argv)
{
	static char name[32];
	char names[64] = "";
	size_t i;

	for (i = 0; argc && i < n; i++) {
		if (strcmp(argv[0], c[i].name))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", group, *group ? " " : "",
			 c[i].name);
		cmd_name = name;
		return c[i].fn(argc - 1, argv + 1);
	}
	if (argc)
		return usage_err("unknown command '%s'", argv[0]);
	for (i = 0; i < n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? "|" : "", c[i].name);
	return usage_err("expected %s", names);
}

static const struct command ctx_commands[] = {
	{ "add", cmd_ctx_add },
	{ "del", cmd_ctx_del },
};

static const struct command fwd_commands[] = {
	{ "add", cmd_fwd_add },
	{ "del", cmd_fwd_del },
	{ "dest-add", cmd_fwd_dest_add },
	{ "dest-del", cmd_fwd_dest_del },
	{ "show", cmd_fwd_show },
};

static const struct command key_commands[] = {
	{ "add", cmd_key_add },
	{ "swap", cmd_key_swap },
	{ "del", cmd_key_del },
};

static int cmd_ctx(int argc, char **argv)
{
	return dispatch("ctx", ctx_commands, ARRAY_SIZE(ctx_commands), argc, argv);
}

static int cmd_key(int argc, char **argv)
{
	return dispatch("key", key_commands, ARRAY_SIZE(key_commands), argc, argv);
}

static int cmd_fwd(int argc, char **argv)
{
	return dispatch("fwd", fwd_commands, ARRAY_SIZE(fwd_commands), argc, argv);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct command commands[] = {
	{ "info", cmd_info },
	{ "attach", cmd_attach },
	{ "detach", cmd_detach },
	{ "set", cmd_set },
	{ "show", cmd_show },
	{ "ctx", cmd_ctx },
	{ "key", cmd_key },
	{ "fwd", cmd_fwd },
	{ "monitor", cmd_monitor },
	{ "help", cmd_help },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c, rc;

	opterr = 0;	/* one message, ours */
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'p': pretty = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ksrtpctl " KSRTP_VERSION "\n"); return 0;
		default: return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc)
		return usage_err("missing command");
	rc = dispatch("", commands, ARRAY_SIZE(commands), argc, argv);
	knl_close(&nl);
	return rc;
}
