/* `xdptcp conns` without root: rows from map values, the generation check,
 * TIME-WAIT time left and expiry, the filter, ordering and duplicates, the
 * text table and the JSON object (exact bytes), and argument parsing. The
 * Makefile links user/cli only into the binary, so its files are compiled
 * into this test directly (as tests/unit/test_cli.c does). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli/args.c"
#include "cli/conns_fmt.c"
#include "cli/cmd_conns.c"
#include "cli/libbpf_log.c"

#define MS 1000000ull
#define NOW (1000 * 1000 * MS) /* 1000 s of CLOCK_MONOTONIC */

static char err[256];

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(a, ...) cli_parse_conns(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a), err, sizeof(err))

static struct xdptcp_flow_key key(const char *raddr, unsigned rport, const char *laddr,
				  unsigned lport)
{
	struct xdptcp_flow_key k = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, raddr, &k.raddr), 1);
	assert_int_equal(inet_pton(AF_INET, laddr, &k.laddr), 1);
	k.rport = htons((uint16_t)rport);
	k.lport = htons((uint16_t)lport);
	return k;
}

static struct xdptcp_tcb tcb(uint32_t gen, uint8_t state, uint8_t fast, uint32_t una, uint32_t nxt,
			     uint32_t rcv)
{
	return (struct xdptcp_tcb){ .generation = gen,
				    .state = state,
				    .fast = fast,
				    .snd_una = una,
				    .snd_nxt = nxt,
				    .rcv_nxt = rcv };
}

static const struct conns_filter every = { .all = false, .state = -1 };

/* The output of fn(t) as a malloc'd string. */
static char *text_of(const struct conns_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conns_print_text(f, t);
	fclose(f);
	return buf;
}

static char *json_of(const char *dev, const char *dir, const struct conns_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conns_print_json(f, dev, dir, t);
	fclose(f);
	return buf;
}

static void test_flow_row_from_slot(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key k = key("10.0.0.2", 40001, "10.0.0.1", 8080);
	struct xdptcp_flow fl = { .slot = 7, .generation = 3 };
	struct xdptcp_tcb s = tcb(3, XDPTCP_ESTABLISHED, 1, 100, 200, 300);

	(void)state;
	assert_int_equal(conns_add_flow(&t, &k, &fl, &s), 0);
	conns_finish(&t, &every);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.hidden, 0);
	assert_int_equal(t.rows[0].kind, CONNS_FLOW);
	assert_int_equal(t.rows[0].state, XDPTCP_ESTABLISHED);
	assert_true(t.rows[0].fast);
	assert_false(t.rows[0].stale);
	assert_int_equal(t.rows[0].slot, 7);
	assert_int_equal(t.rows[0].snd_una, 100);
	assert_int_equal(t.rows[0].snd_nxt, 200);
	assert_int_equal(t.rows[0].rcv_nxt, 300);
	assert_memory_equal(&t.rows[0].key, &k, sizeof(k));
	conns_free(&t);
}

/* tcb.fast 2 (handed over, XDP has not taken it yet) is not "fast":
 * the text table says "arm", JSON has "fast": false, "arming": true. */
static void test_arming_row(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key k = key("10.0.0.2", 40001, "10.0.0.1", 8080);
	struct xdptcp_flow fl = { .slot = 7, .generation = 3 };
	struct xdptcp_tcb s = tcb(3, XDPTCP_ESTABLISHED, XDPTCP_FAST_ARMING, 100, 200, 300);
	char *out;

	(void)state;
	assert_int_equal(conns_add_flow(&t, &k, &fl, &s), 0);
	conns_finish(&t, &every);
	assert_false(t.rows[0].fast);
	assert_true(t.rows[0].arming);
	out = text_of(&t);
	assert_non_null(strstr(out, " ESTABLISHED  arm "));
	free(out);
	out = json_of("d", "/p", &t);
	assert_non_null(strstr(out, "\"fast\": false, \"arming\": true,"));
	free(out);
	conns_free(&t);
}

/* DESIGN.md: XDP ignores a slot whose generation differs; so does conns,
 * unless --all, and then it shows nothing of the other connection's slot. */
