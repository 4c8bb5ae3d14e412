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

from clustersupport import Cluster, Conns, Inbox, barrier, require_kinds, unique
from conftest import nats_flush, run

IMPORT = {"allow": ["imp.>", "_probe.>"], "deny": ["imp.secret"]}
EXPORT = {"allow": ["exp.>", "_probe.>"], "deny": ["exp.secret"]}
PERMISSIONS = ("permissions { import: { allow: [\"imp.>\", \"_probe.>\"], deny: [\"imp.secret\"] }, "
               "export: { allow: [\"exp.>\", \"_probe.>\"], deny: [\"exp.secret\"] } }")
GRACE = 0.3     # what must not arrive gets this long after what must

PAIRS = [
    pytest.param(("S", "S"), 0, id="SS"),
    pytest.param(("S", "G9"), 0, id="S-G9:P=S"),
    pytest.param(("S", "G9"), 1, id="S-G9:P=G9"),
    pytest.param(("S", "G15"), 0, id="S-G15:P=S"),
    pytest.param(("S", "G15"), 1, id="S-G15:P=G15"),
]


@pytest.mark.parametrize("kinds,restricted", PAIRS)
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


async def _scenario(c: Cluster, p, o) -> None:
    async with Conns(c) as conns:
        t = unique("perm").replace(".", "_")   # one token, so exp.* covers exp.<t>
        on_p, on_o = await conns.connect(p, "P"), await conns.connect(o, "O")

        # import: P asks O only for imp.> (less imp.secret).
        imported = {s: await Inbox.open(on_p, s) for s in
                    (f"imp.{t}", "imp.secret", f"other.{t}")}
        await barrier(on_o, on_p)
        for s in ("imp.secret", f"other.{t}", f"imp.{t}"):
            await on_o.nc.publish(s, b"from O")
        await nats_flush(on_o.nc)
        assert await imported[f"imp.{t}"].wait_count(1, 10), (
            f"imp.{t} published on {o.label} never reached {p.label}\n{c.describe()}")
        await asyncio.sleep(GRACE)
        leaked = {s: box.data() for s, box in imported.items() if s != f"imp.{t}" and box.msgs}
        assert not leaked, f"{p.label} received subjects it does not import: {leaked}"

        # export: P gives O only exp.> (less exp.secret), also to O's wildcard.
        exported = {s: await Inbox.open(on_o, s) for s in
                    (f"exp.{t}", f"other.{t}.b", "exp.*")}
        await barrier(on_p, on_o)
        for s in ("exp.secret", f"other.{t}.b", f"exp.{t}"):
            await on_p.nc.publish(s, b"from P")
        await nats_flush(on_p.nc)
        assert await exported[f"exp.{t}"].wait_count(1, 10), (
            f"exp.{t} published on {p.label} never reached {o.label}\n{c.describe()}")
        assert await exported["exp.*"].wait_count(1, 10)
        await asyncio.sleep(GRACE)
        got = {s: [m.subject for m in box.msgs] for s, box in exported.items()}
        assert got == {f"exp.{t}": [f"exp.{t}"], f"other.{t}.b": [], "exp.*": [f"exp.{t}"]}, (
            f"{o.label} received from {p.label}: {got}")

        # Local delivery on P is not affected by its route permissions.
        local = await Inbox.open(on_p, f"other.{t}.local")
        await nats_flush(on_p.nc)
        await on_p.nc.publish(f"other.{t}.local", b"local")
        await nats_flush(on_p.nc)
        assert await local.wait_count(1, 5)
