"""Limits set in a config file (nats-server conf syntax).

Observed identically on nats-server 2.9.10 and 2.15.1 unless noted.
"""

import threading
import time

import pytest

from conftest import RawClient, assert_healthy, msg, pub


# --------------------------------------------------------------------------
# max_connections
# --------------------------------------------------------------------------

def test_max_connections(server_factory):
    srv = server_factory("max_connections: 2\n")
    a = srv.client()
    b = srv.client()
    try:
        a.connect()
        b.connect()
        # The third connection still gets an INFO, then the error, then EOF
        # (the server does not wait for CONNECT).
        with RawClient(srv.port, read_info=False) as c:
            data = c.read_until_closed()
            info, sep, rest = data.partition(b"\r\n")
            assert info.startswith(b"INFO {") and sep
            assert rest == b"-ERR 'maximum connections exceeded'\r\n"
        # ... also when it manages to send CONNECT first
        with RawClient(srv.port, read_info=False) as c:
            try:
                c.send(b'CONNECT {"verbose":false}\r\nPING\r\n')
            except OSError:
                pass
            data = c.read_until_closed()
            assert data.endswith(b"-ERR 'maximum connections exceeded'\r\n"), data
            assert b"PONG" not in data
        # the first two keep working together
        a.exchange(b"SUB x 1\r\n")
        b.exchange(pub("x", b"still here"))
        assert a.exchange() == msg("x", 1, b"still here") + b"PONG\r\n"
        # closing one frees a slot (the server notices the close
        # asynchronously, so allow a few attempts)
        a.close()
        deadline = time.monotonic() + 10
        while True:
            c = RawClient(srv.port)
            try:
                c.send(b'CONNECT {"verbose":false}\r\nPING\r\n')
                first = c.read_frame()
            except (AssertionError, OSError):
                first = b""
            if first == b"PONG\r\n":
                c.assert_open()
                c.close()
                break
            c.close()
            assert time.monotonic() < deadline, f"slot never freed: {first!r}"
            time.sleep(0.1)
        b.assert_open()
        assert srv.alive()
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------
# max_subscriptions (per connection)
# --------------------------------------------------------------------------

def test_max_subscriptions(server_factory):
    srv = server_factory("max_subscriptions: 2\n")
    with srv.client() as c, srv.client() as other:
        c.connect()
        out = c.exchange(b"SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n" + pub("a") + pub("c"))
        # error, connection stays open, the first two subs work
        assert out == b"-ERR 'maximum subscriptions exceeded'\r\n" + msg("a", 1) + b"PONG\r\n"
        # queue subs count too
        assert c.exchange(b"SUB d q 4\r\n") == b"-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n"
        # unsubscribing frees a slot
        out = c.exchange(b"UNSUB 1\r\nSUB c 3\r\nSUB d 4\r\n" + pub("c"))
        assert out == b"-ERR 'maximum subscriptions exceeded'\r\n" + msg("c", 3) + b"PONG\r\n"
        # the limit is per connection
        other.connect()
        assert other.exchange(b"SUB a 1\r\nSUB b 2\r\n" + pub("a")) == msg("a", 1) + b"PONG\r\n"
    assert_healthy(srv)


def test_max_subscriptions_verbose(server_factory):
    srv = server_factory("max_subscriptions: 2\n")
    with srv.client() as c:
        c.send(b'CONNECT {"verbose":true}\r\n')
        out = c.exchange(b"SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n")
        # no +OK for the refused SUB
        assert out == b"+OK\r\n+OK\r\n+OK\r\n-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n"
        c.assert_open()
    assert_healthy(srv)


# --------------------------------------------------------------------------
# Slow consumers: max_pending and write_deadline
# --------------------------------------------------------------------------

class Collector(threading.Thread):
    """Reads MSGs for a subject on a well-behaved connection in the
    background, so it never becomes a slow consumer itself."""

    def __init__(self, client: RawClient, want: int, timeout: float):
        super().__init__(daemon=True)
        self.client, self.want, self.timeout = client, want, timeout
        self.payloads = []
        self.error = None

    def run(self):
        try:
            deadline = time.monotonic() + self.timeout
            while len(self.payloads) < self.want:
                f = self.client.read_frame(max(0.01, deadline - time.monotonic()))
                if f.startswith(b"MSG "):
                    self.payloads.append(f.split(b"\r\n", 1)[1][:-2])
                elif f == b"PING\r\n":
                    self.client.send(b"PONG\r\n")
        except Exception as e:  # reported by the test
            self.error = e