static void test_generation_mismatch_is_stale(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key k1 = key("10.0.0.2", 1, "10.0.0.1", 80);
	struct xdptcp_flow_key k2 = key("10.0.0.2", 2, "10.0.0.1", 80);
	struct xdptcp_flow fl = { .slot = 1, .generation = 4 };
	struct xdptcp_tcb s = tcb(5, XDPTCP_ESTABLISHED, 1, 100, 200, 300);
	struct conns_filter all = { .all = true, .state = -1 };

	(void)state;
	assert_int_equal(conns_add_flow(&t, &k1, &fl, &s), 0);
	assert_int_equal(conns_add_flow(&t, &k2, &fl, NULL), 0); /* slot out of range */
	conns_finish(&t, &every);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.hidden, 2);
	conns_free(&t);

	assert_int_equal(conns_add_flow(&t, &k1, &fl, &s), 0);
	assert_int_equal(conns_add_flow(&t, &k2, &fl, NULL), 0);
	conns_finish(&t, &all);
	assert_int_equal(t.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(t.rows[i].stale);
		assert_int_equal(t.rows[i].state, XDPTCP_CLOSED);
		assert_false(t.rows[i].fast);
		assert_int_equal(t.rows[i].snd_nxt, 0);
	}
	conns_free(&t);
}

static void test_timewait_time_left_and_expiry(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key k1 = key("10.0.0.2", 1, "10.0.0.1", 80);
	struct xdptcp_flow_key k2 = key("10.0.0.2", 2, "10.0.0.1", 80);
	struct xdptcp_flow_key k3 = key("10.0.0.2", 3, "10.0.0.1", 80);
	struct xdptcp_tw live = { .deadline_ns = NOW + 2500 * MS + 999999,
				  .snd_nxt = 11,
				  .rcv_nxt = 22 };
	struct xdptcp_tw at_now = { .deadline_ns = NOW };
	struct xdptcp_tw old = { .deadline_ns = NOW - 1500 * MS };
	struct conns_filter all = { .all = true, .state = -1 };

	(void)state;
	assert_int_equal(conns_add_tw(&t, &k1, &live, NOW), 0);
	assert_int_equal(conns_add_tw(&t, &k2, &at_now, NOW), 0);
	assert_int_equal(conns_add_tw(&t, &k3, &old, NOW), 0);
	conns_finish(&t, &all);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.rows[0].state, XDPTCP_TIME_WAIT);
	assert_int_equal(t.rows[0].kind, CONNS_TW);
	assert_false(t.rows[0].expired);
	assert_int_equal(t.rows[0].ms_left, 2500); /* whole ms, rounded down */
	assert_int_equal(t.rows[0].snd_nxt, 11);
	assert_int_equal(t.rows[0].rcv_nxt, 22);
	/* deadline == now is absent for XDP (timewait.bpf.h: deadline <= now) */
	assert_true(t.rows[1].expired);
	assert_int_equal(t.rows[1].ms_left, 0);
	assert_true(t.rows[2].expired);
	assert_int_equal(t.rows[2].ms_left, -1500);
	conns_free(&t);

	assert_int_equal(conns_add_tw(&t, &k1, &live, NOW), 0);
	assert_int_equal(conns_add_tw(&t, &k2, &at_now, NOW), 0);
	assert_int_equal(conns_add_tw(&t, &k3, &old, NOW), 0);
	conns_finish(&t, &every);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.hidden, 2);
	assert_int_equal(ntohs(t.rows[0].key.rport), 1);
	conns_free(&t);
}

/* Ordered by local port, local address, remote address, remote port (as
 * numbers, not bytes), flows before TIME-WAIT; a key seen twice by a hash
 * walk is listed once. */
