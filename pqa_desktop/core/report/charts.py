"""Native Excel charts and their alt text.

Every chart has a title saying what it shows, axis titles, data labels that name the series in words
(short codes such as "RI 69%", explained in the legend) so no series is told apart by colour alone, the
palette of resources/workbook.toml, and alt text stating the main finding.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook

from ..measures.figures import shown_decimal
from ..values import GRADES
from . import styles as st
from .layout import TableLoc
from .spec import WorkbookSpec
from .text import count_text, is_blank, percent_text, round_half_away

TITLE_FONT = {"size": 12, "bold": True}
AXIS_TITLE_FONT = {"size": 10, "bold": True}
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


def _code(spec: WorkbookSpec, name: str) -> str:
    return spec.label_codes.get(name) or "".join(w[0] for w in name.split() if w[:1].isalnum()).upper()


def _finish(chart: Chart, title: str, x_title: str, y_title: str, y_format: str | None = None,
            legend: bool = True, text_axis: bool = True, title_font: dict | None = None,
            y_axis: tuple[float, float, float] | None = None) -> Chart:
    chart.set_title({"name": title, "name_font": title_font or TITLE_FONT, "overlay": False})
    x_axis = {"name": x_title, "name_font": AXIS_TITLE_FONT}
    if text_axis:
        x_axis["text_axis"] = True
    chart.set_x_axis(x_axis)
    value_axis = {"name": y_title, "name_font": AXIS_TITLE_FONT, "major_gridlines": GRIDLINES}
    if y_format:
        value_axis["num_format"] = y_format
    if y_axis is not None:  # (minimum, maximum, major unit)
        value_axis.update(zip(("min", "max", "major_unit"), y_axis))
    chart.set_y_axis(value_axis)
    chart.set_legend({"position": "bottom"} if legend else {"none": True})
    return chart


def value_text(value: object, unit: str, benchmark: bool = False) -> str:
    """A figure as the table shows it."""
    if is_blank(value):
        return "no figure"
    kind = st.unit_kind(unit)
    if kind == "percent":
        return percent_text(float(value), 1 if benchmark else 0)
    if kind == "count" and not benchmark:
        return f"{int(round_half_away(float(value))):,}"
    if kind == "days":
        v = float(value)
        return f"{int(v)} days" if v.is_integer() else f"{v:.1f} days"
    return f"{round_half_away(float(value), 1)}"


# ---------------------------------------------------------------------------------- grade charts
def grade_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc, category: str, first: int, last: int,
                title: str, x_title: str, month_axis: bool = False) -> Chart:
    """100% stacked columns of the four grade shares for data rows first..last of a <grades> table."""
    chart = wb.add_chart({"type": "column", "subtype": "percent_stacked"})
    for grade in GRADES:
        header = f"{grade} %"
        code = _code(spec, grade)
        labels = []
        for i in range(first, last + 1):
            v = loc.value(i, header)
            labels.append({"delete": True} if is_blank(v) or float(v) == 0 else
                          {"value": f"{code} {percent_text(float(v))}"})
        chart.add_series({
            "name": f"{grade} ({code})",
            "categories": loc.column_ref(category, first, last),
            "values": loc.column_ref(header, first, last),
            "fill": {"color": spec.grade_colours[grade]},
            "border": {"color": "#FFFFFF"},
            "gap": 50,
            "data_labels": {"value": True, "custom": labels, "position": "center",
                            "font": {"color": "#FFFFFF", "size": 8, "bold": True}},
        })
    _finish(chart, title, x_title, "Share of audits judged", "0%")
    if month_axis:
        chart.set_x_axis({"name": x_title, "name_font": AXIS_TITLE_FONT, "text_axis": True,
                          "num_format": st.MONTH, "num_font": {"rotation": -45}})
    return chart


def _rows_with_audits(loc: TableLoc, first: int, last: int) -> list[int]:
    return [i for i in range(first, last + 1) if not is_blank(loc.value(i, "Total")) and loc.value(i, "Total") > 0]


def most_common_alt(title: str, loc: TableLoc, first: int, last: int, unit_word: str) -> str:
    """"<title>: Requires improvement was the most common judgement in 9 of 12 months."""
    periods = last - first + 1
    with_audits = _rows_with_audits(loc, first, last)
    if not with_audits:
        return f"{title}: no audits were judged in these {unit_word}s."
    tally: Counter[str] = Counter()
    for i in with_audits:
        counts = {g: loc.value(i, g) or 0 for g in GRADES}
        top = max(counts.values())
        leaders = [g for g, n in counts.items() if n == top]
        if len(leaders) == 1:
            tally[leaders[0]] += 1
    if not tally:
        return f"{title}: no single judgement was the most common in any {unit_word}."
    grade, n = sorted(tally.items(), key=lambda kv: (-kv[1], GRADES.index(kv[0])))[0]
    scope = (f"{n} of {periods} {unit_word}s" if len(with_audits) == periods
             else f"{n} of the {count_text(len(with_audits), unit_word)} with audits")
    return f"{title}: {grade} was the most common judgement in {scope}."


