"""The guide's echo client: HOST and PORT from the command line, a usage message without them."""

import socket
import sys

if len(sys.argv) != 3:
    print(f"usage: {sys.argv[0]} HOST PORT", file=sys.stderr)
    sys.exit(1)
HOST, PORT = sys.argv[1], int(sys.argv[2])
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)
print(f"Received {data!r}")
