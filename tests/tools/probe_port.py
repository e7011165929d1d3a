#!/usr/bin/env python3
"""probe_port.py SRC DST PORT: connect from SRC to DST:PORT and say who
answers: "ssh" (a server that speaks first with an SSH banner), "http" (a
web server's answer to a GET), or "none" (no connection).  For the
ghost-service test: the same port leads to one or the other."""
import socket
import sys

src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    s = socket.create_connection((dst, port), timeout=2,
                                 source_address=(src, 0))
except OSError:
    print("none")
    sys.exit(0)
s.settimeout(1)
try:
    first = s.recv(64)
except socket.timeout:
    first = b""
if first.startswith(b"SSH-"):
    print("ssh")
    sys.exit(0)
s.settimeout(2)
try:
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    answer = first + s.recv(64)
except OSError:
    answer = b""
print("http" if answer.startswith(b"HTTP/") else "other")
