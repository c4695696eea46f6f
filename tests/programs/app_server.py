"""The guide's application server: answers a search with selectors; HOST PORT."""

import selectors
import socket
import sys

import libprotocol

request_search = {
    "morpheus": "Follow the white rabbit.",
    "ring": "In the caves beneath the Misty Mountains.",
    "\U0001f436": "\U0001f43e Playing ball! \U0001f3d0",
}

if len(sys.argv) != 3:
    print(f"Usage: {sys.argv[0]} <host> <port>")
    sys.exit(1)

host, port = sys.argv[1], int(sys.argv[2])
sel = selectors.DefaultSelector()
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((host, port))
lsock.listen()
print(f"Listening on {(host, port)}")
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
served = 0
while served < 1:
    for key, _mask in sel.select(timeout=None):
        if key.data is None:
            conn, addr = key.fileobj.accept()
            print(f"Accepted connection from {addr[0]}")
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, data=libprotocol.Reader())
            continue
        sock, reader = key.fileobj, key.data
        data = sock.recv(4096)
        request = reader.feed(data) if data else None
        if request is not None:
            print(f"Received request {request!r}")
            query = request.get("value")
            answer = request_search.get(query) or f"No match for '{query}'."
            sock.setblocking(True)
            sock.sendall(libprotocol.create_message({"result": answer}))
        if request is not None or not data:
            sel.unregister(sock)
            sock.close()
            served += 1
sel.close()
lsock.close()
