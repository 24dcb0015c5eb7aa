/* SPDX-License-Identifier: MIT */
/* probe.h - doctor's probe: try a user namespace, a network namespace and
 * nf_tables for real, in a throwaway child */
#ifndef NC_PROBE_H
#define NC_PROBE_H

#include <sys/types.h>
#include "base/ctx.h"

#define PROBE_NOBODY 65534	/* the ordinary uid root's second probe uses */

/**
 * enum probe_stage - how far the probe child got
 * @PROBE_SETUP:	dropping to an ordinary uid (root's second probe)
 * @PROBE_USERNS:	making a user namespace and becoming its root
 * @PROBE_NETNS:	making a network namespace
 * @PROBE_NFT:		asking nf_tables for its generation
 * @PROBE_DONE:		everything worked
 */
enum probe_stage {
	PROBE_SETUP,
	PROBE_USERNS,
	PROBE_NETNS,
	PROBE_NFT,
	PROBE_DONE,
};

/**
 * struct probe - outcome of one probe child
 * @uid:	uid the probe ran as
 * @stage:	the stage that failed, PROBE_DONE when none did
 * @err:	negative errno of the failed stage
 * @msg:	its message
 */
struct probe {
	uid_t uid;
	int stage;
	int err;
	char msg[NC_MSG_MAX];
};

NC_INTERNAL void probe_run(struct probe *pr, int nobody);
NC_INTERNAL const char *probe_who(const struct probe *pr, char *buf,
				  size_t len);

#endif /* NC_PROBE_H */
