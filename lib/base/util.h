/* SPDX-License-Identifier: MIT */
/* util.h - cleanup attributes and small helpers shared by libnetcell modules */
#ifndef NC_UTIL_H
#define NC_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>
#include <stdio.h>

#define NC_INTERNAL __attribute__((visibility("hidden")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * freep() - free *(void **)p, for __attribute__((cleanup))
 * @p:	address of a heap pointer
 */
static inline void freep(void *p)
{
	free(*(void **)p);
}

/**
 * closep() - close *(int *)p if it is a descriptor, keeping errno
 * @fd:	address of a descriptor, -1 when none
 */
static inline void closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

/**
 * fclosep() - fclose *(FILE **)p if set
 * @f:	address of a stream pointer
 */
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/**
 * closedirp() - closedir *(DIR **)p if set
 * @d:	address of a directory stream pointer
 */
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

/**
 * steal_ptr() - hand ownership of a pointer on, leaving NULL behind
 * @pp:	address of the pointer
 *
 * Return: the pointer
 */
static inline void *steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;

	*p = NULL;
	return v;
}

/**
 * steal_fd() - hand ownership of a descriptor on, leaving -1 behind
 * @fd:	address of the descriptor
 *
 * Return: the descriptor
 */
static inline int steal_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}

#endif /* NC_UTIL_H */
