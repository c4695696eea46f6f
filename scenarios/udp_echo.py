"""UDP echo: datagrams, no connection; each recvfrom returns one whole datagram and its sender.

Watch: the server binds but never listens or accepts; each client's sendto names the
server's address, and the kernel gives the client a port of its own at its first sendto.
Each recvfrom returns one whole datagram and the address it came from, which is where
the reply goes. The Kernel tab shows UNCONN sockets: UDP has no connections.
Try: --link lossy-wifi: a lost datagram makes a client's recvfrom time out.
"""

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
            if ctx.index == 1 and n == 0:
                ctx.ask(
                    "The server answers with one sendto. What does recvfrom(1024) return?",
                    ["the whole reply and the server's address", "part of the reply", "b''"],
                    answer="a",
                    why="A datagram arrives whole or not at all, and recvfrom says who sent it.",
                )
            reply, _ = s.recvfrom(1024)
            print(f"got {reply!r}")
