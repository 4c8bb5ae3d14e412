"""Authentication: user/password, users lists, bcrypt, tokens, nkeys,
no_auth_user, --user/--pass/--auth, auth timeout, failures.

Every failure is checked byte for byte (`-ERR 'Authorization Violation'`
then close) and followed by a check that already-connected clients and
new, correctly authenticated clients keep working.  Expectations were
observed on nats-server 2.9.10 and 2.15.1 unless a comment says otherwise.
"""

import time

import pytest

from authsupport import (AUTH_TIMEOUT, AUTH_VIOLATION, NKeyUser, assert_silent,
                         assert_works, bcrypt_hash, connect_line, connect_raw,
                         expect_auth_failure, pub_violation, sub_violation)
from conftest import msg, nats_connect, nats_flush, pub, run

SINGLE = 'authorization { user: alice, password: "Al1ce-pw" }\n'

USERS = """
authorization {
  users [
    { user: alice, password: "Al1ce-pw" }
    { user: bob,   password: "B0b-pw" }
    { user: "carol", password: "c@rol pw with spaces" }
    { user: "zoë", password: "pässwörd-€" }
  ]
}
"""


def test_no_auth_server_has_no_auth_required_and_no_nonce(server):
    with server.client() as c:
        assert c.info.get("auth_required", False) is False
        assert "nonce" not in c.info


# --------------------------------------------------------------------------
# single user / password
# --------------------------------------------------------------------------

def test_single_user_password_raw(server_factory):
    srv = server_factory(SINGLE)
    with srv.client() as c:
        assert c.info["auth_required"] is True
        assert "nonce" not in c.info  # no nkeys configured
    bystander = connect_raw(srv, user="alice", **{"pass": "Al1ce-pw"})
    try:
        for opts in [
            {},                                                # no credentials
            {"user": "alice", "pass": "wrong"},                # wrong password
            {"user": "alice", "pass": "al1ce-pw"},             # case matters
            {"user": "alice", "pass": "Al1ce-pw "},            # trailing space
            {"user": "alice", "pass": ""},
            {"user": "alice"},
            {"user": "mallory", "pass": "Al1ce-pw"},           # unknown user
            {"user": "Alice", "pass": "Al1ce-pw"},             # user names are case-sensitive
            {"auth_token": "Al1ce-pw"},                        # token instead of user/pass
        ]:
            expect_auth_failure(srv, connect_line(**opts) + b"PING\r\n")
            bystander.assert_open()
        assert_works(srv, user="alice", **{"pass": "Al1ce-pw"})
    finally:
        bystander.close()


def test_single_user_password_nats_py(server_factory):
    import nats
    import nats.errors
    srv = server_factory(SINGLE)

    async def main():
        nc = await nats_connect(srv, user="alice", password="Al1ce-pw")
        sub = await nc.subscribe("greet.*")
        await nc.publish("greet.joe", b"hello")
        m = await sub.next_msg(timeout=5)
        assert (m.subject, m.data) == ("greet.joe", b"hello")
        # Credentials in the URL work the same.
        nc2 = await nats.connect(f"nats://alice:Al1ce-pw@127.0.0.1:{srv.port}",
                                 allow_reconnect=False, connect_timeout=5)
        await nc2.publish("greet.ann", b"hi")
        await nats_flush(nc2)
        m = await sub.next_msg(timeout=5)
        assert (m.subject, m.data) == ("greet.ann", b"hi")
        await nc2.close()
        for kw in ({"user": "alice", "password": "nope"},
                   {"user": "eve", "password": "Al1ce-pw"},
                   {}):
            with pytest.raises(nats.errors.Error):
                bad = await nats_connect(srv, **kw)
                await bad.close()
        # The good connection is unaffected by the failures.
        await nc.publish("greet.again", b"x")
        m = await sub.next_msg(timeout=5)
        assert m.subject == "greet.again"
        await nc.close()

    run(main())


# --------------------------------------------------------------------------
# users list
# --------------------------------------------------------------------------

@pytest.mark.parametrize("user,password", [
    ("alice", "Al1ce-pw"), ("bob", "B0b-pw"), ("carol", "c@rol pw with spaces"),
    ("zoë", "pässwörd-€")], ids=["alice", "bob", "carol", "unicode"])
