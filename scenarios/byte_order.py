"""Byte order: a 4-byte length sent little-endian, read as network byte order (big-endian).

The client sends one message twice, each after a 4-byte length: first
packed "<I" (little-endian, as x86 keeps numbers), then "!I" (network
byte order, big-endian, the bytes int.to_bytes(4, "big") makes too;
socket.htonl and ntohl turn a number into that order and back). The
server reads both with struct.unpack("!I"). Select its recv(4) calls in
the Trace and open the Bytes tab: the same 12, its bytes in two orders.
What does each become, read big-endian? Predict before the server reads.
Try: pack with "=I", this machine's own order (sys.byteorder names it):
which of the two does it match?
"""

from netlab import Scenario

lab = Scenario("Byte order", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    import struct

    def recv_exactly(conn, n):
        data = b""
        while len(data) < n:  # a recv may return fewer bytes than asked for
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the client closed in the middle of a message")
            data += chunk
        return data

    def read_message(conn, label):
        header = recv_exactly(conn, 4)
        # "!" is network byte order: the first byte is the most significant.
        (length,) = struct.unpack("!I", header)
        print(f"{label} header {header.hex(' ')}: length {length}")
        if length > 1_000:  # a sane limit: never trust a length you are sent
            (meant,) = struct.unpack("<I", header)  # what the sender meant
            ctx.say(f"{length} bytes is nonsense: little-endian it says {meant}")
            length = meant
        print(f"{label} body {recv_exactly(conn, length)!r}")

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            ctx.ask(
                'The client packed the length 12 with "<I". What does the server get '
                'from struct.unpack("!I", ...) of the 4 bytes it reads next?',
                ["12", "201326592", "an error: struct cannot unpack them"],
                "b",
                "The bytes are 0c 00 00 00; read big-endian the 0c is the most "
                "significant byte: 0x0c000000 = 201326592.",
                reveal="print",  # the length the server made of them
            )
            read_message(conn, "first")
            read_message(conn, "second")


@lab.actor("client")
def client(ctx):
    import socket
    import struct

    body = b"hello, world"  # 12 bytes
    with socket.create_connection((ctx.host, ctx.port)) as s:
        # Wrong: "<I" is little-endian, the low byte first: 0c 00 00 00.
        s.sendall(struct.pack("<I", len(body)) + body)
        # Right: network byte order ("!", big-endian), the high byte first:
        # 00 00 00 0c. len(body).to_bytes(4, "big") makes the same 4 bytes.
        s.sendall(struct.pack("!I", len(body)) + body)
