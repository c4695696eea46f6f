"""Ports: well-known, registered, ephemeral; port 0 lets the kernel choose, and so does connect.

Ports 0-1023 are well-known (ssh 22, http 80: binding one needs
privilege), 1024-49151 registered, 49152-65535 dynamic. Linux takes its
ephemeral ports from its own range, printed first (sysctl
net.ipv4.ip_local_port_range shows it too). Step to getsockname() after
bind(port 0): the kernel chose a free port. The client never binds, yet
after connect() its getsockname() shows a port, the one the server's
accept() returns. The Kernel tab of either end shows local and peer.
Try: run it twice (other ports, same range); on a spare machine, narrow
the range: sysctl -w net.ipv4.ip_local_port_range="40000 40009".
"""

from netlab import Scenario

lab = Scenario("Ports", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket
    from pathlib import Path

    # Where the kernel takes ephemeral ports from: one file, one line "low high".
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    print(f"ephemeral ports on this machine: {low} to {high}")

    # Port 0 means "any free port": the kernel picks one from that range.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((ctx.host, 0))
        ctx.ask(
            "bind() was given port 0. What does getsockname() show now?",
            [
                "port 0, as bind() was told",
                "a free port the kernel chose from the ephemeral range",
                "nothing: getsockname() raises, port 0 is not a real port",
            ],
            "b",
            "Port 0 asks the kernel for any free port; getsockname() is how you learn which.",
        )
        print("bound to port 0, got", probe.getsockname())

    # A server binds a port its clients know in advance (netlab chose a free one).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((ctx.host, ctx.port))
        listener.listen()
        conn, addr = listener.accept()
        with conn:
            # The client's address: its IP and the ephemeral port its kernel picked.
            ctx.say(f"accepted a connection from {addr}")
            # The accepted socket shares the listener's port: a connection is told
            # apart by both ends, (local IP, local port, peer IP, peer port).
            print("accepted socket:", conn.getsockname(), "<->", conn.getpeername())
            conn.recv(1024)  # b"": the client closed


@lab.actor("client")
def client(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # No bind() here: connect() binds the socket to an ephemeral port itself.
        s.connect((ctx.host, ctx.port))
        ctx.ask(
            "The client never called bind(). What does its getsockname() show?",
            [
                "('0.0.0.0', 0): it was never bound",
                "the server's port: a connection uses one port at both ends",
                "a port its kernel chose at connect(), from the ephemeral range",
            ],
            "c",
            "connect() on an unbound socket binds it to a free ephemeral port first.",
        )
        print("client socket:", s.getsockname(), "->", s.getpeername())
