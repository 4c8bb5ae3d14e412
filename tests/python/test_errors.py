"""Protocol errors: exact -ERR text and whether the connection is closed.

Every test uses a `bystander` client connected before the misbehaving one
and ends with assert_healthy(): the server is alive, the bystander still
works, and a fresh client can publish and receive.

Observed identically on nats-server 2.9.10 and 2.15.1 unless noted.
"""

import pytest

from conftest import assert_healthy, hmsg, hpub, msg, pub

UNKNOWN_OP = b"-ERR 'Unknown Protocol Operation'\r\n"
MAX_PAYLOAD = b"-ERR 'Maximum Payload Violation'\r\n"
MAX_CONTROL_LINE = b"-ERR 'maximum control line exceeded'\r\n"
NON_VERBOSE = b'CONNECT {"verbose":false}\r\n'
WITH_HEADERS = b'CONNECT {"verbose":false,"headers":true}\r\n'


def expect_close(server, bystander, data, expected: bytes):
    """Send data on a new connection; the server answers exactly `expected`
    and closes the connection.  Other clients are unaffected."""
    with server.client() as c:
        c.send(data)
        got = c.read_until_closed()
        assert got == expected
    assert_healthy(server, bystander)


def expect_open(server, bystander, data, expected: bytes):
    """Send data + PING; the answer up to PONG is exactly expected + PONG,
    and the connection stays usable."""
    with server.client() as c:
        got = c.exchange(data)
        assert got == expected + b"PONG\r\n"
        c.assert_open()
    assert_healthy(server, bystander)


# --------------------------------------------------------------------------
# Unknown operations -> -ERR 'Unknown Protocol Operation' + close
# --------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    NON_VERBOSE + b"FOO bar\r\n",
    b"FOO bar\r\n",                                  # before CONNECT
    NON_VERBOSE + b"PUBX foo 0\r\n\r\n",
    NON_VERBOSE + b"\r\nPING\r\n",                   # empty line
    NON_VERBOSE + b" PING\r\n",                      # leading space
    NON_VERBOSE + b"UNSUB\r\n",                      # op without its argument
    NON_VERBOSE + b"MSG foo 1 2\r\nhi\r\n",          # MSG is server->client only
    WITH_HEADERS + b"HMSG foo 1 12 12\r\nNATS/1.0\r\n\r\n\r\n",
], ids=["FOO", "FOO-before-CONNECT", "PUBX", "empty-line", "leading-space",
        "UNSUB-no-arg", "MSG-from-client", "HMSG-from-client"])
def test_unknown_protocol_operation(server, bystander, data):
    expect_close(server, bystander, data, UNKNOWN_OP)


@pytest.mark.parametrize("data", [
    NON_VERBOSE + b"SUB a 1\r\n" + b"PUB a 2\r\nhello\r\n",   # payload longer than size
    NON_VERBOSE + b"SUB a 1\r\n" + b"PUB a 2\r\nhiXYPING\r\n",  # no CRLF after payload
    NON_VERBOSE + b"SUB a 1\r\n" + b"PUB a 2\r\nhi\nPING\r\n",  # bare LF after payload
    WITH_HEADERS + b"HPUB a 12 14\r\nNATS/1.0\r\n\r\nhiXX\r\n",
], ids=["payload-too-long", "payload-no-crlf", "payload-bare-lf", "hpub-payload-too-long"])
def test_bad_payload_terminator(server, bystander, data):
    # Nothing is delivered for the broken message (the subscriber is the
    # same connection, which gets only the error).
    expect_close(server, bystander, data, UNKNOWN_OP)


# --------------------------------------------------------------------------
# CONNECT problems
# --------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"CONNECT {bad\r\n",
    b"CONNECT\r\n",
    b'CONNECT {"verbose":"yes"}\r\n',
    b'CONNECT {"verbose":false,"protocol":"1"}\r\n',
], ids=["bad-json", "no-argument", "wrong-type", "protocol-as-string"])
def test_bad_connect_closes_without_error(server, bystander, data):
    expect_close(server, bystander, data + b"PING\r\n", b"")


