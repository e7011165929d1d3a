#!/bin/bash
# The mutant suite: each tests/mutants/*.patch breaks one critical
# behaviour on purpose; the tests it names must then fail.  A mutant they
# do not notice "survives", and the suite fails, naming it.
#
# Works on copies of the source tree (never the tree itself), each with a
# build seeded from the tree's own: a mutant is applied, what its tests
# need is rebuilt (incrementally), its tests run, and it is reverted.
# Copies run mutants side by side, each taking the next one when free.
# TAP, one line per mutant, in file order.
#   MUTANTS="a b"    run only these (names without .patch)
#   MUTANT_COPIES=n  copies run side by side (default 4: on 2 cores an
#                    integration test waits more than it computes)
#   MUTANT_DIR=dir   where the copies live (default $top_builddir/mutants)
. "$(dirname "$0")/../integration/lib.sh"
require_root	# the integration tests mutants name need it
command -v patch >/dev/null || skip_all "needs patch(1)"

src=$top_srcdir
dir=$src/tests/mutants
base=${MUTANT_DIR:-$top_builddir/mutants}
ncopies=${MUTANT_COPIES:-4}
# A mutant is wrong code on purpose: an unused variable it leaves must not
# stop its build where the tree was configured with --enable-werror.
mutant_cflags=$(sed -n 's/^SPA_CFLAGS = //p' "$top_builddir/Makefile" |
	sed 's/ -Werror\b//g')

if [ -n "${MUTANTS:-}" ]; then
	list=()
	for m in $MUTANTS; do list+=("$dir/$m.patch"); done
