/* SPDX-License-Identifier: MIT */
/* keeper_int.h - the keeper's state, shared by keeper.c, kports.c, khub.c
 * and krebuild.c */
#ifndef NC_KEEPER_INT_H
#define NC_KEEPER_INT_H

#include "ports/forward.h"
#include "base/paths.h"
#include "base/store.h"

/**
 * struct kcell - a cell held by the keeper
 * @conf:	saved configuration
 * @netfd:	descriptor of its network namespace
 * @owner:	client socket an ephemeral cell is bound to, -1 if none
 * @fc:		its forwards, NULL while it publishes no port
 * @inactive:	ports[i] of @conf could not be published again after a restart
 * @hubaddr:	its prefix on the hub (hub.c) while connected, else ""
 * @fresh:	rebuilt in a namespace made anew (krebuild.c)
 * @id:		random identity of this creation (a new cell of the same
 *		name has another), for the command that made it (ksetup.c)
 * @setup:	still being set up by the client @owner (ksetup.c)
 * @kdslot:	root: slot of the pair that carries its IPv4 ports in the
 *		kernel (kdnat.c), -1 while it has none
 * @hidden:	rootless, never handed out (no GET or LIST since its create)
 * @fast:	its RUN/fast file is written (kfast.c)
 * @kdwhy:	root: why the kernel does not carry its IPv4 ports ("" when
 *		it does, or when it has none), for 'port list' and inspect
 */
struct kcell {
	struct cell_conf conf;
	int netfd;
	int owner;
	struct fwd_cell *fc;
	unsigned char inactive[NC_PORTS_MAX];
	char hubaddr[64];
	unsigned char fresh;
	unsigned long long id;
	unsigned char setup;
	int kdslot;
	unsigned char hidden;
	unsigned char fast;
	char kdwhy[NC_MSG_MAX];
};

/**
 * struct kconn - a client connection (kconn.c)
 * @open:	connected and accepted
 * @nq:		replies waiting in @head
 * @queued:	their bytes
 * @head:	first waiting reply
 */
struct kconn {
	int open;
	unsigned nq;
	size_t queued;
	struct kmsg *head;
};

/* ready network namespaces a rootless keeper keeps for the next creates */
#define KEEPER_NSPOOL	2

/**
 * struct keeper - the keeper's whole state
 * @p:		the user's directories
 * @cells:	table of cells
 * @n:		number of cells
 * @cap:	allocated entries
 * @lfd:	listening socket
 * @epfd:	epoll instance
 * @tfd:	idle timer
 * @fwd:	forwarder of published ports
 * @nclients:	connected clients
 * @linger_ms:	how long to stay with nothing to do
 * @idle_armed:	@tfd runs: no cells, no clients
 * @quit:	set when the keeper should leave its loop
 * @hubfd:	the hub's namespace while cells use it (hub.c), else -1
 * @conns:	client connections, indexed by descriptor (kconn.c)
 * @conncap:	entries in @conns
 * @reserve:	a descriptor kept to accept a client when out of them
 * @accept_paused: the listener is out of epoll for want of descriptors
 * @peerfd:	rootless: socket to the helper that inspects clients (kpeer.c)
 * @lifefd:	STATE/keeper.life, locked for the keeper's life
 * @leavefd:	the start lock, held from the decision to leave to the exit
 * @nspool:	rootless: network namespaces made ahead, for the next creates
 * @nspool_n:	how many
 * @nspool_want: a create took one: refill when the loop has nothing to do
 */
struct keeper {
	struct nc_paths p;
	struct kcell *cells;
	size_t n, cap;
	int lfd, epfd, tfd;
	struct fwd *fwd;
	int nclients;
	long linger_ms;
	int stay;		/* never leave when idle (nc_keeper_serve()) */
	int idle_armed;
	int quit;
	int hubfd;
	struct kconn *conns;
	size_t conncap;
	int reserve;
	int accept_paused;
	int peerfd;
	int lifefd;
	int leavefd;
	int inofd;		/* inotify on the state directory (klife.c) */
	int lost;		/* the state directory went: touch nothing there */
	unsigned long long sock_ino, pid_ino[2];	/* files we made (klife_own()) */
	int nspool[KEEPER_NSPOOL];
	int nspool_n;
	int nspool_want;
};

/* klife.c: the one keeper of a state directory */
NC_INTERNAL int klife_take(struct keeper *k, struct nc_ctx *ctx);
NC_INTERNAL void klife_watch(struct keeper *k);
NC_INTERNAL int klife_lost(const struct keeper *k);
NC_INTERNAL void klife_on_event(struct keeper *k);
NC_INTERNAL void klife_mark(const char *path, unsigned long long *ino);
NC_INTERNAL int klife_own(const struct keeper *k, const char *path, unsigned long long ino);

