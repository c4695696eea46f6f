"""socketserver's threading server, served for ever (its select waits 0.5 s at a time):
PORT."""

import socketserver
import sys


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(self.request.recv(1024))


socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Echo) as server:
    print("serving")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped by Ctrl-C")
print("bye")
