"""The headless view: a lab's trace printed one line per step, for ``netlab run``."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import IO, Any

from netlab.core import events as ev
from netlab.core import questions
from netlab.core.analysis import Analysis, FlowStats, Sockets, analyse, summary
from netlab.core.conductor import COMPLETED, CRASHED, DEADLOCK, RUN, TIMEOUT, Conductor
from netlab.core.containment import Limits
from netlab.core.describe import event_text
from netlab.core.events import Event
from netlab.core.recording import RecordedEvents, RecordingError, RecordingWriter, lab_header
from netlab.core.safe_text import visible
from netlab.core.scenario import load_scenario

EXIT_CODES = {COMPLETED: 0, CRASHED: 1, DEADLOCK: 3, TIMEOUT: 4}

# Events that are not a line of the trace: a call is shown with its outcome; the deadlock report
# is the last line.
_SILENT = {ev.CALL, ev.ACTOR_START, ev.DEADLOCK}


def trace_line(event: Event, actor_width: int) -> str | None:
    """The event as a line of the headless trace, or None if it has none."""
    shown = event.extra.get("compound") if event.kind == ev.CALL else "thread_of" in event.extra
    if event.kind in _SILENT and not shown:  # a helper's call; a thread that began
        return None
    is_step = event.kind in ev.OUTCOMES and not event.extra.get("compound")
    step = f"{event.step:>5}" if is_step else " " * 5
    actor = visible(event.actor)
    lines = [f"{step} {event.vtime:>8.3f}s  {actor:<{actor_width}}  {event_text(event)}"]
    indent = " " * (17 + actor_width)
    if event.kind == ev.ACTOR_EXIT and event.text:  # the actor's own traceback, shown as such
        lines += [f"{indent}{visible(line)}" for line in event.text.splitlines()]
    question = questions.of(event)
    if question is not None:  # asked and answered at once: nobody is there to predict
        told = [*question.lines()[1:], f"  answer: {question.answer_text()}"]
        lines += [f"{indent}{visible(line)}" for line in told]
    return "\n".join(lines)


def report_lines(analysis: Analysis) -> list[str]:
    """What was sent and what arrived; TCP and UDP side by side when a lab has both."""
    tcp = [flow for flow in analysis.flows if flow.transport == "TCP"]
    udp = [flow for flow in analysis.flows if flow.transport == "UDP"]
    if len(tcp) == 1 and len(udp) == 1:
        return side_by_side(tcp[0], udp[0])
    return ["Deliveries:", *(f"  {line}" for line in summary(analysis))]


def _segments(count: int) -> str:
    return f"{count} segment" + ("" if count == 1 else "s")


def side_by_side(tcp: FlowStats, udp: FlowStats) -> list[str]:
    def ms(seconds: float | None) -> str:
        return "-" if seconds is None else f"{seconds * 1000:.0f} ms"

    in_order = {True: " (in order)", False: " (OUT OF ORDER)", None: ""}[tcp.in_order]
    rows = [
        ("", "TCP", "UDP"),
        ("messages sent", str(tcp.sent), str(udp.sent)),
        ("arrived", f"{tcp.delivered}{in_order}", str(udp.delivered)),
        ("lost", f"0 ({_segments(tcp.retransmitted)} sent again)", str(udp.dropped_link)),
        ("dropped by the kernel", "0", str(udp.dropped_kernel) if udp.kernel_known else "?"),
        ("duplicated", "0", str(udp.duplicated)),
        ("late (after one sent later)", "0", str(udp.late)),
        ("worst latency", ms(tcp.max_latency), ms(udp.max_latency)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows]
    return ["TCP vs UDP (the link's effects are modelled by netlab):", *lines]


def run_headless(
    ref: str,
    *,
    seed: int | None,
    link: str | None,
    as_json: bool,
    record: Path | None,
    time_limit: float,
    args: dict[str, Any],
    out: IO[str],
    typed: dict[str, str] | None = None,
    outside: bool = False,
    limits: Limits | None = None,
) -> int:
    """Run a scenario in run mode; print its trace (or JSON); return the exit code.

    Memory does not grow with the lab's length: the events go to the recording (or, without
    one, to a temporary file) as they are made, and the report at the end reads them back."""
    # Unlinked as it is made, so that nothing is left whatever ends netlab (kill, SIGKILL, a
    # lost SSH session); written and read again through its descriptor's name in /proc.
    with tempfile.TemporaryFile(prefix="netlab-run-", suffix=".jsonl") as held:
        return _run(
            ref,
            seed=seed,
            link=link,
            as_json=as_json,
            record=record,
            events_path=record or Path(f"/proc/self/fd/{held.fileno()}"),
            time_limit=time_limit,
            args=args,
            out=out,
            typed=typed,
            outside=outside,
            limits=limits,
        )


def _run(
    ref: str,
    *,
    seed: int | None,
    link: str | None,
    as_json: bool,
    record: Path | None,
    events_path: Path,
    time_limit: float,
    args: dict[str, Any],
    out: IO[str],
    typed: dict[str, str] | None,
    outside: bool,
    limits: Limits | None,
) -> int:
    loaded = load_scenario(ref)
    names = loaded.scenario.actor_names()
    width = max(len(name) for name in names)
    writer: RecordingWriter | None = None
    sockets = Sockets()  # what the report needs to know first, learnt as the lab goes

    def on_event(event: Event) -> None:
        sockets.see(event)
        if writer is not None:
            writer.write(event)
        if not as_json:
            line = trace_line(event, width)
            if line is not None:
                out.write(line + "\n")

    conductor = Conductor(
        loaded,
        mode=RUN,
        seed=seed,
        link=link,
        time_limit=time_limit,
        on_event=on_event,
        args=args,
        typed=typed,
        outside=outside,
        limits=limits,
        keep_events=False,
    )
    if not as_json:
        out.write(
            f"netlab: {loaded.name} - {loaded.scenario.title}\n"
            f"link {conductor.link.describe()}, seed {conductor.seed}\n"
        )
    try:
        more = {"outside": True} if outside else {}
        header = lab_header(loaded, seed=conductor.seed, link=conductor.link, **more)
        try:
            # A temporary file is only read once the lab has ended: no need to flush each line.
            writer = RecordingWriter(events_path, header, flush=record is not None)
        except OSError as exc:
            raise RecordingError(f"{record}: cannot be written ({exc.strerror})") from None
        outcome = conductor.run()
    finally:
        if writer is not None:
            writer.close()
        out.flush()
    events = RecordedEvents(events_path)  # read back, a line at a time
    analysis = analyse(events, messages=0, sockets=sockets)
    if as_json:
        document = {
            "scenario": loaded.name,
            "title": loaded.scenario.title,
            "seed": conductor.seed,
            "link": conductor.link.to_json(),
            "ports": conductor.ports,
            "outcome": {"kind": outcome.kind, "message": outcome.message},
            "analysis": analysis.to_json(),
            "events": [],
        }
        # The document as one json.dumps would write it, its events written one at a time.
        text = json.dumps(document, ensure_ascii=False)
        out.write(text[: -len("]}")])
        for number, event in enumerate(events):
            out.write((", " if number else "") + json.dumps(event.to_json(), ensure_ascii=False))
        out.write("]}\n")
    elif analysis.flows:
        out.write("\n" + "\n".join(report_lines(analysis)) + "\n")
    return EXIT_CODES.get(outcome.kind, 1)
