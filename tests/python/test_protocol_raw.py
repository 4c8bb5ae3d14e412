"""Client protocol on raw sockets: exact bytes as nats-server sends them.

Unless stated otherwise every expectation below was observed identically on
nats-server 2.9.10 and 2.15.1.
"""

import json
import re
import time

import pytest

from conftest import RawClient, hmsg, hpub, msg, pub, split_frame

HDR = b"NATS/1.0\r\nA: B\r\n\r\n"   # 18 bytes


# --------------------------------------------------------------------------
# INFO, PING, CONNECT defaults
# --------------------------------------------------------------------------

def test_info_on_connect(server):
    c = RawClient(server.port, read_info=False)
    line = c.read_line()
    # sent immediately, without waiting for anything from the client
    assert line.startswith(b"INFO {") and line.endswith(b"\r\n"), line
    assert line.rstrip(b" \r\n").endswith(b"}"), line
    info = json.loads(line[5:])
    for key in ("server_id", "server_name", "version", "proto", "go", "host",
                "port", "headers", "max_payload", "client_id", "client_ip"):
        assert key in info, f"INFO lacks {key}: {info}"
    assert isinstance(info["server_id"], str) and info["server_id"]
    assert isinstance(info["server_name"], str) and info["server_name"]
    assert isinstance(info["version"], str) and re.match(r"^\d+\.\d+\.\d+", info["version"])
    assert info["proto"] == 1
    assert isinstance(info["go"], str)
    assert info["host"] == "127.0.0.1"
    assert info["port"] == server.port
    assert info["headers"] is True
    assert info["max_payload"] == 1048576
    assert isinstance(info["client_id"], int) and info["client_id"] > 0
    assert info["client_ip"] == "127.0.0.1"
    assert info.get("auth_required", False) is False
    assert info.get("tls_required", False) is False
    # Nothing else is sent before the client speaks.
    data, closed = c.collect(0.3)
    assert data == b"" and not closed


@pytest.mark.go_quirk
def test_info_line_has_space_before_crlf(server):
    # nats-server writes exactly `INFO <json> \r\n`.
    c = RawClient(server.port, read_info=False)
    line = c.read_line()
    assert line.endswith(b"} \r\n"), line[-20:]
    c.close()


def test_client_ids_are_distinct(server):
    with server.client() as a, server.client() as b:
        assert a.info["client_id"] != b.info["client_id"]
        assert a.info["server_id"] == b.info["server_id"]


def test_info_reports_configured_max_payload(server_factory):
    srv = server_factory("max_payload: 1024\n")
    with srv.client() as c:
        assert c.info["max_payload"] == 1024


def test_ping_before_connect(server):
    with server.client() as c:
        assert c.exchange() == b"PONG\r\n"


def test_connect_empty_defaults_to_verbose(server):
    with server.client() as c:
        # CONNECT {} means verbose=true: +OK for CONNECT, none for PING.
        assert c.exchange(b"CONNECT {}\r\n") == b"+OK\r\nPONG\r\n"
        # Verbose: +OK after SUB, PUB and UNSUB.  The +OK for PUB comes
        # before the MSG it causes on the same connection; echo defaults true.
        out = c.exchange(b"SUB foo 1\r\n" + pub("foo", b"hi") + b"UNSUB 1\r\n")
        assert out == b"+OK\r\n+OK\r\n" + msg("foo", 1, b"hi") + b"+OK\r\nPONG\r\n"


def test_connect_empty_defaults_to_pedantic(server):
    with server.client() as c:
        c.send(b"CONNECT {}\r\n")
        out = c.exchange(pub("foo.*", b""))
        assert out == b"+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\nPONG\r\n"


@pytest.mark.go_quirk
def test_ops_before_connect_are_verbose(server):
    # Before any CONNECT the client options are the defaults (verbose on).
    with server.client() as c:
        out = c.exchange(b"SUB foo 1\r\n" + pub("foo"))
        assert out == b"+OK\r\n+OK\r\n" + msg("foo", 1) + b"PONG\r\n"


