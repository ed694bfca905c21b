/* Counter ids, one list shared by the XDP program (per-CPU `stats` array)
 * and userspace (`xdptcp stats`). Append only: the id is the array index. */
#ifndef XDPTCP_STATS_H
#define XDPTCP_STATS_H

/* X(id, name, what it counts) */
#define XDPTCP_STATS(X)                                                        \
	/* verdicts */                                                          \
	X(PASS_NOT_IP, "pass_not_ip", "not IPv4: passed to the kernel")          \
	X(PASS_NOT_TCP, "pass_not_tcp", "IPv4 but not TCP: passed")              \
	X(PASS_NOT_OURS, "pass_not_ours", "TCP for a port/flow xdptcp does not own") \
	X(PASS_FRAGMENT, "pass_fragment", "non-first IP fragment: passed")      \
	X(FAST_ACK, "fast_ack", "pure ACK consumed by the fast path")            \
	X(FAST_DUPACK, "fast_dupack", "duplicate ACK counted by the fast path")  \
	X(FAST_ACK_NOTIFY, "fast_ack_notify", "ACK reaching notify_seq, redirected") \
	X(FAST_DATA, "fast_data", "in-order data redirected by the fast path")  \
	X(FAST_DATA_BYTES, "fast_data_bytes", "payload bytes of fast_data")     \
	X(SLOW, "slow", "frames redirected to the control plane (all reasons)") \
	X(TX, "tx", "frames sent back with XDP_TX")                              \
	/* slow-path reasons */                                                 \
	X(SLOW_LISTEN, "slow_listen", "segment for a served port, no flow")     \
	X(SLOW_NOT_FAST, "slow_not_fast", "flow not in the fast path")          \
	X(SLOW_STALE_GEN, "slow_stale_gen", "flow slot generation mismatch")     \
	X(SLOW_FLAGS, "slow_flags", "SYN/FIN/RST/URG on a fast flow")           \
	X(SLOW_OPTIONS, "slow_options", "options the fast path does not handle") \
	X(SLOW_SEQ, "slow_seq", "not in order or beyond the advertised window") \
	X(SLOW_ACK, "slow_ack", "ACK outside SND.UNA..SND.NXT")                  \
	X(SLOW_PAWS, "slow_paws", "timestamp older than TS.Recent")              \
	X(SLOW_DUPACK3, "slow_dupack3", "third duplicate ACK (fast retransmit)") \
	X(SLOW_QUEUE, "slow_queue", "frame on another RX queue than its flow's") \
	X(SLOW_RACE, "slow_race", "lost a compare-and-swap on the TCB")          \
	X(SLOW_ARMING, "slow_arming", "arming flow, frame ahead: up, flow kept") \
	X(SLOW_TW, "slow_tw", "TIME-WAIT segment needing the control plane")     \
	/* TIME-WAIT */                                                         \
	X(TW_REACK, "tw_reack", "TIME-WAIT segment answered with the final ACK") \
	X(TW_FIN, "tw_fin", "retransmitted FIN in TIME-WAIT (deadline restarted)") \
	X(TW_RST_IGNORED, "tw_rst_ignored", "RST in TIME-WAIT ignored (RFC 1337)") \
	X(TW_ACK_IGNORED, "tw_ack_ignored", "acceptable ACK in TIME-WAIT dropped") \
	X(TW_SYN, "tw_syn", "acceptable new SYN in TIME-WAIT to the slow path")  \
	X(TW_EXPIRED, "tw_expired", "TIME-WAIT entry found past its deadline")   \
	/* malformed frames: dropped */                                         \
	X(DROP_ETH_TRUNC, "drop_eth_trunc", "frame shorter than an Ethernet header") \
	X(DROP_IP_TRUNC, "drop_ip_trunc", "frame shorter than the IPv4 header") \
	X(DROP_IP_HDR, "drop_ip_hdr", "IPv4 version != 4 or IHL < 5")            \
	X(DROP_IP_LEN, "drop_ip_len", "IPv4 total length beyond the frame or too short") \
	X(DROP_IP_CSUM, "drop_ip_csum", "bad IPv4 header checksum")              \
	X(DROP_FRAGMENT, "drop_fragment", "first fragment of an owned flow")     \
	X(DROP_TCP_TRUNC, "drop_tcp_trunc", "frame shorter than a TCP header")   \
	X(DROP_TCP_DOFF, "drop_tcp_doff", "TCP data offset < 5 or past the end") \
	X(DROP_TCP_OPT, "drop_tcp_opt", "TCP option running past the header")   \
	X(DROP_TCP_CSUM, "drop_tcp_csum", "bad TCP checksum")                    \
	X(DROP_TCP_FLAGS, "drop_tcp_flags", "impossible flag combination")      \
	X(DROP_NO_ROOM, "drop_no_room", "no headroom for metadata or reply")     \
	X(DROP_BAD_SLOT, "drop_bad_slot", "flow points past the TCB array")

enum xdptcp_stat {
#define XDPTCP_STAT_ENUM(id, name, help) XDPTCP_STAT_##id,
	XDPTCP_STATS(XDPTCP_STAT_ENUM)
#undef XDPTCP_STAT_ENUM
	XDPTCP_STAT_MAX
};

#if !defined(__bpf__)
static inline const char *xdptcp_stat_name(unsigned int id)
{
	static const char *const names[] = {
#define XDPTCP_STAT_NAME(id, name, help) name,
		XDPTCP_STATS(XDPTCP_STAT_NAME)
#undef XDPTCP_STAT_NAME
	};
	return id < XDPTCP_STAT_MAX ? names[id] : "unknown";
}

static inline const char *xdptcp_stat_help(unsigned int id)
{
	static const char *const help[] = {
#define XDPTCP_STAT_HELP(id, name, h) h,
		XDPTCP_STATS(XDPTCP_STAT_HELP)
#undef XDPTCP_STAT_HELP
	};
	return id < XDPTCP_STAT_MAX ? help[id] : "";
}
#endif

#endif
