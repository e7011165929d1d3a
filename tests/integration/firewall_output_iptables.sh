#!/bin/bash
# firewall_output.sh with firewall.backend = "iptables": fwknopd's
# output chain (SPAGATE_OUTPUT, jumped to at OUTPUT position 1).
FW_BACKEND=iptables
. "$(dirname "$0")/firewall_output.sh"
