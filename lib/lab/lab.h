/* SPDX-License-Identifier: MIT */
/* lab.h - declarative labs: the lab file's model, its record, the plan */
#ifndef NC_LAB_H
#define NC_LAB_H

#include <limits.h>
#include <net/if.h>
#include "base/cidr.h"
#include "base/ctx.h"

#define LAB_CELLS_MAX 256	/* links.conf keeps 256 links per user */
#define LAB_LINKS_MAX 256
#define LAB_IFS_MAX 16
#define LAB_ADDRS_MAX 8
#define LAB_ROUTES_MAX 32
#define LAB_SYSCTLS_MAX 16
#define LAB_PORTS_MAX 16
#define LAB_ITEM_MAX 200	/* one canonical item: "route DST GW DEV" */

/**
 * struct lab_pos - where something is in the lab file
 * @line:	line, from 1
 * @col:	column, from 1
 */
struct lab_pos {
	unsigned line, col;
};

/**
 * struct lab_if - an interface of a cell (an end of a link)
 * @name:	interface name in the cell
 * @addr:	its addresses, each with its prefix length
 * @naddr:	how many
 * @linked:	1 once a link names it
 * @pos:	where it is declared (or named by a link)
 */
struct lab_if {
	char name[IFNAMSIZ];
	struct cidr addr[LAB_ADDRS_MAX];
	unsigned naddr;
	int linked;
	struct lab_pos pos;
};

/**
 * struct lab_route - a static route of a cell
 * @family:	AF_INET or AF_INET6
 * @dst:	destination prefix (plen 0: default)
 * @gw:		gateway (family 0: none)
 * @dev:	outgoing interface, "" to let the gateway decide
 * @pos:	where it is
 */
struct lab_route {
	int family;
	struct cidr dst;
	struct cidr gw;
	char dev[IFNAMSIZ];
	struct lab_pos pos;
};

/**
 * struct lab_sysctl - one setting of the cell's network namespace
 * @key:	dotted key below net. ("net.ipv4.ip_forward")
 * @val:	value written
 */
struct lab_sysctl {
	char key[128];
	char val[64];
};

/**
 * struct lab_cell - one cell of the lab
 * @name:	name in the file
 * @full:	cell name: LAB-NAME
 * @ifs:	interfaces
 * @nifs:	how many
 * @routes:	static routes
 * @nroutes:	how many
 * @sysctls:	settings
 * @nsysctls:	how many
 * @fw:		firewall file (absolute, or relative to the working directory
 *		as the lab file's directory makes it), "" for none
 * @fwhash:	FNV-1a of the firewall file's content
 * @uplink:	none, pasta, slirp4netns or veth
 * @ports:	published ports, canonical specs
 * @nports:	how many
 * @pos:	where the cell is
 */
struct lab_cell {
	char name[NC_NAME_MAX + 1];
	char full[NC_NAME_MAX + 1];
	struct lab_if ifs[LAB_IFS_MAX];
	unsigned nifs;
	struct lab_route routes[LAB_ROUTES_MAX];
	unsigned nroutes;
	struct lab_sysctl sysctls[LAB_SYSCTLS_MAX];
	unsigned nsysctls;
	char fw[PATH_MAX];
	unsigned long long fwhash;
	char uplink[16];
	char ports[LAB_PORTS_MAX][64];
	unsigned nports;
	struct lab_pos pos;
};

/**
 * struct lab_link - a veth pair between two cells of the lab
 * @ca:		index of one cell
 * @ifa:	its end
 * @cb:		index of the other
 * @ifb:	its end
 */
struct lab_link {
	unsigned ca, cb;
	char ifa[IFNAMSIZ], ifb[IFNAMSIZ];
};

/**
 * struct nc_lab - a loaded lab file
 * @name:	lab name
 * @file:	the file as the user named it (for messages)
 * @cells:	cells (heap)
 * @ncells:	how many
 * @links:	links
 * @nlinks:	how many
 */
struct nc_lab {
	char name[NC_NAME_MAX + 1];
	char file[PATH_MAX];
	struct lab_cell *cells;
	unsigned ncells;
	struct lab_link links[LAB_LINKS_MAX];
	unsigned nlinks;
};

/**
 * struct lab_rec - what a lab made, as recorded by the last good "up"
 * @cell:	cells: file name, cell name, creation time, the firewall
 *		generation the lab put in force (0: none)
 * @ncells:	how many
 * @items:	one canonical item per line, "CELL KIND ARGS" (see labrec.c)
 * @nitems:	how many
 */
struct lab_rec {
	struct lab_rec_cell {
		char name[NC_NAME_MAX + 1];
		char full[NC_NAME_MAX + 1];
		long long created;
		unsigned fwgen;
	} cell[LAB_CELLS_MAX];
	unsigned ncells;
	char (*items)[LAB_ITEM_MAX];
	unsigned nitems;
};

/**
 * enum lab_op_kind - the steps of "up", in the order they run
 *
 * Removals of links come before new links (a new link may reuse an
 * interface name), except a link the file dropped whose names no new link
 * takes: it goes late, after every step that may fail, as its ends'
 * addresses would not come back with a link made again; routes are removed before addresses and added after
 * them, and cells leave last: everything before can be undone, a
 * deleted cell cannot.
 */
