"""Whatever an actor starts ends with the lab, however it tries to leave (containment)."""

from __future__ import annotations

import socket
from pathlib import Path

import psutil
import pytest

from netlab.core import events as ev
from netlab.core.conductor import COMPLETED, CRASHED, Conductor
from netlab.core.containment import Limits
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.scenario import load_scenario

pytestmark = pytest.mark.timeout(60)
LABS = Path(__file__).parent.parent / "scenarios"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended: only its exit status is left


@pytest.mark.parametrize("way", ["subprocess", "fork", "setsid", "double fork", "daemon worker"])
def test_a_process_an_actor_starts_ends_with_the_lab(way: str, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    port = free_ports(1, LOOPBACK)[0]
    args = {"way": way, "pidfile": str(pidfile), "port": port}
    conductor = Conductor(load_scenario(str(LABS / "escapes.py")), args=args)
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    pid = int(pidfile.read_text())
    assert not _alive(pid), f"{way}: pid {pid} outlived the lab"
    with pytest.raises(ConnectionRefusedError):  # nothing listens on its port any more
        socket.create_connection((LOOPBACK, port), timeout=2).close()
    zombies = [c for c in psutil.Process().children() if c.status() == psutil.STATUS_ZOMBIE]
    assert zombies == []  # what netlab took in, it reaped


def _actor_lab(tmp_path: Path, body: str) -> str:
    path = tmp_path / "lab.py"
    path.write_text(
        "from netlab import Scenario\n"
        "lab = Scenario('limits')\n"
        "@lab.actor('greedy')\n"
        "def greedy(ctx):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    )
    return str(path)


def test_an_actor_over_its_memory_limit_fails_saying_which_limit(tmp_path: Path) -> None:
    lab = _actor_lab(tmp_path, "data = bytearray(600 * 1024 * 1024)")
    conductor = Conductor(load_scenario(lab), limits=Limits(memory_mb=300))
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == CRASHED
    assert "over its memory limit of 300 MB (--memory-limit)" in conductor.outcome.message


def test_an_actor_over_its_cpu_time_limit_is_stopped_saying_which_limit(tmp_path: Path) -> None:
    lab = _actor_lab(tmp_path, "while True:\n    pass")
    conductor = Conductor(load_scenario(lab), limits=Limits(cpu_seconds=1), time_limit=30)
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == CRASHED
    assert "reached its CPU-time limit of 1 s (--cpu-limit)" in conductor.outcome.message
    exits = [e for e in conductor.events if e.kind == ev.ACTOR_EXIT]
    assert "CPU-time limit" in (exits[0].error or "")
