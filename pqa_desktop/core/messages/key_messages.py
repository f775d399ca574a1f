"""Key messages: one to four plain-English sentences per report section, drafted from the figures.

Every number in a sentence is a number the workbook shows, as it shows it: counts as counted, and
percentages as whole percentages rounded half away from zero (what Excel's ``0%`` format displays).
Each section has drafters registered with ``@drafter("<section>")``; a section may have several (the
Fostering section has audit sentences here and placement sentences from the KPI work), and
``draft_messages`` joins them in registration order, keeping at most four sentences.

The Summary carries the report's key messages: at most six, chosen across sections by
``summary_key_messages`` (docs/decisions.md says how).
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pandas as pd

from ..calendar import month_label
from ..measures.audit_judgements import case_file_domains, foster_domains
from ..measures.audits import (
    CASE_FILE_KINDS,
    HEADLINE_CASE_FILE_AUDITS,
    HEADLINE_COMPLIANCE,
    HEADLINE_FOSTER_AUDITS,
    HEADLINE_GOOD_OR_BETTER,
    HEADLINE_INADEQUATE,
    HEADLINE_MODERATION,
    YEAR_TO_DATE,
)
from ..measures.figures import Figures, Headline
from ..report import styles
from ..report.summary_sheet import SUMMARY_SENTENCES  # the Summary's own rule: at most six key messages
from ..report.sections import SECTIONS  # the report's sections in workbook order
from . import sentences as shared  # the drafters registry, read at call time (tests replace it)
from .sentences import (MAX_SENTENCES, Shown, drafter, join_words, lower_first, named_table,
                        percent_text, plural, whole_percent)
from ..values import GRADES


def draft_messages(figures: Figures) -> dict[str, list[str]]:
    """Section name -> its drafted sentences, for every section whose drafters had something to say; the
    Summary's are the report's key messages, chosen across the sections' (``summary_key_messages``)."""
    ordered = [s for s in SECTIONS if s in shared.DRAFTERS] + [s for s in shared.DRAFTERS if s not in SECTIONS]
    messages: dict[str, list[str]] = {}
    for section in ordered:
        if section == SUMMARY:
            continue
        sentences = [s for func in shared.DRAFTERS[section] for s in func(figures)]
        if sentences:
            messages[section] = sentences[:MAX_SENTENCES]
    summary = summary_key_messages(figures, messages)
    if summary:
        messages = {SUMMARY: summary, **messages}
    return messages


SUMMARY = "Summary"
# The sections whose first key message may reach the Summary, in report order: the KPI sections,
# workforce and fostering (the audit sections speak through the Summary's own audit sentences).
SUMMARY_SECTIONS = ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                    "Care leavers", "Workforce", "Fostering")


def against_neighbours(h: Headline) -> str | None:
    """``Better`` or ``Worse`` than the headline's statistical neighbours by its polarity, judged on the figures
    as the cells show them (82% against 80.2%), as the key messages say it; None without a polarity, a value
    or a neighbours' figure, or when they are the same as shown."""
    if h.polarity not in ("higher", "lower") or is_blank(h.value) or is_blank(h.statistical_neighbours):
        return None
    now = Shown.of(float(h.value), styles.value_format(h.unit)).amount
    neighbours = Shown.of(float(h.statistical_neighbours), styles.value_format(h.unit, benchmark=True)).amount
    if now == neighbours:
        return None
    return "Better" if (now > neighbours) == (h.polarity == "higher") else "Worse"


def direction_rank(headlines: Sequence[Headline]) -> int:
    """How much a set of headlines matters to a reader: 0 when one got worse, is below its target or compares
    badly with its statistical neighbours; 1 when one got better or compares well with them; 2 otherwise."""
    if any(h.better_or_worse == "Worse" or h.status == "Below target" or against_neighbours(h) == "Worse"
           for h in headlines):
        return 0
    if any(h.better_or_worse == "Better" or against_neighbours(h) == "Better" for h in headlines):
        return 1
    return 2


