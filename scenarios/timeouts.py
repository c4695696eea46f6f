"""Timeouts: a TCP recv that gives up, and a UDP client that retries over a lossy link.

settimeout(1.0) makes the TCP client's recv raise TimeoutError when
nothing came for 1 s: see the header's clock (t=) jump by 1.0 (the
virtual clock: no real waiting). The socket stays usable afterwards.
UDP never resends: 30% of datagrams are lost here (each way), so the
client waits 0.5 s for each answer and sends again, 3 attempts at most.
It prints which attempts got an answer. The Delivery tab shows which
datagrams the link lost: a request, or the answer to it.
Try: --seed 7 for other losses; --arg timeout=0.01, less than the 40 ms
round trip: late answers are taken for the wrong request.
"""

from netlab import Link, Scenario

lab = Scenario(
    "Timeouts",
    # UDP loses 30% of datagrams, each way; TCP here loses nothing. 20 ms one way.
    link=Link(loss=0.3, delay=20, tcp={"loss": 0}, name="lossy-udp"),
    seed=1,
    ports=2,
    args={"requests": 4, "attempts": 3, "timeout": 0.5},
)


@lab.actor("server-tcp")
def tcp_server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.ports[0]))
        s.listen()
        conn, _ = s.accept()
        with conn:
            # A slow server: it never answers, it only waits for the client to go.
            print("server-tcp got", conn.recv(1024))


@lab.actor("client-tcp")
def tcp_client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.ports[0])) as s:
        s.settimeout(1.0)  # every blocking call on s now gives up after 1 s
        ctx.ask(
            "The server never answers, and the timeout is 1.0 s. What does this recv do?",
            ["blocks forever", "returns b'' after 1 s", "raises TimeoutError after 1 s"],
            "c",
            "A timeout is an error, not the end of the stream: b'' would mean the server "
            "closed. The connection is still open and usable.",
        )
        try:
            s.recv(1024)
        except TimeoutError as exc:
            print(f"recv: {exc!r}")  # the header's clock (t=) says when


@lab.actor("server-udp")
def udp_server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.ports[1]))
        s.settimeout(2.0)  # nothing for 2 s: the client is done
        try:
            while True:
                request, addr = s.recvfrom(1024)
                s.sendto(b"answer to " + request, addr)
        except TimeoutError:
            print("server-udp: no more requests")


@lab.actor("client-udp")
def udp_client(ctx):
    import socket

    asked = False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(ctx.args["timeout"])  # how long to wait for each answer
        for n in range(ctx.args["requests"]):
            request = f"request {n}".encode()
            for attempt in range(1, ctx.args["attempts"] + 1):
                s.sendto(request, (ctx.host, ctx.ports[1]))
                try:
                    answer, _ = s.recvfrom(1024)
                except TimeoutError:
                    print(f"request {n}, attempt {attempt}: no answer")
                    if not asked:
                        asked = True
                        ctx.ask(
                            "No answer within the timeout. What happens to the lost datagram?",
                            [
                                "UDP resends it by itself",
                                "nothing: only this loop sends again",
                            ],
                            "b",
                            "UDP has no acknowledgements and no retransmission: a lost "
                            "datagram is gone. Retrying is the application's job.",
                            reveal="print",  # what the next attempt got
                        )
                    continue
                print(f"request {n}, attempt {attempt}: {answer!r}")
                break
            else:
                print(f"request {n}: gave up after {ctx.args['attempts']} attempts")