def good_or_better_alt(title: str, loc: TableLoc, first: int, last: int, label_header: str) -> str:
    """"<title>: good or better rose from 13% in Q3 2023/24 to 22% in Q4 2023/24 (9 audits)."""
    with_audits = _rows_with_audits(loc, first, last)
    if not with_audits:
        return f"{title}: no audits were judged in these periods."

    def label(i: int) -> str:
        v = loc.value(i, label_header)
        return v.strftime("%b %Y") if hasattr(v, "strftime") else str(v)

    last_i = with_audits[-1]
    latest = percent_text(loc.value(last_i, "Good or better %"))
    audits = count_text(loc.value(last_i, "Total"), "audit")
    if len(with_audits) == 1:
        return f"{title}: {latest} good or better in {label(last_i)} ({audits})."
    prev_i = with_audits[-2]
    earlier = percent_text(loc.value(prev_i, "Good or better %"))
    if earlier == latest:
        return f"{title}: good or better stayed at {latest} from {label(prev_i)} to {label(last_i)} ({audits})."
    verb = "rose" if loc.value(last_i, "Good or better %") > loc.value(prev_i, "Good or better %") else "fell"
    return f"{title}: good or better {verb} from {earlier} in {label(prev_i)} to {latest} in {label(last_i)} ({audits})."


# ---------------------------------------------------------------------------------- audit activity
def activity_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc, month_headers: Sequence[str],
                   title: str) -> Chart:
    """Stacked columns: audits per month, one series per audit type (rows of the by-type table)."""
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for i in range(len(loc.rows)):
        audit_type = str(loc.value(i, "Audit type"))
        code = _code(spec, audit_type)
        labels = []
        for h in month_headers:
            v = loc.value(i, h)
            labels.append({"delete": True} if is_blank(v) or v == 0 else {"value": f"{code} {int(v)}"})
        chart.add_series({
            "name": f"{audit_type} ({code})",
            "categories": loc.header_ref(month_headers[0], month_headers[-1]),
            "values": loc.row_ref(i, month_headers[0], month_headers[-1]),
            "fill": {"color": spec.series_colours[i % len(spec.series_colours)]},
            "border": {"color": "#FFFFFF"},
            "gap": 50,
            "data_labels": {"value": True, "custom": labels, "position": "center",
                            "font": {"color": "#FFFFFF", "size": 8, "bold": True}},
        })
    return _finish(chart, title, "Month of audit", "Number of audits")


def activity_alt(title: str, loc: TableLoc, month_headers: Sequence[str], period_label: str) -> str:
    totals = {h: sum(int(loc.value(i, h) or 0) for i in range(len(loc.rows))) for h in month_headers}
    grand = sum(totals.values())
    if grand == 0:
        return f"{title}: no audits in the 12 months to {period_label}."
    busiest = max(month_headers, key=lambda h: (totals[h], -month_headers.index(h)))
    empty = [h for h in month_headers if totals[h] == 0]
    text = (f"{title}: {count_text(grand, 'audit')} in the 12 months to {period_label}; "
            f"the most were in {busiest} ({totals[busiest]})")
    if empty:
        text += f"; no audits in {', '.join(empty)}"
    return text + "."


# ---------------------------------------------------------------------------------- last-point labels
# A label (8 points, with a little room) is about this share of the value axis: about 9 pixels in a plot of
# about 110 as LibreOffice draws the 600 x 300 pixel chart, less in Excel, whose plot is taller.
LABEL_CLEARANCE = 0.085
# A monthly chart's plot is shorter (its months are written slanted below it, its legend takes three lines).
MONTHLY_LABEL_CLEARANCE = 0.15

