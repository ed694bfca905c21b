/* tw_fill: fills (or empties) the pinned `timewait` table of a device with
 * crafted entries, to measure what the table holds, what it costs per
 * entry and whether the fast path slows down when it is full.
 * Keys: raddr 198.18.0.0/15 (RFC 2544 benchmark range: only map keys,
 * no frame is ever sent to them), rport 1024.., laddr/lport as given.
 *
 *   tw_fill --dev IF [--bpffs DIR] --laddr IP --lport P --count N [--ttl-ms T]
 *   tw_fill --dev IF [--bpffs DIR] --laddr IP --lport P --count N --clear
 * Prints "inserted N refused R error E" (E: why the first refusal, or
 * none; every key is tried) or "deleted N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "xdptcp/tcb.h"
#include "loader/loader.h"
#include "loader/twtab.h"

#define PORTS_PER_ADDR 60000u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void key_of(struct xdptcp_flow_key *k, uint32_t laddr, uint16_t lport, unsigned long i)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->raddr = htonl(0xc6120000u + (uint32_t)(i / PORTS_PER_ADDR)); /* 198.18.0.0 + */
	k->rport = htons((uint16_t)(1024 + i % PORTS_PER_ADDR));
	k->laddr = laddr;
	k->lport = htons(lport);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tw_fill --dev IF [--bpffs DIR] --laddr IP --lport P --count N "
		   "[--ttl-ms T] [--clear]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "laddr", required_argument, NULL, 'L' },
		{ "lport", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'n' },
		{ "ttl-ms", required_argument, NULL, 't' },
		{ "clear", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct xdptcp_target target = { 0 };
	struct xdptcp_pinned p;
	struct xdptcp_twtab tab;
	unsigned long count = 0, lport = 0, ttl_ms = 600000, i, done = 0, refused = 0;
	uint32_t laddr = 0;
	int c, rc, clear = 0, err = 0;
	char msg[512];
	uint64_t now, deadline;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			target.ifname = optarg;
			break;
		case 'b':
			target.bpffs = optarg;
			break;
		case 'L':
			if (inet_pton(AF_INET, optarg, &laddr) != 1)
				return usage(stderr), 2;
			break;
		case 'l':
			lport = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 't':
			ttl_ms = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			clear = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!target.ifname || !laddr || !lport || lport > 65535 || !count || count > 100000000ul) {
		usage(stderr);
		return 2;
	}
	if (xdptcp_pinned_open(&target, &p, msg, sizeof(msg))) {
		fprintf(stderr, "tw_fill: %s\n", msg);
		return 1;
	}
	if (xdptcp_twtab_open(&tab, &p, true, msg, sizeof(msg))) {
		fprintf(stderr, "tw_fill: %s\n", msg);
		xdptcp_pinned_close(&p);
		return 1;
	}
	/* XDP examines only frames to ports of `owned` */
	if (!clear && xdptcp_owned_set(p.map_fd[XDPTCP_MAP_OWNED], (uint16_t)lport)) {
		fprintf(stderr, "tw_fill: update %s/owned: %s\n", p.dir, strerror(errno));
		xdptcp_twtab_close(&tab);
		xdptcp_pinned_close(&p);
		return 1;
	}
	now = now_ns();
	deadline = now + (uint64_t)ttl_ms * 1000000ull;
	for (i = 0; i < count; i++) {
		struct xdptcp_flow_key k;
		struct xdptcp_tw tw = { .deadline_ns = deadline,
					.snd_nxt = 1000u + (uint32_t)i,
					.rcv_nxt = 5000u + (uint32_t)i,
					.window = 512 };

		key_of(&k, laddr, (uint16_t)lport, i);
		if (clear) {
			if (!xdptcp_twtab_delete(&tab, &k))
				done++;
			continue;
		}
		rc = xdptcp_twtab_insert(&tab, &k, &tw, now);
		if (rc) {
			/* a full bucket pair refuses this key, not the next */
			if (!err)
				err = -rc;
			refused++;
			continue;
		}
		done++;
	}
	xdptcp_twtab_close(&tab);
	xdptcp_pinned_close(&p);
	if (clear)
		printf("deleted %lu\n", done);
	else
		printf("inserted %lu refused %lu error %s\n", done, refused,
		       err ? strerror(err) : "none");
	return 0;
}
