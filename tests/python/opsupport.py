"""Helpers for the operations, monitoring and TLS end-to-end tests.

Shared by test_monitoring.py, test_operations.py and test_tls.py.  Builds on
conftest.py (RawClient, ServerProcess, free_port); never changes it.

* ``ops_server`` fixture: like ``server_factory`` but with full control of
  the command line (client port in the config file instead of ``-p``,
  ``-m`` monitoring port, ``-l`` log file, ``-P`` pid file...).  Config text
  and arguments may hold the tokens ``@PORT@`` (client port), ``@MPORT@``
  (monitoring port) and ``@DIR@`` (the test's temp dir); fresh ports are
  picked on every start attempt.
* HTTP helpers for the monitoring endpoints (bounded, 127.0.0.1 only).
* TLS helpers: the throwaway PKI (session scoped), ssl contexts, a RawClient
  that upgrades to TLS after INFO (or before it, for handshake_first), and
  the SPKI fingerprint computed with openssl.
"""

from __future__ import annotations

import json
import pathlib
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from typing import Callable, List, Optional, Sequence

import pytest

from conftest import (HOST, IO_TIMEOUT, READY_TIMEOUT, ROOT, RawClient,
                      ServerProcess, free_port, parse_info, server_binary)

BIN = server_binary()
# The brief: Starling-only features are skipped when the binary's basename
# is nats-server.
IS_GO = BIN.name == "nats-server"

starling_only = pytest.mark.skipif(
    IS_GO, reason="Starling-only feature (binary is nats-server)")


