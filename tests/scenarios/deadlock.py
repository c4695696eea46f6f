"""Both peers wait in recv: a deadlock."""

from netlab import Scenario

lab = Scenario("deadlock")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        conn.recv(100)


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.recv(100)
