"""The real Python client (nats-py) against the server."""

import asyncio
import hashlib
import os

import pytest

import nats
from nats.errors import MaxPayloadError, NoRespondersError  # noqa: E402

from conftest import nats_connect, nats_flush, run  # noqa: E402


def test_connect_and_server_info(server):
    async def main():
        nc = await nats_connect(server)
        try:
            assert nc.is_connected
            assert nc.max_payload == 1048576
            info = nc._server_info
            assert info["headers"] is True
            assert info["port"] == server.port
            assert nc.connected_server_version.major == 2
            await nc.flush(timeout=5)
        finally:
            await nc.close()
        assert nc.is_closed
    run(main())


def test_publish_subscribe(server):
    async def main():
        nc = await nats_connect(server)
        try:
            sub = await nc.subscribe("greet.*")
            await nats_flush(nc)
            await nc.publish("greet.joe", b"hello")
            await nc.publish("greet.ann", b"")
            await nc.publish("other", b"nope")
            m1 = await sub.next_msg(timeout=5)
            m2 = await sub.next_msg(timeout=5)
            assert (m1.subject, m1.data) == ("greet.joe", b"hello")
            assert (m2.subject, m2.data) == ("greet.ann", b"")
            with pytest.raises(nats.errors.TimeoutError):
                await sub.next_msg(timeout=0.3)
        finally:
            await nc.close()
    run(main())


def test_publish_subscribe_two_connections_callback(server):
    async def main():
        sub_nc = await nats_connect(server)
        pub_nc = await nats_connect(server)
        got = []
        done = asyncio.Event()

        async def cb(msg):
            got.append((msg.subject, msg.reply, msg.data))
            if len(got) == 3:
                done.set()
        try:
            await sub_nc.subscribe("a.>", cb=cb)
            await nats_flush(sub_nc)
            await pub_nc.publish("a.b", b"1")
            await pub_nc.publish("a.b.c", b"2", reply="r.1")
            await pub_nc.publish("a", b"no match")
            await pub_nc.publish("a.x", b"3")
            await nats_flush(pub_nc)
            await asyncio.wait_for(done.wait(), 10)
            assert got == [("a.b", "", b"1"), ("a.b.c", "r.1", b"2"), ("a.x", "", b"3")]
        finally:
            await sub_nc.close()
            await pub_nc.close()
    run(main())


def test_no_echo(server):
    async def main():
        me = await nats_connect(server, no_echo=True)
        other = await nats_connect(server)
        try:
            mine = await me.subscribe("echo")
            theirs = await other.subscribe("echo")
            await nats_flush(me)
            await nats_flush(other)
            await me.publish("echo", b"x")
            await nats_flush(me)
            assert (await theirs.next_msg(timeout=5)).data == b"x"
            with pytest.raises(nats.errors.TimeoutError):
                await mine.next_msg(timeout=0.3)
        finally:
            await me.close()
            await other.close()
    run(main())


def test_queue_subscribe(server):
    n = 300

    async def main():
        conns = [await nats_connect(server) for _ in range(3)]
        counts = [0, 0, 0, 0]
        seen = []
        plain_done = asyncio.Event()

        def make_cb(i):
            async def cb(msg):
                counts[i] += 1
                if i < 3:
                    seen.append(int(msg.data))
                elif counts[3] == n:
                    plain_done.set()
            return cb
        try:
            # two members on the first connection, one on the second
            await conns[0].subscribe("jobs", queue="workers", cb=make_cb(0))
            await conns[0].subscribe("jobs", queue="workers", cb=make_cb(1))
            await conns[1].subscribe("jobs", queue="workers", cb=make_cb(2))
            await conns[1].subscribe("jobs", cb=make_cb(3))
            for c in conns:
                await nats_flush(c)
            for i in range(n):
                await conns[2].publish("jobs", b"%d" % i)
            await nats_flush(conns[2])
            await asyncio.wait_for(plain_done.wait(), 20)
            for c in conns:
                await nats_flush(c)
            for _ in range(200):
                if len(seen) >= n:
                    break
                await asyncio.sleep(0.05)
            assert sorted(seen) == list(range(n))     # each exactly once
            assert min(counts[:3]) >= n // 10, counts  # roughly spread
            assert counts[3] == n
        finally:
            for c in conns:
                await c.close()
    run(main())