static void test_order_and_duplicates(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key ks[] = {
		key("10.0.0.9", 5, "10.0.0.1", 8080), key("10.0.0.2", 300, "10.0.0.1", 80),
		key("10.0.0.2", 20, "10.0.0.1", 80),  key("9.0.0.200", 1, "10.0.0.1", 80),
		key("10.0.0.2", 20, "10.0.0.1", 80),
	};
	struct xdptcp_flow fl = { .slot = 0, .generation = 1 };
	struct xdptcp_tcb s = tcb(1, XDPTCP_FIN_WAIT_1, 0, 1, 2, 3);
	struct xdptcp_tw tw = { .deadline_ns = NOW + 10 * MS };

	(void)state;
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		assert_int_equal(conns_add_flow(&t, &ks[i], &fl, &s), 0);
	assert_int_equal(conns_add_tw(&t, &ks[2], &tw, NOW), 0); /* same key, other map */
	conns_finish(&t, &every);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.rows[0].key.raddr, ks[3].raddr);
	assert_int_equal(ntohs(t.rows[1].key.rport), 20);
	assert_int_equal(t.rows[1].kind, CONNS_FLOW);
	assert_int_equal(ntohs(t.rows[2].key.rport), 20);
	assert_int_equal(t.rows[2].kind, CONNS_TW);
	assert_int_equal(ntohs(t.rows[3].key.rport), 300);
	assert_int_equal(ntohs(t.rows[4].key.lport), 8080);
	conns_free(&t);
}

static void test_state_filter(void **state)
{
	struct conns_table t = { 0 };
	struct xdptcp_flow_key k1 = key("10.0.0.2", 1, "10.0.0.1", 80);
	struct xdptcp_flow_key k2 = key("10.0.0.2", 2, "10.0.0.1", 80);
	struct xdptcp_flow fl = { .slot = 0, .generation = 1 };
	struct xdptcp_tcb s = tcb(1, XDPTCP_CLOSING, 0, 1, 2, 3);
	struct xdptcp_tw tw = { .deadline_ns = NOW + 10 * MS };
	struct conns_filter only_tw = { .all = false, .state = XDPTCP_TIME_WAIT };

	(void)state;
	assert_int_equal(conns_add_flow(&t, &k1, &fl, &s), 0);
	assert_int_equal(conns_add_tw(&t, &k2, &tw, NOW), 0);
	conns_finish(&t, &only_tw);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.hidden, 1);
	assert_int_equal(t.rows[0].kind, CONNS_TW);
	conns_free(&t);
}

static void test_parse_state(void **state)
{
	(void)state;
	assert_int_equal(conns_parse_state("TIME-WAIT"), XDPTCP_TIME_WAIT);
	assert_int_equal(conns_parse_state("time_wait"), XDPTCP_TIME_WAIT);
	assert_int_equal(conns_parse_state("established"), XDPTCP_ESTABLISHED);
	assert_int_equal(conns_parse_state("Fin-Wait-1"), XDPTCP_FIN_WAIT_1);
	assert_int_equal(conns_parse_state("CLOSED"), XDPTCP_CLOSED);
	assert_int_equal(conns_parse_state("CLOSE"), -1);
	assert_int_equal(conns_parse_state("TIME-WAITS"), -1);
	assert_int_equal(conns_parse_state(""), -1);
	assert_int_equal(conns_parse_state("UNKNOWN"), -1);
}

static void fill_sample(struct conns_table *t)
{
	struct xdptcp_flow_key k1 = key("10.77.5.2", 40001, "10.77.5.1", 8080);
	struct xdptcp_flow_key k2 = key("10.77.5.2", 40002, "10.77.5.1", 8080);
	struct xdptcp_flow_key k3 = key("10.77.5.2", 40003, "10.77.5.1", 8080);
	struct xdptcp_flow fl = { .slot = 12, .generation = 2 };
	struct xdptcp_flow fl3 = { .slot = 13, .generation = 9 };
	struct xdptcp_tcb s = tcb(2, XDPTCP_ESTABLISHED, 1, 4294967295u, 5, 77);
	struct xdptcp_tw tw = { .deadline_ns = NOW + 59999 * MS,
				.snd_nxt = 1000001,
				.rcv_nxt = 2000001 };

	assert_int_equal(conns_add_flow(t, &k1, &fl, &s), 0);
	assert_int_equal(conns_add_tw(t, &k2, &tw, NOW), 0);
	assert_int_equal(conns_add_flow(t, &k3, &fl3, &s), 0); /* stale */
}

