"""TLS on the client listener (nats-server's ``tls {}`` block).

Certificates come from scripts/make-test-pki.sh (run once per session into a
temp dir).  Clients are Python's ssl module over raw sockets (INFO in
plaintext, then the handshake, as nats-server does) and nats-py with ssl
contexts.  After every refused client, an already connected TLS client and
a fresh one must still work.

Every expectation holds on nats-server 2.9.10 and 2.15.1 as well as on
Starling, except:

* ``min_version`` and ``handshake_first`` do not exist in nats-server 2.9.10
  (its config parser refuses them): those tests are skipped for nats-server
  older than 2.10 and run against 2.15.1.
* Which TLS 1.3 suite is chosen differs (nats-server prefers AES-128-GCM,
  Starling's BoringSSL AES-256-GCM); tests compare /connz with what the
  client actually negotiated, never with a fixed suite.
"""

import hashlib
import json
import re
import socket
import ssl
import time
import warnings

import pytest

from conftest import RawClient, free_port, msg, nats_connect, nats_flush, pub, run
from opsupport import (IS_GO, TLSClient, client_context, connz_by_name,  # noqa: F401
                       go_version, ops_server, pki, run_binary, spki_sha256,
                       tls_block, tls_connect_fails)

ALICE_DN = "CN=alice,OU=eng,O=Acme,L=SF,ST=CA,C=US"

# OpenSSL names of the TLS 1.2 suites used here -> IANA names (what
# nats-server's /connz reports)
IANA = {
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
}

needs_go_2_10 = pytest.mark.skipif(
    IS_GO and (go_version() or (0,)) < (2, 10, 0),
    reason="not in nats-server 2.9 (its tls block refuses the key)")


def ca_line(pki_dir):
    return f'  ca_file: "{pki_dir / "ca.pem"}"\n'


def tls_server(ops_server, pki_dir, extra="", tail="", **kw):
    return ops_server(tls_block(pki_dir, extra) + tail, **kw)


def tls_client(srv, pki_dir, cert=None, name=None, **ctx_kw):
    c = TLSClient(srv.port, client_context(pki_dir, cert, **ctx_kw))
    opts = {"name": name} if name else {}
    c.connect(**opts)
    return c


def assert_tls_healthy(srv, pki_dir, *bystanders, cert=None, subject="health"):
    """The server lives, earlier TLS clients still work, a new one too."""
    assert srv.alive(), srv.log()[-3000:]
    for b in bystanders:
        b.assert_open()
    with tls_client(srv, pki_dir, cert) as c:
        out = c.exchange(f"SUB {subject} 1\r\n".encode() + pub(subject, b"ok"))
        assert out == msg(subject, 1, b"ok") + b"PONG\r\n"


# --------------------------------------------------------------------------
# TLS required
# --------------------------------------------------------------------------

def test_info_says_tls_required_and_plaintext_is_refused(ops_server, pki):
    srv = tls_server(ops_server, pki, "  timeout: 2")
    bystander = tls_client(srv, pki)
    try:
        with RawClient(srv.port) as c:
            assert c.info["tls_required"] is True
            try:
                c.send(b'CONNECT {"verbose":false}\r\nPING\r\n')
            except OSError:
                pass
            data = c.read_until_closed(timeout=10)
            assert b"PONG" not in data, data
        assert_tls_healthy(srv, pki, bystander)
    finally:
        bystander.close()


def test_tls_client_without_cert_when_verify_is_off(ops_server, pki):
    srv = tls_server(ops_server, pki)
    with tls_client(srv, pki) as a, tls_client(srv, pki) as b:
        assert a.info["tls_required"] is True
        a.exchange(b"SUB secure.* 1\r\n")
        b.exchange(pub("secure.x", b"over tls"))
        assert a.exchange() == msg("secure.x", 1, b"over tls") + b"PONG\r\n"


def test_nats_py_over_tls(ops_server, pki):
    srv = tls_server(ops_server, pki)

    async def main():
        nc = await nats_connect(srv, tls=client_context(pki), tls_hostname="localhost")
        try:
            sub = await nc.subscribe("py.tls")
            await nats_flush(nc)
            await nc.publish("py.tls", b"payload" * 1000)
            m = await sub.next_msg(timeout=5)
            assert m.data == b"payload" * 1000
        finally:
            await nc.close()
    run(main())


# --------------------------------------------------------------------------
# verify: client certificates
# --------------------------------------------------------------------------