def test_request_reply(server):
    async def main():
        svc = await nats_connect(server)
        cli = await nats_connect(server)

        async def handler(msg):
            await svc.publish(msg.reply, b"re:" + msg.data, headers=msg.headers)
        try:
            await svc.subscribe("svc.echo", cb=handler)
            await nats_flush(svc)
            for i in range(20):
                resp = await cli.request("svc.echo", b"%d" % i, timeout=5)
                assert resp.data == b"re:%d" % i
            # new-style (muxed) inbox: replies arrive on _INBOX.<id>.<token>
            assert resp.subject.startswith("_INBOX.")
            resp = await cli.request("svc.echo", b"h", timeout=5, headers={"X-Id": "42"})
            assert resp.data == b"re:h" and resp.headers == {"X-Id": "42"}
            # old-style inbox
            resp = await cli.request("svc.echo", b"old", timeout=5, old_style=True)
            assert resp.data == b"re:old"
        finally:
            await svc.close()
            await cli.close()
    run(main())


def test_headers_round_trip(server):
    async def main():
        nc = await nats_connect(server)
        try:
            sub = await nc.subscribe("hdr")
            await nats_flush(nc)
            hdrs = {"Foo": "bar", "X-Multi-Word": "a b c", "Empty": ""}
            await nc.publish("hdr", b"payload", headers=hdrs)
            m = await sub.next_msg(timeout=5)
            assert m.data == b"payload"
            assert m.headers == hdrs
            await nc.publish("hdr", b"", headers={"Only": "headers"})
            m = await sub.next_msg(timeout=5)
            assert m.data == b"" and m.headers == {"Only": "headers"}
        finally:
            await nc.close()
    run(main())


def test_no_responders(server):
    async def main():
        nc = await nats_connect(server)
        try:
            with pytest.raises(NoRespondersError):
                await nc.request("nobody.home", b"?", timeout=5)
            # the connection is still fine afterwards
            sub = await nc.subscribe("ok")
            await nc.publish("ok", b"1")
            assert (await sub.next_msg(timeout=5)).data == b"1"
        finally:
            await nc.close()
    run(main())


def test_flush(server):
    async def main():
        nc = await nats_connect(server)
        try:
            for _ in range(5):
                await nc.flush(timeout=5)
            assert nc.is_connected
        finally:
            await nc.close()
    run(main())


def test_unsubscribe_with_limit(server):
    async def main():
        nc = await nats_connect(server)
        try:
            sub = await nc.subscribe("lim")
            await sub.unsubscribe(limit=3)
            await nats_flush(nc)
            for i in range(6):
                await nc.publish("lim", b"%d" % i)
            got = [(await sub.next_msg(timeout=5)).data for _ in range(3)]
            assert got == [b"0", b"1", b"2"]
            with pytest.raises(Exception):
                await sub.next_msg(timeout=0.3)
        finally:
            await nc.close()
    run(main())


def test_drain(server):
    n = 500

    async def main():
        sub_nc = await nats_connect(server)
        pub_nc = await nats_connect(server)
        got = []

        async def cb(msg):
            got.append(int(msg.data))
            if len(got) % 50 == 0:
                await asyncio.sleep(0.001)  # be a bit slow
        try:
            await sub_nc.subscribe("drain.me", cb=cb)
            await nats_flush(sub_nc)
            for i in range(n):
                await pub_nc.publish("drain.me", b"%d" % i)
            await nats_flush(pub_nc)  # the server has all the PUBs ...
            await nats_flush(sub_nc)  # ... and the subscriber all the MSGs
            await sub_nc.drain()
            assert sub_nc.is_closed
            assert got == list(range(n))
        finally:
            await pub_nc.close()
            if not sub_nc.is_closed:
                await sub_nc.close()
    run(main())