@pytest.mark.parametrize("proto", [2, -1])
def test_invalid_client_protocol(server, bystander, proto):
    data = b'CONNECT {"verbose":false,"protocol":%d}\r\nPING\r\n' % proto
    expect_close(server, bystander, data, b"-ERR 'invalid client protocol'\r\n")


@pytest.mark.parametrize("proto", [0, 1])
def test_valid_client_protocols(server, bystander, proto):
    with server.client() as c:
        c.send(b'CONNECT {"verbose":false,"protocol":%d}\r\n' % proto)
        assert c.exchange() == b"PONG\r\n"
        # 2.15.1 follows protocol 1 with an async INFO (connect_info); drop it.
        data, closed = c.collect(0.3)
        assert not closed and (data == b"" or data.startswith(b"INFO {")), data
        c.assert_open()
    assert_healthy(server, bystander)


@pytest.mark.parametrize("connect", [
    b'CONNECT {"verbose":false,"no_responders":true}\r\n',
    b'CONNECT {"verbose":false,"headers":false,"no_responders":true}\r\n',
    b'CONNECT {"verbose":false,"protocol":1,"no_responders":true}\r\n',
], ids=["headers-omitted", "headers-false", "protocol-1"])
def test_no_responders_requires_headers(server, bystander, connect):
    expect_close(server, bystander, connect + b"PING\r\n",
                 b"-ERR 'no responders requires headers support'\r\n")


# --------------------------------------------------------------------------
# Payload size
# --------------------------------------------------------------------------

def test_pub_over_default_max_payload(server, bystander):
    # The error comes as soon as the control line is parsed; the payload is
    # never read.
    expect_close(server, bystander, NON_VERBOSE + b"PUB foo 1048577\r\n", MAX_PAYLOAD)


def test_hpub_over_default_max_payload(server, bystander):
    expect_close(server, bystander, WITH_HEADERS + b"HPUB foo 12 1048577\r\n", MAX_PAYLOAD)


def test_pub_exactly_default_max_payload(server, bystander):
    payload = b"z" * 1048576
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB big 1\r\n" + pub("big", payload), timeout=30)
        assert out == msg("big", 1, payload) + b"PONG\r\n"
    assert_healthy(server, bystander)


def test_max_payload_from_config(server_factory):
    srv = server_factory("max_payload: 1024\n")
    with srv.client() as by:
        by.connect(headers=True)
        # exactly the limit: fine (for HPUB the limit applies to headers+payload)
        out = by.exchange(b"SUB a 1\r\n" + pub("a", b"x" * 1024)
                          + hpub("a", b"NATS/1.0\r\n\r\n", b"y" * 1012))
        assert out == (msg("a", 1, b"x" * 1024)
                       + hmsg("a", 1, b"NATS/1.0\r\n\r\n", b"y" * 1012) + b"PONG\r\n")
        for data in (NON_VERBOSE + b"PUB a 1025\r\n",
                     WITH_HEADERS + b"HPUB a 12 1025\r\n"):
            with srv.client() as c:
                c.send(data)
                assert c.read_until_closed() == MAX_PAYLOAD
        assert_healthy(srv, by)


# --------------------------------------------------------------------------
# Control line length (the limit applies to the arguments after the op)
# --------------------------------------------------------------------------

def _arg(op: bytes, length: int) -> bytes:
    if op == b"UNSUB":
        return b"1" * length
    return b"a" * (length - 2) + b" 1"          # subject + " 1"


