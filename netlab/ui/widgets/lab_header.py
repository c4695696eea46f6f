"""The lab's header: scenario, mode, virtual clock, link and seed, and which step is shown."""

from __future__ import annotations

from textual.widgets import Static

from netlab.ui.text import safe


class LabHeader(Static):
    def __init__(self) -> None:
        super().__init__(id="lab-header", markup=False)

    def show(
        self,
        *,
        title: str,
        mode: str,
        vtime: float,
        link: str,
        seed: int,
        step: int,
        last_step: int,
        outcome: str | None,
    ) -> None:
        text = safe(title, "bold")
        text.append(f"  {mode}", "reverse" if mode.startswith("playing") else "bold")
        text.append(f"  t={vtime:.3f}s")
        shown = f"step {step}" if step == last_step else f"step {step}/{last_step} (past)"
        text.append(f"  {shown}", "" if step == last_step else "bold yellow")
        text.append("  link ")
        text.append(safe(link))
        text.append(f"  seed {seed}")
        if outcome:
            text.append(f"  {outcome}", "bold red" if outcome != "completed" else "bold green")
        self.update(text)
