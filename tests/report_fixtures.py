"""A synthetic but realistic Figures for the report tests: period ending September 2024.

Counts are chosen by hand (two empty months: December 2023 and August 2024, when audits pause), and the
percentages are worked from them here, the way the measures layer defines them.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from pqa_desktop.core.calendar import Period, month_label
from pqa_desktop.core.measures.figures import Figures, Headline, better_or_worse
from pqa_desktop.core.measures.audits import HEADLINE_GOOD_OR_BETTER
from pqa_desktop.core.measures.kpi_table import KPI_COLUMNS
from pqa_desktop.core.findings import Finding, Severity
from pqa_desktop.core.measures.notes import Note
from pqa_desktop.core.report import ReportContext
from pqa_desktop.core.report.spec import GRADE_COLUMNS, case_file_domain_labels

PERIOD = Period(date(2024, 9, 1))
MONTHS = PERIOD.trend_months  # Oct 2023 .. Sep 2024
LA = "Anytown Council"

# Overall judgements per month (Outstanding, Good, Requires improvement, Inadequate); Dec 2023 and Aug 2024 empty.
OVERALL_BY_MONTH = [
    (0, 1, 3, 1), (0, 1, 4, 0), (0, 0, 0, 0), (0, 2, 5, 1), (1, 1, 4, 0), (0, 2, 3, 1),
    (0, 1, 4, 1), (0, 2, 5, 0), (1, 3, 4, 1), (0, 4, 3, 0), (0, 0, 0, 0), (0, 2, 6, 1),
]


def grade_values(counts) -> list:
    """Counts, Total, each grade's share of Total and Good or better % (None when Total is 0)."""
    total = sum(counts)
    shares = [c / total if total else None for c in counts]
    gob = (counts[0] + counts[1]) / total if total else None
    return [*counts, total, *shares, gob]


def _quarter_sums(by_month):
    out = []
    for q in PERIOD.quarters:
        rows = [c for m, c in zip(MONTHS, by_month) if q.contains(m)]
        out.append((q.label, tuple(sum(x) for x in zip(*rows))))
    return out


