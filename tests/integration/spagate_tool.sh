#!/bin/bash
# The spagate tool: keys from `spagate keygen` accepted by the real fwknop
# client and by spagated (a grant opens a cycle), their QR code as a real
# decoder (zbarimg) reads it from --qr-png, `spagate check` on good
# and refused files (file:line), `spagate test` (a dry run) granting and
# refusing (a command request's exact sudo line), `spagate status` and
# `spagate list`, as text and --json, with the daemon running and a
# cycle open, and the metrics file after the grant.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
SPAGATE=$top_builddir/spagate
[ -x "$SPAGATE" ] || skip_all "spagate is not built"
STATE=$WORK/state
METRICS=$WORK/run/metrics.prom

# access.conf form: the first two key lines of keygen's output
keys_from() { awk -v w="$2" '$1 == w { print $2; exit }' "$1"; }

write_conf() {
	mkdir -p "$WORK/run"
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
HMAC_DIGEST_TYPE SHA512
OPEN_PORTS tcp/2222
CMD_CYCLE_OPEN /bin/true \$IP \$PORT
CMD_CYCLE_CLOSE /bin/true \$IP \$PORT
CMD_CYCLE_TIMER 60
CONF
	chmod 600 "$WORK/access.conf"
	printf 'metrics = {\n  file = "%s";\n  interval = 1;\n};\n' "$METRICS" > "$WORK/spagated.conf"
}

plan 24
netns_pair 81 || skip_all "cannot create network namespaces"

# keygen
"$SPAGATE" keygen --hmac-digest sha512 --qr-png "$WORK/keys.png" > "$WORK/keys" 2>&1
K=$(keys_from "$WORK/keys" KEY_BASE64) H=$(keys_from "$WORK/keys" HMAC_KEY_BASE64)
check "keygen: 32-byte key and 64-byte HMAC key, padded base64" \
	[ "$(printf %s "$K" | base64 -d | wc -c)" -eq 32 -a "$(printf %s "$H" | base64 -d | wc -c)" -eq 64 ]
check "keygen: access.conf and .fwknoprc forms, with the digest" \
	[ "$(grep -c "^KEY_BASE64 *$K\$" "$WORK/keys")" -eq 2 -a "$(grep -c '^HMAC_DIGEST_TYPE *SHA512$' "$WORK/keys")" -eq 2 -a "$(grep -c '^USE_HMAC *Y$' "$WORK/keys")" -eq 1 ]
check "keygen --qr draws a QR code" bash -c "'$SPAGATE' keygen --qr | grep -q '█▀▀▀▀▀█'"
# zbarimg --raw ends the text with a newline of its own
zbarimg --raw -q "$WORK/keys.png" > "$WORK/qr.txt" 2>/dev/null
check "keygen --qr-png: zbarimg reads exactly Fwknop2's KEY_BASE64:key HMAC_KEY_BASE64:key" \
	[ "$(cat "$WORK/qr.txt")" = "KEY_BASE64:$K HMAC_KEY_BASE64:$H" -a "$(wc -l < "$WORK/qr.txt")" -eq 1 ]
"$SPAGATE" keygen --qr-fwknoprc --qr-png "$WORK/rc.png" > "$WORK/rckeys" 2>&1
sed -n '/^# ~\/.fwknoprc/,/^$/p' "$WORK/rckeys" | sed '1d;$d' > "$WORK/rc.want"
zbarimg --raw -q "$WORK/rc.png" 2>/dev/null | sed '$d' > "$WORK/rc.got"
check "keygen --qr-fwknoprc --qr-png: zbarimg reads exactly the .fwknoprc lines" \
	eval '[ -s "$WORK/rc.want" ] && cmp "$WORK/rc.want" "$WORK/rc.got"'
"$SPAGATE" keygen --hmac-digest sha224 >/dev/null 2>"$WORK/err"; rc=$?
check "keygen refuses an unknown digest (exit 2)" eval '[ $rc -eq 2 ] && grep -q "unknown HMAC digest .sha224." "$WORK/err"' 

# check
write_conf
"$SPAGATE" check -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" > "$WORK/check" 2>&1; rc=$?
check "check: good files, exit 0, one stanza" eval '[ $rc -eq 0 ] && grep -q "configuration OK: 1 stanza from $WORK/access.conf" "$WORK/check"' 
check "check: keys masked in the effective policy" [ "$(grep -c -F -e "$K" -e "$H" "$WORK/check")" -eq 0 ]
check "check: the metrics settings are shown" grep -q "file = \"$METRICS\"" "$WORK/check"
cp "$WORK/access.conf" "$WORK/bad.conf"
printf 'OPEN_PORTS tcp/99999\n' >> "$WORK/bad.conf"
"$SPAGATE" check -c "$WORK/spagated.conf" -a "$WORK/bad.conf" -d "$STATE" > "$WORK/check" 2>&1; rc=$?
check "check: a bad access.conf line is refused with file:line (exit 1)" \
	eval '[ $rc -eq 1 ] && grep -q "$WORK/bad.conf:9:" "$WORK/check"' 
printf 'metrics = {\n  file = "metrics.prom";\n};\n' > "$WORK/bad-spagated.conf"
"$SPAGATE" check -c "$WORK/bad-spagated.conf" -a "$WORK/access.conf" -d "$STATE" > "$WORK/check" 2>&1; rc=$?
check "check: a relative metrics.file is refused with file:line (exit 1)" \
	eval '[ $rc -eq 1 ] && grep -q "bad-spagated.conf:2: metrics.file \"metrics.prom\" must be an absolute file name" "$WORK/check"' 