@pytest.mark.parametrize("cert", [None, "other-client", "expired", "notyet"])
def test_verify_refuses_bad_or_missing_client_cert(ops_server, pki, cert):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true\n  timeout: 2")
    bystander = tls_client(srv, pki, "client-dn")
    try:
        tls_connect_fails(srv.port, client_context(pki, cert))
        assert_tls_healthy(srv, pki, bystander, cert="client-dn")
    finally:
        bystander.close()


@pytest.mark.parametrize("cert", ["client-dn", "client-email", "ecdsa-p256", "ed25519"])
def test_verify_accepts_client_cert_signed_by_ca(ops_server, pki, cert):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true")
    with tls_client(srv, pki, cert) as c:
        assert c.info["tls_required"] is True
        assert c.info.get("tls_verify") is True
        out = c.exchange(b"SUB v 1\r\n" + pub("v", b"ok"))
        assert out == msg("v", 1, b"ok") + b"PONG\r\n"


def test_verify_with_nats_py(ops_server, pki):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true")

    async def main():
        nc = await nats_connect(srv, tls=client_context(pki, "client-dn"),
                                tls_hostname="localhost")
        try:
            sub = await nc.subscribe("m")
            await nats_flush(nc)
            await nc.publish("m", b"1")
            assert (await sub.next_msg(timeout=5)).data == b"1"
        finally:
            await nc.close()

        errors = []
        with pytest.raises(Exception):
            await nats_connect(srv, tls=client_context(pki), tls_hostname="localhost",
                               errors=errors)
    run(main())


# --------------------------------------------------------------------------
# verify_and_map
# --------------------------------------------------------------------------

MAP_USERS = f"""
authorization {{
  users [
    {{ user: "{ALICE_DN}",
       permissions: {{ publish: "alice.>", subscribe: ["alice.>", "_INBOX.>"] }} }}
    {{ user: "bob@example.com",
       permissions: {{ publish: "bob.>", subscribe: "bob.>" }} }}
  ]
}}
"""


def test_verify_and_map_dn_and_email(ops_server, pki):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify_and_map: true",
                     MAP_USERS, monitor=True)
    alice = tls_client(srv, pki, "client-dn", name="alice-conn")
    bob = tls_client(srv, pki, "client-email", name="bob-conn")
    try:
        # alice's permissions
        out = alice.exchange(b"SUB alice.in 1\r\nSUB bob.in 2\r\n")
        assert out == (b"-ERR 'Permissions Violation for Subscription to \"bob.in\"'\r\n"
                       b"PONG\r\n"), out
        out = alice.exchange(pub("bob.in", b"x") + pub("alice.in", b"self"))
        assert out == (b"-ERR 'Permissions Violation for Publish to \"bob.in\"'\r\n"
                       + msg("alice.in", 1, b"self") + b"PONG\r\n"), out
        # bob's permissions
        out = bob.exchange(b"SUB bob.in 5\r\n" + pub("alice.in", b"nope"))
        assert out == b"-ERR 'Permissions Violation for Publish to \"alice.in\"'\r\nPONG\r\n", out
        assert bob.exchange(pub("bob.in", b"hi")) == msg("bob.in", 5, b"hi") + b"PONG\r\n"
        # the mapped names are the users /connz reports
        assert connz_by_name(srv, "alice-conn", "&auth=1")["authorized_user"] == ALICE_DN
        assert connz_by_name(srv, "bob-conn", "&auth=1")["authorized_user"] == "bob@example.com"
    finally:
        alice.close()
        bob.close()


def test_verify_and_map_ignores_connect_user(ops_server, pki):
    """The certificate picks the user; a CONNECT user name is ignored (with
    a warning in nats-server's log)."""
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify_and_map: true", MAP_USERS)
    c = TLSClient(srv.port, client_context(pki, "client-dn"))
    try:
        c.connect(user="bob@example.com")
        out = c.exchange(pub("bob.x", b"1"))
        assert out == b"-ERR 'Permissions Violation for Publish to \"bob.x\"'\r\nPONG\r\n", out
    finally:
        c.close()


@pytest.mark.parametrize("connect", [{"user": "bob@example.com", "pass": "x"},
                                     {"pass": "x"}])
