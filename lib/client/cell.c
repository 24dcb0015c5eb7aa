// SPDX-License-Identifier: MIT
/*
 * cell.c - the public cell operations
 *
 * Theory of operation: every operation that changes or reads the set of
 * cells is a request to the user's keeper (client.c), which owns the
 * namespaces and the saved configuration.  This file checks arguments
 * before anything is sent, so a usage error never starts a keeper, and
 * turns the keeper's records into struct nc_cell_info (and published ports
 * into struct nc_port: requests PORTADD/PORTRM CELL "SPEC SPEC...", with
 * specs in canonical form, and PORTLIST [CELL]).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "client/cellfast.h"
#include "client/client.h"
#include "base/gc.h"
#include "base/portspec.h"
#include "base/proto.h"

/**
 * typedef record_fn - parse one line of a reply into one array element
 * @line:	the line, modified
 * @out:	the element
 *
 * Return: 0, or -EPROTO to skip the line
 */
typedef int (*record_fn)(char *line, void *out);

/**
 * parse_records() - every line of a reply, parsed into an array
 * @ctx:	context
 * @rep:	reply text, modified
 * @size:	size of one element
 * @parse:	parser of one line
 * @out:	the array, to be freed with free(); records are appended to it
 * @n:		number of elements
 *
 * Return: 0 or -ENOMEM with a message
 */
static int parse_records(struct nc_ctx *ctx, char *rep, size_t size,
			 record_fn parse, void **out, size_t *n)
{
	char *line, *save = NULL, *arr = *out, *t;

	for (line = strtok_r(rep, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		t = realloc(arr, (*n + 1) * size);
		if (!t) {
			free(arr);
			*out = NULL;
			*n = 0;
			return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
		}
		arr = t;
		if (!parse(line, arr + *n * size))
			(*n)++;
	}
	*out = arr;
	return 0;
}

/**
 * parse_record() - one record of a GET or LIST reply
 * @line:	record text, modified
 * @out:	result, a struct nc_cell_info
 *
 * Return: 0 or -EPROTO
 */
static int parse_record(char *line, void *out)
{
	struct nc_cell_info *info = out;
	char *f[7];

	if (proto_split(line, f, 7) != 7)
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", f[0]);
	info->rootless = atoi(f[1]);
	info->ephemeral = atoi(f[2]);
	info->created = strtoll(f[3], NULL, 10);
	info->keeper = (pid_t)atoi(f[4]);
	snprintf(info->netns, sizeof(info->netns), "%s", f[5]);
	f[6][strcspn(f[6], "\n")] = '\0';
	snprintf(info->userns, sizeof(info->userns), "%s", f[6]);
	/* a root cell's path is /run/netns/NAME unless that went */
	info->unbound = !info->rootless && !strncmp(info->netns, "/proc/", 6);
	return 0;
}

/**
 * unbound_notice() - tell that a root cell's /run/netns entry is gone
 * @ctx:	context
 * @info:	the cell
 */
static void unbound_notice(struct nc_ctx *ctx, const struct nc_cell_info *info)
{
	if (info->unbound)
		ctx_notice(ctx,
			   "cell \"%s\" lost /run/netns/%s (removed behind netcell's back, e.g. by 'ip netns del'): 'ip netns' no longer sees it and its path is now %s, valid while the keeper runs; 'netcell delete %s' and create it again to have it bound",
			   info->name, info->name, info->netns, info->name);
}

/**
 * nc_create() - create a cell
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_CREATE_EPHEMERAL to bind the cell to @ctx's lifetime
 *
 * Return: 0, or -errno (-EINVAL bad name, -EEXIST exists) with a message
 */
int nc_create(struct nc_ctx *ctx, const char *name, unsigned flags)
{
	unsigned long long id;

	return nc_create_id(ctx, name, flags, &id);
}

/**
 * delete_req() - DELETE or DELIDLE of a cell by name
 * @ctx:	context
 * @verb:	"DELETE" or "DELIDLE"
 * @name:	cell name
 *
 * Return: 0 or -errno with a message
 */
static int delete_req(struct nc_ctx *ctx, const char *verb, const char *name)
{
	char req[NC_NAME_MAX + 32];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "%s\t%s", verb, name);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_delete() - delete a cell and everything it made
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0, or -errno (-ENOENT no such cell) with a message
 */
int nc_delete(struct nc_ctx *ctx, const char *name)
{
	return delete_req(ctx, "DELETE", name);
}

/**
 * nc_delete_idle() - delete a cell unless processes are still in it
 * @ctx:	context
 * @name:	cell name
 *
 * The keeper checks and deletes in one request, so no process can enter
 * in between; its own helpers in the cell do not count.
 *
 * Return: 0; -EBUSY with a message naming the processes (kind
 * NC_ERR_FAILED); or -errno (-ENOENT no such cell) with a message
 */
int nc_delete_idle(struct nc_ctx *ctx, const char *name)
{
	return delete_req(ctx, "DELIDLE", name);
}

/**
 * nc_create_id() - create a cell and learn this creation's identity
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_CREATE_EPHEMERAL, NC_CREATE_SETUP
 * @id:		output: a random identity no other creation of the name has,
 *		for nc_create_keep() and nc_delete_id()
 *
 * With NC_CREATE_SETUP the cell is, until nc_create_keep(), bound to
 * @ctx's connection (the keeper deletes it when the connection ends: a
 * killed command leaves no half-made cell, nor does a keeper crash) and
 * another command's delete does not see it (a delete racing the create is
 * ordered before it).
 *
 * Return: 0, or -errno with a message as nc_create()
 */
int nc_create_id(struct nc_ctx *ctx, const char *name, unsigned flags,
		 unsigned long long *id)
{
	char req[NC_NAME_MAX + 32], rep[64], *f[2];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "CREATE\t%s\t%u", name, flags);
	ret = client_call(ctx, req, rep, sizeof(rep), NULL, NULL);
	if (ret)
		return ret;
	*id = proto_split(rep, f, 2) == 2 ? strtoull(f[1], NULL, 10) : 0;
	if (!*id)
		return ctx_err(ctx, -EPROTO, NC_ERR_FAILED, "malformed reply from the keeper");
	if (flags & NC_CREATE_SETUP) {
		/* the setup's own steps (a firewall) reach this creation only,
		 * never a cell another command made of that name meanwhile */
		snprintf(ctx->setup_name, sizeof(ctx->setup_name), "%s", name);
		ctx->setup_id = *id;
	}
	return 0;
}

