// SPDX-License-Identifier: MIT
/* netopts.c - the connectivity options shared by create and run */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/**
 * cli_net_opt() - take one connectivity option, if @c is one
 * @c:		getopt_long's return value
 * @arg:	its optarg
 * @n:		options so far
 *
 * Return: 1 if @c was a connectivity option
 */
int cli_net_opt(int c, const char *arg, struct cli_net *n)
{
	switch (c) {
	case CLI_OPT_UPLINK:
		n->uplink = arg;
		return 1;
	case CLI_OPT_HOST_LOOPBACK:
		n->host_loopback = 1;
		return 1;
	case CLI_OPT_DNS:
		n->dns = arg;
		return 1;
	case CLI_OPT_ADDR:
		n->addr = arg;
		return 1;
	case CLI_OPT_FIREWALL:
		n->firewall = arg;
		return 1;
	case 'p':	/* -p, as podman and docker write --publish */
	case CLI_OPT_PUBLISH:
		if (n->npublish < NC_PORTS_MAX + 1)
			n->publish[n->npublish++] = arg;
		return 1;
	case CLI_OPT_HOST_PORT:
		/* a published port the other way: "host:PORT[:CELLPORT]" */
		if (n->npublish < NC_PORTS_MAX + 1) {
			snprintf(n->hostport[n->npublish], sizeof(n->hostport[0]), "host:%.18s", arg);
			n->publish[n->npublish] = n->hostport[n->npublish];
			n->npublish++;
		}
		return 1;
	default:
		return 0;
	}
}

/**
 * cli_net_check() - refuse bad --publish specs before anything is made
 * @cmd:	subcommand, for the message
 * @n:		options
 *
 * Return: 0, or 2 after a usage message showing the accepted form
 */
int cli_net_check(const char *cmd, const struct cli_net *n)
{
	struct nc_port p[NC_PORTS_MAX];
	struct nc_ctx *ctx;
	size_t i, k;
	int ret = 0;

	if (n->npublish > NC_PORTS_MAX)
		return cli_usage(cmd, "at most %d --publish", NC_PORTS_MAX);
	ctx = cli_ctx();
	for (i = 0; i < n->npublish && !ret; i++)
		if (nc_port_expand(ctx, n->publish[i], p, NC_PORTS_MAX, &k))
			ret = cli_usage(cmd, "%s", nc_errmsg(ctx));
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cli_net_apply() - give a new cell its firewall, uplink and published
 * ports, in that order (no packet passes before the ruleset is in force);
 * on failure the caller deletes the cell
 * @ctx:	context
 * @name:	cell
 * @n:		options
 *
 * Return: 0 or the library's error (printed by the caller)
 */
int cli_net_apply(struct nc_ctx *ctx, const char *name, const struct cli_net *n)
{
	const char *engine = n->uplink;
	unsigned gen;

	if (n->firewall && nc_fw_apply(ctx, name, n->firewall, NC_FW_AUTO, 0, &gen))
		return -1;
	if (!engine) {
		engine = nc_uplink_default();
		if (strcmp(engine, "pasta"))
			fprintf(stderr, "netcell: notice: pasta is not installed (apt-get install passt); cell \"%s\" %s\n",
				name, strcmp(engine, "none") ? "uses slirp4netns" :
				"has no uplink (apt-get install passt or slirp4netns)");
	}
	if (nc_uplink_up(ctx, name, engine, n->host_loopback, n->dns, n->addr))
		return -1;
	if (n->npublish)
		return nc_port_add(ctx, name, n->publish, n->npublish);
	return 0;
}