# Where a label sits around its point: (its side, its band's offset from the point in label heights), and what
# choosing it costs (beside the point first, above or below next, left last).
LABEL_PLACES = {"right": ("right", 0.0, 0), "above": ("centre", 1.0, 1), "below": ("centre", -1.0, 1),
                "left": ("left", 0.0, 3)}


def _clash(a: tuple[str, float], b: tuple[str, float], height: float) -> bool:
    """Two labels (side, centre) overlap: their bands overlap and they are not on opposite sides. A "point"
    label (a month's short value, "79%", centred over its point) reaches neither side."""
    (side_a, y_a), (side_b, y_b) = a, b
    if {side_a, side_b} == {"left", "right"} or "point" in (side_a, side_b) and {side_a, side_b} & {"left", "right"}:
        return False
    return abs(y_a - y_b) < height * 0.999


def best_places(values: Sequence[float], height: float, fixed: Sequence[tuple[str, float]] = (),
                allowed: Sequence[str] = tuple(LABEL_PLACES)) -> tuple[str, ...]:
    """Where to put the labels of points at ``values`` (all in the same category): of every placement, the one
    with the fewest labels printing over each other or over the ``fixed`` labels ((side, centre) already
    there), then the fewest moved from beside their point."""
    best: tuple[tuple[int, int], tuple[str, ...]] | None = None
    for choice in itertools.product(allowed, repeat=len(values)):
        bands = [(LABEL_PLACES[p][0], v + LABEL_PLACES[p][1] * height) for v, p in zip(values, choice)]
        clashes = sum(_clash(a, b, height) for a, b in itertools.combinations(bands, 2))
        clashes += sum(_clash(a, b, height) for a in bands for b in fixed)
        score = (clashes, sum(LABEL_PLACES[p][2] for p in choice))
        if best is None or score < best[0]:
            best = (score, choice)
    return best[1] if best else ()


# ---------------------------------------------------------------------------------- KPIs
def kpi_line_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc, first: int, last: int, kpi_label: str,
                   unit: str, has_target: bool, has_england: bool) -> Chart:
    """A monthly KPI as a line, with its target and England value as labelled reference lines."""
    chart = wb.add_chart({"type": "line"})
    fmt = st.value_format(unit)
    chart.add_series({
        "name": kpi_label,
        "categories": loc.column_ref("Month", first, last),
        "values": loc.column_ref("Value", first, last),
        "line": {"color": spec.series_colours[0], "width": 2.25},
        "marker": {"type": "circle", "size": 6, "fill": {"color": spec.series_colours[0]},
                   "border": {"color": spec.series_colours[0]}},
        "data_labels": {"value": True, "position": "above", "num_format": fmt, "font": {"size": 8}},
    })
    n = last - first + 1
    positions = reference_label_positions(loc, first, last, has_target, has_england)
    for name, present, dash in (("Target", has_target, "dash"), ("England", has_england, "round_dot")):
        if not present:
            continue
        value = loc.value(first, name)
        labels = [{"delete": True}] * (n - 1) + [{"value": f"{name} {value_text(value, unit, name == 'England')}"}]
        chart.add_series({
            "name": name,
            "categories": loc.column_ref("Month", first, last),
            "values": loc.column_ref(name, first, last),
            "line": {"color": spec.reference_colours[name], "width": 1.5, "dash_type": dash},
            "marker": {"type": "none"},
            "data_labels": {"value": True, "custom": labels, "position": positions[name], "font": {"size": 8}},
        })
    axis = value_axis(_monthly_values(loc, first, last, has_target, has_england))
    _finish(chart, kpi_title(kpi_label, loc, first, last, unit), "Month", _unit_axis_title(unit),
            axis_format(unit, axis[2]), y_axis=axis)
    chart.set_x_axis({"name": "Month", "name_font": AXIS_TITLE_FONT, "text_axis": True,
                      "num_format": st.MONTH, "num_font": {"rotation": -45}})
    return chart


