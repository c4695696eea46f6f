"""App protocol: a 2-byte length, a JSON header, a body; read from a buffer across recv calls.

Each message is: 2 bytes (the JSON header's length, "!H"), the JSON
header (content-type, content-encoding, content-length: the body's length
in bytes, not characters), then the body. The server reads with recv(64),
so a message comes in pieces and one recv holds the end of one message and
the start of the next. It keeps a buffer and takes a message only when it
is all there (take_message); the rest stays for the next recv. Select a
recv and open the Bytes tab to see the header bytes, then the JSON.
Try: a third request in REQUESTS, or "ring" for "unicorn": its answer's
emoji is 1 character, 4 bytes of UTF-8 (content-length counts bytes).
"""

from netlab import Scenario

lab = Scenario("An application protocol", link="perfect", seed=1)
# What the client asks, as RealPython's libclient does: a search for each value.
REQUESTS = [{"action": "search", "value": value} for value in ("morpheus", "unicorn")]


def make_message(content):
    """content as JSON after its headers: 2 bytes, then a JSON header, then the body."""
    import json
    import struct

    body = json.dumps(content, ensure_ascii=False).encode("utf-8")
    header = {
        "content-type": "text/json",
        "content-encoding": "utf-8",
        "content-length": len(body),  # bytes: an emoji is one character, four bytes
    }
    header_bytes = json.dumps(header).encode("utf-8")
    return struct.pack("!H", len(header_bytes)) + header_bytes + body


def take_message(buffer):
    """(content, rest) for a whole message at the start of buffer; (None, buffer) if the
    message is not all there yet: wait for more bytes, then try again."""
    import json
    import struct

    if len(buffer) < 2:
        return None, buffer
    (header_length,) = struct.unpack("!H", buffer[:2])
    if len(buffer) < 2 + header_length:
        return None, buffer  # the JSON header is not all here yet
    header = json.loads(buffer[2 : 2 + header_length].decode("utf-8"))
    end = 2 + header_length + header["content-length"]
    if len(buffer) < end:
        return None, buffer  # the body is not all here yet
    body = buffer[2 + header_length : end].decode(header["content-encoding"])
    return json.loads(body), buffer[end:]  # the rest belongs to the next message


@lab.actor("server")
def server(ctx):
    import socket

    answers = {
        "morpheus": "Follow the white rabbit. \U0001f430",
        "ring": "In the caves beneath the Misty Mountains. \U0001f48d",
    }
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            buffer = b""
            reads = 0
            while True:
                if reads == 1:
                    first = len(make_message(REQUESTS[0]))
                    ctx.ask(
                        f"The client sent {len(REQUESTS)} requests in one sendall, the first "
                        f"{first} bytes long. The buffer holds {len(buffer)} bytes. After the "
                        "next recv(64), how many whole requests can the server take?",
                        ["none", "one", "two"],
                        "b",
                        f"{len(buffer)} + 64 = {len(buffer) + 64} bytes: the first request "
                        "is all there and is taken; the start of the second stays.",
                    )
                data = conn.recv(64)  # a small read: messages come in pieces
                reads += 1
                if not data:
                    break  # the client closed
                buffer += data
                ctx.say(f"the buffer holds {len(buffer)} bytes")
                while True:  # take every whole message the buffer holds
                    request, buffer = take_message(buffer)
                    if request is None:
                        break  # not all there: recv more
                    print(f"request {request}")
                    answer = answers.get(request["value"], "No match.")
                    conn.sendall(make_message({"result": answer}))


@lab.actor("client")
def client(ctx):
    import socket

    with socket.create_connection((ctx.host, ctx.port)) as s:
        # Both requests in one sendall: the receiver must find where each ends.
        s.sendall(b"".join(make_message(request) for request in REQUESTS))
        buffer, responses = b"", 0
        while responses < len(REQUESTS):
            data = s.recv(4096)
            if not data:
                break  # the server closed before it answered them all
            buffer += data
            while True:  # the same reading as the server's: take what is whole
                response, buffer = take_message(buffer)
                if response is None:
                    break
                responses += 1
                print(f"response {response}")
