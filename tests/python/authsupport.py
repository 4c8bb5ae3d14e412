"""Helpers shared by the auth / permissions / accounts / reload suites.

Everything here is bounded in time and talks to 127.0.0.1 only.  Secrets
(bcrypt hashes, nkeys) are generated at test time.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import time
from typing import Optional

from conftest import RawClient, ServerProcess, msg, pub, server_binary

AUTH_VIOLATION = b"-ERR 'Authorization Violation'\r\n"
AUTH_TIMEOUT = b"-ERR 'Authentication Timeout'\r\n"


def err(text: str) -> bytes:
    """The exact -ERR frame for ``text``."""
    return f"-ERR '{text}'\r\n".encode()


def pub_violation(subject: str) -> bytes:
    return err(f'Permissions Violation for Publish to "{subject}"')


def sub_violation(subject: str, queue: Optional[str] = None) -> bytes:
    q = f' using queue "{queue}"' if queue is not None else ""
    return err(f'Permissions Violation for Subscription to "{subject}"{q}')


def reply_violation(reply: str) -> bytes:
    return err(f'Permissions Violation for Publish with Reply of "{reply}"')


# --------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------

def bcrypt_hash(secret: str, prefix: str = "2a", rounds: int = 4) -> str:
    import bcrypt
    h = bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds=rounds, prefix=prefix.encode()))
    h = h.decode()
    assert h.startswith(f"${prefix}$"), h
    return h


class NKeyUser:
    """A fresh user nkey: ``seed`` (bytes, S...), ``public`` (str, U...)."""

    def __init__(self):
        import nkeys
        self.seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
        self.kp = nkeys.from_seed(bytearray(self.seed))
        self.public = self.kp.public_key.decode()
        assert self.public.startswith("U") and len(self.public) == 56

    def sign(self, nonce: str) -> str:
        """base64url (unpadded) signature over the nonce string bytes,
        exactly what nats clients send."""
        sig = self.kp.sign(nonce.encode())
        return base64.urlsafe_b64encode(sig).decode().rstrip("=")


# --------------------------------------------------------------------------
# Raw helpers
# --------------------------------------------------------------------------

def connect_raw(srv: ServerProcess, **opts) -> RawClient:
    """A RawClient that sent CONNECT with ``opts`` (non-verbose) and got
    PONG for its PING."""
    c = srv.client()
    try:
        c.connect(**opts)
    except BaseException:
        c.close()
        raise
    return c


def expect_auth_failure(srv: ServerProcess, data: bytes,
                        expected: bytes = AUTH_VIOLATION,
                        timeout: float = 10.0) -> None:
    """A new connection sends ``data``; the server answers exactly
    ``expected`` and closes."""
    with srv.client() as c:
        if data:
            c.send(data)
        got = c.read_until_closed(timeout)
        assert got == expected, got


def connect_line(**opts) -> bytes:
    opts.setdefault("verbose", False)
    return b"CONNECT " + json.dumps(opts).encode() + b"\r\n"


def assert_silent(*clients: RawClient) -> None:
    """None of ``clients`` has received anything: each answers a PING with
    exactly PONG (so everything the server sent before is in front of it)."""
    for c in clients:
        got = c.exchange()
        assert got == b"PONG\r\n", got


def assert_works(srv: ServerProcess, subject: str = "auth.health", **connect_opts) -> None:
    """A fresh client with ``connect_opts`` can subscribe, publish and
    receive its own message."""
    with srv.client() as c:
        c.connect(**connect_opts)
        out = c.exchange(f"SUB {subject} 77\r\n".encode() + pub(subject, b"ok"))
        assert out == msg(subject, 77, b"ok") + b"PONG\r\n", out


def roundtrip(publisher: RawClient, subject: str, payload: bytes = b"x",
              reply: Optional[str] = None) -> bytes:
    """Publish and return what the publisher got back up to its PONG
    (b"PONG\\r\\n" when the publish was accepted)."""
    return publisher.exchange(pub(subject, payload, reply))


# --------------------------------------------------------------------------
# Server log / reload
# --------------------------------------------------------------------------

RELOADED = "Reloaded server configuration"
RELOAD_FAILED = "Failed to reload server configuration"


def wait_for_log(srv: ServerProcess, needle: str, count: int = 1,
                 timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = srv.log()
        if log.count(needle) >= count:
            return log
        time.sleep(0.02)
    raise AssertionError(f"{needle!r} x{count} not in the server log within "
                         f"{timeout}s; log tail:\n{srv.log()[-3000:]}")


def reload_config(srv: ServerProcess, new_config: str, expect_ok: bool = True) -> None:
    """Rewrite the server's config file and send SIGHUP; wait until the
    server logged that the reload succeeded (or failed)."""
    assert srv.config_path is not None and srv.alive()
    ok_before = srv.log().count(RELOADED)
    bad_before = srv.log().count(RELOAD_FAILED)
    srv.config_path.write_text(new_config)
    srv.proc.send_signal(signal.SIGHUP)
    if expect_ok:
        log = wait_for_log(srv, RELOADED, ok_before + 1)
        assert log.count(RELOAD_FAILED) == bad_before, log[-3000:]
    else:
        log = wait_for_log(srv, RELOAD_FAILED, bad_before + 1)
        assert log.count(RELOADED) == ok_before, log[-3000:]
    # Let the server finish applying the new options to live connections
    # before the test looks at them.
    time.sleep(0.2)


# --------------------------------------------------------------------------
# `-t` (test the configuration and exit)
# --------------------------------------------------------------------------

def check_config(tmp_path, text: str, name: str = "check.conf",
                 timeout: float = 20.0) -> subprocess.CompletedProcess:
    """Run ``<binary> -t -c <file>`` and return the finished process
    (stdout+stderr merged into .stdout)."""
    path = tmp_path / name
    path.write_text(text)
    return subprocess.run(
        [str(server_binary()), "-t", "-c", str(path)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=timeout, cwd=str(tmp_path),
        text=True, errors="replace")


def position_re(path_name: str, line: int) -> re.Pattern:
    """``<file>:<line>:<col>`` naming ``line`` of the checked file."""
    return re.compile(re.escape(path_name) + rf":{line}:\d+")


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in config")


def is_go_server() -> bool:
    return "nats-server" in server_binary().name


def split_frames(data: bytes) -> list:
    """The server frames in ``data`` (which must be complete)."""
    from conftest import split_frame
    out, buf = [], bytes(data)
    while buf:
        n = split_frame(buf)
        assert n is not None, f"incomplete frame in {buf[:200]!r}"
        out.append(buf[:n])
        buf = buf[n:]
    return out


def same_frames(got: bytes, expected: bytes) -> bool:
    """Same frames regardless of order (messages for different
    subscriptions of one connection may come in any order)."""
    return sorted(split_frames(got)) == sorted(split_frames(expected))
