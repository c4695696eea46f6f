"""Plain programs, unmodified, as actors: each compared with the same programs run by hand
(``python3 FILE ARGS...``), over the perfect link and over lossy ones."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core.conductor import COMPLETED, CRASHED, Conductor
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.programs import lab_ref
from netlab.core.scenario import ScenarioError, load_scenario
from tests.integration.by_hand import (
    printed,
    run_programs_by_hand,
    wait_until_only_listening,
    wait_until_under_way,
)

pytestmark = pytest.mark.timeout(60)
PROGRAMS = Path(__file__).parent.parent / "programs"


def run(commands: list[str], cwd: Path = PROGRAMS, **options: object) -> Conductor:
    """``netlab run`` of these programs, from ``cwd`` (where their paths start)."""
    with contextlib.chdir(cwd):
        conductor = Conductor(load_scenario(lab_ref(commands)), **options)  # type: ignore[arg-type]
    conductor.run()
    return conductor


def pair(server: str, client: str, *client_args: str) -> tuple[list[str], list[int]]:
    port = free_ports(1, LOOPBACK)[0]
    commands = [
        f"{server} {LOOPBACK} {port}",
        " ".join([client, LOOPBACK, str(port), *client_args]),
    ]
    return commands, [port]


@pytest.mark.parametrize("link", ["perfect", "lossy-wifi"])
def test_the_guide_s_echo_pair_prints_what_it_prints_by_hand(link: str) -> None:
    commands, ports = pair("echo_server.py", "echo_client.py")
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports)
    assert by_hand == {
        "echo_server": ["Connected by 127.0.0.1"],
        "echo_client": ["Received b'Hello, world'"],
    }
    traced = run(commands, link=link, seed=3)
    assert traced.outcome is not None and traced.outcome.kind == COMPLETED
    assert printed(traced) == by_hand


@pytest.mark.parametrize("link", ["perfect", "lossy-wifi"])
def test_the_guide_s_multi_connection_pair_prints_what_it_prints_by_hand(link: str) -> None:
    commands, ports = pair("multiconn_server.py", "multiconn_client.py", "2")
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports)
    traced = run(commands, link=link, seed=2)
    assert traced.outcome is not None and traced.outcome.kind == COMPLETED
    # Which connection the kernel answers first may differ by hand from run to run: the lines,
    # not their order across connections.
    assert {name: sorted(lines) for name, lines in printed(traced).items()} == {
        name: sorted(lines) for name, lines in by_hand.items()
    }
    assert sorted(by_hand["multiconn_client"])[0] == "Closing connection 1, 44 bytes back"
    # connect_ex on a non-blocking socket returns EINPROGRESS's number: it raises nothing.
    connects = [e for e in traced.events if e.op == "connect_ex" and e.kind in ev.OUTCOMES]
    assert [(e.kind, e.result) for e in connects] == [(ev.RETURN, 115), (ev.RETURN, 115)]


@pytest.mark.parametrize("link", ["perfect", "mobile-3g"])
def test_the_application_pair_imports_its_module_and_searches_as_by_hand(link: str) -> None:
    commands, ports = pair("app_server.py", "app_client.py", "search", "morpheus")
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports)
    assert by_hand["app_client"][-1] == "Got result: Follow the white rabbit."
    traced = run(commands, link=link, seed=7)
    assert printed(traced) == by_hand
    reads = [e for e in traced.events if e.kind == ev.RETURN and e.actor == "app_client"]
    assert sum(e.op == "recv" for e in reads) > 3  # the answer came in pieces, and was whole


def test_a_usage_message_is_the_program_s_own_and_its_exit_status_is_shown() -> None:
    port = free_ports(1, LOOPBACK)[0]
    commands = [f"echo_server.py {LOOPBACK} {port}", "echo_client.py"]
    _, codes = run_programs_by_hand(commands[1:], PROGRAMS, [])  # by hand, the server would wait
    traced = run(commands)
    assert codes["echo_client"] == 1
    errors = [e.text for e in traced.events if e.kind == ev.OUTPUT and e.op == "stderr"]
    assert errors == ["usage: echo_client.py HOST PORT"]  # argv[0] as typed, as by hand
    exits = {e.actor: e for e in traced.events if e.kind == ev.ACTOR_EXIT}
    assert exits["echo_client"].extra["status"] == 1 and not exits["echo_client"].error
    # The server, waiting in accept() for a client that never came, gets Ctrl-C as it would by
    # hand: not a deadlock. Uncaught, KeyboardInterrupt ends it with 130, traceback and all.
    assert exits["echo_server"].extra == {**exits["echo_server"].extra, "status": 130}
    assert exits["echo_server"].extra["stopped"] == "Ctrl-C in accept()"
    assert exits["echo_server"].text.endswith("KeyboardInterrupt")
    assert traced.outcome is not None and traced.outcome.kind == COMPLETED
    assert "stopped with Ctrl-C when the others had finished" in traced.outcome.message


def test_a_program_runs_as_main_with_its_own_argv_path_and_file(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("WHERE = 'beside'\n")
    (tmp_path / "whoami.py").write_text(
        "import os, sys\n"
        "import helper\n"
        "print(__name__, sys.argv, helper.WHERE)\n"
        "print(os.path.basename(__file__), os.path.isabs(__file__))\n"
        "print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))\n"
    )
    by_hand, _ = run_programs_by_hand(["whoami.py one 'two words'"], tmp_path, [])
    assert by_hand["whoami"][0] == "__main__ ['whoami.py', 'one', 'two words'] beside"
    traced = run(["whoami.py one 'two words'"], cwd=tmp_path)
    assert printed(traced) == by_hand


def test_the_same_file_twice_makes_two_actors_named_after_it() -> None:
    port = free_ports(1, LOOPBACK)[0]
    client = f"echo_client.py {LOOPBACK} {port}"
    traced = run([f"multiconn_server.py {LOOPBACK} {port}", client, client])
    names = [e.actor for e in traced.events if e.kind == ev.ACTOR_START]
    assert names == ["multiconn_server", "echo_client-1", "echo_client-2"]
    assert printed(traced)["echo_client-2"] == ["Received b'Hello, world'"]


def test_a_program_that_raises_ends_alone_and_the_others_go_on(tmp_path: Path) -> None:
    (tmp_path / "crash.py").write_text(
        "import socket, sys\n"
        "with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as s:\n"
        "    s.sendall(b'x')\n"
        "    raise ValueError('the client gives up')\n"
    )
    port = free_ports(1, LOOPBACK)[0]
    server = PROGRAMS / "echo_server.py"
    traced = run([f"{server} {LOOPBACK} {port}", f"crash.py {port}"], cwd=tmp_path)
    exits = {e.actor: e for e in traced.events if e.kind == ev.ACTOR_EXIT}
    assert exits["crash"].error == "ValueError: the client gives up"
    assert exits["crash"].text.splitlines()[1] == '  File "crash.py", line 4, in <module>'
    assert not exits["echo_server"].error  # it read the byte and the end, and finished
    assert traced.outcome is not None and traced.outcome.kind == CRASHED


def test_a_program_given_an_empty_input_finds_its_end_as_with_dev_null(tmp_path: Path) -> None:
    (tmp_path / "ask.py").write_text("print('hello', input('name? '))\n")
    traced = run(["ask.py"], cwd=tmp_path, typed={"ask": ""})  # --input ask=@/dev/null
    exits = [e for e in traced.events if e.kind == ev.ACTOR_EXIT]
    assert exits[0].error == "EOFError: EOF when reading a line"  # as with < /dev/null
    assert next(e.text for e in traced.events if e.kind == ev.OUTPUT) == "name? "


def test_one_argument_is_a_scenario_when_it_makes_one_and_a_program_otherwise(
    tmp_path: Path,
) -> None:
    assert lab_ref(["tcp-echo"]) == "tcp-echo"
    scenario = tmp_path / "lab.py"
    scenario.write_text("from netlab import Scenario\nlab = Scenario('x')\n")
    assert lab_ref([str(scenario)]) == str(scenario)
    program = tmp_path / "prog.py"
    program.write_text("import sys\nsys.exit(5)  # never run to decide\n")
    assert lab_ref([str(program)]).startswith("programs:")


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("missing.py", "missing.py: no such program file"),
        ("broken.py", "broken.py, line 2: syntax error"),
        ("'echo_server.py 1", "the arguments do not parse (No closing quotation)"),
    ],
)
def test_a_program_that_cannot_run_is_refused_in_one_line(
    tmp_path: Path, command: str, said: str
) -> None:
    (tmp_path / "broken.py").write_text("x = 1\ndef (:\n")
    with pytest.raises(ScenarioError) as refused, contextlib.chdir(tmp_path):
        lab_ref([command, "echo_client.py"])
    assert said in str(refused.value)
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", command, "other.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_scenario_wraps_programs_beside_it(tmp_path: Path) -> None:
    for name in ("echo_server.py", "echo_client.py"):
        (tmp_path / name).write_text((PROGRAMS / name).read_text())
    port = free_ports(1, LOOPBACK)[0]
    (tmp_path / "wrapped.py").write_text(
        "from netlab import Scenario\n"
        "lab = Scenario('the echo pair over a lossy link', link='lossy-wifi', seed=4)\n"
        f"lab.program('echo_server.py 127.0.0.1 {port}')\n"
        f"lab.program('echo_client.py 127.0.0.1 {port}', name='client')\n"
    )
    conductor = Conductor(load_scenario(tmp_path / "wrapped.py"))  # from another folder
    conductor.run()
    assert printed(conductor) == {
        "echo_server": ["Connected by 127.0.0.1"],
        "client": ["Received b'Hello, world'"],
    }
    sources = {e.source[0] for e in conductor.events if e.source}
    assert {"echo_server.py", "echo_client.py"} <= sources  # named without their folder


def test_a_hard_coded_port_in_use_is_the_eaddrinuse_lesson_naming_its_holder(
    tmp_path: Path,
) -> None:
    import os
    import socket

    from netlab.core.explain import explain

    with socket.create_server((LOOPBACK, 0)) as holder:  # another program has the port
        port = holder.getsockname()[1]
        (tmp_path / "server.py").write_text(
            f"import socket\ns = socket.socket()\ns.bind(('127.0.0.1', {port}))\n"
        )
        by_hand = subprocess.run(
            [sys.executable, "server.py"], cwd=tmp_path, capture_output=True, text=True, timeout=30
        )
        traced = run(["server.py"], cwd=tmp_path)
    assert "OSError: [Errno 98] Address already in use" in by_hand.stderr
    refused = next(e for e in traced.events if e.kind == ev.RAISE)
    assert refused.errno == "EADDRINUSE"
    (held,) = refused.extra["held_by"]
    assert held.endswith(f"(pid {os.getpid()}), LISTEN")  # this test's own process
    assert f"(pid {os.getpid()}), LISTEN" in explain(refused)


def test_each_program_s_source_is_shown_live_and_kept_in_the_recording(tmp_path: Path) -> None:
    from rich.console import Console

    from netlab.core.recording import read_recording
    from netlab.headless import run_headless
    from netlab.ui.recorded_lab import RecordedLab
    from netlab.ui.widgets.details import code

    commands, _ = pair("echo_server.py", "echo_client.py")
    log = tmp_path / "pair.jsonl"
    with contextlib.chdir(PROGRAMS):
        ref = lab_ref(commands)
    run_headless(
        ref,
        seed=None,
        link=None,
        as_json=False,
        record=log,
        time_limit=30.0,
        args={},
        out=io.StringIO(),
    )
    recording = read_recording(log)
    assert recording.header["file"] == "echo_server.py"
    assert recording.header["sources"] == {
        "echo_client.py": (PROGRAMS / "echo_client.py").read_text()
    }
    info = RecordedLab(recording, "pair").info
    sent = next(e for e in recording.events if e.op == "sendall" and e.actor == "echo_client")
    console = Console(width=100, file=io.StringIO())
    console.print(code(sent, info.sources, info.file, 12))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "echo_client.py, line" in shown and 's.sendall(b"Hello, world")' in shown


@pytest.mark.parametrize(
    ("server_file", "last_line", "waiting_in"),
    [
        ("loop_server.py", "Caught keyboard interrupt, exiting", "select"),
        # Waits with a timeout, looping: Ctrl-C once only timeouts are left to happen.
        ("timeout_loop_server.py", "shutting down", "accept"),
        ("forever_server.py", "bye", "select"),
    ],
)
def test_a_server_that_loops_for_ever_gets_ctrl_c_and_cleans_up_as_by_hand(
    server_file: str, last_line: str, waiting_in: str
) -> None:
    """The guide's servers loop until Ctrl-C and catch KeyboardInterrupt to say so."""
    import signal

    port = free_ports(1, LOOPBACK)[0]
    name = server_file.removesuffix(".py")
    commands = [f"{server_file} {port}", f"echo_client.py {LOOPBACK} {port}"]
    server = subprocess.Popen(
        [sys.executable, server_file, str(port)],
        cwd=PROGRAMS,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_under_way(name, server, [port], 20.0)  # listening, as by hand
        client = subprocess.run(
            [sys.executable, "echo_client.py", LOOPBACK, str(port)],
            cwd=PROGRAMS,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        wait_until_only_listening(server, 20.0)
        server.send_signal(signal.SIGINT)  # by hand: Ctrl-C once the client is done
        by_hand = {name: server.communicate(timeout=20)[0].splitlines()}
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    by_hand["echo_client"] = client.stdout.splitlines()
    assert by_hand[name][-1] == last_line
    traced = run(commands)
    assert printed(traced) == by_hand
    wake = next(e for e in traced.events if e.kind == ev.WAKE and e.result == "interrupted")
    assert wake.actor == name and wake.op == waiting_in
    assert traced.outcome is not None and traced.outcome.kind == COMPLETED


@pytest.mark.parametrize("link", ["perfect", "mobile-3g"])
def test_a_client_that_reads_its_keyboard_reads_the_input_given_as_by_hand(link: str) -> None:
    commands, ports = pair("upper_server.py", "chat_client.py")
    typed = {"chat_client": "hello\nwho is there?\n"}
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports, typed=typed)
    assert by_hand["chat_client"] == ["> server: HELLO", "> server: WHO IS THERE?", "> bye"]
    traced = run(commands, link=link, seed=3, typed=typed)
    assert traced.outcome is not None and traced.outcome.kind == COMPLETED
    assert printed(traced) == by_hand
    lines = [e.result for e in traced.events if e.kind == ev.RETURN and e.op == "readline"]
    assert lines == ["hello\n", "who is there?\n", ""]  # the trace shows what was read


def test_reading_the_whole_input_and_without_a_last_newline_is_as_by_hand() -> None:
    commands, ports = pair("upper_server.py", "batch_client.py")
    typed = {"batch_client": "first\nsecond\nthird"}  # no newline at the end
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports, typed=typed)
    assert by_hand["batch_client"][0] == "read 18 characters, first line 'first'"
    traced = run(commands, typed=typed)
    assert printed(traced) == by_hand
    reads = [
        (e.op, e.result)
        for e in traced.events
        if e.kind == ev.RETURN and e.op in ("readline", "read")
    ]
    assert reads == [("readline", "first\n"), ("read", "second\nthird")]


