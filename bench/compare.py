#!/usr/bin/python3
"""Runs the reference load generator (../shared/loadgen, the referee for the
performance targets) against roomkey and the peers, on this machine, and
prints a table of medians (min-max) per server and workload.

usage: bench/compare.py [--repeat 3] [--servers roomkey,node-ws,python-original]
                        [--workloads w1-rate0-if2,...] [--out results.jsonl]

Server pinned to CPU 0, load generator to CPU 1 (bench.py does that). The
loadgen is built into a temp folder; the shared folder stays read-only.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_LOADGEN = REPO.parent / "shared" / "loadgen"
WORKLOADS = ["w1-rate0-if2", "w1-rate0-if16", "w1-rate10", "w2-rate1", "w3-10k", "w3-19k", "w4-churn"]


def server_commands(tmp):
    db = tmp / "bench.db"
    return {
        "roomkey": (f"{REPO / 'build' / 'roomkey'} serve --port 8101 --store sqlite:{db} --log-level warn "
                    "--max-creates-per-minute 0", 8101),
        "node-ws": (f"node {REPO / 'bench' / 'peers' / 'node-ws' / 'server.js'} 8102", 8102),
        "python-original": (f"/usr/bin/python3 {REPO / 'bench' / 'peers' / 'python-original' / 'live_location.py'} 8103",
                            8103),
    }


def headline(row):
    if row["workload"].startswith("w3"):
        return row.get("server_bytes_per_conn", 0), "B/conn"
    if row["workload"].startswith("w4"):
        return row.get("churn_per_s", 0), "joins/s"
    return row.get("delivered_per_s", 0), "deliveries/s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--servers", default="roomkey,node-ws,python-original")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--out", default=str(REPO / "bench" / "results.jsonl"))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="roomkey-compare-"))
    shutil.copy(SHARED_LOADGEN / "bench.py", tmp / "bench.py")
    subprocess.run(["g++", "-O2", "-std=c++17", "-pthread", "-o", str(tmp / "loadgen"),
                    str(SHARED_LOADGEN / "loadgen.cpp")], check=True)
    if "node-ws" in args.servers and not (REPO / "bench/peers/node-ws/node_modules").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=REPO / "bench/peers/node-ws", check=True)
    commands = server_commands(tmp)
    out = Path(args.out)
    for name in args.servers.split(","):
        cmd, port = commands[name]
        for workload in args.workloads.split(","):
            (tmp / "bench.db").unlink(missing_ok=True)
            subprocess.run([sys.executable, str(tmp / "bench.py"), "--name", name, "--port", str(port), "--cmd", cmd,
                            "--repeat", str(args.repeat), "--out", str(out), workload], check=False)
    summarize(out)


def summarize(path):
    rows = [json.loads(line) for line in open(path)]
    groups = {}
    for row in rows:
        groups.setdefault((row["server"], row["workload"]), []).append(row)
    print(f"{'server':16} {'workload':14} {'runs':>4} {'median':>12} {'min-max':>25} unit   p99_us  srv_cpu%  us/delivery")
    for (server, workload), group in sorted(groups.items()):
        values = [headline(r)[0] for r in group]
        unit = headline(group[0])[1]
        p99 = statistics.median([r.get("lat_p99_us", 0) for r in group])
        cpu = statistics.median([r.get("server_cpu_pct", 0) for r in group])
        per = statistics.median([r["server_cpu_pct"] / 100 / r["delivered_per_s"] * 1e6
                                 for r in group if r.get("delivered_per_s")] or [0])
        print(f"{server:16} {workload:14} {len(group):4} {statistics.median(values):12.1f} "
              f"{min(values):12.1f}-{max(values):<12.1f} {unit:12} {p99:8.0f} {cpu:7.1f} {per:8.3f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summarize":
        summarize(sys.argv[2])
    else:
        main()
