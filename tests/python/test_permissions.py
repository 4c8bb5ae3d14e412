"""Publish / subscribe permissions: exact -ERR texts, the connection stays
open, and exactly what is (not) delivered.

Non-delivery is proven with a second subscriber (an unrestricted "watcher"
on the same subjects) and a PING/PONG round trip on it after the publisher
got its own PONG.  Observed identically on nats-server 2.9.10 and 2.15.1
unless a comment says otherwise.
"""

import time

import pytest

from authsupport import (assert_silent, connect_raw, pub_violation,
                         reply_violation, same_frames, sub_violation)
from conftest import msg, nats_connect, nats_flush, pub, run

PW = {"pass": "pw"}

PERMS = """
authorization {
  users [
    { user: admin, password: pw }
    { user: single, password: pw, permissions: { publish: "allowed.one" } }
    { user: list, password: pw, permissions: { publish: ["a.one", "a.two.*", "a.many.>"] } }
    { user: allowdeny, password: pw,
      permissions: { publish: { allow: ["x.>"], deny: ["x.secret", "x.deny.>"] } } }
    { user: denyonly, password: pw, permissions: { publish: { deny: ["forbidden.>", "nope"] } } }
    { user: legacy, password: pw, permissions: { publish: { allow: "old.style" } } }
    { user: subsingle, password: pw, permissions: { subscribe: "s.one" } }
    { user: sublist, password: pw, permissions: { subscribe: ["s.a", "s.b.*", "s.c.>"] } }
    { user: suballowdeny, password: pw,
      permissions: { subscribe: { allow: ["t.>"], deny: ["t.secret", "t.deny.>"] } } }
    { user: subdenyonly, password: pw, permissions: { subscribe: { deny: "hidden.>" } } }
  ]
}
"""


@pytest.fixture
def perms_server(server_factory):
    return server_factory(PERMS)


@pytest.fixture
def watcher(perms_server):
    """An unrestricted subscriber on everything the tests publish."""
    c = connect_raw(perms_server, user="admin", **PW)
    subs = ["allowed.>", "a.>", "x.>", "forbidden.>", "nope", "other", "old.>",
            "s.>", "t.>", "hidden.>", "anything.>"]
    c.exchange("".join(f"SUB {s} {i}\r\n" for i, s in enumerate(subs, 1)).encode())
    c.sids = {s: i for i, s in enumerate(subs, 1)}
    yield c
    c.close()


def watcher_sid(watcher, subject: str) -> int:
    for pattern, sid in watcher.sids.items():
        p, s = pattern.split("."), subject.split(".")
        if p[-1] == ">" and len(s) >= len(p) and all(a in ("*", b) for a, b in zip(p[:-1], s)):
            return sid
        if len(p) == len(s) and all(a in ("*", b) for a, b in zip(p, s)):
            return sid
    raise AssertionError(subject)


PUBLISH_CASES = [
    ("single", "allowed.one", True),
    ("single", "allowed.two", False),
    ("single", "allowed", False),
    ("single", "other", False),
    ("list", "a.one", True),
    ("list", "a.two.x", True),
    ("list", "a.two.x.y", False),
    ("list", "a.many.x.y.z", True),
    ("list", "a.many", False),
    ("list", "a.three", False),
    ("allowdeny", "x.ok", True),
    ("allowdeny", "x.ok.deep", True),
    ("allowdeny", "x.secret", False),       # deny beats allow
    ("allowdeny", "x.secret.sub", True),    # x.secret denies only that subject
    ("allowdeny", "x.deny.a", False),
    ("allowdeny", "x.deny.a.b", False),
    ("allowdeny", "other", False),          # an allow list closes off the rest
    ("denyonly", "anything.goes", True),
    ("denyonly", "forbidden.fruit", False),
    ("denyonly", "nope", False),
    ("denyonly", "other", True),
    ("legacy", "old.style", True),
    ("legacy", "old.other", False),
]


@pytest.mark.parametrize("user,subject,allowed", PUBLISH_CASES,
                         ids=[f"{u}-{s}-{'ok' if a else 'denied'}" for u, s, a in PUBLISH_CASES])