@pytest.mark.go_quirk
def test_connect_without_space_before_json(server):
    with server.client() as c:
        assert c.exchange(b'CONNECT{"verbose":false}\r\n') == b"PONG\r\n"


def test_connect_unknown_fields_ignored(server):
    with server.client() as c:
        opts = {"verbose": False, "zzz": 1, "name": "n", "lang": "python",
                "version": "1.0", "user": "", "pass": ""}
        c.connect(**opts)


def test_connect_twice_last_one_wins(server):
    with server.client() as c:
        out = c.exchange(b'CONNECT {"verbose":false}\r\nCONNECT {"verbose":true}\r\n')
        assert out == b"+OK\r\nPONG\r\n"


def test_client_pong_and_ok_and_info_are_ignored(server):
    with server.client() as c:
        c.connect()
        assert c.exchange(b"PONG\r\n") == b"PONG\r\n"
        assert c.exchange(b"+OK\r\n") == b"PONG\r\n"
        assert c.exchange(b"INFO {}\r\n") == b"PONG\r\n"


def test_protocol_1_connect(server):
    with server.client() as c:
        c.send(b'CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n')
        out = c.read_until_pong()
        assert out == b"PONG\r\n"
        # 2.15.1 (not 2.9.10) then sends an async INFO with
        # "connect_info":true to clients that announced protocol 1.
        extra, closed = c.collect(0.3)
        assert not closed
        if extra:
            assert extra.startswith(b"INFO {") and extra.endswith(b"\r\n"), extra
            assert json.loads(extra[5:]).get("connect_info") is True
        c.assert_open()


# --------------------------------------------------------------------------
# Parsing flexibility
# --------------------------------------------------------------------------

