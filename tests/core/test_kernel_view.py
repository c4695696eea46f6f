"""The kernel's view of a lab's sockets: sock_diag, and /proc/net as the fallback."""

from __future__ import annotations


def test_the_kernel_is_asked_for_tcp_sockets_and_agrees_with_proc_net(monkeypatch) -> None:
    import socket

    from netlab.core import kernel_view

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"hello")
            accepted, _ = listener.accept()
            with accepted:
                waiting = socket.create_connection(("127.0.0.1", port))  # not accepted yet
                sockets = [
                    (["127.0.0.1", port], None),
                    (list(accepted.getsockname()), list(accepted.getpeername())),
                    (list(client.getsockname()), list(client.getpeername())),
                ]

                def rows() -> list[tuple[str, int]]:
                    table = kernel_view.KernelTable.read(["SOCK_STREAM"])
                    found = [table.find("SOCK_STREAM", *sock) for sock in sockets]
                    return [(row.state, row.recv_queue) for row in found if row is not None]

                asked = rows()
                monkeypatch.setattr(kernel_view, "_sock_diag_works", lambda: False)
                assert asked == rows() == [("LISTEN", 1), ("ESTAB", 5), ("ESTAB", 0)]
                waiting.close()


def test_a_connection_the_kernel_no_longer_has_is_not_given_its_listener_s_row(
    monkeypatch,
) -> None:
    """The server closes after its client did: the connection is gone at once (the client
    keeps TIME-WAIT). Asked for the server's side by its pair, the kernel would answer with
    the listener on the port, as it does for an arriving packet; that is another socket."""
    import socket

    from netlab.core import kernel_view

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        served = (list(accepted.getsockname()), list(accepted.getpeername()))
        mine = (list(client.getsockname()), list(client.getpeername()))
        client.close()
        assert accepted.recv(10) == b""  # the FIN has arrived
        accepted.close()

        def rows() -> list[str | None]:
            table = kernel_view.KernelTable.read(["SOCK_STREAM"])
            found = [table.find("SOCK_STREAM", *sock) for sock in (served, mine)]
            return [row.state if row else None for row in found]

        asked = rows()
        monkeypatch.setattr(kernel_view, "_sock_diag_works", lambda: False)
        assert asked == rows() == [None, "TIME-WAIT"]


def test_what_waits_is_said_as_the_kernel_counts_it() -> None:
    """A FIN counts as one in a TCP Recv-Q until read; a UDP Recv-Q is memory; a listener's
    is connections. Each read here from real sockets, then put in words."""
    import socket

    from netlab.core.kernel_view import KernelTable, recv_queue_note, waiting

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        pair = (list(accepted.getsockname()), list(accepted.getpeername()))
        client.sendall(b"abc")
        assert accepted.recv(3) == b"abc"
        client.close()  # its FIN arrives after the data was read
        with accepted:
            row = KernelTable.read(["SOCK_STREAM"]).find("SOCK_STREAM", *pair)
            assert row is not None and (row.state, row.recv_queue) == ("CLOSE-WAIT", 1)
            assert waiting("SOCK_STREAM", row.state, row.recv_queue) == "EOF unread"
            assert "FIN" in recv_queue_note("SOCK_STREAM", row.state, row.recv_queue)
            assert accepted.recv(10) == b""  # the FIN, read: nothing waits
            row = KernelTable.read(["SOCK_STREAM"]).find("SOCK_STREAM", *pair)
            assert row is not None and waiting("SOCK_STREAM", row.state, row.recv_queue) == ""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"x" * 20, receiver.getsockname())
        row = KernelTable.read(["SOCK_DGRAM"]).find(
            "SOCK_DGRAM", list(receiver.getsockname()), None
        )
        assert row is not None and row.recv_queue > 20  # the memory, not the 20 bytes
        assert waiting("SOCK_DGRAM", row.state, row.recv_queue) == "datagrams queued"
    assert waiting("SOCK_STREAM", "LISTEN", 2) == "2 to accept"
    assert waiting("SOCK_STREAM", "CLOSE-WAIT", 5) == "4 unread + EOF"
    assert waiting("SOCK_STREAM", "ESTAB", 5) == "5 unread"


def test_sock_diag_answers_for_ipv6_and_with_the_receive_buffer() -> None:
    import socket

    from netlab.core import sock_diag

    with socket.create_server(("::1", 0), family=socket.AF_INET6) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("::1", port)) as client:
            client.sendall(b"hello")
            accepted, _ = listener.accept()
            with accepted:
                accepted.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
                row = sock_diag.tcp_row(
                    accepted.getsockname()[:2], client.getsockname()[:2], memory=True
                )
                assert row is not None
                assert (row.state, row.recv_queue) == (1, 5)  # TCP_ESTABLISHED
                assert row.rcvbuf == accepted.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
                assert sock_diag.tcp_socket(("::1", port), None) == (10, 0, 128)  # listening


def test_a_port_with_a_connection_in_time_wait_is_in_use_and_never_chosen_for_a_lab() -> None:
    import socket

    from netlab.core.kernel_view import local_ports
    from netlab.core.ports import free_ports

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server's end closes first: its side waits in TIME-WAIT
        assert client.recv(1) == b""
        client.close()
    assert port in local_ports()  # the listener is gone; the TIME-WAIT connection is not
    for _ in range(20):
        chosen = free_ports(3)
        assert not set(chosen) & local_ports()
