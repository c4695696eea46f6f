"""An in-memory fake of the actor processes (``netlab.core.processes.Actors``): scripted actors
that speak the conductor's wire protocol as the shim does, over a toy kernel of byte counts,
so that the scheduling rules can be checked without starting a process.

A script is a list of actions, each a tuple:
- ``("recv", sock)`` or ``("recv", sock, timeout)``: blocks until ``sock`` has bytes;
- ``("send", sock, to, size)``: puts ``size`` bytes in ``to``;
- ``("sleep", seconds)``: waits on the virtual clock;
- ``("select", )``: a select() that finds nothing and returns at once (it polls);
- ``("poll_for", sock, tries)``: select() at once until ``sock`` has bytes, ``tries`` times at
  most, then prints ``got N`` or ``gave up``;
- ``("call", op)``: a call that returns at once (bind, listen...);
- ``("print", text)``: a line of output;
- ``("work", answers, to, size[, "asleep"])``: a thread of the actor starts working outside
  the traced calls: it is running (or alive but asleep) for the conductor's next ``answers``
  questions (-1: for ever), then puts ``size`` bytes in ``to`` (what it sent) and ends;
- ``("thread", name, script)``: starts a thread that is a lane (``actor/name``) running
  ``script`` (``("fail",)`` there: it ends with an error);
- ``("join", name)``: waits until that lane has ended;
- ``("readline",)``: reads a line from its keyboard (waits until one is typed, or the end of
  input), then prints ``read LINE``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netlab import Scenario
from netlab.core import calls, wire
from netlab.core.controls import Controls
from netlab.core.processes import ActorGone
from netlab.core.scenario import LoadedScenario

Action = tuple[Any, ...]
Message = dict[str, Any]
Receiver = Generator[None, Message, Any]

_BLOCKS = object()  # what an attempt returns when the call would block
_CALLS_BEFORE_GIVING_WAY = 200  # as the shim's


class _Bye(Exception):
    """The conductor said bye."""


@dataclass
class ToyKernel:
    """Bytes waiting in each socket, by name."""

    waiting: dict[str, int] = field(default_factory=dict)

    def put(self, sock: str, size: int) -> None:
        self.waiting[sock] = self.waiting.get(sock, 0) + size

    def take(self, sock: str) -> int:
        return self.waiting.pop(sock, 0)


class FakeActor:
    def __init__(
        self, name: str, script: list[Action], kernel: ToyKernel, *, lane: bool = False
    ) -> None:
        self.name = name
        self.lane = lane  # a thread of another actor: it starts at its first go
        self.script = script
        self.kernel = kernel
        self.outbox: deque[Message] = deque()
        self.free = False
        self.ended = False
        self._unwaited = 0
        self._changed_since_wait = False  # as the shim's Tracer: see its _polls
        self._work: list[Any] | None = None  # [answers left, to, size] of a working thread
        self._running = False  # that thread is on a CPU (not asleep)
        self._quiet = True
        self.keyboard = ""  # typed, not yet read
        self.keyboard_ended = False
        self._main = self._run_lane() if lane else self._run()
        next(self._main)  # to its first wait for a message

    def handle(self, message: Message) -> None:
        if self.ended:
            return
        try:
            self._main.send(message)
        except (StopIteration, _Bye):
            self.ended = True

    def emit(self, message: Message) -> None:
        self.outbox.append(message)

    # -- as the shim's Tracer ------------------------------------------------------------------

    def _run(self) -> Receiver:
        init = yield
        assert init["t"] == wire.INIT and init["actor"] == self.name
        self.free = init["free"]
        if "typed" in init:
            self.keyboard, self.keyboard_ended = init["typed"], True
        self.emit({"t": wire.HELLO, "pid": 4000 + len(self.name)})
        yield from self._serve(None)
        for action in self.script:
            yield from self._act(action)
        self.emit({"t": wire.EXIT, "closed": [], "deferred": [], "counters": {}})
        yield from self._serve(None)

    def _run_lane(self) -> Receiver:
        yield from self._serve(None)
        exit: Message = {"t": wire.EXIT}
        for action in self.script:
            if action == ("fail",):
                exit["error"] = "ValueError: a thread's own"
                break
            yield from self._act(action)
        self.kernel.put(f"{self.name} ended", 1)
        self.emit(exit)
        yield from self._serve(None)

    def _serve(self, ready: Callable[[], bool] | None, can_try: bool = False) -> Receiver:
        while True:
            message = yield
            kind = message["t"]
            if kind in (wire.GO, wire.TIMEOUT):
                return kind
            if kind == wire.POLL:
                if can_try and not message["wait"] and message.get("go"):
                    return wire.TRY
                is_ready = ready() if ready is not None else False
                if is_ready and message.get("go"):
                    return wire.GO
                answer: Message = {"t": wire.READY, "ready": is_ready}
                if not is_ready and self._working():
                    answer["busy"] = self._running
                    if message["wait"]:
                        answer["working"] = "thread worker"
                self.emit(answer)
            elif kind == wire.KEYS:
                self.keyboard += message["text"]
                self.keyboard_ended = self.keyboard_ended or message["end"]
            elif kind in (wire.DELIVER, wire.FLUSH):
                self.emit({"t": wire.DELIVERED, "backlog": 0, "errors": []})
            elif kind == wire.BYE:
                raise _Bye
            else:
                raise AssertionError(f"unexpected message {kind!r}")

    def _call(
        self,
        op: str,
        sock: str | None,
        attempt: Callable[[bool], Any],
        *,
        timeout: float | None = None,
        ready: Callable[[], bool] | None = None,
        args: list[Any] | None = None,
    ) -> Receiver:
        message: Message = {"t": wire.CALL, "op": op, "args": args or [], "source": None}
        if sock is not None:
            message["sock"] = _sock(sock)
        unsent: Message | None = None
        if self.free:
            unsent = message
        else:
            self.emit(message)
            yield from self._serve(None)
        timed_out = trying = waited = False
        while True:
            value = attempt(timed_out)
            if value is _BLOCKS:
                if trying:
                    self.emit({"t": wire.READY, "ready": False})
                else:
                    block: Message = {"t": wire.BLOCK, "timeout": timeout}
                    if self._work is not None:
                        block["busy"] = self._running
                    if unsent is not None:
                        block["call"], unsent = unsent, None
                    self.emit(block)
                reads = calls.call(op).waits == calls.READ
                answer = yield from self._serve(ready, can_try=reads)
                timed_out, trying, waited = answer == wire.TIMEOUT, answer == wire.TRY, True
                continue
            outcome: Message = {"t": wire.RETURN}
            if isinstance(value, BaseException):
                outcome = {"t": wire.RAISE, "error": f"{type(value).__name__}: {value}"}
            elif value is not None:
                outcome["result"] = value
            if sock is not None:
                outcome["sock"] = _sock(sock)
            self.emit(
                outcome if unsent is None else {"t": wire.STEP, "call": unsent, "outcome": outcome}
            )
            waits_for_ready = op in calls.WAITS_FOR_READY
            polls = waits_for_ready and self._polls(bool(value))
            if waited:
                self._unwaited, self._quiet = 0, True
            elif polls:
                yield from self._give_way(f"{op}() found nothing new ready, at once", polled=True)
            else:
                self._unwaited += 1
                if self._unwaited >= _CALLS_BEFORE_GIVING_WAY:
                    why = f"it made {self._unwaited} calls without waiting"
                    yield from self._give_way(why, polled=self._quiet)
            if not waits_for_ready and op not in calls.INERT:
                self._changed_since_wait, self._quiet = True, False
            return value

    def _polls(self, readable: bool) -> bool:
        """The shim's rule, for waits that find sockets readable (never writable) here."""
        if readable:
            self._quiet = False
        unchanged = not self._changed_since_wait
        self._changed_since_wait = False
        return not readable and unchanged

    def _working(self) -> bool:
        """Whether the actor's thread still works, counting this question."""
        if self._work is None:
            return False
        answers, to, size = self._work
        if answers == 0:
            self.kernel.put(to, size)
            self._work = None
            return False
        self._work[0] = answers - 1
        return True

    def _give_way(self, why: str, *, polled: bool = False) -> Receiver:
        self._unwaited, self._quiet = 0, True
        self.emit({"t": wire.YIELD, "why": why, "polled": polled})
        yield from self._serve(lambda: True)

    def _act(self, action: Action) -> Receiver:
        kind, *rest = action
        kernel = self.kernel
        if kind == "recv":
            sock, timeout = rest[0], (rest[1] if len(rest) > 1 else None)

            def receive(timed_out: bool) -> Any:
                if timed_out:
                    return TimeoutError("timed out")
                size = kernel.take(sock)
                return size if size else _BLOCKS

            ready = lambda: kernel.waiting.get(sock, 0) > 0  # noqa: E731
            yield from self._call("recv", sock, receive, timeout=timeout, ready=ready, args=[1024])
        elif kind == "send":
            sock, to, size = rest
            yield from self._call("send", sock, lambda t: kernel.put(to, size) or size)
        elif kind == "sleep":
            seconds = rest[0]

            def sleep(timed_out: bool) -> Any:
                return None if timed_out or seconds == 0 else _BLOCKS

            yield from self._call("sleep", None, sleep, timeout=seconds, args=[seconds])
        elif kind == "select":
            yield from self._call("select", None, lambda t: [], timeout=0.0, args=[0])
        elif kind == "poll_for":
            sock, tries = rest
            for _ in range(tries):
                found = yield from self._call(
                    "select", None, lambda t: [sock] if kernel.waiting.get(sock) else [], args=[0]
                )
                if found:
                    self.emit(
                        {"t": wire.OUTPUT, "stream": "stdout", "text": f"got {kernel.take(sock)}"}
                    )
                    return
            self.emit({"t": wire.OUTPUT, "stream": "stdout", "text": "gave up"})
        elif kind == "call":
            yield from self._call(rest[0], f"{self.name}#1", lambda t: None)
        elif kind == "work":
            self._work = list(rest[:3])
            self._running = tuple(rest[3:]) != ("asleep",)
        elif kind == "thread":
            self.emit({"t": wire.LANE, "name": rest[0], "script": rest[1]})
        elif kind == "join":
            ended = f"{self.name}/{rest[0]} ended"
            yield from self._call(
                "join",
                None,
                lambda t: None if kernel.waiting.get(ended) else _BLOCKS,
                ready=lambda: bool(kernel.waiting.get(ended)),
                args=[rest[0]],
            )
        elif kind == "print":
            self.emit({"t": wire.OUTPUT, "stream": "stdout", "text": rest[0]})
        elif kind == "readline":

            def line_typed() -> bool:
                return "\n" in self.keyboard or self.keyboard_ended

            def readline(timed_out: bool) -> Any:
                if not line_typed():
                    return _BLOCKS
                line, newline, self.keyboard = self.keyboard.partition("\n")
                return line + newline

            line = yield from self._call("readline", None, readline, ready=line_typed)
            self.emit({"t": wire.OUTPUT, "stream": "stdout", "text": f"read {line!r}"})
        else:
            raise AssertionError(f"unknown action {action!r}")


