// SPDX-License-Identifier: MIT
/*
 * labnet.c - a lab's addresses, routes and sysctls, inside its cells
 *
 * Theory of operation: reading or changing the network of many cells must
 * not cost a process per cell (an unchanged "up" of 50 cells has 100 ms).
 * The caller gets every cell's namespace descriptor over its one keeper
 * connection, then ONE child joins the hub user namespace (rootless: all
 * cells of a user share it) and moves from cell to cell with setns(),
 * opening a new rtnetlink socket in each (a socket stays in the namespace
 * it was made in) and reading /proc/sys/net there (net sysctls are those
 * of the opener's namespace).
 *
 * The child runs a small script, one line per step:
 *   C N		go to cell N (and, for a dump, list its interfaces,
 *			addresses and static routes: "I", "A", "R" lines)
 *   Q KEY		dump: the sysctl's value ("S KEY VALUE")
 *   A+ IF CIDR / A- IF CIDR	add / remove an address
 *   R+ DST GW DEV / R- ...	add / remove a route ("-" for no gateway/dev)
 *   S KEY VALUE		write a sysctl
 * A change that fails undoes the changes this child made, in reverse, and
 * the failure (cell, step, the kernel's reason) is the child's answer; one
 * that succeeds answers with the script that undoes it (run reversed), so
 * a later step of "up" that fails can take these changes back too.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "client/client.h"
#include "kernel/incell.h"
#include "kernel/netlink.h"
#include "lab/labnet.h"

#define STEP_MAX 256	/* longest script line */

/**
 * struct out - growing text
 * @f:		stream
 * @text:	its buffer
 * @len:	its length
 */
struct out {
	FILE *f;
	char *text;
	size_t len;
};

/**
 * struct links - a namespace's interfaces, from one RTM_GETLINK dump
 * @name:	names
 * @index:	indexes
 * @n:		how many
 */
struct links {
	char name[64][IFNAMSIZ];
	int index[64];
	unsigned n;
};

/**
 * struct dumpctx - what a dump callback writes to
 * @o:		output
 * @l:		interfaces of the namespace
 */
struct dumpctx {
	struct out *o;
	struct links *l;
};

/**
 * if_name() - an interface's name by index
 * @l:		interfaces
 * @index:	index
 *
 * Return: the name, or "?"
 */
static const char *if_name(const struct links *l, int index)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (l->index[i] == index)
			return l->name[i];
	return "?";
}

/**
 * if_index() - an interface's index by name
 * @l:		interfaces
 * @name:	name
 *
 * Return: the index, or 0
 */
static int if_index(const struct links *l, const char *name)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return l->index[i];
	return 0;
}

/**
 * link_cb() - one RTM_NEWLINK of the dump: remember name and index
 * @nlh:	message
 * @data:	struct dumpctx
 *
 * Return: MNL_CB_OK
 */
static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dumpctx *d = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_IFNAME && d->l->n < 64) {
			snprintf(d->l->name[d->l->n], IFNAMSIZ, "%s", mnl_attr_get_str(a));
			d->l->index[d->l->n++] = ifi->ifi_index;
			if (d->o)
				fprintf(d->o->f, "I %s %d\n", mnl_attr_get_str(a), ifi->ifi_index);
		}
	return MNL_CB_OK;
}

/**
 * addr_cb() - one RTM_NEWADDR: "A IF ADDR/PLEN" (IPv6 link-local left out)
 * @nlh:	message
 * @data:	struct dumpctx
 *
 * Return: MNL_CB_OK
 */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct dumpctx *d = data;
	const struct nlattr *a, *addr = NULL;
	char txt[INET6_ADDRSTRLEN];

	mnl_attr_for_each(a, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(a) == IFA_LOCAL ||
		    (mnl_attr_get_type(a) == IFA_ADDRESS && !addr))
			addr = a;
	if (!addr || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    ifa->ifa_scope == RT_SCOPE_LINK || ifa->ifa_scope == RT_SCOPE_HOST ||
	    !inet_ntop(ifa->ifa_family, mnl_attr_get_payload(addr), txt, sizeof(txt)))
		return MNL_CB_OK;
	fprintf(d->o->f, "A %s %s/%u\n", if_name(d->l, (int)ifa->ifa_index), txt, ifa->ifa_prefixlen);
	return MNL_CB_OK;
}