def test_lowercase_ops(server):
    with server.client() as c:
        c.send(b'connect {"verbose":false,"headers":true}\r\n')
        out = c.exchange(b"sub foo 1\r\n" + pub("foo", b"hi").lower()
                         + b"hpub foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                         + b"unsub 1\r\n" + b"pub foo 0\r\n\r\n")
        assert out == msg("foo", 1, b"hi") + hmsg("foo", 1, b"NATS/1.0\r\n\r\n", b"hi") + b"PONG\r\n"
        c.send(b"ping\r\n")
        assert c.read_until_pong() == b"PONG\r\n"
        c.send(b"pong\r\n")
        c.assert_open()


def test_mixed_case_ops(server):
    with server.client() as c:
        c.send(b'CoNnEcT {"verbose":false}\r\n')
        out = c.exchange(b"SuB foo 1\r\nPuB foo 2\r\nhi\r\nuNsUb 1\r\nPuB foo 0\r\n\r\n")
        assert out == msg("foo", 1, b"hi") + b"PONG\r\n"


def test_tabs_and_multiple_spaces(server):
    with server.client() as c:
        c.send(b'CONNECT\t{"verbose":false}\r\n')
        out = c.exchange(b"SUB\tfoo \t 1\r\nPUB  foo\t\t rep  2\r\nhi\r\n"
                         b"SUB  bar\t q\t 2 \r\nPUB bar 1 \r\nx\r\n")
        assert out == msg("foo", 1, b"hi", reply="rep") + msg("bar", 2, b"x") + b"PONG\r\n"


def test_newline_without_carriage_return(server):
    # Control lines may end in a bare \n.  (A payload, however, must be
    # followed by exactly \r\n: see test_errors.)
    with server.client() as c:
        c.send(b'CONNECT {"verbose":false}\n')
        c.send(b"SUB foo 1\nPUB foo 2\n")
        c.send(b"hi\r\n")
        c.send(b"UNSUB 1\nPING\n")
        out = c.read_until_pong()
        assert out == msg("foo", 1, b"hi") + b"PONG\r\n"


def make_sequence(tag: str):
    """A pipeline exercising every client op, and the exact reply.

    `tag` (fixed width) makes the subjects unique per connection: the
    queue group would otherwise be shared with earlier, already closed
    connections whose subscriptions the server may not have removed yet,
    and a message could go to one of those members."""
    foo, bar = f"foo{tag}", f"bar{tag}"
    seq = (
        b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n'
        + f"SUB {foo} 1\r\n".encode()
        + f"SUB {bar} q 22\r\n".encode()
        + pub(foo, b"hello", reply="rep")
        + hpub(bar, HDR, b"hi")
        + b"UNSUB 1\r\n"
        + pub(foo, b"x")
        + pub(bar, b"")
        + b"PING\r\n"
    )
    out = (msg(foo, 1, b"hello", reply="rep") + hmsg(bar, 22, HDR, b"hi")
           + msg(bar, 22, b"") + b"PONG\r\n")
    return seq, out


def test_sequence_in_one_write(server):
    seq, expected = make_sequence("0000")
    with server.client() as c:
        c.send(seq)
        assert c.read_until_pong() == expected


def test_sequence_one_byte_at_a_time(server):
    seq, expected = make_sequence("0000")
    with server.client() as c:
        c.send_slowly(seq, chunk=1, pause=0.001)
        assert c.read_until_pong() == expected


def test_sequence_split_in_two_at_every_offset(server):
    length = len(make_sequence("0000")[0])
    for i in range(1, length):
        seq, expected = make_sequence(f"{i:04d}")
        with server.client() as c:
            c.send(seq[:i])
            time.sleep(0.002)
            c.send(seq[i:])
            out = c.read_until_pong()
            assert out == expected, f"split at offset {i}: {seq[:i][-20:]!r} | {seq[i:][:20]!r}"


# --------------------------------------------------------------------------
# PUB / SUB / MSG / HPUB / HMSG
# --------------------------------------------------------------------------

def test_pub_sub_between_connections(server):
    with server.client() as sub, server.client() as p:
        sub.connect()
        p.connect()
        sub.exchange(b"SUB greet 9\r\n")
        p.exchange(pub("greet", b"hello") + pub("greet", b"again", reply="_INBOX.r"))
        assert sub.exchange() == (msg("greet", 9, b"hello")
                                  + msg("greet", 9, b"again", reply="_INBOX.r") + b"PONG\r\n")


def test_empty_payload(server):
    with server.client() as c:
        c.connect()
        assert c.exchange(b"SUB a 1\r\nPUB a 0\r\n\r\n") == b"MSG a 1 0\r\n\r\nPONG\r\n"


def test_payload_with_crlf_and_binary(server):
    payload = b"\r\nPING\r\n\x00\xff MSG x 1 2\r\n"
    with server.client() as c:
        c.connect()
        assert c.exchange(b"SUB a 1\r\n" + pub("a", payload)) == msg("a", 1, payload) + b"PONG\r\n"


def test_sid_is_opaque_string(server):
    with server.client() as c:
        c.connect()
        long_sid = "9" * 200
        out = c.exchange(f"SUB a abc\r\nSUB b {long_sid}\r\n".encode() + pub("a") + pub("b"))
        assert out == msg("a", "abc") + msg("b", long_sid) + b"PONG\r\n"


@pytest.mark.go_quirk
def test_duplicate_sid_is_ignored(server):
    # A second SUB with an existing sid is a no-op: the first one stays.
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo 1\r\nSUB bar 1\r\n" + pub("foo") + pub("bar"))
        assert out == msg("foo", 1) + b"PONG\r\n"


def test_same_subject_two_sids(server):
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo 1\r\nSUB foo 2\r\nSUB Foo 3\r\n" + pub("foo", b"a"))
        # subjects are case sensitive; both sids of the same connection get it
        frames = split_all(out)
        assert frames[-1] == b"PONG\r\n"
        assert sorted(frames[:-1]) == sorted([msg("foo", 1, b"a"), msg("foo", 2, b"a")])


def test_utf8_subject(server):
    subj = "fóo.bär"
    with server.client() as c:
        c.connect()
        out = c.exchange(f"SUB {subj} 1\r\n".encode() + pub(subj))
        assert out == msg(subj, 1) + b"PONG\r\n"


def test_hpub_to_hmsg_exact(server):
    with server.client() as c:
        c.connect(headers=True)
        out = c.exchange(b"SUB foo 1\r\n" + hpub("foo", HDR, b"hi")
                         + hpub("foo", HDR, b"yo", reply="r.1")
                         + hpub("foo", b"NATS/1.0\r\n\r\n", b""))
        assert out == (b"HMSG foo 1 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nhi\r\n"
                       b"HMSG foo 1 r.1 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nyo\r\n"
                       b"HMSG foo 1 12 12\r\nNATS/1.0\r\n\r\n\r\n"
                       b"PONG\r\n")


@pytest.mark.go_quirk
def test_hpub_header_block_is_opaque(server):
    # nats-server does not validate the header block: it is forwarded as is.
    with server.client() as c:
        c.connect(headers=True)
        out = c.exchange(b"SUB a 1\r\nHPUB a 4 4\r\nabcd\r\n")
        assert out == b"HMSG a 1 4 4\r\nabcd\r\nPONG\r\n"


@pytest.mark.go_quirk
def test_hpub_zero_header_size_becomes_msg(server):
    # HPUB with a header size of 0 is delivered as a plain MSG.
    with server.client() as c:
        c.connect(headers=True)
        assert c.exchange(b"SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\n") == msg("foo", 1, b"hi") + b"PONG\r\n"


@pytest.mark.parametrize("sub_connect", [{"headers": False}, {}],
                         ids=["headers-false", "headers-omitted"])
def test_headers_stripped_for_non_header_subscriber(server, sub_connect):
    with server.client() as sub, server.client() as p:
        sub.connect(**sub_connect)
        p.connect(headers=True)
        sub.exchange(b"SUB foo 1\r\n")
        p.exchange(hpub("foo", HDR, b"hi", reply="r") + hpub("foo", b"NATS/1.0\r\n\r\n"))
        assert sub.exchange() == b"MSG foo 1 r 2\r\nhi\r\nMSG foo 1 0\r\n\r\nPONG\r\n"


def test_plain_pub_to_header_subscriber_is_msg(server):
    with server.client() as c:
        c.connect(headers=True)
        assert c.exchange(b"SUB foo 1\r\n" + pub("foo", b"x")) == msg("foo", 1, b"x") + b"PONG\r\n"


# --------------------------------------------------------------------------
# UNSUB
# --------------------------------------------------------------------------

def test_unsub(server):
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo 1\r\n" + pub("foo", b"a") + b"UNSUB 1\r\n" + pub("foo", b"b"))
        assert out == msg("foo", 1, b"a") + b"PONG\r\n"


def test_unsub_with_max(server):
    with server.client() as c, server.client() as p:
        c.connect()
        p.connect()
        c.exchange(b"SUB foo 1\r\nUNSUB 1 2\r\n")
        p.exchange(pub("foo", b"a") + pub("foo", b"b") + pub("foo", b"c"))
        assert c.exchange() == msg("foo", 1, b"a") + msg("foo", 1, b"b") + b"PONG\r\n"
        p.exchange(pub("foo", b"d"))
        assert c.exchange() == b"PONG\r\n"


def test_unsub_max_already_reached_removes_now(server):
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo 1\r\n" + pub("foo", b"a") + pub("foo", b"b")
                         + b"UNSUB 1 2\r\n" + pub("foo", b"c"))
        assert out == msg("foo", 1, b"a") + msg("foo", 1, b"b") + b"PONG\r\n"


