"""Clustering (routes): real 3-node clusters of the binary under test
("S") mixed with nats-server 2.9.10 ("G9") and 2.15.x ("G15").

Every test is parametrized over topologies (see clustersupport.py):
``SSS``, ``SS-G9``, ``S-G9G9``, ``SS-G15``, ``S-G15G15``; some also over
a node of each kind of the topology (ids like ``SS-G9:n2``: node 2, the
G9, is the one killed / joining / the seed).  Run with ``NATS_SERVER_BIN``
pointing at a nats-server and every node is Go: every expectation here was
observed on all-Go meshes of both versions.

Read-only checks share one cluster per topology (module scope: accounts A
and B with a service and a stream export, anonymous users in $G); tests that
kill, add or attack nodes start their own.  Messages are only published
after ``barrier()`` proved that the subscriptions are known on the
publisher's node, so no delivery depends on a sleep (short grace periods
only give duplicates or leaks a chance to show).  Failures print a delivery
matrix (row: publisher's node, column: subscriber's node), each node's
routes as its /routez shows them, and log tails.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import socket
import ssl
import time
import urllib.request

import bcrypt

import pytest

from clustersupport import (SHARED_ACCOUNTS, Cluster, Conns, Inbox, RoutePeer,
                            barrier, barriers, distinct_kinds, matrix, older_than_2_10,
                            route_tls_context, spki_sha256, topology_params, unique, wait_until)
from conftest import HOST, RawClient, free_port, nats_flush, parse_info, run
from opsupport import ops_server, pki  # noqa: F401,F811  (fixtures)

INTRUDER_WATCH = 3.0   # nats-server retries a failed configured route every second


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module", params=topology_params())
def shared_cluster(request, tmp_path_factory):
    c = Cluster(request.param, tmp_path_factory.mktemp("shared"), extra=SHARED_ACCOUNTS)
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture
def mesh(shared_cluster):
    """The shared cluster of this topology, restarted if an earlier test
    left a node dead."""
    if not shared_cluster.healthy():
        dead = [n.describe() for n in shared_cluster.members if not n.alive()]
        print(f"restarting shared cluster {shared_cluster.topology}: {dead}")
        shared_cluster.stop()
        shared_cluster.start()
    return shared_cluster


@pytest.fixture
def make_cluster(tmp_path):
    made = []

    def make(kinds, start=True, **kw) -> Cluster:
        c = Cluster(kinds, tmp_path, **kw)
        made.append(c)
        return c.start() if start else c
    yield make
    for c in made:
        c.stop()


def arun(coro, timeout: float = 90.0):
    return run(coro, timeout)


# --------------------------------------------------------------------------
# delivery checks used by many tests
# --------------------------------------------------------------------------

EDGE_PAYLOADS = [b"", b"PUB x 1\r\nhi\r\n\x00\xff RMSG $G y 2\r\n", b"z" * 65536]


def msg_key(m):
    h = dict(m.headers) if m.headers else None
    return (m.data, m.reply or "", h)


def show(items, limit=6):
    items = list(items)
    out = [repr((d[:40] + b"..." if len(d) > 40 else d, r, h)) for d, r, h in items[:limit]]
    more = f" ... (+{len(items) - limit})" if len(items) > limit else ""
    return "[" + ", ".join(out) + "]" + more


async def check_directions(cluster: Cluster, conns: Conns, nodes=None, count: int = 6,
                           extra_payloads=(), overlap: bool = False, tag: str = "dir",
                           account: str = "$G") -> None:
    """For every ordered pair of nodes (a -> b, a == b included as a
    control) a publisher on a and a subscriber on b: exactly the published
    messages arrive, in order, with their reply subjects and headers (every
    second message has headers, every third a reply subject).  ``overlap``:
    the subscriber's connection has a second, overlapping wildcard
    subscription, which must see every message once more (one copy per
    subscription, no duplicate over the route)."""
    nodes = list(nodes or cluster.live_members())
    p = unique(tag)
    cs = {n: await conns.connect(n, "pubsub", account=account) for n in nodes}
    boxes = {n: await Inbox.open(cs[n], f"{p}.to.{n.index}.>") for n in nodes}
    boxes2 = {n: await Inbox.open(cs[n], f"{p}.to.{n.index}.from.*") for n in nodes} if overlap else {}
    await barriers((cs[a], cs[b]) for a in nodes for b in nodes if a is not b)
    expected = {}
    for a in nodes:
        for b in nodes:
            subject = f"{p}.to.{b.index}.from.{a.index}"
            payloads = [f"{a.index}>{b.index}#{k}".encode() for k in range(count)]
            payloads += list(extra_payloads)
            exp = []
            for k, data in enumerate(payloads):
                hdrs = {"X-From": a.label, "X-Seq": str(k)} if k % 2 else None
                reply = f"{p}.reply.{a.index}.{k}" if k % 3 == 0 else ""
                await cs[a].nc.publish(subject, data, reply=reply, headers=hdrs)
                exp.append((data, reply, hdrs))
            expected[(a, b)] = (subject, exp)
    for a in nodes:
        await nats_flush(cs[a].nc)
    per_node = {b: sum(len(expected[(a, b)][1]) for a in nodes) for b in nodes}
    await asyncio.gather(*(boxes[b].wait_count(per_node[b], 10) for b in nodes),
                         *(boxes2[b].wait_count(per_node[b], 10) for b in boxes2))
    await asyncio.sleep(0.1)  # duplicates would show up now

    problems = []

    def got(box, a, b):
        subject, _ = expected[(a, b)]
        return [msg_key(m) for m in box.msgs if m.subject == subject]

    def cell(a, b):
        exp = expected[(a, b)][1]
        g = got(boxes[b], a, b)
        ok = g == exp and (not overlap or got(boxes2[b], a, b) == exp)
        return f"{'ok' if ok else 'BAD'} {len(g)}/{len(exp)}"

    for a in nodes:
        for b in nodes:
            exp = expected[(a, b)][1]
            for box in [boxes[b]] + ([boxes2[b]] if overlap else []):
                g = got(box, a, b)
                if g != exp:
                    problems.append(f"{a.label} -> {b.label} ({box.label}): expected {len(exp)} "
                                    f"{show(exp)}\n      got {len(g)} {show(g)}")
    stray = [m.subject for b in nodes for m in boxes[b].msgs
             if not any(m.subject == expected[(a, b)][0] for a in nodes)]
    if stray:
        problems.append(f"messages on unexpected subjects: {stray[:10]}")
    if problems:
        raise AssertionError(matrix(nodes, cell, f"[{cluster.topology}] delivery in {account}")
                             + "\n  " + "\n  ".join(problems) + "\n" + cluster.describe())


async def check_queue_exactly_once(cluster: Cluster, conns: Conns, members_per_node=None,
                                   publishers=None, count: int = 30, tag: str = "q") -> dict:
    """Queue members on the given nodes, ``count`` messages from each
    publisher node: every message is delivered exactly once in total.
    Returns {member inbox: messages}."""
    nodes = cluster.live_members()
    members_per_node = members_per_node or {n: 2 for n in nodes}
    publishers = publishers or nodes
    p = unique(tag)
    subject = f"{p}.work"
    boxes = []
    for n, k in members_per_node.items():
        for i in range(k):
            c = await conns.connect(n, f"member{i}")
            boxes.append(await Inbox.open(c, subject, queue="workers"))
    pubs = [await conns.connect(n, "pub") for n in publishers]
    await barriers((pc, b.conn) for pc in pubs for b in boxes)
    sent = []
    for pc in pubs:
        for k in range(count):
            data = f"{pc.node.index}:{k}".encode()
            await pc.nc.publish(subject, data)
            sent.append(data)
    for pc in pubs:
        await nats_flush(pc.nc)
    deadline = time.monotonic() + 10
    while sum(len(b.msgs) for b in boxes) < len(sent) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # duplicates would show up now
    got = collections.Counter(m.data for b in boxes for m in b.msgs)
    dups = {d: c for d, c in got.items() if c > 1}
    missing = [d for d in sent if d not in got]
    spread = ", ".join(f"{b.conn.label}={len(b.msgs)}" for b in boxes)
    assert not dups and not missing and sum(got.values()) == len(sent), (
        f"[{cluster.topology}] queue group: {len(sent)} published from "
        f"{[n.label for n in publishers]}, {sum(got.values())} delivered; "
        f"duplicates {list(dups.items())[:10]}; missing {missing[:10]} (of {len(missing)}); "
        f"per member: {spread}\n{cluster.describe()}")
    return {b: b.msgs for b in boxes}


# --------------------------------------------------------------------------
# formation and /routez
# --------------------------------------------------------------------------

def test_routez_shows_every_route(mesh):
    snap = mesh.wait_formed()
    problems = []
    for node in mesh.members:
        rz = snap[node]
        if rz.get("server_id") != node.server_id:
            problems.append(f"{node.label}: /routez server_id {rz.get('server_id')} "
                            f"!= /varz server_id {node.server_id}")
        info = node.route_info
        if info.get("server_id") != node.server_id or info.get("cluster") != mesh.name:
            problems.append(f"{node.label}: route INFO server_id/cluster "
                            f"{info.get('server_id')}/{info.get('cluster')}")
        rids = [r.get("rid") for r in rz["routes"]]
        if len(set(rids)) != len(rids):
            problems.append(f"{node.label}: duplicate rids {rids}")
        for r in rz["routes"]:
            peer = next((p for p in mesh.members if p.server_id == r.get("remote_id")), None)
            where = f"{node.label} route rid={r.get('rid')} to {peer.label if peer else '?'}"
            types = {"rid": int, "remote_id": str, "did_solicit": bool, "is_configured": bool,
                     "ip": str, "port": int, "rtt": str, "pending_size": int, "in_msgs": int,
                     "out_msgs": int, "in_bytes": int, "out_bytes": int, "subscriptions": int}
            for key, typ in types.items():
                if not isinstance(r.get(key), typ) or isinstance(r.get(key), bool) != (typ is bool):
                    problems.append(f"{where}: {key}={r.get(key)!r} (want {typ.__name__})")
            if r.get("ip") != HOST or not (0 < (r.get("port") or 0) < 65536):
                problems.append(f"{where}: ip/port {r.get('ip')}:{r.get('port')}")
            if not older_than_2_10(node.kind) and r.get("remote_name") != (peer.name if peer else None):
                problems.append(f"{where}: remote_name {r.get('remote_name')!r}")
    assert not problems, "\n".join(problems) + "\n" + mesh.describe(snap)


def test_client_info_lists_every_node(mesh):
    want = {n.client_url for n in mesh.members}
    for node in mesh.members:
        with RawClient(node.port) as c:
            urls = c.info.get("connect_urls")
            assert urls and set(urls) == want and len(urls) == len(want), (
                f"[{mesh.topology}] {node.label} INFO connect_urls {urls}, expected {sorted(want)}")


def test_route_message_counters(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("ctr")
            cs = {n: await conns.connect(n) for n in nodes}
            boxes = {n: await Inbox.open(cs[n], f"{p}.{n.index}") for n in nodes}
            await barriers((cs[a], cs[b]) for a in nodes for b in nodes if a is not b)
            n_msgs, size = 40, 100
            problems = []
            for a, b in itertools.permutations(nodes, 2):
                before_out = mesh.route_counter(a, b, "out_msgs")
                before_in = mesh.route_counter(b, a, "in_msgs")
                before_bytes = mesh.route_counter(a, b, "out_bytes")
                for k in range(n_msgs):
                    await cs[a].nc.publish(f"{p}.{b.index}", b"x" * size)
                await nats_flush(cs[a].nc)
                await boxes[b].wait_count(n_msgs, 10)
                boxes[b].msgs.clear()

                def moved():
                    return (mesh.route_counter(a, b, "out_msgs") - before_out >= n_msgs
                            and mesh.route_counter(b, a, "in_msgs") - before_in >= n_msgs
                            and mesh.route_counter(a, b, "out_bytes") - before_bytes >= n_msgs * size)
                deadline = time.monotonic() + 5
                while not moved() and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                if not moved():
                    problems.append(
                        f"{a.label} -> {b.label}: {n_msgs} messages of {size} bytes; "
                        f"{a.label} out_msgs +{mesh.route_counter(a, b, 'out_msgs') - before_out}, "
                        f"out_bytes +{mesh.route_counter(a, b, 'out_bytes') - before_bytes}; "
                        f"{b.label} in_msgs +{mesh.route_counter(b, a, 'in_msgs') - before_in}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


# --------------------------------------------------------------------------
# delivery
# --------------------------------------------------------------------------

def test_delivery_every_direction(mesh):
    async def main():
        async with Conns(mesh) as conns:
            await check_directions(mesh, conns, count=6, extra_payloads=EDGE_PAYLOADS,
                                   overlap=True)
    arun(main())


def test_request_reply_every_direction(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("rr")
            cs = {n: await conns.connect(n) for n in nodes}
            for n in nodes:
                async def respond(m, n=n):
                    await cs[n].nc.publish(m.reply, b"from " + n.label.encode() + b": " + m.data,
                                           headers={"X-Responder": n.label})
                await cs[n].nc.subscribe(f"{p}.svc.{n.index}", cb=respond)
            await barriers((cs[a], cs[b]) for a in nodes for b in nodes if a is not b)
            problems = []

            async def ask(a, b):
                try:
                    r = await cs[a].nc.request(f"{p}.svc.{b.index}", f"q{a.index}".encode(),
                                               timeout=5)
                except Exception as e:
                    problems.append(f"{a.label} asks {b.label}: {e!r}")
                    return "ERR"
                want = f"from {b.label}: q{a.index}".encode()
                if r.data != want or (r.headers or {}).get("X-Responder") != b.label:
                    problems.append(f"{a.label} asks {b.label}: got {r.data!r} {r.headers}")
                    return "BAD"
                return "ok"
            results = {}
            for a in nodes:
                for b in nodes:
                    results[(a, b)] = await ask(a, b)
            assert not problems, (matrix(nodes, lambda a, b: results[(a, b)],
                                         f"[{mesh.topology}] request/reply")
                                  + "\n" + "\n".join(problems) + "\n" + mesh.describe())
    arun(main())


def test_queue_responders_answer_each_request_once(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("qrr")
            answered = collections.Counter()
            for n in nodes:
                c = await conns.connect(n, "responder")

                async def respond(m, c=c):
                    answered[c.node.label] += 1
                    await c.nc.publish(m.reply, m.data)
                await c.nc.subscribe(f"{p}.svc", queue="responders", cb=respond)
            reqs = {n: await conns.connect(n, "requester") for n in nodes}
            boxes = {n: await Inbox.open(reqs[n], f"{p}.reply.{n.index}") for n in nodes}
            await barriers((reqs[a], c) for a in nodes for c in conns.all[:len(nodes)])
            await barriers((c, reqs[a]) for a in nodes for c in conns.all[:len(nodes)])
            per = 20
            for n in nodes:
                for k in range(per):
                    await reqs[n].nc.publish(f"{p}.svc", f"{n.index}:{k}".encode(),
                                             reply=f"{p}.reply.{n.index}")
                await nats_flush(reqs[n].nc)
            await asyncio.gather(*(b.wait_count(per, 10) for b in boxes.values()))
            await asyncio.sleep(0.2)
            problems = []
            for n in nodes:
                want = [f"{n.index}:{k}".encode() for k in range(per)]
                got = sorted(boxes[n].data(), key=lambda d: int(d.split(b":")[1]))
                if got != want:
                    problems.append(f"requester on {n.label}: {len(got)} replies for {per} "
                                    f"requests: {got[:8]}")
            assert not problems, ("\n".join(problems) + f"\nanswered per responder: "
                                  f"{dict(answered)}\n" + mesh.describe())
    arun(main())


def test_large_and_many_messages_every_direction(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("big")
            cs = {n: await conns.connect(n) for n in nodes}
            boxes = {n: await Inbox.open(cs[n], f"{p}.{n.index}.>") for n in nodes}
            await barriers((cs[a], cs[b]) for a in nodes for b in nodes if a is not b)
            big = bytes(range(256)) * (1_000_000 // 256)
            burst = 1000
            for a, b in itertools.permutations(nodes, 2):
                s = f"{p}.{b.index}.{a.index}"
                await cs[a].nc.publish(s, big)
                for k in range(burst):
                    await cs[a].nc.publish(s, b"%d" % k)
            for a in nodes:
                await nats_flush(cs[a].nc, timeout=20)
            per = (len(nodes) - 1) * (burst + 1)
            await asyncio.gather(*(boxes[b].wait_count(per, 20) for b in nodes))
            problems = []
            for a, b in itertools.permutations(nodes, 2):
                got = boxes[b].data(f"{p}.{b.index}.{a.index}")
                want = [big] + [b"%d" % k for k in range(burst)]
                if got != want:
                    first = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), None)
                    problems.append(f"{a.label} -> {b.label}: {len(got)} of {len(want)} "
                                    f"(1 MB first, then {burst} in order); first difference at "
                                    f"#{first}; big payload ok: {bool(got) and got[0] == big}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


# --------------------------------------------------------------------------
# queue groups
# --------------------------------------------------------------------------

def test_queue_group_exactly_once_members_everywhere(mesh):
    async def main():
        async with Conns(mesh) as conns:
            got = await check_queue_exactly_once(mesh, conns, count=30)
            idle = [b.conn.label for b, msgs in got.items() if not msgs]
            # 90 messages over 6 members chosen at random by every node:
            # an idle member means remote members are never picked.
            assert not idle, f"[{mesh.topology}] members that got nothing: {idle}"
    arun(main())


def test_queue_group_members_only_on_other_nodes(mesh):
    async def main():
        async with Conns(mesh) as conns:
            for pub in mesh.members:
                others = [n for n in mesh.members if n is not pub]
                got = await check_queue_exactly_once(
                    mesh, conns, members_per_node={n: 2 for n in others}, publishers=[pub],
                    count=40, tag=f"qr{pub.index}")
                per_node = collections.Counter()
                for b, msgs in got.items():
                    per_node[b.conn.node.label] += len(msgs)
                assert all(per_node[n.label] for n in others), (
                    f"[{mesh.topology}] 40 messages from {pub.label}, members on "
                    f"{[n.label for n in others]}: per node {dict(per_node)}")
    arun(main())


def test_plain_and_queue_subscribers_mixed(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("mix")
            subject = f"{p}.events"
            plain, g1, g2 = [], [], []
            for n in nodes:
                c = await conns.connect(n, "plain")
                plain.append(await Inbox.open(c, subject))
                c = await conns.connect(n, "g1")
                g1.append(await Inbox.open(c, subject, queue="g1"))
            for n in nodes[1:]:
                c = await conns.connect(n, "g2")
                g2.append(await Inbox.open(c, subject, queue="g2"))
            pubs = [await conns.connect(n, "pub") for n in nodes]
            await barriers((pc, b.conn) for pc in pubs for b in plain + g1 + g2)
            per = 20
            for pc in pubs:
                for k in range(per):
                    await pc.nc.publish(subject, f"{pc.node.index}:{k}".encode())
                await nats_flush(pc.nc)
            total = per * len(pubs)
            await asyncio.gather(*(b.wait_count(total, 10) for b in plain))
            deadline = time.monotonic() + 10
            while (sum(len(b.msgs) for b in g1) < total or sum(len(b.msgs) for b in g2) < total) \
                    and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            problems = []
            for b in plain:
                for pc in pubs:
                    want = [f"{pc.node.index}:{k}".encode() for k in range(per)]
                    got = [d for d in b.data() if d.startswith(f"{pc.node.index}:".encode())]
                    if got != want:
                        problems.append(f"plain {b.label}: from {pc.node.label} got {len(got)} "
                                        f"of {per}: {got[:6]}")
            sent = {f"{pc.node.index}:{k}".encode() for pc in pubs for k in range(per)}
            for name, group in (("g1", g1), ("g2", g2)):
                got = collections.Counter(d for b in group for d in b.data())
                if set(got) != sent or any(v != 1 for v in got.values()):
                    problems.append(
                        f"queue {name}: {sum(got.values())} deliveries of {len(sent)}, "
                        f"duplicates {[d for d, v in got.items() if v > 1][:6]}, missing "
                        f"{sorted(sent - set(got))[:6]}; per member "
                        f"{[(b.conn.label, len(b.msgs)) for b in group]}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


# --------------------------------------------------------------------------
# interest removal
# --------------------------------------------------------------------------

async def stops_routing(mesh, pub, sub_node, subject, witness: Inbox, batch: int = 40,
                        timeout: float = 10.0) -> str:
    """Publish batches on ``subject`` from ``pub`` until its node no longer
    forwards them to ``sub_node`` (route out_msgs grow by less than half a
    batch while ``witness`` elsewhere gets the whole batch).  Returns an
    empty string, or what went wrong."""
    deadline = time.monotonic() + timeout
    history = []
    while True:
        before = mesh.route_counter(pub.node, sub_node, "out_msgs")
        start = len(witness.msgs)
        for k in range(batch):
            await pub.nc.publish(subject, b"after")
        await nats_flush(pub.nc)
        if not await witness.wait_count(start + batch, 10):
            return (f"witness {witness.label} got {len(witness.msgs) - start} of {batch} "
                    f"messages published on {pub.node.label}")
        await asyncio.sleep(0.05)
        delta = mesh.route_counter(pub.node, sub_node, "out_msgs") - before
        history.append(delta)
        if delta < batch // 2:
            return ""
        if time.monotonic() >= deadline:
            return (f"{pub.node.label} still forwards {subject} to {sub_node.label}: "
                    f"route out_msgs grew by {history} for batches of {batch}")


def test_interest_removed_after_unsubscribe_and_disconnect(mesh):
    async def main():
        async with Conns(mesh) as conns:
            problems = []
            for p_node, u_node, k_node in itertools.permutations(mesh.members, 3):
                p = unique(f"unsub{p_node.index}{u_node.index}")
                pub = await conns.connect(p_node, "pub")
                cu = await conns.connect(u_node, "leaver")
                cu2 = await conns.connect(u_node, "closer")
                ck = await conns.connect(k_node, "stayer")
                bu = await Inbox.open(cu, f"{p}.x")
                await Inbox.open(cu2, f"{p}.y")
                bk = await Inbox.open(ck, f"{p}.x")
                bk2 = await Inbox.open(ck, f"{p}.y")
                await barriers([(pub, cu), (pub, cu2), (pub, ck)])
                before = mesh.route_counter(p_node, u_node, "out_msgs")
                for k in range(20):
                    await pub.nc.publish(f"{p}.x", b"before")
                await nats_flush(pub.nc)
                await asyncio.gather(bu.wait_count(20), bk.wait_count(20))
                moved = mesh.route_counter(p_node, u_node, "out_msgs") - before
                where = f"pub {p_node.label}, unsubscriber {u_node.label}, witness {k_node.label}"
                if len(bu.msgs) != 20 or moved < 20:
                    problems.append(f"{where}: before UNSUB the subscriber got {len(bu.msgs)}/20, "
                                    f"route out_msgs +{moved}")
                    continue
                await bu.sub.unsubscribe()
                await nats_flush(cu.nc)
                err = await stops_routing(mesh, pub, u_node, f"{p}.x", bk)
                if err:
                    problems.append(f"{where}: after UNSUB: {err}")
                if len(bu.msgs) != 20:
                    problems.append(f"{where}: unsubscribed sub got {len(bu.msgs) - 20} more")
                # A connection that goes away takes its interest with it.
                await cu2.nc.close()
                err = await stops_routing(mesh, pub, u_node, f"{p}.y", bk2)
                if err:
                    problems.append(f"{where}: after the subscriber's connection closed: {err}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


def test_queue_interest_removed_after_unsubscribe(mesh):
    """If a node kept routing to a queue member that left, messages would be
    lost: all must reach the remaining member."""
    async def main():
        async with Conns(mesh) as conns:
            problems = []
            for p_node, u_node, k_node in itertools.permutations(mesh.members, 3):
                p = unique(f"qunsub{p_node.index}{u_node.index}")
                subject = f"{p}.work"
                pub = await conns.connect(p_node, "pub")
                cu = await conns.connect(u_node, "leaver")
                ck = await conns.connect(k_node, "stayer")
                bu = await Inbox.open(cu, subject, queue="q")
                bk = await Inbox.open(ck, subject, queue="q")
                await barriers([(pub, cu), (pub, ck)])
                for k in range(30):
                    await pub.nc.publish(subject, b"%d" % k)
                await nats_flush(pub.nc)
                where = f"pub {p_node.label}, leaver {u_node.label}, stayer {k_node.label}"
                deadline = time.monotonic() + 10
                while len(bu.msgs) + len(bk.msgs) < 30 and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                if len(bu.msgs) + len(bk.msgs) != 30:
                    problems.append(f"{where}: before: {len(bu.msgs)} + {len(bk.msgs)} of 30")
                    continue
                await bu.sub.unsubscribe()
                await barrier(pub, cu)     # the UNSUB is known on the publisher's node
                start_u, start_k = len(bu.msgs), len(bk.msgs)
                for k in range(30):
                    await pub.nc.publish(subject, b"after%d" % k)
                await nats_flush(pub.nc)
                await bk.wait_count(start_k + 30, 10)
                await asyncio.sleep(0.1)
                if len(bk.msgs) - start_k != 30 or len(bu.msgs) != start_u:
                    problems.append(f"{where}: after UNSUB the stayer got {len(bk.msgs) - start_k} "
                                    f"of 30, the leaver {len(bu.msgs) - start_u}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


# --------------------------------------------------------------------------
# accounts
# --------------------------------------------------------------------------

def test_accounts_stay_isolated_across_nodes(mesh):
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            accounts = ("$G", "A", "B")
            cs = {(n, acc): await conns.connect(n, account=acc) for n in nodes for acc in accounts}
            p = unique("iso")
            boxes = {}
            for a, b in itertools.permutations(nodes, 2):
                for acc in accounts:
                    boxes[(a, b, acc)] = await Inbox.open(cs[(b, acc)], f"{p}.{a.index}.{b.index}")
            await barriers((cs[(a, acc)], cs[(b, acc)])
                           for a, b in itertools.permutations(nodes, 2) for acc in accounts)
            for a, b in itertools.permutations(nodes, 2):
                for acc in accounts:
                    for k in range(3):
                        await cs[(a, acc)].nc.publish(f"{p}.{a.index}.{b.index}",
                                                      f"{acc}:{k}".encode())
            for c in cs.values():
                await nats_flush(c.nc)
            await asyncio.gather(*(box.wait_count(3, 10) for box in boxes.values()))
            await asyncio.sleep(0.2)
            problems = []
            for (a, b, acc), box in boxes.items():
                want = [f"{acc}:{k}".encode() for k in range(3)]
                if box.data() != want:
                    problems.append(f"{a.label} -> {b.label} account {acc}: expected {want}, "
                                    f"got {box.data()}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


def test_service_import_across_nodes(mesh):
    """A exports svc.>, B imports it: a B requester on one node reaches an
    A responder on another, and the reply finds its way back."""
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("si").replace(".", "-")
            resp = {n: await conns.connect(n, "responder", account="A") for n in nodes}
            seen = collections.defaultdict(list)
            for n in nodes:
                async def respond(m, n=n):
                    seen[n].append(m.subject)
                    await resp[n].nc.publish(m.reply, b"A@" + n.label.encode() + b" " + m.data)
                await resp[n].nc.subscribe(f"svc.{p}.{n.index}", cb=respond)
            req = {n: await conns.connect(n, "requester", account="B") for n in nodes}
            a_on = {n: await conns.connect(n, "probe", account="A") for n in nodes}
            await barriers((a_on[a], resp[b]) for a, b in itertools.permutations(nodes, 2))
            problems, results = [], {}
            for a in nodes:
                for b in nodes:
                    try:
                        r = await req[a].nc.request(f"svc.{p}.{b.index}", b"from B", timeout=5)
                        ok = r.data == f"A@{b.label} from B".encode()
                        results[(a, b)] = "ok" if ok else "BAD"
                        if not ok:
                            problems.append(f"B on {a.label} -> A on {b.label}: {r.data!r}")
                    except Exception as e:
                        results[(a, b)] = "ERR"
                        problems.append(f"B on {a.label} -> A on {b.label}: {e!r}; responder saw "
                                        f"{seen[b]}")
            assert not problems, (matrix(nodes, lambda a, b: results[(a, b)],
                                         f"[{mesh.topology}] service import (B requester -> A responder)")
                                  + "\n" + "\n".join(problems) + "\n" + mesh.describe())
    arun(main())


def test_stream_import_across_nodes(mesh):
    """A exports feed.>, B imports it with prefix fromA: an A publisher on
    one node reaches B subscribers on the others, and nobody else."""
    async def main():
        async with Conns(mesh) as conns:
            nodes = mesh.members
            p = unique("st").replace(".", "-")
            pubs = {n: await conns.connect(n, "pub", account="A") for n in nodes}
            bsubs = {n: await conns.connect(n, "sub", account="B") for n in nodes}
            boxes, wrong = {}, {}
            for a, b in itertools.permutations(nodes, 2):
                boxes[(a, b)] = await Inbox.open(bsubs[b], f"fromA.feed.{p}.{a.index}.{b.index}")
                wrong[(a, b)] = await Inbox.open(bsubs[b], f"feed.{p}.{a.index}.{b.index}")
            for a, b in itertools.permutations(nodes, 2):
                await barrier_via_import(pubs[a], bsubs[b])
            for a, b in itertools.permutations(nodes, 2):
                for k in range(3):
                    await pubs[a].nc.publish(f"feed.{p}.{a.index}.{b.index}", b"%d" % k)
                await nats_flush(pubs[a].nc)
            await asyncio.gather(*(box.wait_count(3, 10) for box in boxes.values()))
            await asyncio.sleep(0.2)
            problems = []
            for (a, b), box in boxes.items():
                if box.data() != [b"0", b"1", b"2"] or wrong[(a, b)].msgs:
                    problems.append(f"A on {a.label} -> B on {b.label}: imported {box.data()}, "
                                    f"unprefixed (must be none) {wrong[(a, b)].data()}")
            assert not problems, "\n".join(problems) + "\n" + mesh.describe()
    arun(main())


async def barrier_via_import(pub, sub, timeout=10.0):
    """barrier() through the stream import: ``pub`` (A) publishes
    feed.<probe>, ``sub`` (B) listens on fromA.feed.<probe>."""
    token = f"probe{os.urandom(4).hex()}"
    seen = asyncio.Event()

    async def cb(_m):
        seen.set()
    s = await sub.nc.subscribe(f"fromA.feed.{token}", cb=cb)
    await nats_flush(sub.nc)
    deadline = time.monotonic() + timeout
    while not seen.is_set():
        assert time.monotonic() < deadline, (
            f"stream import: probes of {pub.label} never reached {sub.label}")
        await pub.nc.publish(f"feed.{token}", b"probe")
        await nats_flush(pub.nc)
        try:
            await asyncio.wait_for(seen.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
    await s.unsubscribe()


# --------------------------------------------------------------------------
# topologies that need their own cluster
# --------------------------------------------------------------------------

@pytest.mark.parametrize("case", topology_params(per_kind=True))
def test_gossip_completes_mesh_from_one_seed(make_cluster, case):
    """Every node lists only the seed: the others must find each other
    through the seed's gossip."""
    kinds, seed = case
    c = make_cluster(kinds, routes=f"seed:{seed}")
    snap = c.wait_formed()
    s = c.nodes[seed]
    problems = []
    for node in c.members:
        for r in snap[node]["routes"]:
            peer = next(p for p in c.members if p.server_id == r["remote_id"])
            configured = node is not s and peer is s
            if r.get("is_configured") is not configured:
                problems.append(f"{node.label} route to {peer.label}: is_configured "
                                f"{r.get('is_configured')}, expected {configured}")
    assert not problems, "\n".join(problems) + "\n" + c.describe(snap)

    async def main():
        async with Conns(c) as conns:
            await check_directions(c, conns, count=3)
    arun(main())


