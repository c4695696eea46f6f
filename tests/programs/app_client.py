"""The guide's application client: HOST PORT ACTION VALUE (search morpheus)."""

import socket
import sys

import libprotocol

if len(sys.argv) != 5:
    print(f"Usage: {sys.argv[0]} <host> <port> <action> <value>")
    sys.exit(1)

host, port, action, value = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
request = {"action": action, "value": value}
with socket.create_connection((host, port)) as sock:
    print(f"Sending request {request!r}")
    sock.sendall(libprotocol.create_message(request))
    reader = libprotocol.Reader()
    response = None
    while response is None:
        data = sock.recv(7)  # small reads: the message comes in pieces
        if not data:
            break
        response = reader.feed(data)
print(f"Got result: {response['result'] if response else None}")
