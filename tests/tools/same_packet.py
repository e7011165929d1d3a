#!/usr/bin/python3
"""same_packet: one saved SPA packet sent on many flows at the same instant.

    same_packet.py HOST PORT FLOWS FILE

FILE is a packet the client saved (fwknop -B; its one trailing newline is
not sent).  FLOWS UDP sockets are bound to ports of their own first, then
each sends the same datagram, back to back: one packet on FLOWS flows at
once, which the kernel deals to several verifier workers by the hash of
their flow (tests/integration/workers.sh).  Prints "sent N".
"""
import socket
import sys


def main():
    host, port, flows, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(path, "rb") as f:
        data = f.read()
    if data.endswith(b"\n"):
        data = data[:-1]
    socks = []
    for _ in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", 0))
        s.connect((host, port))
        socks.append(s)
    sent = sum(1 for s in socks if s.send(data) == len(data))
    print("sent %d" % sent)
    return 0 if sent == flows else 1


if __name__ == "__main__":
    sys.exit(main())
