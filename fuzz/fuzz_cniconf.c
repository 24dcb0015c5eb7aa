// SPDX-License-Identifier: MIT
/* fuzz_cniconf.c - the CNI plugin's network configuration (cni/conf.c): no
 * crash; a configuration is either refused with a CNI error code and a
 * message, or accepted with fields the plugin can use.  The first line of
 * the input is CNI_ARGS, the rest the JSON on stdin, parsed for each
 * command (GC reads cni.dev/valid-attachments, the list of what it keeps:
 * accepted only whole, each entry an id and an interface name that fit). */
#include <assert.h>
#include <string.h>
#include "fuzz.h"
#include "cni.h"

/**
 * accepted() - what an accepted configuration must hold
 * @c:		configuration
 */
static void accepted(const struct cni_conf *c)
{
	int i;

	assert(cni_version_ok(c->version));
	assert(c->name[0] && c->bridge[0] && strlen(c->bridge) < IFNAMSIZ);
	assert(c->nports >= 0 && c->nports <= NC_CNI_PORTS_MAX);
	for (i = 0; i < c->nports; i++) {
		assert(c->ports[i].host_port >= 1 && c->ports[i].host_port <= 65535);
		assert(c->ports[i].container_port >= 1 && c->ports[i].container_port <= 65535);
		assert(!strcmp(c->ports[i].proto, "tcp") || !strcmp(c->ports[i].proto, "udp"));
	}
	assert(!c->firewall[0] || c->firewall[0] == '/');
	assert(!c->mtu || (c->mtu >= 68 && c->mtu <= 65535));
	assert(!c->nvalid || c->valid);
	for (i = 0; i < (int)c->nvalid; i++) {
		assert(c->valid[i].id[0] && strlen(c->valid[i].id) < sizeof(c->valid[i].id));
		assert(c->valid[i].ifname[0] && strlen(c->valid[i].ifname) < IFNAMSIZ);
	}
}

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = { "ADD", "CHECK", "DEL", "STATUS", "GC" };
	char *s = fuzz_str(data, size), *nl;
	struct cni_env env = { "ADD", "id", "/run/netns/x", "eth0", "", "/usr/lib/cni" };
	struct cni_conf c;
	size_t k;

	if (!s)
		return 0;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		env.args = s;
	}
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		struct cni_err e = { 0 };

		env.command = cmds[k];
		if (cni_conf_parse(nl ? nl + 1 : s, &env, &c, &e)) {
			assert(e.msg[0]);
			assert(e.code == CNI_E_VERSION || e.code == CNI_E_DECODE || e.code == CNI_E_CONFIG ||
			       e.code == CNI_E_ENV || e.code == CNI_E_IO);
		} else {
			char name[NAME_MAX + 1];

			accepted(&c);
			/* only GC reads the list; without one it refuses */
			assert(!strcmp(env.command, "GC") || !c.nvalid);
			/* the verbs of 1.1.0 only with 1.1.0 */
			assert(k < 3 || !strcmp(c.version, "1.1.0"));
			/* a container's own firewall name never leaves firewallDir */
			if (cni_arg(env.args, "NETCELL_FIREWALL", name, sizeof(name)))
				assert(!strchr(name, '/') && name[0] != '.');
		}
		cni_conf_free(&c);
	}
	free(s);
	return 0;
}
