"""A threaded echo server, one thread per client."""

from netlab import Scenario

lab = Scenario("threaded echo", ports=1)


@lab.actor("server")
def server(ctx):
    import socket
    import threading

    def handle(conn):
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data.upper())

    with socket.socket() as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        threads = []
        for _ in range(2):
            conn, _ = listener.accept()
            t = threading.Thread(target=handle, args=(conn,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
    print("server done")


@lab.actor("client", count=2)
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.ports[0])) as s:
        for word in (b"hello", b"world"):
            s.sendall(word)
            print(s.recv(1024))