@pytest.mark.parametrize("kinds", topology_params())
def test_cluster_from_flags_with_one_route_list(make_cluster, kinds):
    """--cluster, --cluster_name, --routes; every node gets the same list,
    its own URL included (a node must recognise and ignore itself)."""
    c = make_cluster(kinds, use_flags=True, routes="all")

    async def main():
        async with Conns(c) as conns:
            await check_directions(c, conns, count=3)
    arun(main())


@pytest.mark.parametrize("pool", [pytest.param((2, ("A",)), id="pool2+A"),
                                  pytest.param((-1, ()), id="nopool")])
@pytest.mark.parametrize("kinds", topology_params())
def test_pool_size_and_pinned_accounts(make_cluster, kinds, pool):
    """cluster { pool_size, accounts } on the nodes that know them (not
    2.9): the route count follows (pool + $SYS + A between two pooling
    nodes, one connection otherwise) and every account still flows."""
    c = make_cluster(kinds, extra=SHARED_ACCOUNTS, pool=pool)
    size = pool[0]
    for node in c.members:
        if node.pool_config:
            got = node.route_info.get("route_pool_size")
            assert got == (size if size > 0 else None), (
                f"{node.label} with pool_size {size}: route INFO route_pool_size {got}")

    async def main():
        async with Conns(c) as conns:
            for account in ("A", "B", "$G"):
                await check_directions(c, conns, count=3, account=account, tag="pool")
    arun(main())


