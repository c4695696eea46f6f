"""Home: the built-in scenarios and the user's own (``./scenarios/*.py``)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from netlab.core import course
from netlab.core.progress import Progress
from netlab.core.scenario import builtin_dir, describe_file
from netlab.ui.messages import OpenScenario
from netlab.ui.text import safe
from netlab.ui.widgets.footer import Footer

YOURS = "Your scenarios (./scenarios)"


def scenario_choices(folder: Path | None = None) -> list[tuple[str, str, str, str]]:
    """(chapter, reference, name shown, description) for every scenario on offer: the user's
    own (``./scenarios/*.py``) first, where netlab was started among them, then the lessons
    in course order."""
    choices = []
    mine = (folder or Path.cwd()) / "scenarios"
    if mine.is_dir() and mine.resolve() != builtin_dir().resolve():
        for path in sorted(mine.glob("*.py")):
            if not path.name.startswith("_") and not _a_builtin_copy(path):
                choices.append((YOURS, str(path), f"yours: {path.name}", describe_file(path)))
    choices += [
        (lesson.chapter, lesson.name, lesson.name, lesson.summary) for lesson in course.lessons()
    ]
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
        Binding("shift+down", "scroll_text(1)", "More text", show=False),
        Binding("shift+up", "scroll_text(-1)", "Back up", show=False),
        Binding("question_mark", "help", "Help", key_display="?", id="home.help"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("netlab", "bold"),
                " — step through real socket code, one call at a time. Choose a lesson, "
                "or f for your own programs:",
            ),
            id="home-title",
            markup=False,
        )
        # Read once, not at each key: the texts below the list, and what the learner has done
        # (read again when the screen comes back from a lab).
        self._progress = progress = Progress()
        self._texts = {lesson.name: (lesson.summary, lesson.text) for lesson in course.lessons()}
        options: list[Option | None] = []
        chapter = None
        for this_chapter, ref, name, description in scenario_choices():
            if this_chapter != chapter:
                chapter = this_chapter
                options.append(Option(safe(chapter, "bold underline"), disabled=True))
            done = progress.of(name).finished
            prompt = Text("✓ " if done else "  ", "green")
            prompt.append_text(safe(f"{name:<20}", "bold"))
            # The list keeps to names, a line each; the chosen one's text is shown below it.
            prompt.append_text(safe(f"{description.partition(':')[0]}"[:50], "dim"))
            options.append(Option(prompt, id=ref))
        yield OptionList(*options, id="scenarios")
        with VerticalScroll(id="lesson-pane", can_focus=False):
            yield Static("", id="lesson-text", markup=False)
        yield Footer()

    @on(OptionList.OptionHighlighted)
    def _show_lesson(self, message: OptionList.OptionHighlighted) -> None:
        """The chosen lesson's text and progress, under the list."""
        ref = message.option.id or ""
        if ref.endswith(".py") and ref not in self._texts:  # a user's own file, read once
            self._texts[ref] = course.read_docstring(Path(ref))
        summary, text = self._texts.get(ref, ("", ""))
        done = self._progress.of(ref).summary()
        shown = Text(f"Your progress: {done}\n" if done else "", "green")
        shown.append_text(safe(summary, "italic"))
        if text:
            shown.append("\n")
            shown.append_text(safe(course.paragraphs(text), multiline=True))
        self.query_one("#lesson-text", Static).update(shown)
        self.query_one("#lesson-pane").scroll_home(animate=False)

    def action_scroll_text(self, lines: int) -> None:
        self.query_one("#lesson-pane").scroll_relative(y=lines, animate=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self._progress = Progress()  # a lab just closed may have added to it

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
