#!/bin/bash
# Generate tests/vectors/gpg/: GnuPG keyrings and SPA packets made by the
# REAL fwknop client and gpg, for tests/unit/test_openpgp.c.
#
#   tests/vectors/make-gpg.sh [OUTDIR]     (default: tests/vectors/gpg)
#
# Keys, none with a passphrase but the RSA server's ("srvpw"):
#   ecc/      the server: ed25519 + cv25519; its ring knows alice, mallory
#   rsa/      the server: RSA 2048 + RSA 2048, passphrase srvpw
#   alice, mallory: signers (ed25519), in the client's scratch ring
#   erin      a signer whose key expires 30 s after it is made: valid when
#             she signs, expired by the time a test reads her packet
# Each ring is what spagated reads: pubring.kbx and secring.gpg (the
# secret keys as gpg --export-secret-keys writes them).  Packets (-A
# tcp/22 -a 10.0.0.1, nothing sent):
#   ecc-alice.spa     to ecc, signed by alice
#   ecc-mallory.spa   to ecc, signed by mallory
#   ecc-unsigned.spa  to ecc, not signed
#   ecc-erin.spa      to ecc, signed by erin (expired since)
#   ecc-alice-hmac.spa  to ecc, signed by alice, HMAC-SHA256 key "fixture-hmac"
#   rsa-alice.spa     to rsa, signed by alice
#   signed-only.gpg   an OpenPGP message signed by alice, not encrypted
#   alice.fpr, mallory.fpr, ecc.fpr, rsa.fpr: the fingerprints
# The output is data to commit; its timestamps are old, which the unit
# tests do not judge.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/gpg}
command -v fwknop >/dev/null || { echo "fwknop client not installed" >&2; exit 1; }
command -v gpg >/dev/null || { echo "gpg not installed" >&2; exit 1; }

scratch=$(mktemp -d)
cleanup() {
	for h in ecc rsa cli; do gpgconf --homedir "$scratch/$h" --kill all 2>/dev/null || true; done
	rm -rf "$scratch"
}
trap cleanup EXIT
export HOME=$scratch LC_ALL=C
mkdir -m 700 "$scratch/ecc" "$scratch/rsa" "$scratch/cli"

g() {
	local home=$1; shift
	gpg --homedir "$scratch/$home" --batch --quiet --pinentry-mode loopback \
		--passphrase "${PW:-}" "$@"
}
fpr() { g "$1" --with-colons --list-keys "<$2@spagate.test>" | awk -F: '/^fpr/ { print $10; exit }'; }
newkey() {	# HOME NAME PRIMARY SUBKEY
	g "$1" --quick-gen-key "$2 <$2@spagate.test>" "$3" cert,sign 0 &&
	g "$1" --quick-add-key "$(fpr "$1" "$2")" "$4" encr 0
}

newkey ecc ecc ed25519 cv25519
PW=srvpw newkey rsa rsa rsa2048 rsa2048
for u in alice mallory; do
	g cli --quick-gen-key "$u <$u@spagate.test>" ed25519 cert,sign 0
done
g cli --quick-gen-key "erin <erin@spagate.test>" ed25519 sign seconds=30
g cli --export alice mallory erin | g ecc --import
g cli --export alice mallory | g rsa --import
g ecc --export ecc | g cli --import
g rsa --export rsa | g cli --import

spa() {	# NAME RECIPIENT SIGNER|- [fwknop options]
	local name=$1 rcpt=$2 signer=$3 sign=(); shift 3
	[ "$signer" != - ] && sign=(--gpg-signer "$(fpr cli "$signer")" --gpg-no-signing-pw)
	fwknop --no-rc-file --no-save-args -D 127.0.0.1 -A tcp/22 -a 10.0.0.1 \
		--gpg-recipient "$(fpr cli "$rcpt")" "${sign[@]}" \
		--gpg-home-dir "$scratch/cli" --test -B "$scratch/$name.spa" "$@" \
		>"$scratch/$name.out" 2>&1 || true
	# --test then decrypts its own packet, which it cannot (no server
	# key), and exits 1: the packet is saved before
	[ -s "$scratch/$name.spa" ] || { cat "$scratch/$name.out" >&2; exit 1; }
	tr -d '\n' < "$scratch/$name.spa" > "$scratch/$name.tmp"
	mv "$scratch/$name.tmp" "$scratch/$name.spa"
}
spa ecc-alice ecc alice
spa ecc-mallory ecc mallory
spa ecc-unsigned ecc -
spa ecc-erin ecc erin
spa ecc-alice-hmac ecc alice --use-hmac --key-hmac fixture-hmac
spa rsa-alice rsa alice
printf 'not encrypted' | g cli --sign --local-user "$(fpr cli alice)" > "$scratch/signed-only.gpg"

rm -rf "$out"
mkdir -p "$out/ecc" "$out/rsa"
for h in ecc rsa; do
	cp "$scratch/$h/pubring.kbx" "$out/$h/"
done
g ecc --export-secret-keys ecc > "$out/ecc/secring.gpg"
PW=srvpw g rsa --export-secret-keys rsa > "$out/rsa/secring.gpg"
cp "$scratch"/*.spa "$scratch/signed-only.gpg" "$out/"
for u in alice mallory erin; do fpr cli "$u" > "$out/$u.fpr"; done
fpr ecc ecc > "$out/ecc.fpr"
fpr rsa rsa > "$out/rsa.fpr"
echo "written to $out"
