/* pin_holder: opens the pins of a device (maps and link) and holds the
 * fds until stdin closes, like a running control plane; tests/net uses it
 * to show that `xdptcp detach` stops XDP even then.
 *
 *   pin_holder --dev IF [--bpffs DIR]    prints "holding" once open
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>
#include "loader/loader.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ 0 },
	};
	struct xdptcp_target target = { 0 };
	struct xdptcp_pinned p;
	char err[XDPTCP_ERR_LEN], buf[64];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			target.ifname = optarg;
		else if (c == 'b')
			target.bpffs = optarg;
		else
			goto usage;
	}
	if (optind != argc || !target.ifname)
		goto usage;
	if (xdptcp_pinned_open(&target, &p, err, sizeof(err))) {
		fprintf(stderr, "pin_holder: %s\n", err);
		return 1;
	}
	if (p.link_fd < 0) {
		fprintf(stderr, "pin_holder: no link pinned in %s\n", p.dir);
		xdptcp_pinned_close(&p);
		return 1;
	}
	printf("holding\n");
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	xdptcp_pinned_close(&p);
	return 0;
usage:
	fprintf(stderr, "usage: pin_holder --dev IF [--bpffs DIR]\n");
	return 2;
}
