"""Screenshots as SVG, into a folder netlab makes in the current directory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App

from netlab.core.safe_text import visible

SCREENSHOTS = "netlab-screenshots"


def save_svg(app: App[Any], stem: str = "netlab") -> None:
    """An SVG of the screen, into ./netlab-screenshots/ (made if needed), and say where.

    Textual's own default is ~/Downloads, which a server often does not have."""
    folder = Path.cwd() / SCREENSHOTS
    try:
        folder.mkdir(exist_ok=True)
        path = app.save_screenshot(
            filename=f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.svg", path=str(folder)
        )
    except OSError as exc:
        message = f"cannot save the screenshot in {folder}: {exc.strerror or exc}"
        app.notify(visible(message), severity="error", markup=False)
        return
    app.notify(visible(f"saved {path}"), timeout=4, markup=False)
