/* SPDX-License-Identifier: MIT */
/* cli.h - shared helpers of the netcell command line */
#ifndef NC_CLI_H
#define NC_CLI_H

#include <stdio.h>
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

int cli_fail(struct nc_ctx *ctx);
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_notices(struct nc_ctx *ctx);
struct nc_ctx *cli_ctx(void);
int cli_help_requested(int argc, char **argv, const char *text);
void cli_json_str(FILE *f, const char *s);
void cli_print_info_json(FILE *f, const struct nc_cell_info *c);
const char *cli_time(long long t, char *buf, size_t len);
int cli_exec_status(int status);
int cli_exec_cmd(char **argv);

int cmd_create(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_fw(int argc, char **argv);
int cmd_stage_replay(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_unlink(int argc, char **argv);

#endif /* NC_CLI_H */
