/* xsk_echo: attach an XDP object to a device, serve a port, open an xsk on
 * each RX queue (user/xsk) and handle the frames XDP redirects:
 *   --mode probe    print each frame's metadata; with --reply synack answer
 *                   a TCP SYN with a hand-built SYN-ACK from a fresh frame
 *   --mode reflect  swap MAC/IP/ports and send the frame back in place
 * The program is --obj FILE (any object with `xsks` and `ports` maps, loaded
 * and attached directly) or, with --loader, xdptcp's own through user/loader
 * (pinned maps and link, detached at exit). The port is added to `ports`
 * only once the xsk is in `xsks`. On exit it prints the frame pool's
 * counters, so a test can assert that no frame leaked. Output lines are key=value, for
 * tests/net/test_xsk*.sh. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "loader/loader.h"
#include "xdptcp/stats.h"
#include "xdptcp/tcb.h"
#include "xsk/dev.h"
#include "xsk/xsk.h"

#define BATCH 64

struct opts {
	const char *ifname;
	const char *obj;
	const char *prog;
	int port;
	long count;	/* frames to handle, 0 = until SIGINT/SIGTERM */
	int timeout_ms; /* give up after this long without a frame */
	int reflect;
	int reply_synack;
	int zerocopy;
	int skb_mode;
	int quiet;
	int loader;
	int busy;	   /* spin on the RX ring instead of poll() */
	uint32_t queues;   /* xsks on queues 0..queues-1, one UMEM */
	uint32_t headroom; /* UMEM frame headroom beyond XDP_PACKET_HEADROOM */
	int no_need_wakeup;
	const char *flow; /* RADDR:RPORT:LADDR:RCV_NXT:SND_NXT, with --loader */
	uint32_t nframes;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *verdict_name(unsigned int v)
{
	static const char *const n[] = {"none", "slow", "fast_data", "ack_notify", "tw_syn"};

	return v < sizeof(n) / sizeof(n[0]) ? n[v] : "unknown";
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		s += (uint32_t)(b[0] << 8 | b[1]);
	if (n)
		s += (uint32_t)b[0] << 8;
	return s;
}

/* Headers of an Ethernet/IPv4/TCP-or-UDP frame, bounds checked; NULL l4
 * when the frame is something else. */
struct hdrs {
	struct ethhdr *eth;
	struct iphdr *ip;
	void *l4;
	size_t l4len; /* bytes from l4 to the end of the IP datagram */
};

static int parse(uint8_t *d, uint32_t len, struct hdrs *h)
{
	memset(h, 0, sizeof(*h));
	if (len < sizeof(struct ethhdr) + sizeof(struct iphdr))
		return -1;
	h->eth = (struct ethhdr *)d;
	if (h->eth->h_proto != htons(ETH_P_IP))
		return -1;
	h->ip = (struct iphdr *)(h->eth + 1);
	size_t ihl = h->ip->ihl * 4u, tot = ntohs(h->ip->tot_len);

	if (h->ip->version != 4 || ihl < 20 || tot < ihl || sizeof(struct ethhdr) + tot > len)
		return -1;
	h->l4 = (uint8_t *)h->ip + ihl;
	h->l4len = tot - ihl;
	if (h->ip->protocol == IPPROTO_TCP && h->l4len >= sizeof(struct tcphdr))
		return 0;
	if (h->ip->protocol == IPPROTO_UDP && h->l4len >= sizeof(struct udphdr))
		return 0;
	h->l4 = NULL;
	return -1;
}

