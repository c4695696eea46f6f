"""The command palette's scenarios: every lab on offer, by name and description.

Names and descriptions come from files (a user's ``./scenarios/*.py``), so they are shown as
``Text`` made through ``visible``, and the help line, which the palette reads as markup, is
escaped: a docstring holding ``[/bold]`` or ``[@click=...]`` is shown, never obeyed.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from netlab.core.safe_text import visible
from netlab.ui.messages import OpenScenario


def _prompt(title: str, offsets: tuple[int, ...] = ()) -> Text:
    text = Text(title)
    for offset in offsets:
        if not title[offset].isspace():
            text.stylize("reverse", offset, offset + 1)
    return text


class ScenarioCommands(Provider):
    """``Open NAME`` for every scenario Home lists."""

    def _choices(self) -> list[tuple[str, str, str]]:
        from netlab.ui.screens.home import scenario_choices

        return [
            (ref, f"Open {visible(name)}", escape(visible(description or "a scenario")))
            for _, ref, name, description in scenario_choices()
        ]

    def _open(self, ref: str) -> None:
        self.app.post_message(OpenScenario(ref))

    async def discover(self) -> Hits:
        for ref, title, help_text in self._choices():
            yield DiscoveryHit(_prompt(title), partial(self._open, ref), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for ref, title, help_text in self._choices():
            score, offsets = matcher.fuzzy_search.match(matcher.query, title)
            if score > 0:
                yield Hit(
                    score,
                    _prompt(title, tuple(offsets)),
                    partial(self._open, ref),
                    text=title,
                    help=help_text,
                )