/**
 * made_request() - KEEP or DELETE of the cell one nc_create_id() made
 * @ctx:	context
 * @op:		"KEEP" or "DELETE"
 * @name:	cell name
 * @id:		from nc_create_id()
 *
 * Return: 0, or -errno with a message (kind NC_ERR_NOCELL when that cell
 * is gone, even if another of the same name exists)
 */
static int made_request(struct nc_ctx *ctx, const char *op, const char *name,
			unsigned long long id)
{
	char req[NC_NAME_MAX + 64];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "%s\t%s\t%llu", op, name, id);
	if (ctx->setup_id == id)
		ctx->setup_id = 0;	/* kept or undone: an ordinary name again */
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_create_keep() - the setup of an NC_CREATE_SETUP cell is done: it stays,
 * as one of nc_create()
 * @ctx:	context
 * @name:	cell name
 * @id:		from nc_create_id()
 *
 * Return: 0, or -errno with a message
 */
int nc_create_keep(struct nc_ctx *ctx, const char *name, unsigned long long id)
{
	return made_request(ctx, "KEEP", name, id);
}

/**
 * nc_delete_id() - delete the cell nc_create_id() made, and only that
 * @ctx:	context
 * @name:	cell name
 * @id:		from nc_create_id()
 *
 * A cell of the same name that another command made (after this one's was
 * lost with a keeper that restarted) is left alone.
 *
 * Return: 0, or -errno with a message (kind NC_ERR_NOCELL when that cell
 * is gone)
 */
