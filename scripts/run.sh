#!/usr/bin/env bash
# Builds Starling (release) and runs it on its embedded defaults: clients on 0.0.0.0:4222.
# Extra arguments go to the server, e.g. scripts/run.sh -p 4333 -c my.conf
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product starling
exec .build/release/starling "$@"
