// SPDX-License-Identifier: MIT
/* common.c - helpers shared by the subcommands: errors, help, JSON */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

/* -q: -1, default 0, -v: 1 (global options, before the command) */
int cli_verbosity;

/**
 * cli_notices() - print the library's queued notices to stderr (-q:
 * drop them)
 * @ctx:	context
 */
void cli_notices(struct nc_ctx *ctx)
{
	const char *n;

	while ((n = nc_notice_next(ctx)))
		if (cli_verbosity >= 0)
			fprintf(stderr, "netcell: notice: %s\n", n);
}

/**
 * cli_verbose() - one line to stderr with -v: what was done
 * @fmt:	message, without "netcell: " and newline
 */
void cli_verbose(const char *fmt, ...)
{
	va_list ap;

	if (cli_verbosity <= 0)
		return;
	va_start(ap, fmt);
	fputs("netcell: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/**
 * cli_fail() - print the last error and give its exit code
 * @ctx:	context
 *
 * Return: the error kind, which is the documented exit code
 */
int cli_fail(struct nc_ctx *ctx)
{
	enum nc_errkind k = nc_errkind(ctx);

	cli_notices(ctx);
	fprintf(stderr, "netcell: %s\n", nc_errmsg(ctx));
	return k == NC_ERR_NONE ? NC_ERR_FAILED : (int)k;
}

/**
 * cli_usage() - report a usage error
 * @cmd:	subcommand
 * @fmt:	what was wrong
 *
 * Return: 2, the usage exit code
 */
int cli_usage(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "netcell %s: %s; see 'netcell %s --help'\n", cmd, msg,
		cmd);
	return NC_ERR_USAGE;
}

/**
 * cli_ctx() - a new context, or exit when out of memory
 *
 * Return: context
 */
struct nc_ctx *cli_ctx(void)
{
	struct nc_ctx *ctx = nc_ctx_new();

	if (!ctx) {
		fprintf(stderr, "netcell: out of memory\n");
		exit(1);
	}
	if (cli_verbosity >= 0 && isatty(2))
		nc_ctx_set_progress(ctx, cli_wait_progress, NULL);
	return ctx;
}

/**
 * cli_wait_progress() - nc_progress_fn: a progress line on the terminal
 * @what:	what is waited for, NULL when done (the line is cleared)
 * @secs:	seconds so far
 * @arg:	unused
 */
void cli_wait_progress(const char *what, unsigned secs, void *arg)
{
	(void)arg;
	if (what)
		fprintf(stderr, "\rnetcell: %s... %us", what, secs);
	else
		fputs("\r\033[K", stderr);
}

/**
 * cli_help_requested() - print @text if the first argument asks for help
 * @argc:	argument count of the subcommand
 * @argv:	its arguments, argv[0] being the subcommand
 * @text:	the help text
 *
 * Return: 1 if help was printed
 */
int cli_help_requested(int argc, char **argv, const char *text)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(text, stdout);
			return 1;
		}
	}
	return 0;
}

/* compact, "/" as it is: the output of the hand-written writer before */
#define CLI_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/**
 * cli_json_print() - print a JSON value and release it
 * @f:		stream
 * @o:		value (json-c), released; NULL prints null
 */
void cli_json_print(FILE *f, struct json_object *o)
{
	fputs(json_object_to_json_string_ext(o, CLI_JSON_FLAGS), f);
	json_object_put(o);
}

/**
 * cli_help_before_cmd() - cli_help_requested() for a command line that
 * ends in a command of the user's (exec, run): only netcell's own part
 * counts
 * @argc:	argument count of the subcommand
 * @argv:	its arguments, argv[0] being the subcommand
 * @npos:	positional arguments before the user's command (exec: the
 *		cell name, 1; run: 0)
 * @text:	the help text
 *
 * 'netcell exec web ip --help' once printed netcell's help, not ip's.
 *
 * Return: 1 if help was printed
 */
int cli_help_before_cmd(int argc, char **argv, int npos, const char *text)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(text, stdout);
			return 1;
		}
		if (argv[i][0] != '-' && npos-- <= 0)
			break;
	}
	return 0;
}

/**
 * cli_json_str() - print a JSON string literal
 * @f:		stream
 * @s:		text
 */
void cli_json_str(FILE *f, const char *s)
{
	cli_json_print(f, json_object_new_string(s));
}

/**
 * cli_json_add() - add a member to an object (json-c takes @val)
 * @obj:	object
 * @key:	key
 * @val:	value
 */
void cli_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	json_object_object_add(obj, key, val);
}

/**
 * json_str_or_null() - a string, or null for an empty one
 * @s:		text
 *
 * Return: new JSON value
 */
static struct json_object *json_str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

/**
 * json_obj2() - {"K1":"V1","K2":"V2"}, an empty value as null
 * @k1:		first key
 * @v1:		its value
 * @k2:		second key
 * @v2:		its value
 *
 * Return: new JSON object
 */
