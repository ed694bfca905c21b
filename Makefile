# xdptcp build. Sources are found by directory, so a new file in user/*,
# tests/* or bpf/ needs no edit here. Outputs go to build/ only.

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
VERSION  := 0.1.0

ARCH_INC := -I/usr/include/$(shell $(CC) -dumpmachine)
CFLAGS_COMMON := -std=gnu11 -g -Wall -Wextra -Werror -Iinclude -Iuser -I$(BUILD) \
                 -DXDPTCP_VERSION='"$(VERSION)"' -D_GNU_SOURCE
CFLAGS   ?= -O2
SANFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
COVFLAGS := -O0 --coverage
LDLIBS   := -lxdp -lbpf -lelf -lz
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror -Iinclude $(ARCH_INC)

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard include/xdptcp/*.h)

HDRS      := $(wildcard include/xdptcp/*.h) $(wildcard user/*/*.h) $(wildcard tests/lib/*.h)
TCP_SRCS  := $(wildcard user/tcp/*.c)
LIB_SRCS  := $(TCP_SRCS) $(wildcard user/loader/*.c user/xsk/*.c user/app/*.c user/rt/*.c user/kstack/*.c)
CLI_SRCS  := $(wildcard user/cli/*.c)
TLIB_SRCS := $(wildcard tests/lib/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
TOOL_SRCS := $(wildcard tests/tools/*.c)
BENCH_SRCS:= $(wildcard bench/src/*.c)

obj  = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
san  = $(patsubst %.c,$(BUILD)/san/%.o,$(1))
cov  = $(patsubst %.c,$(BUILD)/cov/%.o,$(1))

LIB      := $(BUILD)/libxdptcp.a
LIB_SAN  := $(BUILD)/libxdptcp-san.a
CLI      := $(BUILD)/xdptcp
UNIT_BINS:= $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_BINS:= $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
TOOL_BINS:= $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
BENCH_BINS:= $(patsubst bench/src/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

PREFIX ?= /usr/local

.PHONY: all deps test test-unit test-bpf test-net coverage demo bench bench-xdp install clean
.SECONDARY:

all: $(BPF_OBJS) $(SKELS) $(if $(CLI_SRCS),$(CLI)) $(UNIT_BINS) $(BPFT_BINS) $(TOOL_BINS) $(BENCH_BINS)

deps:
	@bash scripts/deps.sh

# --- BPF -------------------------------------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

# --- userspace ---------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c $< -o $@
$(BUILD)/san/%.o: %.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(SANFLAGS) -c $< -o $@
$(BUILD)/cov/%.o: %.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(COVFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(@D)
	rm -f $@; ar rcs $@ $^
$(LIB_SAN): $(call san,$(LIB_SRCS))
	@mkdir -p $(@D)
	rm -f $@; ar rcs $@ $^

# Test helpers as archives, so a binary pulls only the members it uses.
TLIB     := $(BUILD)/libxdptcp-test.a
TLIB_SAN := $(BUILD)/libxdptcp-test-san.a
$(TLIB): $(call obj,$(TLIB_SRCS))
	@mkdir -p $(@D)
	rm -f $@; ar rcs $@ $^
$(TLIB_SAN): $(call san,$(TLIB_SRCS))
	@mkdir -p $(@D)
	rm -f $@; ar rcs $@ $^

$(CLI): $(call obj,$(CLI_SRCS)) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit and BPF tests run under ASan+UBSan.
$(BUILD)/tests/unit/%: $(BUILD)/san/tests/unit/%.o $(TLIB_SAN) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -o $@ $^ -lcmocka $(LDLIBS)
$(BUILD)/tests/bpf/%: $(BUILD)/san/tests/bpf/%.o $(TLIB_SAN) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -o $@ $^ -lcmocka $(LDLIBS)
$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(TLIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/%: $(BUILD)/obj/bench/src/%.o $(TLIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# --- tests -------------------------------------------------------------------
# tests/run.sh runs unit, BPF (root) and network (root) tests and ends with
# one line "N passed, N failed, N skipped".
test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash tests/run.sh all

test-unit: $(UNIT_BINS)
	@BUILD=$(BUILD) bash tests/run.sh unit
test-bpf: all
	@BUILD=$(BUILD) bash tests/run.sh bpf
test-net: all
	@BUILD=$(BUILD) bash tests/run.sh net

# Line and branch coverage of the protocol engine (user/tcp) from the unit tests.
COV_DIR := $(BUILD)/coverage
coverage: $(SKELS)
	@rm -rf $(BUILD)/cov; mkdir -p $(COV_DIR)
	@$(MAKE) --no-print-directory $(call cov,$(LIB_SRCS) $(TLIB_SRCS) $(UNIT_SRCS))
	@for t in $(UNIT_SRCS); do \
	  b=$(COV_DIR)/$$(basename $$t .c); \
	  $(CC) --coverage -o $$b $(BUILD)/cov/$${t%.c}.o $(call cov,$(TLIB_SRCS) $(LIB_SRCS)) -lcmocka $(LDLIBS) || exit 1; \
	  $$b >/dev/null 2>&1 || { echo "coverage: $$b failed"; exit 1; }; \
	done
	@gcovr -r . --filter 'user/tcp/' --object-directory $(BUILD)/cov --print-summary $(BUILD)/cov

# --- demo / bench --------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/bench.sh

bench-xdp: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/bench/xdp_microbench --obj $(BUILD)/bpf/xdptcp.bpf.o

install: all
	install -D -m 0755 $(CLI) $(DESTDIR)$(PREFIX)/bin/xdptcp
	install -D -m 0644 $(BUILD)/bpf/xdptcp.bpf.o $(DESTDIR)$(PREFIX)/lib/xdptcp/xdptcp.bpf.o
	install -d $(DESTDIR)$(PREFIX)/include/xdptcp
	install -m 0644 include/xdptcp/*.h $(DESTDIR)$(PREFIX)/include/xdptcp/

clean:
	rm -rf $(BUILD)
