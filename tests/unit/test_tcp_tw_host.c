/* TIME-WAIT entries kept by the host (tcp_ops.tw_*), as the XDP backend
 * keeps them in XDP's table: the engine stores a released TIME-WAIT TCB
 * there and frees it, answers from a copy, writes back a restarted entry,
 * drops a reopened one, and keeps the TCB when the host has no room. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"

#define IRS 777u
#define MSL2 (60 * EH_S)

static struct host {
	int present, refuse;
	struct xdptcp_flow_key key;
	struct xdptcp_tw tw;
	int stores, finds, updates, drops;
} H;

static int h_store(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw)
{
	(void)ctx;
	H.stores++;
	if (H.refuse)
		return -ENOSPC;
	H.present = 1;
	H.key = *key;
	H.tw = *tw;
	return 0;
}

static int h_find(void *ctx, const struct xdptcp_flow_key *key, uint64_t now,
		  struct xdptcp_tw *out)
{
	(void)ctx;
	H.finds++;
	if (!H.present || memcmp(key, &H.key, sizeof(*key)) || H.tw.deadline_ns <= now)
		return 0;
	*out = H.tw;
	return 1;
}

static void h_update(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw)
{
	(void)ctx;
	H.updates++;
	assert_memory_equal(key, &H.key, sizeof(*key));
	H.tw = *tw;
}

static void h_drop(void *ctx, const struct xdptcp_flow_key *key)
{
	(void)ctx;
	H.drops++;
	assert_memory_equal(key, &H.key, sizeof(*key));
	H.present = 0;
}

static const struct tcp_ops host_ops = {
    .tw_store = h_store, .tw_find = h_find, .tw_update = h_update, .tw_drop = h_drop};

/* passive open, close by the app, the peer's ACK and FIN: TIME-WAIT */
static struct tcp_conn *to_timewait(struct eh *h)
{
	struct tcp_conn *c = eh_passive_open(h, IRS, 8192);
	struct tcp_seg f;

	tcp_close(c, h->now);
	EH_EXPECT(eh_pop(h), TCP_ACK | TCP_FIN, h->iss + 1, IRS + 1);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h->iss + 2, 8192);
	eh_input(h, &f);
	EH_EXPECT(eh_pop(h), TCP_ACK, h->iss + 2, IRS + 2);
	return c;
}

static int setup(void **state)
{
	(void)state;
	memset(&H, 0, sizeof(H));
	return 0;
}

static void test_store_frees_the_tcb(void **state)
{
	struct eh h;

	(void)state;
	eh_init_tw_host(&h, NULL, &host_ops);
	to_timewait(&h);
	assert_int_equal(H.stores, 1);
	assert_int_equal(H.tw.snd_nxt, h.iss + 2);
	assert_int_equal(H.tw.rcv_nxt, IRS + 2);
	assert_int_equal(H.tw.deadline_ns, h.now + MSL2);
	assert_int_equal(ntohs(H.key.rport), EH_RPORT);
	assert_int_equal(ntohs(H.key.lport), EH_LPORT);
	/* the TCB went; nothing of it stays in the engine */
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1); /* the listener */
	assert_int_equal(tcp_stack_timewait(h.s), 0);
	assert_int_equal(tcp_stack_stats(h.s)->tw_compacted, 1);
	eh_fini(&h);
}

static void test_fin_again_reacked_and_restarted(void **state)
{
	struct eh h;
	struct tcp_seg f;

	(void)state;
	eh_init_tw_host(&h, NULL, &host_ops);
	to_timewait(&h);
	eh_advance(&h, 10 * EH_S);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &f);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	assert_int_equal(H.updates, 1);
	assert_int_equal(H.tw.deadline_ns, h.now + MSL2); /* 2*MSL from now */
	/* the peer's ACK of our FIN, again: ignored, nothing written */
	f.flags = TCP_ACK;
	f.seq = IRS + 2;
	eh_input(&h, &f);
	assert_null(eh_pop(&h));
	assert_int_equal(H.updates, 1);
	assert_int_equal(tcp_stack_stats(h.s)->tw_reacked, 1);
	eh_fini(&h);
}

static void test_syn_reopens_and_drops(void **state)
{
	struct eh h;
	struct tcp_seg syn;

	(void)state;
	eh_init_tw_host(&h, NULL, &host_ops);
	to_timewait(&h);
	syn = eh_seg(TCP_SYN, IRS + 100000, 0, 8192);
	eh_input(&h, &syn);
	assert_int_equal(H.drops, 1);
	assert_false(H.present);
	/* RFC 6191: the new ISS lies beyond the old incarnation's SND.NXT */
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss + 2 + 65536, IRS + 100001);
	assert_int_equal(tcp_stack_stats(h.s)->tw_reopened, 1);
	eh_fini(&h);
}

static void test_expired_entry_is_absent(void **state)
{
	struct eh h;
	struct tcp_seg f;

	(void)state;
	eh_init_tw_host(&h, NULL, &host_ops);
	to_timewait(&h);
	eh_advance(&h, 61 * EH_S);
	/* no live entry, no TCB, no listener for it: a reset, as for any
	 * segment of no connection (RFC 9293 3.10.7.1) */
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &f);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 2, 0);
	assert_int_equal(H.updates, 0);
	eh_fini(&h);
}

static void test_refused_store_keeps_the_tcb(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	H.refuse = 1;
	eh_init_tw_host(&h, NULL, &host_ops);
	c = to_timewait(&h);
	assert_int_equal(H.stores, 1);
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 0);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	assert_int_equal(tcp_stack_conns(h.s), 2);
	eh_run(&h, 61 * EH_S);
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	eh_fini(&h);
}

static void test_hooks_all_or_none(void **state)
{
	struct tcp_config cfg;
	struct tcp_stack *s = NULL;
	struct tcp_ops ops = host_ops;

	(void)state;
	tcp_config_default(&cfg);
	ops.output = (void (*)(void *, const struct tcp_seg *))1;
	ops.event = (void (*)(void *, struct tcp_conn *, enum tcp_event,
			      const struct tcp_event_info *))1;
	ops.tw_drop = NULL;
	assert_int_equal(tcp_stack_init(&s, &cfg, &ops, 0), -EINVAL);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_store_frees_the_tcb, setup),
	    cmocka_unit_test_setup(test_fin_again_reacked_and_restarted, setup),
	    cmocka_unit_test_setup(test_syn_reopens_and_drops, setup),
	    cmocka_unit_test_setup(test_expired_entry_is_absent, setup),
	    cmocka_unit_test_setup(test_refused_store_keeps_the_tcb, setup),
	    cmocka_unit_test_setup(test_hooks_all_or_none, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
