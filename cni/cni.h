/* SPDX-License-Identifier: MIT */
/* cni.h - the netcell CNI plugin: configuration, IPAM, state, results */
#ifndef NC_CNI_H
#define NC_CNI_H

#include <limits.h>
#include <stdlib.h>
#include <net/if.h>
#include <json-c/json.h>
#include "netcell.h"

/**
 * cni_freep() - free the pointer a variable holds, for the cleanup attribute
 * @p:		address of the variable
 */
static inline void cni_freep(void *p)
{
	free(*(void **)p);
}
#define cni_autofree __attribute__((cleanup(cni_freep)))

/* CNI error codes (CNI spec 1.1.0, "Error"; 50 and 51 are STATUS's) */
enum cni_code {
	CNI_E_VERSION = 1,	/* incompatible CNI version */
	CNI_E_FIELD = 2,	/* unsupported field in the network configuration */
	CNI_E_CONTAINER = 3,	/* container unknown or does not exist */
	CNI_E_ENV = 4,		/* invalid necessary environment variables */
	CNI_E_IO = 5,		/* I/O failure */
	CNI_E_DECODE = 6,	/* failed to decode content */
	CNI_E_CONFIG = 7,	/* invalid network config */
	CNI_E_LATER = 11,	/* try again later */
	CNI_E_UNAVAILABLE = 50,	/* STATUS: the plugin cannot serve ADD */
	CNI_E_LIMITED = 51,	/* STATUS: and existing containers may have limited connectivity */
	CNI_E_NETCELL = 100,	/* netcell: setting up the network failed */
	CNI_E_PORT = 101,	/* netcell: a host port is taken */
	CNI_E_FIREWALL = 102,	/* netcell: the firewall ruleset was rejected */
	CNI_E_IPAM = 103,	/* netcell: the IPAM plugin failed */
	CNI_E_DRIFT = 104,	/* netcell: CHECK found the attachment changed */
};

/**
 * struct cni_err - the error a command ends with
 * @code:	enum cni_code
 * @msg:	one line: what failed and what to do
 * @details:	more, e.g. the kernel's or a delegated plugin's words
 */
struct cni_err {
	int code;
	char msg[1024];
	char details[1024];
};

/**
 * struct cni_valid - one attachment GC keeps (cni.dev/valid-attachments)
 * @id:		containerID
 * @ifname:	ifname
 */
struct cni_valid {
	char id[257];
	char ifname[IFNAMSIZ];
};

/**
 * struct cni_conf - the network configuration on stdin, and the runtime's
 * @version:	cniVersion
 * @name:	network name
 * @bridge:	bridge ("bridge", default nc-cni0)
 * @is_gw:	the bridge carries the gateway addresses ("isGateway", default true)
 * @default_gw:	default route via the gateway ("isDefaultGateway", default true)
 * @masq:	masquerade what leaves ("ipMasq", default true)
 * @mtu:	"mtu", 0 for the kernel's default
 * @ipam:	"ipam.type", "" when none
 * @firewall:	the firewall file in force for this container, "" for none
 * @ports:	runtimeConfig.portMappings
 * @nports:	how many
 * @ips:	runtimeConfig.ips, handed to IPAM (host-local honours them)
 * @mac:	runtimeConfig.mac, "" for the plugin's own
 * @prev:	prevResult, or NULL (owned by @root)
 * @root:	the parsed document
 * @valid:	GC: the attachments to keep (heap), NULL when none
 * @nvalid:	how many
 */
struct cni_conf {
	char version[16];
	char name[128];
	char bridge[IFNAMSIZ];
	int is_gw;
	int default_gw;
	int masq;
	unsigned mtu;
	char ipam[64];
	char firewall[PATH_MAX];
	struct nc_cni_port ports[NC_CNI_PORTS_MAX];
	int nports;
	char mac[18];
	struct json_object *prev;
	struct json_object *root;
	struct cni_valid *valid;
	size_t nvalid;
};

/**
 * struct cni_env - the CNI_* variables
 * @command:	CNI_COMMAND
 * @id:		CNI_CONTAINERID
 * @netns:	CNI_NETNS ("" when absent, as DEL allows)
 * @ifname:	CNI_IFNAME
 * @args:	CNI_ARGS ("" when absent)
 * @path:	CNI_PATH ("" when absent)
 */
struct cni_env {
	const char *command;
	const char *id;
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
};

