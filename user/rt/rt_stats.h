/* Counters of the XDP backend's control plane, kept in an mmapable BPF
 * array (key u32 id, value u64) that `serve` creates and pins as
 * <pin dir>/rt_stats next to the XDP program's maps, so `xdptcp stats`
 * reads them from another process and detach removes them with the rest.
 * Single writer (the loop thread): plain increments through the mmap. */
#ifndef XDPTCP_RT_STATS_H
#define XDPTCP_RT_STATS_H

#include <stdint.h>

#define XDPTCP_RT_STATS_PIN "rt_stats"

/* X(id, name, what it counts); append only */
#define XDPTCP_RT_STATS(X)                                                          \
	X(RX_FRAMES, "rt_rx_frames", "frames the control plane received (all queues)") \
	X(RX_FAST_DATA, "rt_rx_fast_data", "received with the FAST_DATA verdict")        \
	X(RX_ACK_NOTIFY, "rt_rx_ack_notify", "received with the ACK_NOTIFY verdict")     \
	X(RX_SLOW, "rt_rx_slow", "received with a SLOW or TW_SYN verdict")               \
	X(RX_HANDOFF, "rt_rx_handoff", "frames that handed a fast flow back")            \
	X(RX_NO_META, "rt_rx_no_meta", "frames without xdptcp metadata (dropped)")       \
	X(RX_BAD, "rt_rx_bad", "not Ethernet/IPv4/TCP or malformed (dropped)")           \
	X(RX_CSUM_DROP, "rt_rx_csum_drop", "bad IPv4 or TCP checksum (dropped)")         \
	X(TX_FRAMES, "rt_tx_frames", "frames the control plane sent")                   \
	X(TX_DROP_NO_FRAME, "rt_tx_drop_no_frame", "segments dropped: no free TX frame")   \
	X(TX_DROP_NO_MAC, "rt_tx_drop_no_mac", "segments dropped: peer MAC unknown")     \
	X(SYNC_ACKS, "rt_sync_acks", "ACKs synthesized from what XDP consumed")           \
	X(FAST_ON, "rt_fast_on", "times a flow was handed to the fast path")             \
	X(FAST_OFF, "rt_fast_off", "times the control plane took a flow back")           \
	X(FAST_REARM, "rt_fast_rearm", "arming flows refreshed before XDP took them")  \
	X(CONNS_OPENED, "rt_conns_opened", "connections established")                   \
	X(CONNS_CLOSED, "rt_conns_closed", "connections freed")                         \
	X(CONNS_RESET, "rt_conns_reset", "connections ended by a reset or give-up")      \
	X(RETRANSMITS, "rt_retransmits", "segments retransmitted (engine)")             \
	X(TW_INSERTED, "rt_tw_inserted", "TIME-WAIT entries handed to XDP")              \
	X(TW_REAPED, "rt_tw_reaped", "expired TIME-WAIT entries removed")               \
	X(STALE_FLOWS, "rt_stale_flows", "flows of a crashed control plane removed")      \
	X(SLOTS_EXHAUSTED, "rt_slots_exhausted", "connections without a TCB slot (no fast path)") \
	X(XSK_RX_DROPPED, "rt_xsk_rx_dropped", "kernel: frames dropped for the xsks (all reasons)") \
	X(XSK_RX_RING_FULL, "rt_xsk_rx_ring_full", "kernel: dropped, RX ring full")      \
	X(XSK_FILL_EMPTY, "rt_xsk_fill_empty", "kernel: fill ring found empty")          \
	X(XSK_TX_INVALID, "rt_xsk_tx_invalid", "kernel: TX descriptors refused")         \
	X(RTO_EXPIRED, "rt_rto_expired", "retransmission timeouts (engine)")             \
	X(FAST_RETRANSMITS, "rt_fast_retransmits", "fast retransmits (engine)")          \
	X(TW_REOPENED, "rt_tw_reopened", "TIME-WAIT entries dropped for a new SYN (RFC 6191)") \
	X(ENGINE_TCBS, "rt_engine_tcbs", "gauge: whole TCBs the engine holds (listeners included)") \
	X(TW_FULL, "rt_tw_full", "TIME-WAIT entries XDP's table had no room for")        \
	X(SLOW_STATE, "rt_slow_state", "iterations a flow stayed slow: not ESTABLISHED")  \
	X(SLOW_FIN, "rt_slow_fin", "iterations a flow stayed slow: a FIN queued, sent or received") \
	X(SLOW_RECOVERY, "rt_slow_recovery", "iterations a flow stayed slow: loss recovery, dupacks") \
	X(SLOW_OOO, "rt_slow_ooo", "iterations a flow stayed slow: data out of order held")  \
	X(SLOW_RETRANSMIT, "rt_slow_retransmit", "iterations a flow stayed slow: SND.NXT behind SND.MAX") \
	X(SLOW_SND_WND, "rt_slow_snd_wnd", "iterations a flow stayed slow: peer's window zero, or persist") \
	X(SLOW_RCV_WND, "rt_slow_rcv_wnd", "iterations a flow stayed slow: our receive window closed")

enum xdptcp_rt_stat {
#define XDPTCP_RT_STAT_ENUM(id, name, help) XDPTCP_RT_##id,
	XDPTCP_RT_STATS(XDPTCP_RT_STAT_ENUM)
#undef XDPTCP_RT_STAT_ENUM
	XDPTCP_RT_STAT_MAX
};

const char *xdptcp_rt_stat_name(unsigned int id);
const char *xdptcp_rt_stat_help(unsigned int id);

/* Creates (or reopens) and pins <pin_dir>/rt_stats and maps it; *out points
 * to XDPTCP_RT_STAT_MAX counters. Returns the map fd or a negative errno. */
int xdptcp_rt_stats_create(const char *pin_dir, uint64_t **out);
void xdptcp_rt_stats_destroy(int fd, uint64_t *counters);

/* For `xdptcp stats`: reads the pinned counters into out[0..n); returns
 * how many were read (0 when serve never pinned them) or a negative errno. */
int xdptcp_rt_stats_read(const char *pin_dir, uint64_t *out, unsigned int n);

#endif
