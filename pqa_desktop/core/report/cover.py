"""The Contents sheet: what the workbook is, for which period, what it includes, and links to every sheet."""
from __future__ import annotations

from . import styles as st
from .build import Build
from .layout import SheetLayout
from .text import wrap_lines


def report_title(build: Build) -> str:
    return (f"{build.context.la_name} Children's Services \u2014 Performance and Quality Assurance Update, "
            f"{build.figures.period.label}")


def period_text(build: Build) -> str:
    return build.figures.period.description


WRAP_WIDTH = 120  # column B of the cover: text longer than this wraps within its cell


def _wrap_long_text(build: Build, ws, cells: list[tuple[int, str, str, object]]) -> None:
    """Column B's long texts (a KPI note with its published comparator's difference, the published
    comparators line) wrap within a column of WRAP_WIDTH characters, so the cover still prints at a
    legible scale on one page wide instead of shrinking to the longest line."""
    long = [cell for cell in cells if len(str(cell[1])) > WRAP_WIDTH]
    if not long:
        return
    wrap = build.styles.get(None, text_wrap=True, valign="top")
    ws.set_column(1, 1, WRAP_WIDTH)
    for row, text, label, label_format in long:
        ws.write_string(row, 1, str(text), wrap)
        ws.write_string(row, 0, label, label_format)  # the label beside it aligned with its first line
        # Neither Excel nor LibreOffice grows a row for wrapped text written by a program: set its height
        # (15 points a line; a line holds at least WRAP_WIDTH characters of text in a proportional font).
        ws.set_row(row, 15 * len(wrap_lines(str(text), width=WRAP_WIDTH)))


def published_text(build: Build) -> str:
    """Which council's published figures the workbook compares with, and of which years; else how to choose one."""
    from ..comparators import NO_COUNCIL_TEXT

    found = build.figures.published
    if found is not None:
        return found.cover_text()
    if build.figures.published_problem:
        return f"Not shown: {build.figures.published_problem}"
    return NO_COUNCIL_TEXT


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
    published_row = layout.row
    layout.label_value("Published comparators", published_text(build))
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
    notes_loc = layout.table("tbl_notes", "Notes", ["Note", "Text"], notes)
    layout.finish(ctx.classification)
    top = build.styles.get(None, valign="top")
    _wrap_long_text(build, ws, [(published_row, published_text(build), "Published comparators",
                                 build.styles.get(None, bold=True, valign="top"))] +
                    [(notes_loc.first_row + i, row[1], row[0], top)
                     for i, row in enumerate(notes_loc.rows) if notes_loc.has_data])
    ws.activate()
    ws.set_first_sheet()
    ws.set_selection(0, 0, 0, 0)

