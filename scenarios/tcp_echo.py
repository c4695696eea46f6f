"""TCP echo: a server echoes what each of two clients sends (RealPython's echo pair).

Watch the server go socket → bind → listen → accept: accept() blocks (⏸) until a
client's connect() arrives, and the Kernel tab shows LISTEN, then an ESTAB pair for each
client. recv() returns what has arrived so far, and b'' once the peer has closed: that
ends the server's loop. The Why tab says why each call blocked or went on.
Try: --link lossy-wifi (the same bytes arrive, later), or three clients (count=3).
"""

from netlab import Scenario

lab = Scenario("TCP echo", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket

    # A listening socket: bind it to an address, then listen for connections.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))  # ctx.port: a free port netlab chose for this run
        s.listen()
        for _ in range(2):  # serve the two clients one after the other
            conn, addr = s.accept()  # blocks until a client connects
            with conn:
                ctx.say(f"connected by {addr}")
                # recv returns b"" when the client has closed its side: the loop ends.
                while data := conn.recv(1024):
                    conn.sendall(data)


@lab.actor("client", count=2)
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((ctx.host, ctx.port))
        s.sendall(f"hello from {ctx.name}".encode())
        if ctx.index == 1:
            ctx.ask(
                "The server echoes the bytes in one sendall. What does this recv(1024) return?",
                ["all of the echo", "its first byte only", "b'' (nothing yet)", "1024 bytes"],
                answer="a",
                why="recv waits until something arrives, then returns what has arrived, up to "
                "1024 bytes: the whole echo, here. On a slow link it could come in pieces.",
            )
        # TCP is a byte stream: one recv may return less than was sent.
        data = s.recv(1024)
    print(f"received {data!r}")
