"""The guide's application protocol, shared by app_server and app_client (a module beside them):
a 2-byte header length in network byte order, a JSON header, then a JSON body."""

import io
import json
import struct


def encode(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def decode(raw):
    with io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline="") as tiow:
        return json.load(tiow)


def create_message(content):
    body = encode(content)
    header = encode(
        {
            "byteorder": "little",
            "content-type": "text/json",
            "content-encoding": "utf-8",
            "content-length": len(body),
        }
    )
    return struct.pack(">H", len(header)) + header + body


class Reader:
    """Reads one message from bytes that come in pieces, as recv returns them."""

    def __init__(self):
        self.buffer = b""
        self.header_len = None
        self.header = None

    def feed(self, data):
        """Take bytes; return the message's content once it is whole, else None."""
        self.buffer += data
        if self.header_len is None and len(self.buffer) >= 2:
            self.header_len = struct.unpack(">H", self.buffer[:2])[0]
            self.buffer = self.buffer[2:]
        header_whole = self.header_len is not None and len(self.buffer) >= self.header_len
        if self.header is None and header_whole:
            self.header = decode(self.buffer[: self.header_len])
            self.buffer = self.buffer[self.header_len :]
        if self.header is not None and len(self.buffer) >= self.header["content-length"]:
            length = self.header["content-length"]
            content, self.buffer = self.buffer[:length], self.buffer[length:]
            return decode(content)
        return None
