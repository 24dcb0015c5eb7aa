// SPDX-License-Identifier: MIT
/*
 * store.c - saved cell configuration
 *
 * Theory of operation: one small text file per cell, STATE/cells/NAME.conf,
 * "key=value" lines.  A file is written to a temporary name, fsync()ed,
 * renamed over the old one and the directory fsync()ed, so after a crash
 * (of the keeper or the machine) each file is either the old or the new
 * configuration, never a torn one.  The keeper is the only writer.  The
 * parser is strict (unknown keys and malformed lines are rejected) because
 * a file that was edited by hand or damaged must not rebuild a wrong cell.
 *
 * Published ports are "port=" lines in canonical form (portspec.c), e.g.
 * "port=127.0.0.1:8080:80/tcp"; two lines that would want the same host
 * socket make the file invalid, as they could never both be in force.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "base/name.h"
#include "base/safefile.h"
#include "base/store.h"

/**
 * parse_ll() - parse a decimal integer that fills the whole string
 * @s:		text
 * @v:		result
 *
 * Return: 0 or -EINVAL
 */
static int parse_ll(const char *s, long long *v)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/**
 * add_port() - apply one "port=" line
 * @c:		configuration being built
 * @val:	canonical port specification
 *
 * Return: 0 or -EINVAL for a bad, clashing or one too many port
 */
static int add_port(struct cell_conf *c, const char *val)
{
	struct portspec s;
	unsigned i;

	if (c->nports >= NC_PORTS_MAX || portspec_parse(val, &s, NULL))
		return -EINVAL;
	for (i = 0; i < c->nports; i++)
		if (portspec_clash(&c->ports[i], &s))
			return -EINVAL;
	c->ports[c->nports++] = s;
	return 0;
}

/**
 * store_set() - apply one key=value pair
 * @c:		configuration being built
 * @key:	key
 * @val:	value
 *
 * Return: 0 or -EINVAL for an unknown key or a bad value
 */
static int store_set(struct cell_conf *c, const char *key, const char *val)
{
	long long v;

	if (!strcmp(key, "name")) {
		if (name_problem(val))
			return -EINVAL;
		snprintf(c->name, sizeof(c->name), "%s", val);
		return 0;
	}
	if (!strcmp(key, "port"))
		return add_port(c, val);
	if (!strcmp(key, "id")) {	/* the creation's identity (ksetup.c) */
		char *end;

		errno = 0;
		c->id = strtoull(val, &end, 10);
		return errno || end == val || *end || *val == '-' ? -EINVAL : 0;
	}
	if (parse_ll(val, &v))
		return -EINVAL;
	if (!strcmp(key, "created") && v >= 0)
		c->created = v;
	else if (!strcmp(key, "ephemeral") && (v == 0 || v == 1))
		c->ephemeral = (int)v;
	else if (!strcmp(key, "adopted") && (v == 0 || v == 1))
		c->adopted = (int)v;
	else
		return -EINVAL;
	return 0;
}

/**
 * store_parse() - parse the text of a saved cell
 * @text:	file contents, need not be NUL-terminated
 * @len:	its length
 * @c:		result
 *
 * Return: 0, or -EINVAL if any line is malformed or the name is missing
 */
