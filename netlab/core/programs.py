"""Plain programs as actors: a learner's own server and client files, unmodified.

Each program runs in its actor's process as ``__main__``, as ``python3 FILE ARGS...`` would run
it: its own ``sys.argv`` (its path first), its folder first on ``sys.path`` (so the modules
beside it import), ``__file__`` set. ``sys.exit(n)`` is its exit status, not a crash.

A lab of programs is named on the command line by a reference that ``load_scenario`` takes
again in each actor's process: ``programs:`` and the programs as JSON.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import shlex
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netlab.core.scenario import ActorContext, ScenarioError

PROGRAMS_REF = "programs:"
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Program:
    """A program file and the arguments it is given after its path."""

    path: Path
    argv: tuple[str, ...] = ()
    typed: str = ""  # the path as it was typed: the program's sys.argv[0], as by hand

    def __str__(self) -> str:
        return shlex.join([self.path.name, *self.argv])


class ProgramExit(Exception):
    """A program ended with ``sys.exit(n)``, n not 0: its exit status, as a shell shows it."""

    def __init__(self, status: object) -> None:
        super().__init__(status)
        self.status = status


def parse(text: str, base: Path | None = None) -> Program:
    """``"app-client.py 127.0.0.1 65432 search morpheus"`` as a program, its path relative to
    ``base`` (a scenario's folder) or the current folder; refused in one line if it cannot run."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ScenarioError(f"{text!r}: the arguments do not parse ({exc})") from None
    if not words:
        raise ScenarioError("an empty program: give a file, then its arguments")
    path = Path(words[0])
    if base is not None and not path.is_absolute():
        path = base / path
    check(path)
    return Program(path.resolve(), tuple(words[1:]), words[0])


def check(path: Path) -> None:
    """A program file that exists and compiles, or a one-line ScenarioError that says why."""
    if not path.is_file():
        raise ScenarioError(f"{path}: no such program file")
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as exc:
        raise ScenarioError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}") from None
    except (ValueError, OSError) as exc:
        raise ScenarioError(f"{path}: cannot be compiled: {exc}") from None


def defines_a_scenario(path: Path) -> bool:
    """Whether a Python file makes a ``Scenario``: read from its source, without running it."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return True  # load it as a scenario: its error is reported as one
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name == "Scenario":
                return True
    return False


def lab_ref(arguments: Iterable[str]) -> str:
    """What to load for the command line's arguments: one scenario (a built-in name, or a file
    that defines a Scenario) as it is; otherwise each argument is a program with its arguments.
    """
    arguments = list(arguments)
    if not arguments:
        raise ScenarioError("give a scenario, or one or more programs")
    if len(arguments) == 1:
        first = shlex.split(arguments[0])[0] if arguments[0].strip() else arguments[0]
        path = Path(first)
        if path.suffix != ".py" or not path.is_file() or defines_a_scenario(path):
            return arguments[0]
    programs = [parse(text) for text in arguments]
    return PROGRAMS_REF + json.dumps([[str(p.path), p.typed, *p.argv] for p in programs])


def from_ref(ref: str) -> list[Program]:
    """The programs a ``programs:`` reference names."""
    try:
        listed = json.loads(ref[len(PROGRAMS_REF) :])
        return [Program(Path(words[0]), tuple(words[2:]), words[1]) for words in listed]
    except (ValueError, TypeError, IndexError) as exc:
        raise ScenarioError(f"not a list of programs: {exc}") from None


def actor_names(programs: list[Program]) -> list[str]:
    """Each program's actor named after its file: ``echo-client``; ``echo-client-1`` and
    ``echo-client-2`` when the same file runs twice."""
    stems = [_name(program.path) for program in programs]
    seen: dict[str, int] = {}
    names = []
    for stem in stems:
        if stems.count(stem) == 1:
            names.append(stem)
            continue
        seen[stem] = seen.get(stem, 0) + 1
        names.append(f"{stem}-{seen[stem]}")
    return names


def _name(path: Path) -> str:
    stem = _NOT_A_NAME.sub("-", path.stem)
    stem = stem if stem[:1].isalpha() else f"p{stem}"
    return stem[:28]


def actor_function(program: Program) -> Any:
    """The function an actor runs to run ``program``."""

    def run(ctx: ActorContext) -> None:
        run_program(program)

    run.program = program  # type: ignore[attr-defined]
    return run


def run_program(program: Program) -> None:
    """Run ``program`` as ``python3 FILE ARGS...`` would, in this process: as ``__main__``,
    ``__file__`` its absolute path, ``sys.argv[0]`` the path as typed."""
    path = str(program.path)
    code = compile(program.path.read_bytes(), path, "exec")
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    sys.argv = [program.typed or path, *program.argv]
    sys.path.insert(0, str(program.path.parent))
    try:
        exec(code, main.__dict__)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise ProgramExit(exc.code) from None
