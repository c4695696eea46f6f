"""A client a learner types into: each line read with input() goes to the server, whose answer
is printed; the end of input (Ctrl-D) ends it."""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])

with socket.create_connection((HOST, PORT)) as sock:
    while True:
        try:
            line = input("> ")
        except EOFError:
            print("bye")
            break
        sock.sendall(line.encode())
        print("server:", sock.recv(1024).decode())