static void print_frame(long n, const struct xdptcp_frame *f)
{
	struct hdrs h;

	printf("frame n=%ld len=%u off=%llu meta=%d", n, f->len,
	       (unsigned long long)(f->addr & 4095), f->meta != NULL);
	/* reason explains slow verdicts only (0 is a valid counter id) */
	if (f->meta)
		printf(" verdict=%s reason=%s mflags=0x%x", verdict_name(f->meta->verdict),
		       f->meta->verdict == XDPTCP_V_SLOW || f->meta->verdict == XDPTCP_V_TW_SYN
			   ? xdptcp_stat_name(f->meta->reason)
			   : "-",
		       f->meta->flags);
	if (f->meta && (f->meta->flags & XDPTCP_META_HAS_SLOT))
		printf(" slot=%u gen=%u payload_off=%u payload_len=%u rcv_nxt=%u", f->meta->slot,
		       f->meta->generation, f->meta->payload_off, f->meta->payload_len,
		       f->meta->rcv_nxt);
	if (parse(f->data, f->len, &h) == 0 && h.ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = h.l4;

		printf(" proto=tcp sport=%u dport=%u tcpflags=0x%02x", ntohs(th->source),
		       ntohs(th->dest), ((uint8_t *)th)[13]);
		/* The payload where the metadata says it is (bounds checked). */
		if (f->meta && f->meta->verdict == XDPTCP_V_FAST_DATA &&
		    (uint32_t)f->meta->payload_off + f->meta->payload_len <= f->len) {
			printf(" payload=");
			for (uint32_t i = 0; i < f->meta->payload_len && i < 32; i++) {
				uint8_t c = f->data[f->meta->payload_off + i];

				putchar(c >= 0x21 && c < 0x7f ? c : '.');
			}
		}
	} else if (h.l4) {
		struct udphdr *uh = h.l4;

		printf(" proto=udp sport=%u dport=%u", ntohs(uh->source), ntohs(uh->dest));
	}
	printf("\n");
}

/* Swap addresses and ports in place; checksums stay valid (the pseudo
 * header sum does not depend on the order of the addresses). */
static int reflect(struct xdptcp_frame *f)
{
	struct hdrs h;
	uint8_t mac[ETH_ALEN];
	uint32_t a;
	uint16_t p, *ports;

	if (parse(f->data, f->len, &h))
		return -1;
	memcpy(mac, h.eth->h_dest, ETH_ALEN);
	memcpy(h.eth->h_dest, h.eth->h_source, ETH_ALEN);
	memcpy(h.eth->h_source, mac, ETH_ALEN);
	a = h.ip->saddr;
	h.ip->saddr = h.ip->daddr;
	h.ip->daddr = a;
	ports = h.l4;
	p = ports[0];
	ports[0] = ports[1];
	ports[1] = p;
	return 0;
}

/* A SYN-ACK for the SYN in `in`, built in the empty frame `out`: Ethernet,
 * 20-byte IPv4, 24-byte TCP header with an MSS option (RFC 9293 3.5). */