static void test_text_table(void **state)
{
	struct conns_table t = { 0 };
	struct conns_filter all = { .all = true, .state = -1 };
	char *out;

	(void)state;
	fill_sample(&t);
	conns_finish(&t, &every);
	out = text_of(&t);
	assert_string_equal(out, "Local                 Peer                  State        Fast  "
				 "Slot     SndUna     SndNxt     RcvNxt Timer\n"
				 "10.77.5.1:8080        10.77.5.2:40001       ESTABLISHED  yes     "
				 "12 4294967295          5         77\n"
				 "10.77.5.1:8080        10.77.5.2:40002       TIME-WAIT    -       "
				 " -          -    1000001    2000001 59999 ms\n"
				 "2 connections (1 in TIME-WAIT), 1 not shown\n");
	free(out);
	conns_free(&t);

	fill_sample(&t);
	conns_finish(&t, &all);
	out = text_of(&t);
	assert_non_null(
		strstr(out, "\n10.77.5.1:8080        10.77.5.2:40003       CLOSED       -       13 "
			    "         -          -          - stale (generation 9)\n"));
	assert_non_null(strstr(out, "3 connections (1 in TIME-WAIT)\n"));
	free(out);
	conns_free(&t);

	out = text_of(&t); /* empty */
	assert_non_null(strstr(out, "Timer\n0 connections (0 in TIME-WAIT)\n"));
	free(out);
}

static void test_json_object(void **state)
{
	struct conns_table t = { 0 };
	char *out;

	(void)state;
	fill_sample(&t);
	conns_finish(&t, &every);
	out = json_of("srv0", "/run/x\"y\\z\n", &t);
	assert_string_equal(
		out, "{\"dev\": \"srv0\", \"pin_dir\": \"/run/x\\\"y\\\\z\\u000a\", \"hidden\": 1, "
		     "\"connections\": ["
		     "{\"local_addr\": \"10.77.5.1\", \"local_port\": 8080, \"remote_addr\": "
		     "\"10.77.5.2\", \"remote_port\": 40001, \"state\": \"ESTABLISHED\", "
		     "\"timewait\": false, \"fast\": true, \"arming\": false, \"slot\": 12, \"generation\": 2, "
		     "\"stale\": false, \"snd_una\": 4294967295, \"snd_nxt\": 5, \"rcv_nxt\": 77}, "
		     "{\"local_addr\": \"10.77.5.1\", \"local_port\": 8080, \"remote_addr\": "
		     "\"10.77.5.2\", \"remote_port\": 40002, \"state\": \"TIME-WAIT\", "
		     "\"timewait\": true, \"ms_left\": 59999, \"expired\": false, "
		     "\"snd_nxt\": 1000001, \"rcv_nxt\": 2000001}]}\n");
	free(out);
	conns_free(&t);

	out = json_of("eth0", "/d", &t);
	assert_string_equal(out, "{\"dev\": \"eth0\", \"pin_dir\": \"/d\", \"hidden\": 0, "
				 "\"connections\": []}\n");
	free(out);
}

static void test_args(void **state)
{
	struct cli_conns_args a;

	(void)state;
	assert_int_equal(PARSE(&a, "conns", "--dev", "srv0"), 0);
	assert_string_equal(a.target.ifname, "srv0");
	assert_false(a.json);
	assert_false(a.filter.all);
	assert_int_equal(a.filter.state, -1);

	assert_int_equal(PARSE(&a, "conns", "--dev=srv0", "--json", "-a", "--state", "time-wait",
			       "--bpffs", "/run/xdptcp/bpffs"),
			 0);
	assert_true(a.json);
	assert_true(a.filter.all);
	assert_int_equal(a.filter.state, XDPTCP_TIME_WAIT);
	assert_string_equal(a.target.bpffs, "/run/xdptcp/bpffs");

	assert_int_equal(PARSE(&a, "conns", "--dev", "srv0", "--state", "SLEEPING"),
			 CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "unknown state 'SLEEPING'"));
	assert_int_equal(PARSE(&a, "conns", "--json"), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "needs --dev"));
	assert_int_equal(PARSE(&a, "conns", "--dev", "srv0", "extra"), CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&a, "conns", "--help"), 0);
	assert_true(a.help);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_row_from_slot),
		cmocka_unit_test(test_arming_row),
		cmocka_unit_test(test_generation_mismatch_is_stale),
		cmocka_unit_test(test_timewait_time_left_and_expiry),
		cmocka_unit_test(test_order_and_duplicates),
		cmocka_unit_test(test_state_filter),
		cmocka_unit_test(test_parse_state),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
