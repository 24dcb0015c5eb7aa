// SPDX-License-Identifier: MIT
/*
 * cmd_run.c - netcell run [--name NAME] -- CMD [ARG...]
 *
 * The cell is made ephemeral: the keeper binds it to this process's
 * connection, so even if netcell is killed with SIGKILL the cell goes.
 * CMD is a child in netcell's own process group, so it keeps the terminal
 * and receives the terminal's SIGINT itself; signals sent to netcell by
 * kill(2) are passed on (si_code tells the two apart), so a supervisor's
 * SIGTERM reaches CMD.
 *
 * When CMD ends, whatever it left running (a server started with '&', a
 * daemon that forked away) is killed, as 'unshare --kill-child' kills its
 * child: netcell is their subreaper (PR_SET_CHILD_SUBREAPER), so orphans
 * of CMD's tree become its children instead of init's and can be found by
 * their parent PID, however they detached.  --keep-children leaves them.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell run [--name NAME] [--keep-children] [options] -- CMD [ARG...]\n\n"
	"Run CMD in a new cell that is deleted when CMD ends.  stdin, stdout,\n"
	"stderr and the terminal pass through; SIGINT, SIGTERM, SIGHUP, SIGQUIT,\n"
	"SIGUSR1 and SIGUSR2 sent to netcell reach CMD.  What CMD leaves running\n"
	"when it ends (background jobs, daemons, however detached) is killed with\n"
	"SIGKILL, as 'unshare --kill-child' does.\n\n"
	"Options:\n"
	"  --name NAME       the cell's name (default: a generated one)\n"
	"  --keep-children   leave CMD's background processes running when it\n"
	"                    ends (in a namespace netcell no longer manages)\n"
	CLI_NET_HELP "\n"
	"Exit status: CMD's own, 128+N if it died of signal N.\n";

static volatile pid_t child_pid;

/**
 * forward() - pass a signal sent to netcell on to the command
 * @sig:	signal
 * @si:		its origin
 * @uc:		unused
 */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* from the terminal (SI_KERNEL) the child got it already */
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill(child_pid, sig);
}

/**
 * wait_child() - wait for the command, forwarding signals meanwhile
 * @pid:	child
 *
 * Return: netcell's exit status for the child's end
 */
static int wait_child(pid_t pid)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_sigaction = forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	int status = 0;
	size_t i;

	child_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return cli_exec_status(status);
}

/**
 * kill_children() - SIGKILL every child of this process
 *
 * Return: how many were signalled (zombies included)
 */
static int kill_children(void)
{
	char path[300], buf[512], *p;
	pid_t self = getpid();
	struct dirent *e;
	int n = 0, ppid;
	FILE *f;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* comm may hold spaces and ')': the state follows the last ')' */
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == self) {
			kill((pid_t)atoi(e->d_name), SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

/**
 * end_children() - kill and reap what CMD left running
 *
 * Killed children's own children come to this subreaper in turn: rounds
 * go on until none is left (bounded at 5 s: SIGKILL cannot end a process
 * stuck in the kernel).
 */
static void end_children(void)
{
	const struct timespec tick = { 0, 5000000 };
	int round;

	for (round = 0; round < 1000; round++) {
		if (!kill_children() && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		nanosleep(&tick, NULL);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/**
 * parse() - options of run
 * @argc:	argument count
 * @argv:	arguments
 * @name:	--name, or NULL
 * @keep:	result: --keep-children
 * @net:	connectivity options
 *
 * Return: index of CMD in @argv, or -1 after a usage message
 */
static int parse(int argc, char **argv, const char **name, int *keep,
		 struct cli_net *net)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "keep-children", no_argument, NULL, 'k' }, CLI_NET_OPTIONS, { 0 } };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:", opts, NULL)) != -1) {
		if (cli_net_opt(c, optarg, net))
			continue;
		if (c == 'k') {
			*keep = 1;
			continue;
		}
		if (c != 'n') {
			cli_usage("run", "unknown option or missing value \"%s\"",
				  argv[optind - 1]);
			return -1;
		}
		*name = optarg;
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		cli_usage("run", "expected a command");
		return -1;
	}
	return optind;
}

/**
 * cmd_run() - netcell run [--name NAME] -- CMD [ARG...]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: CMD's exit status, or netcell's on failure
 */
int cmd_run(int argc, char **argv)
{
	const char *name = NULL;
	struct cli_net net = { 0 };
	char gen[NC_NAME_MAX + 1];
	unsigned long long id = 0;
	struct nc_ctx *ctx;
	int first, ret, keep = 0;
	pid_t pid;

	if (cli_help_before_cmd(argc, argv, 0, help))
		return 0;
	first = parse(argc, argv, &name, &keep, &net);
	if (first < 0 || cli_net_check("run", &net))
		return NC_ERR_USAGE;
	if (!name) {
		nc_unique_name(gen, sizeof(gen));
		name = gen;
	}
	ctx = cli_ctx();
	/* deleted by its creation's id: never another command's cell that
	 * took the name after a keeper restart lost this one */
	if (nc_create_id(ctx, name, NC_CREATE_EPHEMERAL, &id)) {
		ret = cli_fail(ctx);
		nc_ctx_free(ctx);
		return ret;
	}
	if (cli_net_apply(ctx, name, &net)) {
		ret = cli_fail(ctx);
		nc_delete_id(ctx, name, id);
		nc_ctx_free(ctx);
		return ret;
	}
	cli_notices(ctx);
	cli_verbose("created cell \"%s\" for the command; it is deleted when the command ends", name);
	fflush(NULL);
	/* only now: a keeper this command started (double fork) must not
	 * become its child, to be killed with CMD's */
	if (!keep)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();
	if (pid == 0) {
		/* CMD does not outlive a netcell that was killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (nc_enter(ctx, name, 0))
			_exit(cli_fail(ctx));
		_exit(cli_exec_cmd(argv + first));
	}
	ret = pid < 0 ? 1 : wait_child(pid);
	if (!keep)
		end_children();
	if (nc_delete_id(ctx, name, id) && nc_errkind(ctx) != NC_ERR_NOCELL)
		cli_fail(ctx);
	else
		cli_verbose("deleted cell \"%s\"", name);
	nc_ctx_free(ctx);
	return ret;
}
