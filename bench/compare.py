#!/usr/bin/env python3
"""Runs `starling bench` scenarios against several servers alternately and prints medians.

Each run starts the server fresh on a free loopback port, pinned with `taskset -c 0`, and the
bench client with `taskset -c 1 ... --threads 1`. Server CPU comes from /proc/PID/stat
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
import idle_conns

# name, title, bench arguments, base message count (scaled by --scale)
SCENARIOS = [
    ("pub16", "pub only, 16 B", ["--pubs", "1", "--subs", "0", "--size", "16"], 5_000_000),
    ("pubsub16", "pub/sub 1:1, 16 B", ["--pubs", "1", "--subs", "1", "--size", "16"], 2_000_000),
    ("fanout16", "fan-out 1:4, 16 B", ["--pubs", "1", "--subs", "4", "--size", "16"], 1_000_000),
    ("pubsub1k", "pub/sub 1:1, 1 KiB", ["--pubs", "1", "--subs", "1", "--size", "1024"], 500_000),
    ("queue4", "queue group of 4, 16 B", ["--pubs", "1", "--subs", "4", "--queue", "bench.q", "--size", "16"], 2_000_000),
    ("reqrep", "request/reply, 16 B, 2 responders", ["--request", "--subs", "2", "--size", "16"], 20_000),
]


def run_one(bench, server_binary, args, msgs, timeout):
    """One fresh server, one bench run; returns a result dict."""
    with ServerProcess(server_binary) as server:
        cpu0 = server.cpu_seconds()
        cmd = ["taskset", "-c", "1", bench, "bench", "--server", server.url, "--json", "--threads", "1",
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
    ap.add_argument("--only", help="comma-separated scenario names: " + ",".join(s[0] for s in SCENARIOS))
    ap.add_argument("--timeout", type=float, default=60, help="time bound per bench run, seconds")
    ap.add_argument("--no-idle", action="store_true", help="skip the idle-connections RSS scenario")
    ap.add_argument("--idle-conns", type=int, default=10_000)
    ap.add_argument("--json-out", help="write all raw results here")
    args = ap.parse_args()

    servers = [tuple(s.split("=", 1)) for s in args.server]
    scenarios = [s for s in SCENARIOS if not args.only or s[0] in args.only.split(",")]
    results = {s[0]: {name: [] for name, _ in servers} for s in scenarios}
    failures = []
    load_before = os.getloadavg()[0]
    for rnd in range(args.rounds):
        for scenario in scenarios:
            key, title, bench_args, base = scenario
            msgs = max(1, int(base * args.scale))
            # Alternate the order each round so no server always runs first.
            order = servers[rnd % len(servers):] + servers[:rnd % len(servers)]
            for name, binary in order:
                r = run_one(args.bench, binary, bench_args, msgs, args.timeout)
                results[key][name].append(r)
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

    load_after = os.getloadavg()[0]
    print()
    print(f"Median of {args.rounds} round(s); server on CPU 0, bench client on CPU 1 (1 event loop thread).")
    note = "  (other work on this machine distorts the numbers; compare ratios, rerun when idle)" \
        if max(load_before, load_after) > 2.5 else ""
    print(f"1-minute load average before/after: {load_before:.2f} / {load_after:.2f}{note}")
    print("Throughput: msgs/s delivered to subscribers (pub only: published); ratio = "
          f"{subject} / other (> 1: {subject} faster).")
    headers = ["scenario"] + names + [f"{subject}/{o}" for o in others]
    rows = []
    for key, title, _, _ in scenarios:
        vals = [med(key, n, "metric") for n in names]
        unit = " req/s" if key == "reqrep" else ""
        rows.append([title + unit] + [fmt_rate(v) for v in vals] + [ratio(vals[0], v) for v in vals[1:]])
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
    for key, title, _, _ in scenarios:
        rows.append([title]
                    + [fmt(med(key, n, "cpu_per_million"), 3) for n in names]
                    + [fmt((med(key, n, "peak_rss_kib") or 0) / 1024, 1) for n in names]
                    + [fmt((med(key, n, "client_cores") or 0) * 100, 0) for n in names])
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
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"scenarios": results, "idle": idle}, f, indent=1, default=str)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