def test_users_list_each_user(server_factory, user, password):
    srv = server_factory(USERS)
    assert_works(srv, user=user, **{"pass": password})


def test_users_list_failures(server_factory):
    srv = server_factory(USERS)
    alice = connect_raw(srv, user="alice", **{"pass": "Al1ce-pw"})
    bob = connect_raw(srv, user="bob", **{"pass": "B0b-pw"})
    try:
        assert alice.exchange(b"SUB chat 1\r\n") == b"PONG\r\n"
        for opts in [
            {"user": "alice", "pass": "B0b-pw"},      # another user's password
            {"user": "bob", "pass": "Al1ce-pw"},
            {"user": "dave", "pass": "x"},            # unknown user
            {"user": "", "pass": ""},
            {"pass": "B0b-pw"},
            {},
        ]:
            expect_auth_failure(srv, connect_line(**opts) + b"PING\r\n")
        # The connected users are unaffected and see each other.
        assert bob.exchange(pub("chat", b"hi")) == b"PONG\r\n"
        assert alice.exchange() == msg("chat", 1, b"hi") + b"PONG\r\n"
    finally:
        alice.close()
        bob.close()


# --------------------------------------------------------------------------
# bcrypt
# --------------------------------------------------------------------------

def test_bcrypt_passwords(server_factory):
    h2a = bcrypt_hash("pw-2a", "2a")
    h2b = bcrypt_hash("pw-2b", "2b")
    # $2y$ is the same algorithm (crypt_blowfish's name for it).
    h2y = "$2y$" + bcrypt_hash("pw-2y", "2b")[4:]
    # An unquoted $2a$ hash is a bcrypt literal, not a $variable;
    # other prefixes must be quoted.
    conf = f"""
authorization {{
  users [
    {{ user: u2a, password: {h2a} }}
    {{ user: u2b, password: "{h2b}" }}
    {{ user: u2y, password: "{h2y}" }}
  ]
}}
"""
    srv = server_factory(conf)
    bystander = connect_raw(srv, user="u2a", **{"pass": "pw-2a"})
    try:
        for user, pw in (("u2a", "pw-2a"), ("u2b", "pw-2b"), ("u2y", "pw-2y")):
            assert_works(srv, user=user, **{"pass": pw})
        for user, pw in (("u2a", "pw-2b"), ("u2b", "pw-2a"), ("u2a", h2a),
                         ("u2b", h2b), ("u2y", "pw-2Y"), ("u2a", "")):
            expect_auth_failure(srv, connect_line(user=user, **{"pass": pw}) + b"PING\r\n")
            bystander.assert_open()
    finally:
        bystander.close()


def test_bcrypt_single_user(server_factory):
    h = bcrypt_hash("solo-pw")
    srv = server_factory(f'authorization {{ user: solo, password: "{h}" }}\n')
    assert_works(srv, user="solo", **{"pass": "solo-pw"})
    expect_auth_failure(srv, connect_line(user="solo", **{"pass": h}) + b"PING\r\n")

    async def main():
        nc = await nats_connect(srv, user="solo", password="solo-pw")
        sub = await nc.subscribe("b.c")
        await nc.publish("b.c", b"1")
        assert (await sub.next_msg(timeout=5)).data == b"1"
        await nc.close()
    run(main())


def test_slow_bcrypt_does_not_stall_other_clients(server_factory):
    """While a costly bcrypt check runs, an existing client's traffic
    keeps flowing (cost 12 takes ~0.2-1 s)."""
    h = bcrypt_hash("slow-pw", rounds=12)
    fast = bcrypt_hash("fast-pw", rounds=4)
    srv = server_factory(f"""
authorization {{ users [ {{ user: slow, password: "{h}" }}, {{ user: fast, password: "{fast}" }} ] }}
""")
    a = connect_raw(srv, user="fast", **{"pass": "fast-pw"})
    try:
        assert a.exchange(b"SUB t 1\r\n") == b"PONG\r\n"
        with srv.client() as slow:
            slow.send(connect_line(user="slow", **{"pass": "slow-pw"}) + b"PING\r\n")
            for i in range(5):
                assert a.exchange(pub("t", b"%d" % i)) == msg("t", 1, b"%d" % i) + b"PONG\r\n"
            assert slow.read_until_pong() == b"PONG\r\n"
    finally:
        a.close()


