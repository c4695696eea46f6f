"""Non-blocking connect: EINPROGRESS, wait until writable, then SO_ERROR says how it ended.

A non-blocking connect() does not wait for the handshake: it raises
BlockingIOError (EINPROGRESS, 115) and the kernel goes on alone. The
client then waits with a selector until the socket is writable, which
means "the attempt is over", not "it worked": getsockopt(SO_ERROR) says
0 for connected. The second attempt goes to a port nobody listens on:
writable too, but SO_ERROR is 111 (ECONNREFUSED). The strace tab shows
connect() = -1 EINPROGRESS, and getsockopt() = 0 with the error inside.
Try: connect_ex() instead of connect(): it returns 115 instead of raising;
many connects at once, one selector for all (the point of it all).
"""

from netlab import Scenario

lab = Scenario("Non-blocking connect", link="perfect", seed=1, ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    # Only ports[0] has a listener; nothing listens on ports[1].
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"welcome")


@lab.actor("client")
def client(ctx):
    import errno
    import selectors
    import socket

    def attempt(sel, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)  # from now on no call on s waits
        try:
            s.connect((ctx.host, port))
        except BlockingIOError as exc:  # EINPROGRESS: the handshake goes on
            print("connect:", errno.errorcode[exc.errno])
        # Writable = the connect attempt has ended, one way or the other.
        sel.register(s, selectors.EVENT_WRITE)
        sel.select(timeout=5)
        sel.unregister(s)
        return s

    with selectors.DefaultSelector() as sel:
        s = attempt(sel, ctx.ports[0])
        ctx.ask(
            "The socket is writable. What does getsockopt(SO_ERROR) say?",
            ["115: still in progress", "0: connected", "111: refused"],
            "b",
            "Writable means the attempt is over; SO_ERROR 0 means it succeeded.",
        )
        error = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        print("SO_ERROR:", error, "- connected to", s.getpeername())
        s.setblocking(True)  # a plain blocking socket again, to read the greeting
        print("server says", s.recv(1024))
        s.close()

        # The same dance to a port nobody listens on.
        s = attempt(sel, ctx.ports[1])
        ctx.ask(
            "Writable again, after a connect to a port nobody listens on. SO_ERROR?",
            ["0: connected", "115: still in progress", "111: refused"],
            "c",
            "The kernel got a RST: the attempt ended, and SO_ERROR keeps its error.",
        )
        error = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        print("SO_ERROR:", error, errno.errorcode[error])
        s.close()
