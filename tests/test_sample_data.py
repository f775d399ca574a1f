"""The Anytown Council sample: deterministic, openable, reference-like mix, messy variants as counted, scalable."""
from __future__ import annotations

import csv
import email
import email.policy
import io
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pqa_desktop.core.sample.demo import generate_returns
from pqa_desktop.core.values import GRADES, parse_grade, parse_uk_date


@pytest.fixture(scope="module")
def demo(shared_demo_inputs):
    """``write_demo_inputs``'s folder and manifest, generated once per run (conftest.py) and only read here."""
    return shared_demo_inputs


def _relative_files(manifest):
    return sorted(p.relative_to(manifest.directory).as_posix() for p in manifest.files)


def _named(wb, name):
    destinations = list(wb.defined_names[name].destinations) if name in wb.defined_names else []
    if not destinations:  # absent, or a constant such as pqa_template_type
        return None
    sheet, ref = destinations[0]
    return wb[sheet][ref.replace("$", "").split(":")[0]].value


def _label_value(wb, label):
    for row in wb.worksheets[0].iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            return row[1].value
    raise AssertionError(f"label {label!r} not found")


def _share(values, wanted):
    return sum(v == wanted for v in values) / len(values)


def test_two_runs_write_identical_files(demo, tmp_path):
    again = generate_returns(tmp_path, period_end=date(2024, 9, 1))
    assert _relative_files(again) == _relative_files(demo)
    for ours, theirs in zip(sorted(demo.files), sorted(again.files)):
        assert ours.read_bytes() == theirs.read_bytes(), ours.name
        assert int(ours.stat().st_mtime) == int(theirs.stat().st_mtime)
    other_seed = generate_returns(tmp_path / "other", seed=7, case_file_audits=30, foster_audits=3, edt_samples=1)
    assert {a.reference for a in other_seed.audits} != {a.reference for a in demo.audits}


def test_months_and_volumes_follow_the_reference(demo):
    case = demo.audits_of("case_file_audit")
    by_month = Counter((a.audit_date.year, a.audit_date.month) for a in case)
    # 9 audit months (Oct 2023-Jul 2024 less December) x 11, plus one in the latest month: 100.
    assert demo.case_file_audit_count == 100
    assert [by_month[(2024, m)] for m in (4, 5, 6, 7)] == [11, 11, 11, 12]  # 45 year to date
    assert not any(month in (8, 9, 12) for _, month in by_month)
    foster = Counter(a.audit_date.month for a in demo.audits_of("foster_carer_audit")
                     if a.audit_date >= date(2024, 4, 1))
    assert sum(foster.values()) == 11  # the reference's 11 foster carer audits year to date
    assert demo.foster_audit_count == 31  # 5 earlier months x 4 + 11
    assert [s.sample_month for s in demo.edt_samples] == [date(2024, m, 1) for m in range(2, 8)]
    assert all(10 <= s.records <= 20 for s in demo.edt_samples)
    assert sum(s.amhp_required for s in demo.edt_samples) > 0


def test_grade_mix_is_in_the_reference_bands(demo):
    case = demo.audits_of("case_file_audit")
    overall = [a.overall for a in case if a.overall]
    assert 0.62 <= _share(overall, "Requires improvement") <= 0.78
    assert 0.12 <= _share(overall, "Good") <= 0.28
    assert 0.05 <= _share(overall, "Inadequate") <= 0.15
    assert _share(overall, "Outstanding") <= 0.05
    outcomes = [a.grades["outcomes"] for a in case if a.grades.get("outcomes") in GRADES]
    good_or_better = lambda grades: sum(g in ("Outstanding", "Good") for g in grades) / len(grades)  # noqa: E731
    assert good_or_better(outcomes) > good_or_better(overall) + 0.05
    assert 0.10 <= sum(a.moderated for a in case) / len(case) <= 0.25
    assert any(a.grade_changed for a in case)
    assert 0.35 <= sum(a.feedback is not None for a in case) / len(case) <= 0.65
    assert len({a.feedback[0] for a in case if a.feedback}) >= 3
    assert len({a.feedback[1] for a in case if a.feedback}) == 3
    named = [a for a in demo.audits if a.feedback_names_worker]
    assert named
    for a in named:
        worker = a.staff.get("social_worker") or a.staff.get("supervising_social_worker")
        assert worker.split()[0] in a.feedback[2]
    assert all(len(a.reference) == 6 and a.reference.isdigit() for a in case)
    compliance = [v for a in case for v in a.compliance.values()]
    assert _share(compliance, "Yes") > 0.6


