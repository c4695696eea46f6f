"""The actor processes behind a small interface (:class:`Actors`): start one, send it a message,
receive its next one, stop them all. :class:`ProcessActors` runs each actor as a process of its
own speaking over a private channel (DESIGN §2.1); the tests give the conductor an in-memory
fake instead, so that its rules can be checked without a process.
"""

from __future__ import annotations

import _socket
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import Any, Protocol

from netlab.core import containment, wire
from netlab.core.channel import Channel, ChannelClosed, channel_pair
from netlab.core.controls import Controls

Message = dict[str, Any]

# How long stopped actor processes get to leave before they are killed.
_EXIT_GRACE = 0.5
# Running freely, the conductor waits for the running actor's next message by asking for it
# again and again this long before it sleeps: an actor answers within microseconds, and waking
# a sleeping process costs tens of them, twice per hand-off. Only with a CPU to spare.
SPIN = 0.0003 if len(os.sched_getaffinity(0)) >= 2 else 0.0


class ActorGone(Exception):
    """The actor's process is gone: its channel reached its end."""


class Actors(Protocol):
    def start(self, name: str, init: Message) -> None:
        """Start the actor and send it ``init``."""

    def send(self, name: str, message: Message) -> None:
        """Send a message; :class:`ActorGone` if the actor is gone."""

    def receive(self, name: str, until: float, *, spin: bool = False) -> Message | None:
        """The actor's next message, or None if ``until`` (``time.perf_counter``) comes first.

        Commands that arrive meanwhile are taken (which may raise ``StopRequested``); with
        ``spin``, a message that comes within microseconds is waited for without sleeping.
        :class:`ActorGone` if the actor is gone. A ``lane`` message (a thread of the actor
        started) comes with the lane's full name in ``"lane"``: from then on it is an actor
        of its own to this interface, in the same process."""

    def push_back(self, name: str, message: Message) -> None:
        """Put a message back: the next ``receive`` returns it."""

    def exit_code(self, name: str, timeout: float) -> int | None:
        """How the actor's process ended, waiting up to ``timeout``; None if it has not."""

    def stop(self, busy: list[str]) -> None:
        """End every actor (those in ``busy`` are not listening: no need to ask them first)."""


class ProcessActors:
    """Each actor a process of its own (``python -m netlab.core.actor_main``)."""

    def __init__(self, controls: Controls) -> None:
        self._controls = controls
        self._channels: dict[str, Channel] = {}
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._process_of: dict[str, str] = {}  # a lane's actor, whose process it runs in
        self._closed: set[str] = set()
        self._selector = selectors.DefaultSelector()
        self._selector.register(controls.fileno(), selectors.EVENT_READ, None)
        self._mark = containment.new_mark()  # in every process of the lab (see containment)
        self._started_at = 0  # when the first actor started (see containment.lab_zombies)
        containment.become_subreaper()

    def start(self, name: str, init: Message) -> None:
        mine, theirs = channel_pair()
        self._channels[name] = mine
        self._processes[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "netlab.core.actor_main",
                str(theirs.fileno()),
                str(os.getpid()),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal reaches netlab, not the actors
            env={**os.environ, containment.MARK: self._mark},
        )
        theirs.close()
        self._started_at = self._started_at or containment.started_at(self._processes[name].pid)
        self._selector.register(mine.sock, selectors.EVENT_READ, name)
        self.send(name, init)

    def send(self, name: str, message: Message) -> None:
        try:
            self._channels[name].send(message)
        except ChannelClosed as exc:
            raise ActorGone(name) from exc

    def push_back(self, name: str, message: Message) -> None:
        self._channels[name].push_back(message)

    def receive(self, name: str, until: float, *, spin: bool = False) -> Message | None:
        message = self._receive(name, until, spin)
        if message is not None and message["t"] == wire.LANE and "lane" not in message:
            message["lane"] = self._add_lane(name, message["name"])
        return message

    def _add_lane(self, starter: str, thread: str) -> str:
        """The channel of a thread ``starter`` started, named after its actor and the thread."""
        actor = self._process_of.get(starter, starter)
        lane = name = f"{actor}/{thread}"
        copies = 1
        while lane in self._channels:  # two threads of one name
            copies += 1
            lane = f"{name}-{copies}"
        fd = self._channels[starter].fds.pop(0)
        channel = Channel(_socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd))
        self._channels[lane] = channel
        self._process_of[lane] = actor
        self._selector.register(channel.sock, selectors.EVENT_READ, lane)
        return lane

    def _receive(self, name: str, until: float, spin: bool) -> Message | None:
        channel = self._channels[name]
        message = channel.pop()
        if message is not None:
            return message
        if spin and SPIN:
            message = self._receive_spinning(name)
            if message is not None:
                return message
        while True:
            if name in self._closed:
                raise ActorGone(name)
            remaining = until - time.perf_counter()
            if remaining <= 0:
                return None
            for key, _ in self._selector.select(min(remaining, 3600.0)):
                sender = key.data
                if sender is None:
                    self._controls.take()
                    continue
                try:
                    self._channels[sender].fill()  # any actor's: a side message may come
                except ChannelClosed:
                    self._close(sender)
            message = channel.pop()
            if message is not None:
                return message

    def _receive_spinning(self, name: str) -> Message | None:
        """The actor's next message if it comes within ``SPIN`` seconds (see there)."""
        channel = self._channels[name]
        give_up = time.perf_counter() + SPIN
        while name not in self._closed and time.perf_counter() < give_up:
            try:
                if not channel.fill_now():
                    continue
            except ChannelClosed:
                self._close(name)
                return None
            message = channel.pop()
            if message is not None:
                return message
        return None

    def _close(self, name: str) -> None:
        self._closed.add(name)
        self._selector.unregister(self._channels[name].sock)

    def exit_code(self, name: str, timeout: float) -> int | None:
        process = self._processes[self._process_of.get(name, name)]
        with contextlib.suppress(subprocess.TimeoutExpired):
            return process.wait(timeout=timeout)
        return None

    def stop(self, busy: list[str]) -> None:
        """End every actor process and close every channel; sockets close with the processes."""
        busy = [self._process_of.get(name, name) for name in busy]
        # What the actors started, found while they are there to be started from, and the
        # orphans of theirs netlab took in (with what those started).
        actors = [process.pid for process in self._processes.values()]
        orphans = containment.marked_children(self._mark)
        started = containment.descendants(actors + orphans) + orphans
        for name, process in self._processes.items():
            if name in busy:  # not listening (an endless loop, or stopped mid-step): no waiting
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        for channel in self._channels.values():
            with contextlib.suppress(ChannelClosed):
                channel.send({"t": wire.BYE})
        give_up = time.perf_counter() + _EXIT_GRACE
        for process in self._processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, give_up - time.perf_counter()))
            # The whole group: whatever the actor itself started goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # And what left their groups (setsid) or was orphaned (a double fork) on the way, until
        # killing one orphans nothing more.
        containment.end_all(started)
        for _ in range(5):
            orphans = containment.marked_children(self._mark)
            if not orphans:
                break
            containment.end_all(containment.descendants(orphans) + orphans)
        if self._started_at:
            containment.end_all(containment.lab_zombies(self._started_at))
        for channel in self._channels.values():
            channel.close()
        self._selector.close()
