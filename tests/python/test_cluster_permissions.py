"""Route permissions: ``cluster { permissions { import, export } }``.

nats-server reads ``import`` as what the node asks its peers for (it only
announces local interest in imported subjects) and ``export`` as what it
gives them (it ignores a peer's interest outside the export rules, and a
peer's wildcard that overlaps an export deny never receives the denied
subjects).  Nothing is refused or logged as an error: the filtering is
silent (route.go: canImport, canExport).

Two nodes, P with the permissions and O without, over every mix of
Starling with Starling and with each Go build, P being either kind.  Run
with ``NATS_SERVER_BIN`` pointing at a nats-server and every node is Go.
"""

from __future__ import annotations

import asyncio

import pytest

from clustersupport import Cluster, Conns, Inbox, barrier, pair_params, require_kinds, unique
from conftest import nats_flush, run

IMPORT = {"allow": ["imp.>", "_probe.>"], "deny": ["imp.secret"]}
EXPORT = {"allow": ["exp.>", "_probe.>"], "deny": ["exp.secret"]}
PERMISSIONS = ("permissions { import: { allow: [\"imp.>\", \"_probe.>\"], deny: [\"imp.secret\"] }, "
               "export: { allow: [\"exp.>\", \"_probe.>\"], deny: [\"exp.secret\"] } }")
GRACE = 0.3     # what must not arrive gets this long after what must



@pytest.mark.parametrize("kinds,restricted", pair_params("restricted"))
def test_route_import_and_export_filter_interest(tmp_path, kinds, restricted):
    require_kinds(kinds)
    c = Cluster(kinds, tmp_path)
    c.nodes[restricted].cluster_extra = PERMISSIONS
    try:
        c.start()
        p, o = c.nodes[restricted], c.nodes[1 - restricted]
        info = p.read_route_info()
        assert info.get("import") == IMPORT and info.get("export") == EXPORT, (
            f"{p.label}'s route INFO: import={info.get('import')} export={info.get('export')}")
        run(_scenario(c, p, o), 60)
    finally:
        c.stop()


async def _crossing(pub, sub, subscribe, publish, must_arrive: str) -> dict:
    """``sub`` subscribes to ``subscribe``; once ``pub``'s node knows, ``pub`` publishes
    ``publish`` in order. Returns the subjects each subscription received, read once
    ``must_arrive`` got its message and GRACE more has passed (what leaked came first)."""
    boxes = {s: await Inbox.open(sub, s) for s in subscribe}
    await barrier(pub, sub)
    for s in publish:
        await pub.nc.publish(s, b"crossing")
    await nats_flush(pub.nc)
    assert await boxes[must_arrive].wait_count(1, 10), (
        f"{must_arrive} published on {pub.node.label} never reached {sub.node.label}")
    await asyncio.sleep(GRACE)
    return {s: [m.subject for m in box.msgs] for s, box in boxes.items()}


async def _scenario(c: Cluster, p, o) -> None:
    async with Conns(c) as conns:
        t = unique("perm").replace(".", "_")   # one token, so exp.* covers exp.<t>
        on_p, on_o = await conns.connect(p, "P"), await conns.connect(o, "O")

        # import: P asks O only for imp.> (less imp.secret).
        got = await _crossing(on_o, on_p, (f"imp.{t}", "imp.secret", f"other.{t}"),
                              ("imp.secret", f"other.{t}", f"imp.{t}"), f"imp.{t}")
        assert got == {f"imp.{t}": [f"imp.{t}"], "imp.secret": [], f"other.{t}": []}, (
            f"{p.label} received from {o.label}: {got}\n{c.describe()}")

        # export: P gives O only exp.> (less exp.secret), also to O's wildcard.
        got = await _crossing(on_p, on_o, (f"exp.{t}", f"other.{t}.b", "exp.*"),
                              ("exp.secret", f"other.{t}.b", f"exp.{t}"), f"exp.{t}")
        assert got == {f"exp.{t}": [f"exp.{t}"], f"other.{t}.b": [], "exp.*": [f"exp.{t}"]}, (
            f"{o.label} received from {p.label}: {got}\n{c.describe()}")

        # Local delivery on P is not affected by its route permissions.
        local = await Inbox.open(on_p, f"other.{t}.local")
        await nats_flush(on_p.nc)
        await on_p.nc.publish(f"other.{t}.local", b"local")
        await nats_flush(on_p.nc)
        assert await local.wait_count(1, 5)
