"""The standard library's socketserver.TCPServer answering one request."""

from netlab import Scenario

lab = Scenario("socketserver")


@lab.actor("server")
def server(ctx):
    import socketserver

    class Upper(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(self.request.recv(100).upper())

    with socketserver.TCPServer((ctx.host, ctx.port), Upper) as srv:
        srv.handle_request()


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"abc")
        print(s.recv(100))
