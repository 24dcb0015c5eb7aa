// SPDX-License-Identifier: MIT
/* test_safefile.c - safe writes: temporary names, planted entries, gc's patterns */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include "base/safefile.h"
#include "unit.h"

/**
 * test_leftover() - gc's patterns: netcell's temporary files and nothing a
 * cell name can produce
 */
static void test_leftover(void)
{
	static const char *ours[] = { ".x.conf.nctmp-123-AbC9zZ", "x.conf.tmp.77",
		".links.conf.nctmp-1-aaaaaa", "links.conf.tmp.4194304", "1.nft.tmp.9" };
	/* files derived from cell names (cells/NAME.conf, net/NAME.EXT) where
	 * NAME itself looks like a temporary file */
	static const char *theirs[] = { "x.conf.tmp.1.conf", ".nctmp.123.resolv",
		".a.nctmp-1-abcdef.conf", ".a.nctmp-1-abcdef.resolv", "x.tmp.5.pid",
		".a.nctmp-12-abcde", ".a.nctmp-12-abcdefg", ".a.nctmp--abcdef",
		"a.nctmp-1-abcdef", ".a.nctmp-x1-abcdef", "x.tmp.", "x.tmp.12345678901",
		"tmp.5", ".tmp.5", "links.conf", "current", "x.conf.tmp.0" };
	size_t i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(ours); i++)
		CHECK(safefile_leftover(ours[i], &pid) == 1 && pid > 0, ours[i]);
	for (i = 0; i < ARRAY_SIZE(theirs); i++)
		CHECK(safefile_leftover(theirs[i], &pid) == 0, theirs[i]);
	CHECK(safefile_leftover(".x.nctmp-123-AbC9zZ", &pid) && pid == 123, "PID read");
}

/**
 * test_write() - the file is replaced whole, a planted link at the old
 * predictable name is not followed, no temporary file is left
 */
static void test_write(void)
{
	char dir[] = "/tmp/nc-unit-XXXXXX", path[128], old[160], victim[128], buf[64];
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd, n = 0;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(old, sizeof(old), "%s.netcell-tmp", path);
	fd = open(victim, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "keep", 4) == 4, "victim");
	close(fd);
	CHECK(!symlink(victim, old), "plant");
	CHECK(safefile_write(path, "new\n", 4, 0640) == 0, "write");
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0640 && st.st_size == 4, "mode and size");
	fd = open(victim, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "keep", 4), "victim untouched");
	close(fd);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	CHECK(n == 3, "only out, victim and the planted link: no temporary file");
	CHECK(safefile_write("/nonexistent-dir/x", "x", 1, 0600) == -ENOENT, "missing directory");
	unlink(old);
	unlink(victim);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_leftover();
	test_write();
	return unit_done();
}
