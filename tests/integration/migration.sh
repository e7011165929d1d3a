#!/bin/bash
# Migration from fwknopd (doc/migration.md).  Debian's own access.conf,
# as the fwknop-server package installs it, with only its two key
# placeholders filled in: fwknopd and spagated both accept it, the real
# client's packet is granted through it, and spagated says that a stanza
# without CMD_CYCLE_OPEN opens nothing (at load and at each grant) and
# indeed touches no firewall.  Then the page's own setup commands and
# stanza lines (copied out of doc/migration.md, not retyped here) give
# that stanza fwknopd's default behaviour through ipset and through
# iptables, and its FORCE_NAT example makes fwknopd's two NAT rules.  A
# file in fwknopd's style with the directives admins set (CIDR lists,
# OPEN_PORTS, RESTRICT_PORTS, REQUIRE_USERNAME, timeouts, ACCESS_EXPIRE,
# ENCRYPTION_MODE, HMAC_DIGEST_TYPE, CMD_CYCLE_*, %include) loads in both
# daemons unchanged and behaves as fwknopd's would.  The page's claims
# about what spagated refuses or warns about are checked against its
# log, and its two reference tables against the variables and directives
# Debian's fwknopd itself reports.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
STOCK=/etc/fwknop/access.conf STOCK_FWKNOPD=/etc/fwknop/fwknopd.conf
[ -r "$STOCK" ] && [ -r "$STOCK_FWKNOPD" ] && command -v fwknopd >/dev/null ||
	skip_all "needs Debian's fwknop-server (fwknopd, /etc/fwknop/*.conf)"
for t in ipset iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
DOC=$top_srcdir/doc/migration.md
STATE=$WORK/state

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) KA=$(b64key 32) HA=$(b64key 64)
KB=$(b64key 32) HB=$(b64key 64) KC=$(b64key 32) HC=$(b64key 64)
KN=$(b64key 32) HN=$(b64key 64)