def audit_tables() -> dict[str, pd.DataFrame]:
    t: dict[str, pd.DataFrame] = {}
    month_cols = [month_label(m) for m in MONTHS]
    activity = [
        ("Case file audit", "IRT", [3, 3, 0, 4, 3, 3, 3, 4, 5, 4, 0, 5]),
        ("Case file audit", "CST", [2, 2, 0, 4, 3, 3, 3, 3, 4, 3, 0, 4]),
        ("Foster carer audit", "Fostering", [1, 2, 0, 1, 2, 1, 2, 2, 2, 3, 0, 2]),
        ("EDT dip sample", "EDT", [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1]),
    ]
    ytd_idx = [i for i, m in enumerate(MONTHS) if PERIOD.in_ytd(m)]
    t["tbl_audit_activity"] = pd.DataFrame(
        [[a, s, *c, sum(c[i] for i in ytd_idx), sum(c)] for a, s, c in activity],
        columns=["Audit type", "Service area", *month_cols, "Year to date", "Total"])
    t["tbl_overall_by_month"] = pd.DataFrame(
        [[m, *grade_values(c)] for m, c in zip(MONTHS, OVERALL_BY_MONTH)], columns=["Month", *GRADE_COLUMNS])
    t["tbl_overall_by_quarter"] = pd.DataFrame(
        [[label, *grade_values(c)] for label, c in _quarter_sums(OVERALL_BY_MONTH)],
        columns=["Quarter", *GRADE_COLUMNS])
    t["tbl_overall_by_service"] = pd.DataFrame(
        [["IRT", *grade_values((1, 5, 10, 1))], ["CST", *grade_values((0, 5, 12, 2))]],
        columns=["Service area", *GRADE_COLUMNS])
    t["tbl_overall_by_team"] = pd.DataFrame(
        [["IRT", "IRT North", *grade_values((1, 3, 5, 0))], ["IRT", "IRT South", *grade_values((0, 2, 5, 1))],
         ["CST", "CST 1", *grade_values((0, 5, 12, 2))]],
        columns=["Service area", "Team", *GRADE_COLUMNS])
    domains = ["Outcomes for children", "Assessment", "Plans and planning"]
    shifts = {"Outcomes for children": (0, 1, -1, 0), "Assessment": (0, 0, 0, 0), "Plans and planning": (0, -1, 1, 0)}
    dm, dq = [], []
    for d in domains:
        by_month = [tuple(max(0, c + s) if sum(cs) else 0 for c, s in zip(cs, shifts[d])) for cs in OVERALL_BY_MONTH]
        dm += [[d, m, *grade_values(c)] for m, c in zip(MONTHS, by_month)]
        dq += [[d, label, *grade_values(c)] for label, c in _quarter_sums(by_month)]
    t["tbl_domains_by_month"] = pd.DataFrame(dm, columns=["Domain", "Month", *GRADE_COLUMNS])
    t["tbl_domains_by_quarter"] = pd.DataFrame(dq, columns=["Domain", "Quarter", *GRADE_COLUMNS])
    t["tbl_compliance"] = pd.DataFrame(
        [["Statutory visits within timescale", 30, 6, 2, 30 / 36],
         ["Chronology up to date", 0, 0, 38, None]],  # all not applicable: no denominator, blank
        columns=["Item", "Yes", "No", "Not applicable", "Compliance %"])
    t["tbl_moderation"] = pd.DataFrame([[8, 2, 6 / 8]], columns=["Audits moderated", "Grade changed", "Agreement %"])
    t["tbl_actions"] = pd.DataFrame(
        [["IRT", 17, 40, 12 / 16], ["CST", 19, 35, None]],
        columns=["Service area", "Audits", "Actions raised", "Practitioner involved %"])
    fq = [("Fostering standards met", (0, 1, 1, 0)), ("Overall judgement", (1, 2, 1, 0))]
    t["tbl_foster_audits"] = pd.DataFrame(
        [[d, q.label, *(grade_values(c) if k % 2 == 0 else grade_values((0, 0, 0, 0)))]
         for d, c in fq for k, q in enumerate(PERIOD.quarters)],
        columns=["Domain", "Quarter", *GRADE_COLUMNS])
    t["tbl_edt"] = pd.DataFrame(
        [[m, n, *( [a / n if n else None] * 5 )] for m, n, a in
         [(mm, (0 if i in (2, 10) else 4), (0 if i in (2, 10) else 3)) for i, mm in enumerate(MONTHS)]],
        columns=["Month", "Records sampled", "Safeguarding action appropriate %", "Multi-agency working evident %",
                 "Recording sufficient %", "AMHP offered when required %", "Timescales met %"])
    t["tbl_feedback"] = pd.DataFrame(
        [[date(2024, 7, 3), "Case file audit", "IRT", "Parent or carer", "Getting it right",
          "[name] listens to me and gets back to me."],
         [date(2024, 9, 12), "Case file audit", "CST", "Professional", "Mixed",
          '=HYPERLINK("http://example.com","click")'],
         [date(2024, 9, 20), "Foster carer audit", "Fostering", "Foster carer", "Need to do better",
          "+44 calls were not returned"]],
        columns=["Date", "Audit type", "Service area", "Source", "Sentiment", "Feedback"])
    labels = case_file_domain_labels()
    t["tbl_audits"] = pd.DataFrame(
        [["3f9a1c07be", "Case file audit", date(2024, 9, 4), "IRT", "IRT North",
          *(["Good"] + [None] * (len(labels) - 1)), "Requires improvement", "Yes"],
         ["a1b2c3d4e5", "Foster carer audit", date(2024, 8, 30), "Fostering", None,
          *([None] * len(labels)), "Good", "No"]],
        columns=["Audit key", "Audit type", "Audit date", "Service area", "Team", *labels, "Overall", "Moderated"])
    return t


