"""What the detail tabs show for the selected step. Each function returns a Rich renderable made
from core data; untrusted text goes through ``safe`` (never markup)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePath

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from netlab.core import analysis as analysis_rules
from netlab.core import calls
from netlab.core import events as ev
from netlab.core.analysis import Analysis, FlowStats
from netlab.core.describe import call_text, event_text, result_text
from netlab.core.events import Event, SockInfo
from netlab.core.explain import explain, never_accepted
from netlab.core.kernel_view import KernelRow, KernelTable, recv_queue_note
from netlab.core.ladder import ARROW, DROP, Rung
from netlab.core.reducer import BOUND, CLOSED, KernelSeen, LabState, SocketState
from netlab.core.safe_text import visible
from netlab.core.strace import syscall
from netlab.ui.text import fit_name, safe

NOTHING = Text("Nothing selected yet: press Space to take the first step.", "dim")


def headline(event: Event | None, pending: Event | None = None) -> Text:
    """One line naming the selected step, and the call the next step carries out."""
    if event is None:
        return NOTHING
    # One line: cut with an ellipsis at the width (Why shows a long row whole), never wrapped
    # onto a second line that the headline's one row would hide.
    text = Text(f"step {event.step} · {event.actor or 'lab'} · ", "bold")
    text.no_wrap, text.overflow = True, "ellipsis"
    if event.kind in ev.OUTCOMES or event.kind == ev.CALL:
        text.append(call_text(event), "bold blue")
        if event.kind == ev.RAISE:  # the errno name is what to look up; the rest is in Why
            name = event.errno or (event.error or "error").split(":")[0]
            text.append(" → raised ")
            text.append(visible(name), "bold red")
        elif event.kind != ev.CALL:
            text.append(" → ")
            text.append(result_text(event))
    else:
        text.append(event_text(event))
    if pending is not None and pending is not event:
        text.append(f"   next: {pending.actor} {pending.op}()", "dim")
    return text


def code(
    event: Event | None,
    sources: Mapping[str, str],
    file: str,
    height: int = 20,
    *,
    live: bool = False,
) -> RenderableType:
    """The source around the line of the call, that line marked: the scenario's, or the
    program's that made it (``sources`` by file name; ``file``: shown with no call chosen).

    A call made inside a library (socketserver, say) names that file: in a live lab its source
    is shown from this machine; a recording's file names are never opened."""
    where = event.source if event is not None and event.source else None
    line = where[1] if where else None
    name = PurePath(str(where[0])).name if where else file
    own = where is None or (name in sources and not Path(str(where[0])).is_absolute())
    file = name if own else file
    source = sources.get(file, "")
    caption = safe(f"{file}" + (f", line {line}" if line else ""), "dim")
    if not own and where is not None:
        library = Path(str(where[0]))
        caption = safe(f"{library.name}, line {line}: the call is made in a library", "dim")
        if not (live and library.is_absolute() and library.suffix == ".py"):
            return Group(caption, Text("Its source is not shown for a recording.", "dim"))
        try:
            source = library.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return Group(caption, Text("Its source cannot be read here.", "dim"))
    if not source:
        return Text("The scenario's source is not available.", "dim")
    lines = source.count("\n") + 1
    shown = max(5, height - 1)
    start = 1 if line is None else max(1, min(line - shown // 3, lines - shown + 1))
    end = min(lines, start + shown - 1)
    syntax = Syntax(
        visible(source, multiline=True),
        "python",
        line_numbers=True,
        line_range=(start, end),
        highlight_lines={line} if line else set(),
        word_wrap=False,
        theme="ansi_dark",
    )
    return Group(caption, syntax)


def strace(event: Event | None) -> RenderableType:
    if event is None or not syscall(event):
        return Text(
            "Select a step (a call's result) to see the system call it made, as strace prints it.",
            "dim",
        )
    parts: list[RenderableType] = [safe(syscall(event), "bold")]
    parts.append(
        Text(
            "\nnetlab keeps every socket non-blocking underneath: when a call would block, the "
            "kernel answers EAGAIN, and the waiting is netlab's (on its virtual clock).",
            "dim",
        )
    )
    return Group(*parts)


def kernel(
    event: Event | None, state: LabState, *, now: KernelTable | None, kept: bool = True
) -> RenderableType:
    """The socket of the selected step as netlab saw it and as the kernel did: read ``now`` (a
    live lab's latest step) or as recorded at that step (``kept``: the log has the kernel's
    view)."""
    if event is None or event.sock is None:
        return Text("Select a step made on a socket to see it from the kernel's side.", "dim")
    sock = event.sock
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("socket", safe(f"{sock.id} (fd {sock.fd}) {sock.family} {sock.type}"))
    table.add_row("local", safe(_address(sock.local, "not bound")))
    table.add_row("peer", safe(_address(sock.peer, "none")))
    actor = state.actors.get(event.actor)
    known = actor.sockets.get(sock.id) if actor else None
    if known is not None:
        table.add_row(
            "netlab saw", safe(f"{known.state}, {known.bytes_in} in, {known.bytes_out} out")
        )
    parts: list[RenderableType] = [table]
    if now is not None:
        row = now.find(sock.type, sock.local, sock.peer)
        if row is None:
            parts.append(Text("\n" + _not_listed(known, sock, "now"), "dim"))
        else:
            parts.append(_kernel_row("the kernel now, as ss shows it", row, sock.type))
            port = str(sock.local[1]) if isinstance(sock.local, list) else ""
            flags = "-tanp" if sock.type == "SOCK_STREAM" else "-uanp"
            parts.append(Text(f"\nConfirm in a shell: ss {flags} | grep :{port}", "dim"))
    elif state.kernel is not None and sock.id in state.kernel:
        parts.append(_kernel_row("the kernel at this step", state.kernel[sock.id], sock.type))
    elif state.kernel is not None:
        parts.append(Text("\n" + _not_listed(known, sock, "at this step"), "dim"))
    else:
        why = (
            "this part of the lab was played at full speed"
            if kept
            else "the lab ran freely (netlab run)"
        )
        parts.append(
            Text(
                f"\nThe kernel's view was not kept here: {why}. It is recorded while a lab "
                "is stepped, or played at a person's pace.",
                "dim",
            )
        )
    return Group(*parts)


def _not_listed(known: SocketState | None, sock: SockInfo, when: str) -> str:
    """Why the kernel's tables have no row for a lab socket, from what netlab knows of it."""
    if known is not None and known.state == CLOSED:
        return f"The kernel {when} no longer keeps this socket: it was closed and let go."
    port = sock.local[1] if isinstance(sock.local, list) and len(sock.local) > 1 else 0
    if not port:
        return (
            f"The kernel's tables (what ss reads) list no row for it {when}: a socket is "
            "listed by its address, and this one has none yet (not bound, not connected)."
        )
    if known is not None and known.state == BOUND:
        return (
            f"The kernel's connection tables (what ss lists by default) have no row for it "
            f"{when}: it is bound, but not listening or connected yet (ss -B lists bound "
            "sockets, on Linux 6.8 and later)."
        )
    return (
        f"The kernel's tables (what ss reads) list no row for it {when}, though it is open: "
        "it is neither listening nor connected (a failed connect() leaves it so), and such a "
        "socket is in no table."
    )


def _address(address: object, nothing: str) -> str:
    """host:port, as ss prints it ([host]:port for IPv6)."""
    if isinstance(address, list) and len(address) >= 2:
        host = f"[{address[0]}]" if ":" in str(address[0]) else str(address[0])
        return f"{host}:{address[1]}"
    return nothing if address in (None, "") else str(address)


def _kernel_row(title: str, row: KernelRow | KernelSeen, sock_type: str) -> RenderableType:
    table = Table(title=title, title_justify="left", box=None)
    # In the order ss prints them: Recv-Q before Send-Q.
    values = [row.state, row.recv_queue, row.send_queue] + ([row.drops] if row.drops else [])
    for column in ("state", "recv-q", "send-q", "drops")[: len(values)]:
        table.add_column(column)
    table.add_row(*(safe(str(value)) for value in values))
    note = recv_queue_note(sock_type, row.state, row.recv_queue)
    return Group(table, Text(note, "dim")) if note else table


def hexdump(event: Event | None) -> RenderableType:
    if event is not None and event.kind == ev.BLOCK and calls.call(event.op).data:
        return Text("This call is blocked: no bytes have moved yet.", "dim")
    if event is None or event.data is None:
        return Text("Select a send or a receive to see its bytes.", "dim")
    data = event.data
    lines = [
        Text(
            f"{event.data_len} bytes"
            + (f", first {len(data)} shown" if event.data_len > len(data) else ""),
            "bold",
        )
    ]
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(Text(f"{offset:04x}  {hexes:<47}  {text}"))
    lines.append(Text("as text: ", "dim") + safe(data))
    return Group(*lines)


def explanation(
    event: Event | None, state: LabState | None = None, width: int | None = None
) -> RenderableType:
    """Why: what the call does, what happened and, for an error, its likely cause (``state``
    tells what came before). A row longer than the headline's ``width`` comes first, whole."""
    if event is None:
        return NOTHING
    why = safe(explain(event) or "Nothing more to say about this one.", multiline=True)
    if state is not None and _reset_before_accept(event, state):
        why.append("\n\n" + visible(never_accepted(event)))
    row = headline(event)
    if width is None or row.cell_len <= width:
        return why
    return Text.assemble(row, "\n\n", why)


def _reset_before_accept(event: Event, state: LabState) -> bool:
    """A TCP connection reset (or broken) that no actor's socket ever took from accept()."""
    sock = event.sock
    if event.kind != ev.RAISE or event.errno not in ("ECONNRESET", "EPIPE") or sock is None:
        return False
    if sock.type != "SOCK_STREAM" or not sock.local or not sock.peer:
        return False
    sockets = [s for actor in state.actors.values() for s in actor.sockets.values()]
    listening = any(s.local == sock.peer for s in sockets if s.peer is None)
    accepted = any(s.local == sock.peer and s.peer == sock.local for s in sockets)
    return listening and not accepted


def ladder(rungs: list[Rung], actors: list[str], width: int, height: int) -> RenderableType:
    """Actors as lanes; an arrow for what crossed between them, ✗ for a drop."""
    if not actors:
        return NOTHING
    lane_width = max(8, min(24, (width - 7) // max(1, len(actors))))
    centers = {name: 7 + lane_width * i + lane_width // 2 for i, name in enumerate(actors)}
    total = 7 + lane_width * len(actors)
    head = [" "] * total
    for name, center in centers.items():
        label = fit_name(name, lane_width - 1).rstrip()  # a thread keeps its own part
        start = max(0, center - len(label) // 2)
        head[start : start + len(label)] = list(label)
    lines = [Text("".join(head), "bold")]
    shown = rungs[-max(1, height - 2) :]
    for rung in shown:
        row = [" "] * total
        for center in centers.values():
            row[center] = "│"
        prefix = f"{rung.step:>5}  "
        row[: len(prefix)] = list(prefix)
        style = ""
        source = centers.get(rung.source)
        target = centers.get(rung.target)
        if (
            rung.kind in (ARROW, DROP)
            and source is not None
            and target is not None
            and source != target
        ):
            low, high = sorted((source, target))
            for x in range(low + 1, high):
                row[x] = "─"
            if rung.kind == DROP:
                row[(low + high) // 2] = "✗"
                style = "red"
            else:
                row[target] = "▶" if target > source else "◀"
            row[source] = "●"
            label = rung.label[: max(0, high - low - 3)]
            start = low + 2
            row[start : start + len(label)] = list(label)
        elif source is not None:
            row[source] = "◆"
            label = rung.label[:lane_width]
            start = source + 2
            row[start : start + len(label)] = list(label)[: max(0, total - start)]
            style = "yellow" if rung.label.startswith("⏸") else "dim"
        lines.append(Text("".join(row)[: max(total, width)], style))
    if len(lines) == 1:
        lines.append(Text("Nothing has crossed between the actors yet.", "dim"))
    return Group(*lines)


# A mark for every fate a message can have (analysis.py), in the order the legend lists them.
FATE_MARKS = {
    analysis_rules.READ: ("●", "read"),
    analysis_rules.LATE: ("↯", "read late (after one sent later)"),
    analysis_rules.DUPLICATED: ("²", "arrived twice"),
    analysis_rules.ON_THE_LINK: ("·", "on the link"),
    analysis_rules.UNREAD: ("○", "arrived, not read"),
    analysis_rules.KERNEL: ("▼", "dropped by the receiver's kernel"),
    analysis_rules.KERNEL_OR_UNREAD: ("◌", "not read: dropped by the kernel or left unread"),
    analysis_rules.LOST: ("✗", "lost on the link"),
    analysis_rules.NO_RECEIVER: ("⊘", "no lab socket at that address"),
    analysis_rules.OUTSIDE: ("↗", "to a peer whose side is not traced (its reads unknown)"),
}
STRIP = 200  # marks drawn per flow


def _kernel_drops(flow: FlowStats) -> str:
    """What the receiver's kernel dropped: UDP only, once it is known, where there is one."""
    if flow.transport != "UDP" or not flow.lab_receiver:
        return "-"
    return str(flow.dropped_kernel) if flow.kernel_known else "?"


def delivery(analysis: Analysis) -> RenderableType:
    """What was sent and what arrived, per flow; TCP beside UDP. The table, the strip and its
    legend read one analysis: each message's fate."""
    if not analysis.flows:
        return Text("No data has flowed yet.", "dim")
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for column in ("flow", "sent", "read", "lost", "kernel", "dup", "late", "worst"):
        table.add_column(column)
    for flow in analysis.flows:
        worst = "-" if flow.max_latency is None else f"{flow.max_latency * 1000:.0f} ms"
        udp = flow.transport == "UDP"
        read = f"{flow.delivered}" + (" in order" if flow.in_order else "")
        sent = str(flow.sent)
        if not flow.lab_sender:  # from a peer not traced (outside the lab): only the reads are
            sent, read = "? (untraced)", f"{flow.delivered_bytes} bytes"
        elif not flow.lab_receiver and not udp:  # to one: only the sends are
            read = "? (untraced)"
        table.add_row(
            safe(flow.name),
            sent,
            read,
            f"{flow.dropped_link}" if udp else f"0 ({flow.retransmitted} resent)",
            _kernel_drops(flow),
            str(flow.duplicated),
            str(flow.late),
            worst,
        )
    charts: list[RenderableType] = [table, Text("")]
    by_flow: dict[str, list[str]] = {}
    for fate in analysis.messages:  # the first STRIP of each flow (analyse keeps no more)
        by_flow.setdefault(fate.flow, []).append(fate.fate)
    for flow in analysis.flows:
        fates = by_flow.get(flow.name, [])[:STRIP]
        if not fates:
            continue
        line = safe(f"{flow.name[:28]:<28} ", "bold")
        line.append("".join(FATE_MARKS[fate][0] for fate in fates))
        if flow.sent > len(fates):
            line.append(f" …{flow.sent - len(fates)} more", "dim")
        charts.append(line)
    seen = {fate for fates in by_flow.values() for fate in fates[:STRIP]}  # the marks drawn
    marks = FATE_MARKS.items()
    legend = "  ".join(f"{mark} {what}" for fate, (mark, what) in marks if fate in seen)
    charts.append(Text(legend, "dim"))
    if any(_kernel_drops(flow) == "?" for flow in analysis.flows):
        when = "kernel ?: netlab reads the kernel's drop count as the receiving socket closes."
        charts.append(Text(when, "dim"))
    return Group(*charts)