enum lab_op_kind {
	LOP_CELL_DROP,		/* a cell made again (its uplink changed) */
	LOP_CELL_ADD,
	LOP_LINK_DEL,
	LOP_LINK_ADD,
	LOP_ROUTE_DEL,
	LOP_ADDR_DEL,
	LOP_ADDR_ADD,
	LOP_ROUTE_ADD,
	LOP_SYSCTL,
	LOP_FW,
	LOP_FW_CLEAR,
	LOP_PORT_RM,
	LOP_PORT_ADD,
	LOP_LINK_DROP,		/* a link the file dropped: late, nothing after it fails */
	LOP_CELL_DEL,
};

/**
 * struct lab_op - one step of the plan
 * @kind:	what
 * @cell:	index of the lab's cell it is in, -1 for a cell of the record
 * @full:	the cell's name (a link: the first end's)
 * @arg:	labnet.c script line, port spec, link "A IFA B IFB", uplink
 * @seq:	order of planning (kept among steps of one kind)
 * @item:	how it is shown
 */
struct lab_op {
	enum lab_op_kind kind;
	unsigned seq;
	int cell;
	char full[NC_NAME_MAX + 1];
	char arg[LAB_ITEM_MAX];
	struct nc_lab_item item;
};

/* how a cell of the file stands against the record and the live cells */
enum lab_cell_state { LCS_OK, LCS_NEW, LCS_GONE, LCS_REMAKE };

/**
 * struct lab_plan - the difference between the file and the live lab
 * @ops:	steps (heap)
 * @nops:	how many
 * @want:	the file's items
 * @rec:	the record
 * @recpath:	the record's file
 * @state:	enum lab_cell_state of each cell of the file
 * @created:	creation time of each live cell of the file
 * @fwgen:	firewall generation in force in each cell of the file
 * @fwdrift:	1 for a cell whose live ruleset is no longer @fwgen (changed
 *		inside the cell since it was applied: "nft flush ruleset")
 * @live:	items seen in the live cells ("c if NAME", "c addr ..."...)
 */
struct lab_plan {
	struct lab_op *ops;
	unsigned nops;
	struct lab_rec *want;
	struct lab_rec *rec;
	char recpath[PATH_MAX];
	enum lab_cell_state state[LAB_CELLS_MAX];
	long long created[LAB_CELLS_MAX];
	unsigned fwgen[LAB_CELLS_MAX];
	unsigned char fwdrift[LAB_CELLS_MAX];
	struct lab_rec *live;
};

/* labplan.c */
NC_INTERNAL int lab_plan_make(struct nc_ctx *ctx, const struct nc_lab *lab,
			      struct lab_plan *plan);
NC_INTERNAL void lab_plan_release(struct lab_plan *plan);
NC_INTERNAL int lab_plan_op(struct lab_plan *p, enum lab_op_kind kind, int cell, const char *full,
			    const char *arg, const char *action, const char *what,
			    const char *reason);
NC_INTERNAL int lab_plan_rec_cell(const struct lab_rec *r, const char *name);
NC_INTERNAL int lab_plan_stays(const struct nc_lab *lab, const struct lab_plan *p,
			       const char *name);

/* lablive.c */
NC_INTERNAL int lab_live_read(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p);
NC_INTERNAL int lab_live_ports_fw(struct nc_ctx *ctx, const struct nc_lab *lab,
				  struct lab_plan *p);
NC_INTERNAL int lab_live_route(const struct lab_rec *live, const char *item);

/* labitem.c */
NC_INTERNAL int lab_item_plan(const struct nc_lab *lab, struct lab_plan *p, int ci,
			      const char *it, const struct lab_rec *fresh);
NC_INTERNAL int lab_item_gone(const struct nc_lab *lab, struct lab_plan *p,
			      const struct lab_rec *fresh);

/* labread.c */
NC_INTERNAL int lab_plan_copy(struct nc_ctx *ctx, const struct lab_plan *p, unsigned upto,
			      struct nc_lab_item **items, size_t *n);

/* labcheck.c */
NC_INTERNAL int lab_check_firewalls(struct nc_ctx *ctx, const struct lab_plan *p);
NC_INTERNAL int lab_check_ports(struct nc_ctx *ctx, const struct nc_lab *lab,
				const struct lab_plan *p);

/* labdown.c */
NC_INTERNAL size_t lab_end_processes(struct nc_ctx *ctx, const char *cell);

/* labfile.c */
#define LAB_ROOTLESS 1u
#define LAB_NAME_ONLY 2u
NC_INTERNAL int lab_parse(struct nc_ctx *ctx, const char *file, const char *text,
			  size_t len, const char *dir, unsigned flags, struct nc_lab **out);
NC_INTERNAL int lab_find_cell(const struct nc_lab *lab, const char *name);

/* labrec.c */
NC_INTERNAL int lab_rec_path(struct nc_ctx *ctx, const char *lab, char *path, size_t len,
			     int make);
NC_INTERNAL int lab_lock(struct nc_ctx *ctx, const char *lab, char *path, size_t len);
NC_INTERNAL int lab_rec_load(const char *path, struct lab_rec *r);
NC_INTERNAL int lab_rec_save(struct nc_ctx *ctx, const char *path, const char *lab,
			     const struct lab_rec *r);
NC_INTERNAL void lab_rec_release(struct lab_rec *r);
NC_INTERNAL int lab_rec_add(struct lab_rec *r, const char *item);
NC_INTERNAL int lab_rec_has(const struct lab_rec *r, const char *item);
NC_INTERNAL void lab_route_text(const struct lab_route *rt, char *buf, size_t len);
NC_INTERNAL int lab_items(const struct nc_lab *lab, struct lab_rec *r);
NC_INTERNAL int lab_link_words(const char *ends, char w[4][NC_NAME_MAX + 1]);

#endif /* NC_LAB_H */
