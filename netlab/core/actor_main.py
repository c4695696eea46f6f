"""The entry point of an actor process: ``python -m netlab.core.actor_main FD PARENT_PID``.

It installs the shim, loads the scenario, waits to be scheduled, runs the actor's function and
reports how it ended. Everything it says goes through the private channel (file descriptor FD).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from netlab.core import keyboard, shim, threads, wire
from netlab.core.channel import Channel, ChannelClosed
from netlab.core.containment import Limits
from netlab.core.events import TEXT_LIMIT, cut
from netlab.core.keyboard import Keyboard
from netlab.core.programs import ProgramExit
from netlab.core.scenario import ActorContext, ScenarioError, load_scenario

_NETLAB_DIR = str(Path(__file__).resolve().parent.parent)
# The channel's descriptor in the actor, out of the way of the actor's own: its sockets get
# 3, 4, ... as in a run by hand, whichever descriptor the conductor's process passed.
_CHANNEL_FD = 1000


class EventStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` of an actor: every line becomes an ``output`` event."""

    def __init__(self, tracer: shim.Tracer, name: str) -> None:
        self._tracer = tracer
        self._name = name
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    @property
    def buffer(self) -> _BytesStream:
        """``sys.stdout.buffer``: bytes, shown as text (undecodable bytes escaped)."""
        return _BytesStream(self)

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._emit(line)
        if len(self._pending) > TEXT_LIMIT:
            self.flush()
        return len(text)

    def flush(self) -> None:
        """What was written without an end of line is shown now (a prompt that input() writes
        and flushes); the line goes on with what is written next."""
        if self._pending:
            self._emit(self._pending, partial=True)
            self._pending = ""

    def _emit(self, line: str, partial: bool = False) -> None:
        self._tracer.output(self._name, cut(line), partial)


class _BytesStream(io.RawIOBase):
    def __init__(self, text: EventStream) -> None:
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._text.write(chunk.decode("utf-8", "backslashreplace"))
        return len(chunk)

    def flush(self) -> None:
        self._text.flush()


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when the conductor dies, so no actor is ever orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def user_traceback(exc: BaseException, *own_files: str) -> str:
    """The traceback of an actor's exception without netlab's own frames; the user's own files
    are named without their folder (a recording carries no path of the machine it was made
    on)."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(_NETLAB_DIR)
    ]
    for frame in frames:
        if frame.filename in own_files:
            frame.filename = Path(frame.filename).name
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n")


def _leave_if_forked(tracer: shim.Tracer, *streams: EventStream) -> None:
    """A child the actor forked that returns from the actor's function (or raises out of it)
    leaves there, as the script it runs would have ended: it must not end the actor."""
    if tracer.child:
        for stream in streams:
            stream.flush()
        os._exit(1 if sys.exc_info()[0] is not None else 0)


def run_actor(channel: Channel) -> None:
    init: dict[str, Any] = channel.recv()
    name = init["actor"]
    limits = Limits(**init["limits"]) if "limits" in init else Limits()
    limits.apply()  # before anything of the actor's own runs (see containment)
    tracer = shim.Tracer(channel, name, free=init["free"], modelled=init.get("modelled", False))
    tracer.outside = init.get("outside", False)
    shim.install(tracer)
    threads.install(tracer)
    # The joins at the end (threads.finish) come from no line; a read of the keyboard comes
    # from the program's input() or readline(), not from netlab's file.
    shim.skip_frames_of(__file__, keyboard.__file__)
    stdout, stderr = EventStream(tracer, "stdout"), EventStream(tracer, "stderr")
    sys.stdout, sys.stderr = stdout, stderr
    sys.stdin = tracer.keyboard = Keyboard(tracer, init.get("typed"))
    # A scenario's code sees its own file as argv, as by hand (a program is given its own).
    sys.argv = [init["scenario"]]
    try:
        # No limit here: the conductor gives the whole start of an actor a time limit.
        loaded = load_scenario(init["scenario"], time_limit=None)
        sys.argv = [str(loaded.path)]
        spec, index = loaded.scenario.find_actor(name)
    except ScenarioError as exc:
        channel.send({"t": wire.EXIT, "error": str(exc)})
        return
    ctx = ActorContext(
        name=name,
        index=index,
        host=init["host"],
        ports=init["ports"],
        args=init["args"],
        say=tracer.note,
        sleep=shim.sleep,
        asks=tracer.ask,
    )
    tracer.send({"t": wire.HELLO, "pid": os.getpid()})
    tracer.wait_for_go()
    tracer.active = True
    exit_message: dict[str, Any] = {"t": wire.EXIT}
    try:
        try:
            value = spec.function(ctx)
            threads.finish(tracer)
        finally:
            _leave_if_forked(tracer, stdout, stderr)
        if value is not None:
            exit_message["result"] = repr(value)
    except shim.Stopped:
        return
    except ProgramExit as exc:  # sys.exit(n) in a program: its exit status, as by hand
        exit_message["status"] = exc.status if isinstance(exc.status, int) else 1
        if not isinstance(exc.status, int):  # sys.exit("message") prints it, as Python does
            print(exc.status, file=sys.stderr)
    except KeyboardInterrupt as exc:
        own = [str(path) for path in loaded.own_files]
        if tracer.interrupted:  # uncaught, it ends the program with 130, as by hand
            exit_message["status"] = 130
        else:
            exit_message["error"] = shim.error_text(exc)
        exit_message["traceback"] = cut(user_traceback(exc, *own))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            exit_message["error"] = f"SystemExit: {exc.code}"
    except BaseException as exc:  # the actor's own error: reported, never re-raised
        exit_message["error"] = shim.error_text(exc)
        if isinstance(exc, MemoryError):  # past RLIMIT_AS, as the limit of its address space
            exit_message["error"] = f"MemoryError: {limits.memory_said()}"
        own = [str(path) for path in loaded.own_files]
        exit_message["traceback"] = cut(user_traceback(exc, *own))
    tracer.active = False
    stdout.flush()
    stderr.flush()
    counters: dict[str, dict[str, Any]] = {}
    exit_message["closed"], exit_message["deferred"] = shim.close_all(tracer, counters)
    exit_message["counters"] = {key: value for key, value in counters.items() if value}
    if tracer.interrupted:
        exit_message["interrupted"] = True
    tracer.send(exit_message)
    # Stay until the conductor lets go: it may still need this process (and its sockets).
    with contextlib.suppress(shim.Stopped):
        tracer.wait_for_go()


def _out_of_the_way(fd: int) -> int:
    """The channel moved to ``_CHANNEL_FD`` (or above), closed in whatever the actor runs."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _CHANNEL_FD)
    os.close(fd)
    return moved


def main() -> None:
    fd, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    _die_with_parent(parent_pid)
    channel = Channel.from_fd(_out_of_the_way(fd))
    with contextlib.suppress(ChannelClosed, shim.Stopped):
        run_actor(channel)
    # Leave at once: no interpreter teardown, no atexit handlers of the actor's code.
    os._exit(0)


if __name__ == "__main__":
    main()
