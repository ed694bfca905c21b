/* pingpong_client: round-trip latency of an echo server. One TCP
 * connection (TCP_NODELAY), one message of --size bytes out, the same
 * number of bytes back, repeated for --duration seconds (or --count
 * round trips); prints percentiles of the round trip in microseconds:
 *
 *   samples N p50 X p99 Y p999 Z min A max B
 *
 *   pingpong_client --host IP --port P [--size 64] [--duration 3] [--count N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000u
#define MAX_SIZE 65536u

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

/* nearest-rank percentile of a sorted array */
static double pct_us(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)n);

	return (double)v[i >= n ? n - 1 : i] / 1000.0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pingpong_client --host IP --port P [--size BYTES] [--duration S] "
		   "[--count N]\n"
		   "round-trip percentiles (us) of SIZE-byte messages to an echo server\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *host = NULL;
	unsigned long port = 0, size = 64, count = MAX_SAMPLES;
	double duration = 3;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char buf[MAX_SIZE], in[MAX_SIZE];
	uint64_t *rtt, end;
	size_t n = 0;
	int c, fd, one = 1;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			duration = strtod(optarg, NULL);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!host || !port || port > 65535 || !size || size > MAX_SIZE || duration <= 0 || !count ||
	    count > MAX_SAMPLES || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		usage(stderr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	rtt = malloc(count * sizeof(*rtt));
	if (!rtt)
		return 1;
	memset(buf, 'x', size);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "pingpong_client: connect %s:%lu: %s\n", host, port,
			strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	end = now_ns() + (uint64_t)(duration * 1e9);
	while (n < count) {
		uint64_t t0 = now_ns();
		size_t got = 0;

		if (t0 >= end)
			break;
		if (send(fd, buf, size, 0) != (ssize_t)size) {
			fprintf(stderr, "pingpong_client: send: %s\n", strerror(errno));
			return 1;
		}
		while (got < size) {
			ssize_t r = recv(fd, in + got, size - got, 0);

			if (r <= 0) {
				fprintf(stderr, "pingpong_client: recv: %s\n",
					r ? strerror(errno) : "peer closed");
				return 1;
			}
			got += (size_t)r;
		}
		rtt[n++] = now_ns() - t0;
	}
	close(fd);
	if (!n) {
		fprintf(stderr, "pingpong_client: no round trip completed\n");
		return 1;
	}
	qsort(rtt, n, sizeof(*rtt), cmp_u64);
	printf("samples %zu p50 %.1f p99 %.1f p999 %.1f min %.1f max %.1f\n", n, pct_us(rtt, n, 50),
	       pct_us(rtt, n, 99), pct_us(rtt, n, 99.9), (double)rtt[0] / 1000.0,
	       (double)rtt[n - 1] / 1000.0);
	free(rtt);
	return 0;
}