def go_version() -> Optional[tuple]:
    """(major, minor, patch) of a nats-server binary, None for Starling."""
    if not IS_GO:
        return None
    out = subprocess.run([str(BIN), "--version"], capture_output=True,
                         text=True, timeout=10).stdout
    m = re.search(r"v(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else None


def wait_until(pred: Callable[[], object], timeout: float = 10.0,
               what: Callable[[], str] | str = "condition", interval: float = 0.05):
    """Poll ``pred`` until it returns something truthy; fail at the deadline with ``what``
    (a string, or a callable that explains what was seen)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            text = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout}s waiting for {text}")
        time.sleep(interval)


# --------------------------------------------------------------------------
# A server process with a custom command line
# --------------------------------------------------------------------------

class OpsServer(ServerProcess):
    """A server started with an arbitrary command line.

    ``port_flag``: pass ``-p PORT`` (else the config must say ``port: @PORT@``).
    ``monitor``: pass ``-m MPORT``.
    ``log_file``: name (relative to the temp dir) given with ``-l``; the
    readiness line is then looked for in that file.
    """

    def __init__(self, workdir: pathlib.Path, config: Optional[str] = None,
                 args: Sequence[str] = (), port_flag: bool = True,
                 monitor: bool = False, log_file: Optional[str] = None,
                 config_name: Optional[str] = None):
        super().__init__(server_binary(), workdir, config, tuple(args))
        self.port_flag = port_flag
        self.monitor = monitor
        self.mport = 0
        self.log_file = log_file
        self.config_name = config_name
        self.template = config

    def _subst(self, text: str) -> str:
        return (text.replace("@PORT@", str(self.port))
                    .replace("@MPORT@", str(self.mport))
                    .replace("@DIR@", str(self.workdir)))

    def render(self, template: str) -> str:
        """Config text with this server's ports filled in (for reloads)."""
        return self._subst(template)

    def write_config(self, template: str) -> None:
        """Replace the config file (the server re-reads it on reload)."""
        self.config_path.write_text(self._subst(template))

    def start(self) -> "OpsServer":
        last_log = ""
        for _attempt in range(3):
            ServerProcess._counter += 1
            n = ServerProcess._counter
            self.port = free_port()
            self.mport = free_port()
            args = [str(self.binary), "-a", HOST]
            if self.port_flag:
                args += ["-p", str(self.port)]
            if self.monitor:
                args += ["-m", str(self.mport)]
            if self.template is not None:
                name = self.config_name or f"ops-{n}.conf"
                self.config_path = self.workdir / name
                self.config_path.write_text(self._subst(self.template))
                args += ["-c", str(self.config_path)]
            args += [self._subst(a) for a in self.extra_args]
            if self.log_file:
                p = self.workdir / self._subst(self.log_file)
                if p.exists():
                    p.unlink()
            self.log_path = self.workdir / f"ops-{n}.out"
            with open(self.log_path, "wb") as out:
                self.proc = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT, cwd=str(self.workdir))
            if self._wait_ready():
                if self.monitor or "@MPORT@" in (self.template or "") + " ".join(self.extra_args):
                    self._wait_monitor()
                return self
            last_log = self.log()
            self.stop()
        pytest.fail(f"server did not become ready within {READY_TIMEOUT}s; "
                    f"args {args}; log:\n{last_log}", pytrace=False)

    def _wait_monitor(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.mport), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)

    def log(self) -> str:
        """stdout/stderr, followed by the -l file when there is one."""
        text = super().log()
        if self.log_file:
            try:
                text += (self.workdir / self._subst(self.log_file)).read_text(
                    errors="replace")
            except OSError:
                pass
        return text

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> int:
        """Exit code; fails if the process is still running at the deadline."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"server still running {timeout}s later; log:\n{self.log()[-3000:]}")

    # -- monitoring --------------------------------------------------------
    def get(self, path: str, **kw):
        return http_get(self.mport, path, **kw)

    def json(self, path: str, **kw) -> dict:
        return get_json(self.mport, path, **kw)


@pytest.fixture
def ops_server(tmp_path):
    """Callable ``start(config=None, args=(), port_flag=True, monitor=False,
    log_file=None)`` -> started OpsServer; every server is stopped (by PID)
    at teardown."""
    started: List[OpsServer] = []

    def start(config: Optional[str] = None, args: Sequence[str] = (), **kw) -> OpsServer:
        srv = OpsServer(tmp_path, config, args, **kw)
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()


def run_binary(args: Sequence[str], cwd: Optional[pathlib.Path] = None,
               timeout: float = 20.0) -> subprocess.CompletedProcess:
    """Run the server binary to completion (e.g. ``-t``), output as text."""
    return subprocess.run([str(BIN), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=str(cwd) if cwd else None,
                          stdin=subprocess.DEVNULL)


# --------------------------------------------------------------------------
# HTTP (monitoring)
# --------------------------------------------------------------------------

def http_get(port: int, path: str, scheme: str = "http",
             context: Optional[ssl.SSLContext] = None,
             host: str = HOST, timeout: float = 10.0):
    """(status, body text) of GET path; HTTP errors are returned, not raised."""
    url = f"{scheme}://{host}:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def get_json(port: int, path: str, **kw) -> dict:
    status, body = http_get(port, path, **kw)
    assert status == 200, (path, status, body[:500])
    try:
        return json.loads(body)
    except ValueError:
        raise AssertionError(f"{path}: not JSON: {body[:500]!r}")


def connz_by_name(srv: OpsServer, name: str, query: str = "") -> dict:
    """The /connz entry of the open connection whose CONNECT name is ``name``."""
    def find():
        data = srv.json("/connz?limit=10000" + query)
        for c in data["connections"]:
            if c.get("name") == name:
                return c
        return None
    return wait_until(find, 10, what=f"connection {name!r} in /connz")


# --------------------------------------------------------------------------
# TLS
# --------------------------------------------------------------------------

PKI_SCRIPT = ROOT / "scripts" / "make-test-pki.sh"


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> pathlib.Path:
    """Directory holding the throwaway PKI (see scripts/make-test-pki.sh)."""
    d = tmp_path_factory.mktemp("pki")
    r = subprocess.run(["bash", str(PKI_SCRIPT), str(d)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return d


def client_context(pki_dir: pathlib.Path, cert: Optional[str] = None,
                   verify_server: bool = True,
                   min_version: Optional[ssl.TLSVersion] = None,
                   max_version: Optional[ssl.TLSVersion] = None,
                   ciphers: Optional[str] = None) -> ssl.SSLContext:
    """A client context trusting the test CA; ``cert`` names a PKI cert
    (e.g. "client-dn") presented as the client certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify_server:
        ctx.load_verify_locations(str(pki_dir / "ca.pem"))
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(str(pki_dir / f"{cert}.pem"),
                            str(pki_dir / f"{cert}-key.pem"))
    if min_version is not None:
        ctx.minimum_version = min_version
    if max_version is not None:
        ctx.maximum_version = max_version
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    return ctx


