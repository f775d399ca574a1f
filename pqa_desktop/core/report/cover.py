"""The Contents sheet: what the workbook is, for which period, what it includes, and links to every sheet."""
from __future__ import annotations

from . import styles as st
from .build import Build
from .layout import SheetLayout


def report_title(build: Build) -> str:
    return (f"{build.context.la_name} Children's Services \u2014 Performance and Quality Assurance Update, "
            f"{build.figures.period.label}")


def period_text(build: Build) -> str:
    return build.figures.period.description


def write_contents(build: Build) -> None:
    ctx = build.context
    sheet = build.spec.sheet("Contents")
    ws = build.wb.add_worksheet(sheet.name)
    layout = SheetLayout(ws, build.styles, build.spec, panel_col=4, note_numbers=build.note_numbers)
    layout.title(report_title(build), sheet.description)
    layout.label_value("Period", period_text(build))
    layout.label_value("Date produced", ctx.produced, st.DATE)
    layout.label_value("Classification", ctx.classification)
    layout.label_value("Case references", "Included: the user opted in" if ctx.include_case_refs
                       else "Not included: audits are identified by an Audit key")
    layout.label_value("Staff names", "Included: the user opted in" if ctx.include_staff_names
                       else "Not included")
    layout.label_value("Feedback text", "Included, with staff names replaced by [name]" if ctx.feedback_text
                       else "Not included: the user left feedback text out")
    layout.row += 1

    contents_rows, links = [], {}
    for i, s in enumerate(s for s in build.spec.sheets if s.name != "Contents"):
        contents_rows.append([s.name, s.contents])
        links[i] = f"internal:'{s.name}'!A1"
    layout.table("tbl_contents", "Contents", ["Sheet", "What it shows"], contents_rows, links=links)

    inputs = [[kind, int(n)] for kind, n in ctx.inputs_used.items()]
    layout.table("tbl_inputs_used", "Inputs used", ["Input", "Files"], inputs)

    # The notes are numbered here, once, in this order (build.note_numbers): every Note cell refers to them.
    notes = [[f"[note {n}]", note.text] for n, note in enumerate(build.figures.notes, start=1)]
    layout.table("tbl_notes", "Notes", ["Note", "Text"], notes)
    layout.finish(ctx.classification)
    ws.activate()
    ws.set_first_sheet()
    ws.set_selection(0, 0, 0, 0)