/**
 * route_cb() - one route of the main table that is not the kernel's own
 * (a connected prefix): "R DST GW DEV", as lab_route_text() writes it
 * @nlh:	message
 * @data:	struct dumpctx
 *
 * Return: MNL_CB_OK
 */
static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	struct dumpctx *d = data;
	const struct nlattr *a;
	char dst[64] = "default", gw[INET6_ADDRSTRLEN] = "-";
	unsigned table = rt->rtm_table;
	int oif = 0;

	mnl_attr_for_each(a, nlh, sizeof(*rt)) {
		unsigned t = mnl_attr_get_type(a);

		if (t == RTA_TABLE)
			table = mnl_attr_get_u32(a);
		else if (t == RTA_OIF)
			oif = (int)mnl_attr_get_u32(a);
		else if (t == RTA_GATEWAY)
			inet_ntop(rt->rtm_family, mnl_attr_get_payload(a), gw, sizeof(gw));
		else if (t == RTA_DST && inet_ntop(rt->rtm_family, mnl_attr_get_payload(a), dst, 48))
			snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "/%u", rt->rtm_dst_len);
	}
	if (table != RT_TABLE_MAIN || rt->rtm_type != RTN_UNICAST ||
	    rt->rtm_protocol == RTPROT_KERNEL || rt->rtm_protocol == RTPROT_RA ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return MNL_CB_OK;
	if (!rt->rtm_dst_len && rt->rtm_family == AF_INET6)
		snprintf(dst, sizeof(dst), "default6");
	fprintf(d->o->f, "R %s %s %s\n", dst, gw, oif ? if_name(d->l, oif) : "-");
	return MNL_CB_OK;
}

/**
 * sysctl_path() - /proc/sys/net/... of a dotted key
 * @key:	key
 * @path:	output
 * @len:	its size
 */
static void sysctl_path(const char *key, char *path, size_t len)
{
	char *p;

	snprintf(path, len, "/proc/sys/%s", key);
	for (p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
}

/**
 * sysctl_rw() - read a sysctl (@val NULL) into @old, or write @val
 * @key:	key
 * @val:	value to write, or NULL
 * @old:	read value (64 bytes), or NULL
 *
 * Return: 0 or -errno
 */
static int sysctl_rw(const char *key, const char *val, char *old)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	sysctl_path(key, path, sizeof(path));
	fd = open(path, (val ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (val)
		return write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -errno;
	n = read(fd, old, 63);
	if (n < 0)
		return -errno;
	old[n] = '\0';
	old[strcspn(old, "\n")] = '\0';
	for (n = 0; old[n]; n++)	/* multi-value keys: one word each */
		if (old[n] == '\t')
			old[n] = ' ';
	return 0;
}

/**
 * addr_req() - add or remove an address
 * @ctx:	context
 * @nl:		socket in the cell
 * @l:		its interfaces
 * @add:	1 to add
 * @ifname:	interface
 * @cidr:	ADDR/PLEN
 *
 * Return: 0 or -errno with a message
 */
static int addr_req(struct nc_ctx *ctx, struct mnl_socket *nl, const struct links *l, int add,
		    const char *ifname, const char *cidr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int idx = if_index(l, ifname);
	struct ifaddrmsg *ifa;
	struct cidr c;

	if (!idx)
		return ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "no interface %s", ifname);
	if (cidr_parse(cidr, &c))
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "bad address %s", cidr);
	if (add)	/* IPv6 without DAD: usable at once, as links are */
		return nl_addr_add(ctx, nl, idx, c.family, c.addr, c.plen);
	nlh->nlmsg_type = RTM_DELADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)c.family;
	ifa->ifa_prefixlen = (unsigned char)c.plen;
	ifa->ifa_index = (unsigned)idx;
	mnl_attr_put(nlh, IFA_LOCAL, c.family == AF_INET ? 4 : 16, c.addr);
	return nl_do(ctx, nl, nlh);
}

/**
 * route_req() - add or remove a static route "DST GW DEV"
 * @ctx:	context
 * @nl:		socket in the cell
 * @l:		its interfaces
 * @add:	1 to add
 * @dst:	"default", "default6" or PREFIX/LEN
 * @gw:		gateway or "-"
 * @dev:	interface or "-"
 *
 * Return: 0 or -errno with a message
 */