# Exceptions a failed/refused TLS handshake or a closed TLS link can raise.
TLS_FAILURES = (ssl.SSLError, ConnectionError, OSError, AssertionError)


class TLSClient(RawClient):
    """RawClient over TLS.

    INFO-first (the default): read the plaintext INFO, then handshake.
    ``handshake_first``: handshake at once, then read INFO over TLS."""

    def __init__(self, port: int, ctx: ssl.SSLContext, handshake_first: bool = False,
                 server_hostname: str = "localhost", timeout: float = IO_TIMEOUT):
        super().__init__(port, timeout=timeout, read_info=not handshake_first)
        self.plain_info = self.info
        self.sock = ctx.wrap_socket(self.sock, server_hostname=server_hostname)
        if handshake_first:
            self.info_line = self.read_line()
            assert self.info_line.startswith(b"INFO "), self.info_line
            self.info = parse_info(self.info_line)

    def _fill(self, deadline: float) -> bool:
        try:
            return super()._fill(deadline)
        except ssl.SSLError:
            # An alert from the server (e.g. Authorization Violation after a
            # bad certificate) ends the stream like EOF does.
            self.eof = True
            return False


def tls_connect_fails(port: int, ctx: ssl.SSLContext, handshake_first: bool = False,
                      timeout: float = 10.0) -> str:
    """Assert that a TLS client cannot get a working connection: the
    handshake fails, or the server closes the link right after it (TLS 1.3
    reports a refused client certificate only on the first read).
    Returns a description of how it failed."""
    try:
        c = TLSClient(port, ctx, handshake_first=handshake_first, timeout=timeout)
    except TLS_FAILURES as e:
        return f"handshake failed: {e!r}"
    try:
        try:
            c.send(b'CONNECT {"verbose":false}\r\nPING\r\n')
        except TLS_FAILURES as e:
            return f"send failed: {e!r}"
        try:
            data = c.read_until_closed(timeout)
        except TLS_FAILURES as e:
            raise AssertionError(f"TLS client was accepted: {e}")
        assert b"PONG" not in data, data
        return f"closed after handshake: {data!r}"
    finally:
        c.close()


def spki_sha256(cert_path: pathlib.Path) -> str:
    """Lowercase hex SHA-256 of the certificate's DER SubjectPublicKeyInfo,
    computed with openssl."""
    pub = subprocess.run(["openssl", "x509", "-in", str(cert_path), "-noout", "-pubkey"],
                         capture_output=True, check=True, timeout=20).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         capture_output=True, check=True, timeout=20).stdout
    dgst = subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der,
                          capture_output=True, check=True, timeout=20).stdout
    return dgst.split()[0].decode().lower()


def openssl_subject(cert_path: pathlib.Path) -> str:
    """The subject as openssl prints it in RFC 2253 form."""
    out = subprocess.run(["openssl", "x509", "-in", str(cert_path), "-noout", "-subject",
                          "-nameopt", "RFC2253"], capture_output=True, text=True,
                         check=True, timeout=20).stdout.strip()
    return out.split("=", 1)[1].strip() if out.startswith("subject") else out


def tls_block(pki_dir: pathlib.Path, extra: str = "", cert: str = "server") -> str:
    """A ``tls {}`` block with the server certificate and ``extra`` lines."""
    return (f'tls {{\n  cert_file: "{pki_dir / (cert + ".pem")}"\n'
            f'  key_file: "{pki_dir / (cert + "-key.pem")}"\n{extra}\n}}\n')


def no_secrets(text: str, *secrets: str) -> None:
    for s in secrets:
        assert s not in text, f"secret {s!r} leaked in {text[:400]!r}"


def ports_file(workdir: pathlib.Path, pid: int) -> pathlib.Path:
    found = list(workdir.glob(f"*_{pid}.ports"))
    return found[0] if found else None