# --------------------------------------------------------------------------
# token
# --------------------------------------------------------------------------

@pytest.mark.parametrize("hashed", [False, True], ids=["plain", "bcrypt"])
def test_token(server_factory, hashed):
    import nats.errors
    secret = "T0ken-s3cret"
    stored = bcrypt_hash(secret) if hashed else secret
    srv = server_factory(f'authorization {{ token: "{stored}" }}\n')
    with srv.client() as c:
        assert c.info["auth_required"] is True
        assert "nonce" not in c.info
    bystander = connect_raw(srv, auth_token=secret)
    try:
        assert_works(srv, auth_token=secret)
        bad = [{}, {"auth_token": "wrong"}, {"auth_token": secret.lower()},
               {"user": secret}, {"user": "x", "pass": secret}, {"auth_token": ""}]
        if hashed:
            bad.append({"auth_token": stored})
        for opts in bad:
            expect_auth_failure(srv, connect_line(**opts) + b"PING\r\n")
            bystander.assert_open()

        async def main():
            nc = await nats_connect(srv, token=secret)
            sub = await nc.subscribe("tok.>")
            await nc.publish("tok.a", b"t")
            assert (await sub.next_msg(timeout=5)).subject == "tok.a"
            with pytest.raises(nats.errors.Error):
                nc2 = await nats_connect(srv, token="bad")
                await nc2.close()
            await nc.close()
        run(main())
    finally:
        bystander.close()


# --------------------------------------------------------------------------
# nkeys
# --------------------------------------------------------------------------

def nkey_config(*users: NKeyUser, extra: str = "") -> str:
    entries = "\n".join(f"    {{ nkey: {u.public} }}" for u in users)
    return f"authorization {{\n  users [\n{entries}\n{extra}  ]\n}}\n"


def test_nkey_info_carries_nonce(server_factory):
    u = NKeyUser()
    srv = server_factory(nkey_config(u))
    nonces = set()
    for _ in range(3):
        with srv.client() as c:
            assert c.info["auth_required"] is True
            nonce = c.info["nonce"]
            assert isinstance(nonce, str) and len(nonce) >= 11
            nonces.add(nonce)
    assert len(nonces) == 3  # a fresh nonce per connection


@pytest.mark.parametrize("sig_encoding", ["urlsafe-unpadded", "std-padded"])
def test_nkey_auth_raw(server_factory, sig_encoding):
    import base64
    u = NKeyUser()
    srv = server_factory(nkey_config(u))
    with srv.client() as c:
        raw = u.kp.sign(c.info["nonce"].encode())
        sig = (base64.urlsafe_b64encode(raw).decode().rstrip("=")
               if sig_encoding == "urlsafe-unpadded" else base64.b64encode(raw).decode())
        c.connect(nkey=u.public, sig=sig)
        assert c.exchange(b"SUB nk 1\r\n" + pub("nk", b"signed")) == \
            msg("nk", 1, b"signed") + b"PONG\r\n"


def test_nkey_failures(server_factory):
    u = NKeyUser()
    other = NKeyUser()     # not configured
    srv = server_factory(nkey_config(u))
    good = srv.client()
    try:
        good.connect(nkey=u.public, sig=u.sign(good.info["nonce"]))
        old_nonce = good.info["nonce"]

        def attempt(make_opts):
            with srv.client() as c:
                c.send(connect_line(**make_opts(c.info["nonce"])) + b"PING\r\n")
                assert c.read_until_closed() == AUTH_VIOLATION
            good.assert_open()

        # Replay: a valid signature, but for another connection's nonce.
        attempt(lambda n: {"nkey": u.public, "sig": u.sign(old_nonce)})
        # Signed by another key.
        attempt(lambda n: {"nkey": u.public, "sig": other.sign(n)})
        # Garbage / truncated / missing signature.
        attempt(lambda n: {"nkey": u.public, "sig": "AAAA" + u.sign(n)[4:]})
        attempt(lambda n: {"nkey": u.public, "sig": u.sign(n)[:40]})
        attempt(lambda n: {"nkey": u.public, "sig": "not base64 !!"})
        attempt(lambda n: {"nkey": u.public})
        # An unknown (but correctly signing) nkey.
        attempt(lambda n: {"nkey": other.public, "sig": other.sign(n)})
        # A malformed public key.
        attempt(lambda n: {"nkey": "UABC", "sig": u.sign(n)})
        # No credentials at all.
        attempt(lambda n: {})
        assert good.exchange(b"SUB after 1\r\n" + pub("after", b"ok")) == \
            msg("after", 1, b"ok") + b"PONG\r\n"
    finally:
        good.close()