@pytest.mark.parametrize("kinds", topology_params())
def test_mtls_cluster(make_cluster, kinds, pki):
    c = make_cluster(kinds, pki=pki)
    for node in c.members:
        assert node.route_info.get("tls_required") is True, (node.label, node.route_info)

    async def main():
        async with Conns(c) as conns:
            await check_directions(c, conns, count=4, extra_payloads=[b"q" * 100_000])
            await check_queue_exactly_once(c, conns, count=20)
    arun(main())


def watch_intruders(c: Cluster, intruders, seconds: float = INTRUDER_WATCH) -> None:
    """For ``seconds``: no member routes to anybody but members, and every
    process stays alive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        snap = c.snapshot()
        problems = c.mesh_problems(snap)
        problems += [f"{i.label} died" for i in intruders if not i.alive()]
        if problems:
            raise AssertionError(f"[{c.topology}] while intruders tried to join:\n  "
                                 + "\n  ".join(problems) + "\n" + c.describe(snap))
        time.sleep(0.1)


def route_tls_refused(port: int, ctx: ssl.SSLContext) -> str:
    """A TLS client on a route port must not get a working link (refused in
    the handshake, or closed right after it: TLS 1.3 reports a refused client
    certificate on the first read)."""
    sock = socket.create_connection((HOST, port), timeout=10)
    try:
        try:
            t = ctx.wrap_socket(sock, server_hostname=HOST)
        except (ssl.SSLError, OSError) as e:
            return f"handshake failed: {e!r}"
        t.settimeout(10)
        data = b""
        try:
            while True:
                chunk = t.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ssl.SSLError, ConnectionError) as e:
            return f"closed: {e!r} after {data[:60]!r}"
        except socket.timeout:
            raise AssertionError(f"TLS link to route port {port} stayed open; got {data[:200]!r}")
        assert not data.startswith(b"INFO"), f"route port {port} accepted the client: {data[:200]!r}"
        return f"closed after {data[:60]!r}"
    finally:
        sock.close()


@pytest.mark.parametrize("kinds", topology_params())
def test_bad_certificate_is_refused(make_cluster, kinds, pki):
    c = make_cluster(kinds, pki=pki)
    for node in c.members:
        # Control: the cluster's own certificate gets the route INFO.
        with route_tls_context(pki).wrap_socket(
                socket.create_connection((HOST, node.cport), timeout=10),
                server_hostname=HOST) as t:
            t.settimeout(10)
            assert t.recv(5) == b"INFO ", node.label
        for cert in ("other-client", "expired", None):
            how = route_tls_refused(node.cport, route_tls_context(pki, cert))
            assert how, (node.label, cert)
    intruders = [c.add_node(kind, member=False, cert="other-client")
                 for kind in distinct_kinds(kinds)]
    watch_intruders(c, intruders)

    assert_mesh_delivers(c)


@pytest.mark.parametrize("kinds", topology_params())
def test_unpinned_certificate_is_refused(make_cluster, kinds, pki):
    """With pinned_certs, a peer whose certificate the cluster's CA signed but whose key is
    not pinned is refused in both directions; the pinned members form the mesh."""
    c = make_cluster(kinds, pki=pki, pinned_certs=[spki_sha256(pki / "server.pem")])
    for node in c.members:
        assert route_tls_refused(node.cport, route_tls_context(pki, "ecdsa-p256")), node.label
    intruders = [c.add_node(kind, member=False, cert="ecdsa-p256") for kind in distinct_kinds(kinds)]
    watch_intruders(c, intruders)

    assert_mesh_delivers(c)


@pytest.mark.parametrize("kinds", topology_params())
def test_cluster_without_a_name_agrees_on_one(make_cluster, kinds):
    """No cluster name configured: each node starts with a dynamic name and adopts its
    peers' (the greater one wins), so the mesh forms and delivers as with a name."""
    c = make_cluster(kinds, name="")

    assert_mesh_delivers(c)


