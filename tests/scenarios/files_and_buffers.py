"""sendfile() over TCP, recv_into() until the end, and a UDP datagram read with
recvfrom_into(): calls that fill buffers the program owns."""

from netlab import Scenario

lab = Scenario("files and buffers", ports=2)


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind((ctx.host, ctx.ports[1]))
        with socket.create_server((ctx.host, ctx.ports[0])) as listener:
            conn, _ = listener.accept()
            with conn:
                buffer, got = bytearray(64), bytearray()
                while count := conn.recv_into(buffer):
                    got += buffer[:count]
            print("received", len(got), bytes(got[:12]))
        buffer = bytearray(16)
        count, address = udp.recvfrom_into(buffer)
        print("datagram", count, bytes(buffer[:count]), address[0])
        udp.sendto(b"ok", address)


@lab.actor("client")
def client(ctx):
    import socket
    import tempfile

    with tempfile.TemporaryFile() as file:
        file.write(b"0123456789" * 100)
        with socket.create_connection((ctx.host, ctx.ports[0])) as conn:
            # Not flushed yet: the kernel sees an empty file, and sendfile sends nothing.
            print("sent", conn.sendfile(file, offset=10, count=500), "before flush()")
            file.flush()
            sent = conn.sendfile(file, offset=10, count=500)
            print("sent", sent, "and the file is at", file.tell())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"datagram!", (ctx.host, ctx.ports[1]))
        print(udp.recvfrom(16)[0])
