/*
 * Test helper: accept TCP connections on a port and answer each with
 * "ok\n", so an integration test can tell "connect succeeded" from
 * "connect dropped by the firewall".  Usage: tcp_accept PORT
 */
#include "config.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in6 sa;
	int fd, c, one = 1, zero = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tcp_accept PORT\n");
		return 2;
	}
	/* never outlive the test that started it */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)atoi(argv[1]));
	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 16) != 0) {
		perror("tcp_accept");
		return 1;
	}
	for (;;) {
		if ((c = accept(fd, NULL, NULL)) < 0)
			continue;
		if (write(c, "ok\n", 3) != 3)
			perror("tcp_accept: write");
		close(c);
	}
}