def _sock(name: str) -> Message:
    return {"id": name, "fd": 3, "family": "AF_INET", "type": "SOCK_STREAM"}


class FakeActors:
    """``Actors`` for the conductor: the scripted actors, answering at once."""

    def __init__(self, controls: Controls, scripts: dict[str, list[Action]]) -> None:
        self.controls = controls
        self.kernel = ToyKernel()
        self.scripts = scripts
        self.actors: dict[str, FakeActor] = {}
        self.stopped = False

    def start(self, name: str, init: Message) -> None:
        self.actors[name] = actor = FakeActor(name, self.scripts[name], self.kernel)
        actor.handle(init)

    def send(self, name: str, message: Message) -> None:
        actor = self.actors[name]
        if actor.ended:
            raise ActorGone(name)
        actor.handle(message)

    def receive(self, name: str, until: float, *, spin: bool = False) -> Message | None:
        if self.controls.pending():
            self.controls.take()
        outbox = self.actors[name].outbox
        if not outbox:  # a fake answers at once, or never
            raise AssertionError(f"{name} has nothing to say")
        message = outbox.popleft()
        if message["t"] == wire.LANE and "lane" not in message:
            lane = f"{name}/{message['name']}"
            self.actors[lane] = thread = FakeActor(lane, message["script"], self.kernel, lane=True)
            thread.free = self.actors[name].free
            message["lane"] = lane
        return message

    def push_back(self, name: str, message: Message) -> None:
        self.actors[name].outbox.appendleft(message)

    def exit_code(self, name: str, timeout: float) -> int | None:
        return 0

    def stop(self, busy: list[str]) -> None:
        self.stopped = True
        for actor in self.actors.values():
            actor.handle({"t": wire.BYE})


def fake_lab(scripts: dict[str, list[Action]], seed: int = 1) -> LoadedScenario:
    """A scenario whose actors are named after the scripts, in their order."""
    scenario = Scenario("fake", seed=seed)
    for name in scripts:
        scenario.actor(name)(lambda ctx: None)
    return LoadedScenario(scenario, Path("fake.py"), "fake", "a fake lab")


def fake_actors(scripts: dict[str, list[Action]]) -> Callable[[Controls], FakeActors]:
    return lambda controls: FakeActors(controls, scripts)
