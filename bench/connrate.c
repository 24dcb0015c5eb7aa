// SPDX-License-Identifier: MIT
/*
 * connrate.c - sequential TCP connection rate: connect, 1-byte reply, close
 *
 *   connrate serve PORT [ADDR]            accept, write one byte, close; forever
 *   connrate client PORT SECONDS [ADDR]   one connection after the other for
 *                                         SECONDS; prints "N conn/s"
 *
 * ADDR defaults to 127.0.0.1.  The client fails (exit 1) on the first
 * connection that does not complete, so a rate is never made of errors.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/**
 * addr_of() - an IPv4 socket address
 * @addr:	dotted quad
 * @port:	port
 * @sa:		result
 *
 * Return: 0, or -1 for a bad address
 */
static int addr_of(const char *addr, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(port));
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

/**
 * serve() - answer every connection with one byte, then close it
 * @sa:		where to listen
 *
 * Return: 1 on failure (it does not return otherwise)
 */
static int serve(const struct sockaddr_in *sa)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (const struct sockaddr *)sa, sizeof(*sa)) || listen(s, 4096)) {
		perror("connrate: listen");
		return 1;
	}
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (write(c, "x", 1) != 1)
			perror("connrate: write");
		close(c);
	}
}

/**
 * now_s() - monotonic time
 *
 * Return: seconds
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * one() - one connection: connect, read the byte, close
 * @sa:		server
 *
 * Return: 0 or -1
 */
static int one(const struct sockaddr_in *sa)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char b;
	int ok;

	ok = s >= 0 && !connect(s, (const struct sockaddr *)sa, sizeof(*sa)) &&
	     read(s, &b, 1) == 1;
	if (s >= 0)
		close(s);
	return ok ? 0 : -1;
}

/**
 * client() - connections one after the other for @secs seconds
 * @sa:		server
 * @secs:	duration
 *
 * Return: 0, or 1 on the first failed connection
 */
static int client(const struct sockaddr_in *sa, double secs)
{
	double start = now_s(), t = start;
	long n = 0;

	while (t - start < secs) {
		if (one(sa)) {
			perror("connrate: connection failed");
			return 1;
		}
		if (!(++n & 63))
			t = now_s();
	}
	t = now_s();
	printf("%.0f conn/s\n", (double)n / (t - start));
	return 0;
}

/**
 * main() - connrate serve|client
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	struct sockaddr_in sa;

	if (argc >= 3 && !strcmp(argv[1], "serve") &&
	    !addr_of(argc > 3 ? argv[3] : "127.0.0.1", argv[2], &sa))
		return serve(&sa);
	if (argc >= 4 && !strcmp(argv[1], "client") &&
	    !addr_of(argc > 4 ? argv[4] : "127.0.0.1", argv[2], &sa))
		return client(&sa, atof(argv[3]));
	fprintf(stderr, "usage: connrate serve PORT [ADDR] | client PORT SECONDS [ADDR]\n");
	return 2;
}
