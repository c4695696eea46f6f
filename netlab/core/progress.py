"""What a learner has done: the lessons finished and how their questions went, kept in the
user's state directory ($XDG_STATE_HOME/netlab, by default ~/.local/state/netlab)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def progress_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or ""
    base = Path(state) if Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "netlab" / "progress.json"


@dataclass
class LessonProgress:
    finished: bool = False
    answers: dict[str, bool] = field(default_factory=dict)  # question → the last answer right

    def summary(self) -> str:
        """``✓ finished, 2 of 3 right``, or "" for a lesson not begun."""
        said = ["✓ finished"] if self.finished else []
        if self.answers:
            right = sum(self.answers.values())
            said.append(f"{right} of {len(self.answers)} right")
        return ", ".join(said)


class Progress:
    """Read again before each change, so that two labs open at once keep both their answers;
    a file that cannot be read or written is no error (a read-only home: progress is simply
    not kept)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or progress_file()
        self.lessons = self._read()

    def _read(self) -> dict[str, LessonProgress]:
        lessons: dict[str, LessonProgress] = {}
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            for name, entry in raw.get("lessons", {}).items():
                answers = entry.get("answers", {})
                lessons[str(name)] = LessonProgress(
                    bool(entry.get("finished")),
                    {str(q): bool(right) for q, right in answers.items()},
                )
        return lessons

    def of(self, lesson: str) -> LessonProgress:
        return self.lessons.get(lesson, LessonProgress())

    def answered(self, lesson: str, question: int, right: bool) -> None:
        """The answer to the lesson's ``question``-th question (the last answer counts)."""
        self.lessons = self._read()
        self.lessons.setdefault(lesson, LessonProgress()).answers[str(question)] = right
        self._save()

    def finished(self, lesson: str) -> None:
        self.lessons = self._read()
        entry = self.lessons.setdefault(lesson, LessonProgress())
        if not entry.finished:
            entry.finished = True
            self._save()

    def reset(self) -> None:
        self.lessons.clear()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _save(self) -> None:
        document = {
            "lessons": {
                name: {"finished": entry.finished, "answers": entry.answers}
                for name, entry in self.lessons.items()
            }
        }
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed over the old one: never a half-written file.
            with tempfile.NamedTemporaryFile(
                "w", dir=self.path.parent, prefix=".progress-", delete=False, encoding="utf-8"
            ) as out:
                json.dump(document, out, indent=1)  # ASCII: any text a lab gave is kept
            Path(out.name).replace(self.path)