@pytest.mark.parametrize("kinds", topology_params())
def test_unnamed_mesh_takes_the_name_of_a_named_joiner(make_cluster, kinds):
    """A named node joins an unnamed mesh through one seed: the seed adopts the configured
    name and drops its other routes so that they re-form under it (route.go:
    removeAllRoutesExcept); the whole mesh, joiner included, forms again and delivers."""
    c = make_cluster(kinds, name="")
    joiner = c.add_node("S", routes=[0], cluster_extra='name: "fixed-name"', wait=False)
    c.wait_formed(30)
    seed_log = c.nodes[0].log_tail(400)
    assert "Cluster name updated to fixed-name" in seed_log, seed_log[-3000:]
    assert "closed: Cluster Name Conflict" in seed_log, "the seed kept its routes under the old name"

    assert_mesh_delivers(c)
    assert joiner.alive()


@pytest.mark.parametrize("kinds", topology_params())
def test_cluster_password(make_cluster, kinds):
    secret = "R0ute-s3cret-pw"
    c = make_cluster(kinds, auth=("router", secret))
    for node in c.members:
        for user, password in (("router", "wrong"), ("nobody", secret), ("", "")):
            peer = RoutePeer(node)
            try:
                # one write, so that the node has read everything when it
                # closes (no RST eating its -ERR)
                peer.send(peer.connect_line(user, password) + peer.info_line() + b"PING\r\n")
                data = peer.read_until_closed()
                assert b"Authorization Violation" in data and b"PONG" not in data, (
                    f"{node.label}: route CONNECT as {user!r}/{password!r}: {data[:300]!r}")
            finally:
                peer.close()
        # Control: the right credentials get in.
        peer = RoutePeer(node)
        try:
            peer.handshake()
            wait_until(lambda: any(r.get("remote_id") == peer.server_id
                                   for r in node.routez()["routes"]), 10,
                       f"{node.label}: fake peer with the right password not in /routez")
        finally:
            peer.close()
        for path in ("/routez", "/varz"):
            with urllib.request.urlopen(f"http://{HOST}:{node.mport}{path}", timeout=5) as r:
                body = r.read().decode()
            assert secret not in body, f"{node.label}{path} shows the cluster password"
    c.wait_formed()
    intruders = [c.add_node(kind, member=False, route_password="not-the-password")
                 for kind in distinct_kinds(kinds)]
    watch_intruders(c, intruders)

    assert_mesh_delivers(c)