def kpi_tables() -> dict[str, pd.DataFrame]:
    t: dict[str, pd.DataFrame] = {}
    t["tbl_kpis"] = pd.DataFrame([
        ["contacts", "Contacts", "Identification of harm", "Last month", 412, 390, 22, None, 412, None, "count",
         None, None, None, None, "", "No target", ""],
        ["assessments_45wd_pct", "Assessments within 45 working days", "Assessment", "3m", 0.83, 0.80, 3.0,
         "Better", 83, 100, "percent", 0.85, 0.845, 0.861, 0.872, "DfE CIN census 2024", "Below target", ""],
        ["care_leavers_in_touch_pct", "Care leavers in touch", "Care leavers", "Snapshot", None, None, None, None,
         None, None, "percent", None, 0.93, None, None, "", "No data", "Needs Annex A List 9."],
    ], columns=KPI_COLUMNS)
    monthly = []
    for i, m in enumerate(MONTHS):
        monthly.append(["contacts", m, None if i < 6 else 380 + 5 * i, None if i < 6 else 380 + 5 * i, None])
    for i, m in enumerate(MONTHS):
        num, den = (None, None) if i < 6 else (16 + i % 3, 20)
        monthly.append(["assessments_45wd_pct", m, None if num is None else num / den, num, den])
    t["tbl_kpi_monthly"] = pd.DataFrame(monthly, columns=["KPI id", "Month", "Value", "Numerator", "Denominator"])
    t["tbl_caseloads"] = pd.DataFrame(
        [["IRT", 10.0, 180, 18.0, 0.45, 17.0, "Above threshold"],
         ["CASS", 5.0, 70, 14.0, 0.2, 17.0, "Within threshold"]],
        columns=["Service area", "Case-holding FTE", "Children allocated", "Average caseload", "Agency %",
                 "Threshold", "Status"])
    t["tbl_caseloads_experience"] = pd.DataFrame(
        [["Newly qualified", 4.0, 60, 15.0], ["Experienced", 11.0, 190, 190 / 11]],
        columns=["Group", "Case-holding FTE", "Children allocated", "Average caseload"])
    t["tbl_starters_leavers"] = pd.DataFrame([["Last 6 months", 11, 7], ["Previous 6 months", 10, 8]],
                                             columns=["Period", "Starters", "Leavers"])
    t["tbl_continuity"] = pd.DataFrame(
        [["same_worker_6m_pct", 200, 90, 0.45], ["same_worker_12m_pct", 120, 30, 0.25]],
        columns=["KPI id", "Children", "Same worker", "Same worker %"])
    groups = ["Foster placement", "Placed for adoption", "Placed with parents",
              "Independent or semi-independent living", "Children's home", "Other residential setting", "Other"]
    counts = [138, 8, 12, 14, 20, 4, 4]
    t["tbl_placement_types"] = pd.DataFrame([[g, c, c / 200] for g, c in zip(groups, counts)],
                                            columns=["Placement type", "Children", "Share %"])
    return t


def audit_figures() -> Figures:
    return Figures(
        period=PERIOD,
        tables=audit_tables(),
        headlines=[
            Headline("Audits completed (year to date)", 64, 58, unit="count", section="Audit activity"),
            Headline(HEADLINE_GOOD_OR_BETTER, 0.25, 0.22, unit="percent", target=0.4,
                     england=None, status="Below target", section="Overall judgements", polarity="higher"),
        ],
        notes=[Note("audits.months", "Audits are not completed in August and December."),
               Note("audits.shares", "Percentages are of audits judged; a blank cell means nothing was judged.")],
    )


def full_figures() -> Figures:
    figures = audit_figures()
    figures.tables.update(kpi_tables())
    return figures


