"""Threads that wait for each other, not for sockets: a producer and a consumer on a
queue.Queue, a Condition, an Event, a contended Lock, a thread that raises, and a daemon thread
left waiting when the actor ends. One client feeds the producer over TCP."""

from netlab import Scenario

lab = Scenario("thread sync", ports=1)


@lab.actor("server")
def server(ctx):
    import queue
    import socket
    import threading

    lines = queue.Queue()
    done = threading.Event()
    lock = threading.Lock()
    ready = threading.Condition()
    counts = {"words": 0}

    def consume():
        while (line := lines.get()) is not None:
            with lock:
                counts["words"] += len(line.split())
        with ready:
            ready.notify_all()
        done.set()

    def fail():
        raise ValueError("a thread's own error")

    def forever():
        threading.Event().wait()  # a daemon: the actor does not wait for it

    with socket.socket() as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        consumer = threading.Thread(target=consume)
        consumer.start()
        threading.Thread(target=forever, daemon=True).start()
        failing = threading.Thread(target=fail)
        failing.start()
        failing.join()
        conn, _ = listener.accept()
        with conn, conn.makefile("r") as reader:
            for line in reader:
                lines.put(line)
        with lock:
            pass
        lines.put(None)
    done.wait()
    consumer.join()
    print("words", counts["words"])


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.ports[0])) as conn:
        conn.sendall(b"one two\nthree\nfour five six\n")
    print("sent")