NC_INTERNAL struct kcell *find(struct keeper *k, const char *name);
NC_INTERNAL int no_cell(struct nc_ctx *ctx, const char *name);
NC_INTERNAL void unbind(const char *name);
NC_INTERNAL int make_netns(struct keeper *k, struct nc_ctx *ctx, const char *name,
			   int reuse, int *fd, int *fresh);
NC_INTERNAL int add_cell(struct keeper *k, const struct cell_conf *c, int netfd,
			 int owner);

/* kcells.c: the table of cells and the requests on it */
NC_INTERNAL int kcell_netns_dir_prepare(struct nc_ctx *ctx);
NC_INTERNAL int kcell_busy(struct keeper *k, struct nc_ctx *ctx, const struct kcell *c);
NC_INTERNAL int kcell_drop(struct keeper *k, struct nc_ctx *ctx, struct kcell *c);
NC_INTERNAL int kcell_name_free(struct keeper *k, struct nc_ctx *ctx, const char *name);
NC_INTERNAL int kcell_create(struct keeper *k, struct nc_ctx *ctx, const char *name,
			unsigned flags, int client);
NC_INTERNAL int kcell_get(struct keeper *k, struct nc_ctx *ctx, int sock,
			const char *name, const char *id);
NC_INTERNAL int kcell_list(struct keeper *k, int sock, const char *from);
NC_INTERNAL void kcell_gc(struct keeper *k, unsigned *removed);
NC_INTERNAL int kcell_link(struct keeper *k, struct nc_ctx *ctx, const char *a,
			const char *b, const char *subnet, char *const *ifs);

NC_INTERNAL void keeper_client_gone(struct keeper *k, int sock);

/* client connections (kconn.c) */
#define KCONN_PAUSE_MS 200
NC_INTERNAL void kconn_limits(struct keeper *k);
NC_INTERNAL void kconn_accept(struct keeper *k);
NC_INTERNAL void kconn_resume(struct keeper *k);
NC_INTERNAL int kconn_live(const struct keeper *k, int sock);
NC_INTERNAL int kconn_send(struct keeper *k, int sock, const char *msg,
			   size_t len, const int *fds, int nfds);
NC_INTERNAL void kconn_flush(struct keeper *k, int sock);
NC_INTERNAL void kconn_close(struct keeper *k, int sock);
NC_INTERNAL void kconn_free(struct keeper *k);
NC_INTERNAL size_t kconn_err_text(char *buf, size_t len, int ret,
				  const struct nc_ctx *ctx);

/* bringing back the saved cells (krebuild.c) */
NC_INTERNAL void ksetup_begin(struct kcell *c, unsigned flags);
NC_INTERNAL int ksetup_reply(int sock, const struct kcell *c);
NC_INTERNAL struct kcell *find_for(struct keeper *k, const char *name,
				   const char *id, int sock);
NC_INTERNAL int ksetup_no_cell(struct keeper *k, struct nc_ctx *ctx,
			       const char *name);
NC_INTERNAL int do_keep(struct keeper *k, struct nc_ctx *ctx, const char *name,
			const char *id, int sock);
NC_INTERNAL int kadopt_bound(const char *name);
NC_INTERNAL int kadopt_request(struct keeper *k, struct nc_ctx *ctx, const char *name,
			       const char *path);
NC_INTERNAL void kfast_clear(struct keeper *k);
NC_INTERNAL void kfast_publish(struct keeper *k, struct kcell *c, const char *record);
NC_INTERNAL void kfast_withdraw(struct keeper *k, struct kcell *c);
NC_INTERNAL void keeper_forget(struct keeper *k, const char *name, int unbind_ns);
NC_INTERNAL void keeper_rebuild(struct keeper *k, struct nc_ctx *ctx,
				unsigned *rebuilt, unsigned *fresh);
NC_INTERNAL int keeper_ready_ok(struct nc_ctx *ctx, const char *run,
				unsigned rebuilt, unsigned fresh, char *msg,
				size_t len);

/* published-port requests (kports.c) */
NC_INTERNAL int do_port_add(struct keeper *k, struct nc_ctx *ctx,
			    const char *name, char *text);
NC_INTERNAL int do_port_rm(struct keeper *k, struct nc_ctx *ctx,
			   const char *name, char *text);
NC_INTERNAL int do_port_list(struct keeper *k, struct nc_ctx *ctx, int sock,
			     const char *name, const char *from);
NC_INTERNAL void ports_restore(struct keeper *k, struct kcell *c);

/* the cells' shared uplink (khub.c) */
struct uplink;
NC_INTERNAL size_t hub_users(const struct keeper *k);
NC_INTERNAL int hub_connect(struct keeper *k, struct nc_ctx *ctx,
			    struct kcell *c, struct uplink *u);
NC_INTERNAL int do_hub(struct keeper *k, struct nc_ctx *ctx, const char *name);
NC_INTERNAL void hub_restore(struct keeper *k, struct nc_ctx *notes,
			      struct kcell *c, struct uplink *u);

#endif /* NC_KEEPER_INT_H */
