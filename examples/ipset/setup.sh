#!/bin/sh
# Sets and firewall rules for examples/ipset: tcp/22 (SPA_SSH_PORT) is
# dropped unless the client's "address,tcp:22" is in spa4 (IPv4) or spa6
# (IPv6), which spagated fills from access.conf.  Connections already
# established stay up when their element goes.
#   setup.sh            create the sets and the rules (run again: the same)
#   setup.sh remove     take the rules and the sets away
set -eu
port=${SPA_SSH_PORT:-22}
chain=spagate-ssh

# The sets: elements expire in the kernel even if spagated is down.
create_sets() {
	ipset -exist create spa4 hash:ip,port family inet timeout 300 maxelem 65536
	ipset -exist create spa6 hash:ip,port family inet6 timeout 300 maxelem 65536
}

# rules IPTABLES SET: a chain of our own, jumped to for the port only.
rules() {
	"$1" -N "$chain" 2>/dev/null || "$1" -F "$chain"
	"$1" -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	"$1" -A "$chain" -m set --match-set "$2" src,dst -j ACCEPT
	"$1" -A "$chain" -j DROP
	"$1" -C INPUT -p tcp --dport "$port" -j "$chain" 2>/dev/null ||
		"$1" -I INPUT 1 -p tcp --dport "$port" -j "$chain"
}

# unrules IPTABLES SET
unrules() {
	while "$1" -D INPUT -p tcp --dport "$port" -j "$chain" 2>/dev/null; do :; done
	"$1" -F "$chain" 2>/dev/null || true
	"$1" -X "$chain" 2>/dev/null || true
	ipset destroy "$2" 2>/dev/null || true
}

case ${1:-create} in
create)
	create_sets
	rules iptables spa4
	rules ip6tables spa6
	;;
remove)
	unrules iptables spa4
	unrules ip6tables spa6
	;;
*)
	echo "usage: $0 [create|remove]" >&2
	exit 2
	;;
esac
