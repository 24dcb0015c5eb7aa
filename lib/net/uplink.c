// SPDX-License-Identifier: MIT
/*
 * uplink.c - outbound connectivity of a rootless cell through pasta or
 * slirp4netns
 *
 * Theory of operation: an uplink engine is a user-mode network stack
 * attached to the cell's network namespace through a tap device: what the
 * cell sends out is re-sent from the host's own sockets, so the cell
 * reaches what the user could reach, and nothing more.  The engine is
 * started as root of the user's hub user namespace (where the cell's
 * namespace belongs) but stays in the host's network namespace, which is
 * where its sockets must be; it is given the cell by path.
 *
 * pasta is the default: it configures the cell's interface, addresses and
 * routes as a copy of the host's (--config-net).  Host loopback: pasta and
 * slirp4netns map the default gateway address to the host's 127.0.0.1,
 * which would let every cell reach every service bound to the host's
 * loopback; netcell turns that off (--no-map-gw, --disable-host-loopback)
 * unless the cell was created with --host-loopback, and never lets pasta
 * forward ports on its own (-t/-u/-T/-U none): publishing is netcell's.
 *
 * Which engine: pasta without --host-loopback means the user's shared hub
 * (hub.c, run by the keeper: the request is "HUB CELL"); pasta with it, and
 * slirp4netns, run one engine per cell, started here.
 *
 * State: STATE/net/CELL.conf (engine, host_loopback, dns, addr, hub), CELL.pid (the
 * engine), CELL.resolv (bound over /etc/resolv.conf in the cell).  Delete
 * stops the engine; a keeper that rebuilds a cell starts a new one, after
 * stopping the old one, which still held the old namespace.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "base/store.h"
#include "net/uplink.h"
#include "net/veth.h"


/**
 * pasta_argv() - pasta's command line
 * @u:		uplink settings
 * @netns:	path of the cell's namespace
 * @pidfile:	where pasta writes its PID
 * @argv:	output, room for 24
 */
static void pasta_argv(const struct uplink *u, const char *netns, const char *pidfile,
		       const char **argv)
{
	int i = 0;

	argv[i++] = "pasta";
	argv[i++] = "--config-net";
	argv[i++] = "--quiet";
	argv[i++] = "--netns";
	argv[i++] = netns;
	argv[i++] = "--pid";
	argv[i++] = pidfile;
	argv[i++] = "-t";
	argv[i++] = "none";
	argv[i++] = "-u";
	argv[i++] = "none";
	/* nothing of the host's loopback on the cell's own 127.0.0.1: "-T
	 * auto" put every host loopback listener there unasked (a server in
	 * the cell could not bind a port the host used); the user names the
	 * ports to bring in with --host-port, carried by the keeper */
	argv[i++] = "-T";
	argv[i++] = "none";
	argv[i++] = "-U";
	argv[i++] = "none";
	argv[i++] = "--mtu";
	argv[i++] = "65520";
	/* root of the hub user namespace is the user: stay it, rather than
	 * drop to "nobody", who may not open the keeper's namespace path */
	argv[i++] = "--runas";
	argv[i++] = "0:0";
	if (!u->host_loopback)
		argv[i++] = "--no-map-gw";
	if (!u->dns[0]) {
		argv[i++] = "--dns-forward";
		argv[i++] = PASTA_DNS;
	}
	argv[i] = NULL;
}

/**
 * expose_netns() - in the engine's child: make the cell's namespace openable
 * by path for an engine that holds no capabilities
 * @state:	state directory
 * @cell:	cell
 * @netfd:	the cell's namespace
 * @path:	output: the path to give the engine
 * @len:	size of @path
 *
 * pasta drops its capabilities before it opens --netns, and then may not
 * read the keeper's /proc/PID/fd/N (ptrace access rules).  A bind mount of
 * the namespace on a file, in a mount namespace of the engine's own, opens
 * like any file.
 *
 * Return: 0 or -errno
 */
static int expose_netns(const char *state, const char *cell, int netfd, char *path,
			size_t len)
{
	char src[64];
	int fd;

	uplink_path(state, cell, "ns", path, len);
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", netfd);
	if (unshare(CLONE_NEWNS) || mount("", "/", "none", MS_SLAVE | MS_REC, NULL) ||
	    mount(src, path, "none", MS_BIND, NULL))
		return -errno;
	return 0;
}

/**
 * drop_syslog_noise() - remove pasta's "Failed to send ... to syslog" lines
 * @text:	pasta's stderr, edited in place
 *
 * pasta also logs to syslog, which has no listener on many machines; the
 * lines saying so would hide the one that matters.
 */
static void drop_syslog_noise(char *text)
{
	char *r = text, *w = text, *nl;
	size_t l;

	while (*r) {
		nl = strchr(r, '\n');
		l = nl ? (size_t)(nl - r + 1) : strlen(r);
		if (!memmem(r, l, "to syslog", 9)) {
			memmove(w, r, l);
			w += l;
		}
		r += l;
	}
	*w = '\0';
}