def test_publish_permissions(perms_server, watcher, user, subject, allowed):
    with connect_raw(perms_server, user=user, headers=True, **PW) as c:
        got = c.exchange(pub(subject, b"payload"))
        if allowed:
            assert got == b"PONG\r\n"
            assert watcher.exchange() == msg(subject, watcher_sid(watcher, subject), b"payload") \
                + b"PONG\r\n"
        else:
            assert got == pub_violation(subject) + b"PONG\r\n"
            assert_silent(watcher)
        # The connection stays open and usable.
        c.assert_open()
        # HPUB is checked the same way.
        hdr = b"NATS/1.0\r\nA: b\r\n\r\n"
        got = c.exchange(f"HPUB {subject} {len(hdr)} {len(hdr) + 1}\r\n".encode() + hdr + b"z\r\n")
        if allowed:
            assert got == b"PONG\r\n"
            # The watcher did not ask for headers: they are stripped.
            assert watcher.exchange() == msg(subject, watcher_sid(watcher, subject), b"z") \
                + b"PONG\r\n"
        else:
            assert got == pub_violation(subject) + b"PONG\r\n"
            assert_silent(watcher)


SUBSCRIBE_CASES = [
    ("subsingle", "s.one", True),
    ("subsingle", "s.two", False),
    ("subsingle", "s.*", False),            # a wildcard is not covered by a literal allow
    ("subsingle", ">", False),
    ("sublist", "s.a", True),
    ("sublist", "s.b.x", True),
    ("sublist", "s.b.*", True),
    ("sublist", "s.b.x.y", False),
    ("sublist", "s.c.>", True),
    ("sublist", "s.c.x.y", True),
    ("sublist", "s.c", False),
    ("sublist", "s.>", False),
    ("suballowdeny", "t.ok", True),
    ("suballowdeny", "t.secret", False),
    ("suballowdeny", "t.deny.x", False),
    ("suballowdeny", "t.deny.>", False),
    ("suballowdeny", "u.x", False),
    ("subdenyonly", "anything.x", True),
    ("subdenyonly", "hidden.x", False),
    ("subdenyonly", "hidden.>", False),
]


@pytest.mark.parametrize("user,subject,allowed", SUBSCRIBE_CASES,
                         ids=[f"{u}-{s}-{'ok' if a else 'denied'}" for u, s, a in SUBSCRIBE_CASES])
def test_subscribe_permissions(perms_server, user, subject, allowed):
    publisher = connect_raw(perms_server, user="admin", **PW)
    try:
        with connect_raw(perms_server, user=user, **PW) as c:
            got = c.exchange(f"SUB {subject} 1\r\n".encode())
            if allowed:
                assert got == b"PONG\r\n"
            else:
                assert got == sub_violation(subject) + b"PONG\r\n"
            concrete = subject.replace("*", "x").replace(">", "x.y")
            assert publisher.exchange(pub(concrete, b"m")) == b"PONG\r\n"
            got = c.exchange()
            if allowed:
                assert got == msg(concrete, 1, b"m") + b"PONG\r\n"
            else:
                assert got == b"PONG\r\n"
            # A refused subscription has no sid: UNSUB of it is harmless.
            assert c.exchange(b"UNSUB 1\r\n") == b"PONG\r\n"
            c.assert_open()
    finally:
        publisher.close()


def test_many_subscribe_violations_keep_connection(perms_server):
    admin = connect_raw(perms_server, user="admin", **PW)
    try:
        with connect_raw(perms_server, user="subsingle", **PW) as c:
            data = b"".join(f"SUB bad.{i} {i}\r\n".encode() for i in range(100))
            got = c.exchange(data + b"SUB s.one 500\r\n")
            assert got == b"".join(sub_violation(f"bad.{i}") for i in range(100)) + b"PONG\r\n"
            assert admin.exchange(pub("bad.1", b"no") + pub("s.one", b"ok")) == b"PONG\r\n"
            assert c.exchange() == msg("s.one", 500, b"ok") + b"PONG\r\n"
    finally:
        admin.close()


