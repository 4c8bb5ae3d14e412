#!/usr/bin/env python3
"""Checks that a running cluster formed, with the Python standard library only.

    check.py [--host H] [--pki DIR] [--timeout S] NAME:CLIENT:ROUTE:MONITOR ...

One argument per node (ports). cluster/cluster.sh runs it; it can also be pointed at the
docker cluster (the published client and monitoring ports; without --pki the route check
is skipped). Three checks, each printing OK or FAIL:

  mesh    every node's /routez lists a route to every other node. Counted by distinct
          remote_id: nats-server 2.10+ pools several connections per peer (and gives $SYS
          its own), so num_routes is larger than the number of peers.
  mtls    every route port speaks TLS with a certificate that the CA signed, and refuses a
          peer that presents none (needs --pki; skipped without it).
  pubsub  for every ordered pair of nodes, a subscriber on one receives a message published
          on the other (raw NATS protocol over TCP; the publisher repeats until the
          subscription has crossed the routes, or the time is up).

Every wait is bounded by --timeout (seconds, for the mesh; the other checks use a few seconds).
Exit status 0 when all pass, 1 otherwise.
"""

import argparse
import json
import os
import secrets
import socket
import ssl
import sys
import time
import urllib.request


class Node:
    def __init__(self, spec, host):
        try:
            self.name, client, route, monitor = spec.split(":")
            self.client, self.route, self.monitor = int(client), int(route), int(monitor)
        except ValueError:
            sys.exit(f"check.py: bad node '{spec}', expected NAME:CLIENT:ROUTE:MONITOR")
        self.host = host

    def get(self, path):
        url = f"http://{self.host}:{self.monitor}{path}"
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)


def check_mesh(nodes, timeout):
    """Waits until each node's distinct remote_ids are exactly the other nodes' ids."""
    deadline = time.monotonic() + timeout
    ids, seen = {}, {}
    while True:
        problems = []
        for node in nodes:
            try:
                routez = node.get("/routez")
                ids[node.name] = routez["server_id"]
                seen[node.name] = (
                    {r.get("remote_id") for r in routez.get("routes") or []},
                    len(routez.get("routes") or []),
                )
            except (OSError, ValueError, KeyError, TypeError) as error:
                problems.append(f"{node.name}: monitoring port {node.monitor}: {error}")
        if not problems:
            names = {server_id: name for name, server_id in ids.items()}
            for node in nodes:
                want = {ids[n.name] for n in nodes if n is not node}
                have, _ = seen[node.name]
                if have != want:
                    peers = ", ".join(sorted(str(names.get(r, r)) for r in have))
                    problems.append(f"{node.name} has routes to {peers or 'nobody'}")
            if not problems:
                for node in nodes:
                    have, connections = seen[node.name]
                    peers = ", ".join(sorted(names[r] for r in have))
                    print(f"OK   mesh: {node.name} routes to {peers} ({connections} connections)")
                return True
        if time.monotonic() >= deadline:
            for problem in problems:
                print(f"FAIL mesh: {problem} (after {timeout:g}s)")
            return False
        time.sleep(0.2)


def check_mtls(nodes, pki):
    """The route ports speak TLS with a CA-signed certificate and refuse a peer without one."""
    ok = True
    for node in nodes:
        refused, detail = probe_route_without_certificate(node, os.path.join(pki, "ca.pem"))
        if refused:
            print(f"OK   mtls: {node.name} route port {node.route} refuses a peer without a certificate ({detail})")
        else:
            ok = False
            print(f"FAIL mtls: {node.name} route port {node.route}: {detail}")
    return ok


