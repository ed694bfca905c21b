/* The XDP backend: set-up and tear-down of the device (loader attach or
 * take-over of a crashed control plane's pins, xsks, engine, slots), the
 * engine's events turned into app callbacks, and the app API calls. */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "loader/queues.h"
#include "rt/xdp_rt.h"
#include "tcp/tcp_priv.h"

/* --- sockets and deferred work --------------------------------------- */

static struct rt_sock *sock_new(struct rt *rt, struct tcp_conn *c,
				const struct xdptcp_app_ops *ops, void *ctx)
{
	struct rt_sock *s = calloc(1, sizeof(*s));
	struct xdptcp_flow_key k;

	if (!s)
		return NULL;
	s->pub.loop = rt->loop;
	s->pub.ops = ops;
	s->pub.ctx = ctx;
	s->c = c;
	s->queue = rt->cur_queue;
	if (c) {
		tcp_flow_key(c, &k);
		s->pub.local = (struct sockaddr_in){ .sin_family = AF_INET,
						     .sin_port = k.lport,
						     .sin_addr.s_addr = k.laddr };
		s->pub.peer = (struct sockaddr_in){ .sin_family = AF_INET,
						    .sin_port = k.rport,
						    .sin_addr.s_addr = k.raddr };
		tcp_set_user(c, s);
	}
	s->next = rt->socks;
	if (rt->socks)
		rt->socks->prev = s;
	rt->socks = s;
	return s;
}

static void slotted_unlink(struct rt *rt, struct rt_sock *s)
{
	if (rt->walk_next == s)
		rt->walk_next = s->snext;
	if (s->sprev)
		s->sprev->snext = s->snext;
	else
		rt->slotted = s->snext;
	if (s->snext)
		s->snext->sprev = s->sprev;
	s->snext = s->sprev = NULL;
}

