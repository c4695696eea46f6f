"""A selectors echo server and two clients whose recv waits at most 0.5 s: run by hand, no
reply is ever late, so no client ever times out."""

from netlab import Scenario

lab = Scenario("selectors and timeouts")


@lab.actor("server")
def server(ctx):
    import selectors
    import socket

    sel = selectors.DefaultSelector()
    listener = socket.create_server((ctx.host, ctx.port))
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ)
    finished = 0
    while finished < 2:
        for key, _ in sel.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ)
            elif data := key.fileobj.recv(1024):
                key.fileobj.sendall(data.upper())
            else:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                finished += 1
    sel.close()
    listener.close()
    print("served", finished)


@lab.actor("client", count=2)
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as conn:
        conn.settimeout(0.5)
        for number in range(3):
            conn.sendall(f"{ctx.name} {number}".encode())
            try:
                print(conn.recv(1024))
            except TimeoutError:
                print("timed out")
