#!/usr/bin/python3
"""Runs the reference load generator (../shared/loadgen, the referee for the
performance targets) against roomkey and the peers, on this machine, and
prints a table of medians (min-max) per server and workload.

usage: bench/compare.py [--repeat 3] [--servers roomkey,uws,node-ws,python-original]
                        [--workloads w1-rate0-if2,...] [--out results.jsonl]

Server pinned to CPU 0, load generator to CPU 1 (bench.py does that). The
servers alternate: for each workload, round after round, each server runs
once, so a drift of the machine (a noisy neighbour, a throttled core) hits
them all alike and the ratios hold. The loadgen and the uWebSockets anchor
(../shared/anchors/uws, protocol v1 on uWS: the peer to beat) are built into
a temp folder; the shared folder stays read-only.
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
SHARED_UWS = REPO.parent / "shared" / "anchors" / "uws"
WORKLOADS = ["w1-rate0-if2", "w1-rate0-if16", "w1-rate10", "w2-rate1", "w3-10k", "w3-19k", "w4-churn"]


def server_commands(tmp):
    db = tmp / "bench.db"
    return {
        "roomkey": (f"{REPO / 'build' / 'roomkey'} serve --port 8101 --store sqlite:{db} --log-level warn "
                    "--max-creates-per-minute 0", 8101),
        "uws": (f"{tmp / 'uws' / 'room_server'} 8104", 8104),
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
    parser.add_argument("--servers", default="roomkey,uws,node-ws,python-original")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--out", default=str(REPO / "bench" / "results.jsonl"))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="roomkey-compare-"))
    shutil.copy(SHARED_LOADGEN / "bench.py", tmp / "bench.py")
    subprocess.run(["g++", "-O2", "-std=c++17", "-pthread", "-o", str(tmp / "loadgen"),
                    str(SHARED_LOADGEN / "loadgen.cpp")], check=True)
    if "node-ws" in args.servers and not (REPO / "bench/peers/node-ws/node_modules").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=REPO / "bench/peers/node-ws", check=True)
    if "uws" in args.servers:
        subprocess.run(["bash", str(SHARED_UWS / "build.sh")], env={**os.environ, "OUT": str(tmp / "uws")}, check=True,
                       stdout=subprocess.DEVNULL)
    commands = server_commands(tmp)
    out = Path(args.out)
    earlier = sum(1 for _ in open(out)) if out.exists() else 0  # rows of other runs: not compared with these
    servers = args.servers.split(",")
    for workload in args.workloads.split(","):
        for _ in range(args.repeat):
            for name in servers:
                cmd, port = commands[name]
                (tmp / "bench.db").unlink(missing_ok=True)
                subprocess.run([sys.executable, str(tmp / "bench.py"), "--name", name, "--port", str(port), "--cmd",
                                cmd, "--repeat", "1", "--out", str(out), workload], check=False)
    summarize(out, skip=earlier)


def summarize(path, skip=0):
    rows = [json.loads(line) for line in list(open(path))[skip:]]
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
    print_ratios(groups)


def print_ratios(groups):
    """roomkey / uws per workload, from the medians: the figures the targets are set in."""
    print(f"\n{'workload':14} {'roomkey/uws':>12} {'(headline)':12} {'CPU per delivery':>17}")
    for workload in sorted({w for (_, w) in groups}):
        ours, theirs = groups.get(("roomkey", workload)), groups.get(("uws", workload))
        if not ours or not theirs:
            continue
        mine = statistics.median(headline(r)[0] for r in ours)
        peer = statistics.median(headline(r)[0] for r in theirs)
        cpu = [statistics.median([r["server_cpu_pct"] / 100 / r["delivered_per_s"] * 1e6
                                  for r in g if r.get("delivered_per_s")] or [0]) for g in (ours, theirs)]
        cpu_ratio = f"{cpu[0] / cpu[1]:.2f}x" if cpu[1] else "-"
        print(f"{workload:14} {mine / peer if peer else 0:11.2f}x {headline(ours[0])[1]:12} {cpu_ratio:>17}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summarize":
        summarize(sys.argv[2])
    else:
        main()
