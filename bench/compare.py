#!/usr/bin/env python3
"""Runs `starling bench` scenarios against several servers alternately and prints medians.

Each run starts the server fresh on a free loopback port, pinned with `taskset -c 0`, and the
bench client with `taskset -c 1 ... --threads 1`. Cluster scenarios start a fresh cluster of
one implementation (cluster.py), every node on CPU 0, the publisher on node 1 and the
subscribers on the nodes the scenario names (`--sub-server`); a cluster whose routes do not
form in time is reported as such and that implementation's other cluster runs are skipped. Server CPU comes from /proc/PID/stat
(utime+stime) before and after the bench, peak RSS from /proc/PID/status VmHWM. Every run is
bounded by the bench's --timeout and a subprocess timeout. Usually started by compare.sh.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from servers import ServerProcess
from cluster import Cluster, ClusterNotFormed
import idle_conns

# name, title, bench arguments, base message count (scaled by --scale); single server
SCENARIOS = [
    ("pub16", "pub only, 16 B", ["--pubs", "1", "--subs", "0", "--size", "16"], 5_000_000),
    ("pubsub16", "pub/sub 1:1, 16 B", ["--pubs", "1", "--subs", "1", "--size", "16"], 2_000_000),
    ("fanout16", "fan-out 1:4, 16 B", ["--pubs", "1", "--subs", "4", "--size", "16"], 1_000_000),
    ("pubsub1k", "pub/sub 1:1, 1 KiB", ["--pubs", "1", "--subs", "1", "--size", "1024"], 500_000),
    ("queue4", "queue group of 4, 16 B", ["--pubs", "1", "--subs", "4", "--queue", "bench.q", "--size", "16"], 2_000_000),
    ("reqrep", "request/reply, 16 B, 2 responders", ["--request", "--subs", "2", "--size", "16"], 20_000),
]

# Cluster scenarios: name, title, bench arguments, base message count, (nodes, subscriber
# nodes round-robin). Each implementation runs its own cluster (never mixed); the publisher is
# on node 1, all nodes on CPU 0, the bench client on CPU 1.
CLUSTER_SCENARIOS = [
    ("cluster16", "cluster: pub node 1 -> sub node 2, 16 B", ["--pubs", "1", "--subs", "1", "--size", "16"], 2_000_000, (2, [2])),
    ("cluster1k", "cluster: pub node 1 -> sub node 2, 1 KiB", ["--pubs", "1", "--subs", "1", "--size", "1024"], 500_000, (2, [2])),
    ("cfanout3", "cluster fan-out: pub node 1 -> subs nodes 1,2,3, 16 B", ["--pubs", "1", "--subs", "3", "--size", "16"], 1_000_000, (3, [1, 2, 3])),
]
GROUPS = {"single": [s[0] for s in SCENARIOS], "cluster": [s[0] for s in CLUSTER_SCENARIOS]}


def select(only):
    """Scenarios named in `only` (names or the groups "single" and "cluster"), all if None,
    as (name, title, bench arguments, base count, topology or None)."""
    everything = [s + (None,) for s in SCENARIOS] + CLUSTER_SCENARIOS
    if not only:
        return everything
    wanted = set()
    for name in only.split(","):
        wanted.update(GROUPS.get(name, [name]))
    unknown = wanted - {s[0] for s in everything}
    if unknown:
        sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return [s for s in everything if s[0] in wanted]


def start(server_binary, topology, route_timeout):
    """A fresh single server, or a cluster for `topology` = (nodes, subscriber nodes), and the
    bench's server arguments for it."""
    if topology is None:
        server = ServerProcess(server_binary)
        return server, ["--server", server.url]
    nodes, sub_nodes = topology
    cluster = Cluster(server_binary, nodes, route_timeout=route_timeout)
    return cluster, ["--server", cluster.url(0), "--sub-server", ",".join(cluster.url(n - 1) for n in sub_nodes)]