def context(**overrides) -> ReportContext:
    values = dict(
        la_name=LA,
        produced=date(2024, 10, 7),
        messages={"Summary": ["Most overall judgements were Requires improvement (63%, 38 of 60 audits)."],
                  "Overall judgements": ["Good or better rose from 19% in Q1 2024/25 to 25% in Q2 2024/25."]},
        commentary={"Summary": "Practice is improving.\nWe need to evidence the child's voice in plans.",
                    "Practice domains": "=SUM(A1:A2) is not a formula here."},
        findings=[
            Finding("returns.zip \u203a audit 1.xlsx", "Audit", "C14", Severity.WARNING, "grade.unrecognised",
                    "The grade in C14 is not one of the four grades; pick one from the list."),
            Finding("C:\\Users\\qa\\Desktop\\register.xlsx", "Register", "row 12", Severity.ERROR,
                    "date.unreadable", "The audit date in row 12 cannot be read; type it as dd/mm/yyyy."),
            Finding("desktop.ini", "", "", Severity.INFO, "input.skipped", "Not an input; skipped."),
        ],
        coverage=pd.DataFrame([["list1.csv", "Annex A List 1 Contacts", date(2024, 4, 1), date(2024, 9, 30),
                                2400, 6]],
                              columns=["Input", "Kind", "First date", "Last date", "Rows", "Months covered"]),
        inputs_used={"Case file audit": 40, "Foster carer audit": 18, "EDT dip sample": 10},
        include_case_refs=False,
        include_staff_names=False,
        feedback_text=True,
        missing_inputs={"KPIs": "No system exports: add the Ofsted Annex A lists to fill this sheet."},
    )
    values.update(overrides)
    return ReportContext(**values)


# --- every KPI, workforce and fostering table, as the measures layer would hand them over -------------
# Period September 2024. Values are chosen by hand so the displayed figures test the rounding rules:
# 165 of 200 assessments in 45 working days is 82.5%, shown 83% (half away from zero; round() gives 82).


# id -> (value, previous, numerator, denominator, target, england, statistical neighbours, status)
KPI_VALUES = {
    "contacts": (412, 390, 412, None, None, None, None, "No target"),
    "referrals": (1230, 1301, 1230, None, None, None, None, "No target"),
    "assessments_completed": (200, 188, 200, None, None, None, None, "No target"),
    "assessments_45wd_pct": (0.825, 0.78, 165, 200, 0.85, 0.845, 0.861, "Below target"),
    "assessment_median_wd": (28, 31, None, None, 30, None, None, "Meets target"),
    "s47_started": (52, 49, 52, None, None, None, None, "No target"),
    "s47_rate_per_10k": (160.25, 171.4, 611, 45760, None, 174.2, None, "No target"),
    "referral_to_s47_median_days": (5, 6, None, None, None, None, None, "No target"),
    "icpc_15wd_pct": (0.92, 0.88, 92, 100, 0.9, 0.784, None, "Meets target"),
    "icpc_15wd_new_referral_pct": (0.95, None, 38, 40, None, None, None, "No target"),
    "s47_median_wd": (13, None, None, None, None, None, None, "No target"),
    "s47_15wd_pct": (0.79, 0.8, 79, 100, None, None, None, "No target"),
    "cp_plans_started": (85, 90, 85, None, None, None, None, "No target"),
    "cp_second_plus_pct": (0.22, 0.25, 19, 85, 0.2, 0.238, None, "Below target"),
    "cp_open": (210, 198, 210, None, None, None, None, "No target"),
    "cp_open_median_days": (147.5, 140, None, None, None, None, None, "No target"),
    "cp_open_2yrs_pct": (0.04, 0.05, 8, 210, None, 0.021, None, "No target"),
    "cin_open": (640, 655, 640, None, None, None, None, "No target"),
    "cin_open_median_days": (201, 195, None, None, None, None, None, "No target"),
    "cic_count": (200, 196, 200, None, None, None, None, "No target"),
    "cic_foster_pct": (0.69, None, 138, 200, None, 0.67, None, "No target"),
    "cic_residential_under12": (3, None, 3, None, None, None, None, "No target"),
    "cic_3plus_placements_pct": (0.09, None, 18, 200, None, 0.1, None, "No target"),
    "cic_long_term_stability_pct": (0.68, None, 34, 50, None, 0.71, None, "No target"),
    "cic_long_term_foster_same_carer_pct": (0.725, None, 29, 40, None, None, None, "No target"),
    "cic_missing_pct": (0.11, None, 22, 200, None, 0.11, None, "No target"),
    "cic_ceased_adoption": (6, 4, 6, None, None, None, None, "No target"),
    "cic_ceased_sgo_cao": (9, 7, 9, None, None, None, None, "No target"),
    "adoption_waiting": (8, None, 8, None, None, None, None, "No target"),
    "adoption_waiting_median_days": (210, None, None, None, None, None, None, "No target"),
    "care_leavers_eet_17_18_pct": (0.62, None, 31, 50, None, 0.66, None, "No target"),
    "care_leavers_eet_19_21_pct": (0.51, None, 51, 100, None, 0.56, None, "No target"),
    "care_leavers_in_touch_pct": (0.93, None, 140, 150, None, 0.92, None, "No target"),
    "care_leavers_suitable_accommodation_pct": (0.88, None, 132, 150, None, 0.88, None, "No target"),
    "caseload_avg": (482 / 25, None, 482, 25, None, None, None, "No target"),
    "agency_rate_pct": (0.41, 0.38, 12.3, 30, None, 0.162, None, "No target"),
    "starters_6m": (11, 10, 11, None, None, None, None, "No target"),
    "leavers_6m": (7, 8, 7, None, None, None, None, "No target"),
    "vacancy_rate_pct": (0.12, None, 4, 33.5, None, 0.205, None, "No target"),
    "turnover_pct": (0.14, None, 3.8, 27.5, None, 0.155, None, "No target"),
    "same_worker_6m_pct": (0.45, 0.47, 90, 200, None, None, None, "No target"),
    "same_worker_12m_pct": (0.25, 0.27, 30, 120, None, None, None, "No target"),
    "foster_households": (120, 118, 120, None, None, None, None, "No target"),
    "foster_households_new_12m": (14, 12, 14, None, None, None, None, "No target"),
    "foster_households_deregistered_12m": (9, 11, 9, None, None, None, None, "No target"),
}