def test_verify_and_map_refuses_connect_password(ops_server, pki, connect):
    """nats-server compares a CONNECT password with the mapped user's (empty)
    one: Authorization Violation."""
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify_and_map: true", MAP_USERS)
    bystander = tls_client(srv, pki, "client-dn")
    try:
        c = TLSClient(srv.port, client_context(pki, "client-dn"))
        try:
            c.send(b"CONNECT " + json.dumps({"verbose": False, **connect}).encode()
                   + b"\r\nPING\r\n")
            data = c.read_until_closed()
        finally:
            c.close()
        assert data == b"-ERR 'Authorization Violation'\r\n", data
        assert_tls_healthy(srv, pki, bystander, cert="client-dn", subject="alice.health")
    finally:
        bystander.close()


@pytest.mark.parametrize("cert", ["client-dns", "ecdsa-p256"])
def test_verify_and_map_unmapped_cert_is_refused(ops_server, pki, cert):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify_and_map: true", MAP_USERS)
    bystander = tls_client(srv, pki, "client-dn")
    try:
        c = TLSClient(srv.port, client_context(pki, cert))
        try:
            c.send(b'CONNECT {"verbose":false}\r\nPING\r\n')
            data = c.read_until_closed()
        finally:
            c.close()
        assert data == b"-ERR 'Authorization Violation'\r\n", data
        assert_tls_healthy(srv, pki, bystander, cert="client-email", subject="bob.health")
    finally:
        bystander.close()


# --------------------------------------------------------------------------
# pinned_certs, cipher_suites, min_version
# --------------------------------------------------------------------------

def test_pinned_certs(ops_server, pki):
    pin = spki_sha256(pki / "client-dn.pem")
    assert re.fullmatch(r"[0-9a-f]{64}", pin)
    srv = tls_server(ops_server, pki,
                     ca_line(pki) + f'  verify: true\n  pinned_certs: ["{pin}"]')
    with tls_client(srv, pki, "client-dn") as good:
        good.assert_open()
        # client-email is signed by the same CA, but not pinned
        tls_connect_fails(srv.port, client_context(pki, "client-email"))
        assert_tls_healthy(srv, pki, good, cert="client-dn")


def test_cipher_suites_restrict_tls12(ops_server, pki):
    srv = tls_server(ops_server, pki,
                     '  cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]',
                     monitor=True)
    tls12 = ssl.TLSVersion.TLSv1_2
    good = TLSClient(srv.port, client_context(pki, max_version=tls12,
                                              ciphers="ECDHE-RSA-AES128-GCM-SHA256"))
    try:
        good.connect(name="tls12")
        assert good.sock.version() == "TLSv1.2"
        assert good.sock.cipher()[0] == "ECDHE-RSA-AES128-GCM-SHA256"
        # a TLS 1.2 client offering only another suite fails the handshake
        for other in ("ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"):
            tls_connect_fails(srv.port, client_context(pki, max_version=tls12, ciphers=other))
        # the list does not constrain TLS 1.3
        with tls_client(srv, pki) as c13:
            assert c13.sock.version() == "TLSv1.3"
        c = connz_by_name(srv, "tls12")
        assert c["tls_version"] == "1.2"
        assert c["tls_cipher_suite"] == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        assert_tls_healthy(srv, pki, good)
    finally:
        good.close()


@needs_go_2_10
def test_min_version_13_refuses_tls12_client(ops_server, pki):
    srv = tls_server(ops_server, pki, '  min_version: "1.3"')
    with tls_client(srv, pki) as ok:
        assert ok.sock.version() == "TLSv1.3"
        tls_connect_fails(srv.port, client_context(pki, max_version=ssl.TLSVersion.TLSv1_2))
        assert_tls_healthy(srv, pki, ok)


def test_default_accepts_tls12_client(ops_server, pki):
    srv = tls_server(ops_server, pki)
    with tls_client(srv, pki, max_version=ssl.TLSVersion.TLSv1_2) as c:
        assert c.sock.version() == "TLSv1.2"
        c.assert_open()


def test_tls11_client_is_refused(ops_server, pki):
    """TLS 1.2 is the minimum."""
    srv = tls_server(ops_server, pki)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx = client_context(pki, min_version=ssl.TLSVersion.TLSv1,
                                 max_version=ssl.TLSVersion.TLSv1_1)
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except (ssl.SSLError, ValueError) as e:
        pytest.skip(f"local OpenSSL cannot offer TLS 1.1: {e}")
    tls_connect_fails(srv.port, ctx)
    assert_tls_healthy(srv, pki)


# --------------------------------------------------------------------------
# handshake_first
# --------------------------------------------------------------------------

