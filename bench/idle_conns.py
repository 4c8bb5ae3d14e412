#!/usr/bin/env python3
"""RSS of a server holding many idle client connections (default 10,000).

Opens the connections from this process (non-blocking sockets, CONNECT + PING each, waits for
every PONG), then reads the server's VmRSS; compares servers started fresh on loopback.
Usable alone: idle_conns.py NAME=BINARY [NAME=BINARY ...] [--conns N]
"""
import argparse
import selectors
import socket
import sys
import time

from servers import ServerProcess, raise_nofile


def open_idle(port, count, timeout=60.0):
    """Opens `count` connections that have completed CONNECT/PING/PONG; returns the sockets."""
    sel = selectors.DefaultSelector()
    socks = []
    pending = {}
    deadline = time.monotonic() + timeout
    hello = b'CONNECT {"verbose":false,"pedantic":false,"name":"idle"}\r\nPING\r\n'
    batch = 500
    opened = 0
    while opened < count or pending:
        # Open in batches so the listen backlog is never overrun.
        while opened < count and len(pending) < batch:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
            socks.append(s)
            pending[s] = {"sent": False, "buf": b""}
            opened += 1
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {opened - len(pending)} of {count} connections completed")
        for key, events in sel.select(timeout=1.0):
            s = key.fileobj
            st = pending.get(s)
            if st is None:
                continue
            if events & selectors.EVENT_WRITE and not st["sent"]:
                try:
                    s.send(hello)
                except BlockingIOError:
                    continue
                st["sent"] = True
                sel.modify(s, selectors.EVENT_READ)
            if events & selectors.EVENT_READ:
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                if not data:
                    raise RuntimeError("server closed a connection")
                st["buf"] += data
                if b"PONG\r\n" in st["buf"]:
                    sel.unregister(s)
                    del pending[s]
    sel.close()
    return socks


def measure(binary, count):
    with ServerProcess(binary) as server:
        time.sleep(0.3)
        base = server.status_kib("VmRSS")
        started = time.monotonic()
        socks = open_idle(server.port, count)
        elapsed = time.monotonic() - started
        time.sleep(1.0)
        rss = server.status_kib("VmRSS")
        hwm = server.status_kib("VmHWM")
        for s in socks:
            s.close()
    return {"baseline_kib": base, "rss_kib": rss, "hwm_kib": hwm, "connect_seconds": elapsed,
            "per_conn_kib": (rss - base) / count}


def compare(servers, count):
    raise_nofile(count + 1024)
    out = {}
    for name, binary in servers:
        try:
            out[name] = measure(binary, count)
        except Exception as e:  # report and go on with the next server
            out[name] = {"error": str(e)}
    return out


def render(results, count):
    lines = [f"{count:,} idle connections (CONNECT + PING each): server RSS in MiB",
             f"{'server':16s} {'before':>8s} {'with conns':>11s} {'peak':>8s} {'KiB/conn':>9s} {'connect s':>10s}"]
    for name, r in results.items():
        if "error" in r:
            lines.append(f"{name:16s} ERROR {r['error']}")
            continue
        lines.append(f"{name:16s} {r['baseline_kib'] / 1024:8.1f} {r['rss_kib'] / 1024:11.1f} {r['hwm_kib'] / 1024:8.1f}"
                     f" {r['per_conn_kib']:9.1f} {r['connect_seconds']:10.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("server", nargs="+", metavar="NAME=BINARY")
    ap.add_argument("--conns", type=int, default=10_000)
    a = ap.parse_args()
    res = compare([tuple(s.split("=", 1)) for s in a.server], a.conns)
    print(render(res, a.conns))
    sys.exit(1 if any("error" in r for r in res.values()) else 0)
