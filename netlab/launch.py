"""The ``netlab`` command: Ctrl-C at any moment ends it with 130, without a traceback.

Python only turns Ctrl-C into ``KeyboardInterrupt`` once it runs; while netlab loads (the
command line, Textual), an interrupt there would print a traceback from inside an import. So
the first thing this does is to make Ctrl-C end the process at once, quietly; once netlab is
loaded, the command's own handling (every actor stopped, one line) takes over.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130


def _leave(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"netlab: interrupted\n")
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # (a background job ignores it)
        signal.signal(signal.SIGINT, _leave)
        from netlab.cli import main as command

        signal.signal(signal.SIGINT, signal.default_int_handler)
    else:
        from netlab.cli import main as command
    try:
        command()
    except KeyboardInterrupt:  # anywhere the command does not say more itself
        print("netlab: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
