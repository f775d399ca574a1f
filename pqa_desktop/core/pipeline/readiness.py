"""What will be blank in the workbook, and why, known before it is built.

Two kinds of reason, each a ``BlankReason`` in the user's words:
- ``setting``: a setting whose absence blanks figures the inputs could otherwise fill (no population aged
  0-17 with a Section 47 list, no caseload threshold for a service area with case-holding workers…). A
  setting is listed only when the inputs hold what it would complete: without a workforce list, missing
  caseload thresholds blank nothing.
- ``coverage``: an input that ends before the period does (``core.pipeline.period_coverage``), the same
  inputs the analysis's warnings name.

The command line prints them and gives them in ``--json``; the app shows them beside Build. ``fix`` says
what to do in the app's words (its Settings pages and fields), never a command-line option or a key of
the settings file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..calendar import Period
from ..exports.model import ExportRecords
from ..measures.workforce import caseload_areas
from .period_coverage import inputs_ending_early
from ..settings import Settings

if TYPE_CHECKING:  # the pipeline imports nothing from here; the type only documents the argument
    from .run import Analysis

SETTING, COVERAGE = "setting", "coverage"

S47_LIST = "annex_a_list_5"
WORKFORCE = "workforce"
BENCHMARKS = "benchmarks"


@dataclass(frozen=True)
class BlankReason:
    """Why some figures of the workbook will be blank, and what would fill them."""

    kind: str  # "setting" | "coverage"
    key: str  # stable: the setting ("population_0_17", "targets", "caseload_thresholds", "vacancies_fte",
    #           "council") or the input ("annex_a_list_1" … "workforce", "audits")
    what: str  # the user's words: "Population aged 0–17", "Annex A List 1 Contacts"
    why: str  # plain English: which figures will be blank
    fix: str  # what to do, in the app's words


def blank_reasons(analysis: "Analysis", settings: Settings, period: Period | None = None) -> list[BlankReason]:
    """Every reason figures of the workbook built from ``analysis`` with ``settings`` for ``period`` (the
    analysis's own period when None) will be blank: the settings first, then the inputs ending early."""
    period = period or analysis.period
    exports = analysis.exports
    reasons = _setting_reasons(exports, settings, period)
    for end in inputs_ending_early(exports, analysis.records, period):
        reasons.append(BlankReason(COVERAGE, end.key, end.what, end.why(period, named=False), end.fix(period)))
    return reasons


def blank_reasons_line(reasons: list[BlankReason]) -> str:
    """The reasons in one line, for the app's build line: "Some figures will be blank: settings not given
    (Population aged 0–17, Targets); inputs ending before the period does (Annex A List 1 Contacts)."
    """
    settings = [r.what for r in reasons if r.kind == SETTING]
    coverage = [r.what for r in reasons if r.kind == COVERAGE]
    lists = [r.key.rsplit("_", 1)[1] for r in reasons if r.kind == COVERAGE and r.key.startswith("annex_a_list_")]
    if len(lists) > 1:  # "Annex A Lists 1, 3, 4 and 5" rather than each list's full name
        named = [r.what for r in reasons if r.kind == COVERAGE and not r.key.startswith("annex_a_list_")]
        coverage = [f"Annex A Lists {_join(lists)}", *named]
    parts = []
    if settings:
        parts.append(f"settings not given ({', '.join(settings)})")
    if coverage:
        parts.append(f"inputs ending before the period does ({', '.join(coverage)})")
    return f"Some figures will be blank: {'; '.join(parts)}." if parts else ""


def _setting_reasons(exports: ExportRecords, settings: Settings, period: Period) -> list[BlankReason]:
    reasons: list[BlankReason] = []
    if exports.get(S47_LIST) is not None and not settings.population_0_17:
        reasons.append(BlankReason(
            SETTING, "population_0_17", "Population aged 0\u201317",
            "The Section 47 enquiries per 10,000 children figure will be blank: the rate needs the number of "
            "children living in the area.",
            "Enter the population aged 0\u201317 in Settings, on the General page."))
    measures = {kind for kind in exports.tables if kind != BENCHMARKS}
    if measures and not any(t.target is not None for t in settings.targets.values()):
        reasons.append(BlankReason(
            SETTING, "targets", "Targets",
            "No measure will show a target, and every Status will read \"No target\".",
            "Enter the local targets you report against in Settings, on the Targets page."))
    workforce = exports.get(WORKFORCE)
    if workforce is not None:
        missing = [area for area in caseload_areas(workforce, period, settings)
                   if settings.caseload_thresholds.get(area) is None]
        if missing:
            reasons.append(BlankReason(
                SETTING, "caseload_thresholds", "Caseload thresholds",
                f"The caseloads table will show \"No threshold\" for {_join(missing)}.",
                "Enter a caseload threshold for each service area in Settings, on the Service areas page."))
        if workforce.vacancies_fte is None and settings.vacancies_fte is None:
            reasons.append(BlankReason(
                SETTING, "vacancies_fte", "Vacancies (FTE)",
                "The vacancy rate will be blank: the workforce list does not give the number of vacancies.",
                "Enter the vacancies (FTE) in Settings, on the General page, or add the workforce census XML, "
                "which gives them."))
    if measures and not settings.council and exports.get(BENCHMARKS) is None and not settings.benchmarks_file:
        reasons.append(BlankReason(
            SETTING, "council", "Your council",
            "Statistical neighbour and region figures will be blank, and no measure will be charted against "
            "its published years: they are the DfE's published figures for your council, its neighbours and "
            "region (the England figures are shipped with the app).",
            "Choose your council in Settings, on the General page, or choose a benchmarks file there."))
    return reasons


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
