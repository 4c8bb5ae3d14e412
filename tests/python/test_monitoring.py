"""The HTTP monitoring endpoints (``-m PORT`` / ``http_port``).

Every expectation holds on nats-server 2.9.10 and 2.15.1 as well as on
Starling, unless marked Starling-only.  Field values that depend on the
implementation (cids, nats-server's internal system-account subscriptions
and connections) are compared as differences, never as absolute numbers.
"""

import json
import re
import time

import pytest

from conftest import RawClient, msg, pub
from opsupport import (IS_GO, connz_by_name, go_version, no_secrets,  # noqa: F401
                       ops_server, ports_file, starling_only, wait_until)


def monitored(ops_server, config=None, **kw):
    return ops_server(config, monitor=True, **kw)


def client(srv, name, **connect):
    c = RawClient(srv.port)
    c.connect(name=name, **connect)
    return c


# --------------------------------------------------------------------------
# /varz
# --------------------------------------------------------------------------

def test_varz_identity_and_limits(ops_server):
    srv = monitored(ops_server, "max_payload: 65536\nmax_connections: 100\n")
    v = srv.json("/varz")
    assert re.fullmatch(r"N[A-Z2-7]{55}", v["server_id"]), v["server_id"]
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", v["version"]), v["version"]
    assert v["host"] == "127.0.0.1"
    assert v["port"] == srv.port
    assert v["http_port"] == srv.mport
    assert v["max_payload"] == 65536
    assert v["max_connections"] == 100
    assert v["connections"] == 0
    assert v["slow_consumers"] == 0
    assert isinstance(v["uptime"], str) and re.fullmatch(r"(\d+[dhms])+", v["uptime"]), v["uptime"]
    assert isinstance(v["mem"], int) and v["mem"] > 0
    assert isinstance(v["subscriptions"], int)
    for key in ("in_msgs", "out_msgs", "in_bytes", "out_bytes", "total_connections",
                "start", "now", "proto", "max_control_line", "ping_interval", "ping_max",
                "write_deadline", "auth_timeout", "tls_timeout"):
        assert key in v, key
    # the INFO a client gets agrees with /varz
    with srv.client() as c:
        assert c.info["server_id"] == v["server_id"]
        assert c.info["max_payload"] == 65536


def test_varz_counters_after_known_traffic(ops_server):
    srv = monitored(ops_server)
    before = srv.json("/varz")
    a = client(srv, "sub-a")
    b = client(srv, "sub-b")
    p = client(srv, "pub")
    try:
        a.exchange(b"SUB t.x 1\r\n")
        b.exchange(b"SUB t.* 7\r\n")
        # 3 messages of 5 bytes, each delivered to both subscribers
        p.exchange(pub("t.x", b"hello") * 3)
        for c, sid in ((a, 1), (b, 7)):
            out = c.exchange()
            assert out == msg("t.x", sid, b"hello") * 3 + b"PONG\r\n", out

        def settled():
            v = srv.json("/varz")
            return v if v["out_msgs"] - before["out_msgs"] >= 6 else None
        after = wait_until(settled, 10, what="out_msgs to count 6 deliveries")
        assert after["in_msgs"] - before["in_msgs"] == 3
        assert after["in_bytes"] - before["in_bytes"] == 15
        assert after["out_msgs"] - before["out_msgs"] == 6
        assert after["out_bytes"] - before["out_bytes"] == 30
        assert after["connections"] == 3
        assert after["total_connections"] - before["total_connections"] == 3
        assert after["subscriptions"] - before["subscriptions"] == 2
        assert after["slow_consumers"] == 0
        # /varz itself is counted in http_req_stats
        assert after["http_req_stats"]["/varz"] >= before["http_req_stats"]["/varz"] + 1
    finally:
        for c in (a, b, p):
            c.close()
    # closing connections lowers "connections" but not "total_connections"
    v = wait_until(lambda: (lambda v: v if v["connections"] == 0 else None)(srv.json("/varz")),
                   10, what="connections back to 0")
    assert v["total_connections"] - before["total_connections"] == 3
    assert v["subscriptions"] == before["subscriptions"]


def test_http_req_stats_counts_each_endpoint(ops_server):
    srv = monitored(ops_server)
    for _ in range(3):
        srv.json("/connz")
    srv.json("/subsz")
    stats = srv.json("/varz")["http_req_stats"]
    assert stats["/connz"] == 3
    assert stats["/subsz"] == 1
    assert stats["/varz"] == 1


