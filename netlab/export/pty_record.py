"""Run a full-screen program in a pseudo-terminal and record what it shows as an asciicast.

The program may name chapters: it writes one label per line to the file descriptor given in
``NETLAB_MARKER_FD``; each becomes a marker in the cast at the moment it arrives. With a user at
a terminal, their keys are passed through and the program is shown as it runs.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
import tty
from collections.abc import Sequence

from netlab.chapter_markers import MARKER_FD_ENV
from netlab.export.asciicast import CastWriter


def record(
    argv: Sequence[str],
    cast: CastWriter,
    *,
    width: int,
    height: int,
    show: bool = True,
    pace: float | None = None,
    env: dict[str, str] | None = None,
) -> int:
    """Run ``argv`` in a pty of ``width`` x ``height``; return its exit status.

    With ``pace``, the cast's clock is the chapter count times ``pace`` seconds rather than the
    wall clock, so that a program driven at full speed still plays back at a readable pace.
    """
    marker_read, marker_write = os.pipe()
    os.set_inheritable(marker_write, True)
    child_env = {**(os.environ if env is None else env), MARKER_FD_ENV: str(marker_write)}
    child_env.update({"COLUMNS": str(width), "LINES": str(height)})
    child_env.setdefault("TERM", "xterm-256color")
    pid, master = pty.fork()
    if pid == 0:  # the child: its terminal is the pty's other end
        try:
            os.execvpe(argv[0], list(argv), child_env)
        finally:
            os._exit(127)
    os.close(marker_write)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    started = time.monotonic()
    chapters = 0
    stdin = sys.stdin.fileno() if show and sys.stdin.isatty() else None
    saved = termios.tcgetattr(stdin) if stdin is not None else None
    if stdin is not None:
        tty.setraw(stdin)
    markers = b""
    decode = codecs.getincrementaldecoder("utf-8")("replace").decode  # a read may split a character

    def take_markers() -> None:
        """Turn every chapter label the program has written so far into a marker."""
        nonlocal markers, chapters
        while marker_read in readers and select.select([marker_read], [], [], 0)[0]:
            chunk = os.read(marker_read, 4096)
            if not chunk:
                readers.remove(marker_read)
            markers += chunk
            *labels, markers = markers.split(b"\n")
            for label in labels:
                chapters += 1
                at = chapters * pace if pace is not None else time.monotonic() - started
                cast.marker(at, label.decode("utf-8", "replace"))

    readers = [master, marker_read] + ([stdin] if stdin is not None else [])
    try:
        while master in readers:
            ready, _, _ = select.select(readers, [], [])
            if marker_read in ready:
                take_markers()
            if master in ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the program has ended
                    chunk = b""
                # A chapter the program wrote before this output comes before it, even if the
                # output was seen first.
                take_markers()
                if not chunk:
                    readers.remove(master)
                    continue
                now = chapters * pace if pace is not None else time.monotonic() - started
                cast.output(now, decode(chunk))
                if show:
                    os.write(sys.stdout.fileno(), chunk)
            if stdin is not None and stdin in ready:
                keys = os.read(stdin, 1024)
                if keys:
                    os.write(master, keys)
    finally:
        if saved is not None and stdin is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        os.close(master)
        os.close(marker_read)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