def test_many_messages_in_order(server):
    n = 10_000

    async def main():
        sub_nc = await nats_connect(server)
        pub_nc = await nats_connect(server)
        got = []
        done = asyncio.Event()

        async def cb(msg):
            got.append(msg.data)
            if len(got) == n:
                done.set()
        try:
            await sub_nc.subscribe("many", cb=cb)
            await nats_flush(sub_nc)
            for i in range(n):
                await pub_nc.publish("many", b"%d" % i)
                if i % 1000 == 999:
                    await nats_flush(pub_nc)
            await nats_flush(pub_nc)
            await asyncio.wait_for(done.wait(), 60)
            assert got == [b"%d" % i for i in range(n)]
        finally:
            await sub_nc.close()
            await pub_nc.close()
    run(main(), timeout=120)


def test_large_payload_intact(server):
    async def main():
        nc = await nats_connect(server)
        try:
            size = nc.max_payload - 100     # just under max_payload (1 MiB)
            payload = os.urandom(size)
            sub = await nc.subscribe("big")
            await nats_flush(nc)
            await nc.publish("big", payload)
            m = await sub.next_msg(timeout=20)
            assert len(m.data) == size
            assert hashlib.sha256(m.data).digest() == hashlib.sha256(payload).digest()
            # exactly max_payload is still allowed
            full = os.urandom(nc.max_payload)
            await nc.publish("big", full)
            m = await sub.next_msg(timeout=20)
            assert m.data == full
        finally:
            await nc.close()
    run(main())


def test_payload_over_max_payload_client_side(server_factory):
    srv = server_factory("max_payload: 1024\n")

    async def main():
        nc = await nats_connect(srv)
        try:
            assert nc.max_payload == 1024
            sub = await nc.subscribe("p")
            await nc.publish("p", b"x" * 1024)
            assert len((await sub.next_msg(timeout=5)).data) == 1024
            with pytest.raises(MaxPayloadError):
                await nc.publish("p", b"x" * 1025)
            assert nc.is_connected
        finally:
            await nc.close()
    run(main())


def test_payload_over_max_payload_server_side(server_factory):
    # Lie to the client about the limit so the oversized PUB reaches the
    # server: it answers -ERR 'Maximum Payload Violation' and closes.
    srv = server_factory("max_payload: 1024\n")

    async def main():
        errors = []
        closed = asyncio.Event()

        async def closed_cb():
            closed.set()
        nc = await nats_connect(srv, errors=errors, closed_cb=closed_cb)
        other = await nats_connect(srv)
        try:
            nc._max_payload = 1 << 20
            await nc.publish("p", b"x" * 2000)
            try:
                await nc.flush(timeout=5)
            except Exception:
                pass
            await asyncio.wait_for(closed.wait(), 10)
            # The server closes with the unread payload still in its socket
            # buffer, so the kernel usually sends RST and the client may
            # never see the -ERR line: accept either.
            # (nats-py reports a server -ERR through last_error, not error_cb)
            seen = errors + ([nc.last_error] if nc.last_error else [])
            assert seen, "client saw no error"
            for e in seen:
                assert ("maximum payload violation" in str(e).lower()
                        or isinstance(e, (ConnectionError, nats.errors.UnexpectedEOF))), seen
            # other clients unaffected
            sub = await other.subscribe("still")
            await other.publish("still", b"ok")
            assert (await sub.next_msg(timeout=5)).data == b"ok"
        finally:
            if not nc.is_closed:
                await nc.close()
            await other.close()
    run(main())


def test_many_subscriptions_and_unsubscribe(server):
    async def main():
        nc = await nats_connect(server)
        try:
            subs = [await nc.subscribe(f"s.{i}") for i in range(200)]
            await nats_flush(nc)
            for i in range(200):
                await nc.publish(f"s.{i}", b"%d" % i)
            for i, s in enumerate(subs):
                assert (await s.next_msg(timeout=5)).data == b"%d" % i
            for s in subs[::2]:
                await s.unsubscribe()
            await nats_flush(nc)
            for i in range(200):
                await nc.publish(f"s.{i}", b"again")
            await nats_flush(nc)
            for i, s in enumerate(subs):
                if i % 2:
                    assert (await s.next_msg(timeout=5)).data == b"again"
        finally:
            await nc.close()
    run(main())
