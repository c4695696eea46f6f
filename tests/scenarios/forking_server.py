"""A forking server: each connection is served by a child process (os.fork), which echoes and
leaves; the parent waits for it."""

from netlab import Scenario

lab = Scenario("forking server")


@lab.actor("server")
def server(ctx):
    import os
    import socket

    with socket.create_server((ctx.host, ctx.port)) as listener:
        conn, _ = listener.accept()
        pid = os.fork()
        if pid == 0:  # the child serves the connection
            data = conn.recv(100)
            conn.sendall(data.upper())
            print("child served", data)
            os._exit(0)
        conn.close()
        _, status = os.waitpid(pid, 0)
    print("child exited with", os.waitstatus_to_exitcode(status))


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as conn:
        conn.sendall(b"hi")
        print(conn.recv(100))
