"""Partial send: a non-blocking send() takes only what fits; sendall() loops until all is sent.

Small buffers and a reader that does not read yet: the first send()
returns fewer bytes than it was given (Trace: "-> N"), the next ones
fewer, then BlockingIOError (EAGAIN): the buffers are full. The caller
must send the rest. sendall() is that loop: it waits for room (blocked;
Kernel tab: Send-Q) and goes on from where it stopped, returning None.
A socket with a timeout (settimeout) sends once too, and may take part.
The kernel doubles SO_SNDBUF (getsockopt says so) and has a minimum.
Try: SO_SNDBUF 16384 in the client, or SO_RCVBUF 65536 in the server:
predict again how much the first send() takes, then step.
"""

from netlab import Scenario

lab = Scenario("Partial send", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # A small receive buffer (set before listen: accepted sockets inherit it).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            time.sleep(1.0)  # busy elsewhere: nobody reads for a second
            ctx.say("the server starts reading: room opens up for the client")
            # MSG_WAITALL: one recv that waits for every byte (or the client's close). How
            # much each of a loop of recv() calls found would be up to the kernel's timing.
            total = len(conn.recv(65536, socket.MSG_WAITALL))
    print(f"server received {total} bytes")


@lab.actor("client")
def client(ctx):
    import socket

    size = 50_000  # far more than the buffers hold
    data = b"x" * size
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Ask for a 4 KiB send buffer; the kernel doubles it (room for its bookkeeping).
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    print("SO_SNDBUF is", s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    s.connect((ctx.host, ctx.port))
    s.setblocking(False)  # send() never waits now: it takes what fits, or raises
    ctx.ask(
        f"Nobody reads yet. What does this non-blocking send() of {size} bytes return?",
        [
            f"{size}: all of it",
            f"a number below {size}: what fit in the buffers",
            "nothing: it raises BlockingIOError at once",
        ],
        "b",
        "send() copies what fits into the kernel's buffers and returns that count; "
        "the caller must send the rest itself.",
    )
    sent = s.send(data)  # the count it took: the rest is still ours to send
    print(f"send() took {sent} of {size} bytes")
    try:
        while sent < size:  # again, from where it stopped, until there is no room
            sent += s.send(data[sent:])
    except BlockingIOError as exc:  # EAGAIN: the buffers are full
        print(f"after {sent} bytes: {exc}")
    s.setblocking(True)  # a blocking socket again: calls wait for room
    if sent < size:
        ctx.ask(
            f"{size - sent} bytes are left and the server is still asleep. What does sendall() do?",
            [
                "returns at once the count it could send, as send() does",
                "waits while the server reads, sends every byte, returns None",
                "raises BlockingIOError: the buffers are full",
            ],
            "b",
            "sendall() calls send() again and again, waiting for room between, "
            "until all is sent (or an error); it returns None.",
        )
    s.sendall(data[sent:])
    print(f"sendall() sent the other {size - sent} bytes")
    s.close()
