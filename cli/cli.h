/* SPDX-License-Identifier: MIT */
/* cli.h - shared helpers of the netcell command line */
#ifndef NC_CLI_H
#define NC_CLI_H

#include <signal.h>
#include <stdio.h>
#include <json-c/json.h>
#include "netcell.h"

/**
 * struct cli_cmd - one subcommand
 * @name:	as typed
 * @fn:		handler; returns the process exit status
 * @summary:	one line for "netcell --help"
 */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* connectivity options of create and run */
enum { CLI_OPT_UPLINK = 0x100, CLI_OPT_HOST_LOOPBACK, CLI_OPT_DNS, CLI_OPT_ADDR,
       CLI_OPT_PUBLISH, CLI_OPT_FIREWALL, CLI_OPT_HOST_PORT };
#define CLI_NET_OPTIONS \
	{ "uplink", required_argument, NULL, CLI_OPT_UPLINK }, \
	{ "host-loopback", no_argument, NULL, CLI_OPT_HOST_LOOPBACK }, \
	{ "dns", required_argument, NULL, CLI_OPT_DNS }, \
	{ "addr", required_argument, NULL, CLI_OPT_ADDR }, \
	{ "publish", required_argument, NULL, CLI_OPT_PUBLISH }, \
	{ "firewall", required_argument, NULL, CLI_OPT_FIREWALL }, \
	{ "host-port", required_argument, NULL, CLI_OPT_HOST_PORT }
#define CLI_NET_HELP \
	"  --uplink pasta|slirp4netns|veth|none  outbound traffic (default: pasta\n" \
	"                    if installed, else slirp4netns, else none; veth: root\n" \
	"                    only, a veth pair to the host with NAT)\n" \
	"  --addr CIDR       veth: the pair's prefix (default: a free /24 of\n" \
	"                    10.213.0.0/16)\n" \
	"  --host-port PORT[:CELLPORT]  the host's 127.0.0.1:PORT at the cell's\n" \
	"                    own 127.0.0.1:CELLPORT (default PORT), TCP, through\n" \
	"                    netcell's forwarder: the fast, reliable way to a host\n" \
	"                    loopback service (repeatable; any uplink, none too)\n" \
	"  --host-loopback   let the cell reach every host loopback service at\n" \
	"                    its gateway address, through the uplink engine\n" \
	"                    (slower; nothing appears on the cell's 127.0.0.1)\n" \
	"  --dns ADDR        the resolver in the cell's /etc/resolv.conf\n" \
	"  -p, --publish SPEC  publish a port, [HOSTADDR:][HOSTPORT:]CELLPORT[/tcp|/udp]\n" \
	"                    (repeatable; ranges 8000-8010:8000-8010; -p 80: a\n" \
	"                    free host port, shown; see 'netcell port --help')\n" \
	"  --firewall FILE   apply this ruleset (nft or iptables-save syntax) as\n" \
	"                    generation 1 before anything else; a bad file: no cell\n"

/**
 * struct cli_net - connectivity options
 * @uplink:	--uplink, NULL for the default
 * @host_loopback: --host-loopback
 * @dns:	--dns, or NULL
 * @addr:	--addr, or NULL
 * @publish:	--publish specs
 * @npublish:	how many (one more than NC_PORTS_MAX is kept, to be refused)
 * @firewall:	--firewall, or NULL
 * @hostport:	room for the "host:" specs of --host-port (in @publish)
 */
struct cli_net {
	const char *uplink;
	int host_loopback;
	const char *dns;
	const char *addr;
	const char *publish[NC_PORTS_MAX + 1];
	size_t npublish;
	const char *firewall;
	char hostport[NC_PORTS_MAX + 1][24];
};

int cli_net_opt(int c, const char *arg, struct cli_net *n);
int cli_net_apply(struct nc_ctx *ctx, const char *name, const struct cli_net *n);
int cli_net_check(const char *cmd, const struct cli_net *n);
int cli_fail(struct nc_ctx *ctx);
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
extern int cli_verbosity;
void cli_notices(struct nc_ctx *ctx);
void cli_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct nc_ctx *cli_ctx(void);
void cli_wait_progress(const char *what, unsigned secs, void *arg);
int cli_help_requested(int argc, char **argv, const char *text);
int cli_help_before_cmd(int argc, char **argv, int npos, const char *text);
void cli_json_str(FILE *f, const char *s);
void cli_json_print(FILE *f, struct json_object *o);
void cli_json_add(struct json_object *obj, const char *key, struct json_object *val);
struct json_object *cli_info_json(const struct nc_cell_info *c,
				  const struct nc_port *ports, size_t nports,
				  const struct nc_net_info *net);
struct json_object *cli_port_json(const struct nc_port *p);
void cli_print_info_json(FILE *f, const struct nc_cell_info *c,
			 const struct nc_port *ports, size_t nports,
			 const struct nc_net_info *net);
void cli_print_port_paths(FILE *f, const char *cell, const struct nc_port *ports,
			  size_t n);
void cli_print_ports_short(FILE *f, const char *cell,
			   const struct nc_port *ports, size_t n);
void cli_print_port_json(FILE *f, const struct nc_port *p);
const char *cli_time(long long t, char *buf, size_t len);
int cli_exec_status(int status);
int cli_exec_cmd(char **argv);

int cmd_create(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_fw(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_keeper(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_pids(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_unlink(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);

void cli_hold_signals(sigset_t *old);
void cli_progress_start(const char *what);
void cli_progress_stop(void);
void cli_release_signals(const sigset_t *old);

#endif /* NC_CLI_H */
