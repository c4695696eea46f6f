"""A scenario run by hand: each actor's function in a plain Python process of its own, without
netlab's shim — the reference a traced run is compared with."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from netlab.core import events as ev
from netlab.core.conductor import Conductor
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.scenario import load_scenario

_RUN_ACTOR = """
import sys
from netlab.core.scenario import ActorContext, load_scenario
loaded = load_scenario(sys.argv[1])
spec, index = loaded.scenario.find_actor(sys.argv[2])
ports = [int(port) for port in sys.argv[3].split(",")]
context = ActorContext(
    name=sys.argv[2], index=index, host=sys.argv[4], ports=ports, args=loaded.scenario.args
)
spec.function(context)
"""


def _under_way(process: subprocess.Popen[str], ports: list[int]) -> bool:
    """Whether the actor has ended, or waits (asleep in the kernel) having bound one of
    ``ports`` (a server ready for its clients) or connected to one (a client)."""
    if process.poll() is not None:
        return True
    try:
        actor = psutil.Process(process.pid)
        connections = actor.net_connections(kind="inet")
        waiting = actor.status() == psutil.STATUS_SLEEPING
    except psutil.NoSuchProcess:
        return True
    return waiting and any(
        (c.laddr and c.laddr.port in ports) or (c.raddr and c.raddr.port in ports)
        for c in connections
    )


def wait_until_under_way(
    name: str, process: subprocess.Popen[str], ports: list[int], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not _under_way(process, ports):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} never used a port of the lab")
        time.sleep(0.01)  # polling for the condition, with a deadline


def wait_until_only_listening(process: subprocess.Popen[str], timeout: float) -> None:
    """Until the process has closed every connection and only listens: done with its clients,
    as a person would see before pressing Ctrl-C."""
    import psutil

    deadline = time.monotonic() + timeout
    while any(
        c.status != psutil.CONN_LISTEN for c in psutil.Process(process.pid).net_connections()
    ):
        if time.monotonic() > deadline:
            raise TimeoutError("the server never finished with its clients")
        time.sleep(0.01)  # polling for the condition, with a deadline


def run_by_hand(path: Path, timeout: float = 20.0) -> dict[str, list[str]]:
    """The lines each actor printed, run by hand: actors start in declaration order, each once
    the one before it is under way (see ``_under_way``)."""
    loaded = load_scenario(path)
    ports = free_ports(loaded.scenario.ports, LOOPBACK)
    port_list = ",".join(map(str, ports))
    processes: dict[str, subprocess.Popen[str]] = {}
    names = loaded.scenario.actor_names()
    try:
        for position, name in enumerate(names):
            command = [sys.executable, "-c", _RUN_ACTOR, str(path), name, port_list, LOOPBACK]
            processes[name] = process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            if position < len(names) - 1:
                wait_until_under_way(name, process, ports, timeout)
        out: dict[str, Any] = {}
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=timeout)
            assert process.returncode == 0, f"{name} failed by hand: {stderr}"
            out[name] = stdout.splitlines()  # [] for an actor that printed nothing
        return out
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def printed(conductor: Conductor) -> dict[str, list[str]]:
    """The lines each actor printed in a traced run, in the shape ``run_by_hand`` returns (a
    thread's lines are its actor's: one process, one stdout)."""
    process = {
        e.actor: e.extra.get("thread_of", e.actor)
        for e in conductor.events
        if e.kind == ev.ACTOR_START
    }
    lines: dict[str, list[str]] = {name: [] for name in process.values()}
    goes_on: set[str] = set()  # a line written without its end (a prompt): the next adds to it
    for event in conductor.events:
        if event.kind == ev.OUTPUT and event.op == "stdout":
            name = process.get(event.actor, event.actor)
            printed = lines.setdefault(name, [])
            if name in goes_on and printed:
                printed[-1] += event.text
            else:
                printed.append(event.text)
            if event.extra.get("partial"):
                goes_on.add(name)
            else:
                goes_on.discard(name)
    return lines


def run_programs_by_hand(
    commands: list[str],
    cwd: Path,
    ports: list[int],
    timeout: float = 20.0,
    typed: dict[str, str] | None = None,
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Plain programs run by hand, ``python3 FILE ARGS...`` in ``cwd``, started in order, each
    once the one before is under way: the lines each printed and its exit status, by the names
    netlab gives their actors. ``typed``: a program's standard input, by name, as from a pipe
    (``printf TEXT | python3 FILE``); the others read /dev/null."""
    typed = typed or {}
    import shlex

    from netlab.core.programs import Program, actor_names

    words = [shlex.split(command) for command in commands]
    names = actor_names([Program(cwd / w[0], tuple(w[1:]), w[0]) for w in words])
    processes: dict[str, subprocess.Popen[str]] = {}
    try:
        for position, (name, argv) in enumerate(zip(names, words, strict=True)):
            processes[name] = process = subprocess.Popen(
                [sys.executable, *argv],
                cwd=cwd,
                stdin=subprocess.PIPE if name in typed else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            if process.stdin is not None:
                process.stdin.write(typed[name])
                process.stdin.close()
                process.stdin = None  # given in full: communicate() has nothing to send
            if position < len(names) - 1:
                wait_until_under_way(name, process, ports, timeout)
        lines, codes = {}, {}
        for name, process in processes.items():
            stdout, _ = process.communicate(timeout=timeout)
            lines[name], codes[name] = stdout.splitlines(), process.returncode
        return lines, codes
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