@pytest.mark.parametrize("kinds", topology_params())
def test_cluster_password_as_bcrypt_hash(make_cluster, kinds):
    """nats-server accepts a bcrypt hash as the cluster password: peers present the
    plain password, a wrong one is refused, and the cluster forms and delivers."""
    secret = "Bcrypt-r0ute-pw"
    stored = bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds=10)).decode()
    c = make_cluster(kinds, auth=("router", secret), stored_password=stored)
    node = c.members[0]
    peer = RoutePeer(node)
    try:
        peer.send(peer.connect_line("router", "wrong") + peer.info_line() + b"PING\r\n")
        data = peer.read_until_closed()
        assert b"Authorization Violation" in data and b"PONG" not in data, (
            f"{node.label}: wrong password against a bcrypt hash: {data[:300]!r}")
    finally:
        peer.close()

    assert_mesh_delivers(c)


# --------------------------------------------------------------------------
# client INFO connect_urls
# --------------------------------------------------------------------------

def info_watcher(node) -> RawClient:
    """A client that gets async INFO updates (protocol 1)."""
    c = RawClient(node.port)
    c.send(b'CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n')
    return c


def wait_connect_urls(c: RawClient, node, want: set, timeout: float = 10.0) -> None:
    seen = []
    deadline = time.monotonic() + timeout
    current = set(c.info.get("connect_urls") or [])
    while current != want:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"client of {node.label}: connect_urls never became "
                                 f"{sorted(want)}; INFOs seen: {seen or [sorted(current)]}")
        try:
            frame = c.read_frame(remaining)
        except AssertionError as e:
            raise AssertionError(f"client of {node.label}: {e}; INFOs seen {seen}")
        if frame == b"PING\r\n":
            c.send(b"PONG\r\n")
        elif frame.startswith(b"INFO "):
            current = set(parse_info(frame).get("connect_urls") or [])
            seen.append(sorted(current))


