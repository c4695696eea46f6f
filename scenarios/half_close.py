"""Half-close: the client sends its request, shuts down its writing side, then reads the answer.

Watch the client's shutdown(SHUT_WR) in the Trace and the Ladder: a FIN
goes to the server, but the client's socket stays open for reading.
The server's recv then returns b'' (end of the stream): it knows the
request is complete without any length or delimiter, and it can still
send its answer back. The client reads until its own recv returns b''
(the server closed), then closes. Each side closes when it has nothing
more to send AND has read everything it wants.
Try: remove the shutdown call: both recv calls wait for each other and
netlab reports a deadlock. Or shut down with SHUT_RDWR instead.
"""

from netlab import Scenario

lab = Scenario("Half-close", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            # Read the whole request: it ends where the client's stream ends.
            request = conn.recv(1024)  # small: here it comes in one piece
            ctx.ask(
                "The client has sent its request and called shutdown(SHUT_WR). "
                "What does the server's next recv return?",
                [
                    "b'': the end of the stream",
                    "it raises ConnectionResetError",
                    "it blocks until the client sends more",
                ],
                "a",
                "SHUT_WR sends a FIN: no more data will come, so recv returns b''. "
                "The connection is still open the other way.",
            )
            rest = conn.recv(1024)
            print(f"server got {request!r}, then {rest!r}")
            # The client can no longer send, but it can still receive: answer it.
            words = len(request.split())
            conn.sendall(f"{words} words".encode())
        # Leaving the with block closes conn: the server's FIN ends the client's stream.


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"how many words are in this request")
        # "I have no more to send": a FIN goes out; reading still works.
        s.shutdown(socket.SHUT_WR)
        ctx.say("the client's writing side is shut; it can still read")
        ctx.ask(
            "After its shutdown(SHUT_WR), can the client still receive the answer?",
            ["yes: only its sending side is shut", "no: shutdown closed the socket"],
            "a",
            "shutdown(SHUT_WR) closes one direction only; close() would end both.",
        )
        answer = b""
        while chunk := s.recv(1024):  # until the server closes (b'')
            answer += chunk
        print(f"client got {answer!r}")
    # Closed only now: nothing more to send, and the answer is complete.
