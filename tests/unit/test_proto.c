// SPDX-License-Identifier: MIT
/* test_proto.c - keeper messages: splitting and descriptor passing */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include "base/proto.h"
#include "unit.h"

/**
 * main() - run the protocol tests
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	char line[] = "ERR\t-2\t3\tno cell \"x\"\twith tab", buf[128], *f[4];
	int sp[2], fd, fds[4], nfds = 4;

	CHECK(proto_split(line, f, 4) == 4, "four fields");
	CHECK(!strcmp(f[0], "ERR") && !strcmp(f[3], "no cell \"x\"\twith tab"),
	      "last field keeps the rest");
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "socketpair");
	fd = open("/dev/null", O_RDONLY);
	CHECK(proto_send(sp[0], "OK\tx", 4, &fd, 1) == 0, "send with fd");
	CHECK(proto_recv(sp[1], buf, sizeof(buf), fds, &nfds) == 4, "recv");
	CHECK(nfds == 1 && fcntl(fds[0], F_GETFD) == FD_CLOEXEC, "fd arrives, cloexec");
	CHECK(!strcmp(buf, "OK\tx"), "text arrives");
	close(fds[0]);
	close(fd);
	close(sp[0]);
	CHECK(proto_recv(sp[1], buf, sizeof(buf), NULL, NULL) == 0, "EOF");
	close(sp[1]);
	return unit_done();
}
