"""Connects, sends one line, closes: HOST PORT."""

import socket
import sys

with socket.create_connection((sys.argv[1], int(sys.argv[2]))) as sock:
    sock.sendall(b"hello\n")
print("sent")
