/* xsk_udp_ping: UDP client for measuring a reflector (xsk_echo --mode
 * reflect) from the client namespace through a kernel socket.
 *   --window 1   round-trip latency: one datagram in flight, percentiles
 *   --window W   throughput: keep W datagrams in flight for --secs seconds
 * Prints key=value lines; a reply must carry the sequence number sent. In
 * latency mode it gives up after MAX_RUN_LOST probes in a row go
 * unanswered (each waits --timeout-ms).
 *
 * Measuring the copy-mode reflector in the lab (root):
 *   scripts/lab.sh up bench && eval "$(scripts/lab.sh env bench)"
 *   clang -O2 -g -target bpf -mcpu=v3 -Iinclude -Ibpf \
 *     -I/usr/include/$(gcc -dumpmachine) -c tests/net/test_xsk_fallback.bpf.c -o /tmp/fb.o
 *   ip netns exec $XDPTCP_SRV_NS build/tests/tools/xsk_echo --ifname srv0 \
 *     --obj /tmp/fb.o --port 9000 --mode reflect --quiet [--busy] &
 *   ip netns exec $XDPTCP_CLI_NS build/tests/tools/xsk_udp_ping \
 *     --dst $XDPTCP_SRV_IP --port 9000 --count 20000            # latency
 *   ... --window 64 --secs 3                                     # frames/s */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define MAX_RUN_LOST 5

struct payload {
	uint64_t seq;
	uint64_t sent_ns;
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"dst", required_argument, NULL, 'd'},	  {"port", required_argument, NULL, 'p'},
	    {"count", required_argument, NULL, 'c'},	  {"size", required_argument, NULL, 's'},
	    {"window", required_argument, NULL, 'w'},	  {"secs", required_argument, NULL, 'S'},
	    {"timeout-ms", required_argument, NULL, 't'}, {NULL, 0, NULL, 0},
	};
	const char *dst = NULL;
	int port = 0, window = 1, timeout_ms = 1000, c;
	long count = 1000;
	double secs = 2;
	size_t size = 64;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			dst = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'c':
			count = atol(optarg);
			break;
		case 's':
			size = (size_t)atol(optarg);
			break;
		case 'w':
			window = atoi(optarg);
			break;
		case 'S':
			secs = atof(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!dst || port <= 0 || port > 65535 || window < 1 || count < 1 ||
	    size < sizeof(struct payload) || size > 1400)
		goto usage;

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || inet_pton(AF_INET, dst, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("xsk_udp_ping");
		return 1;
	}
	uint8_t buf[1500] = {0};
	struct payload *p = (struct payload *)buf;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (window == 1) {
		uint64_t *rtt = calloc((size_t)count, sizeof(*rtt));
		long got = 0, lost = 0;

		if (!rtt)
			return 1;
		/* A dead reflector must not cost count * timeout: give up after
		 * a few probes in a row without an answer. */
		long run_lost = 0, sent = 0;

		for (long i = 0; i < count && run_lost < MAX_RUN_LOST; i++) {
			run_lost++;
			p->seq = (uint64_t)i;
			p->sent_ns = now_ns();
			if (send(fd, buf, size, 0) < 0) {
				perror("send");
				return 1;
			}
			sent++;
			for (;;) {
				if (poll(&pfd, 1, timeout_ms) <= 0) {
					lost++;
					break;
				}
				struct payload r;

				if (recv(fd, &r, sizeof(r), 0) < (ssize_t)sizeof(r) ||
				    r.seq != (uint64_t)i)
					continue; /* a late reply to an earlier probe */
				rtt[got++] = now_ns() - r.sent_ns;
				run_lost = 0;
				break;
			}
		}
		if (got) {
			qsort(rtt, (size_t)got, sizeof(*rtt), cmp_u64);
			printf("latency sent=%ld got=%ld lost=%ld size=%zu min_us=%.1f p50_us=%.1f "
			       "p90_us=%.1f p99_us=%.1f max_us=%.1f\n",
			       sent, got, lost, size, rtt[0] / 1e3, rtt[got / 2] / 1e3,
			       rtt[got * 9 / 10] / 1e3, rtt[got * 99 / 100] / 1e3,
			       rtt[got - 1] / 1e3);
		} else {
			printf("latency sent=%ld got=0 lost=%ld\n", sent, lost);
		}
		free(rtt);
		return got == count ? 0 : 1;
	}

	/* Throughput: refill the window as replies come; a reply lost in the
	 * reflector shrinks the window until a poll timeout restores it. */
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9), seq = 0, got = 0;
	long inflight = 0;

	while (now_ns() < end) {
		while (inflight < window) {
			p->seq = seq++;
			p->sent_ns = now_ns();
			if (send(fd, buf, size, 0) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					break;
				perror("send");
				return 1;
			}
			inflight++;
		}
		if (poll(&pfd, 1, 10) <= 0) {
			inflight = 0; /* assume the window was lost */
			continue;
		}
		while (recv(fd, buf + 256, sizeof(buf) - 256, MSG_DONTWAIT) > 0) {
			got++;
			if (inflight > 0)
				inflight--;
		}
	}
	double el = (double)(now_ns() - t0) / 1e9;

	printf("throughput sent=%llu got=%llu secs=%.2f window=%d size=%zu pps=%.0f\n",
	       (unsigned long long)seq, (unsigned long long)got, el, window, size,
	       (double)got / el);
	return got ? 0 : 1;
usage:
	fprintf(stderr,
		"usage: %s --dst IP --port N [--count N] [--size B] [--window W] "
		"[--secs S] [--timeout-ms MS]\n",
		argv[0]);
	return 2;
}
