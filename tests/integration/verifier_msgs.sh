#!/bin/bash
# The executor admits each verifier message only where it is expected
# (common/msg.h's table): a test build (tests/tools/spagated_selftest)
# whose verifier sends, on SPAGATE_MSG_SELFTEST, a well-formed message out
# of place.  An OPEN before READY: the verifier is killed, logged at error,
# and spagated gives up as for any verifier that dies before it runs.  A
# STATS nobody asked for: killed, counted, restarted, and the gateway
# still grants with the next verifier.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
SELFTEST=$top_builddir/tests/tools/spagated_selftest
[ -x "$SELFTEST" ] || skip_all "tests/tools/spagated_selftest is not built"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32) H=$(b64key 64)
STATE=$WORK/state
cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CONF
chmod 600 "$WORK/access.conf"
printf 'executor = { verifier_user = "nobody"; };\nmetrics = { file = "%s"; interval = 1; };\n' \
	"$WORK/metrics.prom" > "$WORK/spagated.conf"
spa() { fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" -A tcp/22 -a "$CLI_IP" >/dev/null 2>&1; }

plan 8
touch "$WORK/log"
netns_pair 57 || skip_all "cannot create network namespaces"
SPAGATED=$SELFTEST

# 1. an OPEN before READY: the verifier is not ours; nothing is granted
mark
SPAGATE_MSG_SELFTEST=open-before-ready ip netns exec "$SRV_NS" timeout 20 \
	"$SPAGATED" -f -t -c "$WORK/spagated.conf" -a "$WORK/access.conf" \
	-d "$STATE" -p "$WORK/spagated.pid" -i "$SRV_IF" \
	>"$WORK/events" 2>>"$WORK/log"; rc=$?
check "an OPEN before READY: spagated gives up (status 1)" [ "$rc" -eq 1 ]
check "it is logged at error, as out of place" \
	[ "$(since_mark 'error: verifier \(pid [0-9]+\) sent an OPEN before READY: killing it')" -eq 1 ]
check "the OPEN is not carried out" [ ! -s "$WORK/events" ]
check "giving up is logged at error" \
	[ "$(since_mark 'error: verifier .* before it could run: giving up')" -eq 1 ]

# 2. a STATS nobody asked for: killed, counted, restarted; grants go on
mark
SPAGATE_MSG_SELFTEST=stats-unasked start_spagated -t -c "$WORK/spagated.conf" \
	-a "$WORK/access.conf" -d "$STATE" -p "$WORK/spagated.pid" -i "$SRV_IF" ||
	bail_out "spagated did not start"
check "an unasked STATS gets the verifier killed, logged at error" \
	wait_logged 'error: verifier \(pid [0-9]+\) sent a STATS nobody asked for: killing it' 5
check "the executor restarts it, the verifier's death logged at error" \
	eval "wait_logged 'verifier ready' 2 10 && [ \"\$(since_mark 'error: verifier .*: restarting it in')\" -ge 1 ]"
check "each kill is counted in the metrics file" \
	wait_for "$WORK/metrics.prom" '^spagate_verifier_hostile_total [1-9]' 5
stop_spagated

# 3. the same build, no self-test: nothing is out of place
mark
start_spagated -t -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
spa
wait_logged 'accepted by stanza #1' 5
kill -USR1 "$SPAGATED_PID"
wait_logged 'stats: executor' 5
check "asked STATS, READY and OPEN are in place: no verifier killed" \
	[ "$(since_mark 'killing it')" -eq 0 ] && [ "$(since_mark 'verifiers killed for a message 0')" -eq 1 ]
stop_spagated
finish