int nc_delete_id(struct nc_ctx *ctx, const char *name, unsigned long long id)
{
	return made_request(ctx, "DELETE", name, id);
}

/**
 * cell_get() - a cell's record and its namespace descriptors
 * @ctx:	context
 * @name:	cell name
 * @info:	result
 * @fds:	[userns, netns] for rootless cells, [netns] for root cells
 * @nfds:	in: room (at least 2); out: how many came
 *
 * Return: 0 or -errno with a message
 */
int cell_get(struct nc_ctx *ctx, const char *name, struct nc_cell_info *info,
	     int *fds, int *nfds)
{
	char req[NC_NAME_MAX + 48], rep[1024];
	struct nc_paths p;
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	/* a rootless cell handed out before: opened here, no keeper asked */
	if (!ctx->setup_id && *nfds >= 2 && !paths_get(ctx, &p) &&
	    !cellfast_open(&p, name, rep, sizeof(rep), fds)) {
		*nfds = 2;
		if (!parse_record(rep, info) && !strcmp(info->name, name))
			return 0;
		close(fds[0]);
		close(fds[1]);
	}
	if (ctx->setup_id && !strcmp(ctx->setup_name, name))
		snprintf(req, sizeof(req), "GET\t%s\t%llu", name, ctx->setup_id);
	else
		snprintf(req, sizeof(req), "GET\t%s", name);
	ret = client_call(ctx, req, rep, sizeof(rep), fds, nfds);
	if (ret)
		return ret;
	if (parse_record(rep, info))
		return ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
			       "malformed reply from the keeper");
	return 0;
}

/**
 * nc_inspect() - what is known about one cell
 * @ctx:	context
 * @name:	cell name
 * @info:	result
 *
 * Return: 0 or -errno with a message
 */
int nc_inspect(struct nc_ctx *ctx, const char *name, struct nc_cell_info *info)
{
	int fds[2], nfds = 2, ret, i;

	ret = cell_get(ctx, name, info, fds, &nfds);
	for (i = 0; !ret && i < nfds; i++)
		close(fds[i]);
	if (!ret)
		unbound_notice(ctx, info);
	return ret;
}

/**
 * paged_call() - a listing request, page after page, all its records
 * @ctx:	context
 * @req:	request without the page index ("LIST", "PORTLIST\tCELL")
 * @size:	size of one element
 * @parse:	parser of one record line
 * @out:	the array, to be freed with free()
 * @n:		number of elements
 *
 * The keeper answers a page at a time (one message holds PROTO_MAX bytes);
 * a page that is not the last ends with "MORE\tINDEX", where the next
 * starts.  Nothing is ever cut off.
 *
 * Return: 0 or -errno with a message
 */
