"""An actor in an endless loop that makes no socket call."""

from netlab import Scenario

lab = Scenario("spin")


@lab.actor("server")
def server(ctx):
    import socket

    s = socket.socket()
    s.bind((ctx.host, ctx.port))
    s.listen()
    while True:
        pass
