"""Textual's footer, without its leak.

Each time a screen's bindings change (a tab chosen, the focus moved) the footer composes its
keys again, and each new key binds itself to the footer's ``compact``. The binding of a key
taken away stays on the footer (textual#6666): about 13 keys a change, 270 KB, kept until
the screen goes. On a lab watched for an hour that is hundreds of megabytes, so the footer lets
go of the bindings of keys no longer on the screen once it has composed its new ones.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        bound = getattr(self, "__watchers", {})  # where Textual keeps them (reactive._watch)
        for watchers in bound.values():
            watchers[:] = [(node, then) for node, then in watchers if node.is_attached]