def test_a_program_waiting_for_input_it_was_not_given_ends_the_run_saying_how_to_give_it() -> None:
    commands, _ = pair("upper_server.py", "chat_client.py")
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", *commands],
        cwd=PROGRAMS,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 3  # nothing can happen any more, as documented
    assert "chat_client is blocked in readline(), waiting for its keyboard" in result.stdout
    assert "--input chat_client=TEXT or --input chat_client=@FILE" in result.stdout


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("nobody=hello", "--input nobody=...: no actor of that name"),
        ("chat_client=@no-such-file", "no-such-file cannot be read"),
        ("hello", "expected NAME=TEXT or NAME=@FILE"),
    ],
)
def test_input_that_cannot_be_given_is_refused_before_the_lab_starts(given: str, said: str) -> None:
    commands, _ = pair("upper_server.py", "chat_client.py")
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", *commands, "--input", given],
        cwd=PROGRAMS,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert said in result.stderr


@pytest.mark.parametrize("link", ["perfect", "mobile-3g"])
def test_a_lab_of_programs_gives_one_trace_every_run(link: str) -> None:
    from tests.golden.traces import normalise

    commands, _ = pair("multiconn_server.py", "multiconn_client.py", "2")
    typed = {"multiconn_client": ""}
    traces = {
        "\n".join(normalise(run(commands, link=link, seed=5, typed=typed).events)) for _ in range(3)
    }
    assert len(traces) == 1


