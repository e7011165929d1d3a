#!/bin/bash
# Generate the SPA test vectors in spec/vectors/ with the REAL fwknop client.
#
#   tests/vectors/make-vectors.sh [OUTDIR]      (default: spec/vectors)
#
# Every vector is one `fwknop ... -T -v --save-packet FILE` run (nothing is
# sent), except the HTTP one, which sends to a listener on loopback inside a
# private network namespace (needs root and unshare).  The expected fields
# come from the client's own -v dump; salt, AES key/IV and plaintext are then
# recomputed with the openssl command line tool and the HMAC with
# `openssl dgst -mac HMAC`, so each vector is checked by a second, independent
# implementation before it is written.  HOME points at a scratch directory:
# ~/.fwknoprc is never touched.  The output is data to commit; the format is
# described in spec/vectors/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../spec/vectors}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/[0-9][0-9]-*.vec

command -v fwknop >/dev/null || { echo "fwknop client not installed" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl not installed" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch LC_ALL=C

# Fixed keys.  ENC must hold no NUL or newline byte: openssl enc reads the
# passphrase from a file as one line.
ENC=EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI=
H16=oVbjBzwjCzDyL/CbfhQgQw==
H20=PHzPr+alOVNibq2Q5jdKH4ii7h4=
H64=oPYfgwyryWrhQjfq8KwzJmiW7y7i+rG8/YLbWTWF0HIg99fbq7wq9iYG/Dh8PUhnLybB5qDaU6tJiBbjDfvQmw==
H128=qDP8/5xTFG6mSy8A94xxqsKpOSgmIRhQPdkzIWaGGbY7rd53Yw0QUhiNHSAAQFvav6AKP90x+tOX3YnxKxnNOctpM/9uihI6nKpp+mkXZ/AvMUqOrahcKpJLVY6SW/INIVzFq1jCh8GlauHnIbFh47/DVbfEHqAL1r5sxUGx15s=

die() { echo "make-vectors: $*" >&2; exit 1; }

# libfko digest / mode numbers (as printed by -v) to our names.
digest_name() {
	case $1 in
	0) echo none ;; 1) echo md5 ;; 2) echo sha1 ;; 3) echo sha256 ;;
	4) echo sha384 ;; 5) echo sha512 ;; 6) echo sha3_256 ;; 7) echo sha3_512 ;;
	*) die "unknown digest type $1" ;;
	esac
}
mode_name() {
	case $1 in
	1) echo ecb ;; 2) echo cbc ;; 3) echo cfb ;; 5) echo ofb ;; 6) echo ctr ;;
	8) echo legacy ;; *) die "unknown encryption mode $1" ;;
	esac
}
ossl_digest() { echo "${1/_/-}"; }		# sha3_256 -> sha3-256

# Value of "  Label: value" in the first field dump of the -v output.
field() {
	awk -v k="$1" '
		/^Generating SPA packet/ { exit }
		{ i = index($0, ": ") }
		i && substr($0, 1, i - 1) ~ "^ *" k "$" { print substr($0, i + 2); exit }
	' "$2"
}
# "key: value", or "key:" alone for an empty value.
kv() { if [ -n "$2" ]; then printf '%s: %s\n' "$1" "$2"; else printf '%s:\n' "$1"; fi; }
number() { sed 's/ .*//' <<<"$1"; }
null_empty() { [ "$1" = "<NULL>" ] && echo "" || echo "$1"; }