def summary_key_messages(figures: Figures, drafted: dict[str, list[str]]) -> list[str]:
    """The report's key messages, at most six, in report order:

    1. how many audits were completed and the share judged good or better (always, when there are audits);
    2. while there is room, the first key message of each section whose headline measures have a figure,
       and the compliance and moderation sentences, those whose headline got worse, is below target or
       compares badly with its statistical neighbours first, then those that got better or compare well with
       them, then the rest (report order among equals); a section's message is the one about that headline
       (with a council chosen, it compares the measure with its statistical neighbours);
    3. how many measures with a target meet it (always, when any has a target).
    """
    parts = _audit_summary_parts(figures)
    opening = [text for text, measure in parts if measure in (HEADLINE_CASE_FILE_AUDITS, HEADLINE_GOOD_OR_BETTER)]
    closing = [text for func in shared.DRAFTERS.get(SUMMARY, []) if func is not summary_messages for text in func(figures)]
    candidates: list[tuple[int, float, str]] = []  # (rank, report order, sentence)
    for order, (text, measure) in enumerate(parts):
        if measure in (HEADLINE_COMPLIANCE, HEADLINE_MODERATION):
            headline = [h for h in figures.headlines if h.measure == measure]
            candidates.append((direction_rank(headline), SECTIONS.index("Compliance") + order / 10, text))
    for section in SUMMARY_SECTIONS:
        shown = [h for h in figures.headlines if h.section == section and not is_blank(h.value)]
        sentences = drafted.get(section, [])
        if shown and sentences:
            rank = direction_rank(shown)
            candidates.append((rank, SECTIONS.index(section), _telling_sentence(sentences, shown, rank)))
    room = max(SUMMARY_SENTENCES - len(opening) - len(closing), 0)
    chosen = sorted(sorted(candidates)[:room], key=lambda c: c[1])
    return [*opening, *(text for _, _, text in chosen), *closing][:SUMMARY_SENTENCES]


# --- numbers as shown ---------------------------------------------------------------------------

def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def change_phrase(measure: str, earlier: float, later: float, earlier_when: str, later_when: str) -> str:
    """"<measure> rose from 13% in Q3 to 22% in Q4" — judged on the percentages as shown."""
    before, after = whole_percent(earlier), whole_percent(later)
    if after > before:
        return f"{measure} rose from {before}% in {earlier_when} to {after}% in {later_when}"
    if after < before:
        return f"{measure} fell from {before}% in {earlier_when} to {after}% in {later_when}"
    return f"{measure} stayed at {after}% in {earlier_when} and {later_when}"


def _headline(figures: Figures, measure: str) -> Headline | None:
    return next((h for h in figures.headlines if h.measure == measure), None)


def _when_label(value: object) -> str:
    """A month (date) as its column heading, a quarter label as it is."""
    return month_label(value) if hasattr(value, "strftime") else str(value)


def _periods_with_data(table: pd.DataFrame, period_column: str) -> list:
    """Periods (months or quarters) in table order whose rows have any graded judgement."""
    if table.empty:
        return []
    totals = table.groupby(period_column, sort=False)["Total"].sum()
    return [p for p, total in totals.items() if total > 0]


def _grade_count_text(row: pd.Series, count: int) -> str:
    return f"{count} of {plural(int(row['Total']), 'audit')}"


def _good_or_better_count(row: pd.Series) -> int:
    return int(row["Outstanding"]) + int(row["Good"])


# --- Summary ------------------------------------------------------------------------------------

def _value(headline: Headline | None) -> float | None:
    return None if headline is None or is_blank(headline.value) else headline.value


def _previous(headline: Headline | None) -> float | None:
    return None if headline is None or is_blank(headline.previous) else headline.previous


def _words(text: str) -> set[str]:
    """The words of four letters or more, lower case (what a label and a sentence about it share)."""
    return {w for w in re.findall(r"[a-z0-9-]+", text.lower()) if len(w) >= 4}


