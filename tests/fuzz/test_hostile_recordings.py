"""Hostile recordings through the loader and every view: each one is refused with its file and
line, or shown with nothing raw reaching the terminal, the Markdown or the SVG — and never a
traceback, each in bounded time. Seeded: the same corpus every run."""

from __future__ import annotations

import io
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType

from netlab.core import strace
from netlab.core.analysis import analyse, summary
from netlab.core.describe import event_text
from netlab.core.events import Event
from netlab.core.explain import explain
from netlab.core.ladder import rungs
from netlab.core.recording import RecordingError, read_recording
from netlab.core.reducer import reduce
from netlab.export.markdown import tutorial
from netlab.ui.widgets import details
from tests.fuzz.hostile_corpus import hostile_recording

# Recordings per run of the suite, and the seed; more with NETLAB_FUZZ_COUNT, another corpus
# with NETLAB_FUZZ_SEED.
CORPUS = int(os.environ.get("NETLAB_FUZZ_COUNT", "300"))
SEED = int(os.environ.get("NETLAB_FUZZ_SEED", "20261202"))
pytestmark = pytest.mark.timeout(max(120, CORPUS // 2))
# A control byte that a terminal acts on: C0 but tab and newline, DEL, C1, and the bidi ones.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def _views(events: list[Event], header: dict[str, Any]) -> list[tuple[str, str]]:
    """The text of every view of every step, as the lab and the export would draw it."""
    state = reduce(events)
    analysis = analyse(events)
    texts = [("trace", event_text(e)) for e in events]
    texts += [("strace", strace.syscall(e)) for e in events]
    texts += [("why", explain(e)) for e in events]
    texts += [("summary", line) for line in summary(analysis)]
    texts += [("ladder rungs", repr(rung)) for rung in rungs(events)]
    sources = {str(header.get("file", "")): str(header.get("source", ""))}
    file = str(header.get("file", ""))
    for event in events[-30:]:
        for name, renderable in (
            ("headline", details.headline(event)),
            ("strace tab", details.strace(event)),
            ("bytes tab", details.hexdump(event)),
            ("why tab", details.explanation(event, state, 80)),
            ("kernel tab", details.kernel(event, state, now=None)),
            ("code tab", details.code(event, sources, file)),
        ):
            texts.append((name, _drawn(renderable)))
    texts.append(("delivery tab", _drawn(details.delivery(analysis))))
    texts.append(
        ("ladder tab", _drawn(details.ladder(rungs(events), sorted(state.actors), 80, 20)))
    )
    texts.append(("tutorial", tutorial(header, events, explain=explain)))
    return texts


def _drawn(renderable: RenderableType) -> str:
    console = Console(width=100, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def test_a_hostile_corpus_is_refused_line_by_line_or_shown_literally(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    refused = shown = 0
    for number in range(CORPUS):
        path = tmp_path / f"hostile-{number}.jsonl"
        path.write_text(hostile_recording(rng), encoding="utf-8", errors="surrogatepass")
        started = time.perf_counter()
        try:
            recording = read_recording(path)
        except RecordingError as exc:
            refused += 1
            assert str(exc).startswith(str(path)), exc
            assert "\n" not in str(exc) and not RAW.search(str(exc)), repr(str(exc))
            continue
        shown += 1
        for view, text in _views(recording.events, recording.header):
            found = RAW.search(text)
            assert found is None, f"{path.name}: {found.group()!r} reached the {view} raw"
        assert time.perf_counter() - started < 5.0, f"{path.name} took too long"
    assert refused > CORPUS // 6 and shown > CORPUS // 6  # both ways are exercised


def _readable_hostile(folder: Path, seed: int, count: int) -> list[Path]:
    """``count`` hostile recordings of the corpus that the loader takes (well-formed ones)."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        path = folder / f"readable-{seed}-{len(found)}.jsonl"
        path.write_text(hostile_recording(rng), encoding="utf-8", errors="surrogatepass")
        try:
            read_recording(path)
        except RecordingError:
            continue
        found.append(path)
    return found


def test_hostile_recordings_export_to_well_formed_svg_and_clean_markdown(tmp_path: Path) -> None:
    """The export draws every step with the app itself: a few of the corpus's well-formed
    hostile recordings, each picture parsed as XML."""
    import xml.etree.ElementTree as ElementTree

    from netlab.export.exporter import export

    for number, path in enumerate(_readable_hostile(tmp_path, SEED + 1, 2)):
        folder = tmp_path / f"out-{number}"
        result = export(str(path), folder, size=(80, 24), cast=False)
        for picture in result.pictures.values():
            ElementTree.parse(folder / picture)  # well-formed, whatever the text held
        markdown = result.tutorial.read_text(encoding="utf-8")
        found = RAW.search(markdown)
        assert found is None, f"{found.group()!r} in the tutorial"


async def test_hostile_recordings_replayed_in_the_lab_reach_no_screen_raw(tmp_path: Path) -> None:
    """A few of the corpus's well-formed hostile recordings, replayed in the app to their end,
    every tab drawn: no crash, nothing raw on any screen."""
    from netlab.ui.app import NetlabApp
    from netlab.ui.screens.lab import TABS, LabScreen

    for path in _readable_hostile(tmp_path, SEED + 2, 3):
        app = NetlabApp(recording=path)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, LabScreen)
            await pilot.press("e")
            await pilot.pause()
            for number in range(1, len(TABS) + 1):
                await pilot.press(str(number))
                svg = app.export_screenshot()
                found = RAW.search(svg)
                assert found is None, f"{path.name}: {found.group()!r} on tab {number}"
            assert app.is_running
            await pilot.press("q")


async def test_hostile_questions_replayed_in_the_lab_reach_no_screen_raw(tmp_path: Path) -> None:
    """Hostile recordings of a lesson, its questions asked and revealed: nothing raw on them."""
    from netlab.ui.app import NetlabApp

    shown = 0
    for path in _readable_hostile(tmp_path, SEED + 3, 40):
        if '"ask"' not in path.read_text(encoding="utf-8", errors="replace"):
            continue
        app = NetlabApp(recording=path, questions=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "e")  # past the lesson's text, to the end
            for _ in range(6):  # each question, answered; each answer revealed
                await pilot.pause()
                found = RAW.search(app.export_screenshot())
                assert found is None, f"{path.name}: {found.group()!r} on {app.screen!r}"
                shown += 1
                await pilot.press("a", "enter")
            assert app.is_running
        if shown >= 12:
            break
    assert shown >= 6
