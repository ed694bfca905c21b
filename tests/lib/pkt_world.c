/* The XDP program under test and its maps: see pkt_world.h. */
#include "pkt_world.h"

#include "xdptcp.skel.h"
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xdp/xsk.h>

#define XSK_FRAMES 64
#define XDPTCP_MAX_QUEUES_USER 64 /* XDPTCP_MAX_QUEUES of bpf/maps.bpf.h */

struct pkt_xsk {
	int orig_netns;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *sock;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
};

uint64_t pkt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *pkt_world_obj_arg(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--obj"))
			return argv[i + 1];
	return NULL;
}

static int map_fd(struct pkt_world *w, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(w->obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

uint64_t pkt_now_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int pkt_world_open(struct pkt_world *w, const char *obj_path)
{
	size_t sz = (size_t)PKT_WORLD_SLOTS * sizeof(struct xdptcp_tcb);
	struct bpf_program *prog;
	struct bpf_map *tcbs;
	const void *elf;
	size_t elf_sz;
	int err;

	memset(w, 0, sizeof(*w));
	if (obj_path) {
		w->obj = bpf_object__open_file(obj_path, NULL);
	} else {
		elf = xdptcp__elf_bytes(&elf_sz);
		w->obj = bpf_object__open_mem(elf, elf_sz, NULL);
	}
	if (!w->obj) {
		err = -errno ? -errno : -EINVAL;
		goto fail;
	}
	/* a small table: tests place keys in known buckets */
	err = bpf_map__set_max_entries(bpf_object__find_map_by_name(w->obj, "timewait"),
				       PKT_WORLD_TW_BUCKETS);
	if (err)
		goto fail;
	err = bpf_object__load(w->obj);
	if (err)
		goto fail;
	prog = bpf_object__find_program_by_name(w->obj, "xdptcp_xdp");
	tcbs = bpf_object__find_map_by_name(w->obj, "tcbs");
	if (!prog || !tcbs || bpf_map__max_entries(tcbs) != PKT_WORLD_SLOTS) {
		err = -ENOENT;
		goto fail;
	}
	w->prog_fd = bpf_program__fd(prog);
	w->fd_tcbs = bpf_map__fd(tcbs);
	w->fd_flows = map_fd(w, "flows");
	w->fd_timewait = map_fd(w, "timewait");
	w->fd_ports = map_fd(w, "ports");
	w->fd_xsks = map_fd(w, "xsks");
	w->fd_config = map_fd(w, "config");
	w->fd_stats = map_fd(w, "stats");
	w->fd_laddrs = map_fd(w, "laddrs");
	w->fd_owned = map_fd(w, "owned");
	w->ncpus = libbpf_num_possible_cpus();
	if (w->ncpus <= 0 || w->fd_flows < 0 || w->fd_timewait < 0 || w->fd_ports < 0 ||
	    w->fd_xsks < 0 || w->fd_config < 0 || w->fd_stats < 0 || w->fd_laddrs < 0 ||
	    w->fd_owned < 0) {
		err = -ENOENT;
		goto fail;
	}
	err = xdptcp_twtab_map(&w->tw, w->fd_timewait, w->fd_laddrs, PKT_WORLD_TW_BUCKETS,
			       PKT_WORLD_TW_SEED, true);
	if (err)
		goto fail;
	w->tcbs = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd_tcbs, 0);
	if (w->tcbs == MAP_FAILED) {
		err = -errno;
		w->tcbs = NULL;
		goto fail;
	}
	return 0;
fail:
	pkt_world_close(w);
	return err;
}

void pkt_world_close(struct pkt_world *w)
{
	pkt_world_xsk_del(w);
	if (w->tcbs)
		munmap(w->tcbs, (size_t)PKT_WORLD_SLOTS * sizeof(struct xdptcp_tcb));
	xdptcp_twtab_close(&w->tw);
	bpf_object__close(w->obj);
	memset(w, 0, sizeof(*w));
}

static int clear_hash(int fd, size_t ksz)
{
	uint8_t key[64], next[64];

	if (ksz > sizeof(key))
		return -EINVAL;
	/* deleting while walking restarts from the first key each time */
	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, ksz);
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return 0;
}

