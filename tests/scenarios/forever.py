"""A server that accepts forever and a client that sleeps a long (virtual) time between calls."""

from netlab import Scenario

lab = Scenario("forever")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        while True:
            conn, _ = s.accept()
            conn.close()


@lab.actor("client")
def client(ctx):
    import socket
    import time

    while True:
        with socket.create_connection((ctx.host, ctx.port)):
            pass
        time.sleep(3600)
