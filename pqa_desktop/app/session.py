"""What one sitting at the window holds: the inputs added, the workspace open, the check on screen (and what it
was made from), the workspace's imports, and the passwords that open protected inputs.

The window and its small controllers (finding actions, the send-back flow, the workspace actions) share one
``Session``; none of it is a widget. The passwords live here for the session only: never in the settings, the
workspace or a crash report.
"""
from __future__ import annotations

from pathlib import Path

from ..core.pipeline import run as pipeline
from ..core.calendar import Period
from ..core.workspace import Workspace
from .input_sources import InputSources


class Session:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.sources = InputSources()  # what the user added: files, folders, zips, emails
        self.analysis: pipeline.Analysis | None = None  # the check on screen
        self.analysis_key: tuple | None = None  # (paths, period, generation) the analysis above was made from
        # bumped by each change that needs a fresh check of the same inputs (a correction, a removed import,
        # new settings, another workspace): part of the key the analysis on screen is compared with
        self.generation = 0
        self.imports: list = []  # Workspace.imports(), refreshed after each change and each check
        self.input_passwords: list[str] = []  # open protected inputs; this session only, never stored

    @property
    def has_inputs(self) -> bool:
        """Something to check: inputs added, or imports kept in the workspace."""
        return bool(self.sources) or bool(self.imports)

    def key(self, period: Period) -> tuple:
        """What a check made now would be made from."""
        return (tuple(self.sources.analysis_paths()), period, self.generation)

    def check_is_current(self, period: Period) -> bool:
        """The check on screen was made from these inputs and this period, and read every file."""
        return self.analysis is not None and self.analysis_key == self.key(period) and not self.analysis.stopped

    def forget_check(self) -> None:
        """The check on screen no longer stands for the inputs: the next one starts afresh."""
        self.analysis, self.analysis_key = None, None

    def changed(self) -> None:
        """Something a check depends on changed (not the inputs or the period): the same inputs need checking again."""
        self.generation += 1

    def files_in_use(self) -> dict[str, Path | None]:
        """Files besides the inputs that nothing may be saved over, by what to call them."""
        return {"the workspace": getattr(self.workspace, "path", None)}

    def mask(self, name: str) -> str:
        return self.analysis.mask(name) if self.analysis is not None else name