# the tool's own form, not the daemon's log lines; a file named once
cp "$WORK/access.conf" "$WORK/shared.conf"; chmod 640 "$WORK/shared.conf"
"$SPAGATE" check -c "$WORK/spagated.conf" -a "$WORK/shared.conf" -d "$STATE" > "$WORK/check" 2>&1
"$SPAGATE" check -c "$WORK/spagated.conf" -a "$WORK/none.conf" -d "$STATE" >> "$WORK/check" 2>&1
check "check: warnings read 'spagate: warning:' (no timestamp), a missing file is named once" \
	eval 'grep -qx "spagate: warning: $WORK/shared.conf is readable by group or others: it holds keys" "$WORK/check" &&
	grep -qx "spagate check: cannot open $WORK/none.conf: No such file or directory" "$WORK/check"'

# test: a dry run through the files spagated loads, no client, no packet
dry() { "$SPAGATE" test -c "$WORK/spagated.conf" -a "$WORK/access.conf" --source 192.0.2.7 \
	--dst 198.51.100.1 --user alice "$@" > "$WORK/test" 2>&1; }
dry --ports tcp/2222; rc=$?
check "test: the stanza that grants, its timeout, the exact open and close lines (exit 0)" \
	eval '[ $rc -eq 0 ] && grep -Fxq "stanza #1 ($WORK/access.conf:1): grants, timeout 60 s (keys not checked: no packet)" "$WORK/test" &&
		grep -Fxq "  tcp/2222 open (exec): /bin/true 192.0.2.7 2222" "$WORK/test" &&
		grep -Fxq "  tcp/2222 close (exec): /bin/true 192.0.2.7 2222" "$WORK/test"'
dry --ports tcp/2222,udp/53; rc=$?
check "test: why the stanza refuses, naming the port (exit 1)" \
	eval '[ $rc -eq 1 ] && grep -Fxq "stanza #1 ($WORK/access.conf:1): refuses: a requested port is not allowed: udp/53 (not in OPEN_PORTS)" "$WORK/test" &&
		grep -Fxq "no stanza grants this request" "$WORK/test"'
printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\nCMD_EXEC_USER nobody\nCMD_SUDO_EXEC_USER root\n' \
	"$K" "$H" > "$WORK/cmd.conf"
chmod 600 "$WORK/cmd.conf"
dry -a "$WORK/cmd.conf" --type command --command "systemctl restart 'my unit'"; rc=$?
check "test: a command request, the exact sudo line spagated would run (exit 0)" \
	eval '[ $rc -eq 0 ] && grep -Fxq "  runs the command through sudo: /usr/bin/sudo -n -u root -- systemctl restart \"my unit\"" "$WORK/test"'

# status without a daemon, then a grant from the real client
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" > "$WORK/status" 2>&1; rc=$?
check "status: not running (exit 1)" eval '[ $rc -eq 1 ] && grep -q "spagated is not running" "$WORK/status"' 
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
fwknop_cli -D "$SRV_IP" -A tcp/2222 -a "$CLI_IP" --key-base64-rijndael "$K" \
	--key-base64-hmac "$H" --hmac-digest-type sha512 >/dev/null 2>&1
check "the keys work: fwknop's packet opens a cycle in spagated" \
	wait_for_log 'stanza #1 .* tcp/2222: opened' 5
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" > "$WORK/status" 2>&1; rc=$?
check "status: running (exit 0), with the sandbox line" \
	eval '[ $rc -eq 0 ] && grep -q "spagated is running (pid $SPAGATED_PID)" "$WORK/status" && grep -q "verifier (pid" "$WORK/status"' 
check "status: the open cycle and its close time" grep -q "tcp/2222  close at .* (in [0-9]* s)" "$WORK/status"
"$SPAGATE" list -c "$WORK/spagated.conf" -d "$STATE" --json > "$WORK/list.json" 2>&1
check "list --json: valid JSON (python3 -m json.tool), the open cycle in it" \
	eval 'python3 -m json.tool "$WORK/list.json" >/dev/null && grep -q "\"opened\": \"tcp/2222\"" "$WORK/list.json"'
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" --json > "$WORK/status.json" 2>&1
check "status --json: valid JSON, its cycles the very objects of list --json" \
	python3 -c 'import json, sys; s, l = (json.load(open(f)) for f in sys.argv[1:]); sys.exit(not (len(l) == 1 and s["cycles"] == l))' \
	"$WORK/status.json" "$WORK/list.json"
check "metrics: the grant is counted, the cycle open" \
	eval 'wait_for "$METRICS" "^spagate_granted_total 1\$" 5 && grep -q "^spagate_cycles_open 1\$" "$METRICS" && grep -q "^spagate_packets_total 1\$" "$METRICS"' 
check "metrics: HELP/TYPE lines, a reason label, mode 0644, no temporary file left" \
	bash -c "grep -q '^# TYPE spagate_refused_total counter\$' '$METRICS' && grep -q '^spagate_refused_total{reason=\"hmac\"} 0\$' '$METRICS' && [ \"\$(stat -c %a '$METRICS')\" = 644 ] && [ -z \"\$(ls '$METRICS'.* 2>/dev/null)\" ]"
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" > "$WORK/status" 2>&1
check "status: the counters from the metrics file" grep -q '^  spagate_granted_total 1$' "$WORK/status"
stop_spagated
finish
