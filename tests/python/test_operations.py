"""Operating the server: config checking (-t), flags, pid/ports/log files,
signals (SIGHUP reload, SIGUSR1 log reopen, SIGUSR2 lame duck, SIGTERM),
and ``--signal CMD=PIDFILE``.

Every expectation holds on nats-server 2.9.10 and 2.15.1 as well as on
Starling, except where a test says otherwise:

* nats-server reports ``file:line:col`` only for some config errors (unknown
  field, bad value type, TLS); for lexer errors it says "Parse error on line
  N", it accepts an out-of-range port under ``-t`` (and fails at start-up),
  and it overflows its stack on an include loop (exit 2).  Starling's README
  promises ``file:line:col`` for every error: those checks are Starling-only.
* nats-server 2.9.x exits with status 1 on SIGTERM (2.10+ and Starling: 0).
* nats-server refuses ``lame_duck_duration`` below 30s, so the lame-duck test
  uses 30s; nats-server closes the clients at most 1s apart, so with a few
  clients the whole drain still takes only a few seconds.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import HOST, RawClient, free_port, msg, pub
from opsupport import (BIN, IS_GO, go_version, ops_server, ports_file,  # noqa: F401
                       run_binary, wait_until)


def refused(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as s:
            s.settimeout(2)
            try:
                # a listener that accepts and closes at once is as good as refused
                return s.recv(1) == b""
            except OSError:
                return True
    except OSError:
        return True


def connect_p1(c: RawClient) -> None:
    """CONNECT as a protocol-1 client (async INFO allowed).  nats-server
    2.10+ answers such a CONNECT with an extra INFO ("connect_info"), which
    is dropped here."""
    c.send(b'CONNECT {"verbose":false,"protocol":1}\r\n')
    for _ in range(3):
        if exchange_no_info(c) == b"PONG\r\n":
            return
    raise AssertionError("protocol-1 CONNECT not answered")


def exchange_no_info(c: RawClient, data: bytes = b"") -> bytes:
    """RawClient.exchange without the async INFO frames."""
    out = c.exchange(data)
    frames = re.split(rb"(?<=\r\n)(?=INFO )", out)
    kept = []
    for f in frames:
        if f.startswith(b"INFO "):
            rest = f.split(b"\r\n", 1)[1]
            if rest:
                kept.append(rest)
        else:
            kept.append(f)
    return b"".join(kept)


def read_ldm_info(c: RawClient, timeout: float = 5.0) -> dict:
    """The first async INFO with "ldm" (other INFOs and PINGs are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        line = c.read_line(timeout=max(0.01, deadline - time.monotonic()))
        if line.startswith(b"INFO "):
            info = json.loads(line[5:])
            if "ldm" in info:
                return info
        elif line == b"PING\r\n":
            c.send(b"PONG\r\n")
        else:
            raise AssertionError(f"unexpected {line!r} before the lame duck INFO")


# --------------------------------------------------------------------------
# -t: configuration check
# --------------------------------------------------------------------------

# name: (files, phrase in the message, (file, line) of the error,
#        nats-server gives file:line:col, nats-server -t rejects it)
CONFIG_ERRORS = {
    "unknown_field": ({"main.conf": "port: 4222\nbogus_field: 1\n"},
                      "bogus_field", ("main.conf", 2), True, True),
    "bad_value_type": ({"main.conf": 'port: 4222\nmax_payload: "abc"\n'},
                       None, ("main.conf", 2), True, True),
    "unterminated_string": ({"main.conf": 'port: 4222\nserver_name: "abc\n'},
                            None, ("main.conf", 2), False, True),
    "unterminated_block": ({"main.conf": "port: 4222\nauthorization {\n  user: a\n"},
                           None, ("main.conf", 2), False, True),
    "missing_include": ({"main.conf": "port: 4222\ninclude ./nope.conf\n"},
                        "nope.conf", ("main.conf", 2), False, True),
    "include_loop": ({"main.conf": "include ./loop_b.conf\n",
                      "loop_b.conf": "port: 4222\ninclude ./main.conf\n"},
                     None, (r"(main|loop_b)\.conf", None), False, False),
    "undefined_variable": ({"main.conf": "port: 4222\nmax_payload: $UNDEFINED_VAR_X\n"},
                           "UNDEFINED_VAR_X", ("main.conf", 2), False, True),
    "port_out_of_range": ({"main.conf": "port: 70000\n"},
                          "70000", ("main.conf", 1), False, False),
    "http_port_out_of_range": ({"main.conf": "port: 4222\nhttp_port: 99999\n"},
                               "99999", ("main.conf", 2), False, False),
}


def write_files(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path / "main.conf"


def test_config_check_valid(tmp_path):
    (tmp_path / "inc.conf").write_text("max_payload: 2MB\n")
    conf = write_files(tmp_path, {"main.conf": (
        "# comment\nport: 4222\nhttp_port: 8222\nmax_connections: 10\n"
        "include ./inc.conf\nLIMIT: 100\nmax_subscriptions: $LIMIT\n"
        "authorization { users [ {user: a, password: b} ] }\n")})
    r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "is valid" in r.stdout + r.stderr


@pytest.mark.parametrize("case", list(CONFIG_ERRORS))
def test_config_check_rejects(case, tmp_path):
    files, phrase, _pos, _go_pos, go_rejects = CONFIG_ERRORS[case]
    if IS_GO and not go_rejects:
        pytest.skip("nats-server -t does not reject this (see module docstring)")
    conf = write_files(tmp_path, files)
    r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, (r.returncode, out[-2000:])
    assert "is valid" not in out
    if phrase:
        assert phrase in out, out


@pytest.mark.parametrize("case", list(CONFIG_ERRORS))
def test_config_check_reports_position(case, tmp_path):
    files, _phrase, (fname, line), go_pos, _go_rejects = CONFIG_ERRORS[case]
    if IS_GO and not go_pos:
        pytest.skip("nats-server gives no file:line:col for this error class")
    conf = write_files(tmp_path, files)
    r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    line_re = str(line) if line else r"\d+"
    name_re = fname if "(" in fname else re.escape(fname)
    assert re.search(rf"{name_re}:{line_re}:\d+: ", out), out


@pytest.mark.parametrize("case", [c for c in CONFIG_ERRORS if c != "include_loop"])
def test_config_error_refuses_start(case, tmp_path):
    """Without -t the same files stop start-up with status 1 (nats-server
    too, even for the ports its -t lets through)."""
    files = CONFIG_ERRORS[case][0]
    conf = write_files(tmp_path, files)
    r = run_binary(["-a", HOST, "-c", str(conf)], cwd=tmp_path, timeout=20)
    assert r.returncode == 1, (r.returncode, (r.stdout + r.stderr)[-2000:])
    assert "Server is ready" not in r.stdout + r.stderr


@pytest.mark.go_quirk
def test_lame_duck_duration_minimum(tmp_path):
    """nats-server: "invalid lame_duck_duration of 3s, minimum is 30 seconds"
    (2.9.10 and 2.15.1)."""
    conf = write_files(tmp_path, {"main.conf": 'lame_duck_duration: "3s"\n'})
    r = run_binary(["-t", "-c", str(conf)], cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "minimum is 30 seconds" in out


# --------------------------------------------------------------------------
# flags and files
# --------------------------------------------------------------------------

def test_flags_override_config_file(ops_server):
    file_port = free_port()
    file_mport = free_port()
    srv = ops_server(f"port: {file_port}\nhttp_port: {file_mport}\nmax_payload: 2048\n",
                     monitor=True)
    with srv.client() as c:             # -p wins over port
        assert c.info["port"] == srv.port
        assert c.info["max_payload"] == 2048   # the rest of the file applies
        c.connect()
        c.assert_open()
    assert refused(file_port)
    assert srv.json("/varz")["http_port"] == srv.mport    # -m wins over http_port
    assert refused(file_mport)


def test_pid_file(ops_server, tmp_path):
    srv = ops_server(args=("--pid", "@DIR@/server.pid"))
    pid = wait_until(lambda: (tmp_path / "server.pid").exists() and
                     (tmp_path / "server.pid").read_text().strip(), 10, what="pid file")
    assert pid == str(srv.pid)
    srv2 = ops_server(args=("-P", "@DIR@/other.pid"))
    assert (tmp_path / "other.pid").read_text().strip() == str(srv2.pid)


def test_ports_file_dir(ops_server, tmp_path):
    srv = ops_server(args=("--ports_file_dir", "@DIR@"), monitor=True)
    pf = wait_until(lambda: ports_file(tmp_path, srv.pid), 10, what="ports file")
    exe = os.path.basename(str(BIN))
    assert pf.name == f"{exe}_{srv.pid}.ports"
    data = json.loads(pf.read_text())
    assert data["nats"] == [f"nats://127.0.0.1:{srv.port}"]
    assert data["monitoring"] == [f"http://127.0.0.1:{srv.mport}"]
    srv.signal(signal.SIGINT)
    assert srv.wait_exit(10) == 0
    assert not pf.exists(), "the ports file is removed at shutdown"


def test_random_ports_with_minus_one(ops_server, tmp_path):
    """-p -1 / -m -1 pick free ports; the ports file and the log name them."""
    srv = ops_server(args=("-p", "-1", "-m", "-1", "--ports_file_dir", "@DIR@"),
                     port_flag=False)
    pf = wait_until(lambda: ports_file(tmp_path, srv.pid), 10, what="ports file")
    data = json.loads(pf.read_text())
    port = int(data["nats"][0].rsplit(":", 1)[1])
    mport = int(data["monitoring"][0].rsplit(":", 1)[1])
    assert port > 0 and mport > 0
    with RawClient(port) as c:
        c.connect()
        c.assert_open()
    log = srv.log()
    assert f"Listening for client connections on 127.0.0.1:{port}" in log
    assert f"Starting http monitor on 127.0.0.1:{mport}" in log


def test_log_file(ops_server, tmp_path):
    srv = ops_server(args=("-l", "@DIR@/server.log"), log_file="server.log")
    text = (tmp_path / "server.log").read_text()
    assert "Server is ready" in text
    assert f"Listening for client connections on 127.0.0.1:{srv.port}" in text
    with srv.client() as c:
        c.connect()
        c.assert_open()


def test_sigusr1_reopens_moved_log_file(ops_server, tmp_path):
    log = tmp_path / "server.log"
    moved = tmp_path / "server.log.1"
    srv = ops_server(args=("-l", "@DIR@/server.log", "-D"), log_file="server.log")
    with srv.client() as c:
        c.connect(name="before-rotate")
    wait_until(lambda: "Client connection created" in log.read_text(), 10,
               what="debug line in the first log file")
    os.rename(log, moved)
    srv.signal(signal.SIGUSR1)
    wait_until(log.exists, 10, what="the log file to be re-created")
    old_size = moved.stat().st_size
    with srv.client() as c:
        c.connect(name="after-rotate")
        c.assert_open()
    wait_until(lambda: "Client connection created" in log.read_text(), 10,
               what="new lines in the re-opened log file")
    time.sleep(0.2)
    assert moved.stat().st_size == old_size, "lines still go to the moved file"
    assert srv.alive()


def test_log_reopen_notice_goes_to_new_log_file(ops_server, tmp_path):
    """nats-server writes "File log re-opened" as the first line of the new
    file (not to stdout)."""
    log = tmp_path / "server.log"
    srv = ops_server(args=("-l", "@DIR@/server.log"), log_file="server.log")
    os.rename(log, tmp_path / "server.log.old")
    srv.signal(signal.SIGUSR1)
    wait_until(lambda: log.exists() and "File log re-opened" in log.read_text(), 10,
               what='"File log re-opened" in the new log file')


# --------------------------------------------------------------------------
# SIGHUP reload
# --------------------------------------------------------------------------

def test_reload_lowers_max_payload_for_live_client(ops_server):
    srv = ops_server("max_payload: 4096\n")
    live = srv.client()
    other = srv.client()
    try:
        connect_p1(live)
        other.connect()
        out = exchange_no_info(live, b"SUB big 1\r\n" + pub("big", b"a" * 2000))
        assert out == msg("big", 1, b"a" * 2000) + b"PONG\r\n"
        srv.write_config("max_payload: 1024\n")
        srv.signal(signal.SIGHUP)
        wait_until(lambda: "Reloaded server configuration" in srv.log(), 10,
                   what="reload to finish")
        # the connection survived the reload ...
        assert exchange_no_info(live) == b"PONG\r\n"
        other.assert_open()
        out = exchange_no_info(live, pub("big", b"b" * 1000))
        assert out == msg("big", 1, b"b" * 1000) + b"PONG\r\n"
        # ... and the new limit applies to it
        live.send(pub("big", b"c" * 2000) + b"PING\r\n")
        data = live.read_until_closed()
        assert data.endswith(b"-ERR 'Maximum Payload Violation'\r\n"), data
        assert b"PONG" not in data and b"MSG" not in data, data
        with srv.client() as c:
            assert c.info["max_payload"] == 1024
        other.assert_open()
    finally:
        live.close()
        other.close()


def test_reload_raises_max_payload_for_live_client(ops_server):
    srv = ops_server("max_payload: 1024\n")
    c = srv.client()
    try:
        c.connect()
        c.exchange(b"SUB big 1\r\n")
        srv.write_config("max_payload: 8192\n")
        srv.signal(signal.SIGHUP)
        wait_until(lambda: "Reloaded server configuration" in srv.log(), 10,
                   what="reload to finish")
        out = c.exchange(pub("big", b"z" * 5000))
        assert out == msg("big", 1, b"z" * 5000) + b"PONG\r\n"
    finally:
        c.close()


def test_reload_with_broken_file_keeps_running_config(ops_server):
    srv = ops_server("max_payload: 4096\n")
    c = srv.client()
    try:
        c.connect()
        c.exchange(b"SUB k 1\r\n")
        srv.write_config("max_payload: 1024\nbroken {\n")
        srv.signal(signal.SIGHUP)
        wait_until(lambda: "Failed to reload" in srv.log(), 10,
                   what="the reload error in the log")
        assert srv.alive()
        # old limit still applies, to the live client and to new ones
        assert c.exchange(pub("k", b"q" * 3000)) == msg("k", 1, b"q" * 3000) + b"PONG\r\n"
        with srv.client() as n:
            assert n.info["max_payload"] == 4096
            n.connect()
            n.assert_open()
        # a later good file is taken
        srv.write_config("max_payload: 2048\n")
        srv.signal(signal.SIGHUP)
        wait_until(lambda: "Reloaded server configuration" in srv.log(), 10,
                   what="reload to finish")
        with srv.client() as n:
            assert n.info["max_payload"] == 2048
        c.assert_open()
    finally:
        c.close()


def test_reload_error_goes_to_log_file(ops_server, tmp_path):
    """With -l FILE the reload error lands in that file (the operator's log)."""
    srv = ops_server("max_payload: 4096\n", args=("-l", "@DIR@/server.log"),
                     log_file="server.log")
    srv.write_config("max_payload: [\n")
    srv.signal(signal.SIGHUP)
    wait_until(lambda: "Failed to reload" in (tmp_path / "server.log").read_text(), 10,
               what="the reload error in the -l log file")
    assert srv.alive()


def test_reload_port_change_is_refused(ops_server):
    srv = ops_server("port: @PORT@\nmax_payload: 4096\n", port_flag=False)
    c = srv.client()
    try:
        c.connect()
        new_port = free_port()
        srv.write_config(f"port: {new_port}\nmax_payload: 1024\n")
        srv.signal(signal.SIGHUP)
        wait_until(lambda: re.search(r"config reload not supported for port",
                                     srv.log(), re.I), 10,
                   what="the refusal in the log")
        assert re.search(rf"config reload not supported for port: old={srv.port}, "
                         rf"new={new_port}", srv.log(), re.I), srv.log()[-1000:]
        # nothing of that file was applied
        c.assert_open()
        with srv.client() as n:
            assert n.info["max_payload"] == 4096
        assert refused(new_port)
    finally:
        c.close()


def test_signal_command_reload_with_pidfile(ops_server, tmp_path):
    srv = ops_server("max_payload: 4096\n", args=("-P", "@DIR@/s.pid"))
    pidfile = tmp_path / "s.pid"
    wait_until(pidfile.exists, 10, what="pid file")
    c = srv.client()
    try:
        c.connect()
        srv.write_config("max_payload: 1000\n")
        r = run_binary(["--signal", f"reload={pidfile}"])
        assert r.returncode == 0, r.stdout + r.stderr
        wait_until(lambda: "Reloaded server configuration" in srv.log(), 10,
                   what="reload to finish")
        with srv.client() as n:
            assert n.info["max_payload"] == 1000
        c.assert_open()
    finally:
        c.close()


def test_signal_command_quit_with_pidfile(ops_server, tmp_path):
    srv = ops_server(args=("-P", "@DIR@/q.pid"))
    pidfile = tmp_path / "q.pid"
    wait_until(pidfile.exists, 10, what="pid file")
    r = run_binary(["--signal", f"quit={pidfile}"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert srv.wait_exit(10) == 0


# --------------------------------------------------------------------------
# SIGUSR2 lame duck, SIGTERM / SIGINT
# --------------------------------------------------------------------------

def test_lame_duck_mode(ops_server):
    srv = ops_server('lame_duck_duration: "30s"\nlame_duck_grace_period: "1s"\n')
    old = srv.client()
    old.connect(protocol=0)
    clients = []
    for _ in range(3):
        c = srv.client()
        connect_p1(c)
        clients.append(c)
    try:
        t0 = time.monotonic()
        srv.signal(signal.SIGUSR2)
        # protocol-1 clients are told, with an async INFO carrying ldm
        for c in clients:
            assert read_ldm_info(c)["ldm"] is True
        # new connections are refused once lame duck mode started
        wait_until(lambda: refused(srv.port), 5, what="the listener to close")
        # the existing clients are still served during the grace period
        out = exchange_no_info(clients[0], b"SUB still 1\r\n" + pub("still", b"x"))
        assert out == msg("still", 1, b"x") + b"PONG\r\n"
        # then closed: after the grace period, at most ~1s apart
        closed_at = []
        for c in [old] + clients:
            c.read_until_closed(timeout=15)
            closed_at.append(time.monotonic() - t0)
        assert min(closed_at) >= 0.8, closed_at
        assert max(closed_at) <= 1 + 4 * 1.0 + 2.0, closed_at
        assert srv.wait_exit(10) == 0
        assert time.monotonic() - t0 < 12
    finally:
        for c in [old] + clients:
            c.close()


def test_lame_duck_protocol0_client_gets_no_info(ops_server):
    srv = ops_server('lame_duck_duration: "30s"\nlame_duck_grace_period: "2s"\n')
    c = srv.client()
    c.connect(protocol=0)
    try:
        srv.signal(signal.SIGUSR2)
        data, closed = c.collect(1.0)
        assert b"INFO" not in data and not closed, data
        data = c.read_until_closed(timeout=10)
        assert b"INFO" not in data
        assert srv.wait_exit(10) == 0
    finally:
        c.close()


def test_sigterm_exits_promptly(ops_server):
    srv = ops_server()
    c = srv.client()
    c.connect()
    try:
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        rc = srv.wait_exit(5)
        assert time.monotonic() - t0 < 5
        v = go_version()
        expected = 1 if v is not None and v < (2, 10, 0) else 0   # 2.9.x: os.Exit(1)
        assert rc == expected
        c.read_until_closed(timeout=5)
    finally:
        c.close()


def test_sigint_exits_zero(ops_server):
    srv = ops_server()
    srv.signal(signal.SIGINT)
    assert srv.wait_exit(5) == 0


def test_sigint_the_moment_the_port_opens_is_not_lost(tmp_path):
    # The race CI once hit: a signal sent as soon as the client port accepts (while the server
    # finishes starting) must still shut it down cleanly, every time.
    for _round in range(15):
        port = free_port()
        with open(tmp_path / "race.log", "w") as log:
            proc = subprocess.Popen([str(BIN), "-a", HOST, "-p", str(port)], stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection((HOST, port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.001)
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                raise AssertionError("server ignored a SIGINT sent as its port opened:\n"
                                     + (tmp_path / "race.log").read_text()[-2000:])
            assert rc == 0, (tmp_path / "race.log").read_text()[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