@pytest.mark.parametrize("op", [b"SUB", b"PUB", b"UNSUB"])
@pytest.mark.parametrize("newline", [True, False], ids=["with-newline", "no-newline"])
def test_max_control_line_default(server, bystander, op, newline):
    # 4096 bytes of arguments are fine ...
    with server.client() as c:
        c.connect()
        tail = b"\r\n" + (b"x\r\n" if op == b"PUB" else b"")
        assert c.exchange(op + b" " + _arg(op, 4096) + tail) == b"PONG\r\n"
    # ... 4097 are not, whether or not the line is complete.
    with server.client() as c:
        c.connect()
        c.send(op + b" " + _arg(op, 4097) + (b"\r\n" if newline else b""))
        assert c.read_until_closed() == MAX_CONTROL_LINE
    assert_healthy(server, bystander)


def test_max_control_line_huge_line(server, bystander):
    expect_close(server, bystander, NON_VERBOSE + b"PUB " + b"a" * 5000 + b" 1\r\n",
                 MAX_CONTROL_LINE)


def test_max_control_line_huge_connect(server, bystander):
    big = b'CONNECT {"verbose":false,"name":"' + b"n" * 5000 + b'"}\r\n'
    expect_close(server, bystander, big, MAX_CONTROL_LINE)


@pytest.mark.parametrize("op", [b"SUB", b"PUB", b"UNSUB"])
def test_max_control_line_from_config(server_factory, op):
    srv = server_factory("max_control_line: 512\n")
    with srv.client() as by:
        by.connect()
        with srv.client() as c:
            c.connect()
            tail = b"\r\n" + (b"x\r\n" if op == b"PUB" else b"")
            assert c.exchange(op + b" " + _arg(op, 512) + tail) == b"PONG\r\n"
        for newline in (True, False):
            with srv.client() as c:
                c.connect()
                c.send(op + b" " + _arg(op, 513) + (b"\r\n" if newline else b""))
                assert c.read_until_closed() == MAX_CONTROL_LINE
        with srv.client() as c:
            c.send(b'CONNECT {"verbose":false,"name":"' + b"n" * 600 + b'"}\r\n')
            assert c.read_until_closed() == MAX_CONTROL_LINE
        assert_healthy(srv, by)


# --------------------------------------------------------------------------
# Subjects
# --------------------------------------------------------------------------

@pytest.mark.parametrize("subject", [b"foo..bar", b".foo", b"foo.", b"foo.>.bar", b">.foo"])
def test_sub_invalid_subject_stays_open(server, bystander, subject):
    expect_open(server, bystander, NON_VERBOSE + b"SUB " + subject + b" 1\r\n",
                b"-ERR 'Invalid Subject'\r\n")


def test_sub_invalid_subject_verbose_gets_no_ok(server, bystander):
    expect_open(server, bystander, b'CONNECT {"verbose":true}\r\nSUB foo..bar 1\r\n',
                b"+OK\r\n-ERR 'Invalid Subject'\r\n")


def test_sub_valid_unusual_subjects(server, bystander):
    # '*' and '>' are wildcards only as whole tokens; queue names are not
    # validated.
    with server.client() as c:
        c.connect()
        out = c.exchange(b"SUB foo* 1\r\nSUB foo> 2\r\nSUB *.> 3\r\nSUB foo q.* 4\r\n"
                         + pub("foo*") + pub("foo>") + pub("foo"))
        assert out == msg("foo*", 1) + msg("foo>", 2) + msg("foo", 4) + b"PONG\r\n"
    assert_healthy(server, bystander)


@pytest.mark.parametrize("subject", [b"foo.*", b"foo.>", b">", b"foo..bar"])
def test_pedantic_pub_invalid_subject(server, bystander, subject):
    expect_open(server, bystander,
                b'CONNECT {"verbose":false,"pedantic":true}\r\nPUB ' + subject + b" 0\r\n\r\n",
                b"-ERR 'Invalid Publish Subject'\r\n")