def _monthly_values(loc: TableLoc, first: int, last: int, has_target: bool, has_england: bool) -> list[float]:
    """Every value a monthly chart plots: the covered months, the target and England reference lines."""
    columns = ["Value", *(["Target"] if has_target else []), *(["England"] if has_england else [])]
    return [float(loc.value(i, c)) for i in range(first, last + 1) for c in columns if not is_blank(loc.value(i, c))]


def reference_label_positions(loc: TableLoc, first: int, last: int, has_target: bool,
                              has_england: bool) -> dict[str, str]:
    """Where the Target and England labels go at the end of their lines: beside them, unless that would print
    one over the other (85% against 85.7%) or over the last month's own label (above its point), when they
    move above or below their lines (``best_places``)."""
    names = [n for n, present in (("Target", has_target), ("England", has_england)) if present]
    positions = {"Target": "right", "England": "right"}
    if not names:
        return positions
    low, high, _ = value_axis(_monthly_values(loc, first, last, has_target, has_england))
    height = MONTHLY_LABEL_CLEARANCE * (high - low)
    latest = loc.value(last, "Value")
    fixed = [] if is_blank(latest) else [("point", float(latest) + height)]  # the last month's label, above it
    positions.update(zip(names, best_places([float(loc.value(first, n)) for n in names], height, fixed,
                                            allowed=("right", "above", "below"))))
    return positions


def kpi_title(kpi_label: str, loc: TableLoc, first: int, last: int, unit: str) -> str:
    """What the chart shows and its latest figure: "Children in care by month: 302 in Sep 2024"."""
    covered = [i for i in range(first, last + 1) if not is_blank(loc.value(i, "Value"))]
    if not covered:
        return f"{kpi_label} by month"
    month = loc.value(covered[-1], "Month")
    month_text = month.strftime("%b %Y") if hasattr(month, "strftime") else str(month)
    return f"{kpi_label} by month: {value_text(loc.value(covered[-1], 'Value'), unit)} in {month_text}"


def _unit_axis_title(unit: str) -> str:
    return {"percent": "Percentage", "days": "Days", "number": "Value"}.get(st.unit_kind(unit), "Number")


def kpi_alt(kpi_label: str, loc: TableLoc, first: int, last: int, unit: str) -> str:
    covered = [i for i in range(first, last + 1) if not is_blank(loc.value(i, "Value"))]
    if not covered:
        return f"{kpi_label} by month: no month of the trend window is covered by the inputs."
    i = covered[-1]
    month = loc.value(i, "Month")
    month_text = month.strftime("%b %Y") if hasattr(month, "strftime") else str(month)
    text = f"{kpi_label} by month: {value_text(loc.value(i, 'Value'), unit)} in {month_text}"
    if len(covered) > 1:
        j = covered[0]
        start = loc.value(j, "Month")
        start_text = start.strftime("%b %Y") if hasattr(start, "strftime") else str(start)
        text += f", compared with {value_text(loc.value(j, 'Value'), unit)} in {start_text}"
    extras = []
    if not is_blank(loc.value(i, "Target")):
        extras.append(f"target {value_text(loc.value(i, 'Target'), unit)}")
    if not is_blank(loc.value(i, "England")):
        extras.append(f"England {value_text(loc.value(i, 'England'), unit, benchmark=True)}")
    if extras:
        text += f" ({'; '.join(extras)})"
    return text + "."


# ---------------------------------------------------------------------------------- workforce, fostering
def caseload_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc) -> Chart:
    last = len(loc.rows) - 1
    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": "Average caseload",
        "categories": loc.column_ref("Service area"),
        "values": loc.column_ref("Average caseload"),
        "fill": {"color": spec.series_colours[0]},
        "gap": 80,
        "data_labels": {"value": True, "num_format": st.DECIMAL, "position": "inside_end",
                        "font": {"color": "#FFFFFF", "size": 8, "bold": True}},
    })
    if any(not is_blank(loc.value(i, "Threshold")) for i in range(last + 1)):
        line = wb.add_chart({"type": "line"})
        labels = [{"delete": True}] * last + [{"value": "Threshold"}]
        line.add_series({
            "name": "Threshold",
            "categories": loc.column_ref("Service area"),
            "values": loc.column_ref("Threshold"),
            "line": {"color": spec.reference_colours["Threshold"], "width": 1.5, "dash_type": "dash"},
            "marker": {"type": "dash", "size": 9, "border": {"color": spec.reference_colours["Threshold"]}},
            "data_labels": {"value": True, "custom": labels, "position": "right", "font": {"size": 8}},
        })
        chart.combine(line)
    return _finish(chart, "Average caseload by service area against threshold", "Service area",
                   "Children per case-holding FTE")


