"""The ladder diagram as a widget: drawn for its own size, so it fits any terminal."""

from __future__ import annotations

from rich.console import RenderableType
from textual.widget import Widget

from netlab.core.ladder import Rung
from netlab.ui.widgets.details import ladder


class LadderView(Widget):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rungs: list[Rung] = []
        self._actors: list[str] = []

    def show(self, rungs: list[Rung], actors: list[str]) -> None:
        self._rungs, self._actors = rungs, list(actors)
        self.refresh()

    def render(self) -> RenderableType:
        return ladder(self._rungs, self._actors, self.size.width, self.size.height)
