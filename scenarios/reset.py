"""Reset: an abortive close sends a RST (ECONNRESET); sending to a closed peer gives EPIPE.

First connection: the server sets SO_LINGER to (on, 0 s) and closes. No
FIN: a RST goes out, and the client's recv raises ConnectionResetError.
Second connection: the server closes normally (FIN). The client's recv
returns b''; its next send still succeeds (the bytes go out, the server's
kernel answers them with a RST), and the send after that raises
BrokenPipeError (EPIPE). Python ignores SIGPIPE, so you get the error
instead of a killed process. Watch the errno of each failed call in the
Trace, and read its Why tab.
Try: set SO_LINGER to (1, 5) or remove it: the first recv returns b''.
"""

from netlab import Scenario

lab = Scenario("Reset", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        # Linger on, for 0 seconds: close throws away anything unsent and sends a RST.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        conn, _ = s.accept()
        conn.close()  # an ordinary close: a FIN, "I will send no more"


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        ctx.ask(
            "The server closes with SO_LINGER (on, 0 s). What does the client's recv do?",
            ["returns b''", "raises ConnectionResetError", "blocks forever"],
            "b",
            "A zero linger makes close send a RST instead of a FIN: the connection is "
            "aborted, and recv reports ECONNRESET.",
        )
        try:
            print("recv returned", s.recv(1024))
        except ConnectionResetError as exc:
            print("recv failed:", exc)

    with socket.create_connection((ctx.host, ctx.port)) as s:
        print("recv returned", s.recv(1024))  # b'': the server closed (FIN)
        ctx.say("the server has closed; the client sends anyway")
        ctx.ask(
            "The server has closed this connection. What does the client's first send do?",
            ["it succeeds", "raises BrokenPipeError", "raises ConnectionResetError"],
            "a",
            "A FIN only says the peer sends no more. The kernel sends the bytes; the "
            "server's program has closed its socket, so nobody can read them: its kernel "
            "answers with a RST.",
        )
        print("send returned", s.send(b"hello"))
        ctx.ask(
            "That send made the server's kernel answer with a RST. And the second send?",
            ["it succeeds", "raises BrokenPipeError", "raises ConnectionResetError"],
            "b",
            "After the RST the connection is gone: writing to it is EPIPE, 'Broken pipe'.",
        )
        try:
            s.send(b"again")
        except BrokenPipeError as exc:
            print("send failed:", exc)
