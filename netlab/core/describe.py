"""Plain-text descriptions of events: ``recv(1024) -> b'hi' (2 bytes)``.

Shared by the headless printer, the TUI and the exporters. Everything returned here has passed
through :func:`netlab.core.safe_text.visible` (or ``repr`` of bytes), so it is safe to show.
"""

from __future__ import annotations

import errno
import re
from typing import Any

from netlab.core import calls, questions
from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.safe_text import visible

_DATA_SHOWN = 48  # bytes of data shown in a one-line description


def value(raw: Any) -> str:
    """A JSON value from an event as Python would print it: addresses as tuples."""
    if isinstance(raw, list):
        inner = ", ".join(value(item) for item in raw)
        return f"({inner},)" if len(raw) == 1 else f"({inner})"
    if isinstance(raw, str):
        names = ("AF_", "SOCK_", "SOL_", "SO_", "IPPROTO_", "TCP_", "IP_", "SHUT_", "MSG_")
        if raw.startswith(names):
            return visible(raw)
        return visible(repr(raw))
    return visible(repr(raw))


def data_repr(event: Event, limit: int = _DATA_SHOWN) -> str:
    """The event's data as a bytes literal, cut to ``limit`` bytes."""
    data = event.data or b""
    shown = repr(data[:limit])
    if event.data_len > limit:
        shown += f"...({event.data_len} bytes)"
    return shown


_SIZE_ONLY = re.compile(r"<(\d+) bytes>")  # how a call's data is named where it is not kept


def given_size(event: Event) -> int | None:
    """How many bytes a send was given (its first argument names the size), if it says."""
    first = event.args[0] if event.args else None
    found = _SIZE_ONLY.fullmatch(first) if isinstance(first, str) else None
    return int(found.group(1)) if found else None


def _given_repr(event: Event) -> str:
    """A send's data as it was given: a part sent shows the size it was given, not the part."""
    given = given_size(event)
    if given is None or given == event.data_len:
        return data_repr(event)
    data = event.data or b""
    return f"{data[:_DATA_SHOWN]!r}...({given} bytes)"


def call_text(event: Event) -> str:
    """The call as written in Python: ``bind(('127.0.0.1', 5000))``."""
    return visible(_call_text(event))


def _call_text(event: Event) -> str:
    args = list(event.args)
    data_first = calls.call(event.op).data_first and args
    if event.data is not None and data_first:
        args_text = [_given_repr(event)] + [value(a) for a in args[1:]]
    elif data_first and isinstance(args[0], str) and _SIZE_ONLY.fullmatch(args[0]):
        # A send that failed keeps only the size of its data: no string was passed.
        args_text = [args[0]] + [value(a) for a in args[1:]]
    else:
        args_text = [value(a) for a in args]
    return f"{event.op}({', '.join(args_text)})"


def result_text(event: Event) -> str:
    """What the call returned, raised, or that it blocked."""
    return visible(_result_text(event))


def _result_text(event: Event) -> str:
    if event.kind == ev.RAISE:
        where = f" [{event.errno}]" if event.errno else ""
        return f"raised {visible(event.error or 'an error')}{where}"
    if event.kind == ev.BLOCK:
        timeout = f" (timeout {event.result:g} s)" if isinstance(event.result, (int, float)) else ""
        return f"blocked{timeout}"
    entry, result = calls.call(event.op), event.result
    if entry.data == calls.IN and event.data is not None:
        if entry.returns in (calls.DATA_FROM, calls.COUNT_FROM):  # its result is the sender
            return f"({data_repr(event)}, {value(result)})"
        if entry.returns == calls.DATA_MSG:  # the sender too, and how the message came
            count = event.extra.get("ancillary") or 0
            ancillary = "[]" if not count else f"[{count} item{'s' if count != 1 else ''}]"
            flags = value(event.extra.get("msg_flags") or 0)
            return f"({data_repr(event)}, {ancillary}, {flags}, {value(result)})"
        if event.data_len == 0:
            return data_repr(event) + "  (peer closed: EOF)"
        shown = data_repr(event)  # a long one already ends with its size
        return shown if shown.endswith(" bytes)") else f"{shown}  ({event.data_len} bytes)"
    if entry.returns == calls.SOCKET and event.sock is not None:
        if entry.compound:  # create_connection, create_server: the socket made inside
            return visible(result) if result == event.sock.id else value(result)
        return f"{event.sock.id} (fd {event.sock.fd})"
    if entry.returns == calls.CONNECTION and isinstance(result, list) and len(result) == 2:
        return f"({visible(str(result[0]))}, {value(result[1])})"
    if entry.returns == calls.ERROR_NUMBER and isinstance(result, int) and result:
        return f"{result} ({errno.errorcode.get(result, '?')})"
    if entry.returns == calls.COUNT and isinstance(result, int):
        return f"{result}"
    return value(result)


def event_text(event: Event) -> str:
    """One line saying what the event is: whatever a recording put in it, shown, never sent
    raw to a terminal."""
    return visible(_event_text(event))


def _event_text(event: Event) -> str:
    kind = event.kind
    if kind in ev.OUTCOMES:
        return f"{call_text(event)} -> {result_text(event)}"
    if kind == ev.CALL:
        return f"{call_text(event)} ..."
    if kind == ev.WAKE:
        if event.result == "timeout":
            return f"{event.op}() timed out on the virtual clock"
        if event.result == "interrupted":
            return f"Ctrl-C: the others have finished; {event.op}() raises KeyboardInterrupt"
        return f"{event.op}() can go on: {calls.call(event.op).woken_by}"
    if kind == ev.YIELD:
        return f"gives way to the others ({visible(event.text)})"
    if kind == ev.OUTPUT:  # what it wrote to stderr is told apart, as a terminal cannot
        return f"{'!' if event.op == 'stderr' else '|'} {visible(event.text)}"
    if kind == ev.NOTE:
        if event.op == questions.ASK:
            return f"asks: {visible(event.text)}"
        return f'" {visible(event.text)}'
    if kind == ev.ACTOR_START:
        if "thread_of" in event.extra:  # a lane: a thread its actor started
            owner = visible(str(event.extra["thread_of"]))
            return f"a thread of {owner} started (in its process, pid {event.result})"
        return f"started (pid {event.result})"
    if kind == ev.ACTOR_EXIT:
        if event.error:
            return f"crashed: {visible(event.error)}"
        if event.extra.get("stopped"):
            return f"stopped when the others finished ({visible(str(event.extra['stopped']))})"
        status = event.extra.get("status")
        return f"exited with status {visible(str(status))}" if status else "finished"
    if kind == ev.LINK:
        source = "link model" if event.extra.get("modelled") else "kernel"
        return f"[{source}] {visible(event.text)}"
    if kind == ev.DEADLOCK:
        return f"deadlock: {visible(event.text)}"
    if kind == ev.END:
        return f"{event.result}: {visible(event.text)}"
    return visible(event.text)