int pkt_world_reset(struct pkt_world *w)
{
	struct xdptcp_config cfg = {0};
	uint64_t *zero = calloc((size_t)w->ncpus, sizeof(uint64_t));
	int err = 0;

	if (!zero)
		return -ENOMEM;
	memset(w->tcbs, 0, (size_t)PKT_WORLD_SLOTS * sizeof(struct xdptcp_tcb));
	err = clear_hash(w->fd_flows, sizeof(struct xdptcp_flow_key));
	memset(w->tw.b, 0, (size_t)PKT_WORLD_TW_BUCKETS * sizeof(struct xdptcp_tw_bucket));
	for (uint32_t i = 0; !err && i < XDPTCP_MAX_LADDRS; i++)
		if (bpf_map_update_elem(w->fd_laddrs, &i, &(__be32){ 0 }, BPF_ANY))
			err = -errno;
	w->tw.nladdrs = 0;
	for (uint32_t i = 0; !err && i < XDPTCP_OWNED_WORDS; i++)
		if (bpf_map_update_elem(w->fd_owned, &i, &(__u64){ 0 }, BPF_ANY))
			err = -errno;
	if (!err)
		err = clear_hash(w->fd_ports, sizeof(__be16));
	for (uint32_t q = 0; !err && q < XDPTCP_MAX_QUEUES_USER; q++)
		if (bpf_map_delete_elem(w->fd_xsks, &q) && errno != ENOENT)
			err = -errno;
	if (!err)
		err = pkt_world_set_config(w, &cfg);
	for (uint32_t id = 0; !err && id < XDPTCP_STAT_MAX; id++)
		if (bpf_map_update_elem(w->fd_stats, &id, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

static int lo_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int pkt_world_xsk_add(struct pkt_world *w, uint32_t queue)
{
	struct xsk_socket_config cfg = {
	    .rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
	    .tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
	    .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	    .bind_flags = XDP_COPY,
	};
	size_t sz = (size_t)XSK_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE;
	struct pkt_xsk *x;
	int err, fd;

	if (w->xsk) {
		fd = xsk_socket__fd(w->xsk->sock);
		return bpf_map_update_elem(w->fd_xsks, &queue, &fd, BPF_ANY) ? -errno : 0;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	w->xsk = x;
	x->orig_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (x->orig_netns < 0)
		return -errno;
	if (unshare(CLONE_NEWNET))
		return -errno;
	err = lo_up();
	if (err)
		return err;
	x->area = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, sz, &x->fill, &x->comp, NULL);
	if (err)
		return err;
	err = xsk_socket__create(&x->sock, "lo", 0, x->umem, &x->rx, &x->tx, &cfg);
	if (err)
		return err;
	/* every frame to the fill ring: the kernel copies received ones in */
	{
		uint32_t idx;

		if (xsk_ring_prod__reserve(&x->fill, XSK_FRAMES, &idx) != XSK_FRAMES)
			return -ENOSPC;
		for (uint32_t i = 0; i < XSK_FRAMES; i++)
			*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
			    (uint64_t)i * XSK_UMEM__DEFAULT_FRAME_SIZE;
		xsk_ring_prod__submit(&x->fill, XSK_FRAMES);
	}
	fd = xsk_socket__fd(x->sock);
	if (bpf_map_update_elem(w->fd_xsks, &queue, &fd, BPF_ANY))
		return -errno;
	return 0;
}

int pkt_world_run_live(struct pkt_world *w, const uint8_t *frame, size_t len)
{
	struct xdp_md ctx_in = {.data_end = (uint32_t)len,
				.ingress_ifindex = if_nametoindex("lo"),
				.rx_queue_index = 0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = 1);

	if (!w->xsk || !ctx_in.ingress_ifindex)
		return -ENODEV;
	return bpf_prog_test_run_opts(w->prog_fd, &o) ? -errno : 0;
}

int pkt_world_xsk_recv(struct pkt_world *w, uint8_t *out, size_t cap, uint8_t *before,
		       size_t before_len)
{
	struct pkt_xsk *x = w->xsk;
	const struct xdp_desc *d;
	uint32_t idx, fidx;
	uint8_t *p;

	if (!x)
		return -ENODEV;
	if (!xsk_ring_cons__peek(&x->rx, 1, &idx))
		return 0;
	d = xsk_ring_cons__rx_desc(&x->rx, idx);
	p = xsk_umem__get_data(x->area, d->addr);
	/* aligned mode: the frame sits after the headroom of its chunk */
	if (d->len > cap || d->addr % XSK_UMEM__DEFAULT_FRAME_SIZE < before_len) {
		xsk_ring_cons__release(&x->rx, 1);
		return -EMSGSIZE;
	}
	memcpy(out, p, d->len);
	memcpy(before, p - before_len, before_len);
	/* give the frame back */
	if (xsk_ring_prod__reserve(&x->fill, 1, &fidx) == 1) {
		*xsk_ring_prod__fill_addr(&x->fill, fidx) =
		    d->addr - d->addr % XSK_UMEM__DEFAULT_FRAME_SIZE;
		xsk_ring_prod__submit(&x->fill, 1);
	}
	xsk_ring_cons__release(&x->rx, 1);
	return (int)d->len;
}

void pkt_world_xsk_del(struct pkt_world *w)
{
	struct pkt_xsk *x = w->xsk;

	if (!x)
		return;
	if (x->sock)
		xsk_socket__delete(x->sock);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, (size_t)XSK_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE);
	if (x->orig_netns >= 0) {
		if (setns(x->orig_netns, CLONE_NEWNET))
			perror("setns back to the original network namespace");
		close(x->orig_netns);
	}
	free(x);
	w->xsk = NULL;
}

int pkt_world_add_flow(struct pkt_world *w, const struct xdptcp_flow_key *k, uint32_t slot,
		       uint32_t gen)
{
	struct xdptcp_flow f = {.slot = slot, .generation = gen};
	int err = xdptcp_owned_set(w->fd_owned, ntohs(k->lport));

	if (err)
		return err;
	return bpf_map_update_elem(w->fd_flows, k, &f, BPF_ANY) ? -errno : 0;
}

int pkt_world_add_tw(struct pkt_world *w, const struct xdptcp_flow_key *k,
		     const struct xdptcp_tw *tw)
{
	int err = xdptcp_owned_set(w->fd_owned, ntohs(k->lport));

	return err ? err : xdptcp_twtab_insert(&w->tw, k, tw, pkt_now_ns());
}

int pkt_world_add_port(struct pkt_world *w, uint16_t port_host)
{
	__be16 port = htons(port_host);
	struct xdptcp_port v = {.flags = XDPTCP_PORT_LISTEN};
	int err = xdptcp_owned_set(w->fd_owned, port_host);

	if (err)
		return err;
	return bpf_map_update_elem(w->fd_ports, &port, &v, BPF_ANY) ? -errno : 0;
}

int pkt_world_set_config(struct pkt_world *w, const struct xdptcp_config *c)
{
	struct xdptcp_config cfg = *c;
	uint32_t k = 0;

	if (!cfg.tw_buckets) {
		cfg.tw_buckets = PKT_WORLD_TW_BUCKETS;
		cfg.tw_seed = PKT_WORLD_TW_SEED;
	}
	return bpf_map_update_elem(w->fd_config, &k, &cfg, BPF_ANY) ? -errno : 0;
}

void pkt_world_key(const struct pkt_spec *s, struct xdptcp_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->raddr = s->saddr;
	k->laddr = s->daddr;
	k->rport = htons(s->sport);
	k->lport = htons(s->dport);
	k->family = AF_INET;
}

int pkt_world_run(struct pkt_world *w, const uint8_t *frame, size_t len, struct pkt_run *r)
{
	return pkt_world_run_meta(w, frame, len, 0, r);
}

int pkt_world_run_meta(struct pkt_world *w, const uint8_t *frame, size_t len, uint32_t meta_len,
		       struct pkt_run *r)
{
	struct xdp_md ctx_in = {.data = meta_len, .data_end = (uint32_t)len}, ctx_out = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
		    .data_out = r->buf, .data_size_out = sizeof(r->buf), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	memset(r, 0, sizeof(*r));
	r->c0 = pkt_now_coarse_ns();
	r->t0 = pkt_now_ns();
	r->err = bpf_prog_test_run_opts(w->prog_fd, &o) ? -errno : 0;
	r->t1 = pkt_now_ns();
	r->c1 = pkt_now_coarse_ns();
	if (r->err)
		return r->err;
	r->retval = o.retval;
	r->buf_len = o.data_size_out;
	/* On return ctx_out.data is the offset of the frame from data_meta. */
	r->meta_len = ctx_out.data - ctx_out.data_meta;
	if (r->meta_len > r->buf_len)
		return -EPROTO;
	r->frame = r->buf + r->meta_len;
	r->frame_len = r->buf_len - r->meta_len;
	return 0;
}

int pkt_run_meta(const struct pkt_run *r, struct xdptcp_meta *m)
{
	if (r->meta_len != sizeof(*m))
		return -1;
	memcpy(m, r->buf, sizeof(*m));
	return 0;
}

/* --- snapshots ------------------------------------------------------------ */

static int cmp_key(const void *a, const void *b, void *ksz)
{
	return memcmp(a, b, *(size_t *)ksz);
}

static int dump_map(int fd, size_t ksz, size_t vsz, struct pkt_dump *d)
{
	uint8_t key[64], next[64];
	size_t rec = ksz + vsz, cap = 16;
	void *prev = NULL;

	memset(d, 0, sizeof(*d));
	d->ksz = ksz;
	d->vsz = vsz;
	d->kv = malloc(cap * rec);
	if (!d->kv || ksz > sizeof(key))
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (d->n == cap) {
			uint8_t *kv = realloc(d->kv, cap * 2 * rec);

			if (!kv)
				return -ENOMEM;
			d->kv = kv;
			cap *= 2;
		}
		memcpy(key, next, ksz);
		prev = key;
		memcpy(d->kv + d->n * rec, key, ksz);
		if (vsz && bpf_map_lookup_elem(fd, key, d->kv + d->n * rec + ksz))
			return -errno;
		d->n++;
	}
	qsort_r(d->kv, d->n, rec, cmp_key, &ksz);
	return 0;
}

struct tw_dump_ctx {
	struct pkt_dump *d;
	size_t cap;
};

static int tw_record(const struct xdptcp_flow_key *k, const struct xdptcp_tw *tw, void *ctx)
{
	struct tw_dump_ctx *c = ctx;
	size_t rec = sizeof(*k) + sizeof(*tw);

	if (c->d->n == c->cap) {
		uint8_t *kv = realloc(c->d->kv, c->cap * 2 * rec);

		if (!kv)
			return -ENOMEM;
		c->d->kv = kv;
		c->cap *= 2;
	}
	memcpy(c->d->kv + c->d->n * rec, k, sizeof(*k));
	memcpy(c->d->kv + c->d->n * rec + sizeof(*k), tw, sizeof(*tw));
	c->d->n++;
	return 0;
}

/* The table as a hash map would have dumped it: (key, entry) records. */
static int dump_tw(struct pkt_world *w, struct pkt_dump *d)
{
	struct tw_dump_ctx c = { .d = d, .cap = 16 };
	size_t ksz = sizeof(struct xdptcp_flow_key);
	int err;

	memset(d, 0, sizeof(*d));
	d->ksz = ksz;
	d->vsz = sizeof(struct xdptcp_tw);
	d->kv = malloc(c.cap * (d->ksz + d->vsz));
	if (!d->kv)
		return -ENOMEM;
	err = xdptcp_twtab_walk(&w->tw, pkt_now_ns(), true, tw_record, &c);
	if (!err)
		qsort_r(d->kv, d->n, d->ksz + d->vsz, cmp_key, &ksz);
	return err;
}

static int copy_dump(struct pkt_dump *dst, const struct pkt_dump *src)
{
	size_t sz = src->n * (src->ksz + src->vsz);

	*dst = *src;
	dst->kv = malloc(sz ? sz : 1);
	if (!dst->kv)
		return -ENOMEM;
	memcpy(dst->kv, src->kv, sz);
	return 0;
}

void *pkt_dump_find(struct pkt_dump *d, const void *k)
{
	size_t rec = d->ksz + d->vsz;

	for (size_t i = 0; i < d->n; i++)
		if (!memcmp(d->kv + i * rec, k, d->ksz))
			return d->kv + i * rec + d->ksz;
	return NULL;
}

int pkt_snap_take(struct pkt_world *w, struct pkt_snap *s)
{
	size_t sz = (size_t)PKT_WORLD_SLOTS * sizeof(struct xdptcp_tcb);
	uint64_t *percpu = calloc((size_t)w->ncpus, sizeof(uint64_t));
	uint32_t k = 0;
	int err;

	memset(s, 0, sizeof(*s));
	s->tcbs = malloc(sz);
	if (!s->tcbs || !percpu) {
		free(percpu);
		return -ENOMEM;
	}
	memcpy(s->tcbs, w->tcbs, sz);
	err = dump_map(w->fd_flows, sizeof(struct xdptcp_flow_key), sizeof(struct xdptcp_flow),
		       &s->flows);
	if (!err)
		err = dump_tw(w, &s->timewait);
	for (uint32_t i = 0; !err && i < XDPTCP_MAX_LADDRS; i++)
		if (bpf_map_lookup_elem(w->fd_laddrs, &i, &s->laddrs[i]))
			err = -errno;
	if (!err)
		err = dump_map(w->fd_ports, sizeof(__be16), sizeof(struct xdptcp_port), &s->ports);
	if (!err) /* an XSKMAP cannot be read from userspace: keys only */
		err = dump_map(w->fd_xsks, sizeof(uint32_t), 0, &s->xsks_keys);
	if (!err && bpf_map_lookup_elem(w->fd_config, &k, &s->config))
		err = -errno;
	for (uint32_t id = 0; !err && id < XDPTCP_STAT_MAX; id++) {
		if (bpf_map_lookup_elem(w->fd_stats, &id, percpu)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < w->ncpus; c++)
			s->stats[id] += percpu[c];
	}
	free(percpu);
	return err;
}

int pkt_snap_copy(struct pkt_snap *dst, const struct pkt_snap *src)
{
	size_t sz = (size_t)PKT_WORLD_SLOTS * sizeof(struct xdptcp_tcb);

	*dst = *src;
	dst->tcbs = malloc(sz);
	dst->flows.kv = dst->timewait.kv = dst->ports.kv = dst->xsks_keys.kv = NULL;
	if (!dst->tcbs)
		return -ENOMEM;
	memcpy(dst->tcbs, src->tcbs, sz);
	if (copy_dump(&dst->flows, &src->flows) || copy_dump(&dst->timewait, &src->timewait) ||
	    copy_dump(&dst->ports, &src->ports) || copy_dump(&dst->xsks_keys, &src->xsks_keys))
		return -ENOMEM;
	return 0;
}

void pkt_snap_free(struct pkt_snap *s)
{
	free(s->tcbs);
	free(s->flows.kv);
	free(s->timewait.kv);
	free(s->ports.kv);
	free(s->xsks_keys.kv);
	memset(s, 0, sizeof(*s));
}

static int diff_dump(const char *name, const struct pkt_dump *a, const struct pkt_dump *b)
{
	size_t sz = a->n * (a->ksz + a->vsz);

	if (a->n != b->n) {
		fprintf(stderr, "map %s: want %zu entries, got %zu\n", name, a->n, b->n);
		return 1;
	}
	if (sz && memcmp(a->kv, b->kv, sz)) {
		fprintf(stderr, "map %s: entries differ\n", name);
		return 1;
	}
	return 0;
}

#define DIFF_FIELD(f)                                                                              \
	do {                                                                                       \
		if (a->f != b->f) {                                                                \
			fprintf(stderr, "tcbs[%u]." #f ": want %llu, got %llu\n", slot,            \
				(unsigned long long)a->f, (unsigned long long)b->f);               \
			n++;                                                                       \
		}                                                                                  \
	} while (0)

static int diff_tcb(uint32_t slot, const struct xdptcp_tcb *a, const struct xdptcp_tcb *b)
{
	int n = 0;

	DIFF_FIELD(generation);
	DIFF_FIELD(state);
	DIFF_FIELD(fast);
	DIFF_FIELD(opts);
	DIFF_FIELD(snd_wscale);
	DIFF_FIELD(snd_una);
	DIFF_FIELD(snd_nxt);
	DIFF_FIELD(snd_wnd);
	DIFF_FIELD(rcv_nxt);
	DIFF_FIELD(rcv_adv);
	DIFF_FIELD(ts_recent);
	DIFF_FIELD(ts_offset);
	DIFF_FIELD(notify_seq);
	DIFF_FIELD(tsecr_last);
	DIFF_FIELD(queue);
	DIFF_FIELD(dupacks);
	DIFF_FIELD(mss);
	DIFF_FIELD(rcv_wscale);
	DIFF_FIELD(pad0);
	DIFF_FIELD(up_end);
	DIFF_FIELD(last_rx_ns);
	return n;
}

int pkt_snap_diff(const struct pkt_snap *want, const struct pkt_snap *got)
{
	int n = 0;

	for (uint32_t slot = 0; slot < PKT_WORLD_SLOTS; slot++)
		if (memcmp(&want->tcbs[slot], &got->tcbs[slot], sizeof(struct xdptcp_tcb)))
			n += diff_tcb(slot, &want->tcbs[slot], &got->tcbs[slot]);
	n += diff_dump("flows", &want->flows, &got->flows);
	n += diff_dump("timewait", &want->timewait, &got->timewait);
	n += diff_dump("ports", &want->ports, &got->ports);
	n += diff_dump("xsks", &want->xsks_keys, &got->xsks_keys);
	if (memcmp(want->laddrs, got->laddrs, sizeof(want->laddrs))) {
		fprintf(stderr, "map laddrs differs\n");
		n++;
	}
	if (memcmp(&want->config, &got->config, sizeof(want->config))) {
		fprintf(stderr, "map config differs\n");
		n++;
	}
	for (uint32_t id = 0; id < XDPTCP_STAT_MAX; id++)
		if (want->stats[id] != got->stats[id]) {
			fprintf(stderr, "stat %s: want %llu, got %llu\n", xdptcp_stat_name(id),
				(unsigned long long)want->stats[id],
				(unsigned long long)got->stats[id]);
			n++;
		}
	return n;
}
