"""Connection refused: connect() and connect_ex() to a port nobody listens on.

The server listens on one port; the client first tries another one, where
nothing listens. The host is up, so its kernel answers the SYN at once.
What do connect() and then connect_ex() make of that answer? Predict,
then watch the Trace and read the Why tab: the error's name, its number,
how to confirm it. connect_ex() is then tried on the port that listens.
Try: python3 -c "import socket; socket.create_connection(('127.0.0.1', 9))"
in a shell (port 9, discard, is rarely served). A host whose firewall
drops the SYN gives no RST: connect() then times out instead.
"""

from netlab import Scenario

lab = Scenario("Connection refused", link="perfect", seed=1, ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    # Only ports[0] has a listener; nothing listens on ports[1].
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        conn, _ = listener.accept()
        conn.close()


@lab.actor("client")
def client(ctx):
    import errno
    import socket

    closed_port = (ctx.host, ctx.ports[1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        ctx.ask(
            "Nothing listens on this port. What does connect() do?",
            [
                "waits until some server listens there",
                "raises ConnectionRefusedError at once",
                "returns; the error comes with the first send()",
            ],
            "b",
            "The kernel answers a SYN to a closed port with RST, and connect() raises.",
        )
        try:
            s.connect(closed_port)
        except ConnectionRefusedError as exc:  # a subclass of OSError
            print("connect failed:", exc)

    # connect_ex(): the same attempt, but the error is returned, not raised.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        ctx.ask(
            "And connect_ex() to the same port?",
            [
                "raises ConnectionRefusedError too",
                "returns 111, the errno ECONNREFUSED",
                "returns 0",
            ],
            "b",
            "connect_ex() returns the errno instead of raising it: 0 means connected.",
        )
        code = s.connect_ex(closed_port)
        print("connect_ex returned", code, errno.errorcode[code])

    # Where a server listens, connect_ex() returns 0: connected.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        code = s.connect_ex((ctx.host, ctx.ports[0]))
        print("connect_ex to the listening port returned", code)
