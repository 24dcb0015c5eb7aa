/* SPDX-License-Identifier: MIT */
/* state.h - the plugin's records as state.c reads them, for siblings.c */
#ifndef NC_CNI_STATE_H
#define NC_CNI_STATE_H

#include "cni.h"

/**
 * struct rec - one state file as cni_state_scan() reads it
 * @path:	the file
 * @net:	its network (the directory's name)
 * @a:		the attachment
 * @netns:	its namespace path
 * @cell:	its firewall cell, "" for none
 * @id:		its container ("" in older records)
 * @s:		what it shares with the container's other attachments
 */
struct rec {
	char path[PATH_MAX];
	const char *net;
	struct nc_cni_attach a;
	char netns[PATH_MAX];
	char cell[NC_NAME_MAX + 1];
	char id[257];
	struct cni_share s;
};

int cni_state_scan(const char *skip, int (*fn)(const struct rec *r, void *arg), void *arg);
void cni_state_file(const char *net, const struct cni_env *env, char *buf, size_t len);
int cni_same_port(const struct nc_cni_port *p, const struct nc_cni_port *q);

#endif /* NC_CNI_STATE_H */
