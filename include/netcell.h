/* SPDX-License-Identifier: MIT */
/*
 * netcell.h - libnetcell, private named network namespaces ("cells")
 *
 * Every call takes a context (struct nc_ctx) that carries the connection to
 * the caller's keeper, the last error (message and kind) and notices that a
 * caller may want to show (for example: "the keeper had crashed, cells were
 * rebuilt").  Calls return 0 or a negative errno value; the library never
 * prints and never exits.
 */
#ifndef NETCELL_H
#define NETCELL_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NC_API __attribute__((visibility("default")))

/* Longest cell name, as ip-netns would accept it and short enough for paths */
#define NC_NAME_MAX 64

/**
 * enum nc_errkind - what class of failure the last error was
 *
 * The values are netcell's exit codes, so a CLI can exit with them directly.
 */
enum nc_errkind {
	NC_ERR_NONE = 0,
	NC_ERR_FAILED = 1,	/* the operation failed */
	NC_ERR_USAGE = 2,	/* bad argument: name, CIDR, port, option */
	NC_ERR_NOCELL = 3,	/* no such cell */
	NC_ERR_EXISTS = 4,	/* cell exists */
	NC_ERR_PERM = 5,	/* missing permission or prerequisite */
	NC_ERR_RULESET = 6,	/* ruleset rejected */
	NC_ERR_REVERTED = 7,	/* change reverted, no confirm in time */
};

struct nc_ctx;

/**
 * struct nc_cell_info - what is known about one cell
 * @name:	cell name
 * @rootless:	1 if the cell lives in its user's hub user namespace
 * @ephemeral:	1 for cells of "netcell run", gone when the command ends
 * @created:	creation time, seconds since the epoch
 * @keeper:	PID of the keeper process that holds the cell
 * @netns:	a path that opens the cell's network namespace
 * @userns:	a path that opens the owning user namespace ("" for root cells)
 */
struct nc_cell_info {
	char name[NC_NAME_MAX + 1];
	int rootless;
	int ephemeral;
	long long created;
	pid_t keeper;
	char netns[128];
	char userns[128];
	int unbound;
};

/* Flags of nc_enter() */
#define NC_ENTER_AS_USER 1u	/* keep the caller's uid, no capabilities */

/* Flags of nc_create() */
#define NC_CREATE_EPHEMERAL 1u	/* deleted when the context is freed */
#define NC_CREATE_SETUP 2u	/* deleted when the context is freed before
				 * nc_create_keep(), and meanwhile out of
				 * reach of other contexts' delete */

NC_API struct nc_ctx *nc_ctx_new(void);
NC_API void nc_ctx_free(struct nc_ctx *ctx);

/**
 * typedef nc_progress_fn - told every second of a long wait (a keeper that
 * brings many saved cells back before it answers)
 * @what:	what is being waited for; NULL once the wait is over
 * @secs:	seconds so far
 * @arg:	the caller's argument
 */
typedef void (*nc_progress_fn)(const char *what, unsigned secs, void *arg);
NC_API void nc_ctx_set_progress(struct nc_ctx *ctx, nc_progress_fn fn, void *arg);
NC_API const char *nc_errmsg(const struct nc_ctx *ctx);
NC_API enum nc_errkind nc_errkind(const struct nc_ctx *ctx);
NC_API const char *nc_notice_next(struct nc_ctx *ctx);

NC_API int nc_name_check(struct nc_ctx *ctx, const char *name);
NC_API int nc_create(struct nc_ctx *ctx, const char *name, unsigned flags);
NC_API int nc_delete(struct nc_ctx *ctx, const char *name);
NC_API int nc_delete_idle(struct nc_ctx *ctx, const char *name);
NC_API int nc_create_id(struct nc_ctx *ctx, const char *name, unsigned flags,
			unsigned long long *id);
NC_API int nc_create_keep(struct nc_ctx *ctx, const char *name,
			  unsigned long long id);
NC_API int nc_delete_id(struct nc_ctx *ctx, const char *name,
			unsigned long long id);
