"""Key messages for the KPI, workforce and fostering sections, drafted from tbl_kpis and the Workforce
and Fostering tables.

Every number is written as its cell shows it: the number format of the cell is the report layer's
(``report.styles.value_format`` for a measure's unit), so a percentage reads as a whole percentage, an
England, statistical-neighbour or region value with one decimal (84.5%), an average or rate with one
decimal, a count as a whole number with thousands separators. A comparison with the previous figure is
judged on the figures as shown ("up from 78%"). A section without figures says which input would fill it.
Sentences name measures, service areas and placement types only, never a child or a worker.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..calendar import Period, add_months
from ..measures.figures import Figures
from .sentences import (KPIS_AFTER, MAX_SENTENCES, Shown, drafter, join_words, lower_first, named_table,
                        percent_text, plural, whole_percent)
from ..report import styles
from ..report.text import is_blank

KPI_TABLE = "tbl_kpis"

MEETS_TARGET, BELOW_TARGET = "Meets target", "Below target"

# The KPI ids whose tbl_kpis rows carry a table's detail (the Workforce and Fostering sentences).
CASELOAD, AGENCY = "caseload_avg", "agency_rate_pct"
STARTERS, LEAVERS = "starters_6m", "leavers_6m"
SAME_WORKER_6M, SAME_WORKER_12M = "same_worker_6m_pct", "same_worker_12m_pct"
FOSTER_SHARE, LONG_TERM_FOSTER = "cic_foster_pct", "cic_long_term_foster_same_carer_pct"
HOUSEHOLDS = "foster_households"
HOUSEHOLDS_NEW, HOUSEHOLDS_GONE = "foster_households_new_12m", "foster_households_deregistered_12m"
S47_MEDIAN, S47_15WD = "s47_median_wd", "s47_15wd_pct"
FOSTER_PLACEMENT_GROUP = "Foster placement"

# The Note of a measure whose input was not supplied says "Needs <input>" (or, when no measure
# function ran at all, that none of the inputs feeds it).
NEEDS = "Needs "
NOTHING_SUPPLIED = "none of the inputs supplied"
LIST = "Annex A List "


# --- one row of tbl_kpis --------------------------------------------------------------------------

@dataclass(frozen=True)
class Kpi:
    """A tbl_kpis row as the sentences need it (blank cells are None)."""

    id: str
    label: str
    window: str  # lower case: "last month", "3m", "ytd", "snapshot", "trend window", "6 months", "12 months"
    unit: str
    value: float | None
    previous: float | None
    target: float | None
    england: float | None
    neighbours: float | None
    status: str
    note: str

    def shown(self, column: str) -> "Shown | None":
        """The cell of ``column`` ("value", "previous", "target", "england", "neighbours") as shown."""
        number = getattr(self, column)
        if number is None:
            return None
        benchmark = column in ("england", "neighbours")
        return Shown.of(number, styles.value_format(self.unit, benchmark=benchmark))


def _cell(row: pd.Series, column: str) -> object:
    value = row.get(column)
    return None if is_blank(value) else value


def _number(row: pd.Series, column: str) -> float | None:
    value = _cell(row, column)
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def kpi_rows(figures: Figures) -> dict[str, Kpi]:
    """KPI id -> its tbl_kpis row; empty when the figures have no KPI table."""
    table = named_table(figures, KPI_TABLE)
    out: dict[str, Kpi] = {}
    for _, row in table.iterrows():
        kpi_id = str(_cell(row, "KPI id") or "")
        if not kpi_id:
            continue
        out[kpi_id] = Kpi(
            id=kpi_id,
            label=str(_cell(row, "KPI") or kpi_id),
            window=str(_cell(row, "Window") or "").strip().lower(),
            unit=str(_cell(row, "Unit") or "count"),
            value=_number(row, "Value"),
            previous=_number(row, "Previous"),
            target=_number(row, "Target"),
            england=_number(row, "England"),
            neighbours=_number(row, "Statistical neighbours"),
            status=str(_cell(row, "Status") or ""),
            note=str(_cell(row, "Note") or ""),
        )
    return out


# --- numbers as the cells show them --------------------------------------------------------------

def column_shown(table: pd.DataFrame, column: str, number: float) -> Shown:
    """A number of a plain table column (no unit): whole when every number in the column is whole
    (the report shows such a column as a count), else one decimal; fractions in a "%" column as 0%."""
    if column.endswith("%"):
        return Shown.of(number, styles.PERCENT)
    values = [float(v) for v in table[column] if not is_blank(v)]
    whole = all(v.is_integer() for v in values)
    return Shown.of(number, styles.COUNT if whole else styles.DECIMAL)


# --- windows in words ----------------------------------------------------------------------------

def _month_text(month) -> str:
    return month.strftime("%B %Y")


def window_words(window: str, period: Period) -> str:
    """Where the figure sits in time: "over the last 3 months", "at the end of September 2024"."""
    return {
        "last month": f"in {_month_text(period.end_month)}",
        "3m": "over the last 3 months",
        "ytd": "in the year to date",
        "snapshot": f"at the end of {_month_text(period.end_month)}",
        "trend window": "over the last 12 months",
        "6 months": "in the last 6 months",
        "12 months": "in the last 12 months",
    }.get(window, "")


def previous_words(window: str, period: Period) -> str:
    """Where the previous figure sits (measures.md "Previous")."""
    month_before = _month_text(add_months(period.end_month, -1))
    return {
        "last month": f"in {month_before}",
        "3m": "in the previous 3 months",
        "ytd": "in the same months last year",
        "snapshot": f"at the end of {month_before}",
        "trend window": "in the previous 12 months",
        "6 months": "in the previous 6 months",
        "12 months": "in the previous 12 months",
    }.get(window, "previously")


# --- clauses -------------------------------------------------------------------------------------

def trend_clause(kpi: Kpi, period: Period) -> str:
    """", up from 78% in the previous 3 months" — judged on the figures as shown; "" without Previous."""
    now, before = kpi.shown("value"), kpi.shown("previous")
    if now is None or before is None:
        return ""
    when = previous_words(kpi.window, period)
    if now.amount > before.amount:
        return f", up from {before.text} {when}"
    if now.amount < before.amount:
        return f", down from {before.text} {when}"
    return f", the same as {when}"


def target_clause(kpi: Kpi) -> str:
    """", meeting the target of 85%" or ", not meeting the target of 85%"; "" without a target."""
    target = kpi.shown("target")
    if target is None or kpi.value is None:
        return ""
    if kpi.status == MEETS_TARGET:
        return f", meeting the target of {target.text}"
    if kpi.status == BELOW_TARGET:
        return f", not meeting the target of {target.text}"
    return f" (target {target.text})"


def _against(now: Shown, other: Shown) -> str:
    """"above", "below" or "in line with", judged on the figures as shown (82% against 83.3%)."""
    if now.amount > other.amount:
        return "above"
    if now.amount < other.amount:
        return "below"
    return "in line with"


def benchmark_clause(kpi: Kpi) -> str:
    """With a statistical-neighbour value, the comparison is the story: ", below statistical neighbours
    (80.2%) and England (78.1%)" (", above statistical neighbours (78.8%) but below England (81.4%)");
    else " (England 84.5%)"; "" when neither is known."""
    now, neighbours, england = kpi.shown("value"), kpi.shown("neighbours"), kpi.shown("england")
    if now is not None and neighbours is not None:
        word = _against(now, neighbours)
        text = f", {word} statistical neighbours ({neighbours.text})"
        if england is not None:
            england_word = _against(now, england)
            joiner = "but " if {word, england_word} == {"above", "below"} else ""
            text += (f" and England ({england.text})" if england_word == word
                     else f" {joiner or 'and '}{england_word} England ({england.text})")
        return text
    parts = [f"{name} {shown.text}" for name, shown in (("England", england), ("statistical neighbours", neighbours))
             if shown is not None]
    return f" ({', '.join(parts)})" if parts else ""


def kpi_sentence(kpi: Kpi, period: Period) -> str:
    """"<KPI>: <value> <window>, up from <previous> <when>, meeting the target of <t> (England <e>)."."""
    value = kpi.shown("value")
    when = window_words(kpi.window, period)
    return (f"{kpi.label}: {value.text}{' ' + when if when else ''}{trend_clause(kpi, period)}"
            f"{target_clause(kpi)}{benchmark_clause(kpi)}.")


# --- sections as topics --------------------------------------------------------------------------

SentenceBuilder = Callable[[Figures, dict[str, Kpi]], str | None]


@dataclass(frozen=True)
class Topic:
    """What a section reports on, the inputs that feed it, and its sentences in order of importance.

    ``sentences`` holds KPI ids (a generic sentence from the tbl_kpis row) and builders (a sentence
    combining several figures, or None when they are blank). A topic none of whose sentences has
    figures gets the missing-input sentence, judged from the Notes of its ``ids``.
    """

    name: str  # "assessment timeliness", used in "… so assessment timeliness is not shown."
    inputs: tuple[str, ...]  # "Annex A List 4", "workforce list" (as its measures' Notes name it)
    ids: tuple[str, ...]
    sentences: tuple[str | SentenceBuilder, ...]
    plural: bool = False  # "contacts are not shown" / "assessment timeliness is not shown"


def _has_value(kpis: dict[str, Kpi], kpi_id: str) -> bool:
    return kpi_id in kpis and kpis[kpi_id].value is not None


def _input_missing(topic: Topic, kpis: dict[str, Kpi]) -> bool:
    """True when the topic is blank because its input was not supplied (not because the input did not
    cover the period): its rows are absent or their Notes say the input is needed."""
    rows = [kpis[i] for i in topic.ids if i in kpis]
    if not rows:
        return True
    needed = [f"{NEEDS}{prefix}{name}" for name in topic.inputs for prefix in ("", "the ")]
    return all(any(n in k.note for n in needed) or NOTHING_SUPPLIED in k.note for k in rows)


def _or_words(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _inputs_text(inputs: Sequence[str]) -> str:
    """"Annex A List 6, List 7 or List 8" — the Annex A lists numbered in order, then the other inputs."""
    numbers = sorted({int(name[len(LIST):]) for name in inputs if name.startswith(LIST)})
    lists = [f"{LIST if k == 0 else 'List '}{n}" for k, n in enumerate(numbers)]
    return _or_words(lists + [name for name in dict.fromkeys(inputs) if not name.startswith(LIST)])


def missing_sentences(missing: list[Topic], uncovered: list[Topic], period: Period) -> list[str]:
    """"No Annex A List 4 was supplied, so assessment timeliness is not shown."; and for topics whose
    input was supplied but does not cover the period, where to look."""
    out = []
    if missing:
        inputs = _inputs_text([name for t in missing for name in t.inputs])
        verb = "are" if len(missing) > 1 or missing[0].plural else "is"
        out.append(f"No {inputs} was supplied, so "
                   f"{join_words([t.name for t in missing])} {verb} not shown.")
    if uncovered:
        out.append(f"{_capitalised(join_words([t.name for t in uncovered]))} could not be worked out for "
                   f"{period.label} from the inputs supplied; the Note column of the KPI table says why.")
    return out


def section_sentences(figures: Figures, topics: Sequence[Topic], limit: int = MAX_SENTENCES) -> list[str]:
    """One sentence per topic with figures first, then further sentences in each topic's order, then
    which input would fill the blank topics; at most ``limit`` sentences.

    The pipeline always builds tbl_kpis (a blank row with a Note for a measure whose input is missing);
    figures without it come from the audit measures alone, and get no KPI sentences."""
    if KPI_TABLE not in figures.tables:
        return []  # the KPI layer did not run (audit figures alone): nothing to say, not "missing"
    kpis = kpi_rows(figures)
    period = figures.period
    drafted: dict[str, list[str]] = {}
    for topic in topics:
        sentences = []
        for item in topic.sentences:
            if isinstance(item, str):
                text = kpi_sentence(kpis[item], period) if _has_value(kpis, item) else None
            else:
                text = item(figures, kpis)
            if text:
                sentences.append(text)
        drafted[topic.name] = sentences
    with_figures = [t for t in topics if drafted[t.name]]
    blank = [t for t in topics if not drafted[t.name]]
    missing = [t for t in blank if _input_missing(t, kpis)]
    uncovered = [t for t in blank if t not in missing]
    closing = missing_sentences(missing, uncovered, period)

    room = max(limit - len(closing), 0)
    chosen: list[tuple[int, int, str]] = []  # (topic order, depth, text): breadth first, then re-ordered
    depth = 0
    while len(chosen) < room and any(depth < len(drafted[t.name]) for t in with_figures):
        for order, topic in enumerate(with_figures):
            if len(chosen) < room and depth < len(drafted[topic.name]):
                chosen.append((order, depth, drafted[topic.name][depth]))
        depth += 1
    body = [text for _, _, text in sorted(chosen)]
    return (body + closing)[:limit]


# --- sentences combining figures -----------------------------------------------------------------

def s47_completion(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"Over the last 3 months the median time to complete a Section 47 enquiry was 13 working days, with
    79% completed within 15 working days."."""
    if not (_has_value(kpis, S47_MEDIAN) and _has_value(kpis, S47_15WD)):
        return None
    median, within = kpis[S47_MEDIAN], kpis[S47_15WD]
    days = median.shown("value")
    when = window_words(median.window, figures.period)
    text = (f"{_capitalised(when)} the median time to complete a Section 47 enquiry was {days.text} working "
            f"{'day' if days.amount == 1 else 'days'}{target_clause(median)}, with {within.shown('value').text} "
            f"completed within 15 working days{trend_clause(within, figures.period)}{target_clause(within)}"
            f"{benchmark_clause(within)}.")
    return text