static int build_synack(const struct xdptcp_frame *in, struct xdptcp_frame *out)
{
	struct hdrs h;
	struct tcphdr *th;

	if (parse(in->data, in->len, &h) || h.ip->protocol != IPPROTO_TCP)
		return -1;
	th = h.l4;
	if (!th->syn || th->ack)
		return -1;

	const size_t tcplen = sizeof(struct tcphdr) + 4;
	const size_t len = sizeof(struct ethhdr) + sizeof(struct iphdr) + tcplen;

	if (out->cap < len)
		return -1;
	memset(out->data, 0, len);
	struct ethhdr *eth = (struct ethhdr *)out->data;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *rt = (struct tcphdr *)(ip + 1);
	uint8_t *opt = (uint8_t *)(rt + 1);

	memcpy(eth->h_dest, h.eth->h_source, ETH_ALEN);
	memcpy(eth->h_source, h.eth->h_dest, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + tcplen));
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = h.ip->daddr;
	ip->daddr = h.ip->saddr;
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	rt->source = th->dest;
	rt->dest = th->source;
	rt->seq = htonl(0x12345678);
	rt->ack_seq = htonl(ntohl(th->seq) + 1);
	rt->doff = (uint16_t)(tcplen / 4);
	rt->syn = 1;
	rt->ack = 1;
	rt->window = htons(65535);
	opt[0] = 2; /* MSS */
	opt[1] = 4;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;

	uint8_t pseudo[12];

	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = (uint8_t)(tcplen >> 8);
	pseudo[11] = (uint8_t)tcplen;
	rt->check = htons(csum_fold(csum_add(csum_add(0, pseudo, 12), rt, tcplen)));
	out->len = (uint32_t)len;
	return 0;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --ifname IF (--obj FILE.bpf.o [--prog NAME] | --loader) --port N\n"
		"          [--mode probe|reflect] [--reply synack] [--count N]\n"
		"          [--timeout-ms MS] [--zerocopy] [--skb-mode] [--frames N] [--quiet] "
		"[--busy]\n"
		"          [--queues N] [--headroom BYTES] [--no-need-wakeup]\n"
		"          [--flow RADDR:RPORT:LADDR:RCV_NXT:SND_NXT (with --loader)]\n",
		argv0);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"ifname", required_argument, NULL, 'i'},
	    {"obj", required_argument, NULL, 'o'},
	    {"prog", required_argument, NULL, 'p'},
	    {"port", required_argument, NULL, 'P'},
	    {"mode", required_argument, NULL, 'm'},
	    {"reply", required_argument, NULL, 'r'},
	    {"count", required_argument, NULL, 'c'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"zerocopy", no_argument, NULL, 'z'},
	    {"skb-mode", no_argument, NULL, 'S'},
	    {"frames", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"loader", no_argument, NULL, 'L'},
	    {"busy", no_argument, NULL, 'B'},
	    {"queues", required_argument, NULL, 'Q'},
	    {"headroom", required_argument, NULL, 'H'},
	    {"no-need-wakeup", no_argument, NULL, 'W'},
	    {"flow", required_argument, NULL, 'F'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->nframes = 4096;
	o->queues = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'o':
			o->obj = optarg;
			break;
		case 'p':
			o->prog = optarg;
			break;
		case 'P':
			o->port = atoi(optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "reflect"))
				o->reflect = 1;
			else if (strcmp(optarg, "probe"))
				return -1;
			break;
		case 'r':
			if (strcmp(optarg, "synack"))
				return -1;
			o->reply_synack = 1;
			break;
		case 'c':
			o->count = atol(optarg);
			break;
		case 't':
			o->timeout_ms = atoi(optarg);
			break;
		case 'z':
			o->zerocopy = 1;
			break;
		case 'S':
			o->skb_mode = 1;
			break;
		case 'f':
			o->nframes = (uint32_t)atoi(optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'L':
			o->loader = 1;
			break;
		case 'B':
			o->busy = 1;
			break;
		case 'F':
			o->flow = optarg;
			break;
		case 'W':
			o->no_need_wakeup = 1;
			break;
		case 'H':
			o->headroom = (uint32_t)atoi(optarg);
			break;
		case 'Q':
			o->queues = (uint32_t)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (o->flow && !o->loader)
		return -1;
	if (!o->ifname || !(o->obj || o->loader) || !o->queues || o->queues > 8 || o->port <= 0 ||
	    o->port > 65535)
		return -1;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Handle one batch; returns frames received. */
static uint32_t handle_batch(struct xdptcp_xsk *x, const struct opts *o, long *seen)
{
	struct xdptcp_frame rx[BATCH], tx[BATCH], done[BATCH];
	uint32_t n = xdptcp_xsk_rx(x, rx, BATCH), ntx = 0, ndone = 0;

	for (uint32_t i = 0; i < n; i++) {
		++*seen;
		if (!o->quiet)
			print_frame(*seen, &rx[i]);
		if (o->reflect && reflect(&rx[i]) == 0) {
			tx[ntx++] = rx[i]; /* sent back in place: no copy */
			continue;
		}
		if (o->reply_synack) {
			struct xdptcp_frame r;

			if (xdptcp_xsk_tx_alloc(x, &r, 1) == 1) {
				if (build_synack(&rx[i], &r) == 0)
					tx[ntx++] = r;
				else
					done[ndone++] = r;
			}
		}
		done[ndone++] = rx[i];
	}
	uint32_t sent = ntx ? xdptcp_xsk_tx_submit(x, tx, ntx) : 0;

	if (ntx && !o->quiet)
		printf("tx frames=%u queued=%u\n", ntx, sent);
	/* Frames the TX ring did not take go back to the pool. */
	for (uint32_t i = sent; i < ntx; i++)
		done[ndone++] = tx[i];
	if (xdptcp_xsk_release(x, done, ndone))
		fprintf(stderr, "xsk_echo: release refused frames\n");
	xdptcp_xsk_complete(x);
	return n;
}

/* The program and the two maps this tool needs, from --obj or --loader. */
struct prog {
	struct bpf_object *obj;
	int prog_fd;
	int ports_fd;
	int owned_fd; /* -1: the object has no `owned` map */
	int xsks_fd;
	struct xdptcp_pinned pinned;
	int loaded_by_loader;
};

static int prog_open(struct prog *p, const struct opts *o)
{
	char err[XDPTCP_ERR_LEN];
	int rc;

	memset(p, 0, sizeof(*p));
	p->prog_fd = p->ports_fd = p->owned_fd = p->xsks_fd = -1;
	if (o->loader) {
		struct xdptcp_attach_opts ao = {
		    .target = {.ifname = o->ifname},
		    .mode = o->skb_mode ? XDPTCP_MODE_SKB : XDPTCP_MODE_NATIVE,
		    .reset = true,
		};
		struct xdptcp_attach_info info;

		rc = xdptcp_attach(&ao, &info, err, sizeof(err));
		if (!rc)
			rc = xdptcp_pinned_open(&ao.target, &p->pinned, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "xsk_echo: loader: %s\n", err);
			return rc;
		}
		p->loaded_by_loader = 1;
		p->ports_fd = p->pinned.map_fd[XDPTCP_MAP_PORTS];
		p->owned_fd = p->pinned.map_fd[XDPTCP_MAP_OWNED];
		p->xsks_fd = p->pinned.map_fd[XDPTCP_MAP_XSKS];
		printf("loader pin_dir=%s prog_id=%u\n", info.pin_dir, info.prog_id);
		return 0;
	}
	p->obj = bpf_object__open_file(o->obj, NULL);
	if (!p->obj || libbpf_get_error(p->obj)) {
		p->obj = NULL;
		fprintf(stderr, "xsk_echo: cannot open %s\n", o->obj);
		return -EINVAL;
	}
	rc = bpf_object__load(p->obj);
	if (rc) {
		fprintf(stderr, "xsk_echo: load %s: %s\n", o->obj, strerror(-rc));
		return rc;
	}
	struct bpf_program *prog = o->prog ? bpf_object__find_program_by_name(p->obj, o->prog)
					   : bpf_object__next_program(p->obj, NULL);
	struct bpf_map *xsks = bpf_object__find_map_by_name(p->obj, "xsks");
	struct bpf_map *ports = bpf_object__find_map_by_name(p->obj, "ports");

	if (!prog || !xsks || !ports) {
		fprintf(stderr, "xsk_echo: %s lacks the program or the xsks/ports maps\n", o->obj);
		return -ENOENT;
	}
	p->prog_fd = bpf_program__fd(prog);
	p->ports_fd = bpf_map__fd(ports);
	p->xsks_fd = bpf_map__fd(xsks);
	if (bpf_object__find_map_by_name(p->obj, "owned"))
		p->owned_fd = bpf_map__fd(bpf_object__find_map_by_name(p->obj, "owned"));
	return 0;
}

