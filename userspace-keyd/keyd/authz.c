// SPDX-License-Identifier: GPL-2.0
/*
 * Control-socket authorization: the socket's permissions, and the
 * credentials of whoever connected.
 */
#define _GNU_SOURCE	/* SO_PEERCRED, struct ucred */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "authz.h"
#include "log.h"

#define MAX_PEER_GROUPS 256

static bool have_socket_gid, have_admin_gid;
static gid_t socket_gid, admin_gid;

/* A group name or a number; 0, or -1 if there is no such group. */
static int resolve_group(const char *name, gid_t *out)
{
	struct group *gr;
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(name, &end, 10);
	if (!*end && end != name && !errno && n < (gid_t)-1) {
		*out = (gid_t)n;
		return 0;
	}
	gr = getgrnam(name);
	if (!gr)
		return -1;
	*out = gr->gr_gid;
	return 0;
}

int authz_init(struct keyd *kd, char *err, size_t errlen)
{
	have_socket_gid = have_admin_gid = false;
	if (kd->cfg.socket_group[0]) {
		if (resolve_group(kd->cfg.socket_group, &socket_gid)) {
			snprintf(err, errlen, "socket_group: no group '%s'", kd->cfg.socket_group);
			return -1;
		}
		have_socket_gid = true;
	}
	if (kd->cfg.admin_group[0]) {
		if (resolve_group(kd->cfg.admin_group, &admin_gid)) {
			snprintf(err, errlen, "admin_group: no group '%s'", kd->cfg.admin_group);
			return -1;
		}
		have_admin_gid = true;
	}
	return 0;
}

/* The directory's mode: search (and list) for whom the socket lets in. */
static mode_t dir_mode(unsigned int sock_mode)
{
	mode_t m = 0700;

	if (sock_mode & 0060)
		m |= 0050;
	if (sock_mode & 0006)
		m |= 0005;
	return m;
}

static int set_dir(struct keyd *kd, const char *dir, int created, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* only our own directory: never loosen or chgrp a shared one */
	if (st.st_uid != geteuid() || (st.st_mode & (S_ISVTX | S_IWOTH)))
		return 0;
	if ((have_socket_gid && chown(dir, (uid_t)-1, socket_gid)) ||
	    (created > 0 && chmod(dir, dir_mode(kd->cfg.socket_mode)))) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int authz_socket_perms(struct keyd *kd, const char *sock_path, int dir_created,
		       char *err, size_t errlen)
{
	char dir[sizeof(kd->cfg.socket_path)], *slash;

	if ((have_socket_gid && chown(sock_path, (uid_t)-1, socket_gid)) ||
	    chmod(sock_path, kd->cfg.socket_mode)) {
		snprintf(err, errlen, "%s: %s", sock_path, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", sock_path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;	/* never the working directory or "/" */
	*slash = 0;
	return set_dir(kd, dir, dir_created, err, errlen);
}

static bool in_admin_group(int fd, gid_t gid)
{
	gid_t groups[MAX_PEER_GROUPS];
	socklen_t len = sizeof(groups);
	size_t i;

	if (!have_admin_gid)
		return false;
	if (gid == admin_gid)
		return true;
	/* supplementary groups as they were at connect time */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == admin_gid)
			return true;
	return false;
}

void authz_peer_get(struct keyd *kd, int fd, struct authz_peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	(void)kd;
	/* unknown credentials: nobody's sessions, no admin */
	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	p->gid = (gid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred))
		return;
	p->pid = cred.pid;
	p->uid = cred.uid;
	p->gid = cred.gid;
	p->admin = cred.uid == 0 || in_admin_group(fd, cred.gid);
}
