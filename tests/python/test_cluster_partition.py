"""A network partition between two routed nodes, made by a TCP relay that
can stop moving bytes without closing anything (a black hole: no FIN, no
RST, as when a link or a firewall drops packets).

Node ``dialer`` reaches the other node only through the relay, and
advertises a relayed address of its own; the other node lists no routes.  Both run with ``ping_interval: 1s`` and
``ping_max: 2``, so each side must find its route stale, close it and, for
the dialer, keep re-dialling.  While the partition lasts, each node keeps
serving its own clients and a publisher that streams toward the lost
interest is neither blocked nor buffered without bound.  Once the relay
moves bytes again, the route comes back by itself, interest made on either
side during the partition is exchanged, and messages flow both ways.

Pairs: Starling with Starling, and Starling with each Go build, with the
Starling node dialling and with the Go node dialling.  Run with
``NATS_SERVER_BIN`` pointing at a nats-server and the "S" nodes are Go too.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Callable, List

import pytest

from clustersupport import (Cluster, Conns, Inbox, barrier, pair_params, require_kinds, unique,
                            wait_until)
from conftest import HOST, nats_flush, run

PING = 'ping_interval: "1s"\nping_max: 2\n'
STALE_WITHIN = 15.0     # 1 s pings, 2 unanswered: ~3 s; slack for a loaded machine
HEAL_WITHIN = 30.0      # re-dial back-off (nats-server: 1 s; Starling: up to 5 s)


class BlackHoleRelay:
    """Forwards TCP connections from one listening port per target (``ports[i]`` to
    ``targets[i]()``); ``cut()`` stops moving bytes in both directions on every connection
    (they stay open, as on a dead link), ``mend()`` resumes."""

    def __init__(self, *targets: Callable[[], int]):
        self.moving = threading.Event()
        self.moving.set()
        self.closed = threading.Event()
        self.sockets: List[socket.socket] = []
        self.lock = threading.Lock()
        self.listeners: List[socket.socket] = []
        self.ports: List[int] = []
        for target in targets:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, 0))
            listener.listen(64)
            listener.settimeout(0.2)
            self.listeners.append(listener)
            self.ports.append(listener.getsockname()[1])
            threading.Thread(target=self._accept, args=(listener, target), daemon=True).start()

    def cut(self) -> None:
        self.moving.clear()

    def mend(self) -> None:
        self.moving.set()

    def close(self) -> None:
        self.closed.set()
        self.moving.set()
        with self.lock:
            for s in self.listeners + self.sockets:
                s.close()

    def _accept(self, listener: socket.socket, target: Callable[[], int]) -> None:
        while not self.closed.is_set():
            try:
                inbound, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                outbound = socket.create_connection((HOST, target()), timeout=5)
            except OSError:
                inbound.close()
                continue
            with self.lock:
                self.sockets += [inbound, outbound]
            for a, b in ((inbound, outbound), (outbound, inbound)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            src.settimeout(0.2)
            while not self.closed.is_set():
                if not self.moving.is_set():
                    time.sleep(0.05)     # bytes wait in the kernel buffers, as on a dead link
                    continue
                try:
                    data = src.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                self.moving.wait()
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass




@pytest.mark.parametrize("kinds,dialer", pair_params("dials"))
def test_partition_detected_and_healed(tmp_path, kinds, dialer):
    require_kinds(kinds)
    c = Cluster(kinds, tmp_path, extra=PING)
    other = 1 - dialer
    # One relay each way: the dialer advertises the second one, so a peer that dials back
    # (nats-server 2.10+ does, toward a 2.9 peer) cannot go around the partition.
    relay = BlackHoleRelay(lambda: c.nodes[other].cport, lambda: c.nodes[dialer].cport)
    c.nodes[dialer].route_override = [f"nats-route://{HOST}:{relay.ports[0]}"]
    c.nodes[dialer].cluster_extra = f'advertise: "{HOST}:{relay.ports[1]}"'
    c.nodes[other].route_override = []
    try:
        c.start()
        run(_partition_scenario(c, relay, c.nodes[dialer], c.nodes[other]), 150)
    finally:
        relay.close()
        c.stop()


async def _partition_scenario(c: Cluster, relay: BlackHoleRelay, a, b) -> None:
    async with Conns(c) as conns:
        p = unique("partition")
        on_a, on_b = await conns.connect(a, "a"), await conns.connect(b, "b")
        to_b = await Inbox.open(on_b, f"{p}.to.b")
        await barrier(on_a, on_b)

        relay.cut()
        # A publisher streams toward b's interest while the link is dead: the node
        # must not block its client, and must drop the route rather than buffer forever.
        streamer = await conns.connect(a, "streamer")
        start = time.monotonic()
        for k in range(2000):
            await streamer.nc.publish(f"{p}.to.b", b"%05d" % k + b"x" * 1000)
            if k % 100 == 99:
                await nats_flush(streamer.nc)
        assert time.monotonic() - start < 20, "a publisher was held up by a dead route"

        def routes(node) -> int:
            return node.routez().get("num_routes", -1)
        # (Blocking waits run in a thread: the clients must keep answering the nodes' PINGs.)
        await asyncio.to_thread(
            wait_until, lambda: routes(a) == 0 and routes(b) == 0, STALE_WITHIN,
            lambda: f"the dead route to be dropped on both sides\n{c.describe()}")
        for node in (a, b):
            assert "Stale" in node.log_tail(200) or "stale" in node.log_tail(200), (
                f"{node.label} did not log the stale route\n{node.log_tail(40)}")

        # Each side keeps serving its own clients.
        for node, conn in ((a, on_a), (b, on_b)):
            local = await Inbox.open(conn, f"{p}.local.{node.index}")
            await nats_flush(conn.nc)
            await conn.nc.publish(f"{p}.local.{node.index}", b"still here")
            await nats_flush(conn.nc)
            assert await local.wait_count(1, 5), f"{node.label} stopped serving local clients"
        # Interest made during the partition, on both sides.
        late_b = await Inbox.open(on_b, f"{p}.late.b")
        late_a = await Inbox.open(on_a, f"{p}.late.a")
        await nats_flush(on_a.nc)
        await nats_flush(on_b.nc)

        relay.mend()
        await asyncio.to_thread(c.wait_formed, HEAL_WITHIN)
        await barrier(on_a, on_b, HEAL_WITHIN)
        await barrier(on_b, on_a, HEAL_WITHIN)
        before = len(to_b.msgs)
        await on_a.nc.publish(f"{p}.late.b", b"a->b")
        await on_b.nc.publish(f"{p}.late.a", b"b->a")
        await on_a.nc.publish(f"{p}.to.b", b"after")
        await nats_flush(on_a.nc)
        await nats_flush(on_b.nc)
        assert await late_b.wait_count(1, 10) and late_b.data() == [b"a->b"], (
            f"interest made on {b.label} during the partition: got {late_b.data()}\n{c.describe()}")
        assert await late_a.wait_count(1, 10) and late_a.data() == [b"b->a"], (
            f"interest made on {a.label} during the partition: got {late_a.data()}\n{c.describe()}")
        assert await to_b.wait_count(before + 1, 10) and to_b.data()[-1] == b"after"
        # What crossed before the route was declared dead is a gap-free prefix.
        streamed = [d[:5] for d in to_b.data() if len(d) > 1000]
        assert streamed == [b"%05d" % k for k in range(len(streamed))], streamed[:10]
