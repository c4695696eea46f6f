"""TCP's state diagram as data (RFC 9293 §3.3.2), and where one lab socket is in it.

The states are named as ``ss`` names them (ESTAB, SYN-RECV...), as the rest of the lab shows the
kernel's view; ``RFC_NAMES`` gives the RFC's name where it differs. Where a socket is comes from
what the kernel reported after each step (``kernel`` events), never from what netlab guesses:
when the kernel's states jump over others (over loopback a handshake or a close often takes less
than a step), the states between are named as passed through unseen, and only those that every
way between the two reported states goes through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from netlab.core import events as ev
from netlab.core.events import Event, SockInfo
from netlab.core.reducer import KernelSeen, kernel_rows

CLOSED = "CLOSED"
LISTEN = "LISTEN"
SYN_SENT = "SYN-SENT"
SYN_RECV = "SYN-RECV"
ESTAB = "ESTAB"
FIN_WAIT_1 = "FIN-WAIT-1"
FIN_WAIT_2 = "FIN-WAIT-2"
CLOSING = "CLOSING"
TIME_WAIT = "TIME-WAIT"
CLOSE_WAIT = "CLOSE-WAIT"
LAST_ACK = "LAST-ACK"

STATES = (
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECV,
    ESTAB,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSING,
    TIME_WAIT,
    CLOSE_WAIT,
    LAST_ACK,
)
RFC_NAMES = {ESTAB: "ESTABLISHED", SYN_RECV: "SYN-RECEIVED"}

# The kernel's names for states of the diagram, where they are not the diagram's own: 07 in
# /proc/net/tcp ("CLOSE") is a socket still held by its program but closed for TCP (a connect()
# that failed, say).
_KERNEL_NAMES = {"CLOSE": CLOSED, "ESTABLISHED": ESTAB, "SYN-RECEIVED": SYN_RECV}

CLOSE_CALLS = ("close", "shutdown")
CONNECT_CALLS = ("connect", "connect_ex")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    cause: str  # what makes it: a call of the program, a segment received, a timer
    calls: tuple[str, ...] = ()  # the program's calls that make it; (): the network or a timer
    rare: bool = False  # taken only when both ends do the same at once: not guessed unseen


TRANSITIONS = (
    # Opening: a server's socket listens, a client's connects (the three-way handshake).
    Transition(CLOSED, LISTEN, "listen()", ("listen",)),
    Transition(CLOSED, SYN_SENT, "connect(): SYN sent", CONNECT_CALLS),
    Transition(LISTEN, SYN_RECV, "SYN received, SYN+ACK sent"),
    Transition(SYN_RECV, ESTAB, "ACK received: the handshake is done"),
    Transition(SYN_SENT, ESTAB, "SYN+ACK received, ACK sent"),
    Transition(
        SYN_SENT, SYN_RECV, "SYN received (both ends opened at once), SYN+ACK sent", rare=True
    ),
    # Closing first (the active close), ending in TIME-WAIT.
    Transition(ESTAB, FIN_WAIT_1, "close(): FIN sent", CLOSE_CALLS),
    Transition(SYN_RECV, FIN_WAIT_1, "close(): FIN sent", CLOSE_CALLS),
    Transition(FIN_WAIT_1, FIN_WAIT_2, "ACK of FIN received"),
    Transition(FIN_WAIT_2, TIME_WAIT, "FIN received, ACK sent"),
    Transition(FIN_WAIT_1, CLOSING, "FIN received, ACK sent (both ends closed at once)"),
    Transition(CLOSING, TIME_WAIT, "ACK of FIN received"),
    Transition(FIN_WAIT_1, TIME_WAIT, "FIN and the ACK of FIN received, ACK sent"),
    Transition(TIME_WAIT, CLOSED, "2MSL timer (60 s on Linux)"),
    # Closing second (the passive close).
    Transition(ESTAB, CLOSE_WAIT, "FIN received, ACK sent"),
    Transition(CLOSE_WAIT, LAST_ACK, "close(): FIN sent", CLOSE_CALLS),
    Transition(LAST_ACK, CLOSED, "ACK of FIN received"),
    # Closed before a connection was made.
    Transition(LISTEN, CLOSED, "close()", CLOSE_CALLS),
    Transition(SYN_SENT, CLOSED, "RST received (refused), or close()"),
)

ACCEPT = "accept() takes an established connection"
RESET = "or it was reset (RST)"


def transition(source: str, target: str) -> Transition | None:
    """The transition from ``source`` straight to ``target``, if the diagram has one."""
    return next((t for t in TRANSITIONS if (t.source, t.target) == (source, target)), None)


def state_of(reported: str) -> str | None:
    """The diagram's state for a state the kernel reported (as ss names it); None if it is no
    state of the diagram."""
    name = _KERNEL_NAMES.get(reported, reported)
    return name if name in STATES else None


def ways(
    source: str, target: str, calls: Iterable[str] | None = None, *, rare: bool = False
) -> list[tuple[Transition, ...]]:
    """Every way from ``source`` to ``target`` that visits no state twice and goes on through
    no CLOSED (a connection closed is over), shortest first. With ``calls`` (the program's calls
    made meanwhile), a transition that a call makes is taken only if that call was made; a rare
    one only with ``rare``. Where that leaves no way, the limits are dropped one by one."""
    made = None if calls is None else set(calls)
    found: list[tuple[Transition, ...]] = []

    def walk(state: str, path: tuple[Transition, ...], seen: set[str]) -> None:
        if state == target and path:
            found.append(path)
            return
        if path and state == CLOSED:
            return
        for step in TRANSITIONS:
            if step.source != state or step.target in seen - {target}:
                continue
            if made is not None and step.calls and not made & set(step.calls):
                continue
            if step.rare and not rare:
                continue
            walk(step.target, (*path, step), seen | {step.target})

    walk(source, (), {source})
    if not found and made is not None:
        return ways(source, target, rare=rare)
    if not found and not rare:
        return ways(source, target, rare=True)
    return sorted(found, key=len)


@dataclass(frozen=True)
class Reading:
    """What the kernel said of one socket after a step: its state, or None (no row)."""

    step: int
    state: str | None
    watched: bool = True  # False: the kernel was not asked (played at full speed)
    calls: tuple[str, ...] = ()  # the socket's calls since the reading before


@dataclass
class History:
    """What the kernel reported of one socket over the steps, one reading for each change."""

    sock: SockInfo | None = None  # as at its latest event
    readings: list[Reading] = field(default_factory=list)
    accepted: bool = False  # returned by accept(): born in a listener's queue


def history(events: Iterable[Event], sock_id: str) -> History:
    """The kernel's readings of the socket ``sock_id`` in ``events`` (from its first event on),
    one for each change: what a live lab recorded while stepped or played at a person's pace.

    The conductor records the kernel's view after a step only when it changed: a step followed
    by no ``kernel`` event left it as the one before said."""
    found = History()
    calls: list[str] = []
    rows: dict[str, KernelSeen] | bool | None = False  # False: no kernel event yet
    done = 0  # the step taken last
    new_by_accept = False  # the socket came from accept() in the step taken last

    def take(step: int) -> None:
        nonlocal calls
        if rows is False or found.sock is None:
            return
        if rows is None:
            reading = Reading(step, None, False, tuple(calls))
        else:
            assert isinstance(rows, dict)
            row = rows.get(sock_id)
            reading = Reading(step, row.state if row else None, True, tuple(calls))
        _add(found, reading)
        if found.readings[-1] is reading:
            calls = []

    for event in events:
        if event.kind == ev.KERNEL:
            rows = kernel_rows(event)
            new_by_accept = False
            take(done)
            continue
        if event.kind in ev.OUTCOMES and not event.extra.get("compound"):
            take(done)  # what the kernel said after the step before, if not said since
            done = event.step
        if event.kind not in (ev.RETURN, ev.RAISE):
            continue
        if event.new_sock is not None and event.new_sock.id == sock_id:
            found.sock, found.accepted = event.new_sock, event.op == "accept"
            new_by_accept = found.accepted
            calls.append(event.op)
        elif event.sock is not None and event.sock.id == sock_id:
            found.sock = event.sock
            calls.append(event.op)
    if not new_by_accept:  # an accepted socket is in the kernel's tables: its row is to come
        take(done)
    return found


def _add(found: History, reading: Reading) -> None:
    last = found.readings[-1] if found.readings else None
    if last is None or (last.state, last.watched) != (reading.state, reading.watched):
        found.readings.append(reading)


@dataclass(frozen=True)
class Position:
    """Where a socket is in the diagram at the step shown, and how it got there."""

    state: str | None  # the state to light; None: not known, or not a TCP socket
    said: str  # what the kernel says of it, in words
    how: str = ""  # the transition that led there, named
    came_from: str | None = None  # the state the kernel reported before
    unseen: tuple[str, ...] = ()  # states it went through too fast to be seen (every way)
    path: tuple[Transition, ...] = ()  # the transitions that led there, where only one way did
    step: int | None = None  # the step after which the kernel first reported it


def is_tcp(sock: SockInfo) -> bool:
    return sock.type == "SOCK_STREAM" and sock.family in ("AF_INET", "AF_INET6")


def position(found: History, *, kept: bool = True, now: str | bool | None = False) -> Position:
    """Where the socket of ``found`` is: from the kernel's readings (``kept``: whether the lab's
    log has the kernel's view at all). ``now``: the kernel's state read now at a live lab's
    latest step (None: no row), False where it was not read."""
    sock = found.sock
    if sock is None:
        return Position(None, "Select a step made on a socket to see it in TCP's diagram.")
    if not is_tcp(sock):
        return Position(None, _not_tcp(sock))
    readings = list(found.readings)
    if now is not False:
        last_step = readings[-1].step if readings else 0
        current = Reading(last_step, now if isinstance(now, str) else None)
        if not readings or (readings[-1].state, readings[-1].watched) != (current.state, True):
            readings.append(current)
    if not readings:
        if not kept:
            return Position(
                None,
                "its TCP state is not known: the kernel's view was not kept (the lab ran "
                "freely, as netlab run runs it).",
            )
        return Position(None, "its TCP state is not known at this step.")
    last = readings[-1]
    if not last.watched:
        seen = _last_seen(readings)
        then = f" (last seen {seen.state} after step {seen.step})" if seen and seen.state else ""
        return Position(
            None,
            f"its TCP state is not known at this step: the lab was played at full speed, and "
            f"the kernel was not asked{then}.",
        )
    changed = [i for i, r in enumerate(readings[:-1]) if r.watched and r.state != last.state]
    before = readings[changed[-1]] if changed else None
    gap = bool(changed) and any(not r.watched for r in readings[changed[-1] + 1 : -1])
    had_row = any(r.watched and r.state is not None for r in readings[:-1])
    if last.state is None:
        if before is None or not had_row:
            return Position(
                CLOSED,
                "not in the kernel's tables yet: CLOSED in TCP's diagram, until listen() or "
                "connect().",
            )
        return _moved(before, last, CLOSED, gap, "gone from the kernel's tables: CLOSED")
    state = state_of(last.state)
    if state is None:
        return Position(None, f"the kernel reports {last.state}: no state of this diagram.")
    said = f"{_named(state)}, as the kernel reported it after step {last.step}"
    if before is None:
        first = next(r for r in readings if r.watched and r.state == last.state)
        if found.accepted:
            return _accepted(first, state, said)
        return Position(state, said, step=first.step)
    return _moved(before, last, state, gap, said)


def _last_seen(readings: Sequence[Reading]) -> Reading | None:
    return next((r for r in reversed(readings) if r.watched), None)


def _named(state: str) -> str:
    rfc = RFC_NAMES.get(state)
    return f"{state} ({rfc})" if rfc else state


def _not_tcp(sock: SockInfo) -> str:
    if sock.type == "SOCK_DGRAM":
        return (
            "a UDP socket: UDP has no connections, so it has none of TCP's states (the kernel "
            "lists it UNCONN, or ESTAB once connect() has fixed its peer)."
        )
    if sock.family == "AF_UNIX":
        return "a Unix-domain socket: TCP's states are not its own."
    return "not a TCP socket: TCP's states are not its own."


def _moved(before: Reading, after: Reading, target: str, gap: bool, said: str) -> Position:
    source = state_of(before.state or "") or CLOSED
    at = f" after step {after.step}"
    unwatched = " (the kernel was not asked in between: played at full speed)" if gap else ""
    direct = transition(source, target)
    if direct is not None:
        how = f"{source} → {target}{at}: {direct.cause}{unwatched}"
        return Position(target, said, how, source, (), (direct,), after.step)
    found = ways(source, target, after.calls)
    reset = f"; {RESET}" if target == CLOSED else ""
    if not found:
        how = f"{source} → {target}{at}: no transition of the diagram leads there{unwatched}"
        return Position(target, said, how, source, step=after.step)
    between = [tuple(t.target for t in way[:-1]) for way in found]
    unseen = tuple(s for s in between[0] if all(s in way for way in between))
    others = []
    for way in between:
        for state in way:
            if state not in unseen and state not in others:
                others.append(state)
    if len(found) == 1:
        causes = "; ".join(t.cause for t in found[0])
        passing = ", ".join(unseen)
        how = f"{source} → {target}{at}, passing through {passing} too fast to be seen"
        how += f": {causes}{unwatched}"
        return Position(target, said, how, source, unseen, found[0], after.step)
    if unseen:
        perhaps = f" (perhaps {' or '.join(others)} too)" if others else ""
        how = f"{source} → {target}{at}, passing through {', '.join(unseen)} too fast to be seen"
        how += f"{perhaps}{reset}{unwatched}"
    else:
        routes = " or ".join(", ".join(way) for way in between[:3])
        how = f"{source} → {target}{at}, through states too fast to be seen ({routes}){reset}"
        how += unwatched
    return Position(target, said, how, source, unseen, (), after.step)


def _accepted(reading: Reading, state: str, said: str) -> Position:
    """A socket accept() returned: the kernel made its connection in the listener's queue."""
    found = ways(LISTEN, state, ())  # the kernel's doing alone: no call of the program
    between = [tuple(t.target for t in way[:-1]) for way in found]
    unseen = tuple(s for s in between[0] if all(s in w for w in between)) if between else ()
    path = found[0] if len(found) == 1 else ()
    how = f"{ACCEPT} from the listener's queue, after step {reading.step}"
    if state != ESTAB:
        how += f", already {state}"
    if unseen:
        how += f": {', '.join(unseen)} came before, unseen"
    return Position(state, said, how, LISTEN, unseen, path, reading.step)
