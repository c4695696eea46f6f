"""Backlog: connections wait in the kernel's accept queue until the server calls accept().

The server listens, then is busy for a second. Meanwhile three clients
connect, with nobody calling accept(): what do their connect() calls do?
Step the clients, then look at the server's panel and, on its accept()
steps, the Kernel tab: for a LISTEN socket Recv-Q counts the connections
that wait to be accepted (and Send-Q is the backlog). Which does accept()
take first, and does it wait?
Try: listen(1): Linux queues backlog + 1 = 2, so client-3's SYN is dropped
and its connect() waits for the kernel's retry, a real second later.
"""

from netlab import Scenario

lab = Scenario("Backlog", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((ctx.host, ctx.port))
        # backlog 5: up to 5 finished handshakes may wait for accept().
        listener.listen(5)
        time.sleep(1.0)  # busy elsewhere: nobody calls accept() for a second
        ctx.say("back from work: the accept queue holds the clients that connected")
        ctx.ask(
            "Three clients connected while the server was busy. What does accept() do now?",
            [
                "waits for a new client: the early ones were dropped",
                "returns client-1's connection at once: it waited in the queue",
                "returns client-3's connection: the newest comes first",
            ],
            "b",
            "The accept queue is first in, first out, and it already holds all three.",
        )
        for _ in range(3):
            conn, addr = listener.accept()  # takes the oldest waiting connection
            with conn:
                data = conn.recv(1024)  # sent before accept(): it waited, too
                print(f"accepted {addr}: {data!r}")
                conn.sendall(b"welcome, " + data)


@lab.actor("client", count=3)
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        if ctx.index == 1:  # one question for the three clients
            ctx.ask(
                "The server is busy and has not called accept(). What does connect() do?",
                [
                    "waits until the server calls accept()",
                    "returns at once: the kernel queues the connection",
                    "raises ConnectionRefusedError: nobody accepts",
                ],
                "b",
                "The kernel does the handshake for the listener; accept() takes it later.",
            )
        s.connect((ctx.host, ctx.port))
        s.sendall(ctx.name.encode())
        print("reply:", s.recv(1024))
