// SPDX-License-Identifier: MIT
/* cmd_keeper.c - netcell keeper: the keeper in the foreground, for systemd */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell keeper [--no-wait]\n\n"
	"Run the user's keeper in the foreground until it is killed, for a\n"
	"service manager (netcell.service).  It brings back the saved cells with\n"
	"their firewalls, uplinks, links and published ports at once, and never\n"
	"leaves when idle.  When a keeper of the user already serves (one a\n"
	"command started), it waits until that one leaves and takes over;\n"
	"--no-wait exits 4 instead.  With NOTIFY_SOCKET set (systemd\n"
	"Type=notify) it says READY=1 at once, and its STATUS.\n";

/**
 * notify() - tell systemd we are ready (sd_notify(3) without libsystemd)
 * @sock:	the NOTIFY_SOCKET path ('@' for an abstract one), or NULL
 * @msg:	what to say
 */
static void notify(const char *sock, const char *msg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!sock || (sock[0] != '/' && sock[0] != '@'))
		return;
	len = strlen(sock);
	if (len >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, sock, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

/**
 * event() - the keeper waits or serves: say so, with what did not come back
 * @ctx:	context, the rebuild's problems as notices
 * @ev:		NC_KEEPER_WAITING or NC_KEEPER_READY
 * @n:		the other keeper's PID, or the cells brought back
 * @arg:	the NOTIFY_SOCKET path, or NULL
 */
static void event(struct nc_ctx *ctx, enum nc_keeper_event ev, unsigned n, void *arg)
{
	char msg[160];

	cli_notices(ctx);
	if (ev == NC_KEEPER_WAITING) {
		fprintf(stderr, "netcell: a keeper of uid %u already serves (PID %u); this one takes over when it leaves\n",
			(unsigned)getuid(), n);
		/* ready: the user's cells are served, by the other keeper */
		snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d\nSTATUS=keeper PID %u serves; taking over when it leaves",
			 (int)getpid(), n);
		notify(arg, msg);
		return;
	}
	fprintf(stderr, "netcell: keeper of uid %u ready, PID %d; %u cell%s brought back\n",
		(unsigned)getuid(), (int)getpid(), n, n == 1 ? "" : "s");
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d\nSTATUS=%u cell%s brought back",
		 (int)getpid(), n, n == 1 ? "" : "s");
	notify(arg, msg);
}

/**
 * cmd_keeper() - netcell keeper
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_keeper(int argc, char **argv)
{
	const char *ns = getenv("NOTIFY_SOCKET");
	struct nc_ctx *ctx;
	char *sock = ns ? strdup(ns) : NULL;
	unsigned flags = NC_KEEPER_WAIT;
	int ret;

	if (cli_help_requested(argc, argv, help)) {
		free(sock);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--no-wait")) {
		flags = 0;
		argc--;
		argv++;
	}
	if (argc > 1) {
		free(sock);
		return cli_usage("keeper", "unexpected argument \"%s\"", argv[1]);
	}
	/* the keeper's children (pasta, helpers) must not talk to systemd */
	unsetenv("NOTIFY_SOCKET");
	ctx = cli_ctx();
	ret = nc_keeper_serve(ctx, flags, event, sock);
	free(sock);
	ret = ret ? cli_fail(ctx) : 0;
	nc_ctx_free(ctx);
	return ret;
}
