"""The scenario API (DESIGN §2.5) and loading scenarios by file path or built-in name."""

from __future__ import annotations

import ast
import ctypes
import importlib.util
import re
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netlab.core.link import Link, resolve_link

ActorFunction = Callable[["ActorContext"], Any]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")


class ScenarioError(Exception):
    """A scenario cannot be loaded or is not valid; the message is one line for the user."""


@dataclass(frozen=True)
class ActorSpec:
    """One declared actor; ``count`` > 1 makes several (client-1, client-2, ...)."""

    name: str
    function: ActorFunction
    count: int = 1
    program: Any = None  # a plain program it runs (programs.Program), if it is one

    def instance_names(self) -> list[str]:
        if self.count == 1:
            return [self.name]
        return [f"{self.name}-{i}" for i in range(1, self.count + 1)]


MAX_ACTORS = 32  # actors a lab may have, however they are declared (each is a process)


class Scenario:
    """A lab: named actors (plain Python functions), a link and a seed.

    >>> lab = Scenario("TCP echo", link="perfect", seed=1)
    >>> @lab.actor("server")
    ... def server(ctx): ...
    """

    def __init__(
        self,
        title: str,
        *,
        link: str | Link = "perfect",
        seed: int = 1,
        ports: int = 1,
        args: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> None:
        if not isinstance(title, str) or not title.strip():
            raise ScenarioError("Scenario(title): the title must be a non-empty string")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ScenarioError(f"Scenario(seed=...): the seed must be an integer, not {seed!r}")
        if not isinstance(ports, int) or not 1 <= ports <= 16:
            raise ScenarioError(f"Scenario(ports=...): expected 1 to 16 ports, not {ports!r}")
        self.title = title
        self.link = resolve_link(link)  # wrong settings are refused as the file loads
        self.seed = seed
        self.ports = ports
        self.args: dict[str, Any] = dict(args or {})
        self.description = description
        self.actors: list[ActorSpec] = []

    def actor(self, name: str, count: int = 1) -> Callable[[ActorFunction], ActorFunction]:
        """Declare an actor: ``@lab.actor("client", count=2)``."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise ScenarioError(
                f"lab.actor({name!r}): a name is a letter then up to 31 letters, digits, . _ or -"
            )
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ACTORS:
            raise ScenarioError(
                f"lab.actor({name!r}, count={count!r}): count must be 1 to {MAX_ACTORS}"
            )
        if any(spec.name == name for spec in self.actors):
            raise ScenarioError(f"lab.actor({name!r}): an actor of that name is declared already")
        declared = sum(spec.count for spec in self.actors)
        if declared + count > MAX_ACTORS:
            raise ScenarioError(
                f"lab.actor({name!r}): a lab has at most {MAX_ACTORS} actors (each a process); "
                f"{declared} are declared already, and this adds {count}"
            )

        def register(function: ActorFunction) -> ActorFunction:
            if not callable(function):
                raise ScenarioError(f"lab.actor({name!r}) must decorate a function")
            self.actors.append(ActorSpec(name, function, count))
            return function

        return register

    def program(self, command: str, *, name: str | None = None, count: int = 1) -> None:
        """Declare an actor that runs a plain program, unmodified: ``command`` is its file
        (relative to this scenario's folder) and its arguments, as a shell would take them:
        ``lab.program("echo-server.py 127.0.0.1 65432")``. Named after its file by default."""
        from netlab.core import programs

        caller = sys._getframe(1).f_globals.get("__file__")
        program = programs.parse(command, Path(caller).parent if caller else None)
        name = name or programs.actor_names([program])[0]
        self.actor(name, count)(programs.actor_function(program))
        spec = self.actors[-1]
        self.actors[-1] = ActorSpec(spec.name, spec.function, spec.count, program)

    def actor_names(self) -> list[str]:
        return [name for spec in self.actors for name in spec.instance_names()]

    def find_actor(self, name: str) -> tuple[ActorSpec, int]:
        """The spec behind an instance name and the instance's index (1-based)."""
        for spec in self.actors:
            for index, instance in enumerate(spec.instance_names(), start=1):
                if instance == name:
                    return spec, index
        raise ScenarioError(f"no actor named {name!r}")


@dataclass
class ActorContext:
    """What an actor function gets as ``ctx``."""

    name: str
    index: int  # 1-based among actors of the same declaration
    host: str
    ports: list[int]
    args: dict[str, Any] = field(default_factory=dict)
    say: Callable[[str], None] = print
    sleep: Callable[[float], None] = lambda seconds: None
    # Where a question goes: the conductor, in a lab; printed, when the function runs alone.
    asks: Callable[[Any], None] = lambda question: print("\n".join(question.lines()))

    @property
    def port(self) -> int:
        return self.ports[0]

    def ask(
        self,
        question: str,
        choices: Sequence[str] | Mapping[str, str],
        answer: str,
        why: str = "",
        reveal: str = "call",
    ) -> None:
        """Predict, then see: the lab stops before this actor's next call and asks
        ``question``; the learner picks one of ``choices`` (a list, keyed a, b, c ...; or a dict
        of one-character keys); the call runs, and the lab shows whether ``answer`` (a key)
        held, and ``why``, with what the call did (``reveal="call"``) or, for a question about
        what a loop of calls comes to, the next line the actor prints (``reveal="print"``).
        ``netlab run`` prints them as narration."""
        from netlab.core import questions

        try:
            made = questions.make(question, choices, answer, why, reveal)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from None
        self.asks(made)


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario together with where it came from."""

    scenario: Scenario
    path: Path  # its file (a lab of programs: the first program)
    name: str  # "tcp-echo" for a built-in, else the file's stem
    description: str
    ref: str = ""  # what load_scenario takes to load it again (in an actor's process)
    files: tuple[Path, ...] = ()  # the user's own files: named without their folder in a log

    @property
    def own_files(self) -> tuple[Path, ...]:
        return self.files or (self.path,)


def builtin_dir() -> Path:
    """Where the lab's own scenarios are: inside the installed package, or the source tree."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "scenarios", package.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    return package / "scenarios"


def scenario_name(path: Path) -> str:
    return path.stem.replace("_", "-")


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenarios by name, sorted."""
    return {
        scenario_name(path): path
        for path in sorted(builtin_dir().glob("*.py"))
        if not path.name.startswith("_")
    }


def describe_file(path: Path) -> str:
    """The first line of a scenario file's docstring, without running it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return "(cannot be read)"
    doc = ast.get_docstring(tree) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def resolve(ref: str) -> Path:
    """A scenario reference — a built-in name or a file path — as a path."""
    path = Path(ref)
    if path.suffix == ".py" or "/" in ref or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{ref}: no such scenario file")
        if path.suffix == ".jsonl":
            raise ScenarioError(f"{ref}: a recording, not a scenario (netlab replay opens it)")
        if path.suffix != ".py":
            raise ScenarioError(f"{ref}: a scenario is a Python file ending in .py")
        return path.resolve()
    builtins = builtin_scenarios()
    if ref in builtins:
        return builtins[ref]
    known = ", ".join(builtins) or "none"
    raise ScenarioError(f"{ref}: no such scenario (built-in ones: {known}; or give a .py path)")


# Seconds a scenario file may take to load (its top level runs: code outside the actors).
LOAD_LIMIT = 5.0


def load_scenario(ref: str | Path, *, time_limit: float | None = LOAD_LIMIT) -> LoadedScenario:
    """Load a scenario by built-in name or path; every failure is a one-line ScenarioError,
    and so is a file that is still loading after ``time_limit`` seconds (None: no limit)."""
    from netlab.core import programs

    if str(ref).startswith(programs.PROGRAMS_REF):
        return _programs_lab(str(ref), programs.from_ref(str(ref)))
    path = resolve(str(ref))
    scenario, module = _execute(path) if time_limit is None else _in_time(path, time_limit)
    doc = (module.__doc__ or "").strip()
    description = scenario.description or (doc.splitlines()[0] if doc else "")
    is_builtin = path.parent == builtin_dir().resolve()
    name = scenario_name(path) if is_builtin else path.stem
    files = (path, *(spec.program.path for spec in scenario.actors if spec.program))
    return LoadedScenario(scenario, path, name, description, str(path), files)


def _programs_lab(ref: str, listed: list[Any]) -> LoadedScenario:
    """A lab of plain programs, each an actor, started in the order given."""
    from netlab.core import programs

    for program in listed:
        programs.check(program.path)
    scenario = Scenario(" + ".join(str(program) for program in listed))
    for program, name in zip(listed, programs.actor_names(listed), strict=True):
        scenario.actors.append(ActorSpec(name, programs.actor_function(program), 1, program))
    files = tuple(dict.fromkeys(program.path for program in listed))
    name = " + ".join(program.path.stem for program in listed)
    return LoadedScenario(scenario, listed[0].path, name, "your own programs", ref, files)


def _in_time(path: Path, time_limit: float) -> tuple[Scenario, Any]:
    """``_execute`` in a thread of its own, so that a file that loops as it loads is reported
    instead of hanging netlab (from any thread: a signal would serve the main thread only)."""
    result: list[Any] = []

    def load() -> None:
        try:
            result.append(_execute(path))
        except BaseException as exc:  # handed to the caller's thread below
            result.append(exc)

    thread = threading.Thread(target=load, name="netlab-load", daemon=True)
    thread.start()
    thread.join(time_limit)
    if not result:
        # Stop the loop where it stands: an exception raised in that thread at its next Python
        # instruction. (A call blocked in C ends only when it returns; the thread is a daemon,
        # so it does not keep netlab alive meanwhile.)
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident or 0), ctypes.py_object(SystemExit)
        )
        thread.join(0.5)
        raise ScenarioError(
            f"{path}: still loading after {time_limit:g} s; does its top level loop or wait "
            "(code outside the actors runs as the file loads)?"
        )
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]  # type: ignore[no-any-return]