def caseload_alt(loc: TableLoc) -> str:
    rows = [i for i in range(len(loc.rows)) if not is_blank(loc.value(i, "Average caseload"))]
    if not rows:
        return "Average caseload by service area: no caseload figures."
    top = max(rows, key=lambda i: (loc.value(i, "Average caseload"), -i))
    above = [str(loc.value(i, "Service area")) for i in rows if str(loc.value(i, "Status")) == "Above threshold"]
    text = (f"Average caseload by service area: highest in {loc.value(top, 'Service area')} at "
            f"{value_text(loc.value(top, 'Average caseload'), 'number')}")
    text += f"; above threshold in {', '.join(above)}" if above else "; no service area above its threshold"
    return text + "."


def starters_leavers_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc) -> Chart:
    chart = wb.add_chart({"type": "column"})
    for k, name in enumerate(("Starters", "Leavers")):
        chart.add_series({
            "name": name,
            "categories": loc.column_ref("Period"),
            "values": loc.column_ref(name),
            "fill": {"color": spec.series_colours[k]},
            "gap": 80,
            "data_labels": {"value": True, "series_name": True, "separator": "\n", "position": "inside_end",
                            "font": {"color": "#FFFFFF", "size": 8, "bold": True}},
        })
    return _finish(chart, "Permanent starters and leavers, last 6 months and previous 6 months", "Period",
                   "Number of permanent workers")


def starters_leavers_alt(loc: TableLoc) -> str:
    def count(i: int, header: str, noun: str) -> str:
        value = loc.value(i, header)  # blank when the list cannot give it: said, never read as 0
        return f"{noun} not known" if is_blank(value) else f"{int(value)} {noun}"

    parts = [f"{loc.value(i, 'Period')}: {count(i, 'Starters', 'starters')} and {count(i, 'Leavers', 'leavers')}"
             for i in range(len(loc.rows))]
    return "Permanent starters and leavers: " + "; ".join(parts) + "."


def placement_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc) -> Chart:
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Children in care",
        "categories": loc.column_ref("Placement type"),
        "values": loc.column_ref("Children"),
        "fill": {"color": spec.series_colours[0]},
        "gap": 60,
        "data_labels": {"value": True, "position": "outside_end", "font": {"size": 8}},
    })
    _finish(chart, "Children in care at the snapshot by placement type", "Number of children",
            "Placement type", legend=False, text_axis=False)
    # In a bar chart the x axis is the value axis and the y axis lists the categories (top to bottom).
    chart.set_y_axis({"name": "Placement type", "name_font": AXIS_TITLE_FONT, "reverse": True})
    return chart


def placement_alt(loc: TableLoc) -> str:
    rows = [i for i in range(len(loc.rows)) if not is_blank(loc.value(i, "Children"))]
    total = sum(int(loc.value(i, "Children")) for i in rows)
    if total == 0:
        return "Children in care by placement type: no children looked after at the snapshot."
    top = max(rows, key=lambda i: (loc.value(i, "Children"), -i))
    return (f"Children in care by placement type: most were in {str(loc.value(top, 'Placement type')).lower()} "
            f"({int(loc.value(top, 'Children'))} of {total}, {percent_text(loc.value(top, 'Share %'))}).")


# ---------------------------------------------------------------------------------- published series
# The lines of a published-series chart, by their column of the chart data (core.comparators.SERIES_COLUMNS).
PUBLISHED_LINES = ("Council", "Statistical neighbours", "Region", "England")
SN_CODE = "SN"
PUBLISHED_TITLE_FONT = {"size": 11, "bold": True}  # two lines: the measure, then its finding
PUBLISHED_TITLE = ", DfE figures:"  # after the measure's label, on the title's first line


