"""The netlab application: Home, and a Lab screen for a live lab or a recording."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from netlab.core.containment import Limits
from netlab.core.progress import Progress
from netlab.core.recording import Recording, RecordingError, read_recording
from netlab.ui.commands import ScenarioCommands
from netlab.ui.lab_source import CannotOpen, LabSource
from netlab.ui.live_lab import LiveLab
from netlab.ui.messages import OpenScenario
from netlab.ui.recorded_lab import RecordedLab
from netlab.ui.screens.error import ErrorScreen
from netlab.ui.screens.home import HomeScreen
from netlab.ui.screens.lab import LabScreen
from netlab.ui.screenshots import SCREENSHOTS, save_svg
from netlab.ui.session import SessionLog


class NetlabApp(App[None]):
    """``NetlabApp()`` opens Home; ``scenario=`` opens a lab, ``recording=`` replays one."""

    CSS_PATH = "netlab.tcss"
    TITLE = "netlab"
    COMMANDS = App.COMMANDS | {ScenarioCommands}
    # Ctrl-C quits, from any screen (a question too), as a learner expects of a terminal
    # program; every actor process is stopped as with q.
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        *,
        scenario: str | None = None,
        recording: Path | None = None,
        seed: int | None = None,
        link: str | None = None,
        record_events: Path | None = None,
        autoplay: float | None = None,
        preloaded: Recording | None = None,
        args: dict[str, Any] | None = None,
        outside: bool = False,
        limits: Limits | None = None,
        questions: bool = False,
    ) -> None:
        super().__init__()
        # Predict, then see: a lesson's questions are asked (netlab's commands ask them; a
        # test or an export does not), and the answers kept in the user's progress.
        self.questions = questions
        self.progress = Progress() if questions else None
        self.limits = limits  # what each actor of the labs opened here may take
        self.args = args or {}  # ctx.args for the labs opened here
        self.outside = outside  # programs outside the lab may connect to the labs opened here
        self.start_scenario = scenario
        self.start_recording = recording
        self.seed = seed
        self.link = link
        self.record_events = record_events  # netlab record: the session's event log
        self.autoplay = autoplay
        self.preloaded = preloaded  # the recording, already read and checked by the caller
        self._session: SessionLog | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """In a lab, what is said goes to its status line (a toast would cover the trace);
        elsewhere, Textual's notification."""
        if isinstance(self.screen, LabScreen):
            self.screen.say(message, severity, 5 if timeout is None else timeout)
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.start_recording is not None:
            self.open_recording(self.start_recording)
        elif self.start_scenario is not None:
            self.open_scenario(self.start_scenario)

    def open_scenario(self, ref: str) -> None:
        try:
            source = LiveLab.open(
                ref,
                seed=self.seed,
                link=self.link,
                args=self.args,
                outside=self.outside,
                limits=self.limits,
                questions=self.questions,
            )
        except CannotOpen as exc:
            self.push_screen(ErrorScreen(exc.title, str(exc)))
            return
        if self.record_events is not None and self._session is None:
            self._session = SessionLog.open(self.record_events, source.recording_header())
        self._show_lab(self._lab_screen(source))

    @on(OpenScenario)
    def _open_asked(self, message: OpenScenario) -> None:
        self.open_scenario(message.ref)

    def action_open_programs(self) -> None:
        """The screen that picks your own program files."""
        from netlab.ui.screens.programs import ProgramsScreen

        self.push_screen(ProgramsScreen())

    def on_unmount(self) -> None:
        if self._session is not None:
            self._session.close()

    def open_recording(self, path: Path) -> None:
        try:
            recording = self.preloaded or read_recording(path)
        except RecordingError as exc:
            self.push_screen(ErrorScreen(f"{path.name} cannot be replayed", str(exc)))
            return
        if self._session is None:
            self._session = SessionLog.open(None, {})  # chapters only, for netlab record/export
        self._show_lab(self._lab_screen(RecordedLab(recording, path.stem)))
        if not recording.complete:
            self.notify("This recording stops before the lab's end.", severity="warning")

    def _lab_screen(self, source: LabSource) -> LabScreen:
        return LabScreen(
            source,
            session=self._session,
            autoplay=self.autoplay,
            questions=self.questions,
            progress=self.progress,
        )

    def _show_lab(self, lab: LabScreen) -> None:
        """One lab at a time: a lab opened from another (the palette) takes its place, and the
        one it replaces is stopped with its processes."""
        if isinstance(self.screen, LabScreen):
            self.switch_screen(lab)
        else:
            self.push_screen(lab)

    @on(LabScreen.RestartAsked)
    def restart_lab(self, message: LabScreen.RestartAsked) -> None:
        """The same lab again, from its first step."""
        try:
            fresh = message.lab.source.restarted()
        except CannotOpen as exc:
            self.push_screen(ErrorScreen(exc.title, str(exc)))
            return
        lab = message.lab
        self.switch_screen(LabScreen(fresh, questions=lab.questions, progress=lab.progress))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":  # Textual's saves into ~/Downloads
                yield command
        yield SystemCommand(
            "Open your own programs",
            "Pick program files (or a folder with a server and clients) to run as a lab",
            self.action_open_programs,
        )
        if isinstance(screen, LabScreen):
            for action, title, help_text in (
                ("step", "Step", "Carry out the next call"),
                ("play", "Play / pause", "Let the lab step on its own"),
                ("back", "Step back", "Show the lab one step earlier"),
                ("restart", "Restart", "Start the lab again"),
                ("filter", "Filter the trace", "Show only some actors or kinds of row"),
                ("help", "Help", "The keys, and how to read a lab"),
                ("home", "Home", "Back to the scenarios (this lab is stopped)"),
            ):
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
            yield SystemCommand(
                "Screenshot", f"Save an SVG into ./{SCREENSHOTS}/", screen.action_screenshot
            )
        else:
            yield SystemCommand(
                "Screenshot", f"Save an SVG into ./{SCREENSHOTS}/", lambda: save_svg(self)
            )
