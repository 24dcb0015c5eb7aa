// SPDX-License-Identifier: MIT
/*
 * fwformat.c - what a user's ruleset file is: read, syntax, family
 *
 * Theory of operation: a ruleset file is read whole and refused at once
 * when it cannot be one (missing, empty, binary, a FIFO, larger than
 * FW_MAX_FILE).  Its syntax is nft, iptables-save, or the mixed form fw
 * stage writes (nft, then "# netcell: iptables-restore" sections).  An
 * iptables-save file's family is never guessed: it comes from the save
 * header, an iptables-persistent name (rules.v6, *.ipv6), or the addresses
 * and ICMP types in it; otherwise the file is refused with a message that
 * says how to choose.  fuzz/fuzz_ruleset.c feeds these functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fw/fwformat.h"

/**
 * fw_read_ruleset() - read a user's ruleset file, refusing what cannot be one
 * @ctx:	context
 * @file:	path
 * @text:	contents (heap, NUL-terminated)
 * @len:	length
 *
 * Return: 0 or -errno with a message (missing file: usage; empty, binary or
 * too large: ruleset rejected)
 */
int fw_read_ruleset(struct nc_ctx *ctx, const char *file, char **text,
			size_t *len)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before its
	 * type is seen (and refused); it changes nothing for a regular file */
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return ctx_err(ctx, -errno, errno == ENOENT ? NC_ERR_USAGE : ctx_kind_of_errno(-errno),
			       "cannot read ruleset \"%s\": %s; give the path of a ruleset file",
			       file, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "ruleset \"%s\" is not a regular file (a FIFO, device or directory); give a file, or save what you pipe to one first",
			       file);
	if (st.st_size > FW_MAX_FILE)
		return ctx_err(ctx, -EFBIG, NC_ERR_RULESET,
			       "ruleset \"%s\" is %lld bytes, over the limit of %d MiB; split it or use sets",
			       file, (long long)st.st_size, FW_MAX_FILE >> 20);
	if (st.st_size == 0)
		return ctx_err(ctx, -EINVAL, NC_ERR_RULESET,
			       "ruleset \"%s\" is empty; to remove every rule apply a file that says 'flush ruleset'",
			       file);
	*text = malloc((size_t)st.st_size + 1);
	if (!*text)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	n = read(fd, *text, (size_t)st.st_size);
	if (n != st.st_size || memchr(*text, '\0', (size_t)n)) {
		free(steal_ptr(text));
		return ctx_err(ctx, -EINVAL, NC_ERR_RULESET,
			       "ruleset \"%s\" is not a text file (it contains NUL bytes)", file);
	}
	(*text)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/**
 * fw_find_mark() - a marker line of a combined file
 * @text:	file contents
 * @mark:	FW_IP4_MARK or FW_IP6_MARK
 *
 * Return: where the marker line starts, or NULL
 */
