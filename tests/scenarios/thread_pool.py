"""A server that hands each connection to a pool of two threads (ThreadPoolExecutor), with a
lock around a shared count; three clients, so one waits for a free worker."""

from netlab import Scenario

lab = Scenario("thread pool", ports=1)


@lab.actor("server")
def server(ctx):
    import socket
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lock = threading.Lock()
    served = []

    def handle(conn, number):
        with conn:
            data = conn.recv(100)
            conn.sendall(data[::-1])
        with lock:
            served.append(number)
        return len(data)

    with socket.socket() as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(handle, listener.accept()[0], n) for n in range(3)]
            print("sizes", [future.result() for future in futures])
    print("served", sorted(served))


@lab.actor("client", count=3)
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.ports[0])) as conn:
        conn.sendall(ctx.name.encode())
        print(conn.recv(100))
