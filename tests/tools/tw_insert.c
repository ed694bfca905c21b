/* tw_insert: puts one TIME-WAIT entry into the pinned `timewait` table of a
 * device (user/loader/twtab.h), for tests/net (the deadline is CLOCK_MONOTONIC, which a shell
 * cannot compute, hence a tool rather than bpftool).
 *
 *   tw_insert --dev IF [--bpffs DIR] --raddr A --rport P --laddr B --lport Q
 *             --snd-nxt N --rcv-nxt M [--window W] [--ttl-ms T]
 *             [--ts-recent R --ts-offset O]   (sets XDPTCP_TW_TS)
 *   tw_insert --dev IF ... --raddr A --rport P --laddr B --lport Q --show
 *             prints the entry as "snd_nxt N rcv_nxt M deadline_in_ms D"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "xdptcp/tcb.h"
#include "loader/loader.h"
#include "loader/twtab.h"

static int num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*s || *end || errno || *v > max ? -1 : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
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
		{ "snd-nxt", required_argument, NULL, 's' },
		{ "rcv-nxt", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "ttl-ms", required_argument, NULL, 't' },
		{ "ts-recent", required_argument, NULL, 'T' },
		{ "ts-offset", required_argument, NULL, 'O' },
		{ "show", no_argument, NULL, 'S' },
		{ 0 },
	};
	struct xdptcp_target target = { 0 };
	struct xdptcp_flow_key key = { .family = AF_INET };
	struct xdptcp_tw tw = { .window = 65535 };
	unsigned long long v, ttl_ms = 60000;
	unsigned int have = 0; /* bits: raddr laddr rport lport snd rcv */
	struct xdptcp_pinned p;
	char err[XDPTCP_ERR_LEN];
	struct xdptcp_twtab tab;
	bool show = false;
	int c, rc = 0;

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
		case 's':
		case 'a':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			*(c == 's' ? &tw.snd_nxt : &tw.rcv_nxt) = (uint32_t)v;
			have |= c == 's' ? 16 : 32;
			break;
		case 'w':
			if (num(optarg, 65535, &v))
				goto usage;
			tw.window = (uint16_t)v;
			break;
		case 't':
			if (num(optarg, 86400000, &ttl_ms))
				goto usage;
			break;
		case 'T':
		case 'O':
			if (num(optarg, UINT32_MAX, &v))
				goto usage;
			*(c == 'T' ? &tw.ts_recent : &tw.ts_offset) = (uint32_t)v;
			tw.flags |= XDPTCP_TW_TS;
			break;
		case 'S':
			show = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !target.ifname || (have & 15) != 15 || (!show && have != 63))
		goto usage;

	if (xdptcp_pinned_open(&target, &p, err, sizeof(err))) {
		fprintf(stderr, "tw_insert: %s\n", err);
		return 1;
	}
	if (xdptcp_twtab_open(&tab, &p, !show, err, sizeof(err))) {
		fprintf(stderr, "tw_insert: %s\n", err);
		xdptcp_pinned_close(&p);
		return 1;
	}
	if (show) {
		uint64_t now = now_ns();
		struct xdptcp_tw_slot *s = xdptcp_twtab_find(&tab, &key);

		if (!s) {
			fprintf(stderr, "tw_insert: no such entry\n");
			rc = 1;
		} else {
			xdptcp_twtab_entry(&tab, s, now, &key, &tw);
			printf("snd_nxt %u rcv_nxt %u deadline_in_ms %lld\n", tw.snd_nxt,
			       tw.rcv_nxt, ((long long)tw.deadline_ns - (long long)now) / 1000000);
		}
	} else {
		uint64_t now = now_ns();

		tw.deadline_ns = now + ttl_ms * 1000000ull;
		rc = xdptcp_owned_set(p.map_fd[XDPTCP_MAP_OWNED], ntohs(key.lport));
		if (!rc)
			rc = xdptcp_twtab_insert(&tab, &key, &tw, now);
		if (rc) {
			fprintf(stderr, "tw_insert: insert into %s/timewait: %s\n", p.dir,
				strerror(-rc));
			rc = 1;
		}
	}
	xdptcp_twtab_close(&tab);
	xdptcp_pinned_close(&p);
	return rc;
usage:
	fprintf(stderr, "usage: tw_insert --dev IF [--bpffs DIR] --raddr A --rport P --laddr B "
			"--lport Q\n"
			"       (--snd-nxt N --rcv-nxt M [--window W] [--ttl-ms T] "
			"[--ts-recent R --ts-offset O] | --show)\n");
	return 2;
}
