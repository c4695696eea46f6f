"""One actor alone waits for a datagram that nobody sends: a deadlock of one."""

from netlab import Scenario

lab = Scenario("lonely recvfrom")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.port))
        s.recvfrom(1024)
