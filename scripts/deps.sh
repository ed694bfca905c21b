#!/usr/bin/env bash
# Installs every Debian package xdptcp needs to build, test, demo and bench.
# Idempotent: packages already present are left alone; safe to run twice.
set -euo pipefail

pkgs=(
  # build
  make gcc clang llvm libc6-dev pkg-config
  libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev
  libcmocka-dev gcovr
  # lab and tests
  iproute2 ethtool iptables iputils-ping netcat-openbsd curl tcpdump
  wrk iperf3 python3 python3-scapy procps coreutils
  # bench
  gnuplot-nox nginx-light linux-perf
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#pkgs[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing ${missing[*]}; run as root to install them (sudo $0)" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: done"
