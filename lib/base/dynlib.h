/* SPDX-License-Identifier: MIT */
/* dynlib.h - a shared library loaded when first needed */
#ifndef NC_DYNLIB_H
#define NC_DYNLIB_H

#include <stddef.h>
#include "base/util.h"

/**
 * struct dynlib - a library and the symbols taken from it
 * @soname:	e.g. "libnftables.so.1"
 * @package:	the Debian package that installs it, for the error
 * @names:	symbol names, NULL-terminated
 * @syms:	where each symbol's address goes, in the order of @names
 * @state:	0 not tried, 1 loaded, -errno failed
 * @error:	why it failed
 */
struct dynlib {
	const char *soname;
	const char *package;
	const char *const *names;
	void **syms;
	int state;
	char error[256];
};

NC_INTERNAL int dynlib_load(struct dynlib *d);

#endif /* NC_DYNLIB_H */