# --------------------------------------------------------------------------
# queue permissions
# --------------------------------------------------------------------------

QUEUE_PERMS = """
authorization {
  users [
    { user: admin, password: pw }
    { user: worker, password: pw,
      permissions: { subscribe: ["jobs q1", "tasks.* pool.*", "free.>"] } }
    { user: qdeny, password: pw,
      permissions: { subscribe: { deny: ["orders.* badq"] } } }
  ]
}
"""

QUEUE_CASES = [
    ("worker", "jobs", "q1", True),
    ("worker", "jobs", "q2", False),
    ("worker", "jobs", None, False),       # only the queue group is allowed
    ("worker", "tasks.a", "pool.x", True),
    ("worker", "tasks.a", "pool", False),
    ("worker", "tasks.a", "other", False),
    ("worker", "tasks.a", None, False),
    ("worker", "free.x", "any", True),     # a plain entry allows every queue
    ("worker", "free.x", None, True),
    ("qdeny", "orders.x", "badq", False),  # a queue-qualified deny blocks that group
    ("qdeny", "orders.x", "goodq", True),
    ("qdeny", "orders.x", None, True),
]


@pytest.mark.parametrize("user,subject,queue,allowed", QUEUE_CASES,
                         ids=[f"{u}-{s}-{q}-{'ok' if a else 'denied'}"
                              for u, s, q, a in QUEUE_CASES])
def test_queue_permissions(server_factory, user, subject, queue, allowed):
    srv = server_factory(QUEUE_PERMS)
    publisher = connect_raw(srv, user="admin", **PW)
    try:
        with connect_raw(srv, user=user, **PW) as c:
            q = f" {queue}" if queue else ""
            got = c.exchange(f"SUB {subject}{q} 9\r\n".encode())
            if allowed:
                assert got == b"PONG\r\n"
            else:
                assert got == sub_violation(subject, queue) + b"PONG\r\n"
            assert publisher.exchange(pub(subject, b"job")) == b"PONG\r\n"
            got = c.exchange()
            assert got == (msg(subject, 9, b"job") if allowed else b"") + b"PONG\r\n"
    finally:
        publisher.close()


# --------------------------------------------------------------------------
# wildcard subscriptions overlapping a deny
# --------------------------------------------------------------------------

def test_wildcard_subscription_never_receives_denied_subjects(server_factory):
    srv = server_factory("""
authorization {
  users [
    { user: admin, password: pw }
    { user: w, password: pw,
      permissions: { subscribe: { allow: ["feed.>", "q.>"], deny: ["feed.secret", "feed.private.>"] } } }
    { user: d, password: pw, permissions: { subscribe: { deny: "feed.secret" } } }
  ]
}
""")
    admin = connect_raw(srv, user="admin", **PW)
    w = connect_raw(srv, user="w", **PW)
    d = connect_raw(srv, user="d", **PW)
    try:
        assert w.exchange(b"SUB feed.* 1\r\nSUB feed.> 2\r\nSUB feed.* grp 3\r\n") == b"PONG\r\n"
        assert d.exchange(b"SUB > 1\r\nSUB feed.* 2\r\n") == b"PONG\r\n"
        assert admin.exchange(b"SUB feed.> 1\r\n") == b"PONG\r\n"
        subjects = ["feed.public", "feed.secret", "feed.private.x", "feed.public.x",
                    "feed.secret.x"]
        assert admin.exchange(b"".join(pub(s, s.encode()) for s in subjects)) == \
            b"".join(msg(s, 1, s.encode()) for s in subjects) + b"PONG\r\n"
        # w: feed.secret and feed.private.> never arrive, whatever the sub.
        # (Deliveries to different sids of one connection come in any order.)
        assert same_frames(w.exchange(), (
            msg("feed.public", 1, b"feed.public")
            + msg("feed.public", 2, b"feed.public")
            + msg("feed.public", 3, b"feed.public")
            + msg("feed.public.x", 2, b"feed.public.x")
            + msg("feed.secret.x", 2, b"feed.secret.x")
            + b"PONG\r\n"))
        # d (deny only): everything but feed.secret.
        assert same_frames(d.exchange(), (
            msg("feed.public", 1, b"feed.public") + msg("feed.public", 2, b"feed.public")
            + msg("feed.private.x", 1, b"feed.private.x")
            + msg("feed.public.x", 1, b"feed.public.x")
            + msg("feed.secret.x", 1, b"feed.secret.x")
            + b"PONG\r\n"))
        # A literal subscription to a denied subject is refused.
        assert w.exchange(b"SUB feed.secret 9\r\n") == sub_violation("feed.secret") + b"PONG\r\n"
        assert d.exchange(b"SUB feed.secret 9\r\n") == sub_violation("feed.secret") + b"PONG\r\n"
    finally:
        for c in (admin, w, d):
            c.close()