def _telling_sentence(sentences: list[str], headlines: Sequence[Headline], rank: int) -> str:
    """The section's sentence about the headline that earned its rank (its first sentence naming that
    measure), else the section's first sentence."""
    for h in headlines:
        if direction_rank([h]) != rank:
            continue
        words = _words(h.measure.split(" (")[0])
        for sentence in sentences:
            if words and words <= _words(sentence):
                return sentence
    return sentences[0]


@drafter("Summary")
def summary_messages(figures: Figures) -> list[str]:
    """The audit sentences of the Summary (the candidates ``summary_key_messages`` chooses from)."""
    return [text for text, _ in _audit_summary_parts(figures)]


def _audit_summary_parts(figures: Figures) -> list[tuple[str, str]]:
    """(sentence, the headline measure it reports) for the audits in the year to date."""
    case_files = _headline(figures, HEADLINE_CASE_FILE_AUDITS)
    foster = _headline(figures, HEADLINE_FOSTER_AUDITS)
    if case_files is None and foster is None:
        return []  # no audit figures at all: the KPI drafters speak for the Summary
    # The nouns are the headlines' own words: the case file count includes thematic and collaborative audits.
    shown = [(h, noun) for h, noun in ((case_files, "case file, thematic and collaborative audit"),
                                       (foster, "foster carer audit"))
             if _value(h)]
    if not shown:
        return [("No audits were completed in the year to date.", HEADLINE_CASE_FILE_AUDITS)]
    total = sum(int(_value(h)) for h, _ in shown)
    sentence = (f"{join_words([plural(int(_value(h)), noun) for h, noun in shown])} "
                f"{'was' if total == 1 else 'were'} completed in the year to date")
    if all(_previous(h) is not None for h, _ in shown):
        sentence += f", against {join_words([str(int(_previous(h))) for h, _ in shown])} in the same months last year"
    sentences = [(sentence + ".", HEADLINE_CASE_FILE_AUDITS)]

    good = _headline(figures, HEADLINE_GOOD_OR_BETTER)
    if _value(good) is not None:
        text = (f"{percent_text(_value(good))} of overall judgements in {CASE_FILE_KINDS} were Good or better "
                "in the year to date")
        if _previous(good) is not None:
            before, now = whole_percent(_previous(good)), whole_percent(_value(good))
            comparison = "up from" if now > before else "down from" if now < before else "the same as"
            text += f", {comparison} {before}% in the same months last year"
        sentences.append((text + ".", HEADLINE_GOOD_OR_BETTER))
    compliance = _value(_headline(figures, HEADLINE_COMPLIANCE))
    if compliance is not None:
        sentences.append((f"Compliance with practice standards in {CASE_FILE_KINDS} was {percent_text(compliance)} "
                          "in the year to date.", HEADLINE_COMPLIANCE))
    agreement = _value(_headline(figures, HEADLINE_MODERATION))
    if agreement is not None:
        sentences.append((f"Moderators agreed with the auditor's overall judgement in {percent_text(agreement)} "
                          f"of audits moderated in the year to date.", HEADLINE_MODERATION))
    return sentences


# --- Audit activity -----------------------------------------------------------------------------

def _type_plural(audit_type: str, count: int) -> str:
    return plural(count, lower_first(audit_type))


@drafter("Audit activity")
def activity_messages(figures: Figures) -> list[str]:
    activity = named_table(figures, "tbl_audit_activity")
    if activity.empty:
        return ["No audits were recorded in the last 12 months."]
    month_columns = [str(c) for c in activity.columns[2:-2]]
    sentences = []
    ytd_total = int(activity[YEAR_TO_DATE].sum())
    if ytd_total:
        by_type = activity.groupby("Audit type", sort=False)[YEAR_TO_DATE].sum()
        parts = [_type_plural(t, int(n)) for t, n in by_type.items() if n > 0]
        sentences.append(f"{plural(ytd_total, 'audit')} {'was' if ytd_total == 1 else 'were'} completed in the "
                         f"year to date: {join_words(parts)}.")
    else:
        sentences.append("No audits were completed in the year to date.")
    per_month = activity[month_columns].sum()
    busiest = int(per_month.max())
    busiest_months = [m for m in month_columns if per_month[m] == busiest]
    sentences.append(f"Over the last 12 months {plural(int(per_month.sum()), 'audit')} "
                     f"{'was' if int(per_month.sum()) == 1 else 'were'} completed; the most were in "
                     f"{join_words(busiest_months)} ({busiest}{' each' if len(busiest_months) > 1 else ''}).")
    empty_months = [m for m in month_columns if per_month[m] == 0]
    if 0 < len(empty_months) <= 4:
        sentences.append(f"No audits were recorded in {join_words(empty_months)}.")
    elif empty_months:
        sentences.append(f"No audits were recorded in {len(empty_months)} of the 12 months.")
    return sentences


