"""Explanations: what a call does, what just happened, and for an error its likely cause and
how to confirm it (with ``ss``, the socket statistics tool).

Plain text, computed from an event alone; the views show it beside the step.
"""

from __future__ import annotations

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.errors_explained import DATAGRAM_ERRORS, ERRORS, TIMEOUT
from netlab.core.events import Event
from netlab.core.safe_text import visible


def _is_datagram(event: Event) -> bool:
    return event.sock is not None and event.sock.type == "SOCK_DGRAM"


def what_it_does(event: Event) -> str:
    """What the call of ``event`` does, for the kind of socket it was made on."""
    entry = calls.call(event.op)
    return (entry.datagram or entry.what) if _is_datagram(event) else entry.what


def explain(event: Event) -> str:
    """What the call of ``event`` does, and what happened this time."""
    what = what_it_does(event)
    if event.kind == ev.BLOCK:
        entry = calls.call(event.op)
        woken = (
            "the kernel says the socket is ready" if entry.waits == calls.READ else entry.woken_by
        )
        happened = (
            f"This time nothing was ready, so {event.actor} waits here: netlab lets the other "
            f"actors run and resumes this call when {woken}"
            + (" or its timeout passes." if event.result is not None else ".")
        )
        return _join(what, happened)
    if event.kind == ev.RAISE:
        name = event.errno or ""
        happened = f"It failed: {visible(event.error or '')}."
        help_ = (_is_datagram(event) and DATAGRAM_ERRORS.get(name)) or ERRORS.get(name)
        if event.error and event.error.startswith("TimeoutError"):
            help_ = TIMEOUT
        asked = event.args[0] if event.args else None
        port = asked[1] if isinstance(asked, list) and len(asked) >= 2 else None
        why = help_.text(port if isinstance(port, int) else None) if help_ else ""
        held = event.extra.get("held_by")
        if isinstance(held, list) and held:  # asked of the kernel as the bind failed
            why = _join(why, "The port was held by: " + "; ".join(visible(str(h)) for h in held))
        return _join(what, happened, why)
    if event.kind == ev.RETURN:
        return _join(what, _returned(event))
    if event.kind == ev.WAKE:
        if event.result == "timeout":
            return f"The virtual clock reached the timeout of {event.actor}'s {event.op}()."
        if event.result == "interrupted":
            return (
                f"Every other program has finished and {event.actor} still waits, as a server "
                "in its accept loop does for ever. By hand you would press Ctrl-C: netlab does, "
                f"and {event.op}() raises KeyboardInterrupt, which the program may catch to "
                "clean up (its except and finally blocks run)."
            )
        return (
            f"The kernel now says {event.actor}'s socket is ready, so its {event.op}() can go "
            "on: the next step completes it."
        )
    if event.kind == ev.ACTOR_EXIT and event.error:
        others = (
            "the other programs went on, as they would by hand"
            if event.extra.get("program")
            else "netlab stopped the other actors"
        )
        return _join(
            f"{event.actor} raised an exception its code did not catch, so it ended; {others}. "
            "Its own traceback:",
            visible(event.text, multiline=True),
        )
    if event.kind == ev.END and event.result == "crashed":
        return (
            "An actor raised an exception. Choose its 'crashed' row in the trace (↑) and this tab "
            "shows its traceback."
        )
    if event.kind == ev.END and event.result == "timeout":
        return (
            "An actor ran too long without a socket call (an endless loop?) and was stopped. "
            "Its last calls are the last rows of the trace."
        )
    if event.kind == ev.OUTPUT:
        stream = "standard error" if event.op == "stderr" else "standard output"
        return (
            f"A line {event.actor} printed to its {stream}, shown where it came: after the "
            "calls made before it, before the calls after it. Its panel keeps the last lines."
        )
    if event.kind == ev.NOTE:
        return "A note: what the scenario says with ctx.say(), or what netlab says of the actor."
    if event.kind == ev.YIELD:
        return (
            "Real processes run side by side; in netlab one actor runs at a time. An actor that "
            "polls (a non-blocking call that finds nothing, a select() that returns at once with "
            "nothing new) or runs long without waiting would keep the others from ever running, "
            "so it gives way here, and goes on when the actors that can run have had their turn."
        )
    if event.kind == ev.LINK:
        return _join(*_link_story(event))
    if event.kind == ev.DEADLOCK or (event.kind == ev.END and event.result == "deadlock"):
        # The report names each actor and the call it is stuck in: one line each.
        stuck = [part.strip() for part in visible(event.text).split(";") if part.strip()]
        stuck = [part for part in stuck if part != "nothing can happen any more"]
        return _join(
            "Every actor waits for another, and nothing else can happen: a deadlock. A classic "
            "cause: both peers call recv() first. One side must send before it receives.",
            "\n".join(f"  {part}" for part in stuck),
        )
    return ""