def _slow_consumer_scenario(srv, count: int, size: int, settle: float = 0.0):
    # The slow subscriber never reads.  A small receive buffer and MSS keep
    # the kernel from absorbing megabytes, so the server really has to
    # buffer (and give up).
    slow = RawClient(srv.port, rcvbuf=4096, mss=536)
    good = srv.client()
    publisher = srv.client()
    try:
        slow.connect()
        slow.exchange(b"SUB flood 1\r\n")
        good.connect()
        good.exchange(b"SUB flood 1\r\n")
        publisher.connect()
        collector = Collector(good, count, timeout=60)
        collector.start()
        payloads = [b"%06d" % i + b"x" * (size - 6) for i in range(count)]
        # Publish in small paced batches, so that only the consumer that
        # never reads can fall behind (the good one always has room in its
        # socket buffer).  The publisher keeps working throughout;
        # nats-server 2.9.10 stalls it for up to ~1 s per message while the
        # slow consumer is over half its max_pending.
        for i in range(0, count, 2):
            publisher.send(b"".join(pub("flood", p) for p in payloads[i:i + 2]))
            assert publisher.exchange(timeout=60) == b"PONG\r\n"
        collector.join(60)
        assert collector.error is None, collector.error
        assert collector.payloads == payloads          # all, in order
        # A write-deadline violation can only be detected while the server's
        # write stays blocked, i.e. before we start reading.
        time.sleep(settle)
        # the slow consumer was disconnected; what it got is a prefix of the
        # stream (2.9.10 may cut the last message short), and no -ERR
        data = slow.read_until_closed(timeout=30)
        assert b"-ERR" not in data
        assert data.count(b"MSG flood 1 ") < count
        # the publisher and the good subscriber are still fine
        publisher.exchange(pub("flood", b"after"))
        assert good.exchange() == msg("flood", 1, b"after") + b"PONG\r\n"
        assert_healthy(srv, publisher, good)
    finally:
        slow.close()
        good.close()
        publisher.close()


def test_slow_consumer_max_pending(server_factory):
    # max_payload must not exceed max_pending, or nats-server refuses to
    # start.  write_deadline keeps 2.9.10 (which first blocks on the full
    # socket for write_deadline) from taking 10 s.
    srv = server_factory('max_payload: 16KB\nmax_pending: 64KB\nwrite_deadline: "2s"\n')
    _slow_consumer_scenario(srv, count=24, size=16000)


def test_slow_consumer_write_deadline(server_factory):
    # max_pending stays at its default (64MB): only the write deadline can
    # catch this consumer.
    srv = server_factory('write_deadline: "1s"\n')
    _slow_consumer_scenario(srv, count=128, size=16000, settle=3.0)


# --------------------------------------------------------------------------
# ping_interval / ping_max
# --------------------------------------------------------------------------

PING_CONF = 'ping_interval: "1s"\nping_max: 2\n'


def test_stale_connection(server_factory):
    srv = server_factory(PING_CONF)
    with srv.client() as by, srv.client() as c:
        by.connect()
        c.send(b'CONNECT {"verbose":false}\r\n')
        t0 = time.monotonic()
        seen = b""
        while True:
            data, closed = c.collect(0.2)
            seen += data
            # the bystander answers its PINGs and is never found stale
            assert by.exchange() == b"PONG\r\n"
            if closed:
                break
            assert time.monotonic() - t0 < 15, f"not closed; got {seen!r}"
        # PING, PING, then (third interval) the error and EOF.
        assert seen == b"PING\r\nPING\r\n-ERR 'Stale Connection'\r\n"
        elapsed = time.monotonic() - t0
        assert 2.0 <= elapsed <= 15.0, elapsed
        assert_healthy(srv, by)


def test_stale_connection_without_connect(server_factory):
    srv = server_factory(PING_CONF)
    with srv.client() as c:
        assert c.read_frame(timeout=10) == b"PING\r\n"
        assert c.read_frame(timeout=10) == b"PING\r\n"
        assert c.read_until_closed(timeout=10) == b"-ERR 'Stale Connection'\r\n"
    assert_healthy(srv)


def test_client_answering_pings_stays_connected(server_factory):
    srv = server_factory(PING_CONF)
    with srv.client() as c:
        c.send(b'CONNECT {"verbose":false}\r\n')
        pings = 0
        deadline = time.monotonic() + 4.5
        while time.monotonic() < deadline:
            data, closed = c.collect(0.2)
            assert not closed
            if data:
                # only PINGs arrive, one per interval (answering them does not
                # count as activity, so they keep coming)
                assert data.replace(b"PING\r\n", b"") == b"", data
                pings += data.count(b"PING\r\n")
                c.send(b"PONG\r\n" * data.count(b"PING\r\n"))
        assert pings >= 3
        c.send(b"PING\r\n")
        assert c.read_until_pong(timeout=10) == b"PONG\r\n"
    assert_healthy(srv)


@pytest.mark.parametrize("answer_first", [True, False])
def test_client_activity_delays_pings(server_factory, answer_first):
    # nats-server always sends the first PING, then skips PINGs while the
    # client itself keeps sending (PUB counts as activity; PONG does not,
    # see test_client_answering_pings_stays_connected).  So a busy client
    # is never found stale, even if it does not answer that first PING.
    srv = server_factory(PING_CONF)
    with srv.client() as c:
        c.send(b'CONNECT {"verbose":false}\r\n')
        assert c.read_frame(timeout=10) == b"PING\r\n"
        if answer_first:
            c.send(b"PONG\r\n")
        t_end = time.monotonic() + 4.0
        seen = b""
        while time.monotonic() < t_end:
            c.send(pub("busy", b"x"))
            data, closed = c.collect(0.1)
            assert not closed, seen + data
            seen += data
        assert seen.count(b"PING\r\n") <= 1, seen
        if seen:
            c.send(b"PONG\r\n")
        c.assert_open()
    assert_healthy(srv)
