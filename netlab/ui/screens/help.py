"""Help: the keys, and how to read a lab."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Space", "carry out the next call (one step)"),
    ("p", "play / pause: steps on their own"),
    ("+ −", "faster / slower"),
    ("b f", "back / forward one step: the whole lab as it was (nothing is undone)"),
    ("↑ ↓ PgUp PgDn", "choose a row of the trace, on every tab: every view shows that moment"),
    ("Home End", "the first row / the latest (the lab is followed again)"),
    ("Shift+↑ ↓", "scroll the text of a tab (Why, Kernel, Delivery...) that is longer than it"),
    ("1 … 9", "tabs: Trace, Code, strace, Kernel, Bytes, Why, Ladder, Delivery, States"),
    ("i", "type a line into a program that waits for its keyboard (input()); Ctrl+D: end of input"),
    ("l", "the lesson: what to watch for, and what to try next"),
    ("a b c …", "answer a lesson's question (it stops before the call it asks about; Esc skips)"),
    ("/", "filter the trace: actors and kinds by their beginnings (client-1 rai); empty: all"),
    ("e", "to the end: a replay's last step, or a live lab at full speed"),
    ("r", "restart the lab"),
    ("h", "back to the scenarios (this lab is stopped); f there opens your own programs"),
    ("s", "save an SVG screenshot (into ./netlab-screenshots/)"),
    ("Ctrl+P", "command palette: scenarios and actions"),
    ("q", "quit (every actor process is stopped)"),
]

READING = (
    "Each actor (the server, each client) is a real process making real socket calls on the "
    "real kernel. netlab lets one call happen at a time. A call that would wait (accept, recv, "
    "connect) is marked ⏸ blocked: the other actors run until the kernel says its socket is "
    "ready (▸), and the next step completes it. Time is virtual: timeouts and sleeps jump "
    "ahead instead of waiting. Lines marked ~ are decisions of netlab's link model (loss, "
    "delay, duplicates), never of the kernel. A socket's state in capitals (LISTEN, ESTAB, "
    "TIME-WAIT, CLOSE-WAIT) is the kernel's own, asked as ss asks it, with what "
    "waits unread: read now at a live lab's latest step, and for the past (or a replay) as the "
    "log kept it after each step taken at a person's pace. The States tab draws TCP's state "
    "diagram with the selected socket's state lit, as the kernel reported it, and names the "
    "transition that led there; states passed too fast to be seen are marked as such."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll(id="help"):
            yield Static(Text("netlab — keys", "bold"), markup=False)
            yield Static(table, markup=False)
            yield Static(Text("\n" + READING), markup=False)
            yield Static(Text("\nEsc closes this help.", "dim"), markup=False)