@pytest.mark.go_quirk
def test_pedantic_pub_wildcard_is_still_delivered(server, bystander):
    # nats-server quirk: in pedantic mode the error is sent but the message
    # is routed anyway (to wildcard subscriptions that match it literally).
    with server.client() as c:
        c.connect(pedantic=True)
        out = c.exchange(b"SUB foo.* 1\r\nSUB foo.bar 2\r\n" + pub("foo.*", b"hi"))
        assert out == b"-ERR 'Invalid Publish Subject'\r\n" + msg("foo.*", 1, b"hi") + b"PONG\r\n"
    assert_healthy(server, bystander)


def test_pedantic_pub_verbose(server, bystander):
    # -ERR first, then the +OK for the PUB.
    expect_open(server, bystander,
                b'CONNECT {"verbose":true,"pedantic":true}\r\n' + pub("foo.*"),
                b"+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\n")


def test_non_pedantic_pub_wildcard_no_error(server, bystander):
    with server.client() as c:
        c.connect(pedantic=False)
        out = c.exchange(b"SUB foo.bar 1\r\n" + pub("foo.*", b"x") + pub("foo..bar", b"y"))
        assert out == b"PONG\r\n"
    assert_healthy(server, bystander)


# --------------------------------------------------------------------------
# Malformed arguments -> close without -ERR
# --------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    NON_VERBOSE + b"PUB foo abc\r\n",
    NON_VERBOSE + b"PUB foo -1\r\n",
    NON_VERBOSE + b"PUB foo +2\r\nhi\r\n",
    NON_VERBOSE + b"PUB foo 99999999999999999999\r\n",
    NON_VERBOSE + b"PUB foo\r\n",
    NON_VERBOSE + b"PUB a b c 2\r\nhi\r\n",
    NON_VERBOSE + b"SUB foo\r\n",
    NON_VERBOSE + b"SUB foo q 1 2\r\n",
    NON_VERBOSE + b"UNSUB 1 2 3\r\n",
    NON_VERBOSE + b"-ERR 'x'\r\n",
], ids=["pub-size-nonnumeric", "pub-size-negative", "pub-size-plus", "pub-size-huge",
        "pub-1-arg", "pub-4-args", "sub-1-arg", "sub-4-args", "unsub-3-args",
        "client-sends-err"])
def test_malformed_args_close_silently(server, bystander, data):
    expect_close(server, bystander, data + b"PING\r\n", b"")


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("connect", [
    NON_VERBOSE,                                       # headers omitted = false
    b'CONNECT {"verbose":false,"headers":false}\r\n',
], ids=["headers-omitted", "headers-false"])
def test_hpub_without_headers_support_closes(server, bystander, connect):
    expect_close(server, bystander,
                 connect + b"HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n", b"")


@pytest.mark.parametrize("line", [
    b"HPUB foo 20 14\r\n",          # header size > total size
    b"HPUB foo 2\r\n",              # one size only
    b"HPUB foo a b 12 12\r\n",      # too many args
    b"HPUB foo -1 12\r\n",
    b"HPUB foo x 12\r\n",
], ids=["hdr-gt-total", "one-size", "five-args", "negative", "nonnumeric"])
def test_hpub_bad_sizes_close_silently(server, bystander, line):
    expect_close(server, bystander,
                 WITH_HEADERS + line + b"NATS/1.0\r\n\r\nhi\r\nPING\r\n", b"")


# --------------------------------------------------------------------------
# No responders
# --------------------------------------------------------------------------

NR_CONNECT = b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\n'
# 2.9.10 sends a bare 503 status; 2.15.1 adds a Nats-Subject header naming
# the subject that had no responders.  Either exact form is accepted.
NR_2_9 = b"HMSG inbox 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
NR_2_15 = b"HMSG inbox 7 38 38\r\nNATS/1.0 503\r\nNats-Subject: nobody\r\n\r\n\r\n"


