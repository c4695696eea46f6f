"""Edges of sending, each compared with a run by hand: empty UDP datagrams, MSG_DONTWAIT on a
blocking socket, buffer sizes a listener's connections inherit, and a Unix socket's."""

from netlab import Scenario

lab = Scenario("send edges", ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind((ctx.host, ctx.ports[1]))
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            listener.bind((ctx.host, ctx.ports[0]))
            listener.listen()
            conn, _ = listener.accept()
            with conn:
                print("conn buffer", conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
                # The client's go comes by the other socket: reading this stream before its
                # MSG_DONTWAIT send returns would make room for more, as fast as the machine is.
                print("go", udp.recv(10))
                total = 0
                while chunk := conn.recv(65536):
                    total += len(chunk)
            print("stream bytes more than one", total > 1)  # how many: the buffers decide
        print("datagrams", [udp.recv(10), udp.recv(10)])


@lab.actor("client")
def client(ctx):
    import socket

    a, b = socket.socketpair()
    print("unix buffer", a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) > 16384)
    a.close()
    b.close()
    with socket.create_connection((ctx.host, ctx.ports[0])) as conn:
        size = 20_000_000
        sent = conn.send(b"x" * size, socket.MSG_DONTWAIT)
        print("dontwait sent part", 0 < sent < size)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as go:
            go.sendto(b"go", (ctx.host, ctx.ports[1]))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"", (ctx.host, ctx.ports[1]))
        udp.connect((ctx.host, ctx.ports[1]))
        udp.send(b"")
