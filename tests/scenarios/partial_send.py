"""A big sendall that fills the buffers part way: the server has data from 1 s on and reads it
at once in a real kernel, long before its 5 s timeout."""

from netlab import Scenario

lab = Scenario("partial send")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        conn.settimeout(5.0)
        try:
            print("got", len(conn.recv(1024)))
        except TimeoutError:
            print("timed out")
        conn.close()


@lab.actor("client")
def client(ctx):
    import socket
    import time

    s = socket.create_connection((ctx.host, ctx.port))
    time.sleep(1)  # the server waits in recv by now
    try:
        s.sendall(b"x" * (32 << 20))  # more than loopback buffers hold: blocks part way
    except OSError as exc:
        print("sendall:", type(exc).__name__)
    s.close()
