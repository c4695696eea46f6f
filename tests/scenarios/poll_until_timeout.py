"""A client polls (non-blocking connect_ex and select) until the server listens; the server
first waits 2 s on the virtual clock for a datagram that never comes."""

from netlab import Scenario

lab = Scenario("poll until a timeout", ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind((ctx.host, ctx.ports[1]))
        udp.settimeout(2)
        try:
            udp.recvfrom(10)
        except TimeoutError:
            print("no datagram")
    with socket.create_server((ctx.host, ctx.port)) as listener:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(conn.recv(10).upper())


@lab.actor("client")
def client(ctx):
    import errno
    import select
    import socket

    with socket.socket() as s:
        s.setblocking(False)
        while s.connect_ex((ctx.host, ctx.port)) not in (0, errno.EISCONN):
            select.select([], [s], [], 0.5)  # returns at once: refused, or connected
        s.setblocking(True)
        s.sendall(b"hello")
        print(s.recv(10))
