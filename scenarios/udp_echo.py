"""UDP echo: datagrams, no connection; each recvfrom returns one whole datagram and its sender."""

from netlab import Scenario

lab = Scenario("UDP echo", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket

    # A UDP socket is bound, but never listens or accepts: there are no connections.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.port))
        for _ in range(4):  # two clients, two datagrams each
            data, addr = s.recvfrom(1024)  # one datagram, and who sent it
            s.sendto(data.upper(), addr)  # the reply goes back to that address


@lab.actor("client", count=2)
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)  # a datagram can be lost: never wait for a reply forever
        for n in range(2):
            # No connect: each sendto names the destination. The kernel picks our port.
            s.sendto(f"ping {n} from {ctx.name}".encode(), (ctx.host, ctx.port))
            reply, _ = s.recvfrom(1024)
            print(f"got {reply!r}")
