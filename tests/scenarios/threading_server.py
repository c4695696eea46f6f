"""socketserver's ThreadingTCPServer, served from a thread of its own and shut down once its
handlers have answered every client: an Event, serve_forever's timed select, shutdown()."""

from netlab import Scenario

lab = Scenario("threading server", ports=1)


@lab.actor("server")
def server(ctx):
    import socketserver
    import threading

    answered = threading.Semaphore(0)

    class Upper(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline()
            self.wfile.write(line.upper())
            answered.release()

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer((ctx.host, ctx.ports[0]), Upper) as tcp:
        serving = threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.5})
        serving.start()
        for _ in range(3):
            answered.acquire()
        tcp.shutdown()
        serving.join()
    print("answered 3, shut down")


@lab.actor("client", count=3)
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.ports[0])) as conn:
        conn.sendall(f"hello from {ctx.name}\n".encode())
        reply = b""
        while not reply.endswith(b"\n"):
            reply += conn.recv(100)
        print(reply.decode().strip())
