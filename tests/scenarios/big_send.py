"""One blocking send() of 10 MB: Linux sends every byte before it returns (the call waits for
room in the buffer as the server reads)."""

from netlab import Scenario

lab = Scenario("big send")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.create_server((ctx.host, ctx.port)) as listener:
        conn, _ = listener.accept()
        with conn:
            total = 0
            while chunk := conn.recv(65536):
                total += len(chunk)
    print("received", total)


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as conn:
        print("send returned", conn.send(b"x" * 10_000_000))
