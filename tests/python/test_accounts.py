"""Accounts: isolation, stream and service exports/imports, response
types, reserved `_R_.` replies, and import errors at start-up (`-t`).

Non-delivery is always proven with a subscriber that would have received
the message plus a PING/PONG round trip.  Observed on nats-server 2.9.10
and 2.15.1 unless a comment says otherwise.
"""

import re

import pytest

from authsupport import (assert_silent, check_config, connect_raw, is_go_server,
                         line_of, position_re, reply_violation, same_frames,
                         split_frames)
from conftest import hmsg, msg, nats_connect, nats_flush, pub, run

PW = {"pass": "pw"}

TWO = """
accounts {
  A { users [ { user: a1, password: pw }, { user: a2, password: pw } ] }
  B { users [ { user: b1, password: pw }, { user: b2, password: pw } ] }
}
"""


def no_responders(reply: str, sid, subject: str) -> tuple:
    """The 503 status message, as 2.9.10 (bare) or 2.15.1 (with a
    Nats-Subject header) send it."""
    bare = hmsg(reply, sid, b"NATS/1.0 503\r\n\r\n")
    named = hmsg(reply, sid, f"NATS/1.0 503\r\nNats-Subject: {subject}\r\n\r\n".encode())
    return bare, named


# --------------------------------------------------------------------------
# isolation
# --------------------------------------------------------------------------

def test_accounts_are_isolated(server_factory):
    srv = server_factory(TWO)
    a1 = connect_raw(srv, user="a1", **PW)
    a2 = connect_raw(srv, user="a2", **PW)
    b1 = connect_raw(srv, user="b1", **PW)
    b2 = connect_raw(srv, user="b2", **PW)
    try:
        for c in (a1, b1):
            assert c.exchange(b"SUB > 1\r\nSUB orders.new 2\r\n") == b"PONG\r\n"
        # Same subject in both accounts: each message stays in its account.
        assert b2.exchange(pub("orders.new", b"from B")) == b"PONG\r\n"
        assert same_frames(b1.exchange(), msg("orders.new", 1, b"from B")
                           + msg("orders.new", 2, b"from B") + b"PONG\r\n")
        assert_silent(a1)
        assert a2.exchange(pub("orders.new", b"from A")) == b"PONG\r\n"
        assert same_frames(a1.exchange(), msg("orders.new", 1, b"from A")
                           + msg("orders.new", 2, b"from A") + b"PONG\r\n")
        assert_silent(b1)
        # Many subjects, including system-looking ones.
        subjects = ["x", "a.b.c", "_INBOX.abc", "$SYS.REQ.SERVER.PING", "$G.x", "A.x"]
        assert b2.exchange(b"".join(pub(s, b"b") for s in subjects)) == b"PONG\r\n"
        assert b1.exchange() == b"".join(msg(s, 1, b"b") for s in subjects) + b"PONG\r\n"
        assert_silent(a1)
    finally:
        for c in (a1, a2, b1, b2):
            c.close()


def test_queue_groups_are_per_account(server_factory):
    srv = server_factory(TWO)
    a1 = connect_raw(srv, user="a1", **PW)
    b1 = connect_raw(srv, user="b1", **PW)
    a2 = connect_raw(srv, user="a2", **PW)
    try:
        assert a1.exchange(b"SUB work q 1\r\n") == b"PONG\r\n"
        assert b1.exchange(b"SUB work q 1\r\n") == b"PONG\r\n"
        n = 20
        assert a2.exchange(b"".join(pub("work", b"%d" % i) for i in range(n))) == b"PONG\r\n"
        assert a1.exchange() == b"".join(msg("work", 1, b"%d" % i) for i in range(n)) + b"PONG\r\n"
        assert_silent(b1)
    finally:
        for c in (a1, b1, a2):
            c.close()


