/* The xdptcp XDP program: the decision tree of DESIGN.md. (Stub: passes
 * everything; the classifier and fast path land with issue 3.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

SEC("xdp")
int xdptcp_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	stat_inc(XDPTCP_STAT_PASS_NOT_IP);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
