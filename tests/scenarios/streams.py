"""A stream read through makefile(), recv_into, shutdown, SO_REUSEADDR, an accept that times
out and a select() that times out, on the virtual clock; ctx.args picks how the client ends."""

from netlab import Scenario

lab = Scenario("streams", args={"ending": "normal"})


@lab.actor("server")
def server(ctx):
    import select
    import socket
    import sys

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ctx.host, ctx.port))
        s.listen(5)
        s.settimeout(3)
        try:
            s.accept()
        except TimeoutError:
            print("accept timed out")
        print("select", select.select([s], [], [], 2.5))
        s.settimeout(None)
        conn, _ = s.accept()
        with conn.makefile("rb") as f:
            print("line", f.readline())
        buf = bytearray(16)
        n = conn.recv_into(buf)
        print("into", bytes(buf[:n]))
        conn.shutdown(socket.SHUT_WR)
        print("to stderr", file=sys.stderr)
        conn.close()


@lab.actor("client")
def client(ctx):
    import os
    import signal
    import socket
    import sys
    import time

    ending = ctx.args["ending"]
    if ending == "exit3":
        sys.exit(3)
    if ending == "os_exit":
        os._exit(5)
    if ending == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(6)
    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"hello\n")
        time.sleep(0.5)
        s.sendall(b"rest")
        print("eof", s.recv(10))
