"""Port in use: EADDRINUSE while a server holds its port, and after a restart (TIME-WAIT).

A second bind() to a port a listener holds fails: EADDRINUSE. Then the
server closes its connection first, so its end waits in TIME-WAIT (60 s
on Linux): select the server's recv() that returns b'' and open the Kernel
tab (the server's panel shows it too). The listener closes, yet a restart
binding the same port without SO_REUSEADDR fails: the TIME-WAIT
connection still holds it. With SO_REUSEADDR set before bind() (the old
listener set it too), the same bind succeeds.
Try: ss -tan state time-wait in a shell just after a run; remove the first
listener's SO_REUSEADDR (then even the last bind fails); let the client
close first (its end gets the TIME-WAIT, and every restart binds).
"""

from netlab import Scenario

lab = Scenario("Port in use", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket

    address = (ctx.host, ctx.port)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # SO_REUSEADDR here too: its connections inherit it, and on Linux a restart
    # may reuse a port held by TIME-WAIT only if both old and new sockets set it.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen()

    # A second socket wants the same address while the first one listens on it
    # (SO_REUSEADDR would not help: a listening socket's port is never shared).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as second:
        ctx.ask(
            "A listener holds this port. What does a second socket's bind() to it do?",
            [
                "succeeds: the two sockets share the port",
                "raises OSError EADDRINUSE: the address is taken",
                "waits until the listener closes",
            ],
            "b",
            "One listener per address: the kernel refuses a second bind at once.",
        )
        try:
            second.bind(address)
        except OSError as exc:  # errno 98, EADDRINUSE
            print("second bind failed:", exc)

    conn, _ = listener.accept()
    # The server closes first: shutdown(SHUT_WR) sends its FIN now.
    conn.shutdown(socket.SHUT_WR)
    # b"": the client has closed too. Our end, which closed first, is now in
    # TIME-WAIT: the kernel keeps it (for 60 s) to catch late packets.
    conn.recv(1024)
    conn.close()
    listener.close()
    ctx.say("the server stops; nothing listens on the port now")

    # The server restarts at once and binds its old port again, without SO_REUSEADDR.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as restarted:
        ctx.ask(
            "Nothing listens on the port now. Does a bind() without SO_REUSEADDR work?",
            [
                "yes: the old listener is closed",
                "no, EADDRINUSE: the connection in TIME-WAIT still holds the port",
                "no, ECONNREFUSED: the port was closed",
            ],
            "b",
            "A connection in TIME-WAIT keeps its local port; without SO_REUSEADDR bind refuses.",
        )
        try:
            restarted.bind(address)
        except OSError as exc:
            print("restart without SO_REUSEADDR:", exc)

    # SO_REUSEADDR, set before bind(): reuse a port that only TIME-WAIT holds.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as restarted:
        restarted.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        restarted.bind(address)
        restarted.listen()
        print("restarted with SO_REUSEADDR on", restarted.getsockname())


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((ctx.host, ctx.port))
        # b"": the server closed first. Closing now (the with) answers its FIN.
        print("server closed:", s.recv(1024))