# --- Overall judgements -------------------------------------------------------------------------

def _leading_grade_sentence(row: pd.Series, subject: str, when: str) -> str:
    """"Most overall judgements in Q1 were Requires improvement (69%, 31 of 45 audits)."."""
    top = max(int(row[g]) for g in GRADES)
    leaders = [g for g in GRADES if int(row[g]) == top]
    share_text = percent_text(row[f"{leaders[0]} %"])
    if len(leaders) > 1:
        return (f"{subject} in {when} were split between {join_words(leaders)} "
                f"({share_text} each, {top} of {plural(int(row['Total']), 'audit')} each).")
    lead = "Most" if whole_percent(row[f"{leaders[0]} %"]) > 50 else "The largest share of"
    return f"{lead} {subject.lower()} in {when} were {leaders[0]} ({share_text}, {_grade_count_text(row, top)})."


@drafter("Overall judgements")
def overall_messages(figures: Figures) -> list[str]:
    by_quarter = named_table(figures, "tbl_overall_by_quarter")
    quarters = _periods_with_data(by_quarter, "Quarter")
    if not quarters:
        return ["No overall judgements were recorded in the last 12 months."]
    rows = {row["Quarter"]: row for _, row in by_quarter.iterrows()}
    latest = rows[quarters[-1]]
    sentences = [_leading_grade_sentence(latest, "Overall judgements", quarters[-1])]
    if len(quarters) > 1:
        earlier = rows[quarters[-2]]
        sentences.append(change_phrase("Good or better overall judgements", earlier["Good or better %"],
                                       latest["Good or better %"], quarters[-2], quarters[-1]) + ".")

    by_service = named_table(figures, "tbl_overall_by_service")
    judged = by_service[by_service["Total"] > 0] if not by_service.empty else by_service
    ytd_total = int(judged["Total"].sum()) if not judged.empty else 0
    inadequate = _value(_headline(figures, HEADLINE_INADEQUATE))
    if ytd_total and inadequate is not None:
        count = int(judged["Inadequate"].sum())
        if count:
            sentences.append(f"Inadequate judgements were {percent_text(inadequate)} of overall judgements in the "
                             f"year to date ({count} of {plural(ytd_total, 'audit')}).")
        else:
            sentences.append("No overall judgement in the year to date was Inadequate.")
    if len(judged) > 1:
        best = judged.loc[judged["Good or better %"].idxmax()]
        sentences.append(f"By service area, {best['Service area']} had the highest share of Good or better "
                         f"judgements in the year to date ({percent_text(best['Good or better %'])}, "
                         f"{_grade_count_text(best, _good_or_better_count(best))}).")
    return sentences


# --- Practice domains and foster carer audit domains ---------------------------------------------

def _domain_rows(table: pd.DataFrame) -> tuple[list[str], dict]:
    """Quarters with any judgement, and (domain, quarter) -> row."""
    return _periods_with_data(table, "Quarter"), {(r["Domain"], r["Quarter"]): r for _, r in table.iterrows()}