NC_API int nc_inspect(struct nc_ctx *ctx, const char *name,
		      struct nc_cell_info *info);
NC_API int nc_list(struct nc_ctx *ctx, struct nc_cell_info **cells,
		   size_t *n);
NC_API int nc_enter(struct nc_ctx *ctx, const char *name, unsigned flags);
NC_API int nc_gc(struct nc_ctx *ctx, unsigned *removed);
/* a namespace another program made, held by root's keeper as a cell that
 * delete unbinds but does not destroy (adopt.c; the CNI plugin's) */
NC_API int nc_adopt(struct nc_ctx *ctx, const char *name, const char *netns);
NC_API int nc_unique_name(char *buf, size_t len);
NC_API int nc_write_file(struct nc_ctx *ctx, const char *path, const char *data,
			 size_t len);

/* what nc_keeper_serve() tells its caller */
enum nc_keeper_event {
	NC_KEEPER_WAITING = 1,	/* another keeper serves: n is its PID (0: unknown) */
	NC_KEEPER_READY = 2,	/* this one serves: n cells came back */
};
typedef void (*nc_keeper_event_fn)(struct nc_ctx *ctx, enum nc_keeper_event ev,
				   unsigned n, void *arg);
/* Flags of nc_keeper_serve() */
#define NC_KEEPER_WAIT 1u	/* another keeper serves: take over when it leaves */
NC_API int nc_keeper_serve(struct nc_ctx *ctx, unsigned flags,
			   nc_keeper_event_fn event, void *arg);
NC_API int nc_keeper_ping(struct nc_ctx *ctx, int timeout_ms);

/**
 * enum nc_check_status - verdict of one prerequisite check of nc_doctor()
 */
enum nc_check_status {
	NC_CHECK_OK = 0,
	NC_CHECK_WARN = 1,
	NC_CHECK_FAIL = 2,
};

/**
 * struct nc_check - one prerequisite check
 * @id:		stable identifier, e.g. "userns", "tun", "pasta"
 * @title:	what is checked, for people
 * @status:	OK, WARN or FAIL
 * @evidence:	what was read (file and value) to decide
 * @fix:	the exact fix, empty when OK
 */
struct nc_check {
	char id[32];
	char title[96];
	enum nc_check_status status;
	char evidence[256];
	char fix[512];
};

NC_API int nc_doctor(struct nc_ctx *ctx, struct nc_check **checks, size_t *n);

/* Firewall (firewall.c) */
enum nc_fw_format {
	NC_FW_AUTO = 0,		/* decided from the file's content */
	NC_FW_NFT = 1,		/* nft -f syntax */
	NC_FW_IPTABLES = 2,	/* iptables-save / ip6tables-save syntax */
	NC_FW_MIXED = 3,	/* nft syntax, then "# netcell: iptables-restore" and
				 * "# netcell: ip6tables-restore" sections (fw
				 * stage's default for tables iptables made) */
};

/**
 * struct nc_fw_gen - one generation of a cell's firewall
 * @gen:	generation number, from 1
 * @applied:	when it was applied, seconds since the epoch
 * @format:	NC_FW_NFT or NC_FW_IPTABLES
 * @current:	1 for the generation in force
 * @pending:	1 while it awaits "fw confirm"
 * @locked:	1 when, though in force on record, it did not load into the
 *		cell a new keeper rebuilt: a drop-all table closes the cell
 *		until the next apply or rollback
 * @reverted:	1 when it was reverted for want of "fw confirm" (or by a
 *		rebuild that ended its confirm window)
 * @source:	the file it came from
 * @drifted:	1 when, in force on record, the cell's live ruleset is no
 *		longer it (changed inside the cell since it was applied)
 */
struct nc_fw_gen {
	unsigned gen;
	long long applied;
	enum nc_fw_format format;
	int current;
	int pending;
	int locked;
	int reverted;
	char source[256];
	int drifted;
};

