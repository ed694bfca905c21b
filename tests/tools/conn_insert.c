/* conn_insert: puts one connection into the pinned `flows` and `tcbs` maps
 * of a device, for tests/net/test_conns*.sh (what the control plane does
 * when a connection is set up, without any traffic).
 *
 *   conn_insert --dev IF [--bpffs DIR] --raddr A --rport P --laddr B --lport Q
 *               --slot N --generation G [--tcb-generation G2] --state NAME
 *               [--fast] [--snd-una U] [--snd-nxt N] [--rcv-nxt M]
 *
 * --tcb-generation (default G) writes another generation into the slot, to
 * make a stale flow. NAME is an RFC 9293 state name (ESTABLISHED, ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "xdptcp/tcb.h"
#include "loader/loader.h"

static int num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*s || *end || errno || *v > max ? -1 : 0;
}

static int state_num(const char *s)
{
	for (unsigned int i = 0; i < XDPTCP_NSTATES; i++)
		if (!strcmp(s, xdptcp_state_name(i)))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "raddr", required_argument, NULL, 'R' },
		{ "laddr", required_argument, NULL, 'L' },
		{ "rport", required_argument, NULL, 'r' },
		{ "lport", required_argument, NULL, 'l' },
		{ "slot", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "tcb-generation", required_argument, NULL, 'G' },
		{ "state", required_argument, NULL, 's' },
		{ "fast", no_argument, NULL, 'f' },
		{ "snd-una", required_argument, NULL, 'u' },
		{ "snd-nxt", required_argument, NULL, 'n' },
		{ "rcv-nxt", required_argument, NULL, 'a' },
		{ 0 },
	};
	struct xdptcp_target target = { 0 };
	struct xdptcp_flow_key key = { .family = AF_INET };
	struct xdptcp_flow flow = { 0 };
	struct xdptcp_tcb tcb = { 0 };
	unsigned long long v;
	unsigned int have = 0; /* bits: raddr laddr rport lport slot gen state */
	bool tcb_gen = false;
	struct xdptcp_pinned p;
	char err[XDPTCP_ERR_LEN];
	int c, st, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			target.ifname = optarg;
			break;
		case 'b':
			target.bpffs = optarg;
			break;
		case 'R':
		case 'L':
			if (inet_pton(AF_INET, optarg, c == 'R' ? &key.raddr : &key.laddr) != 1)
				goto usage;
			have |= c == 'R' ? 1 : 2;
			break;
		case 'r':
		case 'l':
			if (num(optarg, 65535, &v))
				goto usage;
			*(c == 'r' ? &key.rport : &key.lport) = htons((uint16_t)v);
			have |= c == 'r' ? 4 : 8;
			break;
		case 'S':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			flow.slot = (uint32_t)v;
			have |= 16;
			break;
		case 'g':
		case 'G':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			if (c == 'g') {
				flow.generation = (uint32_t)v;
				have |= 32;
			} else {
				tcb.generation = (uint32_t)v;
				tcb_gen = true;
			}
			break;
		case 's':
			st = state_num(optarg);
			if (st < 0)
				goto usage;
			tcb.state = (uint8_t)st;
			have |= 64;
			break;
		case 'f':
			tcb.fast = XDPTCP_FAST_ON;
			break;
		case 'u':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			tcb.snd_una = (uint32_t)v;
			break;
		case 'n':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			tcb.snd_nxt = (uint32_t)v;
			break;
		case 'a':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			tcb.rcv_nxt = (uint32_t)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !target.ifname || have != 127)
		goto usage;
	if (!tcb_gen)
		tcb.generation = flow.generation;

	if (xdptcp_pinned_open(&target, &p, err, sizeof(err))) {
		fprintf(stderr, "conn_insert: %s\n", err);
		return 1;
	}
	/* the slot first, as the control plane does: XDP never sees a flow
	 * whose slot is not ready */
	if (xdptcp_owned_set(p.map_fd[XDPTCP_MAP_OWNED], ntohs(key.lport))) {
		fprintf(stderr, "conn_insert: update %s/owned: %s\n", p.dir, strerror(errno));
		rc = 1;
	} else if (bpf_map_update_elem(p.map_fd[XDPTCP_MAP_TCBS], &flow.slot, &tcb, BPF_ANY)) {
		fprintf(stderr, "conn_insert: update %s/tcbs[%u]: %s\n", p.dir, flow.slot,
			strerror(errno));
		rc = 1;
	} else if (bpf_map_update_elem(p.map_fd[XDPTCP_MAP_FLOWS], &key, &flow, BPF_ANY)) {
		fprintf(stderr, "conn_insert: update %s/flows: %s\n", p.dir, strerror(errno));
		rc = 1;
	}
	xdptcp_pinned_close(&p);
	return rc;
usage:
	fprintf(stderr,
		"usage: conn_insert --dev IF [--bpffs DIR] --raddr A --rport P --laddr B "
		"--lport Q\n"
		"       --slot N --generation G [--tcb-generation G2] --state NAME [--fast]\n"
		"       [--snd-una U] [--snd-nxt N] [--rcv-nxt M]\n");
	return 2;
}
