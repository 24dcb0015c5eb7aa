// SPDX-License-Identifier: MIT
/* cmd_port.c - placeholder until the feature lands; says so plainly */
#include "cli.h"

/**
 * cmd_port() - not built yet
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 1
 */
int cmd_port(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netcell: 'port' is not built yet in this version\n");
	return 1;
}
