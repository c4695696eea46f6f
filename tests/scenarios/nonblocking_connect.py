"""A non-blocking connect (EINPROGRESS) at 1 s: the listener can accept from then on."""

from netlab import Scenario

lab = Scenario("non-blocking connect")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        s.settimeout(5.0)
        try:
            conn, _ = s.accept()
            print("accepted")
            conn.close()
        except TimeoutError:
            print("accept timed out")


@lab.actor("client")
def client(ctx):
    import socket
    import time

    s = socket.socket()
    s.setblocking(False)
    time.sleep(1)
    try:
        s.connect((ctx.host, ctx.port))
    except BlockingIOError:
        print("in progress")
    print("SO_ERROR", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    time.sleep(10)
    s.close()