# --------------------------------------------------------------------------
# /connz
# --------------------------------------------------------------------------

def test_connz_lists_connections_with_connect_fields(ops_server):
    srv = monitored(ops_server)
    a = client(srv, "cli-a", lang="python", version="9.9.9")
    b = client(srv, "cli-b")
    try:
        a.exchange(b"SUB foo 1\r\n")
        b.exchange(pub("foo", b"12345") * 2)
        assert a.exchange() == msg("foo", 1, b"12345") * 2 + b"PONG\r\n"
        data = srv.json("/connz")
        assert data["num_connections"] == 2
        assert data["total"] == 2
        assert data["offset"] == 0
        assert data["limit"] == 1024
        assert re.fullmatch(r"N[A-Z2-7]{55}", data["server_id"])
        byname = {c.get("name"): c for c in data["connections"]}
        ca, cb = byname["cli-a"], byname["cli-b"]
        assert ca["lang"] == "python" and ca["version"] == "9.9.9"
        assert ca["ip"] == "127.0.0.1"
        assert ca["port"] == a.sock.getsockname()[1]
        assert cb["port"] == b.sock.getsockname()[1]
        assert ca["subscriptions"] == 1 and cb["subscriptions"] == 0
        assert (cb["in_msgs"], cb["in_bytes"]) == (2, 10)
        assert (ca["out_msgs"], ca["out_bytes"]) == (2, 10)
        assert (ca["in_msgs"], cb["out_msgs"]) == (0, 0)
        assert ca["kind"] == "Client" and ca["type"] == "nats"
        assert ca["cid"] != cb["cid"]
        for key in ("start", "last_activity", "uptime", "idle", "pending_bytes", "rtt"):
            assert key in ca, key
        assert "stop" not in ca and "reason" not in ca
    finally:
        a.close()
        b.close()


def test_connz_cid_selects_one_connection(ops_server):
    srv = monitored(ops_server)
    a = client(srv, "one")
    b = client(srv, "two")
    try:
        cid = connz_by_name(srv, "two")["cid"]
        data = srv.json(f"/connz?cid={cid}")
        assert data["num_connections"] == 1
        assert [c["name"] for c in data["connections"]] == ["two"]
        assert data["connections"][0]["cid"] == cid
        # an unknown cid gives an empty list, not an error
        data = srv.json("/connz?cid=987654")
        assert data["num_connections"] == 0
        assert data["connections"] == []
    finally:
        a.close()
        b.close()


def test_connz_sort_and_paging(ops_server):
    srv = monitored(ops_server)
    clients = []
    try:
        # "p1" publishes 1 message, "p2" 2, "p3" 3 (created in that order)
        for n in (1, 2, 3):
            c = client(srv, f"p{n}")
            c.exchange(pub("nobody.listens", b"x" * n) * n)
            clients.append(c)
        # subscriptions: p3 has 3, p1 2, p2 1
        clients[2].exchange(b"SUB s.1 1\r\nSUB s.2 2\r\nSUB s.3 3\r\n")
        clients[0].exchange(b"SUB s.1 1\r\nSUB s.2 2\r\n")
        clients[1].exchange(b"SUB s.1 1\r\n")

        def names(query):
            return [c["name"] for c in srv.json("/connz?" + query)["connections"]]

        assert names("sort=msgs_from") == ["p3", "p2", "p1"]
        assert names("sort=bytes_from") == ["p3", "p2", "p1"]
        assert names("sort=subs") == ["p3", "p1", "p2"]
        assert names("sort=cid") == ["p1", "p2", "p3"]
        assert names("sort=start") == ["p1", "p2", "p3"]
        cids = [c["cid"] for c in srv.json("/connz?sort=cid")["connections"]]
        assert cids == sorted(cids)

        page = srv.json("/connz?sort=msgs_from&limit=1&offset=1")
        assert (page["num_connections"], page["total"], page["offset"], page["limit"]) == (1, 3, 1, 1)
        assert [c["name"] for c in page["connections"]] == ["p2"]
        page = srv.json("/connz?sort=cid&limit=2")
        assert [c["name"] for c in page["connections"]] == ["p1", "p2"]
        assert page["total"] == 3
        page = srv.json("/connz?offset=5")
        assert page["connections"] == [] and page["num_connections"] == 0 and page["total"] == 3
    finally:
        for c in clients:
            c.close()


