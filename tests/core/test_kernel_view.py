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
