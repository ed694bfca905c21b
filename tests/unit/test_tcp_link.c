/* Two engines back to back through a simulated link (seeded loss,
 * duplication, reordering, delay): 0 B, 1 B, 1 MSS, 100 KB and 1 MB each
 * way, closed client first, server first and simultaneously. Delivery must
 * be byte-exact and every TCB freed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_link.h"

#define MS 1000000ull
#define S 1000000000ull
#define MSS_TS (1460 - 12) /* one full segment with timestamps */

static const struct link_cfg clean = {.seed = 1, .delay_ns = MS};
static const char *const order_name[] = {"client-first", "server-first", "simultaneous"};

static void check_transfer_cfg(const struct link_cfg *cfg, const struct tcp_config *tcfg,
			       size_t c2s, size_t s2c, enum link_close order)
{
	struct link L;
	int rc;

	link_init(&L, cfg, tcfg, c2s, s2c, order);
	rc = link_run(&L, 7200 * S); /* heavy loss: RTO backs off to 60 s */
	if (rc)
		print_error("seed %llu %s %zu/%zu: not finished: client closed %d rx %zu/%zu, "
			    "server closed %d rx %zu/%zu, conns %zu/%zu\n",
			    (unsigned long long)cfg->seed, order_name[order], c2s, s2c,
			    L.app[0].closed, L.app[0].rx_len, s2c, L.app[1].closed, L.app[1].rx_len,
			    c2s, tcp_stack_conns(L.st[0]), tcp_stack_conns(L.st[1]));
	assert_int_equal(rc, 0);
	for (int i = 0; i < 2; i++) {
		const struct tcp_stats *st = tcp_stack_stats(L.st[i]);
		struct link_app *a = &L.app[i];

		assert_false(a->reset);
		assert_true(a->connected);
		assert_true(a->closed);
		assert_int_equal(a->rx_len, a->rx_cap);
		for (size_t k = 0; k < a->rx_len; k++)
			if (a->rx[k] != link_pattern(!i, k)) {
				print_error("side %d byte %zu differs\n", i, k);
				fail();
			}
		/* every TCB allocated was freed */
		assert_int_equal(tcp_stack_conns(L.st[i]), 0);
		assert_int_equal(st->conns_alloc, st->conns_freed);
	}
	/* exactly one side (or both, when simultaneous) did TIME-WAIT */
	assert_true(L.app[0].timewait + L.app[1].timewait >= 1);
	if (!cfg->loss_pm && !cfg->reorder_pm && !cfg->jitter_ns) {
		if (order == LINK_CLIENT_FIRST) {
			assert_int_equal(L.app[0].timewait, 1);
			assert_int_equal(L.app[1].timewait, 0);
			assert_true(L.app[1].states_seen & (1u << XDPTCP_LAST_ACK));
		} else if (order == LINK_SERVER_FIRST) {
			assert_int_equal(L.app[0].timewait, 0);
			assert_int_equal(L.app[1].timewait, 1);
			assert_true(L.app[0].states_seen & (1u << XDPTCP_LAST_ACK));
		} else if (c2s == s2c && c2s <= 1) {
			/* the FINs cross (table 155). Output waits for the end
			 * of the batch, so the client's data and FIN carry the
			 * handshake's ACK: the server, shutting down as it
			 * accepts, is in FIN-WAIT-1 when that FIN arrives and
			 * goes through CLOSING; the client gets the server's
			 * FIN with the ACK of its own and goes straight on. */
			assert_true(L.app[1].states_seen & (1u << XDPTCP_CLOSING));
			assert_true((L.app[0].states_seen | L.app[1].states_seen) &
				    (1u << XDPTCP_FIN_WAIT_1));
			assert_int_equal(L.app[0].timewait, 1);
			assert_int_equal(L.app[1].timewait, 1);
		}
	}
	link_fini(&L);
}

static void check_transfer(const struct link_cfg *cfg, size_t c2s, size_t s2c,
			   enum link_close order)
{
	check_transfer_cfg(cfg, NULL, c2s, s2c, order);
}

static void run_size(size_t n)
{
	struct link_cfg lossy = {
	    .loss_pm = 30,
	    .dup_pm = 20,
	    .reorder_pm = 50,
	    .delay_ns = 2 * MS,
	    .jitter_ns = MS,
	    .reorder_ns = 5 * MS,
	};

	for (int o = 0; o < 3; o++) {
		check_transfer(&clean, n, n, (enum link_close)o);
		/* asymmetric: only one direction carries data */
		check_transfer(&clean, n, 0, (enum link_close)o);
		for (uint64_t seed = 1; seed <= 3; seed++) {
			lossy.seed = seed * 7919 + n;
			check_transfer(&lossy, n, n, (enum link_close)o);
		}
	}
}

static void test_link_0(void **state)
{
	(void)state;
	run_size(0);
}

static void test_link_1(void **state)
{
	(void)state;
	run_size(1);
}

static void test_link_1mss(void **state)
{
	(void)state;
	run_size(MSS_TS);
}

static void test_link_100k(void **state)
{
	(void)state;
	run_size(100 * 1000);
}

static void test_link_1m(void **state)
{
	(void)state;
	run_size(1000 * 1000);
}

