"""Hostile and sloppy clients must not disturb the server or other clients.

All loops are bounded in count and time; all traffic is loopback.
"""

import random
import socket
import struct
import threading
import time

from conftest import HOST, RawClient, assert_healthy, msg, pub, split_frame


def _garbage_for(rng: random.Random, i: int) -> bytes:
    """Different flavours of junk, so the parser is hit in every state."""
    size = rng.randint(1, 16 * 1024)
    noise = rng.randbytes(size)
    kind = i % 10
    if kind == 0:
        return noise
    if kind == 1:
        return b'CONNECT {"verbose":false}\r\n' + noise
    if kind == 2:
        return b"PUB junk 100\r\n" + noise
    if kind == 3:
        return b'CONNECT {"verbose":false,"headers":true}\r\nHPUB junk 10 100\r\n' + noise
    if kind == 4:
        return b"SUB " + noise                      # control line that may never end
    if kind == 5:
        return b'CONNECT {"verbose":' + noise       # broken JSON
    if kind == 6:
        # printable protocol-looking junk
        words = [b"PUB", b"SUB", b"UNSUB", b"PING", b"PONG", b"HPUB", b"MSG", b"CONNECT",
                 b"{}", b"foo", b"*", b">", b"1", b"-1", b"99999999999", b"\r\n", b"\n",
                 b" ", b"\t", b"\r"]
        return b"".join(rng.choice(words) for _ in range(rng.randint(10, 400)))
    if kind == 7:
        return b"PUB junk 5\r\n" + noise[:5] + noise     # payload then no CRLF
    if kind == 8:
        return b"\x00" * size
    return b"\xff" * 10 + noise


def test_garbage_storm(server):
    n_bad = 50          # concurrent attackers
    rounds = 5          # connections per attacker, one after the other
    min_msgs, max_msgs = 300, 20_000
    rng = random.Random(0x5EED)
    junk = [_garbage_for(rng, i) for i in range(n_bad * rounds)]

    good_sub = server.client()
    good_pub = server.client()
    good_sub.connect()
    good_pub.connect()
    good_sub.exchange(b"SUB good.> 1\r\n")

    stop = threading.Event()
    errors = []

    def attacker(i: int):
        for r in range(rounds):
            if stop.is_set():
                return
            try:
                with socket.create_connection((HOST, server.port), timeout=5) as s:
                    data = junk[i * rounds + r]
                    for off in range(0, len(data), 1024):
                        try:
                            s.sendall(data[off:off + 1024])
                        except OSError:
                            break  # the server hung up on us: fine
                    # read whatever comes back, briefly (bounded)
                    s.settimeout(0.5)
                    deadline = time.monotonic() + 1
                    while time.monotonic() < deadline:
                        try:
                            if not s.recv(65536):
                                break
                        except (socket.timeout, OSError):
                            break
            except OSError as e:
                errors.append(e)

    threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(n_bad)]
    for t in threads:
        t.start()

    # Meanwhile the good clients keep exchanging messages, until the storm
    # is over (bounded in count and time).
    sent = []
    received = bytearray()
    t_end = time.monotonic() + 60
    i = 0
    while i < max_msgs and time.monotonic() < t_end:
        if i >= min_msgs and not any(t.is_alive() for t in threads):
            break
        payload = b"m%d" % i
        sent.append((f"good.{i % 7}", payload))
        good_pub.send(pub(f"good.{i % 7}", payload))
        i += 1
        if i % 25 == 0:
            assert good_pub.exchange(timeout=30) == b"PONG\r\n"
            received += good_sub.exchange(timeout=30)
    assert good_pub.exchange(timeout=30) == b"PONG\r\n"
    received += good_sub.exchange(timeout=30)

    stop.set()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)

    frames = [f for f in _frames(bytes(received)) if f != b"PONG\r\n"]
    assert frames == [msg(s, 1, p) for s, p in sent]
    # connecting must never have been refused
    assert not errors, errors[:3]
    assert_healthy(server, good_sub, good_pub)


