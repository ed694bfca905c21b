/* A served port is also held by a listening kernel socket, so no other
 * program can bind it while xdptcp serves it (DESIGN.md). XDP keeps every
 * frame of the port from the kernel, so this socket never sees a SYN.
 * SO_REUSEADDR lets it bind over the kernel's own TIME-WAIT sockets of the
 * port (left by an earlier `--stack kernel` run); being a listener, it
 * still refuses every later bind, SO_REUSEADDR or not. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rt/xdp_rt.h"

int rt_kport_hold(uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot create a socket to hold port %u: %s", port,
			 strerror(-rc));
		return rc;
	}
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		int rc = -errno;

		snprintf(err, errlen, "port %u is busy: %s (another program holds it)", port,
			 strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}
