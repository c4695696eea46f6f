"""A handler thread that never sends the reply: the client waits in recv() for ever, and the
lab ends at its time limit saying what was still at work."""

from netlab import Scenario

lab = Scenario("endless worker")


@lab.actor("server")
def server(ctx):
    import socket
    import threading

    def spin():
        while True:
            pass

    with socket.create_server((ctx.host, ctx.port)) as listener:
        conn, _ = listener.accept()  # kept open: the client waits for its reply
        threading.Thread(target=spin, name="spinner", daemon=True).start()
        listener.accept()
        conn.close()


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as conn:
        conn.recv(100)
