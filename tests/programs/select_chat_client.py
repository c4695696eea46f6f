"""A chat client that waits for its socket and its keyboard at once (select), as chat
clients do: a line typed goes to the server and its answer is printed; anything else the
server sends is printed too; the end of input ends it."""

import select
import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])

with socket.create_connection((HOST, PORT)) as sock:
    while True:
        readable, _, _ = select.select([sock, sys.stdin], [], [])
        if sock in readable:
            print("server said:", sock.recv(1024).decode())
        if sys.stdin in readable:
            line = sys.stdin.readline()
            if not line:
                break
            sock.sendall(line.strip().encode())
            print("answer:", sock.recv(1024).decode())
print("bye")
