"""The RealPython guide's multi-connection server and client, as the guide writes them: one
selector each, non-blocking connects (connect_ex), sockets registered for reading and writing."""

from netlab import Scenario

lab = Scenario("guide multiconn", args={"connections": 2})
MESSAGES = [b"Message 1 from client.", b"Message 2 from client."]


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
    closed = 0
    while closed < ctx.args["connections"]:
        for key, mask in sel.select(timeout=None):
            if key.data is None:
                conn, addr = key.fileobj.accept()
                conn.setblocking(False)
                data = types.SimpleNamespace(addr=addr, inb=b"", outb=b"")
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
                    closed += 1
                    continue
            if mask & selectors.EVENT_WRITE and data.outb:
                sent = sock.send(data.outb)
                data.outb = data.outb[sent:]
    sel.close()
    lsock.close()
    print("served", closed)


@lab.actor("client")
def client(ctx):
    import selectors
    import socket
    import types

    sel = selectors.DefaultSelector()
    for connid in range(1, ctx.args["connections"] + 1):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((ctx.host, ctx.port))
        data = types.SimpleNamespace(
            connid=connid,
            msg_total=sum(len(m) for m in MESSAGES),
            recv_total=0,
            messages=MESSAGES.copy(),
            outb=b"",
        )
        sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)
    while sel.get_map():
        for key, mask in sel.select(timeout=1):
            sock, data = key.fileobj, key.data
            if mask & selectors.EVENT_READ:
                recv_data = sock.recv(1024)
                if recv_data:
                    data.recv_total += len(recv_data)
                if not recv_data or data.recv_total == data.msg_total:
                    print(f"connection {data.connid}: {data.recv_total} bytes back")
                    sel.unregister(sock)
                    sock.close()
                    continue
            if mask & selectors.EVENT_WRITE:
                if not data.outb and data.messages:
                    data.outb = data.messages.pop(0)
                if data.outb:
                    sent = sock.send(data.outb)
                    data.outb = data.outb[sent:]
    sel.close()
