// SPDX-License-Identifier: MIT
/*
 * labdown.c - "down": exactly the cells a lab made removed, and its record
 *
 * Theory of operation: "down" reads only the record (STATE/labs/NAME.lab),
 * never the lab file's cells, so a file an edit broke or emptied still
 * takes its lab down.  A recorded cell is deleted only while it is the one
 * the lab made (the creation time matches): one made again by another
 * command is left alone, with a notice.  What runs in a cell is ended
 * first (SIGTERM, SIGKILL after 2 s), as "run" ends what its command left;
 * links, firewalls and ports go with their cells.  When a deletion fails,
 * the record keeps the cells not yet deleted, so "down" can be run again.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lab/lab.h"

/**
 * lab_end_processes() - end what runs in a cell: SIGTERM, 2 s, then SIGKILL
 * @ctx:	context
 * @cell:	cell
 *
 * Return: how many processes there were
 */
size_t lab_end_processes(struct nc_ctx *ctx, const char *cell)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };
	pid_t *pids = NULL;
	size_t n = 0, first, i;
	int round;

	if (nc_pids(ctx, cell, &pids, &n))
		return 0;
	first = n;
	for (round = 0; n && round < 41; round++) {
		for (i = 0; i < n; i++)
			kill(pids[i], round == 40 ? SIGKILL : SIGTERM * (round == 0));
		free(pids);
		pids = NULL;
		nanosleep(&t, NULL);
		if (nc_pids(ctx, cell, &pids, &n))
			break;
	}
	free(pids);
	return first;
}

/**
 * nc_lab_down() - remove exactly the cells the lab made (their links,
 * firewalls and ports go with them), and its record
 * @ctx:	context
 * @lab:	lab
 * @removed:	how many cells were deleted
 *
 * Processes still running in a cell are ended first (SIGTERM, SIGKILL
 * after 2 s), as "run" ends what its command left.  A cell of the lab's
 * name that another command made again is left alone, with a notice.
 *
 * Return: 0 or -errno with a message
 */
int nc_lab_down(struct nc_ctx *ctx, struct nc_lab *lab, unsigned *removed)
{
	struct lab_rec *rec = calloc(1, sizeof(*rec));
	struct nc_cell_info *cells = NULL;
	char path[PATH_MAX], lock[PATH_MAX];
	_cleanup_close_ int lk = -1;
	size_t n = 0, k;
	unsigned i, left = 0;
	int ret, stopped = 0;

	*removed = 0;
	if (!rec)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	lk = lab_lock(ctx, lab->name, lock, sizeof(lock));
	if (lk < 0) {
		free(rec);
		return lk;
	}
	ret = lab_rec_path(ctx, lab->name, path, sizeof(path), 0);
	if (!ret) {
		ret = lab_rec_load(path, rec);
		if (ret == -ENOENT)
			ret = 0;	/* not up: nothing to do */
		else if (ret)
			ret = ctx_err(ctx, ret, NC_ERR_FAILED, "cannot read the record of lab \"%s\" (%s): %s",
				      lab->name, path, strerror(-ret));
	}
	if (!ret && rec->ncells)
		ret = nc_list(ctx, &cells, &n);
	for (i = 0; i < rec->ncells && !ret; i++) {
		for (k = 0; k < n && strcmp(cells[k].name, rec->cell[i].full); k++)
			;
		if (k < n && cells[k].created != rec->cell[i].created) {
			ctx_notice(ctx, "cell \"%s\" was made again by another command since lab \"%s\" made it: left alone",
				   rec->cell[i].full, lab->name);
			continue;
		}
		if (k == n)
			continue;
		lab_end_processes(ctx, rec->cell[i].full);
		ret = nc_delete(ctx, rec->cell[i].full);
		if (ret && nc_errkind(ctx) == NC_ERR_NOCELL) {
			ret = 0;
		} else if (ret) {
			left = i;
			stopped = 1;
		} else {
			(*removed)++;
		}
	}
	/* a record not read, or cells not listed, changed nothing: the record
	 * is left as it is (an empty one would orphan the lab's cells) */
	if (stopped) {	/* the record keeps the cells not yet deleted */
		memmove(rec->cell, rec->cell + left, (rec->ncells - left) * sizeof(rec->cell[0]));
		rec->ncells -= left;
		lab_rec_save(&(struct nc_ctx){ .kfd = -1 }, path, lab->name, rec);
		ctx_wrap(ctx, ret, "lab \"%s\": down stopped at cell \"%s\"", lab->name, rec->cell[0].full);
	} else if (!ret) {
		rec->ncells = 0;
		ret = lab_rec_save(ctx, path, lab->name, rec);
		unlink(lock);	/* nothing of the lab is left (still held: no up meanwhile) */
	}
	free(cells);
	lab_rec_release(rec);
	free(rec);
	return ret;
}
