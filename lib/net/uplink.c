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
#include "client/client.h"
#include "base/store.h"
#include "base/cidr.h"
#include "base/diag.h"
#include "kernel/incell.h"
#include "net/uplink.h"
#include "net/veth.h"

/* the first line of every resolv.conf netcell writes */
#define RESOLV_MARK "# written by netcell for cell "

/* where DNS queries of a cell go when no --dns was given: pasta forwards
 * them to the host's resolver (--dns-forward), slirp4netns answers there */
#define PASTA_DNS "169.254.1.53"
#define SLIRP_DNS "10.0.2.3"

/**
 * net_path() - STATE/net/CELL.EXT, with STATE/net created
 * @state:	state directory
 * @cell:	cell
 * @ext:	"conf", "pid", "resolv"
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
static char *net_path(const char *state, const char *cell, const char *ext,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/net", state);
	mkdir(buf, 0700);
	snprintf(buf, len, "%s/net/%s.%s", state, cell, ext);
	return buf;
}

/**
 * in_path() - is a program on $PATH
 * @prog:	name
 *
 * Return: 1 if an executable of that name is found
 */
int uplink_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], full[PATH_MAX + 64];
	const char *p, *c;

	for (p = path ? path : "/usr/bin:/bin"; p && *p; p = c ? c + 1 : NULL) {
		c = strchr(p, ':');
		snprintf(dir, sizeof(dir), "%.*s", c ? (int)(c - p) : (int)strlen(p), p);
		snprintf(full, sizeof(full), "%s/%s", dir[0] ? dir : ".", prog);
		if (!access(full, X_OK))
			return 1;
	}
	return 0;
}

/**
 * uplink_default() - the engine used when none is named
 *
 * Return: "pasta", "slirp4netns" or "none"
 */
const char *uplink_default(void)
{
	if (uplink_in_path("pasta"))
		return "pasta";
	return uplink_in_path("slirp4netns") ? "slirp4netns" : "none";
}

/**
 * nc_uplink_default() - the engine a cell gets when none is named
 *
 * Return: "pasta", "slirp4netns" or "none", by what is installed
 */
const char *nc_uplink_default(void)
{
	return uplink_default();
}

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

	net_path(state, cell, "ns", path, len);
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
 * etc_resolv_ours() - may netcell write or remove this /etc/netns file
 * @path:	/etc/netns/CELL/resolv.conf
 *
 * Return: true when it is missing or netcell wrote it; a file of the
 * user's is never touched
 */
static bool etc_resolv_ours(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[128];

	if (!f)
		return errno == ENOENT;
	return fgets(line, sizeof(line), f) && !strncmp(line, RESOLV_MARK, strlen(RESOLV_MARK));
}

/**
 * etc_resolv_path() - /etc/netns/CELL/resolv.conf of a root cell
 * @p:		the caller's paths (root)
 * @cell:	cell
 * @dir:	the directory
 * @path:	the file
 */
static void etc_resolv_path(const struct nc_paths *p, const char *cell,
			    char dir[PATH_MAX], char path[PATH_MAX])
{
	paths_cell_etc(p, cell, dir, PATH_MAX);
	snprintf(path, PATH_MAX, "%s/resolv.conf", dir);
}

/**
 * uplink_write_resolv() - the cell's resolv.conf
 * @p:		the caller's paths
 * @cell:	cell
 * @u:		settings
 *
 * A root cell's copy also goes to /etc/netns/CELL/resolv.conf (unless the
 * user put one there), so 'ip netns exec CELL' sees the resolver 'netcell
 * exec' does: it once showed the host's while netcell's showed the cell's.
 *
 * Return: 0 or -errno
 */