/**
 * spawn_pasta() - start pasta; it forks into the background when ready
 * @u:		settings
 * @netns:	path of the cell's namespace
 * @pidfile:	PID file
 * @err:	pasta's own error text
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int spawn_pasta(const struct uplink *u, const char *netns, const char *pidfile,
		       char *err, size_t len)
{
	const char *argv[24];
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	pasta_argv(u, netns, pidfile, argv);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(pfd[1], 2);
		execvp("pasta", (char *const *)argv);
		fprintf(stderr, "cannot run pasta: %s; install it with 'apt-get install passt'",
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	n = pid > 0 ? read(pfd[0], err, len - 1) : 0;
	err[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	drop_syslog_noise(err);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -ECHILD;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EINVAL;
}

/**
 * spawn_slirp() - start slirp4netns in the background, wait until ready
 * @u:		settings
 * @netns:	path of the cell's namespace
 * @pidfile:	PID file
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int spawn_slirp(const struct uplink *u, const char *netns, const char *pidfile,
		       char *err, size_t len)
{
	char ready[16], pid_s[32];
	int pfd[2];
	pid_t pid;
	char c = 0;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setsid();
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		snprintf(ready, sizeof(ready), "--ready-fd=%d", pfd[1]);
		execlp("slirp4netns", "slirp4netns", "--configure", "--mtu=65520",
		       u->host_loopback ? "--enable-ipv6" : "--disable-host-loopback",
		       ready, "--netns-type=path", netns, "tap0", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &c, 1) != 1 || c != '1') {
		close(pfd[0]);
		if (pid > 0)
			kill(pid, SIGKILL), waitpid(pid, NULL, 0);
		snprintf(err, len, "slirp4netns did not start; install it with 'apt-get install slirp4netns'");
		return -EINVAL;
	}
	close(pfd[0]);
	snprintf(pid_s, sizeof(pid_s), "%d\n", (int)pid);
	return store_write_atomic(pidfile, pid_s, strlen(pid_s));
}

/**
 * launch() - in a child: expose the namespace, start the engine
 * @state:	state directory
 * @cell:	cell
 * @netfd:	the cell's namespace
 * @u:		settings
 * @wfd:	pipe for the error text
 */
static void __attribute__((noreturn)) launch(const char *state, const char *cell,
					     int netfd, const struct uplink *u, int wfd)
{
	char netns[PATH_MAX], pidfile[PATH_MAX], err[1024] = "";
	sigset_t none;
	int ret, sig;

	/* the engine starts with default signal handling, whoever launched it
	 * (the keeper ignores some signals) */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	uplink_path(state, cell, "pid", pidfile, sizeof(pidfile));
	ret = expose_netns(state, cell, netfd, netns, sizeof(netns));
	if (ret)
		snprintf(err, sizeof(err), "cannot expose the namespace: %s", strerror(-ret));
	else if (!strcmp(u->engine, "pasta"))
		ret = spawn_pasta(u, netns, pidfile, err, sizeof(err));
	else
		ret = spawn_slirp(u, netns, pidfile, err, sizeof(err));
	if (write(wfd, err, strlen(err)) < 0)
		_exit(1);
	_exit(ret ? 1 : 0);
}

/**
 * uplink_spawn() - start a cell's engine (caller: root of the hub user
 * namespace, or root; in the host's network namespace)
 * @state:	state directory
 * @cell:	cell
 * @netfd:	the cell's network namespace
 * @u:		settings
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
int uplink_spawn(const char *state, const char *cell, int netfd,
		 const struct uplink *u, char *err, size_t len)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	err[0] = '\0';
	if (strcmp(u->engine, "pasta") && strcmp(u->engine, "slirp4netns"))
		return 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		launch(state, cell, netfd, u, pfd[1]);
	}
	close(pfd[1]);
	n = pid > 0 ? read(pfd[0], err, len - 1) : 0;
	err[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -ECHILD;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EINVAL;
}

/**
 * proc_read() - read /proc/PID/WHAT, NUL-terminated
 * @pid:	process
 * @what:	"comm", "cmdline", ...
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: bytes read, or -1
 */
static ssize_t proc_read(int pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/**
 * is_engine() - does @pid run the engine of the namespace at @netns
 * @pid:	process
 * @netns:	the path the engine was given (pasta --netns, slirp4netns
 *		--netns-type=path)
 *
 * After a restart, PIDs are handed out again: a PID file older than the
 * restart may name another cell's new engine, or anything else.  Only a
 * process that is pasta or slirp4netns and was given this path is ours.
 *
 * Return: 1 if so (pasta may show as "passt.avx2", the same program)
 */
static int is_engine(int pid, const char *netns)
{
	char comm[32], args[4096];
	ssize_t n, i;

	if (proc_read(pid, "comm", comm, sizeof(comm)) <= 0 ||
	    (strncmp(comm, "pasta", 5) && strncmp(comm, "passt", 5) &&
	     strncmp(comm, "slirp4netns", 11)))
		return 0;
	n = proc_read(pid, "cmdline", args, sizeof(args));
	for (i = 0; i < n; i += (ssize_t)strlen(args + i) + 1)
		if (!strcmp(args + i, netns))
			return 1;
	return 0;
}

/**
 * uplink_stop() - stop a cell's engine and forget its uplink
 * @state:	state directory
 * @cell:	cell
 * @forget:	1 to remove the saved settings too (delete), 0 to keep them
 *		(the keeper restarts the engine)
 */
void uplink_stop(const char *state, const char *cell, int forget)
{
	char path[PATH_MAX], ns[PATH_MAX];
	_cleanup_fclose_ FILE *f = fopen(uplink_path(state, cell, "pid", path, sizeof(path)), "re");
	struct uplink u;
	int pid = 0;

	/* the PID file may be older than a crash: signal only its engine */
	uplink_path(state, cell, "ns", ns, sizeof(ns));
	if (f && fscanf(f, "%d", &pid) == 1 && pid > 1 && is_engine(pid, ns))
		kill(pid, SIGTERM);
	if (!uplink_load(state, cell, &u) && !strcmp(u.engine, "veth"))
		veth_down(cell);
	unlink(path);
	if (!forget)
		return;
	unlink(uplink_path(state, cell, "conf", path, sizeof(path)));
	unlink(uplink_path(state, cell, "resolv", path, sizeof(path)));
	unlink(uplink_path(state, cell, "ns", path, sizeof(path)));
}

