#!/bin/bash
# Issue 19, item 4: GnuPG SPA packets from the real fwknop client, opened
# in the sandboxed verifier with librnp.  Keys are made here by gpg, once,
# without passphrases except the RSA server key's:
#   server keys  ECC (ed25519 + cv25519) twice, RSA 2048 (with a
#                passphrase, GPG_DECRYPT_PW) and RSA 4096, each in its
#                GPG_HOME_DIR, secret keys exported to secring.gpg as
#                spagated needs;
#   client keys  alice (the allowed signer), mallory (signs, not allowed),
#                carol (allowed, but revoked in the server's ring), and
#                dave (RSA 4096, allowed, signs for the RSA server).
# Stanzas: 1 ECC, alice's key ID, tcp/22; 2 RSA with an HMAC key, by
# fingerprint (carol's, dave's, alice's), tcp/22; 3 the other ECC key,
# without a signature requirement (GPG_DISABLE_SIG); 4 RSA 4096, alice's
# key ID.  A packet refused is refused by all of them; the log names the
# furthest reason (policy.h).  Each packet asks
# for its own address (-a), so the OPEN event says which one was granted.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v gpg >/dev/null || skip_all "needs gpg (gnupg) to make the keys"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody (executor.verifier_user)"

G=$WORK/gpg
HMAC=$(head -c 64 /dev/urandom | base64 -w0)

# gpg HOME ARGS...: batch, no agent prompts, passphrase from $PW ('' none).
gpgh() {
	local home=$1; shift
	gpg --homedir "$home" --batch --quiet --pinentry-mode loopback \
		--passphrase "${PW:-}" "$@"
}
fpr_of() { gpgh "$1" --with-colons --list-keys "<$2@spagate.test>" | awk -F: '/^fpr/ { print $10; exit }'; }

# newkey HOME NAME PRIMARY SUBKEY: a signing primary and an encryption subkey.
newkey() {
	gpgh "$1" --quick-gen-key "$2 <$2@spagate.test>" "$3" cert,sign 0 &&
	gpgh "$1" --quick-add-key "$(fpr_of "$1" "$2")" "$4" encr 0
}