@pytest.mark.parametrize("case", topology_params(per_kind=True))
def test_connect_urls_follow_join_and_leave(make_cluster, case):
    kinds, k = case
    c = make_cluster(kinds)
    base = {n.client_url for n in c.members}
    watchers = {n: info_watcher(n) for n in c.members}
    try:
        for n, w in watchers.items():
            wait_connect_urls(w, n, base)
        joiner = c.add_node(kinds[k])
        with RawClient(joiner.port) as j:
            assert set(j.info.get("connect_urls") or []) == base | {joiner.client_url}, j.info
        for n, w in watchers.items():
            wait_connect_urls(w, n, base | {joiner.client_url})
        c.kill(joiner)
        for n, w in watchers.items():
            wait_connect_urls(w, n, base)
    finally:
        for w in watchers.values():
            w.close()


@pytest.mark.parametrize("case", topology_params(per_kind=True))
def test_no_advertise(make_cluster, case):
    """The no_advertise node's clients get no connect_urls, and the other
    nodes' clients are not told about it."""
    kinds, k = case
    c = make_cluster(kinds, no_advertise={k})
    advertised = {n.client_url for n in c.members if not n.no_advertise}
    for node in c.members:
        with RawClient(node.port) as cl:
            urls = cl.info.get("connect_urls")
            if node.no_advertise:
                assert not urls, f"{node.label} (no_advertise) INFO connect_urls {urls}"
            else:
                assert urls and set(urls) == advertised, (
                    f"{node.label} INFO connect_urls {urls}, expected {sorted(advertised)} "
                    f"(n{k} has no_advertise)")


