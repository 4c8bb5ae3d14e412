"""The ready-to-run topology in cluster/: three nodes with mutual TLS on every route.

Runs ``cluster/cluster.sh test`` (make the PKI, start the three nodes on their fixed loopback
ports, check the full mesh in /routez, that every route port refuses a peer without a
certificate, and that messages cross between every pair of nodes, then stop them) with the
binary under test.  The same script runs Go nats-server with the same files, which proves the
files are nats-server's syntax.
"""

from __future__ import annotations

import subprocess

from conftest import ROOT, server_binary


def test_cluster_directory_topology_forms_and_delivers(tmp_path):
    run = subprocess.run(
        [str(ROOT / "cluster" / "cluster.sh"), "--server", str(server_binary()),
         "--run-dir", str(tmp_path / "run"), "--pki", str(tmp_path / "pki"), "--timeout", "30", "test"],
        capture_output=True, text=True, timeout=180)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    for check in ("mesh: node1", "mesh: node2", "mesh: node3", "mtls: node1", "pubsub: published on node3"):
        assert f"OK   {check}" in report, f"missing {check!r} in:\n{report}"
    assert "FAIL" not in report, report