def probe_route_without_certificate(node, ca_file):
    """(True, how) when the port refuses the session with a TLS alert, or completes the TLS
    handshake with a certificate from ca_file and then refuses the session; (False, what
    happened) otherwise."""
    context = ssl.create_default_context(cafile=ca_file)
    context.check_hostname = False  # the name is not the point here: the CA is
    try:
        raw = socket.create_connection((node.host, node.route), timeout=3)
    except OSError as error:
        return False, f"cannot connect: {error}"
    with raw:
        handshake_done = False
        try:
            # nats-server starts TLS on a route connection at once; a server that sends its
            # INFO in the clear first gets it read here.
            raw.settimeout(0.25)
            try:
                if raw.recv(4, socket.MSG_PEEK) == b"INFO":
                    read_line(raw)
            except socket.timeout:
                pass
            raw.settimeout(3)
            tls = context.wrap_socket(raw, server_hostname=node.host)
            handshake_done = True
            # TLS 1.3: the server checks our (missing) certificate after the client side
            # of the handshake completes, so its refusal shows up on the next read.
            tls.sendall(b'CONNECT {"verbose":false,"pedantic":false,"name":"probe"}\r\nPING\r\n')
            data = tls.recv(4096)
            if data:
                return False, f"accepted a peer without a certificate (answered {data[:40]!r})"
            return True, "closed after the handshake"
        except ssl.SSLCertVerificationError as error:
            return False, f"its certificate does not verify with {ca_file}: {error.verify_message}"
        except ssl.SSLEOFError:
            if handshake_done:
                return True, "closed after the handshake"
            return False, "closed the connection without completing a TLS handshake"
        except ssl.SSLError as error:
            reason = error.reason or str(error)
            if handshake_done or "ALERT" in reason:
                return True, reason  # a TLS endpoint that refused us
            return False, f"does not speak TLS ({reason})"
        except ConnectionError as error:
            if handshake_done:
                return True, f"{error.strerror or error} after the handshake"
            return False, f"{error.strerror or error} before any TLS handshake"
        except socket.timeout:
            return False, "no answer and no refusal within 3s"
        except OSError as error:
            return False, str(error)


def read_line(sock):
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("closed")
        line += chunk
    return line


class Client:
    """Just enough of the NATS client protocol: CONNECT, SUB, PUB, PING/PONG, MSG."""

    def __init__(self, node):
        self.node = node
        self.sock = socket.create_connection((node.host, node.client), timeout=3)
        self.buffer = b""
        if not self.line().startswith(b"INFO"):
            raise ConnectionError(f"{node.name}: no INFO")
        self.send(b'CONNECT {"verbose":false,"pedantic":false,"echo":false,"name":"cluster-check"}\r\n')
        self.flush()

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"{self.node.name}: connection closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"{self.node.name}: connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def flush(self):
        """PING and wait for the PONG: the server has processed everything sent before."""
        self.send(b"PING\r\n")
        while True:
            line = self.line()
            if line == b"PONG":
                return
            self.handle(line)

    def handle(self, line):
        if line == b"PING":
            self.send(b"PONG\r\n")
        elif line.startswith(b"-ERR"):
            raise ConnectionError(f"{self.node.name}: {line.decode(errors='replace')}")

    def next_message(self, wait):
        """The payload of the next MSG within `wait` seconds, or None."""
        self.sock.settimeout(wait)
        try:
            while True:
                line = self.line()
                if line.startswith(b"MSG "):
                    size = int(line.split()[-1])
                    payload = self.read_exact(size + 2)[:-2]
                    return payload
                self.handle(line)
        except socket.timeout:
            return None
        finally:
            self.sock.settimeout(3)

    def close(self):
        self.sock.close()


def check_pubsub(nodes, timeout):
    ok = True
    for source in nodes:
        for target in nodes:
            if source is target:
                continue
            result = pubsub_once(source, target, timeout)
            if result is None:
                print(f"OK   pubsub: published on {source.name}, received on {target.name}")
            else:
                ok = False
                print(f"FAIL pubsub: published on {source.name}, not received on {target.name}: {result}")
    return ok


def pubsub_once(source, target, timeout):
    subject = f"cluster.check.{secrets.token_hex(6)}"
    payload = f"from {source.name} to {target.name}".encode()
    sub = pub = None
    try:
        sub = Client(target)
        sub.send(f"SUB {subject} 1\r\n".encode())
        sub.flush()
        pub = Client(source)
        deadline = time.monotonic() + timeout
        while True:
            # Until the subscription has crossed the route, the publishing node drops it.
            pub.send(f"PUB {subject} {len(payload)}\r\n".encode() + payload + b"\r\n")
            pub.flush()
            received = sub.next_message(0.1)
            if received is not None:
                return None if received == payload else f"wrong payload {received!r}"
            if time.monotonic() >= deadline:
                return f"nothing within {timeout:g}s"
    except (OSError, ValueError) as error:
        return str(error)
    finally:
        for client in (sub, pub):
            if client is not None:
                client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--pki", help="PKI folder from make-pki.sh (for the mtls check)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for the mesh")
    parser.add_argument("nodes", nargs="+", metavar="NAME:CLIENT:ROUTE:MONITOR")
    args = parser.parse_args()
    nodes = [Node(spec, args.host) for spec in args.nodes]

    meshed = check_mesh(nodes, args.timeout)
    ok = meshed
    if args.pki:
        ok = check_mtls(nodes, args.pki) and ok
    if meshed:
        ok = check_pubsub(nodes, 5) and ok
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
