"""No case reference or staff name from the inputs appears anywhere in the default output.

The identifiers are collected from the inputs themselves (every defined-name cell of every return,
every EDT record reference, and the generator's manifest for registers and containers), then searched
for as whole tokens in every cell value and in the raw XML of every part of the package.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqa_desktop.cli import main

STAFF_FIELDS = ("pqa_auditor", "pqa_social_worker", "pqa_team_manager", "pqa_moderator",
                "pqa_supervising_social_worker", "pqa_sampled_by")
REFERENCE_FIELDS = ("pqa_case_ref", "pqa_carer_ref")


def _returns_in(folder: Path):
    """Every .xlsx return in the folder, including those inside zips and emails (as bytes)."""
    import email
    from email import policy

    for path in sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            yield path.read_bytes()
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                for n in z.namelist():
                    if n.endswith(".xlsx"):
                        yield z.read(n)
        elif path.suffix == ".eml":
            msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for part in msg.iter_attachments():
                if (part.get_filename() or "").endswith(".xlsx"):
                    yield part.get_content()


def _identifiers(folder: Path, manifest) -> tuple[set[str], set[str]]:
    references, staff = set(), set()
    for data in _returns_in(folder):
        try:
            wb = load_workbook(io.BytesIO(data))
        except Exception:  # the deliberately corrupt file
            continue
        for name, dn in wb.defined_names.items():
            if name not in STAFF_FIELDS + REFERENCE_FIELDS and name != "pqa_edt_records":
                continue
            for sheet, ref in dn.destinations:
                cells = wb[sheet][ref]
                rows = cells if isinstance(cells, tuple) else ((cells,),)
                for row in rows:
                    row = row if isinstance(row, tuple) else (row,)
                    values = [row[0].value] if name == "pqa_edt_records" else [c.value for c in row]
                    for v in values:
                        if v:
                            (staff if name in STAFF_FIELDS else references).add(str(v).strip())
    for audit in manifest.audits:
        references.add(audit.reference)
        staff.update(v for v in audit.staff.values() if v)
    for sample in manifest.edt_samples:
        staff.add(sample.sampled_by)
    return references, staff


def _package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())


def _cell_text(path: Path) -> str:
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            out.extend(str(v) for v in row if v is not None)
    return "\n".join(out)


def _found(token: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(token)}(?![\w])", text, re.IGNORECASE) is not None


def _leaked(tokens, text: str) -> list[str]:
    """The tokens ``_found`` in the text, sorted. Asked first of all the tokens at once: one search for any of
    them, which matches exactly where one of them would (a search tries every alternative at each position), so
    it finds nothing just when each token's own search finds nothing; only then is each token searched for.
    One search of the 0.9 MB text instead of one per token (225 case references: 3.9 s -> 0.2 s of CPU)."""
    tokens = sorted(set(tokens))
    if not tokens:
        return []
    anything = rf"(?<![\w])(?:{'|'.join(map(re.escape, tokens))})(?![\w])"
    if re.search(anything, text, re.IGNORECASE) is None:
        return []
    return [t for t in tokens if _found(t, text)]


@pytest.fixture(scope="module")
def default_build(tmp_path_factory, shared_demo_inputs):
    manifest = shared_demo_inputs  # generated once per run (conftest.py)
    folder = manifest.directory
    out = tmp_path_factory.mktemp("out") / "report.xlsx"
    assert main(["build", str(folder), "-o", str(out), "--period-end", "2024-09", "--produced", "2024-10-07"]) == 0
    return folder, manifest, out


@pytest.fixture(scope="module")
def identifiers(default_build) -> tuple[frozenset[str], frozenset[str]]:
    """(case references, staff names) collected once from every return of the inputs (each opened with openpyxl,
    which the three tests below did each over again)."""
    folder, manifest, _ = default_build
    references, staff = _identifiers(folder, manifest)
    return frozenset(references), frozenset(staff)


@pytest.fixture(scope="module")
def output_text(default_build) -> str:
    """Every cell of the default output and the raw XML of its package, read once."""
    _, _, out = default_build
    return _cell_text(out) + "\n" + _package_text(out)


def test_identifiers_were_collected(identifiers):
    references, staff = identifiers
    assert len(references) > 100 and len(staff) > 10


def test_no_case_reference_anywhere(identifiers, output_text):
    references, _ = identifiers
    texts = output_text
    leaked = _leaked(references, texts)
    assert not leaked, f"case/carer/record references in the output: {leaked[:5]}"


def test_no_staff_name_anywhere(identifiers, output_text):
    _, staff = identifiers
    texts = output_text
    leaked = _leaked(staff, texts)
    assert not leaked, f"staff names in the output: {leaked[:5]}"
    parts = {p for n in staff for p in re.split(r"\s+", n) if len(p) >= 3}
    leaked_parts = _leaked(parts, texts)
    assert not leaked_parts, f"parts of staff names in the output: {leaked_parts[:5]}"


def test_feedback_naming_the_worker_is_redacted(default_build):
    _, manifest, out = default_build
    assert any(a.feedback_names_worker for a in manifest.audits)
    wb = load_workbook(out)
    ws = wb["Feedback"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("[name]" in t for t in texts)


def test_opt_in_shows_references_and_says_so(default_build, tmp_path):
    folder, manifest, _ = default_build
    out = tmp_path / "opted-in.xlsx"
    assert main(["build", str(folder), "-o", str(out), "--period-end", "2024-09", "--include-case-refs",
                 "--include-staff-names"]) == 0
    text = _cell_text(out)
    assert any(_found(a.reference, text) for a in manifest.audits if a.audit_date <= manifest.snapshot)
    cover = " ".join(str(c.value) for row in load_workbook(out)["Contents"].iter_rows() for c in row if c.value)
    assert re.search(r"case references", cover, re.IGNORECASE)