static int route_req(struct nc_ctx *ctx, struct mnl_socket *nl, const struct links *l, int add,
		     const char *dst, const char *gw, const char *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct cidr d = { 0 }, g = { 0 };
	struct rtmsg *rtm;
	int idx = 0;

	if (!strcmp(dst, "default6"))
		d.family = AF_INET6;
	else if (!strcmp(dst, "default"))
		d.family = AF_INET;
	else if (cidr_parse(dst, &d))
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "bad destination %s", dst);
	if (strcmp(gw, "-") && cidr_parse(gw, &g))
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "bad gateway %s", gw);
	if (strcmp(dev, "-") && !(idx = if_index(l, dev)))
		return ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "no interface %s", dev);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/* replace: the file's route wins over the uplink's to the same
	 * destination (a default route through a router of the lab) */
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)d.family;
	rtm->rtm_dst_len = (unsigned char)(d.addr[0] || strncmp(dst, "default", 7) ? d.plen : 0);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = g.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (rtm->rtm_dst_len)
		mnl_attr_put(nlh, RTA_DST, d.family == AF_INET ? 4 : 16, d.addr);
	if (g.family)
		mnl_attr_put(nlh, RTA_GATEWAY, g.family == AF_INET ? 4 : 16, g.addr);
	if (idx)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
	return nl_do(ctx, nl, nlh);
}

/**
 * struct state - the child's position
 * @j:		job
 * @nl:		socket in the current cell
 * @l:		its interfaces
 * @cell:	index of the current cell, -1 before the first
 * @o:		output
 * @undo:	script that undoes what was done, in reverse order of lines
 * @routes:	apply: the current cell's static routes ("R DST GW DEV" lines)
 */
struct state {
	const struct lab_net_job *j;
	struct mnl_socket *nl;
	struct links l;
	int cell;
	struct out *o;
	struct out *undo;
	struct out routes;
};

/**
 * go_cell() - join cell @n, open a socket there, list its interfaces
 * @c:		context
 * @s:		state
 * @n:		cell index
 * @listing:	1 to write its interfaces, addresses and routes to the output
 *
 * Return: 0 or -errno with a message
 */
static int go_cell(struct nc_ctx *c, struct state *s, int n, int listing)
{
	struct dumpctx d = { listing ? s->o : NULL, &s->l };
	int ret;

	if (n < 0 || (unsigned)n >= s->j->ns->ncells || s->j->ns->netfd[n] < 0)
		return ctx_err(c, -EINVAL, NC_ERR_FAILED, "bad cell %d", n);
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
	s->cell = n;
	if (setns(s->j->ns->netfd[n], CLONE_NEWNET))
		return ctx_err(c, -errno, NC_ERR_FAILED, "cannot enter cell \"%s\": %s",
			       s->j->ns->names[n], strerror(errno));
	s->nl = nl_open(c);
	if (!s->nl)
		return -EIO;
	memset(&s->l, 0, sizeof(s->l));
	if (listing)
		fprintf(s->o->f, "C %d\n", n);
	ret = nl_dump(s->nl, RTM_GETLINK, link_cb, &d);
	d.o = s->o;
	if (!ret && listing)
		ret = nl_dump(s->nl, RTM_GETADDR, addr_cb, &d);
	if (!ret && listing)
		ret = nl_dump(s->nl, RTM_GETROUTE, route_cb, &d);
	if (!ret && !listing) {	/* what R+ checks against */
		if (s->routes.f)
			fclose(s->routes.f);
		free(s->routes.text);
		s->routes.text = NULL;
		s->routes.f = open_memstream(&s->routes.text, &s->routes.len);
		d.o = &s->routes;
		ret = s->routes.f ? nl_dump(s->nl, RTM_GETROUTE, route_cb, &d) : -ENOMEM;
		if (!ret)
			fflush(s->routes.f);
	}
	return ret ? ctx_err(c, ret, NC_ERR_FAILED, "cannot read the network of cell \"%s\": %s",
			     s->j->ns->names[n], strerror(-ret)) : 0;
}

/**
 * route_there() - whether the current cell has a static route already
 * @s:		state
 * @dst:	destination
 * @gw:		gateway or "-"
 * @dev:	interface, or "-" for any
 *
 * Return: 1 if it has
 */