def test_nkey_nats_py(server_factory, tmp_path):
    import nats.errors
    u = NKeyUser()
    other = NKeyUser()
    srv = server_factory(nkey_config(u))
    seed_file = tmp_path / "user.nk"
    seed_file.write_bytes(u.seed + b"\n")
    other_file = tmp_path / "other.nk"
    other_file.write_bytes(other.seed)

    async def main():
        nc = await nats_connect(srv, nkeys_seed=str(seed_file))
        sub = await nc.subscribe("nk.py")
        await nc.publish("nk.py", b"via nats-py")
        assert (await sub.next_msg(timeout=5)).data == b"via nats-py"
        with pytest.raises(nats.errors.Error):
            nc2 = await nats_connect(srv, nkeys_seed=str(other_file))
            await nc2.close()
        await nc.publish("nk.py", b"still")
        assert (await sub.next_msg(timeout=5)).data == b"still"
        await nc.close()

    run(main())


def test_nkeys_and_passwords_together(server_factory):
    u = NKeyUser()
    srv = server_factory(nkey_config(u, extra='    { user: pwuser, password: "pw" }\n'))
    with srv.client() as c:
        assert "nonce" in c.info  # nkeys configured: nonce for everyone
        c.connect(user="pwuser", **{"pass": "pw"})
    with srv.client() as c:
        c.connect(nkey=u.public, sig=u.sign(c.info["nonce"]))
    expect_auth_failure(srv, connect_line(user="pwuser", **{"pass": "x"}) + b"PING\r\n")


# --------------------------------------------------------------------------
# no_auth_user
# --------------------------------------------------------------------------

NO_AUTH = """
authorization {
  users [
    { user: admin, password: "adm1n" }
    { user: guest, password: "guest-pw",
      permissions: { publish: ["public.>", "_INBOX.>"], subscribe: ["public.>", "_INBOX.>"] } }
  ]
}
no_auth_user: guest
"""


def test_no_auth_user_gets_its_permissions(server_factory):
    srv = server_factory(NO_AUTH)
    admin = connect_raw(srv, user="admin", **{"pass": "adm1n"})
    anon = connect_raw(srv)  # CONNECT without credentials: becomes guest
    try:
        # Not ">": nats-server 2.15 publishes $SYS.ACCOUNT.CLIENT.AUTH.ERR
        # advisories into the global account when there is no accounts {}.
        assert admin.exchange(b"SUB public.> 1\r\nSUB private.> 2\r\n"
                              b"SUB _INBOX.> 3\r\n") == b"PONG\r\n"
        assert anon.exchange(b"SUB public.> 5\r\n") == b"PONG\r\n"
        assert anon.exchange(b"SUB private.x 6\r\n") == \
            sub_violation("private.x") + b"PONG\r\n"
        assert anon.exchange(pub("public.news", b"n")) == \
            msg("public.news", 5, b"n") + b"PONG\r\n"
        assert admin.exchange() == msg("public.news", 1, b"n") + b"PONG\r\n"
        assert anon.exchange(pub("private.x", b"p")) == \
            pub_violation("private.x") + b"PONG\r\n"
        assert_silent(admin)
        anon.assert_open()
        # Explicit credentials still work, and wrong ones are not turned
        # into the no_auth_user.
        assert_works(srv, user="guest", **{"pass": "guest-pw"}, subject="_INBOX.check")
        assert admin.exchange() == msg("_INBOX.check", 3, b"ok") + b"PONG\r\n"
        expect_auth_failure(srv, connect_line(user="guest", **{"pass": "bad"}) + b"PING\r\n")
        expect_auth_failure(srv, connect_line(user="nobody", **{"pass": "x"}) + b"PING\r\n")
        expect_auth_failure(srv, connect_line(auth_token="adm1n") + b"PING\r\n")
        anon.assert_open()
        admin.assert_open()
    finally:
        admin.close()
        anon.close()