def test_connz_subscription_lists(ops_server):
    srv = monitored(ops_server)
    a = client(srv, "subber")
    p = client(srv, "pubber")
    try:
        a.exchange(b"SUB foo 1\r\nSUB bar.* q 2\r\n")
        p.exchange(pub("foo", b"abc") * 3)
        assert a.exchange() == msg("foo", 1, b"abc") * 3 + b"PONG\r\n"
        c = connz_by_name(srv, "subber", "&subs=1")
        assert sorted(c["subscriptions_list"]) == ["bar.*", "foo"]
        assert "subscriptions_list" not in connz_by_name(srv, "subber")
        c = connz_by_name(srv, "subber", "&subs=detail")
        detail = {d["subject"]: d for d in c["subscriptions_list_detail"]}
        assert set(detail) == {"foo", "bar.*"}
        assert detail["foo"]["sid"] == "1" and detail["foo"]["msgs"] == 3
        assert "qgroup" not in detail["foo"]
        assert detail["bar.*"]["sid"] == "2" and detail["bar.*"]["qgroup"] == "q"
        assert detail["bar.*"]["msgs"] == 0
        assert detail["foo"]["cid"] == c["cid"]
        # a connection without subscriptions has no list
        assert not connz_by_name(srv, "pubber", "&subs=1").get("subscriptions_list")
    finally:
        a.close()
        p.close()


def test_connz_closed_connections_keep_reason(ops_server):
    srv = monitored(ops_server)
    keep = client(srv, "stays")
    gone = client(srv, "leaver", lang="python", version="1.2.3")
    gone.exchange(b"SUB x 1\r\n" + pub("x", b"hi"))
    gone.close()

    def closed():
        d = srv.json("/connz?state=closed")
        return d if any(c.get("name") == "leaver" for c in d["connections"]) else None
    data = wait_until(closed, 10, what="closed connection in /connz?state=closed")
    c = next(c for c in data["connections"] if c.get("name") == "leaver")
    assert c["reason"] == "Client Closed"
    assert "stop" in c
    assert (c["lang"], c["version"]) == ("python", "1.2.3")
    assert (c["in_msgs"], c["out_msgs"]) == (1, 1)
    assert all(x.get("name") != "stays" for x in data["connections"])
    # open (the default) does not list it; any lists both
    assert [x["name"] for x in srv.json("/connz")["connections"]] == ["stays"]
    both = {x.get("name") for x in srv.json("/connz?state=any")["connections"]}
    assert {"stays", "leaver"} <= both
    keep.assert_open()


ACCOUNTS_CONF = """
accounts {
  ACME { users [ { user: alice, password: "Al1ce-s3cret-pw" } ] }
  OTHER { users [ { user: bob, password: "B0b-s3cret-pw" } ] }
}
"""


def test_connz_auth_shows_user_and_account(ops_server):
    srv = monitored(ops_server, ACCOUNTS_CONF)
    a = client(srv, "ca", user="alice", **{"pass": "Al1ce-s3cret-pw"})
    b = client(srv, "cb", user="bob", **{"pass": "B0b-s3cret-pw"})
    try:
        ca = connz_by_name(srv, "ca", "&auth=1")
        cb = connz_by_name(srv, "cb", "&auth=1")
        assert (ca["authorized_user"], ca["account"]) == ("alice", "ACME")
        assert (cb["authorized_user"], cb["account"]) == ("bob", "OTHER")
        # filter by account
        data = srv.json("/connz?acc=OTHER&auth=1")
        assert [c["name"] for c in data["connections"]] == ["cb"]
        b.close()

        def closed():
            d = srv.json("/connz?state=closed&auth=1")
            return [c for c in d["connections"] if c.get("name") == "cb"]
        [c] = wait_until(closed, 10, what="closed connection")
        assert (c["authorized_user"], c["account"], c["reason"]) == ("bob", "OTHER", "Client Closed")
    finally:
        a.close()
        b.close()


def test_connz_user_and_account_only_with_auth_param(ops_server):
    """nats-server shows authorized_user/account (and TLS peer certs) only
    when asked with auth=1 (ConnzOptions.Username); the default listing
    does not name users."""
    srv = monitored(ops_server, ACCOUNTS_CONF)
    a = client(srv, "ca", user="alice", **{"pass": "Al1ce-s3cret-pw"})
    try:
        c = connz_by_name(srv, "ca")
        assert "authorized_user" not in c, c
        assert "account" not in c, c
    finally:
        a.close()


