"""The command line. Imports the UI only for the commands that open it."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from netlab import __version__
from netlab.core.containment import Limits

if TYPE_CHECKING:
    from netlab.core.recording import Recording

# Kept here rather than imported, so that --help stays fast; a test checks it against the core.
PRESET_NAMES = "perfect, lan, lossy-wifi, mobile-3g, satellite"

# Exit codes of ``netlab run``, also in the README.
EXIT_OK, EXIT_CRASHED, EXIT_USAGE, EXIT_DEADLOCK, EXIT_TIMEOUT = 0, 1, 2, 3, 4
EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 70, 130, 141


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"netlab: {message}", err=True)
    sys.exit(code)


def internal_error(exc: BaseException) -> NoReturn:
    """A bug of netlab's: a one-line message, and the traceback kept in a file to report."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="netlab-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as report:
        traceback.print_exception(exc, file=report)
    fail(f"internal error ({type(exc).__name__}); details in {report.name}", EXIT_INTERNAL)


class _OneLineErrors(click.Group):
    """A mistake on the command line is one line, like netlab's other errors; click's own
    form is three (usage, a hint, the error)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            message = exc.format_message().rstrip(".")
            fail(f"{message[:1].lower()}{message[1:]}{hint}")
        except click.Abort:  # Ctrl-C at a prompt of click's
            fail("interrupted", EXIT_INTERRUPTED)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)


@click.group(
    cls=_OneLineErrors,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="netlab")
@click.option("--no-mouse", is_flag=True, help="Do not take the mouse (keyboard only).")
@click.option(
    "--no-questions", is_flag=True, help="Do not stop at a lesson's questions: just watch."
)
@click.pass_context
def main(ctx: click.Context, no_mouse: bool, no_questions: bool) -> None:
    """netlab: step through real socket code, one call at a time, on the real kernel.

    Without a command, it opens the lab's home screen.
    """
    ctx.ensure_object(dict)
    ctx.obj["mouse"] = not no_mouse
    ctx.obj["questions"] = not no_questions
    if ctx.invoked_subcommand is None:
        _run_tui(ctx, scenario=None)


# What names a lab on the command line: a scenario, or programs with their arguments.
LAB_METAVAR = "SCENARIO | 'PROGRAM ARGS'..."


def lab_ref(arguments: tuple[str, ...]) -> str:
    """The lab the command line names (see programs.lab_ref), or a one-line refusal."""
    from netlab.core.programs import lab_ref as programs_lab_ref
    from netlab.core.scenario import ScenarioError

    try:
        return programs_lab_ref(arguments)
    except ScenarioError as exc:
        fail(str(exc))


# ctx.args for the scenario: one option, the same on every command that starts a lab.
arg_option = click.option(
    "--arg", "arg_pairs", multiple=True, metavar="KEY=VALUE", help="Set ctx.args[KEY]."
)
# What an actor's keyboard gives it, then the end of input: the same on every such command.
input_option = click.option(
    "--input",
    "input_pairs",
    multiple=True,
    metavar="NAME=TEXT|NAME=@FILE",
    help="What the actor NAME reads from its standard input (a line, once for each; or a "
    "file's text), then the end of input.",
)


# Programs outside the lab may connect to its servers (nc in another terminal).
outside_option = click.option(
    "--outside",
    is_flag=True,
    help="Let programs outside the lab (nc 127.0.0.1 PORT) connect to its servers, and bind "
    "beyond loopback; a server with nobody left to serve waits for them. Such a run cannot be "
    "repeated exactly.",
)


# A lesson's questions: asked unless the user would rather just watch.
no_questions_option = click.option(
    "--no-questions", is_flag=True, help="Do not stop at a lesson's questions: just watch."
)


# What each actor may take: the same on every command that starts a lab.
def limits_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--cpu-limit",
        type=click.IntRange(min=1),
        default=Limits.cpu_seconds,
        show_default=True,
        metavar="SECONDS",
        help="CPU time each actor may use (with what it starts).",
    )(command)
    return click.option(
        "--memory-limit",
        type=click.IntRange(min=64),
        default=Limits.memory_mb,
        show_default=True,
        metavar="MB",
        help="Memory (address space) each actor may take.",
    )(command)


def _parse_input(pairs: tuple[str, ...]) -> dict[str, str]:
    """Each actor's input: its lines (each given once ends with a newline, as echo's), or the
    text of a file (@FILE)."""
    typed: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            fail(f"--input {pair!r}: expected NAME=TEXT or NAME=@FILE")
        if text.startswith("@"):
            try:
                text = Path(text[1:]).read_text(encoding="utf-8", errors="surrogateescape")
            except OSError as exc:
                fail(f"--input {pair!r}: {text[1:]} cannot be read ({exc.strerror or exc})")
        elif not text.endswith("\n"):
            text += "\n"
        typed[name] = typed.get(name, "") + text
    return typed


def _run_tui(
    ctx: click.Context,
    *,
    scenario: str | None,
    recording: Path | None = None,
    seed: int | None = None,
    link: str | None = None,
    mouse: bool = True,
    record_events: Path | None = None,
    autoplay: float | None = None,
    preloaded: Recording | None = None,
    args: dict[str, Any] | None = None,
    outside: bool = False,
    limits: Limits | None = None,
    questions: bool = True,
) -> None:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        fail("the lab needs a terminal; for a run without one, use: netlab run SCENARIO")
    from netlab.ui.app import NetlabApp
    from netlab.ui.plain_terminal import use_look_alikes

    use_look_alikes(sys.__stderr__)  # the stream Textual draws on

    app = NetlabApp(
        scenario=scenario,
        recording=recording,
        seed=seed,
        link=link,
        record_events=record_events,
        autoplay=autoplay,
        preloaded=preloaded,
        args=args,
        outside=outside,
        limits=limits,
        questions=questions and ctx.obj.get("questions", True),
    )
    app.run(mouse=mouse and ctx.obj.get("mouse", True))
    if app.return_code:
        sys.exit(app.return_code)


@main.command("open")
@click.argument("lab", nargs=-1, required=True, metavar=LAB_METAVAR)
@click.option("--seed", type=int, help="Seed of the link (default: the scenario's).")
@click.option(
    "--link", metavar="PRESET", help=f"Link preset instead of the scenario's: {PRESET_NAMES}."
)
@click.option("--no-mouse", is_flag=True, help="Do not take the mouse (keyboard only).")
@click.option("--record-events", type=click.Path(dir_okay=False, path_type=Path), hidden=True)
@no_questions_option
@arg_option
@outside_option
@limits_options
@click.pass_context
def open_lab(
    ctx: click.Context,
    lab: tuple[str, ...],
    seed: int | None,
    link: str | None,
    no_mouse: bool,
    record_events: Path | None,
    no_questions: bool,
    arg_pairs: tuple[str, ...],
    outside: bool,
    memory_limit: int,
    cpu_limit: int,
) -> None:
    """Open a lab in step mode: SCENARIO (a built-in name or a .py file), or your own
    programs, each a file and its arguments in one quoted word ('server.py 65432')."""
    from netlab.core.link import LinkError, resolve_link
    from netlab.core.scenario import ScenarioError, load_scenario

    try:  # bad input is refused here, with one line, before the screen is taken
        scenario = lab_ref(lab)
        load_scenario(scenario)
        if link is not None:
            resolve_link(link)
    except (ScenarioError, LinkError) as exc:
        fail(str(exc))
    _run_tui(
        ctx,
        scenario=scenario,
        seed=seed,
        link=link,
        mouse=not no_mouse,
        record_events=record_events,
        args=_parse_args(arg_pairs),
        outside=outside,
        limits=Limits(memory_limit, cpu_limit),
        questions=not no_questions,
    )


@main.command()
@click.argument("recording", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-mouse", is_flag=True, help="Do not take the mouse (keyboard only).")
@click.option(
    "--autoplay",
    type=click.FloatRange(min=0.0, max=10.0),
    metavar="SECONDS",
    help="Play it at this pace (seconds a step) and quit at the end.",
)
@no_questions_option
@click.pass_context
def replay(
    ctx: click.Context,
    recording: Path,
    no_mouse: bool,
    autoplay: float | None,
    no_questions: bool,
) -> None:
    """Replay RECORDING (a .jsonl event log) in the lab; no socket is opened."""
    from netlab.core.recording import IN_MEMORY_UP_TO, RecordingError, read_recording

    try:
        size = recording.stat().st_size if recording.is_file() else 0
        if size > IN_MEMORY_UP_TO:  # a long lab: its events are checked for half a minute
            click.echo(f"netlab: checking the {size / 2**20:,.0f} MB of {recording}...", err=True)
        loaded = read_recording(recording)  # refused here, in one line, before the screen
    except RecordingError as exc:
        fail(str(exc))
    _run_tui(
        ctx,
        scenario=None,
        recording=recording,
        mouse=not no_mouse,
        autoplay=autoplay,
        preloaded=loaded,
        questions=not no_questions,
    )


@main.command("record")
@click.argument("lab", nargs=-1, required=True, metavar=LAB_METAVAR)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The cast to write (default: SCENARIO.cast); the event log goes beside it (.jsonl).",
)
@click.option("--seed", type=int, help="Seed of the link (default: the scenario's).")
@click.option(
    "--link", metavar="PRESET", help=f"Link preset instead of the scenario's: {PRESET_NAMES}."
)
@no_questions_option
@arg_option
def record_session(
    lab: tuple[str, ...],
    output: Path | None,
    seed: int | None,
    link: str | None,
    no_questions: bool,
    arg_pairs: tuple[str, ...],
) -> None:
    """Record a session in the lab as an asciicast, with a chapter at every step."""
    import os

    from netlab.core.link import LinkError, resolve_link
    from netlab.core.scenario import ScenarioError, load_scenario
    from netlab.export.asciicast import CastWriter
    from netlab.export.pty_record import record

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        fail("netlab record needs a terminal; without one, use: netlab export SCENARIO --to DIR")
    try:
        loaded = load_scenario(lab_ref(lab))
        if link is not None:
            resolve_link(link)
    except (ScenarioError, LinkError) as exc:
        fail(str(exc))
    cast_path = output or Path(f"{_file_name(loaded.name)}.cast")
    events_path = cast_path.with_suffix(".jsonl")
    size = os.get_terminal_size()
    argv = [sys.executable, "-m", "netlab", "open", *lab, "--record-events", str(events_path)]
    argv += ["--seed", str(seed)] if seed is not None else []
    argv += ["--link", link] if link is not None else []
    argv += ["--no-questions"] if no_questions else []
    _parse_args(arg_pairs)  # refused here, not inside the recorded terminal
    argv += [word for pair in arg_pairs for word in ("--arg", pair)]
    try:
        with CastWriter(cast_path, size.columns, size.lines, f"netlab: {loaded.name}") as cast:
            status = record(argv, cast, width=size.columns, height=size.lines)
    except OSError as exc:
        fail(f"{cast_path}: cannot be written ({exc.strerror})")
    click.echo(f"netlab: wrote {shlex.quote(str(cast_path))} and {shlex.quote(str(events_path))}")
    sys.exit(status)


@main.command("export")
@click.argument("source", nargs=-1, required=True, metavar="FILE.jsonl | " + LAB_METAVAR)
@click.option(
    "--to",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write into (made if needed).",
)
@click.option("--size", default="80x24", show_default=True, help="Terminal size of the pictures.")
@click.option(
    "--pace",
    type=click.FloatRange(min=0.1, max=10.0),
    default=1.0,
    show_default=True,
    help="Seconds a step in the cast.",
)
@click.option("--seed", type=int, help="Seed of the link (default: the scenario's).")
@click.option(
    "--link", metavar="PRESET", help=f"Link preset instead of the scenario's: {PRESET_NAMES}."
)
@click.option("--no-cast", is_flag=True, help="Pictures and tutorial only.")
@arg_option
@input_option
@limits_options
def export_lab(
    source: tuple[str, ...],
    folder: Path,
    size: str,
    pace: float,
    seed: int | None,
    link: str | None,
    no_cast: bool,
    arg_pairs: tuple[str, ...],
    input_pairs: tuple[str, ...],
    memory_limit: int,
    cpu_limit: int,
) -> None:
    """Export a lab: an SVG per step, a Markdown tutorial, the event log and a cast."""
    from netlab.core.link import LinkError
    from netlab.core.recording import RecordingError
    from netlab.core.scenario import ScenarioError
    from netlab.export.exporter import export, parse_size

    try:
        columns_rows = parse_size(size)
        recording = len(source) == 1 and source[0].endswith(".jsonl")
        result = export(
            source[0] if recording else lab_ref(source),
            folder,
            size=columns_rows,
            pace=pace,
            seed=seed,
            link=link,
            args=_parse_args(arg_pairs),
            typed=_parse_input(input_pairs),
            limits=Limits(memory_limit, cpu_limit),
            cast=not no_cast,
            progress=lambda line: click.echo(f"netlab: {line}", err=True),
        )
    except (ValueError, ScenarioError, RecordingError, LinkError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{folder}: cannot be written ({exc.strerror or exc})")
    except Exception as exc:
        internal_error(exc)
    click.echo(f"netlab: wrote {len(result.pictures)} pictures, {result.tutorial}")
    if result.cast is not None:
        click.echo(f"netlab: and {result.cast} (with {len(result.pictures)} chapters)")


@main.command()
@click.option("--reset", is_flag=True, help="Forget every lesson finished and answer given.")
def progress(reset: bool) -> None:
    """The lessons finished and how their questions went (kept in ~/.local/state/netlab)."""
    from netlab.core.course import lessons
    from netlab.core.progress import Progress

    kept = Progress()
    if reset:
        kept.reset()
        click.echo(f"netlab: progress forgotten ({kept.path})")
        return
    listed = lessons()
    width = max((len(lesson.name) for lesson in listed), default=0)
    for lesson in listed:
        click.echo(f"{lesson.name:<{width}}  {kept.of(lesson.name).summary() or '-'}")


@main.command("list")
def list_scenarios() -> None:
    """List the built-in lessons, chapter by chapter, in course order."""
    from netlab.core.course import lessons

    listed = lessons()
    width = max((len(lesson.name) for lesson in listed), default=0)
    chapter = None
    for lesson in listed:
        if lesson.chapter != chapter:
            chapter = lesson.chapter
            click.echo(f"{'' if lesson is listed[0] else chr(10)}{chapter}")
        click.echo(f"  {lesson.name:<{width}}  {lesson.summary}")


def _file_name(name: str) -> str:
    """A lab's name as a file's, with nothing a shell would split: ``server+client``."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name.replace(" + ", "+")).strip("_.") or "lab"


