"""Threads: a thread per client, by hand and then with socketserver.ThreadingTCPServer.

client-1 connects first and is slow: it waits 1 s before its second line.
client-2 comes 0.1 s later and is answered at once, by another thread.
Each thread is a lane of its own in the Trace (server/Thread-1, ...):
watch the main thread go back to accept() while Thread-1 waits in recv.
Then the same clients talk to server-ss, a ThreadingTCPServer: a thread
per connection again, with socketserver doing the accept loop for you.
Try: call handle(conn) directly instead of starting a thread: client-2
waits until client-1 is done (see the clock, t=, in the header).
"""

from netlab import Scenario

lab = Scenario("Threads", link="perfect", seed=1, ports=2)


@lab.actor("server")
def server(ctx):
    import socket
    import threading

    def handle(conn):  # runs in its own thread: it may block without stopping the others
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data.upper())

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((ctx.host, ctx.ports[0]))
        listener.listen()
        threads = []
        for _ in range(2):
            conn, addr = listener.accept()
            ctx.say(f"a new thread for {addr}")
            thread = threading.Thread(target=handle, args=(conn,))
            thread.start()  # the main thread goes straight back to accept()
            threads.append(thread)
        for thread in threads:
            thread.join()  # wait for each connection's thread to finish


@lab.actor("server-ss")
def socketserver_server(ctx):
    import socketserver
    import threading

    finished = threading.Semaphore(0)

    class Upper(socketserver.StreamRequestHandler):
        def handle(self):  # called in a new thread for each connection
            for line in self.rfile:  # until the client closes
                self.wfile.write(line.upper())
            finished.release()

    with socketserver.ThreadingTCPServer((ctx.host, ctx.ports[1]), Upper) as tcp:
        serving = threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.5})
        serving.start()  # serve_forever accepts and starts the threads
        for _ in range(2):
            finished.acquire()
        tcp.shutdown()  # stop serve_forever (it checks every poll_interval)
        serving.join()


@lab.actor("client", count=2)
def client(ctx):
    import socket
    import time

    for port in ctx.ports:  # first the hand-made server, then the socketserver one
        if ctx.index == 2:
            time.sleep(0.1)  # client-2 comes a little later
        with socket.create_connection((ctx.host, port)) as s:
            s.sendall(f"hello from {ctx.name}\n".encode())
            if ctx.index == 2 and port == ctx.ports[0]:
                ctx.ask(
                    "client-1 is still connected, silent for 1 s. When is client-2 answered?",
                    ["at once: another thread serves it", "only after client-1 is done"],
                    "a",
                    "The main thread accepted client-2 and started a thread for it; "
                    "client-1's thread waiting in recv blocks only itself.",
                )
            print(s.recv(1024))  # when it came: see the clock (t=) in the header
            if ctx.index == 1:
                time.sleep(1.0)  # a slow client: its server thread waits in recv
            s.sendall(b"bye\n")
            print(s.recv(1024))