def test_a_program_measuring_its_waits_measures_what_it_measures_by_hand() -> None:
    commands, ports = pair("silent_server.py", "timing_client.py")
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports)
    assert by_hand["timing_client"] == [
        "timed out after 2.0 s",
        "perf_counter 2.0, time 2.0",
        "slept 0.3 s",
    ]
    assert printed(run(commands)) == by_hand


def test_a_chat_client_that_selects_on_its_socket_and_keyboard_reads_what_is_typed() -> None:
    """select([sock, sys.stdin]): given beforehand it is as by hand; typed as the lab runs,
    the select that waits for it goes on when a line comes."""
    import threading

    commands, ports = pair("upper_server.py", "select_chat_client.py")
    typed = {"select_chat_client": "hello\nworld\n"}
    by_hand, _ = run_programs_by_hand(commands, PROGRAMS, ports, typed=typed)
    assert by_hand["select_chat_client"] == ["answer: HELLO", "answer: WORLD", "bye"]
    assert printed(run(commands, typed=typed)) == by_hand

    waiting = threading.Semaphore(0)  # released as the client waits in a select that watches it

    def heard(event: ev.Event) -> None:
        if event.kind == ev.BLOCK and event.op == "select" and event.extra.get("keyboard"):
            waiting.release()

    commands, _ = pair("upper_server.py", "select_chat_client.py")
    with contextlib.chdir(PROGRAMS):
        conductor = Conductor(load_scenario(lab_ref(commands)), keyboard=True, on_event=heard)
    lab = threading.Thread(target=conductor.run)
    lab.start()
    assert waiting.acquire(timeout=10)
    conductor.type("select_chat_client", "hi\n")
    assert waiting.acquire(timeout=10)
    conductor.type("select_chat_client", "", end=True)
    lab.join(10)
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert printed(conductor)["select_chat_client"] == ["answer: HI", "bye"]
