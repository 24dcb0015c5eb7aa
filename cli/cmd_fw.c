// SPDX-License-Identifier: MIT
/* cmd_fw.c - placeholder until the feature lands; says so plainly */
#include "cli.h"

/**
 * cmd_fw() - not built yet
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 1
 */
int cmd_fw(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netcell: 'fw' is not built yet in this version\n");
	return 1;
}
