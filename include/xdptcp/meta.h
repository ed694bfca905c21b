/* Per-frame metadata the XDP program writes in front of a redirected frame
 * (bpf_xdp_adjust_meta); the control plane reads it from the UMEM frame,
 * where copy mode places it right before the packet. The kernel wants a
 * multiple of 4; we keep it within 32 bytes (one slot of older kernels'
 * limit, and cheap to copy). */
#ifndef XDPTCP_META_H
#define XDPTCP_META_H

#include <linux/types.h>

#define XDPTCP_META_MAGIC 0x78647470u /* "xdtp": frames without it are not ours */

enum xdptcp_verdict {
	XDPTCP_V_NONE = 0,
	XDPTCP_V_SLOW,       /* everything the control plane decides */
	XDPTCP_V_FAST_DATA,  /* in-order data; XDP advanced rcv_nxt */
	XDPTCP_V_ACK_NOTIFY, /* an ACK XDP applied that reached notify_seq */
	XDPTCP_V_TW_SYN,     /* acceptable SYN for a TIME-WAIT flow (RFC 6191) */
};

/* xdptcp_meta.flags */
#define XDPTCP_META_HANDOFF 0x01 /* XDP cleared `fast`: userspace owns the slot */
#define XDPTCP_META_HAS_SLOT 0x02 /* slot/generation are valid */

struct xdptcp_meta {
	__u32 magic;
	__u32 slot;
	__u32 generation;
	__u16 payload_off; /* TCP payload offset from the Ethernet header */
	__u16 payload_len;
	__u8 verdict;      /* enum xdptcp_verdict */
	__u8 flags;        /* XDPTCP_META_* */
	__u16 reason;      /* enum xdptcp_stat explaining a slow verdict */
	__u32 rcv_nxt;     /* rcv_nxt after this frame (FAST_DATA) */
};

_Static_assert(sizeof(struct xdptcp_meta) <= 32 && sizeof(struct xdptcp_meta) % 4 == 0,
	       "AF_XDP metadata: <= 32 bytes, multiple of 4");

#endif