int store_parse(const char *text, size_t len, struct cell_conf *c)
{
	char line[256];
	size_t i = 0, n;
	char *eq;
	int ret;

	memset(c, 0, sizeof(*c));
	while (i < len) {
		for (n = 0; i < len && text[i] != '\n'; i++, n++) {
			if (n >= sizeof(line) - 1 || !text[i])
				return -EINVAL;
			line[n] = text[i];
		}
		line[n] = '\0';
		i++;
		if (!n || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		ret = store_set(c, line, eq + 1);
		if (ret)
			return ret;
	}
	return c->name[0] ? 0 : -EINVAL;
}

/**
 * store_format() - the text of a saved cell
 * @c:		configuration
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: length written, or -ENOSPC
 */
int store_format(const struct cell_conf *c, char *buf, size_t len)
{
	char spec[PORTSPEC_TEXT_MAX + 1];
	size_t off;
	unsigned i;
	int n = snprintf(buf, len,
			 "# netcell cell configuration, written by the keeper\n"
			 "name=%s\ncreated=%lld\nephemeral=%d\n",
			 c->name, c->created, c->ephemeral);

	if (c->adopted && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "adopted=1\n");
	if (c->id && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "id=%llu\n", c->id);

	for (i = 0; i < c->nports && n >= 0 && (size_t)n < len; i++) {
		off = (size_t)n;
		portspec_format(&c->ports[i], spec, sizeof(spec));
		n = snprintf(buf + off, len - off, "port=%s\n", spec);
		n = n < 0 ? n : (int)off + n;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/**
 * store_write_atomic() - replace a private file durably (safefile_write())
 * @path:	final path
 * @data:	contents
 * @len:	length of @data
 *
 * Return: 0 or -errno; on failure the old file is untouched
 */
int store_write_atomic(const char *path, const char *data, size_t len)
{
	return safefile_write(path, data, len, 0600);
}

/**
 * store_save() - save a cell's configuration durably
 * @ctx:	context
 * @dir:	state directory
 * @c:		configuration
 *
 * Return: 0 or -errno with a message
 */
int store_save(struct nc_ctx *ctx, const char *dir, const struct cell_conf *c)
{
	char path[PATH_MAX], buf[STORE_MAX];
	int n, ret;

	n = store_format(c, buf, sizeof(buf));
	if (n < 0)
		return ctx_err(ctx, n, NC_ERR_FAILED,
			       "configuration of cell \"%s\" is too large",
			       c->name);
	snprintf(path, sizeof(path), "%s/cells/%s.conf", dir, c->name);
	ret = store_write_atomic(path, buf, (size_t)n);
	if (ret)
		return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
			       "cannot save configuration \"%s\": %s", path,
			       strerror(-ret));
	return 0;
}

/**
 * store_load() - read a cell's saved configuration
 * @dir:	state directory
 * @name:	cell name
 * @c:		result
 *
 * Return: 0, -ENOENT, or -EINVAL for a damaged file
 */
int store_load(const char *dir, const char *name, struct cell_conf *c)
{
	char path[PATH_MAX], buf[STORE_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cells/%s.conf", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (n == sizeof(buf))
		return -EINVAL;
	if (store_parse(buf, (size_t)n, c))
		return -EINVAL;
	return strcmp(c->name, name) ? -EINVAL : 0;
}

/**
 * store_remove() - forget a cell's saved configuration
 * @dir:	state directory
 * @name:	cell name
 *
 * Return: 0 or -errno (-ENOENT when there was none)
 */
int store_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cells/%s.conf", dir, name);
	return unlink(path) ? -errno : 0;
}

/**
 * store_tombstone() - mark a cell as being deleted: NAME.conf becomes
 * NAME.deleted in one rename()
 * @dir:	state directory
 * @name:	cell name
 *
 * From this step on a crash leaves no cell: a new keeper does not rebuild
 * a tombstone, it finishes the removal (keeper_forget()).  The suffix
 * cannot end a configuration's name, which ends in ".conf".
 *
 * Return: 0 or -errno (-ENOENT when there was no configuration)
 */
int store_tombstone(const char *dir, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(from, sizeof(from), "%s/cells/%s.conf", dir, name);
	snprintf(to, sizeof(to), "%s/cells/%s" STORE_TOMBSTONE, dir, name);
	if (rename(from, to))
		return -errno;
	return store_sync_dir(dir);
}

/**
 * store_tombstone_new() - a tombstone for a cell not saved yet
 * @dir:	state directory
 * @name:	cell name
 *
 * Written by create as soon as /run/netns/NAME is its own: a keeper crash
 * before the configuration is saved then leaves no binding behind.  Not
 * fsync()ed: it guards a binding on /run, a tmpfs that a machine crash
 * empties anyway, and a keeper killed meanwhile must find it, so the
 * window after the binding is one open(), not two fsync()s.
 *
 * Return: 0 or -errno
 */
int store_tombstone_new(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/cells/%s" STORE_TOMBSTONE, dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/**
 * store_bury() - remove a cell's tombstone, the last step of its removal
 * @dir:	state directory
 * @name:	cell name
 */
void store_bury(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cells/%s" STORE_TOMBSTONE, dir, name);
	unlink(path);
}

/**
 * store_sync_dir() - make renames in STATE/cells durable
 * @dir:	state directory
 *
 * Return: 0 or -errno
 */
int store_sync_dir(const char *dir)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	if (!safefile_durable())	/* a rootless keeper: safefile_set_durable() */
		return 0;
	snprintf(path, sizeof(path), "%s/cells", dir);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 || fsync(fd) ? -errno : 0;
}

/**
 * store_lock() - open (creating it) and lock a lock file, waiting for it
 * @path:	lock file
 *
 * Return: the locked descriptor (close() releases it), or -errno
 */
int store_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), err;

	if (fd >= 0 && !flock(fd, LOCK_EX))
		return fd;
	err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}
