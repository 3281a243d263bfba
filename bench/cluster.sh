#!/usr/bin/env bash
# Cluster mode (--cluster) on this machine: a private redis-server and roomkey
# nodes started fresh for each run, `roomkey bench` as the load generator,
# W1 (100 rooms x 10). Three measurements, ROUNDS rounds each, taken in turn:
#   split    members of every room dealt over 2 nodes (--ports A,B): deliveries/s
#            (closed loop, inflight 2) and, at RATE msg/s per member (default 10),
#            p99 latency; v2 members check every offset (no gap, no duplicate);
#            Redis CPU per publication
#   single   one node without --cluster: server CPU per delivery
#   colocated  one node with --cluster (so every room's members on one node):
#            server CPU per delivery, to set against `single`
# Nodes (one loop thread each) on CPU 0, the bench and Redis on CPU 1.
#   usage: bench/cluster.sh [ROUNDS] BINARY        (ROUNDS defaults to 3)
set -euo pipefail
rounds=3
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
(($# > 0)) || { sed -n '2,15p' "$0"; exit 2; }
binary="$1"; shift
rate="${RATE:-10}"
work="$(mktemp -d)"
redis_port=8290
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_redis() {
  rm -rf "$work/redis" && mkdir -p "$work/redis"
  taskset -c 1 redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" \
    --appendonly no --daemonize no --logfile "$work/redis/log" &
  redis_pid=$!
  pids+=("$redis_pid")
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done
}

start_node() {  # port, extra flags...
  local port=$1; shift
  taskset -c 0 "$binary" serve --port "$port" --threads 1 --log-level warn --max-creates-per-minute 0 "$@" &
  pids+=($!)
  node_pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.05; done
}

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# Redis's own CPU seconds, and how many scripts it ran (nearly all are publications).
redis_cpu() { redis-cli -p "$redis_port" info cpu | awk -F: '/used_cpu_(user|sys):/ { s += $2 } END { print s }'; }
redis_scripts() {
  redis-cli -p "$redis_port" info commandstats | awk -F'[=,:]' '/^cmdstat_evalsha:/ { print $3 }'
}

report() {  # label, json file, [redis cpu seconds]
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
run = json.load(open(path))
rate, cpu = run["delivered_per_s"], run.get("server_cpu_pct", 0)
line = f"{label:<22} {rate / 1e6:.3f} M deliveries/s  server {cpu / 100 / rate * 1e6:.3f} us/delivery"
line += f"  p99 {run['lat_p99_us'] / 1000:.2f} ms  missing {run['missing']}"
if run.get("protocol") == 2:
    assert run["offset_gaps"] == 0 and run["offset_duplicates"] == 0, run
    line += f"  offsets checked {run['offsets_checked']}, gaps 0, duplicates 0"
if len(sys.argv) > 3:  # Redis's CPU seconds and script calls over the whole run
    redis_cpu, scripts = float(sys.argv[3]), int(sys.argv[4])
    line += f"  redis {redis_cpu / scripts * 1e6:.2f} us/publication"
print(line, flush=True)
PY
}

bench() {  # output file, flags...
  local out=$1; shift
  taskset -c 1 "$binary" bench --rooms 100 --members 10 --duration 10 --warmup 2 --drain 10 "$@" \
    2>/dev/null >"$out"
}

for ((round = 1; round <= rounds; round++)); do
  # split over two nodes
  for load in "--inflight 2" "--rate $rate"; do
    start_redis
    start_node 8291 --cluster "redis://127.0.0.1:$redis_port"; a=$node_pid
    start_node 8292 --cluster "redis://127.0.0.1:$redis_port"; b=$node_pid
    # shellcheck disable=SC2086
    bench "$work/split.json" --ports 8291,8292 --server-pid "$a,$b" --protocol 2 $load
    used=$(redis_cpu); scripts=$(redis_scripts)
    stop_all
    report "split 2 nodes ${load#--}" "$work/split.json" "$used" "$scripts"
  done
  # one node, without and with --cluster
  start_node 8293 --store memory; n=$node_pid
  bench "$work/single.json" --port 8293 --server-pid "$n" --rate "$rate"
  stop_all
  report "single node rate $rate" "$work/single.json"
  start_redis
  start_node 8294 --cluster "redis://127.0.0.1:$redis_port"; n=$node_pid
  bench "$work/colocated.json" --port 8294 --server-pid "$n" --rate "$rate"
  stop_all
  report "colocated rate $rate" "$work/colocated.json"
done
