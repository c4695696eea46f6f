"""Work outside the traced calls: the server's reply to the first connection is made by a
handler thread that computes for 0.2 s, and to the second by a child process that takes 0.3 s,
while the server's main thread waits in accept(). Nothing is stuck: by hand it completes."""

from netlab import Scenario

lab = Scenario("work outside calls")

CHILD = """
import socket, sys, time
conn = socket.socket(fileno=int(sys.argv[1]))
time.sleep(0.3)
conn.sendall(conn.recv(100).upper())
conn.close()
"""


@lab.actor("server")
def server(ctx):
    import socket
    import subprocess
    import sys
    import threading
    import time

    def handle(conn):
        with conn:
            data = conn.recv(100)
            until = time.perf_counter() + 0.2
            while time.perf_counter() < until:  # computing, not waiting
                pass
            conn.sendall(data.upper())

    with socket.create_server((ctx.host, ctx.port)) as listener:
        first, _ = listener.accept()
        worker = threading.Thread(target=handle, args=(first,))
        worker.start()
        second, _ = listener.accept()  # the client connects again once it has its reply
        with second:
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(second.fileno())], pass_fds=[second.fileno()]
            )
        third, _ = listener.accept()
        with third:
            print("server heard", third.recv(100))
        worker.join()
        child.wait()
    print("child exited with", child.returncode)


@lab.actor("client")
def client(ctx):
    import socket

    for text in (b"thread", b"child"):
        with socket.create_connection((ctx.host, ctx.port)) as conn:
            conn.sendall(text)
            print(conn.recv(100))
    with socket.create_connection((ctx.host, ctx.port)) as conn:
        conn.sendall(b"bye")