static int paged_call(struct nc_ctx *ctx, const char *req, size_t size, record_fn parse,
		      void **out, size_t *n)
{
	_cleanup_free_ char *rep = malloc(PROTO_MAX);
	char q[NC_NAME_MAX + 64], *more;
	unsigned long from = 0, pages = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (!rep)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	do {
		snprintf(q, sizeof(q), "%s\t%lu", req, from);
		ret = client_call(ctx, q, rep, PROTO_MAX, NULL, NULL);
		if (ret)
			break;
		more = !strncmp(rep, "MORE\t", 5) ? rep : strstr(rep, "\nMORE\t");
		if (more) {
			more += *more == '\n';
			from = strtoul(more + 5, NULL, 10);
			*more = '\0';
		}
		ret = parse_records(ctx, rep, size, parse, out, n);
	} while (!ret && more && ++pages < 1000000);
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

/**
 * nc_list() - every cell of the caller
 * @ctx:	context
 * @cells:	array of results, to be freed with free()
 * @n:		number of cells
 *
 * Return: 0 or -errno with a message
 */
int nc_list(struct nc_ctx *ctx, struct nc_cell_info **cells, size_t *n)
{
	int ret = paged_call(ctx, "LIST", sizeof(**cells), parse_record, (void **)cells, n);
	size_t i;

	for (i = 0; !ret && i < *n; i++)
		unbound_notice(ctx, &(*cells)[i]);
	return ret;
}

/**
 * nc_gc() - remove leftovers of interrupted operations: temporary files
 * of dead writers in the state and runtime directories, stage directories
 * of a "fw stage" that is gone
 * @ctx:	context
 * @removed:	how many leftovers were removed
 *
 * Return: 0 or -errno with a message
 */
int nc_gc(struct nc_ctx *ctx, unsigned *removed)
{
	char rep[64];
	int ret = client_call(ctx, "GC", rep, sizeof(rep), NULL, NULL);
	char *f[2];

	if (ret)
		return ret;
	*removed = proto_split(rep, f, 2) == 2 ? (unsigned)atoi(f[1]) : 0;
	/* stage directories belong to the caller's commands, not the keeper */
	gc_stage_dirs(removed);
	return 0;
}

/**
 * choose_ports() - a free host port for each port that has none
 * @ctx:	context
 * @p:		ports; a @host_port of 0 is filled in
 * @n:		how many
 *
 * The kernel picks each (bind to port 0); the sockets stay open until all
 * are picked, so two ports of one request never get the same one.  Each
 * choice is told in a notice, as podman shows the port it chose.
 *
 * Return: 0 or -errno with a message
 */
static int choose_ports(struct nc_ctx *ctx, struct nc_port *p, size_t n)
{
	int fds[NC_PORTS_MAX], ret = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];
	size_t i, k = 0;

	for (i = 0; i < n && !ret; i++) {
		if (p[i].host_port || p[i].to_host)
			continue;
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = strchr(p[i].host_addr, ':') ? AF_INET6 : AF_INET;
		if (ss.ss_family == AF_INET)
			inet_pton(AF_INET, p[i].host_addr, &((struct sockaddr_in *)&ss)->sin_addr);
		else
			inet_pton(AF_INET6, p[i].host_addr, &((struct sockaddr_in6 *)&ss)->sin6_addr);
		len = sizeof(ss);
		fds[k] = socket(ss.ss_family, (strcmp(p[i].proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
		if (fds[k] < 0 || bind(fds[k], (struct sockaddr *)&ss, len) ||
		    getsockname(fds[k], (struct sockaddr *)&ss, &len)) {
			ret = ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot choose a free host port on %s: %s",
				      p[i].host_addr, strerror(errno));
			if (fds[k] >= 0)
				close(fds[k]);
			break;
		}
		k++;
		p[i].host_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				       ((struct sockaddr_in6 *)&ss)->sin6_port);
		nc_port_format(&p[i], text, sizeof(text));
		ctx_notice(ctx, "host port %u chosen for cell port %u/%s: %s",
			   p[i].host_port, p[i].cell_port, p[i].proto, text);
	}
	while (k)
		close(fds[--k]);
	return ret;
}

/**
 * port_request() - send PORTADD or PORTRM with the canonical specs
 * @ctx:	context
 * @op:		"PORTADD" or "PORTRM"
 * @cell:	cell name
 * @specs:	what the user wrote (ranges expanded; PORTADD: a missing host
 *		port chosen)
 * @n:		how many
 *
 * Every spec is checked before anything is sent, so a usage error changes
 * nothing and starts no keeper.
 *
 * Return: 0 or -errno with a message
 */
static int port_request(struct nc_ctx *ctx, const char *op, const char *cell,
			const char *const *specs, size_t n)
{
	char req[NC_NAME_MAX + 32 + NC_PORTS_MAX * 80];
	struct nc_port p[NC_PORTS_MAX];
	size_t i, k, total = 0, off;
	int ret = nc_name_check(ctx, cell);

	if (ret)
		return ret;
	if (!n || n > NC_PORTS_MAX)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "give 1 to %d ports", NC_PORTS_MAX);
	for (i = 0; i < n; i++, total += k) {
		if (total == NC_PORTS_MAX)
			return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				       "at most %d ports, ranges counted port by port", NC_PORTS_MAX);
		ret = nc_port_expand(ctx, specs[i], p + total, NC_PORTS_MAX - total, &k);
		if (ret)
			return ret;
		if (!strcmp(op, "PORTRM") && !p[total].host_port)
			return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				       "port rm needs the host port of \"%s\", as 'netcell port list' shows it",
				       specs[i]);
	}
	off = (size_t)snprintf(req, sizeof(req), "%s\t%s\t", op, cell);
	ret = choose_ports(ctx, p, total);
	for (i = 0; !ret && i < total; i++) {
		ret = nc_port_format(&p[i], req + off, sizeof(req) - off - 1);
		if (ret < 0)
			return ctx_err(ctx, ret, NC_ERR_USAGE, "too many ports");
		off += (size_t)ret;
		req[off++] = ' ';
		ret = 0;
	}
	if (ret)
		return ret;
	req[off - 1] = '\0';
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_port_add() - publish ports of a cell, all or none
 * @ctx:	context
 * @cell:	cell name
 * @specs:	[HOSTADDR:]HOSTPORT:CELLPORT[/tcp|/udp] each
 * @n:		how many
 *
 * The ports are saved with the cell and come back after a keeper crash.
 *
 * Return: 0, or -errno with a message: kind NC_ERR_USAGE for a bad spec,
 * NC_ERR_NOCELL, NC_ERR_EXISTS when a host port is published already,
 * NC_ERR_PERM for a host port below net.ipv4.ip_unprivileged_port_start,
 * NC_ERR_FAILED when the host port is in use
 */