b64_pad() {
	local s=$1
	while [ $((${#s} % 4)) -ne 0 ]; do s+="="; done
	echo "$s"
}
hex_of_b64() { b64_pad "$1" | base64 -d | xxd -p | tr -d '\n'; }

# Expected key material: the passphrase bytes as the KDF sees them.
# Args: enc_kind (base64|pass) enc_value mode -> writes $scratch/pass
write_pass() {
	local kind=$1 val=$2 mode=$3
	if [ "$kind" = base64 ]; then
		b64_pad "$val" | base64 -d >"$scratch/pass"
	else
		printf '%s' "$val" >"$scratch/pass"
	fi
	if [ "$mode" = legacy ]; then
		# Legacy: right-pad with '0' to 16 bytes, truncate longer keys.
		local p
		p=$(head -c 16 "$scratch/pass")
		while [ ${#p} -lt 16 ]; do p+=0; done
		printf '%s' "$p" >"$scratch/pass"
	fi
	if [ "$(tr -d '\000\n' <"$scratch/pass" | wc -c)" -ne \
	    "$(wc -c <"$scratch/pass")" ]; then
		die "key holds NUL or newline: openssl enc cannot take it"
	fi
}

# Recompute salt, AES key/IV and plaintext with openssl; sets globals.
openssl_decrypt() {
	local wire_ct=$1 mode=$2 cipher kdf raw ct pt n
	raw=$scratch/raw
	b64_pad "U2FsdGVkX1$wire_ct" | base64 -d >"$raw"
	[ "$(head -c 8 "$raw")" = "Salted__" ] || die "no Salted__ header"
	SALT=$(tail -c +9 "$raw" | head -c 8 | xxd -p)
	kdf=$(openssl enc -aes-256-cbc -md md5 -S "$SALT" -pass "file:$scratch/pass" -P 2>/dev/null)
	KDF_KEY=$(sed -n 's/^key=//p' <<<"$kdf" | tr 'A-F' 'a-f')
	KDF_IV=$(sed -n 's/^iv *=//p' <<<"$kdf" | tr 'A-F' 'a-f')
	[ ${#KDF_KEY} -eq 64 ] && [ ${#KDF_IV} -eq 32 ] || die "openssl enc -P failed"
	case $mode in legacy) cipher=aes-256-cbc ;; *) cipher=aes-256-$mode ;; esac
	ct=$scratch/ct
	tail -c +17 "$raw" >"$ct"
	if [ "$mode" = ecb ]; then
		openssl enc -d -"$cipher" -nopad -K "$KDF_KEY" -in "$ct" -out "$scratch/pt"
	else
		openssl enc -d -"$cipher" -nopad -K "$KDF_KEY" -iv "$KDF_IV" -in "$ct" -out "$scratch/pt"
	fi
	# PKCS#7: the client always pads, in every mode.
	n=$(tail -c 1 "$scratch/pt" | od -An -tu1 | tr -d ' ')
	[ "$n" -ge 1 ] && [ "$n" -le 16 ] || die "bad padding byte $n"
	pt=$(head -c -"$n" "$scratch/pt")
	PLAINTEXT=$pt
}

# HMAC over "U2FsdGVkX1" || ciphertext text, base64 without '='.
openssl_hmac() {
	local type=$1 key64=$2 ct=$3
	printf '%s' "U2FsdGVkX1$ct" |
	    openssl dgst -"$(ossl_digest "$type")" -mac HMAC \
	    -macopt "hexkey:$(hex_of_b64 "$key64")" -binary | base64 -w0 | tr -d '='
}

# Embedded digest: b64(H(encoded)) without '='.
openssl_digest() {
	printf '%s' "$2" | openssl dgst -"$(ossl_digest "$1")" -binary |
	    base64 -w0 | tr -d '='
}

# The exact command, shell-quoted, with the scratch packet path named FILE.
quote_cmd() {
	local a s=""
	for a in "$@"; do s+=" $(printf '%q' "$a")"; done
	echo "${s# }" | sed "s|$scratch/packet|FILE|g"
}

#
# vec NN NAME [--http] [--note TEXT] -- fwknop arguments...
# Key arguments are recognised in the fwknop arguments to fill the key lines.
#
vec() {
	local nn=$1 name=$2 http=0 note="" args=() a i
	shift 2
	while [ "$1" != -- ]; do
		case $1 in
		--http) http=1 ;;
		--note) note=$2; shift ;;
		esac
		shift
	done
	shift
	args=("$@")
	local enc_kind="" enc_val="" hmac_kind="" hmac_val="" hmac_type=sha256
	for ((i = 0; i < ${#args[@]}; i++)); do
		a=${args[$i]}
		case $a in
		--key-base64-rijndael) enc_kind=base64; enc_val=${args[$((i + 1))]} ;;
		--key-rijndael) enc_kind=pass; enc_val=${args[$((i + 1))]} ;;
		--key-base64-hmac) hmac_kind=base64; hmac_val=${args[$((i + 1))]} ;;
		--key-hmac) hmac_kind=pass; hmac_val=${args[$((i + 1))]} ;;
		--hmac-digest-type) hmac_type=${args[$((i + 1))]} ;;
		esac
	done
	[ -n "$hmac_kind" ] || hmac_type=none
	[ -n "$enc_kind" ] || die "$name: no Rijndael key"

	local cmd=(fwknop "${args[@]}" -v --save-packet "$scratch/packet")
	local log=$scratch/log
	rm -f "$scratch/packet" "$scratch/http.req"
	if [ $http -eq 1 ]; then
		run_http "${cmd[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "$name: client failed"; }
	else
		cmd+=(-T)
		"${cmd[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "$name: client failed"; }
	fi
	local packet
	packet=$(tr -d '\n' <"$scratch/packet")

	local random user ts ver type msg nat auth cto dtype htype mode enc dig hmac final
	random=$(field "Random Value" "$log")
	user=$(field "Username" "$log")
	ts=$(field "Timestamp" "$log")
	ver=$(field "FKO Version" "$log")
	type=$(number "$(field "Message Type" "$log")")
	msg=$(field "Message String" "$log")
	nat=$(null_empty "$(field "Nat Access" "$log")")
	auth=$(null_empty "$(field "Server Auth" "$log")")
	cto=$(field "Client Timeout" "$log")
	dtype=$(digest_name "$(number "$(field "Digest Type" "$log")")")
	htype=$(digest_name "$(number "$(field "HMAC Type" "$log")")")
	mode=$(mode_name "$(number "$(field "Encryption Mode" "$log")")")
	enc=$(field "Encoded Data" "$log")
	dig=$(field "SPA Data Digest" "$log")
	hmac=$(null_empty "$(field "HMAC" "$log")")
	final=$(field "Final SPA Data" "$log")

	# Only types 3, 4 and 6 carry the timeout on the wire.
	case $type in 3|4|6) ;; *) cto=0 ;; esac
	[ "$final" = "$packet" ] || die "$name: saved packet differs from the dump"
	[ "$htype" = "$hmac_type" ] || die "$name: HMAC type $htype, expected $hmac_type"

	# Independent checks with openssl.
	local ctext=$packet hlen=0
	if [ "$hmac_type" != none ]; then
		hlen=${#hmac}
		ctext=${packet:0:$((${#packet} - hlen))}
		[ "${packet:$((${#packet} - hlen))}" = "$hmac" ] || die "$name: HMAC not at the end"
		local hmac64=$hmac_val
		[ "$hmac_kind" = pass ] && hmac64=$(printf '%s' "$hmac_val" | base64 -w0)
		[ "$(openssl_hmac "$hmac_type" "$hmac64" "$ctext")" = "$hmac" ] ||
		    die "$name: openssl HMAC differs"
	fi
	write_pass "$enc_kind" "$enc_val" "$mode"
	openssl_decrypt "$ctext" "$mode"
	[ "$PLAINTEXT" = "$enc:$dig" ] || die "$name: openssl plaintext differs"
	[ "$(openssl_digest "$dtype" "$enc")" = "$dig" ] || die "$name: openssl digest differs"

	local f=$out/$nn-$name.vec
	{
		echo "# spagate SPA test vector: generated by tests/vectors/make-vectors.sh"
		echo "# with $(fwknop --version 2>&1 | head -n 1). Do not edit by hand."
		[ -n "$note" ] && echo "# $note"
		kv name "$name"
		echo "command: $(quote_cmd "${cmd[@]}")"
		if [ "$enc_kind" = base64 ]; then kv enc_key_base64 "$enc_val"
		else kv enc_key "$enc_val"; fi
		if [ "$hmac_kind" = base64 ]; then kv hmac_key_base64 "$hmac_val"
		elif [ "$hmac_kind" = pass ]; then kv hmac_key "$hmac_val"; fi
		kv hmac_type "$hmac_type"
		kv mode "$mode"
		kv random "$random"
		kv user "$user"
		kv timestamp "$ts"
		kv version "$ver"
		kv type "$type"
		kv message "$msg"
		kv nat "$nat"
		kv server_auth "$auth"
		kv client_timeout "$cto"
		kv digest_type "$dtype"
		kv encoded "$enc"
		kv digest "$dig"
		kv hmac "$hmac"
		kv salt "$SALT"
		kv kdf_key "$KDF_KEY"
		kv kdf_iv "$KDF_IV"
		kv plaintext "$PLAINTEXT"
		kv packet "$packet"
		if [ $http -eq 1 ]; then
			[ -s "$scratch/http.req" ] || die "$name: no HTTP request captured"
			printf 'http_request: %s\n' "$(sed -z 's/\r/\\r/g; s/\n/\\n/g' "$scratch/http.req")"
		fi
	} >"$f"
	echo "$f: ${#packet} characters"
}

# Run the client for real inside a private network namespace, with a
# listener on loopback port 80 capturing the HTTP request it sends.
run_http() {
	[ "$(id -u)" -eq 0 ] || die "the HTTP vector needs root (unshare -n)"
	unshare -n /bin/bash -c '
		ip link set lo up
		python3 -c "
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", 80)); s.listen(1)
print(\"ready\", flush=True)
c, _ = s.accept(); c.settimeout(5); data = b\"\"
while b\"\r\n\r\n\" not in data:
    d = c.recv(4096)
    if not d: break
    data += d
open(sys.argv[1], \"wb\").write(data)
" "$0" > "$0.ready" &
		for i in $(seq 50); do [ -s "$0.ready" ] && break; sleep 0.1; done
		"$@"; rc=$?
		wait
		exit $rc
	' "$scratch/http.req" "$@"
}

B=(--key-base64-rijndael "$ENC")
A=(-a 1.2.3.4 -D 127.0.0.1 -U alice)
S256=(--key-base64-hmac "$H64")

# --- message types (HMAC sha256, 64-byte key, CBC) -------------------------
vec 01 access-sha256 -- -A tcp/22 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 02 multi-port -- -A tcp/22,udp/53,tcp/8443 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 03 access-timeout -- -A tcp/22 -f 45 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 04 nat-access -- -N 192.168.10.2:22 -A tcp/5022 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 05 nat-access-timeout -- -N 192.168.10.2:22 -A tcp/5022 -f 60 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 06 local-nat -- --nat-local -A tcp/5022 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 07 local-nat-timeout -- --nat-local -A tcp/5022 -f 90 "${A[@]}" "${B[@]}" "${S256[@]}"
vec 08 command -- -C "uname -a" "${A[@]}" "${B[@]}" "${S256[@]}"
vec 09 command-timeout --note "the client keeps type 0 and sends no timeout field with -C -f" \
    -- -C "uname -a" -f 30 "${A[@]}" "${B[@]}" "${S256[@]}"

# --- HMAC types, short and long keys ---------------------------------------
vec 10 hmac-md5 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H16" --hmac-digest-type md5
vec 11 hmac-md5-longkey --note "128-byte key > 64-byte block: hashed-key path" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type md5
vec 12 hmac-sha1 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H20" --hmac-digest-type sha1
vec 13 hmac-sha1-longkey --note "128-byte key > 64-byte block: hashed-key path" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha1
vec 14 hmac-sha256-shortkey -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H16" --hmac-digest-type sha256
vec 15 hmac-sha256-longkey --note "128-byte key > 64-byte block: hashed-key path" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha256
vec 16 hmac-sha384 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H64" --hmac-digest-type sha384
vec 17 hmac-sha384-blockkey --note "128-byte key = 128-byte block: used as is" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha384
vec 18 hmac-sha512 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H64" --hmac-digest-type sha512
vec 19 hmac-sha512-blockkey --note "128-byte key = 128-byte block: used as is" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha512
vec 20 hmac-sha3_256 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H64" --hmac-digest-type sha3_256
vec 21 hmac-sha3_256-128key --note "128-byte key < 136-byte block: used as is" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha3_256
vec 22 hmac-sha3_512 -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H64" --hmac-digest-type sha3_512
vec 23 hmac-sha3_512-longkey --note "128-byte key > 72-byte block: hashed-key path" \
    -- -A tcp/22 "${A[@]}" "${B[@]}" --key-base64-hmac "$H128" --hmac-digest-type sha3_512

# --- inner digests (-m), HMAC sha256 ---------------------------------------
n=24
for d in md5 sha1 sha384 sha512 sha3_256 sha3_512; do
	vec "$n" "digest-$d" -- -A tcp/22 -m "$d" "${A[@]}" "${B[@]}" "${S256[@]}"
	n=$((n + 1))
done
vec 30 digest-sha3_512-hmac-sha3_512 -- -A tcp/22 -m sha3_512 "${A[@]}" "${B[@]}" \
    --key-base64-hmac "$H128" --hmac-digest-type sha3_512

# --- keys, users, allow address --------------------------------------------
vec 31 passphrase-keys -- -A tcp/22 "${A[@]}" --key-rijndael fwknoptest --key-hmac hmacsecret123
vec 32 user-29-chars --note "-U is cut to 29 characters by the client" \
    -- -A tcp/22 -a 1.2.3.4 -D 127.0.0.1 -U abcdefghijklmnopqrstuvwxyz123 "${B[@]}" "${S256[@]}"
vec 33 user-with-space -- -A tcp/22 -a 1.2.3.4 -D 127.0.0.1 -U "alice smith" "${B[@]}" "${S256[@]}"
vec 34 allow-source -- -A tcp/22 -s -D 127.0.0.1 -U alice "${B[@]}" "${S256[@]}"

# --- encryption modes ------------------------------------------------------
vec 35 mode-ecb -- -A tcp/22 -M ecb "${A[@]}" "${B[@]}" "${S256[@]}"
vec 36 mode-cfb -- -A tcp/22 -M cfb "${A[@]}" "${B[@]}" "${S256[@]}"
vec 37 mode-ofb -- -A tcp/22 -M ofb "${A[@]}" "${B[@]}" "${S256[@]}"
vec 38 mode-ctr -- -A tcp/22 -M ctr "${A[@]}" "${B[@]}" "${S256[@]}"
vec 39 legacy-shortkey --note "legacy pads the key shortpw to shortpw000000000; no HMAC possible" \
    -- -A tcp/22 -M legacy "${A[@]}" --key-rijndael shortpw
vec 40 legacy-longkey --note "legacy truncates the 20-byte key to its first 16 bytes" \
    -- -A tcp/22 -M legacy "${A[@]}" --key-rijndael legacykey1234567890x
vec 41 cbc-no-hmac -- -A tcp/22 "${A[@]}" "${B[@]}"

# --- size limits -----------------------------------------------------------
P11=tcp/10001,tcp/10002,tcp/10003,tcp/10004,tcp/10005,tcp/10006,tcp/10007,tcp/10008,tcp/10009,tcp/10010,tcp/10011
vec 42 many-ports --note "11 ports: the largest request of this shape under the 400-character wire limit" \
    -- -A "$P11" "${A[@]}" "${B[@]}" "${S256[@]}"
vec 43 many-ports-over-400 --note "wire >= 400: fwknopd refuses it; spagate accepts (ciphertext text < 400)" \
    -- -A "$P11,tcp/10012" "${A[@]}" "${B[@]}" "${S256[@]}"

# --- transport -------------------------------------------------------------
vec 44 http-transport --http -- -A tcp/22 "${A[@]}" -P http -p 80 "${B[@]}" "${S256[@]}"