# Measures with a monthly series (values for the 12 trend months, None = month not covered).
KPI_MONTHLY = {
    "contacts": [None, None, None, 360, 371, 380, 402, 398, 377, 366, 390, 412],
    "assessments_45wd_pct": [None, None, None, 0.7, 0.72, 0.75, 0.8, 0.78, 0.76, 0.8, 0.85, 0.825],
    "cic_count": [190, 191, 192, 192, 193, 194, 195, 195, 196, 196, 196, 200],
}


def kpi_catalogue_tables(values: dict | None = None, notes: dict[str, str] | None = None
                         ) -> dict[str, pd.DataFrame]:
    """tbl_kpis with one row per measure id of resources/measures.toml (KPI_VALUES, or ``values``: a
    measure not in it is blank, its Note the definition then ``notes[id]``, as the measures layer says
    why), tbl_kpi_monthly and every Workforce and Fostering table."""
    notes = notes or {}
    from pqa_desktop.core.measures.kpi_catalogue import measure_specs

    values = KPI_VALUES if values is None else values
    rows = []
    for spec in measure_specs():
        if spec.id in values:
            value, previous, num, den, target, england, neighbours, status = values[spec.id]
            if value is None or previous is None:
                change = None
            else:
                change = round((value - previous) * 100, 10) if spec.unit == "percent" else value - previous
            note = spec.definition
        else:
            value = previous = change = num = den = target = england = neighbours = None
            status, note = "No data", f"{spec.definition} {notes.get(spec.id, '')}".strip()
        rows.append([spec.id, spec.label, spec.section, spec.window_text, value, previous, change,
                     better_or_worse(spec.polarity, change), num, den, spec.unit, target, england, neighbours, None,
                     "DfE 2024" if england is not None else "", status, note])
    tables = {"tbl_kpis": pd.DataFrame(rows, columns=KPI_COLUMNS, dtype=object)}
    monthly = [[kpi_id, m, v, v if kpi_id != "assessments_45wd_pct" or v is None else round(v * 20),
                None if kpi_id != "assessments_45wd_pct" or v is None else 20]
               for kpi_id, series in KPI_MONTHLY.items() if kpi_id in values for m, v in zip(MONTHS, series)]
    tables["tbl_kpi_monthly"] = pd.DataFrame(monthly, columns=["KPI id", "Month", "Value", "Numerator",
                                                               "Denominator"], dtype=object)
    shared = kpi_tables()
    tables["tbl_caseloads"] = pd.DataFrame(
        [["CASS", 5.0, 70.0, 14.0, 0.2, 17.0, "Within threshold"],
         ["IRT", 10.0, 180.0, 18.0, 0.45, 17.0, "Above threshold"],
         ["Family Safeguarding", 10.0, 232.0, 23.2, 0.5, 17.0, "Above threshold"]],
        columns=["Service area", "Case-holding FTE", "Children allocated", "Average caseload", "Agency %",
                 "Threshold", "Status"])
    for name in ("tbl_caseloads_experience", "tbl_starters_leavers", "tbl_continuity", "tbl_placement_types"):
        tables[name] = shared[name]
    return tables


