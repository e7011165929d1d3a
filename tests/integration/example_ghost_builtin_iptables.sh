#!/bin/bash
# example_ghost_builtin.sh with firewall.backend = "iptables": the ghost
# service through fwknopd's own local NAT rules.
FW_BACKEND=iptables
. "$(dirname "$0")/example_ghost_builtin.sh"
