#!/bin/bash
# The ipset module's pass queue against the real kernel (issue 20, item
# 4): the adds and dels of one pass go as aggregated netlink messages.
# The kernel stops at the first element that fails and names it; it
# alone fails, the ones before it are in, the ones after it are sent
# again; a set that does not exist, an element that does not fit, a del
# of an element already gone: each its own outcome, in the order given.
. "$(dirname "$0")/lib.sh"
require_root
command -v ipset >/dev/null || skip_all "needs ipset (scripts/deps test)"
BATCH=$top_builddir/tests/tools/ipset_batch
[ -x "$BATCH" ] || skip_all "tests/tools/ipset_batch is not built"
plan 3
netns_pair 21 || skip_all "cannot create network namespaces"
in_srv ipset create bt4 hash:ip,port timeout 300
in_srv ipset create bu4 hash:ip
in_srv ipset add bt4 10.9.0.9,tcp:22
# 1-3 are one message (same set, command, no -exist): 2 fails in it
in_srv "$BATCH" "ipset -exist add bt4 10.9.0.1,tcp:22 timeout 30" \
	"ipset add bt4 10.9.0.4,tcp:22" "ipset add bt4 10.9.0.9,tcp:22" "ipset add bt4 10.9.0.10,tcp:22" \
	"ipset -exist add bt4 10.9.0.3,tcp:22 timeout 30" "ipset add nosuchset 10.9.0.5" "ipset add bu4 10.9.0.6" \
	"ipset add bu4 10.9.0.7,tcp:22" "-ipset del bt4 10.9.0.1,tcp:22" \
	"-ipset del bt4 10.9.0.77,tcp:22" "ipset add bu4 10.9.0.8" > "$WORK/batch.out" 2>&1
outcomes=$(awk '{ printf "%s%s", sep, $2; sep = " " }' "$WORK/batch.out")
check "a pass's eleven requests: each its own outcome ($outcomes)" \
	[ "$outcomes" = "ok ok failed ok ok failed ok failed ok absent ok" ]
check "the failure is the kernel's, without the batch's numbering" \
	grep -q "^2 failed ipset add bt4 10.9.0.9,tcp:22: Element cannot be added to the set: it's already added\$" "$WORK/batch.out"
members() { in_srv ipset list "$1" | sed -n '/^Members:/,$p' | tail -n +2 | awk '{ print $1 }' | sort | tr '\n' ' '; }
check "the kernel holds what succeeded, no more ($(members bt4)| $(members bu4))" \
	[ "$(members bt4)|$(members bu4)" = "10.9.0.10,tcp:22 10.9.0.3,tcp:22 10.9.0.4,tcp:22 10.9.0.9,tcp:22 |10.9.0.6 10.9.0.8 " ]
in_srv ipset destroy bt4
in_srv ipset destroy bu4
finish
