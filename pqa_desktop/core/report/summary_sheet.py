"""The Summary: the month on one A4 landscape page. The report's key messages (chosen across sections by
``messages.summary_key_messages``), the headline measures with a sparkline of the trend window beside each
one with a monthly series, and the QA officer's summary commentary."""
from __future__ import annotations

from ..measures.figures import Headline
from ..measures.audits import HEADLINE_GOOD_OR_BETTER, HEADLINE_INADEQUATE
from ..measures.notes import resolve_note_refs
from .sections import SECTIONS
from .build import Build
from .layout import Sparkline, narrative_lines
from .spec import workbook_spec

SECTION = "Summary"
SUMMARY_SENTENCES = 6  # the report's key messages on the one-page Summary, at most (report-workbook.md)
MAX_ROWS = 50  # the Summary's print area, rows (report-workbook.md "Print")
MAX_HEADLINES = 20
# Rows the Summary's commentary has on its one page with the most headlines and key messages: title,
# description and a blank row; the messages' heading, six messages, a blank row; the table's heading, header
# and twenty rows, a blank row; the commentary's heading.
COMMENTARY_ROWS = MAX_ROWS - (3 + 1 + SUMMARY_SENTENCES + 1 + 2 + MAX_HEADLINES + 1 + 1)


def commentary_rows(text: str) -> int:
    """Rows a commentary takes on its sheet: one per paragraph, more for a paragraph longer than a line."""
    paragraphs = [" ".join(p.split()) for p in str(text).replace("\r\n", "\n").split("\n") if p.strip()]
    return sum(len(narrative_lines(p)) for p in paragraphs)


def section_place(section: str, part: str = "messages") -> str:
    """Where a section's key messages (``part`` "messages") or commentary ("commentary") appear in the
    workbook, in words (for the app)."""
    if section == SECTION:
        if part == "commentary":
            return (f"On the one-page Summary, below the headline measures: about {COMMENTARY_ROWS} lines fit "
                    f"(a paragraph of up to about 240 characters is one line).")
        return (f"On the one-page Summary, above the headline measures: at most {SUMMARY_SENTENCES}. The drafts "
                f"are the messages that matter most across the report.")
    sheet = workbook_spec().sheet_of_section(section)
    if sheet is None:
        return ""
    what = "its scorecard and charts" if sheet.scorecard else "its tables"
    return f"At the top of the \u2018{sheet.name}\u2019 sheet, above {what}."


# Audit headlines whose monthly series is a column of a contract table: (table, column) — the share of
# overall judgements by month. A KPI headline's series is its rows of tbl_kpi_monthly.
AUDIT_SERIES = {HEADLINE_GOOD_OR_BETTER: ("tbl_overall_by_month", "Good or better %"),
                HEADLINE_INADEQUATE: ("tbl_overall_by_month", "Inadequate %")}


def ordered_headlines(headlines: list[Headline]) -> list[Headline]:
    """Headlines in section order (audits first, then the KPI sections, workforce, fostering), stable within
    a section."""
    def rank(h: Headline) -> int:
        return SECTIONS.index(h.section) if h.section in SECTIONS else len(SECTIONS)

    return sorted(headlines, key=rank)


def _series(build: Build, headline: Headline) -> Sparkline | None:
    """The cells of the headline's monthly series over the trend window, or None when it has none."""
    if headline.kpi_id:
        return build.monthly_series.get(headline.kpi_id)
    table, column = AUDIT_SERIES.get(headline.measure, (None, None))
    loc = build.locations.get(table) if table else None
    if loc is None or not loc.has_data or column not in loc.columns:
        return None
    return Sparkline(loc.range_text(column, 0, len(loc.rows) - 1), [loc.value(i, column) for i in range(len(loc.rows))])


def write_summary(build: Build) -> None:
    sheet = build.spec.sheet("Summary")
    headlines = ordered_headlines(build.figures.headlines)
    layout = build.start_sheet(sheet, has_data=bool(headlines))
    layout.key_messages(SECTION, build.context)
    layout.row += 1
    rows, units, links = [], [], {}
    for i, h in enumerate(headlines):
        # A headline's note (why its Previous is blank, say) is marked on its Measure, the row's header.
        measure = resolve_note_refs(f"{h.measure} {h.note}".strip(), build.note_numbers)
        rows.append([h.section, measure, h.value, h.previous, h.change, h.better_or_worse, h.target, h.status,
                     h.statistical_neighbours, h.england])
        units.append(h.unit)
        target = build.spec.sheet_of_section(h.section)
        if target is not None:
            links[i] = f"internal:'{target.name}'!A1"
    spec = build.spec.table("tbl_headlines")
    loc = build.record(layout.table("tbl_headlines", spec.heading, spec.headers(build.figures.period), rows or None,
                                    units=units if rows else None, links=links, wrap={"Measure": 46}))
    if loc.has_data:
        layout.sparklines(loc, [_series(build, h) for h in headlines])
    layout.commentary(SECTION, build.context)
    layout.finish(build.context.classification, one_page=True)