def run_one(bench, server_binary, args, msgs, timeout, topology=None, route_timeout=20.0):
    """One fresh server (or cluster), one bench run; returns a result dict. Server CPU and
    peak RSS of a cluster are summed over its nodes."""
    try:
        server, server_args = start(server_binary, topology, route_timeout)
    except ClusterNotFormed as e:
        return {"error": str(e), "no_routes": True}
    except RuntimeError as e:
        return {"error": str(e)}
    with server:
        cpu0 = server.cpu_seconds()
        cmd = ["taskset", "-c", "1", bench, "bench"] + server_args + ["--json", "--threads", "1",
               "--timeout", str(timeout), "--msgs", str(msgs)] + args
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            return {"error": "bench did not finish"}
        wall = time.monotonic() - started
        cpu1 = server.cpu_seconds()
        hwm = server.status_kib("VmHWM")
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    try:
        report = json.loads(line)
    except json.JSONDecodeError:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[:200]}"}
    result = {"report": report, "server_cpu": cpu1 - cpu0, "peak_rss_kib": hwm, "wall": wall,
              "exit": proc.returncode}
    if report.get("mode") == "request":
        lat = report["latency"]
        result["metric"] = lat["requests_per_second"]
        result["p50"] = lat["p50"]
        result["p99"] = lat["p99"]
        moved = 4 * lat["requests"]  # request in and out, reply in and out
    else:
        pub = report.get("pub") or {}
        sub = report.get("sub") or {}
        result["metric"] = sub.get("msgs_per_second") if sub else pub.get("msgs_per_second", 0)
        moved = (pub.get("messages") or 0) + (sub.get("messages") or 0)
    result["moved"] = moved
    result["cpu_per_million"] = result["server_cpu"] / (moved / 1e6) if moved else None
    result["client_cores"] = report["cpu"]["cores"]
    result["lost"] = report.get("lost", 0)
    result["timed_out"] = report.get("timed_out", False)
    return result


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_rate(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    return f"{v:.0f}"


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def scaled(v, factor):
    return None if v is None else v * factor


def ratio(a, b):
    return "-" if not a or not b else f"{a / b:.2f}x"


def table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    out = [" | ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
    out.append("-+-".join("-" * w for w in widths))
    for r in rows:
        out.append(" | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True, help="starling binary used as the bench client")
    ap.add_argument("--server", action="append", required=True, metavar="NAME=COMMAND",
                    help="a server to compare: its binary, optionally with extra flags "
                         "(e.g. 'starling=/path/starling --event_loops 1'); the first is the subject of the ratios")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply message counts")
    ap.add_argument("--only", help="comma-separated scenario names or groups (single, cluster): "
                    + ",".join(s[0] for s in SCENARIOS + CLUSTER_SCENARIOS))
    ap.add_argument("--route-timeout", type=float, default=20,
                    help="seconds a cluster may take to form its routes before the run is reported as failed")
    ap.add_argument("--timeout", type=float, default=60, help="time bound per bench run, seconds")
    ap.add_argument("--no-idle", action="store_true", help="skip the idle-connections RSS scenario")
    ap.add_argument("--idle-conns", type=int, default=10_000)
    ap.add_argument("--json-out", help="write all raw results here")
    args = ap.parse_args()

    servers = [tuple(s.split("=", 1)) for s in args.server]
    scenarios = select(args.only)
    results = {s[0]: {name: [] for name, _ in servers} for s in scenarios}
    failures = []
    no_routes = {}  # implementation -> why its cluster did not form (its later cluster runs are skipped)
    load_before = os.getloadavg()[0]
    for rnd in range(args.rounds):
        for scenario in scenarios:
            key, title, bench_args, base, topology = scenario
            msgs = max(1, int(base * args.scale))
            # Alternate the order each round so no server always runs first.
            order = servers[rnd % len(servers):] + servers[:rnd % len(servers)]
            for name, binary in order:
                if topology and name in no_routes:
                    results[key][name].append({"error": "skipped: " + no_routes[name], "skipped": True})
                    print(f"[round {rnd + 1}/{args.rounds}] {key:9s} {name:14s} skipped (its routes did not form earlier)",
                          file=sys.stderr, flush=True)
                    continue
                r = run_one(args.bench, binary, bench_args, msgs, args.timeout, topology, args.route_timeout)
                results[key][name].append(r)
                if r.get("no_routes"):
                    no_routes[name] = r["error"]
                if "error" in r:
                    status = "ERROR " + r["error"]
                    failures.append((key, name, r["error"]))
                elif r["lost"] and not r["timed_out"]:
                    status = f"LOSS {r['lost']}"
                    failures.append((key, name, f"lost {r['lost']}"))
                else:
                    status = "timed out (partial)" if r["timed_out"] else "ok"
                print(f"[round {rnd + 1}/{args.rounds}] {key:9s} {name:14s} {fmt_rate(r.get('metric')):>8s}"
                      f"  server cpu {fmt(r.get('server_cpu'), 2)}s  client {fmt((r.get('client_cores') or 0) * 100, 0)}%"
                      f"  {status}", file=sys.stderr, flush=True)

    names = [n for n, _ in servers]
    subject, others = names[0], names[1:]

    def med(key, name, field):
        return median([r.get(field) for r in results[key][name] if "error" not in r])

    def cell(key, name, text):
        """The value, or why there is none ("no routes" when the cluster did not form)."""
        runs = results[key][name]
        if runs and all("error" in r for r in runs):
            return "no routes" if any(r.get("no_routes") or r.get("skipped") for r in runs) else "error"
        return text

    load_after = os.getloadavg()[0]
    print()
    print(f"Median of {args.rounds} round(s); server on CPU 0, bench client on CPU 1 (1 event loop thread).")
    if any(s[4] for s in scenarios):
        print("Cluster scenarios: one cluster per implementation, all its nodes on CPU 0, the publisher on node 1; "
              "server CPU and RSS are summed over the nodes.")
    note = "  (other work on this machine distorts the numbers; compare ratios, rerun when idle)" \
        if max(load_before, load_after) > 2.5 else ""
    print(f"1-minute load average before/after: {load_before:.2f} / {load_after:.2f}{note}")
    print("Throughput: msgs/s delivered to subscribers (pub only: published); ratio = "
          f"{subject} / other (> 1: {subject} faster).")
    headers = ["scenario"] + names + [f"{subject}/{o}" for o in others]
    rows = []
    for key, title, _, _, _ in scenarios:
        vals = [med(key, n, "metric") for n in names]
        unit = " req/s" if key == "reqrep" else ""
        rows.append([title + unit] + [cell(key, n, fmt_rate(v)) for n, v in zip(names, vals)]
                    + [ratio(vals[0], v) for v in vals[1:]])
        if key == "reqrep":
            for field in ("p50", "p99"):
                lv = [med(key, n, field) for n in names]
                rows.append([f"  latency {field} µs (ratio < 1: {subject} faster)"] + [fmt(v) for v in lv]
                            + [ratio(lv[0], v) for v in lv[1:]])
    print(table(headers, rows))

    print()
    print("Server cost: CPU seconds per million messages moved (in + out; request/reply: 4 per request), "
          "peak RSS (VmHWM) in MiB, and the bench client's CPU (% of its one core).")
    headers = ["scenario"] + [f"{n} cpu/M" for n in names] + [f"{n} RSS" for n in names] + [f"{n} client%" for n in names]
    rows = []
    for key, title, _, _, _ in scenarios:
        rows.append([title]
                    + [fmt(med(key, n, "cpu_per_million"), 3) for n in names]
                    + [fmt(scaled(med(key, n, "peak_rss_kib"), 1 / 1024), 1) for n in names]
                    + [fmt(scaled(med(key, n, "client_cores"), 100), 0) for n in names])
    print(table(headers, rows))

    idle = None
    if not args.no_idle:
        print()
        idle = idle_conns.compare(servers, args.idle_conns)
        print(idle_conns.render(idle, args.idle_conns))

    if failures:
        print()
        print("FAILURES:")
        for key, name, what in failures:
            print(f"  {key} on {name}: {what}")
    for name, why in no_routes.items():
        print(f"  {name}: cluster scenarios skipped after the first failure: {why}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"scenarios": results, "idle": idle}, f, indent=1, default=str)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