static int route_there(const struct state *s, const char *dst, const char *gw, const char *dev)
{
	char want[200];
	const char *p;

	snprintf(want, sizeof(want), "R %s %s %s\n", dst, gw, strcmp(dev, "-") ? dev : "");
	for (p = s->routes.text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
		if (!strncmp(p, want, strlen(want) - (strcmp(dev, "-") ? 0 : 1)))
			return 1;
	return 0;
}

/**
 * step() - run one script line
 * @c:		context
 * @s:		state
 * @line:	the line
 *
 * Return: 0 or -errno with a message
 */
static int step(struct nc_ctx *c, struct state *s, const char *line)
{
	char op[4], a[128], b[128], d[128] = "-", old[64];
	int n = sscanf(line, "%3s %127s %127s %127s", op, a, b, d), ret;

	if (n >= 2 && !strcmp(op, "C"))
		return go_cell(c, s, atoi(a), !s->j->apply);
	if (s->cell < 0)
		return ctx_err(c, -EINVAL, NC_ERR_FAILED, "no cell chosen");
	if (n == 2 && !strcmp(op, "Q")) {
		if (sysctl_rw(a, NULL, old))
			snprintf(old, sizeof(old), "?");
		fprintf(s->o->f, "S %s %s\n", a, old);
		return 0;
	}
	if (n == 3 && (!strcmp(op, "A+") || !strcmp(op, "A-"))) {
		ret = addr_req(c, s->nl, &s->l, op[1] == '+', a, b);
		/* gone with its interface (a link removed), or there already: as
		 * asked, and nothing to undo */
		if ((op[1] == '-' && (ret == -EADDRNOTAVAIL || ret == -ENODEV)) || (op[1] == '+' && ret == -EEXIST))
			return 0;
		if (!ret)
			fprintf(s->undo->f, "A%c %s %s\nC %d\n", op[1] == '+' ? '-' : '+', a, b, s->cell);
		return ret ? ctx_wrap(c, ret, "cell \"%s\": %s address %s on %s", s->j->ns->names[s->cell],
				      op[1] == '+' ? "add" : "remove", b, a) : 0;
	}
	if (n == 4 && (!strcmp(op, "R+") || !strcmp(op, "R-"))) {
		if (op[1] == '+' && route_there(s, a, b, d))
			return 0;	/* a link made again did not take it along */
		ret = route_req(c, s->nl, &s->l, op[1] == '+', a, b, d);
		if (!ret && op[1] == '+') {
			fprintf(s->routes.f, "R %s %s %s\n", a, b, d);
			fflush(s->routes.f);
		}
		if (op[1] == '-' && (ret == -ESRCH || ret == -ENODEV))
			return 0;	/* gone with its interface: as asked */
		if (!ret)
			fprintf(s->undo->f, "R%c %s %s %s\nC %d\n", op[1] == '+' ? '-' : '+', a, b, d,
				s->cell);
		return ret ? ctx_wrap(c, ret, "cell \"%s\": %s route %s via %s dev %s", s->j->ns->names[s->cell],
				      op[1] == '+' ? "add" : "remove", a, b, d) : 0;
	}
	if (n == 3 && !strcmp(op, "S")) {
		if (sysctl_rw(a, NULL, old))
			old[0] = '\0';
		ret = sysctl_rw(a, b, NULL);
		if (!ret && old[0])
			fprintf(s->undo->f, "S %s %s\nC %d\n", a, old, s->cell);
		return ret ? ctx_err(c, ret, NC_ERR_FAILED, "cell \"%s\": cannot set sysctl %s to %s: %s",
				     s->j->ns->names[s->cell], a, b, strerror(-ret)) : 0;
	}
	return ctx_err(c, -EINVAL, NC_ERR_FAILED, "bad step \"%s\"", line);
}

/**
 * run_lines() - run a script, line by line
 * @c:		context
 * @s:		state
 * @text:	script (modified)
 * @reverse:	1 to run the lines last to first (an undo script)
 *
 * Return: 0 or the first failure
 */
static int run_lines(struct nc_ctx *c, struct state *s, char *text, int reverse)
{
	char *lines[8192], *save = NULL, *t;
	int n = 0, i, ret = 0;

	for (t = strtok_r(text, "\n", &save); t && n < 8192; t = strtok_r(NULL, "\n", &save))
		lines[n++] = t;
	if (t)
		return ctx_err(c, -E2BIG, NC_ERR_FAILED, "too many steps");
	for (i = 0; i < n && !ret; i++)
		ret = step(c, s, lines[reverse ? n - 1 - i : i]);
	return ret;
}

/**
 * net_child() - incell_text_fn: the whole job, in the child
 * @arg:	struct lab_net_job
 * @text:	output (the dump), or the failure's message
 *
 * Return: 0 or -errno
 */
static int net_child(void *arg, char **text)
{
	const struct lab_net_job *j = arg;
	struct out o = { 0 }, undo = { 0 };
	struct state s = { .j = j, .cell = -1, .o = &o, .undo = &undo };
	struct nc_ctx c = { .kfd = -1 };
	_cleanup_free_ char *script = strdup(j->script);
	int ret;

	o.f = open_memstream(&o.text, &o.len);
	undo.f = open_memstream(&undo.text, &undo.len);
	if (!o.f || !undo.f || !script)
		return -ENOMEM;
	if (j->ns->userfd >= 0 && setns(j->ns->userfd, CLONE_NEWUSER))
		ret = ctx_err(&c, -errno, NC_ERR_FAILED, "cannot join the cells' user namespace: %s",
			      strerror(errno));
	else
		ret = run_lines(&c, &s, script, j->reverse);
	fclose(undo.f);
	if (ret && j->apply && undo.text && undo.text[0]) {
		struct nc_ctx u = { .kfd = -1 };

		s.undo = &(struct out){ .f = fopen("/dev/null", "we") };
		if (!s.undo->f || run_lines(&u, &s, undo.text, 1))
			snprintf(c.msg + strlen(c.msg), sizeof(c.msg) - strlen(c.msg),
				 "; undoing this step's other changes failed too: %s", u.msg);
	}
	fclose(o.f);
	if (s.routes.f)
		fclose(s.routes.f);
	free(s.routes.text);
	if (ret || j->apply) {	/* a change answers with its undo script */
		free(o.text);
		*text = ret ? strdup(c.msg) : undo.text;
		if (ret)
			free(undo.text);
		return ret;
	}
	free(undo.text);
	*text = o.text;
	return 0;
}

/**
 * lab_ns_init() - no namespace fetched yet
 * @ctx:	context
 * @lab:	lab
 * @ns:		result (lab_ns_release() it)
 *
 * Return: 0 or -ENOMEM with a message
 */
int lab_ns_init(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_ns *ns)
{
	unsigned i;

	ns->userfd = -1;
	ns->ncells = lab->ncells;
	for (i = 0; i < LAB_CELLS_MAX; i++)
		ns->netfd[i] = -1;
	ns->names = calloc(lab->ncells, sizeof(*ns->names));
	if (!ns->names)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (i = 0; i < lab->ncells; i++)
		snprintf(ns->names[i], sizeof(ns->names[i]), "%s", lab->cells[i].full);
	return 0;
}

/**
 * lab_ns_cell() - fetch cell @i's namespaces over the keeper connection,
 * unless they are fetched already
 * @ctx:	context
 * @ns:		namespaces
 * @i:		cell
 *
 * Return: 0 or -errno with a message
 */
int lab_ns_cell(struct nc_ctx *ctx, struct lab_ns *ns, unsigned i)
{
	struct nc_cell_info info;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	if (ns->netfd[i] >= 0)
		return 0;
	ret = cell_get(ctx, ns->names[i], &info, fds, &nfds);
	if (ret)
		return ret;
	ns->netfd[i] = fds[nfds - 1];
	if (nfds == 2 && ns->userfd < 0)	/* one hub user namespace for all */
		ns->userfd = fds[0];
	else if (nfds == 2)
		close(fds[0]);
	return 0;
}

/**
 * lab_ns_release() - close what was fetched
 * @ns:		namespaces
 */
void lab_ns_release(struct lab_ns *ns)
{
	unsigned i;

	for (i = 0; i < LAB_CELLS_MAX; i++)
		if (ns->netfd[i] >= 0)
			close(ns->netfd[i]);
	if (ns->userfd >= 0)
		close(ns->userfd);
	free(ns->names);
	ns->names = NULL;
}

/**
 * lab_net_run() - run a script in the lab's cells, in one child
 * @ctx:	context
 * @j:		job
 * @out:	the dump (heap), for a dump; may be NULL
 *
 * Return: 0 or -errno with a message (a failed apply was undone)
 */
int lab_net_run(struct nc_ctx *ctx, const struct lab_net_job *j, char **out)
{
	char *text = NULL;
	int ret = incell_call_text(ctx, &INCELL_HOST("lab"), net_child, (void *)j, &text);

	if (ret && text && text[0])
		ctx_err(ctx, ret, NC_ERR_FAILED, "%s", text);
	if (ret || !out)
		free(text);
	else
		*out = text;
	return ret;
}
