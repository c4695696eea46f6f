"""The command line as a person uses it: real processes, exit codes, one-line errors, Ctrl-C."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from netlab.cli import PRESET_NAMES
from netlab.core import course
from netlab.core.link import PRESETS
from netlab.core.recording import read_recording

pytestmark = pytest.mark.timeout(40)
LABS = Path(__file__).parent.parent / "scenarios"
FIXTURES = Path(__file__).parent.parent / "ui" / "fixtures"


def netlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netlab", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout[-500:], result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netlab: ")
    return lines[0]


def test_version_and_list() -> None:
    assert netlab("--version").stdout.strip() == "netlab, version 0.1.0"
    listing = netlab("list").stdout.splitlines()
    chapters = [line for line in listing if line and not line.startswith(" ")]
    assert chapters[0] == "First steps" and chapters[-1] == "UDP"
    lessons = [line.split(maxsplit=1) for line in listing if line.startswith("  ")]
    names = [name for name, _ in lessons]  # each with its description
    assert names[0] == "tcp-echo" and names[-2:] == ["tcp-vs-udp", "udp-kernel-drops"]
    assert names == [lesson.name for lesson in course.lessons()]


def test_the_help_lists_the_real_presets() -> None:
    assert ", ".join(PRESETS) == PRESET_NAMES


def test_run_prints_one_line_per_step_and_how_it_ended() -> None:
    result = netlab("run", "tcp-echo")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "netlab: tcp-echo - TCP echo"
    steps = [line for line in lines if line[:5].strip().isdigit()]
    assert [int(line[:5]) for line in steps] == list(range(1, len(steps) + 1))
    assert "server    socket(AF_INET, SOCK_STREAM) -> server#1 (fd 3)" in steps[0]
    assert any("accept() -> blocked" in line for line in steps)
    assert "completed: every actor finished" in result.stdout


def test_run_json_is_one_document_with_events(tmp_path: Path) -> None:
    result = netlab("run", "udp-echo", "--json", "--seed", "5")
    document = json.loads(result.stdout)
    assert document["seed"] == 5 and document["outcome"]["kind"] == "completed"
    assert document["events"][0]["kind"] == "actor-start"
    assert document["analysis"]["flows"]


def test_run_records_as_it_goes(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    assert netlab("run", "tcp-echo", "--record", str(path)).returncode == 0
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["format"] == "netlab-recording"
    assert json.loads(lines[-1])["kind"] == "end"


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["run", "no-such-lab"], 2, "no such scenario"),
        (["run", "missing/lab.py"], 2, "no such scenario file"),
        (["run", "tcp-echo", "--link", "wifi"], 2, "unknown; use a preset"),
        (["run", "tcp-echo", "--arg", "novalue"], 2, "expected KEY=VALUE"),
        (["run", str(LABS / "deadlock.py")], 3, "deadlock"),
        (["run", str(LABS / "crash.py")], 1, "crashed: client raised RuntimeError"),
        (["run", str(LABS / "spin.py"), "--timeout", "1"], 4, "time limit of 1 s"),
        (["replay", "missing.jsonl"], 2, "cannot be read"),
        (["run", str(FIXTURES / "tcp_echo.jsonl")], 2, "a recording, not a scenario"),
        (["replay", str(LABS / "crash.py")], 2, "a scenario, not a recording"),
        (["run", str(LABS.parent.parent / "pyproject.toml")], 2, "a Python file ending in .py"),
        (["run", "tcp-echo", "--seed", "abc"], 2, "'--seed': 'abc' is not a valid integer"),
        (["run"], 2, "missing argument 'SCENARIO | 'PROGRAM ARGS'...' (see '"),
        (["run", "tcp-echo", "--nope"], 2, "no such option '--nope'"),
        (["bogus"], 2, "no such command 'bogus' (see '"),
        (["export", "tcp-echo"], 2, "missing option '--to'"),
    ],
)
def test_bad_input_and_faults_say_so_in_one_line(args, code, expected) -> None:
    result = netlab(*args)
    assert result.returncode == code, result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    assert expected in result.stdout + result.stderr
    if code == 2:
        one_line_error(result, 2)


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text('"""Broken."""\nfrom netlab import Scenario\nlab = Scenario("x"\n')
    line = one_line_error(netlab("run", str(path)), 2)
    assert str(path) in line and "line 3" in line and "syntax error" in line


def test_a_file_without_a_scenario_is_a_program(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text("print('plain', __name__)\n")
    result = netlab("run", str(path))
    assert result.returncode == 0, result.stderr
    assert "plain  | plain __main__" in result.stdout


def test_the_actors_own_traceback_is_shown_as_its_own() -> None:
    result = netlab("run", str(LABS / "crash.py"))
    assert "client  crashed: RuntimeError: the client gave up" in result.stdout
    assert 'File "crash.py", line 24, in client' in result.stdout


def test_the_tui_needs_a_terminal() -> None:
    result = netlab("open", "tcp-echo")
    assert "needs a terminal" in one_line_error(result, 2)


def lines_until(process: subprocess.Popen[bytes], wanted: str, timeout: float) -> list[str]:
    """The lines ``process`` prints up to one containing ``wanted``. Fails once ``timeout``
    seconds have passed without it, however silent the process is: a hang fails fast."""
    assert process.stdout is not None
    fd = process.stdout.fileno()  # read below Python's buffer, so that select() tells the truth
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    rest = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {wanted!r} within {timeout} s; the last lines: {lines[-5:]}"
            if not selector.select(remaining):
                continue
            chunk = os.read(fd, 65536)
            assert chunk, f"the process ended before printing {wanted!r}: {lines[-5:]}"
            *complete, rest = (rest + chunk).split(b"\n")
            lines += [line.decode() for line in complete]
            if any(wanted in line for line in lines):
                return lines


def test_ctrl_c_stops_every_actor_and_frees_the_port() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "netlab", "run", str(LABS / "forever.py"), "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:  # wait until the server listens and the client has slept
        lines = lines_until(process, "sleep(3600) -> blocked", timeout=15)
        actors = psutil.Process(process.pid).children(recursive=True)
    finally:
        process.send_signal(signal.SIGINT)
        _, raw_err = process.communicate(timeout=15)
    bind = next(line for line in lines if "bind((" in line)
    port = int(bind.split("', ")[1].split(")")[0])
    assert len(actors) == 2
    assert process.returncode == 130
    assert raw_err.decode().strip() == "netlab: interrupted: every actor was stopped"
    for actor in actors:
        assert not actor.is_running() or actor.status() == psutil.STATUS_ZOMBIE
    with socket.socket() as probe:  # the listening port is free again
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL, signal.SIGHUP])
def test_a_killed_run_leaves_no_file_and_no_actor(tmp_path: Path, how: signal.Signals) -> None:
    """The events of ``netlab run`` wait in a temporary file until the report: whatever ends
    netlab, that file is gone (it would grow to gigabytes on a long lab)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "netlab", "run", str(LABS / "forever.py"), "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    try:
        lines_until(process, "sleep(3600) -> blocked", timeout=15)
        actors = psutil.Process(process.pid).children(recursive=True)
        assert len(actors) == 2
    finally:
        process.send_signal(how)
        process.communicate(timeout=15)
    assert process.returncode == -how
    psutil.wait_procs(actors, timeout=10)
    assert not any(actor.is_running() for actor in actors)
    assert list(tmp_path.iterdir()) == []


