"""Calls that fail or return codes: a refused connect, connect_ex on a non-blocking socket, UDP,
and hostile bytes printed."""

from netlab import Scenario

lab = Scenario("calls", ports=3)


@lab.actor("server")
def server(ctx):
    import socket

    listener = socket.socket()
    listener.bind((ctx.host, ctx.ports[2]))
    listener.listen()  # never accepts: a connect still completes, into the backlog
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.bind((ctx.host, ctx.ports[1]))
        data, addr = u.recvfrom(100)
        u.sendto(data.upper(), addr)
    listener.close()


@lab.actor("client")
def client(ctx):
    import socket

    s = socket.socket()
    try:
        s.connect((ctx.host, ctx.ports[0]))  # nothing listens there
    except ConnectionRefusedError:
        print("refused")
    s.close()
    t = socket.socket()
    t.setblocking(False)
    print("connect_ex", t.connect_ex((ctx.host, ctx.ports[2])))
    t.close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.sendto(b"ping", (ctx.host, ctx.ports[1]))
        print(u.recvfrom(100)[0])
    print("\x1b]0;title\x07 escape")
