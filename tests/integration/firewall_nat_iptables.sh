#!/bin/bash
# firewall_nat.sh with firewall.backend = "iptables": fwknopd's own NAT
# chains (SPAGATE_FORWARD in filter, SPAGATE_PREROUTING and
# SPAGATE_POSTROUTING in nat, each jumped to first), and the start's
# sweep of a previous run's NAT rules, which iptables never times out.
FW_BACKEND=iptables
. "$(dirname "$0")/firewall_nat.sh"
