"""[note N]: numbered once, where the cover is written, and every reference in the workbook leads to the
cover note about its own row's measure."""
from __future__ import annotations

import re

import openpyxl
import pytest


NOTE_REF = re.compile(r"\[note (\d+)\]")


@pytest.fixture(scope="module")
def demo(shared_demo):
    return openpyxl.load_workbook(shared_demo())  # the demo workbook, built once per run (conftest.py)


def _tables(wb):
    for ws in wb.worksheets:
        for name in ws.tables:
            rows = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
            yield ws, name, rows[0], rows[1:]


def cover_notes(wb) -> dict[int, str]:
    for _, name, header, rows in _tables(wb):
        if name == "tbl_notes":
            notes = {}
            for ref, text in rows:
                match = NOTE_REF.fullmatch(ref)
                assert match, ref
                notes[int(match.group(1))] = text
            assert sorted(notes) == list(range(1, len(notes) + 1))  # numbered 1, 2, 3 ... once
            return notes
    raise AssertionError("no tbl_notes on the cover")


def test_every_note_reference_in_a_measure_row_leads_to_that_measure(demo):
    notes = cover_notes(demo)
    checked = 0
    for ws, name, header, rows in _tables(demo):
        if "Note" not in header or name == "tbl_notes":
            continue
        note_at = header.index("Note")
        id_at = header.index("KPI id") if "KPI id" in header else None
        for row in rows:
            refs = NOTE_REF.findall(str(row[note_at] or ""))
            for ref in refs:
                n = int(ref)
                assert n in notes, (name, row[0], n)
                if id_at is not None:
                    kpi_id = row[id_at]
                    assert f"({kpi_id})" in notes[n], (name, kpi_id, n, notes[n])
                    checked += 1
    assert checked >= 45  # every measure of tbl_kpis at least


def test_every_note_reference_anywhere_is_on_the_cover_and_no_raw_reference_is_left(demo):
    notes = cover_notes(demo)
    for ws in demo.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                assert "{note:" not in cell.value, (ws.title, cell.coordinate, cell.value)
                for ref in NOTE_REF.findall(cell.value):
                    assert int(ref) in notes, (ws.title, cell.coordinate, cell.value)


def test_references_are_numbered_as_the_cover_lists_the_notes():
    from pqa_desktop.core.measures.notes import Note, note_ref, number_notes, resolve_note_refs

    notes = [Note("audits.months", "a"), Note("audits.moderation", "b"), Note("contacts", "Contacts (contacts): c")]
    numbers = number_notes(notes)
    assert numbers == {"audits.months": 1, "audits.moderation": 2, "contacts": 3}
    assert resolve_note_refs(f"{note_ref('contacts')} Based on 2 of 3 months.", numbers) == \
        "[note 3] Based on 2 of 3 months."
    # a reference to a note the cover does not list never shows as a number leading nowhere
    assert resolve_note_refs(f"{note_ref('nowhere')} No previous value.", numbers) == "No previous value."


def test_a_headline_note_is_marked_on_its_measure_and_leads_to_the_cover(tmp_path):
    """Audit headlines whose Previous is blank for want of last year's audits refer to the note saying so."""
    from datetime import date

    from pqa_desktop.core.calendar import Period
    from pqa_desktop.core.measures.audits import audit_figures
    from pqa_desktop.core.records import Audit, AuditRecords
    from pqa_desktop.core.report import ReportContext
    from pqa_desktop.core.report.writer import write_workbook

    audits = [Audit(template_type="case_file_audit", reference=f"C{m}", audit_date=date(2024, m, 3),
                    audit_type="Case file audit", service_area="IRT", team=None, grades={"overall": "Good"})
              for m in range(4, 10)]
    figures = audit_figures(AuditRecords(audits, []), Period(date(2024, 9, 1)), audit_key=lambda a: a.reference)
    out = tmp_path / "r.xlsx"
    write_workbook(out, figures, ReportContext(la_name="Anytown Council", produced=date(2024, 10, 7)))
    wb = openpyxl.load_workbook(out)
    notes = cover_notes(wb)
    ws = wb["Summary"]
    rows = [[c.value for c in r] for r in ws[ws.tables["tbl_headlines"].ref]][1:]
    for _section, measure, *_ in rows:  # tbl_headlines: Section, Measure, …
        [n] = NOTE_REF.findall(measure)
        assert "no previous value" in notes[int(n)] and "Apr 2023 to Sep 2023" in notes[int(n)]