int uplink_write_resolv(const struct nc_paths *p, const char *cell, const struct uplink *u)
{
	char path[PATH_MAX], dir[PATH_MAX], text[256];
	int ret;

	if (!u->dns[0] && !strcmp(u->engine, "veth"))
		return 0;	/* routed like the host: its resolv.conf works */
	snprintf(text, sizeof(text), RESOLV_MARK "%s\nnameserver %s\n", cell,
		 u->dns[0] ? u->dns : strcmp(u->engine, "pasta") ? SLIRP_DNS : PASTA_DNS);
	ret = store_write_atomic(net_path(p->state, cell, "resolv", path, sizeof(path)), text,
				 strlen(text));
	if (ret || p->rootless || !p->etc[0])
		return ret;
	etc_resolv_path(p, cell, dir, path);
	if (!etc_resolv_ours(path))
		return 0;
	if ((mkdir(p->etc, 0755) && errno != EEXIST) || (mkdir(dir, 0755) && errno != EEXIST))
		return -errno;
	return store_write_atomic(path, text, strlen(text));
}

/**
 * uplink_etc_forget() - remove what uplink_write_resolv() put in
 * /etc/netns/CELL (root cells), and the directory when that empties it
 * @p:		the caller's paths
 * @cell:	cell
 */
void uplink_etc_forget(const struct nc_paths *p, const char *cell)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (p->rootless || !p->etc[0])
		return;
	etc_resolv_path(p, cell, dir, path);
	if (etc_resolv_ours(path))
		unlink(path);
	rmdir(dir);
}

/**
 * uplink_save() - save a cell's uplink settings
 * @state:	state directory
 * @cell:	cell
 * @u:		settings
 *
 * Return: 0 or -errno
 */
int uplink_save(const char *state, const char *cell, const struct uplink *u)
{
	char path[PATH_MAX], text[256];

	snprintf(text, sizeof(text), "engine=%s\nhost_loopback=%d\ndns=%s\naddr=%s\nhub=%d\n",
		 u->engine, u->host_loopback, u->dns, u->addr, u->hub);
	return store_write_atomic(net_path(state, cell, "conf", path, sizeof(path)), text,
				  strlen(text));
}

/**
 * uplink_load() - read a cell's uplink settings
 * @state:	state directory
 * @cell:	cell
 * @u:		result (engine "none" when there is none)
 *
 * Return: 0, or -ENOENT
 */
int uplink_load(const char *state, const char *cell, struct uplink *u)
{
	char path[PATH_MAX], line[128];
	_cleanup_fclose_ FILE *f = fopen(net_path(state, cell, "conf", path, sizeof(path)), "re");

	memset(u, 0, sizeof(*u));
	snprintf(u->engine, sizeof(u->engine), "none");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "engine=", 7))
			snprintf(u->engine, sizeof(u->engine), "%.15s", line + 7);
		else if (!strncmp(line, "host_loopback=", 14))
			u->host_loopback = atoi(line + 14);
		else if (!strncmp(line, "dns=", 4))
			snprintf(u->dns, sizeof(u->dns), "%.63s", line + 4);
		else if (!strncmp(line, "hub=", 4))
			u->hub = atoi(line + 4);
		else if (!strncmp(line, "addr=", 5))
			snprintf(u->addr, sizeof(u->addr), "%.63s", line + 5);
	}
	return f ? 0 : -ENOENT;
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
	net_path(state, cell, "pid", pidfile, sizeof(pidfile));
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
	_cleanup_fclose_ FILE *f = fopen(net_path(state, cell, "pid", path, sizeof(path)), "re");
	struct uplink u;
	int pid = 0;

	/* the PID file may be older than a crash: signal only its engine */
	net_path(state, cell, "ns", ns, sizeof(ns));
	if (f && fscanf(f, "%d", &pid) == 1 && pid > 1 && is_engine(pid, ns))
		kill(pid, SIGTERM);
	if (!uplink_load(state, cell, &u) && !strcmp(u.engine, "veth"))
		veth_down(cell);
	unlink(path);
	if (!forget)
		return;
	unlink(net_path(state, cell, "conf", path, sizeof(path)));
	unlink(net_path(state, cell, "resolv", path, sizeof(path)));
	unlink(net_path(state, cell, "ns", path, sizeof(path)));
}

