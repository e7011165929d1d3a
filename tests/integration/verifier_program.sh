#!/bin/bash
# The verifier is a program of its own (spagate-verifier): linked without
# libssh2, hiredis or libipset and without any action's code, it cannot
# run an action.  spagated runs it only if it is trusted (common/trust.h:
# a regular file, root's, writable by no one else): a missing or untrusted
# one is refused at start with a clear error, and at a restart of the
# verifier the same check refuses it while the executor keeps running and
# tries again, until the program is trusted again.  libpcap is not linked:
# the verifier loads it in pcap mode only, to compile capture.filter, and
# unloads it before it reads a packet, so no verifier maps any of it (nor
# the six libraries Debian's libpcap brings) while it runs; librnp (Botan,
# libstdc++) is loaded only when a stanza is a GnuPG one.
. "$(dirname "$0")/lib.sh"
require_root
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody"
command -v nm >/dev/null || skip_all "needs nm (binutils)"

plan 13
touch "$WORK/log"
# the other way round: OpenPGP is parsed in the verifier only (issue 19)
check "neither program links librnp; spagate-verifier opens GnuPG packets" \
	bash -c "! ldd '$SPAGATED_BIN' | grep -q librnp && ! ldd '$SPAGATE_VERIFIER' | grep -q librnp && nm '$SPAGATE_VERIFIER' | grep -q ' openpgp_open_packet$'"
check "spagate-verifier needs no libssh2, hiredis, libipset or libpcap" \
	bash -c "ldd '$SPAGATE_VERIFIER' >'$WORK/ldd' && grep -q libcrypto '$WORK/ldd' && ! grep -Eq 'libssh2|hiredis|libipset|libpcap' '$WORK/ldd'"
check "spagate-verifier has no action, cycle or module symbol" \
	bash -c "nm '$SPAGATE_VERIFIER' >'$WORK/nm' && grep -q ' verifier_packet$' '$WORK/nm' && ! grep -Eq ' (action|cycles|ipset|cisco|ios|runner|journal|fleet)_' '$WORK/nm'"

STATE=$WORK/state
printf 'SOURCE ANY\nKEY_BASE64 %s\n' "$(head -c 32 /dev/urandom | base64 -w0)" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
printf 'executor = { verifier_user = "nobody"; };\n' > "$WORK/spagated.conf"
PROG=$WORK/prog/spagate-verifier
mkdir -p "$WORK/prog"
cp "$SPAGATE_VERIFIER" "$PROG"
chmod 755 "$PROG"
run() { timeout 20 "$SPAGATED" -f -t -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i lo -C 1 --verifier-program "$@" >"$WORK/run.out" 2>&1; }

run "$WORK/prog/missing"; rc=$?
check "a missing verifier program: refused at start (status 1)" \
	eval "[ $rc -eq 1 ] && grep -q 'error: verifier program $WORK/prog/missing: No such file' '$WORK/run.out'"
chmod g+w "$PROG"
run "$PROG"; rc=$?
check "a group-writable one: refused at start, saying why" \
	eval "[ $rc -eq 1 ] && grep -q 'error: verifier program $PROG must not be writable by group or others' '$WORK/run.out'"
chmod g-w "$PROG"
chown nobody "$PROG"
run "$PROG"; rc=$?
check "one owned by another user: refused at start" \
	eval "[ $rc -eq 1 ] && grep -q 'error: verifier program $PROG is not owned by our uid or root' '$WORK/run.out'"
chown root "$PROG"

# At a restart: the same check, the executor keeps running and retries.
netns_pair 58 || skip_all "cannot create network namespaces"
mark
start_spagated -t -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" --verifier-program "$PROG" ||
	bail_out "spagated did not start"
V1=$(tail -n +$((MARK + 1)) "$WORK/log" | sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' | tail -n 1)
check "a trusted copy runs" [ -n "$V1" ]
check "... in pcap mode, libpcap unloaded once the filter is compiled" \
	bash -c "grep -q libcrypto /proc/$V1/maps && ! grep -Eq 'libpcap|libsystemd' /proc/$V1/maps"
mark
chmod o+w "$PROG"
kill -KILL "$V1"
check "at the restart the untrusted program is refused, logged at error" \
	wait_logged "error: verifier program $PROG must not be writable by group or others" 5
check "... and the executor tries again" \
	wait_logged 'error: cannot start the verifier: trying again in 1 s' 2 5
check "... while it keeps running" [ -d "/proc/$SPAGATED_PID" ]
chmod o-w "$PROG"
check "trusted again, the verifier is back" wait_logged 'verifier ready' 15
stop_spagated

printf 'capture = { mode = "udp"; };\n' >> "$WORK/spagated.conf"
mark
start_spagated -t -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" --verifier-program "$PROG" ||
	bail_out "spagated did not start in UDP mode"
V2=$(tail -n +$((MARK + 1)) "$WORK/log" | sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' | tail -n 1)
check "in UDP mode the verifier maps no libpcap (nor its libsystemd), and without GnuPG stanzas no librnp (nor Botan)" \
	bash -c "[ -n '$V2' ] && grep -q libcrypto /proc/$V2/maps && ! grep -Eq 'libpcap|libsystemd|librnp|libbotan' /proc/$V2/maps"
stop_spagated
finish