int nc_port_add(struct nc_ctx *ctx, const char *cell, const char *const *specs,
		size_t n)
{
	return port_request(ctx, "PORTADD", cell, specs, n);
}

/**
 * nc_port_rm() - withdraw published ports of a cell, all or none
 * @ctx:	context
 * @cell:	cell name
 * @specs:	as they were added (compared in canonical form)
 * @n:		how many
 *
 * Connections through the withdrawn ports are reset; the host ports are
 * free again when this returns.
 *
 * Return: 0, or -errno with a message (-ENOENT, kind NC_ERR_FAILED, when
 * the cell has no such forward)
 */
int nc_port_rm(struct nc_ctx *ctx, const char *cell, const char *const *specs,
	       size_t n)
{
	return port_request(ctx, "PORTRM", cell, specs, n);
}

/**
 * parse_port_record() - one record of a PORTLIST reply
 * @line:	"CELL \t SPEC \t ACTIVE [\t PATH \t NOTE]", modified
 * @out:	result, a struct nc_port
 *
 * Return: 0 or -EPROTO
 */
static int parse_port_record(char *line, void *out)
{
	struct nc_port *port = out;
	struct portspec s;
	char *f[5];
	int nf = proto_split(line, f, 5);

	if ((nf != 3 && nf != 5) || portspec_parse(f[1], &s, NULL))
		return -EPROTO;
	portspec_to_port(&s, f[0], port);
	port->active = atoi(f[2]);
	snprintf(port->path, sizeof(port->path), "%s", nf == 5 ? f[3] : "");
	snprintf(port->path_note, sizeof(port->path_note), "%s", nf == 5 ? f[4] : "");
	return 0;
}

/**
 * nc_port_list() - published ports of one cell or of every cell
 * @ctx:	context
 * @cell:	cell name, or NULL for every cell of the caller
 * @ports:	array of results, to be freed with free()
 * @n:		number of ports
 *
 * Return: 0 or -errno with a message
 */
int nc_port_list(struct nc_ctx *ctx, const char *cell, struct nc_port **ports,
		 size_t *n)
{
	char req[NC_NAME_MAX + 32];
	int ret = cell ? nc_name_check(ctx, cell) : 0;

	*ports = NULL;
	*n = 0;
	if (ret)
		return ret;
	snprintf(req, sizeof(req), "PORTLIST\t%s", cell ? cell : "");
	return paged_call(ctx, req, sizeof(**ports), parse_port_record, (void **)ports, n);
}
