"""Answers every message of one client in capitals, until the client closes."""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])

with socket.create_server((HOST, PORT)) as server:
    conn, _ = server.accept()
    with conn:
        while data := conn.recv(1024):
            conn.sendall(data.upper())
print("client gone")