make_keys() {
	mkdir -m 700 -p "$G/ecc" "$G/ecc2" "$G/rsa" "$G/rsa4k" "$G/cli"
	for h in ecc ecc2 rsa rsa4k cli; do on_exit "gpgconf --homedir $G/$h --kill all"; done
	newkey "$G/ecc" srv-ecc ed25519 cv25519 &&
	newkey "$G/ecc2" srv-ecc2 ed25519 cv25519 || return 1
	PW=srvpw newkey "$G/rsa" srv-rsa rsa2048 rsa2048 &&
	newkey "$G/rsa4k" srv-rsa4k rsa4096 rsa4096 || return 1
	for u in alice mallory carol; do
		gpgh "$G/cli" --quick-gen-key "$u <$u@spagate.test>" ed25519 cert,sign 0 || return 1
	done
	gpgh "$G/cli" --quick-gen-key 'dave <dave@spagate.test>' rsa4096 cert,sign 0 || return 1
	gpgh "$G/cli" --quick-gen-key 'nobody-srv <nobody-srv@spagate.test>' ed25519 cert,sign 0 &&
		gpgh "$G/cli" --quick-add-key "$(fpr_of "$G/cli" nobody-srv)" cv25519 encr 0 || return 1
	# the servers know the clients' public keys; the client knows theirs
	gpgh "$G/cli" --export alice mallory carol dave > "$G/clients.pub"
	for h in ecc rsa rsa4k; do gpgh "$G/$h" --import "$G/clients.pub" || return 1; done
	gpgh "$G/ecc" --export srv-ecc | gpgh "$G/cli" --import &&
	gpgh "$G/ecc2" --export srv-ecc2 | gpgh "$G/cli" --import &&
	gpgh "$G/rsa4k" --export srv-rsa4k | gpgh "$G/cli" --import &&
	gpgh "$G/rsa" --export srv-rsa | gpgh "$G/cli" --import || return 1
	# carol's key is revoked where the server looks (her revocation
	# certificate, as gpg made it, imported there)
	sed 's/^:-----/-----/' "$G/cli/openpgp-revocs.d/$(fpr_of "$G/cli" carol).rev" |
		gpgh "$G/rsa" --import || return 1
	# (gpg would port a secring.gpg to its agent at its next start)
	for h in ecc ecc2 rsa rsa4k; do touch "$G/$h/.gpg-v21-migrated"; done
	gpgh "$G/ecc" --export-secret-keys srv-ecc > "$G/ecc/secring.gpg" &&
	gpgh "$G/ecc2" --export-secret-keys srv-ecc2 > "$G/ecc2/secring.gpg" &&
	gpgh "$G/rsa4k" --export-secret-keys srv-rsa4k > "$G/rsa4k/secring.gpg" &&
	PW=srvpw gpgh "$G/rsa" --export-secret-keys srv-rsa > "$G/rsa/secring.gpg" &&
	chmod 600 "$G"/*/secring.gpg
}

write_access() {
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
GPG_HOME_DIR $G/ecc
GPG_ALLOW_NO_PW Y
GPG_REMOTE_ID $(fpr_of "$G/cli" alice | tail -c 9)
OPEN_PORTS tcp/22

SOURCE ANY
GPG_HOME_DIR $G/rsa
GPG_DECRYPT_ID $(fpr_of "$G/rsa" srv-rsa)
GPG_DECRYPT_PW srvpw
HMAC_KEY_BASE64 $HMAC
GPG_FINGERPRINT_ID $(fpr_of "$G/cli" carol), $(fpr_of "$G/cli" dave),$(fpr_of "$G/cli" alice)
OPEN_PORTS tcp/22

SOURCE ANY
GPG_HOME_DIR $G/ecc2
GPG_ALLOW_NO_PW Y
GPG_DISABLE_SIG Y

SOURCE ANY
GPG_HOME_DIR $G/rsa4k
GPG_ALLOW_NO_PW Y
GPG_REMOTE_ID $(fpr_of "$G/cli" alice | tail -c 17)
CONF
	chmod 600 "$WORK/access.conf"
	printf 'capture = { mode = "udp"; };\nlog = { refusals_per_second = 0; };\n' \
		> "$WORK/spagated.conf"
}

plan 30
netns_pair 191 || skip_all "cannot create network namespaces"
make_keys || bail_out "gpg could not make the keys"
write_access

# spa NAME RECIPIENT SIGNER ALLOW PORT [fwknop options]: make and send a
# packet (SIGNER "-": unsigned); its bytes stay in $WORK/NAME.
spa() {
	local name=$1 rcpt=$2 signer=$3 allow=$4 port=$5; shift 5
	local sign=()
	# by fingerprint: gpg takes a name as a substring (srv-ecc, srv-ecc2)
	[ "$signer" != - ] &&
		sign=(--gpg-signer "$(fpr_of "$G/cli" "$signer")" --gpg-no-signing-pw)
	fwknop_cli -D "$SRV_IP" --gpg-recipient "$(fpr_of "$G/cli" "$rcpt")" "${sign[@]}" \
		--gpg-home-dir "$G/cli" -A "$port" -a "$allow" -B "$WORK/$name" "$@" \
		>"$WORK/$name.out" 2>&1
}
opens() { count_lines "$WORK/events" "^OPEN .*allow=$1 "; }

# granted NAME STANZA ALLOW ...: the packet opens ALLOW by that stanza
granted() {
	local name=$1 stanza=$2 allow=$3; shift 3
	if spa "$name" "$@" && wait_for "$WORK/events" "^OPEN stanza=$stanza .*allow=$allow " 5; then
		ok "$name: granted by stanza #$stanza"
	else
		not_ok "$name: granted by stanza #$stanza"
		diag "$(tail -n 3 "$WORK/log")" "$(tail -n 2 "$WORK/$name.out")"
	fi
}

# refused NAME WHY ALLOW ...: refused, the log says WHY, nothing opens
refused() {
	local name=$1 why=$2 allow=$3; shift 3
	mark
	spa "$name" "$@"
	if wait_logged "refused .*$why" 5 && [ "$(opens "$allow")" -eq 0 ]; then
		ok "$name: refused ($why)"
	else
		not_ok "$name: refused ($why)"; diag "$(tail -n 3 "$WORK/log")"
	fi
}

# The keyring files are read at load, under the file-trust rule: a
# secret key others can read, or none exported, stops the load, named.
parse() {
	"$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1
}
chmod 640 "$G/ecc/secring.gpg"
check "a secring.gpg readable by its group is refused at load" eval \
	'! parse && grep -q "access.conf:1: stanza #1: GPG_HOME_DIR $G/ecc: secring.gpg must not be accessible by group" "$WORK/parse.out"'
chmod 600 "$G/ecc/secring.gpg"
mv "$G/rsa/secring.gpg" "$G/rsa/secring.moved"
check "a GPG_HOME_DIR without secring.gpg is refused, saying how to export it" eval \
	'! parse && grep -q "stanza #2: GPG_HOME_DIR $G/rsa: has no secring.gpg: export the secret key" "$WORK/parse.out"'
mv "$G/rsa/secring.moved" "$G/rsa/secring.gpg"

start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t || bail_out "spagated did not start"
check "the verifier runs in its sandbox with the keys loaded" \
	wait_for_log "verifier ready .*filter" 1

granted ecc-signed 1 10.9.1.1 srv-ecc alice 10.9.1.1 tcp/22
granted rsa2048-hmac-signed 2 10.9.1.2 srv-rsa alice 10.9.1.2 tcp/22 \
	--use-hmac --key-base64-hmac "$HMAC"
granted rsa4096-signer 2 10.9.1.3 srv-rsa dave 10.9.1.3 tcp/22 \
	--use-hmac --key-base64-hmac "$HMAC"
granted unsigned-without-requirement 3 10.9.1.4 srv-ecc2 - 10.9.1.4 tcp/22
# (an RSA 4096 signature too would not fit: the client refuses the size)
granted rsa4096-recipient 4 10.9.1.11 srv-rsa4k alice 10.9.1.11 tcp/22
refused unsigned-where-required 'GnuPG signature' 10.9.1.5 srv-ecc - 10.9.1.5 tcp/22
refused wrong-signer 'GnuPG signature' 10.9.1.6 srv-ecc mallory 10.9.1.6 tcp/22
refused revoked-signer 'GnuPG signature' 10.9.1.7 srv-rsa carol 10.9.1.7 tcp/22 \
	--use-hmac --key-base64-hmac "$HMAC"
refused unknown-recipient 'decryption failed' 10.9.1.8 nobody-srv alice 10.9.1.8 tcp/22
# stanza 2 refuses it by its HMAC, before any decryption; the others
# cannot decrypt it, and the first of them is named
refused rsa-without-hmac 'decryption failed' 10.9.1.9 srv-rsa alice 10.9.1.9 tcp/22

# The same bytes again: a replay, refused before any decryption.
mark
send_udp "$WORK/ecc-signed" "$SRV_IP" 62201
check "a GnuPG packet's replay is refused" wait_logged 'replayed packet' 5
check "and opens nothing more" eval '[ "$(opens 10.9.1.1)" -eq 1 ]'
check "the verifier never died" eval '[ "$(count_lines "$WORK/log" "verifier ready")" -eq 1 ]'
# librnp's RSA runs on Botan's worker threads (openpgp.c): each of them
# must be under the verifier's filter too (Seccomp: 2), not only its main
V=$(sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' "$WORK/log" | tail -n 1)
check "every thread of the verifier, librnp's too, is under the filter" \
	eval '[ "$(ls /proc/$V/task | wc -l)" -gt 1 ] &&
		! grep -L "^Seccomp:[[:space:]]*2" /proc/$V/task/*/status | grep -q .'

# A pass's time for packets (verifier/main.c, VPROC_PASS_MS): 30 forged
# packets whose 4 session keys name stanza 4's RSA 4096 key, which has no
# HMAC key, cost 4 private-key operations each, seconds in all; asked
# for its counters while it works through them (all read at once, the
# verifier stopped while they came), it answers between two of them,
# not after the last (one pass took up to 256).
examined() {
	local before
	before=$(count_lines "$WORK/log" 'stats: verifier:')
	kill -USR1 "$SPAGATED_PID"
	wait_for_count "$WORK/log" 'stats: verifier:' $((before + 1)) 10 &&
		grep 'stats: verifier:' "$WORK/log" | tail -n 1 |
		sed -n 's/.*verifier: packets \([0-9]*\),.*/\1/p'
}
SUB=$(gpgh "$G/rsa4k" --list-keys --with-colons srv-rsa4k | awk -F: '$1 == "sub" { print $5; exit }')
python3 "$top_srcdir/bench/gpg_forge.py" --keyid "$SUB" --count 4 > "$WORK/forged" ||
	bail_out "bench/gpg_forge.py failed"
p0=$(examined)
# all 30 wait in the socket before the verifier reads the first: stopped
kill -STOP "$V"
in_cli python3 -c '
import socket, sys
d = open(sys.argv[1], "rb").read().rstrip(b"\n")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(30):
    s.sendto(d, (sys.argv[2], 62201))' "$WORK/forged" "$SRV_IP"
kill -CONT "$V"
sleep 0.3	# a few of them in: the request comes in the middle
p1=$(examined)
check "30 costly forgeries: the verifier answers between two of them (examined $((${p1:-0} - ${p0:-0})) of 30 when asked)" \
	eval '[ -n "$p0" ] && [ -n "$p1" ] && [ $((p1 - p0)) -lt 30 ]'

# SIGHUP: the policy and keyrings read again, a new verifier loads them
kill -HUP "$SPAGATED_PID"
check "after a reload (SIGHUP) the new verifier loads the keys" \
	wait_for_count "$WORK/log" "verifier ready" 2 30
granted after-reload 1 10.9.1.10 srv-ecc alice 10.9.1.10 tcp/22

# Per-user files: a member whose GnuPG keys do not load (bob names the
# RSA key without its passphrase) disables bob's stanza alone; carol's
# beside it, and the admin's first stanza, serve.  Stanzas: 1 the
# admin's ECC one, 2 bob, 3 carol (the second ECC key, unsigned).
stop_spagated
mkdir -m 700 "$WORK/users"
member() {	# NAME HOME
	printf 'SOURCE ANY\nGPG_HOME_DIR %s\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n' \
		"$2" > "$WORK/users/$1.conf"
	chmod 600 "$WORK/users/$1.conf"
}
member a-bob "$G/rsa"
member b-carol "$G/ecc2"
users_conf() {	# the admin's first stanza from HOME, then the folder
	{ sed -n '1,5p' "$WORK/access.conf" | sed "s|^GPG_HOME_DIR .*|GPG_HOME_DIR $1|"
	  echo '%include_folder users'; } > "$WORK/users.conf"
	chmod 600 "$WORK/users.conf"
}
users_conf "$G/ecc"
# a member's own GPG_HOME_DIR that cannot be read: its stanza alone
mkdir -m 700 "$WORK/dave-home"
member c-dave "$WORK/dave-home"
check "a member's GPG_HOME_DIR without a keyring disables it alone (--exit-parse-config: 3)" \
	eval '"$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/users.conf" -d "$WORK/state" \
		-p "$WORK/parse.pid" --exit-parse-config >"$WORK/parse.out" 2>&1; [ $? -eq 3 ] &&
	grep -q "^disabled: $WORK/users/c-dave.conf (stanza #4 refuses every packet): $WORK/users/c-dave.conf:1: stanza #4: GPG_HOME_DIR $WORK/dave-home: has neither pubring.kbx" "$WORK/parse.out"'
rm "$WORK/users/c-dave.conf"
printf 'metrics = { file = "%s"; interval = 1; };\n' "$WORK/metrics.prom" >> "$WORK/spagated.conf"
start_spagated -c "$WORK/spagated.conf" -a "$WORK/users.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t
check "a member's GnuPG keys that do not load: spagated starts, bob's file disabled at error" \
	grep -qE "error: $WORK/users/a-bob.conf:1: stanza #2: GnuPG keys: no usable secret key.*: $WORK/users/a-bob.conf is disabled \(stanza #2 refuses every packet\)" "$WORK/log"
granted user-carol 3 10.9.1.12 srv-ecc2 - 10.9.1.12 tcp/22
granted user-admin 1 10.9.1.13 srv-ecc alice 10.9.1.13 tcp/22
refused user-bob-disabled '(decryption failed|no GnuPG key)' 10.9.1.14 srv-rsa - 10.9.1.14 tcp/22
status() {
	"$top_builddir/spagate" status -c "$WORK/spagated.conf" -d "$WORK/state" \
		-p "$WORK/spagated.pid" > "$WORK/status.out" 2>&1
}
check "the metrics and spagate status count bob's stanza as disabled" \
	eval 'wait_for "$WORK/metrics.prom" "^spagate_gpg_stanzas_disabled 1\$" 5 &&
	{ status; grep -q "spagate_gpg_stanzas_disabled 1" "$WORK/status.out"; }' ||
	diag "$(cat "$WORK/status.out" "$WORK/metrics.prom")"
# the admin's own keys that do not load: the reload fails, the running
# configuration stays, and carol is still served
users_conf "$G/rsa"
mark
kill -HUP "$SPAGATED_PID"
check "the admin's keys that do not load at a reload: back to the running configuration" \
	eval 'wait_logged "users.conf:1: stanza #1: GnuPG keys: no usable secret key" 10 &&
	wait_logged "back to the previous configuration" 10 &&
	wait_for_count "$WORK/log" "verifier ready" 4 30'
granted user-carol-kept 3 10.9.1.15 srv-ecc2 - 10.9.1.15 tcp/22
# the admin's keys fixed, bob's not: a reload runs, without bob's stanza
users_conf "$G/ecc"
mark
kill -HUP "$SPAGATED_PID"
check "a reload with bob's keys still broken runs, his stanza alone disabled" \
	eval 'wait_for_count "$WORK/log" "verifier ready" 5 30 &&
	[ "$(since_mark "a-bob.conf is disabled \\(stanza #2")" -eq 1 ] &&
	[ "$(since_mark "back to the previous")" -eq 0 ]'
granted user-carol-reloaded 3 10.9.1.16 srv-ecc2 - 10.9.1.16 tcp/22
finish