def test_a_recording_written_by_run_reads_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    result = netlab("run", str(LABS / "crash.py"), "--record", str(path))
    assert result.returncode == 1
    recording = read_recording(path)
    assert recording.complete and recording.header["seed"] == 1
    assert recording.events[-1].result == "crashed"
    assert any(e.kind == "actor-exit" and e.error for e in recording.events)


@pytest.mark.parametrize("name", ["crash", "deadlock"])
def test_json_is_valid_however_the_run_ends(name: str) -> None:
    result = netlab("run", str(LABS / f"{name}.py"), "--json")
    document = json.loads(result.stdout)
    assert document["outcome"]["kind"] == {"crash": "crashed", "deadlock": "deadlock"}[name]
    assert result.returncode == {"crash": 1, "deadlock": 3}[name]
    assert [e["seq"] for e in document["events"]] == list(range(1, len(document["events"]) + 1))


def test_arguments_reach_the_actors_from_the_command_line() -> None:
    result = netlab("run", str(LABS / "streams.py"), "--arg", "ending=exit3")
    assert result.returncode == 1
    assert "crashed: client raised SystemExit: 3" in result.stdout


def test_a_reader_that_stops_reading_ends_netlab_quietly(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "netlab", "run", str(LABS / "multiconn.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # where netlab would leave an error file
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        lines_until(process, "", timeout=15)  # a first line
    finally:
        process.stdout.close()  # as `netlab run ... | head -1` does
        _, raw_err = process.communicate(timeout=15)
    err = raw_err.decode()
    leftovers = list(tmp_path.iterdir())
    for path in leftovers:
        path.unlink()
    assert "internal error" not in err and not leftovers
    assert process.returncode in (0, 141, -signal.SIGPIPE)


def test_a_scenario_that_loops_as_it_loads_is_refused_in_time(tmp_path: Path) -> None:
    (tmp_path / "loops.py").write_text(
        "import time\nfrom netlab import Scenario\nwhile True:\n    time.sleep(0.01)\n"
        "lab = Scenario('never made')\n"
    )
    line = one_line_error(netlab("run", str(tmp_path / "loops.py")), 2)
    assert "still loading after 5 s" in line


def test_a_scenario_that_exits_as_it_loads_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leaves.py"
    path.write_text(
        '"""Leaves."""\nimport sys\nfrom netlab import Scenario\nsys.exit(0)\nlab = Scenario("x")\n'
    )
    line = one_line_error(netlab("run", str(path)), 2)
    assert str(path) in line and "SystemExit" in line


@pytest.mark.parametrize("command", ["run", "open", "record", "export"])
def test_every_command_that_starts_a_lab_takes_arg(command: str) -> None:
    assert "--arg KEY=VALUE" in netlab(command, "--help").stdout


def test_export_runs_the_lab_with_its_args(tmp_path: Path) -> None:
    result = netlab("export", "tcp-vs-udp", "--to", str(tmp_path), "--no-cast", "--arg", "count=2")
    assert result.returncode == 0, result.stderr
    events = read_recording(tmp_path / "events.jsonl").events
    tcp_sends = [e for e in events if e.kind == "return" and e.op == "sendall"]
    assert len(tcp_sends) == 2  # two messages instead of the scenario's 50


def test_a_bad_arg_is_refused_before_the_lab_starts() -> None:
    result = netlab("export", "tcp-echo", "--to", "/nonexistent-dir", "--arg", "count")
    assert one_line_error(result, 2) == "netlab: --arg 'count': expected KEY=VALUE"


@pytest.mark.parametrize("moment", [0.15, 0.3, 0.6])
@pytest.mark.parametrize("command", [["list"], ["run", "tcp-echo"]])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(
    command: list[str], moment: float
) -> None:
    """From the moment netlab's own code runs: in Python's own first milliseconds, before
    it runs any, Ctrl-C ends it by the signal (the shell says 130 all the same)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "netlab", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal (a background job of a shell would ignore Ctrl-C).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(moment)  # the moment Ctrl-C is pressed
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert "Traceback" not in err
    assert process.returncode in (0, 130, -signal.SIGINT), err  # 0: it had finished already
    if process.returncode == 130:
        assert err.strip().splitlines()[-1].startswith("netlab: interrupted")
    assert not psutil.Process().children(recursive=True)


def test_replaying_a_long_recording_says_it_is_being_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checking a long lab's recording takes a while before the screen opens: it says so."""
    from click.testing import CliRunner

    from netlab.cli import main
    from netlab.core import recording

    monkeypatch.setattr(recording, "IN_MEMORY_UP_TO", 1000)
    path = FIXTURES / "tcp_echo.jsonl"
    result = CliRunner().invoke(main, ["replay", str(path)])
    assert result.exit_code == 2
    assert f"netlab: checking the 0 MB of {path}..." in result.stderr.splitlines()[0]
    assert "needs a terminal" in result.stderr
