"""A server that accepts with a timeout so that Ctrl-C is seen between two waits, a common
idiom: PORT."""

import socket
import sys

with socket.create_server(("127.0.0.1", int(sys.argv[1]))) as server:
    server.settimeout(1.0)
    try:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(conn.recv(1024))
    except KeyboardInterrupt:
        print("shutting down")