# doc_block NAME: the fenced block after "<!-- migration.sh: NAME -->"
doc_block() {
	awk -v m="<!-- migration.sh: $1 -->" '
		$0 == m { f = 1; next }
		f == 1 && /^```/ { f = 2; next }
		f == 2 && /^```/ { exit }
		f == 2 { print }' "$DOC"
}
# doc_names HEADING: the first column (`NAME`) of the table under it
doc_names() {
	awk -v h="$1" 'index($0, h) == 1 { f = 1; next } f && /^## / { exit }
		f && /^\| `/' "$DOC" | sed -n 's/^| `\([^`]*\)`.*/\1/p' | sort -u
}

# fwknopd's own verdict (Debian's binary, its stock fwknopd.conf), run in
# the server namespace with its run directory under $WORK.
fwknopd_parse() {
	in_srv fwknopd -c "$STOCK_FWKNOPD" -a "$1" -r "$WORK/fwknopd" \
		-p "$WORK/fwknopd/fwknopd.pid" -d "$WORK/fwknopd/digest.cache" \
		--exit-parse-config -f >"$WORK/fwknopd.out" 2>&1
}
# fwknopd_refuses FILE TEXT: it fails, saying TEXT
fwknopd_refuses() { ! fwknopd_parse "$1" && grep -qF -- "$2" "$WORK/fwknopd.out"; }
# spagated's verdict; its output in $WORK/parse.out
parse_config() {
	"$SPAGATED" -c "${2:-$WORK/spagated.conf}" -a "$1" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1
}
accepted_saying() { parse_config "$1" && grep -qE -- "$2" "$WORK/parse.out"; }
refused_saying() { ! parse_config "$1" && grep -qF -- "$2" "$WORK/parse.out"; }
# check_parse DESCRIPTION COMMAND...: as check, showing spagated's output
check_parse() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; diag "$(cat "$WORK/parse.out")"; fi
}
# conf NAME TEXT: an access file of ours, mode 0600
conf() { printf '%s\n' "$2" > "$WORK/$1"; chmod 600 "$WORK/$1"; }
line_of() { grep -n -m1 -- "$2" "$1" | cut -d: -f1; }

# each run its own state: a cycle left by one part is not another's
runs=0
start() { # start ACCESS [options]
	local a=$1; shift
	runs=$((runs + 1))
	start_spagated -c "$WORK/spagated.conf" -a "$a" -d "$STATE.$runs" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" "$@" || bail_out "spagated did not start"
}
spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$k" --key-base64-hmac "$h" "$@" >/dev/null 2>&1
}
connects() { # one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
element_timeout() { # SET ELEMENT: its remaining seconds, empty if absent
	in_srv ipset list "$1" | awk -v e="$2" '$1 == e { for (i = 2; i < NF; i++) if ($i == "timeout") print $(i + 1) }'
}
no_element() { [ -z "$(element_timeout "$1" "$2")" ]; }
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# the NAMEs of a sample file's commented-out "#NAME value" lines
commented_names() { sed -n 's/^#\([A-Z][A-Z_]*\)[[:space:]].*/\1/p' "$1"; }
firewall() { in_srv iptables -S; in_srv iptables -t nat -S; in_srv ipset list -n; }

plan 63
netns_pair 140 || skip_all "cannot create network namespaces"
REFUSED="refused $CLI_IP:[0-9]+ -> $SRV_IP:62201 via udp: "
printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
# the admin's own firewall, which fwknopd left alone: tcp/22 dropped
in_srv iptables -A INPUT -p tcp --dport 22 -j DROP || bail_out "cannot set up iptables"
# not through in_srv: $! must be the listener itself
ip netns exec "$SRV_NS" "$TCP_ACCEPT" 22 >/dev/null 2>&1 &
on_exit "kill $!"
for b in "spagated.conf" "ipset setup" "ipset stanza" "iptables setup" \
	"iptables stanza" "nat stanza"; do
	[ -n "$(doc_block "$b")" ] || bail_out "doc/migration.md has no '$b' block"
done

# 1. Debian's stock access.conf, as installed
install -m 600 "$STOCK" "$WORK/stock.conf"
SRC_LINE=$(line_of "$STOCK" '^SOURCE') KEY_LINE=$(line_of "$STOCK" '^KEY_BASE64')
check_parse "the stock file is refused while it holds __CHANGEME__, with file:line" \
	refused_saying "$WORK/stock.conf" "stock.conf:$KEY_LINE: KEY_BASE64: key is the placeholder __CHANGEME__"
check "fwknopd refuses the stock file too" \
	fwknopd_refuses "$WORK/stock.conf" "KEY_BASE64 value is not properly set"

# the admin fills in the keys, in place of the placeholders
sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" "$STOCK" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
check "only the two key lines differ from Debian's file" \
	[ "$(diff "$STOCK" "$WORK/access.conf" | grep -c '^[<>]')" -eq 4 ]
check "fwknopd accepts it" fwknopd_parse "$WORK/access.conf"
check_parse "spagated accepts it unchanged" \
	accepted_saying "$WORK/access.conf" "^configuration OK: 1 stanza from $WORK/access.conf\$"
check_parse "and warns at load that the stanza opens nothing, naming file:line" \
	accepted_saying "$WORK/access.conf" "access.conf:$SRC_LINE: stanza #1 has no CMD_CYCLE_OPEN: its grants are logged and nothing is opened"
dump=$("$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" -p "$WORK/spagated.pid" -D 2>/dev/null)
check "spagated -D shows fwknopd's defaults for it, keys masked" eval \
	'grep -q "^FW_ACCESS_TIMEOUT *30$" <<<"$dump" && grep -q "^MAX_FW_TIMEOUT *300$" <<<"$dump" &&
	grep -q "^HMAC_DIGEST_TYPE *sha256$" <<<"$dump" && ! grep -qF -e "$K1" -e "$H1" <<<"$dump"'

# or: placeholders commented out, `fwknopd --key-gen` appended as printed
fwknopd --key-gen > "$WORK/keygen.out"
K2=$(awk '$1 == "KEY_BASE64:" { print $2 }' "$WORK/keygen.out")
H2=$(awk '$1 == "HMAC_KEY_BASE64:" { print $2 }' "$WORK/keygen.out")
{ sed 's/^\(.*__CHANGEME__\)/#\1/' "$STOCK"; cat "$WORK/keygen.out"; } > "$WORK/keygen.conf"
chmod 600 "$WORK/keygen.conf"
check "keys appended as 'fwknopd --key-gen' prints them (NAME: value): fwknopd accepts" \
	fwknopd_parse "$WORK/keygen.conf"
check_parse "and so does spagated" accepted_saying "$WORK/keygen.conf" "^configuration OK: 1 stanza"

# 2. the stock stanza at work: -t prints the grant; for real, nothing opens
start "$WORK/keygen.conf" -t
spa "$K2" "$H2" -A tcp/22 -a "$CLI_IP"
check "-t: the client's packet is an OPEN event through the stock stanza" \
	wait_for "$WORK/events" "^OPEN stanza=1 type=access allow=$CLI_IP .* ports=tcp/22 .* timeout=30 " 5
stop_spagated
before=$(firewall)
start "$WORK/access.conf"
mark
spa "$K1" "$H1" -A tcp/22,udp/53 -a "$CLI_IP"
check_logged "the grant is logged with the stanza, file:line and both ports" \
	"accepted by stanza #1 \\($WORK/access.conf:$SRC_LINE\\): OPEN .* allow=$CLI_IP .* ports=tcp/22,udp/53 " 5
check_logged "and the log says that nothing runs for it" \
	"stanza #1 has no CMD_CYCLE_OPEN: nothing to run" 5
check "no firewall rule, chain or set appears (fwknopd would have made FWKNOP_INPUT)" \
	[ "$(firewall)" = "$before" ]
check "tcp/22 stays dropped" refused "$SRV_IP" 22
stop_spagated

# 3. the page's ipset setup and stanza lines: fwknopd's default, via ipset
check "the page's ipset setup runs" in_srv sh -ec "$(doc_block "ipset setup")"
{ cat "$WORK/access.conf"; doc_block "ipset stanza"; } > "$WORK/ipset.conf"
chmod 600 "$WORK/ipset.conf"
check "fwknopd still accepts the stanza with the three lines added" fwknopd_parse "$WORK/ipset.conf"
check_parse "spagated accepts it without the warning" \
	eval 'accepted_saying "$WORK/ipset.conf" "^configuration OK" && ! grep -q CMD_CYCLE_OPEN "$WORK/parse.out"'
start "$WORK/ipset.conf"
check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
spa "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 4
check_logged "the grant adds the client to spa_input with its timeout" \
	"stanza #1 $CLI_IP tcp/22: opened \\(ipset -exist add spa_input $CLI_IP,tcp:22 timeout 4\\), close at " 5
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
check_logged "the close deletes it when the client's 4 s are up" \
	"stanza #1 $CLI_IP tcp/22: closed \\(ipset del spa_input $CLI_IP,tcp:22" 8
check "tcp/22 is dropped again" refused "$SRV_IP" 22
mark
spa "$K1" "$H1" -A tcp/22 -a "$CLI_IP"
wait_logged "tcp/22: opened" 5
t=$(element_timeout spa_input "$CLI_IP,tcp:22")
check "without a client timeout the grant lasts CMD_CYCLE_TIMER, 30 s as FW_ACCESS_TIMEOUT (got ${t:-none})" \
	within "$t" 27 30
stop_spagated
check "stopping spagated closes the grant, as fwknopd's FLUSH_IPT_AT_EXIT did" \
	no_element spa_input "$CLI_IP,tcp:22"

# 4. the page's iptables setup and stanza lines: fwknopd's own chain
in_srv iptables -D INPUT -m set --match-set spa_input src,dst -j ACCEPT
check "the page's iptables setup runs" in_srv sh -ec "$(doc_block "iptables setup")"
{ cat "$WORK/access.conf"; doc_block "iptables stanza"; } > "$WORK/ipt.conf"
chmod 600 "$WORK/ipt.conf"
check "fwknopd accepts that stanza too" fwknopd_parse "$WORK/ipt.conf"
start "$WORK/ipt.conf"
mark
spa "$K1" "$H1" -A tcp/22,udp/1194 -a "$CLI_IP" -f 3
wait_logged "(tcp/22|udp/1194): opened" 2 5
rules=$(in_srv iptables -S FWKNOP_INPUT)
check "FWKNOP_INPUT holds one ACCEPT per requested port, as fwknopd's rules" eval \
	'grep -q -- "-A FWKNOP_INPUT -s $CLI_IP/32 -p tcp -m tcp --dport 22 -j ACCEPT" <<<"$rules" &&
	grep -q -- "-A FWKNOP_INPUT -s $CLI_IP/32 -p udp -m udp --dport 1194 -j ACCEPT" <<<"$rules"'
check "the TCP connect succeeds" connects "$SRV_IP" 22
check "both closes run when the grant ends" wait_logged "(tcp/22|udp/1194): closed" 2 8
check "FWKNOP_INPUT is empty again" [ "$(in_srv iptables -S FWKNOP_INPUT | grep -c -- '-j ACCEPT')" -eq 0 ]
check "tcp/22 is dropped again" refused "$SRV_IP" 22
stop_spagated

# 5. the page's FORCE_NAT stanza, and what spagated does with FORCE_NAT
{ cat "$WORK/access.conf"; doc_block "nat stanza"; printf '%s\n' "" \
	"SOURCE ANY" "KEY_BASE64 $KN" "HMAC_KEY_BASE64 $HN" "FORCE_NAT 192.168.10.5 22" \
	'CMD_CYCLE_OPEN /usr/bin/printf [%s] $FORCE_NAT' "CMD_CYCLE_CLOSE NONE"; } > "$WORK/nat.conf"
chmod 600 "$WORK/nat.conf"
start "$WORK/nat.conf"
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 3
wait_logged "tcp/2222: opened" 5
check "the page's stanza makes the DNAT and FORWARD rules fwknopd made" eval \
	'in_srv iptables -t nat -S PREROUTING | grep -q -- "-s $CLI_IP/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.168.10.5:22" &&
	in_srv iptables -S FORWARD | grep -q -- "-s $CLI_IP/32 -d 192.168.10.5/32 -p tcp -m tcp --dport 22 -j ACCEPT"'
check_logged "and its close runs" "tcp/2222: closed" 8
check "both rules are gone after the close" \
	eval '! { in_srv iptables -t nat -S; in_srv iptables -S; } | grep -- "-s $CLI_IP/32" >&2'
mark
spa "$KN" "$HN" -A tcp/22 -a "$CLI_IP"
check_logged "FORCE_NAT alone makes no rule; its value is \$FORCE_NAT, one argument" \
	'tcp/22: output: "\[192.168.10.5 22\]"' 5
check "no NAT rule appears for it" eval '! in_srv iptables -t nat -S | grep -q 192.168.10.5'
mark
spa "$K1" "$H1" -N 192.168.10.7:22 -A tcp/2222 -a "$CLI_IP"
check_logged "a NAT request (fwknop -N) is refused without nat.forwarding" \
	"${REFUSED}NAT requests are not enabled" 5
stop_spagated

# 6. an fwknopd-style file with the directives admins set, and %include
conf main.conf "# access.conf as an fwknopd admin writes it
SOURCE              10.231.140.0/24, 192.0.2.0/24, 198.51.100.7
OPEN_PORTS          tcp/22, udp/1194
KEY_BASE64          $KA
HMAC_KEY_BASE64     $HA
HMAC_DIGEST_TYPE    SHA512
ENCRYPTION_MODE     CBC
REQUIRE_USERNAME    alice
FW_ACCESS_TIMEOUT   30
MAX_FW_TIMEOUT      120
ACCESS_EXPIRE       12/31/2037
CMD_CYCLE_OPEN      /bin/echo open \$IP \$PORT
CMD_CYCLE_CLOSE     /bin/echo close \$IP \$PORT
CMD_CYCLE_TIMER     30

%include            $WORK/users.conf

SOURCE              ANY
KEY_BASE64          $KC
HMAC_KEY_BASE64     $HC
ACCESS_EXPIRE       01/01/2020
CMD_CYCLE_OPEN      /bin/echo expired \$IP
CMD_CYCLE_CLOSE     NONE"
conf users.conf "SOURCE              10.231.140.2
KEY_BASE64          $KB
HMAC_KEY_BASE64     $HB
HMAC_DIGEST_TYPE    sha1
ENCRYPTION_MODE     CFB
RESTRICT_PORTS      tcp/23, tcp/25
FW_ACCESS_TIMEOUT   10
CMD_CYCLE_OPEN      /bin/echo bob \$IP \$PORT
CMD_CYCLE_CLOSE     NONE"
check "fwknopd accepts the fwknopd-style file and its include" fwknopd_parse "$WORK/main.conf"
check_parse "spagated accepts it unchanged: 3 stanzas" \
	accepted_saying "$WORK/main.conf" "^configuration OK: 3 stanzas from $WORK/main.conf\$"
check_parse "a past ACCESS_EXPIRE warns (fwknopd keeps the stanza silently)" \
	accepted_saying "$WORK/main.conf" "main.conf:$(line_of "$WORK/main.conf" '01/01/2020'): ACCESS_EXPIRE is in the past: this stanza never matches"
start "$WORK/main.conf" -v
mark
spa "$KA" "$HA" --hmac-digest-type sha512 -U alice -A tcp/22 -a "$CLI_IP"
check_logged "alice's packet is accepted by stanza #1 and its command runs" \
	"stanza #1 $CLI_IP tcp/22: output: \"open $CLI_IP 22\\\\x0a\"" 5
mark
spa "$KA" "$HA" --hmac-digest-type sha512 -U bob -A tcp/22 -a "$CLI_IP"
check_logged "another user is refused by REQUIRE_USERNAME" \
	"${REFUSED}username does not match REQUIRE_USERNAME \\(stanza #1 " 5
mark
spa "$KA" "$HA" --hmac-digest-type sha512 -U alice -A tcp/80 -a "$CLI_IP"
check_logged "a port outside OPEN_PORTS is refused" \
	"${REFUSED}a requested port is not allowed: tcp/80 \\(not in OPEN_PORTS\\) \\(stanza #1 " 5
mark
spa "$KB" "$HB" --hmac-digest-type sha1 -M cfb -A tcp/8080 -a "$CLI_IP"
check_logged "the included stanza (sha1, CFB) grants, numbered #2 at its file:line" \
	"accepted by stanza #2 \\($WORK/users.conf:1\\): OPEN .* ports=tcp/8080 " 5
mark
spa "$KB" "$HB" --hmac-digest-type sha1 -M cfb -A tcp/23 -a "$CLI_IP"
check_logged "a port in RESTRICT_PORTS is refused" \
	"${REFUSED}a requested port is not allowed: tcp/23 \\(in RESTRICT_PORTS\\) \\(stanza #2 " 5
mark
spa "$KC" "$HC" -A tcp/22 -a "$CLI_IP"
check_logged "the expired stanza refuses its packet (-v names each stanza's verdict)" \
	"stanza #3 \\($WORK/main.conf:[0-9]+\\): stanza has expired" 5
check "and nothing is granted for it" [ "$(since_mark 'granted|opened')" -eq 0 ]
stop_spagated

# 7. the page's other claims: refused where fwknopd went on, warnings
STANZA="SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1"
conf typo.conf "$STANZA
OPEN_PORT tcp/22"
check "a typo in a directive name: fwknopd ignores the line" fwknopd_parse "$WORK/typo.conf"
check_parse "spagated refuses it with file:line" refused_saying "$WORK/typo.conf" \
	"typo.conf:4: unknown directive (did you mean 'OPEN_PORTS'?)"
conf bool.conf "$STANZA
ENABLE_CMD_EXEC 1"
check "a boolean '1': fwknopd reads it as N" fwknopd_parse "$WORK/bool.conf"
check_parse "spagated refuses it" refused_saying "$WORK/bool.conf" \
	"bool.conf:4: ENABLE_CMD_EXEC must be Y or N (or YES, NO)"
conf num.conf "$STANZA
FW_ACCESS_TIMEOUT 30s"
check "a number with trailing characters: fwknopd reads 30" fwknopd_parse "$WORK/num.conf"
check_parse "spagated refuses it" refused_saying "$WORK/num.conf" \
	"num.conf:4: FW_ACCESS_TIMEOUT must be a number from 1 to 8388608"
conf group.conf "$STANZA
ENABLE_CMD_EXEC Y
CMD_EXEC_USER nobody
CMD_EXEC_GROUP nobody"
check "CMD_EXEC_GROUP nobody: fwknopd takes user nobody's group" fwknopd_parse "$WORK/group.conf"
check_parse "spagated refuses it, naming the group fwknopd used" refused_saying "$WORK/group.conf" \
	"group.conf:6: CMD_EXEC_GROUP: unknown group (fwknopd would use the primary group of the user of that name: 'nogroup')"
conf pcbc.conf "$STANZA
ENCRYPTION_MODE PCBC"
check_parse "ENCRYPTION_MODE PCBC is refused, as fwknopd refuses it" eval \
	'refused_saying "$WORK/pcbc.conf" "pcbc.conf:4: ENCRYPTION_MODE PCBC is not supported" && fwknopd_refuses "$WORK/pcbc.conf" "Unrecognized ENCRYPTION_MODE"'
conf snat.conf "$STANZA
FORCE_SNAT 192.0.2.9"
check_parse "FORCE_SNAT without FORCE_NAT or FORWARD_ALL is refused" refused_saying \
	"$WORK/snat.conf" "FORCE_SNAT needs FORCE_NAT or FORWARD_ALL"
mkdir -m 700 "$WORK/gnupg"
conf gpg.conf "SOURCE ANY
GPG_HOME_DIR $WORK/gnupg
GPG_DECRYPT_ID ABCD1234
GPG_DECRYPT_PW a-gpg-passphrase
GPG_REQUIRE_SIG Y
GPG_REMOTE_ID 1234ABCD"
# GnuPG stanzas work (tests/integration/gpg.sh): their keyring is read at load
check_parse "a GnuPG stanza whose GPG_HOME_DIR has no keyring is refused, naming it" \
	refused_saying "$WORK/gpg.conf" "gpg.conf:1: stanza #1: GPG_HOME_DIR $WORK/gnupg: has neither pubring.kbx nor pubring.gpg"
printf 'PCAP_INTF eth0;\nENABLE_UDP_SERVER Y;\n' > "$WORK/fwknopd-style.conf"
check_parse "an fwknopd.conf given as spagated.conf is refused" eval \
	'! parse_config "$WORK/access.conf" "$WORK/fwknopd-style.conf" && grep -q "fwknopd-style.conf:1: syntax error" "$WORK/parse.out"'
doc_block "spagated.conf" > "$WORK/doc-spagated.conf"
check_parse "the page's spagated.conf loads" eval \
	'parse_config "$WORK/access.conf" "$WORK/doc-spagated.conf" && grep -q "^configuration OK" "$WORK/parse.out"'
"$SPAGATED" --rotate-digest-cache >/dev/null 2>&1; rc1=$?
"$SPAGATED" -O "$WORK/x.conf" >/dev/null 2>&1; rc2=$?
check "fwknopd-only options are refused with exit status 2 (got $rc1, $rc2)" \
	eval '[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ]'

# 8. the reference tables name every variable and directive Debian's
# fwknopd knows: its sample fwknopd.conf, and its own -D dump
in_srv fwknopd -c "$STOCK_FWKNOPD" -a "$WORK/access.conf" -r "$WORK/fwknopd" \
	-p "$WORK/fwknopd/fwknopd.pid" -d "$WORK/fwknopd/digest.cache" -D -f > "$WORK/fwknopd-D" 2>&1
{ commented_names "$STOCK_FWKNOPD"
  awk '$3 == "=" { print $2 }' "$WORK/fwknopd-D"; } | sort -u > "$WORK/variables"
missing=$(comm -23 "$WORK/variables" <(doc_names "## Reference A"))
check "Reference A lists all $(wc -l < "$WORK/variables") fwknopd.conf variables Debian's fwknopd knows${missing:+ (missing: $(echo $missing))}" \
	eval '[ "$(wc -l < "$WORK/variables")" -ge 50 ] && [ -z "$missing" ]'
{ awk '/^Current fwknopd access settings/ { f = 1 } f' "$WORK/fwknopd-D" |
	sed -n 's/^ *\([A-Z][A-Z_]*\): .*/\1/p' | grep -v '_LEN$'
  commented_names "$STOCK"; } | sort -u > "$WORK/directives"
missing=$(comm -23 "$WORK/directives" <(doc_names "## Reference B"))
check "Reference B lists all $(wc -l < "$WORK/directives") access.conf directives fwknopd -D shows${missing:+ (missing: $(echo $missing))}" \
	eval '[ "$(wc -l < "$WORK/directives")" -ge 30 ] && [ -z "$missing" ]'
finish