char *fw_find_mark(char *text, const char *mark)
{
	char *p = text;

	while ((p = strstr(p, mark))) {
		if (p == text || p[-1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/**
 * fw_detect_format() - nft or iptables-save syntax, from the content
 * @text:	ruleset text
 *
 * iptables-save files have "*table" lines (a star and a table name
 * alone: nft's catch-all set element "* : accept" is no such line),
 * ":CHAIN POLICY [p:b]" lines, "-A" rules and "COMMIT"; nft files have none
 * of these at a line start.  A file with netcell's section markers is
 * mixed.
 *
 * Return: NC_FW_IPTABLES, NC_FW_MIXED or NC_FW_NFT
 */
enum nc_fw_format fw_detect_format(const char *text)
{
	const char *l = text;
	size_t n;

	if (fw_find_mark((char *)text, FW_IP4_MARK))
		return NC_FW_MIXED;
	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		while (*l == ' ' || *l == '\t')
			l++;
		n = strcspn(l, "\n");
		if (*l == '*' && n > 1 && strspn(l + 1, "abcdefghijklmnopqrstuvwxyz") == n - 1)
			return NC_FW_IPTABLES;
		if (*l == ':' && n > 1 && l[1] != ' ' && memchr(l, '[', n))
			return NC_FW_IPTABLES;
		if (!strncmp(l, "-A ", 3) || !strncmp(l, "-I ", 3) || !strncmp(l, "-N ", 3) ||
		    (!strncmp(l, "COMMIT", 6) && strspn(l + 6, " \t\r") == n - 6))
			return NC_FW_IPTABLES;
	}
	return NC_FW_NFT;
}

/**
 * has_word() - does @text hold @w as a whole word
 * @text:	text
 * @w:		word
 *
 * Return: 1 if so
 */
static int has_word(const char *text, const char *w)
{
	const char *p = text;
	size_t l = strlen(w);

	for (; (p = strstr(p, w)); p += l)
		if ((p == text || strchr(" \t\n", p[-1])) && strchr(" \t\n", p[l] ? p[l] : ' '))
			return 1;
	return 0;
}

/**
 * token_family() - is one word of a rule an IPv4 or IPv6 address
 * @w:		the word (not NUL-terminated)
 * @n:		its length
 *
 * Return: 4, 6 or 0
 */
static int token_family(const char *w, size_t n)
{
	char t[64];
	unsigned a, b, c, d, colons = 0;
	size_t i;
	int ch;

	if (n >= sizeof(t))
		return 0;
	memcpy(t, w + (*w == '[' || *w == '!'), n - (*w == '[' || *w == '!'));
	t[n - (*w == '[' || *w == '!')] = '\0';
	t[strcspn(t, "/]")] = '\0';	/* prefix length, [addr]:port */
	if (sscanf(t, "%u.%u.%u.%u%n", &a, &b, &c, &d, &ch) == 4 && (size_t)ch == strlen(t))
		return 4;
	for (i = 0; t[i]; i++) {
		if (t[i] == ':')
			colons++;
		else if (!strchr("0123456789abcdefABCDEF.", t[i]))
			return 0;
	}
	return colons >= 2 && (strstr(t, "::") || colons == 7) ? 6 : 0;
}

/**
 * addr_family() - which address family the rules' addresses belong to
 * @text:	iptables-save text
 *
 * Return: 4, 6, 0 (no address nor ICMP type), -1 (both: a mistake)
 */
static int addr_family(const char *text)
{
	const char *p = text, *prev = "";
	int seen[7] = { 0 }, f;
	size_t n;

	while (*p) {
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (!n)
			break;
		/* a MAC address is no IPv6 one */
		f = strncmp(prev, "--mac-source", 12) ? token_family(p, n) : 0;
		seen[f]++;
		prev = p;
		p += n;
	}
	if (has_word(text, "icmpv6") || has_word(text, "ipv6-icmp") || has_word(text, "icmp6") ||
	    strstr(text, "--icmpv6-type"))
		seen[6]++;
	if (has_word(text, "icmp") || strstr(text, "--icmp-type"))
		seen[4]++;
	return seen[4] && seen[6] ? -1 : seen[6] ? 6 : seen[4] ? 4 : 0;
}

/**
 * fw_ipt_family() - whether an iptables-save file is for iptables (IPv4)
 * or ip6tables (IPv6), never guessed
 * @text:	ruleset text
 * @name:	its file name
 *
 * In this order: the header iptables-save or ip6tables-save writes; a file
 * name in the iptables-persistent style (rules.v4, *.ipv6, ip6tables.rules);
 * the addresses and ICMP types in the rules.  A file with none of these,
 * or with both families' addresses, gets 0: the caller refuses it and says
 * how to choose.
 *
 * Return: 4, 6, or 0 when it cannot be told
 */
int fw_ipt_family(const char *text, const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	int f;

	if (strstr(text, "ip6tables-save") || strstr(text, "ip6tables-restore"))
		return 6;
	if (strstr(text, "iptables-save") || strstr(text, "iptables-restore"))
		return 4;
	if (strstr(base, "v6") || strstr(base, "ip6") || strstr(base, "ipv6"))
		return 6;
	if (strstr(base, "v4") || strstr(base, "ipv4") || strstr(base, "iptables"))
		return 4;
	f = addr_family(text);
	return f > 0 ? f : 0;
}
