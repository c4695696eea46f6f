"""A client sends more than the kernel's buffers hold to a server that never reads it.

The link is modelled, so sendall returns at once and the link holds the bytes; the client then
waits for a reply, and the server waits for a second client that never comes. What the
server's receive buffer could not take stays with the link: the deadlock report says how much.
"""

from netlab import Link, Scenario

lab = Scenario("stuck backlog", link=Link(delay=1, segment=65535))


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:  # never read
            s.accept()  # waits for a second client that never comes


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"c" * (32 << 20))  # 32 MiB: more than loopback buffers hold
        s.recv(10)