/**
 * uplink_each_addr() - call @fn with every "addr=" of the saved uplinks
 * @state:	state directory
 * @fn:		callback, given the cell and its prefix; a non-zero return
 *		stops the walk
 * @arg:	its argument
 *
 * Return: what @fn returned last (0 when the walk ended)
 */
int uplink_each_addr(const char *state,
		     int (*fn)(const char *cell, const char *addr, void *arg), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], line[128], cell[NC_NAME_MAX + 1];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	size_t n;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s/net", state);
	d = opendir(dir);
	while (!ret && d && (e = readdir(d))) {
		_cleanup_fclose_ FILE *f = NULL;

		n = strlen(e->d_name);
		if (n < 6 || n - 5 > NC_NAME_MAX || strcmp(e->d_name + n - 5, ".conf"))
			continue;
		snprintf(cell, sizeof(cell), "%.*s", (int)(n - 5), e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "re");
		while (!ret && f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "addr=", 5)) {
				line[strcspn(line, "\n")] = '\0';
				ret = fn(cell, line + 5, arg);
			}
	}
	return ret;
}

/**
 * struct holder - uplink_addr_holder()'s search
 * @net:	the prefix asked for
 * @buf:	the holder's name, a NUL, its prefix
 * @len:	size of @buf
 */
struct holder {
	const struct cidr *net;
	char *buf;
	size_t len;
};

/**
 * holder_match() - uplink_each_addr() callback: does this prefix overlap
 * @cell:	the cell that holds it
 * @addr:	its prefix
 * @arg:	struct holder
 *
 * Return: 1 (stop) when it overlaps, else 0
 */
static int holder_match(const char *cell, const char *addr, void *arg)
{
	struct holder *h = arg;
	struct cidr c;

	if (cidr_parse(addr, &c) || !cidr_overlap(&c, h->net))
		return 0;
	snprintf(h->buf, h->len, "%s%c%.63s", cell, '\0', addr);
	return 1;
}

/**
 * uplink_addr_holder() - which cell's saved veth prefix overlaps @net
 * @state:	state directory
 * @net:	prefix
 * @buf:	the cell's name, a NUL, then its prefix
 * @len:	size of @buf
 *
 * A second cell on a prefix in use got no connectivity and exit 0.
 *
 * Return: 1 if one does, 0 if none
 */
int uplink_addr_holder(const char *state, const struct cidr *net, char *buf, size_t len)
{
	struct holder h = { net, buf, len };

	return uplink_each_addr(state, holder_match, &h) == 1;
}

/**
 * uplink_resolv() - the resolv.conf to bind in a cell, if it has one
 * @state:	state directory
 * @cell:	cell
 * @buf:	path, "" when none
 * @len:	size of @buf
 */
void uplink_resolv(const char *state, const char *cell, char *buf, size_t len)
{
	net_path(state, cell, "resolv", buf, len);
	if (access(buf, R_OK))
		buf[0] = '\0';
}

/**
 * struct spawn_job - spawn_one()'s arguments
 * @p:		paths
 * @cell:	cell
 * @u:		settings
 * @fds:	the cell's user (rootless) and network namespaces
 * @nfds:	how many of @fds
 */
struct spawn_job {
	const struct nc_paths *p;
	const char *cell;
	const struct uplink *u;
	int fds[2];
	int nfds;
};

/**
 * spawn_one() - in a child: join the cell's user namespace, start the engine
 * @ctx:	context
 * @arg:	struct spawn_job
 *
 * Return: 0 or -errno with the engine's complaint
 */
static int spawn_one(struct nc_ctx *ctx, void *arg)
{
	const struct spawn_job *j = arg;
	char err[1024] = "";
	int ret;

	if (j->nfds == 2 && setns(j->fds[0], CLONE_NEWUSER))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot join the cell's user namespace: %s",
			       strerror(errno));
	ret = uplink_spawn(j->p->state, j->cell, j->fds[j->nfds - 1], j->u, err, sizeof(err));
	return ret ? ctx_err(ctx, ret < 0 ? ret : -EIO, NC_ERR_FAILED, "%s", err[0] ? err : "it failed") : 0;
}

