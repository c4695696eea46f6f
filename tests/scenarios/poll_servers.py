"""An echo server that waits with select.poll() or select.epoll() (ctx.args["api"]), and two
clients, one of which sleeps a second (virtual) before it sends."""

from netlab import Scenario

lab = Scenario("poll servers", args={"api": "poll"})


@lab.actor("server")
def server(ctx):
    import select
    import socket

    api = ctx.args["api"]
    listener = socket.create_server((ctx.host, ctx.port))
    waiter = select.poll() if api == "poll" else select.epoll()
    readable = select.POLLIN if api == "poll" else select.EPOLLIN
    waiter.register(listener.fileno(), readable)
    conns, finished = {}, 0
    while finished < 2:
        timeout = 5000 if api == "poll" else 5.0  # milliseconds for poll, seconds for epoll
        for fd, _ in waiter.poll(timeout):
            if fd == listener.fileno():
                conn, _ = listener.accept()
                conns[conn.fileno()] = conn
                waiter.register(conn.fileno(), readable)
                continue
            conn = conns[fd]
            data = conn.recv(1024)
            if data:
                conn.sendall(data.upper())
            else:
                waiter.unregister(fd)
                conn.close()
                finished += 1
    listener.close()


@lab.actor("client", count=2)
def client(ctx):
    import socket
    import time

    with socket.create_connection((ctx.host, ctx.port)) as s:
        time.sleep(ctx.index - 1)
        s.sendall(ctx.name.encode())
        print(s.recv(1024))