def _domain_changes(table: pd.DataFrame, domain_labels: Sequence[str]) -> list[str]:
    """The biggest rise and the biggest fall in Good or better between the last two quarters with data."""
    quarters, rows = _domain_rows(table)
    if len(quarters) < 2:
        return []
    before, now = quarters[-2], quarters[-1]
    moves = []
    for label in domain_labels:
        earlier, later = rows.get((label, before)), rows.get((label, now))
        if earlier is not None and later is not None and earlier["Total"] > 0 and later["Total"] > 0:
            diff = whole_percent(later["Good or better %"]) - whole_percent(earlier["Good or better %"])
            moves.append((diff, label, earlier, later))
    biggest_rise = max((m for m in moves if m[0] > 0), key=lambda m: m[0], default=None)
    biggest_fall = min((m for m in moves if m[0] < 0), key=lambda m: m[0], default=None)
    return [change_phrase(f"Good or better judgements for {label}", earlier["Good or better %"],
                          later["Good or better %"], before, now) + "."
            for _, label, earlier, later in filter(None, (biggest_rise, biggest_fall))]


def _domain_extremes(table: pd.DataFrame, domain_labels: Sequence[str]) -> list[str]:
    """The domains with the highest and lowest Good or better share in the latest quarter with data."""
    quarters, rows = _domain_rows(table)
    if not quarters:
        return []
    latest = quarters[-1]
    graded = [rows[(label, latest)] for label in domain_labels
              if (label, latest) in rows and rows[(label, latest)]["Total"] > 0]
    best = max(graded, key=lambda r: whole_percent(r["Good or better %"]))
    worst = min(graded, key=lambda r: whole_percent(r["Good or better %"]))
    text = (f"In {latest}, {best['Domain']} had the highest share of Good or better judgements "
            f"({percent_text(best['Good or better %'])}, {_grade_count_text(best, _good_or_better_count(best))})")
    if whole_percent(worst["Good or better %"]) < whole_percent(best["Good or better %"]):
        text += (f" and {worst['Domain']} the lowest ({percent_text(worst['Good or better %'])}, "
                 f"{_grade_count_text(worst, _good_or_better_count(worst))})")
    return [text + "."]


@drafter("Practice domains")
def domain_messages(figures: Figures) -> list[str]:
    labels = [d.label for d in case_file_domains()]
    table = named_table(figures, "tbl_domains_by_quarter")
    sentences = _domain_changes(table, labels) + _domain_extremes(table, labels)
    return sentences or ["No practice domain judgements were recorded in the last 12 months."]


# --- Compliance ---------------------------------------------------------------------------------

@drafter("Compliance")
def compliance_messages(figures: Figures) -> list[str]:
    sentences = []
    compliance = named_table(figures, "tbl_compliance")
    applicable = compliance[(compliance["Yes"] + compliance["No"]) > 0] if not compliance.empty else compliance
    if applicable.empty:
        sentences.append("No compliance checks were recorded in the year to date.")
    else:
        def detail(row: pd.Series) -> str:
            return (f"{row['Item']} ({percent_text(row['Compliance %'])}, {int(row['Yes'])} of "
                    f"{plural(int(row['Yes'] + row['No']), 'applicable audit')})")

        shown = [whole_percent(v) for v in applicable["Compliance %"]]
        best = applicable.iloc[shown.index(max(shown))]
        worst = applicable.iloc[shown.index(min(shown))]
        if max(shown) > min(shown):
            sentences.append(f"In the year to date compliance was highest for {detail(best)} "
                             f"and lowest for {detail(worst)}.")
        else:
            sentences.append(f"In the year to date compliance was {percent_text(best['Compliance %'])} "
                             f"for every check recorded.")
        pooled = _value(_headline(figures, HEADLINE_COMPLIANCE))
        if pooled is not None:
            sentences.append(f"Across all checks, compliance was {percent_text(pooled)}.")

    moderation = named_table(figures, "tbl_moderation")
    if not moderation.empty:
        row = moderation.iloc[0]
        moderated, changed = int(row["Audits moderated"]), int(row["Grade changed"])
        if moderated:
            sentences.append(f"{plural(moderated, 'audit')} {'was' if moderated == 1 else 'were'} moderated in the "
                             f"year to date; the grade changed in {changed or 'none'} "
                             f"({percent_text(row['Agreement %'])} agreement).")
        else:
            sentences.append("No audits were moderated in the year to date.")

    actions = named_table(figures, "tbl_actions")
    if not actions.empty and int(actions["Audits"].sum()):
        raised, audited = int(actions["Actions raised"].sum()), int(actions["Audits"].sum())
        sentences.append(f"{plural(audited, 'audit')} in the year to date raised {plural(raised, 'action')}.")
    return sentences


