"""A panel per actor: what it is doing, its sockets with their state and bytes, what it printed."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from netlab.core import reducer
from netlab.core.describe import call_text
from netlab.core.kernel_view import KernelRow, waiting
from netlab.core.reducer import ActorState, KernelSeen, SocketState
from netlab.core.safe_text import visible
from netlab.ui.text import safe

# What the kernel says about a socket: read now, or as recorded at a step.
KernelLookup = Callable[[SocketState], KernelRow | KernelSeen | None]

_STATUS_STYLE = {
    reducer.RUNNING: "green",
    reducer.BLOCKED: "yellow",
    reducer.READY: "cyan",
    reducer.DONE: "dim",
    reducer.CRASHED: "bold red",
    reducer.STOPPED: "yellow",
    reducer.STARTING: "dim",
}


def _address(address: object) -> str:
    if isinstance(address, list) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return "-" if address in (None, "") else str(address)


_PRINTED_SHOWN = 400  # characters of a printed line a panel shows (the trace has it all)

# netlab's account and the kernel's state that say the same thing: only the kernel's is shown.
_AGREE = {(reducer.LISTENING, "LISTEN"), (reducer.CONNECTED, "ESTAB")}


# What a socket is, in a word: an internet socket by its protocol; a Unix one says so.
_KINDS = {
    (False, "SOCK_STREAM"): "TCP",
    (False, "SOCK_DGRAM"): "UDP",
    (True, "SOCK_STREAM"): "UNIX",
    (True, "SOCK_DGRAM"): "UNIX-DG",
}


def socket_line(sock: SocketState, kernel: KernelRow | KernelSeen | None = None) -> Text:
    """One socket: netlab's account of it (from the events) and, in a live lab at its latest
    step, the kernel's own state in capitals (ESTAB, TIME-WAIT...) and what waits unread."""
    kind = _KINDS.get((sock.family == "AF_UNIX", sock.type), "?")
    line = safe(f"{sock.id.split('#')[-1]:>2} {kind} ", "bold")
    if kernel is None or (sock.state, kernel.state) not in _AGREE:  # else the kernel says it
        line.append(sock.state, "yellow" if sock.state == reducer.LISTENING else "")
        line.append(" " if kernel is not None else "")
    if kernel is not None:
        line.append(kernel.state, "bold magenta")
        queued = waiting(sock.type, kernel.state, kernel.recv_queue)
        if queued:
            line.append(f" {queued}", "magenta")
        if kernel.drops:
            line.append(f" dropped {kernel.drops}", "bold red")
    line.append(f" {_address(sock.local)}")
    if sock.peer:
        peer = _address(sock.peer)
        same_host = isinstance(sock.local, list) and isinstance(sock.peer, list)
        if same_host and sock.local[0] == sock.peer[0]:  # loopback both ends: the port says it
            peer = f":{sock.peer[1]}"
        line.append(f"↔{peer}", "dim")
    if sock.bytes_in or sock.bytes_out:
        line.append(f" in {sock.bytes_in} out {sock.bytes_out}", "dim")
    return line


def panel_title(name: str) -> Text:
    """A thread's own name first, which a narrow panel must not cut: "Thread-2 of server"."""
    owner, _, lane = name.rpartition("/")
    return Text(visible(f"{lane} of {owner}" if owner else name))  # Text: never read as markup


class ActorPanel(Static):
    """Shows one actor's state, as computed by the reducer."""

    def __init__(self, name: str) -> None:
        super().__init__(classes="actor-panel", markup=False)  # no id: any name may come
        self.actor_name = name
        self.border_title = panel_title(name)

    def show(
        self, state: ActorState | None, *, current: bool, kernel: KernelLookup | None = None
    ) -> None:
        """``kernel``: what the kernel says about a socket (now, or as recorded at the step
        shown), None where nothing is known of it."""
        if state is None:
            self.update(Text("not started", "dim"))
            return
        self.set_class(current, "current")
        status = Text(state.status, _STATUS_STYLE.get(state.status, ""))
        if state.status == reducer.BLOCKED and state.call is not None:
            status.append(f" in {call_text(state.call)}", "yellow")
        elif state.call is not None and state.status in (reducer.RUNNING, reducer.READY):
            status.append(" → ")
            status.append(call_text(state.call), "bold blue")
        if state.error:
            status.append(" ")
            status.append(safe(state.error, "red"))
        status.no_wrap, status.overflow = True, "ellipsis"  # one line: room for the sockets
        lines: list[Text] = [status]

        def row(sock: SocketState) -> KernelRow | KernelSeen | None:
            return kernel(sock) if kernel else None

        # A closed socket the kernel still keeps (TIME-WAIT, FIN-WAIT-2...) is shown too.
        shown = [s for s in state.sockets.values() if s.state != reducer.CLOSED or row(s)]
        closed = len(state.sockets) - len(shown)
        lines += [socket_line(sock, row(sock)) for sock in shown]
        if closed:
            lines.append(Text(f"{closed} closed socket{'s' if closed > 1 else ''}", "dim"))
        for printed in state.output[-2:]:  # a panel has room for a few lines: no more
            text = printed if len(printed) <= _PRINTED_SHOWN else f"{printed[:_PRINTED_SHOWN]}…"
            lines.append(safe(f"| {text}", "cyan"))
        self.border_title = panel_title(state.name)
        self.border_subtitle = state.status
        self.update(Group(*lines))
