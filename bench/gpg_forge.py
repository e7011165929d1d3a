#!/usr/bin/env python3
"""gpg_forge: a forged GnuPG SPA packet, the worst a stanza without an
HMAC key can be sent (spec/wire-format.md section 10), for bench/run.

    gpg_forge.py [--keyid HEX] [--count N] [--mpi-bytes B] [--len L]
                 [--hmac] [--seed S]

It writes the packet's text as the fwknop client sends it: the base64 of
an OpenPGP message without its first two characters.  The message is N
version 3 public-key encrypted session-key packets (RSA, algorithm 1,
old format 0x85 with a two-byte length, as gpg writes them for an RSA key
of 2048 bits: the text would start "hQ", which fwknopd puts back), each
naming the key ID HEX (16 hex digits; 0, the default, is the wildcard
"anonymous recipient" ID) with an MPI of B random bytes below 2^(8B-1)
(256 for RSA 2048: any 2048-bit modulus is larger, so the private-key
operation runs instead of a cheap refusal), then a symmetrically
encrypted integrity protected data packet (tag 18, version 1) of random
bytes filling the text to L characters (default 1499, the longest SPA
payload).  spagated's header walk takes such a message; librnp then
makes one private-key operation for each session-key packet whose key
ID is one of the stanza's (0.16: the wildcard ID matches no key; later
versions try the stanza's keys of that algorithm for it).  Every packet
fails its decryption, so without an HMAC key the same text can be sent
again and again (the replay check runs after the decryption).

--hmac appends 43 random base64 characters, as an HMAC-SHA256 would be
(then L counts the text without them).  Random bytes come from
os.urandom, or from --seed for a repeatable packet.
"""
import argparse
import base64
import os
import random
import sys

PKESK_VERSION = 3
RSA = 1
SEIPD_TAG = 18


def pkesk(keyid, mpi_bytes, rnd):
    """One session-key packet: 0x85, two length bytes, the body."""
    first = rnd(1)[0] & 0x7f or 1          # top bit clear: below 2^(8B-1)
    mpi = bytes([first]) + rnd(mpi_bytes - 1)
    bits = (mpi_bytes - 1) * 8 + first.bit_length()
    body = bytes([PKESK_VERSION]) + keyid + bytes([RSA]) + \
        bits.to_bytes(2, "big") + mpi
    return bytes([0x85]) + len(body).to_bytes(2, "big") + body


def new_header(tag, length):
    """A new-format header (RFC 4880 4.2.2) of one or two length bytes."""
    if length < 192:
        return bytes([0xc0 | tag, length])
    length -= 192
    return bytes([0xc0 | tag, 192 + (length >> 8), length & 0xff])


def text_len(nbytes):
    """Characters of the unpadded base64 of nbytes, less the two cut."""
    return (4 * nbytes + 2) // 3 - 2


def message(head, want, rnd):
    """head, then a tag-18 packet as long as `want` characters allow."""
    body = 1
    while text_len(len(head) + len(new_header(SEIPD_TAG, body + 1)) +
                   body + 1) <= want:
        body += 1
    if text_len(len(head) + len(new_header(SEIPD_TAG, body)) + body) > want:
        sys.exit("gpg_forge: --len too short for the session keys")
    return head + new_header(SEIPD_TAG, body) + bytes([1]) + rnd(body - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keyid", default="0")
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--mpi-bytes", type=int, default=256)
    ap.add_argument("--len", type=int, default=1499)
    ap.add_argument("--hmac", action="store_true")
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()
    if a.seed is not None:
        gen = random.Random(a.seed)
        rnd = lambda n: bytes(gen.getrandbits(8) for _ in range(n))
    else:
        rnd = os.urandom
    keyid = int(a.keyid, 16).to_bytes(8, "big")
    if a.count < 1 or not 1 <= a.mpi_bytes <= 1024:
        sys.exit("gpg_forge: --count 1 or more, --mpi-bytes 1..1024")
    head = b"".join(pkesk(keyid, a.mpi_bytes, rnd) for _ in range(a.count))
    text = base64.b64encode(message(head, a.len, rnd)).decode().rstrip("=")
    text = text[2:]
    if a.hmac:
        text += base64.b64encode(rnd(32)).decode().rstrip("=")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
