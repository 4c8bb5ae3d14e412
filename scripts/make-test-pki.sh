#!/usr/bin/env bash
# Makes a throwaway PKI for TLS tests in DIR with openssl only (no network, a few seconds).
#
#   scripts/make-test-pki.sh DIR
#
# Idempotent: when DIR already holds a complete PKI of this script's layout version, it does
# nothing; otherwise it builds a new one in a temporary folder and moves the files into DIR.
# Every private key is unencrypted PEM (PKCS#8). Files (cert NAME.pem, key NAME-key.pem):
#   ca                 test CA "CN=Starling Test CA,O=Starling Test"
#   server             CN=localhost, SAN DNS:localhost + IP:127.0.0.1, EKU serverAuth+clientAuth
#   client-email       CN=bob,O=Acme; SAN email:bob@example.com, DNS:bob.example.com,
#                      URI:spiffe://example.org/ns/acme/bob (clientAuth)
#   client-dn          subject C=US,ST=CA,L=SF,O=Acme,OU=eng,CN=alice (cert order), no SAN
#   client-dns         CN=node1; SAN DNS:node1.example.com, DNS:*.nodes.example.com
#   client-dc          DC=com,DC=example,O=Acme,OU=ops,OU=dev,CN=carol,serialNumber=1234
#   client-multi       C=US,O=Acme,(OU=a + CN=dave) multi-valued RDN,
#                      CN with characters that need escaping
#   client-email-attr  CN=erin,emailAddress=erin@example.com (not an LDAP DN type)
#   other-ca, other-client   an unrelated CA and a client cert it signed
#   expired            signed by ca, valid 2020-01-01 .. 2020-12-31
#   notyet             signed by ca, valid 2090-01-01 .. 2090-12-31
#   ecdsa-p256, ecdsa-p384, ed25519   client+server certs (SAN DNS:localhost, IP:127.0.0.1)
#                      with those key types, signed by ca
#   mismatch           a valid server cert whose mismatch-key.pem is another key
set -euo pipefail

VERSION=3
dir=${1:?usage: make-test-pki.sh DIR}
mkdir -p "$dir"
if [[ -f "$dir/pki.done" && "$(cat "$dir/pki.done")" == "$VERSION" ]]; then
    exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/starling-pki.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export OPENSSL_CONF=/dev/null

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
ec_key() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1"; }
ed_key() { openssl genpkey -algorithm ED25519 -out "$1"; }

# ca NAME SUBJECT: a self-signed CA.
make_ca() {
    rsa_key "$1-key.pem"
    openssl req -new -x509 -key "$1-key.pem" -out "$1.pem" -days 3650 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash"
}

# leaf NAME SUBJECT CA EXTFILE-CONTENT [KEYFILE]: a leaf signed by CA with a key made beforehand
# (NAME-key.pem) or now (RSA).
leaf() {
    local name=$1 subject=$2 ca=$3 ext=$4
    [[ -f "$name-key.pem" ]] || rsa_key "$name-key.pem"
    printf '%s\n' "$ext" > "$name.ext"
    openssl req -new -key "$name-key.pem" -out "$name.csr" -subj "$subject" -multivalue-rdn
    openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
        -days 825 -sha256 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

# dated NAME SUBJECT STARTDATE ENDDATE: a client cert signed by ca with a fixed validity window
# (openssl ca is the only openssl 3.0 command that sets absolute dates).
dated() {
    local name=$1 subject=$2 start=$3 end=$4
    rsa_key "$name-key.pem"
    openssl req -new -key "$name-key.pem" -out "$name.csr" -subj "$subject"
    mkdir -p cadb
    : > cadb/index.txt
    openssl rand -hex 8 > cadb/serial
    cat > cadb/ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
certificate = ca.pem
private_key = ca-key.pem
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = ext
[anything]
commonName = supplied
organizationName = optional
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth,serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF
    openssl ca -batch -config cadb/ca.cnf -in "$name.csr" -out "$name.pem" -notext \
        -startdate "$start" -enddate "$end" -rand_serial 2>/dev/null
    rm -f "$name.csr"
}

client_ext() {
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n%s' "${1:-}"
}
both_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1'

make_ca ca "/O=Starling Test/CN=Starling Test CA"
make_ca other-ca "/O=Unrelated/CN=Unrelated Test CA"

leaf server "/CN=localhost" ca "$both_ext"
leaf client-email "/O=Acme/CN=bob" ca \
    "$(client_ext 'subjectAltName=email:bob@example.com,DNS:bob.example.com,URI:spiffe://example.org/ns/acme/bob')"
leaf client-dn "/C=US/ST=CA/L=SF/O=Acme/OU=eng/CN=alice" ca "$(client_ext)"
leaf client-dns "/CN=node1" ca "$(client_ext 'subjectAltName=DNS:node1.example.com,DNS:*.nodes.example.com')"
leaf client-dc "/DC=com/DC=example/O=Acme/OU=ops/OU=dev/CN=carol/serialNumber=1234" ca "$(client_ext)"
leaf client-multi '/C=US/O=Acme/OU=a+CN=dave/CN=#Doe\, John <j;k> "q"\\ ' ca "$(client_ext)"
leaf client-email-attr "/CN=erin/emailAddress=erin@example.com" ca "$(client_ext)"
leaf other-client "/O=Acme/CN=mallory" other-ca "$(client_ext)"

dated expired "/CN=expired" 20200101000000Z 20201231000000Z
dated notyet "/CN=notyet" 20900101000000Z 20901231000000Z

ec_key ecdsa-p256-key.pem P-256
leaf ecdsa-p256 "/CN=ecdsa-p256" ca "$both_ext"
ec_key ecdsa-p384-key.pem P-384
leaf ecdsa-p384 "/CN=ecdsa-p384" ca "$both_ext"
ed_key ed25519-key.pem
leaf ed25519 "/CN=ed25519" ca "$both_ext"

leaf mismatch "/CN=localhost" ca "$both_ext"
rsa_key mismatch-key.pem

rm -rf cadb ./*.srl
chmod 600 ./*-key.pem
mv ./*.pem "$dir/"
echo "$VERSION" > "$dir/pki.done"
