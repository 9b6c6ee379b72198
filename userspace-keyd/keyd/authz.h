/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may use keyd, and on what. The control socket's mode and group say
 * who may connect; each session belongs to the uid that created it. Root
 * and members of admin_group see and act on every session, everyone else
 * only on their own (Documentation/keyd-control.md §2A).
 */
#ifndef KEYD_AUTHZ_H
#define KEYD_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "keyd.h"

struct authz_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool admin;		/* root or in admin_group: every session */
};

/* Resolve socket_group and admin_group; 0, or -1 with err. */
int authz_init(struct keyd *kd, char *err, size_t errlen);

/*
 * Modes and group of the control socket (socket_mode, socket_group) and
 * of its directory. The directory's mode is set only if keyd created it
 * (dir_created): 0700 plus search (and read) for the group and others the
 * socket's mode lets in, so 0660 gives 0750. Its group (socket_group) is
 * set if keyd owns it and it is neither sticky nor world-writable (never
 * a shared one such as /tmp); an existing directory's mode is the
 * operator's (systemd's RuntimeDirectoryMode=0750).
 */
int authz_socket_perms(struct keyd *kd, const char *sock_path, int dir_created,
		       char *err, size_t errlen);

/* The connecting process's credentials and groups (SO_PEERCRED, SO_PEERGROUPS). */
void authz_peer_get(struct keyd *kd, int fd, struct authz_peer *p);

/* May p see and act on a session created by owner? */
static inline bool authz_may(const struct authz_peer *p, uid_t owner)
{
	return p->admin || p->uid == owner;
}

#endif /* KEYD_AUTHZ_H */
