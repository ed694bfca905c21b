/* xdp_microbench: nanoseconds per frame of the xdptcp XDP program for each
 * fast-path verdict, measured with BPF_PROG_TEST_RUN (repeat N) next to a
 * trivial XDP_DROP program in the same run.
 *
 * test_run repeats on the same buffer and the same maps, so a stateful
 * verdict would change after the first iteration (rcv_nxt has moved, the
 * metadata is already there). Those cases run behind a small wrapper
 * program that restores snd_una/rcv_nxt, strips the metadata and tail-calls
 * the program; the wrapper's own cost is measured the same way (wrapper +
 * trivial XDP_DROP) and subtracted. The TIME-WAIT case needs no wrapper:
 * entries for both directions make each answer the next frame.
 * Every case checks that its verdict counter moved by exactly `repeat`. */
#include "../../tests/lib/pkt_world.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOT 7
#define GEN 3
#define UNA0 5000u
#define RCV0 1000u
#define ACK 6000u
#define PAYLOAD 100

/* The few instruction encodings we need (linux/filter.h is kernel-only). */
#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_IMM64(d, v)                                                                             \
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(v)),                          \
	    INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LD_MAP_FD(d, fd)                                                                           \
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

struct opts {
	const char *obj;
	unsigned int repeat;
	unsigned int runs;
};

struct bench {
	struct pkt_world w;
	int drop_fd;	/* trivial: return XDP_DROP */
	int clock_fd;	/* reference: bpf_ktime_get_ns, XDP_DROP */
	int lookup_fd;	/* reference: one missing `flows` lookup, XDP_DROP */
	int wrapper_fd; /* restore state, tail-call progs[0] */
	int progs_fd;	/* BPF_MAP_TYPE_PROG_ARRAY of one */
	uint8_t out[PKT_MAX + 64];
};

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s --obj build/bpf/xdptcp.bpf.o [--repeat N] [--runs K]\n"
		"ns per frame of the xdptcp XDP program via BPF_PROG_TEST_RUN, per verdict,\n"
		"next to a trivial XDP_DROP program; median of K runs of N frames (root).\n"
		"  --obj PATH    the XDP object (default: the one built into this binary)\n"
		"  --repeat N    frames per run (default 1000000)\n"
		"  --runs K      runs per case, the median is reported (default 7)\n"
		"  -h, --help    this text\n",
		argv0);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"obj", required_argument, NULL, 'o'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"runs", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	*o = (struct opts){.repeat = 1000000, .runs = 7};
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->obj = optarg;
			break;
		case 'r':
			o->repeat = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			o->runs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind != argc || !o->repeat || !o->runs || o->runs > 99) {
		usage(stderr, argv[0]);
		return -1;
	}
	return 0;
}

static int load_raw(const char *name, const struct bpf_insn *insns, size_t n)
{
	/* Same expected attach type as libbpf gives SEC("xdp"): the kernel
	 * refuses tail calls between programs whose types differ. */
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_XDP);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, &lo);
}

