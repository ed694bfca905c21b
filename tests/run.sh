#!/usr/bin/env bash
# Runs xdptcp's tests and ends with one line "N passed, N failed, N skipped".
#   tests/run.sh [all|unit|bpf|net] [FILTER]
# Every test speaks TAP ("ok N - name", "not ok N - name", "# SKIP reason"):
# cmocka binaries via CMOCKA_MESSAGE_OUTPUT=TAP, network scripts via
# tests/net/lib.sh. A binary or script that exits non-zero without reporting
# a failure (a crash, a sanitizer abort) counts as one failure.
set -u
BUILD=${BUILD:-build}
what=${1:-all}
filter=${2:-}
pass=0 fail=0 skip=0
failed_names=()
log_dir="$BUILD/test-logs"
mkdir -p "$log_dir"

run_one() { # kind name command...
	local kind=$1 name=$2; shift 2
	local log="$log_dir/$kind-$name.log"
	printf '== %s/%s\n' "$kind" "$name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" >"$log" 2>&1
	local rc=$?
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -ciE '^(not )?ok [0-9]+.*# SKIP' "$log" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
	# "ok N # SKIP" counted in p, "not ok N # SKIP" in f: move both to s
	local ps fs
	ps=$(grep -ciE '^ok [0-9]+.*# SKIP' "$log")
	fs=$(grep -ciE '^not ok [0-9]+.*# SKIP' "$log")
	p=$((p - ps)); f=$((f - fs))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc without reporting a failure" >>"$log"
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		f=1
		echo "not ok - $name reported no test" >>"$log"
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	grep -E '^(not ok|ok [0-9]+.*# SKIP)' "$log" | sed 's/^/   /'
	if [ "$f" -gt 0 ]; then
		failed_names+=("$kind/$name")
		echo "   --- $log (last 30 lines)"
		tail -n 30 "$log" | sed 's/^/   | /'
	fi
	printf '   %d passed, %d failed, %d skipped\n' "$p" "$f" "$s"
}

want() { [ -z "$filter" ] || [[ "$1" == *"$filter"* ]]; }

is_root() { [ "$(id -u)" -eq 0 ]; }

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$BUILD"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t"); want "$n" || continue
		run_one unit "$n" "$t"
	done
fi

if [ "$what" = all ] || [ "$what" = bpf ]; then
	for t in "$BUILD"/tests/bpf/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t"); want "$n" || continue
		if is_root; then
			run_one bpf "$n" "$t" --obj "$BUILD/bpf/xdptcp.bpf.o"
		else
			echo "== bpf/$n: SKIP (needs root for BPF_PROG_TEST_RUN)"; skip=$((skip + 1))
		fi
	done
fi

if [ "$what" = all ] || [ "$what" = net ]; then
	for t in tests/net/test_*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh); want "$n" || continue
		if is_root; then
			run_one net "$n" env BUILD="$BUILD" bash "$t"
		else
			echo "== net/$n: SKIP (needs root for network namespaces)"; skip=$((skip + 1))
		fi
	done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
