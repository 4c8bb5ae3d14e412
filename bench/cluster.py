"""Starting, checking and stopping a small cluster of one server implementation.

Every node gets nats-server's flags (Starling takes the same ones):

    -a 127.0.0.1 -p CLIENT -m MONITOR -n bench-nK --cluster nats://127.0.0.1:ROUTE
    --cluster_name bench --routes nats://127.0.0.1:ROUTE_OF_EACH_OTHER_NODE

All nodes are pinned to the same CPU (the bench client gets the other one). The cluster is
ready when every node's /routez lists every other node (distinct `remote_id`s: nats-server
2.10+ opens a pool of route connections per peer, plus one for the system account) and the
number of route connections stopped changing; otherwise ClusterNotFormed says why, within a
bounded time.
"""
import json
import shlex
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from servers import CLK_TCK, raise_nofile


class ClusterNotFormed(RuntimeError):
    """The nodes did not start or did not route to each other in time."""


def free_ports(count):
    """`count` distinct free loopback ports (held open together while they are picked)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def routez_peers(monitor_port):
    """Distinct remote server ids and the number of route connections in /routez."""
    with urllib.request.urlopen(f"http://127.0.0.1:{monitor_port}/routez", timeout=2) as r:
        doc = json.load(r)
    routes = doc.get("routes") or []
    return {r.get("remote_id") for r in routes if r.get("remote_id")}, len(routes)


class Cluster:
    """`nodes` servers of `command` (binary plus optional flags) routed to each other."""

    def __init__(self, command, nodes, cpu="0", route_timeout=20.0, ready_timeout=15.0):
        self.binary = shlex.split(command)[0]
        ports = free_ports(3 * nodes)
        self.client_ports = ports[0::3]
        self.route_ports = ports[1::3]
        self.monitor_ports = ports[2::3]
        self.procs = []
        self.logs = []
        try:
            for i in range(nodes):
                routes = ",".join(f"nats://127.0.0.1:{p}" for j, p in enumerate(self.route_ports) if j != i)
                cmd = ["taskset", "-c", cpu] + shlex.split(command) + [
                    "-a", "127.0.0.1", "-p", str(self.client_ports[i]), "-m", str(self.monitor_ports[i]),
                    "-n", f"bench-n{i + 1}", "--cluster", f"nats://127.0.0.1:{self.route_ports[i]}",
                    "--cluster_name", "bench", "--routes", routes]
                log = tempfile.TemporaryFile()
                self.logs.append(log)
                self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                                   preexec_fn=raise_nofile))
            self._wait_listening(ready_timeout)
            self._wait_routes(route_timeout)
        except BaseException:
            self.stop()
            raise

    def url(self, node):
        """Client URL of node `node` (0-based)."""
        return f"nats://127.0.0.1:{self.client_ports[node]}"

    def _exited(self):
        for i, p in enumerate(self.procs):
            if p.poll() is not None:
                return f"node {i + 1} exited with status {p.returncode}: {self._log_tail(i)}"
        return None

    def _log_tail(self, node, chars=240):
        log = self.logs[node]
        log.flush()
        log.seek(0)
        text = log.read().decode("utf-8", "replace").strip()
        return " / ".join(text[-chars:].splitlines()[-3:]) or "(no output)"

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        for i, port in enumerate(self.client_ports):
            while True:
                exited = self._exited()
                if exited:
                    raise ClusterNotFormed(f"routes did not form: {exited}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                        s.recv(16)  # INFO: the node is serving clients
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise ClusterNotFormed(f"routes did not form: node {i + 1} did not listen on {port}")
                    time.sleep(0.05)

    def _wait_routes(self, timeout):
        deadline = time.monotonic() + timeout
        want = len(self.procs) - 1
        last_counts = None
        while True:
            exited = self._exited()
            if exited:
                raise ClusterNotFormed(f"routes did not form: {exited}")
            seen, counts, problems = [], [], []
            for i, port in enumerate(self.monitor_ports):
                try:
                    peers, conns = routez_peers(port)
                except (OSError, ValueError) as e:
                    peers, conns = set(), 0
                    problems.append(f"node {i + 1} /routez: {e}")
                seen.append(len(peers))
                counts.append(conns)
            if all(n >= want for n in seen):
                if counts == last_counts:
                    return  # every node sees every peer, and the pools stopped growing
                last_counts = counts
            else:
                last_counts = None
            if time.monotonic() > deadline:
                detail = ", ".join(f"node {i + 1} sees {n}/{want} peers" for i, n in enumerate(seen))
                raise ClusterNotFormed(f"routes did not form within {timeout:.0f}s: {detail}"
                                       + (f" ({problems[0]})" if problems else ""))
            time.sleep(0.25)

    def cpu_seconds(self):
        """utime + stime of all nodes together, from /proc/PID/stat."""
        total = 0
        for p in self.procs:
            with open(f"/proc/{p.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / CLK_TCK

    def status_kib(self, key):
        """A kB value from /proc/PID/status (e.g. VmHWM), summed over the nodes."""
        total = 0
        for p in self.procs:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        return total

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        for log in self.logs:
            log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
