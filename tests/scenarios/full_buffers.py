"""Both peers send 32 MiB before reading: the buffers fill and both wait in sendall."""

from netlab import Scenario

lab = Scenario("full buffers")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        conn.sendall(b"s" * (32 << 20))
        conn.recv(10)


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"c" * (32 << 20))
        s.recv(10)
