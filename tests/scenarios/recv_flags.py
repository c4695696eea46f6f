"""recv with flags given as the socket module's constants: MSG_PEEK, then MSG_WAITALL across two
sends 1 s apart (a blocking recv with MSG_WAITALL waits for all the bytes asked for)."""

from netlab import Scenario

lab = Scenario("recv flags")


@lab.actor("server")
def server(ctx):
    import socket

    flag = ctx.args.get("flag", "peek")
    waitall = socket.MSG_WAITALL if ctx.args.get("enum", True) else int(socket.MSG_WAITALL)
    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            if flag == "peek":
                print(conn.recv(10, socket.MSG_PEEK), conn.recv(10))
            elif flag == "into":
                buffer = bytearray(12)
                print(conn.recv_into(buffer, 10, waitall), bytes(buffer))
            elif flag == "timeout":  # Python's own socket with a timeout returns what came
                conn.settimeout(5)
                print(conn.recv(10, waitall))
            else:
                print(conn.recv(10, waitall))


@lab.actor("client")
def client(ctx):
    import socket
    import time

    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"12345")
        time.sleep(1)
        if ctx.args.get("then") != "close":
            s.sendall(b"67890")
