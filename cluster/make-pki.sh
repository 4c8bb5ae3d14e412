#!/usr/bin/env bash
# Makes a throwaway PKI for the example cluster in DIR, with openssl only (no network, well
# under a second). Never use it for anything real: the CA key sits next to the certificates.
#
#   cluster/make-pki.sh [--readable-keys] DIR
#
# Files (certificate NAME.pem, key NAME-key.pem, every key unencrypted PKCS#8 ECDSA P-256):
#   ca               "CN=Starling Cluster Test CA,O=Starling Cluster Test", signs the others
#   node1..node3     CN=nodeN; SAN DNS:localhost, IP:127.0.0.1, DNS:nodeN (the docker compose
#                    service name); EKU serverAuth+clientAuth, because a route uses the same
#                    certificate to accept (server) and to solicit (client) connections
#   client           CN=client; EKU clientAuth, for clients if you turn on TLS on the client port
#
# Idempotent: when DIR already holds a complete PKI of this script's layout version it keeps
# it; otherwise it builds a new one in a temporary folder and moves the files into DIR.
# Private keys are mode 0600. --readable-keys makes the nodes' keys 0644 (and DIR 0755) so
# that the non-root user of the container image (uid 10001) can read them through a bind
# mount, as docker/compose.cluster.yaml needs; it may be given again on an existing PKI.
set -euo pipefail

VERSION=1
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit "${1:-2}"
}

readable=false
dir=
while (($#)); do
    case $1 in
        --readable-keys) readable=true ;;
        -h | --help) usage 0 ;;
        -*) echo "make-pki.sh: unknown option $1" >&2; usage ;;
        *) [[ -z $dir ]] || usage; dir=$1 ;;
    esac
    shift
done
[[ -n $dir ]] || usage

mkdir -p "$dir"
nodes=(node1 node2 node3)
files=(ca.pem ca-key.pem client.pem client-key.pem)
for n in "${nodes[@]}"; do files+=("$n.pem" "$n-key.pem"); done

complete() {
    [[ -f "$dir/pki.done" && "$(cat "$dir/pki.done")" == "$VERSION" ]] || return 1
    local f
    for f in "${files[@]}"; do [[ -s "$dir/$f" ]] || return 1; done
}

if ! complete; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/starling-cluster-pki.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    (
        cd "$work"
        export OPENSSL_CONF=/dev/null
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

        key ca-key.pem
        openssl req -new -x509 -key ca-key.pem -out ca.pem -days 3650 -sha256 \
            -subj "/O=Starling Cluster Test/CN=Starling Cluster Test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -addext "subjectKeyIdentifier=hash"

        # leaf NAME EXTENSIONS: a certificate signed by the CA, valid 825 days.
        leaf() {
            key "$1-key.pem"
            printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' \
                "$2" > "$1.ext"
            openssl req -new -key "$1-key.pem" -out "$1.csr" -subj "/O=Starling Cluster Test/CN=$1"
            openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem \
                -set_serial "0x$(openssl rand -hex 8)" -days 825 -sha256 \
                -extfile "$1.ext" -out "$1.pem" 2>/dev/null
            rm -f "$1.csr" "$1.ext"
        }
        for n in "${nodes[@]}"; do
            leaf "$n" "extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$n"
        done
        leaf client "extendedKeyUsage=clientAuth"
        chmod 600 ./*-key.pem
        chmod 644 ca.pem client.pem node?.pem
    )
    rm -f "$dir/pki.done"
    mv "$work"/*.pem "$dir/"
    echo "$VERSION" > "$dir/pki.done"
fi

if $readable; then
    chmod 755 "$dir"
    chmod 644 "$dir"/node?-key.pem
fi