def _shown_amount(value: object, unit: str):
    """A published value as its label shows it (one decimal: 82.7% or 14.1), for saying above or below."""
    scale = 100 if st.unit_kind(unit) == "percent" else 1
    return (shown_decimal(value) * scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _against(value: object, other: object, unit: str) -> str:
    now, then = _shown_amount(value, unit), _shown_amount(other, unit)
    return "above" if now > then else "below" if now < then else "in line with"


def published_names(council: str, region: str) -> dict[str, tuple[str, str]]:
    """Chart data column -> (legend name, short label at the line's last point). The label names the line in
    words, so no line is told apart by its colour alone; the legend explains SN."""
    return {"Council": (council, council),
            "Statistical neighbours": (f"Statistical neighbours' mean ({SN_CODE})", SN_CODE),
            "Region": (f"Region: {region}" if region else "Region", "Region"),
            "England": ("England", "England")}


def _last_points(loc: TableLoc, first: int, last: int) -> dict[str, int]:
    """Chart data column -> the data index of its line's last value (columns with no value left out)."""
    out = {}
    for column in PUBLISHED_LINES:
        present = [i for i in range(first, last + 1) if not is_blank(loc.value(i, column))]
        if present:
            out[column] = present[-1]
    return out


def _values(loc: TableLoc, first: int, last: int) -> list[float]:
    return [float(loc.value(i, c)) for c in PUBLISHED_LINES for i in range(first, last + 1)
            if not is_blank(loc.value(i, c))]


def value_axis(values: Sequence[float]) -> tuple[float, float, float]:
    """(minimum, maximum, major unit) of a value axis fitted to the lines: about four steps of 1, 2 or 5 times
    a power of ten, never below 0, with room above the highest point and below the lowest for their labels.
    Stated in the chart, so every program draws the same scale (and the labels are set apart knowing it)."""
    lo, hi = min(values), max(values)
    raw = (hi - lo) / 4 or abs(hi) / 10 or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw - 1e-12)
    low = max(0.0, math.floor(round(lo / step, 9)) * step)
    high = max(math.ceil(round(hi / step, 9)) * step, low + step)
    if high - hi < LABEL_CLEARANCE * (high - low):
        high += step
    if lo - low < LABEL_CLEARANCE * (high - low) and low - step >= 0:
        low -= step
    return round(low, 10), round(high, 10), round(step, 10)


def label_positions(loc: TableLoc, first: int, last: int) -> dict[str, str]:
    """Where each line's last-point label goes: beside the point where it has room, else above, below or left
    of it, so that no label covers another (the lines ending in the same year are placed together,
    ``best_places``)."""
    ends = _last_points(loc, first, last)
    if not ends:
        return {}
    low, high, _ = value_axis(_values(loc, first, last))
    positions = {c: "above" for c, i in ends.items() if i != last}  # an earlier last point: above its line
    at_end = [c for c, i in ends.items() if i == last]
    positions.update(zip(at_end, best_places([float(loc.value(last, c)) for c in at_end],
                                             LABEL_CLEARANCE * (high - low))))
    return positions