def _link_story(event: Event) -> list[str]:
    """A decision of the link model, told whole: what happened to the packet, and what that
    means for TCP or UDP."""
    extra = event.extra
    if not extra.get("modelled"):  # the kernel refused what the link handed it
        return [f"The kernel refused what netlab's link handed it: {visible(event.text)}."]
    story = [
        f"A decision of netlab's link model, not of the kernel: {visible(event.text)}. The "
        "seed makes the same decisions every run."
    ]
    if event.op == "segment":
        losses = extra.get("losses", 0)
        if losses:
            story.append(
                f"The link lost this segment {_times(losses)}. TCP sends a lost segment again "
                "after its retransmission timeout, which doubles each time the same segment is "
                "lost again. (netlab models this: the kernel's own retransmissions cannot be "
                "forced without root.)"
            )
        held = _number(extra.get("release_at")) - _number(extra.get("arrive_at"))
        if held > 0:
            story.append(
                "It arrived while an earlier segment was still missing. TCP hands the reader "
                "bytes only in order, so it waited for that one (head-of-line blocking): the "
                "stream comes late, but whole and in order."
            )
        return story
    arrivals = extra.get("arrivals") or []
    if not arrivals:
        story.append(
            "The link lost this datagram. UDP does not send it again and nobody tells the "
            "sender: the receiver never sees it."
        )
    if len(arrivals) > 1:
        story.append(
            "The link delivered this datagram twice. UDP does not notice: the receiver reads "
            "both copies as two datagrams."
        )
    if extra.get("corrupted"):
        story.append(
            "A byte was changed on the way and netlab hands the datagram on damaged, so the "
            "damage can be seen; on a real network its checksum would usually make the "
            "receiving kernel drop it."
        )
    return story


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def never_accepted(event: Event) -> str:
    """For a connection the server never took with accept(): why it was reset."""
    return (
        f"No actor ever accepted this connection ({event.actor}'s socket): it waited in the "
        "listening socket's queue, and when that socket was closed the kernel reset every "
        "connection still waiting there. Each client needs its own accept()."
    )


def _returned(event: Event) -> str:
    entry = calls.call(event.op)
    if event.extra.get("deferred"):
        return (
            f"For {event.actor} the socket is closed now, as by hand. netlab's link still "
            "carries bytes this socket sent: the real socket is closed (and its FIN sent) once "
            "the link has delivered them, as the kernel sends a FIN behind queued data. Until "
            "then ss still shows it, in the state it had, with its descriptor."
        )
    stream = event.sock is not None and event.sock.type == "SOCK_STREAM"
    if entry.data == calls.IN and event.data is not None:
        if event.data_len == 0 and stream:
            return "It returned b'': the peer has closed its side. No more data will come."
        return f"{event.data_len} bytes arrived."
    if entry.data == calls.OUT and entry.returns == calls.COUNT and isinstance(event.result, int):
        return f"The kernel took {event.result} bytes."
    if entry.returns == calls.CONNECTION and event.new_sock is not None:
        return f"A client connected; the new socket {event.new_sock.id} is its connection."
    if entry.state == calls.BOUND and event.sock is not None and event.sock.local:
        return "The socket now has its address."
    return ""


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)