def kpi_figures(values: dict | None = None, notes: dict[str, str] | None = None) -> Figures:
    """The audit figures plus every KPI, workforce and fostering table, and three KPI headlines (two with a
    monthly series, one without)."""
    figures = audit_figures()
    figures.tables.update(kpi_catalogue_tables(values, notes))
    figures.headlines += [
        Headline("Assessments completed within 45 working days (last 3 months)", 0.825, 0.78, unit="percent",
                 target=0.85, england=0.845, status="Below target", section="Assessment", polarity="higher",
                 statistical_neighbours=0.861, kpi_id="assessments_45wd_pct"),
        Headline("Section 47 enquiries per 10,000 children (annualised, last 12 months)", 160.25, 171.4,
                 unit="number", england=174.2, section="Child protection", kpi_id="s47_rate_per_10k"),
        Headline("Children in care", 200, 196, unit="count", section="Plans and children in care",
                 kpi_id="cic_count"),
    ]
    return figures


# The Note the measures layer adds when a measure's input was not supplied, by KPI id prefix.
_NEEDS_BY_PREFIX = (
    ("contacts", "Needs Annex A List 1 (contacts)."), ("referrals", "Needs Annex A List 3 (referrals)."),
    ("assessment", "Needs Annex A List 4 (assessments)."),
    ("s47_", "Needs Annex A List 5 (Section 47 enquiries and ICPCs)."),
    ("referral_to_s47", "Needs Annex A List 5 (Section 47 enquiries and ICPCs)."),
    ("icpc_", "Needs Annex A List 5 (Section 47 enquiries and ICPCs)."),
    ("cp_", "Needs Annex A List 7 (child protection)."), ("cin_", "Needs Annex A List 6 (children in need)."),
    ("cic_", "Needs Annex A List 8 (children in care)."), ("adoption_", "Needs Annex A List 10 (adoption)."),
    ("care_leavers_", "Needs Annex A List 9 (care leavers)."),
    ("same_worker_", "Needs the worker allocation history."),
    ("foster_households", "Needs the fostering households list."),
    ("", "Needs the workforce list."),
)


def missing_input_note(kpi_id: str) -> str:
    return next(note for prefix, note in _NEEDS_BY_PREFIX if kpi_id.startswith(prefix))


def no_export_figures() -> Figures:
    """Audit figures plus what the pipeline builds when no system export was supplied: every tbl_kpis
    row blank with the Note naming its input, monthly series with no covered month, and empty
    Workforce and Fostering tables (columns, no rows)."""
    from pqa_desktop.core.measures.kpi_catalogue import measure_specs

    figures = audit_figures()
    tables = kpi_catalogue_tables({}, {s.id: missing_input_note(s.id) for s in measure_specs()})
    tables["tbl_kpi_monthly"] = pd.DataFrame(
        [[kpi_id, m, None, None, None] for kpi_id in KPI_MONTHLY for m in MONTHS],
        columns=["KPI id", "Month", "Value", "Numerator", "Denominator"], dtype=object)
    for name in ("tbl_caseloads", "tbl_caseloads_experience", "tbl_starters_leavers", "tbl_continuity",
                 "tbl_placement_types"):
        tables[name] = tables[name].iloc[0:0]
    figures.tables.update(tables)
    return figures
