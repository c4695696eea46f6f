"""TCP vs UDP: the same numbered messages over the same lossy link, with the same seed.

TCP delivers every message, in order, some of them late (a lost segment is
sent again and holds back everything behind it). UDP delivers what the link
lets through, when it arrives: some never, some twice, some out of order.
Watch the Delivery tab: TCP's 50 of 50 in order beside UDP's losses,
duplicates and late ones.
Try: other seeds (--seed 7) or links (--link mobile-3g) to compare.
"""

from netlab import Link, Scenario

# 12% loss, 4% duplicates, 20 ms delay varying by up to 15 ms (which reorders datagrams).
lab = Scenario(
    "TCP vs UDP on a lossy link",
    link=Link(loss=0.12, duplicate=0.04, delay=20, jitter=15, rto=100, name="lossy"),
    seed=42,
    ports=2,
    args={"count": 50, "gap": 0.01},  # messages per transport, seconds between them
)


@lab.actor("server-tcp")
def tcp_receiver(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ctx.host, ctx.ports[0]))
        s.listen()
        conn, _ = s.accept()
        count = ctx.args["count"]
        ctx.ask(
            f"The link loses packets. Of the {count} messages, what will the TCP server read?",
            [f"all {count}, in order", f"fewer than {count}", f"all {count}, some out of order"],
            answer="a",
            why="TCP sends a lost segment again and holds back what follows until it arrives: "
            "late, never lost or reordered.",
            reveal="print",  # what the whole loop of reads came to
        )
        stream = b""
        with conn:
            # A byte stream: read until the sender closes, then cut it into lines.
            while chunk := conn.recv(4096):
                stream += chunk
    numbers = [int(line) for line in stream.split()]
    in_order = numbers == sorted(numbers)
    print(f"TCP: {len(numbers)} messages, {'in order' if in_order else 'OUT OF ORDER'}")


@lab.actor("server-udp")
def udp_receiver(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.ports[1]))
        s.settimeout(1.0)  # no datagram for a second (virtual): the sender is done
        numbers = []
        try:
            while True:
                datagram, _ = s.recvfrom(1024)  # one whole message, or nothing
                numbers.append(int(datagram))
        except TimeoutError:
            pass
    # Late: a message that arrived after one sent later (a bigger number) had arrived. The
    # Delivery tab counts the same way.
    late, biggest = 0, -1
    for number in dict.fromkeys(numbers):  # each number once, in the order it first came
        late += number < biggest
        biggest = max(biggest, number)
    print(f"UDP: {len(numbers)} datagrams, {len(set(numbers))} distinct, {late} late")


@lab.actor("client-tcp")
def tcp_sender(ctx):
    import socket
    import time

    with socket.create_connection((ctx.host, ctx.ports[0])) as s:
        for n in range(ctx.args["count"]):
            s.sendall(f"{n:06d}\n".encode())
            time.sleep(ctx.args["gap"])


@lab.actor("client-udp")
def udp_sender(ctx):
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for n in range(ctx.args["count"]):
            s.sendto(f"{n:06d}\n".encode(), (ctx.host, ctx.ports[1]))
            time.sleep(ctx.args["gap"])