# --------------------------------------------------------------------------
# allow_responses
# --------------------------------------------------------------------------

RESP = """
authorization {
  users [
    { user: admin, password: pw }
    { user: svc, password: pw,
      permissions: { subscribe: "service.>", allow_responses: true } }
    { user: svc2, password: pw,
      permissions: { subscribe: "service.>", allow_responses: { max: 2, expires: "1s" } } }
    { user: svc3, password: pw,
      permissions: { publish: "status.>", subscribe: "service.>", allow_responses: true } }
  ]
}
"""


@pytest.fixture
def resp_server(server_factory):
    return server_factory(RESP)


@pytest.fixture
def requester(resp_server):
    c = connect_raw(resp_server, user="admin", **PW)
    assert c.exchange(b"SUB _INBOX.> 1\r\nSUB other.> 2\r\nSUB status.> 3\r\n") == b"PONG\r\n"
    yield c
    c.close()


def request(requester, responder, subject: str, reply: str, sid: int = 1) -> None:
    assert requester.exchange(pub(subject, b"req", reply)) == b"PONG\r\n"
    assert responder.exchange() == msg(subject, sid, b"req", reply) + b"PONG\r\n"


def test_allow_responses_true(resp_server, requester):
    with connect_raw(resp_server, user="svc", **PW) as svc:
        assert svc.exchange(b"SUB service.echo 1\r\n") == b"PONG\r\n"
        # Nothing to reply to yet.
        assert svc.exchange(pub("_INBOX.r1", b"early")) == pub_violation("_INBOX.r1") + b"PONG\r\n"
        request(requester, svc, "service.echo", "_INBOX.r1")
        assert svc.exchange(pub("_INBOX.r1", b"answer")) == b"PONG\r\n"
        assert requester.exchange() == msg("_INBOX.r1", 1, b"answer") + b"PONG\r\n"
        # Default max is one response.
        assert svc.exchange(pub("_INBOX.r1", b"again")) == pub_violation("_INBOX.r1") + b"PONG\r\n"
        # A reply subject it did not receive, and any other subject, are denied.
        assert svc.exchange(pub("_INBOX.r2", b"x")) == pub_violation("_INBOX.r2") + b"PONG\r\n"
        assert svc.exchange(pub("other.subject", b"x")) == \
            pub_violation("other.subject") + b"PONG\r\n"
        assert svc.exchange(pub("service.echo", b"x")) == pub_violation("service.echo") + b"PONG\r\n"
        assert_silent(requester)
        # A new request grants a new response.
        request(requester, svc, "service.echo", "_INBOX.r3")
        assert svc.exchange(pub("_INBOX.r3", b"second")) == b"PONG\r\n"
        assert requester.exchange() == msg("_INBOX.r3", 1, b"second") + b"PONG\r\n"
        svc.assert_open()