def test_no_responders_status(server, bystander):
    with server.client() as c:
        out = c.exchange(NR_CONNECT + b"SUB inbox 7\r\nPUB nobody inbox 2\r\nhi\r\n")
        assert out in (NR_2_9 + b"PONG\r\n", NR_2_15 + b"PONG\r\n"), out
        # same for HPUB
        out = c.exchange(hpub("nobody", b"NATS/1.0\r\n\r\n", b"hi", reply="inbox"))
        assert out in (NR_2_9 + b"PONG\r\n", NR_2_15 + b"PONG\r\n"), out
    assert_healthy(server, bystander)


def test_no_responders_verbose(server, bystander):
    with server.client() as c:
        out = c.exchange(NR_CONNECT.replace(b'"verbose":false', b'"verbose":true')
                         + b"SUB inbox 7\r\nPUB nobody inbox 2\r\nhi\r\n")
        assert out in (b"+OK\r\n+OK\r\n+OK\r\n" + NR_2_9 + b"PONG\r\n",
                       b"+OK\r\n+OK\r\n+OK\r\n" + NR_2_15 + b"PONG\r\n"), out
    assert_healthy(server, bystander)


def test_no_responders_wildcard_reply_sub(server, bystander):
    with server.client() as c:
        out = c.exchange(NR_CONNECT + b"SUB _INBOX.* 7\r\nPUB nobody _INBOX.abc 2\r\nhi\r\n")
        assert out in (
            b"HMSG _INBOX.abc 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n",
            b"HMSG _INBOX.abc 7 38 38\r\nNATS/1.0 503\r\nNats-Subject: nobody\r\n\r\n\r\nPONG\r\n",
        ), out
    assert_healthy(server, bystander)


def test_no_responders_not_sent_when_delivered_or_not_wanted(server, bystander):
    with server.client() as c:
        # publisher has no subscription on the reply subject: nothing
        assert c.exchange(NR_CONNECT + pub("nobody", b"hi", reply="_INBOX.x")) == b"PONG\r\n"
        # a responder exists (here: ourselves, echo on): normal delivery only
        out = c.exchange(b"SUB inbox 7\r\nSUB svc 8\r\n" + pub("svc", b"hi", reply="inbox"))
        assert out == msg("svc", 8, b"hi", reply="inbox") + b"PONG\r\n"
        # no reply subject: nothing
        assert c.exchange(pub("nobody", b"hi")) == b"PONG\r\n"
    with server.client() as c:
        # no_responders not requested: nothing
        c.connect(headers=True)
        assert c.exchange(b"SUB inbox 7\r\n" + pub("nobody", b"hi", reply="inbox")) == b"PONG\r\n"
    assert_healthy(server, bystander)


def test_no_responders_own_sub_with_echo_false(server, bystander):
    # With echo off our own subscription does not count as a responder.
    with server.client() as c:
        out = c.exchange(NR_CONNECT.replace(b"}", b',"echo":false}')
                         + b"SUB inbox 7\r\nSUB svc 8\r\n" + pub("svc", b"hi", reply="inbox"))
        assert out in (
            b"HMSG inbox 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n",
            b"HMSG inbox 7 35 35\r\nNATS/1.0 503\r\nNats-Subject: svc\r\n\r\n\r\nPONG\r\n",
        ), out
    assert_healthy(server, bystander)


def test_no_responders_other_connection_responder(server, bystander):
    with server.client() as svc, server.client() as c:
        svc.connect()
        svc.exchange(b"SUB svc 1\r\n")
        out = c.exchange(NR_CONNECT + b"SUB inbox 7\r\n" + pub("svc", b"q", reply="inbox"))
        assert out == b"PONG\r\n"
        assert svc.exchange() == msg("svc", 1, b"q", reply="inbox") + b"PONG\r\n"
        svc.exchange(pub("inbox", b"a"))
        assert c.exchange() == msg("inbox", 7, b"a") + b"PONG\r\n"
    assert_healthy(server, bystander)
