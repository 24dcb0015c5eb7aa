// SPDX-License-Identifier: MIT
/*
 * labexec.c - "up": the plan's steps run, undone in reverse when one fails
 *
 * Theory of operation: "up" is plan (labplan.c), check (labcheck.c: every
 * firewall file that will be applied is loaded into a scratch namespace
 * first, so a bad ruleset fails before anything changes, and every host
 * port to publish is tried), then the steps in their kind's order through
 * the public calls every other command uses: nc_create(),
 * nc_uplink_up(), nc_link_named(), nc_fw_apply() (a firewall change is a
 * new generation), nc_port_add()/nc_port_rm(), nc_delete(); addresses,
 * routes and sysctls of all cells in one child (labnet.c).  Each step
 * done is remembered; when one fails, those done are undone in reverse
 * (a cell made is deleted, a link made removed, a link removed made again,
 * the network steps taken back by the script the child returned, a
 * firewall rolled back to the generation before, a port published
 * removed), so the lab is as it was.  Deleting the cells the file dropped
 * comes last, as a deleted cell cannot come back: if that fails, "up" says
 * what is done and the record keeps the cells still to delete.  The record
 * is written once, after the steps, and "up" then plans again: it reports
 * success only when nothing is left to do (verify_up()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lab/lab.h"
#include "lab/labnet.h"

/**
 * verify_up() - after "up": the lab is what the file says, planned anew
 * against the record just written and the live cells
 * @ctx:	context
 * @lab:	lab
 *
 * "up" reports success only when a new plan finds nothing left to do.
 *
 * Return: 0, or -EPROTO naming the first difference left
 */
static int verify_up(struct nc_ctx *ctx, struct nc_lab *lab)
{
	struct lab_plan again = { 0 };
	int ret = lab_plan_make(ctx, lab, &again);

	if (!ret && again.nops)
		ret = ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
			      "lab \"%s\": up made its changes, but %u still differ from the file (first: %s %s %s: %s); 'netcell status -f %s' shows them, 'netcell up -f %s' tries again",
			      lab->name, again.nops, again.ops[0].item.action, again.ops[0].item.kind,
			      again.ops[0].item.object, again.ops[0].item.reason, lab->file, lab->file);
	lab_plan_release(&again);
	return ret;
}

/**
 * struct run - "up" in progress
 * @ctx:	context
 * @lab:	lab
 * @p:		plan
 * @made:	cells made by this "up" (their other steps need no undo)
 * @gen:	the firewall generation each cell got
 * @net_undo:	script that takes the network steps back
 * @done:	steps done, in order
 */
struct run {
	struct nc_ctx *ctx;
	const struct nc_lab *lab;
	struct lab_plan *p;
	int made[LAB_CELLS_MAX];
	unsigned gen[LAB_CELLS_MAX];
	char *net_undo;
	unsigned done;
};

/**
 * is_net() - whether a step is one of labnet's
 * @k:		kind
 *
 * Return: 1 if so
 */
static int is_net(enum lab_op_kind k)
{
	return k >= LOP_ROUTE_DEL && k <= LOP_SYSCTL;
}

/**
 * net_steps() - run every network step from @from on, in one child
 * @r:		run
 * @from:	first network step
 * @reverse:	0: the steps; 1: the undo script, reversed
 *
 * Return: index after the last network step, or -errno with a message
 */