static int load_helpers(struct bench *b)
{
	const struct bpf_insn drop[] = {MOV64_IMM(BPF_REG_0, XDP_DROP), EXIT()};
	int zero = 0, tcbs, err;

	b->drop_fd = load_raw("bench_drop", drop, 2);
	if (b->drop_fd < 0)
		return -errno;
	{
		const struct bpf_insn clock[] = {
		    CALL(BPF_FUNC_ktime_get_ns),
		    MOV64_IMM(BPF_REG_0, XDP_DROP),
		    EXIT(),
		};
		/* the fast flow's key, found */
		struct pkt_spec ks;
		struct xdptcp_flow_key k;
		uint64_t kw[2];

		pkt_spec_default(&ks);
		pkt_world_key(&ks, &k);
		memcpy(kw, &k, sizeof(kw));
		const struct bpf_insn lookup[] = {
		    LD_IMM64(BPF_REG_1, kw[0]),
		    INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_1, -16, 0),
		    LD_IMM64(BPF_REG_1, kw[1]),
		    INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_1, -8, 0),
		    MOV64_REG(BPF_REG_2, BPF_REG_10),
		    ADD64_IMM(BPF_REG_2, -16),
		    LD_MAP_FD(BPF_REG_1, b->w.fd_flows),
		    CALL(BPF_FUNC_map_lookup_elem),
		    MOV64_IMM(BPF_REG_0, XDP_DROP),
		    EXIT(),
		};

		b->clock_fd = load_raw("bench_clock", clock, sizeof(clock) / sizeof(clock[0]));
		b->lookup_fd = load_raw("bench_lookup", lookup, sizeof(lookup) / sizeof(lookup[0]));
		if (b->clock_fd < 0 || b->lookup_fd < 0)
			return -errno;
	}
	b->progs_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "bench_progs", 4, 4, 1, NULL);
	if (b->progs_fd < 0)
		return -errno;
	tcbs = b->w.fd_tcbs;
	{
		const struct bpf_insn wrapper[] = {
		    MOV64_REG(BPF_REG_6, BPF_REG_1),
		    /* strip the metadata the previous iteration left (fails,
		     * harmlessly, when there is none) */
		    MOV64_IMM(BPF_REG_2, (int)sizeof(struct xdptcp_meta)),
		    CALL(BPF_FUNC_xdp_adjust_meta),
		    /* tcbs[SLOT].snd_una = UNA0, .rcv_nxt = RCV0 */
		    ST_W(BPF_REG_10, -4, SLOT),
		    MOV64_REG(BPF_REG_2, BPF_REG_10),
		    ADD64_IMM(BPF_REG_2, -4),
		    LD_MAP_FD(BPF_REG_1, tcbs),
		    CALL(BPF_FUNC_map_lookup_elem),
		    JEQ_IMM(BPF_REG_0, 0, 2),
		    ST_W(BPF_REG_0, offsetof(struct xdptcp_tcb, snd_una), UNA0),
		    ST_W(BPF_REG_0, offsetof(struct xdptcp_tcb, rcv_nxt), RCV0),
		    MOV64_REG(BPF_REG_1, BPF_REG_6),
		    LD_MAP_FD(BPF_REG_2, b->progs_fd),
		    MOV64_IMM(BPF_REG_3, 0),
		    CALL(BPF_FUNC_tail_call),
		    MOV64_IMM(BPF_REG_0, XDP_ABORTED),
		    EXIT(),
		};

		b->wrapper_fd =
		    load_raw("bench_wrapper", wrapper, sizeof(wrapper) / sizeof(wrapper[0]));
	}
	if (b->wrapper_fd < 0)
		return -errno;
	err = bpf_map_update_elem(b->progs_fd, &zero, &b->drop_fd, BPF_ANY);
	return err ? -errno : 0;
}

static int set_target(struct bench *b, int prog_fd)
{
	int zero = 0;

	return bpf_map_update_elem(b->progs_fd, &zero, &prog_fd, BPF_ANY) ? -errno : 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One row of the table: a frame, the program it goes to and what it must
 * come out as. */
struct bcase {
	const char *name, *verdict;
	int prog_fd;
	int target_fd; /* >= 0: run behind the wrapper, tail-calling this */
	uint32_t action;
	int stat; /* counter that must move once per frame, or -1 */
	uint8_t frame[PKT_MAX];
	size_t len;
	uint32_t ns[99];
	uint32_t median;
};

/* Rounds of one run per case, so that load from elsewhere on the machine
 * hits every case alike; then the median per case. Checks the action of
 * every run and that each counter moved by repeat * runs. */
static int measure_all(struct bench *b, const struct opts *o, struct bcase *cs, int n)
{
	struct pkt_snap s0, s1;
	int err = pkt_snap_take(&b->w, &s0);

	for (unsigned int r = 0; r < o->runs && !err; r++) {
		for (int i = 0; i < n && !err; i++) {
			struct bcase *c = &cs[i];
			LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = c->frame,
				    .data_size_in = (uint32_t)c->len, .data_out = b->out,
				    .data_size_out = sizeof(b->out), .repeat = o->repeat);

			if (c->target_fd >= 0 && (err = set_target(b, c->target_fd)))
				break;
			if (bpf_prog_test_run_opts(c->prog_fd, &t)) {
				err = -errno;
				break;
			}
			if (t.retval != c->action) {
				fprintf(stderr, "%s: action %u, want %u\n", c->name, t.retval,
					c->action);
				err = -EPROTO;
			}
			c->ns[r] = t.duration;
		}
	}
	if (!err)
		err = pkt_snap_take(&b->w, &s1);
	for (int i = 0; i < n && !err; i++) {
		uint64_t d, want = (uint64_t)o->repeat * o->runs;

		if (cs[i].stat < 0)
			continue;
		d = s1.stats[cs[i].stat] - s0.stats[cs[i].stat];
		if (d != want) {
			fprintf(stderr, "%s: counter %s moved %llu, want %llu\n", cs[i].name,
				xdptcp_stat_name((unsigned int)cs[i].stat), (unsigned long long)d,
				(unsigned long long)want);
			err = -EPROTO;
		}
	}
	pkt_snap_free(&s0);
	pkt_snap_free(&s1);
	for (int i = 0; i < n && !err; i++) {
		qsort(cs[i].ns, o->runs, sizeof(cs[i].ns[0]), cmp_u32);
		cs[i].median = cs[i].ns[o->runs / 2];
	}
	return err;
}