/* as the generation of nc_fw_rollback(): the one in force before the
 * current one (0 means no rules at all) */
#define NC_FW_PREVIOUS 0xffffffffu

/* as the cell of nc_fw_*(): the caller's own network namespace (root only) */
#define NC_FW_HOST ":host"

NC_API int nc_fw_apply(struct nc_ctx *ctx, const char *cell, const char *file,
		       enum nc_fw_format format, unsigned confirm_secs,
		       unsigned *gen);
NC_API int nc_fw_apply_files(struct nc_ctx *ctx, const char *cell,
			     const char *const *files, enum nc_fw_format format,
			     unsigned confirm_secs, unsigned *gen);
NC_API int nc_fw_check(struct nc_ctx *ctx, const char *file,
		       enum nc_fw_format format);
NC_API int nc_fw_check_files(struct nc_ctx *ctx, const char *const *files,
			     enum nc_fw_format format);
NC_API int nc_fw_confirm(struct nc_ctx *ctx, const char *cell);
NC_API int nc_fw_wait(struct nc_ctx *ctx, const char *cell, unsigned gen);
NC_API int nc_fw_rollback(struct nc_ctx *ctx, const char *cell, unsigned gen,
			  unsigned *now);
NC_API int nc_fw_history(struct nc_ctx *ctx, const char *cell,
			 struct nc_fw_gen **gens, size_t *n);
NC_API int nc_fw_show(struct nc_ctx *ctx, const char *cell, char **text);
NC_API int nc_fw_stage(struct nc_ctx *ctx, char *const *argv,
		       enum nc_fw_format format, unsigned timeout, char **text);
NC_API int nc_fw_stage_ms(struct nc_ctx *ctx, char *const *argv,
			  enum nc_fw_format format, unsigned timeout_ms,
			  char **text);

/* Processes in cells (pids.c) */
NC_API int nc_pids(struct nc_ctx *ctx, const char *cell, pid_t **pids, size_t *n);
NC_API int nc_identify(struct nc_ctx *ctx, pid_t pid, char *cell, size_t len);

/* Uplinks (uplink.c) */
NC_API int nc_uplink_up(struct nc_ctx *ctx, const char *cell, const char *engine,
			int host_loopback, const char *dns, const char *addr);
NC_API const char *nc_uplink_default(void);

/**
 * struct nc_net_info - a cell's network, for "netcell inspect"
 * @uplink:	"pasta", "slirp4netns", "veth" or "none"
 * @host_loopback: 1 when the cell may reach the host's loopback services
 * @shared:	1 when the uplink is the one pasta the user's cells share
 *		(through the hub namespace), 0 for an engine of its own
 * @dns:	nameserver addresses of the cell's resolv.conf, space
 *		separated; "" when the cell uses the host's /etc/resolv.conf
 * @fw_gen:	firewall generation in force, 0 for none
 * @fw_pending:	1 while @fw_gen awaits "fw confirm"
 * @fw_locked:	1 when @fw_gen did not load into the rebuilt cell, which a
 *		drop-all table closes instead
 * @addrs:	addresses, live from the kernel
 * @naddrs:	number of @addrs
 * @routes:	routes of the main table, live (IPv6 link-local left out)
 * @nroutes:	number of @routes
 * @links:	links to other cells, with this end's address
 * @nlinks:	number of @links
 * @fw_drifted:	1 when the cell's live ruleset is no longer @fw_gen (changed
 *		inside the cell since it was applied)
 */
struct nc_net_info {
	char uplink[16];
	int host_loopback;
	int shared;
	char dns[256];
	unsigned fw_gen;
	int fw_pending;
	int fw_locked;
	struct nc_net_addr {
		char dev[16];
		char addr[64];		/* ADDR/PLEN */
	} *addrs;
	size_t naddrs;
	struct nc_net_route {
		char dst[64];		/* PREFIX/PLEN or "default" */
		char via[46];		/* gateway, "" for a link route */
		char dev[16];
	} *routes;
	size_t nroutes;
	struct nc_net_link {
		char peer[NC_NAME_MAX + 1];
		char addr[64];		/* this end, ADDR/PLEN */
	} *links;
	size_t nlinks;
	int fw_drifted;
};