def test_no_auth_user_nats_py(server_factory):
    srv = server_factory(NO_AUTH)

    async def main():
        errors = []
        nc = await nats_connect(srv, errors=errors)
        sub = await nc.subscribe("public.>")
        await nc.publish("public.a", b"1")
        await nc.publish("secret.a", b"2")
        await nats_flush(nc)
        m = await sub.next_msg(timeout=5)
        assert (m.subject, m.data) == ("public.a", b"1")
        deadline = time.monotonic() + 5
        while not errors and time.monotonic() < deadline:
            await __import__("asyncio").sleep(0.02)
        # (nats-py lower-cases the text it reports)
        assert any('permissions violation for publish to "secret.a"' in str(e).lower()
                   for e in errors), errors
        assert nc.is_connected
        await nc.close()

    run(main())


@pytest.mark.go_quirk
def test_no_auth_user_may_skip_connect(server_factory):
    """With no_auth_user, a client may send other operations before (or
    without) CONNECT, as in a telnet demo (nats-server parser.go)."""
    srv = server_factory(NO_AUTH)
    with srv.client() as c:
        # No CONNECT: nats-server's defaults apply, so verbose is on (+OK).
        assert c.exchange(b"SUB public.t 1\r\n" + pub("public.t", b"hi")) == \
            b"+OK\r\n+OK\r\n" + msg("public.t", 1, b"hi") + b"PONG\r\n"
        assert c.exchange(pub("private.t", b"no")) == pub_violation("private.t") + b"PONG\r\n"


def test_no_auth_user_in_account(server_factory):
    srv = server_factory("""
accounts {
  A { users [ { user: anon, password: "anon-pw" }, { user: a2, password: "a2" } ] }
  B { users [ { user: b1, password: "b1" } ] }
}
no_auth_user: anon
""")
    a2 = connect_raw(srv, user="a2", **{"pass": "a2"})
    b1 = connect_raw(srv, user="b1", **{"pass": "b1"})
    anon = connect_raw(srv)
    try:
        assert a2.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert b1.exchange(b"SUB > 1\r\n") == b"PONG\r\n"
        assert anon.exchange(pub("hello", b"from anon")) == b"PONG\r\n"
        assert a2.exchange() == msg("hello", 1, b"from anon") + b"PONG\r\n"
        assert_silent(b1)
    finally:
        for c in (a2, b1, anon):
            c.close()


# --------------------------------------------------------------------------
# command-line credentials
# --------------------------------------------------------------------------

def test_cli_user_pass(server_factory):
    srv = server_factory(None, extra_args=("--user", "cliuser", "--pass", "cl1-pw"))
    with srv.client() as c:
        assert c.info["auth_required"] is True
    assert_works(srv, user="cliuser", **{"pass": "cl1-pw"})
    for opts in ({}, {"user": "cliuser", "pass": "x"}, {"user": "x", "pass": "cl1-pw"}):
        expect_auth_failure(srv, connect_line(**opts) + b"PING\r\n")
    assert_works(srv, user="cliuser", **{"pass": "cl1-pw"})


def test_cli_auth_token(server_factory):
    srv = server_factory(None, extra_args=("--auth", "cl1-token"))
    with srv.client() as c:
        assert c.info["auth_required"] is True
    assert_works(srv, auth_token="cl1-token")
    for opts in ({}, {"auth_token": "x"}, {"user": "cl1-token"}):
        expect_auth_failure(srv, connect_line(**opts) + b"PING\r\n")

    async def main():
        nc = await nats_connect(srv, token="cl1-token")
        await nc.close()
    run(main())