def test_unsub_max_zero_removes_now(server):
    with server.client() as c:
        c.connect()
        assert c.exchange(b"SUB foo 1\r\nUNSUB 1 0\r\n" + pub("foo")) == b"PONG\r\n"


def test_unsub_unknown_sid(server):
    with server.client() as c:
        c.send(b'CONNECT {"verbose":true}\r\n')
        assert c.exchange(b"UNSUB 99\r\n") == b"+OK\r\n+OK\r\nPONG\r\n"
    with server.client() as c:
        c.connect()
        assert c.exchange(b"UNSUB 99\r\nUNSUB 98 5\r\n") == b"PONG\r\n"


def test_resubscribe_same_sid_after_unsub(server):
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo 1\r\nUNSUB 1\r\nSUB bar 1\r\n" + pub("foo") + pub("bar"))
        assert out == msg("bar", 1) + b"PONG\r\n"


# --------------------------------------------------------------------------
# Wildcards
# --------------------------------------------------------------------------

def split_all(data: bytes):
    frames = []
    buf = bytearray(data)
    while buf:
        n = split_frame(buf)
        assert n is not None, f"incomplete frame {bytes(buf)!r}"
        frames.append(bytes(buf[:n]))
        del buf[:n]
    return frames


WILDCARD_SUBS = {
    1: "foo.*",
    2: "foo.>",
    3: ">",
    4: "*",
    5: "*.bar",
    6: "foo.*.baz",
    7: "foo",
    8: "foo.bar",
    9: "*.*.*",
    10: "foo.bar.>",
}
WILDCARD_CASES = {
    "foo": {3, 4, 7},
    "foo.bar": {1, 2, 3, 5, 8},
    "foo.bar.baz": {2, 3, 6, 9, 10},
    "x.bar": {3, 5},
    "foo.x.baz": {2, 3, 6, 9},
    "foo.bar.baz.qux": {2, 3, 10},
    "bar": {3, 4},
    "foobar": {3, 4},
}