NC_API int nc_inspect_net(struct nc_ctx *ctx, const char *cell,
			  struct nc_net_info *info);
NC_API void nc_net_info_release(struct nc_net_info *info);

/* Links between cells (link.c) */
NC_API int nc_link(struct nc_ctx *ctx, const char *a, const char *b,
		   const char *subnet);
NC_API int nc_unlink(struct nc_ctx *ctx, const char *a, const char *b);
NC_API int nc_link_named(struct nc_ctx *ctx, const char *a, const char *ifa,
			 const char *b, const char *ifb);

/* Published ports (forward.c): declarations of the ports work go below */

/* Most published ports of one cell */
#define NC_PORTS_MAX 64

/**
 * struct nc_port - one published port: HOST_ADDR:HOST_PORT on the host,
 * forwarded to CELL_PORT on the loopback of the cell (127.0.0.1 for an IPv4
 * host address, ::1 for an IPv6 one)
 * @cell:	cell name ("" from nc_port_parse())
 * @host_addr:	numeric host address: "127.0.0.1", "0.0.0.0", "::1", "::"
 * @host_port:	host port, 1-65535
 * @cell_port:	port in the cell, 1-65535
 * @proto:	"tcp" or "udp"
 * @active:	1 when in force; 0 for a saved port whose host port was taken
 *		by another program while no keeper ran (remove and add it again)
 * @to_host:	the host's 127.0.0.1:host_port at the cell's 127.0.0.1:cell_port
 * @path:	what carries connections of clients on the host: "kernel"
 *		(root cells' IPv4 ports, docs/kernel-ports.md), "forwarder" (the
 *		keeper's), "none" (inactive); "" from an older keeper
 * @path_note:	what is wrong with that path, read back when listed: why the
 *		forwarder carries a port the kernel should, or how the kernel's
 *		rules differ from what netcell wrote; "" when nothing is
 */
struct nc_port {
	char cell[NC_NAME_MAX + 1];
	char host_addr[46];
	unsigned host_port;
	unsigned cell_port;
	char proto[4];
	int active;
	int to_host;
	char path[12];
	char path_note[1024];
};

NC_API int nc_port_parse(struct nc_ctx *ctx, const char *spec,
			 struct nc_port *port);
NC_API int nc_port_expand(struct nc_ctx *ctx, const char *spec,
			  struct nc_port *ports, size_t room, size_t *n);
NC_API int nc_port_format(const struct nc_port *port, char *buf, size_t len);
NC_API int nc_port_add(struct nc_ctx *ctx, const char *cell,
		       const char *const *specs, size_t n);
NC_API int nc_port_rm(struct nc_ctx *ctx, const char *cell,
		      const char *const *specs, size_t n);
NC_API int nc_port_list(struct nc_ctx *ctx, const char *cell,
			struct nc_port **ports, size_t *n);

/* Labs: a network of cells from one YAML file (lib/lab/, docs/labs.md) */
struct nc_lab;

/**
 * struct nc_lab_item - one step of a lab's plan, or one line of its status
 * @action:	plan: "add", "remove", "change"; status of a cell: "up",
 *		"missing", "drift"
 * @kind:	"cell", "link", "addr", "route", "sysctl", "firewall", "port"
 * @object:	what: "demo-a", "demo-a:e1 demo-r:e1", "demo-a e1 10.0.1.1/24"
 * @reason:	why: "new", "not in the file any more", "changed in the file",
 *		"drift: ..." (the live cell differs from what the lab made)
 */
struct nc_lab_item {
	char action[8];
	char kind[12];
	char object[200];
	char reason[96];
};

/* Flags of nc_lab_load() */
#define NC_LAB_NAME_ONLY 1u	/* only the name: enough for nc_lab_down() */