static void sock_unlink_free(struct rt *rt, struct rt_sock *s)
{
	if (s->has_slot)
		slotted_unlink(rt, s);
	if (s->prev)
		s->prev->next = s->next;
	else
		rt->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static void sock_take_slot(struct rt *rt, struct rt_sock *s)
{
	if (rt_slot_alloc(&rt->slots, &s->slot, &s->gen)) {
		/* still served, through the slow path only */
		rt_count(rt, XDPTCP_RT_SLOTS_EXHAUSTED, 1);
		return;
	}
	s->has_slot = true;
	rt->slots.owner[s->slot] = s;
	s->sprev = NULL;
	s->snext = rt->slotted;
	if (rt->slotted)
		rt->slotted->sprev = s;
	rt->slotted = s;
}

static void sock_drop_slot(struct rt *rt, struct rt_sock *s)
{
	rt_flow_remove(rt, s);
	if (s->has_slot) {
		rt_slot_free(&rt->slots, s->slot, rt->now);
		slotted_unlink(rt, s);
	}
	s->has_slot = false;
}

void rt_defer(struct rt *rt, struct rt_sock *s)
{
	if (s->deferred)
		return;
	s->deferred = true;
	s->dnext = rt->deferred;
	rt->deferred = s;
}

/* on_closed (never from inside the app's own call), the engine's handle
 * released for a connection that ended under the app, and freeing. */
void rt_run_deferred(struct rt *rt)
{
	for (int round = 0; rt->deferred && round < 16; round++) {
		struct rt_sock *s = rt->deferred, *n;

		rt->deferred = NULL;
		for (; s; s = n) {
			n = s->dnext;
			s->deferred = false;
			if (!s->closed_sent && (s->app_gone || s->engine_dead)) {
				s->closed_sent = true;
				s->app_gone = true;
				if (s->pub.ops && s->pub.ops->on_closed)
					s->pub.ops->on_closed(&s->pub, s->pub.ctx, s->close_err);
			}
			if (s->engine_dead && s->c) {
				s->engine_dead = false;
				tcp_close(s->c, rt->now); /* CLOSED follows */
			}
			if (s->closed_sent && !s->c && !s->deferred)
				sock_unlink_free(rt, s);
		}
	}
}

/* --- engine events ---------------------------------------------------- */

static struct rt_listener *listener_of(struct rt *rt, const struct tcp_conn *c)
{
	for (int i = 0; i < RT_MAX_LISTEN; i++)
		if (rt->lis[i].port && rt->lis[i].c == c)
			return &rt->lis[i];
	return NULL;
}

static void on_accepted(struct rt *rt, struct tcp_conn *c, const struct tcp_event_info *info)
{
	struct rt_listener *l = listener_of(rt, info->listener);
	struct rt_sock *s;

	if (!l || !(s = sock_new(rt, c, l->ops, l->ctx))) {
		tcp_abort(c, rt->now);
		return;
	}
	rt_count(rt, XDPTCP_RT_CONNS_OPENED, 1);
	sock_take_slot(rt, s);
	rt_flow_insert(rt, s);
	if (s->pub.ops->on_accept)
		s->pub.ops->on_accept(&s->pub, s->pub.ctx);
}

void rt_event(void *ctx, struct tcp_conn *c, enum tcp_event ev, const struct tcp_event_info *info)
{
	struct rt *rt = ctx;
	struct rt_sock *s = tcp_get_user(c);
	const struct xdptcp_app_ops *ops = s ? s->pub.ops : NULL;
	bool app = s && !s->app_gone;

	switch (ev) {
	case TCP_EV_ACCEPTED:
		on_accepted(rt, c, info);
		break;
	case TCP_EV_CONNECTED:
		if (!s)
			break;
		rt_count(rt, XDPTCP_RT_CONNS_OPENED, 1);
		if (app && ops->on_connected)
			ops->on_connected(&s->pub, s->pub.ctx);
		break;
	case TCP_EV_URGENT:	/* RFC 6093: urgent bytes are read in line */
	case TCP_EV_READABLE:
		if (app && ops->on_readable)
			ops->on_readable(&s->pub, s->pub.ctx);
		break;
	case TCP_EV_WRITABLE:
		if (app && s->want_writable) {
			s->want_writable = false;
			if (ops->on_writable)
				ops->on_writable(&s->pub, s->pub.ctx);
		}
		break;
	case TCP_EV_PEER_CLOSED:
		if (app && ops->on_peer_closed)
			ops->on_peer_closed(&s->pub, s->pub.ctx);
		break;
	case TCP_EV_RESET:
		rt_count(rt, XDPTCP_RT_CONNS_RESET, 1);
		if (!s)
			break;
		sock_drop_slot(rt, s);
		if (!s->app_gone) {
			s->close_err = c->state == XDPTCP_SYN_SENT ? -ECONNREFUSED : -ECONNRESET;
			s->engine_dead = true;
			rt_defer(rt, s);
		}
		break;
	case TCP_EV_TIMEWAIT:
		/* the entry first, so XDP answers the flow from the moment
		 * the flow entry goes (DESIGN.md) */
		rt_tw_insert(rt, info);
		if (s)
			sock_drop_slot(rt, s);
		break;
	case TCP_EV_CLOSED:
		if (!s)
			break;
		rt_count(rt, XDPTCP_RT_CONNS_CLOSED, 1);
		sock_drop_slot(rt, s);
		tcp_set_user(c, NULL);
		s->c = NULL;
		s->engine_dead = false;
		if (!s->closed_sent)
			s->app_gone = true; /* on_closed(0, or the reset's error) */
		rt_defer(rt, s);
		break;
	}
}

/* --- set-up ------------------------------------------------------------ */

static int dev_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	memcpy(ifr.ifr_name, ifname, strnlen(ifname, IF_NAMESIZE - 1));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		rc = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return rc;
}

/* Only one control plane per device: an flock on the pin dir, which the
 * kernel releases when the process dies, however it dies. */