/**
 * spawn_in_child() - start a cell's own uplink engine from a child in the
 * hub user namespace
 * @ctx:	context
 * @p:		paths
 * @cell:	cell
 * @u:		settings
 *
 * Return: 0 or -errno with a message
 */
static int spawn_in_child(struct nc_ctx *ctx, const struct nc_paths *p, const char *cell,
			  const struct uplink *u)
{
	struct spawn_job j = { p, cell, u, { -1, -1 }, 2 };
	struct nc_cell_info info;
	struct nc_ctx c = { .kfd = -1 };
	int ret = cell_get(ctx, cell, &info, j.fds, &j.nfds);

	if (ret)
		return ret;
	ret = incell_fork(&c, spawn_one, &j);
	while (j.nfds-- > 0)
		close(j.fds[j.nfds]);
	if (ret)
		return diag_uplink_failure(ctx, u->engine, cell, c.msg);
	ret = uplink_write_resolv(p, cell, u);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot write the resolv.conf of cell \"%s\": %s",
			       cell, strerror(-ret));
	return 0;
}

/**
 * veth_uplink() - root: a veth pair and NAT, with the prefix saved first
 * @ctx:	context
 * @cell:	cell
 * @u:		settings; @u->addr chosen when empty
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
static int veth_uplink(struct nc_ctx *ctx, const char *cell, struct uplink *u)
{
	char other[NC_NAME_MAX + 1 + 64];
	struct nc_cell_info info;
	struct nc_paths p;
	struct cidr net, h;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	if (getuid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "--uplink veth needs root (it adds a veth and NAT rules to the host); use --uplink pasta");
	if (u->addr[0] && (cidr_parse(u->addr, &net) || net.family != AF_INET || cidr_host(&net, 2, &h)))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid --addr \"%s\" for a veth uplink: give an IPv4 prefix with room for two hosts, such as 10.213.7.0/24",
			       u->addr);
	ret = paths_get(ctx, &p);
	if (!ret && u->addr[0] && uplink_addr_holder(p.state, &net, other, sizeof(other)))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "--addr %s overlaps %s, the prefix of cell \"%s\"; give another prefix or leave --addr out for a free one",
			       u->addr, other + strlen(other) + 1, other);
	if (!ret && !u->addr[0])
		ret = veth_pick(p.state, &net);
	if (ret == -ENOSPC)
		ret = ctx_err(ctx, ret, NC_ERR_FAILED, "no free /24 left in 10.213.0.0/16; give --addr");
	else if (ret == -ENOMEM)
		ret = ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory");
	if (ret)
		return ret;
	cidr_format(&net, u->addr, sizeof(u->addr));
	ret = uplink_save(p.state, cell, u);
	if (!ret)
		ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (!ret)
		ret = veth_up(ctx, cell, fds[nfds - 1], &net, u->host_loopback);
	if (!ret)
		ret = uplink_write_resolv(&p, cell, u);
	while (nfds-- > 0 && fds[0] >= 0)
		close(fds[nfds]);
	if (ret) {
		char path[PATH_MAX];

		unlink(net_path(p.state, cell, "conf", path, sizeof(path)));
	}
	return ret;
}

/**
 * uplink_addr_ok() - is @s an IPv4 or IPv6 address
 * @s:		text
 *
 * Return: true if so
 */
