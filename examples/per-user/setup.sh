#!/bin/sh
# Set and firewall rules for examples/per-user: the ports in SPA_PORTS
# (default "22 5432") are dropped for new IPv4 connections unless the
# client's "address,tcp:port" is in the set spausers, which spagated
# fills from the users' stanzas.  Established connections stay up when
# their element goes.
#   setup.sh            create the set and the rules (run again: the same)
#   setup.sh remove     take the rules and the set away
set -eu
ports=${SPA_PORTS:-22 5432}
chain=spagate-users
set=spausers

create() {
	ipset -exist create "$set" hash:ip,port family inet timeout 600 maxelem 65536
	iptables -N "$chain" 2>/dev/null || iptables -F "$chain"
	iptables -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	iptables -A "$chain" -m set --match-set "$set" src,dst -j ACCEPT
	iptables -A "$chain" -j DROP
	for p in $ports; do
		iptables -C INPUT -p tcp --dport "$p" -j "$chain" 2>/dev/null ||
			iptables -I INPUT 1 -p tcp --dport "$p" -j "$chain"
	done
}

remove() {
	for p in $ports; do
		while iptables -D INPUT -p tcp --dport "$p" -j "$chain" 2>/dev/null; do :; done
	done
	iptables -F "$chain" 2>/dev/null || true
	iptables -X "$chain" 2>/dev/null || true
	ipset destroy "$set" 2>/dev/null || true
}

case ${1:-create} in
create) create ;;
remove) remove ;;
*)
	echo "usage: $0 [create|remove]" >&2
	exit 2
	;;
esac