@needs_go_2_10
def test_handshake_first(ops_server, pki):
    srv = tls_server(ops_server, pki, "  handshake_first: true\n  timeout: 1")
    with TLSClient(srv.port, client_context(pki), handshake_first=True) as c:
        assert c.info["tls_required"] is True
        c.connect()
        out = c.exchange(b"SUB hf 1\r\n" + pub("hf", b"first"))
        assert out == msg("hf", 1, b"first") + b"PONG\r\n"
        # an INFO-first client waits for an INFO that never comes, and is
        # closed at the TLS timeout
        with RawClient(srv.port, read_info=False) as plain:
            t0 = time.monotonic()
            data = plain.read_until_closed(timeout=10)
            assert data == b"", data
            assert time.monotonic() - t0 < 8
        tls_connect_fails(srv.port, client_context(pki), handshake_first=False)
        c.assert_open()

    async def main():
        nc = await nats_connect(srv, tls=client_context(pki), tls_hostname="localhost",
                                tls_handshake_first=True)
        try:
            sub = await nc.subscribe("hf.py")
            await nats_flush(nc)
            await nc.publish("hf.py", b"x")
            assert (await sub.next_msg(timeout=5)).data == b"x"
        finally:
            await nc.close()
        with pytest.raises(Exception):
            await nats_connect(srv, tls=client_context(pki), tls_hostname="localhost",
                               connect_timeout=3)
    run(main())
    assert_tls_handshake_first_healthy(srv, pki)


def assert_tls_handshake_first_healthy(srv, pki_dir):
    assert srv.alive()
    with TLSClient(srv.port, client_context(pki_dir), handshake_first=True) as c:
        c.connect()
        c.assert_open()


# --------------------------------------------------------------------------
# handshake timeout
# --------------------------------------------------------------------------

@pytest.mark.parametrize("stall", ["nothing", "partial_client_hello"])
def test_stalled_handshake_closed_after_tls_timeout(ops_server, pki, stall):
    srv = tls_server(ops_server, pki, "  timeout: 1")
    bystander = tls_client(srv, pki)
    try:
        with RawClient(srv.port) as c:
            assert c.info["tls_required"] is True
            t0 = time.monotonic()
            if stall == "partial_client_hello":
                # a handshake record header announcing 512 bytes, and 6 of them
                c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
            c.read_until_closed(timeout=8)
            elapsed = time.monotonic() - t0
        assert 0.7 <= elapsed <= 4.0, elapsed
        assert_tls_healthy(srv, pki, bystander)
    finally:
        bystander.close()


# --------------------------------------------------------------------------
# configuration errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["key_mismatch", "missing_cert", "missing_key", "missing_ca"])
def test_bad_tls_files_fail_config_check_with_position(pki, tmp_path, case):
    cert, key, ca = pki / "server.pem", pki / "server-key.pem", ""
    if case == "key_mismatch":
        cert, key = pki / "mismatch.pem", pki / "mismatch-key.pem"
    elif case == "missing_cert":
        cert = tmp_path / "nope.pem"
    elif case == "missing_key":
        key = tmp_path / "nope-key.pem"
    else:
        ca = f'  ca_file: "{tmp_path / "nope-ca.pem"}"\n  verify: true\n'
    conf = tmp_path / "tls.conf"
    conf.write_text(f'port: 4222\ntls {{\n  cert_file: "{cert}"\n  key_file: "{key}"\n{ca}}}\n')
    r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    m = re.search(r"tls\.conf:(\d+):(\d+): ", out)
    assert m, out
    assert 2 <= int(m.group(1)) <= 6, out      # inside the tls block
    if case != "key_mismatch":
        assert "nope" in out, out
    # and the server does not start with it
    r = run_binary(["-a", "127.0.0.1", "-p", str(free_port()), "-c", str(conf)], cwd=tmp_path)
    assert r.returncode == 1


def test_bad_pinned_cert_and_cipher_fail_config_check(pki, tmp_path):
    for extra, word in (('  pinned_certs: ["abc"]', "pinned_certs"),
                        ('  cipher_suites: ["TLS_BOGUS"]', "TLS_BOGUS")):
        conf = tmp_path / "tls.conf"
        conf.write_text("port: 4222\n" + tls_block(pki, extra))
        r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
        out = r.stdout + r.stderr
        assert r.returncode == 1, out
        assert re.search(r"tls\.conf:5:\d+: ", out), out
        assert word in out


