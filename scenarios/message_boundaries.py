r"""Message boundaries: TCP keeps bytes in order, not messages; a length prefix marks them.

The client sends b"hello " and b"world" with two sendall() calls; the
server reads once, after both have arrived: one recv returns both (Trace:
the server's recv(1024) and its 11 bytes). Then the reverse: one sendall
of a 20-byte message read with recv(8) comes in pieces (8, 8, 4).
The fix: each message goes after its length (struct.pack("!I", n)), and
the reader loops until it has all n bytes (recv_exactly). Bytes tab on
the last sendall: 00 00 00 14 is the length 20.
Try: small = 3 (the pieces change); or a delimiter instead of the length:
end each message with b"\n" and split the server's buffer where one is.
"""

from netlab import Scenario

lab = Scenario("Message boundaries", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    import struct
    import time

    small = 8  # the most recv_exactly asks for at once, to see the pieces

    def recv_exactly(conn, n):
        data = b""
        while len(data) < n:  # recv returns what has come, up to what is asked for
            chunk = conn.recv(min(small, n - len(data)))  # small reads, to see the pieces
            if not chunk:
                return None  # the client closed: no (whole) message
            data += chunk
        return data

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            time.sleep(0.5)  # busy elsewhere: both sends arrive before we read
            ctx.ask(
                'The client called sendall(b"hello ") then sendall(b"world"). '
                "What does this one recv(1024) return?",
                ["b'hello ': the first send", "b'hello world': both sends", "b'' (nothing)"],
                "b",
                "TCP is a byte stream: both sends wait in the receive buffer, "
                "and one recv takes all it holds, up to 1024 bytes.",
            )
            data = conn.recv(1024)
            print(f"one recv returned {data!r}")
            conn.sendall(b"ok")  # tell the client to go on

            # The fix: a 4-byte length (network byte order) before each message.
            while (header := recv_exactly(conn, 4)) is not None:
                (length,) = struct.unpack("!I", header)
                if length == 20:
                    ctx.ask(
                        "The client sent this 20-byte message (after its 4-byte length) with "
                        f"one sendall(). What does the next recv({small}) return?",
                        [
                            "all 20 bytes",
                            f"the first {small} bytes",
                            "it waits, then returns all 20 bytes",
                        ],
                        "b",
                        f"recv({small}) returns at most {small} bytes; "
                        "the rest waits for the next recv.",
                    )
                message = recv_exactly(conn, length)
                print(f"a {length}-byte message: {message!r}")


@lab.actor("client")
def client(ctx):
    import socket
    import struct

    with socket.create_connection((ctx.host, ctx.port)) as s:
        # Two messages, no boundary between them: only bytes go over TCP.
        s.sendall(b"hello ")
        s.sendall(b"world")
        s.recv(2)  # wait for the server's b"ok"
        for body in (b"hi", b"one send, 20 bytes!!"):
            s.sendall(struct.pack("!I", len(body)) + body)  # length first, then body