# --- Fostering ----------------------------------------------------------------------------------

@drafter("Fostering")
def foster_audit_messages(figures: Figures) -> list[str]:
    table = named_table(figures, "tbl_foster_audits")
    domains = foster_domains()
    overall_label = next(d.label for d in domains if d.field == "overall")
    overall = table[table["Domain"] == overall_label] if not table.empty else table
    quarters = _periods_with_data(overall, "Quarter")
    if not quarters:
        return ["No foster carer audits were received for the last 12 months."]
    rows = {r["Quarter"]: r for _, r in overall.iterrows()}
    latest = rows[quarters[-1]]
    text = (f"{percent_text(latest['Good or better %'])} of foster carer audits in {quarters[-1]} were judged "
            f"Good or better overall ({_grade_count_text(latest, _good_or_better_count(latest))})")
    if len(quarters) > 1:
        before, now = whole_percent(rows[quarters[-2]]["Good or better %"]), whole_percent(latest["Good or better %"])
        comparison = "up from" if now > before else "down from" if now < before else "the same as"
        text += f", {comparison} {before}% in {quarters[-2]}"
    sentences = [text + "."]
    domain_rows = table[table["Domain"] != overall_label]
    labels = [d.label for d in domains if d.field != "overall"]
    # Domain rises and falls are left to the commentary: the overall sentence already gives the trend.
    sentences += _domain_extremes(domain_rows, labels)
    return sentences


# --- EDT dip sampling ---------------------------------------------------------------------------

@drafter("EDT dip sampling")
def edt_messages(figures: Figures) -> list[str]:
    edt = named_table(figures, "tbl_edt")
    sampled = edt[edt["Records sampled"] > 0] if not edt.empty else edt
    if sampled.empty:
        return ["No EDT dip samples were received for the last 12 months."]
    months = [month_label(m) for m in sampled["Month"]]
    span = months[0] if len(months) == 1 else f"{len(months)} months ({months[0]} to {months[-1]})"
    records = int(sampled["Records sampled"].sum())
    sentences = [f"EDT dip samples covered {plural(records, 'record')} in {span}."]
    latest = sampled.iloc[-1]
    parts = [f"{lower_first(column[:-2])} {percent_text(latest[column])}"
             for column in edt.columns if column.endswith(" %") and not is_blank(latest[column])]
    if parts:
        sentences.append(f"The latest sample, for {month_label(latest['Month'])} "
                         f"({plural(int(latest['Records sampled']), 'record')}), found: {join_words(parts)}.")
    return sentences


# --- Feedback -----------------------------------------------------------------------------------

def _count_phrase(values: pd.Series, missing: str) -> str:
    counts = values.fillna(missing).value_counts(sort=False)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0] == missing, str(item[0])))
    return join_words([f"{label} ({int(n)})" for label, n in ordered])


@drafter("Feedback")
def feedback_messages(figures: Figures) -> list[str]:
    feedback = named_table(figures, "tbl_feedback")
    if feedback.empty:
        return ["No feedback from children and families was recorded in the last 12 months."]
    count = len(feedback)
    verb = "was" if count == 1 else "were"
    noun = "piece of feedback" if count == 1 else "pieces of feedback"
    return [
        f"{count} {noun} {verb} recorded in the last 12 months, by sentiment: "
        f"{_count_phrase(feedback['Sentiment'], 'not recorded')}.",
        f"By source: {_count_phrase(feedback['Source'], 'not recorded')}.",
    ]


from . import kpi_messages  # noqa: E402,F401  registers the KPI, workforce and fostering drafters (ranked after ours)
