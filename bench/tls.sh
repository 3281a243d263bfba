#!/usr/bin/env bash
# W1 over TLS: roomkey with --tls-cert against the uWebSockets anchor's TLS
# build (../shared/anchors/uws, `OUT=/tmp/uws ../shared/anchors/uws/build.sh`),
# and roomkey in plaintext for its own TLS cost. The reference load generator
# speaks ws:// only, so `roomkey bench` (protocol v1, --tls) is the load for
# all three: 100 rooms x 10, inflight 2, server on CPU 0, bench on CPU 1, a
# fresh server per run, the three taken in turn for ROUNDS rounds.
#   usage: bench/tls.sh [ROUNDS] ROOMKEY UWS_TLS_SERVER   (ROUNDS defaults to 3)
# Prints one line per run: server, deliveries/s, server CPU us per delivery.
set -euo pipefail
rounds=3
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
(($# == 2)) || { sed -n '2,10p' "$0"; exit 2; }
roomkey="$1" uws="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
port=8192
run() {  # NAME TLS(0|1) SERVER COMMAND...
  local name=$1 tls=$2; shift 2
  taskset -c 0 "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 0.7
  local flags=()
  ((tls)) && flags+=(--tls)
  taskset -c 1 "$roomkey" bench --port "$port" --server-pid "$pid" "${flags[@]}" --rooms 100 --members 10 \
    --rate 0 --inflight 2 --duration 10 --warmup 2 --drain 10 2>/dev/null >"$work/out.json" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  /usr/bin/python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))
rate, cpu, missing = run["delivered_per_s"], run["server_cpu_pct"], run["missing"]
print(f"{sys.argv[2]:<16} {rate / 1e6:.3f} M/s  {cpu / 100 / rate * 1e6:.3f} us/delivery  missing {missing}")
' "$work/out.json" "$name"
  rm -f "$work"/p.db*
}
for ((round = 1; round <= rounds; round++)); do
  run roomkey-tls 1 "$roomkey" serve --port "$port" --store "sqlite:$work/p.db" --log-level warn \
    --max-creates-per-minute 0 \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
  run uws-tls 1 "$uws" "$port" "$work/cert.pem" "$work/key.pem"
  run roomkey-plain 0 "$roomkey" serve --port "$port" --store "sqlite:$work/p.db" --log-level warn \
    --max-creates-per-minute 0
done
