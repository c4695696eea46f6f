"""Bench: a TCP echo loop (ctx.args["rounds"] round trips) for bench/echo_bench.py."""

from netlab import Scenario

lab = Scenario("echo loop", args={"rounds": 5000})


def serve(host, port, ready=None):
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen()
        if ready is not None:
            ready()
        conn, _ = s.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)


def ping(host, port, rounds):
    import socket

    with socket.create_connection((host, port)) as s:
        for _ in range(rounds):
            s.sendall(b"ping")
            s.recv(1024)


@lab.actor("server")
def server(ctx):
    serve(ctx.host, ctx.port)


@lab.actor("client")
def client(ctx):
    ping(ctx.host, ctx.port, ctx.args["rounds"])