def test_cli_flags_override_config(server_factory):
    srv = server_factory('authorization { user: confuser, password: "conf-pw" }\n',
                         extra_args=("--user", "flaguser", "--pass", "flag-pw"))
    assert_works(srv, user="flaguser", **{"pass": "flag-pw"})
    expect_auth_failure(srv, connect_line(user="confuser", **{"pass": "conf-pw"}) + b"PING\r\n")


# --------------------------------------------------------------------------
# operations before CONNECT, authorization timeout
# --------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"PING\r\n",
    b"SUB foo 1\r\n",
    pub("foo", b"x"),
    b"UNSUB 1\r\n",
    b"PONG\r\n",
], ids=["PING", "SUB", "PUB", "UNSUB", "PONG"])
def test_operation_before_connect_is_auth_violation(server_factory, data):
    srv = server_factory(SINGLE)
    watcher = connect_raw(srv, user="alice", **{"pass": "Al1ce-pw"})
    try:
        assert watcher.exchange(b"SUB foo 1\r\n") == b"PONG\r\n"
        expect_auth_failure(srv, data + connect_line(user="alice", **{"pass": "Al1ce-pw"}))
        assert_silent(watcher)  # the PUB before CONNECT was not delivered
    finally:
        watcher.close()


def test_authorization_timeout(server_factory):
    srv = server_factory('authorization { user: alice, password: "Al1ce-pw", timeout: 1 }\n')
    bystander = connect_raw(srv, user="alice", **{"pass": "Al1ce-pw"})
    try:
        with srv.client() as idle:
            t0 = time.monotonic()
            got = idle.read_until_closed(timeout=10)
            elapsed = time.monotonic() - t0
            assert got == AUTH_TIMEOUT
            assert 0.5 <= elapsed <= 5.0, elapsed
        # A partial CONNECT line does not stop the timer either.
        with srv.client() as slow:
            slow.send(b'CONNECT {"user":"alice",')
            assert slow.read_until_closed(timeout=10) == AUTH_TIMEOUT
        # A client that authenticated in time is not affected by the timer.
        with srv.client() as ok:
            ok.connect(user="alice", **{"pass": "Al1ce-pw"})
            time.sleep(1.5)
            ok.assert_open()
        bystander.assert_open()
    finally:
        bystander.close()


def test_default_authorization_timeout_is_two_seconds(server_factory):
    srv = server_factory(SINGLE)
    with srv.client() as idle:
        t0 = time.monotonic()
        assert idle.read_until_closed(timeout=15) == AUTH_TIMEOUT
        elapsed = time.monotonic() - t0
        assert 1.5 <= elapsed <= 6.0, elapsed


# --------------------------------------------------------------------------
# the log never shows secrets
# --------------------------------------------------------------------------

# With -DV nats-server traces every CONNECT, with "pass" redacted.
# (2.9.10 does not redact "auth_token" in traces, so tokens are only
# checked without tracing.)
@pytest.mark.parametrize("flags", [(), ("-DV",)], ids=["default", "trace"])
def test_log_never_contains_secrets(server_factory, flags):
    pw = "Sup3rS3cretPassw0rd"
    wrong = "Wr0ngGuessPassw0rd"
    token_user_pw = "An0therS3cret"
    srv = server_factory(extra_args=flags, config=f"""
authorization {{
  users [
    {{ user: alice, password: "{pw}" }}
    {{ user: bob, password: "{token_user_pw}", permissions: {{ publish: "ok" }} }}
  ]
}}
""")
    c = connect_raw(srv, user="alice", **{"pass": pw})
    c.close()
    expect_auth_failure(srv, connect_line(user="alice", **{"pass": wrong}) + b"PING\r\n")
    expect_auth_failure(srv, connect_line(user="ghost", **{"pass": wrong}) + b"PING\r\n")
    if not flags:
        expect_auth_failure(srv, connect_line(auth_token=wrong) + b"PING\r\n")
    with connect_raw(srv, user="bob", **{"pass": token_user_pw}) as b:
        assert b.exchange(pub("denied", b"x")) == pub_violation("denied") + b"PONG\r\n"
    assert_works(srv, user="alice", **{"pass": pw})
    log = srv.log()
    for secret in (pw, wrong, token_user_pw):
        assert secret not in log, f"{secret!r} in server log:\n{log[-3000:]}"


