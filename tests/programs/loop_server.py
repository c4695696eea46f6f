"""A server in the guide's style that loops until Ctrl-C: PORT; it says when it is interrupted."""

import selectors
import socket
import sys

sel = selectors.DefaultSelector()
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", int(sys.argv[1])))
lsock.listen()
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
try:
    while True:
        for key, _mask in sel.select(timeout=None):
            if key.data is None:
                conn, addr = key.fileobj.accept()
                print(f"Accepted connection from {addr[0]}")
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, data=b"")
            else:
                data = key.fileobj.recv(1024)
                if data:
                    key.fileobj.sendall(data)
                else:
                    print("Closing connection")
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
except KeyboardInterrupt:
    print("Caught keyboard interrupt, exiting")
finally:
    sel.close()