NC_API int nc_lab_load(struct nc_ctx *ctx, const char *file, unsigned flags,
		       struct nc_lab **lab);
NC_API void nc_lab_free(struct nc_lab *lab);
NC_API const char *nc_lab_name(const struct nc_lab *lab);
NC_API int nc_lab_plan(struct nc_ctx *ctx, struct nc_lab *lab,
		       struct nc_lab_item **items, size_t *n);
NC_API int nc_lab_up(struct nc_ctx *ctx, struct nc_lab *lab,
		     struct nc_lab_item **done, size_t *n);
NC_API int nc_lab_down(struct nc_ctx *ctx, struct nc_lab *lab,
		       unsigned *removed);
NC_API int nc_lab_status(struct nc_ctx *ctx, struct nc_lab *lab,
			 struct nc_lab_item **items, size_t *n);

/* The CNI plugin's mechanisms (net/cninet.c, net/cninat.c, client/cni.c;
 * docs/cni.md): one container's attachment to a bridge of the host (the
 * caller's network namespace), with NAT and published ports in the table
 * "inet netcell_cni" */
#define NC_CNI_IPS_MAX 8
#define NC_CNI_ROUTES_MAX 16
#define NC_CNI_PORTS_MAX 64

/**
 * struct nc_cni_port - one published port of a container
 * @proto:	"tcp" or "udp"
 * @host_port:	port on the host, 1-65535
 * @container_port: port in the container, 1-65535
 * @host_ip:	the one host address it is published on, "" for all
 */
struct nc_cni_port {
	char proto[4];
	unsigned host_port;
	unsigned container_port;
	char host_ip[46];
};

/**
 * struct nc_cni_attach - what one container's attachment is made of
 * @bridge:	host bridge, made when missing
 * @hostif:	host end of the veth pair (nc_cni_names())
 * @ifname:	the container's end
 * @mac:	the container end's MAC
 * @mtu:	MTU of both ends (and of a bridge made), 0 for the default
 * @is_gw:	the bridge carries each address's gateway
 * @masq:	masquerade what the container sends out of the bridge
 * @ips:	addresses, "ADDR/PLEN", IPv4 or IPv6
 * @gws:	each address's gateway, "" for none
 * @nips:	how many addresses
 * @routes:	route destinations, "PREFIX/PLEN" ("0.0.0.0/0": default)
 * @route_gws:	each route's gateway, "" for that of the first address of
 *		its family
 * @nroutes:	how many routes
 * @ports:	published ports
 * @nports:	how many
 */
struct nc_cni_attach {
	char bridge[16];
	char hostif[16];
	char ifname[16];
	unsigned char mac[6];
	unsigned mtu;
	int is_gw;
	int masq;
	char ips[NC_CNI_IPS_MAX][64];
	char gws[NC_CNI_IPS_MAX][46];
	int nips;
	char routes[NC_CNI_ROUTES_MAX][64];
	char route_gws[NC_CNI_ROUTES_MAX][46];
	int nroutes;
	struct nc_cni_port ports[NC_CNI_PORTS_MAX];
	int nports;
};

/* Flags of nc_cni_del() */
#define NC_CNI_DEL_NAT 1u	/* its NAT and port entries were added */
#define NC_CNI_DEL_LAST_ON_BRIDGE 2u /* no other container uses its bridge */
#define NC_CNI_DEL_LAST 4u	/* no other container at all: the table goes */
#define NC_CNI_DEL_BRIDGE 8u	/* the bridge device goes too (made by the plugin) */

NC_API void nc_cni_names(const char *id, const char *ifname, char hostif[16],
			 unsigned char mac[6]);
NC_API int nc_cni_add(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns,
		      unsigned char hostmac[6]);
NC_API int nc_cni_del(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns,
		      unsigned flags);
NC_API int nc_cni_check(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns);
NC_API int nc_cni_ports_add(struct nc_ctx *ctx, const struct nc_cni_attach *a);
NC_API int nc_cni_ready(struct nc_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* NETCELL_H */