static void prog_close(struct prog *p, const struct opts *o)
{
	char err[XDPTCP_ERR_LEN], dir[4096];

	if (p->loaded_by_loader) {
		struct xdptcp_target t = {.ifname = o->ifname};

		xdptcp_pinned_close(&p->pinned);
		if (xdptcp_detach(&t, dir, sizeof(dir), err, sizeof(err)))
			fprintf(stderr, "xsk_echo: detach: %s\n", err);
	}
	bpf_object__close(p->obj);
}

/* Put one ESTABLISHED connection in the fast path, slot 0 generation 1, as
 * the control plane would after a handshake: frames of it then come to the
 * xsk as FAST_DATA (in order) or SLOW with a hand-off (anything else). */
static int add_flow(const struct prog *p, const char *spec, int port)
{
	char raddr[INET_ADDRSTRLEN], laddr[INET_ADDRSTRLEN];
	unsigned int rport, rcv_nxt, snd_nxt;
	struct xdptcp_flow_key k = {.family = AF_INET, .lport = htons((uint16_t)port)};
	struct xdptcp_flow v = {.slot = 0, .generation = 1};
	struct xdptcp_tcb t = {0};
	uint32_t slot = 0;

	if (sscanf(spec, "%15[0-9.]:%u:%15[0-9.]:%u:%u", raddr, &rport, laddr, &rcv_nxt,
		   &snd_nxt) != 5 ||
	    rport == 0 || rport > 65535 || inet_pton(AF_INET, raddr, &k.raddr) != 1 ||
	    inet_pton(AF_INET, laddr, &k.laddr) != 1)
		return -EINVAL;
	k.rport = htons((uint16_t)rport);
	t.generation = 1;
	t.state = XDPTCP_ESTABLISHED;
	t.fast = XDPTCP_FAST_ON;
	t.snd_una = t.snd_nxt = snd_nxt;
	t.snd_wnd = 65535;
	t.rcv_nxt = rcv_nxt;
	t.rcv_adv = rcv_nxt + 65535;
	t.notify_seq = snd_nxt;
	t.mss = 1460;
	t.queue = 0;
	if (bpf_map_update_elem(p->pinned.map_fd[XDPTCP_MAP_TCBS], &slot, &t, BPF_ANY) ||
	    bpf_map_update_elem(p->pinned.map_fd[XDPTCP_MAP_FLOWS], &k, &v, BPF_ANY))
		return -errno;
	return 0;
}