int cni_error(struct cni_err *e, int code, const char *details, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cni_conf_parse(const char *text, const struct cni_env *env, struct cni_conf *c,
		   struct cni_err *e);
void cni_conf_free(struct cni_conf *c);
int cni_version_ok(const char *v);
int cni_arg(const char *args, const char *key, char *out, size_t len);
int cni_args_ok(const char *args, struct cni_err *e);
int cni_attaching(const char *cmd);
int cni_lib_error(struct cni_err *e, int code, struct nc_ctx *ctx, const char *what);

/* ipam.c */
int cni_ipam(const struct cni_conf *c, const struct cni_env *env, const char *stdin_text,
	     struct json_object **result, struct cni_err *e);
int cni_ipam_run(const struct cni_conf *c, const struct cni_env *env, const char *cmd,
		 const char *stdin_text, struct json_object **result, struct cni_err *e);
int cni_ipam_speaks(const struct cni_conf *c, const struct cni_env *env, const char *v,
		    struct cni_err *e);
const char *cni_ipam_version(const struct cni_conf *c, const struct cni_env *env,
			     struct cni_err *e);
int cni_ipam_parse(struct json_object *res, struct nc_cni_attach *a, struct cni_err *e);

/**
 * struct cni_share - what an attachment shares with the container's
 * attachments to other networks (podman --network a,b)
 * @ports:	ports it waits for: another attachment publishes them (podman
 *		gives each network the same mappings; a host port can lead to
 *		one address only)
 * @n:		how many
 * @fw:		the firewall file of its cell, "" for none (one cell, one
 *		ruleset per container namespace, whichever network made it)
 */
struct cni_share {
	struct nc_cni_port ports[NC_CNI_PORTS_MAX];
	int n;
	char fw[PATH_MAX];
};

/* state.c */
int cni_state_dir_ok(struct cni_err *e);
int cni_state_lock(struct cni_err *e);
int cni_state_save(const struct cni_conf *c, const struct cni_env *env,
		   const struct nc_cni_attach *a, const char *cell, const struct cni_share *w,
		   struct cni_err *e);
int cni_state_save_net(const char *net, const struct cni_env *env, const char *netns,
		       const struct nc_cni_attach *a, const char *cell, const struct cni_share *w,
		       struct cni_err *e);
void cni_state_net_dir(const char *net, char *buf, size_t len);
int cni_state_usable(char *why, size_t len);
int cni_state_load(const char *net, const struct cni_env *env, struct nc_cni_attach *a,
		   char *netns, size_t nslen, char *cell, size_t celllen, struct cni_share *w);
int cni_state_load_file(const char *path, struct nc_cni_attach *a, char *netns, size_t nslen,
			char *cell, size_t celllen, struct cni_share *w, char *id);
int cni_state_sibling(const struct cni_env *env, const char *net, const struct nc_cni_port *p,
		      int waiting, char *path, size_t len, struct nc_cni_port *match);
int cni_state_move_port(const char *path, const struct nc_cni_port *p, int take,
			struct cni_err *e);
int cni_state_sibling_cell(const struct cni_env *env, const char *net, char *cell, size_t len,
			   char *fw, size_t fwlen);
int cni_state_conflict(const struct cni_env *env, const char *net, const struct nc_cni_attach *a,
		       char *what, size_t len);
void cni_state_remove(const char *net, const struct cni_env *env);
int cni_state_users(const char *bridge);
int cni_state_bridge_mark(const char *bridge, struct cni_err *e);
int cni_state_bridge_made(const char *bridge, int forget);

/* result.c */
struct json_object *cni_result(const struct cni_conf *c, const struct cni_env *env,
			       const struct nc_cni_attach *a, const unsigned char hostmac[6],
			       struct json_object *ipam);

/* firewall.c */
void cni_fw_cell_name(const char *id, char *cell, size_t len);
int cni_fw_apply(const struct cni_env *env, const char *file, char *cell, size_t len,
		 struct cni_err *e);
void cni_fw_forget(const char *cell);
int cni_fw_check(const char *cell, struct cni_err *e);

/* the verbs: add.c, del.c, check.c, status.c, gc.c */
int cni_cmd_add(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e);
int cni_cmd_del(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e);
int cni_cmd_check(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e);
int cni_cmd_status(const struct cni_conf *c, struct cni_env *env, const char *in,
		   struct cni_err *e);
int cni_cmd_gc(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e);

/* del.c: what DEL and GC share */
int cni_ipam_release(const struct cni_conf *c, struct cni_env *env, const char *in,
		     struct cni_err *e);
int cni_detach(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns, int nat);
void cni_hand_over(const struct cni_env *env, const char *net, const struct nc_cni_attach *gone);
int cni_forget(const char *net, const struct cni_env *env, const struct nc_cni_attach *a,
	       const char *netns, const char *cell, const struct cni_share *w, struct cni_err *e);

#endif /* NC_CNI_H */