def published_chart(wb: Workbook, spec: WorkbookSpec, loc: TableLoc, first: int, last: int, kpi_label: str,
                    unit: str, council: str, region: str) -> Chart | None:
    """The council's published years as a line against its statistical neighbours' mean, its region and England
    (four lines at most; a line with no value is left out), each line's last point labelled with its name and
    value. None when no line has a value."""
    ends = _last_points(loc, first, last)
    if not ends:
        return None
    names = published_names(council, region)
    positions = label_positions(loc, first, last)
    styles = {"Council": (spec.series_colours[0], 2.5, "solid", "circle"),
              "Statistical neighbours": (spec.series_colours[1], 2.0, "dash", "square"),
              "Region": (spec.series_colours[2], 1.75, "long_dash", "triangle"),
              "England": (spec.reference_colours["England"], 1.75, "round_dot", "diamond")}
    chart = wb.add_chart({"type": "line"})
    n = last - first + 1
    for column in PUBLISHED_LINES:
        if column not in ends:
            continue
        colour, width, dash, marker = styles[column]
        legend, short = names[column]
        labels: list[dict] = [{"delete": True}] * n
        labels[ends[column] - first] = {"value": f"{short} {value_text(loc.value(ends[column], column), unit, True)}"}
        chart.add_series({
            "name": legend,
            "categories": loc.column_ref("Year", first, last),
            "values": loc.column_ref(column, first, last),
            "line": {"color": colour, "width": width, "dash_type": dash},
            "marker": {"type": marker, "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
            "data_labels": {"value": True, "custom": labels, "position": positions.get(column, "right"),
                            "font": {"size": 8, "color": "#000000"}},
        })
    chart.show_blanks_as("gap")  # a suppressed year is a gap in the line, never a zero
    axis = value_axis(_values(loc, first, last))
    _finish(chart, published_title(kpi_label, loc, first, last, unit, council), "Year", _unit_axis_title(unit),
            axis_format(unit, axis[2]), title_font=PUBLISHED_TITLE_FONT, y_axis=axis)
    return chart


def axis_format(unit: str, step: float) -> str:
    """The value axis's numbers, as precise as its steps: 65%, 2.5%, 250, 12.5."""
    if st.unit_kind(unit) == "percent":
        return st.PERCENT if round(step * 100, 9).is_integer() else st.BENCHMARK_PERCENT
    return st.COUNT if float(step).is_integer() else st.DECIMAL


def published_title(kpi_label: str, loc: TableLoc, first: int, last: int, unit: str, council: str) -> str:
    """What the chart shows (the measure's DfE figures: the scorecard's Note says where the DfE's definition
    differs from ours), then its finding on a line of its own: "ICPCs …, DfE figures:" / "Barnet 82.7% in
    2024-25, above statistical neighbours (72.5%)". The first line stays within one line of the chart's width
    for every measure (at most about 80 characters at 11 points)."""
    year = loc.value(last, "Year")
    value, neighbours = loc.value(last, "Council"), loc.value(last, "Statistical neighbours")
    head = f"{kpi_label}{PUBLISHED_TITLE}\n"
    if is_blank(value):
        tail = f"no {council} figure for {year}"
        return head + tail + (f" (statistical neighbours {value_text(neighbours, unit, True)})"
                              if not is_blank(neighbours) else "")
    text = head + f"{council} {value_text(value, unit, True)} in {year}"
    if not is_blank(neighbours):
        text += f", {_against(value, neighbours, unit)} statistical neighbours ({value_text(neighbours, unit, True)})"
    return text


def published_alt(kpi_label: str, published_measure: str, loc: TableLoc, first: int, last: int, unit: str,
                  council: str, region: str) -> str:
    """The finding in words: the council's latest published figure and how it has moved, its statistical
    neighbours, region and England that year, and whether it is above or below its neighbours. E.g. "ICPCs …,
    as the DfE publishes it (Percentage of …), 2020-21 to 2024-25: Barnet 82.7% in 2024-25, down from 91.7% in
    2020-21; statistical neighbours 72.5%, London (Outer) 80.1%, England 81.4%. Barnet is above its
    statistical neighbours."."""
    def shown(i: int, column: str) -> str:
        return value_text(loc.value(i, column), unit, True)

    year = loc.value(last, "Year")
    text = (f"{kpi_label}, as the DfE publishes it ({published_measure}), {loc.value(first, 'Year')} to {year}: ")
    present = [i for i in range(first, last + 1) if not is_blank(loc.value(i, "Council"))]
    value = loc.value(last, "Council")
    if is_blank(value):
        text += f"no {council} figure for {year}"
        if present:
            text += f" (its latest published: {shown(present[-1], 'Council')} in {loc.value(present[-1], 'Year')})"
    else:
        text += f"{council} {shown(last, 'Council')} in {year}"
        if len(present) > 1:
            i = present[0]
            move = _against(value, loc.value(i, "Council"), unit)
            text += (f", the same as in {loc.value(i, 'Year')}" if move == "in line with" else
                     f", {'up' if move == 'above' else 'down'} from {shown(i, 'Council')} in {loc.value(i, 'Year')}")
    others = [f"{name} {shown(last, column)}" for column, name in
              (("Statistical neighbours", "statistical neighbours"), ("Region", region or "region"), ("England", "England"))
              if not is_blank(loc.value(last, column))]
    if others:
        text += "; " + ", ".join(others)
    text += "."
    neighbours = loc.value(last, "Statistical neighbours")
    if not is_blank(value) and not is_blank(neighbours):
        text += f" {council} is {_against(value, neighbours, unit)} its statistical neighbours."
    return text