static int net_steps(struct run *r, unsigned from, int reverse)
{
	char *script = NULL, *undo = NULL;
	struct lab_ns ns;
	size_t sl = 0;
	unsigned i, end;
	int ret = lab_ns_init(r->ctx, r->lab, &ns);
	FILE *f = ret ? NULL : open_memstream(&script, &sl);

	if (!f) {
		lab_ns_release(&ns);
		return ret ? ret : ctx_err(r->ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	for (end = from; end < r->p->nops && is_net(r->p->ops[end].kind); end++)
		fprintf(f, "C %d\n%s\n", r->p->ops[end].cell, r->p->ops[end].arg);
	fclose(f);
	/* every cell of a network step: an undo script may name any of them */
	for (i = 0; i < r->p->nops && !ret; i++)
		if (is_net(r->p->ops[i].kind))
			ret = lab_ns_cell(r->ctx, &ns, (unsigned)r->p->ops[i].cell);
	if (!ret) {
		struct lab_net_job j = { &ns, reverse ? r->net_undo : script, 1, reverse };

		ret = lab_net_run(r->ctx, &j, &undo);
	}
	if (!ret && !reverse) {
		free(r->net_undo);
		r->net_undo = undo;
	} else {
		free(undo);
	}
	lab_ns_release(&ns);
	free(script);
	return ret ? ret : (int)end;
}

/**
 * do_step() - one step of "up"
 * @r:		run
 * @o:		step
 *
 * Return: 0 or -errno with a message
 */
static int do_step(struct run *r, const struct lab_op *o)
{
	const char *spec = o->arg;
	char w[4][NC_NAME_MAX + 1];
	int ret;

	switch (o->kind) {
	case LOP_CELL_DROP:
	case LOP_CELL_DEL:	/* as down does: what runs there ends with it */
		lab_end_processes(r->ctx, o->full);
		return nc_delete(r->ctx, o->full);
	case LOP_CELL_ADD:
		ret = nc_create(r->ctx, o->full, 0);
		if (!ret)
			r->made[o->cell] = 1;
		if (!ret && strcmp(o->arg, "none"))
			ret = nc_uplink_up(r->ctx, o->full, o->arg, 0, NULL, NULL);
		return ret;
	case LOP_LINK_DEL:
	case LOP_LINK_DROP:
		return lab_link_words(o->arg, w) ? -EINVAL : nc_unlink(r->ctx, w[0], w[2]);
	case LOP_LINK_ADD:
		return lab_link_words(o->arg, w) ? -EINVAL : nc_link_named(r->ctx, w[0], w[1], w[2], w[3]);
	case LOP_FW:
		return nc_fw_apply(r->ctx, o->full, o->arg, NC_FW_AUTO, 0, &r->gen[o->cell]);
	case LOP_FW_CLEAR:
		r->gen[o->cell] = 0;
		return nc_fw_rollback(r->ctx, o->full, 0, &r->gen[o->cell]);
	case LOP_PORT_RM:
		return nc_port_rm(r->ctx, o->full, &spec, 1);
	case LOP_PORT_ADD:
		return nc_port_add(r->ctx, o->full, &spec, 1);
	default:
		return -EINVAL;	/* net_steps() runs the network steps */
	}
}

/**
 * undo_step() - take one step back
 * @r:		run
 * @o:		step done
 * @c:		context for the undo's own failure
 *
 * Return: 0 or -errno with a message in @c
 */
static int undo_step(struct run *r, const struct lab_op *o, struct nc_ctx *c)
{
	const char *spec = o->arg;
	char w[4][NC_NAME_MAX + 1];
	unsigned gen;

	if (o->kind != LOP_CELL_ADD && o->kind != LOP_LINK_ADD && o->cell >= 0 && r->made[o->cell])
		return 0;	/* goes with the cell */
	switch (o->kind) {
	case LOP_CELL_ADD:
		return nc_delete(c, o->full);
	case LOP_LINK_DEL:
	case LOP_LINK_DROP:
		return lab_link_words(o->arg, w) ? 0 : nc_link_named(c, w[0], w[1], w[2], w[3]);
	case LOP_LINK_ADD:
		/* even to a cell made now: a namespace is torn down in the
		 * background, and its veth ends with it, so an "up" right after
		 * would meet the other end still there */
		return lab_link_words(o->arg, w) ? 0 : nc_unlink(c, w[0], w[2]);
	case LOP_FW:
	case LOP_FW_CLEAR:
		return nc_fw_rollback(c, o->full, NC_FW_PREVIOUS, &gen);
	case LOP_PORT_RM:
		return nc_port_add(c, o->full, &spec, 1);
	case LOP_PORT_ADD:
		return nc_port_rm(c, o->full, &spec, 1);
	case LOP_CELL_DROP:
	case LOP_CELL_DEL:
		return ctx_err(c, -EPERM, NC_ERR_FAILED, "cell \"%s\" was deleted", o->full);
	default:
		return 0;	/* the network steps: undo() runs their script */
	}
}

/**
 * undo() - take back every step done, last first, and the cell of a
 * failed step that made it (its uplink failed)
 * @r:		run
 *
 * Return: 0, or -errno with the first failure's message in @r->ctx's notice
 */
static int undo(struct run *r)
{
	struct nc_ctx c = { .kfd = -1 };
	int ret = 0, one, net_done = 0;
	unsigned i = r->done;

	/* the step that failed made its cell when only the uplink failed:
	 * the cell goes with the rest */
	if (i < r->p->nops && r->p->ops[i].kind == LOP_CELL_ADD && r->made[r->p->ops[i].cell])
		i++;
	while (i--) {
		const struct lab_op *o = &r->p->ops[i];

		c.msg[0] = '\0';
		if (is_net(o->kind)) {
			if (net_done++ || !r->net_undo || !r->net_undo[0])
				continue;
			one = net_steps(r, i, 1) < 0 ? -EIO : 0;
			if (one)
				snprintf(c.msg, sizeof(c.msg), "%s", r->ctx->msg);
		} else {
			one = undo_step(r, o, &c);
		}
		if (one && !ret) {
			ret = one;
			if (is_net(o->kind))
				ctx_notice(r->ctx, "undoing the address, route and sysctl steps failed: %s", c.msg);
			else
				ctx_notice(r->ctx, "undoing \"%s %s %s\" failed: %s", o->item.action,
					   o->item.kind, o->item.object, c.msg);
		}
	}
	if (c.kfd >= 0)
		close(c.kfd);
	return ret;
}

/**
 * add_sysold() - remember the value a sysctl had before the lab set it,
 * from the network steps' undo script ("S KEY OLD" then "C N")
 * @r:		run
 * @rec:	new record
 *
 * Return: 0 or -ENOMEM
 */
static int add_sysold(struct run *r, struct lab_rec *rec)
{
	char *save = NULL, *t, *prev = NULL, key[128], old[64], item[LAB_ITEM_MAX], probe[LAB_ITEM_MAX];
	_cleanup_free_ char *text = r->net_undo ? strdup(r->net_undo) : NULL;
	unsigned n, k;
	int ret = 0;

	for (t = text ? strtok_r(text, "\n", &save) : NULL; t && !ret; prev = t, t = strtok_r(NULL, "\n", &save)) {
		if (!prev || sscanf(prev, "S %127s %63s", key, old) != 2 || sscanf(t, "C %u", &n) != 1 ||
		    n >= r->lab->ncells)
			continue;
		snprintf(probe, sizeof(probe), "%s sysold %s ", r->lab->cells[n].name, key);
		for (k = 0; k < rec->nitems && strncmp(rec->items[k], probe, strlen(probe)); k++)
			;
		snprintf(item, sizeof(item), "%s%s", probe, old);
		if (k == rec->nitems)
			ret = lab_rec_add(rec, item);
	}
	return ret;
}

/**
 * new_record() - the record after a good "up"
 * @r:		run
 * @rec:	result
 * @keep:	steps not done (cells still to delete stay in the record)
 *
 * Return: 0 or -errno with a message
 */
static int new_record(struct run *r, struct lab_rec *rec, unsigned keep)
{
	const struct lab_plan *p = r->p;
	struct nc_cell_info *cells = NULL;
	size_t n = 0, k;
	unsigned i;
	int ret = nc_list(r->ctx, &cells, &n);

	if (ret || (ret = lab_items(r->lab, rec)))
		goto out;
	for (i = 0; i < r->lab->ncells; i++) {
		int ri;

		for (k = 0; k < n && strcmp(cells[k].name, r->lab->cells[i].full); k++)
			;
		rec->cell[i].created = k < n ? cells[k].created : 0;
		for (ri = 0; ri < (int)p->rec->ncells && strcmp(p->rec->cell[ri].name, rec->cell[i].name); ri++)
			;
		rec->cell[i].fwgen = ri < (int)p->rec->ncells && p->state[i] == LCS_OK ? p->rec->cell[ri].fwgen : 0;
	}
	for (i = 0; i < p->nops; i++)
		if (i < r->done && (p->ops[i].kind == LOP_FW || p->ops[i].kind == LOP_FW_CLEAR))
			rec->cell[p->ops[i].cell].fwgen = r->gen[p->ops[i].cell];
		else if (i >= r->done && p->ops[i].kind == LOP_CELL_DEL && rec->ncells < LAB_CELLS_MAX)
			for (k = 0; k < p->rec->ncells; k++)
				if (!strcmp(p->rec->cell[k].full, p->ops[i].full))
					rec->cell[rec->ncells++] = p->rec->cell[k];
	(void)keep;
	for (i = 0; i < p->rec->nitems && !ret; i++) {	/* old values of cells that stay */
		char name[NC_NAME_MAX + 1];
		int ci;

		if (!strstr(p->rec->items[i], " sysold ") || sscanf(p->rec->items[i], "%64s", name) != 1)
			continue;
		for (ci = 0; ci < (int)r->lab->ncells && strcmp(r->lab->cells[ci].name, name); ci++)
			;
		if (ci < (int)r->lab->ncells && p->state[ci] == LCS_OK)
			ret = lab_rec_add(rec, p->rec->items[i]);
	}
	if (!ret)
		ret = add_sysold(r, rec);
	if (ret)
		ret = ctx_err(r->ctx, ret, NC_ERR_FAILED, "out of memory");
out:
	free(cells);
	return ret;
}

/**
 * run_steps() - every step of the plan, in order
 * @r:		run
 *
 * Return: 0, or -errno with a message (@r->done says how far it came)
 */
static int run_steps(struct run *r)
{
	int ret = 0;

	while (r->done < r->p->nops && !ret) {
		const struct lab_op *o = &r->p->ops[r->done];

		if (is_net(o->kind)) {
			ret = net_steps(r, r->done, 0);
			if (ret >= 0) {
				r->done = (unsigned)ret;
				ret = 0;
			}
			continue;
		}
		ret = do_step(r, o);
		if (ret) {
			if (!r->ctx->msg[0])
				ctx_err(r->ctx, ret, NC_ERR_FAILED, "%s", strerror(-ret));
			ctx_wrap(r->ctx, ret, "%s %s \"%s\"", o->item.action, o->item.kind, o->item.object);
			break;
		}
		r->done++;
	}
	return ret;
}

/**
 * nc_lab_up() - make the live lab what the file says, changing only the
 * difference
 * @ctx:	context
 * @lab:	lab
 * @done:	the steps taken (free() it)
 * @n:		how many (0: it was up to date)
 *
 * Return: 0, or -errno with a message; the steps done were undone (or the
 * message says what is left and how to finish)
 */
int nc_lab_up(struct nc_ctx *ctx, struct nc_lab *lab, struct nc_lab_item **done, size_t *n)
{
	struct run r = { .ctx = ctx, .lab = lab };
	struct lab_rec *rec = calloc(1, sizeof(*rec));
	char path[PATH_MAX], lock[PATH_MAX];
	_cleanup_close_ int lk = -1;
	struct lab_plan p = { 0 };
	int ret, u;

	*done = NULL;
	*n = 0;
	r.p = &p;
	lk = lab_lock(ctx, lab->name, lock, sizeof(lock));
	ret = lk < 0 ? lk : lab_plan_make(ctx, lab, &p);
	if (!ret && !rec)
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (!ret)
		ret = lab_check_firewalls(ctx, &p);
	if (!ret)
		ret = lab_check_ports(ctx, lab, &p);
	if (!ret && p.nops)
		ret = lab_rec_path(ctx, lab->name, path, sizeof(path), 1);
	if (ret || !p.nops)
		goto out;
	ret = run_steps(&r);
	if (ret && r.done < p.nops && p.ops[r.done].kind == LOP_CELL_DEL && r.done &&
	    p.ops[r.done - 1].kind != LOP_CELL_DEL) {
		/* every change is made: only cells the file dropped are left */
		ctx_wrap(ctx, ret, "lab \"%s\": every change is made but one cell could not be deleted; run 'netcell up -f %s' again",
			 lab->name, lab->file);
		if (!new_record(&r, rec, r.done))
			lab_rec_save(&(struct nc_ctx){ .kfd = -1 }, path, lab->name, rec);
	} else if (ret) {
		int kind = ctx->kind;

		u = undo(&r);
		ctx_wrap(ctx, ret, u ? "lab \"%s\": up failed and could not be undone (the notice says what is left; 'netcell down -f %s' removes the lab)" :
			 "lab \"%s\": up failed; every change it made was undone%s", lab->name,
			 u ? lab->file : "");
		ctx->kind = (enum nc_errkind)kind;
	} else {
		ret = new_record(&r, rec, r.done);
		if (!ret)
			ret = lab_rec_save(ctx, path, lab->name, rec);
		if (!ret)
			ret = verify_up(ctx, lab);
	}
	if (r.done)
		lab_plan_copy(ctx, &p, r.done, done, n);
out:
	if (rec)
		lab_rec_release(rec);
	free(rec);
	free(r.net_undo);
	lab_plan_release(&p);
	return ret;
}