else
	mapfile -t list < <(ls "$dir"/*.patch 2>/dev/null | sort)
fi
[ "${#list[@]}" -gt 0 ] || skip_all "no mutants in $dir"
plan "${#list[@]}"

# header FIELD PATCH: a "Field: value" line of a mutant's header.
header() { sed -n "s/^$1: *//p" "$2" | head -n 1; }
title_of() { sed -n '1s/^# *//p' "$1"; }

# seeded: whether the tree's own build can seed the copies' builds (it
# sits at _build of the tree and was configured as ../configure, so its
# rules name sources by relative paths that hold in a copy too).
seeded() {
	[ "$(cd "$top_builddir/.." && pwd -P)" = "$(cd "$src" && pwd -P)" ] &&
		grep -q "^srcdir='..'\$" "$top_builddir/config.status" 2>/dev/null
}

# prepare N: copy N of the tree, with a build of it.  Seeded with the
# tree's own build (objects and times kept), it is already up to date, and
# each mutant costs the compile of its file and a few links.
prepare() {
	local c=$base/$1
	rm -rf "$c" && mkdir -p "$c/_build" || return 1
	tar -C "$src" --exclude='./_build*' --exclude=./.git \
		--exclude=./autom4te.cache -cf - . | tar -C "$c" -xpf - || return 1
	if seeded; then
		tar -C "$top_builddir" --exclude=./mutants --exclude='*.log' \
			--exclude='*.trs' -cf - . | tar -C "$c/_build" -xpf - || return 1
	else
		(cd "$c/_build" && ../configure -q >configure.out 2>&1) || return 1
	fi
	(cd "$c/_build" && make -j"$ncopies" spagated spagate-verifier spagate check-tools-mutants check-tools-selftest >make.out 2>&1)
}

# run_tests C TESTS...: run a mutant's tests in copy C; 0 if all pass.
# The first test that fails kills the mutant: the rest are not run.
run_tests() {
	local c=$1 t rc=0
	shift
	for t in "$@"; do
		[ $rc -eq 0 ] || break
		case $t in
		tests/unit/*)
			(cd "$c/_build" && CMOCKA_MESSAGE_OUTPUT=TAP "./$t") ;;
		tests/integration/*)
			SPA_FIRST_FAILURE_ENDS=1 top_srcdir=$c top_builddir=$c/_build \
				bash "$c/$t" ;;
		*)
			echo "# unknown test $t"; false ;;
		esac >"$c/out.$(basename "$t")" 2>&1 || rc=1
	done
	return $rc
}

# mutate C PATCH RESULT: apply, build, test, revert; the verdict in RESULT.
mutate() {
	local c=$base/$1 p=$2 res=$3 name tests units progs start=$SECONDS
	name=$(basename "$p" .patch)
	if [ ! -f "$p" ]; then
		echo "not ok - $name: no such mutant ($p)" >"$res"; return
	fi
	tests=$(header Tests "$p")
	if [ -z "$tests" ]; then
		echo "not ok - $name: names no test (a 'Tests:' line)" >"$res"; return
	fi
	if ! (cd "$c" && patch -p1 -s -f --dry-run <"$p" >/dev/null 2>&1); then
		echo "not ok - $name: does not apply to this tree (update the patch)" >"$res"; return
	fi
	(cd "$c" && patch -p1 -s -f <"$p" >/dev/null)
	units=$(tr ' ' '\n' <<<"$tests" | grep '^tests/unit/')
	# the programs only when an integration test runs them
	progs=
	grep -q 'tests/integration/' <<<"$tests" &&
		progs="spagated spagate-verifier spagate check-tools-mutants"
	# the self-test programs only for a script that runs them
	for t in $tests; do
		case $t in tests/integration/*)
			grep -q '_selftest' "$c/$t" && progs="$progs check-tools-selftest" ;;
		esac
	done
	# shellcheck disable=SC2086 # word lists
	if ! (cd "$c/_build" && make SPA_CFLAGS="$mutant_cflags" \
	    $progs $units >"$c/make.$name" 2>&1); then
		echo "not ok - $name: the mutant does not build ($c/make.$name)" >"$res"
	elif run_tests "$c" $tests; then
		echo "not ok - $name SURVIVED: $(title_of "$p") (tests: $tests)" >"$res"
	else
		echo "ok - $name killed: $(title_of "$p")" >"$res"
	fi
	(cd "$c" && patch -p1 -s -f -R <"$p" >/dev/null) ||
		echo "not ok - $name: cannot be reverted" >"$res"
	# what each mutant costs, to keep the suite's time in hand
	echo "$((SECONDS - start)) s" >"$res.time"
}

for i in $(seq 1 "$ncopies"); do
	prepare "$i" || bail_out "cannot prepare copy $i of the tree in $base/$i (see its _build/*.out)"
done
# The order mutants are taken in: those whose tests include an
# integration test first (they take ten times longer), so that the last
# ones to start are short and no copy waits long for another at the end.
order=()
for k in "${!list[@]}"; do
	header Tests "${list[$k]}" 2>/dev/null | grep -q 'tests/integration/' && order+=("$k")
done
for k in "${!list[@]}"; do
	header Tests "${list[$k]}" 2>/dev/null | grep -q 'tests/integration/' || order+=("$k")
done
# next_mutant: the next place in `order` no copy has taken (a counter the
# copies share under flock): a copy free takes the next mutant, where a
# fixed share per copy left one working 3 minutes after the others.
echo 0 >"$WORK/next"
next_mutant() {
	(
		flock 9
		read -r p <"$WORK/next"
		echo $((p + 1)) >"$WORK/next"
		echo "$p"
	) 9>>"$WORK/next.lock"
}
for i in $(seq 1 "$ncopies"); do
	(
		while p=$(next_mutant) && [ "$p" -lt "${#order[@]}" ]; do
			k=${order[$p]}
			mutate "$i" "${list[$k]}" "$WORK/result.$k"
		done
	) &
done
wait
survivors=""
for k in $(seq 0 $(( ${#list[@]} - 1 ))); do
	line=$(cat "$WORK/result.$k" 2>/dev/null || echo "not ok - $(basename "${list[$k]}"): no result")
	[ -f "$WORK/result.$k.time" ] && line="$line ($(cat "$WORK/result.$k.time"))"
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	*) not_ok "${line#not ok - }"
	   case $line in *SURVIVED*) survivors="$survivors $(basename "${list[$k]}" .patch)" ;; esac ;;
	esac
done
[ -z "$survivors" ] || diag "surviving mutants:$survivors"
finish
