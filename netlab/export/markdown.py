"""A Markdown tutorial made from a lab's event log: one section per step.

For each step: the scenario's comments above the line that made the call (they are the tutorial
text), the line itself, the call and its result, what the actors said and printed, an
explanation, and a picture of the lab at that step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from netlab.core import events as ev
from netlab.core import questions
from netlab.core.describe import call_text, result_text
from netlab.core.events import Event
from netlab.core.safe_text import visible


def comments_above(source_lines: Sequence[str], line: int) -> list[str]:
    """The comment lines just above ``line`` (1-based), and a comment at its end."""
    found: list[str] = []
    index = line - 2
    while index >= 0 and source_lines[index].strip().startswith("#"):
        found.insert(0, source_lines[index].strip().lstrip("#").strip())
        index -= 1
    if 0 < line <= len(source_lines):
        _, hash_, comment = source_lines[line - 1].partition("  #")
        if hash_ and comment.strip():
            found.append(comment.strip())
    return found


def _code(text: str) -> str:
    """Inline code that no backtick in the text can end early."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def tutorial(
    header: dict[str, Any],
    events: Sequence[Event],
    *,
    picture: Callable[[int], str | None] = lambda step: None,
    explain: Callable[[Event], str] | None = None,
) -> str:
    """The Markdown text. ``picture(step)`` names the image of a step, if there is one."""
    source = str(header.get("source", ""))
    lines = source.splitlines()
    title = visible(str(header.get("title") or header.get("scenario") or "netlab lab"))
    doc = _docstring(source)
    out = [f"# {title}", ""]
    if doc:
        out += [visible(doc, multiline=True), ""]
    link = header.get("link", {})
    link_name = link.get("name", link) if isinstance(link, dict) else link
    out += [
        f"Scenario {_code(visible(str(header.get('scenario', '?'))))}, "
        f"link {_code(visible(str(link_name)))}, seed {visible(str(header.get('seed', '?')))}. "
        "Every call below was made on real sockets, by the real kernel, and recorded by netlab.",
        "",
    ]
    pending: list[str] = []  # what actors said or printed since the last step
    for event in events:
        if event.kind == ev.OUTPUT:
            pending.append(f"- {event.actor} printed: {_code(visible(event.text))}")
        elif (question := questions.of(event)) is not None:
            pending.append(f"- {event.actor} asks: {visible(question.text)}")
            pending += [f"  - {key}) {visible(text)}" for key, text in question.choices]
            pending.append(f"  - answer: {visible(question.answer_text())}")
        elif event.kind == ev.NOTE:
            pending.append(f"- {event.actor} says: {visible(event.text)}")
        elif event.kind == ev.LINK:
            pending.append(f"- the link (modelled by netlab): {visible(event.text)}")
        elif event.kind in ev.OUTCOMES and not event.extra.get("compound"):
            out += _step(event, lines, pending, picture, explain)
            pending = []
        elif event.kind == ev.DEADLOCK:
            pending.append(f"- **deadlock**: {visible(event.text)}")
        elif event.kind == ev.ACTOR_EXIT and event.error:
            pending.append(f"- {event.actor} crashed: {_code(visible(event.error))}")
        elif event.kind == ev.END:
            out += pending
            pending = []
            out += ["", f"**The end:** {visible(str(event.result))}: {visible(event.text)}", ""]
    out += pending
    return "\n".join(out).rstrip() + "\n"


def _step(
    event: Event,
    lines: Sequence[str],
    pending: list[str],
    picture: Callable[[int], str | None],
    explain: Callable[[Event], str] | None,
) -> list[str]:
    out = [f"## Step {event.step}: {event.actor} {_code(call_text(event))}", ""]
    out += pending + ([""] if pending else [])
    if event.source is not None and 0 < event.source[1] <= len(lines):
        number = event.source[1]
        comments = comments_above(lines, number)
        if comments:
            out += [*(f"> {visible(comment)}" for comment in comments), ""]
        out += ["```python", visible(lines[number - 1].rstrip()), "```", ""]
    out += [f"Result: {_code(result_text(event))}", ""]
    if explain is not None:
        text = explain(event)
        if text:
            out += [visible(text, multiline=True), ""]
    image = picture(event.step)
    if image:
        out += [f"![the lab at step {event.step}]({image})", ""]
    return out


def _docstring(source: str) -> str:
    import ast

    try:
        return ast.get_docstring(ast.parse(source)) or ""
    except (SyntaxError, ValueError):
        return ""