def test_allow_responses_max_and_expiry(resp_server, requester):
    with connect_raw(resp_server, user="svc2", **PW) as svc:
        assert svc.exchange(b"SUB service.> 4\r\n") == b"PONG\r\n"
        request(requester, svc, "service.a", "_INBOX.m1", sid=4)
        for i in range(2):
            assert svc.exchange(pub("_INBOX.m1", b"%d" % i)) == b"PONG\r\n"
        assert svc.exchange(pub("_INBOX.m1", b"3rd")) == pub_violation("_INBOX.m1") + b"PONG\r\n"
        assert requester.exchange() == \
            msg("_INBOX.m1", 1, b"0") + msg("_INBOX.m1", 1, b"1") + b"PONG\r\n"
        # After the expiry (1s) the grant is gone.
        request(requester, svc, "service.b", "_INBOX.m2", sid=4)
        time.sleep(1.6)
        assert svc.exchange(pub("_INBOX.m2", b"late")) == pub_violation("_INBOX.m2") + b"PONG\r\n"
        # Within the expiry it works.
        request(requester, svc, "service.c", "_INBOX.m3", sid=4)
        assert svc.exchange(pub("_INBOX.m3", b"quick")) == b"PONG\r\n"
        assert requester.exchange() == msg("_INBOX.m3", 1, b"quick") + b"PONG\r\n"
        assert svc.exchange(pub("other.x", b"x")) == pub_violation("other.x") + b"PONG\r\n"
        assert_silent(requester)


def test_allow_responses_with_publish_allow(resp_server, requester):
    with connect_raw(resp_server, user="svc3", **PW) as svc:
        assert svc.exchange(b"SUB service.x 1\r\n") == b"PONG\r\n"
        assert svc.exchange(pub("status.up", b"s")) == b"PONG\r\n"
        assert requester.exchange() == msg("status.up", 3, b"s") + b"PONG\r\n"
        request(requester, svc, "service.x", "_INBOX.p1")
        assert svc.exchange(pub("_INBOX.p1", b"r")) == b"PONG\r\n"
        assert svc.exchange(pub("other.y", b"r")) == pub_violation("other.y") + b"PONG\r\n"
        assert requester.exchange() == msg("_INBOX.p1", 1, b"r") + b"PONG\r\n"


def test_allow_responses_nats_py(resp_server):
    async def main():
        errors = []
        svc = await nats_connect(resp_server, user="svc", password="pw", errors=errors)

        async def handler(m):
            await m.respond(b"pong:" + m.data)
        await svc.subscribe("service.ping", cb=handler)
        await nats_flush(svc)
        cli = await nats_connect(resp_server, user="admin", password="pw")
        for i in range(3):
            r = await cli.request("service.ping", b"%d" % i, timeout=5)
            assert r.data == b"pong:%d" % i
        assert errors == []
        await svc.close()
        await cli.close()
    run(main())


# --------------------------------------------------------------------------
# default_permissions
# --------------------------------------------------------------------------

def test_default_permissions_in_authorization(server_factory):
    srv = server_factory("""
authorization {
  default_permissions { publish: "dflt.>", subscribe: { allow: "dflt.>", deny: "dflt.secret" } }
  users [
    { user: admin, password: pw, permissions: { publish: ">", subscribe: ">" } }
    { user: plain, password: pw }
    { user: special, password: pw, permissions: { publish: "special.>" } }
  ]
}
""")
    admin = connect_raw(srv, user="admin", **PW)
    plain = connect_raw(srv, user="plain", **PW)
    special = connect_raw(srv, user="special", **PW)
    try:
        assert admin.exchange(b"SUB dflt.> 1\r\nSUB special.> 2\r\nSUB other 3\r\n") == b"PONG\r\n"
        # plain gets the defaults.
        assert plain.exchange(pub("dflt.x", b"1")) == b"PONG\r\n"
        assert plain.exchange(pub("other", b"1")) == pub_violation("other") + b"PONG\r\n"
        assert plain.exchange(b"SUB dflt.y 1\r\nSUB other 2\r\nSUB dflt.secret 3\r\n") == \
            sub_violation("other") + sub_violation("dflt.secret") + b"PONG\r\n"
        assert admin.exchange() == msg("dflt.x", 1, b"1") + b"PONG\r\n"
        # special has its own permissions instead (subscribe unrestricted).
        assert special.exchange(pub("special.a", b"2")) == b"PONG\r\n"
        assert special.exchange(pub("dflt.x", b"2")) == pub_violation("dflt.x") + b"PONG\r\n"
        assert special.exchange(b"SUB other 1\r\n") == b"PONG\r\n"
        assert admin.exchange() == msg("special.a", 2, b"2") + b"PONG\r\n"
        assert admin.exchange(pub("other", b"3") + pub("dflt.y", b"4")) == \
            msg("other", 3, b"3") + msg("dflt.y", 1, b"4") + b"PONG\r\n"
        assert special.exchange() == msg("other", 1, b"3") + b"PONG\r\n"
        assert plain.exchange() == msg("dflt.y", 1, b"4") + b"PONG\r\n"
    finally:
        for c in (admin, plain, special):
            c.close()


