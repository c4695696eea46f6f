"""A client that raises; the server waits in accept."""

from netlab import Scenario

lab = Scenario("crash")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        s.accept()


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket() as s:
        s.connect((ctx.host, ctx.port))
    raise RuntimeError("the client gave up")