def _parse_args(pairs: tuple[str, ...]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            fail(f"--arg {pair!r}: expected KEY=VALUE")
        try:
            args[key] = json.loads(text)
        except ValueError:
            args[key] = text
    return args


@main.command()
@click.argument("lab", nargs=-1, required=True, metavar=LAB_METAVAR)
@click.option("--seed", type=int, help="Seed of the link (default: the scenario's).")
@click.option(
    "--link",
    "link",
    metavar="PRESET",
    help=f"Link preset instead of the scenario's: {PRESET_NAMES}.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole run as one JSON object.")
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the event log to this file (JSON Lines) as the run goes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Stop the run after this many seconds of real time (an endless loop, say).",
)
@arg_option
@input_option
@outside_option
@limits_options
def run(
    lab: tuple[str, ...],
    seed: int | None,
    link: str | None,
    as_json: bool,
    record: Path | None,
    timeout: float,
    arg_pairs: tuple[str, ...],
    input_pairs: tuple[str, ...],
    outside: bool,
    memory_limit: int,
    cpu_limit: int,
) -> None:
    """Run a lab headless and print its trace: SCENARIO (a built-in name or a .py file), or
    your own programs, each a file and its arguments in one quoted word ('server.py 65432')."""
    from netlab.core.conductor import InputError
    from netlab.core.link import LinkError
    from netlab.core.recording import RecordingError
    from netlab.core.scenario import ScenarioError
    from netlab.headless import run_headless

    try:
        code = run_headless(
            lab_ref(lab),
            seed=seed,
            link=link,
            as_json=as_json,
            record=record,
            time_limit=timeout,
            args=_parse_args(arg_pairs),
            typed=_parse_input(input_pairs),
            outside=outside,
            limits=Limits(memory_limit, cpu_limit),
            out=sys.stdout,
        )
    except (ScenarioError, RecordingError, LinkError, InputError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted: every actor was stopped", EXIT_INTERRUPTED)
    except BrokenPipeError:  # `netlab run ... | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except Exception as exc:  # netlab's own fault: one line here, the details in a file
        internal_error(exc)
    sys.exit(code)