def test_default_permissions_in_account(server_factory):
    srv = server_factory("""
accounts {
  A {
    default_permissions { publish: "a.>", subscribe: { deny: "a.secret" } }
    users [
      { user: u1, password: pw }
      { user: u2, password: pw, permissions: { publish: ">" } }
    ]
  }
  B { users [ { user: b, password: pw } ] }
}
""")
    u1 = connect_raw(srv, user="u1", **PW)
    u2 = connect_raw(srv, user="u2", **PW)
    b = connect_raw(srv, user="b", **PW)
    try:
        assert u2.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert b.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert u1.exchange(pub("a.x", b"1")) == b"PONG\r\n"
        assert u1.exchange(pub("b.x", b"1")) == pub_violation("b.x") + b"PONG\r\n"
        assert u2.exchange() == msg("a.x", 1, b"1") + b"PONG\r\n"
        assert u1.exchange(b"SUB a.secret 1\r\nSUB a.* 2\r\n") == \
            sub_violation("a.secret") + b"PONG\r\n"
        assert u2.exchange(pub("a.secret", b"s") + pub("b.y", b"2")) == \
            msg("a.secret", 1, b"s") + msg("b.y", 1, b"2") + b"PONG\r\n"
        assert u1.exchange() == b"PONG\r\n"  # a.secret is filtered from a.*
        assert u2.exchange(pub("a.open", b"o")) == msg("a.open", 1, b"o") + b"PONG\r\n"
        assert u1.exchange() == msg("a.open", 2, b"o") + b"PONG\r\n"
        # Account B has no default permissions and sees nothing of A.
        assert b.exchange(pub("b.z", b"3")) == msg("b.z", 1, b"3") + b"PONG\r\n"
        assert_silent(u1)
    finally:
        for c in (u1, u2, b):
            c.close()


# --------------------------------------------------------------------------
# bursts, reserved replies
# --------------------------------------------------------------------------

def test_burst_of_denied_publishes(perms_server, watcher):
    with connect_raw(perms_server, user="single", **PW) as c:
        n = 500
        data = b"".join(pub(f"other.{i % 7}" if i % 2 else "nope", b"x" * 64) for i in range(n))
        got = c.exchange(data + pub("allowed.one", b"last"))
        expected = b"".join(pub_violation(f"other.{i % 7}" if i % 2 else "nope")
                            for i in range(n))
        assert got == expected + b"PONG\r\n"
        # Only the allowed message got through.
        assert watcher.exchange() == msg("allowed.one", watcher_sid(watcher, "allowed.one"),
                                         b"last") + b"PONG\r\n"
        c.assert_open()


@pytest.mark.parametrize("user", ["admin", "denyonly"])
def test_publish_with_reserved_reply_is_refused(perms_server, watcher, user):
    with connect_raw(perms_server, user=user, **PW) as c:
        got = c.exchange(pub("anything.x", b"r", reply="_R_.abc.def"))
        assert got == reply_violation("_R_.abc.def") + b"PONG\r\n"
        assert_silent(watcher)
        c.assert_open()
        assert c.exchange(pub("anything.x", b"ok", reply="_INBOX.fine")) == b"PONG\r\n"
        assert watcher.exchange() == msg("anything.x", watcher_sid(watcher, "anything.x"), b"ok",
                                         "_INBOX.fine") + b"PONG\r\n"


