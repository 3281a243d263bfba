#!/usr/bin/env bash
# Protocol v1 against protocol v2 on one roomkey binary, W1 (100 rooms x 10,
# inflight 2), with `roomkey bench --protocol 1|2` as the load generator: a
# fresh server per run pinned to CPU 0, the bench on CPU 1, the two protocols
# taken in turn for ROUNDS rounds. v2 senders ask for acks (an extra frame per
# publication, not counted as a delivery), and every v2 member checks its
# offsets: the run fails on a gap or duplicate.
# Both protocols send the same coordinates; the bench's own parse is one
# forward pass, so at saturation the server, not the bench, sets the pace as
# far as one core for 1,000 clients allows (both sit near 100 %).
#   usage: [RATE=R] bench/protocols.sh [ROUNDS] BINARY [SERVER FLAGS...]   (ROUNDS defaults to 4)
# RATE: messages/s per client instead of the closed loop (inflight 2), for
# the CPU per delivery at an equal offered load.
# Prints one line per run: protocol, deliveries/s, server CPU us per delivery.
set -euo pipefail
rounds=4
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
(($# > 0)) || { sed -n '2,14p' "$0"; exit 2; }
binary="$1"; shift
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=8191
for ((round = 1; round <= rounds; round++)); do
  for protocol in 1 2; do
    taskset -c 0 "$binary" serve --port "$port" --store "sqlite:$work/p.db" --log-level warn \
      --max-creates-per-minute 0 "$@" &
    pid=$!
    sleep 0.5
    taskset -c 1 "$binary" bench --port "$port" --server-pid "$pid" --protocol "$protocol" --rooms 100 \
      --members 10 --rate "${RATE:-0}" --inflight 2 --duration 10 --warmup 2 --drain 10 2>/dev/null >"$work/out.json"
    kill "$pid"
    wait "$pid" || true
    rm -f "$work/p.db"*
    /usr/bin/python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))
rate, cpu = run["delivered_per_s"], run["server_cpu_pct"]
checks = ""
if run.get("protocol") == 2:
    assert run["offset_gaps"] == 0 and run["offset_duplicates"] == 0, run
    checks = "  offsets checked %d, gaps 0, duplicates 0" % run["offsets_checked"]
print(f"v{sys.argv[2]}  {rate / 1e6:.3f} M/s  {cpu / 100 / rate * 1e6:.3f} us/delivery{checks}")
' "$work/out.json" "$protocol"
  done
done