static int lock_pin_dir(struct rt *rt)
{
	int fd = open(rt->pins.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return xdptcp_loop_fail(rt->loop, -errno, "cannot open the pin dir %s: %s",
					rt->pins.dir, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int rc = -errno;

		close(fd);
		if (rc == -EWOULDBLOCK)
			return xdptcp_loop_fail(rt->loop, -EBUSY,
						"another xdptcp serve is running on %s", rt->ifname);
		return xdptcp_loop_fail(rt->loop, rc, "cannot lock %s", rt->pins.dir);
	}
	return fd;
}

static int attach(struct rt *rt, const struct xdptcp_loop_opts *o, bool *reused)
{
	struct xdptcp_attach_opts ao = { 0 };
	struct xdptcp_attach_info info;
	char err[XDPTCP_ERR_LEN];
	int rc;

	ao.target = rt->target;
	ao.mode = o->mode == XDPTCP_XDP_SKB ? XDPTCP_MODE_SKB : XDPTCP_MODE_NATIVE;
	ao.msl_ms = rt->msl_ms;
	rc = xdptcp_attach(&ao, &info, err, sizeof(err));
	*reused = false;
	if (rc == -EEXIST) {
		/* the pinned link of a control plane that died: take over
		 * (its TIME-WAIT entries and ports stay, its flows go) */
		*reused = true;
		rc = 0;
	} else if (rc) {
		return xdptcp_loop_fail(rt->loop, rc, "%s", err);
	} else {
		*reused = info.reused_maps;
	}
	rc = xdptcp_pinned_open(&rt->target, &rt->pins, err, sizeof(err));
	if (rc)
		return xdptcp_loop_fail(rt->loop, rc, "%s", err);
	return 0;
}

static int open_xsks(struct rt *rt, const struct xdptcp_loop_opts *o)
{
	struct xdptcp_xsk_dev_config cfg = {
		.ifname = rt->ifname,
		.nqueues = o->queues ? o->queues : 1,
		.xsks_map_fd = rt->pins.map_fd[XDPTCP_MAP_XSKS],
		.zerocopy = o->zerocopy,
	};
	uint32_t devq = 0;
	int rc;

	if (!loader_rx_queues(rt->ifname, &devq) && cfg.nqueues > devq)
		return xdptcp_loop_fail(rt->loop, -EINVAL, "%s has %u RX queue%s; --queues %u is too many",
					rt->ifname, devq, devq == 1 ? "" : "s", cfg.nqueues);
	rc = xdptcp_xsk_dev_open(&rt->dev, &cfg);

	if (rc == -EOPNOTSUPP && o->zerocopy)
		return xdptcp_loop_fail(rt->loop, rc,
					"%s refuses AF_XDP zero-copy (veth and many drivers only "
					"do copy mode); run without --zerocopy",
					rt->ifname);
	if (rc)
		return xdptcp_loop_fail(rt->loop, rc, "AF_XDP socket on %s queue %u: %s failed: %s",
					rt->ifname, rt->dev.failed_queue,
					rt->dev.failed ? rt->dev.failed : "open", strerror(-rc));
	rt->dev_open = true;
	return 0;
}

static int start_engine(struct rt *rt, const struct xdptcp_loop_opts *o)
{
	struct tcp_config cfg;
	struct tcp_ops ops = { .output = rt_output,
			       .event = rt_event,
			       .tw_store = rt_tw_store,
			       .tw_find = rt_tw_find,
			       .tw_update = rt_tw_update,
			       .tw_drop = rt_tw_drop,
			       .ctx = rt };
	int rc;

	tcp_config_default(&cfg);
	cfg.msl_ns = (uint64_t)rt->msl_ms * 1000000ull;
	if (o->sndbuf)
		cfg.sndbuf = o->sndbuf;
	if (o->rcvbuf)
		cfg.rcvbuf = o->rcvbuf;
	if (getrandom(&cfg.isn_key, sizeof(cfg.isn_key), 0) != (ssize_t)sizeof(cfg.isn_key))
		return xdptcp_loop_fail(rt->loop, -EIO, "no random bytes for the ISN key");
	rc = tcp_stack_init(&rt->st, &cfg, &ops, rt_now());
	if (rc)
		return xdptcp_loop_fail(rt->loop, rc, "engine: %s", strerror(-rc));
	return 0;
}

static void xdp_fini(struct xdptcp_loop *loop);

/* Each connection allocates its send and receive rings (256 KiB each by
 * default). Above glibc's mmap threshold, or with heap trimming, every
 * connection cost an mmap/munmap or brk pair and fresh zeroed pages: a
 * third of the control plane's time under churn in perf. Keep freed rings
 * in the heap for the next connection instead. */
static void malloc_for_churn(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

static int xdp_init(struct xdptcp_loop *loop, const struct xdptcp_loop_opts *o)
{
	struct rt *rt;
	struct tcp_seg *stale;
	unsigned int nstale = 0;
	char err[XDPTCP_ERR_LEN];
	bool reused;
	int rc;

	malloc_for_churn();
	rt = calloc(1, sizeof(*rt));
	stale = calloc(RT_STALE_RST_MAX, sizeof(*stale));
	if (!rt || !stale) {
		free(rt);
		free(stale);
		return -ENOMEM;
	}
	loop->priv = rt;
	rt->loop = loop;
	rt->ctr_fd = rt->lock_fd = -1;
	for (int i = 0; i < XDPTCP_NMAPS; i++)
		rt->pins.map_fd[i] = -1;
	rt->pins.link_fd = -1;
	for (int i = 0; i < RT_MAX_LISTEN; i++)
		rt->lis[i].kfd = -1;
	rt->msl_ms = o->msl_ms ? o->msl_ms : XDPTCP_DEFAULT_MSL_MS;
	rt->ephemeral_next = XDPTCP_EPHEMERAL_FIRST;
	rt->now = rt_now();
	if (!o->dev || xdptcp_check_ifname(o->dev, err, sizeof(err))) {
		rc = xdptcp_loop_fail(loop, -EINVAL, "the XDP stack needs a device (--dev)");
		goto fail;
	}
	snprintf(rt->ifname, sizeof(rt->ifname), "%s", o->dev);
	rt->ifindex = (int)if_nametoindex(rt->ifname);
	if (!rt->ifindex) {
		rc = xdptcp_loop_fail(loop, -ENODEV, "no network device %s in this network namespace",
				      rt->ifname);
		goto fail;
	}
	rc = dev_mac(rt->ifname, rt->mac);
	if (rc) {
		xdptcp_loop_fail(loop, rc, "cannot read the MAC of %s", rt->ifname);
		goto fail;
	}
	if (o->bpffs)
		snprintf(rt->bpffs, sizeof(rt->bpffs), "%s", o->bpffs);
	rt->target.ifname = rt->ifname;
	rt->target.bpffs = o->bpffs ? rt->bpffs : NULL;

	rc = attach(rt, o, &reused);
	if (rc)
		goto fail;
	rt->attached = true;
	rc = lock_pin_dir(rt);
	if (rc < 0) {
		rt->attached = false; /* someone else's: leave it */
		goto fail;
	}
	rt->lock_fd = rc;
	rc = xdptcp_rt_stats_create(rt->pins.dir, &rt->ctr);
	if (rc < 0) {
		xdptcp_loop_fail(loop, rc, "cannot pin the control plane's counters in %s: %s",
				 rt->pins.dir, strerror(-rc));
		goto fail;
	}
	rt->ctr_fd = rc;
	rt->retrans_base = rt->ctr[XDPTCP_RT_RETRANSMITS];
	rc = rt_slots_init(rt);
	if (rc) {
		xdptcp_loop_fail(loop, rc, "cannot map the tcbs array: %s", strerror(-rc));
		goto fail;
	}
	/* XDP looks beyond `owned` only: the active-open ports are ours */
	rc = xdptcp_owned_set_range(rt->pins.map_fd[XDPTCP_MAP_OWNED], XDPTCP_EPHEMERAL_FIRST,
				    XDPTCP_EPHEMERAL_LAST);
	if (rc) {
		xdptcp_loop_fail(loop, rc, "cannot write the owned map: %s", strerror(-rc));
		goto fail;
	}
	if (reused) {
		/* fast off first, so XDP stops touching the old slots */
		for (uint32_t i = 0; i < rt->slots.n; i++)
			__atomic_store_n(&rt->slots.tcbs[i].fast, 0, __ATOMIC_SEQ_CST);
		nstale = rt_flows_clear_stale(rt, stale, RT_STALE_RST_MAX);
		for (uint32_t i = 0; i < rt->slots.n; i++)
			rt->slots.tcbs[i].state = XDPTCP_CLOSED;
	}
	rc = open_xsks(rt, o);
	if (rc)
		goto fail;
	rc = start_engine(rt, o);
	if (rc)
		goto fail;
	rc = rt_tw_init(rt, reused, err, sizeof(err));
	if (rc) {
		xdptcp_loop_fail(loop, rc, "%s", err);
		goto fail;
	}
	rt->next_reap = rt->now;
	for (unsigned int i = 0; i < nstale; i++)
		if (rt_mac_find(rt, stale[i].daddr) || !rt_arp_lookup(rt, stale[i].daddr))
			rt_output(rt, &stale[i]);
	free(stale);
	rt_tx_flush(rt);
	return 0;
fail:
	free(stale);
	xdp_fini(loop);
	return rc;
}

static void xdp_fini(struct xdptcp_loop *loop)
{
	struct rt *rt = rt_of(loop);
	char err[XDPTCP_ERR_LEN];

	if (!rt)
		return;
	rt->now = rt_now();
	if (rt->st) {
		/* RFC 9293 3.10.5: connections still open are reset */
		for (struct rt_sock *s = rt->socks; s; s = s->next) {
			if (s->c && !s->app_gone)
				tcp_abort(s->c, rt->now);
			if (!s->closed_sent) {
				/* the app frees its per-connection state here */
				s->app_gone = s->closed_sent = true;
				if (s->pub.ops && s->pub.ops->on_closed)
					s->pub.ops->on_closed(&s->pub, s->pub.ctx,
							      s->close_err ? s->close_err
									   : -ECONNRESET);
			}
		}
		for (int i = 0; i < RT_MAX_LISTEN; i++)
			if (rt->lis[i].port)
				xdptcp_unlisten(loop, rt->lis[i].port);
		if (rt->dev_open)
			rt_tx_flush(rt);
		tcp_stack_free(rt->st);
	}
	while (rt->socks)
		sock_unlink_free(rt, rt->socks);
	if (rt->dev_open)
		xdptcp_xsk_dev_close(&rt->dev);
	rt_slots_fini(rt);
	rt_tw_fini(rt);
	xdptcp_rt_stats_destroy(rt->ctr_fd, rt->ctr);
	xdptcp_pinned_close(&rt->pins);
	if (rt->attached)
		xdptcp_detach(&rt->target, NULL, 0, err, sizeof(err));
	if (rt->lock_fd >= 0)
		close(rt->lock_fd);
	free(rt);
	loop->priv = NULL;
}

/* --- listeners and active opens ---------------------------------------- */

static int xdp_listen(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops,
		      void *ctx)
{
	struct rt *rt = rt_of(loop);
	struct xdptcp_port pv = { .flags = XDPTCP_PORT_LISTEN };
	struct rt_listener *l = NULL;
	__be16 key = htons(port);
	int fd;

	for (int i = 0; i < RT_MAX_LISTEN; i++) {
		if (rt->lis[i].port == port)
			return xdptcp_loop_fail(loop, -EADDRINUSE, "port %u is already served", port);
		if (!rt->lis[i].port && !l)
			l = &rt->lis[i];
	}
	if (!l)
		return xdptcp_loop_fail(loop, -ENOSPC, "at most %d ports", RT_MAX_LISTEN);
	fd = rt_kport_hold(port, loop->err, sizeof(loop->err));
	if (fd < 0)
		return fd;
	l->c = tcp_listen(rt->st, 0, port);
	if (!l->c) {
		close(fd);
		return xdptcp_loop_fail(loop, -ENOMEM, "engine: cannot listen on %u", port);
	}
	/* the bit first: a port in `ports` but not `owned` would be passed */
	if (xdptcp_owned_set(rt->pins.map_fd[XDPTCP_MAP_OWNED], port) ||
	    bpf_map_update_elem(rt->pins.map_fd[XDPTCP_MAP_PORTS], &key, &pv, BPF_ANY)) {
		int rc = -errno;

		tcp_close(l->c, rt_now());
		close(fd);
		return xdptcp_loop_fail(loop, rc, "cannot add port %u to the ports map", port);
	}
	l->port = port;
	l->ops = ops;
	l->ctx = ctx;
	l->kfd = fd;
	return 0;
}

static int xdp_unlisten(struct xdptcp_loop *loop, uint16_t port)
{
	struct rt *rt = rt_of(loop);
	__be16 key = htons(port);

	for (int i = 0; i < RT_MAX_LISTEN; i++) {
		struct rt_listener *l = &rt->lis[i];

		if (l->port != port)
			continue;
		bpf_map_delete_elem(rt->pins.map_fd[XDPTCP_MAP_PORTS], &key);
		tcp_close(l->c, rt_now());
		close(l->kfd);
		memset(l, 0, sizeof(*l));
		l->kfd = -1;
		return 0;
	}
	return xdptcp_loop_fail(loop, -ENOENT, "port %u is not served", port);
}

static int dev_ipv4(const char *ifname, uint32_t *addr)
{
	struct ifaddrs *ifa, *i;
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, ifname)) {
			*addr = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
			rc = 0;
			break;
		}
	freeifaddrs(ifa);
	return rc;
}