# --------------------------------------------------------------------------
# seed walkthrough (README)
# --------------------------------------------------------------------------

ORDERS = """
accounts {
  ORDERS {
    users [ { user: alice, password: "s3cret", permissions: { publish: "orders.>", subscribe: "_INBOX.>" } },
            { user: ops, password: "ops" } ]
  }
}
"""


def test_seed_walkthrough_raw(server_factory):
    srv = server_factory(ORDERS)
    ops = connect_raw(srv, user="ops", **{"pass": "ops"})
    alice = connect_raw(srv, user="alice", **{"pass": "s3cret"})
    try:
        assert ops.exchange(b"SUB orders.> 1\r\nSUB billing.> 2\r\n") == b"PONG\r\n"
        assert alice.exchange(pub("orders.created", b'{"id":1}')) == b"PONG\r\n"
        assert ops.exchange() == msg("orders.created", 1, b'{"id":1}') + b"PONG\r\n"
        assert alice.exchange(pub("billing.invoice", b"x")) == \
            b"-ERR 'Permissions Violation for Publish to \"billing.invoice\"'\r\nPONG\r\n"
        assert_silent(ops)
        alice.assert_open()
        assert alice.exchange(b"SUB orders.> 1\r\n") == sub_violation("orders.>") + b"PONG\r\n"
    finally:
        ops.close()
        alice.close()


def test_seed_walkthrough_nats_py(server_factory):
    srv = server_factory(ORDERS)

    async def main():
        ops = await nats_connect(srv, user="ops", password="ops")
        sub = await ops.subscribe(">")
        await nats_flush(ops)
        errors = []
        alice = await nats_connect(srv, user="alice", password="s3cret", errors=errors)
        await alice.publish("orders.created", b'{"id":1}')
        await alice.publish("billing.invoice", b"x")
        await nats_flush(alice)
        m = await sub.next_msg(timeout=5)
        assert (m.subject, m.data) == ("orders.created", b'{"id":1}')
        await nats_flush(ops)
        assert sub.pending_msgs == 0
        assert [str(e).lower() for e in errors] == \
            ['nats: permissions violation for publish to "billing.invoice"']
        assert alice.is_connected
        await alice.close()
        await ops.close()
    run(main())


# --------------------------------------------------------------------------
# wildcard subscriptions against allow / deny lists
# --------------------------------------------------------------------------

WILD = """
authorization { users [
  { user: admin, password: pw }
  { user: u, password: pw, permissions: { subscribe: ["foo.*", "bar.>", "baz.*.x"] } }
  { user: d, password: pw, permissions: { subscribe: { deny: ["foo.*", "bar.>", "baz.x"] } } }
] }
"""

# nats-server matches the requested subject against the allow/deny
# sublists token by token, so a wildcard token in the request matches a
# wildcard *or* a literal in the list only where the list has a wildcard:
# "foo.>" is allowed by "foo.*" (the "*" entry matches the ">" token),
# while "*.*" is not.  Deny works the same way; what a permitted wildcard
# subscription then receives is filtered at delivery (next test).
WILD_CASES = [
    ("u", "foo.*", True), ("u", "foo.>", True), ("u", "*.*", False), ("u", "foo.a.b", False),
    ("u", ">", False), ("u", "bar.*", True), ("u", "bar.>", True), ("u", "*.>", False),
    ("u", "baz.*.*", False), ("u", "baz.>", False), ("u", "baz.*.x", True),
    ("u", "baz.a.x", True), ("u", "foo.*.>", False),
    ("d", "foo.>", False), ("d", "foo.*", False), ("d", "*.*", True), ("d", "foo.a", False),
    ("d", ">", True), ("d", "bar.*", False), ("d", "bar.a.b", False), ("d", "*.>", True),
    ("d", "baz.*", True), ("d", "baz.>", True), ("d", "baz.x", False), ("d", "*.x", True),
]