@pytest.mark.parametrize("subject", sorted(WILDCARD_CASES))
def test_wildcard_matching(server, subject):
    with server.client() as c, server.client() as p:
        c.connect()
        p.connect()
        c.exchange(b"".join(f"SUB {s} {sid}\r\n".encode() for sid, s in WILDCARD_SUBS.items()))
        p.exchange(pub(subject, b"m"))
        out = c.exchange()
        frames = split_all(out)
        assert frames[-1] == b"PONG\r\n"
        # One MSG per matching subscription.  The order among the sids of one
        # connection is the server's business (Go: '>' before 'foo.>' before
        # 'foo.*' ...), so compare as a multiset.
        got = sorted(frames[:-1])
        want = sorted(msg(subject, sid, b"m") for sid in WILDCARD_CASES[subject])
        assert got == want


def test_wildcard_publish_subject_matches_wildcard_subs_only(server):
    # nats-server does not refuse a PUB to a wildcard subject: with pedantic
    # off it is routed like a literal subject whose tokens are "*" / ">", so
    # it reaches foo.*, foo.> and > but not foo.bar.  Subjects with empty
    # tokens are silently dropped.
    with server.client() as c:
        c.connect(pedantic=False)
        c.exchange(b"SUB foo.bar 1\r\nSUB foo.> 2\r\nSUB > 3\r\nSUB foo.* 4\r\nSUB * 5\r\n")
        out = c.exchange(pub("foo.*", b"w") + pub("foo..bar", b"a") + pub(".foo", b"b")
                         + pub("foo.", b"c"))
        frames = split_all(out)
        assert frames[-1] == b"PONG\r\n"
        assert sorted(frames[:-1]) == sorted([msg("foo.*", 2, b"w"), msg("foo.*", 3, b"w"),
                                              msg("foo.*", 4, b"w")])


# --------------------------------------------------------------------------
# echo, queue groups
# --------------------------------------------------------------------------

