#!/bin/sh
# Set and firewall rules for examples/gateway, run on the gateway: new
# connections forwarded to tcp/22 (SPA_PROTECTED_PORT) of the protected
# host(s) SPA_PROTECTED (blank-separated; default 192.0.2.10) are dropped
# unless "client,tcp:22,host" is in the set spagw, which spagated fills
# from access.conf.  The SPA packets themselves (udp/62201) stop here.
# Connections already established stay up when their element goes.
#   setup.sh            create the set and the rules (run again: the same)
#   setup.sh remove     take the rules and the set away
set -eu
hosts=${SPA_PROTECTED:-192.0.2.10}
port=${SPA_PROTECTED_PORT:-22}
chain=spagate-gw

# jump RULE...: insert a rule into FORWARD once, tagged for removal.
jump() {
	iptables -C FORWARD "$@" -m comment --comment "$chain" 2>/dev/null ||
		iptables -I FORWARD 1 "$@" -m comment --comment "$chain"
}

create() {
	# elements expire in the kernel even if spagated is down
	ipset -exist create spagw hash:ip,port,ip family inet timeout 300 maxelem 65536
	iptables -N "$chain" 2>/dev/null || iptables -F "$chain"
	iptables -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	iptables -A "$chain" -m set --match-set spagw src,dst,dst -j ACCEPT
	iptables -A "$chain" -j DROP
	for h in $hosts; do
		jump -d "$h" -p tcp --dport "$port" -j "$chain"
		jump -d "$h" -p udp --dport 62201 -j DROP
	done
}

# Every FORWARD rule tagged by create, whatever SPA_PROTECTED was then.
remove() {
	iptables -S FORWARD | grep -e "--comment $chain" | sed 's/^-A /-D /' |
		while read -r rule; do
			# shellcheck disable=SC2086 # iptables -S words, no quotes
			iptables $rule
		done
	iptables -F "$chain" 2>/dev/null || true
	iptables -X "$chain" 2>/dev/null || true
	ipset destroy spagw 2>/dev/null || true
}

case ${1:-create} in
create | remove)
	"${1:-create}"
	;;
*)
	echo "usage: $0 [create|remove]" >&2
	exit 2
	;;
esac