def test_no_password_or_token_in_any_endpoint(ops_server):
    secrets = ("Al1ce-s3cret-pw", "B0b-s3cret-pw")
    srv = monitored(ops_server, ACCOUNTS_CONF)
    a = client(srv, "ca", user="alice", **{"pass": "Al1ce-s3cret-pw"})
    b = client(srv, "cb", user="bob", **{"pass": "B0b-s3cret-pw"})
    b.exchange(b"SUB x 1\r\n")
    b.close()
    # a failed login with a wrong password is not echoed either
    bad = RawClient(srv.port)
    bad.send(b'CONNECT {"verbose":false,"user":"alice","pass":"Wr0ng-guess-pw"}\r\nPING\r\n')
    bad.read_until_closed()
    bad.close()
    paths = ["/", "/varz", "/connz", "/connz?auth=1&subs=detail",
             "/connz?state=any&auth=1&subs=detail", "/subsz?subs=1", "/accountz",
             "/accountz?acc=ACME", "/accountz?acc=OTHER", "/accstatz?unused=1",
             "/routez", "/leafz", "/gatewayz", "/healthz"]
    if not IS_GO:
        paths.append("/metrics")
    try:
        time.sleep(0.3)
        for path in paths:
            status, body = srv.get(path)
            assert status == 200, (path, status)
            no_secrets(body, *secrets, "Wr0ng-guess-pw")
            assert '"password"' not in body and '"pass"' not in body, path
    finally:
        a.close()


def test_no_token_in_any_endpoint(ops_server):
    if IS_GO and go_version() < (2, 10, 0):
        pytest.skip("nats-server 2.9.x shows the token as authorized_user with "
                    "/connz?auth=1 (fixed by 2.15.1)")
    srv2 = monitored(ops_server, 'authorization { token: "T0ken-s3cret-xyz" }\n')
    c = client(srv2, "tok", auth_token="T0ken-s3cret-xyz")
    try:
        for path in ("/varz", "/connz?auth=1&subs=1", "/connz?state=any&auth=1"):
            status, body = srv2.get(path)
            assert status == 200
            no_secrets(body, "T0ken-s3cret-xyz")
        assert srv2.json("/varz")["auth_required"] is True
    finally:
        c.close()


# --------------------------------------------------------------------------
# /subsz
# --------------------------------------------------------------------------

def test_subsz(ops_server):
    srv = monitored(ops_server)
    base = srv.json("/subsz")["num_subscriptions"]
    a = client(srv, "s")
    p = client(srv, "p")
    try:
        a.exchange(b"SUB foo 1\r\nSUB bar.* q 2\r\nSUB baz.> 3\r\n")
        p.exchange(pub("foo", b"x"))
        assert a.exchange() == msg("foo", 1, b"x") + b"PONG\r\n"
        s = srv.json("/subsz")
        assert s["num_subscriptions"] - base == 3
        for key in ("num_cache", "num_inserts", "num_removes", "num_matches",
                    "cache_hit_rate", "max_fanout", "avg_fanout"):
            assert key in s, key

        full = srv.json("/subsz?subs=1&limit=100000")
        mine = {d["subject"]: d for d in full["subscriptions_list"]
                if d.get("account") == "$G" and d["subject"] in ("foo", "bar.*", "baz.>")}
        assert set(mine) == {"foo", "bar.*", "baz.>"}
        assert mine["foo"]["msgs"] == 1 and mine["foo"]["sid"] == "1"
        assert mine["bar.*"]["qgroup"] == "q"

        def tested(subject):
            d = srv.json(f"/subsz?subs=1&test={subject}")
            return sorted(x["subject"] for x in d.get("subscriptions_list") or [])
        assert tested("bar.x") == ["bar.*"]
        assert tested("foo") == ["foo"]
        assert tested("baz.a.b") == ["baz.>"]
        assert tested("nothing.here") == []

        a.exchange(b"UNSUB 1\r\n")
        assert srv.json("/subsz")["num_subscriptions"] - base == 2
    finally:
        a.close()
        p.close()


def test_subsz_test_requires_publish_subject(ops_server):
    """?test= takes a literal subject; a wildcard is a 400 in nats-server
    ("invalid test subject, must be valid publish subject: foo.*")."""
    srv = monitored(ops_server)
    for q in ("subs=1&test=foo.*", "test=foo.*", "test=a.>"):
        status, body = srv.get("/subsz?" + q)
        assert status == 400, (q, status, body[:300])
        assert "invalid test subject" in body


# --------------------------------------------------------------------------
# other endpoints
# --------------------------------------------------------------------------

