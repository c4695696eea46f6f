"""A client polling two connections with a select() each, by turns: each finds its own socket
writable, so no single wait finds the same as the one before. Over a slow link the clock must
still move, or the replies never arrive."""

from netlab import Scenario

lab = Scenario("per-connection select")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.create_server((ctx.host, ctx.port)) as listener:
        conns = [listener.accept()[0] for _ in range(2)]
        for conn in conns:
            conn.sendall(conn.recv(10).upper())
            conn.close()


@lab.actor("client")
def client(ctx):
    import select
    import socket

    conns = [socket.create_connection((ctx.host, ctx.port)) for _ in range(2)]
    for conn in conns:
        conn.sendall(b"hi")
        conn.setblocking(False)
    replies = [b"", b""]
    while not all(replies):
        for number, conn in enumerate(conns):
            readable, _, _ = select.select([conn], [conn], [], 0)
            if readable and not replies[number]:
                replies[number] = conn.recv(10)
    print(replies)
    for conn in conns:
        conn.close()