# --------------------------------------------------------------------------
# faults on the route port
# --------------------------------------------------------------------------

def assert_mesh_delivers(c: Cluster) -> None:
    """A short check_directions over every live member, from synchronous test code."""
    async def main():
        async with Conns(c) as conns:
            await check_directions(c, conns, count=2)
    arun(main())


async def cluster_still_works(c: Cluster) -> None:
    c.wait_formed(timeout=10)
    async with Conns(c) as conns:
        await check_directions(c, conns, count=2)


def fake_in_routez(node, peer) -> bool:
    return any(r.get("remote_id") == peer.server_id for r in node.routez()["routes"])


def test_unreachable_route_logged_as_nats_server_does(ops_server):
    """A configured route to a port nobody listens on is logged with Go's
    dial error text, and the node keeps serving clients."""
    dead = free_port()
    srv = ops_server(args=["--cluster", f"nats://{HOST}:{free_port()}",
                           "--routes", f"nats://{HOST}:{dead}"])
    line = (f"Error trying to connect to route (attempt 1): "
            f"dial tcp {HOST}:{dead}: connect: connection refused")
    assert wait_until(lambda: line in srv.log(), 10), srv.log()[-2000:]
    with srv.client() as c:
        c.connect()


@pytest.mark.parametrize("kinds", topology_params())
def test_route_port_garbage(make_cluster, kinds):
    c = make_cluster(kinds)
    junk = [b"\x00\x01\x02garbage\xff\xfe\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200),
            os.urandom(65536)]
    for node in c.members:
        for data in junk:
            # before any CONNECT
            with RawClient(node.cport) as raw:
                try:
                    raw.send(data)
                except OSError:
                    pass
                raw.read_until_closed()
            # after a complete route handshake
            peer = RoutePeer(node)
            try:
                peer.handshake()
                peer.send(data)
                peer.read_until_closed()
            finally:
                peer.close()
        # many at once
        socks = [socket.create_connection((HOST, node.cport), timeout=10) for _ in range(20)]
        for s in socks:
            try:
                s.sendall(os.urandom(4096) + b"\r\n")
            except OSError:
                pass
        for s in socks:
            s.close()
        assert node.alive(), f"{node.label} died:\n{node.log_tail(40)}"
    arun(cluster_still_works(c))


@pytest.mark.parametrize("kinds", topology_params())
def test_route_port_oversized_frames(make_cluster, kinds):
    """Frames bigger than anything legal must not take a node down (the
    route may be dropped or not: nats-server keeps reading)."""
    c = make_cluster(kinds)
    frames = [b"RMSG $G big.subject 67108864\r\n" + b"x" * (1 << 20),        # 64 MiB announced
              b"RMSG $G " + b"s" * (256 * 1024),                          # no CRLF, 256 KiB line
              b"RS+ $G " + b"w." * 100_000 + b"\r\n",                     # 200 KB subject
              b"RMSG $G big.subject " + b"9" * 40 + b"\r\n",              # size overflows
              b"RMSG $G big.subject 2097152\r\n" + b"y" * 2097152 + b"\r\n"]  # over max_payload
    for node in c.members:
        for data in frames:
            peer = RoutePeer(node)
            try:
                peer.handshake()
                peer.send(data)
                try:
                    peer.read_frame(0.3)
                except AssertionError:
                    pass
            finally:
                peer.close()
            wait_until(lambda: not fake_in_routez(node, peer), 10,
                       f"{node.label} still lists the closed fake route")
            assert node.alive(), f"{node.label} died after {data[:60]!r}...:\n{node.log_tail(40)}"
    arun(cluster_still_works(c))


