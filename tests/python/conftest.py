"""Fixtures and helpers for the Starling end-to-end suite.

The same tests run against any NATS-compatible server binary; the binary
comes from ``NATS_SERVER_BIN`` (default ``.build/release/starling`` under the
project root).  It must accept nats-server's flags ``-a HOST -p PORT
[-c CONFIG]``.

Reference runs:
    NATS_SERVER_BIN=/usr/sbin/nats-server python3 -m pytest tests/python -q
    NATS_SERVER_BIN=.deps/natsbin/bin/nats-server python3 -m pytest tests/python -q

All traffic goes to 127.0.0.1 only, every wait is bounded, and every server
process started here is killed by PID at teardown.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import socket
import subprocess
import time
from typing import Callable, List, Optional, Tuple

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = ROOT / ".build" / "release" / "starling"

HOST = "127.0.0.1"
READY_TIMEOUT = 10.0       # server start-up
IO_TIMEOUT = 20.0          # generous: the CI machine has 2 loaded cores
CLOSE_TIMEOUT = 10.0       # how long we wait for the server to close a socket


# --------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------

def server_binary() -> pathlib.Path:
    env = os.environ.get("NATS_SERVER_BIN")
    if not env:
        return DEFAULT_BIN
    p = pathlib.Path(env)
    if not p.is_absolute():
        # Relative paths are taken relative to the current directory first,
        # then to the project root.
        p = p if p.exists() else ROOT / p
    return p.resolve()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "go_quirk: exact nats-server behaviour that no real client relies on "
        "(deselect with -m 'not go_quirk')")


def pytest_sessionstart(session):
    binary = server_binary()
    if not binary.exists():
        pytest.exit(f"server binary not found: {binary} (build it, or set "
                    f"NATS_SERVER_BIN to a nats-server compatible binary)",
                    returncode=3)


class ServerProcess:
    """One server process on a free loopback port."""

    _counter = 0

    def __init__(self, binary: pathlib.Path, workdir: pathlib.Path,
                 config: Optional[str] = None, extra_args: Tuple[str, ...] = ()):
        self.binary = binary
        self.workdir = workdir
        self.config = config
        self.extra_args = tuple(extra_args)
        self.proc: Optional[subprocess.Popen] = None
        self.port: int = 0
        self.log_path: Optional[pathlib.Path] = None
        self.config_path: Optional[pathlib.Path] = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "ServerProcess":
        if not self.binary.exists():
            pytest.fail(f"server binary not found: {self.binary} "
                        f"(set NATS_SERVER_BIN)", pytrace=False)
        last_log = ""
        for _attempt in range(3):
            ServerProcess._counter += 1
            n = ServerProcess._counter
            self.port = free_port()
            args = [str(self.binary), "-a", HOST, "-p", str(self.port)]
            if self.config is not None:
                self.config_path = self.workdir / f"server-{n}.conf"
                self.config_path.write_text(self.config)
                args += ["-c", str(self.config_path)]
            args += list(self.extra_args)
            self.log_path = self.workdir / f"server-{n}.log"
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, cwd=str(self.workdir))
            if self._wait_ready():
                return self
            last_log = self.log()
            self.stop()
        pytest.fail(f"server did not become ready within {READY_TIMEOUT}s; "
                    f"log:\n{last_log}", pytrace=False)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        started = time.monotonic()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # exited (e.g. port taken): caller retries
            if "Server is ready" in self.log():
                return True
            # Fall back to probing the port only after a grace period, so
            # that servers which do log the ready line are never disturbed
            # by an extra connection (it would count towards
            # max_connections for a moment).
            if time.monotonic() - started > 1.0 and self._port_accepts():
                time.sleep(0.2)  # let the server notice our probe closed
                return True
            time.sleep(0.02)
        return False

    def _port_accepts(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1.0) as s:
                s.settimeout(2.0)
                try:
                    return s.recv(5) == b"INFO "
                except OSError:
                    return False
        except OSError:
            return False

    def stop(self) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            p.kill()          # SIGKILL: immediate, nothing to wait for
        p.wait(timeout=10)
        self.proc = None

    # -- queries -------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    @property
    def url(self) -> str:
        return f"nats://{HOST}:{self.port}"

    def client(self, **kw) -> "RawClient":
        return RawClient(self.port, **kw)


@pytest.fixture
def server_factory(tmp_path):
    """Callable ``start(config=None)`` -> started ServerProcess.

    ``config`` is the text of a nats-server style config file."""
    started: List[ServerProcess] = []

    def start(config: Optional[str] = None, extra_args=()) -> ServerProcess:
        srv = ServerProcess(server_binary(), tmp_path, config, extra_args)
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def server(server_factory) -> ServerProcess:
    """A server with the default configuration."""
    return server_factory()


# --------------------------------------------------------------------------
# Server -> client frame parsing (for exact wire comparisons)
# --------------------------------------------------------------------------

def short(data, limit: int = 300) -> str:
    """repr() of bytes, cut in the middle when long (keeps failures readable)."""
    data = bytes(data)
    if len(data) <= limit:
        return repr(data)
    return (f"{data[:limit // 2]!r} ...<{len(data) - limit} bytes>... "
            f"{data[-limit // 2:]!r}")


class ProtocolViolation(AssertionError):
    pass


def split_frame(buf: bytes) -> Optional[int]:
    """Length of the first complete server->client frame in ``buf``,
    or None if more bytes are needed.  Raises ProtocolViolation on bytes no
    NATS server may send."""
    nl = buf.find(b"\r\n")
    if nl < 0:
        if len(buf) > 1 << 20:
            raise ProtocolViolation(f"no CRLF in {short(buf)}")
        return None
    line = bytes(buf[:nl])
    op = line.split(b" ", 1)[0].upper()
    if op in (b"PING", b"PONG", b"+OK", b"-ERR", b"INFO"):
        return nl + 2
    if op in (b"MSG", b"HMSG"):
        parts = line.split()
        try:
            size = int(parts[-1])
        except (ValueError, IndexError):
            raise ProtocolViolation(f"bad {op!r} line {line!r}")
        want = {b"MSG": (4, 5), b"HMSG": (5, 6)}[op]
        if len(parts) not in want:
            raise ProtocolViolation(f"bad {op!r} line {line!r}")
        end = nl + 2 + size + 2
        if len(buf) < end:
            return None
        if buf[end - 2:end] != b"\r\n":
            raise ProtocolViolation(f"payload of {line!r} not followed by CRLF")
        return end
    raise ProtocolViolation(f"unexpected bytes from server: {line[:200]!r}")


# --------------------------------------------------------------------------
# Raw socket client
# --------------------------------------------------------------------------

class RawClient:
    """A blocking TCP client that speaks raw NATS bytes.

    Every read is bounded by a deadline.  ``self.buf`` holds bytes received
    but not yet consumed."""

    def __init__(self, port: int, host: str = HOST, timeout: float = IO_TIMEOUT,
                 read_info: bool = True, rcvbuf: Optional[int] = None,
                 mss: Optional[int] = None, answer_pings: bool = True):
        self.timeout = timeout
        self.answer_pings = answer_pings
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if mss is not None:
            # A tiny MSS keeps the server's kernel send buffer small, so
            # that back-pressure reaches the server process quickly.
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = bytearray()
        self.eof = False
        self.info_line: Optional[bytes] = None
        self.info: Optional[dict] = None
        if read_info:
            self.info_line = self.read_line()
            assert self.info_line.startswith(b"INFO "), self.info_line
            self.info = parse_info(self.info_line)

    # -- sending -------------------------------------------------------------
    def send(self, data) -> None:
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send_slowly(self, data: bytes, chunk: int = 1, pause: float = 0.001) -> None:
        for i in range(0, len(data), chunk):
            self.sock.sendall(data[i:i + chunk])
            time.sleep(pause)

    # -- receiving -----------------------------------------------------------
    def _fill(self, deadline: float) -> bool:
        """Receive more bytes.  False on EOF/reset; TimeoutError at deadline."""
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_line(self, timeout: Optional[float] = None) -> bytes:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i + 2])
                del self.buf[:i + 2]
                return line
            try:
                if not self._fill(deadline):
                    raise AssertionError(
                        f"connection closed while waiting for a line; got {short(self.buf)}")
            except TimeoutError:
                raise AssertionError(
                    f"timed out waiting for a line; got {short(self.buf)}")

    def read_frame(self, timeout: Optional[float] = None) -> bytes:
        """Next complete server frame (raw bytes, including CRLFs)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            n = split_frame(self.buf)
            if n is not None:
                frame = bytes(self.buf[:n])
                del self.buf[:n]
                return frame
            try:
                if not self._fill(deadline):
                    raise AssertionError(
                        f"connection closed while waiting for a frame; got {short(self.buf)}")
            except TimeoutError:
                raise AssertionError(
                    f"timed out waiting for a frame; got {short(self.buf)}")

    def read_until_pong(self, timeout: Optional[float] = None,
                        keep_pings: bool = False) -> bytes:
        """Frames up to and including the first PONG, joined.

        Server-initiated PINGs are dropped unless keep_pings (and answered
        if self.answer_pings): nats-server sends its first PING ~2 s after
        CONNECT (RTT measurement), which can fall into any exchange on a
        slow machine."""
        deadline = time.monotonic() + (timeout or self.timeout)
        out = []
        while True:
            frame = self.read_frame(max(0.001, deadline - time.monotonic()))
            if frame == b"PING\r\n":
                if self.answer_pings:
                    self.send(b"PONG\r\n")
                if not keep_pings:
                    continue
            out.append(frame)
            if frame == b"PONG\r\n":
                return b"".join(out)

    def exchange(self, data=b"", timeout: Optional[float] = None) -> bytes:
        """Send ``data`` followed by PING; return everything up to the PONG."""
        if isinstance(data, str):
            data = data.encode()
        self.send(data + b"PING\r\n")
        return self.read_until_pong(timeout)

    def read_until_closed(self, timeout: float = CLOSE_TIMEOUT) -> bytes:
        """Read until the server closes the connection and return all bytes
        received.  Fails if the connection is still open at the deadline."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            raise AssertionError(
                f"connection still open after {timeout}s; received {short(self.buf)}")
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def collect(self, duration: float) -> Tuple[bytes, bool]:
        """Everything that arrives within ``duration`` seconds; (data, closed)."""
        deadline = time.monotonic() + duration
        closed = False
        try:
            while True:
                if not self._fill(deadline):
                    closed = True
                    break
        except TimeoutError:
            pass
        data = bytes(self.buf)
        self.buf.clear()
        return data, closed

    def assert_open(self) -> None:
        """The connection is alive: a PING is answered with exactly PONG."""
        assert self.exchange() == b"PONG\r\n"

    def connect(self, **opts) -> None:
        """Send CONNECT (non-verbose unless told) and make sure it was taken."""
        opts.setdefault("verbose", False)
        self.send(b"CONNECT " + json.dumps(opts).encode() + b"\r\n")
        out = self.exchange()
        expected = b"+OK\r\nPONG\r\n" if opts["verbose"] else b"PONG\r\n"
        assert out == expected, out

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def parse_info(line: bytes) -> dict:
    assert line.startswith(b"INFO ") and line.endswith(b"\r\n"), line
    return json.loads(line[5:].strip())


def msg(subject: str, sid, payload: bytes = b"", reply: Optional[str] = None) -> bytes:
    """Expected MSG frame bytes."""
    r = f" {reply}" if reply else ""
    return f"MSG {subject} {sid}{r} {len(payload)}\r\n".encode() + payload + b"\r\n"


def pub(subject: str, payload: bytes = b"", reply: Optional[str] = None) -> bytes:
    r = f" {reply}" if reply else ""
    return f"PUB {subject}{r} {len(payload)}\r\n".encode() + payload + b"\r\n"


def hpub(subject: str, headers: bytes, payload: bytes = b"",
         reply: Optional[str] = None, op: str = "HPUB") -> bytes:
    r = f" {reply}" if reply else ""
    return (f"{op} {subject}{r} {len(headers)} {len(headers) + len(payload)}\r\n".encode()
            + headers + payload + b"\r\n")


def hmsg(subject: str, sid, headers: bytes, payload: bytes = b"",
         reply: Optional[str] = None) -> bytes:
    r = f" {reply}" if reply else ""
    return (f"HMSG {subject} {sid}{r} {len(headers)} {len(headers) + len(payload)}\r\n".encode()
            + headers + payload + b"\r\n")


def assert_healthy(srv: ServerProcess, *bystanders: RawClient) -> None:
    """The server process is alive, every already-connected well-behaved
    client still works, and a fresh client can publish and receive."""
    assert srv.alive(), f"server died; log:\n{srv.log()[-3000:]}"
    for c in bystanders:
        c.assert_open()
    with srv.client() as c:
        c.connect()
        out = c.exchange(b"SUB health.check 1\r\n" + pub("health.check", b"ok"))
        assert out == msg("health.check", 1, b"ok") + b"PONG\r\n"


@pytest.fixture
def bystander(server) -> RawClient:
    """A well-behaved client connected before a misbehaving one."""
    c = server.client()
    c.connect()
    yield c
    c.close()


# --------------------------------------------------------------------------
# asyncio / nats-py
# --------------------------------------------------------------------------

def run(coro, timeout: float = 60.0):
    """Run a coroutine with a hard time bound (tests are sync functions)."""
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


async def nats_connect(srv: ServerProcess, **kw):
    import nats  # imported lazily so raw tests work without nats-py

    errors: list = kw.pop("errors", [])

    async def error_cb(e):
        errors.append(e)

    kw.setdefault("connect_timeout", 5)
    kw.setdefault("allow_reconnect", False)
    kw.setdefault("max_reconnect_attempts", 0)
    kw.setdefault("error_cb", error_cb)
    return await nats.connect(srv.url, **kw)


async def nats_flush(nc, timeout: float = 10.0) -> None:
    """Like nc.flush(), but really ordered after earlier publishes.

    nats-py 2.16's flush() writes its PING straight to the transport while
    earlier PUBs may still sit in the client's pending list, so the PONG
    can come back before the server has seen those PUBs.  Push the pending
    list out first."""
    await nc._flush_pending(force_flush=True)
    await nc.flush(timeout=timeout)
