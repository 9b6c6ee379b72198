// SPDX-License-Identifier: GPL-2.0
/*
 * ksrtp-keyd: the SRTP key daemon for ksrtp. Media servers hand it their
 * RTP sockets and SDP crypto attributes over a Unix socket; it negotiates
 * keys (SDES today) and installs them in the kernel.
 *
 *   ksrtp-keyd [-f] [-c CONFIG] [-s SOCKET] [-d STATE_DIR] [-v]
 *   (long forms and the rest: ksrtp-keyd --help, ksrtp-keyd(8))
 *
 * SIGTERM/SIGINT stop it cleanly and leave every kernel context in place,
 * so media keeps flowing while keyd restarts; at start it reconciles with
 * what the kernel holds (see Documentation/keyd-control.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "authz.h"
#include "control.h"
#include "dtls_identity.h"
#include "harden.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "session.h"
#include "state.h"

#define DEFAULT_CONFIG "/etc/ksrtp/keyd.conf"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#ifndef KSRTP_VERSION
#error "KSRTP_VERSION comes from kmod/main.h through the Makefile"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ksrtp-keyd [-f] [-c CONFIG] [-s SOCKET] [-d STATE_DIR] [-v]\n"
		"  -f, --foreground         stay in the foreground (systemd, tests)\n"
		"  -c, --config=CONFIG      configuration file (default " DEFAULT_CONFIG ",\n"
		"                           if present)\n"
		"  -s, --socket=SOCKET      control socket path (overrides 'socket')\n"
		"  -d, --state-dir=DIR      session state directory (overrides 'state_dir';\n"
		"                           \"\" disables)\n"
		"  -v, --verbose            debug logging (overrides 'log_level')\n"
		"  -h, --help               this text\n"
		"  -V, --version            print the version and exit\n");
}

struct cmdline {
	const char *config, *sock, *state_dir;
	bool foreground, verbose;
};

/* -1 to go on, else the exit status (0 after --help/--version, 2 on misuse). */
static int parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "fc:s:d:vhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': cl->foreground = true; break;
		case 'c': cl->config = optarg; break;
		case 's': cl->sock = optarg; break;
		case 'd': cl->state_dir = optarg; break;
		case 'v': cl->verbose = true; break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ksrtp-keyd " KSRTP_VERSION "\n");
			return 0;
		default:	/* getopt said what was wrong */
			fprintf(stderr, "Try 'ksrtp-keyd --help'.\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ksrtp-keyd: unexpected argument '%s'\n"
			"Try 'ksrtp-keyd --help'.\n", argv[optind]);
		return 2;
	}
	return -1;
}

/* Before logging is set up: one line, an error in the journal too. */
static void start_err(const char *err)
{
	fprintf(stderr, "%sksrtp-keyd: %s\n", log_prefix(LOG_ERR), err);
}

static void on_signal(struct keyd *kd, int sig)
{
	if (sig == SIGTERM || sig == SIGINT) {
		log_info("stopping; kernel contexts stay installed", "signal=%d", sig);
		kd->stopping = true;
	} else if (sig == SIGHUP) {
		log_info("SIGHUP ignored: restart keyd to apply configuration changes", "signal=%d", sig);
	}
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Classic daemon(3) without its chdir surprises; the parent exits 0. */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct keyd kd;
	struct cmdline cl = { 0 };
	char err[512], addr[80];
	int sigfd, rc = 1;

	rc = parse_cmdline(argc, argv, &cl);
	if (rc >= 0)
		return rc;
	log_init();
	/* before anything holds a key */
	if (keyd_harden(err, sizeof(err))) {
		start_err(err);
		return 1;
	}
	umask(077);
	config_defaults(&kd.cfg);
	if (!cl.config && !access(DEFAULT_CONFIG, F_OK))
		cl.config = DEFAULT_CONFIG;
	if ((cl.config && config_load(&kd.cfg, cl.config, err, sizeof(err))) ||
	    (cl.sock && config_set(&kd.cfg, "socket", cl.sock, err, sizeof(err))) ||
	    (cl.state_dir && config_set(&kd.cfg, "state_dir", cl.state_dir, err, sizeof(err)))) {
		start_err(err);
		return 2;
	}
	log_set_level(cl.verbose ? LOG_DEBUG : (enum log_level)kd.cfg.log_level);
	if (authz_init(&kd, err, sizeof(err))) {
		start_err(err);
		return 2;
	}
	notify_init();

	sigfd = block_signals();
	if (sigfd < 0) {
		log_err("cannot set up signals", "err=%s", log_q(strerror(errno)));
		return 1;
	}
	rc = kn_open(&kd.kn);
	if (rc) {
		log_err("cannot use the ksrtp netlink family", "err=%s",
			log_q(rc == -ENOENT ? "the ksrtp module is not loaded" : strerror(-rc)));
		return 1;
	}
	log_info("ksrtp module", "version=%s api=%u suites=0x%x", log_q(kd.kn.module_version),
		 kd.kn.version, kd.kn.suites);
	rc = state_init(&kd);
	if (rc) {
		log_err("cannot create the state directory", "dir=%s err=%s",
			log_q(kd.cfg.state_dir), log_q(strerror(-rc)));
		goto out_kernel;
	}
	if (control_open(&kd, err, sizeof(err))) {
		log_err("cannot open the control socket", "err=%s", log_q(err));
		rc = 1;
		goto out_kernel;
	}
	if (kd.cfg.metrics) {
		kd.metrics = mhttp_open(&kd.cfg.metrics_addr, metrics_scrape, &kd, err, sizeof(err));
		if (!kd.metrics) {
			log_err("cannot serve metrics", "listen=%s err=%s",
				log_q(proto_format_addr(&kd.cfg.metrics_addr, addr, sizeof(addr))),
				log_q(err));
			rc = 1;
			goto out_control;
		}
		log_info("metrics", "listen=%s port=%u",
			 log_q(proto_format_addr(&kd.cfg.metrics_addr, addr, sizeof(addr))),
			 mhttp_port(kd.metrics));
	}
	/* before serving anyone: adopt what a previous run left in the kernel */
	session_restore_all(&kd);
	if (!cl.foreground && daemonize()) {
		log_err("cannot daemonize", "err=%s", log_q(strerror(errno)));
		rc = 1;
		goto out_control;
	}
	log_info("ready", "socket=%s state_dir=%s insecure_signalling=%s",
		 log_q(kd.cfg.socket_path), log_q(kd.cfg.state_dir),
		 kd.cfg.allow_insecure_signalling ? "allowed" : "refused");
	notify_send("READY=1\nSTATUS=serving");
	control_run(&kd, sigfd, on_signal);
	notify_send("STOPPING=1");
	rc = 0;
out_control:
	mhttp_close(kd.metrics);
	control_close(&kd);
	session_free_all(&kd);
	dident_free_all();
out_kernel:
	kn_close(&kd.kn);
	close(sigfd);
	return rc ? 1 : 0;
}
