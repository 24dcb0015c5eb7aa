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

/**
 * cli_notices() - print the library's queued notices to stderr
 * @ctx:	context
 */
void cli_notices(struct nc_ctx *ctx)
{
	const char *n;

	while ((n = nc_notice_next(ctx)))
		fprintf(stderr, "netcell: notice: %s\n", n);
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
	return ctx;
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
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/**
 * json_pair() - "KEY":"VALUE", or "KEY":null for an empty value
 * @f:		stream
 * @key:	key
 * @val:	value
 */
static void json_pair(FILE *f, const char *key, const char *val)
{
	fprintf(f, "\"%s\":", key);
	if (val[0])
		cli_json_str(f, val);
	else
		fputs("null", f);
}

/**
 * json_obj2() - {"K1":"V1","K2":"V2"} as element @i of an array
 * @f:		stream
 * @i:		index in the array (a comma before all but the first)
 * @k1:		first key
 * @v1:		its value
 * @k2:		second key
 * @v2:		its value
 */
static void json_obj2(FILE *f, size_t i, const char *k1, const char *v1,
		      const char *k2, const char *v2)
{
	fprintf(f, "%s{", i ? "," : "");
	json_pair(f, k1, v1);
	fputc(',', f);
	json_pair(f, k2, v2);
	fputc('}', f);
}

/**
 * print_net_json() - the network keys of "inspect --json"
 * @f:		stream
 * @n:		the cell's network
 */
static void print_net_json(FILE *f, const struct nc_net_info *n)
{
	const char *l, *e;
	size_t i;

	fputs(",\"uplink\":", f);
	cli_json_str(f, n->uplink);
	fprintf(f, ",\"uplink_shared\":%s,\"host_loopback\":%s,\"dns\":[",
		n->shared ? "true" : "false", n->host_loopback ? "true" : "false");
	for (l = n->dns; *l; l = *e ? e + 1 : e) {
		char a[128];

		e = strchrnul(l, ' ');
		snprintf(a, sizeof(a), "%.*s", (int)(e - l), l);
		if (l != n->dns)
			fputc(',', f);
		cli_json_str(f, a);
	}
	fputs("],\"addresses\":[", f);
	for (i = 0; i < n->naddrs; i++)
		json_obj2(f, i, "dev", n->addrs[i].dev, "address", n->addrs[i].addr);
	fputs("],\"routes\":[", f);
	for (i = 0; i < n->nroutes; i++) {
		fprintf(f, "%s{", i ? "," : "");
		/* "via" and "dev" only when the route has them, as ip -j route */
		json_pair(f, "dst", n->routes[i].dst);
		if (n->routes[i].via[0]) {
			fputc(',', f);
			json_pair(f, "via", n->routes[i].via);
		}
		if (n->routes[i].dev[0]) {
			fputc(',', f);
			json_pair(f, "dev", n->routes[i].dev);
		}
		fputc('}', f);
	}
	fputs("],\"links\":[", f);
	for (i = 0; i < n->nlinks; i++)
		json_obj2(f, i, "peer", n->links[i].peer, "address", n->links[i].addr);
	fprintf(f, "],\"firewall\":{\"generation\":%u,\"pending\":%s,\"locked\":%s}", n->fw_gen,
		n->fw_pending ? "true" : "false", n->fw_locked ? "true" : "false");
}

/**
 * cli_print_info_json() - one cell as a JSON object (the documented schema)
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
	size_t i;
	int first = 1;

	fputs("{\"name\":", f);
	cli_json_str(f, c->name);
	fprintf(f, ",\"mode\":\"%s\",\"ephemeral\":%s,\"created\":%lld,\"keeper_pid\":%d,\"netns\":",
		c->rootless ? "rootless" : "root", c->ephemeral ? "true" : "false",
		c->created, (int)c->keeper);
	cli_json_str(f, c->netns);
	fputs(",\"userns\":", f);
	if (c->userns[0])
		cli_json_str(f, c->userns);
	else
		fputs("null", f);
	fputs(",\"ports\":[", f);
	for (i = 0; i < nports; i++) {
		if (strcmp(ports[i].cell, c->name))
			continue;
		if (!first)
			fputc(',', f);
		cli_print_port_json(f, &ports[i]);
		first = 0;
	}
	fputc(']', f);
	if (net)
		print_net_json(f, net);
	fputc('}', f);
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
 * cli_print_port_json() - one published port as a JSON object
 * @f:		stream
 * @p:		port
 *
 * Keys: cell, host_addr, host_port, cell_port, proto, active, to_host
 * (true: the host's host_addr:host_port reached at the cell's
 * 127.0.0.1:cell_port).
 */
void cli_print_port_json(FILE *f, const struct nc_port *p)
{
	fputs("{\"cell\":", f);
	cli_json_str(f, p->cell);
	fputs(",\"host_addr\":", f);
	cli_json_str(f, p->host_addr);
	fprintf(f, ",\"host_port\":%u,\"cell_port\":%u,\"proto\":\"%s\",\"active\":%s,\"to_host\":%s}",
		p->host_port, p->cell_port, p->proto, p->active ? "true" : "false",
		p->to_host ? "true" : "false");
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

	if (!isatty(2))
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
