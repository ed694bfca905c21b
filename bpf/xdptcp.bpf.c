/* The xdptcp XDP program: the decision tree of DESIGN.md ("What the XDP
 * program does with each frame"). Each stage returns an XDP action, or
 * PKT_CONTINUE to go on down the tree. */
#include "fastpath.bpf.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "timewait.bpf.h"
#include "validate.bpf.h"
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>

SEC("xdp")
int xdptcp_xdp(struct xdp_md *ctx)
{
	struct xdptcp_tw_slot *tw = NULL;
	struct xdptcp_flow *flow;
	struct pkt p = {};
	__u32 tw_deadline = 0;
	__u64 now = 0;
	int act;

	/* 1. Ethernet/IPv4/TCP, or the kernel's. */
	act = parse_headers(ctx, &p);
	if (act != PKT_CONTINUE)
		return act;

	/* 2. Ours: a flow, a live TIME-WAIT entry, or a served port, all on
	 * a port of `owned`: one array lookup turns the rest away. */
	if (!port_owned(p.key.lport))
		return pass(XDPTCP_STAT_PASS_NOT_OURS);
	flow = bpf_map_lookup_elem(&flows, &p.key);
	if (!flow) {
		tw = tw_lookup_live(&p.key, &now, &tw_deadline);
		if (!tw && !bpf_map_lookup_elem(&ports, &p.key.lport))
			return pass(XDPTCP_STAT_PASS_NOT_OURS);
	}

	/* 3. Malformed frames of our flows die here. */
	act = check_owned(ctx, &p);
	if (act != PKT_CONTINUE)
		return act;

	/* 4. Fast path, TIME-WAIT, or the control plane's listener. */
	/* last_rx_ns needs no better than tick resolution, and a clock read
	 * costs ~28 ns on kvm-clock against ~2 for the coarse one (same
	 * CLOCK_MONOTONIC timeline, up to one tick behind). TIME-WAIT keeps
	 * the exact clock: its TSval must not go back. */
	if (flow)
		return fast_path(ctx, &p, flow, bpf_ktime_get_coarse_ns());
	if (tw)
		return tw_path(ctx, &p, tw, tw_deadline, now);
	return slow_noslot(ctx, &p, XDPTCP_V_SLOW, XDPTCP_STAT_SLOW_LISTEN);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
