"""Reads its whole standard input, sends it, then says it has finished sending
(shutdown), and prints what comes back, line by line as the lines of its input went."""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
first = sys.stdin.readline()
rest = sys.stdin.read()
print(f"read {len(first) + len(rest)} characters, first line {first.strip()!r}")

with socket.create_connection((HOST, PORT)) as sock:
    sock.sendall((first + rest).encode())
    sock.shutdown(socket.SHUT_WR)
    answer = b""
    while chunk := sock.recv(1024):
        answer += chunk
for line in answer.decode().splitlines():
    print("back:", line)
