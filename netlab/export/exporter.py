"""``netlab export``: from a scenario or a recording, everything a tutorial needs, headless.

Into one folder: the event log (``events.jsonl``), a picture of the lab at every step
(``step-001.svg`` ...), a Markdown tutorial that links them (``tutorial.md``), and a cast of
the lab played by an autopilot (``lab.cast``), with a chapter marker at every step.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netlab.core.containment import Limits
from netlab.core.explain import explain
from netlab.core.recording import Recording, RecordingError, read_recording
from netlab.export.asciicast import CastWriter
from netlab.export.markdown import tutorial
from netlab.export.pty_record import record

# How fast the autopilot steps while the cast is made; the cast itself plays at ``pace``.
_AUTOPILOT_PACE = 0.05


@dataclass
class Exported:
    folder: Path
    events: Path
    pictures: dict[int, str] = field(default_factory=dict)  # step -> file name
    tutorial: Path | None = None
    cast: Path | None = None


def parse_size(text: str) -> tuple[int, int]:
    """``80x24`` as (80, 24); ValueError with a message for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"size {text!r}: expected COLUMNSxROWS, for example 80x24")
    size = (int(width), int(height))
    if not (40 <= size[0] <= 400 and 12 <= size[1] <= 200):
        raise ValueError(f"size {text!r}: from 40x12 to 400x200")
    return size


def export(
    ref: str,
    folder: Path,
    *,
    size: tuple[int, int] = (80, 24),
    pace: float = 1.0,
    seed: int | None = None,
    link: str | None = None,
    args: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    limits: Limits | None = None,
    cast: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Exported:
    """Export a scenario (run it first, headless) or a recording (``.jsonl``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    events_path = folder / "events.jsonl"
    source = Path(ref)
    if source.suffix == ".jsonl":
        recording = read_recording(source)  # refused here if damaged, before anything is made
        if source.resolve() != events_path.resolve():
            events_path.write_bytes(source.read_bytes())
    else:
        from netlab.headless import run_headless

        progress(f"running {ref} ...")
        run_headless(
            ref,
            seed=seed,
            link=link,
            as_json=False,
            record=events_path,
            time_limit=30.0,
            args=args or {},
            typed=typed,
            limits=limits,
            out=io.StringIO(),
        )
        recording = read_recording(events_path)
    result = Exported(folder, events_path)
    progress(f"drawing every step at {size[0]}x{size[1]} ...")
    result.pictures = draw_steps(events_path, recording, folder, size)
    result.tutorial = folder / "tutorial.md"
    text = tutorial(
        recording.header, recording.events, picture=result.pictures.get, explain=explain
    )
    result.tutorial.write_text(text, encoding="utf-8")
    if cast:
        progress("recording the cast ...")
        result.cast = folder / "lab.cast"
        make_cast(events_path, recording, result.cast, size, pace)
    return result


def draw_steps(
    events_path: Path, recording: Recording, folder: Path, size: tuple[int, int]
) -> dict[int, str]:
    """An SVG of the lab after every step, drawn by the app itself, headless."""
    from textual.pilot import Pilot

    from netlab.ui.app import NetlabApp
    from netlab.ui.screens.lab import LabScreen

    pictures: dict[int, str] = {}
    name = str(recording.header.get("scenario", events_path.stem))

    async def autopilot(pilot: Pilot[object]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        if not isinstance(screen, LabScreen):  # the recording could not be opened
            pilot.app.exit()
            return
        while not screen.source.finished:
            screen.action_step()
            await pilot.pause()
            taken = screen.selected_event()  # the step just taken
            if taken is None or taken.step in pictures:  # no new step: drawn already
                continue
            file_name = f"step-{taken.step:03d}.svg"  # named as the tutorial names the step
            svg = pilot.app.export_screenshot(title=f"{name}: step {taken.step}")
            (folder / file_name).write_text(svg, encoding="utf-8")
            pictures[taken.step] = file_name
        pilot.app.exit()

    app = NetlabApp(recording=events_path)
    app.run(headless=True, size=size, auto_pilot=autopilot)
    return pictures


def make_cast(
    events_path: Path, recording: Recording, cast_path: Path, size: tuple[int, int], pace: float
) -> int:
    """The lab played by an autopilot in a pseudo-terminal, recorded as an asciicast."""
    title = f"netlab: {recording.header.get('title', events_path.stem)}"
    argv = [
        sys.executable,
        "-m",
        "netlab",
        "replay",
        str(events_path),
        "--autoplay",
        str(_AUTOPILOT_PACE),
    ]
    with CastWriter(cast_path, size[0], size[1], str(title)) as cast:
        return record(argv, cast, width=size[0], height=size[1], show=False, pace=pace)


__all__ = ["Exported", "RecordingError", "export", "parse_size"]
