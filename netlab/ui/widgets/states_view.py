"""The States tab: TCP's state diagram, compact enough for 80×24, with the selected socket's
state lit (as the kernel reported it) and the transition that led there named below."""

from __future__ import annotations

import itertools

from rich.console import Group, RenderableType
from rich.text import Text

from netlab.core import tcp_states as tcp
from netlab.core.tcp_states import History, Position
from netlab.ui.text import safe

# The diagram's rows: the states along each path, left to right. The fourth row branches off
# the third at FIN-WAIT-1 (its first state is drawn as └ under it).
_ROWS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((tcp.CLOSED, tcp.LISTEN, tcp.SYN_RECV, tcp.ESTAB), "a server's socket opens"),
    ((tcp.CLOSED, tcp.SYN_SENT, tcp.ESTAB), "a client's socket opens"),
    (
        (tcp.ESTAB, tcp.FIN_WAIT_1, tcp.FIN_WAIT_2, tcp.TIME_WAIT, tcp.CLOSED),
        "the side that closes first",
    ),
    ((tcp.FIN_WAIT_1, tcp.CLOSING, tcp.TIME_WAIT), "both close at once"),
    ((tcp.ESTAB, tcp.CLOSE_WAIT, tcp.LAST_ACK, tcp.CLOSED), "the side that closes second"),
)
_BRANCH = 3  # the row drawn from a state of the row above it
_LABELS = {
    (tcp.CLOSED, tcp.LISTEN): "listen()",
    (tcp.LISTEN, tcp.SYN_RECV): "SYN",
    (tcp.SYN_RECV, tcp.ESTAB): "ACK",
    (tcp.CLOSED, tcp.SYN_SENT): "connect()",
    (tcp.SYN_SENT, tcp.ESTAB): "SYN+ACK",
    (tcp.ESTAB, tcp.FIN_WAIT_1): "close()",
    (tcp.FIN_WAIT_1, tcp.FIN_WAIT_2): "ACK",
    (tcp.FIN_WAIT_2, tcp.TIME_WAIT): "FIN",
    (tcp.TIME_WAIT, tcp.CLOSED): "2MSL",
    (tcp.FIN_WAIT_1, tcp.CLOSING): "FIN",
    (tcp.CLOSING, tcp.TIME_WAIT): "ACK",
    (tcp.ESTAB, tcp.CLOSE_WAIT): "FIN",
    (tcp.CLOSE_WAIT, tcp.LAST_ACK): "close()",
    (tcp.LAST_ACK, tcp.CLOSED): "ACK",
}
LIT = "bold reverse green"
PEER = "bold reverse cyan"
UNSEEN = "italic yellow"
_EDGE_TAKEN = "bold green"
DIAGRAM_ROWS = len(_ROWS)


def _lit_at(position: Position) -> tuple[int, int] | None:
    """Where the lit state is drawn (row, index): the place the transition that led there
    comes into, else where its row starts."""
    state = position.state
    if state is None:
        return None
    before = position.path[-1].source if position.path else position.came_from
    if position.unseen:
        before = position.unseen[-1]
    places = [
        (row, index)
        for row, (states, _) in enumerate(_ROWS)
        for index, name in enumerate(states)
        if name == state and not (row == _BRANCH and index == 0)
    ]
    for row, index in places:
        if index and _ROWS[row][0][index - 1] == before:
            return row, index
    starts = [(row, index) for row, index in places if index == 0]
    if before is None and starts:
        return starts[0]
    # An ESTAB the kernel came to some other way, a CLOSED after a reset...: its first place.
    return places[0] if places else None


def _width(states: tuple[str, ...]) -> int:
    """The cells a row of the diagram takes (the branch row's, counted whole)."""
    names = sum(len(name) + 2 for name in states)
    return names + sum(len(_LABELS[pair]) + 2 for pair in itertools.pairwise(states))


def diagram(position: Position, width: int, peer: Position | None = None) -> list[Text]:
    """The diagram's rows, the state lit where the socket is (and where its ``peer`` is, the
    other end of its connection), the states it passed unseen marked, the transitions that led
    there in bold."""
    lit = _lit_at(position)
    other = _lit_at(peer) if peer is not None else None
    taken = {(t.source, t.target) for t in position.path}
    lines: list[Text] = []
    branch_at = 0
    labelled = all(_width(states) + len(label) + 3 <= width for states, label in _ROWS)
    for row, (states, label) in enumerate(_ROWS):
        line = Text(no_wrap=True, overflow="crop")
        for index, name in enumerate(states):
            if index:
                edge = (states[index - 1], name)
                style = _EDGE_TAKEN if edge in taken else "dim"
                line.append(f"─{_LABELS[edge]}→", style)
            if row == _BRANCH and index == 0:
                line.append(" " * branch_at + "└", "dim")
                continue
            if row == _BRANCH - 1 and name == tcp.FIN_WAIT_1:
                branch_at = line.cell_len + 1 + len(name) // 2
            style = "bold"
            if lit == (row, index):
                style = LIT
            elif other == (row, index):
                style = PEER
            elif name in position.unseen:
                style = UNSEEN
            line.append(f" {name} ", style)
        if labelled:
            line.append(" " * (_width(_ROWS[2][0]) - line.cell_len + 3) + label, "dim italic")
        lines.append(line)
    return lines


def states(
    found: History,
    position: Position,
    width: int,
    height: int,
    peer: tuple[History, Position] | None = None,
) -> RenderableType:
    """The States tab for the selected socket (and the other end of its connection, if it is a
    lab socket too): the diagram, where each is, and how it got there."""
    parts: list[RenderableType] = [*diagram(position, width, peer[1] if peer else None)]
    lines = _about(found, position, "")
    if peer is not None:
        lines += _about(*peer, "its peer ")
    parts.extend(lines)
    room = height - DIAGRAM_ROWS - sum(-(-line.cell_len // max(1, width - 2)) for line in lines)
    seen = [r for r in found.readings if r.watched]
    if room >= 1 and len(seen) > 1:
        said = " → ".join(f"{r.state or 'no row'} (step {r.step})" for r in seen[-5:])
        parts.append(safe(f"the kernel reported: {said}", "dim"))
        room -= 1
    if room >= 1 and position.state is not None:
        legend = Text("lit: its state now", LIT)
        if peer is not None and peer[1].state is not None:
            legend.append("  ")
            legend.append("its peer's", PEER)
        if position.unseen:
            legend.append("  ")
            legend.append("passed too fast to be seen", UNSEEN)
        legend.append("  ESTAB is ESTABLISHED, SYN-RECV SYN-RECEIVED in the RFC", "dim")
        parts.append(legend)
    return Group(*parts)


def _about(found: History, position: Position, whose: str) -> list[Text]:
    """Where a socket is, as the kernel said, and the transition that led there."""
    about = Text(whose, "bold")
    if found.sock is not None:
        about.append_text(safe(found.sock.id, "bold"))
        about.append(": ")
    about.append_text(safe(position.said, "bold" if position.state else "dim"))
    return [about, safe(position.how)] if position.how else [about]
