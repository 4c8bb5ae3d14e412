#!/usr/bin/env bash
# Builds Starling and runs every test: Swift unit and integration tests, then the end-to-end
# suite (nats-py and raw sockets) against the starling binary, and the same suite against
# Go nats-server 2.9.10 and 2.15.x to prove the suite's expectations are nats-server's.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests

echo "== swift test"
swift test 2>&1 | grep -vE "^(Test Case .* (started|passed)|\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking))"

echo "== release build"
swift build -c release --product starling

GO_OLD=/usr/sbin/nats-server
GO_NEW="$PWD/.deps/natsbin/bin/nats-server"
status=0
for bin in "$PWD/.build/release/starling" "$GO_OLD" "$GO_NEW"; do
    echo "== end-to-end suite against $bin"
    NATS_SERVER_BIN="$bin" python3 -m pytest tests/python -q -p no:cacheprovider || status=1
done
exit $status
