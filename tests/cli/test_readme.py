"""The README's code, run as a reader would run it: its example scenario and every command of
its tour (those that need a terminal are parsed, not run)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from netlab.cli import main
from netlab.core.ports import LOOPBACK, free_ports

pytestmark = pytest.mark.timeout(120)
README = Path(__file__).parent.parent.parent / "README.md"
NEEDS_A_TERMINAL = {"open", "record", "replay", None}  # None: bare `netlab`, the lab itself


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def tour() -> list[list[str]]:
    """The tour's commands, without their comments, as argument lists after `netlab`."""
    (commands,) = [block for block in blocks("sh") if "netlab list " in block]
    lines = [shlex.split(line, comments=True) for line in commands.splitlines()]
    return [words[1:] for words in lines if words and words[0] == "netlab"]


def test_the_tour_is_what_the_readme_shows() -> None:
    assert ["open", "tcp-echo"] in tour()
    assert ["run", "my_lab.py", "--record", "my_lab.jsonl"] in tour()


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the reader saved the README's scenario as my_lab.py."""
    folder = tmp_path_factory.mktemp("reader")
    (example,) = blocks("python")
    (folder / "my_lab.py").write_text(example, encoding="utf-8")
    programs = Path(__file__).parent.parent / "programs"  # the guide's echo pair, as theirs
    for name in ("echo_server.py", "echo_client.py"):
        (folder / name).write_text((programs / name).read_text(), encoding="utf-8")
    return folder


@pytest.mark.parametrize("args", tour(), ids=lambda args: " ".join(args) or "netlab")
def test_every_command_of_the_tour_works(args: list[str], reader: Path) -> None:
    command = args[0] if args else None
    if command in NEEDS_A_TERMINAL:  # its arguments and options exist, as a click parse says
        if command is not None:
            sub = main.get_command(main.make_context("netlab", [command]), command)
            assert sub is not None
            sub.make_context(command, list(args[1:]))
        return
    port = str(free_ports(1, LOOPBACK)[0])  # the README's 65432 may be taken on this machine
    args = [arg.replace("65432", port) for arg in args]
    result = subprocess.run(
        [sys.executable, "-m", "netlab", *args],
        cwd=reader,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])


def test_the_example_scenario_runs_as_the_readme_says(reader: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", "my_lab.py"],
        cwd=reader,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "completed: every actor finished" in result.stdout
    for name in ("client-1", "client-2"):
        assert f"b'hello from {name}'" in result.stdout
