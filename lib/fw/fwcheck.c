// SPDX-License-Identifier: MIT
/*
 * fwcheck.c - `fw check`: ruleset files validated in a throwaway namespace
 *
 * Theory of operation: the files are staged as generation 1 of a temporary
 * directory exactly as `fw apply` stages them (fwgen.c: format detection,
 * family, the mixed file's sections), then loaded by the same loader
 * (fwload.c) into a namespace that vanishes with its process.  What loads
 * here loads in a cell; nothing anywhere changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fw/fwgen.h"

/**
 * check_each_family() - check an IPv4 and an IPv6 file each on its own, so
 * that the errors of both are named
 * @ctx:	context
 * @job:	both files
 *
 * Return: 0 or -errno with the errors of each file that failed
 */
static int check_each_family(struct nc_ctx *ctx, const struct fw_job *job)
{
	struct fw_job one;
	char first[NC_MSG_MAX] = "";
	int i, ret = 0, r;

	for (i = 0; i < 2; i++) {
		one = *job;
		one.file[!i][0] = '\0';
		r = fw_run_job(ctx, NULL, &one);
		if (r && !ret)
			snprintf(first, sizeof(first), "%s", ctx->msg);
		else if (r) {
			char second[NC_MSG_MAX];

			snprintf(second, sizeof(second), "%s",
				 strchr(ctx->msg, '\n') ? strchr(ctx->msg, '\n') + 1 : ctx->msg);
			ctx_err(ctx, r, NC_ERR_RULESET, "%s\n%s", first, second);
		}
		ret = ret ? ret : r;
	}
	return ret;
}

/**
 * nc_fw_check_files() - validate ruleset files in a throwaway namespace
 * @ctx:	context
 * @files:	NULL-terminated list, at most two
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 *
 * Return: 0 or -errno with the errors (NC_ERR_RULESET)
 */
int nc_fw_check_files(struct nc_ctx *ctx, const char *const *files,
		      enum nc_fw_format format)
{
	char dir[] = "/tmp/netcell-check-XXXXXX";
	struct fw_job job;
	int ret;

	if (!mkdtemp(dir))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "mkdtemp: %s", strerror(errno));
	ret = fw_stage_files(ctx, dir, 1, files, format, &job);
	if (!ret && job.format == NC_FW_IPTABLES && job.file[0][0] && job.file[1][0])
		ret = check_each_family(ctx, &job);
	else if (!ret)
		ret = fw_run_job(ctx, NULL, &job);
	fw_remove_gen(dir, 1);
	rmdir(dir);
	return ret;
}

/**
 * nc_fw_check() - validate one ruleset file in a throwaway namespace
 * @ctx:	context
 * @file:	ruleset file
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 *
 * Return: 0 or -errno with the errors (NC_ERR_RULESET)
 */
int nc_fw_check(struct nc_ctx *ctx, const char *file, enum nc_fw_format format)
{
	const char *files[2] = { file, NULL };

	return nc_fw_check_files(ctx, files, format);
}