/* The peer's MAC from the kernel's neighbour table (/proc/net/arp) when no
 * frame of it was seen yet. */
int rt_arp_lookup(struct rt *rt, uint32_t ip)
{
	char line[256], ips[64], dev[64];
	unsigned int m[6], flags;
	FILE *f = fopen("/proc/net/arp", "r");
	int rc = -EHOSTUNREACH;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct in_addr a;

		if (sscanf(line, "%63s %*s %x %x:%x:%x:%x:%x:%x %*s %63s", ips, &flags, &m[0],
			   &m[1], &m[2], &m[3], &m[4], &m[5], dev) != 9)
			continue;
		if (!inet_aton(ips, &a) || ntohl(a.s_addr) != ip || !(flags & 0x2))
			continue;
		uint8_t mac[6] = { m[0], m[1], m[2], m[3], m[4], m[5] };

		rt_mac_learn(rt, ip, mac);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

static int xdp_connect(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
		       const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out)
{
	struct rt *rt = rt_of(loop);
	uint32_t raddr = ntohl(dst->sin_addr.s_addr), laddr = 0;
	uint16_t rport = ntohs(dst->sin_port);
	struct tcp_conn *c = NULL;
	struct rt_sock *s;
	int rc;

	rc = dev_ipv4(rt->ifname, &laddr);
	if (rc)
		return xdptcp_loop_fail(loop, rc, "%s has no IPv4 address", rt->ifname);
	if (!rt_mac_find(rt, raddr) && rt_arp_lookup(rt, raddr))
		return xdptcp_loop_fail(loop, -EHOSTUNREACH,
					"no neighbour entry for %s on %s (ping it first)",
					inet_ntoa(dst->sin_addr), rt->ifname);
	rt->now = rt_now();
	/* a port of the reserved range (XDPTCP_EPHEMERAL_*) not in use */
	for (int i = 0; i <= XDPTCP_EPHEMERAL_LAST - XDPTCP_EPHEMERAL_FIRST && !c; i++) {
		uint16_t lport = rt->ephemeral_next;

		rt->ephemeral_next = lport == XDPTCP_EPHEMERAL_LAST ? XDPTCP_EPHEMERAL_FIRST
								   : lport + 1;
		c = tcp_connect(rt->st, laddr, lport, raddr, rport, rt->now);
	}
	if (!c)
		return xdptcp_loop_fail(loop, -EADDRNOTAVAIL, "no free local port in %u-%u",
					XDPTCP_EPHEMERAL_FIRST, XDPTCP_EPHEMERAL_LAST);
	s = sock_new(rt, c, ops, ctx);
	if (!s) {
		tcp_abort(c, rt->now);
		return xdptcp_loop_fail(loop, -ENOMEM, "out of memory");
	}
	sock_take_slot(rt, s);
	/* the flow must exist before the SYN-ACK comes back: the SYN is
	 * still in rt->tx until the loop flushes it */
	rt_flow_insert(rt, s);
	*out = &s->pub;
	return 0;
}

/* --- data ----------------------------------------------------------------- */

static struct rt_sock *rs(struct xdptcp_sock *s)
{
	return (struct rt_sock *)s;
}

static ssize_t xdp_send(struct xdptcp_sock *ps, const void *buf, size_t len)
{
	struct rt_sock *s = rs(ps);
	long n;

	if (s->app_gone)
		return -EPIPE;
	if (!s->c || s->engine_dead)
		return s->close_err ? s->close_err : -ECONNRESET;
	n = tcp_send(s->c, buf, len, rt_now());
	if (n < 0)
		return n;
	if ((size_t)n < len)
		s->want_writable = true;
	return n ? n : -EAGAIN;
}

static size_t xdp_send_pending(const struct xdptcp_sock *ps)
{
	const struct rt_sock *s = (const struct rt_sock *)ps;

	return s->c ? s->c->snd.len : 0;
}

static ssize_t xdp_recv(struct xdptcp_sock *ps, void *buf, size_t len)
{
	struct rt_sock *s = rs(ps);
	size_t n;

	if (!s->c || s->engine_dead)
		return s->close_err ? s->close_err : -ECONNRESET;
	n = tcp_recv(s->c, buf, len, rt_now());
	if (n)
		return (ssize_t)n;
	return (s->c->flags & CF_PEER_FIN) ? 0 : -EAGAIN;
}

static int xdp_shutdown(struct xdptcp_sock *ps)
{
	struct rt_sock *s = rs(ps);

	if (!s->c || s->engine_dead)
		return -ENOTCONN;
	return tcp_shutdown(s->c, rt_now());
}

static int xdp_close(struct xdptcp_sock *ps)
{
	struct rt_sock *s = rs(ps);
	struct rt *rt = rt_of(ps->loop);

	if (s->app_gone)
		return -EBADF;
	s->app_gone = true;
	if (s->c && !s->engine_dead)
		tcp_close(s->c, rt_now());
	rt_defer(rt, s);
	return 0;
}

static int xdp_abort(struct xdptcp_sock *ps)
{
	struct rt_sock *s = rs(ps);
	struct rt *rt = rt_of(ps->loop);

	if (s->app_gone)
		return -EBADF;
	s->app_gone = true;
	s->close_err = -ECONNRESET;
	if (s->c && !s->engine_dead)
		tcp_abort(s->c, rt_now());
	rt_defer(rt, s);
	return 0;
}

int rt_poll(struct xdptcp_loop *loop, int timeout_ms);

const struct xdptcp_backend xdptcp_backend_xdp = {
	.name = "xdp",
	.init = xdp_init,
	.fini = xdp_fini,
	.poll = rt_poll,
	.listen = xdp_listen,
	.unlisten = xdp_unlisten,
	.connect = xdp_connect,
	.send = xdp_send,
	.send_pending = xdp_send_pending,
	.recv = xdp_recv,
	.shutdown = xdp_shutdown,
	.close = xdp_close,
	.abort = xdp_abort,
};
