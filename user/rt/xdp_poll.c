/* One iteration of the XDP backend, run to completion: receive a batch on
 * every queue and feed it to the engine (app callbacks run inside), absorb
 * the ACKs XDP consumed, run the engine's timers, deliver deferred
 * callbacks, mirror the engine into the slots (fast flag), then send what
 * all of that produced as one TX batch: ACKs the engine decided on while
 * the batch was read go out together (RFC 9293 3.8.6.3 rules are the
 * engine's). */
#include <errno.h>
#include <poll.h>
#include "rt/xdp_rt.h"

#define RT_MAX_QUEUES 64
#define RT_RX_ROUNDS 4 /* batches per queue before the rest of the iteration */

static int wait_ms(const struct rt *rt, int timeout_ms)
{
	uint64_t deadline = rt->next_timer < rt->next_reap ? rt->next_timer : rt->next_reap;
	uint64_t ms;

	if (rt->deferred)
		return 0;
	if (rt->slots.q_len && rt->slots.q_until[rt->slots.q_head] < deadline)
		deadline = rt->slots.q_until[rt->slots.q_head];
	if (deadline <= rt->now)
		return 0;
	ms = (deadline - rt->now + 999999) / 1000000;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < ms)
		return timeout_ms;
	return ms > 60000 ? 60000 : (int)ms;
}

static uint32_t rx_queue(struct rt *rt, uint32_t q)
{
	struct xdptcp_xsk *x = &rt->dev.q[q];
	struct xdptcp_frame f[RT_BATCH];
	uint32_t total = 0, n;

	for (int r = 0; r < RT_RX_ROUNDS; r++) {
		n = xdptcp_xsk_rx(x, f, RT_BATCH);
		for (uint32_t i = 0; i < n; i++)
			rt_rx_frame(rt, q, &f[i]);
		xdptcp_xsk_release(x, f, n);
		total += n;
		if (n < RT_BATCH)
			break;
	}
	return total;
}

/* The kernel's xsk counters and the engine's, into rt_stats (on the
 * reaper's period: a getsockopt per queue). */
static void sample_counters(struct rt *rt)
{
	const struct tcp_stats *es = tcp_stack_stats(rt->st);
	uint64_t dropped = 0, full = 0, empty = 0, inval = 0;

	for (uint32_t q = 0; q < rt->dev.nqueues; q++) {
		struct xdp_statistics st;

		if (xdptcp_xsk_kernel_stats(&rt->dev.q[q], &st))
			continue;
		dropped += st.rx_dropped;
		full += st.rx_ring_full;
		empty += st.rx_fill_ring_empty_descs;
		inval += st.tx_invalid_descs;
	}
	rt->ctr[XDPTCP_RT_XSK_RX_DROPPED] = dropped;
	rt->ctr[XDPTCP_RT_XSK_RX_RING_FULL] = full;
	rt->ctr[XDPTCP_RT_XSK_FILL_EMPTY] = empty;
	rt->ctr[XDPTCP_RT_XSK_TX_INVALID] = inval;
	rt->ctr[XDPTCP_RT_RTO_EXPIRED] = es->rto_expired;
	rt->ctr[XDPTCP_RT_FAST_RETRANSMITS] = es->fast_retransmits;
	rt->ctr[XDPTCP_RT_ENGINE_TCBS] = tcp_stack_conns(rt->st);
}

int rt_poll(struct xdptcp_loop *loop, int timeout_ms)
{
	struct rt *rt = rt_of(loop);
	struct pollfd pfd[RT_MAX_QUEUES];
	uint32_t nq = rt->dev.nqueues < RT_MAX_QUEUES ? rt->dev.nqueues : RT_MAX_QUEUES;
	uint32_t frames = 0;
	bool ready = false;
	int rc;

	if (rt->ntx)
		rt_tx_flush(rt); /* sends made outside the loop */
	rt->now = rt_now();
	/* Under load the RX rings fill while we work (on veth the sender's
	 * CPU runs XDP): a poll() per iteration was a tenth of the control
	 * plane's time with wrk -c64. Sleep only when every ring is empty. */
	for (uint32_t q = 0; q < nq; q++) {
		pfd[q] = (struct pollfd){ .fd = rt->dev.q[q].fd, .events = POLLIN };
		ready |= xdptcp_xsk_rx_ready(&rt->dev.q[q]);
	}
	rc = ready ? 0 : poll(pfd, nq, wait_ms(rt, timeout_ms));
	if (rc < 0 && errno != EINTR)
		return -errno;
	rt->now = rt_now();

	/* What the apps queue while this batch is read goes out at its end,
	 * one segment per connection where it fits (tcp_output_soon) */
	tcp_batch_begin(rt->st);
	for (uint32_t q = 0; q < nq; q++)
		frames += rx_queue(rt, q);
	rt_slotted_walk(rt, rt_sync_in);
	rt_run_deferred(rt);
	/* Drain what came meanwhile right before handing flows to XDP: a
	 * frame still queued when `fast` goes on was not counted in the
	 * slot's rcv_nxt, so the next one would look out of order to XDP
	 * and hand the flow straight back. */
	for (uint32_t q = 0; q < nq; q++) {
		uint32_t n = 1;

		for (int r = 0; r < 8 && n; r++) {
			n = rx_queue(rt, q);
			frames += n;
		}
	}
	tcp_batch_end(rt->st, rt->now);
	/* after the batch's output, so the RTOs it armed count */
	rt->next_timer = tcp_timer(rt->st, rt->now);
	rt_slotted_walk(rt, rt_sync_out);
	rt->ctr[XDPTCP_RT_RETRANSMITS] = rt->retrans_base + tcp_stack_stats(rt->st)->retransmits;
	rt_tx_flush(rt);
	if (rt->now >= rt->next_reap) {
		rt_tw_reap(rt);
		sample_counters(rt);
		rt->next_reap = rt->now + RT_REAP_NS;
	}
	rt_slots_tick(&rt->slots, rt->now);
	return (int)frames;
}
