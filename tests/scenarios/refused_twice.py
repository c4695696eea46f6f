"""connect and connect_ex to a port nobody listens on, twice on one socket: blocking, with a
timeout and non-blocking each leave the socket as Python leaves it (compared with a run by hand)."""

from netlab import Scenario

lab = Scenario(
    "connect_ex twice: a blocking socket tries anew, a socket with a timeout says ECONNABORTED"
)


@lab.actor("client")
def client(ctx):
    import socket

    for i in range(2):
        with socket.socket() as s:
            print("fresh", i, s.connect_ex((ctx.host, ctx.port)))
    with socket.socket() as s:
        print("same", s.connect_ex((ctx.host, ctx.port)), s.connect_ex((ctx.host, ctx.port)))
        try:
            s.connect((ctx.host, ctx.port))
        except ConnectionRefusedError as exc:
            print("then connect", exc.errno)
    with socket.socket() as s:
        s.settimeout(2.0)
        print("timeout", s.connect_ex((ctx.host, ctx.port)), s.connect_ex((ctx.host, ctx.port)))
    with socket.socket() as s:
        s.setblocking(False)
        print("nonblocking", s.connect_ex((ctx.host, ctx.port)))
        import select

        select.select([], [s], [], 1)
        print(
            "so_error",
            s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR),
            "again",
            s.connect_ex((ctx.host, ctx.port)),
            s.connect_ex((ctx.host, ctx.port)),
        )
