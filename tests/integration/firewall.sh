#!/bin/bash
# The built-in firewall (firewall.backend = "nftables"): Debian's stock
# access.conf, only its two keys filled in, has no command, and gets what
# fwknopd would open: an accept for the granted source to the requested
# port, for the client's timeout.  The server namespace drops new
# connections by policy in a table of its own and accepts spagated's
# mark, as an nftables admin's ruleset would (doc/migration.md).  A TCP
# connect fails, the real client knocks, it succeeds, and after the
# timeout it fails again.  spagated makes its table at start, never when
# it only checks its configuration, and keeps the elements of open
# grants when it makes the table again at a reload.  After a crash, the
# restart removes an element no journaled cycle holds (one added by
# hand, as a previous run's) and keeps the journaled grant's.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v nft >/dev/null || skip_all "needs nft (scripts/deps test)"
STOCK=/etc/fwknop/access.conf
[ -r "$STOCK" ] || skip_all "needs Debian's fwknop-server (/etc/fwknop/access.conf)"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
STATE=$WORK/state

sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" "$STOCK" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
printf 'firewall = { backend = "nftables"; };\n' > "$WORK/spagated.conf"
cat > "$WORK/ruleset.nft" <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		meta mark & 0x5350 == 0x5350 accept
	}
}
NFT

connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
listed() { in_srv nft list set inet spagate allow4 2>/dev/null | grep -qF "$1"; }
not_listed() { ! listed "$1"; }
no_table() { ! in_srv nft list table inet spagate >/dev/null 2>&1; }
parse_config() {
	in_srv "$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1
}

plan 17
netns_pair 59 || skip_all "cannot create network namespaces"
check "only the two key lines differ from Debian's access.conf" \
	[ "$(diff "$STOCK" "$WORK/access.conf" | grep -c '^[<>]')" -eq 4 ]
check "the namespace's own ruleset drops by policy" in_srv nft -f "$WORK/ruleset.nft"
check "checking the configuration makes no table" eval 'parse_config && no_table'
start_tcp_accept 22
mark
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
check "at start spagated makes its table" \
	wait_logged "firewall: nftables table inet spagate ready \\(input hook, priority -10, mark 0x5350\\)" 5

E="$CLI_IP . tcp . 22"
check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/22 -a "$CLI_IP" -f 3 >/dev/null 2>&1
check "the stanza without a command opens through the built-in firewall" \
	wait_logged "stanza #1 $CLI_IP tcp/22: opened \\(firewall create element inet spagate allow4 \\{ $CLI_IP \\. tcp \\. 22 timeout [23]s \\}\\)" 5
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
check "the element is in spagated's set" listed "$E"
check "after the client's 3 s the element is gone" wait_ok 10 not_listed "$E"
check "... the close is logged" wait_logged "stanza #1 $CLI_IP tcp/22: closed" 5
check "tcp/22 is dropped again" refused "$SRV_IP" 22

# An element already there with a short expiry (added by hand) gets the
# grant's whole time: the create finds it, and it is refreshed
B=10.231.59.60
in_srv nft add element inet spagate allow4 "{ $B . tcp . 22 timeout 3s }"
mark
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/22 -a "$B" -f 60 >/dev/null 2>&1
check "a create that finds its element there is sent again as add, delete, add" \
	wait_logged "stanza #1 $B tcp/22: opened \\(firewall add element inet spagate allow4 \\{ $B \\. tcp \\. 22 timeout [56][0-9]s \\}" 5
check "the element has the grant's 60 s, not the 3 s it had" nft_expires_over "inet spagate" allow4 "$B . tcp . 22" 30

# A crash with a grant open, and an element no cycle holds (a previous
# run's, with a long kernel timeout): the restart keeps only the first.
E2="$CLI_IP . tcp . 2222"
STRAY="10.231.59.99 . tcp . 22"
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/2222 -a "$CLI_IP" -f 120 >/dev/null 2>&1
wait_ok 5 listed "$E2" || diag "the tcp/2222 grant did not open"
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
in_srv nft add element inet spagate allow4 "{ $STRAY timeout 3600s }"
check "the stray element is there before the restart" listed "$STRAY"
mark
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not restart"
check "at start the element no journaled cycle holds is removed" wait_ok 5 not_listed "$STRAY"
check "... logged" wait_logged "firewall: delete element inet spagate allow4 \\{ 10\\.231\\.59\\.99 \\. tcp \\. 22 \\}: an element no open cycle holds" 5
check "the journaled open cycle's element stays" listed "$E2"
stop_spagated
finish
