"""How far each kind of input's reading is from the parse floor (issue 18), in CPU seconds.

``python scripts/reading_floor.py [--data out/bench-data] [--repeats 3]``

For each group of the bench's large year (the exports workbook, the CSV exports, the returns) it reads every
file twice in this process, alternately: as the parse floor does (``bench._floor_one``: python-calamine, or
the ``csv`` module) and as a reading worker does (``pipeline.reading.read_input`` with the cycle collector
paused, as ``_read_batch`` runs it), and prints the best of ``--repeats`` of each and their ratio. Process
time, the best of several: a shared machine distorts it least.

Why a script of its own: cProfile adds a fixed cost to every Python call, so it weighs code that makes many
small calls far above its real cost (on the exports workbook it gave the register-header search 0.53 s that
takes 2-9 ms, and on the CSV exports the per-row cleaning 1 s that takes some 0.05 s). Compare the groups
here, then find the functions with ``scripts/profile_build.py``, which counts process time too.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench import _floor_one, input_files  # noqa: E402


def groups(data: Path) -> dict[str, list[Path]]:
    """The bench's inputs by kind: the exports' workbooks, the CSV exports, the returns."""
    exports = input_files([data / "exports"])
    return {"exports workbook": [p for p in exports if p.suffix.lower() != ".csv"],
            "CSV exports": [p for p in exports if p.suffix.lower() == ".csv"],
            "returns": input_files([data / "returns"])}


def measure(paths: list[Path], repeats: int = 3) -> dict:
    """Best process seconds of reading ``paths`` as the floor does and as a reading worker does."""
    from pqa_desktop.core.inputs import packages
    from pqa_desktop.core.pipeline.reading import read_input
    from pqa_desktop.core.records import InputFile
    from pqa_desktop.core.runtime.memory import no_cycle_collection

    files = [(p.name, p.read_bytes()) for p in paths]
    items = [InputFile(name, data, "", str(path), None) for (name, data), path in zip(files, paths)]
    floor, ours = [], []
    for _ in range(repeats):
        t0 = time.process_time()
        for name, data in files:
            _floor_one(name, data)
        floor.append(time.process_time() - t0)
        packages._check.cache_clear()  # a worker scans each package once: no scan is remembered between runs
        t0 = time.process_time()
        with no_cycle_collection():
            for item in items:
                read_input(item)
        ours.append(time.process_time() - t0)
    return {"files": len(files), "floor": min(floor), "read": min(ours)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "bench-data")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    total_floor = total_read = 0.0
    print(f"{'inputs':18}{'files':>7}{'floor s':>9}{'read s':>9}{'ratio':>8}")
    for label, paths in groups(args.data).items():
        if not paths:
            continue
        m = measure(paths, args.repeats)
        total_floor += m["floor"]
        total_read += m["read"]
        print(f"{label:18}{m['files']:7d}{m['floor']:9.3f}{m['read']:9.3f}{m['read'] / max(m['floor'], 1e-9):7.2f}x",
              flush=True)
    print(f"{'all':18}{'':7}{total_floor:9.3f}{total_read:9.3f}{total_read / max(total_floor, 1e-9):7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
