// SPDX-License-Identifier: MIT
/*
 * dynlib.c - a shared library loaded when first needed
 *
 * Theory of operation: most commands never touch a ruleset or a lab file,
 * yet linking libnftables (with libnftnl, libxtables, libjansson and
 * libgmp behind it) and libyaml made every start of the CLI map and
 * relocate them: about half a millisecond of each `netcell exec`, a third
 * of what `nsenter` costs in all.  Those libraries are opened with
 * dlopen() the first time a ruleset or a lab file is handled, their
 * functions taken by name into a table of pointers with the libraries'
 * own prototypes (so the compiler still checks every call).  The
 * packages still depend on them; a library missing at run time is an
 * error naming the package to install, never a crash.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "base/dynlib.h"

/**
 * open_lib() - open a library and take its symbols
 * @d:		library; on failure @d->error says why
 *
 * Return: 1, or -ELIBACC
 */
static int open_lib(struct dynlib *d)
{
	void *h;
	size_t i;

	h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(d->error, sizeof(d->error),
			 "%s could not be loaded (%s); install the package %s",
			 d->soname, dlerror(), d->package);
		return -ELIBACC;
	}
	for (i = 0; d->names[i]; i++) {
		d->syms[i] = dlsym(h, d->names[i]);
		if (!d->syms[i]) {
			snprintf(d->error, sizeof(d->error),
				 "%s has no %s; install the package %s of Debian 12 or later",
				 d->soname, d->names[i], d->package);
			dlclose(h);
			return -ELIBACC;
		}
	}
	return 1;
}

/**
 * dynlib_load() - open a library and take its symbols, once
 * @d:		library; on failure @d->error says why
 *
 * Safe to call from any thread; the result of the first call stays.
 *
 * Return: 0, or -ELIBACC when the library or one of its symbols is missing
 */
int dynlib_load(struct dynlib *d)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int ret;

	pthread_mutex_lock(&lock);
	if (!d->state)
		d->state = open_lib(d);
	ret = d->state > 0 ? 0 : d->state;
	pthread_mutex_unlock(&lock);
	return ret;
}
