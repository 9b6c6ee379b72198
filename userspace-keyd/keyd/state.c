// SPDX-License-Identifier: GPL-2.0
/*
 * Session persistence in state_dir (a tmpfs under /run by default): state
 * that only matters while the machine is up, like the kernel contexts it
 * describes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "state.h"

#define PREFIX "session-"
#define SUFFIX ".json"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[256], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int state_init(struct keyd *kd)
{
	if (!kd->cfg.state_dir[0])
		return 0;
	return mkdir_p(kd->cfg.state_dir, 0700);
}

static void file_name(struct keyd *kd, const char *id, const char *suffix,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/" PREFIX "%s%s", kd->cfg.state_dir, id, suffix);
}

/* All of buf, or -1 with errno (a 0-byte write counts as EIO). */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rename must reach the disk too, or a crash could bring back the old file. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * temp file, fsync, rename: a reader sees the old file or the new one,
 * never a torn one. The temp file and its fd are gone on every path.
 */
static int write_atomic(const char *path, const char *tmp, const char *s, size_t n)
{
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write_all(fd, s, n) || write_all(fd, "\n", 1) || fsync(fd)) {
		e = errno;
		close(fd);
		unlink(tmp);
		return -e;
	}
	if (close(fd) || rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}

int state_write(struct keyd *kd, const char *id, struct json_object *obj)
{
	static bool failing;	/* log the first failure and the recovery, not each retry */
	char path[400], tmp[400];
	const char *s;
	size_t n;
	int err;

	if (!kd->cfg.state_dir[0])
		return 0;
	file_name(kd, id, SUFFIX, path, sizeof(path));
	file_name(kd, id, SUFFIX ".tmp", tmp, sizeof(tmp));
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &n);
	err = s ? write_atomic(path, tmp, s, n) : -ENOMEM;
	if (err) {
		if (!failing)
			log_warn("cannot save session state; retrying", "session=%s path=%s err=%s",
				 id, log_q(path), log_q(strerror(-err)));
		failing = true;
		return err;
	}
	sync_dir(kd->cfg.state_dir);
	if (failing)
		log_info("session state saved again", "session=%s", id);
	failing = false;
	return 0;
}

int state_write_named(struct keyd *kd, const char *name, struct json_object *obj)
{
	char path[400], tmp[400];
	const char *s;
	size_t n;

	if (!kd->cfg.state_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/%s" SUFFIX, kd->cfg.state_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/%s" SUFFIX ".tmp", kd->cfg.state_dir, name);
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &n);
	return s ? write_atomic(path, tmp, s, n) : -ENOMEM;
}

struct json_object *state_read_named(struct keyd *kd, const char *name)
{
	struct json_object *o;
	char path[400];

	errno = ENOENT;
	if (!kd->cfg.state_dir[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/%s" SUFFIX, kd->cfg.state_dir, name);
	if (access(path, F_OK))
		return NULL;
	o = json_object_from_file(path);
	if (!o)
		errno = EBADMSG;
	return o;
}

void state_remove(struct keyd *kd, const char *id)
{
	char path[400];

	if (!kd->cfg.state_dir[0])
		return;
	file_name(kd, id, SUFFIX, path, sizeof(path));
	if (unlink(path) && errno != ENOENT)
		log_warn("cannot remove session state", "session=%s err=%s", id,
			 log_q(strerror(errno)));
}

void state_for_each(struct keyd *kd,
		    void (*cb)(struct keyd *kd, const char *id, struct json_object *o))
{
	struct dirent *de;
	struct json_object *o;
	char path[600], id[80];
	size_t n;
	DIR *d;

	if (!kd->cfg.state_dir[0])
		return;
	d = opendir(kd->cfg.state_dir);
	if (!d) {
		if (errno != ENOENT)
			log_warn("cannot read the state directory", "dir=%s err=%s",
				 log_q(kd->cfg.state_dir), log_q(strerror(errno)));
		return;
	}
	while ((de = readdir(d))) {
		n = strlen(de->d_name);
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) || n <= strlen(PREFIX SUFFIX) ||
		    strcmp(de->d_name + n - strlen(SUFFIX), SUFFIX) ||
		    n - strlen(PREFIX SUFFIX) >= sizeof(id))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - strlen(PREFIX SUFFIX)),
			 de->d_name + strlen(PREFIX));
		snprintf(path, sizeof(path), "%s/%s", kd->cfg.state_dir, de->d_name);
		o = json_object_from_file(path);
		if (!o) {
			log_warn("unreadable session state ignored", "path=%s", log_q(path));
			continue;
		}
		cb(kd, id, o);
		json_object_put(o);
	}
	closedir(d);
}
