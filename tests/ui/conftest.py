"""Helpers for the UI tests: recordings to replay (deterministic) and a live lab (real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netlab.ui.app import NetlabApp

FIXTURES = Path(__file__).parent / "fixtures"


def recording(name: str) -> Path:
    return FIXTURES / f"{name}.jsonl"


def replay_app(name: str, *, questions: bool = False) -> NetlabApp:
    return NetlabApp(recording=recording(name), questions=questions)


@pytest.fixture(autouse=True)
def no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pilot waits for animations (a tab's underline slides for 0.4 s): tests skip them."""
    import textual.constants

    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder (screenshots and ./scenarios are looked for in the cwd)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def palette_prompts(app) -> str:  # type: ignore[no-untyped-def]
    """The text of what the open command palette lists."""
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found:
        return ""
    options = found.first()
    return "\n".join(
        str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
    )


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds: a live lab's processes take their time."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the app did not get there in time"
        await pilot.pause(0.05)
