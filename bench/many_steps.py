"""Bench: one actor making ctx.args["steps"] calls without ever waiting (for the UI bench)."""

from netlab import Scenario

lab = Scenario("many steps", args={"steps": 50000})


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.port))
        for _ in range(ctx.args["steps"] // 2):
            s.sendto(b"tick", (ctx.host, ctx.port))  # to itself: the datagram is there at once
            s.recvfrom(16)