static struct json_object *json_obj2(const char *k1, const char *v1,
				     const char *k2, const char *v2)
{
	struct json_object *o = json_object_new_object();

	cli_json_add(o, k1, json_str_or_null(v1));
	cli_json_add(o, k2, json_str_or_null(v2));
	return o;
}

/**
 * add_net_json() - the network keys of "inspect --json"
 * @o:		the cell's object
 * @n:		the cell's network
 */
static void add_net_json(struct json_object *o, const struct nc_net_info *n)
{
	struct json_object *a, *r;
	const char *l, *e;
	size_t i;

	cli_json_add(o, "uplink", json_object_new_string(n->uplink));
	cli_json_add(o, "uplink_shared", json_object_new_boolean(n->shared));
	cli_json_add(o, "host_loopback", json_object_new_boolean(n->host_loopback));
	a = json_object_new_array();
	for (l = n->dns; *l; l = *e ? e + 1 : e) {
		e = strchrnul(l, ' ');
		json_object_array_add(a, json_object_new_string_len(l, (int)(e - l)));
	}
	cli_json_add(o, "dns", a);
	a = json_object_new_array();
	for (i = 0; i < n->naddrs; i++)
		json_object_array_add(a, json_obj2("dev", n->addrs[i].dev,
						   "address", n->addrs[i].addr));
	cli_json_add(o, "addresses", a);
	a = json_object_new_array();
	for (i = 0; i < n->nroutes; i++) {
		r = json_object_new_object();
		/* "via" and "dev" only when the route has them, as ip -j route */
		cli_json_add(r, "dst", json_str_or_null(n->routes[i].dst));
		if (n->routes[i].via[0])
			cli_json_add(r, "via", json_object_new_string(n->routes[i].via));
		if (n->routes[i].dev[0])
			cli_json_add(r, "dev", json_object_new_string(n->routes[i].dev));
		json_object_array_add(a, r);
	}
	cli_json_add(o, "routes", a);
	a = json_object_new_array();
	for (i = 0; i < n->nlinks; i++)
		json_object_array_add(a, json_obj2("peer", n->links[i].peer,
						   "address", n->links[i].addr));
	cli_json_add(o, "links", a);
	r = json_object_new_object();
	cli_json_add(r, "generation", json_object_new_int64(n->fw_gen));
	cli_json_add(r, "pending", json_object_new_boolean(n->fw_pending));
	cli_json_add(r, "locked", json_object_new_boolean(n->fw_locked));
	cli_json_add(r, "drifted", json_object_new_boolean(n->fw_drifted));
	cli_json_add(o, "firewall", r);
}

/**
 * cli_info_json() - one cell as a JSON object (the schema of docs/json.md)
 * @c:		cell
 * @ports:	published ports, of this cell and maybe others
 * @nports:	number of @ports
 * @net:	the cell's network (inspect), or NULL (list)
 *
 * Return: new JSON object
 */
struct json_object *cli_info_json(const struct nc_cell_info *c,
				  const struct nc_port *ports, size_t nports,
				  const struct nc_net_info *net)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i;

	cli_json_add(o, "name", json_object_new_string(c->name));
	cli_json_add(o, "mode", json_object_new_string(c->rootless ? "rootless" : "root"));
	cli_json_add(o, "ephemeral", json_object_new_boolean(c->ephemeral));
	cli_json_add(o, "created", json_object_new_int64(c->created));
	cli_json_add(o, "keeper_pid", json_object_new_int(c->keeper));
	cli_json_add(o, "netns", json_object_new_string(c->netns));
	cli_json_add(o, "userns", json_str_or_null(c->userns));
	a = json_object_new_array();
	for (i = 0; i < nports; i++)
		if (!strcmp(ports[i].cell, c->name))
			json_object_array_add(a, cli_port_json(&ports[i]));
	cli_json_add(o, "ports", a);
	if (net)
		add_net_json(o, net);
	return o;
}

/**
 * cli_print_info_json() - print one cell as a JSON object
 * @f:		stream
 * @c:		cell
 * @ports:	published ports, of this cell and maybe others
 * @nports:	number of @ports
 * @net:	the cell's network (inspect), or NULL (list)
 */
void cli_print_info_json(FILE *f, const struct nc_cell_info *c,
			 const struct nc_port *ports, size_t nports,
			 const struct nc_net_info *net)
{
	cli_json_print(f, cli_info_json(c, ports, nports, net));
}

/**
 * cli_print_ports_short() - a cell's published ports on one line
 * @f:		stream
 * @cell:	cell name
 * @ports:	published ports, of this cell and maybe others
 * @n:		number of @ports
 *
 * Prints canonical specs separated by commas, or "-" when there are none.
 */
