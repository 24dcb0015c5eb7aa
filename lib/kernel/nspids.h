/* SPDX-License-Identifier: MIT */
/* nspids.h - which processes are in a network namespace */
#ifndef NC_NSPIDS_H
#define NC_NSPIDS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "base/util.h"

NC_INTERNAL int ns_pids(const struct stat *ns, pid_t helpers_of, pid_t **pids, size_t *n);
NC_INTERNAL const char *ns_pid_comm(pid_t pid, char *buf, size_t len);

#endif /* NC_NSPIDS_H */