def test_replies_do_not_cross_accounts(server_factory):
    srv = server_factory(TWO)
    a1 = connect_raw(srv, user="a1", headers=True, no_responders=True, **PW)
    b1 = connect_raw(srv, user="b1", **PW)
    try:
        assert b1.exchange(b"SUB svc.x 1\r\nSUB _INBOX.> 2\r\n") == b"PONG\r\n"
        got = a1.exchange(b"SUB _INBOX.a1.> 1\r\n" + pub("svc.x", b"req", "_INBOX.a1.r1"))
        assert got in tuple(x + b"PONG\r\n" for x in no_responders("_INBOX.a1.r1", 1, "svc.x")), got
        assert_silent(b1)
        # Publishing on A's inbox from B reaches nothing in A.
        assert b1.exchange(pub("_INBOX.a1.r1", b"fake")) == msg("_INBOX.a1.r1", 2, b"fake") \
            + b"PONG\r\n"
        assert_silent(a1)
    finally:
        a1.close()
        b1.close()


def test_replies_do_not_cross_accounts_nats_py(server_factory):
    import nats.errors
    srv = server_factory(TWO)

    async def main():
        seen = []
        b = await nats_connect(srv, user="b1", password="pw")

        async def responder(m):
            seen.append(m.subject)
            await m.respond(b"from B")
        await b.subscribe("svc.x", cb=responder)
        await nats_flush(b)
        a = await nats_connect(srv, user="a1", password="pw")
        with pytest.raises(nats.errors.NoRespondersError):
            await a.request("svc.x", b"req", timeout=5)
        # A responder in A answers; B's responder is never asked.
        a_resp = await nats_connect(srv, user="a2", password="pw")

        async def responder_a(m):
            await m.respond(b"from A")
        await a_resp.subscribe("svc.x", cb=responder_a)
        await nats_flush(a_resp)
        r = await a.request("svc.x", b"req", timeout=5)
        assert r.data == b"from A"
        await nats_flush(b)
        assert seen == []
        for nc in (a, a_resp, b):
            await nc.close()

    run(main())


# --------------------------------------------------------------------------
# exports and imports
# --------------------------------------------------------------------------

EXPORTS = """
accounts {
  EXP {
    users [ { user: exp, password: pw }, { user: exp2, password: pw } ]
    exports [
      { stream: "events.>" }
      { stream: "metrics.*" }
      { stream: "private.>", accounts: [RESTRICTED] }
      { service: "svc.>" }
      { service: "single.req", response_type: singleton }
      { service: "multi.req", response_type: stream }
      { service: "restricted.svc", accounts: [SVC] }
    ]
  }
  PFX {
    users [ { user: pfx, password: pw } ]
    imports [ { stream: { account: EXP, subject: "events.>" }, prefix: "exp" } ]
  }
  TO {
    users [ { user: to, password: pw } ]
    imports [
      { stream: { account: EXP, subject: "events.special" }, to: "special.renamed" }
      { stream: { account: EXP, subject: "metrics.*" } }
    ]
  }
  RESTRICTED {
    users [ { user: r, password: pw } ]
    imports [ { stream: { account: EXP, subject: "private.>" } } ]
  }
  SVC {
    users [ { user: client, password: pw }, { user: client2, password: pw } ]
    imports [
      { service: { account: EXP, subject: "svc.price" }, to: "price" }
      { service: { account: EXP, subject: "single.req" } }
      { service: { account: EXP, subject: "multi.req" } }
      { service: { account: EXP, subject: "restricted.svc" } }
    ]
  }
  OTHER { users [ { user: other, password: pw } ] }
}
"""


@pytest.fixture
def exp_server(server_factory):
    return server_factory(EXPORTS)


