/* churn_client: one HTTP request per connection, like a client that never
 * reuses connections. --conns N processes each loop for --duration
 * seconds: connect, send "GET / HTTP/1.1" with "Connection: close", read
 * until the server closes, close. Prints
 *
 *   conns N errors E seconds S conns_per_s R
 *
 * The server closes first, so the TIME-WAIT state lands on the server.
 *
 * --src A[,B...] binds connections to these local addresses in turn (the
 * kernel gives connect() only every other port of ip_local_port_range,
 * so one address reaches ~32,000 4-tuples toward one server port).
 *
 *   churn_client --host IP --port P [--conns 1] [--duration 3] [--src A,B]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* one connection, one request; 0 when a response ending in EOF came back */
#define MAX_SRC 8
static struct in_addr srcs[MAX_SRC];
static unsigned int nsrc;

static int one_request(const struct sockaddr_in *sa, const char *req, size_t len, unsigned long i)
{
	char buf[16384];
	size_t total = 0;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (nsrc) {
		struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = srcs[i % nsrc] };

		/* the port is still chosen at connect() time */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, sizeof(src))) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    send(fd, req, len, 0) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += (size_t)r;
	close(fd);
	return r == 0 && total >= 12 ? 0 : -1;
}

/* child: loop until the deadline, write "ok err" to the pipe */
static void worker(const struct sockaddr_in *sa, double end, int out)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
	unsigned long ok = 0, err = 0;
	char line[64];
	int n;

	while (now_s() < end) {
		if (one_request(sa, req, sizeof(req) - 1, ok + err))
			err++;
		else
			ok++;
	}
	n = snprintf(line, sizeof(line), "%lu %lu\n", ok, err);
	if (write(out, line, (size_t)n) != n)
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "conns", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "src", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *host = NULL;
	unsigned long port = 0, conns = 1, ok = 0, err = 0;
	double duration = 3, t0, t1;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int c, pfd[2];
	FILE *in;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			conns = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			duration = strtod(optarg, NULL);
			break;
		case 's':
			for (char *save = NULL, *t = strtok_r(optarg, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				if (nsrc == MAX_SRC || inet_pton(AF_INET, t, &srcs[nsrc]) != 1) {
					fprintf(stderr, "churn_client: bad --src %s\n", t);
					return 2;
				}
				nsrc++;
			}
			break;
		case 'h':
			printf("usage: churn_client --host IP --port P [--conns N] [--duration S] "
			       "[--src A,B]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!host || !port || port > 65535 || !conns || conns > 256 || duration <= 0 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: churn_client --host IP --port P [--conns N] [--duration S] "
				"[--src A,B]\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	if (pipe(pfd))
		return 1;
	t0 = now_s();
	for (unsigned long i = 0; i < conns; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(pfd[0]);
			worker(&sa, t0 + duration, pfd[1]);
		}
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	if (!in)
		return 1;
	for (unsigned long i = 0; i < conns; i++) {
		unsigned long a, b;

		if (fscanf(in, "%lu %lu", &a, &b) != 2) {
			fprintf(stderr, "churn_client: a worker died\n");
			return 1;
		}
		ok += a;
		err += b;
	}
	while (wait(NULL) > 0)
		;
	t1 = now_s();
	printf("conns %lu errors %lu seconds %.3f conns_per_s %.1f\n", ok, err, t1 - t0,
	       (double)ok / (t1 - t0));
	return ok ? 0 : 1;
}