def _frames(data: bytes):
    buf = bytearray(data)
    out = []
    while buf:
        n = split_frame(buf)
        assert n is not None
        out.append(bytes(buf[:n]))
        del buf[:n]
    return out


def test_abrupt_disconnects_mid_message(server, bystander):
    partials = [
        b'CONNECT {"verbose":false}\r\nPUB foo 100\r\nabc',
        b'CONNECT {"verbose":false}\r\nSUB foo',
        b'CONNECT {"verbose":false,"headers":true}\r\nHPUB foo 12 20\r\nNATS/1.0\r\n',
        b'CONNECT {"verb',
        b"",
    ]
    for data in partials:
        for linger_rst in (False, True):
            s = socket.create_connection((HOST, server.port), timeout=5)
            if linger_rst:
                # close with RST instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if data:
                s.sendall(data)
            s.close()
    assert_healthy(server, bystander)


def test_subscriber_disconnects_while_messages_flow(server, bystander):
    # Subscribers come and go while a publisher floods their subject.
    pubc = server.client()
    pubc.connect()
    for round_ in range(10):
        sub = server.client()
        sub.connect()
        sub.exchange(b"SUB churn 1\r\nSUB churn.> 2\r\nSUB churn q 3\r\n")
        pubc.send(b"".join(pub("churn", b"x" * 512) for _ in range(100)))
        sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sub.close()
    assert pubc.exchange(timeout=30) == b"PONG\r\n"
    assert_healthy(server, bystander, pubc)
    pubc.close()


def test_many_concurrent_connections(server):
    n = 200
    clients = []
    try:
        for _ in range(n):
            c = server.client()
            c.send(b'CONNECT {"verbose":false}\r\nSUB fan 1\r\n')
            clients.append(c)
        for c in clients:
            assert c.exchange(timeout=30) == b"PONG\r\n"
        with server.client() as p:
            p.connect()
            p.exchange(pub("fan", b"hello all"))
        for c in clients:
            assert c.exchange(timeout=30) == msg("fan", 1, b"hello all") + b"PONG\r\n"
        ids = {c.info["client_id"] for c in clients}
        assert len(ids) == n
    finally:
        for c in clients:
            c.close()
    assert_healthy(server)


def test_pipelined_burst_one_write(server):
    # 5,000 PUBs in one write; the subscriber on the same connection gets
    # all of them, in order, before the PONG.
    n = 5000
    with server.client() as c:
        c.connect()
        c.send(b"SUB burst 1\r\n" + b"".join(pub("burst", b"%d" % i) for i in range(n)))
        out = c.exchange(timeout=60)
        expected = b"".join(msg("burst", 1, b"%d" % i) for i in range(n)) + b"PONG\r\n"
        assert out == expected


def test_fan_in_order_per_publisher(server):
    # Several publishers, one subscriber: per-publisher order is preserved.
    n_pub, n_msgs = 5, 400
    with server.client() as sub:
        sub.connect()
        sub.exchange(b"SUB fanin.* 1\r\n")
        pubs = [server.client() for _ in range(n_pub)]
        try:
            for p in pubs:
                p.connect()

            def run(k):
                pubs[k].send(b"".join(pub(f"fanin.{k}", b"%d" % i) for i in range(n_msgs)))
                pubs[k].exchange(timeout=30)
            ts = [threading.Thread(target=run, args=(k,)) for k in range(n_pub)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            out = sub.exchange(timeout=30)
        finally:
            for p in pubs:
                p.close()
        seqs = {k: [] for k in range(n_pub)}
        buf = bytearray(out)
        while buf:
            size = split_frame(buf)
            frame = bytes(buf[:size])
            del buf[:size]
            if frame.startswith(b"MSG "):
                head, body = frame.split(b"\r\n", 1)
                k = int(head.split()[1].split(b".")[1])
                seqs[k].append(int(body[:-2]))
        for k in range(n_pub):
            assert seqs[k] == list(range(n_msgs)), k