def test_echo_false_suppresses_own_messages(server):
    with server.client() as me, server.client() as other:
        me.connect(echo=False)
        other.connect()
        other.exchange(b"SUB foo 1\r\n")
        assert me.exchange(b"SUB foo 1\r\n" + pub("foo", b"x")) == b"PONG\r\n"
        assert other.exchange() == msg("foo", 1, b"x") + b"PONG\r\n"
        # other's messages still reach me
        other.exchange(pub("foo", b"y"))
        assert me.exchange() == msg("foo", 1, b"y") + b"PONG\r\n"


def test_echo_default_true(server):
    with server.client() as me:
        me.connect()
        assert me.exchange(b"SUB foo 1\r\n" + pub("foo", b"x")) == msg("foo", 1, b"x") + b"PONG\r\n"


def _count_msgs(data: bytes):
    counts = {}
    for f in split_all(data):
        if f.startswith(b"MSG "):
            parts = f.split(b"\r\n", 1)[0].split()
            counts[parts[2].decode()] = counts.get(parts[2].decode(), 0) + 1
        else:
            assert f == b"PONG\r\n", f
    return counts


def test_queue_group_one_connection(server):
    n = 300
    with server.client() as c, server.client() as p:
        c.connect()
        p.connect()
        c.exchange(b"SUB work q 1\r\nSUB work q 2\r\nSUB work q 3\r\nSUB work 4\r\n")
        p.exchange(b"".join(pub("work", b"%d" % i) for i in range(n)))
        counts = _count_msgs(c.exchange())
        assert counts.get("4") == n                       # plain sub gets all
        q = [counts.get(s, 0) for s in ("1", "2", "3")]
        assert sum(q) == n                                # exactly once
        assert min(q) >= n // 10, q                       # roughly spread


def test_queue_group_several_connections(server):
    n = 300
    members = [server.client() for _ in range(3)]
    try:
        plain = server.client()
        p = server.client()
        for i, m in enumerate(members):
            m.connect()
            m.exchange(f"SUB jobs.x workers {i + 10}\r\n".encode())
        plain.connect()
        plain.exchange(b"SUB jobs.* 1\r\nSUB jobs.x other 2\r\n")
        p.connect()
        p.exchange(b"".join(pub("jobs.x", b"%d" % i) for i in range(n)))
        got = [sum(_count_msgs(m.exchange()).values()) for m in members]
        assert sum(got) == n, got
        assert min(got) >= n // 10, got
        # a plain sub and a second queue group both see every message
        assert _count_msgs(plain.exchange()) == {"1": n, "2": n}
    finally:
        for m in members:
            m.close()


def test_queue_group_payloads_each_delivered_once(server):
    n = 200
    with server.client() as a, server.client() as b, server.client() as p:
        for c in (a, b):
            c.connect()
            c.exchange(b"SUB q.sub grp 1\r\n")
        p.connect()
        p.exchange(b"".join(pub("q.sub", b"%d" % i) for i in range(n)))
        payloads = []
        for c in (a, b):
            for f in split_all(c.exchange()):
                if f.startswith(b"MSG"):
                    payloads.append(int(f.split(b"\r\n")[1]))
        assert sorted(payloads) == list(range(n))


# --------------------------------------------------------------------------
# Server PINGs
# --------------------------------------------------------------------------

def test_server_sends_first_ping_after_about_two_seconds(server):
    # nats-server pings every client ~2-2.4 s after CONNECT (first RTT
    # measurement), whatever ping_interval is, as long as that is larger.
    with server.client() as c:
        c.send(b'CONNECT {"verbose":false}\r\n')
        t0 = time.monotonic()
        frame = c.read_frame(timeout=8)
        elapsed = time.monotonic() - t0
        assert frame == b"PING\r\n"
        assert 1.5 <= elapsed <= 6.0, elapsed
        c.send(b"PONG\r\n")
        c.assert_open()
