"""Home: the built-in scenarios and the user's own (``./scenarios/*.py``)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from netlab.core.scenario import builtin_dir, builtin_scenarios, describe_file
from netlab.ui.messages import OpenScenario
from netlab.ui.text import safe


def scenario_choices(folder: Path | None = None) -> list[tuple[str, str, str]]:
    """(reference, name shown, description) for every scenario on offer."""
    choices = [(name, name, describe_file(path)) for name, path in builtin_scenarios().items()]
    mine = (folder or Path.cwd()) / "scenarios"
    if mine.is_dir() and mine.resolve() != builtin_dir().resolve():
        for path in sorted(mine.glob("*.py")):
            if not path.name.startswith("_") and not _a_builtin_copy(path):
                choices.append((str(path), f"yours: {path.name}", describe_file(path)))
    return choices


def _a_builtin_copy(path: Path) -> bool:
    """A copy of a built-in scenario (netlab's own checkout, say): listed once, as built in."""
    builtin = builtin_dir() / path.name
    try:
        return builtin.is_file() and builtin.read_bytes() == path.read_bytes()
    except OSError:
        return False


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "enter",
            "open",
            "Open",
            id="home.open",
            tooltip="Open the chosen scenario",
            priority=True,  # before the list's own Enter, so that the footer shows it
        ),
        Binding("f", "app.open_programs", "Your programs", id="home.programs"),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("netlab", "bold"),
                " — step through real socket code, one call at a time. Choose a lab, "
                "or f for your own programs:",
            ),
            id="home-title",
            markup=False,
        )
        options = []
        for ref, name, description in scenario_choices():
            prompt = safe(name, "bold")
            prompt.append("\n")
            prompt.append(safe(description or "(no description)", "dim"))
            options.append(Option(prompt, id=ref))
        yield OptionList(*options, id="scenarios")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        if message.option.id:
            self.post_message(OpenScenario(message.option.id))

    def action_open(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.post_message(OpenScenario(option.id))

    def action_help(self) -> None:
        from netlab.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())
