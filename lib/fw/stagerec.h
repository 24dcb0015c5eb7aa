/* SPDX-License-Identifier: MIT */
/* stagerec.h - fw stage's recorder binary (helper/netcell-stage.c's main) */
#ifndef NC_STAGEREC_H
#define NC_STAGEREC_H

#include "base/util.h"

NC_INTERNAL int stage_tool_main(int argc, char **argv);

#endif /* NC_STAGEREC_H */