#define MAX_QUEUES 8

/* Sum of the counters of all queues, printed in one line each so tests
 * read the same format whatever the number of queues. */
static void print_exit(struct xdptcp_xsk *x, uint32_t nq, long seen, double secs)
{
	struct xdptcp_xsk_stats t = {0};
	struct xdp_statistics k = {0};
	uint32_t cnt[XDPTCP_FRAME_NPLACES] = {0}, total = 0;
	unsigned long long misuse = 0;
	int check = 0;

	for (uint32_t q = 0; q < nq; q++) {
		struct xdp_statistics ks;
		const struct xdptcp_xsk_stats *s = &x[q].st;

		printf("queue q=%u rx=%llu meta=%llu tx=%llu completions=%llu\n", q,
		       (unsigned long long)s->rx_frames, (unsigned long long)s->rx_meta,
		       (unsigned long long)s->tx_frames, (unsigned long long)s->completions);
		t.rx_frames += s->rx_frames;
		t.rx_meta += s->rx_meta;
		t.rx_bad_desc += s->rx_bad_desc;
		t.rx_off_other += s->rx_off_other;
		t.tx_frames += s->tx_frames;
		t.completions += s->completions;
		t.tx_ring_full += s->tx_ring_full;
		t.tx_kicks += s->tx_kicks;
		t.fill_kicks += s->fill_kicks;
		if (xdptcp_xsk_kernel_stats(&x[q], &ks) == 0) {
			k.rx_dropped += ks.rx_dropped;
			k.rx_invalid_descs += ks.rx_invalid_descs;
			k.tx_invalid_descs += ks.tx_invalid_descs;
			k.rx_ring_full += ks.rx_ring_full;
			k.rx_fill_ring_empty_descs += ks.rx_fill_ring_empty_descs;
			k.tx_ring_empty_descs += ks.tx_ring_empty_descs;
		}
		for (int p = 0; p < XDPTCP_FRAME_NPLACES; p++)
			cnt[p] += x[q].pool.count[p];
		total += x[q].pool.nframes;
		misuse += x[q].pool.misuse;
		check |= xdptcp_pool_check(&x[q].pool);

		struct xdptcp_xsk_places pl;

		xdptcp_xsk_places(&x[q], &pl);
		printf("places q=%u free=%u fill_ring=%u kernel=%u rx_ring=%u app=%u tx_ring=%u "
		       "comp_ring=%u\n",
		       q, pl.free, pl.fill_ring, pl.kernel, pl.rx_ring, pl.app, pl.tx_ring,
		       pl.comp_ring);
	}
	printf("exit frames=%ld secs=%.3f fps=%.0f rx=%llu meta=%llu tx=%llu completions=%llu "
	       "tx_ring_full=%llu tx_kicks=%llu fill_kicks=%llu rx_bad_desc=%llu rx_off_other=%llu "
	       "fill_needs_wakeup=%d tx_needs_wakeup=%d\n",
	       seen, secs, secs > 0 ? (double)seen / secs : 0.0, (unsigned long long)t.rx_frames,
	       (unsigned long long)t.rx_meta, (unsigned long long)t.tx_frames,
	       (unsigned long long)t.completions, (unsigned long long)t.tx_ring_full,
	       (unsigned long long)t.tx_kicks, (unsigned long long)t.fill_kicks,
	       (unsigned long long)t.rx_bad_desc, (unsigned long long)t.rx_off_other,
	       xsk_ring_prod__needs_wakeup(&x[0].fq), xsk_ring_prod__needs_wakeup(&x[0].tx));
	printf("kernel rx_dropped=%llu rx_invalid=%llu tx_invalid=%llu rx_ring_full=%llu "
	       "rx_fill_ring_empty=%llu tx_ring_empty=%llu\n",
	       (unsigned long long)k.rx_dropped, (unsigned long long)k.rx_invalid_descs,
	       (unsigned long long)k.tx_invalid_descs, (unsigned long long)k.rx_ring_full,
	       (unsigned long long)k.rx_fill_ring_empty_descs,
	       (unsigned long long)k.tx_ring_empty_descs);
	printf("pool free=%u fill=%u app=%u tx=%u total=%u misuse=%llu check=%d\n",
	       cnt[XDPTCP_FRAME_FREE], cnt[XDPTCP_FRAME_FILL], cnt[XDPTCP_FRAME_APP],
	       cnt[XDPTCP_FRAME_TX], total, misuse, check);

	/* CPU this process spent (the copy-mode TX runs inside its sendto):
	 * frames per CPU-second bounds what one core could reflect. */
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

		printf("cpu user_s=%.3f sys_s=%.3f frames_per_cpu_s=%.0f\n",
		       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		       cpu > 0 ? (double)seen / cpu : 0.0);
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct prog pr;
	struct xdptcp_xsk_dev dev;
	struct xdptcp_xsk *x = NULL;
	struct pollfd pfd[MAX_QUEUES];
	uint32_t nq = 0;
	int ifindex, err, rc = 1, attached = 0, have_dev = 0;
	uint32_t xdp_flags = 0;

	if (parse_opts(argc, argv, &o)) {
		usage(argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ifindex = (int)if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "xsk_echo: no device %s\n", o.ifname);
		return 1;
	}
	if (prog_open(&pr, &o))
		goto out;

	/* One UMEM for the device, a slice of it per queue (user/xsk/dev). */
	struct xdptcp_xsk_dev_config dcfg = {
	    .ifname = o.ifname,
	    .nqueues = o.queues,
	    .xsks_map_fd = pr.xsks_fd,
	    .frames_per_queue = o.nframes,
	    .frame_headroom = o.headroom,
	    .zerocopy = o.zerocopy,
	    .no_need_wakeup = o.no_need_wakeup,
	};

	err = xdptcp_xsk_dev_open(&dev, &dcfg);
	if (err) {
		fprintf(stderr, "xsk_echo: xsk on %s queue %u: %s: %s\n", o.ifname,
			dev.failed_queue, dev.failed, strerror(-err));
		printf("open_error step=\"%s\" errno=%d\n", dev.failed, -err);
		goto out;
	}
	have_dev = 1;
	x = dev.q;
	nq = dev.nqueues;
	for (uint32_t q = 0; q < nq; q++)
		pfd[q] = (struct pollfd){.fd = x[q].fd, .events = POLLIN};
	/* Serve the port only now that the xsks are in the map: before, XDP
	 * would drop its frames (redirect fallback) rather than pass them. */
	__be16 key = htons((uint16_t)o.port);
	struct xdptcp_port pv = {.flags = XDPTCP_PORT_LISTEN};

	/* the port's bit first: XDP looks no further on other ports */
	if (pr.owned_fd >= 0 && xdptcp_owned_set(pr.owned_fd, (uint16_t)o.port)) {
		fprintf(stderr, "xsk_echo: owned map: %s\n", strerror(errno));
		goto out_xsk;
	}
	if (o.flow && add_flow(&pr, o.flow, o.port)) {
		fprintf(stderr, "xsk_echo: --flow %s: cannot add it\n", o.flow);
		goto out_xsk;
	}
	if (bpf_map_update_elem(pr.ports_fd, &key, &pv, BPF_ANY)) {
		fprintf(stderr, "xsk_echo: ports map: %s\n", strerror(errno));
		goto out_xsk;
	}
	if (pr.prog_fd >= 0) {
		xdp_flags = o.skb_mode ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
		err = bpf_xdp_attach(ifindex, pr.prog_fd, xdp_flags, NULL);
		if (err) {
			fprintf(stderr, "xsk_echo: attach to %s: %s\n", o.ifname, strerror(-err));
			goto out_xsk;
		}
		attached = 1;
	}
	printf("ready ifname=%s queues=%u mode=%s need_wakeup=%d fill_needs_wakeup=%d "
	       "tx_needs_wakeup=%d fill=%u frame_off=%u\n",
	       o.ifname, nq, o.zerocopy ? "zerocopy" : "copy", x[0].need_wakeup,
	       xsk_ring_prod__needs_wakeup(&x[0].fq), xsk_ring_prod__needs_wakeup(&x[0].tx),
	       x[0].pool.count[XDPTCP_FRAME_FILL], x[0].frame_off);

	long seen = 0;
	uint64_t t0 = 0, last = now_ns();

	while (!stop && (o.count == 0 || seen < o.count)) {
		uint32_t got = 0;

		if (!o.busy && poll(pfd, nq, 100) < 0 && errno != EINTR) {
			fprintf(stderr, "xsk_echo: poll: %s\n", strerror(errno));
			break;
		}
		for (uint32_t q = 0; q < nq; q++)
			got += handle_batch(&x[q], &o, &seen);
		if (got) {
			last = now_ns();
			if (!t0)
				t0 = last;
		} else if (now_ns() - last > (uint64_t)o.timeout_ms * 1000000ull) {
			break;
		}
	}
	/* Drain: wait for the kernel to complete what we sent. */
	for (uint32_t q = 0; q < nq; q++) {
		for (int i = 0; i < 100 && x[q].pool.count[XDPTCP_FRAME_TX]; i++) {
			xdptcp_xsk_kick_tx(&x[q]);
			xdptcp_xsk_wait(&x[q], 10);
			xdptcp_xsk_complete(&x[q]);
		}
	}
	print_exit(x, nq, seen, t0 && last > t0 ? (double)(last - t0) / 1e9 : 0);
	rc = o.count && seen < o.count ? 3 : 0; /* 3: fewer frames than --count */
out_xsk:
	if (attached)
		bpf_xdp_detach(ifindex, xdp_flags, NULL);
	if (have_dev)
		printf("closed leaked=%u\n", xdptcp_xsk_dev_close(&dev));
out:
	prog_close(&pr, &o);
	return rc;
}