# --------------------------------------------------------------------------
# configuration errors
# --------------------------------------------------------------------------

BAD_AUTH_CONFIGS = {
    "user-and-users": 'authorization { user: x, password: y, users [ { user: a, password: b } ] }\n',
    "token-and-users": 'authorization {\n  token: t\n  users [ { user: a, password: b } ]\n}\n',
    "duplicate-user": 'authorization {\n  users [ { user: a, password: b }, { user: a, password: c } ]\n}\n',
    "duplicate-user-across-accounts":
        'accounts {\n  A { users [ { user: a, password: b } ] }\n'
        '  B { users [ { user: a, password: c } ] }\n}\n',
}


@pytest.mark.parametrize("case", list(BAD_AUTH_CONFIGS))
def test_bad_auth_config_fails_check(tmp_path, case):
    import re
    from authsupport import check_config
    res = check_config(tmp_path, BAD_AUTH_CONFIGS[case])
    assert res.returncode != 0, res.stdout
    assert re.search(r"check\.conf:\d+:\d+", res.stdout), res.stdout


def test_unknown_no_auth_user_stops_startup(tmp_path):
    # (nats-server 2.9.10's -t does not check this; starting does.)
    import subprocess
    from conftest import free_port, server_binary
    path = tmp_path / "na.conf"
    path.write_text('authorization { users [ { user: a, password: b } ] }\nno_auth_user: ghost\n')
    res = subprocess.run([str(server_binary()), "-a", "127.0.0.1", "-p", str(free_port()),
                          "-c", str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=20, text=True, errors="replace")
    assert res.returncode != 0, res.stdout
    assert "ghost" in res.stdout, res.stdout


def test_fractional_authorization_timeout(server_factory):
    srv = server_factory('authorization { token: "t", timeout: 0.5 }\n')
    with srv.client() as idle:
        t0 = time.monotonic()
        assert idle.read_until_closed(timeout=10) == AUTH_TIMEOUT
        assert time.monotonic() - t0 <= 3.0


def test_many_failing_logins_at_once(server_factory):
    """50 wrong passwords and 20 silent clients at the same time: each gets
    its own error, and a working client's traffic is not disturbed."""
    import threading
    srv = server_factory('authorization { users [ { user: u, password: "right" } ], timeout: 1 }\n')
    good = connect_raw(srv, user="u", **{"pass": "right"})
    results = []
    lock = threading.Lock()

    def bad_login(i):
        try:
            with srv.client() as c:
                c.send(connect_line(user="u", **{"pass": f"wrong{i}"}) + b"PING\r\n")
                r = c.read_until_closed()
        except Exception as e:  # noqa: BLE001 - reported below
            r = repr(e)
        with lock:
            results.append(("bad", r))

    def silent(_i):
        try:
            with srv.client() as c:
                r = c.read_until_closed()
        except Exception as e:  # noqa: BLE001
            r = repr(e)
        with lock:
            results.append(("silent", r))

    threads = [threading.Thread(target=bad_login, args=(i,)) for i in range(50)]
    threads += [threading.Thread(target=silent, args=(i,)) for i in range(20)]
    try:
        assert good.exchange(b"SUB g 1\r\n") == b"PONG\r\n"
        for t in threads:
            t.start()
        for i in range(20):
            assert good.exchange(pub("g", b"%d" % i)) == msg("g", 1, b"%d" % i) + b"PONG\r\n"
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
        assert sorted(r for kind, r in results if kind == "bad") == [AUTH_VIOLATION] * 50
        assert sorted(r for kind, r in results if kind == "silent") == [AUTH_TIMEOUT] * 20
        good.assert_open()
        assert_works(srv, user="u", **{"pass": "right"})
    finally:
        good.close()


def test_log_never_contains_token(server_factory):
    secret, wrong = "T0kenS3cretValue", "Wr0ngT0kenValue"
    srv = server_factory(f'authorization {{ token: "{secret}" }}\n')
    connect_raw(srv, auth_token=secret).close()
    expect_auth_failure(srv, connect_line(auth_token=wrong) + b"PING\r\n")
    assert_works(srv, auth_token=secret)
    log = srv.log()
    assert secret not in log and wrong not in log, log[-3000:]

