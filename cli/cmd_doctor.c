// SPDX-License-Identifier: MIT
/* cmd_doctor.c - placeholder until the feature lands; says so plainly */
#include "cli.h"

/**
 * cmd_doctor() - not built yet
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 1
 */
int cmd_doctor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netcell: 'doctor' is not built yet in this version\n");
	return 1;
}
