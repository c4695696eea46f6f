"""Accepts one client and never answers it (until it closes): HOST PORT."""

import socket
import sys

with socket.create_server((sys.argv[1], int(sys.argv[2]))) as server:
    conn, _ = server.accept()
    with conn:
        conn.recv(10)