def _execute(path: Path) -> tuple[Scenario, Any]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise ScenarioError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}") from None
    except ValueError as exc:  # e.g. source with NUL bytes
        raise ScenarioError(f"{path}: cannot be compiled: {exc}") from None
    module_name = f"netlab_scenario_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except SystemExit as exc:
        line = _user_line(exc, path)
        where = f"{path}, line {line}" if line else str(path)
        raise ScenarioError(
            f"{where}: SystemExit: the file calls sys.exit({exc.code!r}) as it loads"
        ) from None
    except Exception as exc:
        line = _user_line(exc, path)
        where = f"{path}, line {line}" if line else str(path)
        raise ScenarioError(f"{where}: {type(exc).__name__}: {exc}") from None
    found = [value for value in vars(module).values() if isinstance(value, Scenario)]
    if not found:
        raise ScenarioError(
            f'{path}: defines no Scenario (expected for example lab = Scenario("My lab"))'
        )
    if len(found) > 1:
        raise ScenarioError(f"{path}: defines {len(found)} Scenarios; a file holds exactly one")
    scenario = found[0]
    if not scenario.actors:
        raise ScenarioError(f'{path}: the Scenario has no actors (add @lab.actor("server"))')
    return scenario, module


def _user_line(exc: BaseException, path: Path) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return frames[-1].lineno if frames else None