void cli_print_ports_short(FILE *f, const char *cell,
			   const struct nc_port *ports, size_t n)
{
	char spec[96];
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		if (strcmp(ports[i].cell, cell) ||
		    nc_port_format(&ports[i], spec, sizeof(spec)) < 0)
			continue;
		fprintf(f, "%s%s%s", first ? "" : ",", spec,
			ports[i].active ? "" : "(inactive)");
		first = 0;
	}
	if (first)
		fputc('-', f);
}

/**
 * cli_print_port_paths() - inspect: which path carries each port of a cell
 * and what is wrong with it, a line each ("path:     SPEC PATH  (NOTE)")
 * @f:		stream
 * @cell:	cell name
 * @ports:	published ports, of this cell and maybe others
 * @n:		number of @ports
 */
void cli_print_port_paths(FILE *f, const char *cell, const struct nc_port *ports,
			  size_t n)
{
	char spec[96];
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(ports[i].cell, cell) || !ports[i].path[0] ||
		    nc_port_format(&ports[i], spec, sizeof(spec)) < 0)
			continue;
		fprintf(f, "path:      %s %s%s%s%s\n", spec, ports[i].path,
			ports[i].path_note[0] ? "  (" : "", ports[i].path_note,
			ports[i].path_note[0] ? ")" : "");
	}
}

/**
 * cli_port_json() - one published port as a JSON object
 * @p:		port
 *
 * Keys: cell, host_addr, host_port, cell_port, proto, active, to_host
 * (true: the host's host_addr:host_port reached at the cell's
 * 127.0.0.1:cell_port), path ("kernel", "forwarder", "none"), path_note
 * (what is wrong with that path, "" when nothing is).
 *
 * Return: new JSON object
 */
struct json_object *cli_port_json(const struct nc_port *p)
{
	struct json_object *o = json_object_new_object();

	cli_json_add(o, "cell", json_object_new_string(p->cell));
	cli_json_add(o, "host_addr", json_object_new_string(p->host_addr));
	cli_json_add(o, "host_port", json_object_new_int((int)p->host_port));
	cli_json_add(o, "cell_port", json_object_new_int((int)p->cell_port));
	cli_json_add(o, "proto", json_object_new_string(p->proto));
	cli_json_add(o, "active", json_object_new_boolean(p->active));
	cli_json_add(o, "to_host", json_object_new_boolean(p->to_host));
	cli_json_add(o, "path", json_object_new_string(p->path));
	cli_json_add(o, "path_note", json_object_new_string(p->path_note));
	return o;
}

/**
 * cli_print_port_json() - print one published port as a JSON object
 * @f:		stream
 * @p:		port
 */
void cli_print_port_json(FILE *f, const struct nc_port *p)
{
	cli_json_print(f, cli_port_json(p));
}

/**
 * cli_time() - a creation time as the user reads it
 * @t:		seconds since the epoch
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
const char *cli_time(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%lld", t);
	return buf;
}

/**
 * cli_exec_status() - the exit status of netcell for a child's wait status
 * @status:	from waitpid()
 *
 * Return: the child's exit code, or 128+N when it died of signal N
 */
int cli_exec_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/**
 * cli_hold_signals() - let no terminating signal end a command that changes
 * several things until it made all or undid all of them
 * @old:	the mask to put back with cli_release_signals()
 */
void cli_hold_signals(sigset_t *old)
{
	sigset_t hold;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigaddset(&hold, SIGPIPE);
	sigprocmask(SIG_BLOCK, &hold, old);
}

/**
 * cli_release_signals() - deliver what was held (the default action of a
 * terminating signal ends the process now, its work complete)
 * @old:	mask from cli_hold_signals()
 */
void cli_release_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/* the progress line: what is being done, and since when */
static const char *progress_what;
static struct timespec progress_t0;
static int progress_shown;

/**
 * progress_tick() - SIGALRM: rewrite the progress line (write(2) only)
 * @sig:	unused
 */
static void progress_tick(int sig)
{
	char line[256];
	struct timespec t;
	int n;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &t);
	n = snprintf(line, sizeof(line), "\rnetcell: %s... %lds", progress_what,
		     (long)(t.tv_sec - progress_t0.tv_sec));
	if (n > 0 && write(2, line, (size_t)n) > 0)
		progress_shown = 1;
}

/**
 * cli_progress_start() - on a terminal, show what is being done once it
 * took a second, and the seconds since, until cli_progress_stop()
 * @what:	e.g. "applying the ruleset to cell web" (kept, not copied)
 */
void cli_progress_start(const char *what)
{
	struct sigaction sa = { .sa_handler = progress_tick, .sa_flags = SA_RESTART };
	struct itimerval it = { { 1, 0 }, { 1, 0 } };

	if (!isatty(2) || cli_verbosity < 0)
		return;
	progress_what = what;
	progress_shown = 0;
	clock_gettime(CLOCK_MONOTONIC, &progress_t0);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/**
 * cli_progress_stop() - end the progress line, clearing it
 */
void cli_progress_stop(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	if (!progress_what)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_what = NULL;
}