def test_every_return_opens_and_matches_the_manifest(demo):
    by_file = {a.file: a for a in demo.audits}
    returns = [p for p in demo.files if p.suffix == ".xlsx" and p not in demo.corrupt_files
               and p not in demo.register_files and "EDT" not in p.parts[-2]]
    text_dates = typed_numbers = goodish = no_overall = 0
    for path in returns:
        rel = path.relative_to(demo.directory).as_posix()
        wb = openpyxl.load_workbook(path)
        kind = "foster" if "Foster" in rel else "case"
        if rel in demo.old_layout_files:
            assert not [n for n in wb.defined_names if n.startswith("pqa_")]
            ref = _label_value(wb, "Case reference")
            audit = by_file[rel]
            assert ref == audit.reference
            continue
        ref = _named(wb, "pqa_case_ref" if kind == "case" else "pqa_carer_ref")
        raw_date, raw_overall = _named(wb, "pqa_audit_date"), _named(wb, "pqa_overall")
        text_dates += isinstance(raw_date, str)
        no_overall += raw_overall is None
        goodish += any(_named(wb, f"pqa_{d}") == "Goodish" for d in ("outcomes", "harm", "voice", "assessment",
                                                                    "planning", "permanence", "multi_agency",
                                                                    "oversight", "relationships"))
        typed_numbers += sum(isinstance(_named(wb, n), int) for n in wb.defined_names if n.startswith("pqa_")
                             and not n.endswith("_evidence") and n not in ("pqa_actions",))
        audit = by_file.get(rel)
        if audit is None:  # a superseded or copied file: its identity is in the manifest under the kept copy
            kept = dict(demo.resent_duplicates).get(rel) or dict((c, o) for o, c in demo.identical_copies)[rel]
            audit = by_file[kept]
        assert ref == audit.reference
        assert parse_uk_date(raw_date) == audit.audit_date
        if rel in dict(demo.resent_duplicates):
            assert parse_grade(raw_overall)[0] != audit.grades["overall"]  # the first send had another grade
        else:
            assert (parse_grade(raw_overall)[0] if raw_overall is not None else None) == audit.grades["overall"]
        assert wb.properties.modified is not None
    assert (text_dates, goodish, no_overall) == (3, 1, 1)
    assert (demo.text_date_cells, demo.unrecognised_grade_cells, demo.missing_overall) == (3, 1, 1)
    assert typed_numbers == demo.number_grade_cells
    assert demo.typed_grade_cells >= 8


def test_duplicates_and_odd_files_are_as_counted(demo):
    (first, resent), = demo.resent_duplicates
    first_wb = openpyxl.load_workbook(demo.directory / first)
    resent_wb = openpyxl.load_workbook(demo.directory / resent)
    assert resent_wb.properties.modified > first_wb.properties.modified
    assert _named(first_wb, "pqa_case_ref") == _named(resent_wb, "pqa_case_ref")
    (original, copy), = demo.identical_copies
    assert (demo.directory / original).read_bytes() == (demo.directory / copy).read_bytes()
    assert demo.duplicate_files == 2

    after = [a for a in demo.audits if a.audit_date > demo.snapshot]
    assert len(after) == demo.after_period_end == 1
    assert (after[0].audit_date.year, after[0].audit_date.month) == (2024, 10)

    (corrupt,) = demo.corrupt_files
    assert corrupt.suffix == ".xlsx"
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(corrupt)
    assert sorted(p.name for p in demo.skipped_files) == ["desktop.ini", "desktop.ini"]
    assert any(a.reference in Path(a.file).name for a in demo.audits if "›" not in a.file)


def test_registers_zip_and_email_hold_readable_returns(demo):
    csv_path, xlsx_path = sorted(demo.register_files, key=lambda p: p.suffix)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert "tracker" in rows[0][0] and rows[1][:3] == ["Child ID", "Date of audit", "Service area"]
    assert "Overall grade" in rows[1]
    register_audits = [a for a in demo.audits if a.file == csv_path.name]
    assert len(rows) - 2 == len(register_audits) == 11  # October 2023's audits
    assert {r[0] for r in rows[2:]} == {a.reference for a in register_audits}
    assert parse_uk_date(rows[2][1]).month == 10

    ws = openpyxl.load_workbook(xlsx_path).worksheets[0]
    assert ws["A2"].value == "Household ID" and isinstance(ws["B3"].value, datetime)
    assert ws.max_row - 2 == 4  # October 2023's foster carer audits
    assert demo.register_rows == 15

    zip_path = next(p for p in demo.containers if p.suffix == ".zip")
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert len(names) == 3
        for name in names:
            wb = openpyxl.load_workbook(io.BytesIO(zf.read(name)))
            assert wb.defined_names["pqa_template_type"].attr_text == '"case_file_audit"'

    eml_path = next(p for p in demo.containers if p.suffix == ".eml")
    message = email.message_from_bytes(eml_path.read_bytes(), policy=email.policy.default)
    attachments = list(message.iter_attachments())
    assert len(attachments) == 2
    refs = {a.reference for a in demo.audits if a.file.startswith(eml_path.name)}
    for part in attachments:
        wb = openpyxl.load_workbook(io.BytesIO(part.get_content()))
        assert _named(wb, "pqa_case_ref") in refs


def test_scale_parameter_and_clean_mode(tmp_path):
    manifest = generate_returns(tmp_path, case_file_audits=200, foster_audits=20, edt_samples=2, messy=False,
                                seed=11)
    assert manifest.case_file_audit_count == 200 and manifest.foster_audit_count == 20
    by_month = Counter((a.audit_date.year, a.audit_date.month) for a in manifest.audits_of("case_file_audit"))
    # 200 over 9 months: 22 each, the 2 left over to the latest months.
    assert [by_month[k] for k in sorted(by_month)] == [22] * 7 + [23, 23]
    assert len(manifest.files) == manifest.return_workbooks == 222
    assert not (manifest.register_files or manifest.corrupt_files or manifest.skipped_files
                or manifest.containers or manifest.duplicate_files or manifest.after_period_end)
    overall = [a.overall for a in manifest.audits_of("case_file_audit")]
    assert 0.62 <= _share(overall, "Requires improvement") <= 0.78
    assert 0.05 <= _share(overall, "Inadequate") <= 0.15
    assert len({a.reference for a in manifest.audits}) == 220
