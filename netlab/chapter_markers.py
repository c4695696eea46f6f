"""Chapter markers: how a recorded program names its chapters to the recorder.

The recorder (``netlab.export.pty_record``) opens a pipe and passes its write end to the
program in the environment variable ``NETLAB_MARKER_FD``; the program (the lab in the TUI)
writes one label per line to it. Both sides meet here, so that neither imports the other.
"""

from __future__ import annotations

import os
from typing import IO

MARKER_FD_ENV = "NETLAB_MARKER_FD"


def open_marker_stream() -> IO[str] | None:
    """In the recorded program: where to write chapter labels, or None when nobody records."""
    fd = os.environ.pop(MARKER_FD_ENV, "")
    if not fd.isdigit():
        return None
    try:
        return os.fdopen(int(fd), "w", buffering=1, encoding="utf-8", errors="replace")
    except OSError:
        return None