def s47_parts(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """The median or the 15-day share alone, when only one of them has a value."""
    present = [k for k in (S47_MEDIAN, S47_15WD) if _has_value(kpis, k)]
    return kpi_sentence(kpis[present[0]], figures.period) if len(present) == 1 else None


def _highest_area(figures: Figures) -> str | None:
    """"Family Safeguarding is highest at 24.5, above its threshold of 17" from tbl_caseloads."""
    areas = named_table(figures, "tbl_caseloads")
    if areas.empty:
        return None
    areas = areas[[not is_blank(v) for v in areas["Average caseload"]]]
    if len(areas) < 2:
        return None  # one area (the census list) says no more than the overall average
    # The highest as shown (ties: the first listed, as the table orders the areas).
    shown = [column_shown(areas, "Average caseload", v).amount for v in areas["Average caseload"]]
    top = areas.iloc[shown.index(max(shown))]
    average = column_shown(areas, "Average caseload", top["Average caseload"]).text
    text = f"{top['Service area']} is highest at {average}"
    if not is_blank(top["Threshold"]):
        threshold = column_shown(areas, "Threshold", top["Threshold"]).text
        if top["Status"] == "Above threshold":
            text += f", above its threshold of {threshold}"
        elif top["Status"] == "Within threshold":
            text += f", within its threshold of {threshold}"
    others = [str(r["Service area"]) for _, r in areas.iterrows()
              if r["Status"] == "Above threshold" and r["Service area"] != top["Service area"]]
    if others:
        text += (f", and {join_words(others)} {'is' if len(others) == 1 else 'are'} also above "
                 f"{'its threshold' if len(others) == 1 else 'their thresholds'}")
    return text


def caseloads(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"Caseloads average 19.2 children per case-holding worker; Family Safeguarding is highest at 24.5,
    above its threshold of 17."."""
    by_area = _highest_area(figures)
    if not _has_value(kpis, CASELOAD):
        return f"By service area, {lower_first(by_area)}." if by_area else None
    kpi = kpis[CASELOAD]
    text = (f"Caseloads average {kpi.shown('value').text} children per case-holding worker"
            f"{target_clause(kpi)}{benchmark_clause(kpi)}")
    return text + (f"; {by_area}." if by_area else ".")


def agency(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"Agency workers are 41% of social worker FTE (England 16.2%)."."""
    if not _has_value(kpis, AGENCY):
        return None
    kpi = kpis[AGENCY]
    text = (f"Agency workers are {kpi.shown('value').text} of social worker FTE"
            f"{trend_clause(kpi, figures.period)}{target_clause(kpi)}{benchmark_clause(kpi)}")
    areas = named_table(figures, "tbl_caseloads")
    if not areas.empty and "Agency %" in areas:
        rated = areas[[not is_blank(v) for v in areas["Agency %"]]]
        if len(rated) > 1:
            shares = [whole_percent(v) for v in rated["Agency %"]]
            top = rated.iloc[shares.index(max(shares))]
            text += f"; the highest share is in {top['Service area']} ({percent_text(top['Agency %'])})"
    return text + "."


def recruitment(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"In the last 6 months 11 permanent workers started and 7 left (10 and 8 in the previous 6 months)."
    from the starters and leavers measures, else from tbl_starters_leavers (the same figures)."""
    counts: dict[str, tuple[Shown | None, Shown | None]] = {}
    for kpi_id, column in ((STARTERS, "Starters"), (LEAVERS, "Leavers")):
        kpi = kpis.get(kpi_id)
        if kpi is not None and kpi.value is not None:
            counts[column] = (kpi.shown("value"), kpi.shown("previous"))
    table = named_table(figures, "tbl_starters_leavers")
    if not counts and not table.empty:
        for column in ("Starters", "Leavers"):
            cells = [None if is_blank(v) else Shown.of(float(v), styles.COUNT) for v in table[column]]
            counts[column] = (cells[0], cells[1] if len(cells) > 1 else None)
    joined, before = counts.get("Starters", (None, None))
    if joined is None:
        return None
    left, earlier_left = counts.get("Leavers", (None, None))
    text = f"In the last 6 months {joined.text} permanent {'worker' if joined.amount == 1 else 'workers'} started"
    if left is not None:
        text += f" and {left.text} left"
    if before is not None:
        if left is not None and earlier_left is not None:
            text += f" ({before.text} and {earlier_left.text} in the previous 6 months)"
        else:
            text += f" ({before.text} in the previous 6 months)"
    return text + "."


def continuity(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"45% of children allocated throughout the last 6 months kept the same worker (90 of 200), and 25%
    of those allocated throughout the last 12 months (30 of 120)." from tbl_continuity."""
    table = named_table(figures, "tbl_continuity")
    rows = {str(r["KPI id"]): r for _, r in table.iterrows()} if not table.empty else {}
    parts = []
    for kpi_id, months in ((SAME_WORKER_6M, 6), (SAME_WORKER_12M, 12)):
        row, kpi = rows.get(kpi_id), kpis.get(kpi_id)
        if row is not None and not is_blank(row["Same worker %"]):
            share = percent_text(row["Same worker %"])
            counts = f" ({int(row['Same worker']):,} of {int(row['Children']):,})"
        elif kpi is not None and kpi.value is not None:
            share, counts = kpi.shown("value").text, ""
        else:
            continue
        parts.append((share, months, counts, target_clause(kpi) if kpi is not None else ""))
    if not parts:
        return None
    (share, months, counts, target), rest = parts[0], parts[1:]
    text = f"{share} of children allocated throughout the last {months} months kept the same worker{counts}{target}"
    for share, months, counts, target in rest:
        text += f", and {share} of those allocated throughout the last {months} months{counts}{target}"
    return text + "."


def foster_share(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"69% of children in care are in foster placements (England 67.0%)."."""
    if _has_value(kpis, FOSTER_SHARE):
        kpi = kpis[FOSTER_SHARE]
        return (f"{kpi.shown('value').text} of children in care are in foster placements"
                f"{trend_clause(kpi, figures.period)}{target_clause(kpi)}{benchmark_clause(kpi)}.")
    placements = named_table(figures, "tbl_placement_types")
    if placements.empty:
        return None
    foster = placements[placements["Placement type"] == FOSTER_PLACEMENT_GROUP]
    if foster.empty or is_blank(foster.iloc[0]["Share %"]):
        return None
    return f"{percent_text(foster.iloc[0]['Share %'])} of children in care are in foster placements."


def long_term_foster(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    if not _has_value(kpis, LONG_TERM_FOSTER):
        return None
    kpi = kpis[LONG_TERM_FOSTER]
    return (f"{kpi.shown('value').text} of children in long-term foster care have been with the same carer "
            f"for 2 years{trend_clause(kpi, figures.period)}{target_clause(kpi)}{benchmark_clause(kpi)}.")


def households(figures: Figures, kpis: dict[str, Kpi]) -> str | None:
    """"There were 120 approved fostering households at the end of September 2024, up from 118 …; 14 were
    approved and 9 de-registered in the last 12 months."."""
    if not _has_value(kpis, HOUSEHOLDS):
        return None
    kpi = kpis[HOUSEHOLDS]
    count = kpi.shown("value")
    one = count.amount == 1
    text = (f"There {'was' if one else 'were'} {count.text} approved fostering household{'' if one else 's'} "
            f"{window_words(kpi.window, figures.period)}{trend_clause(kpi, figures.period)}{target_clause(kpi)}")
    moves = [(kpis[k].shown("value").text, verb) for k, verb in ((HOUSEHOLDS_NEW, "approved"),
                                                                 (HOUSEHOLDS_GONE, "de-registered"))
             if _has_value(kpis, k)]
    if moves:
        text += f"; {join_words([f'{n} {verb}' for n, verb in moves])} in the last 12 months"
    return text + "."


# --- the sections --------------------------------------------------------------------------------

TOPICS: dict[str, tuple[Topic, ...]] = {
    "Identification of harm": (
        Topic("contacts", (f"{LIST}1",), ("contacts",), ("contacts",), plural=True),
        Topic("referrals", (f"{LIST}3",), ("referrals",), ("referrals",), plural=True),
    ),
    "Assessment": (
        Topic("assessment timeliness", (f"{LIST}4",),
              ("assessments_45wd_pct", "assessments_completed", "assessment_median_wd"),
              ("assessments_45wd_pct", "assessments_completed", "assessment_median_wd")),
    ),
    "Child protection": (
        Topic("Section 47 enquiries and ICPC timeliness", (f"{LIST}5",),
              ("s47_started", "s47_rate_per_10k", "referral_to_s47_median_days", "icpc_15wd_pct",
               "icpc_15wd_new_referral_pct", S47_MEDIAN, S47_15WD),
              (s47_completion, s47_parts, "icpc_15wd_pct", "icpc_15wd_new_referral_pct", "s47_started",
               "s47_rate_per_10k", "referral_to_s47_median_days"), plural=True),
    ),
    "Plans and children in care": (
        Topic("child protection plans", (f"{LIST}7",),
              ("cp_plans_started", "cp_second_plus_pct", "cp_open", "cp_open_median_days", "cp_open_2yrs_pct"),
              ("cp_open", "cp_second_plus_pct", "cp_open_2yrs_pct", "cp_plans_started", "cp_open_median_days"),
              plural=True),
        Topic("children in care", (f"{LIST}8",),
              ("cic_count", "cic_residential_under12", "cic_3plus_placements_pct", "cic_long_term_stability_pct",
               "cic_missing_pct", "cic_ceased_adoption", "cic_ceased_sgo_cao"),
              ("cic_count", "cic_long_term_stability_pct", "cic_3plus_placements_pct", "cic_residential_under12",
               "cic_missing_pct", "cic_ceased_adoption", "cic_ceased_sgo_cao"), plural=True),
        Topic("children in need", (f"{LIST}6",), ("cin_open", "cin_open_median_days"),
              ("cin_open", "cin_open_median_days"), plural=True),
        Topic("children waiting for adoption", (f"{LIST}10",), ("adoption_waiting", "adoption_waiting_median_days"),
              ("adoption_waiting", "adoption_waiting_median_days"), plural=True),
    ),
    "Care leavers": (
        Topic("care leaver figures", (f"{LIST}9",),
              ("care_leavers_eet_17_18_pct", "care_leavers_eet_19_21_pct", "care_leavers_in_touch_pct",
               "care_leavers_suitable_accommodation_pct"),
              ("care_leavers_eet_17_18_pct", "care_leavers_eet_19_21_pct", "care_leavers_in_touch_pct",
               "care_leavers_suitable_accommodation_pct"), plural=True),
    ),
    "Workforce": (
        Topic("staffing figures", ("workforce list",),
              (CASELOAD, AGENCY, STARTERS, LEAVERS, "vacancy_rate_pct", "turnover_pct"),
              (caseloads, agency, recruitment, "turnover_pct", "vacancy_rate_pct"), plural=True),
        Topic("continuity of worker", ("worker allocation history",), (SAME_WORKER_6M, SAME_WORKER_12M),
              (continuity,)),
    ),
}

# Fostering shares its section with the foster carer audit sentences (key_messages.py), so its own
# sentences are kept to two.
FOSTERING_SENTENCES = 2
FOSTERING_TOPICS = (
    Topic("placement types", (f"{LIST}8",), (FOSTER_SHARE, LONG_TERM_FOSTER), (foster_share, long_term_foster),
          plural=True),
    Topic("fostering households", ("fostering households list",),
          (HOUSEHOLDS, HOUSEHOLDS_NEW, HOUSEHOLDS_GONE), (households, HOUSEHOLDS_NEW, HOUSEHOLDS_GONE),
          plural=True),
)


def _register(section: str) -> None:
    topics = TOPICS[section]

    def draft(figures: Figures) -> list[str]:
        return section_sentences(figures, topics)

    draft.__name__ = f"{section.lower().replace(' ', '_')}_messages"
    drafter(section, KPIS_AFTER)(draft)


for _section in TOPICS:
    _register(_section)


@drafter("Fostering", KPIS_AFTER)
def fostering_kpi_messages(figures: Figures) -> list[str]:
    return section_sentences(figures, FOSTERING_TOPICS, limit=FOSTERING_SENTENCES)


@drafter("Summary", KPIS_AFTER)
def summary_kpi_messages(figures: Figures) -> list[str]:
    """"3 of the 5 measures with a target are meeting it; below target: a, b and c."."""
    with_target = [k for k in kpi_rows(figures).values() if k.status in (MEETS_TARGET, BELOW_TARGET)]
    if not with_target:
        return []
    below = [lower_first(k.label) for k in with_target if k.status == BELOW_TARGET]
    if len(with_target) == 1:
        only = with_target[0]
        verb = "is meeting" if only.status == MEETS_TARGET else "is not meeting"
        return [f"The one measure with a target, {lower_first(only.label)}, {verb} it."]
    met = len(with_target) - len(below)
    text = f"{met} of the {len(with_target)} measures with a target {'is' if met == 1 else 'are'} meeting it"
    if below:
        named = below if len(below) <= 3 else below[:3] + [plural(len(below) - 3, "other")]
        text += f"; below target: {join_words(named)}"
    return [text + "."]
