#!/usr/bin/env bash
# Alternating A/B of roomkey binaries on W1 (inflight 2): a fresh server per
# run, pinned to CPU 0, the reference load generator on CPU 1, binaries taken
# in turn for ROUNDS rounds, so that the machine's drift hits each alike.
#   usage: bench/ab.sh [ROUNDS] BINARY...      (ROUNDS defaults to 4)
# Prints one line per run: binary, deliveries/s, server CPU us per delivery.
# AB_LOAD replaces the offered load's flags (W1 at 10 msg/s: AB_LOAD='--rate 10').
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds=4
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
(($# > 0)) || { sed -n '2,7p' "$0"; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++17 -pthread -o "$work/loadgen" "$here/../../shared/loadgen/loadgen.cpp"
port=8190
read -r -a load <<<"${AB_LOAD:---rate 0 --inflight 2}"
# All load comes from one address: binaries that have the per-address create
# limit get it switched off (older ones, for A/B runs, do not know the flag).
# Not `grep -q`: it would stop reading at the match, the binary could die of
# SIGPIPE, pipefail would then drop the flag and a run would stall at 30 rooms.
load_flags() { "$1" serve --help 2>/dev/null | grep -- --max-creates-per-minute >/dev/null && echo --max-creates-per-minute 0; }
for ((round = 1; round <= rounds; round++)); do
  for binary in "$@"; do
    rm -f "$work/ab.db"
    # shellcheck disable=SC2046
    taskset -c 0 "$binary" serve --port "$port" --store "sqlite:$work/ab.db" --log-level warn $(load_flags "$binary") &
    pid=$!
    sleep 0.5
    taskset -c 1 "$work/loadgen" --port "$port" --server-pid "$pid" --rooms 100 --members 10 "${load[@]}" \
      --duration 10 --warmup 2 --drain 10 2>/dev/null >"$work/out.json"
    kill "$pid"
    wait "$pid" || true
    /usr/bin/python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))
rate, cpu = run["delivered_per_s"], run["server_cpu_pct"]
print(f"{sys.argv[2]}  {rate / 1e6:.3f} M/s  {cpu / 100 / rate * 1e6:.3f} us/delivery")
' "$work/out.json" "$binary"
  done
done
