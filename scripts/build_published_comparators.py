"""Build resources/published_comparators.json from a download of the DfE Local Authority Interactive Tool's
data, and the pairing tables of docs/published-comparators.md from it.

    .venv/bin/python scripts/build_published_comparators.py [LAIT_FOLDER] [-o FILE] [--years N] [--docs FILE]

LAIT_FOLDER holds the files of the LAIT repository's ``01_data/02_prod`` folder (bds_long.parquet or
bds_long.csv, lait_data_dictionary.csv, sn_<month>_<year>.xlsx); default ../shared/data/dfe-lait. Reading
the Parquet file needs pyarrow, a build-time dependency only: ``make comparators`` installs it into
.venv/build-only (apart from the virtual environment, whose pandas must not see it) and runs this script,
which looks there when pyarrow is not otherwise importable. It is never in the app. Rerun it on a newer LAIT
download to refresh the shipped figures; the output is byte-identical for the same download. The app and
``pqa build --benchmarks-data`` also take the output file (or a LAIT folder with bds_long.csv) at run time.
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUILD_ONLY = ROOT / ".venv" / "build-only"  # where `make comparators` installs pyarrow
if importlib.util.find_spec("pyarrow") is None and BUILD_ONLY.is_dir():
    sys.path.append(str(BUILD_ONLY))

from pqa_desktop.core.comparators.dataset import PublishedData, PublishedDataError, to_json, year_label  # noqa: E402
from pqa_desktop.core.comparators.lait import DEFAULT_YEARS, read_lait_folder  # noqa: E402
from pqa_desktop.core.comparators.pairings import pairing_spec  # noqa: E402
from pqa_desktop.core.measures.kpi_catalogue import measure_specs  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "data" / "dfe-lait"
DEFAULT_OUTPUT = ROOT / "resources" / "published_comparators.json"
DEFAULT_DOCS = ROOT / "docs" / "published-comparators.md"
BEGIN, END = "<!-- pairing table: scripts/build_published_comparators.py -->", "<!-- end of pairing table -->"
POLARITY_WORDS = {"High": "higher is better", "Low": "lower is better", "": "none given (no rank or band)"}


def build(folder: Path, years: int = DEFAULT_YEARS) -> PublishedData:
    data = read_lait_folder(folder, pairing_spec().codes, years)
    notice = folder / "NOTICE.md"
    commit = re.search(r"\b[0-9a-f]{40}\b", notice.read_text(encoding="utf-8")) if notice.is_file() else None
    if commit:
        data = PublishedData(source=f"{data.source} (LAIT repository commit {commit.group(0)[:12]})",
                             areas=data.areas, measures=data.measures, path=data.path)
    return data


def _year_words(year: str, year_type: str) -> str:
    """What LAIT's year means: "year to 31 March 2025", "30 September 2025"."""
    kind = year_type.strip().lower()
    if kind == "financial year":
        return f"year to 31 March {year}"
    if "sept" in kind:
        return f"30 September {year}; turnover: the year to then"
    if kind == "annual":
        return f"31 March {year}"
    return f"{year_type} {year}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def pairing_tables(data: PublishedData) -> str:
    """The two Markdown tables of docs/published-comparators.md: every pairing, then every measure left blank."""
    spec = pairing_spec()
    lines = [BEGIN, "",
             "| our measure | LAIT code | published title | latest year | polarity | quartile bands | "
             "where the definitions differ |",
             "|---|---|---|---|---|---|---|"]
    for p in spec.pairings:
        m = data.measures[p.code]
        year = f"{year_label(m.latest, m.year_type)} ({_year_words(m.latest, m.year_type)})"
        bands = "no (No_Quartile = N)" if m.no_quartile else ("yes" if m.polarity else "no (no polarity)")
        lines.append(f"| `{p.kpi_id}` | `{p.code}` | {_cell(m.title)} | {year} | {POLARITY_WORDS[m.polarity]} | "
                     f"{bands} | {_cell(p.differs)} |")
    lines += ["", "Measures with no published counterpart (left blank):", "",
              "| our measure | why |", "|---|---|"]
    for s in measure_specs():
        if s.id in spec.unpaired:
            lines.append(f"| `{s.id}` | {_cell(spec.unpaired[s.id])} |")
    lines += ["", END]
    return "\n".join(lines)


def update_docs(path: Path, data: PublishedData) -> bool:
    """Replace the pairing tables between the markers; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} has no pairing-table markers ({BEGIN} … {END}).")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + pairing_tables(data) + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER, help="the LAIT download folder")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="the comparators file to write")
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS, help="published years kept (default 5)")
    parser.add_argument("--docs", type=Path, default=None,
                        help=f"also update the pairing tables of this Markdown file (e.g. {DEFAULT_DOCS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    try:
        data = build(args.folder, args.years)
    except PublishedDataError as exc:
        sys.stderr.write(f"build_published_comparators: {exc}\n")
        return 1
    missing = [s.id for s in measure_specs()
               if pairing_spec().for_kpi(s.id) is None and s.id not in pairing_spec().unpaired]
    if missing:
        sys.stderr.write(f"build_published_comparators: measures neither paired nor unpaired: {missing}\n")
        return 1
    text = to_json(data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))
    councils = len(data.current_councils())
    sys.stderr.write(f"wrote {args.output} ({len(text.encode('utf-8')) // 1024} KB): {len(data.measures)} measures, "
                     f"{councils} councils, years {', '.join(sorted({y for m in data.measures.values() for y in m.years}))}\n")
    if args.docs is not None:
        changed = update_docs(args.docs, data)
        sys.stderr.write(f"{'updated' if changed else 'unchanged'} {args.docs}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