/* A fast flow as tests/bpf/xdp_fixture.h makes it, and its in-order ACK. */
static int fast_flow(struct bench *b, struct pkt_spec *s, uint8_t opts[12])
{
	struct xdptcp_tcb *t = &b->w.tcbs[SLOT];
	struct xdptcp_flow_key k;

	pkt_spec_default(s);
	pkt_world_key(s, &k);
	memset(t, 0, sizeof(*t));
	t->generation = GEN;
	t->state = XDPTCP_ESTABLISHED;
	t->fast = XDPTCP_FAST_ON;
	t->opts = XDPTCP_OPT_TS;
	t->snd_wscale = 2;
	t->snd_una = UNA0;
	t->snd_nxt = UNA0 + 100000;
	t->rcv_nxt = RCV0;
	t->rcv_adv = RCV0 + 65535;
	t->notify_seq = UNA0;
	s->seq = RCV0;
	s->ack = ACK;
	pkt_opts_ts(opts, 101, 55);
	s->opts = opts;
	s->optlen = 12;
	return pkt_world_add_flow(&b->w, &k, SLOT, GEN);
}

/* Two TIME-WAIT entries, one per direction: each answer is unacceptable to
 * the other entry and is answered again. */
static int tw_pair(struct bench *b, struct pkt_spec *s, uint8_t opts[12])
{
	struct xdptcp_tw tw = {
	    .deadline_ns = pkt_now_ns() + 3600ull * 1000000000ull,
	    .snd_nxt = 7001,
	    .rcv_nxt = 3001,
	    .ts_recent = 200,
	    .window = 502,
	    .flags = XDPTCP_TW_TS,
	};
	struct xdptcp_flow_key k, r;
	int err;

	pkt_spec_default(s);
	s->sport = 40001; /* 40000 is the fast flow's */
	pkt_world_key(s, &k);
	r = k;
	r.raddr = k.laddr;
	r.laddr = k.raddr;
	r.rport = k.lport;
	r.lport = k.rport;
	s->seq = 3001;
	s->ack = 1; /* unacceptable: answered */
	pkt_opts_ts(opts, 300, 0);
	s->opts = opts;
	s->optlen = 12;
	err = pkt_world_add_tw(&b->w, &k, &tw);
	tw.snd_nxt = 11;
	tw.rcv_nxt = 22;
	return err ? err : pkt_world_add_tw(&b->w, &r, &tw);
}

enum { C_DROP, C_WRAP, C_CLOCK, C_LOOKUP, C_ACK, C_DATA, C_PASS, C_TW, C_N };

static int add_case(struct bcase *c, const char *name, const char *verdict, int prog_fd,
		    int target_fd, uint32_t action, int stat, const struct pkt_spec *s)
{
	*c = (struct bcase){.name = name,
			    .verdict = verdict,
			    .prog_fd = prog_fd,
			    .target_fd = target_fd,
			    .action = action,
			    .stat = stat};
	c->len = pkt_build(s, c->frame, sizeof(c->frame));
	return c->len ? 0 : -EMSGSIZE;
}

