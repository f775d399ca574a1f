"""Writing real auditor returns and registers for the returns tests (openpyxl, csv, LibreOffice).

The template layout follows the contract the template writer uses: one sheet, label in column A,
input cell in column B, guidance in column C, workbook-scoped defined names ``pqa_<field>``,
evidence rows under each domain, an actions block and an EDT records block headed by their columns.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from pqa_desktop.core.records import InputFile
from pqa_desktop.core.returns.spec import returns_spec

ACTION_HEADERS = ("Action", "Owner (role)", "Due date")


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _add_name(wb, name: str, text: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=text)


def set_core_modified(path: Path, modified: datetime) -> None:
    """Rewrite docProps/core.xml's modified time (openpyxl stamps "now" on save)."""
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                # Only the element's text: openpyxl writing through lxml declares the namespaces on the
                # element itself, and those must stay.
                text, n = re.subn(r"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)",
                                  lambda m: m.group(1) + stamp + m.group(2), text)
                assert n == 1, "no dcterms:modified in core.xml"
                data = text.encode("utf-8")
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def field_cells(template_type: str, first_row: int = 3) -> dict[str, str]:
    """Where write_template puts each field's input cell ("B7"), and "<field>_evidence" cells."""
    cells: dict[str, str] = {}
    row = first_row
    for f in returns_spec().returns[template_type].fields:
        if f.section == "columns":
            continue
        cells[f.field] = f"B{row}"
        row += 1
        if f.section == "domains":
            cells[f"{f.field}_evidence"] = f"B{row}"
            row += 1
    return cells


def write_template(path: Path, template_type: str, values: dict | None = None, *,
                   evidence: dict | None = None, actions: list[tuple] | None = None,
                   edt_records: list[tuple] | None = None, defined_names: bool = True,
                   modified: datetime | None = None, sheet_title: str = "Audit", first_row: int = 3,
                   label_suffix: str = "", extra_sheet_first: bool = False,
                   type_constant: str | None = None, version: str = "1") -> Path:
    """A filled return. ``first_row`` and ``sheet_title`` move the form (as a user moving rows and
    renaming the sheet would; Excel keeps the defined names pointing at the moved cells)."""
    spec = returns_spec().returns[template_type]
    values = values or {}
    evidence = evidence or {}
    wb = openpyxl.Workbook()
    ws = wb.active
    if extra_sheet_first:
        ws.title = "Notes"
        ws["A1"] = "Auditor's own notes"
        ws = wb.create_sheet(sheet_title)
    else:
        ws.title = sheet_title
    ws["A1"] = spec.title
    ref = _quote(sheet_title)
    row = first_row
    for f in spec.fields:
        if f.section == "columns":
            continue
        ws.cell(row, 1, f.label + label_suffix)
        if f.field in values:
            ws.cell(row, 2, values[f.field])
        ws.cell(row, 3, f.guidance or None)
        if defined_names:
            _add_name(wb, f.defined_name, f"{ref}!$B${row}")
        row += 1
        if f.section == "domains":
            ws.cell(row, 1, f.evidence_label)
            if f.field in evidence:
                ws.cell(row, 2, evidence[f.field])
            if defined_names:
                _add_name(wb, f.evidence_name, f"{ref}!$B${row}")
            row += 1
    row += 1
    if template_type == "edt_dip_sample":
        columns = spec.section("columns")
        for c, col in enumerate(columns, start=1):
            ws.cell(row, c, col.label)
        first = row + 1
        for i, record in enumerate(edt_records or []):
            for c, value in enumerate(record, start=1):
                if value is not None:
                    ws.cell(first + i, c, value)
        if defined_names:
            _add_name(wb, "pqa_edt_records", f"{ref}!$A${first}:$I${first + 29}")
    else:
        for c, header in enumerate(ACTION_HEADERS, start=1):
            ws.cell(row, c, header)
        first = row + 1
        for i, action in enumerate(actions or []):
            for c, value in enumerate(action, start=1):
                if value is not None:
                    ws.cell(first + i, c, value)
        if defined_names:
            _add_name(wb, "pqa_actions", f"{ref}!$A${first}:$C${first + 4}")
    if defined_names:
        _add_name(wb, "pqa_template_type", f'"{type_constant or template_type}"')
        _add_name(wb, "pqa_template_version", f'"{version}"')
    wb.save(path)
    if modified is not None:
        set_core_modified(path, modified)
    return path


def write_hand_laid_out(path: Path, template_type: str, values: dict, *, columns: dict | None = None,
                        guidance: bool = False, default_column: int = 2) -> dict[str, int]:
    """An older return laid out by hand: each label in column A, its value in the column ``columns`` gives
    (``default_column``, B, unless said), no defined names; our template's guidance in C when ``guidance``.
    Returns each field's row."""
    spec = returns_spec().returns[template_type]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Audit"
    ws["A1"] = spec.title
    rows = {}
    for row, f in enumerate((f for f in spec.fields if f.section != "columns"), start=3):
        ws.cell(row, 1, f.label)
        rows[f.field] = row
        if f.field in values:
            ws.cell(row, (columns or {}).get(f.field, default_column), values[f.field])
        if guidance and f.guidance:
            ws.cell(row, 3, f.guidance)
    wb.save(path)
    return rows


def write_register_xlsx(path: Path, header: list, rows: list[list], *, title_rows: int = 0,
                        sheet_title: str = "Register", modified: datetime | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for i in range(title_rows):
        ws.cell(i + 1, 1, f"Audit tracker {i + 1}")
    ws.append(header) if not title_rows else [ws.cell(title_rows + 1, c, h) for c, h in enumerate(header, 1)]
    for r, values in enumerate(rows, start=title_rows + 2):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    if modified is not None:
        set_core_modified(path, modified)
    return path


def write_register_csv(path: Path, header: list, rows: list[list], *, encoding: str = "utf-8",
                       delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)


def convert_with_libreoffice(source: Path, fmt: str) -> Path:
    """Convert an .xlsx to .ods / .xls with headless LibreOffice (own profile dir, so it runs alone)."""
    return convert_all_with_libreoffice([source], fmt)[0]


def convert_all_with_libreoffice(sources: list[Path], fmt: str) -> list[Path]:
    """Convert .xlsx files (all in one folder) to .ods / .xls in one LibreOffice run: it takes a second or two to
    start, whatever it converts."""
    binary = soffice()
    assert binary is not None
    folder = sources[0].parent
    assert all(s.parent == folder for s in sources)
    outdir = folder / f"converted_{fmt}"
    outdir.mkdir(exist_ok=True)
    profile = folder / "lo_profile"
    filter_name = {"xls": "xls:MS Excel 97", "ods": "ods"}[fmt]
    subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    filter_name, "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=120)
    converted = [outdir / (source.stem + "." + fmt) for source in sources]
    for out in converted:
        assert out.exists(), f"LibreOffice did not write {out}"
    return converted


def input_file(path: Path, name: str | None = None, modified: datetime | None = None) -> InputFile:
    data = path.read_bytes()
    return InputFile(name=name or path.name, data=data, sha256=hashlib.sha256(data).hexdigest(),
                     path=str(path), modified=modified)