@pytest.mark.parametrize("kinds", topology_params())
def test_route_peer_disconnects_mid_message(make_cluster, kinds):
    """A fake peer completes the handshake, delivers one whole RMSG (it must
    reach the node's local subscriber, and only that one: no route-to-route
    forwarding), then closes in the middle of the next message."""
    c = make_cluster(kinds)

    async def main():
        async with Conns(c) as conns:
            p = unique("half")
            subs = {n: await Inbox.open(await conns.connect(n), f"{p}.>") for n in c.members}
            await barriers((subs[a].conn, subs[b].conn)
                           for a, b in itertools.permutations(c.members, 2))
            cuts = [b"RMSG $G SUBJ 100\r\n" + b"h" * 50,
                    b"RMSG $G SUBJ",
                    b"HMSG $G SUBJ 22 40\r\nNATS/1.0\r\nX-A: 1",
                    b"RMSG $G SUBJ reply.to 10\r\nhalf"]
            for node in c.members:
                for i, cut in enumerate(cuts):
                    subject = f"{p}.n{node.index}.{i}"
                    peer = RoutePeer(node)
                    try:
                        peer.handshake()
                        # The node tells the peer about its local interest.
                        peer.read_until(lambda f: f.startswith(b"RS+ $G ") and
                                        f.split()[2] == f"{p}.>".encode(), 10,
                                        f"RS+ $G {p}.> from {node.label}")
                        whole = f"RMSG $G {subject} 8\r\ncomplete\r\n".encode()
                        before = len(subs[node].msgs)
                        assert peer.send(whole + cut.replace(b"SUBJ", subject.encode()))
                        ok = await subs[node].wait_count(before + 1, 10)
                    finally:
                        peer.close()
                    assert ok and subs[node].msgs[-1].data == b"complete", (
                        f"{node.label}: whole RMSG from a fake peer not delivered locally; got "
                        f"{[m.data for m in subs[node].msgs][-3:]}")
                    await asyncio.to_thread(
                        wait_until, lambda: not fake_in_routez(node, peer), 10,
                        f"{node.label} still lists the fake route after it closed")
                    assert node.alive(), f"{node.label} died:\n{node.log_tail(40)}"
            await asyncio.sleep(0.2)
            problems = []
            for n, box in subs.items():
                want = [b"complete"] * len(cuts)
                if box.data() != want:
                    problems.append(f"subscriber on {n.label} got {box.data()}, expected {want} "
                                    f"(its node's fake peer's whole messages, nothing else)")
            assert not problems, "\n".join(problems) + "\n" + c.describe()
        await cluster_still_works(c)
    arun(main())


@pytest.mark.parametrize("kinds", [pytest.param(("S", "S", "S"), id="SSS")])
def test_slow_route_is_closed_not_buffered(make_cluster, kinds):
    """A peer that announces interest and then stops reading is cut off as a slow consumer
    (its queue passes max_pending, 512 KiB here, or its writes stall past write_deadline,
    2 s here; nats-server may also hold the publisher back meanwhile); the node stays up,
    and its other routes and clients keep delivering."""
    c = make_cluster(kinds, extra="max_pending: 524288\nmax_payload: 65536\nwrite_deadline: \"2s\"")

    async def main():
        async with Conns(c) as conns:
            p = unique("slow")
            for node in c.members[:1]:
                peer = RoutePeer(node)
                try:
                    peer.handshake()
                    assert peer.send(f"RS+ $G {p}.>\r\n".encode())
                    pub = (await conns.connect(node)).nc
                    payload = b"x" * 8192
                    deadline = time.monotonic() + 30
                    sent = 0
                    while fake_in_routez(node, peer) and time.monotonic() < deadline and sent < 20_000:
                        for _ in range(100):
                            await pub.publish(f"{p}.data", payload)
                        sent += 100
                        try:
                            await pub.flush(timeout=5)
                        except Exception:
                            pass   # a held-back publisher: keep watching /routez
                    assert not fake_in_routez(node, peer), (
                        f"{node.label}: a peer that never reads still listed after {sent} messages of 8 KiB")
                    assert node.alive(), f"{node.label} died:\n{node.log_tail(40)}"
                finally:
                    peer.close()
        await cluster_still_works(c)
    arun(main(), timeout=150)


# --------------------------------------------------------------------------
# kill -9, restart
# --------------------------------------------------------------------------

@pytest.mark.parametrize("case", topology_params(per_kind=True))
def test_restarted_node_rejoins_and_gets_interest_again(make_cluster, case):
    kinds, v = case
    c = make_cluster(kinds)
    victim = c.nodes[v]
    live = [n for n in c.members if n is not victim]

    async def main():
        async with Conns(c) as conns:
            p = unique("restart")
            old_subs = {n: await Inbox.open(await conns.connect(n, "old"), f"{p}.to.{n.index}")
                        for n in live}
            c.kill(victim)      # waits until the others dropped its routes
            # the survivors keep delivering among themselves
            await check_directions(c, conns, nodes=live, count=3, tag="survivors")
            c.restart(victim)
            # the restarted node learns the interest the others had all along
            pub = await conns.connect(victim, "new-pub")
            await barriers((pub, old_subs[n].conn) for n in live)
            for n in live:
                await pub.nc.publish(f"{p}.to.{n.index}", b"from the restarted node")
            await nats_flush(pub.nc)
            for n in live:
                assert await old_subs[n].wait_count(1, 10) and old_subs[n].data() == [
                    b"from the restarted node"], (
                    f"subscriber on {n.label} (subscribed before {victim.label} restarted) got "
                    f"{old_subs[n].data()}\n{c.describe()}")
            await check_directions(c, conns, count=3, tag="rejoined")
    arun(main())


@pytest.mark.parametrize("case", topology_params(per_kind=True))
def test_kill9_under_load(make_cluster, case):
    """Two publishers on the surviving nodes stream numbered messages; one
    node is killed mid-stream.  Subscribers on the survivors get every
    message in order; the victim's subscriber got a gap-free prefix; a queue
    group over the survivors is exactly-once again once the victim's routes
    are gone."""
    kinds, v = case
    c = make_cluster(kinds)
    victim = c.nodes[v]
    live = [n for n in c.members if n is not victim]
    total, kill_at, chunk = 3000, 1000, 100

    async def main():
        async with Conns(c) as conns:
            p = unique("load")
            subs = {n: await Inbox.open(await conns.connect(n, "sub"), f"{p}.>") for n in c.members}
            pubs = {n: await conns.connect(n, "pub") for n in live}
            await barriers((pc, s.conn) for pc in pubs.values() for s in subs.values()
                           if pc.node is not s.conn.node)
            start = time.monotonic()
            for k0 in range(0, total, chunk):
                if k0 == kill_at:
                    c.kill(victim, wait=False)
                for pc in pubs.values():
                    for k in range(k0, k0 + chunk):
                        await pc.nc.publish(f"{p}.from{pc.node.index}", b"%d" % k)
                    await nats_flush(pc.nc)
                await asyncio.sleep(0.005)
                assert time.monotonic() - start < 60, "publishing took too long"
            problems = []
            want = [b"%d" % k for k in range(total)]
            await asyncio.gather(*(subs[n].wait_count(total * len(pubs), 20) for n in live))
            for n in live:
                for pn in pubs:
                    got = subs[n].data(f"{p}.from{pn.index}")
                    if got != want:
                        first = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y),
                                     min(len(got), len(want)))
                        problems.append(f"survivor {n.label} from {pn.label}: {len(got)} of "
                                        f"{total}, first gap/difference at #{first}")
            for pn in pubs:
                got = subs[victim].data(f"{p}.from{pn.index}")
                if got != want[:len(got)]:
                    problems.append(f"victim {victim.label} from {pn.label}: not a prefix: "
                                    f"{got[:5]}...")
            assert not problems, (f"[{c.topology}] killed {victim.label} at message {kill_at}:\n"
                                  + "\n".join(problems) + "\n" + c.describe())
            c.wait_formed()   # the survivors dropped the victim's routes
            await check_queue_exactly_once(c, conns, count=20, tag="afterkill")
    arun(main(), timeout=150)