def test_stream_import_with_prefix(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    pfx = connect_raw(exp_server, user="pfx", **PW)
    other = connect_raw(exp_server, user="other", **PW)
    try:
        assert exp.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert pfx.exchange(b"SUB > 1\r\nSUB exp.events.* 2\r\n") == b"PONG\r\n"
        assert other.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert exp.exchange(pub("events.shipped", b"s") + pub("other.thing", b"o")) == \
            msg("events.shipped", 1, b"s") + msg("other.thing", 1, b"o") + b"PONG\r\n"
        assert same_frames(pfx.exchange(), msg("exp.events.shipped", 1, b"s")
                           + msg("exp.events.shipped", 2, b"s") + b"PONG\r\n")
        assert_silent(other)
        # Deep subjects keep their tokens.
        assert exp.exchange(pub("events.a.b.c", b"d")) == msg("events.a.b.c", 1, b"d") + b"PONG\r\n"
        assert pfx.exchange() == msg("exp.events.a.b.c", 1, b"d") + b"PONG\r\n"
        # The import is one-way: the importer's publishes do not reach EXP.
        assert same_frames(pfx.exchange(pub("exp.events.back", b"x") + pub("events.back", b"y")),
                           msg("exp.events.back", 1, b"x") + msg("exp.events.back", 2, b"x")
                           + msg("events.back", 1, b"y") + b"PONG\r\n")
        assert_silent(exp, other)
    finally:
        for c in (exp, pfx, other):
            c.close()


def test_stream_import_with_to(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    to = connect_raw(exp_server, user="to", **PW)
    try:
        assert to.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert exp.exchange(pub("events.special", b"sp") + pub("events.other", b"no")
                            + pub("metrics.cpu", b"42") + pub("metrics.cpu.x", b"no")) == b"PONG\r\n"
        assert to.exchange() == msg("special.renamed", 1, b"sp") + msg("metrics.cpu", 1, b"42") \
            + b"PONG\r\n"
    finally:
        exp.close()
        to.close()


def test_restricted_stream_export(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    r = connect_raw(exp_server, user="r", **PW)
    pfx = connect_raw(exp_server, user="pfx", **PW)
    other = connect_raw(exp_server, user="other", **PW)
    try:
        for c in (r, pfx, other):
            assert c.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert exp.exchange(pub("private.data", b"p")) == b"PONG\r\n"
        assert r.exchange() == msg("private.data", 1, b"p") + b"PONG\r\n"
        assert_silent(pfx, other)
    finally:
        for c in (exp, r, pfx, other):
            c.close()


def test_service_import_with_to_raw(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    client = connect_raw(exp_server, user="client", **PW)
    other = connect_raw(exp_server, user="other", **PW)
    try:
        assert exp.exchange(b"SUB svc.> 1\r\n") == b"PONG\r\n"
        assert other.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert client.exchange(b"SUB _INBOX.c.> 1\r\n" + pub("price", b"q?", "_INBOX.c.1")) == \
            b"PONG\r\n"
        frames = split_frames(exp.exchange())
        assert len(frames) == 2 and frames[1] == b"PONG\r\n", frames
        m = re.fullmatch(rb"MSG svc\.price 1 (_R_\.\S+) 2\r\nq\?\r\n", frames[0])
        assert m, frames[0]
        reply = m.group(1).decode()
        assert "_INBOX" not in reply  # the requester's inbox is not exposed
        # The responder answers on the mapped reply; the requester gets it
        # on its own inbox.
        assert exp.exchange(pub(reply, b"42")) == b"PONG\r\n"
        assert client.exchange() == msg("_INBOX.c.1", 1, b"42") + b"PONG\r\n"
        assert_silent(other)
    finally:
        for c in (exp, client, other):
            c.close()


def test_service_import_only_reaches_the_imported_subject(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    client = connect_raw(exp_server, user="client", headers=True, no_responders=True, **PW)
    other = connect_raw(exp_server, user="other", headers=True, no_responders=True, **PW)
    try:
        assert exp.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert client.exchange(b"SUB _INBOX.c.> 1\r\n") == b"PONG\r\n"
        assert other.exchange(b"SUB _INBOX.o.> 1\r\n") == b"PONG\r\n"
        # Exported but not imported, the exporter's own name, other local subjects.
        for subject in ("svc.other", "svc.price", "price.other", "prices", "events.x"):
            got = client.exchange(pub(subject, b"q", "_INBOX.c.9"))
            assert got in tuple(x + b"PONG\r\n" for x in no_responders("_INBOX.c.9", 1, subject)), \
                (subject, got)
        # Plain publishes (no reply) on such subjects do not reach EXP either.
        assert client.exchange(pub("svc.other", b"p") + pub("svc.price", b"p")) == b"PONG\r\n"
        # An account without the import cannot use it.
        got = other.exchange(pub("price", b"q", "_INBOX.o.1"))
        assert got in tuple(x + b"PONG\r\n" for x in no_responders("_INBOX.o.1", 1, "price")), got
        assert_silent(exp)
    finally:
        for c in (exp, client, other):
            c.close()


def test_service_import_request_reply_nats_py(exp_server):
    async def main():
        seen = []
        exp = await nats_connect(exp_server, user="exp", password="pw")

        async def handler(m):
            seen.append((m.subject, m.reply))
            await m.respond(b"price:" + m.data)
        await exp.subscribe("svc.price", cb=handler)
        await nats_flush(exp)
        client = await nats_connect(exp_server, user="client", password="pw")
        for i in range(5):
            r = await client.request("price", b"%d" % i, timeout=5)
            assert r.data == b"price:%d" % i
        assert len(seen) == 5
        for subject, reply in seen:
            assert subject == "svc.price"
            assert reply.startswith("_R_.") and "_INBOX" not in reply
        assert len({reply for _, reply in seen}) == 5  # a fresh mapping per request
        # Two requesters at once each get their own answer.
        client2 = await nats_connect(exp_server, user="client2", password="pw")
        import asyncio
        r1, r2 = await asyncio.gather(client.request("price", b"one", timeout=5),
                                      client2.request("price", b"two", timeout=5))
        assert (r1.data, r2.data) == (b"price:one", b"price:two")
        for nc in (exp, client, client2):
            await nc.close()

    run(main())


def test_restricted_service_export(exp_server):
    async def main():
        exp = await nats_connect(exp_server, user="exp", password="pw")

        async def handler(m):
            await m.respond(b"ok")
        await exp.subscribe("restricted.svc", cb=handler)
        await nats_flush(exp)
        client = await nats_connect(exp_server, user="client", password="pw")
        assert (await client.request("restricted.svc", b"", timeout=5)).data == b"ok"
        await client.close()
        await exp.close()
    run(main())


def _request_and_collect(exp, client, subject: str, n_responses: int) -> bytes:
    assert exp.exchange(f"SUB {subject} 1\r\n".encode()) == b"PONG\r\n"
    assert client.exchange(b"SUB _INBOX.c.> 1\r\n" + pub(subject, b"go", "_INBOX.c.7")) == \
        b"PONG\r\n"
    frames = split_frames(exp.exchange())
    m = re.fullmatch(rf"MSG {re.escape(subject)} 1 (_R_\.\S+) 2\r\ngo\r\n".encode(), frames[0])
    assert m and frames[1:] == [b"PONG\r\n"], frames
    reply = m.group(1).decode()
    assert exp.exchange(b"".join(pub(reply, b"r%d" % i) for i in range(n_responses))) == \
        b"PONG\r\n"
    return client.exchange()


def test_singleton_response_type(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    client = connect_raw(exp_server, user="client", **PW)
    try:
        got = _request_and_collect(exp, client, "single.req", 3)
        assert got == msg("_INBOX.c.7", 1, b"r0") + b"PONG\r\n"
    finally:
        exp.close()
        client.close()


def test_stream_response_type(exp_server):
    exp = connect_raw(exp_server, user="exp", **PW)
    client = connect_raw(exp_server, user="client", **PW)
    try:
        got = _request_and_collect(exp, client, "multi.req", 3)
        assert got == b"".join(msg("_INBOX.c.7", 1, b"r%d" % i) for i in range(3)) + b"PONG\r\n"
    finally:
        exp.close()
        client.close()


def test_stream_response_type_nats_py(exp_server):
    async def main():
        exp = await nats_connect(exp_server, user="exp", password="pw")

        async def handler(m):
            for i in range(3):
                await exp.publish(m.reply, b"part%d" % i)
        await exp.subscribe("multi.req", cb=handler)
        await nats_flush(exp)
        client = await nats_connect(exp_server, user="client", password="pw")
        inbox = client.new_inbox()
        sub = await client.subscribe(inbox)
        await client.publish("multi.req", b"", reply=inbox)
        got = [(await sub.next_msg(timeout=5)).data for _ in range(3)]
        assert got == [b"part0", b"part1", b"part2"]
        await exp.close()
        await client.close()
    run(main())


@pytest.mark.parametrize("user", ["client", "exp", "other"])
def test_publish_with_reserved_reply_prefix_is_refused(exp_server, user):
    watcher = connect_raw(exp_server, user=user, **PW)
    c = connect_raw(exp_server, user=user, **PW)
    try:
        assert watcher.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        for reply in ("_R_.abc", "_R_.abcdef.ghijkl", "_R_.x.y.z"):
            assert c.exchange(pub("price", b"x", reply)) == reply_violation(reply) + b"PONG\r\n"
        assert_silent(watcher)
        c.assert_open()
        # Similar-looking replies are fine.
        assert c.exchange(pub("anything", b"y", "_R_x")) == b"PONG\r\n"
        assert watcher.exchange() == msg("anything", 1, b"y", "_R_x") + b"PONG\r\n"
    finally:
        watcher.close()
        c.close()


# --------------------------------------------------------------------------
# configuration errors at start-up
# --------------------------------------------------------------------------

BAD_BASE = """accounts {
  EXP {
    users [ { user: e, password: pw } ]
    exports [ { stream: "events.>" }, { stream: "private.>", accounts: [B] }, { service: "svc.>" },
              { service: "rsvc", accounts: [B] } ]
  }
  A {
    users [ { user: a, password: pw } ]
    imports [
      IMPORT
    ]
  }
  B { users [ { user: b, password: pw } ] }
}
"""

BAD_IMPORTS = {
    "stream-not-exported": '{ stream: { account: EXP, subject: "notexported.>" } }',
    "service-not-exported": '{ service: { account: EXP, subject: "other.svc" } }',
    "stream-unknown-account": '{ stream: { account: NOPE, subject: "events.>" } }',
    "service-unknown-account": '{ service: { account: NOPE, subject: "svc.x" } }',
    "restricted-stream": '{ stream: { account: EXP, subject: "private.>" } }',
    "restricted-service": '{ service: { account: EXP, subject: "rsvc" } }',
}


@pytest.mark.parametrize("case", list(BAD_IMPORTS))
def test_bad_import_fails_config_check(tmp_path, case):
    text = BAD_BASE.replace("IMPORT", BAD_IMPORTS[case])
    res = check_config(tmp_path, text)
    assert res.returncode != 0, res.stdout
    assert re.search(r"check\.conf:\d+:\d+", res.stdout), res.stdout
    if not is_go_server():
        # nats-server reports these at the accounts block (line 1, col 0);
        # Starling names the import itself.
        assert position_re("check.conf", line_of(text, BAD_IMPORTS[case][:20])).search(res.stdout), \
            res.stdout


def test_good_imports_pass_config_check(tmp_path):
    text = BAD_BASE.replace("IMPORT", '{ stream: { account: EXP, subject: "events.>" } }\n'
                            '      { service: { account: EXP, subject: "svc.x" }, to: "x" }')
    text = text.replace("B { users [ { user: b, password: pw } ] }",
                        'B {\n    users [ { user: b, password: pw } ]\n'
                        '    imports [ { service: { account: EXP, subject: "rsvc" } },\n'
                        '              { stream: { account: EXP, subject: "private.>" } } ]\n  }')
    res = check_config(tmp_path, text)
    assert res.returncode == 0, res.stdout
    res = check_config(tmp_path, EXPORTS, name="exports.conf")
    assert res.returncode == 0, res.stdout


@pytest.mark.parametrize("case", ["stream-not-exported", "restricted-stream"])
def test_bad_import_stops_startup(tmp_path, case):
    import subprocess
    from conftest import free_port, server_binary
    path = tmp_path / "start.conf"
    path.write_text(BAD_BASE.replace("IMPORT", BAD_IMPORTS[case]))
    res = subprocess.run([str(server_binary()), "-a", "127.0.0.1", "-p", str(free_port()),
                          "-c", str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=20, text=True, errors="replace")
    assert res.returncode != 0, res.stdout
    assert re.search(r"start\.conf:\d+:\d+", res.stdout), res.stdout


# --------------------------------------------------------------------------
# headers across imports
# --------------------------------------------------------------------------

def test_service_import_adds_request_info_header(exp_server):
    """A request crossing a service import carries `Nats-Request-Info`
    (JSON naming the requesting account), appended to the requester's own
    headers; the response comes back unchanged."""
    import json
    from conftest import hpub
    exp = connect_raw(exp_server, user="exp", headers=True, **PW)
    client = connect_raw(exp_server, user="client", headers=True, **PW)
    plain = connect_raw(exp_server, user="client2", **PW)
    try:
        assert exp.exchange(b"SUB svc.> 1\r\n") == b"PONG\r\n"
        assert client.exchange(b"SUB _INBOX.c.> 1\r\n"
                               + hpub("price", b"NATS/1.0\r\nX-A: 1\r\n\r\n", b"hi",
                                      reply="_INBOX.c.1")) == b"PONG\r\n"
        frames = split_frames(exp.exchange())
        assert len(frames) == 2 and frames[1] == b"PONG\r\n", frames
        m = re.fullmatch(rb"HMSG svc\.price 1 (_R_\.\S+) (\d+) (\d+)\r\n(.*)\r\n", frames[0], re.S)
        assert m, frames[0]
        reply, hlen, total, body = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        assert len(body) == total and body[hlen:] == b"hi"
        hdr = body[:hlen]
        assert hdr.startswith(b"NATS/1.0\r\nX-A: 1\r\n") and hdr.endswith(b"\r\n\r\n"), hdr
        info = re.search(rb"\r\nNats-Request-Info: (.*?)\r\n", hdr)
        assert info, hdr
        assert json.loads(info.group(1))["acc"] == "SVC"
        # The response, with its own headers, reaches the requester as sent.
        resp_hdr = b"NATS/1.0\r\nX-B: 2\r\n\r\n"
        assert exp.exchange(hpub(reply.decode(), resp_hdr, b"ok")) == b"PONG\r\n"
        assert client.exchange() == hmsg("_INBOX.c.1", 1, resp_hdr, b"ok") + b"PONG\r\n"
        # A requester without headers: the responder still gets the header.
        assert plain.exchange(b"SUB _INBOX.p.> 1\r\n" + pub("price", b"plain", "_INBOX.p.1")) == \
            b"PONG\r\n"
        frames = split_frames(exp.exchange())
        m = re.fullmatch(rb"HMSG svc\.price 1 (_R_\.\S+) (\d+) (\d+)\r\n(.*)\r\n", frames[0], re.S)
        assert m and frames[1:] == [b"PONG\r\n"], frames
        hdr = m.group(4)[:int(m.group(2))]
        assert m.group(4)[int(m.group(2)):] == b"plain"
        assert hdr.startswith(b"NATS/1.0\r\nNats-Request-Info: "), hdr
        assert exp.exchange(pub(m.group(1).decode(), b"resp")) == b"PONG\r\n"
        assert plain.exchange() == msg("_INBOX.p.1", 1, b"resp") + b"PONG\r\n"
    finally:
        for c in (exp, client, plain):
            c.close()


def test_stream_import_keeps_headers(exp_server):
    from conftest import hpub
    exp = connect_raw(exp_server, user="exp", headers=True, **PW)
    pfx = connect_raw(exp_server, user="pfx", headers=True, **PW)
    to = connect_raw(exp_server, user="to", **PW)   # no headers: stripped
    try:
        assert pfx.exchange(b"SUB exp.events.> 1\r\n") == b"PONG\r\n"
        assert to.exchange(b"SUB special.renamed 1\r\n") == b"PONG\r\n"
        h = b"NATS/1.0\r\nX-C: 3\r\n\r\n"
        assert exp.exchange(hpub("events.special", h, b"ev")) == b"PONG\r\n"
        assert pfx.exchange() == hmsg("exp.events.special", 1, h, b"ev") + b"PONG\r\n"
        assert to.exchange() == msg("special.renamed", 1, b"ev") + b"PONG\r\n"
    finally:
        for c in (exp, pfx, to):
            c.close()


# --------------------------------------------------------------------------
# the README's example configuration
# --------------------------------------------------------------------------

README_CONF = """
accounts {
  ORDERS {
    users [ { user: alice, password: "s3cret", permissions: { publish: "orders.>", subscribe: "_INBOX.>" } },
            { user: ops, password: "ops" } ]
    exports [ { service: "svc.>" },                        # requests may come in
              { stream: "events.>", accounts: [BILLING] } ] # only BILLING may import
  }
  BILLING {
    users [ { user: bob, password: "b" } ]
    imports [ { service: { account: ORDERS, subject: "svc.>" }, to: "orders.svc.>" },
              { stream: { account: ORDERS, subject: "events.>" }, prefix: "ord" } ]
  }
}
"""


def test_readme_example(server_factory):
    srv = server_factory(README_CONF)

    async def main():
        ops = await nats_connect(srv, user="ops", password="ops")
        seen = []

        async def price(m):
            seen.append(m.subject)
            await m.respond(b"9.99")
        await ops.subscribe("svc.>", cb=price)
        await nats_flush(ops)
        bob = await nats_connect(srv, user="bob", password="b")
        events = await bob.subscribe("ord.>")
        await nats_flush(bob)
        r = await bob.request("orders.svc.price", b"sku-1", timeout=5)
        assert r.data == b"9.99" and seen == ["svc.price"]
        r = await bob.request("orders.svc.stock.level", b"sku-1", timeout=5)
        assert r.data == b"9.99" and seen == ["svc.price", "svc.stock.level"]
        await ops.publish("events.shipped", b"{}")
        await nats_flush(ops)
        m = await events.next_msg(timeout=5)
        assert (m.subject, m.data) == ("ord.events.shipped", b"{}")
        # alice may publish orders.*; bob does not see ORDERS' orders.* traffic.
        alice = await nats_connect(srv, user="alice", password="s3cret")
        await alice.publish("orders.created", b"x")
        await nats_flush(alice)
        await nats_flush(bob)
        assert events.pending_msgs == 0
        for nc in (ops, bob, alice):
            await nc.close()
    run(main())


def test_readme_example_third_account_cannot_import(tmp_path):
    text = README_CONF.replace("  BILLING {", """  OTHER {
    users [ { user: o, password: o } ]
    imports [ { stream: { account: ORDERS, subject: "events.>" } } ]
  }
  BILLING {""")
    res = check_config(tmp_path, text)
    assert res.returncode != 0, res.stdout
    assert re.search(r"check\.conf:\d+:\d+", res.stdout), res.stdout
    assert check_config(tmp_path, README_CONF, name="ok.conf").returncode == 0


def test_nkey_user_in_account(server_factory):
    from authsupport import NKeyUser
    u = NKeyUser()
    srv = server_factory(f"""
accounts {{
  A {{ users [ {{ nkey: {u.public}, permissions: {{ publish: "a.>" }} }}, {{ user: a, password: pw }} ] }}
  B {{ users [ {{ user: b, password: pw }} ] }}
}}
""")
    a = connect_raw(srv, user="a", **PW)
    b = connect_raw(srv, user="b", **PW)
    nk = srv.client()
    try:
        nk.connect(nkey=u.public, sig=u.sign(nk.info["nonce"]))
        assert a.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert b.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert nk.exchange(pub("a.x", b"1") + pub("b.x", b"2")) == \
            b"-ERR 'Permissions Violation for Publish to \"b.x\"'\r\nPONG\r\n"
        assert a.exchange() == msg("a.x", 1, b"1") + b"PONG\r\n"
        assert_silent(b)
    finally:
        for c in (a, b, nk):
            c.close()


def test_duplicate_stream_import_fails_config_check(tmp_path):
    text = BAD_BASE.replace("IMPORT", '{ stream: { account: EXP, subject: "events.>" }, prefix: "p1" }\n'
                            '      { stream: { account: EXP, subject: "events.>" }, prefix: "p2" }')
    res = check_config(tmp_path, text)
    # nats-server: `Error adding stream import "events.>": stream import already exists`
    assert res.returncode != 0, res.stdout
    assert re.search(r"check\.conf:\d+:\d+", res.stdout), res.stdout


CHAIN = """
accounts {
  C { users [ { user: c, password: pw } ], exports [ { service: "deep.>" } ] }
  EXP {
    users [ { user: exp, password: pw }, { user: spy, password: pw } ]
    exports [ { service: "svc.>" }, { stream: "m.*" } ]
    imports [ { service: { account: C, subject: "deep.>" }, to: "svc.deep.>" } ]
  }
  IMP {
    users [ { user: imp, password: pw } ]
    imports [ { service: { account: EXP, subject: "svc.>" } },
              { stream: { account: EXP, subject: "m.*" }, to: "metrics.*" } ]
  }
}
"""


def test_chained_service_imports_and_stream_transform(server_factory):
    srv = server_factory(CHAIN)
    c = connect_raw(srv, user="c", **PW)
    spy = connect_raw(srv, user="spy", **PW)
    imp = connect_raw(srv, user="imp", **PW)
    exp = connect_raw(srv, user="exp", **PW)
    try:
        assert c.exchange(b"SUB deep.> 1\r\n") == b"PONG\r\n"
        assert spy.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert imp.exchange(b"SUB _INBOX.> 1\r\nSUB metrics.* 2\r\n") == b"PONG\r\n"
        # IMP -> EXP (svc.deep.x) -> C (deep.x), and the answer back.
        assert imp.exchange(pub("svc.deep.x", b"q", "_INBOX.2")) == b"PONG\r\n"
        frames = split_frames(c.exchange())
        m = re.fullmatch(rb"MSG deep\.x 1 (_R_\.\S+) 1\r\nq\r\n", frames[0])
        assert m and frames[1:] == [b"PONG\r\n"], frames
        # The request passes through EXP, where any subscriber may see it.
        frames = split_frames(spy.exchange())
        assert re.fullmatch(rb"MSG svc\.deep\.x 1 _R_\.\S+ 1\r\nq\r\n", frames[0]), frames
        assert c.exchange(pub(m.group(1).decode(), b"deepresp")) == b"PONG\r\n"
        assert imp.exchange() == msg("_INBOX.2", 1, b"deepresp") + b"PONG\r\n"
        # A stream import with a wildcard `to` maps the token.
        assert exp.exchange(pub("m.cpu", b"5") + pub("m.cpu.x", b"6")) == b"PONG\r\n"
        assert imp.exchange() == msg("metrics.cpu", 2, b"5") + b"PONG\r\n"
    finally:
        for x in (c, spy, imp, exp):
            x.close()


def test_service_import_cycle_fails_config_check(tmp_path):
    text = """accounts {
  A { users [ { user: a, password: pw } ], exports [ { service: "x.>" } ]
      imports [ { service: { account: B, subject: "x.>" } } ] }
  B { users [ { user: b, password: pw } ], exports [ { service: "x.>" } ]
      imports [ { service: { account: A, subject: "x.>" } } ] }
}
"""
    res = check_config(tmp_path, text)
    # nats-server: `Error adding service import "x.>": import forms a cycle`
    assert res.returncode != 0, res.stdout
    assert re.search(r"check\.conf:\d+:\d+", res.stdout), res.stdout
