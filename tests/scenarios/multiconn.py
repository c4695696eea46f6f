"""RealPython's multi-connection server: one selector, a non-blocking listening socket, three
clients."""

from netlab import Scenario

lab = Scenario("multiconn")


@lab.actor("server")
def server(ctx):
    import selectors
    import socket
    import types

    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind((ctx.host, ctx.port))
    lsock.listen()
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, data=None)
    served = 0
    while served < 3:
        for key, mask in sel.select(timeout=None):
            if key.data is None:
                conn, addr = key.fileobj.accept()
                conn.setblocking(False)
                data = types.SimpleNamespace(addr=addr, outb=b"")
                sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)
                continue
            sock, data = key.fileobj, key.data
            if mask & selectors.EVENT_READ:
                recv_data = sock.recv(1024)
                if recv_data:
                    data.outb += recv_data
                else:
                    sel.unregister(sock)
                    sock.close()
                    served += 1
            if mask & selectors.EVENT_WRITE and data.outb:
                sent = sock.send(data.outb)
                data.outb = data.outb[sent:]
    sel.unregister(lsock)
    lsock.close()
    sel.close()


@lab.actor("client", count=3)
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        message = f"message from {ctx.name}".encode()
        s.sendall(message)
        received = b""
        while len(received) < len(message):
            received += s.recv(1024)
    print(received.decode())
