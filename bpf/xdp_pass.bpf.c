/* A trivial XDP_PASS program for the kernel-side end of the lab's veth pair.
 * XDP_TX frames from the server end are dropped silently unless the peer
 * veth runs NAPI, which it does only while an XDP program is attached
 * (DESIGN.md, "Lab and environment facts"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
