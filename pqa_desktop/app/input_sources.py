"""What the user added as inputs (files, folders, zips, emails) and what the pipeline is given from them.

Dropped or picked paths are queued and taken in later (the window takes them on a zero-delay timer, as
Picard does). A file taken off the list that sits inside an added folder is kept as an exclusion, so the
folder stays and only that file is skipped; ``analysis_paths`` then lists the folder's other files instead.
Plain Python: no Qt.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable


def is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return path != folder


class InputSources:
    def __init__(self) -> None:
        self._sources: list[Path] = []  # what the user added: files, folders, zips, emails
        self._excluded: set[Path] = set()  # files removed from the list that sit inside an added folder
        self._queued: list[Path] = []  # dropped or picked, not yet taken in (see take_queued)

    def __len__(self) -> int:
        return len(self._sources)

    @property
    def paths(self) -> list[Path]:
        """What the user added, in order (a copy)."""
        return list(self._sources)

    def queue(self, paths: Iterable[str | Path]) -> None:
        self._queued.extend(Path(p) for p in paths)

    def take_queued(self) -> tuple[int, int]:
        """Take in the queued paths: (how many were added, how many were not found on disk)."""
        queued, self._queued = self._queued, []
        added = missing = 0
        for path in queued:
            path = path.absolute()
            if not path.exists():
                missing += 1
                continue
            self._excluded.discard(path)
            if path in self._sources:
                continue
            self._sources.append(path)
            added += 1
        return added, missing

    def leave_out(self, path: Path) -> None:
        """An added file, zip or email goes with everything it held; a file found in an added folder is
        skipped, the folder kept."""
        path = path.absolute()
        if path in self._sources:
            self._sources.remove(path)
        elif any(is_under(path, source) for source in self._sources):
            self._excluded.add(path)

    def analysis_paths(self) -> list[Path]:
        """What the pipeline is given: the added items, with any folder that had files removed from the list
        replaced by the files left in it."""
        out: list[Path] = []
        for source in self._sources:
            if source.is_dir() and any(is_under(x, source) for x in self._excluded):
                out.extend(sorted(p for p in source.rglob("*") if p.is_file() and p not in self._excluded))
            else:
                out.append(source)
        return out
