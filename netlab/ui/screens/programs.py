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
from textual.widgets import DirectoryTree, Footer, Input, Static

from netlab.core.programs import lab_ref
from netlab.core.scenario import ScenarioError
from netlab.ui.messages import OpenScenario
from netlab.ui.text import safe

_HELP = (
    "Enter on a .py file adds it (then type its arguments, Enter). o opens the programs added, "
    "in that order, or those of the highlighted folder: its servers, then its clients. "
    "Backspace takes the last one off; Esc goes back."
)


class PythonFiles(DirectoryTree):
    """Folders and Python files only; hidden ones left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith((".", "__")) and (path.is_dir() or path.suffix == ".py")
        ]


def folder_programs(folder: Path) -> list[str]:
    """A folder's programs as the guide names them: its servers first, then its clients (the
    modules beside them, imported by those, are not programs)."""
    files = sorted(path for path in folder.glob("*.py") if path.is_file())
    servers = [path for path in files if "server" in path.stem.lower()]
    clients = [path for path in files if "client" in path.stem.lower() and path not in servers]
    return [shlex.quote(str(path)) for path in servers + clients]


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
        self._adding = message.path
        box = self.query_one("#arguments", Input)
        box.placeholder = f"arguments for {message.path.name} (Enter adds it)"
        box.value = ""
        box.display = True
        box.focus()

    @on(Input.Submitted, "#arguments")
    def _arguments_given(self, message: Input.Submitted) -> None:
        if self._adding is not None:
            self.chosen.append(" ".join([shlex.quote(str(self._adding)), message.value]).strip())
        self._adding = None
        message.input.display = False
        self.query_one(PythonFiles).focus()
        self._show()

    def action_drop(self) -> None:
        if self.chosen:
            self.chosen.pop()
            self._show()

    def action_open(self) -> None:
        programs = list(self.chosen)
        if not programs:
            node = self.query_one(PythonFiles).cursor_node
            folder = node.data.path if node is not None and node.data is not None else None
            if folder is not None and folder.is_dir():
                programs = folder_programs(folder)
            if not programs:
                self._show(
                    "Add a program first (Enter on a .py file), or highlight a folder "
                    "whose files are named …server.py and …client.py."
                )
                return
        try:
            ref = lab_ref(programs)
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