def test_healthz(ops_server):
    srv = monitored(ops_server)
    status, body = srv.get("/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_routez_leafz_gatewayz_shapes(ops_server):
    srv = monitored(ops_server)
    sid = srv.json("/varz")["server_id"]
    r = srv.json("/routez")
    assert r["server_id"] == sid and r["num_routes"] == 0 and r["routes"] == []
    l = srv.json("/leafz")
    assert l["server_id"] == sid and l["leafnodes"] == 0 and not l["leafs"]
    g = srv.json("/gatewayz")
    assert g["server_id"] == sid
    assert g["outbound_gateways"] == {} and g["inbound_gateways"] == {}


def test_index_page_links_endpoints(ops_server):
    srv = monitored(ops_server)
    status, body = srv.get("/")
    assert status == 200
    for ep in ("varz", "connz", "subsz", "routez", "accountz"):
        assert f"./{ep}" in body, ep


def test_accountz(ops_server):
    srv = monitored(ops_server, ACCOUNTS_CONF)
    a = client(srv, "ca", user="alice", **{"pass": "Al1ce-s3cret-pw"})
    try:
        a.exchange(b"SUB one 1\r\nSUB two 2\r\n")
        data = srv.json("/accountz")
        assert {"$G", "$SYS", "ACME", "OTHER"} <= set(data["accounts"])
        assert data["system_account"] == "$SYS"
        d = srv.json("/accountz?acc=ACME")["account_detail"]
        assert d["account_name"] == "ACME"
        assert d["client_connections"] == 1
        assert d["expired"] is False and d["complete"] is True
        d = srv.json("/accountz?acc=OTHER")["account_detail"]
        assert d["account_name"] == "OTHER" and d["client_connections"] == 0
        d = srv.json("/accountz?acc=$G")["account_detail"]
        assert d["account_name"] == "$G"
    finally:
        a.close()


def test_accountz_default_global_account(ops_server):
    srv = monitored(ops_server)
    assert "$G" in srv.json("/accountz")["accounts"]


def test_accstatz(ops_server):
    srv = monitored(ops_server, ACCOUNTS_CONF)
    a = client(srv, "ca", user="alice", **{"pass": "Al1ce-s3cret-pw"})
    b = client(srv, "cb", user="bob", **{"pass": "B0b-s3cret-pw"})
    try:
        a.exchange(b"SUB news 1\r\n")
        b.exchange(pub("news", b"12345") * 3)   # OTHER: no subscriber
        a.exchange(pub("news", b"ab"))          # ACME: delivered to itself

        def stats():
            d = srv.json("/accstatz")
            by = {s["acc"]: s for s in d["account_statz"]}
            ok = "ACME" in by and by["ACME"]["sent"]["msgs"] >= 1
            return by if ok else None
        by = wait_until(stats, 10, what="accstatz to count the traffic")
        assert set(by) == {"ACME", "OTHER"}      # unused accounts are left out
        assert (by["ACME"]["conns"], by["OTHER"]["conns"]) == (1, 1)
        assert (by["ACME"]["total_conns"], by["OTHER"]["total_conns"]) == (1, 1)
        def mb(d):
            return (d["msgs"], d["bytes"])   # 2.15 adds routes/leafs/gateways
        assert mb(by["OTHER"]["received"]) == (3, 15)
        assert mb(by["OTHER"]["sent"]) == (0, 0)
        assert mb(by["ACME"]["received"]) == (1, 2)
        assert mb(by["ACME"]["sent"]) == (1, 2)
        assert by["ACME"]["slow_consumers"] == 0
        every = {s["acc"]: s for s in srv.json("/accstatz?unused=1")["account_statz"]}
        assert {"$G", "ACME", "OTHER"} <= set(every)
        assert every["$G"]["conns"] == 0
        assert every["$G"]["total_conns"] == 0
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

def test_unknown_path_is_404(ops_server):
    srv = monitored(ops_server)
    for path in ("/nope", "/varz/extra", "/connzz"):
        status, _ = srv.get(path)
        assert status == 404, path
    assert srv.get("/varz")[0] == 200


def test_bad_sort_is_400(ops_server):
    srv = monitored(ops_server)
    status, body = srv.get("/connz?sort=bogus")
    assert status == 400
    assert "invalid sorting option: bogus" in body
    status, body = srv.get("/connz?state=bogus")
    assert status == 400
    assert srv.get("/connz?sort=msgs_to")[0] == 200


def test_bad_number_is_400(ops_server):
    """nats-server: 400 "Error decoding int for 'limit': ..." (and the same
    for offset / cid)."""
    srv = monitored(ops_server)
    for q in ("limit=abc", "offset=x1", "cid=z"):
        status, body = srv.get("/connz?" + q)
        assert status == 400, (q, status, body[:200])


# --------------------------------------------------------------------------
# how the monitor is enabled
# --------------------------------------------------------------------------

def test_http_port_in_config_and_ports_file(ops_server, tmp_path):
    srv = ops_server("http_port: @MPORT@\n", args=("--ports_file_dir", "@DIR@"))
    assert srv.json("/varz")["http_port"] == srv.mport
    pf = wait_until(lambda: ports_file(tmp_path, srv.pid), 10, what="ports file")
    ports = json.loads(pf.read_text())
    assert ports["monitoring"] == [f"http://127.0.0.1:{srv.mport}"]
    assert ports["nats"] == [f"nats://127.0.0.1:{srv.port}"]


def test_http_host_and_port_string(ops_server):
    srv = ops_server('http: "127.0.0.1:@MPORT@"\n')
    v = srv.json("/varz")
    assert v["http_port"] == srv.mport and v["http_host"] == "127.0.0.1"


def test_monitor_only_on_loopback_when_asked(ops_server):
    """With -a 127.0.0.1 and -m, nothing listens on another address."""
    srv = monitored(ops_server)
    v = srv.json("/varz")
    assert v["host"] == "127.0.0.1"
    # the monitor answers on 127.0.0.1 (the HTTP host follows -a)
    assert v["http_host"] == "127.0.0.1"


# --------------------------------------------------------------------------
# Starling only
# --------------------------------------------------------------------------

@starling_only
def test_metrics_prometheus(ops_server):
    srv = monitored(ops_server)
    a = client(srv, "m1")
    b = client(srv, "m2")
    try:
        a.exchange(b"SUB m 1\r\n")
        b.exchange(pub("m", b"abcd") * 2)
        assert a.exchange() == msg("m", 1, b"abcd") * 2 + b"PONG\r\n"
        status, body = srv.get("/metrics")
        assert status == 200
        values = {}
        for line in body.splitlines():
            if not line or line.startswith("#"):
                assert line == "" or re.match(r"# (HELP|TYPE) starling_\w+ ", line), line
                continue
            m = re.fullmatch(r'(starling_\w+(?:\{[^}]*\})?) (\S+)', line)
            assert m, f"not Prometheus text: {line!r}"
            values[m.group(1)] = float(m.group(2))
        assert values["starling_connections"] == 2
        assert values["starling_in_msgs_total"] == 2
        assert values["starling_in_bytes_total"] == 8
        assert values["starling_out_msgs_total"] == 2
        assert values["starling_out_bytes_total"] == 8
        assert values["starling_subscriptions"] == 1
        assert values["starling_slow_consumers_total"] == 0
        assert values['starling_account_connections{account="$G"}'] == 2
        assert "# TYPE starling_connections gauge" in body
        assert "# TYPE starling_in_msgs_total counter" in body
    finally:
        a.close()
        b.close()


def test_client_gone_during_bcrypt_check_leaves_nothing_behind(ops_server):
    """Clients that send CONNECT (checked against a bcrypt hash, which takes a while) and SUBs,
    then vanish before the check is done, leave no connection and no subscription behind."""
    import socket
    import struct
    from authsupport import assert_works, bcrypt_hash, connect_line
    config = f'authorization {{ users: [{{user: u, password: "{bcrypt_hash("right", rounds=10)}"}}] }}\n'
    srv = monitored(ops_server, config)
    line = connect_line(user="u", **{"pass": "right"}) + b"SUB gone.1 1\r\nSUB gone.2 2\r\nPING\r\n"
    for _ in range(10):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.recv(4096)                       # INFO
        s.sendall(line)
        time.sleep(0.01)
        # Reset rather than close, so the server learns of it while the check runs.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    deadline = time.monotonic() + 10
    while True:
        listed = srv.json("/subsz?subs=1").get("subscriptions_list") or []
        subs = sum(1 for sub in listed if sub.get("subject", "").startswith("gone."))
        conns = srv.json("/connz")["num_connections"]
        if subs == 0 and conns == 0:
            break
        assert time.monotonic() < deadline, f"left behind: {conns} connections, {subs} subscriptions"
        time.sleep(0.2)
    assert_works(srv, user="u", **{"pass": "right"})