def test_wildcard_subscribe_matrix(server_factory):
    srv = server_factory(WILD)
    conns = {u: connect_raw(srv, user=u, **PW) for u in ("u", "d")}
    try:
        for user, subject, allowed in WILD_CASES:
            got = conns[user].exchange(f"SUB {subject} 1\r\nUNSUB 1\r\n".encode())
            assert got == (b"" if allowed else sub_violation(subject)) + b"PONG\r\n", \
                (user, subject, got)
    finally:
        for c in conns.values():
            c.close()


def test_wildcard_subscribe_delivery(server_factory):
    srv = server_factory(WILD)
    admin = connect_raw(srv, user="admin", **PW)
    u = connect_raw(srv, user="u", **PW)
    d = connect_raw(srv, user="d", **PW)
    try:
        assert u.exchange(b"SUB foo.> 1\r\nSUB baz.*.x 2\r\n") == b"PONG\r\n"
        assert d.exchange(b"SUB > 1\r\nSUB *.* 2\r\nSUB baz.* 3\r\nSUB *.> q 4\r\n") == b"PONG\r\n"
        subjects = ["foo.a", "foo.a.b", "bar.a", "bar.a.b", "baz.x", "baz.y", "baz.q.x", "zip.zap"]
        assert admin.exchange(b"".join(pub(s, s.encode()) for s in subjects)) == b"PONG\r\n"
        # Nothing filters an allowed wildcard subscription (only denies do).
        assert same_frames(u.exchange(), msg("foo.a", 1, b"foo.a") + msg("foo.a.b", 1, b"foo.a.b")
                           + msg("baz.q.x", 2, b"baz.q.x") + b"PONG\r\n")
        # Denied subjects never reach d, whatever subscription matches them.
        expected = [("foo.a.b", (1, 4)), ("baz.y", (1, 2, 3, 4)), ("baz.q.x", (1, 4)),
                    ("zip.zap", (1, 2, 4))]
        assert same_frames(d.exchange(), b"".join(msg(s, sid, s.encode())
                                                  for s, sids in expected for sid in sids)
                           + b"PONG\r\n")
    finally:
        for c in (admin, u, d):
            c.close()


def test_many_distinct_subjects(perms_server, watcher):
    """More distinct subjects than nats-server's publish-permission cache
    holds (128): every decision stays right, twice over."""
    with connect_raw(perms_server, user="allowdeny", **PW) as c:
        subjects = []
        for i in range(400):
            subjects.append((f"x.n{i}", True))
            subjects.append((f"x.deny.n{i}", False))
            subjects.append((f"y.n{i}", False))
        for _round in range(2):
            data = b"".join(pub(s, b"") for s, _ in subjects)
            expected = b"".join(pub_violation(s) for s, ok in subjects if not ok)
            assert c.exchange(data) == expected + b"PONG\r\n"
            assert watcher.exchange() == b"".join(
                msg(s, watcher_sid(watcher, s), b"") for s, ok in subjects if ok) + b"PONG\r\n"


def test_allow_responses_only_for_delivered_requests(resp_server, requester):
    """Two responders in one queue group: only the member that received a
    request may answer it."""
    s1 = connect_raw(resp_server, user="svc", **PW)
    s2 = connect_raw(resp_server, user="svc", **PW)
    try:
        for s in (s1, s2):
            assert s.exchange(b"SUB service.q workers 1\r\n") == b"PONG\r\n"
        for i in range(6):
            reply = f"_INBOX.qq{i}"
            assert requester.exchange(pub("service.q", b"job", reply)) == b"PONG\r\n"
            got1, got2 = s1.exchange(), s2.exchange()
            delivered = msg("service.q", 1, b"job", reply) + b"PONG\r\n"
            assert sorted([got1, got2]) == sorted([delivered, b"PONG\r\n"]), (got1, got2)
            winner, loser = (s1, s2) if got1 == delivered else (s2, s1)
            assert loser.exchange(pub(reply, b"mine?")) == pub_violation(reply) + b"PONG\r\n"
            assert winner.exchange(pub(reply, b"done")) == b"PONG\r\n"
            assert requester.exchange() == msg(reply, 1, b"done") + b"PONG\r\n"
    finally:
        s1.close()
        s2.close()
