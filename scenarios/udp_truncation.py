"""UDP truncation: a datagram bigger than the buffer you read it into loses its tail.

The client sends a 20-byte datagram, then a short one, then 20 bytes
twice more. The server's recvfrom(8) returns the first 8 bytes of the first
datagram, and the other 12 are gone: the next recvfrom(8) returns the
next datagram, not the rest. No error is raised; only recvmsg tells,
with the flag MSG_TRUNC (the last read). TCP is different: recv(8) on a stream
leaves the rest for the next recv. Compare the sizes in the Trace and
the Delivery tab: every datagram arrived; the loss happened in the read.
Try: --arg size=20, or 65535 (more than any UDP datagram can carry):
nothing is cut.
"""

from netlab import Scenario

lab = Scenario("UDP truncation", link="perfect", seed=1, args={"size": 8})


@lab.actor("server")
def server(ctx):
    import socket

    size = int(ctx.args["size"])  # how many bytes each recvfrom asks for
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.port))
        cut = size < 20  # the questions are about a buffer smaller than the datagram
        if cut:
            ctx.ask(
                f"The client sends a 20-byte datagram. What does recvfrom({size}) return?",
                [
                    "its first bytes; the rest is thrown away",
                    "its first bytes; the next recvfrom gets the rest",
                    "it raises an error: the buffer is too small",
                ],
                "a",
                "A datagram is read whole or cut: what does not fit in the buffer is "
                "discarded, silently (recvmsg would report the flag MSG_TRUNC).",
            )
        data, addr = s.recvfrom(size)
        print(f"first:  {data!r} from {addr}")
        if cut:
            ctx.ask(
                f"And the next recvfrom({size})?",
                [
                    f"the {20 - size} bytes left of the first datagram",
                    "the second datagram, b'second'",
                ],
                "b",
                "Each recvfrom reads one datagram; the tail of the first one is gone.",
            )
        data, addr = s.recvfrom(size)
        print(f"second: {data!r}")
        # The usual cure: a buffer as large as the largest datagram you may receive.
        data, addr = s.recvfrom(65535)
        print(f"third:  {data!r} ({len(data)} bytes, read with a 65535-byte buffer)")
        # recvmsg returns the message's flags too: MSG_TRUNC says its tail was cut off.
        data, _, flags, addr = s.recvmsg(size)
        print(f"fourth: {data!r}, cut: {bool(flags & socket.MSG_TRUNC)}")


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # Four sendto calls: four datagrams, each with its own boundaries.
        s.sendto(b"0123456789abcdefghij", (ctx.host, ctx.port))  # 20 bytes
        s.sendto(b"second", (ctx.host, ctx.port))
        s.sendto(b"0123456789abcdefghij", (ctx.host, ctx.port))
        s.sendto(b"0123456789abcdefghij", (ctx.host, ctx.port))
