/* bulk_client: one TCP connection's throughput.
 *   --mode send: writes --chunk-byte blocks to a discard server for
 *                --duration seconds, then shuts down its side and waits
 *                (at most 5 s) for the server's FIN, so the time counts
 *                the bytes still queued, not just the ones written;
 *   --mode recv: reads from a source server for --duration seconds.
 * Prints "bytes B seconds S gbit_s G".
 *
 *   bulk_client --host IP --port P --mode send|recv [--duration 3] [--chunk 65536]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHUNK (1u << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* after SHUT_WR: true once the peer's FIN arrived before the deadline */
static int wait_eof(int fd, double deadline)
{
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0)
			return 1;
		if (r < 0)
			return 0;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *host = NULL, *mode = NULL;
	unsigned long port = 0, chunk = 65536;
	double duration = 3, t0, t1, end;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t bytes = 0;
	char *buf;
	int c, fd, sending;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'd':
			duration = strtod(optarg, NULL);
			break;
		case 'c':
			chunk = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			printf("usage: bulk_client --host IP --port P --mode send|recv [--duration "
			       "S] [--chunk B]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!host || !mode || (strcmp(mode, "send") && strcmp(mode, "recv")) || !port ||
	    port > 65535 || duration <= 0 || !chunk || chunk > MAX_CHUNK ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: bulk_client --host IP --port P --mode send|recv "
				"[--duration S] [--chunk B]\n");
		return 2;
	}
	sending = !strcmp(mode, "send");
	sa.sin_port = htons((uint16_t)port);
	buf = calloc(1, chunk);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "bulk_client: connect %s:%lu: %s\n", host, port, strerror(errno));
		return 1;
	}
	memset(buf, 'b', chunk);
	t0 = now_s();
	end = t0 + duration;
	while (now_s() < end) {
		ssize_t r = sending ? send(fd, buf, chunk, 0) : recv(fd, buf, chunk, 0);

		if (r <= 0) {
			fprintf(stderr, "bulk_client: %s: %s\n", mode,
				r ? strerror(errno) : "peer closed");
			return 1;
		}
		bytes += (uint64_t)r;
	}
	if (sending) {
		shutdown(fd, SHUT_WR);
		if (!wait_eof(fd, now_s() + 5))
			fprintf(stderr, "bulk_client: no FIN from the server within 5 s\n");
	}
	t1 = now_s();
	close(fd);
	printf("bytes %llu seconds %.3f gbit_s %.3f\n", (unsigned long long)bytes, t1 - t0,
	       (double)bytes * 8 / (t1 - t0) / 1e9);
	return 0;
}