static bool uplink_addr_ok(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/**
 * uplink_none() - --uplink none: no engine; --dns is still honoured (the
 * resolver may be reached over a link), --host-loopback refused
 * @ctx:	context
 * @cell:	cell
 * @u:		settings, engine "none"
 *
 * Both were once accepted and silently ignored.
 *
 * Return: 0 or -errno with a message
 */
static int uplink_none(struct nc_ctx *ctx, const char *cell, struct uplink *u)
{
	struct nc_paths p;
	int ret;

	if (u->host_loopback)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--host-loopback needs an uplink and cell \"%s\" has none; use --uplink pasta, slirp4netns or veth (root)",
			       cell);
	if (!u->dns[0])
		return 0;
	ret = paths_get(ctx, &p);
	if (ret)
		return ret;
	ret = uplink_save(p.state, cell, u);
	if (!ret)
		ret = uplink_write_resolv(&p, cell, u);
	if (ret) {
		uplink_stop(p.state, cell, 1);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot save the resolver of cell \"%s\": %s",
			       cell, strerror(-ret));
	}
	return 0;
}

/**
 * nc_uplink_up() - give a cell its uplink
 * @ctx:	context
 * @cell:	cell name
 * @engine:	"pasta", "slirp4netns", "none", or NULL for the default
 * @host_loopback: 1 to let the cell reach the host's loopback services at
 *		its gateway address
 * @dns:	resolver address for the cell, or NULL
 * @addr:	--uplink veth: the pair's IPv4 prefix, or NULL for a free /24
 *
 * Return: 0 or -errno with a message (NC_ERR_PERM with the package to
 * install when the engine is missing)
 */
int nc_uplink_up(struct nc_ctx *ctx, const char *cell, const char *engine,
		 int host_loopback, const char *dns, const char *addr)
{
	struct uplink u = { .host_loopback = host_loopback };
	struct nc_paths p;
	int ret;

	snprintf(u.engine, sizeof(u.engine), "%s", engine ? engine : uplink_default());
	snprintf(u.dns, sizeof(u.dns), "%s", dns ? dns : "");
	snprintf(u.addr, sizeof(u.addr), "%s", addr ? addr : "");
	if (u.addr[0] && strcmp(u.engine, "veth"))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--addr sets the prefix of a veth uplink (root, --uplink veth); pasta and slirp4netns copy the host's addresses");
	if (u.dns[0] && !uplink_addr_ok(u.dns))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--dns takes the resolver's IPv4 or IPv6 address, not \"%s\"", u.dns);
	if (!strcmp(u.engine, "none"))
		return uplink_none(ctx, cell, &u);
	if (!strcmp(u.engine, "veth"))
		return veth_uplink(ctx, cell, &u);
	if (strcmp(u.engine, "pasta") && strcmp(u.engine, "slirp4netns"))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "unknown uplink \"%s\"; use pasta, slirp4netns, veth (root) or none",
			       u.engine);
	if (!uplink_in_path(u.engine))
		return ctx_err(ctx, -ENOENT, NC_ERR_PERM,
			       "uplink %s is not installed; run 'apt-get install %s' or use --uplink none",
			       u.engine, strcmp(u.engine, "pasta") ? "slirp4netns" : "passt");
	ret = paths_get(ctx, &p);
	/* pasta without the host's loopback: the user's shared hub (hub.c) */
	u.hub = !strcmp(u.engine, "pasta") && !u.host_loopback;
	if (!ret)
		ret = uplink_save(p.state, cell, &u);
	if (!ret && u.hub) {
		char req[NC_NAME_MAX + 16];

		snprintf(req, sizeof(req), "HUB\t%s", cell);
		ret = client_call(ctx, req, NULL, 0, NULL, NULL);
		/* the keeper sees /dev/net/tun from the hub's user namespace,
		 * where its owner is unmapped: say it again as the host sees it */
		if (ret && nc_errkind(ctx) == NC_ERR_PERM && strstr(nc_errmsg(ctx), "/dev/net/tun") &&
		    diag_tun(&(struct diag_finding){ 0 }))
			ret = diag_uplink_failure(ctx, "pasta", cell, "");
	} else if (!ret) {
		ret = spawn_in_child(ctx, &p, cell, &u);
	}
	if (ret)
		uplink_stop(p.state, cell, 1);
	return ret;
}
