"""Your own programs: pick program files (and their arguments), or a folder that holds a
server and its clients, and open them as a lab."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DirectoryTree, Input, Static

from netlab.core.programs import lab_ref
from netlab.core.scenario import ScenarioError
from netlab.ui.messages import OpenScenario
from netlab.ui.text import safe
from netlab.ui.widgets.footer import Footer

_HELP = (
    "Enter on a .py file adds it (then type its arguments, Enter). o opens the programs added, "
    "in that order; on a folder, o asks the arguments of its servers, then of its clients, and "
    "opens them. Backspace takes the last one off; Esc goes back."
)


class PythonFiles(DirectoryTree):
    """Folders and Python files only; hidden ones left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith((".", "__")) and (path.is_dir() or path.suffix == ".py")
        ]


def folder_programs(folder: Path) -> list[Path]:
    """A folder's programs as the guide names them: its servers first, then its clients (the
    modules beside them, imported by those, are not programs)."""
    files = sorted(path for path in folder.glob("*.py") if path.is_file())
    servers = [path for path in files if "server" in path.stem.lower()]
    clients = [path for path in files if "client" in path.stem.lower() and path not in servers]
    return servers + clients


class ProgramsScreen(Screen[None]):
    BINDINGS = [
        Binding("o", "open", "Open", id="programs.open"),
        Binding("backspace", "drop", "Take off the last", id="programs.drop"),
        Binding("escape", "app.pop_screen", "Back", id="programs.back"),
    ]

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder or Path.cwd()
        self.chosen: list[str] = []  # each a file and its arguments, as a shell would take it
        self._adding: Path | None = None
        self._queue: list[Path] = []  # a folder's programs still to be given their arguments
        self._from_folder = False  # once they all have them, the lab opens

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(("Your own programs", "bold"), " — " + _HELP), id="programs-title"
        )
        yield PythonFiles(self.folder, id="files")
        yield Input(placeholder="arguments for the program (Enter adds it)", id="arguments")
        yield Static("", id="chosen", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#arguments", Input).display = False
        self.query_one(PythonFiles).focus()
        self._show()

    @on(DirectoryTree.FileSelected)
    def _file_chosen(self, message: DirectoryTree.FileSelected) -> None:
        self._ask_arguments(message.path)

    def _ask_arguments(self, path: Path) -> None:
        self._adding = path
        box = self.query_one("#arguments", Input)
        box.placeholder = f"arguments for {path.name} (Enter adds it)"
        box.value = ""
        box.display = True
        box.focus()

    @on(Input.Submitted, "#arguments")
    def _arguments_given(self, message: Input.Submitted) -> None:
        try:
            shlex.split(message.value)
        except ValueError as exc:  # said now, not when the lab is opened
            self._show(f"{message.value!r}: the arguments do not parse ({exc})")
            return
        if self._adding is not None:
            self.chosen.append(" ".join([shlex.quote(str(self._adding)), message.value]).strip())
        self._adding = None
        message.input.display = False
        self._show()
        if self._queue:  # a folder's next program
            self._ask_arguments(self._queue.pop(0))
        elif self._from_folder:
            self._from_folder = False
            self.action_open()
        else:
            self.query_one(PythonFiles).focus()

    def action_drop(self) -> None:
        if self.chosen:
            self.chosen.pop()
            self._show()

    def action_open(self) -> None:
        if not self.chosen:
            node = self.query_one(PythonFiles).cursor_node
            folder = node.data.path if node is not None and node.data is not None else None
            found = folder_programs(folder) if folder is not None and folder.is_dir() else []
            if not found:
                self._show(
                    "Add a program first (Enter on a .py file), or highlight a folder whose "
                    "files are named …server.py and …client.py."
                )
                return
            self._queue, self._from_folder = found[1:], True  # each asked its arguments
            self._ask_arguments(found[0])
            return
        try:
            ref = lab_ref(self.chosen)
        except ScenarioError as exc:
            self._show(str(exc))
            return
        self.app.pop_screen()  # the lab takes this screen's place, above Home
        self.app.post_message(OpenScenario(ref))

    def _show(self, problem: str = "") -> None:
        lines = Text()
        here = f"{self.folder}/"
        for number, command in enumerate(self.chosen, start=1):
            lines.append(f"{number}. ", "bold")
            lines.append_text(safe(command.removeprefix(here)))  # shown from the folder
            lines.append("\n")
        if not self.chosen:
            lines.append("No program added yet.\n", "dim")
        if problem:
            lines.append_text(safe(problem, "bold red"))
        self.query_one("#chosen", Static).update(lines)
