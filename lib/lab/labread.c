// SPDX-License-Identifier: MIT
/*
 * labread.c - labs' public calls that change nothing: a lab file loaded,
 * its plan, its status
 *
 * Theory of operation: a lab file is read whole (at most 4 MiB, a regular
 * file) and parsed and validated by labfile.c before any call acts on it;
 * a relative firewall file is found from the lab file's directory.  "plan"
 * (up --dry-run) is what "up" would do: the plan (labplan.c) with its
 * firewall files checked as "up" checks them (labcheck.c), so a ruleset
 * "up" would refuse is refused here too.  "status" is one item per cell
 * ("up", "missing", "drift") and the plan's steps, each a difference
 * between the file and the live lab.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lab/lab.h"

#define LAB_FILE_MAX (4 << 20)

/**
 * nc_lab_load() - read and validate a lab file
 * @ctx:	context
 * @file:	path of the YAML file
 * @flags:	NC_LAB_NAME_ONLY: read only the lab's name (enough for
 *		nc_lab_down(), so a file an edit broke can still be taken down)
 * @lab:	the lab (nc_lab_free() it)
 *
 * Return: 0 or -errno with a message ("FILE:LINE:COL: ...", NC_ERR_USAGE,
 * for a mistake in the file)
 */
int nc_lab_load(struct nc_ctx *ctx, const char *file, unsigned flags, struct nc_lab **lab)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	char dir[PATH_MAX];
	struct stat st;
	ssize_t n;

	*lab = NULL;
	if (fd < 0)
		return ctx_err(ctx, -errno, errno == ENOENT ? NC_ERR_USAGE : NC_ERR_PERM,
			       "cannot read lab file \"%s\": %s", file, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > LAB_FILE_MAX)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "cannot read lab file \"%s\": not a regular file of at most 4 MiB", file);
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	n = read(fd, text, (size_t)st.st_size);
	if (n < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot read lab file \"%s\": %s", file,
			       strerror(errno));
	text[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", file);
	return lab_parse(ctx, file, text, (size_t)n, dirname(dir),
			 (geteuid() ? LAB_ROOTLESS : 0) | (flags & NC_LAB_NAME_ONLY ? LAB_NAME_ONLY : 0), lab);
}

/**
 * nc_lab_name() - a loaded lab's name
 * @lab:	lab
 *
 * Return: the name
 */
const char *nc_lab_name(const struct nc_lab *lab)
{
	return lab->name;
}

/**
 * lab_plan_copy() - the plan's steps as the caller's array
 * @ctx:	context
 * @p:		plan
 * @upto:	how many of its steps
 * @items:	result (free() it)
 * @n:		how many
 *
 * Return: 0 or -ENOMEM with a message
 */
int lab_plan_copy(struct nc_ctx *ctx, const struct lab_plan *p, unsigned upto,
		  struct nc_lab_item **items, size_t *n)
{
	unsigned i;

	*items = calloc(upto ? upto : 1, sizeof(**items));
	*n = 0;
	if (!*items)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (i = 0; i < upto; i++)
		(*items)[(*n)++] = p->ops[i].item;
	return 0;
}

/**
 * nc_lab_plan() - what "up" would do, changing nothing
 * @ctx:	context
 * @lab:	lab
 * @items:	the steps (free() it)
 * @n:		how many (0: up to date)
 *
 * Return: 0 or -errno with a message
 */
int nc_lab_plan(struct nc_ctx *ctx, struct nc_lab *lab, struct nc_lab_item **items, size_t *n)
{
	struct lab_plan p;
	int ret = lab_plan_make(ctx, lab, &p);

	if (!ret)
		ret = lab_check_firewalls(ctx, &p);
	if (!ret)
		ret = lab_plan_copy(ctx, &p, p.nops, items, n);
	lab_plan_release(&p);
	return ret;
}

/**
 * nc_lab_status() - each cell of the lab ("up", "missing", "drift") and
 * every difference between the file and the live lab
 * @ctx:	context
 * @lab:	lab
 * @items:	one item per cell of the file (kind "cell"), then the plan's
 *		steps (free() it)
 * @n:		how many
 *
 * Return: 0 or -errno with a message
 */
int nc_lab_status(struct nc_ctx *ctx, struct nc_lab *lab, struct nc_lab_item **items, size_t *n)
{
	struct lab_plan p;
	unsigned i, k;
	int ret = lab_plan_make(ctx, lab, &p);

	if (!ret)
		*items = calloc(lab->ncells + p.nops, sizeof(**items));
	if (!ret && !*items)
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (i = 0; !ret && i < lab->ncells; i++) {
		struct nc_lab_item *it = &(*items)[i];
		const char *st = p.state[i] == LCS_OK ? "up" : p.state[i] == LCS_REMAKE ? "drift" : "missing";

		for (k = 0; k < p.nops && !strcmp(st, "up"); k++)
			if (p.ops[k].cell == (int)i)
				st = "drift";
		snprintf(it->action, sizeof(it->action), "%s", st);
		snprintf(it->kind, sizeof(it->kind), "cell");
		snprintf(it->object, sizeof(it->object), "%s", lab->cells[i].full);
		snprintf(it->reason, sizeof(it->reason), "%s",
			 p.state[i] == LCS_NEW ? "not up" : p.state[i] == LCS_GONE ? "drift: the cell is gone" : "");
	}
	for (k = 0; !ret && k < p.nops; k++)
		(*items)[lab->ncells + k] = p.ops[k].item;
	if (!ret)
		*n = lab->ncells + p.nops;
	lab_plan_release(&p);
	return ret;
}
