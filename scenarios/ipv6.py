"""IPv6: an echo over ::1 with AF_INET6, its 4-tuple addresses, and getaddrinfo to pick the family.

The server binds ("::1", port) on an AF_INET6 socket. IPv6 addresses in
Python are 4-tuples: (host, port, flowinfo, scope_id); see accept's
result and getsockname in the Trace. The client does not hard-code the
family: getaddrinfo returns (family, type, proto, canonname, sockaddr)
tuples, and it creates its socket from the first one. The server bound
::1 only, so a connect to 127.0.0.1 on the same port is refused (a socket
bound to "::" would take IPv4 clients too, unless IPV6_V6ONLY is set).
Try: getaddrinfo("localhost", port) by hand: on most systems it lists
::1 and 127.0.0.1 (see /etc/hosts). Or create_connection(("::1", port)).
"""

from netlab import Scenario

lab = Scenario("IPv6", link="perfect", seed=1)


@lab.actor("server")
def server(ctx):
    import socket

    # AF_INET6: an IPv6 socket. "::1" is IPv6's loopback, as 127.0.0.1 is IPv4's.
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.bind(("::1", ctx.port))
        s.listen()
        print("listening on", s.getsockname())
        ctx.ask(
            "What address does accept return for the IPv6 client?",
            [
                "('::1', port)",
                "('::1', port, 0, 0): host, port, flowinfo, scope_id",
                "('127.0.0.1', port)",
            ],
            "b",
            "An AF_INET6 address is a 4-tuple. flowinfo and scope_id are 0 here; "
            "scope_id names the interface of a link-local address (fe80::...).",
        )
        conn, addr = s.accept()
        with conn:
            print("connection from", addr)
            while data := conn.recv(1024):
                conn.sendall(data)


@lab.actor("client")
def client(ctx):
    import socket

    # The server bound ::1 only: nothing listens on 127.0.0.1 at this port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4:
        ctx.ask(
            "The server listens on ::1 only. What does connect_ex to 127.0.0.1 return?",
            ["0: the same machine, the same port", "111: ECONNREFUSED"],
            "b",
            "127.0.0.1 and ::1 are different addresses, and the server bound ::1 "
            "only: nothing listens on 127.0.0.1 at that port, so the kernel refuses.",
        )
        print("IPv4 connect_ex:", s4.connect_ex((ctx.host, ctx.port)))

    # Ask the resolver: it says which family, type and address to use.
    infos = socket.getaddrinfo("::1", ctx.port, type=socket.SOCK_STREAM)
    family, type_, proto, _, sockaddr = infos[0]
    print(family.name, sockaddr)
    with socket.socket(family, type_, proto) as s:
        s.connect(sockaddr)
        print("connected from", s.getsockname())
        s.sendall(b"hello over IPv6")
        print("echo:", s.recv(1024))
