"""Multiconn: one selectors server serves three clients at once, never blocking on one.

Every socket is non-blocking and registered with a selector: the listener
for EVENT_READ (a connection to accept), each connection for EVENT_READ
and EVENT_WRITE. select() says which are ready; the server calls only
what can go on now (Trace: select, then accept/recv/send for that one).
Each connection has a small send buffer and its client reads only after
sending: send() returns how much it took, and the server keeps the rest
in data.outb for the next EVENT_WRITE (watch its -> N against its size).
Try: a fourth client (count=4), or drop the server's SO_SNDBUF line:
does the first send() take all 18000 bytes then?
"""

from netlab import Scenario

lab = Scenario("Multiconn: a selectors server", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import selectors
    import socket
    import types

    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind((ctx.host, ctx.port))
    lsock.listen()
    lsock.setblocking(False)  # accept() must never wait: select says when it can go on
    sel.register(lsock, selectors.EVENT_READ, data=None)  # data None: the listener
    served, asked = 0, False
    while served < 3:
        for key, mask in sel.select(timeout=None):  # waits until some socket is ready
            if key.data is None:  # the listener: a client is waiting to be accepted
                conn, addr = key.fileobj.accept()
                conn.setblocking(False)
                # A small send buffer (the kernel doubles it), so partial sends show.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
                data = types.SimpleNamespace(addr=addr, outb=b"")
                sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)
                continue
            sock, data = key.fileobj, key.data
            if mask & selectors.EVENT_READ:
                recv_data = sock.recv(65536)  # ready: returns at once
                if recv_data:
                    data.outb += recv_data  # echo it: queue it to send back
                else:  # b"": the client closed; forget this connection
                    sel.unregister(sock)
                    sock.close()
                    served += 1
                    continue
            if mask & selectors.EVENT_WRITE and data.outb:
                if not asked:
                    asked = True
                    ctx.ask(
                        f"send() is given {len(data.outb)} bytes; the buffers on the way are "
                        "small. What does it return?",
                        [
                            f"{len(data.outb)}: it takes them all",
                            "less: what fits in the buffers now",
                            "it blocks until the client reads",
                        ],
                        "b",
                        "A non-blocking send() takes what fits and returns the count; "
                        "the server keeps the rest in data.outb and never waits.",
                    )
                sent = sock.send(data.outb)
                data.outb = data.outb[sent:]  # what did not fit waits for the next turn
    sel.unregister(lsock)
    lsock.close()
    sel.close()
    print(f"served {served} clients")


@lab.actor("client", count=3)
def client(ctx):
    import socket

    message = f"{ctx.name} ".encode() * 2000  # 18000 bytes
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small receive buffer
        s.connect((ctx.host, ctx.port))
        s.sendall(message)  # all of it first: the echo piles up at the server
        received = b""
        while len(received) < len(message):
            received += s.recv(65536)
    print(f"{ctx.name}: {len(received)} bytes back, the same: {received == message}")