# --------------------------------------------------------------------------
# monitoring
# --------------------------------------------------------------------------

def test_connz_tls_fields(ops_server, pki):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true", monitor=True)
    with tls_client(srv, pki, "client-dn", name="tls-dn") as c:
        c.exchange(b"SUB a 1\r\n")
        conn = connz_by_name(srv, "tls-dn")
        version = c.sock.version()               # e.g. "TLSv1.3"
        assert conn["tls_version"] == version.replace("TLSv", "")
        suite = c.sock.cipher()[0]
        assert conn["tls_cipher_suite"] == IANA.get(suite, suite)
        conn = connz_by_name(srv, "tls-dn", "&auth=1")
        leaf = conn["tls_peer_certs"][0]
        assert leaf["subject"] == ALICE_DN
        assert leaf["spki_sha256"] == spki_sha256(pki / "client-dn.pem")
        der = ssl.PEM_cert_to_DER_cert((pki / "client-dn.pem").read_text())
        assert leaf["cert_sha256"] == hashlib.sha256(der).hexdigest()


def test_connz_tls_peer_certs_only_with_auth_param(ops_server, pki):
    """nats-server adds tls_peer_certs only for /connz?auth=1."""
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true", monitor=True)
    with tls_client(srv, pki, "client-dn", name="tls-dn"):
        conn = connz_by_name(srv, "tls-dn")
        assert "tls_version" in conn
        assert "tls_peer_certs" not in conn, conn


def test_connz_tls_peer_certs_list_the_chain_the_client_sent(ops_server, pki, tmp_path):
    """nats-server lists every certificate the client presented
    (ConnectionState().PeerCertificates), leaf first."""
    if not IS_GO:
        pytest.skip("known gap: swift-nio-ssl exposes only the peer's leaf certificate, "
                    "so Starling lists the leaf alone (documented in the README)")
    chain = tmp_path / "alice-chain.pem"
    chain.write_text((pki / "client-dn.pem").read_text() + (pki / "ca.pem").read_text())
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true", monitor=True)
    ctx = client_context(pki)
    ctx.load_cert_chain(str(chain), str(pki / "client-dn-key.pem"))
    c = TLSClient(srv.port, ctx)
    try:
        c.connect(name="chain")
        certs = connz_by_name(srv, "chain", "&auth=1")["tls_peer_certs"]
        assert [x["subject"] for x in certs] == \
            [ALICE_DN, "CN=Starling Test CA,O=Starling Test"], certs
        assert certs[1]["spki_sha256"] == spki_sha256(pki / "ca.pem")
    finally:
        c.close()


def test_connz_no_tls_fields_for_plain_connections(ops_server):
    srv = ops_server(monitor=True)
    with RawClient(srv.port) as c:
        c.connect(name="plain")
        conn = connz_by_name(srv, "plain", "&auth=1")
        assert "tls_version" not in conn and "tls_peer_certs" not in conn


def test_varz_tls_flags(ops_server, pki):
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true\n  timeout: 3",
                     monitor=True)
    v = srv.json("/varz")
    assert v["tls_required"] is True
    assert v["tls_verify"] is True
    assert v["tls_timeout"] == 3


def test_https_port_serves_varz(ops_server, pki):
    srv = tls_server(ops_server, pki, tail="https_port: @MPORT@\n")
    status, body = srv.get("/varz", scheme="https", context=client_context(pki),
                           host="localhost")
    assert status == 200
    v = json.loads(body)
    assert v["https_port"] == srv.mport and v["tls_required"] is True
    # plain HTTP on the HTTPS port gets no JSON
    with socket.create_connection(("127.0.0.1", srv.mport), timeout=5) as s:
        s.settimeout(5)
        s.sendall(b"GET /varz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            reply = s.recv(4096)
        except OSError:
            reply = b""
    assert b"server_id" not in reply
    assert srv.get("/healthz", scheme="https", context=client_context(pki),
                   host="localhost")[0] == 200


def test_https_monitor_does_not_require_client_cert(ops_server, pki):
    """With verify: true on the client listener, the HTTPS monitor still
    serves clients without a certificate (nats-server sets NoClientCert on
    the monitor's TLS config)."""
    srv = tls_server(ops_server, pki, ca_line(pki) + "  verify: true",
                     tail="https_port: @MPORT@\n")
    status, body = srv.get("/varz", scheme="https", context=client_context(pki),
                           host="localhost")
    assert status == 200
    assert json.loads(body)["tls_verify"] is True
