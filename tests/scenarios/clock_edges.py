"""What the virtual clock must not do: move on while a thread computes (the client's 1 s
timeout would fire before the reply the thread sends); freeze time.monotonic, which a loop
bounded by a deadline waits on. A queue.get with a timeout waits on the virtual clock."""

from netlab import Scenario

lab = Scenario("clock edges")


@lab.actor("server")
def server(ctx):
    import queue
    import socket
    import threading
    import time

    def reply(conn):
        until = time.perf_counter() + 0.3
        while time.perf_counter() < until:  # computing, not waiting
            pass
        conn.sendall(b"reply")

    with socket.create_server((ctx.host, ctx.port)) as listener:
        try:
            queue.Queue().get(timeout=0.05)  # a wait for another thread, on the virtual clock
        except queue.Empty:
            print("queue empty after its timeout")
        conn, _ = listener.accept()
        worker = threading.Thread(target=reply, args=(conn,))
        worker.start()
        time.sleep(2)
        worker.join()
        conn.close()


@lab.actor("client")
def client(ctx):
    import select
    import socket
    import time

    with socket.create_connection((ctx.host, ctx.port)) as conn:
        conn.settimeout(1)
        try:
            print(conn.recv(10))
        except TimeoutError:
            print("timed out")
        polls, deadline = 0, time.monotonic() + 0.05
        while time.monotonic() < deadline:  # ends by real time, as by hand
            select.select([conn], [], [], 0)
            polls += 1
        print("polled until the deadline", polls > 0)
