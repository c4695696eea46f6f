"""recvmsg and sendmsg: a datagram longer than the buffer comes with MSG_TRUNC; sendmsg sends
the bytes of several buffers as one datagram, and as bytes of a TCP stream."""

from netlab import Scenario

lab = Scenario("recvmsg and sendmsg", ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (Python names it not): TTLs told
        udp.bind((ctx.host, ctx.ports[0]))
        with socket.create_server((ctx.host, ctx.ports[1])) as listener:
            data, ancillary, flags, _ = udp.recvmsg(8)  # blocks until the datagram comes
            print("udp", data, ancillary, bool(flags & socket.MSG_TRUNC))
            data, _, flags, _ = udp.recvmsg(64)
            print("udp", data, bool(flags & socket.MSG_TRUNC))
            data, ancillary, _, _ = udp.recvmsg(64, socket.CMSG_SPACE(4))
            ttl = [int.from_bytes(d, "little") for _, kind, d in ancillary if kind == socket.IP_TTL]
            print("udp", data, "ttl", ttl)
            conn, _ = listener.accept()
            with conn:
                stream = b""
                while chunk := conn.recv(64):
                    stream += chunk
                print("tcp", stream)


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        print("sent", udp.sendmsg([b"twenty ", b"bytes long!!"], [], 0, (ctx.host, ctx.ports[0])))
        udp.connect((ctx.host, ctx.ports[0]))
        print("sent", udp.sendmsg([b"short"]))
        ttl = [(socket.IPPROTO_IP, socket.IP_TTL, (5).to_bytes(4, "little"))]
        print("sent", udp.sendmsg([b"with ", b"ttl"], ttl))
    with socket.create_connection((ctx.host, ctx.ports[1])) as tcp:
        print("sent", tcp.sendmsg([b"one ", b"two ", b"three"], [], socket.MSG_DONTWAIT))
