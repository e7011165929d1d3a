#!/bin/bash
# Short libFuzzer runs of every fuzz target, as part of `make check` when
# clang is available.  Uses the targets built by --enable-fuzzing when
# present, else builds them here with clang.  FUZZ_SECONDS per target
# (default 6; `make fuzz` runs long ones).  Findings (crashes, leaks,
# sanitizer reports) fail the test.
. "$(dirname "$0")/../integration/lib.sh"

targets=(fuzz_spa fuzz_spa_decode fuzz_access fuzz_http fuzz_frame fuzz_msg fuzz_subst fuzz_journal fuzz_ipset fuzz_ios fuzz_conf fuzz_fleet_rec fuzz_nft fuzz_control fuzz_firewall fuzz_openpgp fuzz_knockd fuzz_p0f_sig fuzz_p0f_syn)
seconds=${FUZZ_SECONDS:-6}
src=$top_srcdir

command -v clang >/dev/null || skip_all "clang is not installed (Debian package clang)"
plan "${#targets[@]}"

# Common and verifier sources each target links (the capture sources need
# no fuzzing here: they read sockets, and frame/http parse what they read).
core=(common/err common/log common/addr common/b64 common/crypto common/spa
	common/spa_decode common/access common/access_directive common/access_user
	common/trust verifier/http verifier/frame common/event common/msg
	common/msg_conf common/gpg common/knock common/knock_file common/knockd_conf)
core=("${core[@]/#/$src/}")
core=("${core[@]/%/.c}")

# Executor and module parsers a target needs on top of those.
actions_for() {
	case $1 in
	fuzz_subst) echo "$src/executor/subst.c" ;;
	fuzz_ipset) echo "$src/modules/ipset/ipset_parse.c $src/executor/subst.c" ;;
	fuzz_journal) echo "$src/executor/journal.c $src/executor/journal_rec.c $src/executor/subst.c" ;;
	fuzz_ios) echo "$src/modules/cisco/ios_parse.c $src/modules/cisco/ios_ace.c $src/modules/cisco/cisco_data.c $src/modules/cisco/cisco_talk.c" ;;
	fuzz_conf) echo "$src/common/conf.c $src/common/conf_table.c $src/modules/cisco/conf_cisco.c $src/modules/firewall/conf_firewall.c $src/executor/conf_redis.c -lconfig" ;;
	fuzz_fleet_rec) echo "$src/executor/fleet_rec.c $src/executor/journal_rec.c $src/executor/subst.c" ;;
	fuzz_nft) echo "$src/modules/nft/nft_line.c $src/modules/nft/nft_batch.c $src/modules/nft/nft_enc.c" ;;
	fuzz_control) echo "$src/executor/control_req.c" ;;
	fuzz_knockd) echo "$src/verifier/knock_engine.c" ;;
	fuzz_p0f_sig) echo "$src/verifier/p0f_sig.c" ;;
	fuzz_p0f_syn) echo "$src/verifier/p0f_sig.c $src/verifier/p0f_syn.c $src/verifier/p0f_match.c" ;;
	fuzz_openpgp) echo "$src/verifier/openpgp.c $src/verifier/rnp_lib.c $src/verifier/dl_lib.c" ;;
	fuzz_firewall) echo "$src/executor/subst.c $src/modules/nft/nft_line.c $src/modules/firewall/fw_line.c $src/modules/firewall/fw_nft.c $src/modules/firewall/fw_ipt.c $src/common/conf.c $src/common/conf_table.c $src/modules/cisco/conf_cisco.c $src/modules/firewall/conf_firewall.c $src/executor/conf_redis.c -lconfig" ;;
	esac
}

# Each source is compiled once for every target (instrumented for the
# fuzzer, not linked with its main), then each target is linked: the
# sources are shared, and compiling them per target was most of the time.
cflags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined
	-fno-sanitize-recover=undefined -I"$top_builddir" -iquote "$src/common"
	-iquote "$src/verifier" -iquote "$src/executor" -iquote "$src/modules/ipset"
	-iquote "$src/modules/cisco" -iquote "$src/modules/nft"
	-iquote "$src/modules/firewall" -D_GNU_SOURCE
	-DSPA_SYSCONFDIR='"/etc/spagate"' -DSPA_STATE_DIR='"/var/lib/spagate"'
	-DSPA_RUN_DIR='"/run"' -DSPA_VERIFIER_USER='"nobody"')
obj_of() { local f=${1#"$src"/}; echo "$WORK/obj/${f//\//_}.o"; }
sources_of() { printf '%s\n' "$src/tests/fuzz/$1.c" "${core[@]}"; actions_for "$1" | tr ' ' '\n' | grep '\.c$'; }
libs_of() { actions_for "$1" | tr ' ' '\n' | grep '^-l'; }
compile_all() {
	local t f
	mkdir -p "$WORK/obj"
	for t in "${targets[@]}"; do
		[ -x "$top_builddir/tests/fuzz/$t" ] || sources_of "$t"
	done | sort -u >"$WORK/sources"
	while read -r f; do
		while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
		clang "${cflags[@]}" -c "$f" -o "$(obj_of "$f")" 2>>"$WORK/compile.err" &
	done <"$WORK/sources"
	wait
}
build_target() {
	local t=$1 out=$WORK/$1 f objs=()
	if [ -x "$top_builddir/tests/fuzz/$t" ]; then
		cp "$top_builddir/tests/fuzz/$t" "$out" && return 0
	fi
	for f in $(sources_of "$t"); do objs+=("$(obj_of "$f")"); done
	# shellcheck disable=SC2046 # the libraries are words
	clang -g -fsanitize=fuzzer,address,undefined "${objs[@]}" $(libs_of "$t") \
		-lcrypto -o "$out" 2>"$WORK/$t.build" || return 1
}
# fuzz_one T: build and run one target; its verdict in $WORK/T.verdict
# ("ok ..." or "not_ok ..." then diagnostics), so that targets can run
# side by side and still report in order.
fuzz_one() {
	local t=$1 corpus=$WORK/corpus-$1 v=$WORK/$1.verdict
	if [ ! -f "$src/tests/fuzz/$t.c" ]; then
		echo "not_ok $t: tests/fuzz/$t.c is missing" >"$v"; return
	fi
	if ! build_target "$t"; then
		{ echo "not_ok $t: build failed"; tail -n 5 "$WORK/$t.build"; } >"$v"; return
	fi
	mkdir -p "$corpus"
	[ -d "$src/tests/fuzz/corpus/${t#fuzz_}" ] && cp -r "$src/tests/fuzz/corpus/${t#fuzz_}/." "$corpus/"
	# third-party leaks only (tests/lsan.supp)
	if (cd "$WORK" && LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0" "$WORK/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$corpus" >"$WORK/$t.log" 2>&1); then
		echo "ok $t: ${seconds}s, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$') runs" >"$v"
	else
		{ echo "not_ok $t: finding"; grep -E 'ERROR|SUMMARY|Test unit written' "$WORK/$t.log" | head -n 5; } >"$v"
	fi
}
# One target per CPU at a time: the test is the last one make waits for.
compile_all
ncpu=$(nproc)
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$ncpu" ]; do wait -n; done
	fuzz_one "$t" &
done
wait
for t in "${targets[@]}"; do
	v=$WORK/$t.verdict
	if [ ! -s "$v" ]; then
		not_ok "$t: no verdict"; continue
	fi
	read -r kind line <"$v"
	if [ "$kind" = ok ]; then
		ok "$line"
	else
		not_ok "$line"; diag "$(tail -n +2 "$v")"
	fi
done
finish