int main(int argc, char **argv)
{
	static struct bench b;
	static struct bcase cs[C_N];
	static uint8_t payload[PAYLOAD];
	uint8_t opts[12], tw_opts[12];
	struct pkt_spec s, tw;
	struct opts o;
	int err;

	if (parse_opts(argc, argv, &o))
		return 2;
	err = pkt_world_open(&b.w, o.obj);
	if (err) {
		fprintf(stderr, "loading %s: %s\n", o.obj ? o.obj : "the built-in object",
			strerror(-err));
		return 1;
	}
	err = load_helpers(&b);
	if (!err)
		err = pkt_world_reset(&b.w);
	if (!err)
		err = pkt_world_xsk_add(&b.w, 0);
	if (!err)
		err = fast_flow(&b, &s, opts);
	if (!err)
		err = tw_pair(&b, &tw, tw_opts);
	if (err) {
		fprintf(stderr, "setup: %s\n", strerror(-err));
		goto out;
	}

	/* references, on the pure ACK frame */
	err = add_case(&cs[C_DROP], "trivial XDP_DROP", "DROP", b.drop_fd, -1, XDP_DROP, -1, &s);
	err = err
		  ?: add_case(&cs[C_WRAP], "wrapper + trivial", "DROP", b.wrapper_fd, b.drop_fd,
			      XDP_DROP, -1, &s);
	err = err
		  ?: add_case(&cs[C_CLOCK], "ref: bpf_ktime_get_ns", "DROP", b.clock_fd, -1,
			      XDP_DROP, -1, &s);
	err = err
		  ?: add_case(&cs[C_LOOKUP], "ref: flows lookup (hit)", "DROP", b.lookup_fd, -1,
			      XDP_DROP, -1, &s);
	/* pure ACK advancing snd_una, consumed */
	err = err
		  ?: add_case(&cs[C_ACK], "pure ACK consumed", "DROP", b.wrapper_fd, b.w.prog_fd,
			      XDP_DROP, XDPTCP_STAT_FAST_ACK, &s);
	/* in-order data with an ACK, redirected with metadata */
	s.payload = payload;
	s.paylen = sizeof(payload);
	err = err
		  ?: add_case(&cs[C_DATA], "in-order data (100 B)", "REDIRECT", b.wrapper_fd,
			      b.w.prog_fd, XDP_REDIRECT, XDPTCP_STAT_FAST_DATA, &s);
	/* not ours: another port */
	s.paylen = 0;
	s.dport = 8080;
	err = err
		  ?: add_case(&cs[C_PASS], "pass (not ours)", "PASS", b.w.prog_fd, -1, XDP_PASS,
			      XDPTCP_STAT_PASS_NOT_OURS, &s);
	err = err
		  ?: add_case(&cs[C_TW], "TIME-WAIT re-ACK", "TX", b.w.prog_fd, -1, XDP_TX,
			      XDPTCP_STAT_TW_REACK, &tw);
	err = err ?: measure_all(&b, &o, cs, C_N);
	if (err) {
		fprintf(stderr, "measuring: %s\n", strerror(-err));
		goto out;
	}

	printf("xdp_microbench: BPF_PROG_TEST_RUN, %u frames x %u rounds, median ns/frame\n",
	       o.repeat, o.runs);
	printf("%-24s %-9s %9s %9s %9s %9s\n", "case", "verdict", "measured", "ns/frame",
	       "x trivial", "min");
	for (int i = 0; i < C_N; i++) {
		uint32_t drop = cs[C_DROP].median;
		double m = cs[i].median, lo = cs[i].ns[0];
		int wrapped = cs[i].target_fd == b.w.prog_fd;
		/* wrapped: take the wrapper's own cost out */
		double net = wrapped ? m - cs[C_WRAP].median + drop : m;

		if (wrapped)
			lo = lo - cs[C_WRAP].ns[0] + cs[C_DROP].ns[0];
		printf("%-24s %-9s %9.0f %9.0f %9.2f %9.0f\n", cs[i].name, cs[i].verdict, m, net,
		       drop ? net / drop : 0.0, lo);
	}
	printf("(ns/frame of wrapped cases = measured - (wrapper + trivial) + trivial;\n"
	       " min: the fastest round, same correction)\n");
out:
	if (b.wrapper_fd > 0)
		close(b.wrapper_fd);
	if (b.progs_fd > 0)
		close(b.progs_fd);
	if (b.drop_fd > 0)
		close(b.drop_fd);
	if (b.clock_fd > 0)
		close(b.clock_fd);
	if (b.lookup_fd > 0)
		close(b.lookup_fd);
	pkt_world_close(&b.w);
	return err ? 1 : 0;
}