/* Heavy loss on a small transfer: retransmission of SYN, FIN and data */
static void test_link_heavy_loss(void **state)
{
	struct link_cfg bad = {
	    .loss_pm = 200,
	    .dup_pm = 100,
	    .reorder_pm = 200,
	    .delay_ns = 5 * MS,
	    .jitter_ns = 3 * MS,
	    .reorder_ns = 20 * MS,
	};

	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		bad.seed = seed;
		check_transfer(&bad, 20000, 5000, (enum link_close)(seed % 3));
	}
}

/* Both ISNs a few KB below 2^32: the transfer crosses the wrap */
static void test_link_sequence_wrap(void **state)
{
	struct link_cfg cfg = {.seed = 5, .delay_ns = MS, .isn_near_wrap = 30000};
	struct link_cfg lossy = {
	    .seed = 6,
	    .loss_pm = 30,
	    .dup_pm = 20,
	    .reorder_pm = 50,
	    .delay_ns = 2 * MS,
	    .jitter_ns = MS,
	    .reorder_ns = 5 * MS,
	    .isn_near_wrap = 30000,
	};

	(void)state;
	for (int o = 0; o < 3; o++) {
		check_transfer(&cfg, 100000, 100000, (enum link_close)o);
		check_transfer(&lossy, 100000, 100000, (enum link_close)o);
	}
}

/* A peer without window scaling and timestamps: RTT by timing segments,
 * 64 KB windows */
static void test_link_no_options(void **state)
{
	struct link_cfg cfg = {.seed = 9, .delay_ns = MS, .server_plain = 1};
	struct link_cfg lossy = {
	    .seed = 10,
	    .loss_pm = 30,
	    .dup_pm = 20,
	    .reorder_pm = 50,
	    .delay_ns = 2 * MS,
	    .jitter_ns = MS,
	    .reorder_ns = 5 * MS,
	    .server_plain = 1,
	};

	(void)state;
	for (int o = 0; o < 3; o++) {
		check_transfer(&cfg, 300000, 300000, (enum link_close)o);
		check_transfer(&lossy, 300000, 300000, (enum link_close)o);
	}
}

/* A sweep of mixed links, sizes, buffers, readers and close orders. It
 * found two ACK wars (pure ACKs must carry SND.MAX after a timeout, but not
 * past the offered edge) and a send beyond the window (WRITABLE before the
 * window update). */
static void test_link_mixed_scenarios(void **state)
{
	static const size_t sizes[] = {0, 1, MSS_TS, 5000, 70000, 300000};

	(void)state;
	for (unsigned k = 1; k <= 160; k++) {
		struct tcp_config t;
		struct link_cfg c = {
		    .seed = (uint64_t)k * 1000003,
		    .loss_pm = (k % 5) * 60,
		    .dup_pm = (k % 3) * 50,
		    .reorder_pm = (k % 4) * 80,
		    .delay_ns = MS + (k % 7) * MS,
		    .jitter_ns = (k % 3) * 2 * MS,
		    .reorder_ns = 10 * MS,
		    .isn_near_wrap = (k % 2) ? 5000 : 0,
		    .server_plain = (k % 6) == 0,
		    /* slow readers and small buffers now and then */
		    .read_chunk = (k % 4 == 0) ? 2000 : 0,
		    .read_every_ns = 20 * MS,
		};

		tcp_config_default(&t);
		t.rto_min_ns = 200 * MS;
		if (k % 8 == 0)
			t.sndbuf = t.rcvbuf = 16384;
		check_transfer_cfg(&c, &t, sizes[k % 6], sizes[(k / 6) % 6],
				   (enum link_close)(k % 3));
	}
}

/* Slow readers and small buffers: windows close, persist probes run,
 * window updates reopen them */
static void test_link_slow_reader(void **state)
{
	struct tcp_config t;
	struct link_cfg cfg = {
	    .seed = 21,
	    .delay_ns = MS,
	    .read_chunk = 3000,
	    .read_every_ns = 50 * MS,
	};

	(void)state;
	tcp_config_default(&t);
	t.rto_min_ns = 200 * MS;
	t.sndbuf = t.rcvbuf = 16384;
	for (int o = 0; o < 3; o++) {
		cfg.loss_pm = cfg.dup_pm = cfg.reorder_pm = 0;
		cfg.jitter_ns = cfg.reorder_ns = 0;
		check_transfer_cfg(&cfg, &t, 200000, 200000, (enum link_close)o);
		cfg.loss_pm = 50;
		cfg.dup_pm = 20;
		cfg.reorder_pm = 50;
		cfg.jitter_ns = MS;
		cfg.reorder_ns = 5 * MS;
		check_transfer_cfg(&cfg, &t, 200000, 50000, (enum link_close)o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_0),
	    cmocka_unit_test(test_link_1),
	    cmocka_unit_test(test_link_1mss),
	    cmocka_unit_test(test_link_100k),
	    cmocka_unit_test(test_link_1m),
	    cmocka_unit_test(test_link_heavy_loss),
	    cmocka_unit_test(test_link_sequence_wrap),
	    cmocka_unit_test(test_link_no_options),
	    cmocka_unit_test(test_link_mixed_scenarios),
	    cmocka_unit_test(test_link_slow_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
