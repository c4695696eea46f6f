"""UDP kernel drops: no netlab link at all; the receiver's own kernel drops what it cannot hold.

The receiver asks for a tiny receive buffer and reads only after the sender's
burst: the kernel queues what fits and drops the rest, counting each drop (the
drops column of /proc/net/udp, or Udp: RcvbufErrors in /proc/net/snmp).
Loopback itself never loses a datagram. Watch the Delivery tab: "dropped by the
kernel", not "lost on the link".
Try: --arg burst=10 (all fit), or a bigger SO_RCVBUF in the code.
"""

from netlab import Scenario

lab = Scenario("UDP drops in the kernel", link="perfect", seed=1, args={"burst": 2000})


@lab.actor("server")
def receiver(ctx):
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # Ask for an 8 KiB receive buffer (Linux doubles it): room for a handful of datagrams.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        s.bind((ctx.host, ctx.port))
        time.sleep(1.0)  # busy elsewhere while the burst arrives
        s.setblocking(False)
        if ctx.args["burst"] > 100:  # far more than the buffer holds
            ctx.ask(
                f"{ctx.args['burst']} datagrams of 512 bytes were sent to a socket with a "
                "small receive buffer. How many will it read now?",
                ["all of them", "a handful: the kernel dropped the rest", "none"],
                answer="b",
                why="A datagram that finds the receive buffer full is dropped by the "
                "receiver's kernel, and counted (the drops column of /proc/net/udp).",
                reveal="print",  # what the whole loop of reads came to
            )
        received = 0
        try:
            while True:
                s.recvfrom(2048)
                received += 1
        except BlockingIOError:  # EAGAIN: the queue is empty
            pass
        print(f"read {received} of {ctx.args['burst']} datagrams")


@lab.actor("client")
def sender(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        payload = b"x" * 512
        for _ in range(ctx.args["burst"]):
            s.sendto(payload, (ctx.host, ctx.port))
