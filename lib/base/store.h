/* SPDX-License-Identifier: MIT */
/* store.h - saved cell configuration */
#ifndef NC_STORE_H
#define NC_STORE_H

#include "base/ctx.h"
#include "base/portspec.h"

/* a cell being deleted: STATE/cells/NAME.deleted (store_tombstone()) */
#define STORE_TOMBSTONE ".deleted"

/* largest saved configuration: the header lines and NC_PORTS_MAX ports */
#define STORE_MAX 8192

/**
 * struct cell_conf - what is saved of a cell, enough to rebuild it
 * @name:	cell name
 * @created:	creation time, seconds since the epoch
 * @ephemeral:	made by "netcell run": never rebuilt, removed instead
 * @adopted:	its namespace was given (nc_adopt(), the CNI plugin), not made:
 *		never made anew, forgotten when its binding is gone
 * @ports:	published ports ("port=" lines), in the order they were added
 * @nports:	number of @ports
 */
struct cell_conf {
	char name[NC_NAME_MAX + 1];
	long long created;
	int ephemeral;
	int adopted;
	unsigned long long id;
	struct portspec ports[NC_PORTS_MAX];
	unsigned nports;
};

NC_INTERNAL int store_lock(const char *path);
NC_INTERNAL int store_parse(const char *text, size_t len,
			    struct cell_conf *c);
NC_INTERNAL int store_format(const struct cell_conf *c, char *buf,
			     size_t len);
NC_INTERNAL int store_save(struct nc_ctx *ctx, const char *dir,
			   const struct cell_conf *c);
NC_INTERNAL int store_load(const char *dir, const char *name,
			   struct cell_conf *c);
NC_INTERNAL int store_remove(const char *dir, const char *name);
NC_INTERNAL int store_tombstone(const char *dir, const char *name);
NC_INTERNAL int store_tombstone_new(const char *dir, const char *name);
NC_INTERNAL void store_bury(const char *dir, const char *name);
NC_INTERNAL int store_sync_dir(const char *dir);
NC_INTERNAL int store_write_atomic(const char *path, const char *data,
				   size_t len);

#endif /* NC_STORE_H */
